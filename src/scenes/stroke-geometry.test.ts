import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Vec3 } from '../annotations/model'
import { SIMPLIFY_SHARE_OF_RADIUS, simplifyStroke, strokeTube, TUBE_SIDES } from './stroke-geometry'

const distanceToPoint = (positions: Float32Array, vertex: number, point: Vec3) =>
  Math.hypot(
    (positions[vertex * 3] as number) - point[0],
    (positions[vertex * 3 + 1] as number) - point[1],
    (positions[vertex * 3 + 2] as number) - point[2],
  )

describe('strokeTube', () => {
  it('puts every corner at the radius around its point, perpendicular to the stroke, on a curve', () => {
    const points: Vec3[] = Array.from({ length: 50 }, (_, i) => [
      Math.cos(i / 5),
      0.75 + i * 0.001,
      Math.sin(i / 5),
    ])
    const { positions, indices } = strokeTube(points, 0.003)
    expect(positions.length).toBe(points.length * TUBE_SIDES * 3)
    expect(indices.length).toBe((points.length - 1) * TUBE_SIDES * 6)
    for (const [i, point] of points.entries()) {
      for (let k = 0; k < TUBE_SIDES; k++)
        expect(distanceToPoint(positions, i * TUBE_SIDES + k, point)).toBeCloseTo(0.003, 6)
    }
    expect(Math.max(...indices)).toBe(points.length * TUBE_SIDES - 1)
  })

  it('stays finite for repeated points, a vertical stroke and a single point', () => {
    for (const points of [
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0.1, 0],
        [0, 0.1, 0],
      ] as Vec3[],
      [
        [0, 0, 0],
        [0, 1, 0],
      ] as Vec3[],
      [[1, 2, 3]] as Vec3[],
    ]) {
      const { positions } = strokeTube(points, 0.002)
      expect(positions.every(Number.isFinite)).toBe(true)
    }
    expect(strokeTube([[1, 2, 3]], 0.002).indices.length).toBe(0)
  })
})

/** Distance from `p` to the nearest point of the polyline through `line` (one point: to that point). */
function distanceToPolyline(p: Vec3, line: readonly Vec3[]): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < line.length; i++) {
    const a = line[i] as Vec3
    const b = (line[i + 1] ?? a) as Vec3
    const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
    const ap: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]]
    const l2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2
    const t = l2 > 0 ? Math.min(1, Math.max(0, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / l2)) : 0
    best = Math.min(best, Math.hypot(ap[0] - ab[0] * t, ap[1] - ab[1] * t, ap[2] - ab[2] * t))
  }
  return best
}

describe('simplifyStroke', () => {
  it('keeps only the ends of a straight stroke, however many points it has', () => {
    const line: Vec3[] = Array.from({ length: 2000 }, (_, i) => [i * 0.004, 0.75, 0.002 * i])
    expect(simplifyStroke(line, 0.001)).toEqual([line[0], line[1999]])
    // and the tube is then one segment long
    const { positions, indices } = strokeTube(line, 0.0015)
    expect(positions.length).toBe(2 * TUBE_SIDES * 3)
    expect(indices.length).toBe(TUBE_SIDES * 6)
  })

  it('drops most points of a hand-drawn spiral (4 mm apart) and stays within the tolerance of every one', () => {
    // The guidance benchmark's stroke: a spiral on the floor, 2,000 points 4 mm apart.
    const spiral: Vec3[] = []
    let angle = 0
    for (let i = 0; i < 2000; i++) {
      const r = 0.15 + angle * 0.02
      spiral.push([r * Math.cos(angle), 0.001, r * Math.sin(angle)])
      angle += 0.004 / r
    }
    const tolerance = 0.0015 * SIMPLIFY_SHARE_OF_RADIUS
    const kept = simplifyStroke(spiral, tolerance)
    expect(kept.length).toBeLessThan(spiral.length / 4)
    for (const point of spiral) expect(distanceToPolyline(point, kept)).toBeLessThanOrEqual(tolerance + 1e-12)
  })

  it('keeps a zigzag whose teeth stand out more than the tolerance', () => {
    const zigzag: Vec3[] = Array.from({ length: 40 }, (_, i) => [i * 0.01, i % 2 === 0 ? 0 : 0.005, 0])
    expect(simplifyStroke(zigzag, 0.001)).toBe(zigzag)
  })

  it('returns a subsequence with both ends, within the tolerance of every point, for any stroke', () => {
    const coordinate = fc.double({ min: -1, max: 1, noNaN: true })
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coordinate, coordinate, coordinate), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 1e-4, max: 0.2, noNaN: true }),
        (points, tolerance) => {
          const stroke = points as Vec3[]
          const kept = simplifyStroke(stroke, tolerance)
          expect(kept[0]).toBe(stroke[0])
          expect(kept.at(-1)).toBe(stroke.at(-1))
          let at = 0
          for (const point of kept) {
            while (at < stroke.length && stroke[at] !== point) at++
            expect(at).toBeLessThan(stroke.length)
          }
          for (const point of stroke)
            expect(distanceToPolyline(point, kept)).toBeLessThanOrEqual(tolerance + 1e-9)
        },
      ),
    )
  })
})
