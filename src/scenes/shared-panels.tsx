// Shared items in the 3D scene, the same in the plain 3D view, in VR and in AR: a document, image or DICOM image
// as a panel (its picture from ./item-render, with page and window buttons a controller or a hand can press), a 3D
// model on a stand that anyone can turn (drag it) and scale, and each shared screen as another video panel. They
// stand on the panels' arc, right of the participants (the headset's side panel is on the left), and can be moved
// like them (remembered per room on this device). Their views come from the share channel: following the shared
// view, or the participant's own.
import { type ThreeEvent, useFrame, useThree } from '@react-three/fiber'
import { Handle, HandleTarget } from '@react-three/handle'
import { Container, Text } from '@react-three/uikit'
import {
  memo,
  type ReactNode,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react'
import {
  Box3,
  type BufferGeometry,
  CanvasTexture,
  Group,
  Mesh,
  type MeshStandardMaterial,
  type Object3D,
  PropertyBinding,
  Quaternion,
  SRGBColorSpace,
  type Vector3Tuple as Vec3Tuple,
  Vector3,
} from 'three'
import type { Target } from '../annotations/raycast'
import type { Tool } from '../annotations/tools'
import type { ShareChannel, SharedItem } from '../share/channel'
import { FORMATS } from '../share/sniff'
import { MAX_MODEL_SCALE, MIN_MODEL_SCALE } from '../share/wire'
import { useCall, useParticipantIds } from '../state/call-store'
import { Label } from './annotation-layer'
import type { ItemMark } from './guidance-view'
import { ModelMarks, PanelMarks, Unscaled } from './item-marks'
import { acquireItem, type OpenedItem, pictureToPage, releaseItem } from './item-render'
import { lectureRightEdge } from './lecture-layout'
import {
  detailLevel,
  LOD_LEVEL_CELLS,
  loadSimplifier,
  type Simplifier,
  simplifyGeometry,
  worthSimplifying,
} from './model-lod'
import { consultRightEdge, PANEL_HEIGHT, PANEL_WIDTH, sharedItemPose, yawFacing } from './panel-layout'
import { setOrbitEnabled } from './scene-interaction'
import { uiFontFamilies } from './ui-font'
import { usePanelMonitors, useVideoTexture } from './video-panel'

/** The pointer actions that make marks (remote guidance's, src/call/guidance.ts), as the scene needs them. */
export interface ItemMarkActions {
  pointerDown: (target: Target, tool?: Tool) => void
  pointerMove: (target: Target) => void
  pointerUp: () => void
  /** Chooses what a pointer on `item` makes (null: it turns or pages the item). */
  markItem: (item: string, tool: ItemMark['tool'] | null) => void
  /** Which item is being marked now, and with what; and a subscription to its changes. */
  itemMark: () => ItemMark | null
  subscribe: (listener: () => void) => () => void
}

const noSubscription = () => () => undefined
const noMark = () => null

/** What a pointer on item `id` makes now: a pin, a stroke, or nothing (it turns or pages the item). */
function useMarkMode(marks: ItemMarkActions | undefined, id: string): MarkMode {
  return useSyncExternalStore(marks?.subscribe ?? noSubscription, () => {
    const mark = marks?.itemMark() ?? noMark()
    return mark?.item === id ? mark.tool : null
  })
}

/** What the scene is handed for shared items. */
export interface SharedView {
  channel: ShareChannel
  /** Pins and strokes on items; without it, items cannot be marked here. */
  marks?: ItemMarkActions
}

/** What a pointer on an item does: turn it or change its view (null), or make a pin or a stroke. */
type MarkMode = 'pin' | 'stroke' | null

const MARK_BUTTONS: ReadonlyArray<{ mode: Exclude<MarkMode, null>; label: string; name: string }> = [
  { mode: 'pin', label: 'Pin', name: 'item-mark-pin:' },
  { mode: 'stroke', label: 'Draw', name: 'item-mark-draw:' },
]

/** The buttons that choose a mark mode on one item (pressing the chosen one again ends it). */
function MarkButtons({ id, mode, marks }: { id: string; mode: MarkMode; marks: ItemMarkActions }) {
  return (
    <>
      {MARK_BUTTONS.map((button) => (
        <Button3D
          key={button.mode}
          name={`${button.name}${id}`}
          label={mode === button.mode ? `${button.label} (on)` : button.label}
          onClick={() => marks.markItem(id, mode === button.mode ? null : button.mode)}
        />
      ))}
    </>
  )
}

/** Name prefixes the probe (and the tests) find the objects by. */
export const ITEM_PANEL_PREFIX = 'shared-item:'
export const MODEL_PREFIX = 'shared-model:'
export const SCREEN_PREFIX = 'screen-video:'
/** The group that holds a model file's own frame (where its marks are drawn). */
export const MODEL_FRAME_PREFIX = 'shared-model-frame:'
/** The label of a model's highlighted part. */
export const PART_LABEL_PREFIX = 'model-part-label:'
/** A highlighted part glows in this colour (emissive), on top of its own. */
const HIGHLIGHT_COLOUR = '#ffb020'
const HIGHLIGHT_INTENSITY = 0.7

/**
 * Highlights the part named `part` of a loaded model (emissive, on copies of its materials, given back when the
 * highlight moves on) and tells where its label goes, in the file's own frame: above the part's middle.
 */
function usePartHighlight(root: Object3D | null, part: string | null | undefined): Vec3Tuple | null {
  const [labelAt, setLabelAt] = useState<Vec3Tuple | null>(null)
  const invalidate = useThree((s) => s.invalidate)
  useLayoutEffect(() => {
    // three's loader names objects after the file's nodes, with spaces and reserved characters replaced.
    const node = part ? root?.getObjectByName(PropertyBinding.sanitizeNodeName(part)) : undefined
    if (!root || !node) {
      setLabelAt(null)
      return
    }
    const originals = new Map<Mesh, Mesh['material']>()
    node.traverse((object) => {
      const mesh = object as Mesh
      if (!mesh.isMesh) return
      originals.set(mesh, mesh.material)
      const copy = (Array.isArray(mesh.material) ? mesh.material : [mesh.material]).map((material) => {
        const glowing = material.clone() as MeshStandardMaterial
        if (glowing.emissive) {
          glowing.emissive.set(HIGHLIGHT_COLOUR)
          glowing.emissiveIntensity = HIGHLIGHT_INTENSITY
        }
        return glowing
      })
      mesh.material = Array.isArray(mesh.material) ? copy : (copy[0] as MeshStandardMaterial)
    })
    root.updateWorldMatrix(true, true)
    const box = new Box3().setFromObject(node)
    const top = root.worldToLocal(
      new Vector3(box.getCenter(new Vector3()).x, box.max.y, box.getCenter(new Vector3()).z),
    )
    setLabelAt([top.x, top.y, top.z])
    invalidate()
    return () => {
      for (const [mesh, material] of originals) {
        for (const glowing of Array.isArray(mesh.material) ? mesh.material : [mesh.material])
          glowing.dispose()
        mesh.material = material
      }
      invalidate()
    }
  }, [root, part, invalidate])
  return labelAt
}

/** The longest side of a model on its stand, metres: a heart or a knee at about life size. */
const MODEL_SIZE = 0.35
/** Height of the stand's top, metres: a table, so a seated or standing user looks at the model from above. */
const STAND_HEIGHT = 1.0
/** Radians a model turns per metre the pointer moves across it: a 15 cm drag is about half a turn. */
const TURN_PER_METRE = 20

const quaternionHelper = new Quaternion()
const axisHelper = new Vector3()
const localHelper = new Vector3()
const viewerHelper = new Vector3()

function useItems(channel: ShareChannel): SharedItem[] {
  return useSyncExternalStore(channel.subscribe, channel.items)
}

const layoutKey = (roomId: string) => `xr-consult:items:${roomId}`
function loadPlacement(roomId: string, id: string): [number, number, number] | null {
  try {
    const saved = JSON.parse(localStorage.getItem(layoutKey(roomId)) ?? '{}')[id]
    return Array.isArray(saved) && saved.length === 3 && saved.every(Number.isFinite)
      ? (saved as [number, number, number])
      : null
  } catch {
    return null
  }
}
function savePlacement(roomId: string, id: string, position: [number, number, number]) {
  try {
    const all = JSON.parse(localStorage.getItem(layoutKey(roomId)) ?? '{}')
    all[id] = position
    localStorage.setItem(layoutKey(roomId), JSON.stringify(all))
  } catch {
    // Storage full or off: the panel just won't be remembered.
  }
}

/** A movable thing on the arc, turned to the viewer wherever it is put; `handle` is what one grabs to move it. */
function Placed({
  id,
  roomId,
  slot,
  rightEdge,
  y,
  children,
  handle,
}: {
  id: string
  roomId: string
  slot: number
  rightEdge: number
  y: number
  children?: ReactNode
  handle: ReactNode
}) {
  const target = useRef<Group>(null)
  const camera = useThree((s) => s.camera)
  const moved = useRef(false)
  useLayoutEffect(() => {
    const group = target.current
    if (!group || moved.current) return
    const saved = loadPlacement(roomId, id)
    const pose = sharedItemPose(slot, rightEdge)
    if (saved) group.position.set(...saved)
    else group.position.set(pose.x, y + pose.rise, pose.z)
    group.rotation.set(0, yawFacing(group.position.x, group.position.z, 0, 0), 0)
  }, [roomId, id, slot, rightEdge, y])
  return (
    <HandleTarget ref={target}>
      <Handle
        targetRef="from-context"
        rotate={false}
        scale={false}
        apply={(state, group) => {
          group.position.copy(state.current.position)
          camera.getWorldPosition(viewerHelper)
          group.rotation.set(
            0,
            yawFacing(group.position.x, group.position.z, viewerHelper.x, viewerHelper.z),
            0,
          )
          if (state.first) setOrbitEnabled(false)
          if (state.last) {
            setOrbitEnabled(true)
            moved.current = true
            savePlacement(roomId, id, group.position.toArray() as [number, number, number])
          }
        }}
      >
        {handle}
      </Handle>
      {children}
    </HandleTarget>
  )
}

function Button3D({ label, onClick, name }: { label: string; onClick: () => void; name: string }) {
  return (
    <Container
      ref={(component) => {
        if (component) component.name = name
      }}
      onClick={(event) => {
        event.stopPropagation()
        onClick()
      }}
      backgroundColor="#2b4250"
      hover={{ backgroundColor: '#3c5a6c' }}
      borderRadius={12}
      paddingX={18}
      paddingY={8}
      cursor="pointer"
    >
      <Text fontSize={26} color="#ffffff">
        {label}
      </Text>
    </Container>
  )
}

/** A document, image or DICOM image as a panel, drawn from the same picture as the DOM viewer. */
function DocumentPanelView({
  item,
  channel,
  marks,
  roomId,
  slot,
  rightEdge,
}: {
  item: SharedItem
  channel: ShareChannel
  marks: ItemMarkActions | undefined
  roomId: string
  slot: number
  rightEdge: number
}) {
  const invalidate = useThree((s) => s.invalidate)
  const mode = useMarkMode(marks, item.id)
  const marking = useRef(false)
  const [opened, setOpened] = useState<OpenedItem | null>(null)
  const canvas = useMemo(() => document.createElement('canvas'), [])
  const texture = useMemo(() => {
    const made = new CanvasTexture(canvas)
    made.colorSpace = SRGBColorSpace
    return made
  }, [canvas])
  const [aspect, setAspect] = useState(1 / Math.SQRT2)
  useEffect(() => () => texture.dispose(), [texture])
  useEffect(() => {
    if (!item.bytes) return
    let live = true
    acquireItem(item.id, item.format, item.mime, item.bytes)
      .then((value) => live && setOpened(value))
      .catch(() => undefined)
    return () => {
      live = false
      releaseItem(item.id)
    }
  }, [item.id, item.bytes, item.format, item.mime])
  const { view } = item
  useEffect(() => {
    if (!opened) return
    let live = true
    opened
      .render(view, canvas)
      .then(() => {
        if (!live) return
        setAspect(canvas.width / canvas.height)
        // WebGL2 textures have immutable storage: a picture of another size needs the texture made anew.
        const image = texture.userData as { width?: number; height?: number }
        if (image.width !== canvas.width || image.height !== canvas.height) {
          texture.dispose()
          texture.userData = { width: canvas.width, height: canvas.height }
        }
        texture.needsUpdate = true
        invalidate()
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [opened, view, canvas, texture, invalidate])

  const height = PANEL_WIDTH / aspect
  const pages = opened?.pages ?? 1
  const windows = opened?.windows ?? []
  const windowIndex = windows.findIndex(
    (w) => w.centre === view.window?.centre && w.width === view.window?.width,
  )
  const set = (patch: Parameters<ShareChannel['setView']>[1]) => channel.setView(item.id, patch)
  // A point on the picture (its texture coordinates, v from the bottom) as a point of the page, for a mark.
  const pageTarget = (event: ThreeEvent<PointerEvent>): Target | null => {
    if (!event.uv) return null
    const [u, v] = pictureToPage(event.uv.x, 1 - event.uv.y, view.zoom)
    return { point: [u, v, 0], normal: null, approximate: false, on: { item: item.id, page: view.page } }
  }
  const markHandlers =
    mode && marks
      ? {
          onPointerDown: (event: ThreeEvent<PointerEvent>) => {
            const target = pageTarget(event)
            if (!target) return
            // Not a drag of the panel: the Handle around the picture must not see it.
            event.stopPropagation()
            marking.current = true
            marks.pointerDown(target, mode)
          },
          onPointerMove: (event: ThreeEvent<PointerEvent>) => {
            if (!marking.current) return
            event.stopPropagation()
            const target = pageTarget(event)
            if (target) marks.pointerMove(target)
          },
          onPointerUp: () => {
            if (!marking.current) return
            marking.current = false
            marks.pointerUp()
          },
        }
      : {}
  const caption = `${item.name} - ${pages > 1 ? `${item.kind === 'dicom' ? 'frame' : 'page'} ${view.page + 1}/${pages} - ` : ''}${item.mine ? 'shared by you' : `from ${item.authorName}`}${item.following ? '' : ' - on your own'}`
  return (
    <Placed
      id={item.id}
      roomId={roomId}
      slot={slot}
      rightEdge={rightEdge}
      y={PANEL_HEIGHT}
      handle={
        <>
          <mesh position-z={-0.004}>
            <planeGeometry args={[PANEL_WIDTH + 0.03, height + 0.03]} />
            <meshBasicMaterial color="#20303a" />
          </mesh>
          <mesh name={`${ITEM_PANEL_PREFIX}${item.id}`} userData={{ page: view.page }} {...markHandlers}>
            <planeGeometry args={[PANEL_WIDTH, height]} />
            {opened ? (
              <meshBasicMaterial key="picture" map={texture} toneMapped={false} />
            ) : (
              <meshBasicMaterial key="placeholder" color="#3b4a55" />
            )}
          </mesh>
        </>
      }
    >
      <PanelMarks item={item.id} page={view.page} zoom={view.zoom} width={PANEL_WIDTH} height={height} />
      <group position-y={-height / 2 - 0.025}>
        <Container
          pixelSize={0.001}
          fontFamilies={uiFontFamilies}
          anchorY="top"
          sizeX={PANEL_WIDTH}
          flexDirection="column"
          backgroundColor="#20303a"
          borderRadius={12}
          padding={10}
          gap={8}
          alignItems="center"
        >
          <Text fontSize={24} color="#f4f7f9">
            {caption}
          </Text>
          <Container flexDirection="row" gap={10} flexWrap="wrap" justifyContent="center">
            {pages > 1 && (
              <>
                <Button3D
                  name={`item-prev:${item.id}`}
                  label="<"
                  onClick={() => set({ page: Math.max(0, view.page - 1) })}
                />
                <Button3D
                  name={`item-next:${item.id}`}
                  label=">"
                  onClick={() => set({ page: Math.min(pages - 1, view.page + 1) })}
                />
              </>
            )}
            {windows.length > 1 && (
              <Button3D
                name={`item-window:${item.id}`}
                label={`Window: ${windows[(windowIndex + 1) % windows.length]?.label ?? ''}`}
                onClick={() => {
                  const next = windows[(windowIndex + 1) % windows.length]
                  if (next) set({ window: { centre: next.centre, width: next.width } })
                }}
              />
            )}
            {marks && <MarkButtons id={item.id} mode={mode} marks={marks} />}
            {!item.following && (
              <Button3D
                name={`item-follow:${item.id}`}
                label="Follow"
                onClick={() => channel.follow(item.id)}
              />
            )}
          </Container>
        </Container>
      </group>
    </Placed>
  )
}

/** A dense mesh of the model with its coarse copies (./model-lod, finest first), drawn when it is seen small. */
interface MeshDetail {
  mesh: Mesh
  full: BufferGeometry
  /** One per LOD_LEVEL_CELLS; null where that grid thinned out too little. */
  coarse: Array<BufferGeometry | null>
}

/** The model file as a three.js scene, fitted to MODEL_SIZE and standing on its base (null while loading). */
interface LoadedModel {
  /** The model fitted to its stand. */
  model: Object3D | null
  /** The file's own root (inside `model`): the frame marks on the model are stored in. */
  root: Object3D | null
  /** Its dense meshes, each with a coarse copy. */
  details: MeshDetail[]
  problem: string | null
}

/** The model's meshes that are dense enough for coarse copies (skinned ones move: they are drawn as they are). */
function denseMeshes(model: Object3D): Mesh[] {
  const meshes: Mesh[] = []
  model.traverse((object) => {
    const mesh = object as Mesh
    if (!mesh.isMesh || (mesh as { isSkinnedMesh?: boolean }).isSkinnedMesh) return
    if (worthSimplifying(mesh.geometry)) meshes.push(mesh)
  })
  return meshes
}

/**
 * Coarse copies of the model's dense meshes. The simplifier keeps vertices and their texture coordinates, and
 * texture seams where they are, so textured meshes get copies too. A pointer (a pin, a drag) always meets the
 * full mesh, so a mark lands on the real surface whichever copy is drawn.
 */
function makeDetails(simplifier: Simplifier, meshes: Mesh[]): MeshDetail[] {
  const details: MeshDetail[] = []
  for (const mesh of meshes) {
    const coarse = LOD_LEVEL_CELLS.map((cells) => simplifyGeometry(simplifier, mesh.geometry, cells))
    if (coarse.every((copy) => copy === null)) continue
    const full = mesh.geometry
    mesh.raycast = (raycaster, intersects) => {
      const shown = mesh.geometry
      mesh.geometry = full
      Mesh.prototype.raycast.call(mesh, raycaster, intersects)
      mesh.geometry = shown
    }
    details.push({ mesh, full, coarse })
  }
  return details
}

const cameraHelper = new Vector3()
const pivotHelper = new Vector3()

/**
 * Each frame: the full mesh or a coarse copy, by how large the model is on the screen (./model-lod). On a
 * headset's sharp display at the panels' arc that is the full mesh; on a small or software-rendered view, or from
 * further away, a copy whose difference stays under two pixels.
 */
function useModelDetail(details: MeshDetail[], pivot: { current: Group | null }, scale: number) {
  const applied = useRef<{ details: MeshDetail[]; level: number } | null>(null)
  useFrame((state) => {
    const group = pivot.current
    if (details.length === 0 || !group) return
    const xrCamera = state.gl.xr.isPresenting ? state.gl.xr.getCamera() : null
    // In XR each eye's own camera carries its viewport; otherwise the canvas's drawing buffer is the view.
    const eye = xrCamera?.cameras[0]
    const viewer = eye ?? state.camera
    const heightPixels = eye ? eye.viewport.w : state.size.height * state.gl.getPixelRatio()
    const pixelsPerRadian = (heightPixels / 2) * (viewer.projectionMatrix.elements[5] ?? 1)
    const distance = (xrCamera ?? state.camera)
      .getWorldPosition(cameraHelper)
      .distanceTo(group.getWorldPosition(pivotHelper))
    const level = detailLevel(MODEL_SIZE * scale, distance, pixelsPerRadian)
    if (applied.current?.details === details && applied.current.level === level) return
    applied.current = { details, level }
    for (const detail of details) {
      // The chosen copy, or the next finer one that exists, or the full mesh.
      let geometry = detail.full
      for (let finer = level; finer >= 0; finer--) {
        const copy = detail.coarse[finer]
        if (copy) {
          geometry = copy
          break
        }
      }
      detail.mesh.geometry = geometry
    }
  })
}

function useModel(item: SharedItem): LoadedModel {
  const [state, setState] = useState<LoadedModel>({ model: null, root: null, details: [], problem: null })
  useEffect(() => {
    const bytes = item.bytes
    if (!bytes) return
    let live = true
    let details: MeshDetail[] = []
    const data = item.format === 'glb' ? bytes.slice().buffer : new TextDecoder().decode(bytes)
    const fail = (problem: string) => () =>
      live && setState({ model: null, root: null, details: [], problem })
    // The loader comes with the first shared model, not with every 3D view (most calls share none).
    import('three/examples/jsm/loaders/GLTFLoader.js').then(({ GLTFLoader }) => {
      if (!live) return
      // Self-contained only (checked on both sides): the path is never used, nothing is fetched from elsewhere.
      new GLTFLoader().parse(
        data,
        '',
        (gltf) => {
          if (!live) return
          const model = gltf.scene
          const box = new Box3().setFromObject(model)
          const size = box.getSize(new Vector3())
          const scale = MODEL_SIZE / Math.max(size.x, size.y, size.z, 1e-6)
          const centre = box.getCenter(new Vector3())
          model.position.set(-centre.x * scale, -centre.y * scale, -centre.z * scale)
          model.scale.setScalar(scale)
          const fitted = new Group()
          fitted.add(model)
          setState({ model: fitted, root: model, details: [], problem: null })
          // The model shows at once in full; its coarse copies follow when the simplifier has loaded.
          const dense = denseMeshes(model)
          if (dense.length === 0) return
          loadSimplifier().then(
            (simplifier) => {
              if (!live) return
              details = makeDetails(simplifier, dense)
              setState({ model: fitted, root: model, details, problem: null })
            },
            // Without its copies the model is still shown, in full: slower to draw, never wrong.
            () => undefined,
          )
        },
        fail('This 3D model could not be read.'),
      )
    }, fail('The 3D model viewer could not be loaded. Check your network connection and reload the page.'))
    return () => {
      live = false
      for (const detail of details) for (const copy of detail.coarse) copy?.dispose()
    }
  }, [item.bytes, item.format])
  return state
}

/** A model on a stand: drag it to turn it (everyone following sees it turn), buttons to scale it. */
function ModelStandView({
  item,
  channel,
  marks,
  roomId,
  slot,
  rightEdge,
}: {
  item: SharedItem
  channel: ShareChannel
  marks: ItemMarkActions | undefined
  roomId: string
  slot: number
  rightEdge: number
}) {
  const { model, root, details } = useModel(item)
  const mode = useMarkMode(marks, item.id)
  const marking = useRef(false)
  const partLabelAt = usePartHighlight(root, item.view.part)
  /** Where the pointer meets the model, in the model file's own frame: what a mark on it stores. */
  const modelTarget = (event: ThreeEvent<PointerEvent>): Target | null => {
    if (!root) return null
    root.updateWorldMatrix(true, false)
    const [x, y, z] = root.worldToLocal(localHelper.copy(event.point)).toArray()
    return { point: [x, y, z], normal: null, approximate: false, on: { item: item.id, page: 0 } }
  }
  const invalidate = useThree((s) => s.invalidate)
  const pivot = useRef<Group>(null)
  const drag = useRef<{ point: Vector3; rotation: Quaternion } | null>(null)
  const { view } = item
  useModelDetail(details, pivot, view.scale)
  useLayoutEffect(() => {
    pivot.current?.quaternion.set(...view.rotation)
    pivot.current?.scale.setScalar(view.scale)
    invalidate()
  }, [view.rotation, view.scale, invalidate])

  const onDown = (event: ThreeEvent<PointerEvent>) => {
    const group = pivot.current
    if (!group?.parent) return
    event.stopPropagation()
    if (mode && marks) {
      const target = modelTarget(event)
      if (!target) return
      marking.current = true
      marks.pointerDown(target, mode)
      return
    }
    ;(event.target as unknown as { setPointerCapture: (id: number) => void }).setPointerCapture(
      event.pointerId,
    )
    setOrbitEnabled(false)
    drag.current = {
      point: group.parent.worldToLocal(event.point.clone()),
      rotation: group.quaternion.clone(),
    }
  }
  const onMove = (event: ThreeEvent<PointerEvent>) => {
    if (marking.current && marks) {
      event.stopPropagation()
      const target = modelTarget(event)
      if (target) marks.pointerMove(target)
      return
    }
    const group = pivot.current
    const start = drag.current
    if (!group?.parent || !start) return
    event.stopPropagation()
    const local = group.parent.worldToLocal(localHelper.copy(event.point))
    // Sideways turns it about the vertical, up and down tips it towards or away from the viewer.
    const yaw = (local.x - start.point.x) * TURN_PER_METRE
    const pitch = -(local.y - start.point.y) * TURN_PER_METRE
    quaternionHelper.setFromAxisAngle(axisHelper.set(0, 1, 0), yaw)
    const rotation = quaternionHelper
      .clone()
      .multiply(new Quaternion().setFromAxisAngle(axisHelper.set(1, 0, 0), pitch))
    rotation.multiply(start.rotation).normalize()
    channel.setView(item.id, { rotation: [rotation.x, rotation.y, rotation.z, rotation.w] })
  }
  const onUp = () => {
    if (marking.current) {
      marking.current = false
      marks?.pointerUp()
      return
    }
    if (!drag.current) return
    drag.current = null
    setOrbitEnabled(true)
  }

  return (
    <Placed
      id={item.id}
      roomId={roomId}
      slot={slot}
      rightEdge={rightEdge}
      y={0}
      handle={
        <mesh position-y={STAND_HEIGHT / 2}>
          <cylinderGeometry args={[0.1, 0.16, STAND_HEIGHT, 32]} />
          <meshStandardMaterial color="#8a9aa4" />
        </mesh>
      }
    >
      <group position-y={STAND_HEIGHT + MODEL_SIZE / 2 + 0.02}>
        <group
          ref={pivot}
          name={`${MODEL_PREFIX}${item.id}`}
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={onUp}
        >
          {model && <primitive object={model} />}
          {root && (
            // The file's frame as the fitting placed it (a position and a uniform scale inside `model`).
            <group name={`${MODEL_FRAME_PREFIX}${item.id}`} position={root.position} scale={root.scale}>
              <ModelMarks item={item.id} />
              {partLabelAt && item.view.part && (
                <group
                  name={`${PART_LABEL_PREFIX}${item.id}`}
                  userData={{ part: item.view.part }}
                  position={partLabelAt}
                >
                  <Unscaled>
                    <Label text={item.view.part} colour={HIGHLIGHT_COLOUR} position={[0, 0.01, 0]} />
                  </Unscaled>
                </group>
              )}
            </group>
          )}
        </group>
      </group>
      <group position={[0, STAND_HEIGHT - 0.12, 0.17]} rotation-x={-0.6}>
        <Container
          pixelSize={0.001}
          fontFamilies={uiFontFamilies}
          flexDirection="column"
          alignItems="center"
          gap={6}
        >
          <Text fontSize={22} color="#20303a">
            {item.name}
          </Text>
          <Container flexDirection="row" gap={8}>
            <Button3D
              name={`model-smaller:${item.id}`}
              label="-"
              onClick={() =>
                channel.setView(item.id, { scale: Math.max(MIN_MODEL_SCALE, view.scale / 1.25) })
              }
            />
            <Button3D
              name={`model-larger:${item.id}`}
              label="+"
              onClick={() =>
                channel.setView(item.id, { scale: Math.min(MAX_MODEL_SCALE, view.scale * 1.25) })
              }
            />
            {marks && <MarkButtons id={item.id} mode={mode} marks={marks} />}
            {!item.following && (
              <Button3D
                name={`item-follow:${item.id}`}
                label="Follow"
                onClick={() => channel.follow(item.id)}
              />
            )}
          </Container>
        </Container>
      </group>
    </Placed>
  )
}

// An item's panel re-renders only when that item changed (the channel replaces an item's object on every change
// and keeps the others): another file's progress must not rebuild every panel's text and buttons.
const DocumentPanel = memo(DocumentPanelView)
const ModelStand = memo(ModelStandView)

/** A participant's shared screen: another video panel. */
function ScreenPanel({
  peerId,
  roomId,
  slot,
  rightEdge,
}: {
  peerId: string
  roomId: string
  slot: number
  rightEdge: number
}) {
  const screen = useCall((s) => s.participants[peerId]?.screen ?? null)
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const { texture, aspect } = useVideoTexture(screen)
  const height = PANEL_WIDTH / aspect
  return (
    <Placed
      id={`screen:${peerId}`}
      roomId={roomId}
      slot={slot}
      rightEdge={rightEdge}
      y={PANEL_HEIGHT}
      handle={
        <mesh name={`${SCREEN_PREFIX}${peerId}`}>
          <planeGeometry args={[PANEL_WIDTH, height]} />
          {texture ? (
            <meshBasicMaterial key="video" map={texture} toneMapped={false} />
          ) : (
            <meshBasicMaterial key="placeholder" color="#3b4a55" />
          )}
        </mesh>
      }
    >
      <group position-y={-height / 2 - 0.02}>
        <Container
          pixelSize={0.001}
          fontFamilies={uiFontFamilies}
          anchorY="top"
          sizeX={PANEL_WIDTH}
          backgroundColor="#20303a"
          borderRadius={12}
          padding={8}
          justifyContent="center"
        >
          <Text fontSize={26} color="#f4f7f9">
            {`${name}'s screen`}
          </Text>
        </Container>
      </group>
    </Placed>
  )
}

/**
 * Every shared screen and item, on the arc right of the call's own panels (panel-layout.ts sharedItemPose): the
 * headset's side panel has the left. `large`: a large room, whose tiles reach further round than a consultation's
 * panels.
 */
export function SharedPanels({
  shared,
  roomId,
  large = false,
}: {
  shared: SharedView
  roomId: string
  large?: boolean
}) {
  const items = useItems(shared.channel)
  const people = useParticipantIds().length
  // A large room features one of them on the large panel and shows the rest as tiles.
  const monitors = usePanelMonitors()
  const rightEdge = large ? lectureRightEdge(people - 1) : consultRightEdge(monitors)
  const screens = useCall((s) =>
    Object.values(s.participants)
      .filter((p) => p.screen && p.status !== 'gone')
      .map((p) => p.peerId)
      .join(','),
  )
  const shown = items.filter((item) => item.status === 'ready' && item.bytes)
  const screenIds = screens ? screens.split(',') : []
  return (
    <>
      {screenIds.map((peerId, slot) => (
        <ScreenPanel
          key={`screen:${peerId}`}
          peerId={peerId}
          roomId={roomId}
          slot={slot}
          rightEdge={rightEdge}
        />
      ))}
      {shown.map((item, index) => {
        const slot = screenIds.length + index
        return FORMATS[item.format].kind === 'model' ? (
          <ModelStand
            key={item.id}
            item={item}
            channel={shared.channel}
            marks={shared.marks}
            roomId={roomId}
            slot={slot}
            rightEdge={rightEdge}
          />
        ) : (
          <DocumentPanel
            key={item.id}
            item={item}
            channel={shared.channel}
            marks={shared.marks}
            roomId={roomId}
            slot={slot}
            rightEdge={rightEdge}
          />
        )
      })}
    </>
  )
}
