import { describe, expect, it } from 'vitest'
import {
  BESIDE_OFFSET,
  consultRightEdge,
  defaultPanelPose,
  MONITOR_WIDTH,
  PANEL_WIDTH,
  sharedItemPose,
} from './panel-layout'
import {
  type Box,
  clampToBox,
  FRAME_MARGIN,
  frameBox,
  frameCallFirst,
  orbitLimits,
  SHARED_FRAMING_GROWTH,
  union,
  type Vec3,
} from './view-framing'

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

describe('frameCallFirst: the call’s panels at a readable size, shared items beside them', () => {
  const fovY = (60 * Math.PI) / 180
  /** The 3D view's canvas on a 1280×720 laptop, beside the tab's side column and above its toolbar, CSS pixels. */
  const canvas = { width: 896, height: 662 }
  const aspect = canvas.width / canvas.height
  /** A box round a flat panel of `halfWidth` at `pose` turned to face the user, `height` tall, `right` more at its right. */
  function panelBox(
    pose: { x: number; y: number; z: number; yaw: number },
    halfWidth: number,
    height: number,
    right = 0,
  ): Box {
    const across: [number, number] = [Math.cos(pose.yaw), -Math.sin(pose.yaw)]
    const ends = [-halfWidth, halfWidth + right].map(
      (d) => [pose.x + d * across[0], pose.z + d * across[1]] as const,
    )
    return {
      min: [Math.min(...ends.map((e) => e[0])), pose.y - height / 2, Math.min(...ends.map((e) => e[1]))],
      max: [Math.max(...ends.map((e) => e[0])), pose.y + height / 2, Math.max(...ends.map((e) => e[1]))],
    }
  }
  /** The patient's video panel straight ahead (4:3 with its border) and the vitals monitor at its right. */
  const video = panelBox(defaultPanelPose(0, 1), PANEL_WIDTH / 2, 0.5)
  const call = panelBox(
    defaultPanelPose(0, 1),
    PANEL_WIDTH / 2,
    0.6,
    BESIDE_OFFSET + MONITOR_WIDTH / 2 - PANEL_WIDTH / 2,
  )
  /** Four images shared, where the arc puts them (4:3 pictures). */
  const items = [0, 1, 2, 3].map((slot) =>
    panelBox(sharedItemPose(slot, consultRightEdge([true])), PANEL_WIDTH / 2, 0.48),
  )

  /** On-screen width of the video panel in the canvas, CSS pixels, and whether all of `box` is in view. */
  function measure(framing: ReturnType<typeof frameBox>, box: Box) {
    const xs = corners(video).map((c) => project(c, framing, fovY, aspect, 0).x)
    const inView = corners(box).every((c) => {
      const p = project(c, framing, fovY, aspect, 0)
      return Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1
    })
    return { videoPixels: ((Math.max(...xs) - Math.min(...xs)) / 2) * canvas.width, inView }
  }

  it('keeps the patient’s video readable with four shared items, and the nearest item in view beside it', () => {
    const alone = measure(frameBox(call, fovY, aspect), call).videoPixels
    const framed = frameCallFirst(call, items, fovY, aspect)
    if (!framed) throw new Error('nothing framed')
    const { videoPixels } = measure(framed.framing, call)
    // Framing all four shrinks the video to under 100 px, the monitor's digits (5 cm of its 62) to about 7 px.
    const everything = items.reduce(union, call)
    expect(measure(frameBox(everything, fovY, aspect), call).videoPixels).toBeLessThan(100)
    // Framed first, with the nearest item beside it: over 180 px, the monitor's digits about 14 px tall.
    expect(videoPixels).toBeGreaterThan(180)
    expect(videoPixels).toBeGreaterThan(alone / 2.5)
    expect(measure(framed.framing, call).inView).toBe(true)
    expect(framed.items).toBe(1)
    expect(measure(framed.framing, items[0] as Box).inView).toBe(true)
  })

  it('frames a further item beside the call’s panels only while they keep 60 % of their size alone', () => {
    const alone = frameBox(call, fovY, aspect).distance
    // An item just right of the monitor, and one far round the arc.
    const near = panelBox({ x: 1.2, y: 1.45, z: -1.35, yaw: 0 }, PANEL_WIDTH / 2, 0.48)
    const framed = frameCallFirst(call, [near, near, items[3] as Box], fovY, aspect)
    expect(framed?.items).toBe(2)
    expect(framed?.framing.distance).toBeLessThanOrEqual(alone * SHARED_FRAMING_GROWTH)
  })

  it('frames the call’s panels alone as before when nothing is shared, and the items when nobody else is there', () => {
    expect(frameCallFirst(call, [], fovY, aspect)?.framing).toEqual(frameBox(call, fovY, aspect))
    const onlyItems = frameCallFirst(null, items.slice(0, 2), fovY, aspect)
    expect(onlyItems?.items).toBe(2)
    for (const item of items.slice(0, 2))
      expect(measure(onlyItems?.framing as ReturnType<typeof frameBox>, item).inView).toBe(true)
    expect(frameCallFirst(null, [], fovY, aspect)).toBeNull()
  })
})
