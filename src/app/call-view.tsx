// The call: the 3D scene full-window, with the DOM toolbar, the participant list, notices and remote audio.
import { Component, lazy, type ReactNode, Suspense, useEffect, useRef, useState } from 'react'
import { colourFor } from '../annotations/palette'
import { formatQuality, poorConnectionSentence } from '../net/quality'
import { ROLE_LABELS } from '../room/invite'
import type { GuidanceView } from '../scenes/guidance-view'
import { useConsult, useParticipantIds } from '../state/store'
import { type ImmersiveMode, immersiveSupport } from '../xr/support'
import type { ConsultXRStore } from '../xr/xr-store'
import { AlarmPanel } from './alarm-panel'
import { monitorInputs } from './alarms'
import { currentSession, getXRStore, leaveCall, toggleCamera, toggleMute } from './call-controller'
import { Chat, ServerStatus } from './chat'
import { guidanceActions, guidanceStore, sharedSpace } from './guidance'
import { GuidanceToolbar } from './guidance-toolbar'
import { InviteLinks } from './invite-links'
import { remoteVitals } from './vitals-feeds'
import { VitalsTable } from './vitals-monitor-dom'
import { VitalsSharing } from './vitals-sharing'
import { workerSpaceActions } from './worker-space'

// three.js and the XR stack load only for the call: the lobby stays small and quick on a phone.
const loadCallScene = () => import('../scenes/call-scene')
const CallScene = lazy(loadCallScene)
/** If the 3D view's code cannot be loaded (the server went away mid-call), say so instead of a blank page. */
class SceneErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  override render() {
    if (this.state.failed) {
      return (
        <p className="error" role="alert">
          The 3D view could not be loaded. Check your network connection and reload the page.
        </p>
      )
    }
    return this.props.children
  }
}

export function preloadCallScene() {
  // A failure shows up where the scene is used (SceneErrorBoundary); here it would only be an unhandled rejection.
  loadCallScene().catch(() => undefined)
}

const actions = { toggleMute, toggleCamera, leave: leaveCall }
/** Our seat's colour: what our marks are drawn in until we pick another. */
const ownColour = () => colourFor(Math.max(0, currentSession()?.seatIndex ?? 0))
const guidanceView: GuidanceView = {
  actions: guidanceActions,
  store: guidanceStore,
  space: sharedSpace,
  ownColour,
}
/** `?render=always`: draw every display frame (for measuring rendering cost; the default draws on demand). */
const alwaysRender = new URLSearchParams(location.search).get('render') === 'always'

function RemoteAudio({ peerId }: { peerId: string }) {
  const stream = useConsult((s) => s.participants[peerId]?.stream ?? null)
  const ref = useRef<HTMLAudioElement>(null)
  useEffect(() => {
    const audio = ref.current
    if (!audio) return
    audio.srcObject = stream
    // Joining was a click, so playback with sound is allowed; a refusal leaves the element paused, not broken.
    if (stream) audio.play().catch(() => undefined)
  }, [stream])
  // biome-ignore lint/a11y/useMediaCaption: live call audio has no caption track to offer.
  return <audio ref={ref} autoPlay data-peer={peerId} data-testid="remote-audio" />
}

const NO_BREAK_SPACE = '\u00a0'

/**
 * Round trip, loss, bitrate and frame rate of what we receive from one participant, and a sentence when that is
 * beyond a comfortable consultation. Its own component: it changes every second, the rest of the row rarely.
 */
function QualityLine({ peerId }: { peerId: string }) {
  // Strings, not the quality object, so a sample that changes nothing visible re-renders nothing.
  const text = useConsult((s) => {
    const p = s.participants[peerId]
    return p?.quality
      ? formatQuality(p.quality, { videoExpected: !p.cameraOff, unitSpace: NO_BREAK_SPACE })
      : ''
  })
  const warning = useConsult((s) => {
    const p = s.participants[peerId]
    return p?.quality ? poorConnectionSentence(p.quality, { videoExpected: !p.cameraOff }) : null
  })
  if (!text && !warning) return null
  return (
    <div className="quality" data-testid="quality" data-level={warning ? 'poor' : 'good'}>
      {text}
      {/* A line break is not a space: without one, textContent would read "30 fpsPoor connection". */}
      {warning && ' '}
      {warning && <p className="quality-warning">{warning}</p>}
    </div>
  )
}

function ParticipantRow({ peerId }: { peerId: string }) {
  const name = useConsult((s) => s.participants[peerId]?.name ?? '')
  const role = useConsult((s) => s.participants[peerId]?.role ?? 'patient')
  const status = useConsult((s) => s.participants[peerId]?.status ?? 'connecting')
  const muted = useConsult((s) => s.participants[peerId]?.muted ?? false)
  return (
    <li data-testid="participant" data-status={status} data-peer={peerId}>
      <span className="name">{name}</span> <span className="role">{ROLE_LABELS[role]}</span>{' '}
      <span className={`status ${status}`}>{status}</span>
      {muted && <span className="muted"> · muted</span>}
      <QualityLine peerId={peerId} />
      <RemoteAudio peerId={peerId} />
    </li>
  )
}

function ParticipantList() {
  const peerIds = useParticipantIds({ includeGone: true })
  return (
    <ul className="participants" data-testid="participants" aria-label="Participants">
      {peerIds.map((peerId) => (
        <ParticipantRow key={peerId} peerId={peerId} />
      ))}
      {peerIds.length === 0 && <li className="waiting">Waiting for the others to join…</li>}
    </ul>
  )
}

const vitalsView = { feed: remoteVitals, inputs: monitorInputs }

/** A vitals table for every remote participant; each shows itself once that participant shares vitals. */
function RemoteVitals() {
  const peerIds = useParticipantIds()
  return (
    <>
      {peerIds.map((peerId) => (
        <RemoteVitalsTable key={peerId} peerId={peerId} />
      ))}
    </>
  )
}

function RemoteVitalsTable({ peerId }: { peerId: string }) {
  const name = useConsult((s) => s.participants[peerId]?.name ?? '')
  return <VitalsTable feed={remoteVitals} peerId={peerId} name={name} inputs={monitorInputs} />
}

function Notices() {
  const notices = useConsult((s) => s.notices)
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <p key={n.id} className={`notice ${n.tone}`}>
          {n.text}
        </p>
      ))}
    </div>
  )
}

function Toolbar({ xrStore, sceneReady }: { xrStore: ConsultXRStore; sceneReady: boolean }) {
  const muted = useConsult((s) => s.muted)
  const cameraOff = useConsult((s) => s.cameraOff)
  const hasAudio = useConsult((s) => (s.localStream?.getAudioTracks().length ?? 0) > 0)
  const hasVideo = useConsult((s) => (s.localStream?.getVideoTracks().length ?? 0) > 0)
  const invite = useConsult((s) => s.invite)
  const [support, setSupport] = useState<Record<ImmersiveMode, boolean> | null>(null)
  const [xrError, setXrError] = useState<string | null>(null)
  const [showInvites, setShowInvites] = useState(false)

  useEffect(() => {
    void immersiveSupport().then(setSupport)
  }, [])

  const enter = (mode: ImmersiveMode) => {
    setXrError(null)
    xrStore.enterXR(mode).catch((error: unknown) => {
      console.warn('entering XR failed', error)
      setXrError(
        `The headset view could not start. Check that this device's ${mode === 'immersive-ar' ? 'AR' : 'VR'} mode is available and try again.`,
      )
    })
  }

  return (
    <nav
      className="toolbar"
      aria-label="Call controls"
      data-xr-support={support && sceneReady ? 'known' : 'pending'}
    >
      <button type="button" onClick={toggleMute} disabled={!hasAudio} aria-pressed={muted} data-testid="mute">
        {muted ? 'Unmute' : 'Mute'}
      </button>
      <button
        type="button"
        onClick={toggleCamera}
        disabled={!hasVideo}
        aria-pressed={cameraOff}
        data-testid="camera"
      >
        {cameraOff ? 'Camera on' : 'Camera off'}
      </button>
      {sceneReady && support?.['immersive-vr'] && (
        <button type="button" onClick={() => enter('immersive-vr')} data-testid="enter-vr">
          Enter VR
        </button>
      )}
      {sceneReady && support?.['immersive-ar'] && (
        <button type="button" onClick={() => enter('immersive-ar')} data-testid="enter-ar">
          Enter AR
        </button>
      )}
      <button type="button" onClick={() => setShowInvites((v) => !v)} aria-expanded={showInvites}>
        Invite
      </button>
      <button type="button" className="danger" onClick={leaveCall} data-testid="leave">
        Leave
      </button>
      {xrError && (
        <p className="error" role="alert">
          {xrError}
        </p>
      )}
      {showInvites && invite && <InviteLinks room={invite} />}
    </nav>
  )
}

/**
 * The call screen. It is mounted, hidden, while the participant is still on the join screen: creating the WebGL
 * context, compiling shaders and laying out the first text take about a second on a weak device, and that second
 * should not come after the Join click.
 */
export function CallView({ active }: { active: boolean }) {
  const invite = useConsult((s) => s.invite)
  const [xrStore, setXrStore] = useState<ConsultXRStore | null>(null)
  const [sceneReady, setSceneReady] = useState(false)
  useEffect(() => {
    // An unreachable server is reported by the Join click; the warm-up just waits for a later chance.
    getXRStore()
      .then(setXrStore)
      .catch(() => undefined)
  }, [])
  if (!invite || !xrStore) return null
  return (
    <div
      className={active ? 'call' : 'call warming'}
      data-testid={active ? 'call' : 'call-warming'}
      aria-hidden={!active}
    >
      <div className="scene">
        <SceneErrorBoundary>
          <Suspense fallback={<p className="loading">Loading the 3D view…</p>}>
            <CallScene
              xrStore={xrStore}
              roomId={invite.roomId}
              actions={actions}
              onReady={() => setSceneReady(true)}
              alwaysRender={alwaysRender}
              vitals={vitalsView}
              // Only the on-site worker's AR session shares its room: a clinician or specialist in AR for the
              // panels must not send the scan of their own surroundings to everyone.
              workerSpace={invite.role === 'worker' ? workerSpaceActions : undefined}
              guidance={guidanceView}
            />
          </Suspense>
        </SceneErrorBoundary>
      </div>
      <aside className="side">
        <ServerStatus />
        <ParticipantList />
        <Notices />
        <AlarmPanel />
        <RemoteVitals />
        {invite.role === 'patient' && <VitalsSharing />}
        <Chat />
      </aside>
      <GuidanceToolbar ownColour={ownColour} />
      <Toolbar xrStore={xrStore} sceneReady={sceneReady} />
    </div>
  )
}
