// Remote guidance from the app's side, for one call: the tool and colour in use, and the actions that turn a
// pointer on a surface (mouse, controller ray, hand pinch) or a click on the worker's video into annotation ops.
// The scenes get these actions as props and call them with points in the worker's space; this module decides
// what the points make (a stroke, an arrow, a pin, a laser) and sends it through the call. No React, no three.js.
import { createStore } from 'zustand/vanilla'
import {
  type AnnotationAddOp,
  type AnnotationOp,
  type AnnotationState,
  type Laser,
  lastOwn,
  MAX_POINTS_PER_OP,
  MAX_STROKE_POINTS,
  nextClock,
  type Placement,
  placeOnRay,
  type Shape,
  type Vec3,
} from '../annotations/model'
import { type ColourName, colourFor } from '../annotations/palette'
import { type Ray, raycastSurfaces, rayThroughImage, type Target } from '../annotations/raycast'
import type { HeadPose, SpaceFeed } from '../annotations/space'
import { TOOL_LABELS, TOOLS, type Tool } from '../annotations/tools'
import type { GuidanceSceneActions, ItemMark } from '../scenes/guidance-view'

export { type Target, TOOL_LABELS, TOOLS, type Tool }

export interface GuidanceState {
  tool: Tool
  /** null: our seat's colour. */
  colour: ColourName | null
  /** The text of the next pin. */
  pinLabel: string
  /** The worker's video held still on our side, with the head pose it was taken at (marks use that pose). */
  frozen: { peerId: string; head: HeadPose; fovY: number } | null
  /** The shared item a pointer on it marks now (chosen in its viewer or on its panel), and with what. */
  itemMark: ItemMark | null
}

/** What guidance needs of the call it is part of: who we are, and where our ops and pointer go. */
export interface GuidanceCall {
  sessionId: string
  seatIndex: number
  displayName: string
  nextOpId: () => string
  publish: (op: AnnotationOp) => void
  broadcastLaser: (laser: Laser) => void
}

/** Points of a stroke closer than this to the previous one are skipped, metres: a steady hand makes no line. */
const MIN_POINT_SPACING = 0.003
/** Stroke points go out at most this often while drawing, ms: 10 ops a second, each with the new points. */
const STROKE_FLUSH_MS = 100
/** A laser goes out at most this often, ms (30 Hz). */
const LASER_INTERVAL_MS = 33
/** An arrow made by a click stands this far off the surface, pointing at it, metres. */
const ARROW_LENGTH = 0.15
/** Default stroke width, metres: a felt-tip line at arm's length. */
export const STROKE_WIDTH = 0.006

interface Drawing {
  id: string
  clock: number
  origin: Vec3
  /** Relative to origin. */
  points: Vec3[]
  sent: number
  timer: ReturnType<typeof setTimeout> | null
}

export interface GuidanceOptions {
  /** The worker's shared space and everyone's pointers, as received. */
  space: SpaceFeed
  /** The call's marks now. */
  annotations: () => AnnotationState
  /** The call, once joined (before that, nothing is sent). */
  call: () => GuidanceCall | null
}

/** What every annotation op we author starts with: a call-unique id, our session, our clock. */
function opBase(call: GuidanceCall): { id: string; author: string; at: number } {
  return { id: call.nextOpId(), author: call.sessionId, at: Date.now() }
}

export function createGuidance({ space, annotations, call: session }: GuidanceOptions) {
  const guidanceStore = createStore<GuidanceState>()(() => ({
    tool: 'stroke',
    colour: null,
    pinLabel: 'Here',
    frozen: null,
    itemMark: null,
  }))
  let drawing: Drawing | null = null
  let lastLaserAt = 0

  function colour(call: GuidanceCall): ColourName {
    return guidanceStore.getState().colour ?? colourFor(Math.max(0, call.seatIndex))
  }

  function relative(point: Vec3, origin: Vec3): Vec3 {
    return [point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]]
  }

  function addOp(call: GuidanceCall, target: Target, shape: Shape): AnnotationAddOp {
    const placement: Placement = target.on
      ? { frame: 'item', ...target.on, position: target.point, orientation: [0, 0, 0, 1] }
      : { frame: 'world', position: target.point, orientation: [0, 0, 0, 1] }
    return {
      kind: 'annotation-add',
      ...opBase(call),
      clock: nextClock(annotations()),
      authorName: call.displayName,
      colour: colour(call),
      placement,
      approximate: target.approximate,
      shape,
    }
  }

  /**
   * A pointer went down on the worker's space (or in mid-air), or on a shared item: starts what the current tool
   * makes (or `tool`: a shared item's viewer offers only a pin and a pen of its own).
   */
  function pointerDown(target: Target, tool: Tool = guidanceStore.getState().tool) {
    const call = session()
    if (!call) return
    const { pinLabel } = guidanceStore.getState()
    switch (tool) {
      case 'stroke': {
        endStroke()
        const op = addOp(call, target, { type: 'stroke', points: [[0, 0, 0]], width: STROKE_WIDTH })
        drawing = {
          id: op.id,
          clock: op.clock,
          origin: target.point,
          points: [[0, 0, 0]],
          sent: 1,
          timer: null,
        }
        call.publish(op)
        return
      }
      case 'arrow': {
        // The arrow stands off the surface along its normal (or comes from the pointer's side in mid-air) and
        // points at the spot: its head is the mark.
        const normal = target.normal ?? [0, 0, 1]
        const from: Vec3 = [normal[0] * ARROW_LENGTH, normal[1] * ARROW_LENGTH, normal[2] * ARROW_LENGTH]
        call.publish(addOp(call, target, { type: 'arrow', from, to: [0, 0, 0] }))
        return
      }
      case 'pin':
        call.publish(
          addOp(call, target, {
            type: 'pin',
            position: [0, 0, 0],
            label: pinLabel.trim().slice(0, 80) || 'Here',
          }),
        )
        return
      case 'laser':
        return
    }
  }

  /** The pointer moved while down: extends the stroke being drawn. */
  function pointerMove(target: Target) {
    if (!drawing) return
    const point = relative(target.point, drawing.origin)
    const last = drawing.points[drawing.points.length - 1] as Vec3
    if (Math.hypot(point[0] - last[0], point[1] - last[1], point[2] - last[2]) < MIN_POINT_SPACING) return
    if (drawing.points.length >= MAX_STROKE_POINTS) return
    drawing.points.push(point)
    drawing.timer ??= setTimeout(flushStroke, STROKE_FLUSH_MS)
  }

  /** The pointer came up: the stroke is finished. */
  function pointerUp() {
    endStroke()
  }

  function flushStroke() {
    const call = session()
    if (!drawing) return
    drawing.timer = null
    if (!call) return
    while (drawing.sent < drawing.points.length) {
      const points = drawing.points.slice(drawing.sent, drawing.sent + MAX_POINTS_PER_OP)
      call.publish({
        kind: 'annotation-update',
        ...opBase(call),
        target: drawing.id,
        targetClock: drawing.clock,
        from: drawing.sent,
        points,
      })
      drawing.sent += points.length
    }
  }

  function endStroke() {
    if (!drawing) return
    if (drawing.timer) clearTimeout(drawing.timer)
    flushStroke()
    drawing = null
  }

  /**
   * Leaving the call: a stroke still being drawn belongs to it (its pieces must not go to the next call), the
   * frozen picture too, and the tool stays as chosen.
   */
  function resetGuidance() {
    if (drawing?.timer) clearTimeout(drawing.timer)
    drawing = null
    lastLaserAt = 0
    unfreeze()
    guidanceStore.setState({ itemMark: null })
  }

  /** Deletes our most recent annotation. */
  function undo() {
    const call = session()
    if (!call) return
    endStroke()
    const own = lastOwn(annotations(), call.sessionId)
    if (!own) return
    call.publish({
      kind: 'annotation-delete',
      ...opBase(call),
      target: own.id,
      targetClock: own.clock,
    })
  }

  /** Removes every annotation, everyone's, for everyone. */
  function clearAll() {
    const call = session()
    if (!call) return
    endStroke()
    call.publish({
      kind: 'annotation-clear',
      ...opBase(call),
      clock: nextClock(annotations()),
    })
  }

  /** Our laser pointer: streamed at up to 30 Hz while held, and once more when released. */
  function pointLaser(ray: Ray | null, hit: Vec3 | null) {
    const call = session()
    if (!call) return
    const now = Date.now()
    if (ray && now - lastLaserAt < LASER_INTERVAL_MS) return
    lastLaserAt = ray ? now : 0
    const laser: Laser = {
      author: call.sessionId,
      colour: colour(call),
      on: ray !== null,
      origin: ray?.origin ?? [0, 0, 0],
      direction: ray?.direction ?? [0, 0, -1],
      ...(hit ? { hit } : {}),
      at: now,
    }
    call.broadcastLaser(laser)
  }

  /**
   * A point on the worker's video (u, v from its top left, in [0, 1]) as a target in their space: the ray from their
   * head pose at that moment (or at the freeze-frame) through that point, met with the surfaces they shared, or
   * `APPROXIMATE_DISTANCE` along it when it meets none. Null when they share no space (nothing to aim from).
   */
  function targetOnVideo(peerId: string, u: number, v: number, aspect: number): Target | null {
    const frozen = guidanceStore.getState().frozen
    const shared = space.get(peerId)
    const head = frozen?.peerId === peerId ? frozen.head : shared?.head
    const fovY = frozen?.peerId === peerId ? frozen.fovY : shared?.fovY
    if (!shared || !head || fovY === undefined) return null
    const ray = rayThroughImage(head, fovY, aspect, u, v)
    const hit = raycastSurfaces(shared.surfaces.values(), ray)
    if (hit) return { point: hit.point, normal: hit.normal, approximate: false }
    const placed = placeOnRay(ray.origin, ray.direction, null)
    const back: Vec3 = [-ray.direction[0], -ray.direction[1], -ray.direction[2]]
    return { point: placed.position, normal: back, approximate: true }
  }

  /** Holds the worker's video still on our side, with the pose it was taken at; false if there is no pose yet. */
  function freeze(peerId: string): boolean {
    const shared = space.get(peerId)
    if (!shared?.head) return false
    guidanceStore.setState({ frozen: { peerId, head: shared.head, fovY: shared.fovY } })
    return true
  }

  function unfreeze() {
    guidanceStore.setState({ frozen: null })
  }

  function setTool(tool: Tool) {
    endStroke()
    guidanceStore.setState({ tool })
  }

  /** A pointer on shared item `item` makes `tool`'s marks from now on (null: it turns or pages the item again). */
  function markItem(item: string, tool: ItemMark['tool'] | null) {
    endStroke()
    guidanceStore.setState({ itemMark: tool ? { item, tool } : null })
  }

  function setColour(colour: ColourName | null) {
    guidanceStore.setState({ colour })
  }

  function setPinLabel(pinLabel: string) {
    guidanceStore.setState({ pinLabel })
  }

  /** What the scenes are handed (src/scenes/guidance-view.ts says what they need; they never import this module). */
  const actions = {
    pointerDown,
    pointerMove,
    pointerUp,
    pointLaser,
    targetOnVideo,
    undo,
    clearAll,
    setTool,
    setColour,
    markItem,
    freeze,
    unfreeze,
  } satisfies GuidanceSceneActions

  return {
    store: guidanceStore,
    actions,
    setPinLabel,
    /** Leaving the call: a stroke still being drawn goes no further, and a freeze ends. */
    dispose: resetGuidance,
  }
}

export type Guidance = ReturnType<typeof createGuidance>
