// Pointing into the worker's space without three.js: the ray through a point of the worker's video, and where a
// ray meets the surfaces the worker's headset shared. Pure, so the exact numbers are unit-tested in Node, and the
// same code serves a click on the video panel and the tests that check where it lands.
//
// The rule for what counts as a hit is the headset's: WebXR hit testing (and IWER's synthetic environment) meets
// only the front of a scanned mesh's triangles, whose fronts face into the room, and where the room was scanned as
// a whole ("global mesh", WebXR's semantic label) it meets that scan only, not the furniture's bounding boxes
// that come as meshes too. Other meshes count only without a global mesh, planes only when no mesh was shared
// (and then from their upper, +y, side: into the room): a detected plane is a coarser fit of the same surface, and
// where both exist the mesh is what the worker's own hit test would give. The miniature's pointer events follow
// the same rule (src/scenes/surfaces.tsx asks `pointableSurfaces`), so a click there and a ray here agree.
import type { Quat, Vec3 } from './model'
import type { MeshSurface, PlaneSurface, Surface } from './space'

export interface Ray {
  origin: Vec3
  /** A unit vector. */
  direction: Vec3
}

/** Where a pointer meets the worker's space: what a mark is made at. */
export interface Target {
  /** In the worker's reference space, metres. */
  point: Vec3
  /** The surface normal there, towards the pointer; null in mid-air. */
  normal: Vec3 | null
  /** In mid-air at a set distance, because the ray met no surface. */
  approximate: boolean
  /**
   * A shared item the pointer is on (src/share): then `point` is in that item's own space (see model.ts
   * `ItemPlacement`), and the mark is made on the item, not in the worker's space.
   */
  on?: { item: string; page: number }
}

export interface SurfaceHit {
  point: Vec3
  /** Metres along the ray. */
  distance: number
  surfaceId: string
  /** The surface's normal at the point, towards the ray's origin. */
  normal: Vec3
}

export function rotate(q: Quat, v: Vec3): Vec3 {
  const [x, y, z, w] = q
  // v' = v + 2w(q×v) + 2 q×(q×v)
  const tx = 2 * (y * v[2] - z * v[1])
  const ty = 2 * (z * v[0] - x * v[2])
  const tz = 2 * (x * v[1] - y * v[0])
  return [
    v[0] + w * tx + (y * tz - z * ty),
    v[1] + w * ty + (z * tx - x * tz),
    v[2] + w * tz + (x * ty - y * tx),
  ]
}

export function inverse(q: Quat): Quat {
  return [-q[0], -q[1], -q[2], q[3]]
}

/** A point from a pose's own space into its parent's. */
export function toParent(position: Vec3, orientation: Quat, local: Vec3): Vec3 {
  const r = rotate(orientation, local)
  return [r[0] + position[0], r[1] + position[1], r[2] + position[2]]
}

/** A point from a parent's space into the pose's own. */
export function toLocal(position: Vec3, orientation: Quat, point: Vec3): Vec3 {
  return rotate(inverse(orientation), [
    point[0] - position[0],
    point[1] - position[1],
    point[2] - position[2],
  ])
}

function normalize(v: Vec3): Vec3 {
  const length = Math.hypot(v[0], v[1], v[2]) || 1
  return [v[0] / length, v[1] / length, v[2] / length]
}

/**
 * The ray through a point of the worker's view: `u`, `v` in [0, 1] from the image's top left, a camera at the
 * head pose looking down its -z with vertical field of view `fovY` (radians) and the image's width/height `aspect`.
 */
export function rayThroughImage(
  head: { position: Vec3; orientation: Quat },
  fovY: number,
  aspect: number,
  u: number,
  v: number,
): Ray {
  const tanY = Math.tan(fovY / 2)
  const local: Vec3 = [(2 * u - 1) * tanY * aspect, (1 - 2 * v) * tanY, -1]
  return { origin: head.position, direction: normalize(rotate(head.orientation, local)) }
}

/** WebXR's semantic label of a whole-room scan. */
export const GLOBAL_MESH_LABEL = 'global mesh'

/** Which surfaces a pointing ray may stop at, by the headset's rule (see above). */
export function pointableSurfaces<T extends Surface>(surfaces: readonly T[]): T[] {
  const global = surfaces.filter((s) => s.kind === 'mesh' && s.label === GLOBAL_MESH_LABEL)
  if (global.length > 0) return global
  const meshes = surfaces.filter((s) => s.kind === 'mesh')
  return meshes.length > 0 ? meshes : [...surfaces]
}

/** The nearest front-facing hit on the pointable surfaces (see `pointableSurfaces`), or null. */
export function raycastSurfaces(surfaces: Iterable<Surface>, ray: Ray): SurfaceHit | null {
  let meshHit: SurfaceHit | null = null
  let planeHit: SurfaceHit | null = null
  for (const surface of pointableSurfaces([...surfaces])) {
    if (surface.kind === 'mesh') {
      const hit = raycastMesh(surface, ray)
      if (hit && (!meshHit || hit.distance < meshHit.distance)) meshHit = hit
    } else {
      const hit = raycastPlane(surface, ray)
      if (hit && (!planeHit || hit.distance < planeHit.distance)) planeHit = hit
    }
  }
  return meshHit ?? planeHit
}

const EPSILON = 1e-9

function raycastMesh(mesh: MeshSurface, ray: Ray): SurfaceHit | null {
  // In the mesh's own space, where its vertices are.
  const origin = toLocal(mesh.position, mesh.orientation, ray.origin)
  const direction = rotate(inverse(mesh.orientation), ray.direction)
  const { vertices, indices } = mesh
  let best = Number.POSITIVE_INFINITY
  let bestNormal: Vec3 = [0, 0, 0]
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const a = (indices[t] as number) * 3
    const b = (indices[t + 1] as number) * 3
    const c = (indices[t + 2] as number) * 3
    const ax = vertices[a] as number
    const ay = vertices[a + 1] as number
    const az = vertices[a + 2] as number
    const e1x = (vertices[b] as number) - ax
    const e1y = (vertices[b + 1] as number) - ay
    const e1z = (vertices[b + 2] as number) - az
    const e2x = (vertices[c] as number) - ax
    const e2y = (vertices[c + 1] as number) - ay
    const e2z = (vertices[c + 2] as number) - az
    // Face normal (counter-clockwise front, as three.js and WebGL have it); only fronts facing the ray count.
    const nx = e1y * e2z - e1z * e2y
    const ny = e1z * e2x - e1x * e2z
    const nz = e1x * e2y - e1y * e2x
    const facing = nx * direction[0] + ny * direction[1] + nz * direction[2]
    if (facing >= -EPSILON) continue
    // Möller–Trumbore.
    const px = direction[1] * e2z - direction[2] * e2y
    const py = direction[2] * e2x - direction[0] * e2z
    const pz = direction[0] * e2y - direction[1] * e2x
    const det = e1x * px + e1y * py + e1z * pz
    if (Math.abs(det) < EPSILON) continue
    const inv = 1 / det
    const sx = origin[0] - ax
    const sy = origin[1] - ay
    const sz = origin[2] - az
    const u = (sx * px + sy * py + sz * pz) * inv
    if (u < 0 || u > 1) continue
    const qx = sy * e1z - sz * e1y
    const qy = sz * e1x - sx * e1z
    const qz = sx * e1y - sy * e1x
    const v = (direction[0] * qx + direction[1] * qy + direction[2] * qz) * inv
    if (v < 0 || u + v > 1) continue
    const distance = (e2x * qx + e2y * qy + e2z * qz) * inv
    if (distance > EPSILON && distance < best) {
      best = distance
      bestNormal = [nx, ny, nz]
    }
  }
  if (!Number.isFinite(best)) return null
  const localPoint: Vec3 = [
    origin[0] + direction[0] * best,
    origin[1] + direction[1] * best,
    origin[2] + direction[2] * best,
  ]
  return {
    point: toParent(mesh.position, mesh.orientation, localPoint),
    distance: best,
    surfaceId: mesh.id,
    normal: normalize(rotate(mesh.orientation, bestNormal)),
  }
}

function raycastPlane(plane: PlaneSurface, ray: Ray): SurfaceHit | null {
  const origin = toLocal(plane.position, plane.orientation, ray.origin)
  const direction = rotate(inverse(plane.orientation), ray.direction)
  // The plane is y = 0 in its space, facing +y; a ray from below or along it does not meet its front.
  if (direction[1] >= -EPSILON || origin[1] <= 0) return null
  const distance = -origin[1] / direction[1]
  const x = origin[0] + direction[0] * distance
  const z = origin[2] + direction[2] * distance
  if (!insidePolygon(plane.polygon, x, z)) return null
  return {
    point: toParent(plane.position, plane.orientation, [x, 0, z]),
    distance,
    surfaceId: plane.id,
    normal: normalize(rotate(plane.orientation, [0, 1, 0])),
  }
}

/** Even-odd rule. */
function insidePolygon(polygon: readonly (readonly [number, number])[], x: number, z: number): boolean {
  let inside = false
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, zi] = polygon[i] as readonly [number, number]
    const [xj, zj] = polygon[j] as readonly [number, number]
    if (zi > z !== zj > z && x < ((xj - xi) * (z - zi)) / (zj - zi) + xi) inside = !inside
  }
  return inside
}
