// Marks (pins and strokes) on shared items in the 3D scene. They are remote-guidance annotations whose placement is
// an item (src/annotations/model.ts `ItemPlacement`), so they live in the item's own space: on a document panel,
// fractions of the page mapped through the view's zoom onto the panel; on a model, the model file's own frame,
// inside the same transform as the model, so turning or scaling the model carries them along. Each is a group
// named `item-mark:<annotation id>` at the mark's point, for the tests.
import { useFrame } from '@react-three/fiber'
import { type ReactNode, useEffect, useMemo, useRef } from 'react'
import { BufferAttribute, BufferGeometry, type Group, Vector3 } from 'three'
import { type Annotation, materializeItemMarks, type Vec3 } from '../annotations/model'
import { colourHex } from '../annotations/palette'
import { useCall } from '../state/call-store'
import { Label } from './annotation-layer'
import { pageToPicture } from './item-render'
import { strokeTube } from './stroke-geometry'

export const ITEM_MARK_PREFIX = 'item-mark:'

/** Radius of a pin's head, metres: a fingertip on a panel at arm's length. */
const PIN_RADIUS = 0.008
/** A mark stands this far in front of a panel's picture, metres: in front of it, never fighting it for depth. */
const PANEL_OFFSET = 0.003

const scaleHelper = new Vector3()

/** Marks never take pointer rays: the picture or the model under them must (to mark beside them). */
function noRaycast() {}

/** The marks on one item, the same array while they do not change. */
export function useItemMarks(item: string): readonly Annotation[] {
  return useCall((s) => materializeItemMarks(s.annotations, item))
}

function pinText(annotation: Annotation): string {
  return annotation.shape.type === 'pin' ? `${annotation.shape.label} · ${annotation.authorName}` : ''
}

function Tube({ points, radius, colour }: { points: Vec3[]; radius: number; colour: string }) {
  const geometry = useMemo(() => {
    const { positions, indices } = strokeTube(points, radius)
    const tube = new BufferGeometry()
    tube.setAttribute('position', new BufferAttribute(positions, 3))
    tube.setIndex(new BufferAttribute(indices, 1))
    tube.computeBoundingSphere()
    return tube
  }, [points, radius])
  useEffect(() => () => geometry.dispose(), [geometry])
  return (
    <mesh geometry={geometry} raycast={noRaycast}>
      <meshBasicMaterial color={colour} />
    </mesh>
  )
}

function PinHead({ colour, text }: { colour: string; text: string }) {
  return (
    <>
      <mesh raycast={noRaycast}>
        <sphereGeometry args={[PIN_RADIUS, 16, 12]} />
        <meshBasicMaterial color={colour} />
      </mesh>
      <Label text={text} colour={colour} position={[0, PIN_RADIUS * 1.5, 0]} />
    </>
  )
}

/** Where a page point is on a panel `width` × `height` metres showing the page at `zoom`; null out of sight. */
function onPanel(u: number, v: number, zoom: number, width: number, height: number): Vec3 | null {
  const [x, y] = pageToPicture(u, v, zoom)
  if (x < 0 || x > 1 || y < 0 || y > 1) return null
  return [(x - 0.5) * width, (0.5 - y) * height, PANEL_OFFSET]
}

/** The marks on the page shown on a document panel (its centre is the origin, metres). */
export function PanelMarks({
  item,
  page,
  zoom,
  width,
  height,
}: {
  item: string
  page: number
  zoom: number
  width: number
  height: number
}) {
  const marks = useItemMarks(item)
  return (
    <>
      {marks.map((annotation) => {
        const { placement, shape } = annotation
        if (placement.frame !== 'item' || placement.page !== page) return null
        const [ox, oy] = placement.position
        const colour = colourHex(annotation.colour)
        if (shape.type === 'pin') {
          const at = onPanel(ox + shape.position[0], oy + shape.position[1], zoom, width, height)
          return at ? (
            <group key={annotation.id} name={`${ITEM_MARK_PREFIX}${annotation.id}`} position={at}>
              <PinHead colour={colour} text={pinText(annotation)} />
            </group>
          ) : null
        }
        if (shape.type !== 'stroke') return null
        return (
          <PanelStroke
            key={annotation.id}
            annotation={annotation}
            zoom={zoom}
            width={width}
            height={height}
          />
        )
      })}
    </>
  )
}

/** A stroke on a page, mapped onto the panel once per change of the stroke or the view (not per render). */
function PanelStroke({
  annotation,
  zoom,
  width,
  height,
}: {
  annotation: Annotation
  zoom: number
  width: number
  height: number
}) {
  const { placement, shape } = annotation
  const strokePoints = shape.type === 'stroke' ? shape.points : null
  const [ox, oy] = placement.position
  const points = useMemo(
    () =>
      (strokePoints ?? [])
        .map((p) => onPanel(ox + p[0], oy + p[1], zoom, width, height))
        .filter((p): p is Vec3 => p !== null),
    [strokePoints, ox, oy, zoom, width, height],
  )
  if (shape.type !== 'stroke' || points.length === 0) return null
  // A stroke's width is a fraction of the page's width: on the panel it grows with the zoom.
  return (
    <group name={`${ITEM_MARK_PREFIX}${annotation.id}`}>
      <Tube
        points={points}
        radius={(shape.width * width * Math.max(1, zoom)) / 2}
        colour={colourHex(annotation.colour)}
      />
    </group>
  )
}

/**
 * Its children in metres of the room, whatever scale its parent has (a model fitted to its stand and scaled by
 * the participants): a pin or a label stays readable on a small model and does not swamp a large one.
 */
export function Unscaled({ children }: { children: ReactNode }) {
  const unscaled = useRef<Group>(null)
  useFrame(() => {
    const group = unscaled.current
    if (!group?.parent) return
    group.parent.getWorldScale(scaleHelper)
    const inverse = 1 / Math.max(1e-9, scaleHelper.x)
    if (group.scale.x !== inverse) group.scale.setScalar(inverse)
  })
  return <group ref={unscaled}>{children}</group>
}

/** A pin on a model: at its point of the model, but as large in the room however the model is scaled. */
function ModelPin({ annotation, position }: { annotation: Annotation; position: Vec3 }) {
  return (
    <group name={`${ITEM_MARK_PREFIX}${annotation.id}`} position={position}>
      <Unscaled>
        <PinHead colour={colourHex(annotation.colour)} text={pinText(annotation)} />
      </Unscaled>
    </group>
  )
}

/** The marks on a model, drawn in the model file's own frame (mount inside the group that holds that frame). */
export function ModelMarks({ item }: { item: string }) {
  const marks = useItemMarks(item)
  return (
    <>
      {marks.map((annotation) => {
        const { placement, shape } = annotation
        if (placement.frame !== 'item') return null
        const [ox, oy, oz] = placement.position
        if (shape.type === 'pin') {
          const [px, py, pz] = shape.position
          return (
            <ModelPin key={annotation.id} annotation={annotation} position={[ox + px, oy + py, oz + pz]} />
          )
        }
        if (shape.type !== 'stroke' || shape.points.length < 2) return null
        return (
          <group
            key={annotation.id}
            name={`${ITEM_MARK_PREFIX}${annotation.id}`}
            position={placement.position}
          >
            <Tube points={shape.points} radius={shape.width / 2} colour={colourHex(annotation.colour)} />
          </group>
        )
      })}
    </>
  )
}
