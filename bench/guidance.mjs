// @ts-check
// Issue 5's numbers (remote guidance), measured by bench/run.mjs in the same browser, against the same server and
// build as the others:
//   7. Mark made → drawn on the other side: a specialist's page (rendering every frame) places a pin on the
//      worker's shared surface; the worker's page, in an emulated AR session (IWER + the synthetic office, so it
//      renders every XR frame), holds it in its store and then draws it. Median and p95 of both, and the delivery
//      part (made → in the worker's store) against the same JSON text sent one way on a raw RTCDataChannel between
//      the same two pages, sampled alternately.
//   8. Frames per second of the specialist's view (worker's room in miniature, every frame drawn) with one
//      2,000-point stroke in the scene against none, in alternating windows of the same run.
// run.mjs hands in its browser, server and quiet-CPU waits; this module drives the pages (participants and the
// lobby from bench/common.mjs) and renders its section of BENCHMARKS.md.
import { setTimeout as sleep } from 'node:timers/promises'
import {
  frameCounter,
  joinCall,
  newParticipant,
  openInvite,
  spread,
  startConsultation,
  withQuery,
} from './common.mjs'
import { openRawPair } from './raw-pair.mjs'

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../src/scenes/scene-probe-types').SceneProbe} SceneProbe (declares window.__xrConsult) */
/** @typedef {[number, number, number]} Vec3 */
/**
 * What the benchmark uses of a page opened with `?debug`.
 * @typedef {{
 *   actions: {
 *     pointerDown(target: { point: Vec3, normal: Vec3 | null, approximate: boolean }): void,
 *     pointerMove(target: { point: Vec3, normal: Vec3 | null, approximate: boolean }): void,
 *     pointerUp(): void,
 *     setTool(tool: string): void,
 *     clearAll(): void,
 *   },
 *   space: {
 *     sharingPeer(peerIds: string[]): string | null,
 *     get(peerId: string): { surfaces: Map<string, any>, head: { position: Vec3 } | null } | undefined,
 *   },
 *   consultStore: { getState(): any, subscribe(listener: (state: any) => void): () => void },
 * }} DebugGuidance
 */
/**
 * @typedef {Window & {
 *   __xrConsultGuidance?: DebugGuidance,
 *   __xrConsultCall?: { debugView(): { links: { ready: boolean }[] } },
 *   __benchRaw?: import('./raw-pair.mjs').RawChannel,
 *   __benchArrivals?: Map<string, number>,
 *   __benchHeld?: Map<string, number>,
 * }} BenchWindow
 */
/** @typedef {{ median: number, p95: number, min: number, max: number, samples: number[] }} Spread */
/**
 * What run.mjs lends this module.
 * @typedef {{
 *   browser: Browser,
 *   app: { url: string, origin: string },
 *   waitForQuiet: (before: string) => Promise<number>,
 *   watchForeignCpu: () => () => number,
 * }} Deps
 */

const VIEWPORT = { width: 1280, height: 720 }
/** Marks measured, each alternated with one raw message. */
const MARK_SAMPLES = Number(process.env.MARKS ?? 30)
/** Pause between samples, ms, with ± jitter so samples do not lock onto frame or heartbeat phases. */
const GAP_MS = 400
const JITTER_MS = 150
/** A mark not drawn within this is counted lost, ms. */
const MARK_TIMEOUT_MS = 10_000
/** Points in the heavy stroke: the model's limit per stroke. */
const STROKE_POINTS = 2000
/** FPS windows: this many pairs (none, stroke), each window this long. */
const FPS_PAIRS = Number(process.env.FPS_PAIRS ?? 3)
const FPS_WINDOW_MS = 5000

// ---------------------------------------------------------------------------------------------------------------
// In the pages (each function runs in the browser: nothing from this module's scope)

/** Page B: notes when each annotation first appears in the store, epoch ms. */
function watchStore() {
  const w = /** @type {BenchWindow} */ (window)
  const guidance = w.__xrConsultGuidance
  if (!guidance) throw new Error('no ?debug guidance')
  /** @type {Map<string, number>} */
  const held = new Map()
  w.__benchHeld = held
  guidance.consultStore.subscribe((state) => {
    const at = performance.timeOrigin + performance.now()
    for (const id of state.annotations.records.keys()) if (!held.has(id)) held.set(id, at)
  })
}

/**
 * Page A: places a pin at `point` on the worker's surface and returns its id and when it was made (epoch ms); the
 * op is applied here and sent in the same task.
 * @param {{ point: Vec3, normal: Vec3 }} o
 */
async function makeMark(o) {
  const w = /** @type {BenchWindow} */ (window)
  const guidance = w.__xrConsultGuidance
  if (!guidance) throw new Error('no ?debug guidance')
  guidance.actions.setTool('pin')
  const before = new Set(guidance.consultStore.getState().annotations.records.keys())
  const madeAt = performance.timeOrigin + performance.now()
  guidance.actions.pointerDown({ point: o.point, normal: o.normal, approximate: false })
  guidance.actions.pointerUp()
  // Our own op is signed (WebCrypto, asynchronous) before it is applied here and sent: the pin appears a moment
  // after the click, and that moment is part of the delivery measured from `madeAt`.
  const added = () =>
    [...guidance.consultStore.getState().annotations.records.keys()].find((k) => !before.has(k))
  for (let tries = 0; tries < 500 && added() === undefined; tries++)
    await new Promise((resolve) => setTimeout(resolve, 10))
  return { id: added() ?? '', madeAt }
}

/** Page A: one raw message of `length` characters, unique by its start; returns its key and send time. */
function sendRaw(/** @type {number} */ length) {
  const raw = /** @type {BenchWindow} */ (window).__benchRaw
  if (!raw) throw new Error('no baseline connection')
  const sentAt = performance.timeOrigin + performance.now()
  const start = `{"raw":${sentAt}`
  const text = `${start}${' '.repeat(Math.max(0, length - start.length - 1))}}`
  raw.channel.send(text)
  // The receiver files arrivals by the text's first 64 characters.
  return { key: text.slice(0, 64), sentAt }
}

/** Page B: when the probe saw `name` drawn (epoch ms), or null. */
function drawnAt(/** @type {string} */ name) {
  const at = window.__xrConsult?.drawnAt[name]
  return at === undefined ? null : performance.timeOrigin + at
}

/** Page A: draws one stroke of `count` points over the floor of the worker's room through the guidance actions. */
async function drawLongStroke(/** @type {{ count: number, y: number }} */ o) {
  const guidance = /** @type {BenchWindow} */ (window).__xrConsultGuidance
  if (!guidance) throw new Error('no ?debug guidance')
  guidance.actions.setTool('stroke')
  // A spiral on the floor, 4 mm between points (above the 3 mm the app skips).
  const at = (/** @type {number} */ i) => {
    const turn = i / 60
    const radius = 0.2 + i * 0.0004
    return /** @type {Vec3} */ ([
      radius * Math.cos(turn * 2 * Math.PI),
      o.y,
      radius * Math.sin(turn * 2 * Math.PI) - 0.5,
    ])
  }
  guidance.actions.pointerDown({ point: at(0), normal: [0, 1, 0], approximate: false })
  for (let i = 1; i < o.count; i++)
    guidance.actions.pointerMove({ point: at(i), normal: [0, 1, 0], approximate: false })
  guidance.actions.pointerUp()
  // The stroke's pieces are signed ops, applied once signed: wait until its length stops growing.
  const longest = () => {
    let points = 0
    for (const record of guidance.consultStore.getState().annotations.records.values())
      points = Math.max(points, record.points.length)
    return points
  }
  let last = -1
  for (let tries = 0; tries < 200 && (longest() === 0 || longest() !== last); tries++) {
    last = longest()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return longest()
}

// ---------------------------------------------------------------------------------------------------------------
// Setting up the call

/**
 * The specialist (A, every frame drawn) and the worker (B, in emulated AR in the synthetic office), in one room;
 * resolves once A holds B's shared surfaces and head pose.
 * @param {Deps} deps
 */
async function startGuidanceCall(deps) {
  const a = await newParticipant(deps.browser, { origin: deps.app.origin, viewport: VIEWPORT })
  const invites = await startConsultation(
    a.page,
    withQuery(deps.app.url, '?debug&render=always'),
    'specialist',
  )
  await joinCall(a.page, 'Bench specialist')
  // 800x450: the emulated headset renders two eyes in software (as in the XR browser tests).
  const b = await newParticipant(deps.browser, {
    origin: deps.app.origin,
    viewport: { width: 800, height: 450 },
  })
  await openInvite(
    b.page,
    invites.worker ?? '',
    'Bench worker',
    '?debug&emulate=quest3&devui=0&env=office_small',
  )
  await b.page.getByTestId('enter-ar').click({ timeout: 60_000 })
  await b.page.waitForFunction(() => (window.__xrConsult?.xrFrames ?? 0) > 10, undefined, { timeout: 60_000 })
  await a.page.waitForFunction(
    () => {
      const g = /** @type {BenchWindow} */ (window).__xrConsultGuidance
      const peers = Object.keys(g?.consultStore.getState().participants ?? {})
      const peer = g?.space.sharingPeer(peers)
      const space = peer ? g?.space.get(peer) : undefined
      return (space?.surfaces.size ?? 0) > 0 && space?.head != null
    },
    undefined,
    { timeout: 60_000, polling: 200 },
  )
  return { a, b }
}

/**
 * A point on the worker's floor in front of them (from the surfaces A received), and the floor's height.
 * @param {Page} page
 */
function floorPoint(page) {
  return page.evaluate(() => {
    const g = /** @type {BenchWindow} */ (window).__xrConsultGuidance
    if (!g) throw new Error('no ?debug guidance')
    const peers = Object.keys(g.consultStore.getState().participants)
    const peer = g.space.sharingPeer(peers)
    const space = peer ? g.space.get(peer) : undefined
    if (!space) throw new Error('no shared space')
    for (const surface of space.surfaces.values()) {
      if (surface.kind === 'plane' && /floor/i.test(surface.label)) {
        const y = surface.position[1]
        return { point: /** @type {Vec3} */ ([surface.position[0], y, surface.position[2]]), y }
      }
    }
    return { point: /** @type {Vec3} */ ([0, 0, -0.5]), y: 0 }
  })
}

// ---------------------------------------------------------------------------------------------------------------
// 7 and 8

/** @param {Deps} deps */
export async function measureGuidance(deps) {
  await deps.waitForQuiet('guidance')
  const { a, b } = await startGuidanceCall(deps)
  try {
    await openRawPair(a.page, b.page, { label: 'bench-oneway', mode: 'arrivals' })
    await b.page.evaluate(watchStore)
    const { point, y } = await floorPoint(a.page)

    /** @type {{ delivered: number, drawn: number }[]} */
    const marks = []
    /** @type {number[]} */
    const raw = []
    let lost = 0
    const foreign = deps.watchForeignCpu()
    for (let i = 0; i < MARK_SAMPLES; i++) {
      await sleep(GAP_MS + (Math.random() * 2 - 1) * JITTER_MS)
      const offset = /** @type {Vec3} */ ([
        point[0] + (i % 6) * 0.05,
        point[1],
        point[2] - Math.floor(i / 6) * 0.05,
      ])
      const { id, madeAt } = await a.page.evaluate(makeMark, {
        point: offset,
        normal: /** @type {Vec3} */ ([0, 1, 0]),
      })
      const name = `annotation:${id}`
      await b.page.evaluate((n) => window.__xrConsult?.watch(n), name)
      const drawn = await b.page
        .waitForFunction(drawnAt, name, { timeout: MARK_TIMEOUT_MS, polling: 20 })
        .then((handle) => /** @type {Promise<number>} */ (handle.jsonValue()))
        .catch(() => null)
      const held = await b.page.evaluate(
        (k) => /** @type {BenchWindow} */ (window).__benchHeld?.get(k) ?? null,
        id,
      )
      if (drawn === null || held === null) lost++
      else marks.push({ delivered: held - madeAt, drawn: drawn - madeAt })

      await sleep(GAP_MS + (Math.random() * 2 - 1) * JITTER_MS)
      // An ops message holding one pin is about 400 characters of JSON.
      const sent = await a.page.evaluate(sendRaw, 400)
      const arrived = await b.page
        .waitForFunction(
          (k) => /** @type {BenchWindow} */ (window).__benchArrivals?.get(k) ?? null,
          sent.key,
          { timeout: MARK_TIMEOUT_MS, polling: 20 },
        )
        .then((handle) => /** @type {Promise<number>} */ (handle.jsonValue()))
        .catch(() => null)
      if (arrived !== null) raw.push(arrived - sent.sentAt)
    }
    const markForeign = foreign()

    // 8. Frames per second of A's view: none, then one 2,000-point stroke, alternately.
    /** @type {{ none: number[], stroke: number[] }} */
    const fps = { none: [], stroke: [] }
    let strokePoints = 0
    await a.page.evaluate(() => /** @type {BenchWindow} */ (window).__xrConsultGuidance?.actions.clearAll())
    const fpsForeign = deps.watchForeignCpu()
    for (let pair = 0; pair < FPS_PAIRS; pair++) {
      fps.none.push(await framesPerSecond(a.page))
      strokePoints = await a.page.evaluate(drawLongStroke, { count: STROKE_POINTS, y })
      await sleep(1000)
      fps.stroke.push(await framesPerSecond(a.page))
      await a.page.evaluate(() => /** @type {BenchWindow} */ (window).__xrConsultGuidance?.actions.clearAll())
      await sleep(1000)
    }
    return {
      made: MARK_SAMPLES,
      lost,
      delivered: spread(marks.map((m) => m.delivered)),
      drawn: spread(marks.map((m) => m.drawn)),
      raw: spread(raw),
      markForeign,
      fps: { none: spread(fps.none), stroke: spread(fps.stroke), strokePoints },
      fpsForeign: fpsForeign(),
    }
  } finally {
    await Promise.all([a, b].map((p) => p.context.close().catch(() => undefined)))
  }
}

/** Frames the page's scene drew in one window, per second. @param {Page} page */
async function framesPerSecond(page) {
  const start = await frameCounter(page)
  await sleep(FPS_WINDOW_MS)
  const end = await frameCounter(page)
  return ((end.frames - start.frames) * 1000) / (end.at - start.at)
}

/** @typedef {Awaited<ReturnType<typeof measureGuidance>>} GuidanceResults */

// ---------------------------------------------------------------------------------------------------------------
// Reporting

/** @param {number} ms */
const ms1 = (ms) => `${ms.toFixed(1)} ms`

/**
 * The console lines and the markdown section of issue 5.
 * @param {GuidanceResults} g @param {number} disturbedShare
 */
export function renderGuidance(g, disturbedShare) {
  const ratio = g.delivered.median / g.raw.median
  const fpsRatio = g.fps.stroke.median / g.fps.none.median
  const busy = (/** @type {number} */ share) =>
    share > disturbedShare ? ` (other processes took ${Math.round(share * 100)} % of the CPU: disturbed)` : ''
  const lines = [
    `mark made → in the worker's store: median ${ms1(g.delivered.median)}, p95 ${ms1(g.delivered.p95)}; raw data channel one way: median ${ms1(g.raw.median)}, p95 ${ms1(g.raw.p95)} (${ratio.toFixed(2)}×)`,
    `mark made → drawn in the worker's XR frame: median ${ms1(g.drawn.median)}, p95 ${ms1(g.drawn.p95)} (${g.lost} of ${g.made} lost)`,
    `specialist's view: ${g.fps.stroke.median.toFixed(1)} fps with a ${g.fps.strokePoints}-point stroke vs ${g.fps.none.median.toFixed(1)} fps without (${fpsRatio.toFixed(2)}×)`,
  ]
  const markdown = `## Remote guidance (issue 5)

Two pages on loopback: a specialist (1280×720, \`?render=always\`: every frame drawn, the worker's room in miniature)
and an on-site worker in an emulated immersive-ar session (IWER Quest 3 with the synthetic \`office_small\` room,
800×450, XR frames drawn in software). ${g.made} pins placed on the worker's floor through the specialist's
guidance actions, each alternated with one 400-character message on a raw RTCDataChannel between the same pages
(no PeerJS, no parsing), sent and timed the same way (epoch ms from \`performance.timeOrigin + now()\`).${busy(g.markForeign)}

| | median | p95 | min | max |
|---|---|---|---|---|
| Mark made → held in the worker's store (delivery) | ${ms1(g.delivered.median)} | ${ms1(g.delivered.p95)} | ${ms1(g.delivered.min)} | ${ms1(g.delivered.max)} |
| Raw data channel, one way, same pages (baseline) | ${ms1(g.raw.median)} | ${ms1(g.raw.p95)} | ${ms1(g.raw.min)} | ${ms1(g.raw.max)} |
| Mark made → first XR frame that draws it | ${ms1(g.drawn.median)} | ${ms1(g.drawn.p95)} | ${ms1(g.drawn.min)} | ${ms1(g.drawn.max)} |

Delivery against the raw channel: ${ratio.toFixed(2)}× at the median. Lost marks: ${g.lost} of ${g.made}.

Frames per second of the specialist's view, ${g.fps.none.samples.length} alternating ${FPS_WINDOW_MS / 1000} s windows
each: ${g.fps.none.median.toFixed(1)} fps with no annotation, ${g.fps.stroke.median.toFixed(1)} fps with one
${g.fps.strokePoints}-point stroke (${fpsRatio.toFixed(2)}×; windows: none ${g.fps.none.samples
    .map((v) => v.toFixed(1))
    .join(', ')}; stroke ${g.fps.stroke.samples.map((v) => v.toFixed(1)).join(', ')}).${busy(g.fpsForeign)}
`
  return { lines, markdown }
}
