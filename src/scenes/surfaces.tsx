// The surfaces the on-site worker's headset detected, as three.js meshes in the worker's frame (the parent group):
// drawn shaded in the specialist's miniature of the worker's room, or invisible but pointable in the
// worker's own AR view. Either way they are what a mouse, a controller ray or a pinch draws on: the pointer
// events arrive here and leave as `Target`s in the worker's frame, whatever the parent's scale and pose.
//
// Hits follow the headset's rule (src/annotations/raycast.ts): only the fronts of mesh triangles, which face into
// the room (so from outside the miniature one looks through the near walls and the ceiling), of the room's scan
// when there is one (not the furniture's boxes), and planes only when no mesh was shared.
import { useXR } from '@react-three/xr'
import { memo, useEffect, useMemo, useRef } from 'react'
import {
  BufferAttribute,
  BufferGeometry,
  EdgesGeometry,
  FrontSide,
  type Group,
  LineBasicMaterial,
  Matrix3,
  MeshBasicMaterial,
  MeshLambertMaterial,
  type Object3D,
  Quaternion,
  Shape,
  ShapeGeometry,
  Vector2,
  Vector3,
} from 'three'
import type { Vec3 } from '../annotations/model'
import { pointableSurfaces, type Ray, type Target } from '../annotations/raycast'
import type { MeshSurface, PlaneSurface, Surface } from '../annotations/space'
import { type SurfaceKind, surfaceKind } from './worker-space-layout'

/**
 * 'shaded': lit solid surfaces, coloured by what they are (the specialist's miniature); 'wireframe': the mesh's
 * triangles; 'invisible': pointable but not drawn (the worker's own AR view).
 */
export type SurfaceLook = 'shaded' | 'wireframe' | 'invisible'

export interface SurfacePointerHandlers {
  onDown?: (target: Target, ray: Ray) => void
  onMove?: (target: Target, ray: Ray) => void
  onUp?: () => void
}

/** Name prefix of the surface meshes (tests and the probe find them by it). */
export const SURFACE_PREFIX = 'surface:'

const WIREFRAME_COLOUR = '#5f7c8a'
const PLANE_FILL = '#9fc2d1'
/** Shades of the miniature: a warm floor, pale walls, furniture in a colour of its own, a grey ceiling. */
const SHADES: Record<SurfaceKind, string> = {
  floor: '#c8ad86',
  wall: '#c9d6df',
  ceiling: '#9aa6ad',
  furniture: '#6f9f7a',
}
/** Outline of each surface's shape (creases sharper than this, degrees): tells a table from the floor under it. */
const EDGE_ANGLE = 30
const EDGE_COLOUR = '#2c3a42'
const upHelper = new Vector3()
const surfaceQuaternion = new Quaternion()

function shadedKind(surface: Surface, floorY: number): SurfaceKind {
  const normalY = upHelper.set(0, 1, 0).applyQuaternion(surfaceQuaternion.fromArray(surface.orientation)).y
  return surfaceKind(surface.label, surface.kind, normalY, surface.position[1] - floorY)
}

function planeGeometry(plane: PlaneSurface): BufferGeometry {
  // The plane lies in its space's x/z with +y out of the surface; ShapeGeometry draws in x/y facing +z, so the
  // outline goes in as (x, -z) and the result is turned -90° about x: (x, -z, 0) → (x, 0, z), +z → +y.
  const shape = new Shape(plane.polygon.map(([x, z]) => new Vector2(x, -z)))
  const geometry = new ShapeGeometry(shape)
  geometry.rotateX(-Math.PI / 2)
  return geometry
}

function meshGeometry(mesh: MeshSurface): BufferGeometry {
  const geometry = new BufferGeometry()
  geometry.setAttribute('position', new BufferAttribute(mesh.vertices, 3))
  geometry.setIndex(new BufferAttribute(mesh.indices, 1))
  geometry.computeBoundingSphere()
  return geometry
}

const SurfaceMesh = memo(function SurfaceMesh({
  surface,
  look,
  pointable,
  floorY,
}: {
  surface: Surface
  look: SurfaceLook
  pointable: boolean
  /** the lowest surface's height in the worker's frame, metres: what counts as the floor when nothing says */
  floorY: number
}) {
  const geometry = useMemo(() => {
    const built = surface.kind === 'plane' ? planeGeometry(surface) : meshGeometry(surface)
    if (!built.getAttribute('normal')) built.computeVertexNormals()
    return built
  }, [surface])
  useEffect(() => () => geometry.dispose(), [geometry])
  const edges = useMemo(
    () => (look === 'shaded' ? new EdgesGeometry(geometry, EDGE_ANGLE) : null),
    [look, geometry],
  )
  useEffect(() => () => edges?.dispose(), [edges])
  const kind = look === 'shaded' ? shadedKind(surface, floorY) : null
  const material = useMemo(() => {
    if (look === 'invisible') {
      // Not drawn at all, yet hit by rays: the worker sees the real room, and points at it.
      return new MeshBasicMaterial({ colorWrite: false, depthWrite: false, side: FrontSide })
    }
    if (kind) {
      // Lit and flat-shaded so a wall's corner and a table's edge read as shapes; pushed back a little in depth
      // so a mark drawn on the surface is never hidden in it.
      return new MeshLambertMaterial({
        color: SHADES[kind],
        side: FrontSide,
        flatShading: true,
        polygonOffset: true,
        polygonOffsetFactor: 1,
        polygonOffsetUnits: 1,
      })
    }
    return surface.kind === 'mesh'
      ? new MeshBasicMaterial({ color: WIREFRAME_COLOUR, wireframe: true, side: FrontSide })
      : new MeshBasicMaterial({
          color: PLANE_FILL,
          transparent: true,
          opacity: 0.25,
          depthWrite: false,
          side: FrontSide,
        })
  }, [look, surface.kind, kind])
  useEffect(() => () => material.dispose(), [material])
  const edgeMaterial = useMemo(() => new LineBasicMaterial({ color: EDGE_COLOUR }), [])
  useEffect(() => () => edgeMaterial.dispose(), [edgeMaterial])
  return (
    <mesh
      name={`${SURFACE_PREFIX}${surface.id}`}
      geometry={geometry}
      material={material}
      position={surface.position}
      quaternion={surface.orientation}
      // Not pointable: no ray stops here (a box or plane where the room's scan covers the same surface).
      {...(pointable ? {} : { raycast: () => undefined })}
    >
      {edges && <lineSegments geometry={edges} material={edgeMaterial} raycast={() => undefined} />}
    </mesh>
  )
})

const pointHelper = new Vector3()
const normalHelper = new Vector3()
const directionHelper = new Vector3()
const normalMatrix = new Matrix3()
const inverseRotation = new Quaternion()

export function SurfaceMeshes({
  surfaces,
  look,
  onDown,
  onMove,
  onUp,
}: { surfaces: readonly Surface[]; look: SurfaceLook } & SurfacePointerHandlers) {
  const group = useRef<Group>(null)
  const down = useRef(false)
  const pointable = useMemo(() => new Set(pointableSurfaces(surfaces)), [surfaces])
  const floorY = useMemo(() => Math.min(0, ...surfaces.map((surface) => surface.position[1])), [surfaces])

  /**
   * A hit and the pointer's ray in the worker's frame (this group's parent space). `hit` is in world space; a hit
   * without a face (none found) still gives the ray.
   */
  const toFrame = (
    hit: { point: Vector3; face?: { normal: Vector3 } | null; object: Object3D },
    worldRay: { origin: Vector3; direction: Vector3 },
  ): { target: Target; ray: Ray } | null => {
    const frame = group.current
    if (!frame) return null
    const point = frame.worldToLocal(pointHelper.copy(hit.point)).toArray() as Vec3
    frame.getWorldQuaternion(inverseRotation).invert()
    let normal: Vec3 | null = null
    if (hit.face) {
      normalMatrix.getNormalMatrix(hit.object.matrixWorld)
      normalHelper
        .copy(hit.face.normal)
        .applyMatrix3(normalMatrix)
        .applyQuaternion(inverseRotation)
        .normalize()
      normal = normalHelper.toArray() as Vec3
    }
    const origin = frame.worldToLocal(pointHelper.copy(worldRay.origin)).toArray() as Vec3
    const direction = directionHelper
      .copy(worldRay.direction)
      .applyQuaternion(inverseRotation)
      .normalize()
      .toArray() as Vec3
    return { target: { point, normal, approximate: false }, ray: { origin, direction } }
  }

  const up = () => {
    if (!down.current) return
    down.current = false
    onUp?.()
  }
  // A release anywhere ends the stroke, also off the surfaces: a mouse through the page's pointerup, a controller
  // trigger or a pinch through the XR session's selectend (XR pointers send no DOM events). Without it, the next
  // hover over a surface would go on drawing.
  const session = useXR((state) => state.session)
  useEffect(() => {
    addEventListener('pointerup', up)
    session?.addEventListener('selectend', up)
    return () => {
      removeEventListener('pointerup', up)
      session?.removeEventListener('selectend', up)
    }
  })

  return (
    <group
      ref={group}
      name="surfaces"
      onPointerDown={(event) => {
        const hit = toFrame(event, event.ray)
        if (!hit) return
        event.stopPropagation()
        down.current = true
        onDown?.(hit.target, hit.ray)
      }}
      onPointerMove={(event) => {
        if (!down.current) return
        const hit = toFrame(event, event.ray)
        if (!hit) return
        event.stopPropagation()
        onMove?.(hit.target, hit.ray)
      }}
      onPointerUp={(event) => {
        if (!down.current) return
        event.stopPropagation()
        up()
      }}
      onPointerCancel={up}
    >
      {surfaces.map((surface) => (
        <SurfaceMesh
          key={surface.id}
          surface={surface}
          look={look}
          pointable={pointable.has(surface)}
          floorY={floorY}
        />
      ))}
    </group>
  )
}
