// The 3D call scene: the same scene in a plain 3D view (orbit with mouse or touch), in immersive VR (inside a
// consultation room) and in immersive AR (passthrough, nothing drawn but the panels and controls).
import { Canvas, useFrame, useThree } from '@react-three/fiber'
import { noEvents, PointerEvents, useXR, XR } from '@react-three/xr'
import { useEffect, useRef } from 'react'
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js'
import { useParticipantIds } from '../state/call-store'
import type { VitalsFeed } from '../vitals/feed'
import type { MonitorInputs } from '../vitals/monitor'
import type { ConsultXRStore } from '../xr/xr-store'
import { ConsultRoom } from './consult-room'
import type { GuidanceView } from './guidance-view'
import type { HeadsetView } from './headset-view'
import { OwnSpace, type WorkerSpaceActions } from './own-space'
import { PANEL_DISTANCE, PANEL_HEIGHT } from './panel-layout'
import { registerOrbitControls } from './scene-interaction'
import { SceneProbeInstaller } from './scene-probe'
import { SharedPanels, type SharedView } from './shared-panels'
import { VideoPanel } from './video-panel'
import { VitalsMonitorSlot } from './vitals-monitor'
import { useWorkerSpace, WorkerSpaceView } from './worker-space-view'
import { type CallActions, XrCallControls } from './xr-call-controls'
import { XrGuidancePalette } from './xr-guidance-palette'
import { XrAlarmBanner, XrSidePanel } from './xr-headset-panels'

/** Where the desktop camera starts: standing eye height, just behind the user's spot, so the whole arc fits. */
const DESKTOP_CAMERA: [number, number, number] = [0, 1.6, 0.15]

/**
 * With the worker's miniature shown (a table-top model below the panels), the desktop camera steps back and
 * looks lower, so the panels and the model fit in one view.
 */
const DESKTOP_CAMERA_WITH_MINIATURE: [number, number, number] = [0, 1.65, 0.45]
const TARGET_WITH_MINIATURE: [number, number, number] = [0, 1.1, -1]

function DesktopOrbit({ withMiniature }: { withMiniature: boolean }) {
  const camera = useThree((s) => s.camera)
  const canvas = useThree((s) => s.gl.domElement)
  const inSession = useXR((s) => s.session != null)
  const invalidate = useThree((s) => s.invalidate)
  const controlsRef = useRef<OrbitControls | null>(null)
  useEffect(() => {
    if (inSession) return
    const controls = new OrbitControls(camera, canvas)
    controls.target.set(0, PANEL_HEIGHT, -PANEL_DISTANCE)
    controls.enableDamping = true
    // On-demand rendering: every camera move (and every damping step after it) asks for a frame.
    const onChange = () => invalidate()
    controls.addEventListener('change', onChange)
    controls.update()
    controlsRef.current = controls
    registerOrbitControls(controls)
    return () => {
      registerOrbitControls(null)
      controlsRef.current = null
      controls.removeEventListener('change', onChange)
      controls.dispose()
    }
  }, [camera, canvas, inSession, invalidate])
  useEffect(() => {
    const controls = controlsRef.current
    if (!controls) return
    camera.position.set(...(withMiniature ? DESKTOP_CAMERA_WITH_MINIATURE : DESKTOP_CAMERA))
    if (withMiniature) controls.target.set(...TARGET_WITH_MINIATURE)
    else controls.target.set(0, PANEL_HEIGHT, -PANEL_DISTANCE)
    controls.update()
    invalidate()
  }, [withMiniature, camera, invalidate])
  // Damping needs an update every frame; in XR the controls are gone and the headset drives the camera.
  useFrame(() => controlsRef.current?.update())
  return null
}

function Surroundings() {
  const mode = useXR((s) => s.mode)
  if (mode === 'immersive-ar') return <ambientLight intensity={1} />
  if (mode === 'immersive-vr') return <ConsultRoom />
  return (
    <>
      <color attach="background" args={['#dde5ea']} />
      <ambientLight intensity={1} />
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
  return (
    <>
      {peerIds.map((peerId, index) => (
        <VideoPanel
          key={peerId}
          peerId={peerId}
          index={index}
          count={peerIds.length}
          roomId={roomId}
          guidance={guidance}
        >
          {vitals && (
            <VitalsMonitorSlot
              feed={vitals.feed}
              peerId={peerId}
              title="Vitals"
              inputs={(now) => vitals.inputs(peerId, now)}
            />
          )}
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

/** Tells the DOM shell that <XR> has connected the store to the renderer, so entering XR can work now. */
function ReadySignal({ onReady }: { onReady: () => void }) {
  useEffect(onReady, [])
  return null
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
}

/**
 * The scene's parts that depend on remote guidance (and whatever makes room for the worker's miniature), so
 * CallScene itself need not re-render with them.
 */
function Guidance({ guidance, actions }: { guidance?: GuidanceView; actions: CallActions }) {
  const workerSpace = useWorkerSpace(guidance)
  return (
    <>
      <DesktopOrbit withMiniature={workerSpace !== null} />
      <XrCallControls actions={actions} aside={workerSpace !== null} />
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
}: CallSceneProps) {
  return (
    <Canvas
      // In XR the session drives a frame per display refresh whatever this says.
      frameloop={alwaysRender ? 'always' : 'demand'}
      events={noEvents}
      camera={{ position: DESKTOP_CAMERA, fov: 60, near: 0.05, far: 50 }}
      // Transparent clear colour so AR passthrough shows through where nothing is drawn.
      gl={{ alpha: true }}
      style={{ touchAction: 'none' }}
      data-testid="call-canvas"
    >
      <PointerEvents />
      <XR store={xrStore}>
        <Surroundings />
        <Guidance guidance={guidance} actions={actions} />
        <RemotePanels roomId={roomId} vitals={vitals} guidance={guidance} />
        {workerSpace && <OwnSpace actions={workerSpace} />}
        {shared && <SharedPanels shared={shared} roomId={roomId} />}
        {headset && <XrAlarmBanner view={headset} />}
        {headset && <XrSidePanel view={headset} />}
        <SceneProbeInstaller />
        <IdleTick />
        <ReadySignal onReady={onReady} />
      </XR>
    </Canvas>
  )
}
