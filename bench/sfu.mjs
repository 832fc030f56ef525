// @ts-check
// Issue 15's numbers: a large room through Janus (the SFU) against the full mesh of a consultation, on the same
// machine in the same run. The last step of `npm run bench`; alone, `node bench/sfu.mjs` (after `npm run build`).
//   uplink      bytes a second one participant sends in a 4-person call, all cameras on: mesh vs SFU
//   cpu         the CPU the sending page's renderer process used in that same call: mesh vs SFU
//   capacity    receive-only participants one Janus serves before their frame rate falls below 15 a second,
//               with Janus's own CPU at each step
//   join        Join click → first remote video frame, through the SFU vs through the mesh
//   signalling  what idle PeerServer clients cost the app's server (memory, CPU), for the deployment notes
// SFU_PARTS=uplink,join (any of them, comma-separated; all unless set) runs only those; uplink and cpu share one
// pair of calls. Each part replaces only its own section of bench/sfu-results.md, which is copied into its
// marked section of BENCHMARKS.md. A real Janus (Debian's, on loopback: e2e/janus.mjs) and the real server.
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/chromium.mjs'
import { startJanus } from '../e2e/janus.mjs'
import { registerPeer } from '../server/test-clients.mjs'
import {
  AS_A_PERSON,
  commandOutput,
  createQuietWaiter,
  fixed1,
  joinCall,
  LARGE,
  launchChromium,
  machine,
  newParticipant,
  openInvite,
  percent,
  processTicks,
  removeSnapshot,
  root,
  runIfMain,
  SMALL,
  snapshotApp,
  spread,
  startAppServer,
  startConsultation,
  TICKS_PER_SECOND,
  watchForeignCpu,
  writeResultsPart,
} from './common.mjs'
import { timedJoin } from './run.mjs'

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../e2e/real-app.mjs').Participant} Participant */
/** @typedef {'consultation' | 'large'} RoomKind */

const PARTS = /** @type {const} */ (['uplink', 'cpu', 'capacity', 'join', 'signalling'])
const RESULTS = path.join(root, 'bench/sfu-results.md')
const HEADER = `# A large room through Janus vs the mesh (issue 15)

Written by \`node bench/sfu.mjs\` (the last step of \`npm run bench\`; \`SFU_PARTS=uplink,capacity\` runs only
those). Each part replaces only its own section, so the parts may come from different runs: each says when and
where it ran. Janus is Debian's 1.1.2 on loopback, started by the benchmark (e2e/janus.mjs); the pages are headless
Chromium with its fake camera, in one browser; every number was measured on the same two shared cores as its
comparison.
`
/** How long a 4-person call runs after every page plays every remote video, before the window, ms: bandwidth estimation ramps each video up over the first seconds. */
const CALL_WARMUP_MS = 12_000
/** The uplink and CPU window, ms. */
const CALL_WINDOW_MS = 10_000
/** Calls of each kind for uplink and CPU, alternating mesh and SFU. */
const CALL_REPEATS = 2
/** Join runs of each kind (the median is reported). */
const JOIN_RUNS = 5
/** Receivers in the capacity steps: the room holds 30 seats, one of them the presenter's. */
const CAPACITY_STEPS = [1, 2, 4, 6, 8, 10, 12, 15, 18, 21, 24, 27, 29]
/** A step passes while the receivers' median frame rate stays at or above this. */
const MIN_FPS = 15
/** Settling time after a capacity step's receivers all play video, ms. */
const STEP_SETTLE_MS = 3000
/** A capacity step's frame-rate window, ms. */
const STEP_WINDOW_MS = 5000
/** Idle PeerServer clients in the signalling part, and how many share one loopback address (its limit is 32). */
const IDLE_PEERS = 1000
const PEERS_PER_ADDRESS = 30
/** Receivers' windows in the capacity part (as in e2e/large-room.e2e.ts). */
const SMALL_WINDOW = { width: 480, height: 360 }
const { waitForQuiet } = createQuietWaiter(180_000)

// ---------------------------------------------------------------------------------------------------------------
// In the pages

/** Init script: keeps every RTCPeerConnection the page makes in `window.__benchPcs`, for getStats. */
function recordConnections() {
  /** @type {RTCPeerConnection[]} */
  const all = []
  Object.assign(window, { __benchPcs: all })
  const Native = window.RTCPeerConnection
  window.RTCPeerConnection = class extends Native {
    /** @param {ConstructorParameters<typeof RTCPeerConnection>} args */
    constructor(...args) {
      super(...args)
      all.push(this)
    }
  }
}

/**
 * Runs in the page: what its open connections sent and received so far. Bytes are payload bytes (RTP payload for
 * audio and video, SCTP user data for data channels); `wire` is every connection's transport bytesSent (SRTP, RTCP,
 * SCTP and ICE included, UDP/IP headers not).
 */
async function connectionCounters() {
  const pcs = /** @type {RTCPeerConnection[]} */ (/** @type {any} */ (window).__benchPcs ?? []).filter(
    (pc) => pc.connectionState !== 'closed',
  )
  const out = {
    at: performance.now(),
    audio: 0,
    video: 0,
    data: 0,
    wire: 0,
    /** outbound video streams (one per mesh peer; one per simulcast layer through Janus) */
    videoStreams: 0,
    framesEncoded: 0,
    framesDecoded: 0,
    /** @type {string[]} */
    frameSizes: [],
    /** @type {string[]} */
    encoders: [],
    /** @type {string[]} why the encoder sends less than it could: 'cpu', 'bandwidth' or 'none' */
    limitations: [],
  }
  for (const pc of pcs) {
    const report = await pc.getStats()
    report.forEach((s) => {
      if (s.type === 'outbound-rtp') {
        if (s.kind === 'audio') out.audio += s.bytesSent ?? 0
        if (s.kind === 'video') {
          out.video += s.bytesSent ?? 0
          out.videoStreams++
          out.framesEncoded += s.framesEncoded ?? 0
          if (s.frameWidth) out.frameSizes.push(`${s.frameWidth}x${s.frameHeight}`)
          if (s.encoderImplementation) out.encoders.push(s.encoderImplementation)
          if (s.qualityLimitationReason) out.limitations.push(s.qualityLimitationReason)
        }
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.framesDecoded += s.framesDecoded ?? 0
      if (s.type === 'data-channel') out.data += s.bytesSent ?? 0
      if (s.type === 'transport') out.wire += s.bytesSent ?? 0
    })
  }
  return out
}

/**
 * Waits until at least `count` remote videos on the page play (a decoded frame, not paused).
 * @param {Page} page @param {number} count @param {number} timeout ms
 */
async function waitForPlaying(page, count, timeout = 90_000) {
  await page.waitForFunction(
    (n) =>
      [...document.querySelectorAll('video[data-testid="remote-video"]')].filter(
        (v) => v instanceof HTMLVideoElement && v.videoWidth > 0 && !v.paused,
      ).length >= n,
    count,
    { timeout, polling: 250 },
  )
}

// ---------------------------------------------------------------------------------------------------------------
// CPU of processes

/** CPU seconds a process (all its threads) used so far, from /proc. @param {number} pid */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** CPU seconds used so far by every process of this benchmark's tree (browsers, server, Janus) but itself. */
function treeCpuSeconds() {
  const { all, isOurs } = processTicks()
  let ticks = 0
  for (const [pid, { ticks: t }] of all) if (pid !== process.pid && isOurs(pid)) ticks += t
  return ticks / TICKS_PER_SECOND
}

/** Resident memory of a process, bytes. @param {number} pid */
function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024
}

/**
 * The renderer's own CPU time, seconds: CDP `Performance.getMetrics`' ProcessTime (the whole renderer process,
 * every thread: JavaScript, layout, WebRTC's encoders and decoders) and TaskDuration (the main thread's tasks).
 * @param {import('playwright-core').CDPSession} cdp
 */
async function rendererTimes(cdp) {
  const { metrics } = /** @type {{ metrics: { name: string, value: number }[] }} */ (
    await cdp.send('Performance.getMetrics')
  )
  const value = (/** @type {string} */ name) => metrics.find((m) => m.name === name)?.value ?? NaN
  return { process: value('ProcessTime'), tasks: value('TaskDuration') }
}

// ---------------------------------------------------------------------------------------------------------------
// The run's pieces

/**
 * @typedef {{
 *   app: { url: string, origin: string, process: import('node:child_process').ChildProcess },
 *   janus: import('../e2e/janus.mjs').JanusServer,
 *   browser: Browser,
 *   cameraless: () => Promise<Browser>,
 * }} Deps
 */

/** @param {Browser} browser @param {string} origin @param {import('playwright-core').ViewportSize} viewport */
function participant(browser, origin, viewport) {
  return newParticipant(browser, {
    origin,
    viewport,
    prepare: (context) => context.addInitScript(recordConnections),
  })
}

/**
 * A 4-person call of `kind`, everyone with the fake camera: the clinician (who starts it, and presents in a large
 * room; the measured page, 1280×720) and patient, specialist and worker (640×360), everyone in the video layout a
 * call opens in. Resolves once every page plays the three others' video.
 * @param {Deps} deps @param {RoomKind} kind
 */
async function fourPersonCall({ app, browser }, kind) {
  const host = await participant(browser, app.origin, LARGE)
  // ?debug: the pages log their connections, read back below when one does not play the others' video.
  const invites = await startConsultation(host.page, `${app.url}?debug`, 'clinician', { kind })
  await joinAsHost(host.page, 'Bench Clinician')
  const others = []
  for (const role of ['patient', 'specialist', 'worker']) {
    const guest = await participant(browser, app.origin, SMALL)
    await openInvite(guest.page, invites[role] ?? '', `Bench ${role}`, 'debug', {
      ...AS_A_PERSON,
      view: 'video',
    })
    others.push(guest)
  }
  // In a large room only the presenter sends video until they let someone show theirs (src/room/hands.ts: up to
  // three besides the presenter): the host lets all three, as a presenter of a 4-person case conference would.
  if (kind === 'large') {
    for (const role of ['patient', 'specialist', 'worker']) {
      const row = host.page.getByTestId('participant').filter({ hasText: `Bench ${role}` })
      await row.getByTestId('let-show-video').click({ timeout: 60_000 })
    }
  }
  const everyone = [host, ...others]
  try {
    for (const p of everyone) await waitForPlaying(p.page, 3)
  } catch (error) {
    await explainMissingVideo(everyone, 3)
    throw error
  }
  return {
    host,
    everyone,
    close: async () => {
      for (const p of everyone) await p.context.close()
    },
  }
}

/** The host's own join, from the join screen `startConsultation` left it on. @param {Page} page @param {string} name */
function joinAsHost(page, name) {
  return joinCall(page, name, { ...AS_A_PERSON, view: 'video' })
}

/** @typedef {Awaited<ReturnType<typeof measureCall>>} CallSample */

/** One call of `kind`: uplink of every page and the host renderer's CPU over CALL_WINDOW_MS. @param {Deps} deps @param {RoomKind} kind */
async function measureCall(deps, kind) {
  const call = await fourPersonCall(deps, kind)
  try {
    await sleep(CALL_WARMUP_MS)
    await waitForQuiet(`the ${kind} call's window`)
    const cdp = await call.host.context.newCDPSession(call.host.page)
    await cdp.send('Performance.enable')
    const janusPid = deps.janus.process.pid ?? 0
    const before = await Promise.all(call.everyone.map((p) => p.page.evaluate(connectionCounters)))
    const cpuBefore = await rendererTimes(cdp)
    const janusBefore = cpuSeconds(janusPid)
    const treeBefore = treeCpuSeconds()
    const foreign = watchForeignCpu()
    const t0 = performance.now()
    await sleep(CALL_WINDOW_MS)
    const after = await Promise.all(call.everyone.map((p) => p.page.evaluate(connectionCounters)))
    const cpuAfter = await rendererTimes(cdp)
    const seconds = (performance.now() - t0) / 1000
    const pages = before.map((b, i) => {
      const a = after[i] ?? b
      const s = (a.at - b.at) / 1000
      return {
        audio: (a.audio - b.audio) / s,
        video: (a.video - b.video) / s,
        data: (a.data - b.data) / s,
        wire: (a.wire - b.wire) / s,
        sentFps: (a.framesEncoded - b.framesEncoded) / s / Math.max(1, a.videoStreams),
        receivedFps: (a.framesDecoded - b.framesDecoded) / s / 3,
        videoStreams: a.videoStreams,
        frameSizes: [...new Set(a.frameSizes)],
        encoders: [...new Set(a.encoders)],
        limitations: [...new Set(a.limitations)],
      }
    })
    return {
      kind,
      host: pages[0],
      pages,
      hostCpu: (cpuAfter.process - cpuBefore.process) / seconds,
      hostMainThread: (cpuAfter.tasks - cpuBefore.tasks) / seconds,
      janusCpu: (cpuSeconds(janusPid) - janusBefore) / seconds,
      treeCpu: (treeCpuSeconds() - treeBefore) / seconds,
      foreign: foreign(),
    }
  } finally {
    await call.close()
    // Seats free up (the PeerServer's and Janus's) before the next call takes them.
    await sleep(3000)
  }
}

/** @param {Deps} deps */
async function measureCalls(deps) {
  /** @type {Record<RoomKind, CallSample[]>} */
  const samples = { consultation: [], large: [] }
  for (let i = 0; i < CALL_REPEATS; i++) {
    for (const kind of /** @type {RoomKind[]} */ (['consultation', 'large'])) {
      const sample = await measureCall(deps, kind)
      samples[kind].push(sample)
      console.log(
        `[sfu] ${kind} call ${i + 1}/${CALL_REPEATS}: host sends ${kbit(sample.host?.video ?? NaN)} video, ` +
          `${kbit(sample.host?.audio ?? NaN)} audio, ${kbit(sample.host?.wire ?? NaN)} on the wire; renderer ` +
          `${percent(sample.hostCpu)} of a core; Janus ${percent(sample.janusCpu)}; others ${percent(sample.foreign)}`,
      )
    }
  }
  return samples
}

/**
 * Says, for each receiver that plays fewer than `wanted` videos, what its transport knows (`?debug`): whether it subscribed to the
 * presenter at all, failed and retried, or receives packets it does not show; and the last lines of its log. Tells
 * a product fault (a subscription that failed) from the benchmark's (a page too starved of CPU to decode).
 * @param {Participant[]} receivers
 */
async function explainMissingVideo(receivers, wanted = 1) {
  for (const [i, r] of receivers.entries()) {
    const playing = await r.page
      .evaluate(
        () =>
          [...document.querySelectorAll('video[data-testid="remote-video"]')].filter(
            (v) => v instanceof HTMLVideoElement && v.videoWidth > 0 && !v.paused,
          ).length,
      )
      .catch(() => -1)
    if (playing >= wanted) continue
    const info = await r.page
      .evaluate(() => {
        const call = /** @type {{ __xrConsultCall?: { debugTransport(): Promise<unknown> } }} */ (
          /** @type {unknown} */ (window)
        ).__xrConsultCall
        return call?.debugTransport() ?? null
      })
      .catch((error) => String(error))
    console.log(
      `[sfu] page ${i + 1} plays ${playing} of ${wanted} videos; its transport: ${JSON.stringify(info)}`,
    )
    const janusLines = r.trace.filter((line) => line.includes('janus'))
    console.log(janusLines.slice(-25).join('\n'))
  }
}

/** @param {Deps} deps */
async function measureCapacity(deps) {
  const { app, browser, janus } = deps
  const cameraless = await deps.cameraless()
  const presenter = await participant(browser, app.origin, SMALL)
  const invites = await startConsultation(presenter.page, app.url, 'clinician', { kind: 'large' })
  await joinAsHost(presenter.page, 'Bench Presenter')
  const roles = ['patient', 'specialist', 'worker']
  /** @type {Participant[]} */
  const receivers = []
  /** @type {{ receivers: number, fps: ReturnType<typeof spread>, presenterFps: number, presenterKbit: number, janusCpu: number, treeCpu: number, foreign: number, frameSizes: string[], videoStreams: number }[]} */
  const steps = []
  /** @type {string | null} */
  let stoppedBy = null
  try {
    for (const target of CAPACITY_STEPS) {
      try {
        while (receivers.length < target) {
          const receiver = await newParticipant(cameraless, {
            viewport: SMALL_WINDOW,
            permissions: [],
            prepare: (context) => context.addInitScript(recordConnections),
          })
          receivers.push(receiver)
          const invite = invites[roles[receivers.length % roles.length] ?? 'patient'] ?? ''
          // ?debug: the page logs its transport's steps, read back below when a receiver gets no video.
          await openInvite(receiver.page, invite, `Trainee ${receivers.length}`, 'debug', {
            receiveOnly: true,
            view: 'video',
          })
        }
        for (const r of receivers) await waitForPlaying(r.page, 1)
      } catch (error) {
        stoppedBy = `receiver ${receivers.length} did not get the presenter's video: ${String(error).split('\n')[0]}`
        await explainMissingVideo(receivers)
        break
      }
      await sleep(STEP_SETTLE_MS)
      const janusPid = janus.process.pid ?? 0
      const pages = [presenter, ...receivers]
      const before = await Promise.all(pages.map((p) => p.page.evaluate(connectionCounters)))
      const janusBefore = cpuSeconds(janusPid)
      const treeBefore = treeCpuSeconds()
      const foreign = watchForeignCpu()
      const t0 = performance.now()
      await sleep(STEP_WINDOW_MS)
      const after = await Promise.all(pages.map((p) => p.page.evaluate(connectionCounters)))
      const seconds = (performance.now() - t0) / 1000
      const rate = (
        /** @type {number} */ i,
        /** @type {'framesDecoded' | 'framesEncoded' | 'video'} */ key,
      ) => {
        const a = after[i]
        const b = before[i]
        if (!a || !b) return NaN
        return ((a[key] - b[key]) * 1000) / (a.at - b.at)
      }
      const fps = spread(receivers.map((_, i) => rate(i + 1, 'framesDecoded')))
      const step = {
        receivers: receivers.length,
        fps,
        presenterFps: rate(0, 'framesEncoded') / Math.max(1, after[0]?.videoStreams ?? 1),
        presenterKbit: (rate(0, 'video') * 8) / 1000,
        janusCpu: (cpuSeconds(janusPid) - janusBefore) / seconds,
        treeCpu: (treeCpuSeconds() - treeBefore) / seconds,
        foreign: foreign(),
        frameSizes: [...new Set(after[0]?.frameSizes ?? [])],
        videoStreams: after[0]?.videoStreams ?? 0,
      }
      steps.push(step)
      console.log(
        `[sfu] capacity: ${step.receivers} receivers at ${fixed1(fps.median)} fps (min ${fixed1(fps.min)}); ` +
          `presenter encodes ${fixed1(step.presenterFps)} fps; Janus ${percent(step.janusCpu)} of a core; ` +
          `all our processes ${fixed1(step.treeCpu)} cores; others ${percent(step.foreign)}`,
      )
      if (fps.median < MIN_FPS) {
        stoppedBy = `the receivers' median frame rate fell below ${MIN_FPS}`
        break
      }
    }
    stoppedBy ??= `the room's ${CAPACITY_STEPS.at(-1)} receivers (30 seats) all kept ${MIN_FPS} fps`
  } finally {
    for (const r of receivers) await r.context.close().catch(() => undefined)
    await presenter.context.close()
    await cameraless.close()
  }
  return { steps, stoppedBy }
}

/** @param {Deps} deps */
async function measureJoins(deps) {
  const { app, browser } = deps
  /** @type {Record<RoomKind, { ms: number, share: number, seen: Record<string, number> }[]>} */
  const runs = { consultation: [], large: [] }
  for (const kind of /** @type {RoomKind[]} */ (['consultation', 'large'])) {
    const host = await participant(browser, app.origin, SMALL)
    const invites = await startConsultation(host.page, app.url, 'clinician', { kind })
    await joinAsHost(host.page, 'Bench Host')
    const hostAlone = () =>
      host.page.waitForFunction(
        () => document.querySelectorAll('video[data-testid="remote-video"]').length === 0,
        undefined,
        { timeout: 60_000, polling: 250 },
      )
    try {
      while (runs[kind].length < JOIN_RUNS) {
        const { guest, joined, share } = await timedJoin({
          browser,
          origin: app.origin,
          invite: invites.patient ?? '',
          name: `Bench Patient ${runs[kind].length + 1}`,
          hostAlone,
          waitForQuiet,
          baseline: false,
          query: '',
        })
        runs[kind].push({ ms: joined.ms, share, seen: joined.seen })
        console.log(
          `[sfu] join ${kind} ${runs[kind].length}/${JOIN_RUNS}: ${Math.round(joined.ms)} ms (others ${percent(share)})`,
        )
        await guest.context.close()
      }
    } finally {
      await host.context.close()
      await sleep(3000)
    }
  }
  return runs
}

/**
 * Idle PeerServer clients: IDLE_PEERS signalling sockets registered and sending PeerJS's heartbeat every 5 s, from
 * several loopback addresses (the server allows 32 sockets per address); the server's resident memory before and
 * after, and its CPU over 10 s of heartbeats.
 * @param {Deps} deps
 */
async function measureSignalling({ app }) {
  // server/start.mjs forks the server proper (so that it can restart it): measure that child.
  const { all } = processTicks()
  const pid = [...all].find(([, { ppid }]) => ppid === app.process.pid)?.[0] ?? app.process.pid ?? 0
  const port = Number(new URL(app.url).port)
  // Let the server's start-up garbage settle.
  await sleep(2000)
  const rssBefore = rssBytes(pid)
  /** @type {Awaited<ReturnType<typeof registerPeer>>[]} */
  const peers = []
  const started = performance.now()
  for (let i = 0; i < IDLE_PEERS; i++) {
    const address = `127.0.${1 + Math.floor(i / PEERS_PER_ADDRESS / 250)}.${2 + (Math.floor(i / PEERS_PER_ADDRESS) % 250)}`
    peers.push(await registerPeer(port, { id: `bench-idle-${i}`, token: 't', localAddress: address }))
    if (i % 200 === 199) for (const p of peers) p.send({ type: 'HEARTBEAT' })
  }
  const registerMs = performance.now() - started
  const heartbeat = setInterval(() => {
    for (const p of peers) p.send({ type: 'HEARTBEAT' })
  }, 5000)
  try {
    await sleep(6000)
    const cpuBefore = cpuSeconds(pid)
    const t0 = performance.now()
    await sleep(10_000)
    const cpu = (cpuSeconds(pid) - cpuBefore) / ((performance.now() - t0) / 1000)
    const rssAfter = rssBytes(pid)
    const open = peers.filter((p) => p.ws.readyState === p.ws.OPEN).length
    return { peers: IDLE_PEERS, open, rssBefore, rssAfter, cpu, registerMs }
  } finally {
    clearInterval(heartbeat)
    for (const p of peers) p.ws.close()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

/** @param {number} bytesPerSecond */
const kbit = (bytesPerSecond) => `${Math.round((bytesPerSecond * 8) / 1000)} kbit/s`
/** @param {number[]} values */
const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
/** @param {number} value @param {number} of */
const ratio = (value, of) => `${(value / of).toFixed(2)}×`

/** @param {Record<RoomKind, CallSample[]>} samples */
function renderUplink(samples) {
  const m = samples.consultation
  const s = samples.large
  /** @param {CallSample[]} list @param {'audio' | 'video' | 'data' | 'wire'} key */
  const host = (list, key) => mean(list.map((c) => c.host?.[key] ?? NaN))
  /** @param {CallSample[]} list */
  const others = (list) => mean(list.flatMap((c) => c.pages.slice(1).map((p) => p.video)))
  const sizes = (/** @type {CallSample[]} */ list) => [
    ...new Set(list.flatMap((c) => c.host?.frameSizes ?? [])),
  ]
  const streams = (/** @type {CallSample[]} */ list) => list[0]?.host?.videoStreams ?? 0
  const fps = (/** @type {CallSample[]} */ list) => mean(list.map((c) => c.host?.sentFps ?? NaN))
  const rows = [
    ['Video (RTP payload)', host(m, 'video'), host(s, 'video')],
    ['Audio (RTP payload)', host(m, 'audio'), host(s, 'audio')],
    ['Data channels (SCTP user data)', host(m, 'data'), host(s, 'data')],
    ['Everything on the wire (transport bytesSent)', host(m, 'wire'), host(s, 'wire')],
  ]
  return `#### 1. Uplink of one participant in a 4-person call: mesh vs SFU

| The clinician's page sends, mean of ${CALL_REPEATS} calls each | Mesh (consultation) | SFU (large room, Janus) | SFU / mesh |
|---|---|---|---|
${rows.map(([name, a, b]) => `| ${name} | ${kbit(Number(a))} | ${kbit(Number(b))} | ${ratio(Number(b), Number(a))} |`).join('\n')}
| Video streams sent, frame size, frames encoded a second (each stream) | ${streams(m)}: ${sizes(m).join(', ')}, ${fixed1(fps(m))} | ${streams(s)}: ${sizes(s).join(', ')}, ${fixed1(fps(s))} | |
| The three others' video (mean of them) | ${kbit(others(m))} | ${kbit(others(s))} | ${ratio(others(s), others(m))} |

How: four participants in one call (the clinician at 1280×720, patient, specialist and worker at 640×360, all in the
video layout), each with Chromium's fake camera, in one headless Chromium; the app opens the camera at 640×480
(\`src/media/local-media.ts\`: ideal 640×480, up to 30 fps), not 1280×720, so that is what is sent. Once every page
played the three others' video, the call ran ${CALL_WARMUP_MS / 1000} s (bandwidth estimation ramps up), then each page's
\`getStats()\` on all its RTCPeerConnections was read twice, ${CALL_WINDOW_MS / 1000} s apart: outbound-rtp bytesSent per kind,
data-channel bytesSent, transport bytesSent. Mesh and SFU calls alternated. In a large room only the presenter's
(the clinician's) microphone is open, the others' audio is muted. Why the SFU is not a third of the mesh here: the
mesh already budgets its uplink (\`videoSendBudget\` in src/net/mesh.ts: with three copies, each at most
500 kbit/s and halved to 320×240), while the Janus transport sends its one copy at the captured 640×480 with no cap
at this commit; and the fake camera's mostly flat picture at 20 frames a second needs far fewer bits than a face,
so neither reaches its cap (real cameras would push both up, the mesh to its 1.5 Mbit/s). Encoders: mesh ${[...new Set(m.flatMap((c) => c.host?.encoders ?? []))].join(', ') || '?'}, SFU ${[...new Set(s.flatMap((c) => c.host?.encoders ?? []))].join(', ') || '?'}; what limited them at the end of the window
(getStats' qualityLimitationReason): mesh ${[...new Set(m.flatMap((c) => c.host?.limitations ?? []))].join(', ') || '?'}, SFU ${[...new Set(s.flatMap((c) => c.host?.limitations ?? []))].join(', ') || '?'}.

Per call (host video, audio, data, wire; others' CPU share): ${[...m, ...s]
    .map(
      (c) =>
        `${c.kind === 'large' ? 'SFU' : 'mesh'} ${kbit(c.host?.video ?? NaN)}, ${kbit(c.host?.audio ?? NaN)}, ${kbit(c.host?.data ?? NaN)}, ${kbit(c.host?.wire ?? NaN)}; ${percent(c.foreign)}`,
    )
    .join('; ')}.
`
}

/** @param {Record<RoomKind, CallSample[]>} samples */
function renderCpu(samples) {
  const m = samples.consultation
  const s = samples.large
  const cpu = (
    /** @type {CallSample[]} */ list,
    /** @type {'hostCpu' | 'hostMainThread' | 'janusCpu' | 'treeCpu'} */ key,
  ) => mean(list.map((c) => c[key]))
  return `#### 2. CPU of a sending page in a 4-person call: mesh vs SFU

| Share of one core over ${CALL_WINDOW_MS / 1000} s, mean of ${CALL_REPEATS} calls each | Mesh (consultation) | SFU (large room, Janus) | SFU / mesh |
|---|---|---|---|
| The clinician's renderer process (every thread: encoding, decoding, JavaScript, drawing) | ${percent(cpu(m, 'hostCpu'))} | ${percent(cpu(s, 'hostCpu'))} | ${ratio(cpu(s, 'hostCpu'), cpu(m, 'hostCpu'))} |
| Its main thread's tasks (wall time, so time the thread waited for a core counts) | ${percent(cpu(m, 'hostMainThread'))} | ${percent(cpu(s, 'hostMainThread'))} | ${ratio(cpu(s, 'hostMainThread'), cpu(m, 'hostMainThread'))} |
| Janus | ${percent(cpu(m, 'janusCpu'))} | ${percent(cpu(s, 'janusCpu'))} | |
| Every process of the benchmark (4 renderers, browser, GPU and capture processes, server, Janus) | ${fixed1(cpu(m, 'treeCpu'))} cores | ${fixed1(cpu(s, 'treeCpu'))} cores | ${ratio(cpu(s, 'treeCpu'), cpu(m, 'treeCpu'))} |

How: the same calls and window as part 1. The renderer's CPU is CDP \`Performance.getMetrics\`' ProcessTime (CPU time
of the page's whole renderer process, all threads; WebRTC's encoders and decoders run there) and TaskDuration
(the wall time of main-thread tasks, which on two saturated cores includes waiting for a core), read at both ends of the window; Janus's and the other processes' from /proc/<pid>/stat. The
fake camera is captured in Chromium's own capture service, outside the renderer, so capture is not in the first
row. Other processes on the machine took ${[...m, ...s].map((c) => percent(c.foreign)).join(', ')} of the CPU during the windows.
`
}

/** @param {Awaited<ReturnType<typeof measureCapacity>>} r */
function renderCapacity(r) {
  const passed = r.steps.filter((s) => s.fps.median >= MIN_FPS)
  const last = passed.at(-1)
  // Janus's cost per added receiver: the least-squares slope of its CPU over the passing steps (the intercept is
  // the presenter's ingest and Janus's idle work).
  const n = passed.length
  const mx = mean(passed.map((p) => p.receivers))
  const my = mean(passed.map((p) => p.janusCpu))
  const slope =
    n >= 2
      ? passed.reduce((sum, p) => sum + (p.receivers - mx) * (p.janusCpu - my), 0) /
        passed.reduce((sum, p) => sum + (p.receivers - mx) ** 2, 0)
      : NaN
  const perReceiver = Number.isFinite(slope) ? slope : last ? last.janusCpu / last.receivers : NaN
  const failing = r.steps.find((s) => s.fps.median < MIN_FPS)
  const sourceFell = failing && last && failing.presenterFps < MIN_FPS
  return `#### 3. Receive-only participants one Janus serves

${
  last
    ? `**${last.receivers} receivers kept ${MIN_FPS} fps or more** (median ${fixed1(last.fps.median)}, slowest ${fixed1(last.fps.min)}); Janus used ${percent(last.janusCpu)} of one core for them, about ${fixed1(perReceiver * 100)} % of a core per added receiver (the slope over the passing steps). Stopped: ${r.stoppedBy}${sourceFell ? `; at that step the presenter's own page encoded only ${fixed1(failing.presenterFps)} frames a second, so the source fell with the machine, not Janus` : ''}.`
    : `No step kept ${MIN_FPS} fps. Stopped: ${r.stoppedBy}.`
}

| Receivers | Their frame rate: median (min–max) | Presenter encodes | Presenter's video | Janus CPU (one core) | Janus per receiver | All our processes | Other processes |
|---|---|---|---|---|---|---|---|
${r.steps
  .map(
    (s) =>
      `| ${s.receivers} | ${fixed1(s.fps.median)} (${fixed1(s.fps.min)}–${fixed1(s.fps.max)}) | ${fixed1(s.presenterFps)} fps | ${Math.round(s.presenterKbit)} kbit/s | ${percent(s.janusCpu)} | ${fixed1((s.janusCpu / s.receivers) * 100)} % | ${fixed1(s.treeCpu)} cores | ${percent(s.foreign)} |`,
  )
  .join('\n')}

How: a large room on one Janus; the presenter (the clinician, fake camera, 640×360 window) in one headless Chromium,
the receivers in a second one without a camera (each joins with _Join without camera or microphone_, in a 480×360
window, in the video layout, which draws only when a frame arrives), added in steps of ${CAPACITY_STEPS.join(', ')}.
After each step every receiver played the presenter's video, ${STEP_SETTLE_MS / 1000} s passed, then for ${STEP_WINDOW_MS / 1000} s each receiver's
inbound-rtp framesDecoded and the presenter's framesEncoded (getStats), and Janus's CPU time (/proc/<pid>/stat,
all threads), were read at both ends. The presenter sends ${r.steps[0]?.videoStreams ?? '?'} video stream(s) of ${r.steps[0]?.frameSizes.join(', ') || '?'}
(a large room captures 1280×720 and sends it in three simulcast layers: src/lib/simulcast.ts). Every browser runs on the same two cores as Janus:
the limit reached here is the browsers' (each receiver decrypts and decodes in software), not Janus's, whose own
cost per receiver is the number to extrapolate from.
`
}

/** @param {Awaited<ReturnType<typeof measureJoins>>} runs */
function renderJoin(runs) {
  const m = spread(runs.consultation.map((r) => r.ms))
  const s = spread(runs.large.map((r) => r.ms))
  const ms = (/** @type {number} */ v) => `${Math.round(v)} ms`
  return `#### 4. Join click → first remote video frame: SFU vs mesh

| ${JOIN_RUNS} runs each | Mesh (consultation) | SFU (large room, Janus) | SFU / mesh |
|---|---|---|---|
| Median (min–max) | ${ms(m.median)} (${ms(m.min)}–${ms(m.max)}) | ${ms(s.median)} (${ms(s.min)}–${ms(s.max)}) | ${ratio(s.median, m.median)} |

How: bench/run.mjs's \`timedJoin\` (the same function): a host (the clinician, fake camera, in the video layout)
waits alone in a room; a fresh patient page opens the invite, fills the join screen with its camera on and waits
until the page has settled, then the click on Join and the first requestVideoFrameCallback of a remote video are
timed in the page. Mesh runs first, then SFU runs, each with its own host. Other processes took
${[...runs.consultation, ...runs.large].map((r) => percent(r.share)).join(', ')} of the CPU during the runs.
`
}

/** @param {Awaited<ReturnType<typeof measureSignalling>>} r */
function renderSignalling(r) {
  const perPeer = (r.rssAfter - r.rssBefore) / r.peers
  return `#### 5. What idle signalling clients cost the app's server (one PeerServer)

| ${r.peers} registered PeerJS clients, heartbeat every 5 s | Result |
|---|---|
| Server's resident memory before → after | ${(r.rssBefore / 1e6).toFixed(0)} MB → ${(r.rssAfter / 1e6).toFixed(0)} MB: about ${(perPeer / 1000).toFixed(1)} KB a client |
| Server's CPU over 10 s of heartbeats | ${fixed1(r.cpu * 100)} % of one core |
| Registering them one after another | ${(r.registerMs / 1000).toFixed(1)} s |
| Still open at the end | ${r.open} of ${r.peers} |

How: Node WebSocket clients (server/test-clients.mjs, as the server's own tests) register on the app's PeerServer
from loopback addresses 127.0.x.y, ${PEERS_PER_ADDRESS} to an address (the server allows 32 sockets per address), and send PeerJS's
heartbeat; the server process's VmRSS and CPU time from /proc. A participant holds one such socket while in a call
(a mesh room is 4 seats, so 4 sockets and, while joining, a burst of offers and candidates); the PeerServer takes
at most 5,000 ids, so one app server holds about 1,250 full 4-person rooms at once by that limit, with idle
signalling as cheap as above. What this leaves out: the burst of signalling while many participants join at once.
`
}

/** The run's circumstances, under each part's heading. @param {ReturnType<typeof machine>} info */
function circumstances(info) {
  return `_Run: ${info.date}; ${info.cpu}, ${info.cores} cores, ${info.memory}; Node ${info.node}; ${commandOutput(CHROMIUM, ['--version'])}, headless; Janus ${commandOutput('dpkg-query', ['-W', '--showformat', '\x24{Version}', 'janus'])}; commit ${info.commit}${info.dirty ? ' with uncommitted changes' : ''}; load average ${fixed1(info.loadBefore)} at the start, ${fixed1(os.loadavg()[0] ?? NaN)} at the end._`
}

/** @param {string} part @param {string} markdown */
function writeSection(part, markdown) {
  writeResultsPart({
    file: RESULTS,
    header: HEADER,
    parts: PARTS,
    part,
    markdown,
    benchmarks: { start: '<!-- sfu: start (written by bench/sfu.mjs) -->', end: '<!-- sfu: end -->' },
  })
}

async function main() {
  const wanted = (process.env.SFU_PARTS ?? PARTS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  for (const p of wanted)
    if (!(/** @type {readonly string[]} */ (PARTS).includes(p))) throw new Error(`unknown part ${p}`)
  const snapshot = await snapshotApp()
  const janus = await startJanus()
  /** @type {Awaited<ReturnType<typeof startAppServer>> | undefined} */
  let app
  /** @type {Browser | undefined} */
  let browser
  let failed = false
  try {
    app = await startAppServer({ appDir: snapshot.dir, env: { JANUS_URLS: janus.url } })
    // The signalling part alone needs no browser (so it can run without the browser lock).
    if (wanted.some((p) => p !== 'signalling')) browser = await launchChromium()
    /** @type {Deps} */
    const deps = {
      app,
      janus,
      browser: /** @type {Browser} */ (browser),
      // Pages of a browser without the fake consent UI are refused the camera and may join receive-only.
      cameraless: () =>
        chromium.launch({
          executablePath: CHROMIUM,
          args: CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
          headless: true,
        }),
    }
    /** @param {string} part @param {() => Promise<string>} run */
    const attempt = async (part, run) => {
      const info = machine()
      console.log(`[sfu] ${part}: starting`)
      try {
        const markdown = await run()
        writeSection(part, `${markdown.trimEnd()}\n\n${circumstances(info)}\n`)
        console.log(markdown)
      } catch (error) {
        failed = true
        console.error(`[sfu] ${part} failed:`, error)
      }
    }
    if (wanted.includes('uplink') || wanted.includes('cpu')) {
      const info = machine()
      try {
        const samples = await measureCalls(deps)
        for (const [part, render] of /** @type {const} */ ([
          ['uplink', renderUplink],
          ['cpu', renderCpu],
        ])) {
          if (!wanted.includes(part)) continue
          const markdown = render(samples)
          writeSection(part, `${markdown.trimEnd()}\n\n${circumstances(info)}\n`)
          console.log(markdown)
        }
      } catch (error) {
        failed = true
        console.error('[sfu] uplink/cpu failed:', error)
      }
    }
    if (wanted.includes('join')) await attempt('join', async () => renderJoin(await measureJoins(deps)))
    if (wanted.includes('signalling'))
      await attempt('signalling', async () => renderSignalling(await measureSignalling(deps)))
    if (wanted.includes('capacity'))
      await attempt('capacity', async () => renderCapacity(await measureCapacity(deps)))
  } finally {
    await browser?.close().catch(() => undefined)
    await app?.stop()
    await janus.stop()
    removeSnapshot(snapshot.dir)
  }
  if (failed) throw new Error('a part of the SFU benchmark failed (see above)')
}

runIfMain(import.meta.url, main)
