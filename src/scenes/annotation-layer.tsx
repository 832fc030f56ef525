// Draws the remote-guidance annotations inside its parent group, which stands for the on-site worker's reference
// space: 1:1 at the worker's own AR view (possibly wrapped per annotation in an XR anchor), scaled down in the
// specialist's miniature of the worker's room. Each annotation is a group named `annotation:<id>` at its
// placement pose, so tests can find where it is drawn. The list comes from the store (replaced per op, so a
// React render per op, at most ~10/s while someone draws); lasers are streamed and read per frame instead.
import { useFrame, useThree } from '@react-three/fiber'
import {
  createContext,
  memo,
  type ReactNode,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
} from 'react'
import {
  BufferAttribute,
  BufferGeometry,
  CanvasTexture,
  type Group,
  type Line,
  LineBasicMaterial,
  type Material,
  Matrix4,
  type Mesh,
  type Object3D,
  Quaternion,
  SRGBColorSpace,
  Vector3,
} from 'three'
import { type Annotation, laserVisible, materializeSpaceMarks, type Vec3 } from '../annotations/model'
import { colourHex } from '../annotations/palette'
import type { SpaceFeed } from '../annotations/space'
import { useCall } from '../state/call-store'
import { APPROXIMATE_OPACITY, PIN_STEM, PinBatch } from './pin-batch'
import { strokeTube } from './stroke-geometry'

/** Name prefix of each annotation's group. */
export const ANNOTATION_PREFIX = 'annotation:'
/** Name prefix of a pin's label (the probe measures its height on screen). */
export const PIN_LABEL_PREFIX = 'pin-label:'

/** Label height in metres; its width follows the text. */
export const LABEL_HEIGHT = 0.035
/** Arrow shaft radius and head size, metres. */
const ARROW_RADIUS = 0.004
const ARROW_HEAD_LENGTH = 0.035
const ARROW_HEAD_RADIUS = 0.012
/** A laser that hit nothing is drawn this long, metres. */
const LASER_LENGTH = 3

const up = new Vector3(0, 1, 0)

/**
 * Marks never take pointer rays: a ray must reach the surface under a stroke (to draw on along it, or to place
 * a pin beside it), and testing a 2,000-point stroke on every pointer update is work for nothing.
 */
function noRaycast() {}

function Stroke({ annotation }: { annotation: Annotation }) {
  const shape = annotation.shape as Extract<Annotation['shape'], { type: 'stroke' }>
  const colour = colourHex(annotation.colour)
  const opacity = annotation.approximate ? APPROXIMATE_OPACITY : 1
  const radius = shape.width / 2
  const count = shape.points.length
  // A new points array only when the stroke changed (materialize keeps unchanged annotations as they were).
  const geometry = useMemo(() => {
    const { positions, indices } = strokeTube(shape.points, radius)
    const tube = new BufferGeometry()
    tube.setAttribute('position', new BufferAttribute(positions, 3))
    tube.setIndex(new BufferAttribute(indices, 1))
    tube.computeBoundingSphere()
    return tube
  }, [shape.points, radius])
  useEffect(() => () => geometry.dispose(), [geometry])
  if (count === 1) {
    // One point so far: a dot where the pen went down.
    return (
      <mesh position={shape.points[0]} raycast={noRaycast}>
        <sphereGeometry args={[radius * 1.5, 8, 6]} />
        <meshBasicMaterial color={colour} transparent={opacity < 1} opacity={opacity} />
      </mesh>
    )
  }
  return (
    <mesh geometry={geometry} raycast={noRaycast}>
      <meshBasicMaterial color={colour} transparent={opacity < 1} opacity={opacity} />
    </mesh>
  )
}

function Arrow({ annotation }: { annotation: Annotation }) {
  const shape = annotation.shape as Extract<Annotation['shape'], { type: 'arrow' }>
  const { shaft, head, length } = useMemo(() => {
    const from = new Vector3(...shape.from)
    const to = new Vector3(...shape.to)
    const direction = to.clone().sub(from)
    const total = direction.length()
    direction.normalize()
    const shaftLength = Math.max(total - ARROW_HEAD_LENGTH, 0.001)
    const rotation = new Quaternion().setFromUnitVectors(up, direction)
    return {
      shaft: { position: from.clone().addScaledVector(direction, shaftLength / 2), rotation },
      head: { position: to.clone().addScaledVector(direction, -ARROW_HEAD_LENGTH / 2), rotation },
      length: shaftLength,
    }
  }, [shape.from, shape.to])
  const colour = colourHex(annotation.colour)
  const opacity = annotation.approximate ? APPROXIMATE_OPACITY : 1
  return (
    <>
      <mesh position={shaft.position} quaternion={shaft.rotation} raycast={noRaycast}>
        <cylinderGeometry args={[ARROW_RADIUS, ARROW_RADIUS, length, 8]} />
        <meshBasicMaterial color={colour} transparent={opacity < 1} opacity={opacity} />
      </mesh>
      <mesh position={head.position} quaternion={head.rotation} raycast={noRaycast}>
        <coneGeometry args={[ARROW_HEAD_RADIUS, ARROW_HEAD_LENGTH, 16]} />
        <meshBasicMaterial color={colour} transparent={opacity < 1} opacity={opacity} />
      </mesh>
    </>
  )
}

/** A text label on a canvas texture, facing the viewer (a sprite). */
export function Label({
  text,
  colour,
  position,
  scale = 1,
  name,
  fixedSize = false,
}: {
  text: string
  colour: string
  position: Vec3
  /** times LABEL_HEIGHT */
  scale?: number
  name?: string
  /** The same size on screen at any distance (in a miniature, where distances are not the worker's). */
  fixedSize?: boolean
}) {
  const { texture, aspect } = useMemo(() => {
    const canvas = document.createElement('canvas')
    const context = canvas.getContext('2d')
    const font = '600 40px system-ui, sans-serif'
    let width = 256
    if (context) {
      context.font = font
      width = Math.ceil(context.measureText(text).width) + 32
    }
    canvas.width = width
    canvas.height = 56
    if (context) {
      // Dark backing: optical see-through shows black as clear, so the light text reads on any background.
      context.fillStyle = 'rgba(10, 14, 18, 0.85)'
      context.fillRect(0, 0, canvas.width, canvas.height)
      context.font = font
      context.fillStyle = colour
      context.textBaseline = 'middle'
      context.fillText(text, 16, canvas.height / 2)
    }
    const texture = new CanvasTexture(canvas)
    texture.colorSpace = SRGBColorSpace
    return { texture, aspect: canvas.width / canvas.height }
  }, [text, colour])
  useEffect(() => () => texture.dispose(), [texture])
  return (
    <sprite
      name={name}
      position={position}
      scale={[LABEL_HEIGHT * scale * aspect, LABEL_HEIGHT * scale, 1]}
      center={[0.5, 0]}
      raycast={noRaycast}
    >
      <spriteMaterial map={texture} depthTest={false} sizeAttenuation={!fixedSize} />
    </sprite>
  )
}

/** The layer's pins, drawn together (./pin-batch); each Pin only says where it is. */
const PinBatchContext = createContext<PinBatch | null>(null)

function Pin({ annotation, labelScale }: { annotation: Annotation; labelScale: number }) {
  const shape = annotation.shape as Extract<Annotation['shape'], { type: 'pin' }>
  const colour = colourHex(annotation.colour)
  const [x, y, z] = shape.position
  const text = `${shape.label} · ${annotation.authorName}${annotation.approximate ? ' (approximate)' : ''}`
  const batch = useContext(PinBatchContext)
  const marker = useRef<Group>(null)
  const approximate = annotation.approximate
  useLayoutEffect(() => {
    const object = marker.current
    if (!batch || !object) return
    batch.set(annotation.id, object, colour, approximate)
    return () => batch.delete(annotation.id, object)
  }, [batch, annotation.id, colour, approximate])
  return (
    <>
      {/* The head and stem: drawn by the layer's batch at this marker's pose. */}
      <group ref={marker} position={shape.position} />
      <Label
        text={text}
        colour={colour}
        position={[x, y + PIN_STEM, z]}
        scale={labelScale}
        fixedSize={labelScale !== 1}
        name={`${PIN_LABEL_PREFIX}${annotation.id}`}
      />
    </>
  )
}

const AnnotationShape = memo(
  function AnnotationShape({ annotation, labelScale }: { annotation: Annotation; labelScale: number }) {
    const { placement } = annotation
    return (
      <group
        name={`${ANNOTATION_PREFIX}${annotation.id}`}
        position={placement.position}
        quaternion={placement.orientation}
      >
        {annotation.shape.type === 'stroke' ? (
          <Stroke annotation={annotation} />
        ) : annotation.shape.type === 'arrow' ? (
          <Arrow annotation={annotation} />
        ) : (
          <Pin annotation={annotation} labelScale={labelScale} />
        )}
      </group>
    )
  },
  // materialize() builds new objects per state: redraw only what changed (a stroke grows at its end).
  (before, after) =>
    before.labelScale === after.labelScale &&
    before.annotation.id === after.annotation.id &&
    before.annotation.colour === after.annotation.colour &&
    before.annotation.placement === after.annotation.placement &&
    (before.annotation.shape === after.annotation.shape ||
      (before.annotation.shape.type === 'stroke' &&
        after.annotation.shape.type === 'stroke' &&
        before.annotation.shape.points.length === after.annotation.shape.points.length)),
)

export interface AnnotationLayerProps {
  /** Wraps each drawn annotation, e.g. in an XR anchor on the worker's side. */
  wrap?: (annotation: Annotation, node: ReactNode) => ReactNode
  /**
   * Draw the marks over everything else in the scene: in the worker's own view a mark is on the real room, and a
   * video panel or a control floating between the worker and that spot must not hide it (issue 11: a pin placed
   * by clicking the worker's video landed behind the specialist's panel, which shows that very spot).
   */
  onTop?: boolean
  /**
   * Pin labels this many times their life size, and then the same size on screen at any distance (not 1): a
   * miniature shows the worker's room at a fraction of its size, and its labels must still be read.
   */
  labelScale?: number
}

/**
 * Drawn after everything else (uikit's panels and the video panels included): three sorts by renderOrder first,
 * within the transparent list where the marks then go.
 */
export const MARKS_RENDER_ORDER = 10_000

/** Every material of every mark under `root`: no depth test, in the transparent list, drawn last. */
function drawOnTop(root: Object3D) {
  root.traverse((object) => {
    object.renderOrder = MARKS_RENDER_ORDER
    const material = (object as Mesh).material as Material | Material[] | undefined
    for (const m of Array.isArray(material) ? material : material ? [material] : []) {
      if (!m.depthTest && m.transparent) continue
      m.depthTest = false
      // Transparent (at full opacity) so it is sorted after the panels, which are drawn in that list too.
      m.transparent = true
      m.needsUpdate = true
    }
  })
}

const layerInverseHelper = new Matrix4()

/** Every annotation in the call, in the parent group's frame (the worker's reference space). */
export function AnnotationLayer({ wrap, onTop = false, labelScale = 1 }: AnnotationLayerProps) {
  const annotations = useCall((s) => materializeSpaceMarks(s.annotations))
  const layer = useRef<Group>(null)
  const batch = useMemo(() => new PinBatch(), [])
  useEffect(() => () => batch.dispose(), [batch])
  // After every render of the list: a new or grown mark brings new meshes and materials. Cheap, a few dozen
  // objects, and only when the list changed. The pins' meshes are the layer's own children (added here, not
  // through React: they are replaced when the pins outgrow them).
  useLayoutEffect(() => {
    const group = layer.current
    if (!group) return
    for (const mesh of batch.meshes) if (mesh.parent !== group) group.add(mesh)
    if (onTop) drawOnTop(group)
  })
  // The pins' poses, every frame: anchors move them (the worker's view), a miniature's placement too.
  useFrame(() => {
    const group = layer.current
    if (!group) return
    group.updateWorldMatrix(true, false)
    batch.update(layerInverseHelper.copy(group.matrixWorld).invert())
  })
  return (
    <PinBatchContext.Provider value={batch}>
      <group name="annotations" ref={layer}>
        {annotations.map((annotation) => {
          const node = <AnnotationShape key={annotation.id} annotation={annotation} labelScale={labelScale} />
          return wrap ? <group key={annotation.id}>{wrap(annotation, node)}</group> : node
        })}
      </group>
    </PinBatchContext.Provider>
  )
}

/** Most lasers drawn at once: one per other participant. */
const LASER_SLOTS = 4

/** Everyone's laser pointer, read from the feed every frame (never through React state). */
export function LaserLayer({ space }: { space: SpaceFeed }) {
  const lines = useRef<(Line | null)[]>([])
  const dots = useRef<(Mesh | null)[]>([])
  const invalidate = useThree((s) => s.invalidate)
  const geometries = useMemo(
    () =>
      Array.from({ length: LASER_SLOTS }, () => {
        const geometry = new BufferGeometry()
        geometry.setAttribute('position', new BufferAttribute(new Float32Array(6), 3))
        return geometry
      }),
    [],
  )
  const materials = useMemo(
    () => Array.from({ length: LASER_SLOTS }, () => new LineBasicMaterial({ color: '#ffffff' })),
    [],
  )
  // Handed to R3F as props, so R3F does not dispose them: we do, when the layer goes (each AR session, each time
  // the miniature appears).
  useEffect(
    () => () => {
      for (const geometry of geometries) geometry.dispose()
      for (const material of materials) material.dispose()
    },
    [geometries, materials],
  )
  useFrame(() => {
    const now = Date.now()
    let slot = 0
    for (const { laser, receivedAt } of space.lasers.values()) {
      if (slot >= LASER_SLOTS || !laserVisible(laser, receivedAt, now)) continue
      const line = lines.current[slot]
      const dot = dots.current[slot]
      const geometry = geometries[slot]
      const material = materials[slot]
      slot++
      if (!line || !dot || !geometry || !material) continue
      const end: Vec3 = laser.hit ?? [
        laser.origin[0] + laser.direction[0] * LASER_LENGTH,
        laser.origin[1] + laser.direction[1] * LASER_LENGTH,
        laser.origin[2] + laser.direction[2] * LASER_LENGTH,
      ]
      const position = geometry.getAttribute('position') as BufferAttribute
      position.setXYZ(0, ...laser.origin)
      position.setXYZ(1, ...end)
      position.needsUpdate = true
      geometry.computeBoundingSphere()
      material.color.set(colourHex(laser.colour))
      line.visible = true
      dot.visible = laser.hit !== undefined
      dot.position.set(...end)
    }
    for (let i = slot; i < LASER_SLOTS; i++) {
      const line = lines.current[i]
      const dot = dots.current[i]
      if (line) line.visible = false
      if (dot) dot.visible = false
    }
    // Outside XR the scene draws on demand: keep drawing while a pointer moves.
    if (slot > 0) invalidate()
  })
  return (
    <group name="lasers">
      {geometries.map((geometry, i) => (
        <group key={i}>
          <lineSegments
            ref={(line) => {
              lines.current[i] = line
            }}
            geometry={geometry}
            material={materials[i]}
            visible={false}
            frustumCulled={false}
            raycast={noRaycast}
          />
          <mesh
            ref={(dot) => {
              dots.current[i] = dot
            }}
            visible={false}
            raycast={noRaycast}
          >
            <sphereGeometry args={[0.01, 12, 8]} />
            <meshBasicMaterial color="#ffffff" />
          </mesh>
        </group>
      ))}
    </group>
  )
}
