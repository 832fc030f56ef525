// What the scenes are handed for remote guidance: the actions (src/app/guidance.ts implements them; scenes never
// import the app), the tool state to read, and the worker's shared space. Typed here by shape, so the app's
// zustand store and action object fit as they are.
import { useCallback, useSyncExternalStore } from 'react'
import type { Quat, Vec3 } from '../annotations/model'
import type { ColourName } from '../annotations/palette'
import type { Ray, Target } from '../annotations/raycast'
import type { HeadPose, SpaceFeed, Surface } from '../annotations/space'
import type { Tool } from '../annotations/tools'

export interface GuidanceSceneState {
  tool: Tool
  /** null: our seat's colour. */
  colour: ColourName | null
  /** The worker's video held still on our side, and the head pose it was taken at. */
  frozen: { peerId: string; head: HeadPose; fovY: number } | null
  /** The shared item a pointer on it marks now, and with what. */
  itemMark: ItemMark | null
}

/** Marking a shared item: a pointer on it makes pins or strokes (in the item's own space) instead of turning it. */
export interface ItemMark {
  item: string
  tool: 'pin' | 'stroke'
}

export interface GuidanceSceneActions {
  /** `tool`: instead of the current one (a shared item's viewer has a pin and a pen of its own). */
  pointerDown: (target: Target, tool?: Tool) => void
  pointerMove: (target: Target) => void
  pointerUp: () => void
  pointLaser: (ray: Ray | null, hit: Vec3 | null) => void
  /** u, v from the image's top left, in [0, 1]; aspect is width / height. */
  targetOnVideo: (peerId: string, u: number, v: number, aspect: number) => Target | null
  undo: () => void
  clearAll: () => void
  setTool: (tool: Tool) => void
  setColour: (colour: ColourName | null) => void
  /** null: a pointer on the item turns or pages it again. */
  markItem: (item: string, tool: ItemMark['tool'] | null) => void
  /** false when there is no head pose to freeze with. */
  freeze: (peerId: string) => boolean
  unfreeze: () => void
}

export interface GuidanceView {
  actions: GuidanceSceneActions
  store: { getState: () => GuidanceSceneState; subscribe: (listener: () => void) => () => void }
  space: SpaceFeed
  /** The colour our marks get while `colour` is null (our seat's). */
  ownColour: () => ColourName
}

/** What the worker's view needs from the call: built by the call runtime (src/call/runtime.ts). */
export interface WorkerSpaceActions {
  /** Whether we share our space (in AR), and our view's vertical field of view, radians. */
  shareSpace: (sharing: boolean, fovY: number) => void
  shareSurface: (surface: Surface) => void
  removeSurfaces: (ids: string[]) => void
  /** `capturedAt`: ms since the epoch; `seq`: per stream, wraps at 2^32. */
  broadcastHeadPose: (pose: { seq: number; capturedAt: number; position: Vec3; orientation: Quat }) => void
  /**
   * Marks the worker makes on their own surfaces (with the ray that made them) or in mid-air, with the current
   * guidance tool.
   */
  draw: {
    pointerDown: (target: Target, ray?: Ray) => void
    pointerMove: (target: Target, ray?: Ray) => void
    pointerUp: () => void
  }
  /** The others' laser pointers, already in our space: drawn where they point in the real room. */
  space: SpaceFeed
}

/** A primitive (or stable) part of the guidance state, re-rendering only when it changes. */
export function useGuidanceState<T>(view: GuidanceView, select: (state: GuidanceSceneState) => T): T {
  return useSyncExternalStore(view.store.subscribe, () => select(view.store.getState()))
}

/**
 * Something of the shared space that changes only with its version (sharing, field of view, surfaces), read
 * again on every version: `read` must return a primitive or a value it caches, or React would loop.
 */
export function useSpace<T>(space: SpaceFeed, read: (space: SpaceFeed) => T): T {
  const subscribe = useCallback((listener: () => void) => space.subscribe(listener), [space])
  return useSyncExternalStore(subscribe, () => read(space))
}
