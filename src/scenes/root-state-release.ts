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
