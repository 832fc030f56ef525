// A coarser copy of a dense mesh, for when its model is seen from a few steps away. A shared scan can hold
// hundreds of thousands of triangles; on a stand seen from the panels' arc most of them are smaller than a pixel,
// yet each still costs its setup in every eye, every frame (and on a software renderer that is what the frame
// costs). meshoptimizer's simplifier (edge collapses under a quadric error bound, the one glTF tooling and game
// engines use) makes the copy: it keeps the original vertices and their attributes, so the copy is only a new
// index over the same buffers, texture seams and material borders stay where they were, and the surface moves by
// at most the error it is given (here a "cell": the model's longest side over LOD_LEVEL_CELLS). Its WebAssembly is
// loaded only when a dense model is shown. No React here; three only for its geometry types.
import type { MeshoptSimplifier, SimplifierFlags } from 'meshoptimizer/simplifier'
import { BufferAttribute, BufferGeometry, Vector3 } from 'three'

/** meshoptimizer's simplifier, once its WebAssembly is ready. */
export type Simplifier = typeof MeshoptSimplifier

/** Loads meshoptimizer's simplifier (its own chunk, ~20 KB gzip, WebAssembly inlined: nothing is fetched). */
export async function loadSimplifier(): Promise<Simplifier> {
  const { MeshoptSimplifier: simplifier } = await import('meshoptimizer/simplifier')
  await simplifier.ready
  return simplifier
}

/** Below this many triangles a mesh is drawn as it is: simplifying it would save too little to matter. */
export const LOD_MIN_TRIANGLES = 20_000
/** The error of the default coarse copy: the model's longest side over this many. */
export const LOD_CELLS = 64
/**
 * The coarse copies a model gets, finest first, as the model's longest side over the error each may have: on a
 * 0.35 m model 5.5 mm and 11 mm.
 */
export const LOD_LEVEL_CELLS = [64, 32] as const
/**
 * A coarse copy is drawn only while its error (how far its surface may be from the model's) covers at most this
 * many pixels on the screen: under two pixels the copy looks like the model (antialiasing blurs that much anyway).
 */
export const MAX_CELL_PIXELS = 2

/**
 * Which copy to draw: the index in `levelCells` (finest first) of the coarsest copy whose error stays under
 * MAX_CELL_PIXELS, or -1 for the full mesh.
 * @param size the model's longest side, metres
 * @param distance from the viewer, metres
 * @param pixelsPerRadian of the view near its centre: half its height in pixels over tan(half its vertical fov)
 */
export function detailLevel(
  size: number,
  distance: number,
  pixelsPerRadian: number,
  levelCells: readonly number[] = LOD_LEVEL_CELLS,
): number {
  let chosen = -1
  levelCells.forEach((cells, level) => {
    const pixels = (size / cells / Math.max(distance, 1e-3)) * pixelsPerRadian
    if (pixels <= MAX_CELL_PIXELS) chosen = level
  })
  return chosen
}
/** A copy that keeps more than this share of the triangles is not worth a second geometry. */
const WORTHWHILE_SHARE = 0.7

const sizeHelper = new Vector3()

function triangleCount(geometry: BufferGeometry): number {
  const count = geometry.index ? geometry.index.count : (geometry.getAttribute('position')?.count ?? 0)
  return Math.floor(count / 3)
}

/** Whether `geometry` is dense enough that a coarse copy pays (and simple enough to make one). */
export function worthSimplifying(geometry: BufferGeometry): boolean {
  if (Object.keys(geometry.morphAttributes).length > 0) return false
  if (!geometry.getAttribute('position')) return false
  return triangleCount(geometry) >= LOD_MIN_TRIANGLES
}

/** The positions as a packed Float32Array, whatever their storage (interleaved, normalized, quantized). */
function packedPositions(position: BufferGeometry['attributes'][string]): Float32Array {
  const plain = position as BufferAttribute
  if (
    !('isInterleavedBufferAttribute' in position) &&
    !plain.normalized &&
    plain.array instanceof Float32Array
  ) {
    if (plain.itemSize === 3) return plain.array
  }
  const packed = new Float32Array(position.count * 3)
  for (let i = 0; i < position.count; i++) {
    packed[i * 3] = position.getX(i)
    packed[i * 3 + 1] = position.getY(i)
    packed[i * 3 + 2] = position.getZ(i)
  }
  return packed
}

/** meshoptimizer's error is an estimate (at vertices): on a uniformly curved surface the faces between them were
 * measured up to 1.7 times further off, so it is asked for this share of the error a copy promises. */
const ESTIMATE_MARGIN = 0.5

/** An attribute with only the vertices `remap` keeps (remap[old] = new, or 0xffffffff for dropped ones). */
function compactAttribute(
  attribute: BufferGeometry['attributes'][string],
  remap: Uint32Array,
  count: number,
): BufferAttribute {
  const { itemSize } = attribute
  const values = new Float32Array(count * itemSize)
  for (let old = 0; old < remap.length; old++) {
    const kept = remap[old] as number
    if (kept === 0xffffffff) continue
    for (let c = 0; c < itemSize; c++) values[kept * itemSize + c] = attribute.getComponent(old, c)
  }
  return new BufferAttribute(values, itemSize)
}

/**
 * The geometry with fewer triangles whose surface stays within its longest side / `cells` of the original; null
 * when that would keep most triangles (or there is nothing to simplify). The copy shares the original's attributes
 * (only its index is new); groups (one per material) are simplified each on their own with their borders locked,
 * so they keep their materials and no crack opens between them. An unindexed mesh is welded by position first
 * (the corners at one point become one vertex, with the first corner's attributes), else every triangle would be
 * an island the simplifier cannot touch; its copy then has attributes of its own.
 */
export function simplifyGeometry(
  simplifier: Simplifier,
  geometry: BufferGeometry,
  cells = LOD_CELLS,
): BufferGeometry | null {
  const position = geometry.getAttribute('position')
  if (!position || position.count < 3) return null
  geometry.computeBoundingBox()
  const box = geometry.boundingBox
  if (!box) return null
  const size = box.getSize(sizeHelper)
  const error = (Math.max(size.x, size.y, size.z) / cells) * ESTIMATE_MARGIN
  if (!(error > 0)) return null
  let positions = packedPositions(position)
  const total = geometry.index ? geometry.index.count : position.count - (position.count % 3)
  const copy = new BufferGeometry()
  let indices: Uint32Array
  let vertexCount = position.count
  if (geometry.index) {
    indices = Uint32Array.from(geometry.index.array as ArrayLike<number>)
    for (const [name, attribute] of Object.entries(geometry.attributes)) copy.setAttribute(name, attribute)
  } else {
    indices = simplifier.generatePositionRemap(positions, 3).slice(0, total)
    const [remap, unique] = simplifier.compactMesh(indices)
    for (const [name, attribute] of Object.entries(geometry.attributes))
      copy.setAttribute(name, compactAttribute(attribute, remap, unique))
    positions = packedPositions(copy.getAttribute('position'))
    vertexCount = unique
  }
  const grouped = geometry.groups.length > 0
  const groups = grouped ? geometry.groups : [{ start: 0, count: total, materialIndex: 0 }]
  const flags: SimplifierFlags[] = grouped ? ['ErrorAbsolute', 'Sparse', 'LockBorder'] : ['ErrorAbsolute']
  const kept: Uint32Array[] = []
  let at = 0
  for (const group of groups) {
    const start = Math.min(total, group.start)
    const end = Math.min(total, group.start + group.count)
    const own = indices.slice(start, start + Math.floor((end - start) / 3) * 3)
    // Target 0 triangles: it stops at the error bound, which is what the copy promises.
    const [simplified] = simplifier.simplify(own, positions, 3, 0, error, flags)
    kept.push(simplified)
    if (grouped) copy.addGroup(at, simplified.length, group.materialIndex)
    at += simplified.length
  }
  if (at / 3 > WORTHWHILE_SHARE * triangleCount(geometry)) {
    copy.dispose()
    return null
  }
  const index = vertexCount > 0xffff ? new Uint32Array(at) : new Uint16Array(at)
  let offset = 0
  for (const part of kept) {
    index.set(part, offset)
    offset += part.length
  }
  copy.setIndex(new BufferAttribute(index, 1))
  copy.boundingBox = box.clone()
  copy.computeBoundingSphere()
  return copy
}
