// The coarse copy of a dense model: far fewer triangles, the same shape to within a grid cell, unit normals, and
// each material's triangles still its own; a light mesh is left alone.
import { BufferAttribute, BufferGeometry, SphereGeometry } from 'three'
import { describe, expect, it } from 'vitest'
import {
  clusterSimplify,
  detailLevel,
  LOD_CELLS,
  LOD_LEVEL_CELLS,
  LOD_MIN_TRIANGLES,
  worthSimplifying,
} from './model-lod'

/** A dense indexed sphere of radius 0.1 m, like a detailed scan: about 80,000 triangles. */
const denseSphere = () => new SphereGeometry(0.1, 200, 200)
const triangles = (geometry: BufferGeometry) => (geometry.index?.count ?? 0) / 3

describe('clusterSimplify', () => {
  it('keeps a dense sphere a sphere with a fraction of its triangles', () => {
    const sphere = denseSphere()
    expect(worthSimplifying(sphere)).toBe(true)
    const coarse = clusterSimplify(sphere)
    if (!coarse) throw new Error('no coarse copy')
    expect(triangles(coarse)).toBeLessThan(0.5 * triangles(sphere))
    expect(triangles(coarse)).toBeGreaterThan(1000)
    // Every vertex within a cell's diagonal of the surface: the shape is kept.
    const cell = 0.2 / LOD_CELLS
    const position = coarse.getAttribute('position')
    const normal = coarse.getAttribute('normal')
    for (let i = 0; i < position.count; i++) {
      const r = Math.hypot(position.getX(i), position.getY(i), position.getZ(i))
      expect(Math.abs(r - 0.1)).toBeLessThan(cell * Math.sqrt(3))
      expect(Math.hypot(normal.getX(i), normal.getY(i), normal.getZ(i))).toBeCloseTo(1, 5)
    }
    // Every index points at a vertex, and no triangle is degenerate.
    const index = coarse.index as BufferAttribute
    for (let i = 0; i < index.count; i += 3) {
      const [a, b, c] = [index.getX(i), index.getX(i + 1), index.getX(i + 2)]
      expect(Math.max(a, b, c)).toBeLessThan(position.count)
      expect(a !== b && b !== c && a !== c).toBe(true)
    }
  })

  it("keeps each material's triangles in its own group", () => {
    const sphere = denseSphere()
    const half = Math.floor(triangles(sphere) / 2) * 3
    sphere.clearGroups()
    sphere.addGroup(0, half, 0)
    sphere.addGroup(half, (sphere.index?.count ?? 0) - half, 1)
    const coarse = clusterSimplify(sphere)
    if (!coarse) throw new Error('no coarse copy')
    expect(coarse.groups.map((group) => group.materialIndex)).toEqual([0, 1])
    expect(coarse.groups[0]?.start).toBe(0)
    expect(coarse.groups[1]?.start).toBe(coarse.groups[0]?.count)
    expect((coarse.groups[0]?.count ?? 0) + (coarse.groups[1]?.count ?? 0)).toBe(coarse.index?.count)
  })

  it('simplifies an unindexed mesh too', () => {
    const unindexed = denseSphere().toNonIndexed()
    const coarse = clusterSimplify(unindexed)
    expect(coarse).not.toBeNull()
    expect(triangles(coarse as BufferGeometry)).toBeLessThan(
      0.5 * (unindexed.getAttribute('position').count / 3),
    )
  })

  it('leaves light meshes, and ones it could not thin out, as they are', () => {
    const light = new SphereGeometry(0.1, 32, 16)
    expect(triangles(light)).toBeLessThan(LOD_MIN_TRIANGLES)
    expect(worthSimplifying(light)).toBe(false)
    // A grid as fine as the mesh merges nothing worth a second geometry.
    expect(clusterSimplify(light, 4096)).toBeNull()
    const flat = new BufferGeometry()
    flat.setAttribute('position', new BufferAttribute(new Float32Array(9), 3))
    expect(clusterSimplify(flat)).toBeNull()
  })
})

describe('detailLevel', () => {
  // Half the view's height over tan(half its vertical field of view), pixels per radian near its centre.
  const emulatedEye = 225 / Math.tan(Math.PI / 4) // 450 px high, 90 degrees
  const headset = 25 * (180 / Math.PI) // a Quest 3: about 25 px per degree

  it('draws the full mesh where a coarse copy would show: on a sharp display, or up close', () => {
    expect(detailLevel(0.35, 1.4, headset)).toBe(-1)
    expect(detailLevel(0.35, 0.3, emulatedEye)).toBe(-1)
  })

  it('draws the coarsest copy whose cells stay under two pixels', () => {
    // 0.35 m at 1.4 m in a 450 px high eye: 11 mm cells are 1.8 px.
    expect(detailLevel(0.35, 1.4, emulatedEye)).toBe(LOD_LEVEL_CELLS.length - 1)
    // Closer, only the finer copy is fine enough.
    expect(detailLevel(0.35, 0.8, emulatedEye)).toBe(0)
    // Further away, a headset too gets a copy.
    expect(detailLevel(0.35, 6, headset)).toBeGreaterThanOrEqual(0)
  })
})
