// A stroke as a thin tube: a triangular prism swept along its points. Plain triangles in one draw call, with no
// per-segment instancing and no screen-space shader: cheap to draw in a headset's two eyes (and under software GL,
// where three's instanced Line2 cost both pages about 40 % of their frame rate at 2,000 points), visible from any
// side, and as wide in metres as the stroke says. Pure: numbers in, arrays out.
import type { Vec3 } from '../annotations/model'

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

/**
 * The tube around `points` with `radius` (metres). The cross-section is carried from point to point by parallel
 * transport (the previous side vector, minus its part along the new direction), so the tube does not twist.
 * Repeated points reuse the last direction; a single point gives a tube of zero length (still drawn as nothing).
 */
export function strokeTube(points: readonly Vec3[], radius: number): TubeArrays {
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
