import { describe, expect, it } from 'vitest'
import type { Quat, Vec3 } from '../annotations/model'
import type { Surface } from '../annotations/space'
import {
  fitMiniature,
  frustumCorners,
  imagePointOnPanel,
  laserFromHead,
  surfaceBounds,
  surfaceKind,
} from './worker-space-layout'

const IDENTITY: Quat = [0, 0, 0, 1]
/** A quarter turn about +x: the plane's +y normal becomes +z (a wall facing the room's origin from -z). */
const UPRIGHT: Quat = [Math.SQRT1_2, 0, 0, Math.SQRT1_2]

const floor: Surface = {
  kind: 'plane',
  id: 'floor',
  label: 'floor',
  position: [0, 0, -1],
  orientation: IDENTITY,
  polygon: [
    [-1.5, -1],
    [1.5, -1],
    [1.5, 1],
    [-1.5, 1],
  ],
}

const wall: Surface = {
  kind: 'mesh',
  id: 'wall',
  label: 'wall',
  position: [0, 0, -2],
  orientation: IDENTITY,
  vertices: new Float32Array([-1.5, 0, 0, 1.5, 0, 0, 1.5, 2.5, 0, -1.5, 2.5, 0]),
  indices: new Uint16Array([0, 1, 2, 0, 2, 3]),
}

const LIMITS = { maxScale: 0.35, maxFootprint: 0.7, maxHeight: 0.3 }

function close(actual: readonly number[], expected: readonly number[]) {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((value, i) => {
    expect(value).toBeCloseTo(expected[i] as number, 6)
  })
}

describe('surfaceBounds', () => {
  it('is null without surfaces', () => {
    expect(surfaceBounds([])).toBeNull()
  })

  it('spans plane outlines and mesh vertices in the worker frame', () => {
    const bounds = surfaceBounds([floor, wall])
    close(bounds?.min ?? [], [-1.5, 0, -2])
    close(bounds?.max ?? [], [1.5, 2.5, 0])
  })

  it('applies each surface’s pose', () => {
    const bounds = surfaceBounds([{ ...floor, position: [2, 1, 0], orientation: UPRIGHT }])
    // Rotated a quarter turn about x, the outline's z becomes -y.
    close(bounds?.min ?? [], [0.5, 0, 0])
    close(bounds?.max ?? [], [3.5, 2, 0])
  })
})

describe('fitMiniature', () => {
  it('shrinks a room to the tighter of the footprint and height limits, standing on its floor', () => {
    const { scale, centre } = fitMiniature(surfaceBounds([floor, wall]), null, LIMITS)
    // 3 m wide → 0.7/3 = 0.233; 2.5 m tall → 0.3/2.5 = 0.12.
    expect(scale).toBeCloseTo(0.12, 6)
    close(centre, [0, 0, -1])
  })

  it('never scales a small space beyond maxScale', () => {
    const bench: Surface = {
      ...floor,
      polygon: [
        [-0.2, -0.2],
        [0.2, -0.2],
        [0.2, 0.2],
      ],
    }
    expect(fitMiniature(surfaceBounds([bench]), null, { ...LIMITS, maxHeight: 1 }).scale).toBe(0.35)
  })

  it('keeps the head inside', () => {
    const head: Vec3 = [0, 1.7, 3]
    const { scale, centre } = fitMiniature(surfaceBounds([floor]), head, LIMITS)
    // z now spans -2..3: 5 m → 0.14; height 1.7 m → 0.176.
    expect(scale).toBeCloseTo(0.14, 6)
    close(centre, [0, 0, 0.5])
  })

  it('gives a person-sized space before any surface arrived', () => {
    const { scale, centre } = fitMiniature(null, null, LIMITS)
    expect(scale).toBeCloseTo(0.3 / 1.8, 6)
    close(centre, [0, 0, 0])
  })
})

describe('imagePointOnPanel', () => {
  it('turns panel coordinates (y up, from the centre) into image u, v from the top left', () => {
    expect(imagePointOnPanel(0, 0, 0.64, 0.48)).toEqual([0.5, 0.5])
    close(imagePointOnPanel(-0.32, 0.24, 0.64, 0.48) ?? [], [0, 0])
    close(imagePointOnPanel(0.16, -0.12, 0.64, 0.48) ?? [], [0.75, 0.75])
  })

  it('is null off the image', () => {
    expect(imagePointOnPanel(0.33, 0, 0.64, 0.48)).toBeNull()
    expect(imagePointOnPanel(0, -0.25, 0.64, 0.48)).toBeNull()
  })
})

describe('laserFromHead', () => {
  it('points from the head to the point', () => {
    const ray = laserFromHead({ position: [0, 1.6, 0], orientation: IDENTITY }, [0, 1.6, -2])
    close(ray.origin, [0, 1.6, 0])
    close(ray.direction, [0, 0, -1])
  })

  it('falls back to the view direction for a point at the head', () => {
    const ray = laserFromHead({ position: [0, 1.6, 0], orientation: UPRIGHT }, [0, 1.6, 0])
    // A quarter turn about x tips -z up to +y.
    close(ray.direction, [0, 1, 0])
  })
})

describe('frustumCorners', () => {
  it('spans the field of view at the given depth', () => {
    const corners = frustumCorners(Math.PI / 2, 2, 1)
    close(corners[0] ?? [], [-2, 1, -1])
    close(corners[2] ?? [], [2, -1, -1])
  })
})

describe('surfaceKind', () => {
  it('follows the headset’s label, and otherwise how a surface lies', () => {
    expect(surfaceKind('floor', 'plane', 1, 0)).toBe('floor')
    expect(surfaceKind('wall', 'mesh', 0, 0)).toBe('wall')
    expect(surfaceKind('table', 'plane', 1, 0.7)).toBe('furniture')
    expect(surfaceKind(undefined, 'plane', 1, 0)).toBe('floor')
    expect(surfaceKind(undefined, 'plane', 1, 0.75)).toBe('furniture')
    expect(surfaceKind(undefined, 'plane', 0, 1)).toBe('wall')
    expect(surfaceKind(undefined, 'plane', -1, 2.4)).toBe('ceiling')
    expect(surfaceKind(undefined, 'mesh', 0, 0)).toBe('wall')
  })
})
