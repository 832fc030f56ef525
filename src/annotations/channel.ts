// Remote guidance as a channel of the call: annotation ops through the op log (and the rule that forgets the ops
// a delete or a clear made void), the laser pointer (streamed, never stored), and the on-site worker's space
// (whether they share it, its surfaces, their head pose on HEAD_POSE_STREAM). The rules about whose data is taken
// live here, once: a pointer speaks only for its own sender, and only the worker's space is anybody's business.
// Typed by shape, so this folder never imports the network layer.
import type { Role } from '../room/invite'
import {
  type AnnotationOp,
  type AnnotationState,
  isObsoleteAnnotationOp,
  type Laser,
  type Quat,
  type Vec3,
} from './model'
import type { SpaceFeed, Surface } from './space'

/** The frame stream id of the on-site worker's head pose, about 10 Hz while they share their space. */
export const HEAD_POSE_STREAM = 1
/**
 * The highest Lamport clock an annotation op may carry, far beyond any call (one op every 10 ms for a day is under
 * 10^7) and far below MAX_CLOCK: a forged clock can never reach the ceiling where a clear could no longer pass it.
 */
export const MAX_ACCEPTED_CLOCK = 10_000_000
/** A pointer dated further than this from our clock is ignored, ms: a day, as for ops. */
const MAX_POINTER_SKEW_MS = 24 * 60 * 60 * 1000
/** Surfaces-removed messages name at most this many ids (their schema's limit). */
const MAX_REMOVED_PER_MESSAGE = 100

export const ANNOTATION_KINDS = [
  'annotation-add',
  'annotation-update',
  'annotation-delete',
  'annotation-clear',
] as const

/** Whose space we take: the room being guided is the on-site worker's; anyone else's is not ours to show. */
export function sharesSpace(role: Role): boolean {
  return role === 'worker'
}

type LaserMessage = { type: 'laser' } & Laser
type SpaceMessage = { type: 'space'; sharing: boolean; fovY: number }
type SurfaceMessage = { type: 'surface'; surface: Surface }
type SurfacesRemovedMessage = { type: 'surfaces-removed'; ids: string[] }
/** A head pose frame as the call carries it. */
export interface HeadPoseFrame {
  kind: 'pose'
  stream: number
  seq: number
  capturedAt: number
  position: Vec3
  orientation: Quat
}

interface Sender {
  peerId: string
  session: string
  role: Role
}

export interface GuidancePort {
  broadcast(message: LaserMessage | SpaceMessage | SurfacesRemovedMessage): void
  sendTo(peerId: string, message: SpaceMessage): void
  /** Paced, newest per key: to `peerId`, or everyone. */
  share(key: string, message: SurfaceMessage, peerId?: string): void
  /** Withdraws what waits to be shared (one key, or every surface). */
  unshare(type: 'surface', key?: string): void
  broadcastFrame(frame: HeadPoseFrame): void
  publish(op: AnnotationOp): void
}

export interface GuidanceChannelOptions {
  space: SpaceFeed
  /** Our own role: only a worker shares their space. */
  role: Role
  /** The call's marks now, and where an op goes once known here. */
  annotations: () => AnnotationState
  apply: (op: AnnotationOp) => void
  port: () => GuidancePort | null
}

export function createGuidanceChannel({ space, role, annotations, apply, port }: GuidanceChannelOptions) {
  /** What we share of our own space (when we are the on-site worker in AR). */
  const own = { sharing: false, fovY: 1, surfaces: new Map<string, Surface>() }

  return {
    kinds: ANNOTATION_KINDS,
    applyOp: apply,
    /** A mark names its author by name: it must be its author's own; and its clock must be a clock a call reaches. */
    validate(op: AnnotationOp, author: { name: string }): boolean {
      if (op.kind === 'annotation-add' && op.authorName !== author.name) return false
      if ((op.kind === 'annotation-add' || op.kind === 'annotation-clear') && op.clock > MAX_ACCEPTED_CLOCK)
        return false
      if (
        (op.kind === 'annotation-update' || op.kind === 'annotation-delete') &&
        op.targetClock > MAX_ACCEPTED_CLOCK
      )
        return false
      return true
    },
    /**
     * A delete or a clear makes older annotation ops pointless: forget them, so neither our memory nor a
     * newcomer's snapshot grows with strokes nobody sees any more. Other features' ops are never ours to drop.
     */
    pruneAfter(op: { kind: string }): ((kept: { kind: string }) => boolean) | null {
      if (op.kind !== 'annotation-delete' && op.kind !== 'annotation-clear') return null
      const state = annotations()
      return (kept) =>
        !(ANNOTATION_KINDS as readonly string[]).includes(kept.kind) ||
        !isObsoleteAnnotationOp(state, kept as AnnotationOp)
    },
    messages: {
      laser(message: LaserMessage, from: Sender, now: number) {
        // A pointer speaks for its sender only: one naming another session is ignored.
        if (message.author !== from.session) return
        if (Math.abs(message.at - now) > MAX_POINTER_SKEW_MS) return
        const { type: _type, ...laser } = message
        space.receiveLaser(laser, now)
      },
      space(message: SpaceMessage, from: Sender) {
        if (sharesSpace(from.role)) space.setState(from.peerId, message.sharing, message.fovY)
      },
      surface(message: SurfaceMessage, from: Sender) {
        if (sharesSpace(from.role)) space.putSurface(from.peerId, message.surface)
      },
      'surfaces-removed'(message: SurfacesRemovedMessage, from: Sender) {
        if (sharesSpace(from.role)) space.removeSurfaces(from.peerId, message.ids)
      },
    },
    frame(frame: { kind: string; stream: number }, from: Sender, now: number): boolean {
      if (frame.kind !== 'pose' || frame.stream !== HEAD_POSE_STREAM) return false
      const pose = frame as HeadPoseFrame
      if (sharesSpace(from.role))
        space.receivePose(from.peerId, pose.position, pose.orientation, pose.capturedAt, now)
      return true
    },
    /**
     * A new link: what they knew of our space came over the old one and may have changed while it was down
     * (sharing stopped, surfaces lost), and likewise ours of theirs. Forget theirs; a sharer announces its space
     * whole on every new link.
     */
    linkReady(peerId: string) {
      space.resetPeer(peerId)
      if (!sharesSpace(role)) return
      port()?.sendTo(peerId, { type: 'space', sharing: own.sharing, fovY: own.fovY })
      for (const surface of own.surfaces.values())
        port()?.share(surface.id, { type: 'surface', surface }, peerId)
    },
    peerGone(peerId: string, session: string | null) {
      space.remove(peerId, session)
    },

    /** Whether we share our space (we are in AR), and the field of view that maps our video to rays. */
    shareSpace(sharing: boolean, fovY: number) {
      if (!sharesSpace(role)) return
      if (own.sharing === sharing && own.fovY === fovY) return
      own.sharing = sharing
      own.fovY = fovY
      if (!sharing) {
        own.surfaces.clear()
        port()?.unshare('surface')
      }
      port()?.broadcast({ type: 'space', sharing, fovY })
    },
    /** A surface our headset detected, new or changed: to everyone, paced, the newest per id. */
    shareSurface(surface: Surface) {
      if (!own.sharing) return
      own.surfaces.set(surface.id, surface)
      port()?.share(surface.id, { type: 'surface', surface })
    },
    /** Surfaces our headset lost track of. */
    removeSurfaces(ids: readonly string[]) {
      const removed = ids.filter((id) => own.surfaces.delete(id))
      if (removed.length === 0) return
      for (const id of removed) port()?.unshare('surface', id)
      for (let i = 0; i < removed.length; i += MAX_REMOVED_PER_MESSAGE)
        port()?.broadcast({ type: 'surfaces-removed', ids: removed.slice(i, i + MAX_REMOVED_PER_MESSAGE) })
    },
    /** Our head pose, as a frame to everyone (about 10 Hz while sharing our space). */
    broadcastHeadPose(pose: Omit<HeadPoseFrame, 'kind' | 'stream'>) {
      port()?.broadcastFrame({ kind: 'pose', stream: HEAD_POSE_STREAM, ...pose })
    },
    /** Our laser pointer, to everyone, now: it is ephemeral, so nothing is queued or resent. */
    broadcastLaser(laser: Laser) {
      port()?.broadcast({ type: 'laser', ...laser })
    },
    publish(op: AnnotationOp) {
      port()?.publish(op)
    },
  }
}

export type GuidanceChannel = ReturnType<typeof createGuidanceChannel>
