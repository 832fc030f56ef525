// @ts-check
// The 30-minute soak's history in a few minutes (issue 10): the soak's three pages (bench/long-call.mjs part 4: a
// clinician, a patient sharing the simulator's vitals and ECG, a worker in emulated AR), measured fresh, then
// after the history a 30-minute soak builds up (150 chat messages, 30 pins on the worker's floor) is injected
// quickly through the same calls the soak makes, then measured again. For each page and window: frames drawn per
// second (XR frames for the worker) and the page's own main-thread time per second (DevTools Performance metrics:
// script, layout, style), plus the whole Chromium GPU process's CPU (all pages draw through it, in software GL).
// With SOAK_PROFILE=<dir>, each page's CPU profile (DevTools Profiler) is taken in each window and its top self time
// printed: which page's cost grows, and in what.
//
//   node bench/soak-accelerated.mjs                 # the build in dist/
//   SOAK_APP_DIRS=/tmp/before,/tmp/after node ...   # several builds (each dir holds server/ and dist/), one run
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  fixed1,
  launchChromium,
  newParticipant,
  percent,
  removeSnapshot,
  runIfMain,
  snapshotApp,
  startAppServer,
  topSelfTime,
  watchForeignCpu,
} from './common.mjs'
import { frames, makeMark, openSoakCall } from './soak-pages.mjs'

/** @typedef {import('playwright-core').Page} Page */

/** The soak's history after 30 minutes: a chat message every 10 s, a pin every minute. */
const CHATS = Number(process.env.SOAK_CHATS ?? 150)
const MARKS = Number(process.env.SOAK_MARKS ?? 30)
/** Each measuring window, ms: long enough for a page drawing ~1 frame a second to give a stable rate. */
const WINDOW_MS = Number(process.env.SOAK_WINDOW_MS ?? 20_000)
/** After joining, and after injecting, before measuring: the pages settle (textures, layout), ms. */
const SETTLE_MS = 10_000
/** The control: how long to wait, adding nothing, before the marks (SOAK_CONTROL_MS; 0 skips it), ms. */
const CONTROL_MS = Number(process.env.SOAK_CONTROL_MS ?? 90_000)

const log = (/** @type {string} */ line) => console.log(`[soak-fast] ${line}`)

/** CPU ticks (1/100 s) of every Chromium GPU process so far. */
function gpuTicks() {
  let ticks = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (!cmd.includes('chromium') || !cmd.includes('--type=gpu-process')) continue
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone while we looked
    }
  }
  return ticks
}

/** CPU ticks so far of every Chromium process, by pid, with its type (renderer, gpu-process, …). */
function chromiumTicks() {
  /** @type {Map<number, { type: string, ticks: number }>} */
  const all = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (!cmd.includes('chromium')) continue
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      all.set(Number(entry), { type, ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {
      // gone while we looked
    }
  }
  return all
}

/** Each busy Chromium process's share of a core since `before`. @param {ReturnType<typeof chromiumTicks>} before @param {number} seconds */
function chromiumShares(before, seconds) {
  const lines = []
  for (const [pid, now] of chromiumTicks()) {
    const share = (now.ticks - (before.get(pid)?.ticks ?? now.ticks)) / 100 / seconds
    if (share >= 0.02) lines.push(`${now.type} ${pid} ${percent(share)}`)
  }
  return lines.join(', ')
}

/** @param {Page} page */
async function devtools(page) {
  const session = await page.context().newCDPSession(page)
  await session.send('Performance.enable')
  return session
}

/** @param {import('playwright-core').CDPSession} session */
async function metrics(session) {
  const { metrics: list } = await session.send('Performance.getMetrics')
  return Object.fromEntries(list.map((m) => [m.name, m.value]))
}

/**
 * One window on every page at once: fps, main-thread time per second by kind, the GPU process's CPU.
 * @param {[string, { page: Page, session: import('playwright-core').CDPSession }][]} pages @param {string} label
 */
async function measureWindow(pages, label) {
  const foreign = watchForeignCpu()
  const gpuBefore = gpuTicks()
  const processesBefore = chromiumTicks()
  const before = await Promise.all(pages.map(([, p]) => Promise.all([frames(p.page), metrics(p.session)])))
  const started = performance.now()
  await sleep(WINDOW_MS)
  const after = await Promise.all(pages.map(([, p]) => Promise.all([frames(p.page), metrics(p.session)])))
  const seconds = (performance.now() - started) / 1000
  const gpu = (gpuTicks() - gpuBefore) / 100 / seconds
  /** @type {Record<string, any>} */
  const result = { label, gpu, foreign: foreign(), processes: chromiumShares(processesBefore, seconds) }
  log(`${label}: Chromium processes: ${result.processes}`)
  for (const [i, [name]] of pages.entries()) {
    const [fa, ma] = /** @type {any} */ (before[i])
    const [fb, mb] = /** @type {any} */ (after[i])
    const key = name === 'worker' ? 'xr' : 'frames'
    const per = (/** @type {string} */ m) => (mb[m] - ma[m]) / seconds
    result[name] = {
      fps: ((fb[key] - fa[key]) * 1000) / (fb.at - fa.at),
      task: per('TaskDuration'),
      script: per('ScriptDuration'),
      layout: per('LayoutDuration'),
      style: per('RecalcStyleDuration'),
      nodes: mb.Nodes,
    }
  }
  return result
}

/** Freezing a page this long stops its drawing without its links taking it for gone (15 s of silence), ms. */
const FROZEN_MS = 8000

/**
 * Which page's drawing costs the shared GPU process what: each page frozen in turn (DevTools lifecycle state,
 * as a background tab is), the GPU process's CPU and the other pages' frame rates meanwhile.
 * @param {[string, { page: Page, session: import('playwright-core').CDPSession }][]} pages @param {string} label
 */
async function isolate(pages, label) {
  const lines = []
  for (const [frozenName, frozen] of [['none', null], ...pages]) {
    if (frozen)
      await /** @type {any} */ (frozen).session.send('Page.setWebLifecycleState', { state: 'frozen' })
    const gpuBefore = gpuTicks()
    const before = await Promise.all(pages.map(([_n, p]) => (p === frozen ? null : frames(p.page))))
    const started = performance.now()
    await sleep(FROZEN_MS)
    const after = await Promise.all(pages.map(([_n, p]) => (p === frozen ? null : frames(p.page))))
    const gpu = (gpuTicks() - gpuBefore) / 100 / ((performance.now() - started) / 1000)
    if (frozen)
      await /** @type {any} */ (frozen).session.send('Page.setWebLifecycleState', { state: 'active' })
    const rates = pages
      .map(([name], i) => {
        const a = before[i]
        const b = after[i]
        if (!a || !b) return `${name} frozen`
        const key = name === 'worker' ? 'xr' : 'frames'
        return `${name} ${fixed1(((b[key] - a[key]) * 1000) / (b.at - a.at))} fps`
      })
      .join(', ')
    lines.push(`${label}, ${frozenName} frozen: GPU process ${percent(gpu)}; ${rates}`)
    log(lines.at(-1) ?? '')
    await sleep(3000)
  }
  return lines
}

/** Trace categories: the main threads' tasks and what Blink, the compositor, WebGL and the GPU process do in them. */
const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink',
  'cc',
  'gpu',
  'viz',
  'v8',
].join(',')

/**
 * A few seconds of a whole-browser trace: for each renderer's main thread (by the page it shows) and the GPU
 * process's, busy time by top-level event name: where the time goes outside JavaScript ("(program)" in a profile).
 * @param {import('playwright-core').Browser} browser @param {Page} page @param {string} label
 */
async function traceSummary(browser, page, label, ms = 6000) {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES.split(',') })
  await sleep(ms)
  const buffer = await browser.stopTracing()
  const { traceEvents } = JSON.parse(buffer.toString())
  /** @type {Map<string, string>} pid:tid → thread name */
  const threads = new Map()
  /** @type {Map<number, string>} pid → what it shows */
  const shows = new Map()
  for (const e of traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name)
    if (e.ph === 'M' && e.name === 'process_name' && e.args.name !== 'Renderer') shows.set(e.pid, e.args.name)
    for (const f of e.args?.data?.frames ?? []) if (f.processId && f.url) shows.set(f.processId, f.url)
  }
  /** @type {Map<string, Map<string, number>>} thread → name → µs, top-level complete events only */
  const busy = new Map()
  /** @type {Map<string, number>} end of the last top-level event per thread */
  const ends = new Map()
  const sorted = traceEvents
    .filter((/** @type {any} */ e) => e.ph === 'X' && e.dur > 0)
    .sort((/** @type {any} */ a, /** @type {any} */ b) => a.ts - b.ts)
  for (const e of sorted) {
    const key = `${e.pid}:${e.tid}`
    const name = threads.get(key) ?? ''
    if (!/CrRendererMain|CrGpuMain|VizCompositor/.test(name)) continue
    if ((ends.get(key) ?? 0) > e.ts) continue
    ends.set(key, e.ts + e.dur)
    const byName = busy.get(key) ?? new Map()
    busy.set(key, byName)
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur)
  }
  // One level down as well, inside the top-level tasks: what the tasks were.
  /** @type {Map<string, Map<string, number>>} */
  const inner = new Map()
  for (const e of sorted) {
    const key = `${e.pid}:${e.tid}`
    const name = threads.get(key) ?? ''
    if (!/CrRendererMain|CrGpuMain|VizCompositor/.test(name)) continue
    if (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask' || e.name === 'ThreadPool_RunTask')
      continue
    const byName = inner.get(key) ?? new Map()
    inner.set(key, byName)
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur)
  }
  log(
    `${label} trace: processes ${[...shows].map(([pid, what]) => `${pid} ${String(what).slice(0, 80)}`).join('; ')}`,
  )
  for (const [key, byName] of inner) {
    const [pid] = key.split(':')
    const total = [...(busy.get(key)?.values() ?? [])].reduce((a, b) => a + b, 0)
    const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 10)
    log(
      `${label} trace ${threads.get(key)} pid ${pid} (${(shows.get(Number(pid)) ?? '?').slice(0, 90)}): busy ${((total / 1000 / ms) * 100).toFixed(0)} %; ${top.map(([n, us]) => `${n} ${((us / 1000 / ms) * 100).toFixed(1)} %`).join(', ')}`,
    )
  }
}

/** @param {Record<string, any>} w */
function describe(w) {
  const names = ['clinician', 'patient', 'worker']
  return `${w.label}: ${names
    .map((n) => {
      const r = w[n]
      return `${n} ${fixed1(r.fps)} fps, main thread ${percent(r.task)} (script ${percent(r.script)}, layout ${percent(r.layout)}, style ${percent(r.style)}), ${r.nodes} nodes`
    })
    .join('; ')}; GPU process ${percent(w.gpu)} of a core; others ${percent(w.foreign)}`
}

/**
 * Profiles every page for `ms` at once. @param {[string, { page: Page, session: import('playwright-core').CDPSession }][]} pages
 * @param {string} dir @param {string} label
 */
async function profileAll(pages, dir, label, ms = 15_000) {
  for (const [, p] of pages) {
    await p.session.send('Profiler.enable')
    await p.session.send('Profiler.setSamplingInterval', { interval: 1000 })
    await p.session.send('Profiler.start')
  }
  await sleep(ms)
  for (const [name, p] of pages) {
    const { profile } = await p.session.send('Profiler.stop')
    writeFileSync(path.join(dir, `${label}-${name}.cpuprofile`), JSON.stringify(profile))
    for (const line of topSelfTime(profile, `${label} ${name}`, 12)) log(line)
  }
}

/** @param {import('playwright-core').Browser} browser @param {string} appDir */
async function runOne(browser, appDir) {
  const tracing = process.env.SOAK_TRACE === '1'
  const app = await startAppServer({ appDir })
  const deps = { browser, app }
  /** @type {{ context: import('playwright-core').BrowserContext }[]} */
  const opened = []
  try {
    const participant = async (/** @type {{ width: number, height: number }} */ viewport) => {
      const p = await newParticipant(deps.browser, { origin: deps.app.origin, viewport })
      opened.push(p)
      return p
    }
    const { clinician, patient, worker } = await openSoakCall(participant, app.url)
    /** @type {[string, { page: Page, session: import('playwright-core').CDPSession }][]} */
    const pages = []
    for (const [name, p] of /** @type {const} */ ([
      ['clinician', clinician],
      ['patient', patient],
      ['worker', worker],
    ]))
      pages.push([name, { page: p.page, session: await devtools(p.page) }])
    log(`${appDir}: all three in the call`)
    await sleep(SETTLE_MS)
    const fresh = await measureWindow(pages, 'fresh')
    log(describe(fresh))
    const profileDir = process.env.SOAK_PROFILE
    const tag = path.basename(appDir)
    const isolating = process.env.SOAK_ISOLATE === '1'
    /** @type {string[]} */
    const isolation = []
    if (isolating) isolation.push(...(await isolate(pages, 'fresh')))
    if (tracing) await traceSummary(browser, clinician.page, 'fresh')
    if (profileDir) await profileAll(pages, profileDir, `${tag}-fresh`)

    // Time alone first (a control: the vitals trend fills, timers run), then the marks, then the chat: each
    // measured on its own, to see which of them costs what.
    /** @type {Record<string, any> | undefined} */
    let waited
    if (CONTROL_MS > 0) {
      await sleep(CONTROL_MS)
      waited = await measureWindow(pages, `${CONTROL_MS / 1000} s later, nothing added`)
      log(describe(waited))
    }
    for (let minute = 1; minute <= MARKS; minute++) {
      await makeMark(clinician.page, minute)
      await sleep(300)
    }
    await sleep(SETTLE_MS)
    const marked = await measureWindow(pages, `after ${MARKS} marks`)
    log(describe(marked))
    if (isolating) isolation.push(...(await isolate(pages, 'marks')))
    if (tracing) await traceSummary(browser, clinician.page, 'marks')

    const injectStart = performance.now()
    for (let i = 0; i < CHATS; i++) {
      const who = i % 2 ? patient : clinician
      await who.page.evaluate(
        (text) => /** @type {any} */ (window).__xrConsultCall.sendChat(text),
        `Soak message ${i} at minute ${Math.floor(i / 6) + 1}`,
      )
      await sleep(100)
    }
    const held = await clinician.page.evaluate(() => {
      const g = /** @type {any} */ (window).__xrConsultGuidance
      return {
        chat: /** @type {number} */ (g.consultStore.getState().chat.length),
        marks: [...g.consultStore.getState().annotations.records.values()].filter(
          (/** @type {any} */ r) => r.add && !r.deleted,
        ).length,
      }
    })
    log(
      `chat injected in ${((performance.now() - injectStart) / 1000).toFixed(0)} s: clinician holds ${held.chat} messages, ${held.marks} marks`,
    )
    await sleep(SETTLE_MS)
    const later = await measureWindow(pages, 'after marks and chat')
    log(describe(later))
    if (isolating) isolation.push(...(await isolate(pages, 'marks and chat')))
    // The marks cleared (the clinician's Clear all): what is left of the difference is not the marks'.
    await clinician.page.evaluate(() => /** @type {any} */ (window).__xrConsultGuidance.actions.clearAll())
    await sleep(SETTLE_MS)
    const cleared = await measureWindow(pages, 'marks cleared')
    log(describe(cleared))
    if (tracing) await traceSummary(browser, clinician.page, 'cleared')
    if (profileDir) await profileAll(pages, profileDir, `${tag}-history`)
    return { appDir, fresh, waited, marked, later, cleared, held, isolation }
  } finally {
    for (const p of opened) await p.context.close().catch(() => undefined)
    await app.stop()
  }
}

async function main() {
  const dirs = (process.env.SOAK_APP_DIRS ?? '').split(',').filter(Boolean)
  const snapshot = dirs.length ? undefined : await snapshotApp()
  if (snapshot) dirs.push(snapshot.dir)
  if (process.env.SOAK_PROFILE) mkdirSync(process.env.SOAK_PROFILE, { recursive: true })
  const browser = await launchChromium()
  const results = []
  try {
    for (const dir of dirs) results.push(await runOne(browser, dir))
  } finally {
    await browser.close()
    if (snapshot) removeSnapshot(snapshot.dir)
  }
  console.log(
    '\n| build | page | fps fresh → nothing added → marks → marks and chat → cleared | ratio (marks and chat / fresh) | main thread fresh → after | GPU process fresh → marks → marks and chat |',
  )
  console.log('|---|---|---|---|---|---|')
  for (const r of results)
    for (const name of ['clinician', 'patient', 'worker']) {
      const a = r.fresh[name]
      const m = r.marked[name]
      const b = r.later[name]
      console.log(
        `| ${path.basename(r.appDir)} | ${name} | ${fixed1(a.fps)} → ${r.waited ? fixed1(r.waited[name].fps) : '–'} → ${fixed1(m.fps)} → ${fixed1(b.fps)} → ${fixed1(r.cleared[name].fps)} | ${(b.fps / a.fps).toFixed(2)}× | ${percent(a.task)} → ${percent(b.task)} | ${percent(r.fresh.gpu)} → ${percent(r.marked.gpu)} → ${percent(r.later.gpu)} |`,
      )
    }
  for (const r of results) for (const line of r.isolation) console.log(`${path.basename(r.appDir)}: ${line}`)
  console.log(JSON.stringify(results))
}

runIfMain(import.meta.url, main)
