import { Group, Matrix4, Object3D, Vector3 } from 'three'
import { describe, expect, it } from 'vitest'
import { PinBatch } from './pin-batch'

/** A marker at `position` inside a parent group moved by `offset` (as an anchor or a placement moves a pin). */
function marker(root: Group, position: [number, number, number], offset: [number, number, number]) {
  const parent = new Group()
  parent.position.set(...offset)
  const object = new Object3D()
  object.position.set(...position)
  parent.add(object)
  root.add(parent)
  return object
}

const identity = new Matrix4()

describe('PinBatch', () => {
  it('draws any number of pins as one mesh, each at its marker’s pose and in its colour', () => {
    const root = new Group()
    const batch = new PinBatch()
    const [opaque, approximate] = batch.meshes
    root.add(opaque, approximate)
    for (let i = 0; i < 150; i++) batch.set(`p${i}`, marker(root, [i, 0, 0], [0, 1, 0]), '#ff0000', false)
    batch.update(identity)
    const [mesh, other] = batch.meshes
    // Grown past its first capacity: a new mesh in the old one's place, still one draw for all of them.
    expect(mesh.count).toBe(150)
    expect(mesh.parent).toBe(root)
    expect(opaque.parent).toBeNull()
    expect(other.visible).toBe(false)
    const matrix = new Matrix4()
    mesh.getMatrixAt(149, matrix)
    expect(new Vector3().setFromMatrixPosition(matrix).toArray()).toEqual([149, 1, 0])
    expect(mesh.instanceColor?.getX(149)).toBeCloseTo(1)
    expect(mesh.instanceColor?.getY(149)).toBeCloseTo(0)
  })

  it('keeps approximate pins in the see-through mesh and forgets unmounted ones', () => {
    const root = new Group()
    const batch = new PinBatch()
    root.add(...batch.meshes)
    const a = marker(root, [0, 0, 0], [0, 0, 0])
    const b = marker(root, [1, 0, 0], [0, 0, 0])
    batch.set('a', a, '#00ff00', false)
    batch.set('b', b, '#00ff00', true)
    batch.update(identity)
    expect(batch.meshes.map((m) => m.count)).toEqual([1, 1])
    // A remount registered a new marker before the old one's cleanup ran: the cleanup must not remove it.
    const again = marker(root, [2, 0, 0], [0, 0, 0])
    batch.set('a', again, '#00ff00', false)
    batch.delete('a', a)
    batch.delete('b', b)
    batch.update(identity)
    expect(batch.meshes.map((m) => m.count)).toEqual([1, 0])
    expect(batch.meshes[1].visible).toBe(false)
    // The last pin gone: nothing drawn either way.
    batch.delete('a', again)
    batch.update(identity)
    expect(batch.meshes.map((m) => [m.count, m.visible])).toEqual([
      [0, false],
      [0, false],
    ])
  })

  it('follows a marker that moves (an anchor’s correction), in the frame of the meshes’ parent', () => {
    const root = new Group()
    root.position.set(0, 0, -1)
    root.scale.setScalar(0.5)
    const batch = new PinBatch()
    root.add(...batch.meshes)
    const pin = marker(root, [1, 0, 0], [0, 0, 0])
    batch.set('a', pin, '#0000ff', false)
    const inverse = () => {
      root.updateWorldMatrix(true, true)
      return root.matrixWorld.clone().invert()
    }
    batch.update(inverse())
    const matrix = new Matrix4()
    batch.meshes[0].getMatrixAt(0, matrix)
    expect(new Vector3().setFromMatrixPosition(matrix).toArray()).toEqual([1, 0, 0])
    pin.parent?.position.set(0, 2, 0)
    batch.update(inverse())
    batch.meshes[0].getMatrixAt(0, matrix)
    expect(new Vector3().setFromMatrixPosition(matrix).toArray()).toEqual([1, 2, 0])
  })
})
