// The 3D call scene: the same scene in a plain 3D view (orbit with mouse or touch), in immersive VR (inside a
// consultation room) and in immersive AR (passthrough, nothing drawn but the panels and controls).
import { Canvas, type RootState, useFrame, useStore, useThree } from '@react-three/fiber'
import { noEvents, PointerEvents, useXR, XR } from '@react-three/xr'
import { useCallback, useEffect, useMemo, useRef } from 'react'
import { Box3, type Object3D, PerspectiveCamera } from 'three'
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js'
import { useParticipantIds } from '../state/call-store'
import type { VitalsFeed } from '../vitals/feed'
import type { MonitorInputs } from '../vitals/monitor'
import type { ConsultXRStore } from '../xr/xr-store'
import { ConsultRoom } from './consult-room'
import type { GuidanceView } from './guidance-view'
import type { HeadsetView } from './headset-view'
import { LectureScene, type LectureView, TILE_PREFIX } from './lecture-tiles'
import { OwnSpace, type WorkerSpaceActions } from './own-space'
import { consultPanelPoses, PANEL_DISTANCE, PANEL_HEIGHT } from './panel-layout'
import { releaseInitialInternals, releaseTornDownRoot, tornDown } from './root-state-release'
import { registerOrbitControls } from './scene-interaction'
import { SceneProbeInstaller } from './scene-probe'
import {
  ITEM_PANEL_PREFIX,
  MODEL_PREFIX,
  SCREEN_PREFIX,
  SharedPanels,
  type SharedView,
} from './shared-panels'
import { SURFACE_PREFIX } from './surfaces'
import { PANEL_VIDEO_PREFIX, usePanelMonitors, VideoPanel } from './video-panel'
import { type Box, clampToBox, frameCallFirst, grow, orbitLimits, union, type Vec3 } from './view-framing'
import { VitalsMonitorSlot } from './vitals-monitor'
import { useWorkerSpace, WORKER_SPACE_NAME, WorkerSpaceView } from './worker-space-view'
import { type CallActions, XrCallControls } from './xr-call-controls'
import { XrGuidancePalette } from './xr-guidance-palette'
import { XrAlarmBanner, XrSidePanel } from './xr-headset-panels'

/** Where the desktop camera starts, before the first framing: standing eye height, just behind the user's spot. */
const DESKTOP_CAMERA: [number, number, number] = [0, 1.6, 0.15]

/** Names of the call's own panels, which the 3D view frames first: the remote videos and their vitals monitors. */
const CALL_PREFIXES = [PANEL_VIDEO_PREFIX, TILE_PREFIX, 'vitals-numerics:']
/** Names of what is shared (files, models and screens), framed beside the call's panels as far as they fit. */
const SHARED_PREFIXES = [ITEM_PANEL_PREFIX, MODEL_PREFIX, SCREEN_PREFIX]
/**
 * An empty marker whose name says how the consultation's arc is laid out (which panels keep room for a vitals
 * monitor): a participant's role is often learnt after their panel appeared, and the panels after a patient's then
 * move along without any name changing, so the view would not frame them again (a panel left out of sight).
 */
const ARC_LAYOUT_PREFIX = 'panel-arc:'
/**
 * With the worker's miniature (a table-top model in front of and below the panels) the camera looks down on it
 * by this much, radians (about 26°): enough to see its floor and what stands on it, not so much that the video
 * panels above it lean away.
 */
const MINIATURE_PITCH = 0.45
/** How often the view checks whether what it frames came or went (a panel, a monitor, a shared file), ms. */
const FRAME_CHECK_MS = 400
/** Room round the framed objects for what hangs under them (a panel's caption, the ECG strip), metres. */
const CAPTION_ROOM = 0.09
/** How far a pan may take the orbit's centre outside what is framed, metres. */
const PAN_SLACK = 0.4

const boxHelper = new Box3()
const itemBoxHelper = new Box3()

/** A three box as a plain one, grown by CAPTION_ROOM for what hangs under it. */
const captioned = (box: Box3): Box => grow({ min: box.min.toArray(), max: box.max.toArray() }, CAPTION_ROOM)

const centreOf = (box: Box): Vec3 => [
  (box.min[0] + box.max[0]) / 2,
  (box.min[1] + box.max[1]) / 2,
  (box.min[2] + box.max[2]) / 2,
]

/**
 * What there is to frame now (world space): the box round the call's own panels (and the worker's miniature), the
 * box of each shared item, nearest to the call's panels first, a key that changes when any of them comes or goes,
 * and whether the miniature is among them.
 */
function framedContent(
  scene: Object3D,
): { call: Box | null; items: Box[]; key: string; miniature: boolean } | null {
  // While the view was hidden nothing was drawn, so nothing updated the world matrices of what came meanwhile.
  scene.updateMatrixWorld()
  boxHelper.makeEmpty()
  const names: string[] = []
  const items: Box[] = []
  scene.traverse((object) => {
    if (CALL_PREFIXES.some((prefix) => object.name.startsWith(prefix))) {
      boxHelper.expandByObject(object)
      names.push(object.name)
    } else if (SHARED_PREFIXES.some((prefix) => object.name.startsWith(prefix))) {
      // The name and role under each panel, and the monitor's strip under its numbers, come with them.
      items.push(captioned(itemBoxHelper.setFromObject(object)))
      names.push(object.name)
    } else if (object.name.startsWith(ARC_LAYOUT_PREFIX)) names.push(object.name)
  })
  const miniature = scene.getObjectByName(WORKER_SPACE_NAME)
  let surfaces = 0
  miniature?.traverse((object) => {
    if (!object.name.startsWith(SURFACE_PREFIX)) return
    boxHelper.expandByObject(object)
    surfaces++
  })
  if (surfaces > 0) names.push(`${WORKER_SPACE_NAME}:${surfaces}`)
  if (boxHelper.isEmpty() && items.length === 0) return null
  const call = boxHelper.isEmpty() ? null : captioned(boxHelper)
  if (call) {
    const [cx, , cz] = centreOf(call)
    const away = (box: Box) => {
      const [x, , z] = centreOf(box)
      return Math.hypot(x - cx, z - cz)
    }
    items.sort((a, b) => away(a) - away(b))
  }
  return { call, items, key: names.sort().join('|'), miniature: surfaces > 0 }
}

/**
 * The orbit camera outside XR, framing itself: on entry to the 3D view, after a resize, when what it frames comes
 * or goes, and on Reset view, it stands where the call's panels fit with the nearest shared items beside them
 * (frameCallFirst); orbit and pan stay within limits round that pose, so nothing ends edge-on or out of sight, and
 * the pan reaches every shared item.
 */
function DesktopOrbit({ paused, resets }: { paused: boolean; resets: number }) {
  const camera = useThree((s) => s.camera)
  const canvas = useThree((s) => s.gl.domElement)
  const scene = useThree((s) => s.scene)
  const width = useThree((s) => s.size.width)
  const height = useThree((s) => s.size.height)
  const inSession = useXR((s) => s.session != null)
  const invalidate = useThree((s) => s.invalidate)
  const controlsRef = useRef<OrbitControls | null>(null)
  const panBox = useRef<Box | null>(null)
  const framedKey = useRef('')

  const frame = useCallback(() => {
    const controls = controlsRef.current
    if (!controls || !(camera instanceof PerspectiveCamera)) return
    const content = framedContent(scene)
    framedKey.current = content?.key ?? ''
    const pitch = content?.miniature ? MINIATURE_PITCH : 0
    const framed =
      content &&
      frameCallFirst(content.call, content.items, (camera.fov * Math.PI) / 180, camera.aspect, pitch)
    const framing = framed?.framing ?? {
      position: DESKTOP_CAMERA,
      target: [0, PANEL_HEIGHT, -PANEL_DISTANCE] as Vec3,
      distance: 1.35,
    }
    // The pan reaches every shared item, framed or not.
    panBox.current = framed && content ? grow(content.items.reduce(union, framed.box), PAN_SLACK) : null
    // Whatever a drag left in the damping is dropped first, or the camera would drift off the framing.
    controls.enableDamping = false
    controls.update()
    Object.assign(controls, orbitLimits(framing, pitch))
    camera.position.set(...framing.position)
    controls.target.set(...framing.target)
    controls.update()
    controls.enableDamping = true
    invalidate()
  }, [camera, scene, invalidate])

  useEffect(() => {
    if (inSession) return
    const controls = new OrbitControls(camera, canvas)
    controls.target.set(0, PANEL_HEIGHT, -PANEL_DISTANCE)
    controls.enableDamping = true
    // On-demand rendering: every camera move (and every damping step after it) asks for a frame.
    const onChange = () => {
      const box = panBox.current
      if (box) controls.target.set(...clampToBox(controls.target.toArray(), box))
      invalidate()
    }
    controls.addEventListener('change', onChange)
    controlsRef.current = controls
    registerOrbitControls(controls)
    frame()
    return () => {
      registerOrbitControls(null)
      controlsRef.current = null
      controls.removeEventListener('change', onChange)
      controls.dispose()
    }
  }, [camera, canvas, inSession, invalidate, frame])

  // On entry to the 3D view, on Reset view and after a resize (the aspect decides how far back everything fits).
  useEffect(() => {
    if (!paused) frame()
  }, [paused, resets, width, height, frame])

  // Panels, monitors and shared files come and go with people and files: frame again when the set changes.
  useEffect(() => {
    if (paused || inSession) return
    const timer = setInterval(() => {
      if ((framedContent(scene)?.key ?? '') !== framedKey.current) frame()
    }, FRAME_CHECK_MS)
    return () => clearInterval(timer)
  }, [paused, inSession, scene, frame])

  // Damping needs an update every frame; in XR the controls are gone and the headset drives the camera.
  useFrame(() => controlsRef.current?.update())
  return null
}

function Surroundings() {
  const mode = useXR((s) => s.mode)
  // The key light shades the worker's miniature and shared models (their surfaces are lit); panels and text are
  // unlit. One light for the whole scene in every mode: a light per model stand would be one more light for every
  // lit surface of the room, and each one added or withdrawn would recompile all their shaders.
  if (mode === 'immersive-ar')
    return (
      <>
        <ambientLight intensity={1} />
        <directionalLight position={[1, 3, 2]} intensity={1.2} />
      </>
    )
  if (mode === 'immersive-vr') return <ConsultRoom />
  return (
    <>
      <color attach="background" args={['#dde5ea']} />
      <ambientLight intensity={1} />
      <directionalLight position={[1, 3, 2]} intensity={1.2} />
      <gridHelper name="desktop-grid" args={[10, 20, '#9fb0bb', '#c3ced5']} />
    </>
  )
}

/** The vitals the participants share, and how to judge them (limits, alarms), for the monitors. */
export interface VitalsView {
  feed: VitalsFeed
  inputs: (peerId: string, now: number) => MonitorInputs
}

function RemotePanels({
  roomId,
  vitals,
  guidance,
}: {
  roomId: string
  vitals?: VitalsView
  guidance?: GuidanceView
}) {
  const peerIds = useParticipantIds()
  const monitors = usePanelMonitors()
  // Stable while nobody comes, goes or changes role: a new pose would put a panel the user moved back.
  const poses = useMemo(() => consultPanelPoses(monitors), [monitors])
  const monitor = (peerId: string) =>
    vitals && (
      <VitalsMonitorSlot
        feed={vitals.feed}
        peerId={peerId}
        title="Vitals"
        inputs={(now) => vitals.inputs(peerId, now)}
      />
    )
  return (
    <>
      <group name={`${ARC_LAYOUT_PREFIX}${monitors.map((m) => (m ? 'monitor' : 'plain')).join(',')}`} />
      {peerIds.map((peerId, index) => (
        <VideoPanel key={peerId} peerId={peerId} arcPose={poses[index]} roomId={roomId} guidance={guidance}>
          {monitor(peerId)}
        </VideoPanel>
      ))}
    </>
  )
}

/**
 * Outside XR the scene renders on demand: when a video frame arrives, the camera moves or React changes the
 * scene. Everything else (uikit's text layout settling, hover highlights) is caught by this slow tick. A phone
 * or laptop in a long consultation then draws at the video's rate, not the display's.
 */
function IdleTick() {
  const invalidate = useThree((s) => s.invalidate)
  useEffect(() => {
    const timer = setInterval(() => invalidate(), IDLE_FRAME_MS)
    return () => clearInterval(timer)
  }, [invalidate])
  return null
}
/** 4 frames/s when nothing else asks for one, ms. */
const IDLE_FRAME_MS = 250

/** How often, and how many times, the canvas's release looks whether R3F has finished tearing it down, ms. */
const TEARDOWN_CHECK_MS = 100
const TEARDOWN_CHECKS = 100

/**
 * Lets go of what R3F's frame loop keeps of this canvas after it has gone (root-state-release.ts): notes what
 * each frame read, and once R3F's teardown is done, empties it, so a left call is not kept by its last frame.
 */
function ReleaseWhenGone() {
  const store = useStore()
  const lastFrame = useRef<{ state: RootState | null; subscribers: unknown }>({
    state: null,
    subscribers: null,
  })
  useFrame((state) => {
    lastFrame.current.state = state
    lastFrame.current.subscribers = state.internal.subscribers
  })
  useEffect(() => {
    const seen = lastFrame.current
    return () => {
      const atUnmount = store.getState()
      const lists = [seen.subscribers, atUnmount.internal.subscribers]
      const release = (checks: number) => {
        const now = store.getState()
        if (tornDown(now)) releaseTornDownRoot([atUnmount, seen.state, now], lists)
        // Not torn down: the canvas lives on (R3F reused the root), and everything stays as it is.
        else if (checks < TEARDOWN_CHECKS) setTimeout(() => release(checks + 1), TEARDOWN_CHECK_MS)
      }
      setTimeout(() => release(0), 0)
    }
  }, [store])
  return null
}

/** Tells the DOM shell that <XR> has connected the store to the renderer, so entering XR can work now. */
function ReadySignal({ onReady }: { onReady: () => void }) {
  useEffect(onReady, [])
  return null
}

/**
 * Outside development, three does not ask WebGL whether each shader compiled and linked: asking
 * (getProgramParameter) makes the page wait for the GPU process to finish compiling, on the main thread, for every
 * new material. Measured here: when a participant joins, their panel's new materials held the page (rendering its
 * 3D view) for hundreds of ms just as their media call needed answering. Unasked, the compile overlaps the
 * page's other work. A broken shader then draws nothing instead of logging why: development builds still check.
 */
function onCanvasCreated(state: RootState) {
  state.gl.debug.checkShaderErrors = import.meta.env.DEV
  releaseInitialInternals(state)
}

export interface CallSceneProps {
  xrStore: ConsultXRStore
  roomId: string
  actions: CallActions
  onReady: () => void
  /** Render every display frame instead of on demand (benchmarks measure rendering cost this way). */
  alwaysRender?: boolean
  vitals?: VitalsView
  /** Sharing our space and anchoring the annotations when we are in immersive AR (the on-site worker's job). */
  workerSpace?: WorkerSpaceActions
  /** Remote guidance: the worker's miniature, drawing on their video, the in-XR palette. */
  guidance?: GuidanceView
  /** Shared files and screens. */
  shared?: SharedView
  /** The alarms and the chat, for the headset's own panels. */
  headset?: HeadsetView
  /** Draw nothing (the 3D view is hidden behind the video layout); XR sessions draw regardless. */
  paused?: boolean
  /** Reset view presses: the camera frames everything again whenever this changes. */
  resets?: number
  /** A large room: the featured panel and the class's tiles instead of one panel each, and the hands. */
  lecture?: LectureView
  /** A large room: who is heard speaking now (the large panel follows them). */
  speaker?: string | null
}

/**
 * The scene's parts that depend on remote guidance (and whatever makes room for the worker's miniature), so
 * CallScene itself need not re-render with them.
 */
function Guidance({
  guidance,
  actions,
  lecture,
}: {
  guidance?: GuidanceView
  actions: CallActions
  lecture?: LectureView
}) {
  const workerSpace = useWorkerSpace(guidance)
  return (
    <>
      <XrCallControls actions={actions} aside={workerSpace !== null} lecture={lecture} />
      {guidance && <WorkerSpaceView guidance={guidance} />}
      {guidance && <XrGuidancePalette guidance={guidance} beside={workerSpace !== null} />}
    </>
  )
}

export default function CallScene({
  xrStore,
  roomId,
  actions,
  onReady,
  alwaysRender = false,
  vitals,
  workerSpace,
  guidance,
  shared,
  headset,
  paused = false,
  resets = 0,
  lecture,
  speaker = null,
}: CallSceneProps) {
  return (
    <Canvas
      // In XR the session drives a frame per display refresh whatever this says.
      frameloop={paused ? 'never' : alwaysRender ? 'always' : 'demand'}
      events={noEvents}
      camera={{ position: DESKTOP_CAMERA, fov: 60, near: 0.05, far: 50 }}
      // Transparent clear colour so AR passthrough shows through where nothing is drawn.
      gl={{ alpha: true }}
      onCreated={onCanvasCreated}
      style={{ touchAction: 'none' }}
      data-testid="call-canvas"
    >
      <PointerEvents />
      <ReleaseWhenGone />
      <XR store={xrStore}>
        <Surroundings />
        <DesktopOrbit paused={paused} resets={resets} />
        <Guidance guidance={guidance} actions={actions} lecture={lecture} />
        {lecture ? (
          <LectureScene
            roomId={roomId}
            lecture={lecture}
            speaker={speaker}
            active={!paused}
            featuredChildren={
              vitals &&
              ((peerId) => (
                <VitalsMonitorSlot
                  feed={vitals.feed}
                  peerId={peerId}
                  title="Vitals"
                  inputs={(now) => vitals.inputs(peerId, now)}
                />
              ))
            }
          />
        ) : (
          <RemotePanels roomId={roomId} vitals={vitals} guidance={guidance} />
        )}
        {workerSpace && <OwnSpace actions={workerSpace} />}
        {shared && <SharedPanels shared={shared} roomId={roomId} large={lecture !== undefined} />}
        {headset && <XrAlarmBanner view={headset} />}
        {headset && <XrSidePanel view={headset} ofArc={lecture !== undefined} />}
        <SceneProbeInstaller />
        <IdleTick />
        <ReadySignal onReady={onReady} />
      </XR>
    </Canvas>
  )
}
