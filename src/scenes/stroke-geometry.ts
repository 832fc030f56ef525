// A stroke as a thin tube: a triangular prism swept along its points. Plain triangles in one draw call, with no
// per-segment instancing and no screen-space shader: cheap to draw in a headset's two eyes (and under software GL,
// where three's instanced Line2 cost both pages about 40 % of their frame rate at 2,000 points), visible from any
// side, and as wide in metres as the stroke says. Pure: numbers in, arrays out.
//
// A hand-drawn stroke keeps a point every few millimetres (2,000 for a long one), most of them on a nearly straight
// run. The tube is swept only through the points that change its shape by more than a fraction of its own radius
// (`simplifyStroke`, Ramer-Douglas-Peucker): what is drawn lies within that fraction of every point drawn, and a
// long stroke costs a headset's two eyes (and software GL) a tenth of the triangles. The stroke itself, as sent and
// stored, keeps every point.
import type { Vec3 } from '../annotations/model'

/**
 * How far the drawn tube's centre line may stray from a point of the stroke, as a share of the tube's radius: a
 * quarter of its width, which no one can see at a few millimetres wide, in metres or in a model's own units alike.
 */
export const SIMPLIFY_SHARE_OF_RADIUS = 0.5

/** Corners of the tube's cross-section: a triangle is the fewest that look round enough at a few millimetres. */
export const TUBE_SIDES = 3

export interface TubeArrays {
  positions: Float32Array
  indices: Uint32Array
}

function normalize(v: Vec3): Vec3 | null {
  const length = Math.hypot(v[0], v[1], v[2])
  return length > 1e-9 ? [v[0] / length, v[1] / length, v[2] / length] : null
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/** Any unit vector perpendicular to `t`. */
function perpendicular(t: Vec3): Vec3 {
  const reference: Vec3 = Math.abs(t[1]) < 0.9 ? [0, 1, 0] : [1, 0, 0]
  return normalize(cross(t, reference)) ?? [1, 0, 0]
}

/** Distance from `p` to the segment from `a` to `b`. */
function distanceToSegment(p: Vec3, a: Vec3, b: Vec3): number {
  const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
  const ap: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]]
  const length2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2]
  const t =
    length2 > 0 ? Math.min(1, Math.max(0, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / length2)) : 0
  return Math.hypot(ap[0] - ab[0] * t, ap[1] - ab[1] * t, ap[2] - ab[2] * t)
}

/**
 * The points of `points` that keep the polyline within `tolerance` of every point (Ramer-Douglas-Peucker, with an
 * explicit stack: a 2,000-point stroke must not recurse 2,000 deep). The first and last points always stay; the
 * same array comes back when nothing can go.
 */
export function simplifyStroke(points: readonly Vec3[], tolerance: number): readonly Vec3[] {
  const n = points.length
  if (n <= 2 || !(tolerance > 0)) return points
  const keep = new Uint8Array(n)
  keep[0] = 1
  keep[n - 1] = 1
  const stack: Array<[number, number]> = [[0, n - 1]]
  while (stack.length > 0) {
    const [first, last] = stack.pop() as [number, number]
    let farthest = -1
    let farthestDistance = tolerance
    for (let i = first + 1; i < last; i++) {
      const distance = distanceToSegment(points[i] as Vec3, points[first] as Vec3, points[last] as Vec3)
      if (distance > farthestDistance) {
        farthest = i
        farthestDistance = distance
      }
    }
    if (farthest < 0) continue
    keep[farthest] = 1
    stack.push([first, farthest], [farthest, last])
  }
  const kept = points.filter((_, i) => keep[i] === 1)
  return kept.length === n ? points : kept
}

/**
 * The tube around `points` with `radius` (metres), swept through the points that `simplifyStroke` keeps at
 * SIMPLIFY_SHARE_OF_RADIUS of the radius. The cross-section is carried from point to point by parallel
 * transport (the previous side vector, minus its part along the new direction), so the tube does not twist.
 * Repeated points reuse the last direction; a single point gives a tube of zero length (still drawn as nothing).
 */
export function strokeTube(stroke: readonly Vec3[], radius: number): TubeArrays {
  const points = simplifyStroke(stroke, radius * SIMPLIFY_SHARE_OF_RADIUS)
  const n = points.length
  const positions = new Float32Array(n * TUBE_SIDES * 3)
  const segments = Math.max(0, n - 1)
  const indices = new Uint32Array(segments * TUBE_SIDES * 6)
  let tangent: Vec3 = [1, 0, 0]
  let side: Vec3 | null = null
  for (let i = 0; i < n; i++) {
    const previous = points[Math.max(0, i - 1)] as Vec3
    const next = points[Math.min(n - 1, i + 1)] as Vec3
    tangent = normalize([next[0] - previous[0], next[1] - previous[1], next[2] - previous[2]]) ?? tangent
    if (side) {
      const along = side[0] * tangent[0] + side[1] * tangent[1] + side[2] * tangent[2]
      side = normalize([
        side[0] - tangent[0] * along,
        side[1] - tangent[1] * along,
        side[2] - tangent[2] * along,
      ])
    }
    side ??= perpendicular(tangent)
    const other = cross(tangent, side)
    const p = points[i] as Vec3
    for (let k = 0; k < TUBE_SIDES; k++) {
      const angle = (2 * Math.PI * k) / TUBE_SIDES
      const c = Math.cos(angle) * radius
      const s = Math.sin(angle) * radius
      const at = (i * TUBE_SIDES + k) * 3
      positions[at] = p[0] + side[0] * c + other[0] * s
      positions[at + 1] = p[1] + side[1] * c + other[1] * s
      positions[at + 2] = p[2] + side[2] * c + other[2] * s
    }
  }
  for (let i = 0; i < segments; i++) {
    for (let k = 0; k < TUBE_SIDES; k++) {
      const a = i * TUBE_SIDES + k
      const b = i * TUBE_SIDES + ((k + 1) % TUBE_SIDES)
      const c = a + TUBE_SIDES
      const d = b + TUBE_SIDES
      indices.set([a, c, b, b, c, d], (i * TUBE_SIDES + k) * 6)
    }
  }
  return { positions, indices }
}
