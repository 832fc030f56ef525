// The coarse copy of a dense model (meshoptimizer's simplifier, its real WebAssembly): far fewer triangles, the
// surface within the error it was given, the original's vertices, each material's triangles still its own; a
// light mesh is left alone.
import { BufferAttribute, BufferGeometry, SphereGeometry } from 'three'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  detailLevel,
  LOD_CELLS,
  LOD_LEVEL_CELLS,
  LOD_MIN_TRIANGLES,
  loadSimplifier,
  type Simplifier,
  simplifyGeometry,
  worthSimplifying,
} from './model-lod'

/** A dense indexed sphere of radius 0.1 m, like a detailed scan: about 80,000 triangles. */
const denseSphere = () => new SphereGeometry(0.1, 200, 200)
const triangles = (geometry: BufferGeometry) => (geometry.index?.count ?? 0) / 3

let simplifier: Simplifier
beforeAll(async () => {
  simplifier = await loadSimplifier()
})

/** How far the triangles' centres lie from the sphere's surface, at most (their flat faces cut inside it). */
function farthestFromSphere(geometry: BufferGeometry, radius: number): number {
  const position = geometry.getAttribute('position')
  const index = geometry.index as BufferAttribute
  let farthest = 0
  for (let i = 0; i < index.count; i += 3) {
    let [x, y, z] = [0, 0, 0]
    for (let k = 0; k < 3; k++) {
      const v = index.getX(i + k)
      x += position.getX(v) / 3
      y += position.getY(v) / 3
      z += position.getZ(v) / 3
    }
    farthest = Math.max(farthest, Math.abs(Math.hypot(x, y, z) - radius))
  }
  return farthest
}

describe('simplifyGeometry', () => {
  it('keeps a dense sphere a sphere, within its error, with a fraction of its triangles', () => {
    const sphere = denseSphere()
    expect(worthSimplifying(sphere)).toBe(true)
    const coarse = simplifyGeometry(simplifier, sphere)
    if (!coarse) throw new Error('no coarse copy')
    expect(triangles(coarse)).toBeLessThan(0.5 * triangles(sphere))
    expect(triangles(coarse)).toBeGreaterThan(100)
    // The surface moved by at most the error it was given: the longest side over LOD_CELLS.
    expect(farthestFromSphere(coarse, 0.1)).toBeLessThan(0.2 / LOD_CELLS)
    // A coarser copy has fewer triangles and still keeps within its own, larger error.
    const coarser = simplifyGeometry(simplifier, sphere, 16)
    if (!coarser) throw new Error('no coarser copy')
    expect(triangles(coarser)).toBeLessThan(triangles(coarse))
    expect(farthestFromSphere(coarser, 0.1)).toBeLessThan(0.2 / 16)
    // Only the index is new: vertices, normals and texture coordinates are the original's.
    for (const name of ['position', 'normal', 'uv'])
      expect(coarse.getAttribute(name)).toBe(sphere.getAttribute(name))
    // Every index points at a vertex, and no triangle is degenerate.
    const index = coarse.index as BufferAttribute
    const position = coarse.getAttribute('position')
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
    const coarse = simplifyGeometry(simplifier, sphere)
    if (!coarse) throw new Error('no coarse copy')
    expect(coarse.groups.map((group) => group.materialIndex)).toEqual([0, 1])
    expect(coarse.groups[0]?.start).toBe(0)
    expect(coarse.groups[1]?.start).toBe(coarse.groups[0]?.count)
    expect((coarse.groups[0]?.count ?? 0) + (coarse.groups[1]?.count ?? 0)).toBe(coarse.index?.count)
    // Group 0's triangles are still from the first half of the original's vertices' triangles: the upper half.
    const position = coarse.getAttribute('position')
    const index = coarse.index as BufferAttribute
    for (let i = 0; i < (coarse.groups[0]?.count ?? 0); i++)
      expect(position.getY(index.getX(i))).toBeGreaterThan(-1e-6)
  })

  it('simplifies an unindexed mesh too (welded by position)', () => {
    const unindexed = denseSphere().toNonIndexed()
    const coarse = simplifyGeometry(simplifier, unindexed)
    if (!coarse) throw new Error('no coarse copy')
    expect(triangles(coarse)).toBeLessThan(0.5 * (unindexed.getAttribute('position').count / 3))
    expect(farthestFromSphere(coarse, 0.1)).toBeLessThan(0.2 / LOD_CELLS)
  })

  it('leaves light meshes, and ones it could not thin out, as they are', () => {
    const light = new SphereGeometry(0.1, 32, 16)
    expect(triangles(light)).toBeLessThan(LOD_MIN_TRIANGLES)
    expect(worthSimplifying(light)).toBe(false)
    // An error far below the mesh's own facets removes nothing worth a second geometry.
    expect(simplifyGeometry(simplifier, light, 4096)).toBeNull()
    const flat = new BufferGeometry()
    flat.setAttribute('position', new BufferAttribute(new Float32Array(9), 3))
    expect(simplifyGeometry(simplifier, flat)).toBeNull()
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
