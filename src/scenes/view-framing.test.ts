import { describe, expect, it } from 'vitest'
import { type Box, clampToBox, FRAME_MARGIN, frameBox, orbitLimits, type Vec3 } from './view-framing'

/** Where a world point lands in normalized device coordinates of a camera at `framing` (x, y in [-1, 1] inside). */
function project(
  point: Vec3,
  framing: ReturnType<typeof frameBox>,
  fovY: number,
  aspect: number,
  pitch: number,
) {
  const o = point.map((v, i) => v - (framing.position[i] ?? 0)) as Vec3
  const forward: Vec3 = [0, -Math.sin(pitch), -Math.cos(pitch)]
  const up: Vec3 = [0, Math.cos(pitch), -Math.sin(pitch)]
  const depth = o[1] * forward[1] + o[2] * forward[2]
  const t = Math.tan(fovY / 2)
  return { x: o[0] / depth / (t * aspect), y: (o[1] * up[1] + o[2] * up[2]) / depth / t }
}

function corners(box: Box): Vec3[] {
  const list: Vec3[] = []
  for (const x of [box.min[0], box.max[0]])
    for (const y of [box.min[1], box.max[1]]) for (const z of [box.min[2], box.max[2]]) list.push([x, y, z])
  return list
}

describe('frameBox', () => {
  const panel: Box = { min: [-0.32, 1.21, -1.36], max: [0.32, 1.69, -1.34] }
  const fovY = (60 * Math.PI) / 180

  it('fits a panel head-on, touching the margin on its limiting side', () => {
    for (const aspect of [16 / 9, 390 / 600, 1]) {
      const framing = frameBox(panel, fovY, aspect)
      expect(framing.target[0]).toBeCloseTo(0)
      expect(framing.position[1]).toBeCloseTo(1.45)
      const projected = corners(panel).map((c) => project(c, framing, fovY, aspect, 0))
      const extent = Math.max(...projected.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y))))
      expect(extent).toBeLessThanOrEqual(1 - FRAME_MARGIN + 1e-9)
      expect(extent).toBeGreaterThan(1 - FRAME_MARGIN - 0.02)
    }
  })

  it('keeps every corner in view when looking down at a deep box', () => {
    const deep: Box = { min: [-0.6, 0.7, -1.4], max: [0.6, 1.7, -0.4] }
    const pitch = 0.45
    const framing = frameBox(deep, fovY, 16 / 9, pitch)
    for (const c of corners(deep)) {
      const p = project(c, framing, fovY, 16 / 9, pitch)
      expect(Math.abs(p.x)).toBeLessThanOrEqual(1)
      expect(Math.abs(p.y)).toBeLessThanOrEqual(1)
    }
    expect(framing.position[1]).toBeGreaterThan(framing.target[1])
  })

  it('steps back further for a narrow (portrait) view than for a wide one', () => {
    expect(frameBox(panel, fovY, 0.6).distance).toBeGreaterThan(frameBox(panel, fovY, 16 / 9).distance)
  })
})

describe('orbit limits and pan clamp', () => {
  it('allows some orbit round the framed pitch, never past straight up or down', () => {
    const limits = orbitLimits({ position: [0, 0, 1], target: [0, 0, 0], distance: 1 }, 0.4)
    expect(limits.minPolarAngle).toBeLessThan(Math.PI / 2 - 0.4)
    expect(limits.maxPolarAngle).toBeGreaterThan(Math.PI / 2 - 0.4)
    expect(limits.minPolarAngle).toBeGreaterThan(0)
    expect(limits.maxAzimuthAngle).toBeLessThan(Math.PI / 4)
  })

  it('clamps a point into a box', () => {
    expect(clampToBox([5, -5, 0.5], { min: [0, 0, 0], max: [1, 1, 1] })).toEqual([1, 0, 0.5])
  })
})
