// @ts-check
// Issue 10's "steady long call" (`npm run bench` runs it last; `node bench/long-call.mjs` alone after a build):
//   1. cycles: 20 join/leave cycles in one room; what each page holds afterwards (three's textures and geometries,
//      RTCPeerConnections not closed, event listeners, timers, heap after GC) against before the first join.
//   2. oplog:  a call with 5,000 chat messages: a newcomer's snapshot arrives and renders; the reconnect after a
//      cut, at 0, 1,000 and 5,000 messages of history; the chat and op log stay within their bounds.
//   3. flood:  a hostile participant floods a page (valid but spammy signed chats, then garbage and oversize
//      messages); the victim's main-thread lag against the same probe without a flood, in the same run.
//   4. soak:   a clinician, a patient with the simulator's vitals and ECG, and a worker in emulated AR sharing
//      surfaces and head pose, for SOAK_MINUTES (30 unless set): chat every 10 s, a mark every minute; every
//      page's heap after GC and frame rate, every minute.
// LONG_CALL_PARTS=cycles,oplog (any of the four, comma-separated; all unless set) runs only those. Each part
// replaces its own section of bench/long-call-results.md, and the whole file is copied into its marked section at
// the end of BENCHMARKS.md (bench/run.mjs rewrites that file from scratch before this script runs).
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CHROMIUM } from '../e2e/chromium.mjs'
import { signChatFlood } from '../e2e/real-app.mjs'
import {
  AS_A_PERSON,
  commandOutput,
  fillJoinForm,
  fixed1,
  joinCall,
  launchChromium,
  machine,
  newParticipant,
  openInvite,
  openThreeDView,
  percent,
  removeSnapshot,
  root,
  runIfMain,
  snapshotApp,
  spread,
  startAppServer,
  startConsultation,
  startCpuProfile,
  topSelfTime,
  waitForPanels,
  watchForeignCpu,
  withQuery,
  writeResultsPart,
} from './common.mjs'
import { holdings, instrumentPage, memory, rendererInfo } from './long-call-pages.mjs'
import { frames, makeMark, openSoakCall } from './soak-pages.mjs'

/**
 * A page's errors for the report: the first few and how many more, since a page that throws on every tick would
 * otherwise fill the file. @param {string[]} errors
 */
function someErrors(errors) {
  const shown = errors.slice(0, 5).join('; ')
  return errors.length > 5 ? `${shown}; … and ${errors.length - 5} more` : shown
}

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../e2e/real-app.mjs').Participant} Participant */
/** @typedef {import('./long-call-pages.mjs').Holdings} Holdings */
/** @typedef {{ browser: Browser, app: { url: string, origin: string } }} Deps */

const RESULTS = path.join(root, 'bench/long-call-results.md')
const SECTION_START = '<!-- long-call: start (written by bench/long-call.mjs) -->'
const SECTION_END = '<!-- long-call: end -->'
const PARTS = /** @type {const} */ (['cycles', 'oplog', 'flood', 'soak'])

/** Join/leave cycles. */
const CYCLES = 20
/** After the last leave: links' goodbyes, the gone participant's linger (5 s) and timers settle first, ms. */
const SETTLE_MS = 8000
/** Chat history sizes the reconnect is measured at; the last is the op log's own bound (MAX_CHAT_OPS_KEPT). */
const HISTORY_STEPS = [0, 1000, 5000]
/** Longest wait for the host to hold a batch of history, ms: a busy shared machine signs slowly. */
const HISTORY_TIMEOUT_MS = 20 * 60_000
/** Chat messages sent beyond the last step, to see the op log and the chat prune. */
const BEYOND_BOUND = 500
/** Reconnects measured at each history size (median reported). */
const RECONNECT_RUNS = 3
/** Longest a newcomer's snapshot may take to render, ms (issue 10). */
const SNAPSHOT_TARGET_MS = 2000
/** Flood: 15 ops messages a second of 50 signed chats of 1.9 KB each (issue 17's flood), for this long, s. */
const FLOOD_S = 30
const FLOOD_MESSAGES_PER_S = 15
/** Lag windows without a flood, before and after it, ms. */
const QUIET_WINDOW_MS = 10_000
/** The victim in the 3D view: a quiet window and a flood this long, s (shorter: the 3D view is not a call's default). */
const FLOOD_3D_S = 10
const QUIET_WINDOW_3D_MS = 10_000
/** Garbage and oversize messages the hostile page sends at once after the valid flood. */
const GARBAGE_MESSAGES = 200
const OVERSIZE_MESSAGES = 20
/**
 * An oversize message: well above every message type's limit (the largest, an ops message's, is 120,000
 * characters) and below what a data channel carries at all (Chromium's SCTP max-message-size, 256 KiB: a larger
 * send throws, and PeerJS then closes the sender's own connection, so nothing after it ever left Sam's page and
 * the run before this one read "not banned").
 */
const OVERSIZE_CHARS = 200 * 1024
/** Lag window after the garbage, ms. */
const GARBAGE_WINDOW_MS = 10_000
/** Soak: how long (SOAK_MINUTES), the chat and mark cadence, and the heap and frame-rate bounds. */
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES ?? 30)
const SOAK_CHAT_EVERY_MS = 10_000
/** Heap growth allowed after the first 5 minutes, bytes (issue 10). */
const SOAK_HEAP_GROWTH_BOUND = 5 * 1024 * 1024
const SOAK_HEAP_FROM_MINUTE = 5
/** Frame rate in the last minute at least this share of the second minute's (issue 10). */
const SOAK_FPS_BOUND = 0.9

const log = (/** @type {string} */ line) => console.log(`[long-call] ${line}`)

// ---------------------------------------------------------------------------------------------------------------
// Participants and readings

/**
 * A participant whose page counts what it holds from before the app's first line (bench/long-call-pages.mjs);
 * with `stacks`, also where each listener was added (slower: for finding what leaks).
 * @param {Deps} deps @param {{ width: number, height: number }} viewport @param {boolean} [stacks]
 */
function participant(deps, viewport, stacks = false) {
  return newParticipant(deps.browser, {
    origin: deps.app.origin,
    viewport,
    prepare: (context) => context.addInitScript(instrumentPage, { stacks }),
  })
}

/**
 * Listeners alive after and not before, by where they were added (most first).
 * @param {Holdings} before @param {Holdings} after
 */
function newListeners(before, after) {
  return Object.entries(after.listeners.byStack)
    .map(
      ([where, count]) =>
        /** @type {[string, number]} */ ([where, count - (before.listeners.byStack[where] ?? 0)]),
    )
    .filter(([, more]) => more > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
}

/** Leaves through the Leave button (a `bye`, so the others drop us at once), then closes the context. @param {Participant} p */
async function leaveAndClose(p) {
  await p.page
    .getByTestId('leave')
    .click({ timeout: 5000 })
    .catch(() => undefined)
  await sleep(300)
  await p.context.close()
}

/** Everything a page holds now (after a full GC). @param {Page} page */
async function reading(page) {
  const mem = await memory(page)
  return { ...mem, renderer: await rendererInfo(page), holdings: await holdings(page) }
}
/** @typedef {Awaited<ReturnType<typeof reading>>} Reading */

const mb = (/** @type {number} */ bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const ms = (/** @type {number} */ value) => `${Math.round(value)} ms`

// ---------------------------------------------------------------------------------------------------------------
// 1. Join/leave cycles

/** @param {Deps} deps */
async function measureCycles(deps) {
  const host = await participant(deps, { width: 800, height: 450 }, true)
  const invites = await startConsultation(host.page, withQuery(deps.app.url, '?debug'), 'clinician')
  await joinCall(host.page, 'Host clinician')
  const cycler = await participant(deps, { width: 640, height: 360 }, true)
  await cycler.page.goto(withQuery(invites.patient ?? '', '?debug'))
  await fillJoinForm(cycler.page, 'Cycling patient', { requireMedia: true, settle: true })
  await sleep(3000)
  // Before the first join: the host alone in the call, the cycler on the join screen (its scene warm behind it).
  const before = { host: await reading(host.page), cycler: await reading(cycler.page) }
  log(
    `before: host ${JSON.stringify(summary(before.host))}; cycler ${JSON.stringify(summary(before.cycler))}`,
  )
  /** @type {{ host: ReturnType<typeof summary>, cycler: ReturnType<typeof summary> }[]} */
  const perCycle = []
  /** @type {number[]} */
  const joinToPanelMs = []
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const clickedAt = Date.now()
    await cycler.page.getByTestId('join').click()
    await cycler.page.getByTestId('call').waitFor({ timeout: 30_000 })
    // A call opens in the video layout; the 3D view (the host's panel, its caption in uikit) is what joining
    // and leaving must not leave behind, so the patient opens it every time, as the host did once.
    await openThreeDView(cycler.page)
    await waitForPanels(host.page, 1, 60_000)
    await waitForPanels(cycler.page, 1, 60_000)
    joinToPanelMs.push(Date.now() - clickedAt)
    await cycler.page.getByTestId('leave').click()
    await cycler.page.getByTestId('rejoin').waitFor({ timeout: 30_000 })
    await waitForPanels(host.page, 0, 30_000)
    await host.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="participant"]').length === 0,
      undefined,
      { timeout: 30_000 },
    )
    // Back on the join screen, where the cycler was before its first join (and where the next cycle starts).
    await cycler.page.getByTestId('rejoin').click()
    await fillJoinForm(cycler.page, 'Cycling patient', { requireMedia: true, settle: true })
    if (cycle === 1 || cycle % 5 === 0) {
      const now = { host: summary(await reading(host.page)), cycler: summary(await reading(cycler.page)) }
      perCycle.push(now)
      log(`cycle ${cycle}/${CYCLES}: host ${JSON.stringify(now.host)}; cycler ${JSON.stringify(now.cycler)}`)
    }
  }
  await sleep(SETTLE_MS)
  const after = { host: await reading(host.page), cycler: await reading(cycler.page) }
  log(`after: host ${JSON.stringify(summary(after.host))}; cycler ${JSON.stringify(summary(after.cycler))}`)
  const errors = [...host.errors, ...cycler.errors]
  await cycler.context.close()
  await leaveAndClose(host)
  return { before, after, perCycle, joinToPanelMs: spread(joinToPanelMs), errors }
}

/** The numbers compared before and after. @param {Reading} r */
function summary(r) {
  return {
    textures: r.renderer?.textures ?? NaN,
    geometries: r.renderer?.geometries ?? NaN,
    programs: r.renderer?.programs ?? NaN,
    glContextsLive: r.holdings.webgl.live,
    glContextsHeld: r.holdings.webgl.held,
    connectionsOpen: r.holdings.connections.open,
    connectionsMade: r.holdings.connections.made,
    listeners: r.holdings.listeners.total,
    blinkListeners: r.jsEventListeners,
    intervals: r.holdings.intervals.count,
    timeouts: r.holdings.timeouts,
    nodes: r.nodes,
    heapMB: Math.round((r.heapBytes / 1024 / 1024) * 10) / 10,
  }
}

/**
 * What the first uikit text a renderer draws loads once for the page and every later call reuses: uikit's font
 * atlas texture (its module-level font cache, never disposed) and its shared panel geometry (one module-level
 * PlaneGeometry for every uikit component). A page that has drawn a caption once holds one of each in
 * renderer.info for as long as the renderer lives, so these rows are also compared with the reading after the
 * first cycle, which has loaded them.
 */
const CACHED_ONCE = ['textures', 'geometries']

/** @param {Awaited<ReturnType<typeof measureCycles>>} c */
export function renderCycles(c) {
  const rows = /** @type {const} */ ([
    ['textures', 'three textures (renderer.info)', true],
    ['geometries', 'three geometries (renderer.info)', true],
    ['programs', 'three shader programs', false],
    ['glContextsLive', 'WebGL contexts not lost', true],
    ['glContextsHeld', 'WebGL contexts still referenced (lost or not)', true],
    ['connectionsOpen', 'RTCPeerConnections not closed', true],
    ['listeners', 'event listeners attached (addEventListener, counted by the init script)', true],
    ['blinkListeners', 'JS event listeners (Blink DOM counters, incl. on… handlers)', true],
    ['intervals', 'intervals running', true],
    ['timeouts', 'timeouts pending', false],
    ['nodes', 'DOM nodes (Blink, incl. detached not yet collected)', false],
    ['heapMB', 'JS heap after GC, MB', false],
  ])
  /** @param {'host' | 'cycler'} who */
  const table = (who) => {
    const b = summary(c.before[who])
    const a = summary(c.after[who])
    // NaN: no 3D view mounted, so no renderer to read (the patient's join screen has none).
    const shown = (/** @type {number} */ value) => (Number.isNaN(value) ? 'no 3D view' : value)
    // The first cycle's reading: the baseline for what the first caption loads once for the page (see below).
    const first = c.perCycle[0]?.[who]
    const lines = rows.map(([key, label, bounded]) => {
      const same = Number.isNaN(a[key]) || a[key] <= b[key]
      const cached =
        CACHED_ONCE.includes(key) && first !== undefined && a[key] <= first[key] && first[key] > b[key]
      const verdict = !bounded
        ? 'reported'
        : same
          ? 'back to before'
          : cached
            ? `${fixed1(a[key] - b[key])} more, loaded at the first caption and kept for the page: back to the first cycle's ${first[key]}`
            : `**${fixed1(a[key] - b[key])} more**`
      return `| ${label} | ${shown(b[key])} | ${shown(a[key])} | ${verdict} |`
    })
    return ['| | before the first join | after the last leave | |', '|---|---|---|---|', ...lines].join('\n')
  }
  const trail = c.perCycle
    .map(
      (p, i) =>
        `${i === 0 ? 1 : i * 5}: host tex ${p.host.textures}, geo ${p.host.geometries}, pc ${p.host.connectionsOpen}, listeners ${p.host.listeners}, intervals ${p.host.intervals}, heap ${p.host.heapMB} MB; patient listeners ${p.cycler.listeners} (Blink ${p.cycler.blinkListeners}), DOM nodes ${p.cycler.nodes}, heap ${p.cycler.heapMB} MB`,
    )
    .join('; ')
  return `### 1. ${CYCLES} join/leave cycles in one room

A clinician (the host, 800×450, in the 3D view) stays in the call; a patient (640×360) joins, opens the 3D view
(a call opens in the video layout), waits until both pages show each other's video panel, clicks Leave, and on the
"You left" screen clicks Rejoin (back on the join screen, where each reading of the patient is taken), ${CYCLES}
times in one page (each join is a new call runtime and a new 3D view). Before the first join: the host alone in the
call, the patient on the join screen (no 3D view mounted there). After the last leave: the patient back on the join
screen, ${SETTLE_MS / 1000} s later. Every
reading is taken after two full garbage collections (DevTools \`HeapProfiler.collectGarbage\`). Connections,
listeners and timers are counted by an init script that wraps \`RTCPeerConnection\`, \`addEventListener\` and the
timer functions before the app's code runs (bench/long-call-pages.mjs). Join click → both panels show video:
median ${ms(c.joinToPanelMs.median)} (${ms(c.joinToPanelMs.min)}–${ms(c.joinToPanelMs.max)}).

The host (stays in the call):

${table('host')}

The cycling patient (same page throughout):

${table('cycler')}

On the way (each reading on the patient's join screen): ${trail}.

Three textures and geometries are also compared with the reading after the first cycle: what the first caption
loads once for the page and later calls reuse (uikit's font atlas and its shared panel geometry) is there, and what
a call leaves behind would come on top of it.

Host intervals still running after the last leave: ${c.after.host.holdings.intervals.stacks.length ? c.after.host.holdings.intervals.stacks.map((s) => `\`${s.slice(0, 160)}\``).join('; ') : 'none'}.
Listeners alive after and not before, by where they were added (host): ${JSON.stringify(newListeners(c.before.host.holdings, c.after.host.holdings))}; (patient): ${JSON.stringify(newListeners(c.before.cycler.holdings, c.after.cycler.holdings))}.
Listeners by target after (host): ${JSON.stringify(c.after.host.holdings.listeners.byTarget)}; before: ${JSON.stringify(c.before.host.holdings.listeners.byTarget)}.
Listeners by target after (patient): ${JSON.stringify(c.after.cycler.holdings.listeners.byTarget)}; before: ${JSON.stringify(c.before.cycler.holdings.listeners.byTarget)}.
Page errors: ${c.errors.length ? someErrors(c.errors) : 'none'}.
`
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Op log growth

/** A page's debug call (`?debug`). @typedef {any} DebugCall */

/**
 * Sends `count` chat messages from `page` through the app (paced by its own outbox) and waits until `host` holds
 * the last one in its store.
 * @param {Page} page @param {Page} host @param {number} count @param {string} prefix
 */
async function sendHistory(page, host, count, prefix) {
  if (count === 0) return
  await page.evaluate(
    ([n, p]) => {
      const call = /** @type {any} */ (window).__xrConsultCall
      for (let i = 0; i < Number(n); i++) call.sendChat(`${p} ${i}`)
    },
    [count, prefix],
  )
  const last = `${prefix} ${count - 1}`
  const started = Date.now()
  for (;;) {
    const state = await host.evaluate((text) => {
      const w = /** @type {any} */ (window)
      return {
        done: w.__xrConsultGuidance.consultStore
          .getState()
          .chat.some((/** @type {{ text: string }} */ m) => m.text === text),
        ops: /** @type {number} */ (w.__xrConsultCall.debugView().ops),
      }
    }, last)
    if (state.done) return
    if (Date.now() - started > HISTORY_TIMEOUT_MS)
      throw new Error(
        `the host holds ${state.ops} ops, not yet "${last}", after ${HISTORY_TIMEOUT_MS / 1000} s`,
      )
    log(
      `sending ${prefix}: the host holds ${state.ops} ops after ${Math.round((Date.now() - started) / 1000)} s`,
    )
    await sleep(15_000)
  }
}

/**
 * Cuts every data connection of `page` and, in the same task, sends one chat message; resolves with the time
 * until `page` has every link ready again and until `host` holds that message.
 * @param {Page} page @param {Page} host @param {string} marker
 */
async function cutAndResync(page, host, marker) {
  await host.evaluate((text) => {
    const w = /** @type {any} */ (window)
    w.__resyncAt = null
    const store = w.__xrConsultGuidance.consultStore
    const seen = () => store.getState().chat.some((/** @type {{ text: string }} */ m) => m.text === text)
    const unsubscribe = store.subscribe(() => {
      if (seen()) {
        w.__resyncAt = performance.timeOrigin + performance.now()
        unsubscribe()
      }
    })
  }, marker)
  const cutAt = await page.evaluate((text) => {
    const call = /** @type {any} */ (window).__xrConsultCall
    const at = performance.timeOrigin + performance.now()
    call.debugDropDataConnections()
    call.sendChat(text)
    return at
  }, marker)
  const relinkedAt = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const call = /** @type {any} */ (window).__xrConsultCall
        const started = performance.now()
        // The links go down first: wait for that, then for every link to be ready again.
        let sawDown = false
        const poll = () => {
          const links = call.debugView().links
          const allReady = links.length > 0 && links.every((/** @type {{ ready: boolean }} */ l) => l.ready)
          if (!allReady) sawDown = true
          if (sawDown && allReady) return resolve(performance.timeOrigin + performance.now())
          if (performance.now() - started > 60_000) return reject(new Error('no relink within 60 s'))
          setTimeout(poll, 20)
        }
        poll()
      }),
  )
  await host.waitForFunction(() => /** @type {any} */ (window).__resyncAt != null, undefined, {
    timeout: 120_000,
    polling: 100,
  })
  const resyncAt = await host.evaluate(() => /** @type {number} */ (/** @type {any} */ (window).__resyncAt))
  return { relinkMs: Number(relinkedAt) - cutAt, resyncMs: resyncAt - cutAt }
}

/**
 * A newcomer (specialist) joins; resolves with the time from its Join click until its chat list shows `last`, and
 * what it then holds.
 * @param {Deps} deps @param {string} invite @param {string} last
 */
async function newcomer(deps, invite, last) {
  const n = await participant(deps, { width: 640, height: 360 })
  await n.page.goto(withQuery(invite, '?debug'))
  await fillJoinForm(n.page, 'Newcomer', { requireMedia: true, settle: true })
  await n.page.evaluate((text) => {
    const w = /** @type {any} */ (window)
    w.__renderedAt = null
    w.__inCallAt = null
    w.__chatChangedAt = null
    let chatText = ''
    // Watches the DOM from before the click: the moment the call screen shows (read in the page: a busy page
    // answers the harness late), the moment the last message is drawn into the list, and the last change to the
    // chat's rows or its "earlier messages" line (the whole snapshot in: every op verified and counted).
    const observer = new MutationObserver(() => {
      const at = performance.timeOrigin + performance.now()
      if (w.__inCallAt == null && document.querySelector('[data-testid="call"]')) w.__inCallAt = at
      const list = document.querySelector('[data-testid="chat-list"]')
      if (w.__renderedAt == null && list?.lastElementChild?.textContent?.includes(text)) w.__renderedAt = at
      const now = `${list?.childElementCount ?? 0}|${document.querySelector('[data-testid="chat-earlier"]')?.textContent ?? ''}`
      if (now !== chatText) {
        chatText = now
        w.__chatChangedAt = at
      }
    })
    observer.observe(document.body, { childList: true, subtree: true, characterData: true })
  }, last)
  const clickedAt = await n.page.evaluate(() => {
    const join = /** @type {HTMLButtonElement} */ (document.querySelector('[data-testid="join"]'))
    const at = performance.timeOrigin + performance.now()
    join.click()
    return at
  })
  await n.page.getByTestId('call').waitFor({ timeout: 30_000 })
  await n.page.waitForFunction(() => /** @type {any} */ (window).__renderedAt != null, undefined, {
    timeout: 180_000,
    polling: 100,
  })
  // The rest of the snapshot: done once the newcomer's op log has not grown for 3 s (its senders' bursts come
  // within a second; only a sender's own ops beyond its byte budget trickle, and those are duplicates).
  let ops = -1
  for (let still = 0; still < 3; ) {
    await sleep(1000)
    const now = await n.page.evaluate(
      () => /** @type {number} */ (/** @type {any} */ (window).__xrConsultCall.debugView().ops),
    )
    still = now === ops ? still + 1 : 0
    ops = now
  }
  const { renderedAt, inCallAt, chatChangedAt } = await n.page.evaluate(() => {
    const w = /** @type {any} */ (window)
    return {
      renderedAt: /** @type {number} */ (w.__renderedAt),
      inCallAt: /** @type {number} */ (w.__inCallAt),
      chatChangedAt: /** @type {number} */ (w.__chatChangedAt),
    }
  })
  const held = await n.page.evaluate(() => {
    const w = /** @type {any} */ (window)
    return {
      ops: /** @type {number} */ (w.__xrConsultCall.debugView().ops),
      chat: /** @type {number} */ (w.__xrConsultGuidance.consultStore.getState().chat.length),
      rows: document.querySelectorAll('[data-testid="chat-message"]').length,
      earlier: document.querySelector('[data-testid="chat-earlier"]')?.textContent ?? '',
    }
  })
  const errors = [...n.errors]
  await leaveAndClose(n)
  return {
    clickToRenderedMs: renderedAt - clickedAt,
    inCallToRenderedMs: renderedAt - inCallAt,
    /** Call screen → the chat's last change (the whole snapshot verified, drawn and counted). */
    inCallToSettledMs: chatChangedAt - inCallAt,
    held,
    errors,
  }
}

/** @param {Deps} deps */
async function measureOpLog(deps) {
  const host = await participant(deps, { width: 640, height: 360 })
  const invites = await startConsultation(host.page, withQuery(deps.app.url, '?debug'), 'clinician')
  await joinCall(host.page, 'Host clinician')
  const patient = await participant(deps, { width: 640, height: 360 })
  await openInvite(patient.page, invites.patient ?? '', 'Chatty patient', '?debug')
  await waitForPanels(host.page, 1, 60_000)
  await waitForPanels(patient.page, 1, 60_000)

  // The newcomer with (almost) no history: one message, the baseline of the same path.
  await sendHistory(patient.page, host.page, 1, 'warm-up')
  const baselineNewcomer = await newcomer(deps, invites.specialist ?? '', 'warm-up 0')
  log(`newcomer with 1 message: ${ms(baselineNewcomer.clickToRenderedMs)} from the Join click`)
  /** @type {{ history: number, runs: { relinkMs: number, resyncMs: number }[] }[]} */
  const reconnects = []
  let sent = 1
  /** @type {{ seconds: number, messages: number }[]} */
  const sending = []
  for (const step of HISTORY_STEPS) {
    const more = Math.max(0, step - sent)
    const started = Date.now()
    await sendHistory(patient.page, host.page, more, `history-${step}`)
    if (more > 0) sending.push({ seconds: (Date.now() - started) / 1000, messages: more })
    sent += more
    await sleep(2000)
    const runs = []
    for (let run = 0; run < RECONNECT_RUNS; run++) {
      runs.push(await cutAndResync(patient.page, host.page, `cut ${step} ${run}`))
      sent++
      await sleep(3000)
    }
    reconnects.push({ history: step, runs })
    log(
      `reconnect with ${step} messages: ${runs.map((r) => `relink ${ms(r.relinkMs)}, resync ${ms(r.resyncMs)}`).join('; ')}`,
    )
  }
  // The newest message at this point is the last cut marker; the newcomer waits for the list to end with it.
  const lastMarker = `cut ${HISTORY_STEPS.at(-1)} ${RECONNECT_RUNS - 1}`
  const bigNewcomer = await newcomer(deps, invites.specialist ?? '', lastMarker)
  const sentBeforeBig = sent
  log(`newcomer with ${sent} messages: ${ms(bigNewcomer.clickToRenderedMs)} from the Join click`)
  // Past the op log's bound: the host keeps at most MAX_CHAT_OPS_KEPT chat ops and CHAT_KEPT messages.
  await sendHistory(patient.page, host.page, BEYOND_BOUND, 'beyond')
  sent += BEYOND_BOUND
  const bounded = await host.page.evaluate(() => {
    const w = /** @type {any} */ (window)
    return {
      ops: /** @type {number} */ (w.__xrConsultCall.debugView().ops),
      chat: /** @type {number} */ (w.__xrConsultGuidance.consultStore.getState().chat.length),
      rows: document.querySelectorAll('[data-testid="chat-message"]').length,
      earlier: document.querySelector('[data-testid="chat-earlier"]')?.textContent ?? '',
    }
  })
  const beyondNewcomer = await newcomer(deps, invites.specialist ?? '', `beyond ${BEYOND_BOUND - 1}`)
  const hostMemory = await memory(host.page)
  const errors = [...host.errors, ...patient.errors]
  await leaveAndClose(patient)
  await leaveAndClose(host)
  return {
    baselineNewcomer,
    bigNewcomer,
    sentBeforeBig,
    beyondNewcomer,
    reconnects,
    sending,
    sent,
    bounded,
    hostHeapBytes: hostMemory.heapBytes,
    errors,
  }
}

/** @param {Awaited<ReturnType<typeof measureOpLog>>} o */
function renderOpLog(o) {
  const median = (/** @type {number[]} */ v) => spread(v).median
  const base = o.reconnects[0]
  const baseResync = base ? median(base.runs.map((r) => r.resyncMs)) : NaN
  const rows = o.reconnects.map((r) => {
    const resync = median(r.runs.map((x) => x.resyncMs))
    return `| ${r.history.toLocaleString('en')} | ${ms(median(r.runs.map((x) => x.relinkMs)))} | ${ms(resync)} (${r.runs.map((x) => Math.round(x.resyncMs)).join(', ')}) | ${(resync / baseResync).toFixed(2)}× |`
  })
  const n = o.bigNewcomer
  const rate = o.sending.map((s) => `${Math.round(s.messages / s.seconds)}/s`).join(', ')
  return `### 2. Op log growth: ${HISTORY_STEPS.at(-1)?.toLocaleString('en')} chat messages

A clinician (the host) and a patient (both 640×360, \`?debug\`); the patient sends short chat messages through
the app (\`sendChat\`, paced by its own outbox: ${rate}) until the host holds the history. At each history size the
patient cuts all its data connections (\`debugDropDataConnections\`) and sends one message in the same task:
relink = until every link of the patient's is ready again; resync = until the host's store holds that message
(${RECONNECT_RUNS} runs each, median; runs in brackets).

| history (messages) | relink | resync after the cut | vs. no history |
|---|---|---|---|
${rows.join('\n')}

A newcomer (specialist, a fresh page) joins; time from its Join click, and from its call screen showing, until its
chat list's last row is the newest message, and until the chat last changed (its rows or its "earlier messages"
line: the whole snapshot verified and counted), all read by a MutationObserver in the page:

| history | Join click → last message drawn | call screen → last message drawn | call screen → whole snapshot in | it holds (ops / messages / rows) |
|---|---|---|---|---|
| 1 message (baseline) | ${ms(o.baselineNewcomer.clickToRenderedMs)} | ${ms(o.baselineNewcomer.inCallToRenderedMs)} | ${ms(o.baselineNewcomer.inCallToSettledMs)} | ${o.baselineNewcomer.held.ops} / ${o.baselineNewcomer.held.chat} / ${o.baselineNewcomer.held.rows} |
| ${o.sentBeforeBig.toLocaleString('en')} messages | ${ms(n.clickToRenderedMs)} | ${ms(n.inCallToRenderedMs)} | ${ms(n.inCallToSettledMs)} | ${n.held.ops} / ${n.held.chat} / ${n.held.rows}; "${n.held.earlier}" |
| ${o.sent} messages (past the bound) | ${ms(o.beyondNewcomer.clickToRenderedMs)} | ${ms(o.beyondNewcomer.inCallToRenderedMs)} | ${ms(o.beyondNewcomer.inCallToSettledMs)} | ${o.beyondNewcomer.held.ops} / ${o.beyondNewcomer.held.chat} / ${o.beyondNewcomer.held.rows}; "${o.beyondNewcomer.held.earlier}" |

Target: the snapshot arrives and renders in ≤ ${SNAPSHOT_TARGET_MS / 1000} s (from the call screen, i.e. after the
join itself): ${n.inCallToRenderedMs <= SNAPSHOT_TARGET_MS ? 'meets it' : '**MISSES it**'} at ${HISTORY_STEPS.at(-1)?.toLocaleString('en')} messages. Bounds after ${o.sent.toLocaleString('en')} messages:
the host holds ${o.bounded.ops.toLocaleString('en')} ops (chat ops kept: at most 5,000), ${o.bounded.chat} messages in its store and
${o.bounded.rows} rows (at most 1,000), "${o.bounded.earlier}"; host heap after GC ${mb(o.hostHeapBytes)}.
Page errors: ${someErrors([...o.errors, ...o.baselineNewcomer.errors, ...n.errors, ...o.beyondNewcomer.errors]) || 'none'}.
`
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Flood responsiveness

/** @param {Page} page */
const takeLags = (page) =>
  page.evaluate(() => /** @type {number[]} */ (/** @type {any} */ (window).__longCall.takeLags()))

/**
 * Waits until the victim's video layout shows `count` remote videos with pictures (the scene probe that
 * waitForPanels reads is the 3D view's). @param {Page} page @param {number} count
 */
function waitForRemoteVideos(page, count) {
  return page.waitForFunction(
    (n) =>
      [...document.querySelectorAll('[data-testid="remote-video"]')].filter(
        (v) => v instanceof HTMLVideoElement && v.videoWidth > 0,
      ).length === n,
    count,
    { timeout: 60_000, polling: 250 },
  )
}

/**
 * Sam's page puts the signed batches on the victim's link at FLOOD_MESSAGES_PER_S until `count` are sent.
 * @param {Page} page @param {number} seat @param {number} count
 */
function sendBatches(page, seat, count) {
  return page.evaluate(
    ([s, perSecond, n]) =>
      new Promise((resolve) => {
        const w = /** @type {any} */ (window)
        let sent = 0
        const timer = setInterval(() => {
          const next = w.__batches.shift()
          if (next === undefined || sent >= Number(n)) {
            clearInterval(timer)
            resolve(undefined)
          } else {
            w.__xrConsultCall.debugSendRaw(s, next)
            sent += 1
          }
        }, 1000 / Number(perSecond))
      }),
    [seat, FLOOD_MESSAGES_PER_S, count],
  )
}

/**
 * With LONG_CALL_PROFILE=<file>: the victim's CPU profile during the video-layout flood (DevTools Profiler),
 * written as a .cpuprofile, and its top functions by self time on the console. For finding what the flood
 * costs; the lag of a profiled run is not the benchmark's number (sampling has its own cost).
 * @param {Page} page
 */
async function startProfile(page) {
  const file = process.env.LONG_CALL_PROFILE
  if (!file) return async () => undefined
  const stop = await startCpuProfile(page, 500)
  return async () => {
    const profile = await stop(file)
    log(`victim profile written to ${file}`)
    for (const line of topSelfTime(profile, 'victim', 30)) log(line)
  }
}

/** @param {Deps} deps */
async function measureFlood(deps) {
  // Every page in the video layout, the view a call opens in (issue 11): the victim as a clinician meets the
  // call. The 3D view is measured after, on the victim only, in a shorter window.
  const asMet = { ...AS_A_PERSON, view: /** @type {const} */ ('video') }
  const victim = await participant(deps, { width: 640, height: 360 })
  const invites = await startConsultation(victim.page, withQuery(deps.app.url, '?debug'), 'clinician')
  await joinCall(victim.page, 'Victim clinician', asMet)
  const patient = await participant(deps, { width: 640, height: 360 })
  await openInvite(patient.page, invites.patient ?? '', 'Pat Patient', '?debug', asMet)
  const sam = await participant(deps, { width: 640, height: 360 })
  await openInvite(sam.page, invites.specialist ?? '', 'Sam Specialist', '?debug', asMet)
  await waitForRemoteVideos(victim.page, 2)
  const victimSeat = await victim.page.evaluate(
    () => /** @type {any} */ (window).__xrConsultCall.debugView().seat,
  )
  await sam.page.waitForFunction(
    (s) =>
      /** @type {any} */ (window).__xrConsultCall
        .debugView()
        .links.some((/** @type {{ seat: number, ready: boolean }} */ l) => l.seat === s && l.ready),
    victimSeat,
    { timeout: 60_000 },
  )
  // Signed before any window: signing keeps Sam's page busy, which is not the victim's cost.
  const videoBatches = FLOOD_S * FLOOD_MESSAGES_PER_S
  const threeDBatches = FLOOD_3D_S * FLOOD_MESSAGES_PER_S
  await signChatFlood(sam.page, videoBatches + threeDBatches, { name: 'Sam Specialist', role: 'specialist' })
  await sleep(3000)
  await victim.page.evaluate(() => /** @type {any} */ (window).__longCall.startLag())
  await sleep(QUIET_WINDOW_MS)
  const quietBefore = await takeLags(victim.page)
  const foreignFlood = watchForeignCpu()
  const stopProfile = await startProfile(victim.page)
  await sendBatches(sam.page, victimSeat, videoBatches)
  const duringFlood = await takeLags(victim.page)
  const floodForeign = foreignFlood()
  await stopProfile()
  await sleep(QUIET_WINDOW_MS)
  const quietAfter = await takeLags(victim.page)
  const chatAfterFlood = await victim.page.evaluate(() => ({
    rows: document.querySelectorAll('[data-testid="chat-message"]').length,
    earlier: document.querySelector('[data-testid="chat-earlier"]')?.textContent ?? '',
  }))
  // The victim in the 3D view (the others stay in the video layout): a quiet window, then the same flood.
  await openThreeDView(victim.page)
  // The scene loaded and drawing both panels' video, then a moment for its first frames' compiling to pass.
  await waitForPanels(victim.page, 2, 60_000)
  await sleep(3000)
  await takeLags(victim.page)
  await sleep(QUIET_WINDOW_3D_MS)
  const quiet3d = await takeLags(victim.page)
  const foreign3d = watchForeignCpu()
  await sendBatches(sam.page, victimSeat, threeDBatches)
  const flood3d = await takeLags(victim.page)
  const flood3dForeign = foreign3d()
  await victim.page.getByTestId('view-3d').click()
  await victim.page.locator('[data-testid="call"][data-view="video"]').waitFor()
  await sleep(QUIET_WINDOW_3D_MS)
  await takeLags(victim.page)
  // Garbage (not JSON, unknown types) and oversize messages, all in one go: the victim drops and bans Sam at the
  // 50th ignored message; what it costs the victim until then, and after.
  const foreignGarbage = watchForeignCpu()
  const garbageSent = await sam.page.evaluate(
    ([s, garbage, oversize, chars]) => {
      const call = /** @type {any} */ (window).__xrConsultCall
      const big = JSON.stringify({ type: 'chat', text: 'y'.repeat(Number(chars)) })
      let sent = 0
      for (let i = 0; i < Number(garbage); i++) {
        if (
          call.debugSendRaw(s, i % 2 ? `not a message ${i}` : JSON.stringify({ type: `nonsense-${i}`, n: i }))
        )
          sent += 1
        if (i % 10 === 0 && i / 10 < Number(oversize) && call.debugSendRaw(s, big)) sent += 1
      }
      return sent
    },
    [victimSeat, GARBAGE_MESSAGES, OVERSIZE_MESSAGES, OVERSIZE_CHARS],
  )
  await sleep(GARBAGE_WINDOW_MS)
  const duringGarbage = await takeLags(victim.page)
  const garbageForeign = foreignGarbage()
  const samConnected = await victim.page
    .locator('[data-testid="participant"][data-status="connected"] .name')
    .allInnerTexts()
  const samListed = await victim.page.locator('[data-testid="participant"] .name').allInnerTexts()
  // The patient is still heard.
  const sentAt = Date.now()
  await patient.page.getByTestId('chat-input').fill('After the flood')
  await patient.page.getByTestId('chat-send').click()
  await victim.page.waitForFunction(
    () => document.querySelector('[data-testid="chat-list"]')?.textContent?.includes('After the flood'),
    undefined,
    { timeout: 30_000 },
  )
  const patientHeardMs = Date.now() - sentAt
  await victim.page.evaluate(() => /** @type {any} */ (window).__longCall.stopLag())
  const errors = [...victim.errors]
  for (const p of [sam, patient, victim]) await leaveAndClose(p)
  return {
    quietBefore: spread(quietBefore),
    duringFlood: spread(duringFlood),
    quietAfter: spread(quietAfter),
    quiet3d: spread(quiet3d),
    flood3d: spread(flood3d),
    duringGarbage: spread(duringGarbage),
    floodForeign,
    flood3dForeign,
    garbageForeign,
    garbageSent,
    chatAfterFlood,
    samConnected: samConnected.includes('Sam Specialist'),
    samListed: samListed.includes('Sam Specialist'),
    patientHeardMs,
    errors,
  }
}

/** @param {Awaited<ReturnType<typeof measureFlood>>} f */
function renderFlood(f) {
  const row = (
    /** @type {string} */ view,
    /** @type {string} */ label,
    /** @type {ReturnType<typeof spread>} */ s,
    /** @type {string} */ ratio,
  ) =>
    `| ${view} | ${label} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.max)} | ${s.samples.length} | ${ratio} |`
  const vs = (/** @type {ReturnType<typeof spread>} */ s) => `${(s.p95 / f.quietBefore.p95).toFixed(2)}×`
  const vs3d = (/** @type {ReturnType<typeof spread>} */ s) => `${(s.p95 / f.quiet3d.p95).toFixed(2)}×`
  return `### 3. Flood responsiveness

Three pages (640×360), each in the video layout a call opens in (issue 11: DOM \`<video>\` tiles, no 3D scene):
the victim (clinician), a patient, and Sam, a specialist with a real invite whose page sends as a modified client
would (\`debugSendRaw\`). The victim's main thread is probed by a 50 ms timer that notes how late it runs (lag,
ms). First a quiet window of ${QUIET_WINDOW_MS / 1000} s (the baseline, same pages, same run); then issue 17's flood: ${FLOOD_MESSAGES_PER_S} ops messages a
second, each of 50 chats of 1.9 KB signed with Sam's own key and within every limit (about 1.4 MB/s) for ${FLOOD_S} s; a
quiet window again. Then the victim alone switches to the 3D view (software GL on the shared 2 cores; the other two
pages stay in the video layout): a quiet window of ${QUIET_WINDOW_3D_MS / 1000} s and the same flood for ${FLOOD_3D_S} s. Back in the video layout,
${GARBAGE_MESSAGES} garbage messages (not JSON, unknown types) with ${OVERSIZE_MESSAGES} oversize ones (${OVERSIZE_CHARS / 1024} KiB: above every message's
limit, below the data channel's own) among them, all at once, and a ${GARBAGE_WINDOW_MS / 1000} s window.

| victim's view | window | lag median | lag p95 | lag max | ticks | p95 vs. quiet in that view |
|---|---|---|---|---|---|---|
${row('video layout', 'quiet, before', f.quietBefore, '1.00×')}
${row('video layout', `valid flood, ${FLOOD_S} s`, f.duringFlood, vs(f.duringFlood))}
${row('video layout', 'quiet, after', f.quietAfter, vs(f.quietAfter))}
${row('3D view', 'quiet', f.quiet3d, '1.00×')}
${row('3D view', `valid flood, ${FLOOD_3D_S} s`, f.flood3d, vs3d(f.flood3d))}
${row('video layout', 'garbage and oversize', f.duringGarbage, vs(f.duringGarbage))}

Target (issue 17): p95 ≤ 100 ms during the flood, in the video layout:
${f.duringFlood.p95 <= 100 ? 'meets it' : '**MISSES it**'} (${ms(f.duringFlood.p95)}). Other processes used ${percent(f.floodForeign)} of the machine during the
video-layout flood, ${percent(f.flood3dForeign)} during the 3D one and ${percent(f.garbageForeign)} during the garbage. After the valid flood the victim
shows ${f.chatAfterFlood.rows} chat rows ("${f.chatAfterFlood.earlier}"). Sam's page put ${f.garbageSent} of the ${GARBAGE_MESSAGES + OVERSIZE_MESSAGES} garbage and oversize messages on the
wire; ${GARBAGE_WINDOW_MS / 1000} s later Sam is ${f.samConnected ? 'still listed as connected (**not banned**)' : f.samListed ? 'listed but not connected (dropped and refused)' : 'no longer listed (dropped and refused)'}; the patient's next message reached the
victim's chat in ${ms(f.patientHeardMs)}. Victim page errors: ${someErrors(f.errors) || 'none'}.
`
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Soak

/** @param {Deps} deps */
async function measureSoak(deps) {
  const { clinician, patient, worker } = await openSoakCall(
    (viewport) => participant(deps, viewport),
    deps.app.url,
  )
  log(`soak: all three in the call; ${SOAK_MINUTES} minutes`)

  const pages = /** @type {const} */ ([
    ['clinician', clinician],
    ['patient', patient],
    ['worker', worker],
  ])
  /**
   * @type {{ minute: number, foreign: number, pages: Record<string, { heapBytes: number, nodes: number,
   *   jsEventListeners: number, fps: number, listeners: number, intervals: number, textures: number,
   *   geometries: number }> }[]}
   */
  const minutes = []
  let last = await Promise.all(pages.map(([, p]) => frames(p.page)))
  let chats = 0
  let marks = 0
  const startedAt = Date.now()
  for (let minute = 1; minute <= SOAK_MINUTES; minute++) {
    const foreign = watchForeignCpu()
    const minuteEnds = startedAt + minute * 60_000
    while (Date.now() < minuteEnds - 2000) {
      const who = chats % 2 ? patient : clinician
      // Through the call's own send (what the chat box calls): under software GL on a busy machine a page may
      // draw under one frame a second, and a synthetic click waits for frames, not for the app.
      await who.page
        .evaluate(
          (text) => /** @type {any} */ (window).__xrConsultCall.sendChat(text),
          `Soak message ${chats} at minute ${minute}`,
        )
        .then(() => chats++)
        .catch((/** @type {Error} */ error) => log(`chat failed: ${error.message}`))
      await sleep(Math.max(0, Math.min(SOAK_CHAT_EVERY_MS, minuteEnds - 2000 - Date.now())))
    }
    // Frame rates over this minute, then the heap (its GC pause is outside the next minute's frame count).
    const now = await Promise.all(pages.map(([, p]) => frames(p.page)))
    /** @type {Record<string, any>} */
    const perPage = {}
    for (const [i, [name, p]] of pages.entries()) {
      const a = last[i]
      const b = now[i]
      const key = name === 'worker' ? 'xr' : 'frames'
      const fps = a && b ? ((b[key] - a[key]) * 1000) / (b.at - a.at) : NaN
      const r = await reading(p.page)
      perPage[name] = {
        heapBytes: r.heapBytes,
        nodes: r.nodes,
        jsEventListeners: r.jsEventListeners,
        fps,
        listeners: r.holdings.listeners.total,
        intervals: r.holdings.intervals.count,
        textures: r.renderer?.textures ?? NaN,
        geometries: r.renderer?.geometries ?? NaN,
      }
    }
    if (await makeMark(clinician.page, minute).catch(() => false)) marks++
    last = await Promise.all(pages.map(([, p]) => frames(p.page)))
    minutes.push({ minute, foreign: foreign(), pages: perPage })
    log(
      `minute ${minute}: ${pages.map(([name]) => `${name} ${mb(perPage[name].heapBytes)} ${fixed1(perPage[name].fps)} fps`).join(', ')}; chats ${chats}, marks ${marks}; others ${percent(minutes.at(-1)?.foreign ?? NaN)}`,
    )
    // Wait for the minute's end (the reading above may leave a little of it).
    await sleep(Math.max(0, minuteEnds - Date.now()))
  }
  const errors = Object.fromEntries(pages.map(([name, p]) => [name, [...p.errors]]))
  const held = await clinician.page.evaluate(() => {
    const g = /** @type {any} */ (window).__xrConsultGuidance
    return {
      chat: /** @type {number} */ (g.consultStore.getState().chat.length),
      marks: [...g.consultStore.getState().annotations.records.values()].filter(
        (/** @type {any} */ r) => r.add && !r.deleted,
      ).length,
    }
  })
  for (const [, p] of pages) await leaveAndClose(p)
  return { minutes, chats, marks, held, errors }
}

/** @param {Awaited<ReturnType<typeof measureSoak>>} s */
function renderSoak(s) {
  const names = ['clinician', 'patient', 'worker']
  const n = s.minutes.length
  // With a short run (SOAK_MINUTES < 7) the heap is compared from the middle on instead of from minute 5.
  const from = Math.min(SOAK_HEAP_FROM_MINUTE, Math.max(1, n - 2))
  const at = (/** @type {number} */ minute) => s.minutes[minute - 1]
  const verdicts = names.map((name) => {
    const heapFrom = at(from)?.pages[name]?.heapBytes ?? NaN
    const heapEnd = at(n)?.pages[name]?.heapBytes ?? NaN
    const growth = heapEnd - heapFrom
    const fps2 = at(Math.min(2, n))?.pages[name]?.fps ?? NaN
    const fpsLast = at(n)?.pages[name]?.fps ?? NaN
    const ratio = fpsLast / fps2
    return `| ${name} | ${mb(heapFrom)} → ${mb(heapEnd)}: ${growth >= 0 ? '+' : ''}${mb(growth)} | ${growth <= SOAK_HEAP_GROWTH_BOUND ? 'meets' : '**MISSES**'} | ${fixed1(fps2)} → ${fixed1(fpsLast)} (${ratio.toFixed(2)}×) | ${ratio >= SOAK_FPS_BOUND ? 'meets' : '**MISSES**'} |`
  })
  const perMinute = s.minutes.map(
    (m) =>
      `| ${m.minute} | ${names.map((name) => `${mb(m.pages[name]?.heapBytes ?? NaN)}, ${fixed1(m.pages[name]?.fps ?? NaN)} fps, ${m.pages[name]?.nodes} nodes, ${m.pages[name]?.listeners} listeners`).join(' | ')} | ${percent(m.foreign)} |`,
  )
  return `### 4. Soak: ${n} minute${n === 1 ? '' : 's'}${n < 30 ? ` (SOAK_MINUTES=${n}; the issue's soak is 30)` : ''}

A clinician (800×450), a patient (640×360) sharing the simulator's vitals and ECG (\`sim:normal\`: numerics at 1 Hz,
the ECG in 400 ms frames) and an on-site worker (800×450) in an emulated immersive-ar session (IWER Quest 3, the
synthetic \`office_small\` room) sharing its surfaces and head pose, in one call. A chat message every
${SOAK_CHAT_EVERY_MS / 1000} s (clinician and patient in turn, through the call's \`sendChat\`, what the chat box calls), a pin on the worker's floor every minute (the
clinician's guidance actions). At the end of every minute, on every page: the JS heap after two full GCs
(DevTools), DOM counters, the frames drawn in that minute (XR frames for the worker), listeners and renderer
counts. The last column is other processes' share of the CPU in each minute (on a shared machine, frame rates
move with it). The scene draws on demand (a new video frame, a vitals update, a pose), so its frame rate is how
many of those a page keeps up with. ${s.chats} chat messages and ${s.marks} marks were made; the clinician
holds ${s.held.chat} messages and ${s.held.marks} marks at the end.

| page | heap after GC, minute ${from} → ${n} (bound: +${mb(SOAK_HEAP_GROWTH_BOUND)}) | | fps, minute 2 → minute ${n} (bound ≥ ${SOAK_FPS_BOUND}×) | |
|---|---|---|---|---|
${verdicts.join('\n')}

| minute | clinician | patient | worker | other processes |
|---|---|---|---|---|
${perMinute.join('\n')}

Page errors: ${
    Object.entries(s.errors)
      .filter(([, e]) => e.length)
      .map(([name, e]) => `${name}: ${someErrors(e)}`)
      .join('. ') || 'none'
  }.
`
}

// ---------------------------------------------------------------------------------------------------------------
// Results: one section per part in bench/long-call-results.md, and the whole file at the end of BENCHMARKS.md

/** @param {string} part @param {string} markdown */
function writeSection(part, markdown) {
  writeResultsPart({
    file: RESULTS,
    header: `# A steady long call (issue 10)

Written by \`node bench/long-call.mjs\` (the last step of \`npm run bench\`). Each part replaces only its own
section, so the parts may come from different runs: each says when and where it ran.
`,
    parts: PARTS,
    part,
    markdown,
    benchmarks: { start: SECTION_START, end: SECTION_END },
  })
}

/** The run's circumstances, under each part's heading. @param {ReturnType<typeof machine>} info */
function circumstances(info) {
  return `_Run: ${info.date}; ${info.cpu}, ${info.cores} cores, ${info.memory}; Node ${info.node}; ${commandOutput(CHROMIUM, ['--version'])}, headless, SwiftShader; commit ${info.commit}${info.dirty ? ' with uncommitted changes' : ''}; load average ${fixed1(info.loadBefore)} at the start, ${fixed1(os.loadavg()[0] ?? NaN)} at the end._`
}

async function main() {
  const wanted = (process.env.LONG_CALL_PARTS ?? PARTS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  for (const p of wanted)
    if (!(/** @type {readonly string[]} */ (PARTS).includes(p))) throw new Error(`unknown part ${p}`)
  const snapshot = await snapshotApp()
  /** @type {Awaited<ReturnType<typeof startAppServer>> | undefined} */
  let app
  /** @type {Browser | undefined} */
  let browser
  let failed = false
  try {
    app = await startAppServer({ appDir: snapshot.dir })
    browser = await launchChromium()
    const deps = { browser, app }
    /** @type {Record<string, [(d: Deps) => Promise<any>, (r: any) => string]>} */
    const parts = {
      cycles: [measureCycles, renderCycles],
      oplog: [measureOpLog, renderOpLog],
      flood: [measureFlood, renderFlood],
      soak: [measureSoak, renderSoak],
    }
    for (const part of PARTS) {
      if (!wanted.includes(part)) continue
      const [measure, render] = /** @type {[(d: Deps) => Promise<any>, (r: any) => string]} */ (parts[part])
      const info = machine()
      log(`${part}: starting`)
      try {
        const markdown = render(await measure(deps))
        writeSection(part, `${markdown.trimEnd()}\n\n${circumstances(info)}\n`)
        console.log(markdown)
      } catch (error) {
        failed = true
        console.error(`[long-call] ${part} failed:`, error)
      }
    }
  } finally {
    await browser?.close()
    await app?.stop()
    removeSnapshot(snapshot.dir)
  }
  if (failed) throw new Error('a part of the long-call benchmark failed (see above)')
}

runIfMain(import.meta.url, main)
