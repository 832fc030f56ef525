// Where the specialist's miniature of the worker's room goes and how big it is, and the small geometry that turns
// a point on the worker's video panel into a point of their image. Pure (no three.js), so it is unit-tested, and
// the DOM shell may import it without loading the 3D code.
import type { Quat, Vec3 } from '../annotations/model'
import { type Ray, toParent } from '../annotations/raycast'
import type { Surface } from '../annotations/space'

export interface Bounds {
  min: Vec3
  max: Vec3
}

/** The box around every surface, in the worker's frame; null without surfaces. */
export function surfaceBounds(surfaces: Iterable<Surface>): Bounds | null {
  const min: Vec3 = [Infinity, Infinity, Infinity]
  const max: Vec3 = [-Infinity, -Infinity, -Infinity]
  const add = (point: Vec3) => {
    for (let axis = 0; axis < 3; axis++) {
      const value = point[axis] as number
      if (value < (min[axis] as number)) min[axis] = value
      if (value > (max[axis] as number)) max[axis] = value
    }
  }
  for (const surface of surfaces) {
    if (surface.kind === 'plane') {
      for (const [x, z] of surface.polygon) add(toParent(surface.position, surface.orientation, [x, 0, z]))
    } else {
      const { vertices } = surface
      for (let i = 0; i + 2 < vertices.length; i += 3) {
        add(
          toParent(surface.position, surface.orientation, [
            vertices[i] as number,
            vertices[i + 1] as number,
            vertices[i + 2] as number,
          ]),
        )
      }
    }
  }
  return Number.isFinite(min[0]) ? { min, max } : null
}

/** The box to show when there are no surfaces yet: a person-sized space around the worker's origin, metres. */
const EMPTY_ROOM: Bounds = { min: [-1, 0, -1], max: [1, 1.8, 1] }

export interface MiniatureLimits {
  /** Largest scale, worker metres to ours: a small space (a workbench) is not blown up beyond this. */
  maxScale: number
  /** Widest the miniature may be across its floor (x or z), metres. */
  maxFootprint: number
  /** Tallest it may be, metres: it must stay below the line of sight to the video panels. */
  maxHeight: number
}

/**
 * The scale of the miniature, and the worker-frame point that goes at its anchor: the centre of the bounds'
 * floor (their lowest y), so the room stands on the anchor whatever the worker's reference space's origin. The
 * worker's head is kept inside, so it never floats above the model.
 */
export function fitMiniature(
  bounds: Bounds | null,
  head: Vec3 | null,
  limits: MiniatureLimits,
): { scale: number; centre: Vec3 } {
  const box = bounds ?? EMPTY_ROOM
  const min: Vec3 = [...box.min]
  const max: Vec3 = [...box.max]
  if (head) {
    for (let axis = 0; axis < 3; axis++) {
      min[axis] = Math.min(min[axis] as number, head[axis] as number)
      max[axis] = Math.max(max[axis] as number, head[axis] as number)
    }
  }
  // A flat space (one floor plane) still has a height: a person standing on it.
  const height = Math.max(max[1] - min[1], 1)
  const footprint = Math.max(max[0] - min[0], max[2] - min[2], 0.1)
  const scale = Math.min(limits.maxScale, limits.maxFootprint / footprint, limits.maxHeight / height)
  return { scale, centre: [(min[0] + max[0]) / 2, min[1], (min[2] + max[2]) / 2] }
}

/**
 * A point on a video plane (its own x, y, metres from its centre, y up) as the image point `targetOnVideo` wants:
 * u, v in [0, 1] from the image's top left. null outside the image. (three.js's uv runs from the bottom left.)
 */
export function imagePointOnPanel(
  x: number,
  y: number,
  width: number,
  height: number,
): [u: number, v: number] | null {
  const u = x / width + 0.5
  const v = 0.5 - y / height
  return u >= 0 && u <= 1 && v >= 0 && v <= 1 ? [u, v] : null
}

/** A laser aimed through the worker's video: from their head (live or frozen) to the point it met. */
export function laserFromHead(head: { position: Vec3; orientation: Quat }, point: Vec3): Ray {
  const d: Vec3 = [point[0] - head.position[0], point[1] - head.position[1], point[2] - head.position[2]]
  const length = Math.hypot(d[0], d[1], d[2])
  // A point at the head itself gives no direction: use the head's view direction.
  if (length < 1e-6) return { origin: head.position, direction: viewDirection(head.orientation) }
  return { origin: head.position, direction: [d[0] / length, d[1] / length, d[2] / length] }
}

function viewDirection(orientation: Quat): Vec3 {
  return toParent([0, 0, 0], orientation, [0, 0, -1])
}

/**
 * The four far corners of a view frustum `distance` metres deep, in the head's own space (looking down -z):
 * top left, top right, bottom right, bottom left.
 */
export function frustumCorners(fovY: number, aspect: number, distance: number): Vec3[] {
  const y = Math.tan(fovY / 2) * distance
  const x = y * aspect
  return [
    [-x, y, -distance],
    [x, y, -distance],
    [x, -y, -distance],
    [-x, -y, -distance],
  ]
}

/** What replaces the miniature while the worker is in the call but not sharing; the DOM says the same. */
export function notSharingSentence(name: string): string {
  return `${name || 'The worker'} is not sharing their surroundings. Ask them to press Enter AR.`
}

/** What a shared surface is, for its shade in the miniature: the floor, a wall (or door, window), or furniture. */
export type SurfaceKind = 'floor' | 'wall' | 'ceiling' | 'furniture'

/**
 * By the headset's semantic label when it gave one; otherwise by how the surface lies: a horizontal plane at the
 * bottom of the room is floor, a vertical one wall, other horizontal ones furniture (tables, shelves); an unlabelled
 * mesh is the room's scan, drawn like a wall.
 */
export function surfaceKind(
  label: string | undefined,
  kind: 'plane' | 'mesh',
  /** +y of the plane in the worker's frame (its normal); ignored for meshes */
  normalY: number,
  /** the plane's height above the lowest surface, metres */
  heightAboveFloor: number,
): SurfaceKind {
  const name = label?.toLowerCase() ?? ''
  if (name === 'floor') return 'floor'
  if (name === 'ceiling') return 'ceiling'
  if (['wall', 'door', 'window', 'wall art', 'global mesh'].includes(name)) return 'wall'
  if (name !== '' && name !== 'other') return 'furniture'
  if (kind === 'mesh') return 'wall'
  if (Math.abs(normalY) < 0.3) return 'wall'
  if (normalY < 0) return 'ceiling'
  return heightAboveFloor < 0.15 ? 'floor' : 'furniture'
}
