// What React Three Fiber's root store would otherwise keep of objects that have left the scene.
//
// R3F's root store is a zustand store, and zustand keeps the state it was created with (getInitialState). When
// the canvas mounts, R3F replaces `internal` by a copy (`{ ...state.internal, active: true }`) whose arrays are
// the original's own objects: `subscribers` (one entry per useFrame, and per uikit root component) and
// `interaction` (every object with a pointer handler). Both are appended to in place and replaced by a filtered
// copy when something leaves, so the array the original still points at keeps whatever was added before the
// first removal, for the canvas's whole life. Measured (bench/long-call.mjs part 1, a heap snapshot of the host
// after a participant left): the first remote panel's uikit caption, two containers and a text with their 71
// `abort` listeners, and through their closures the panel's props and the call they came from, held by that
// original array after the participant had gone.

/** The part of R3F's RootState this needs (structural, so a test can hand it a plain object). */
export interface RootStateInternals {
  internal: { subscribers: unknown[]; interaction: unknown[] }
  get(): { internal: { subscribers: unknown[]; interaction: unknown[] } }
}

/**
 * Called from the canvas's `onCreated`: R3F hands it the state from before its copy of `internal`, i.e. the
 * original that zustand keeps. Nobody reads the original after the copy, so it gets arrays of its own and holds
 * nothing; the live copy keeps the shared ones. If R3F did not copy (a later version), nothing is shared and
 * nothing changes.
 */
export function releaseInitialInternals(created: RootStateInternals): void {
  const original = created.internal
  const live = created.get().internal
  if (original === live) return
  if (original.subscribers === live.subscribers) original.subscribers = []
  if (original.interaction === live.interaction) original.interaction = []
}

// After the canvas has gone: R3F's frame loop keeps, in module-level variables, the root state, the subscriber
// list and the one subscriber it read last, until another canvas draws a frame. A page whose 3D view left with
// its call (the patient's, after Leave) therefore kept the whole call: the last frame's uikit captions and their
// listeners through the subscribers, and through the state's renderer its canvas, whose parent chain is the
// left call screen's detached DOM (measured: 480 nodes, the remote audio elements). R3F's teardown needs the
// state's renderer, scene and events, so this runs once it is done, and empties what those variables point at.

/** A root state and subscriber list, as loose as this needs them (R3F's types keep these fields non-null). */
interface Releasable {
  internal?: {
    active?: boolean
    subscribers?: { ref?: { current: unknown } }[]
    interaction?: unknown[]
    hovered?: Map<unknown, unknown>
    capturedMap?: Map<unknown, unknown>
    initialHits?: unknown[]
    lastEvent?: { current: unknown }
  }
  [key: string]: unknown
}

const doNothing = () => {}

/**
 * What the state points at that could hold a call: the renderer (its canvas and DOM), the scene, the events, and
 * `onPointerMissed`. That last one is <Canvas>'s own callback, and a closure shares its component's whole scope:
 * the ref to the canvas's container div (in the left call screen) and the ref to the state R3F handed onCreated,
 * whose renderer nothing else releases. Measured (bench/long-call.mjs part 1, a heap snapshot of the patient
 * after one join and leave): R3F's loop variable → the last state → onPointerMissed → that scope → the onCreated
 * state → renderer → canvas → the detached call screen (1409 DOM nodes against 763, its 2 remote audio
 * elements' 48 listeners, inputs, selects and details, and one WebGL context). R3F reads the field as optional.
 */
const HEAVY_FIELDS = [
  'gl',
  'scene',
  'camera',
  'raycaster',
  'controls',
  'xr',
  'events',
  'previousRoot',
  'onPointerMissed',
] as const

/**
 * Empties the given root states and subscriber lists of a canvas that has been torn down: each subscriber's
 * callback becomes a no-op (the loop's last subscriber may be any of them), the lists and the pointer maps are
 * emptied, and the states drop their renderer, scene, camera, event wiring and <Canvas>'s callback.
 */
export function releaseTornDownRoot(states: readonly unknown[], subscriberLists: readonly unknown[]): void {
  for (const list of subscriberLists) {
    if (!Array.isArray(list)) continue
    for (const entry of list as { ref?: { current: unknown } }[]) entry.ref = { current: doNothing }
    list.length = 0
  }
  for (const candidate of states) {
    if (candidate === null || typeof candidate !== 'object') continue
    const state = candidate as Releasable
    const internal = state.internal
    if (internal) {
      for (const entry of internal.subscribers ?? []) entry.ref = { current: doNothing }
      internal.subscribers = []
      internal.interaction = []
      internal.initialHits = []
      internal.hovered?.clear()
      internal.capturedMap?.clear()
      if (internal.lastEvent) internal.lastEvent.current = null
    }
    for (const field of HEAVY_FIELDS) if (field in state) state[field] = null
  }
}

/** Whether R3F's teardown of this root is done: it clears `internal.active` first and then runs to the end. */
export function tornDown(state: unknown): boolean {
  return (state as Releasable | null)?.internal?.active === false
}
