import { describe, expect, it } from 'vitest'
import type { Quat, Vec3 } from './model'
import { raycastSurfaces, rayThroughImage, rotate, toLocal, toParent } from './raycast'
import type { MeshSurface, PlaneSurface } from './space'

const IDENTITY: Quat = [0, 0, 0, 1]
/** 90° about y: -z (ahead) turns to -x. */
const YAW_90: Quat = [0, Math.SQRT1_2, 0, Math.SQRT1_2]

function close(actual: readonly number[], expected: readonly number[], digits = 9) {
  for (const [i, value] of expected.entries()) expect(actual[i]).toBeCloseTo(value, digits)
}

/** A wall 2 m ahead (z = -2) facing the viewer (+z), 4 m × 4 m, as two triangles wound counter-clockwise. */
function wall(z = -2, frontTowardsViewer = true): MeshSurface {
  const vertices = new Float32Array([-2, 0, z, 2, 0, z, 2, 4, z, -2, 4, z])
  const indices = frontTowardsViewer
    ? new Uint16Array([0, 1, 2, 0, 2, 3])
    : new Uint16Array([0, 2, 1, 0, 3, 2])
  return {
    kind: 'mesh',
    id: 'wall',
    label: 'wall',
    position: [0, 0, 0],
    orientation: IDENTITY,
    vertices,
    indices,
  }
}

/** A 1 m table top at 0.75 m, its +y up, centred 1 m ahead. */
const table: PlaneSurface = {
  kind: 'plane',
  id: 'table',
  label: 'table',
  position: [0, 0.75, -1],
  orientation: IDENTITY,
  polygon: [
    [-0.5, -0.5],
    [0.5, -0.5],
    [0.5, 0.5],
    [-0.5, 0.5],
  ],
}

describe('poses', () => {
  it('rotates, and maps between a pose and its parent both ways', () => {
    close(rotate(YAW_90, [0, 0, -1]), [-1, 0, 0])
    const position: Vec3 = [1, 2, 3]
    const local: Vec3 = [0.3, -0.2, 0.5]
    close(toLocal(position, YAW_90, toParent(position, YAW_90, local)), local)
  })
})

describe('rayThroughImage', () => {
  const head = { position: [0, 1.6, 0] as Vec3, orientation: IDENTITY }

  it('goes straight ahead through the image centre', () => {
    const ray = rayThroughImage(head, Math.PI / 2, 16 / 9, 0.5, 0.5)
    close(ray.origin, [0, 1.6, 0])
    close(ray.direction, [0, 0, -1])
  })

  it('reaches the top-left corner at half the field of view on each axis', () => {
    const fovY = Math.PI / 2
    const aspect = 2
    const ray = rayThroughImage(head, fovY, aspect, 0, 0)
    // tan(fovY / 2) = 1 up, and aspect times that to the left.
    const length = Math.hypot(2, 1, 1)
    close(ray.direction, [-2 / length, 1 / length, -1 / length])
  })

  it('turns with the head', () => {
    const ray = rayThroughImage({ position: [0, 0, 0], orientation: YAW_90 }, 1, 1, 0.5, 0.5)
    close(ray.direction, [-1, 0, 0])
  })
})

describe('raycastSurfaces', () => {
  it('meets the front of a mesh at the exact point, with its normal towards the viewer', () => {
    const hit = raycastSurfaces([wall()], { origin: [0.3, 1.2, 0], direction: [0, 0, -1] })
    expect(hit?.surfaceId).toBe('wall')
    close(hit?.point ?? [], [0.3, 1.2, -2], 6)
    expect(hit?.distance).toBeCloseTo(2, 6)
    close(hit?.normal ?? [], [0, 0, 1])
  })

  it('passes through the back of a mesh, as the headset hit test does', () => {
    expect(raycastSurfaces([wall(-2, false)], { origin: [0, 1, 0], direction: [0, 0, -1] })).toBeNull()
  })

  it('takes the nearest of several hits, in a posed mesh', () => {
    const turned: MeshSurface = { ...wall(-3), id: 'turned', position: [0, 0, 0], orientation: YAW_90 }
    // The turned wall now stands at x = -3, facing +x; a ray to -x meets it there.
    const hit = raycastSurfaces([wall(-5), turned], { origin: [0, 1, 0], direction: [-1, 0, 0] })
    expect(hit?.surfaceId).toBe('turned')
    close(hit?.point ?? [], [-3, 1, 0], 6)
  })

  it('uses planes only when no mesh is hit, from their front, inside their outline', () => {
    const down = { origin: [0.2, 1.5, -1.1] as Vec3, direction: [0, -1, 0] as Vec3 }
    close(raycastSurfaces([table], down)?.point ?? [], [0.2, 0.75, -1.1])
    expect(raycastSurfaces([table], { origin: [0.2, 0.5, -1.1], direction: [0, 1, 0] })).toBeNull()
    expect(raycastSurfaces([table], { origin: [0.9, 1.5, -1.1], direction: [0, -1, 0] })).toBeNull()
    // A mesh hit anywhere along the ray wins over the plane, even a farther one.
    const floor: MeshSurface = {
      kind: 'mesh',
      id: 'floor',
      label: 'floor',
      position: [0, 0, 0],
      orientation: IDENTITY,
      vertices: new Float32Array([-5, 0, 5, 5, 0, 5, 5, 0, -5, -5, 0, -5]),
      indices: new Uint16Array([0, 1, 2, 0, 2, 3]),
    }
    expect(raycastSurfaces([table, floor], down)?.surfaceId).toBe('floor')
  })

  it('meets only the room scan where there is one, not the furniture boxes inside it', () => {
    const scan = { ...wall(-2), id: 'scan', label: 'global mesh' }
    const box = { ...wall(-1), id: 'box', label: 'table' }
    const ray = { origin: [0, 1, 0] as Vec3, direction: [0, 0, -1] as Vec3 }
    expect(raycastSurfaces([box, scan], ray)?.surfaceId).toBe('scan')
    expect(raycastSurfaces([box], ray)?.surfaceId).toBe('box')
  })

  it('finds nothing when the ray points away', () => {
    expect(raycastSurfaces([wall(), table], { origin: [0, 1, 0], direction: [0, 0, 1] })).toBeNull()
  })
})
