import { describe, expect, it } from 'vitest'
import {
  ARC_RADIUS,
  angleBelowEyes,
  FEATURED_DISTANCE,
  FEATURED_SCALE,
  featuredOf,
  type LectureMember,
  lectureLayout,
  MAX_PER_ROW,
  rowSizes,
  TILE_HEIGHT,
  TILE_WIDTH,
} from './lecture-layout'
import { EYE_HEIGHT, PANEL_WIDTH } from './panel-layout'

const members = (
  count: number,
  extra: Partial<Record<number, Partial<LectureMember>>> = {},
): LectureMember[] =>
  Array.from({ length: count }, (_, i) => ({
    peerId: `p${i}`,
    presenter: false,
    speaking: false,
    ...extra[i],
  }))

/** A tile's extent as the user sees it: azimuth and elevation ranges, degrees. */
function angularBox(position: [number, number, number]) {
  const [x, y, z] = position
  const distance = Math.hypot(x, z)
  const azimuth = (Math.atan2(x, -z) * 180) / Math.PI
  const halfWidth = (Math.atan2(TILE_WIDTH / 2, distance) * 180) / Math.PI
  return {
    left: azimuth - halfWidth,
    right: azimuth + halfWidth,
    top: -angleBelowEyes(y + TILE_HEIGHT / 2, distance),
    bottom: -angleBelowEyes(y - TILE_HEIGHT / 2, distance),
  }
}

describe('featuredOf', () => {
  it('features the presenter, else whoever has the floor, else the first', () => {
    expect(featuredOf(members(5, { 3: { presenter: true }, 1: { speaking: true } }))).toBe('p3')
    expect(featuredOf(members(5, { 2: { speaking: true } }))).toBe('p2')
    expect(featuredOf(members(5))).toBe('p0')
    expect(featuredOf([])).toBeNull()
  })

  it('follows the active speaker over the presenter, as the 2D layout does', () => {
    const room = members(5, { 0: { presenter: true }, 3: { speaking: true } })
    expect(featuredOf(room, 'p3')).toBe('p3')
    // The presenter speaking (or nobody heard lately) gives the panel back to the presenter.
    expect(featuredOf(room, 'p0')).toBe('p0')
    expect(featuredOf(room, null)).toBe('p0')
    // Someone who left is nobody's choice: the rule goes on as if nobody had been heard.
    expect(featuredOf(room, 'gone')).toBe('p0')
  })

  it('takes the featured participant off the arc', () => {
    const layout = lectureLayout(members(4, { 0: { presenter: true }, 2: { speaking: true } }), 'p2')
    expect(layout.featured).toBe('p2')
    expect(layout.tiles.map((t) => t.peerId)).toEqual(['p0', 'p1', 'p3'])
  })
})

describe('rowSizes', () => {
  it('uses as few rows as the row limit allows, spread evenly, fullest first', () => {
    expect(rowSizes(0)).toEqual([])
    expect(rowSizes(4)).toEqual([4])
    expect(rowSizes(MAX_PER_ROW)).toEqual([MAX_PER_ROW])
    expect(rowSizes(11)).toEqual([6, 5])
    expect(rowSizes(28)).toEqual([10, 9, 9])
    expect(rowSizes(29)).toEqual([10, 10, 9])
  })
})

describe('lectureLayout', () => {
  it('puts the presenter large in front and everyone else on tiles', () => {
    const layout = lectureLayout(members(6, { 4: { presenter: true } }))
    expect(layout.featured).toBe('p4')
    expect(layout.tiles.map((t) => t.peerId)).toEqual(['p0', 'p1', 'p2', 'p3', 'p5'])
    expect(layout.featuredPose).toMatchObject({ x: 0, yaw: 0, z: -FEATURED_DISTANCE })
    // Three times a tile's width in the view.
    const featuredAngle = (PANEL_WIDTH * FEATURED_SCALE) / FEATURED_DISTANCE
    expect(featuredAngle).toBeGreaterThanOrEqual((3 * TILE_WIDTH) / ARC_RADIUS - 1e-9)
  })

  it('fits 30 people: no tiles overlap, all within a comfortable view, below the large panel, facing the user', () => {
    const layout = lectureLayout(members(30, { 0: { presenter: true } }))
    expect(layout.tiles).toHaveLength(29)
    const boxes = layout.tiles.map((t) => angularBox(t.position))
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]
        const b = boxes[j]
        if (!a || !b) continue
        const apart = a.right <= b.left || b.right <= a.left || a.bottom >= b.top || b.bottom >= a.top
        expect(apart, `tiles ${i} and ${j} overlap`).toBe(true)
      }
    }
    // The large panel's lower edge (with its caption, scaled) is above every tile's top as the user sees it.
    const pose = layout.featuredPose
    const featuredBottom = -angleBelowEyes(
      pose.y - (PANEL_WIDTH * pose.scale * 0.75) / 2 - 0.1,
      FEATURED_DISTANCE,
    )
    for (const [i, box] of boxes.entries()) {
      expect(Math.abs(box.left), `tile ${i} left`).toBeLessThan(55)
      expect(Math.abs(box.right), `tile ${i} right`).toBeLessThan(55)
      expect(box.top, `tile ${i} under the large panel`).toBeLessThan(featuredBottom)
      expect(box.bottom, `tile ${i} not too far down`).toBeGreaterThan(-40)
    }
    for (const tile of layout.tiles) {
      const [x, y, z] = tile.position
      // In front of the user (never behind), and turned square to the eyes: yaw towards the origin, pitched up.
      expect(z).toBeLessThan(0)
      expect(tile.rotation[1]).toBeCloseTo(Math.atan2(-x, -z), 6)
      expect(tile.rotation[0]).toBeLessThan(0)
      expect(y).toBeLessThan(EYE_HEIGHT)
      expect(y).toBeLessThan(pose.y)
    }
  })

  it('centres a short row on straight ahead', () => {
    const layout = lectureLayout(members(4))
    const xs = layout.tiles.map((t) => t.position[0])
    expect(xs).toHaveLength(3)
    expect(xs[1]).toBeCloseTo(0, 9)
    expect(xs[0]).toBeCloseTo(-(xs[2] as number), 9)
  })
})
