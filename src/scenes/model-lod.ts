// A coarser copy of a dense mesh, for when its model is seen from a few steps away. A shared scan can hold
// hundreds of thousands of triangles; on a stand seen from the panels' arc most of them are smaller than a pixel,
// yet each still costs its setup in every eye, every frame (and on a software renderer that is what the frame
// costs). Vertex clustering: the model's box is cut into a grid, the vertices in one cell become one (the mean of
// their attributes), and triangles that collapsed into a line or a point are dropped. It runs once per model, in
// linear time, and keeps the shape to within a cell. No React here; three only for its geometry types.
import { BufferAttribute, BufferGeometry, Vector3 } from 'three'

/** Below this many triangles a mesh is drawn as it is: simplifying it would save too little to matter. */
export const LOD_MIN_TRIANGLES = 20_000
/** Grid cells along the model's longest side of its default coarse copy. */
export const LOD_CELLS = 64
/**
 * The coarse copies a model gets, finest first, as grid cells along its longest side: on a 0.35 m model 5.5 mm
 * and 11 mm cells.
 */
export const LOD_LEVEL_CELLS = [64, 32] as const
/**
 * A coarse copy is drawn only while its grid cell (how far a vertex may have moved) covers at most this many
 * pixels on the screen: under two pixels the copy looks like the model (antialiasing blurs that much anyway).
 */
export const MAX_CELL_PIXELS = 2

/**
 * Which copy to draw: the index in `levelCells` (finest first) of the coarsest copy whose cell stays under
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

/** An attribute's values as plain numbers, read straight from its array when it is a plain one (most are). */
function reader(attribute: BufferGeometry['attributes'][string]): (i: number, c: number) => number {
  const plain = attribute as BufferAttribute
  if (!('isInterleavedBufferAttribute' in attribute) && !plain.normalized) {
    const { array, itemSize } = plain
    return (i, c) => array[i * itemSize + c] as number
  }
  return (i, c) => attribute.getComponent(i, c)
}

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

/**
 * The geometry with its vertices merged per cell of a `cells` grid along its box's longest side; null when that
 * would keep most triangles (or there is nothing to simplify). Groups (one per material) keep their materials.
 */
export function clusterSimplify(geometry: BufferGeometry, cells = LOD_CELLS): BufferGeometry | null {
  const position = geometry.getAttribute('position')
  if (!position || position.count === 0) return null
  geometry.computeBoundingBox()
  const box = geometry.boundingBox
  if (!box) return null
  const size = box.getSize(sizeHelper)
  const cell = Math.max(size.x, size.y, size.z) / cells
  if (!(cell > 0)) return null
  const side = cells + 1
  const clusterOf = new Int32Array(position.count)
  const clusters = new Map<number, number>()
  const at = reader(position)
  for (let i = 0; i < position.count; i++) {
    const x = Math.min(cells, Math.floor((at(i, 0) - box.min.x) / cell))
    const y = Math.min(cells, Math.floor((at(i, 1) - box.min.y) / cell))
    const z = Math.min(cells, Math.floor((at(i, 2) - box.min.z) / cell))
    const key = x + side * (y + side * z)
    let cluster = clusters.get(key)
    if (cluster === undefined) {
      cluster = clusters.size
      clusters.set(key, cluster)
    }
    clusterOf[i] = cluster
  }
  const count = clusters.size
  const merged = new BufferGeometry()
  for (const [name, attribute] of Object.entries(geometry.attributes)) {
    const itemSize = attribute.itemSize
    const sums = new Float64Array(count * itemSize)
    const members = new Uint32Array(count)
    const value = reader(attribute)
    for (let i = 0; i < attribute.count; i++) {
      const cluster = clusterOf[i] ?? 0
      members[cluster] = (members[cluster] ?? 0) + 1
      for (let c = 0; c < itemSize; c++)
        sums[cluster * itemSize + c] = (sums[cluster * itemSize + c] ?? 0) + value(i, c)
    }
    const values = new Float32Array(count * itemSize)
    for (let k = 0; k < count; k++) {
      const n = members[k] || 1
      for (let c = 0; c < itemSize; c++) values[k * itemSize + c] = (sums[k * itemSize + c] ?? 0) / n
    }
    merged.setAttribute(name, new BufferAttribute(values, itemSize))
  }
  if (merged.getAttribute('normal')) merged.normalizeNormals()

  const index = geometry.index
  const indices = index?.array
  const corner = (i: number) => clusterOf[indices ? (indices[i] as number) : i] ?? 0
  const total = index ? index.count : position.count
  const groups = geometry.groups.length > 0 ? geometry.groups : [{ start: 0, count: total, materialIndex: 0 }]
  const triangles: number[] = []
  for (const group of groups) {
    const start = triangles.length
    const end = Math.min(total, group.start + group.count)
    for (let i = group.start; i + 2 < end; i += 3) {
      const a = corner(i)
      const b = corner(i + 1)
      const c = corner(i + 2)
      if (a !== b && b !== c && a !== c) triangles.push(a, b, c)
    }
    if (geometry.groups.length > 0) merged.addGroup(start, triangles.length - start, group.materialIndex)
  }
  if (triangles.length / 3 > WORTHWHILE_SHARE * triangleCount(geometry)) {
    merged.dispose()
    return null
  }
  merged.setIndex(
    new BufferAttribute(count > 0xffff ? new Uint32Array(triangles) : new Uint16Array(triangles), 1),
  )
  merged.computeBoundingBox()
  merged.computeBoundingSphere()
  return merged
}
