// @ts-check
// The live-vitals numbers of the issue, each against a baseline measured in the same run, on a real call between
// a clinician page and a patient page that shares the simulator:
//   1. ECG bytes per second per lead put on the data channel, against the same samples as naive JSON.
//   2. React commits per second on the clinician's page while vitals stream, against the same call without vitals.
//   3. Frames per second of the clinician's scene with the monitor and sweeping ECG beside the video, against the
//      video alone.
// `measureVitals` runs in a browser and server someone else started (bench/run.mjs can call it); `renderVitals`
// turns its results into a Markdown section. Standalone, after `npx vite build`: `node bench/vitals.mjs` starts the
// server and Chromium itself, prints the section and writes it to bench/vitals-results.md.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  createQuietWaiter,
  DISTURBED_SHARE,
  FPS_WINDOW_MS,
  fixed1,
  frameCounter,
  framesPerSecond,
  joinCall,
  LARGE,
  launchChromium,
  machine,
  newParticipant as newContextParticipant,
  openInvite,
  percent,
  processTicks,
  REMEASURE_LIMIT,
  removeSnapshot,
  root,
  runIfMain,
  SMALL,
  snapshotApp,
  startAppServer,
  startConsultation,
  stats,
  TICKS_PER_SECOND,
  waitForPanels,
  watchForeignCpu,
  withQuery,
} from './common.mjs'

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../src/scenes/scene-probe-types').SceneProbe} SceneProbe (declares window.__xrConsult) */
/** @typedef {(message: string) => void} Log */
/** @typedef {(before: string) => Promise<number>} WaitForQuiet */

/** Repeats of each condition (a fresh patient each time); medians are reported. */
const REPEATS = 3
/** Window for bytes on the wire and React commits, ms: ≥ 20 s, so 50 ECG frames and 20 numerics batches each. */
const COUNT_WINDOW_MS = 20_000
/** Settling before a window, ms: video adapts in the first seconds; the monitor mounts after the first batch. */
const WARMUP_MS = 2000
/** How long the whole standalone run may wait for other processes to leave the CPU alone, ms. */
const QUIET_BUDGET_MS = 120_000
/** The issue's budget for the ECG, per lead, bytes per second. */
const TARGET_ECG_BYTES_PER_LEAD = 600
/**
 * What a `?debug` page says of its build (src/call/runtime.ts, `__xrConsultCall.debugConstants()`): the frame
 * layout the wire counter decodes, and the ECG stream's design figures the report compares with.
 * @typedef {ReturnType<import('../src/call/runtime').DebugCall['debugConstants']>} DesignConstants
 */

// ---------------------------------------------------------------------------------------------------------------
// Small helpers (the shared ones are in bench/common.mjs)

/** @param {number} value */
const fixed2 = (value) => value.toFixed(2)
/** @param {number} bytesPerSecond */
const rate = (bytesPerSecond) =>
  bytesPerSecond >= 10_000
    ? `${(bytesPerSecond / 1000).toFixed(1)} KB/s`
    : `${Math.round(bytesPerSecond).toLocaleString('en')} B/s`

/**
 * CPU ticks used so far by this process's children, by Chromium process type (gpu: SwiftShader's GL; renderer:
 * the pages; browser; utility: network, audio, video capture) and the app's server.
 */
function ownCpuTicks() {
  const { all, isOurs } = processTicks()
  /** @type {Map<number, { kind: string, ticks: number }>} */
  const own = new Map()
  for (const [pid, { ticks }] of all) {
    if (pid === process.pid || !isOurs(pid)) continue
    let kind = 'other'
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      const type = /--type=([\w-]+)/.exec(command)?.[1]
      if (type) kind = type === 'gpu-process' ? 'gpu' : type === 'renderer' ? 'renderer' : 'utility'
      else if (/chrom/i.test(command)) kind = 'browser'
      else if (command.includes('start.mjs') || command.includes('serve.mjs')) kind = 'server'
    } catch {
      // the process ended while we looked
    }
    own.set(pid, { kind, ticks })
  }
  return own
}

/** Starts watching our own processes; the returned function gives the CPU cores each kind used since. */
function watchOwnCpu() {
  const before = ownCpuTicks()
  const start = performance.now()
  return () => {
    const seconds = (performance.now() - start) / 1000
    /** @type {Record<string, number>} */
    const cores = {}
    for (const [pid, { kind, ticks }] of ownCpuTicks()) {
      cores[kind] = (cores[kind] ?? 0) + (ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND / seconds
    }
    return cores
  }
}

/** What each kind of process in `watchOwnCpu` is. */
const CPU_KIND_LABELS = /** @type {Record<string, string>} */ ({
  gpu: "Chromium's GPU process (SwiftShader draws here)",
  renderer: 'Renderer processes (both pages: main threads, compositing, raster, video decode)',
  browser: "Chromium's browser process",
  utility: 'Utility processes (network, audio, video capture)',
  server: "The app's server (PeerServer)",
  other: 'Other child processes',
})

/** This file's own wait for a quiet machine, when bench/run.mjs does not hand in its own. */
const standaloneQuiet = createQuietWaiter(QUIET_BUDGET_MS)

// ---------------------------------------------------------------------------------------------------------------
// In the pages (init scripts: they run before any of the app's scripts)

/**
 * Clinician page: a minimal React DevTools global hook. React DOM and R3F's reconciler each `inject` themselves
 * when their module loads (production builds too) and call `onCommitFiberRoot` after every commit. Each commit is
 * recorded with the components that rendered in it: a minified name (production build) and the first DOM element or
 * three.js object each renders, which is what tells them apart.
 */
function installCommitCounter() {
  /** @type {Map<number, string>} renderer id → package name */
  const renderers = new Map()
  /** @type {{ at: number, renderer: string, components: string[] }[]} */
  const commits = []
  let nextId = 1
  // React work tags: function, class, forwardRef, memo, simple memo components; host component/hoistable/singleton.
  const COMPONENT_TAGS = new Set([0, 1, 11, 14, 15])
  const HOST_TAGS = new Set([5, 26, 27])
  const PERFORMED_WORK = 1
  /** @param {any} node */
  const describeHost = (node) => {
    if (node instanceof Element) {
      const testId = node.getAttribute('data-testid')
      const className = node.getAttribute('class')
      const tag = node.tagName.toLowerCase()
      if (testId) return `<${tag} data-testid="${testId}">`
      return className ? `<${tag} class="${className}">` : `<${tag}>`
    }
    // R3F's host instances wrap the three.js object; unnamed ones are placed by their nearest named ancestor.
    const object = node?.object ?? node
    if (object && typeof object === 'object' && typeof object.type === 'string') {
      if (object.name) return `three ${object.type} "${object.name}"`
      for (let up = object.parent; up; up = up.parent) {
        if (up.name) return `three ${object.type} in "${up.name}"`
      }
      return `three ${object.type}`
    }
    return 'text or unknown'
  }
  /** @param {any} fiber */
  const hostBelow = (fiber) => {
    const stack = [fiber.child]
    for (let seen = 0; stack.length > 0 && seen < 500; seen++) {
      const next = stack.pop()
      if (!next) continue
      if (HOST_TAGS.has(next.tag)) return describeHost(next.stateNode)
      if (next.sibling) stack.push(next.sibling)
      if (next.child) stack.push(next.child)
    }
    return null
  }
  /** @param {any} fiber */
  const hostAbove = (fiber) => {
    for (let up = fiber.return; up; up = up.return)
      if (HOST_TAGS.has(up.tag)) return describeHost(up.stateNode)
    return 'the root'
  }
  /** @param {any} fiber */
  const label = (fiber) => {
    const type = fiber.type
    const inner = type?.type ?? type?.render ?? type
    const name = inner?.displayName || inner?.name || 'anonymous'
    const below = hostBelow(fiber)
    return below ? `${name} → ${below}` : `${name} (draws nothing, in ${hostAbove(fiber)})`
  }
  /** Components that rendered in the commit just made: walks only the parts of the tree the commit touched. */
  const renderedIn = (/** @type {any} */ fiberRoot) => {
    /** @type {string[]} */
    const found = []
    const stack = [fiberRoot.current]
    while (stack.length > 0) {
      const fiber = stack.pop()
      const previous = fiber.alternate
      if (COMPONENT_TAGS.has(fiber.tag) && (previous === null || (fiber.flags & PERFORMED_WORK) !== 0)) {
        found.push(`${label(fiber)}${previous === null ? ' [mount]' : ''}`)
      }
      // A subtree that bailed out keeps the previous commit's child fibers: nothing below rendered.
      if (previous !== null && fiber.child === previous.child) continue
      for (let child = fiber.child; child; child = child.sibling) stack.push(child)
    }
    return found
  }
  const hook = {
    renderers,
    supportsFiber: true,
    /** @param {any} internals */
    inject(internals) {
      const id = nextId++
      renderers.set(id, String(internals?.rendererPackageName ?? `renderer ${id}`))
      return id
    },
    /** @param {number} id @param {any} fiberRoot */
    onCommitFiberRoot(id, fiberRoot) {
      /** @type {string[]} */
      let components = []
      try {
        components = renderedIn(fiberRoot)
      } catch (error) {
        components = [`(could not walk the tree: ${error})`]
      }
      commits.push({ at: performance.now(), renderer: renderers.get(id) ?? `renderer ${id}`, components })
    },
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onScheduleFiberRoot() {},
    setStrictMode() {},
    checkDCE() {},
  }
  Object.assign(window, { __REACT_DEVTOOLS_GLOBAL_HOOK__: hook, __vitalsBenchCommits: commits })
}

/**
 * Patient page: every message the page puts on a data channel, as sent (RTCDataChannel.prototype.send), and every
 * RTCPeerConnection (for getStats). Binary messages are decoded far enough to tell ECG waveform frames (layout in
 * src/net/frames.ts; the magic and header sizes as the app's debug API reports them, handed in as `frame`) and,
 * once per frame, the same samples are serialized as naive JSON for the baseline. Text messages are the JSON
 * protocol; they are counted by their `type`.
 * @param {DesignConstants['frame']} frame
 */
function installWireCounter(frame) {
  // Offsets of the fields read (src/net/frames.ts's layout table): kind and capture time in the header; rate,
  // lead count and scale in the waveform payload's own header, then the samples.
  const KIND_AT = 2
  const CAPTURED_AT = 8
  const RATE_AT = frame.headerBytes
  const LEADS_AT = frame.headerBytes + 2
  const SCALE_AT = frame.headerBytes + 3
  const SAMPLES_AT = frame.headerBytes + frame.waveformHeaderBytes
  /** Frame kind codes (the layout table): 1 waveform, 2 pose. */
  const WAVEFORM = 1
  const POSE = 2
  /** @type {RTCPeerConnection[]} */
  const connections = []
  const NativePeerConnection = window.RTCPeerConnection
  window.RTCPeerConnection = new Proxy(NativePeerConnection, {
    construct(target, args, newTarget) {
      const connection = Reflect.construct(target, args, newTarget)
      connections.push(connection)
      return connection
    },
  })
  /**
   * @type {{ at: number, channel: number, bytes: number, kind: string, type?: string,
   *   frame?: { unique: boolean, leads: number, samplesPerLead: number, rateHz: number,
   *     jsonCounts: number, jsonMillivolts: number, jsonSampleObjects: number } }[]}
   */
  const sends = []
  /** @type {WeakMap<RTCDataChannel, number>} */
  const channelIds = new WeakMap()
  let nextChannel = 1
  /** @type {WeakSet<ArrayBufferLike>} buffers already seen: one frame goes to every peer as the same buffer */
  const seenBuffers = new WeakSet()
  const encoder = new TextEncoder()
  /** @type {Record<string, string>} the first text message of each type, as an example */
  const examples = {}
  /** @param {unknown} data @returns {Uint8Array | null} */
  const bytesOf = (data) => {
    if (data instanceof ArrayBuffer) return new Uint8Array(data)
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    return null
  }
  /** @param {RTCDataChannel} channel @param {unknown} data */
  const record = (channel, data) => {
    let channelId = channelIds.get(channel)
    if (channelId === undefined) {
      channelId = nextChannel++
      channelIds.set(channel, channelId)
    }
    const at = performance.now()
    if (typeof data === 'string') {
      let type = '?'
      try {
        type = String(JSON.parse(data)?.type ?? '?')
      } catch {
        // not JSON
      }
      examples[type] ??= data.slice(0, 4000)
      sends.push({ at, channel: channelId, bytes: encoder.encode(data).length, kind: 'text', type })
      return
    }
    const bytes = bytesOf(data)
    if (!bytes) {
      sends.push({ at, channel: channelId, bytes: data instanceof Blob ? data.size : 0, kind: 'other' })
      return
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const isFrame = bytes.byteLength >= frame.headerBytes && view.getUint8(0) === frame.magic
    const kindCode = isFrame ? view.getUint8(KIND_AT) : 0
    if (kindCode !== WAVEFORM || bytes.byteLength < SAMPLES_AT) {
      sends.push({
        at,
        channel: channelId,
        bytes: bytes.byteLength,
        kind: kindCode === POSE ? 'pose' : 'binary',
      })
      return
    }
    const capturedAt = view.getFloat64(CAPTURED_AT, true)
    const rateHz = view.getUint16(RATE_AT, true)
    const leads = view.getUint8(LEADS_AT) || 1
    const scale = view.getFloat32(SCALE_AT, true)
    // int16 samples: 2 bytes each.
    const count = (bytes.byteLength - SAMPLES_AT) / 2
    const unique = !seenBuffers.has(bytes.buffer)
    seenBuffers.add(bytes.buffer)
    let jsonCounts = 0
    let jsonMillivolts = 0
    let jsonSampleObjects = 0
    if (unique) {
      /** @type {number[]} */
      const counts = []
      for (let i = 0; i < count; i++) counts.push(view.getInt16(SAMPLES_AT + i * 2, true))
      // scale is µV per count (1 for the simulator): the samples as a naive sender would hold them.
      const microvolts = counts.map((c) => c * scale)
      const millivolts = microvolts.map((uv) => uv / 1000)
      jsonCounts = JSON.stringify({ type: 'ecg', t: capturedAt, samples: microvolts }).length
      jsonMillivolts = JSON.stringify({ type: 'ecg', t: capturedAt, samples: millivolts }).length
      const periodMs = 1000 / rateHz
      jsonSampleObjects = JSON.stringify(
        millivolts.map((v, i) => ({ t: capturedAt + Math.floor(i / leads) * periodMs, v })),
      ).length
    }
    sends.push({
      at,
      channel: channelId,
      bytes: bytes.byteLength,
      kind: 'waveform',
      frame: {
        unique,
        leads,
        samplesPerLead: count / leads,
        rateHz,
        jsonCounts,
        jsonMillivolts,
        jsonSampleObjects,
      },
    })
  }
  const nativeSend = RTCDataChannel.prototype.send
  RTCDataChannel.prototype.send = /** @type {any} */ (
    /** @this {RTCDataChannel} @param {any} data */
    function send(data) {
      try {
        record(this, data)
      } catch {
        // counting must never break the call
      }
      return nativeSend.call(this, data)
    }
  )
  Object.assign(window, { __vitalsBenchWire: { sends, connections, examples } })
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the pages

/** The page's clock, to mark a window's edges in its own time. @param {Page} page */
const pageNow = (page) => page.evaluate(() => performance.now())

/**
 * Commits on the clinician's page between two of its clock readings, by renderer, and how often each component
 * rendered.
 * @param {Page} page @param {number} from @param {number} to
 */
function commitsBetween(page, from, to) {
  return page.evaluate(
    ({ from, to }) => {
      const commits = /** @type {{ at: number, renderer: string, components: string[] }[]} */ (
        /** @type {any} */ (window).__vitalsBenchCommits ?? []
      )
      /** @type {Record<string, number>} */
      const byRenderer = {}
      /** @type {Record<string, Record<string, number>>} */
      const components = {}
      for (const commit of commits) {
        if (commit.at < from || commit.at >= to) continue
        byRenderer[commit.renderer] = (byRenderer[commit.renderer] ?? 0) + 1
        const tally = components[commit.renderer] ?? {}
        components[commit.renderer] = tally
        for (const name of new Set(commit.components)) tally[name] = (tally[name] ?? 0) + 1
      }
      return { seconds: (to - from) / 1000, byRenderer, components }
    },
    { from, to },
  )
}

/**
 * What the patient's page put on its data channels between two of its clock readings.
 * @param {Page} page @param {number} from @param {number} to
 */
function sendsBetween(page, from, to) {
  return page.evaluate(
    ({ from, to }) => {
      const wire = /** @type {any} */ (window).__vitalsBenchWire
      /** @type {any[]} */
      const sends = wire?.sends ?? []
      const ecg = {
        bytes: 0,
        messages: 0,
        frames: 0,
        uniqueBytes: 0,
        signalSeconds: 0,
        samplesPerLead: 0,
        jsonCounts: 0,
        jsonMillivolts: 0,
        jsonSampleObjects: 0,
        /** @type {number[]} */
        leads: [],
        /** @type {number[]} */
        channels: [],
      }
      /** @type {Record<string, { bytes: number, messages: number }>} */
      const text = {}
      /** @type {Record<string, { bytes: number, messages: number }>} */
      const otherBinary = {}
      for (const send of sends) {
        if (send.at < from || send.at >= to) continue
        if (send.kind === 'waveform') {
          ecg.bytes += send.bytes
          ecg.messages += 1
          if (!ecg.channels.includes(send.channel)) ecg.channels.push(send.channel)
          if (!ecg.leads.includes(send.frame.leads)) ecg.leads.push(send.frame.leads)
          if (send.frame.unique) {
            ecg.frames += 1
            ecg.uniqueBytes += send.bytes
            ecg.signalSeconds += send.frame.samplesPerLead / send.frame.rateHz
            ecg.samplesPerLead += send.frame.samplesPerLead
            ecg.jsonCounts += send.frame.jsonCounts
            ecg.jsonMillivolts += send.frame.jsonMillivolts
            ecg.jsonSampleObjects += send.frame.jsonSampleObjects
          }
        } else {
          const table = send.kind === 'text' ? text : otherBinary
          const key = send.kind === 'text' ? send.type : send.kind
          const entry = table[key] ?? { bytes: 0, messages: 0 }
          table[key] = entry
          entry.bytes += send.bytes
          entry.messages += 1
        }
      }
      return { seconds: (to - from) / 1000, ecg, text, otherBinary }
    },
    { from, to },
  )
}

/**
 * getStats of the patient's data connection (PeerJS gives each connection its own RTCPeerConnection): the data
 * channels' bytes and the transport's (DTLS records carrying SCTP packets).
 * @param {Page} page
 */
function dataTransportStats(page) {
  return page.evaluate(async () => {
    /** @type {RTCPeerConnection[]} */
    const connections = /** @type {any} */ (window).__vitalsBenchWire?.connections ?? []
    /** @type {{ index: number, channelBytes: number, channelMessages: number, transportBytes: number, transportPackets: number }[]} */
    const found = []
    for (const [index, connection] of connections.entries()) {
      if (connection.connectionState === 'closed') continue
      const report = await connection.getStats()
      let channelBytes = 0
      let channelMessages = 0
      let channels = 0
      let rtp = 0
      let transportBytes = 0
      let transportPackets = 0
      report.forEach((entry) => {
        if (entry.type === 'inbound-rtp' || entry.type === 'outbound-rtp') rtp += 1
        if (entry.type === 'data-channel') {
          channels += 1
          channelBytes += entry.bytesSent ?? 0
          channelMessages += entry.messagesSent ?? 0
        } else if (entry.type === 'transport') {
          transportBytes += entry.bytesSent ?? 0
          transportPackets += entry.packetsSent ?? 0
        }
      })
      // PeerJS 1.5 also opens a data channel on each media connection: only the connection without media counts.
      if (channels > 0 && rtp === 0) {
        found.push({ index, channelBytes, channelMessages, transportBytes, transportPackets })
      }
    }
    return { at: performance.now(), connections: found }
  })
}

/**
 * @param {Awaited<ReturnType<typeof dataTransportStats>>} a
 * @param {Awaited<ReturnType<typeof dataTransportStats>>} b
 */
function transportDelta(a, b) {
  const sum = { channelBytes: 0, channelMessages: 0, transportBytes: 0, transportPackets: 0, connections: 0 }
  for (const after of b.connections) {
    const before = a.connections.find((c) => c.index === after.index)
    if (!before) continue
    sum.connections += 1
    sum.channelBytes += after.channelBytes - before.channelBytes
    sum.channelMessages += after.channelMessages - before.channelMessages
    sum.transportBytes += after.transportBytes - before.transportBytes
    sum.transportPackets += after.transportPackets - before.transportPackets
  }
  return { ...sum, seconds: (b.at - a.at) / 1000 }
}

/** ECG samples the clinician's page has received from `peer` (its VitalsFeed), or NaN. @param {Page} page */
function ecgWritten(page, /** @type {string} */ peer) {
  return page.evaluate(
    (p) => /** @type {any} */ (window).__xrConsultCall?.vitals?.get(p)?.ecg?.written ?? Number.NaN,
    peer,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// The call

/**
 * A participant (bench/common.mjs) whose page also reports Chromium's per-page counters of main-thread time
 * (TaskDuration, ScriptDuration, …, in seconds); `initScript` runs in the page, with `arg`, before the app's own.
 * @param {Browser} browser @param {string} origin @param {import('./common.mjs').Viewport} viewport
 * @param {(arg: any) => void} initScript @param {unknown} [arg]
 */
async function newParticipant(browser, origin, viewport, initScript, arg) {
  const participant = await newContextParticipant(browser, {
    origin,
    viewport,
    prepare: (context) => context.addInitScript(initScript, arg),
  })
  const cdp = await participant.context.newCDPSession(participant.page)
  await cdp.send('Performance.enable')
  return { ...participant, cdp }
}

/** @typedef {Awaited<ReturnType<typeof newParticipant>>} Participant */

/** The page's main-thread time so far, s: all tasks, and JavaScript alone. @param {Participant} who */
async function mainThread(who) {
  const { metrics } = await who.cdp.send('Performance.getMetrics')
  const value = (/** @type {string} */ name) => metrics.find((m) => m.name === name)?.value ?? NaN
  return { task: value('TaskDuration'), script: value('ScriptDuration') }
}

/** @param {Page} page @param {string} name */
function objectOnScreen(page, name) {
  return page.evaluate((n) => window.__xrConsult?.objectOnScreen(n) ?? null, name)
}

/**
 * Measures the three numbers in `browser` against the app served at `url`, in browser contexts of its own (closed
 * again, also on failure). `waitForQuiet(before)` waits until other processes leave the CPU alone and returns
 * their share (bench/run.mjs has one with a budget for the whole run; the default is this file's copy).
 * @param {{ browser: Browser, origin: string, url: string, waitForQuiet?: WaitForQuiet, log?: Log }} options
 */
export async function measureVitals(options) {
  const before = new Set(options.browser.contexts())
  try {
    return await measureVitalsIn(options)
  } finally {
    for (const context of options.browser.contexts()) {
      if (!before.has(context)) await context.close().catch(() => undefined)
    }
  }
}

/** @param {{ browser: Browser, origin: string, url: string, waitForQuiet?: WaitForQuiet, log?: Log }} options */
async function measureVitalsIn({
  browser,
  origin,
  url,
  waitForQuiet = standaloneQuiet.waitForQuiet,
  log = console.log,
}) {
  const info = { ...machine(), chromium: browser.version() }

  // The clinician: starts the room, stays for the whole run, 1280×720, drawing every frame.
  const clinician = await newParticipant(browser, origin, LARGE, installCommitCounter)
  const query = '?debug&render=always'
  const invites = await startConsultation(clinician.page, withQuery(url, query), 'clinician')
  await joinCall(clinician.page, 'Bench Clinician')
  /** @type {DesignConstants} */
  const design = await clinician.page.evaluate(() => {
    const call = /** @type {{ __xrConsultCall?: import('../src/call/runtime').DebugCall }} */ (window)
      .__xrConsultCall
    if (!call) throw new Error('no call (?debug) in the clinician page')
    return call.debugConstants()
  })
  /** @type {string[]} */
  const renderers = await clinician.page.evaluate(() => [
    .../** @type {any} */ (window).__REACT_DEVTOOLS_GLOBAL_HOOK__.renderers.values(),
  ])
  log(`React renderers that registered with the hook: ${renderers.join(', ')}`)

  /**
   * Frames per second of each page in one window, with where the CPU went meanwhile: each page's main thread
   * (busy share, JavaScript share) and our Chromium processes by type (cores). Measured again while other
   * processes disturb it.
   * @param {Participant[]} who
   */
  const fpsWindow = async (who, /** @type {string} */ what) => {
    /** @type {{ fps: number, foreign: number }[]} */
    const discarded = []
    for (let attempt = 1; ; attempt++) {
      await waitForQuiet(what)
      const foreign = watchForeignCpu()
      const own = watchOwnCpu()
      const [start, threadsBefore] = await Promise.all([
        Promise.all(who.map((w) => frameCounter(w.page))),
        Promise.all(who.map(mainThread)),
      ])
      await sleep(FPS_WINDOW_MS)
      const [end, threadsAfter] = await Promise.all([
        Promise.all(who.map((w) => frameCounter(w.page))),
        Promise.all(who.map(mainThread)),
      ])
      const share = foreign()
      const cores = own()
      const fps = framesPerSecond(start, end)
      const threads = who.map((_, i) => {
        const seconds = ((end[i]?.at ?? NaN) - (start[i]?.at ?? NaN)) / 1000
        const a = threadsBefore[i]
        const b = threadsAfter[i]
        return {
          busy: ((b?.task ?? NaN) - (a?.task ?? NaN)) / seconds,
          script: ((b?.script ?? NaN) - (a?.script ?? NaN)) / seconds,
        }
      })
      if (share <= DISTURBED_SHARE || attempt > REMEASURE_LIMIT) {
        return { fps, threads, cores, foreign: share, discarded }
      }
      log(`other processes took ${percent(share)} of the CPU in that window: measuring again`)
      discarded.push({ fps: fps[0] ?? NaN, foreign: share })
    }
  }

  /** One long window: commits on the clinician, sends and transport stats on the patient, ECG received. */
  const countWindow = async (
    /** @type {Page} */ patientPage,
    /** @type {string} */ peer,
    /** @type {string} */ what,
  ) => {
    await waitForQuiet(what)
    const foreign = watchForeignCpu()
    const [c0, p0, s0, w0] = await Promise.all([
      pageNow(clinician.page),
      pageNow(patientPage),
      dataTransportStats(patientPage),
      ecgWritten(clinician.page, peer),
    ])
    await sleep(COUNT_WINDOW_MS)
    const [c1, p1, s1, w1] = await Promise.all([
      pageNow(clinician.page),
      pageNow(patientPage),
      dataTransportStats(patientPage),
      ecgWritten(clinician.page, peer),
    ])
    const [commits, sends] = await Promise.all([
      commitsBetween(clinician.page, c0, c1),
      sendsBetween(patientPage, p0, p1),
    ])
    return {
      commits,
      sends,
      transport: transportDelta(s0, s1),
      ecgReceivedPerSecond: (w1 - w0) / ((c1 - c0) / 1000),
      foreign: foreign(),
    }
  }

  /** @typedef {Awaited<ReturnType<typeof countWindow>>} CountWindow */
  /** @type {{ video: CountWindow[], vitals: CountWindow[] }} */
  const counts = { video: [], vitals: [] }
  /** @type {{ video: number[], vitals: number[], patientVideo: number[], patientVitals: number[], foreign: number[] }} */
  const fps = { video: [], vitals: [], patientVideo: [], patientVitals: [], foreign: [] }
  /** @typedef {{ threads: { busy: number, script: number }[], cores: Record<string, number> }} CpuWindow */
  /** @type {{ video: CpuWindow[], vitals: CpuWindow[] }} where the CPU went in the frame-rate windows */
  const cpu = { video: [], vitals: [] }
  /** @type {{ fps: number, foreign: number }[]} */
  const discardedFps = []
  /** @type {Awaited<ReturnType<typeof commitsBetween>>[]} commits from choosing the simulator to the window */
  const mounts = []
  /** @type {string[]} */
  const patientErrors = []
  /** @type {string | undefined} one numerics message as the patient sent it */
  let numericsExample

  for (let run = 1; run <= REPEATS; run++) {
    // A fresh patient each time: once vitals were shared the monitor stays (greyed out) until the patient leaves.
    const patient = await newParticipant(browser, origin, SMALL, installWireCounter, design.frame)
    await openInvite(patient.page, invites.patient ?? '', `Bench Patient ${run}`, query)
    const peer = (await waitForPanels(clinician.page, 1, 60_000))[0]?.peerId
    if (!peer) throw new Error('no panel for the patient')
    await patient.page.getByTestId('participants').locator('[data-testid="participant"]').first().waitFor()
    await sleep(WARMUP_MS)

    // Video alone.
    if (await objectOnScreen(clinician.page, `vitals-numerics:${peer}`)) {
      throw new Error('the monitor is there before the patient shared anything')
    }
    const videoFps = await fpsWindow([clinician, patient], 'a frame-rate window (video alone)')
    discardedFps.push(...videoFps.discarded)
    cpu.video.push({ threads: videoFps.threads, cores: videoFps.cores })
    fps.video.push(videoFps.fps[0] ?? NaN)
    fps.patientVideo.push(videoFps.fps[1] ?? NaN)
    fps.foreign.push(videoFps.foreign)
    const videoCounts = await countWindow(patient.page, peer, 'a counting window (video alone)')
    counts.video.push(videoCounts)

    // The simulator: numerics at 1 Hz, the ECG every 400 ms; the monitor mounts beside the video.
    const selectedAt = await pageNow(clinician.page)
    await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
    await clinician.page.waitForFunction(
      (p) => window.__xrConsult?.objectOnScreen(`vitals-ecg:${p}`)?.inView === true,
      peer,
      { timeout: 30_000 },
    )
    await sleep(WARMUP_MS)
    mounts.push(await commitsBetween(clinician.page, selectedAt, await pageNow(clinician.page)))
    const vitalsFps = await fpsWindow([clinician, patient], 'a frame-rate window (monitor)')
    discardedFps.push(...vitalsFps.discarded)
    cpu.vitals.push({ threads: vitalsFps.threads, cores: vitalsFps.cores })
    fps.vitals.push(vitalsFps.fps[0] ?? NaN)
    fps.patientVitals.push(vitalsFps.fps[1] ?? NaN)
    fps.foreign.push(vitalsFps.foreign)
    const vitalsCounts = await countWindow(patient.page, peer, 'a counting window (vitals streaming)')
    counts.vitals.push(vitalsCounts)
    numericsExample ??= await patient.page.evaluate(
      () =>
        /** @type {string | undefined} */ (/** @type {any} */ (window).__vitalsBenchWire?.examples?.vitals),
    )
    if (!(await objectOnScreen(clinician.page, `vitals-ecg:${peer}`))?.inView) {
      throw new Error('the ECG strip went away during the window')
    }

    log(
      `run ${run}/${REPEATS}: fps video alone ${fixed1(fps.video.at(-1) ?? NaN)}, with the monitor ` +
        `${fixed1(fps.vitals.at(-1) ?? NaN)}; ECG ${rate(vitalsCounts.sends.ecg.bytes / vitalsCounts.sends.seconds)} ` +
        `on ${vitalsCounts.sends.ecg.channels.length} channel(s); commits/s ` +
        `${JSON.stringify(perSecond(videoCounts.commits))} → ${JSON.stringify(perSecond(vitalsCounts.commits))}`,
    )

    // Leave (a `bye`, so the clinician drops the panel at once), and wait until the row has gone too.
    await patient.page.getByTestId('leave').click()
    await sleep(300)
    patientErrors.push(...patient.errors)
    await patient.context.close()
    await waitForPanels(clinician.page, 0, 30_000)
    await clinician.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="participant"]').length === 0,
      undefined,
      { timeout: 30_000 },
    )
  }
  const clinicianErrors = [...clinician.errors]
  await clinician.context.close()
  return {
    info: { ...info, loadAfter: os.loadavg()[0] ?? NaN },
    design,
    renderers,
    counts,
    mounts,
    fps: { ...fps, discarded: discardedFps },
    cpu,
    numericsExample: numericsExample ?? null,
    errors: { clinician: clinicianErrors, patient: patientErrors },
  }
}

/** Commits per second by renderer. @param {{ seconds: number, byRenderer: Record<string, number> }} commits */
function perSecond(commits) {
  /** @type {Record<string, number>} */
  const out = {}
  for (const [renderer, n] of Object.entries(commits.byRenderer)) {
    out[renderer] = Number(fixed2(n / commits.seconds))
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

/** @typedef {Awaited<ReturnType<typeof measureVitals>>} VitalsResults */

/** Sums a field over windows and divides by their total seconds. */
function pooledRate(/** @type {{ seconds: number }[]} */ windows, /** @type {(w: any) => number} */ pick) {
  const seconds = windows.reduce((t, w) => t + w.seconds, 0)
  return windows.reduce((t, w) => t + pick(w), 0) / seconds
}

/** @param {Record<string, { bytes: number }>} table */
function sumValues(table) {
  return Object.values(table).reduce((t, e) => t + e.bytes, 0)
}

/** @param {VitalsResults} r */
function summarize(r) {
  const sendsV = r.counts.vitals.map((w) => w.sends)
  const sendsA = r.counts.video.map((w) => w.sends)
  const receivers = Math.max(1, ...sendsV.map((s) => s.ecg.channels.length))
  const leads = Math.max(1, ...sendsV.flatMap((s) => s.ecg.leads))
  // Per second of signal: the bytes of each frame once (every receiver gets the same) over the seconds of samples
  // they carry. A 20 s window holds 50 or 51 frames; counting by signal time avoids that ±2 % edge.
  const signalSeconds = sendsV.reduce((t, w) => t + w.ecg.signalSeconds, 0)
  const perSignalSecond = (/** @type {(s: typeof sendsV[number]) => number} */ pick) =>
    sendsV.reduce((t, w) => t + pick(w), 0) / signalSeconds / leads
  const ecgPerLead = stats(sendsV.map((w) => w.ecg.uniqueBytes / w.ecg.signalSeconds / leads))
  const ecgPooled = perSignalSecond((w) => w.ecg.uniqueBytes)
  const framesPerSignalSecond = sendsV.reduce((t, w) => t + w.ecg.frames, 0) / signalSeconds
  const textRate = (/** @type {typeof sendsV} */ windows, /** @type {string} */ type) =>
    pooledRate(windows, (s) => s.text[type]?.bytes ?? 0) / receivers
  const textTypes = [...new Set([...sendsA, ...sendsV].flatMap((s) => Object.keys(s.text)))].sort()
  const transportV = r.counts.vitals.map((w) => w.transport)
  const transportA = r.counts.video.map((w) => w.transport)
  const payloadV = pooledRate(transportV, (t) => t.channelBytes)
  const payloadA = pooledRate(transportA, (t) => t.channelBytes)
  const wireV = pooledRate(transportV, (t) => t.transportBytes)
  const wireA = pooledRate(transportA, (t) => t.transportBytes)
  const messagesV = pooledRate(transportV, (t) => t.channelMessages)
  const messagesA = pooledRate(transportA, (t) => t.channelMessages)
  const packetsV = pooledRate(transportV, (t) => t.transportPackets)
  const packetsA = pooledRate(transportA, (t) => t.transportPackets)
  // What streaming added on the wire, and per message it added; the ECG's share: its messages at that cost.
  const addedMessages = messagesV - messagesA
  const overheadPerMessage =
    addedMessages > 0 ? (wireV - wireA - (payloadV - payloadA)) / addedMessages : Number.NaN
  const ecgWirePerLead = ecgPooled + (framesPerSignalSecond * overheadPerMessage) / leads
  const sentByApp = pooledRate(sendsV, (s) => sumValues(s.text) + s.ecg.bytes + sumValues(s.otherBinary))

  const renderersSeen = [
    ...new Set([
      ...r.renderers,
      ...[...r.counts.video, ...r.counts.vitals].flatMap((w) => Object.keys(w.commits.byRenderer)),
    ]),
  ]
  const commitRates = Object.fromEntries(
    renderersSeen.map((renderer) => {
      const ofWindows = (/** @type {typeof r.counts.video} */ ws) =>
        stats(ws.map((w) => (w.commits.byRenderer[renderer] ?? 0) / w.commits.seconds))
      return [renderer, { video: ofWindows(r.counts.video), vitals: ofWindows(r.counts.vitals) }]
    }),
  )
  return {
    receivers,
    leads,
    ecgPerLead,
    ecgPooled,
    ecgWallClock: pooledRate(sendsV, (w) => w.ecg.bytes) / receivers / leads,
    signalSeconds,
    framesPerSecond: pooledRate(sendsV, (w) => w.ecg.frames),
    framesPerSignalSecond,
    samplesPerLeadPerSecond: pooledRate(sendsV, (w) => w.ecg.samplesPerLead),
    naive: {
      counts: perSignalSecond((w) => w.ecg.jsonCounts),
      millivolts: perSignalSecond((w) => w.ecg.jsonMillivolts),
      sampleObjects: perSignalSecond((w) => w.ecg.jsonSampleObjects),
    },
    textTypes,
    textRate: (/** @type {'video' | 'vitals'} */ condition, /** @type {string} */ type) =>
      textRate(condition === 'video' ? sendsA : sendsV, type),
    sentByApp,
    transport: {
      payloadV,
      payloadA,
      wireV,
      wireA,
      messagesV,
      messagesA,
      packetsV,
      packetsA,
      overheadPerMessage,
      ecgWirePerLead,
    },
    ecgReceived: stats(r.counts.vitals.map((w) => w.ecgReceivedPerSecond)),
    commitRates,
    fps: { video: stats(r.fps.video), vitals: stats(r.fps.vitals) },
    patientFps: { video: stats(r.fps.patientVideo), vitals: stats(r.fps.patientVitals) },
  }
}

/**
 * Components that rendered, with how many commits they rendered in, over some windows.
 * @param {{ components: Record<string, Record<string, number>>, seconds: number }[]} windows
 */
function componentTable(windows) {
  /** @type {Map<string, number>} */
  const tally = new Map()
  const seconds = windows.reduce((t, w) => t + w.seconds, 0)
  for (const w of windows) {
    for (const [renderer, components] of Object.entries(w.components)) {
      for (const [name, n] of Object.entries(components)) {
        const key = `${renderer}: ${name}`
        tally.set(key, (tally.get(key) ?? 0) + n)
      }
    }
  }
  return [...tally.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => ({ name, n, perSecond: n / seconds }))
}

/**
 * The Markdown section for the results of `measureVitals`.
 * @param {VitalsResults} r
 */
export function renderVitals(r) {
  const s = summarize(r)
  const i = r.info
  const verdict = (/** @type {boolean} */ ok) => (ok ? 'meets target' : 'MISSES target')
  const fpsSamples = (/** @type {number[]} */ values) => values.map(fixed1).join(', ')
  const rateSamples = (/** @type {number[]} */ values) => values.map((v) => Math.round(v)).join(', ')
  const ratio = (/** @type {number} */ a, /** @type {number} */ b) => `${(a / b).toFixed(2)}×`
  const windowSeconds = COUNT_WINDOW_MS / 1000
  const renderers = Object.keys(s.commitRates)
  const commitCell = (/** @type {'video' | 'vitals'} */ condition) =>
    renderers.map((name) => `${name} ${fixed2(s.commitRates[name]?.[condition].median ?? NaN)}/s`).join(', ')
  const commitDiff = renderers
    .map((name) => {
      const c = s.commitRates[name]
      const difference = c ? Number(fixed2(c.vitals.median - c.video.median)) : NaN
      return `${name} ${difference > 0 ? '+' : ''}${fixed2(difference === 0 ? 0 : difference)}/s`
    })
    .join(', ')
  const vitalsOnlyComponents = (() => {
    const video = new Set(componentTable(r.counts.video.map((w) => w.commits)).map((c) => c.name))
    return componentTable(r.counts.vitals.map((w) => w.commits)).filter((c) => !video.has(c.name))
  })()
  const disturbedFps = r.fps.foreign.filter((share) => share > DISTURBED_SHARE).length
  const disturbedCounts = [...r.counts.video, ...r.counts.vitals].filter(
    (w) => w.foreign > DISTURBED_SHARE,
  ).length
  const mountCommits = r.mounts.map((m) =>
    Object.entries(m.byRenderer)
      .map(([name, n]) => `${name} ${n}`)
      .join(', '),
  )
  const mountComponents = componentTable(r.mounts)

  /** @typedef {VitalsResults['cpu']['video'][number]} CpuWindow */
  /** Median over a condition's frame-rate windows of one CPU figure. */
  const cpuMedian = (
    /** @type {'video' | 'vitals'} */ condition,
    /** @type {(w: CpuWindow) => number} */ pick,
  ) => stats(r.cpu[condition].map(pick)).median
  const kinds = [...new Set([...r.cpu.video, ...r.cpu.vitals].flatMap((w) => Object.keys(w.cores)))].sort()
  /** @type {[string, (w: CpuWindow) => number, (v: number) => string][]} */
  const cpuLines = [
    ["Clinician page's main thread, busy (share of one core)", (w) => w.threads[0]?.busy ?? NaN, percent],
    ['… of which JavaScript', (w) => w.threads[0]?.script ?? NaN, percent],
    ["Patient page's main thread, busy", (w) => w.threads[1]?.busy ?? NaN, percent],
    ['… of which JavaScript', (w) => w.threads[1]?.script ?? NaN, percent],
    ...kinds.map(
      (kind) =>
        /** @type {[string, (w: CpuWindow) => number, (v: number) => string]} */ ([
          `${CPU_KIND_LABELS[kind] ?? kind}, cores`,
          (w) => w.cores[kind] ?? 0,
          fixed2,
        ]),
    ),
    [
      `All of these processes, cores (of ${i.cores})`,
      (w) => Object.values(w.cores).reduce((t, c) => t + c, 0),
      fixed2,
    ],
  ]
  const cpuRows = cpuLines.map(
    ([what, pick, format]) =>
      `| ${what} | ${format(cpuMedian('video', pick))} | ${format(cpuMedian('vitals', pick))} |`,
  )

  const rows = [
    ['Measurement', 'Result', 'Baseline (same run)', 'Ratio', 'Target'],
    [
      'ECG on the data channel, bytes/s per lead (frames as sent)',
      rate(s.ecgPooled),
      `same samples as naive JSON: ${rate(s.naive.counts)} (400 ms batches, µV integers), ` +
        `${rate(s.naive.millivolts)} (batches, mV), ${rate(s.naive.sampleObjects)} (\`[{t,v},…]\`, mV)`,
      `${ratio(s.ecgPooled, s.naive.counts)} / ${ratio(s.ecgPooled, s.naive.millivolts)} / ${ratio(s.ecgPooled, s.naive.sampleObjects)}`,
      `≤ ${TARGET_ECG_BYTES_PER_LEAD} B/s: ${verdict(s.ecgPooled <= TARGET_ECG_BYTES_PER_LEAD)}`,
    ],
    [
      'ECG on the wire incl. SCTP/DTLS, bytes/s per lead (estimate from getStats)',
      rate(s.transport.ecgWirePerLead),
      `frames alone: ${rate(s.ecgPooled)}`,
      ratio(s.transport.ecgWirePerLead, s.ecgPooled),
      `(target is for frames) ${s.transport.ecgWirePerLead <= TARGET_ECG_BYTES_PER_LEAD ? 'within' : 'over'} ${TARGET_ECG_BYTES_PER_LEAD} B/s`,
    ],
    [
      "React commits/s on the clinician's page while vitals stream (median of windows)",
      commitCell('vitals'),
      `same call, no vitals: ${commitCell('video')}`,
      `difference: ${commitDiff}`,
      'none outside the panels’ mount',
    ],
    [
      `FPS at 1280×720, video + monitor + sweeping ECG, median of ${r.fps.vitals.length}`,
      fixed1(s.fps.vitals.median),
      `video alone: ${fixed1(s.fps.video.median)}`,
      ratio(s.fps.vitals.median, s.fps.video.median),
      'none set',
    ],
  ]
  const table = rows.map((row) => `| ${row.join(' | ')} |`)
  table.splice(1, 0, `|${rows[0]?.map(() => '---').join('|')}|`)

  const textRows = s.textTypes.map(
    (type) => `| \`${type}\` | ${rate(s.textRate('video', type))} | ${rate(s.textRate('vitals', type))} |`,
  )
  const componentRows = (/** @type {ReturnType<typeof componentTable>} */ list) =>
    list.length === 0
      ? '| (none) | | |'
      : list.map((c) => `| ${c.name.replaceAll('|', '\\|')} | ${c.n} | ${fixed2(c.perSecond)} |`).join('\n')
  const warnings = [
    disturbedFps > 0 &&
      `**Other processes took more than ${percent(DISTURBED_SHARE)} of the CPU in ${disturbedFps} of ${r.fps.foreign.length} ` +
        'frame-rate windows** even after measuring them again: those frame rates are skewed.',
    disturbedCounts > 0 &&
      `Other processes took more than ${percent(DISTURBED_SHARE)} of the CPU in ${disturbedCounts} of ` +
        `${r.counts.video.length + r.counts.vitals.length} counting windows; bytes and commits do not depend on the CPU, ` +
        'so they were not measured again.',
    r.errors.clinician.length > 0 && `The clinician's page logged errors: ${r.errors.clinician.join('; ')}`,
    r.errors.patient.length > 0 && `The patient's pages logged errors: ${r.errors.patient.join('; ')}`,
  ].filter((w) => typeof w === 'string')

  return `## Live vitals: bytes on the wire, React commits, frame rate

Written by \`node bench/vitals.mjs\` (bench/vitals.mjs). Every baseline was measured in the same run, on the same
machine, in the same call.

- Date: ${i.date}
- Machine: ${i.cpu}, ${i.cores} cores, ${i.memory} RAM; Node ${i.node}; Chromium ${i.chromium} (headless, SwiftShader WebGL)
- Code: commit ${i.commit}${i.dirty ? ' plus uncommitted changes' : ''}; load average (1 min) ${i.loadBefore.toFixed(2)} at the start, ${i.loadAfter.toFixed(2)} at the end
- CPU share of other processes per window (frame-rate windows, then counting windows without and with vitals): ${r.fps.foreign.map(percent).join(', ')}; ${r.counts.video.map((w) => percent(w.foreign)).join(', ')}; ${r.counts.vitals.map((w) => percent(w.foreign)).join(', ')}
${warnings.map((w) => `\n> ${w}`).join('\n')}

${table.join('\n')}

How the call was set up: one server, one headless Chromium, a clinician page (1280×720, \`?debug&render=always\`)
that starts the room and stays, and ${REPEATS} times in turn a fresh patient page (640×360, \`?debug&render=always\`,
its own browser context) that joins, is measured without vitals, then chooses _Simulator: Normal_
(\`vitals-source\` = \`sim:normal\`) and is measured again, then clicks Leave. A fresh patient each time because
once vitals were shared the clinician's monitor stays (greyed out) until that participant leaves. Without and with
vitals alternate, so drift hits both alike. Before every window the run waits for other processes to go quiet.

### 1. ECG bytes per second per lead

Counted on the patient's page by wrapping \`RTCDataChannel.prototype.send\` (an init script): binary messages
starting with the frame magic and kind 1 are ECG waveform frames (src/net/frames.ts); text messages are the JSON
protocol, counted by \`type\`. The app's data connections use PeerJS's \`raw\` serialization, so these are exactly
the bytes handed to the data channel. ${s.leads} lead(s), ${s.receivers} receiving peer(s); ${windowSeconds} s windows × ${r.counts.vitals.length}.

- ECG frames: **${rate(s.ecgPooled)} per lead** per second of signal (the bytes of every frame sent in the windows over the
  ${fixed1(s.signalSeconds)} s of samples they carry; windows: ${rateSamples(s.ecgPerLead.samples)}), ${fixed2(s.framesPerSignalSecond)} frames per second of signal. By the wall clock
  over the windows: ${rate(s.ecgWallClock)} per lead and receiver, ${fixed2(s.framesPerSecond)} frames/s, ${fixed1(s.samplesPerLeadPerSecond)} samples/s per lead (a window holds
  50 or 51 frames, hence the small difference). Design figure, \`waveformBytesPerSecond({ sampleRateHz: ${r.design.ecg.sampleRateHz}, batchMs: ${r.design.ecg.batchMs} })\` in
  src/net/frames.ts: ${r.design.ecg.bytesPerSecondPerLead} B/s.
- The clinician's page received ${fixed1(s.ecgReceived.median)} ECG samples/s (its \`VitalsFeed\`, median of windows).
- Baseline, computed in the page on the very samples of each frame sent (once per frame):
  \`JSON.stringify({ type: 'ecg', t: capturedAt, samples })\` per ${r.design.ecg.batchMs} ms batch with the samples as integer µV (the
  simulator's units) ${rate(s.naive.counts)}, or as mV numbers ${rate(s.naive.millivolts)}; one object per sample,
  \`JSON.stringify([{ t, v }, …])\` (t in epoch ms, v in mV) ${rate(s.naive.sampleObjects)}. JSON of this ASCII is 1 byte per character.
- On the wire: getStats of the patient's data connection (PeerJS gives it its own RTCPeerConnection). Its
  \`data-channel\` \`bytesSent\` counts payload only (${rate(s.transport.payloadA)} without vitals, ${rate(s.transport.payloadV)} with them: it agrees with the
  sum of sends, ${rate(s.sentByApp)} with vitals); its \`transport\` \`bytesSent\` counts the DTLS records that carry the SCTP
  packets (IP/UDP headers, 28 bytes a packet over IPv4, and ICE checks not included): ${rate(s.transport.wireA)} without vitals, ${rate(s.transport.wireV)} with them,
  ${fixed1(s.transport.packetsA)} → ${fixed1(s.transport.packetsV)} packets/s, ${fixed1(s.transport.messagesA)} → ${fixed1(s.transport.messagesV)} messages/s. What streaming added cost
  ${fixed1(s.transport.overheadPerMessage)} bytes of SCTP/DTLS per message it added; at that cost the ECG's ${fixed2(s.framesPerSignalSecond)} messages per second of signal (per receiver) come to
  **${rate(s.transport.ecgWirePerLead)} per lead on the wire incl. overhead** (an estimate: the transport is shared with the numerics and
  the protocol's own messages, and SCTP may bundle or acknowledge differently).

JSON messages the patient sent, bytes/s per receiving peer (the numerics are \`vitals\`):

| type | without vitals | with vitals |
|---|---|---|
${textRows.join('\n')}
${
  r.numericsExample
    ? `\nOne numerics message as sent, compact (${new TextEncoder().encode(r.numericsExample).length} bytes):\n\n\`\`\`text\n${r.numericsExample}\n\`\`\`\n`
    : ''
}
### 2. React commits on the clinician's page

An init script installs a minimal \`window.__REACT_DEVTOOLS_GLOBAL_HOOK__\` before the app loads. React DOM 19's
production build and the reconciler bundled in @react-three/fiber both call \`hook.inject\` when they load and
\`hook.onCommitFiberRoot\` after every commit (checked in node_modules: react-dom-client.production.js and R3F's
events chunk), so commits are counted per renderer: ${r.renderers.join(', ')}. For each commit the hook walks the
parts of the tree the commit touched and lists the components that rendered (function/class components that
performed work or mounted); names are minified in the production build, so each is shown with the first DOM element
or three.js object it renders.

| renderer | commits/s without vitals (windows) | with vitals streaming (windows) |
|---|---|---|
${renderers
  .map((name) => {
    const c = s.commitRates[name]
    return `| ${name} | ${fixed2(c?.video.median ?? NaN)} (${(c?.video.samples ?? []).map(fixed2).join(', ')}) | ${fixed2(c?.vitals.median ?? NaN)} (${(c?.vitals.samples ?? []).map(fixed2).join(', ')}) |`
  })
  .join('\n')}

Commits from choosing the simulator until the window started (the monitor's mount, ${WARMUP_MS / 1000} s of settling included),
per run: ${mountCommits.map((m) => m || 'none').join('; ')}. Components rendering in them:

| component (renderer: minified name → what it renders) | commits it rendered in | per second of that phase |
|---|---|---|
${componentRows(mountComponents)}

Components rendering in the windows **with vitals streaming** (count over ${r.counts.vitals.length} × ${windowSeconds} s, and per second):

| component (renderer: minified name → what it renders) | commits it rendered in | per second |
|---|---|---|
${componentRows(componentTable(r.counts.vitals.map((w) => w.commits)))}

And **without vitals**:

| component (renderer: minified name → what it renders) | commits it rendered in | per second |
|---|---|---|
${componentRows(componentTable(r.counts.video.map((w) => w.commits)))}

Components that rendered only while vitals streamed: ${
    vitalsOnlyComponents.length === 0
      ? 'none.'
      : vitalsOnlyComponents.map((c) => `${c.name} (${fixed2(c.perSecond)}/s)`).join('; ')
  }

### 3. Frames per second: monitor beside the video vs the video alone

| | median | samples |
|---|---|---|
| Clinician, video + monitor + sweeping ECG | ${fixed1(s.fps.vitals.median)} | ${fpsSamples(s.fps.vitals.samples)} |
| Clinician, video alone | ${fixed1(s.fps.video.median)} | ${fpsSamples(s.fps.video.samples)} |
| (patient page at 640×360 in the same windows: sharing / not sharing) | ${fixed1(s.patientFps.vitals.median)} / ${fixed1(s.patientFps.video.median)} | ${fpsSamples(s.patientFps.vitals.samples)} / ${fpsSamples(s.patientFps.video.samples)} |

Ratio monitor / video alone: ${ratio(s.fps.vitals.median, s.fps.video.median)}. Frames per second are \`window.__xrConsult.frames\` read at t
and t + ${FPS_WINDOW_MS / 1000} s on the clinician's page (\`?render=always\`: the scene draws every display frame), divided by
that page's own elapsed time, ${WARMUP_MS / 1000} s after the video (or the monitor) appeared. Both pages render in software
(SwiftShader) on the same cores, and the "with the monitor" condition also carries the patient's simulator and
sending; the ratio is the cost of the whole feature on this machine, not of drawing the strip alone.${
    r.fps.discarded.length > 0
      ? ` Windows measured again because other processes took over ${percent(DISTURBED_SHARE)} of the CPU (not counted): ` +
        `${r.fps.discarded.map((d) => `${fixed1(d.fps)} fps (${percent(d.foreign)} taken)`).join('; ')}.`
      : ''
  }

Where the CPU went in the same windows (medians): each page's main thread from Chromium's own counters
(\`Performance.getMetrics\`: TaskDuration, ScriptDuration), and this run's Chromium processes by type from /proc. With
\`?render=always\` both pages draw as fast as they can, so their main threads are busy nearly all the time whatever is
drawn and the processes together use what the machine has: the frame rate then shows what each frame costs.

| | video alone | video + monitor |
|---|---|---|
${cpuRows.join('\n')}
`
}

// ---------------------------------------------------------------------------------------------------------------
// Standalone: a private copy of the build, the app's server on a free port, Chromium (all from bench/common.mjs)

async function main() {
  const snapshot = await snapshotApp()
  /** @type {Awaited<ReturnType<typeof startAppServer>> | undefined} */
  let server
  /** @type {Browser | undefined} */
  let browser
  try {
    if (snapshot.dist.developmentBuild) console.warn('warning: dist/ is a development build (jsxDEV)')
    const start = await standaloneQuiet.waitForQuiet('starting')
    if (start > DISTURBED_SHARE) console.warn(`warning: other processes use ${percent(start)} of the CPU`)
    const app = await startAppServer({ appDir: snapshot.dir })
    server = app
    browser = await launchChromium()
    const results = await measureVitals({ browser, origin: app.origin, url: app.url })
    const markdown = renderVitals(results)
    console.log(`\n${markdown}`)
    const out = path.join(root, 'bench/vitals-results.md')
    writeFileSync(
      out,
      snapshot.dist.developmentBuild
        ? markdown.replace('\n\n', '\n\n> **dist/ was a development build**: not what users get.\n\n')
        : markdown,
    )
    // Biome formats Markdown too (aligned tables): format the file so that `biome check .` stays clean.
    try {
      execFileSync(
        process.execPath,
        [path.join(root, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', out],
        { cwd: root, stdio: 'ignore' },
      )
    } catch {
      console.warn('could not format it with Biome; run `npx biome check --write .`')
    }
    console.log(`wrote ${path.relative(process.cwd(), out)}`)
  } finally {
    await browser?.close().catch(() => undefined)
    await server?.stop()
    removeSnapshot(snapshot.dir)
  }
}

// Only when run as a script: bench/run.mjs or a check may import measureVitals and renderVitals.
runIfMain(import.meta.url, main)
