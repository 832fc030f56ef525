// The on-site worker's detected surroundings as `Surface`s for the wire: WebXR's detected planes and meshes,
// already read out of the XR frame (poses in the worker's reference space), turned into what `surfaceSchema`
// accepts, and a tracker that decides which to send again and which are gone. Pure: no WebXR objects are
// touched here (the frame loop in src/scenes/own-space-sharing.tsx reads them), time comes in as an argument.
import { MAX_COORDINATE, QUAT_NORM_TOLERANCE, type Quat, type Vec3 } from './model'
import { MAX_MESH_TRIANGLES, MAX_MESH_VERTICES, MAX_POLYGON_POINTS } from './schema'
import type { MeshSurface, PlaneSurface, Surface } from './space'

/** As schema.ts's label limit. */
const MAX_LABEL_LENGTH = 40

/** A pose as WebXR's XRRigidTransform gives it (DOMPointReadOnly-like). */
export interface DetectedPose {
  position: { x: number; y: number; z: number }
  orientation: { x: number; y: number; z: number; w: number }
}

function inBounds(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= MAX_COORDINATE
}

/** The pose as the schema takes it, or null if it is outside the room bounds or not a rotation. */
function wirePose(pose: DetectedPose): { position: Vec3; orientation: Quat } | null {
  const { x, y, z } = pose.position
  if (!inBounds(x) || !inBounds(y) || !inBounds(z)) return null
  const q = pose.orientation
  const norm = Math.hypot(q.x, q.y, q.z, q.w)
  // Renormalised: float32 poses drift off unit length by ~1e-7, and the schema checks the norm.
  if (!Number.isFinite(norm) || Math.abs(norm - 1) > QUAT_NORM_TOLERANCE) return null
  return { position: [x, y, z], orientation: [q.x / norm, q.y / norm, q.z / norm, q.w / norm] }
}

function wireLabel(label: string | undefined): string {
  return (label ?? '').slice(0, MAX_LABEL_LENGTH)
}

/**
 * A detected plane: its outline as x, z pairs in the plane's space. WebXR polygons (and IWER's) often repeat the
 * first point at the end; that closing point is dropped, since the outline is closed anyway. Outlines beyond
 * `MAX_POLYGON_POINTS` keep every n-th point: a coarser outline of the same surface, not a cut-off one. Null when
 * fewer than 3 points remain or something is outside the room bounds.
 */
export function planeSurface(
  id: string,
  label: string | undefined,
  pose: DetectedPose,
  polygon: readonly { x: number; z: number }[],
): PlaneSurface | null {
  const placed = wirePose(pose)
  if (!placed) return null
  const points: [number, number][] = []
  for (const point of polygon) {
    if (!inBounds(point.x) || !inBounds(point.z)) return null
    points.push([point.x, point.z])
  }
  const first = points[0]
  const last = points[points.length - 1]
  if (points.length > 1 && first && last && first[0] === last[0] && first[1] === last[1]) points.pop()
  const step = Math.ceil(points.length / MAX_POLYGON_POINTS)
  const outline = step > 1 ? points.filter((_, i) => i % step === 0) : points
  if (outline.length < 3) return null
  return { kind: 'plane', id, label: wireLabel(label), ...placed, polygon: outline }
}

export interface MeshPiece {
  vertices: Float32Array<ArrayBuffer>
  indices: Uint16Array<ArrayBuffer>
}

export interface MeshLimits {
  maxVertices: number
  maxTriangles: number
}

const WIRE_LIMITS: MeshLimits = { maxVertices: MAX_MESH_VERTICES, maxTriangles: MAX_MESH_TRIANGLES }

/**
 * Splits a triangle mesh into pieces within the wire's limits, each with its own vertex list and 16-bit
 * indices. Triangles go in order into the current piece (vertices shared within a piece are stored once) until
 * the next would break a limit. Triangles naming a vertex the mesh does not have, or one outside the room bounds
 * (which the schema would refuse along with the whole piece), are left out. A mesh within the limits comes back
 * as one piece.
 */
export function splitMesh(
  vertices: ArrayLike<number>,
  indices: ArrayLike<number>,
  limits: MeshLimits = WIRE_LIMITS,
): MeshPiece[] {
  const vertexCount = Math.floor(vertices.length / 3)
  const usable = (v: number) =>
    Number.isInteger(v) &&
    v >= 0 &&
    v < vertexCount &&
    inBounds(vertices[v * 3] as number) &&
    inBounds(vertices[v * 3 + 1] as number) &&
    inBounds(vertices[v * 3 + 2] as number)
  const pieces: MeshPiece[] = []
  // The piece being filled: source vertex → its index in the piece.
  let remap = new Map<number, number>()
  let pieceVertices: number[] = []
  let pieceIndices: number[] = []
  const finish = () => {
    if (pieceIndices.length === 0) return
    pieces.push({ vertices: Float32Array.from(pieceVertices), indices: Uint16Array.from(pieceIndices) })
    remap = new Map()
    pieceVertices = []
    pieceIndices = []
  }
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const triangle = [indices[t], indices[t + 1], indices[t + 2]] as number[]
    if (!triangle.every(usable)) continue
    const fresh = new Set(triangle.filter((v) => !remap.has(v))).size
    if (remap.size + fresh > limits.maxVertices || pieceIndices.length / 3 + 1 > limits.maxTriangles) finish()
    for (const v of triangle) {
      let local = remap.get(v)
      if (local === undefined) {
        local = remap.size
        remap.set(v, local)
        pieceVertices.push(
          vertices[v * 3] as number,
          vertices[v * 3 + 1] as number,
          vertices[v * 3 + 2] as number,
        )
      }
      pieceIndices.push(local)
    }
  }
  finish()
  return pieces
}

const splitCache = new WeakMap<
  object,
  { indices: ArrayLike<number>; limits: MeshLimits; pieces: ReturnType<typeof splitMesh> }
>()

/**
 * `splitMesh`, done again only for new arrays. A headset hands out new vertex and index arrays when a mesh's shape
 * changes; the same arrays mean the same mesh, so the periodic re-read (for pose drift) of a scan with tens of
 * thousands of triangles costs a lookup, not a split on the main thread that draws the worker's view.
 */
function splitMeshOnce(vertices: ArrayLike<number>, indices: ArrayLike<number>, limits: MeshLimits) {
  const cached = splitCache.get(vertices)
  if (cached && cached.indices === indices && cached.limits === limits) return cached.pieces
  const pieces = splitMesh(vertices, indices, limits)
  splitCache.set(vertices, { indices, limits, pieces })
  return pieces
}

/**
 * A detected mesh as one surface per piece: the id itself when it fits in one message, else `${id}#${k}`.
 * Empty when the pose is outside the room bounds or no triangle is usable.
 */
export function meshSurfaces(
  id: string,
  label: string | undefined,
  pose: DetectedPose,
  vertices: ArrayLike<number>,
  indices: ArrayLike<number>,
  limits: MeshLimits = WIRE_LIMITS,
): MeshSurface[] {
  const placed = wirePose(pose)
  if (!placed) return []
  const pieces = splitMeshOnce(vertices, indices, limits)
  return pieces.map((piece, k) => ({
    kind: 'mesh',
    id: pieces.length === 1 ? id : `${id}#${k}`,
    label: wireLabel(label),
    ...placed,
    vertices: piece.vertices,
    indices: piece.indices,
  }))
}

/** The vertical field of view of a view, radians, from its projection matrix (column-major, as WebXR's). */
export function fovYFromProjection(projectionMatrix: ArrayLike<number>): number {
  return 2 * Math.atan(1 / (projectionMatrix[5] as number))
}

/** A surface moved less than this since it was last sent is not sent again, metres. */
export const RESEND_DISTANCE = 0.005
/** Nor turned less than this, radians (about 0.5°: 1 cm at the far end of a 1.2 m table). */
export const RESEND_ANGLE = 0.009

function samePose(a: Surface, b: Surface): boolean {
  const distance = Math.hypot(
    a.position[0] - b.position[0],
    a.position[1] - b.position[1],
    a.position[2] - b.position[2],
  )
  const dot = Math.abs(
    a.orientation[0] * b.orientation[0] +
      a.orientation[1] * b.orientation[1] +
      a.orientation[2] * b.orientation[2] +
      a.orientation[3] * b.orientation[3],
  )
  const angle = 2 * Math.acos(Math.min(1, dot))
  return distance < RESEND_DISTANCE && angle < RESEND_ANGLE
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Whether sending `next` would tell the others nothing new about `sent`. */
export function sameSurface(sent: Surface, next: Surface): boolean {
  if (sent.id !== next.id || sent.label !== next.label || !samePose(sent, next)) return false
  if (sent.kind === 'plane' && next.kind === 'plane') {
    return sent.polygon.length === next.polygon.length && sameArray(sent.polygon.flat(), next.polygon.flat())
  }
  if (sent.kind === 'mesh' && next.kind === 'mesh') {
    // The same arrays (a re-read of an unchanged mesh, see splitMeshOnce) need no comparison.
    if (sent.vertices === next.vertices && sent.indices === next.indices) return true
    return sameArray(sent.vertices, next.vertices) && sameArray(sent.indices, next.indices)
  }
  return false
}

/**
 * A surface whose `lastChangedTime` moved is read again, but at most this often, ms. WebXR moves it when a plane's
 * or mesh's shape changes, a few times a second at most on a headset; IWER moves it on every frame.
 */
export const CHANGED_RECHECK_MS = 250
/** Every surface is read again this often anyway, ms: a pose may drift with no change of shape. */
export const RECHECK_MS = 1000

export interface SurfaceChanges {
  /** New or changed surfaces to send. */
  put: Surface[]
  /** Ids the others should forget. */
  removed: string[]
}

interface Tracked {
  lastChangedTime: number
  checkedAt: number
  /** What was sent, by id (a split mesh has several). */
  sent: Map<string, Surface>
}

/**
 * Follows one kind of detected object (XRPlane or XRMesh) from frame to frame. Ids are made up here, short and
 * stable per object (WebXR gives planes and meshes none): `${prefix}${n}`, from a WeakMap so an object the
 * headset drops and finds again keeps its id, and a forgotten one is not held in memory.
 */
export class DetectedSurfaceTracker<T extends { readonly lastChangedTime: number }> {
  private readonly ids = new WeakMap<T, string>()
  private nextId = 1
  private readonly tracked = new Map<T, Tracked>()

  /**
   * @param prefix distinguishes planes from meshes ('p', 'm')
   * @param convert reads an object into surfaces; null when it cannot be read this frame (no pose: tracking
   *   lost), which keeps what was sent as it is
   */
  constructor(
    private readonly prefix: string,
    private readonly convert: (object: T, id: string) => Surface[] | null,
  ) {}

  /** This frame's detected set; what to send and what to withdraw. `now` in ms. */
  update(detected: Iterable<T>, now: number): SurfaceChanges {
    const changes: SurfaceChanges = { put: [], removed: [] }
    const seen = new Set<T>()
    for (const object of detected) {
      seen.add(object)
      const known = this.tracked.get(object)
      if (known) {
        const since = now - known.checkedAt
        const changed = object.lastChangedTime !== known.lastChangedTime
        // Either way, what was read is sent only if it differs from what was sent.
        if (since < RECHECK_MS && !(changed && since >= CHANGED_RECHECK_MS)) continue
        known.checkedAt = now
        known.lastChangedTime = object.lastChangedTime
        this.read(object, known, changes)
      } else {
        const entry: Tracked = { lastChangedTime: object.lastChangedTime, checkedAt: now, sent: new Map() }
        if (this.read(object, entry, changes)) this.tracked.set(object, entry)
      }
    }
    for (const [object, entry] of this.tracked) {
      if (seen.has(object)) continue
      changes.removed.push(...entry.sent.keys())
      this.tracked.delete(object)
    }
    return changes
  }

  /** Everything currently sent, e.g. for the worker's own copy of the surfaces. */
  surfaces(): Surface[] {
    return [...this.tracked.values()].flatMap((entry) => [...entry.sent.values()])
  }

  private id(object: T): string {
    let id = this.ids.get(object)
    if (!id) {
      id = `${this.prefix}${this.nextId++}`
      this.ids.set(object, id)
    }
    return id
  }

  /** False if the object could not be read. */
  private read(object: T, entry: Tracked, changes: SurfaceChanges): boolean {
    const surfaces = this.convert(object, this.id(object))
    if (!surfaces) return false
    const ids = new Set(surfaces.map((surface) => surface.id))
    for (const id of entry.sent.keys()) {
      if (ids.has(id)) continue
      entry.sent.delete(id)
      changes.removed.push(id)
    }
    for (const surface of surfaces) {
      const sent = entry.sent.get(surface.id)
      if (sent && sameSurface(sent, surface)) continue
      entry.sent.set(surface.id, surface)
      changes.put.push(surface)
    }
    return true
  }
}
