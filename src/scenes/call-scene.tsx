// The 3D call scene: the same scene in a plain 3D view (orbit with mouse or touch), in immersive VR (inside a
// consultation room) and in immersive AR (passthrough, nothing drawn but the panels and controls).
import { Canvas, useFrame, useThree } from '@react-three/fiber'
import { noEvents, PointerEvents, useXR, XR } from '@react-three/xr'
import { useEffect, useRef } from 'react'
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js'
import { useShallow } from 'zustand/react/shallow'
import { useConsult } from '../state/store'
import type { ConsultXRStore } from '../xr/xr-store'
import { ConsultRoom } from './consult-room'
import { PANEL_DISTANCE, PANEL_HEIGHT } from './panel-layout'
import { registerOrbitControls } from './scene-interaction'
import { SceneProbeInstaller } from './scene-probe'
import { VideoPanel } from './video-panel'
import { type CallActions, XrCallControls } from './xr-call-controls'

/** Where the desktop camera starts: standing eye height, just behind the user's spot, so the whole arc fits. */
const DESKTOP_CAMERA: [number, number, number] = [0, 1.6, 0.15]

function DesktopOrbit() {
  const camera = useThree((s) => s.camera)
  const canvas = useThree((s) => s.gl.domElement)
  const inSession = useXR((s) => s.session != null)
  const controlsRef = useRef<OrbitControls | null>(null)
  useEffect(() => {
    if (inSession) return
    const controls = new OrbitControls(camera, canvas)
    controls.target.set(0, PANEL_HEIGHT, -PANEL_DISTANCE)
    controls.enableDamping = true
    controls.update()
    controlsRef.current = controls
    registerOrbitControls(controls)
    return () => {
      registerOrbitControls(null)
      controlsRef.current = null
      controls.dispose()
    }
  }, [camera, canvas, inSession])
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

function RemotePanels({ roomId }: { roomId: string }) {
  const peerIds = useConsult(
    useShallow((s) =>
      Object.values(s.participants)
        .sort((a, b) => a.seat - b.seat)
        .map((p) => p.peerId),
    ),
  )
  return (
    <>
      {peerIds.map((peerId, index) => (
        <VideoPanel key={peerId} peerId={peerId} index={index} count={peerIds.length} roomId={roomId} />
      ))}
    </>
  )
}

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
}

export default function CallScene({ xrStore, roomId, actions, onReady }: CallSceneProps) {
  return (
    <Canvas
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
        <DesktopOrbit />
        <RemotePanels roomId={roomId} />
        <XrCallControls actions={actions} />
        <SceneProbeInstaller />
        <ReadySignal onReady={onReady} />
      </XR>
    </Canvas>
  )
}
