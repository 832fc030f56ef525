// All pins of an annotation layer drawn in one draw call (two while some are approximate), however many a call
// has made. Each pin was a sphere and a stem of its own, two draw calls (four in a headset's two eyes) on every
// frame for the rest of the call: the 30-minute soak, a pin a minute, lost more than half of every page's frame
// rate to them under software GL, where each draw call costs the same whatever it draws (BENCHMARKS.md, soak).
// The pins' shapes stay where they were in the scene graph as empty markers (their anchor and placement groups
// still move them); once a frame their world poses are copied into one InstancedMesh.
import {
  type BufferGeometry,
  Color,
  CylinderGeometry,
  DynamicDrawUsage,
  InstancedMesh,
  Matrix4,
  MeshBasicMaterial,
  type Object3D,
  SphereGeometry,
} from 'three'
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js'

/** Pin head radius and stem height, metres: visible across a room, small enough not to hide what it marks. */
export const PIN_RADIUS = 0.012
export const PIN_STEM = 0.06
/** A pin floating where a ray met nothing is drawn see-through, so nobody takes it for a surface mark. */
export const APPROXIMATE_OPACITY = 0.5
/** Instances allocated at first; doubled whenever a call has more pins (a reallocation, not a per-frame cost). */
const FIRST_CAPACITY = 16

/** A pin's head (at its point) and stem (rising from it), as one geometry in the pin's own frame. */
export function pinGeometry(): BufferGeometry {
  const head = new SphereGeometry(PIN_RADIUS, 16, 12)
  const stem = new CylinderGeometry(0.002, 0.002, PIN_STEM, 6)
  stem.translate(0, PIN_STEM / 2, 0)
  const merged = mergeGeometries([head, stem])
  head.dispose()
  stem.dispose()
  if (!merged) throw new Error('pin geometry: the head and stem attributes differ')
  return merged
}

interface PinEntry {
  /** Where the pin's point is in the scene graph: its world pose is the pin's. */
  marker: Object3D
  colour: Color
  approximate: boolean
}

const markerHelper = new Matrix4()
const noRaycast = () => undefined

/** The pins of one layer, and the two instanced meshes that draw them. */
export class PinBatch {
  private readonly pins = new Map<string, PinEntry>()
  private readonly geometry = pinGeometry()
  /** Opaque pins, then see-through (approximate) ones. */
  private drawn: [InstancedMesh, InstancedMesh]

  constructor() {
    this.drawn = [this.mesh(false, FIRST_CAPACITY), this.mesh(true, FIRST_CAPACITY)]
  }

  /** The two meshes (their parent is the caller's to choose; a mesh that grows keeps its parent). */
  get meshes(): readonly [InstancedMesh, InstancedMesh] {
    return this.drawn
  }

  get size(): number {
    return this.pins.size
  }

  /** A pin mounted (or changed colour); `marker` is the object at its point. */
  set(id: string, marker: Object3D, colour: string, approximate: boolean) {
    this.pins.set(id, { marker, colour: new Color(colour), approximate })
  }

  /** A pin unmounted: `marker` must still be its current one (a remount may have replaced it already). */
  delete(id: string, marker: Object3D) {
    if (this.pins.get(id)?.marker === marker) this.pins.delete(id)
  }

  /**
   * Copies every pin's pose into the meshes, in the frame whose inverse world matrix is `parentWorldInverse`
   * (the group the meshes are children of): once a frame, before drawing. O(pins) matrix products, one draw.
   */
  update(parentWorldInverse: Matrix4) {
    const [opaqueMesh, approximateMesh] = this.drawn
    // Nothing to draw and nothing drawn: no buffers to upload (most of a call has no pins).
    if (this.pins.size === 0 && opaqueMesh.count === 0 && approximateMesh.count === 0) return
    let opaque = 0
    let approximate = 0
    for (const pin of this.pins.values()) {
      if (pin.approximate) approximate++
      else opaque++
    }
    this.grow(0, opaque)
    this.grow(1, approximate)
    opaque = 0
    approximate = 0
    for (const pin of this.pins.values()) {
      const mesh = this.drawn[pin.approximate ? 1 : 0]
      const index = pin.approximate ? approximate++ : opaque++
      pin.marker.updateWorldMatrix(true, false)
      mesh.setMatrixAt(index, markerHelper.multiplyMatrices(parentWorldInverse, pin.marker.matrixWorld))
      mesh.setColorAt(index, pin.colour)
    }
    this.show(this.drawn[0], opaque)
    this.show(this.drawn[1], approximate)
  }

  dispose() {
    for (const mesh of this.drawn) this.release(mesh)
    this.geometry.dispose()
  }

  private show(mesh: InstancedMesh, count: number) {
    mesh.count = count
    mesh.visible = count > 0
    mesh.instanceMatrix.needsUpdate = true
    if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true
  }

  private grow(which: 0 | 1, needed: number) {
    const mesh = this.drawn[which]
    if (needed <= mesh.instanceMatrix.count) return
    let capacity = mesh.instanceMatrix.count
    while (capacity < needed) capacity *= 2
    const larger = this.mesh(which === 1, capacity)
    // The new mesh takes the old one's place in the scene: same parent, render order and depth handling.
    larger.renderOrder = mesh.renderOrder
    const before = mesh.material as MeshBasicMaterial
    const after = larger.material as MeshBasicMaterial
    after.depthTest = before.depthTest
    after.transparent = before.transparent
    mesh.parent?.add(larger)
    this.release(mesh)
    this.drawn[which] = larger
  }

  private mesh(approximate: boolean, capacity: number): InstancedMesh {
    const material = new MeshBasicMaterial({
      transparent: approximate,
      opacity: approximate ? APPROXIMATE_OPACITY : 1,
    })
    const mesh = new InstancedMesh(this.geometry, material, capacity)
    mesh.name = approximate ? 'pins-approximate' : 'pins'
    mesh.instanceMatrix.setUsage(DynamicDrawUsage)
    mesh.count = 0
    mesh.visible = false
    // Poses change every frame (anchors): the bounds three would compute once would go stale.
    mesh.frustumCulled = false
    // A ray must reach the surface under a pin (to place another beside it).
    mesh.raycast = noRaycast
    return mesh
  }

  private release(mesh: InstancedMesh) {
    mesh.removeFromParent()
    ;(mesh.material as MeshBasicMaterial).dispose()
    mesh.dispose()
  }
}
