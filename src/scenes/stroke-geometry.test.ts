import { describe, expect, it } from 'vitest'
import type { Vec3 } from '../annotations/model'
import { strokeTube, TUBE_SIDES } from './stroke-geometry'

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
