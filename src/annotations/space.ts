// The on-site worker's space as the others know it: the surfaces their headset detected (planes and meshes),
// their head pose (about 10 Hz; a lost sample is replaced by the next), the field of view that turns a point on
// their video into a ray, and the laser pointers everyone is holding. Written by the call session as messages and
// pose frames arrive; the scenes read it per rendered frame (poses, lasers) or when `version` moves (surfaces).
// Nothing here goes through React state. Pure: time comes in as an argument.
import type * as z from 'zod/mini'
import type { Laser, Quat, Vec3 } from './model'
import type { surfaceSchema } from './schema'

export type Surface = z.infer<typeof surfaceSchema>
export type PlaneSurface = Extract<Surface, { kind: 'plane' }>
export type MeshSurface = Extract<Surface, { kind: 'mesh' }>

/** Most surfaces kept per participant: a furnished room has a few dozen planes and a handful of meshes. */
export const MAX_SURFACES = 200

/** A head pose older than this is shown as lost, ms: a dozen missed samples at 10 Hz. */
export const POSE_STALE_MS = 1500

export interface HeadPose {
  position: Vec3
  orientation: Quat
  /** Our clock when it arrived. */
  receivedAt: number
  /** The sender's capture time (their clock). */
  capturedAt: number
}

export interface SharedSpace {
  /** In an AR session and sharing its surroundings. */
  sharing: boolean
  /** Vertical field of view of the worker's view, radians. */
  fovY: number
  surfaces: Map<string, Surface>
  head: HeadPose | null
  /** Bumped when `sharing`, `fovY` or the surfaces change (not for poses: those are read every frame). */
  version: number
}

export interface ReceivedLaser {
  laser: Laser
  receivedAt: number
}

type Listener = () => void

export class SpaceFeed {
  private readonly spaces = new Map<string, SharedSpace>()
  readonly lasers = new Map<string, ReceivedLaser>()
  private readonly listeners = new Set<Listener>()
  /** Bumped on every change of any space's version: what a React subscription compares. */
  version = 0

  /** The participant's space, if they ever shared one. */
  get(peerId: string): SharedSpace | undefined {
    return this.spaces.get(peerId)
  }

  /** The first participant sharing a space (in our rooms: the on-site worker), in seat order of `peerIds`. */
  sharingPeer(peerIds: readonly string[]): string | null {
    for (const peerId of peerIds) if (this.spaces.get(peerId)?.sharing) return peerId
    return null
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  setState(peerId: string, sharing: boolean, fovY: number) {
    const space = this.space(peerId)
    if (space.sharing === sharing && space.fovY === fovY) return
    space.sharing = sharing
    space.fovY = fovY
    // Out of AR the surfaces are no longer tracked: forget them rather than show a room that may have moved.
    if (!sharing) space.surfaces.clear()
    this.changed(space)
  }

  /** A new link to the participant: what we knew of their space may be out of date; they announce it anew. */
  resetPeer(peerId: string) {
    const space = this.spaces.get(peerId)
    if (!space) return
    space.sharing = false
    space.surfaces.clear()
    space.head = null
    this.changed(space)
  }

  /** Leaving the call: nothing of it stays for the next one. */
  clear() {
    this.spaces.clear()
    this.lasers.clear()
    this.version++
    for (const listener of this.listeners) listener()
  }

  putSurface(peerId: string, surface: Surface) {
    const space = this.space(peerId)
    if (!space.surfaces.has(surface.id) && space.surfaces.size >= MAX_SURFACES) return
    space.surfaces.set(surface.id, surface)
    this.changed(space)
  }

  removeSurfaces(peerId: string, ids: readonly string[]) {
    const space = this.spaces.get(peerId)
    if (!space) return
    let removed = false
    for (const id of ids) removed = space.surfaces.delete(id) || removed
    if (removed) this.changed(space)
  }

  receivePose(peerId: string, position: Vec3, orientation: Quat, capturedAt: number, now: number) {
    const space = this.space(peerId)
    // Poses arrive unordered on an unreliable path in future; keep the newest capture.
    if (space.head && space.head.capturedAt > capturedAt) return
    space.head = { position, orientation, capturedAt, receivedAt: now }
  }

  receiveLaser(laser: Laser, now: number) {
    this.lasers.set(laser.author, { laser, receivedAt: now })
  }

  /** The participant left: their space and pointer go with them. */
  remove(peerId: string, session: string | null) {
    if (session) this.lasers.delete(session)
    if (this.spaces.delete(peerId)) {
      this.version++
      for (const listener of this.listeners) listener()
    }
  }

  private space(peerId: string): SharedSpace {
    let space = this.spaces.get(peerId)
    if (!space) {
      space = { sharing: false, fovY: 1, surfaces: new Map(), head: null, version: 0 }
      this.spaces.set(peerId, space)
    }
    return space
  }

  private changed(space: SharedSpace) {
    space.version++
    this.version++
    for (const listener of this.listeners) listener()
  }
}
