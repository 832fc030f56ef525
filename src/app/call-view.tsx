// The call: by default the video layout (src/app/video-stage.tsx: the person you consult fills the view), or the 3D
// scene, one click away; beside them (under them on a phone) the participant list, notices, vitals and chat, and
// the DOM toolbar under both.
import {
  Component,
  lazy,
  type ReactNode,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react'
import type { CallRuntime } from '../call/runtime'
import { ROLE_LABELS } from '../room/invite'
import type { VitalsView } from '../scenes/call-scene'
import type { GuidanceView } from '../scenes/guidance-view'
import type { HeadsetView } from '../scenes/headset-view'
import type { WorkerSpaceActions } from '../scenes/own-space'
import type { SharedView } from '../scenes/shared-panels'
import type { CallActions } from '../scenes/xr-call-controls'
import { CallStoreProvider, useCall, useCallStore, useParticipantIds } from '../state/call-store'
import { usePage } from '../state/page-store'
import { formatQuality, qualityLevel, qualityWords } from '../ui/quality-text'
import { type ImmersiveMode, immersiveSupport } from '../xr/support'
import type { ConsultXRStore } from '../xr/xr-store'
import { AftercarePanel } from './aftercare'
import { AlarmPanel } from './alarm-panel'
import { getXRStore, leaveCall, toggleCamera, toggleMute } from './call-controller'
import { Chat, ServerStatus } from './chat'
import { GuidanceToolbar } from './guidance-toolbar'
import { InviteLinks, invitesToShare } from './invite-links'
import { RegionBoundary } from './region-boundary'
import { RuntimeContext, useRuntime } from './runtime-context'
import { ScreeningPanel } from './screening'
import { ShareControls } from './share-controls'
import { SharedItems } from './shared-items'
import { type Arrangement, usePresentPeerIds, VideoStage } from './video-stage'
import { VitalsTable } from './vitals-monitor-dom'
import { VitalsSharing } from './vitals-sharing'

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

/** `?render=always`: draw every display frame (for measuring rendering cost; the default draws on demand). */
const alwaysRender = new URLSearchParams(location.search).get('render') === 'always'

function RemoteAudio({ peerId }: { peerId: string }) {
  const stream = useCall((s) => s.participants[peerId]?.stream ?? null)
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
 * How the connection to one participant is, in words (Good, Fair or Poor, with the reason), and the numbers
 * behind it (round trip, loss, bitrate, frame rate) on request. Its own component: it changes every second, the
 * rest of the row rarely.
 */
function QualityLine({ peerId }: { peerId: string }) {
  // Strings, not the quality object, so a sample that changes nothing visible re-renders nothing.
  const numbers = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality
      ? formatQuality(p.quality, { videoExpected: !p.cameraOff, unitSpace: NO_BREAK_SPACE })
      : ''
  })
  const words = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityWords(p.quality, { videoExpected: !p.cameraOff }).text : ''
  })
  const level = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityLevel(p.quality, { videoExpected: !p.cameraOff }) : 'good'
  })
  if (!numbers && !words) return null
  return (
    <div className={`quality ${level}`} data-testid="quality-words" data-level={level}>
      <span className="quality-text">{words}</span>
      <details className="quality-numbers">
        <summary>Details</summary>
        <span data-testid="quality">{numbers}</span>
      </details>
    </div>
  )
}

/** The clinician's "Ask to leave", with a confirmation: the participant is refused for the rest of the call. */
function AskToLeave({ peerId, name }: { peerId: string; name: string }) {
  const runtime = useRuntime()
  const session = useCall((s) => s.participants[peerId]?.session ?? null)
  const [confirming, setConfirming] = useState(false)
  if (!runtime.canDismiss || !session) return null
  if (!confirming) {
    return (
      <button type="button" className="small" onClick={() => setConfirming(true)} data-testid="ask-to-leave">
        Ask to leave
      </button>
    )
  }
  return (
    <fieldset className="confirm">
      <legend className="visually-hidden">Remove {name} from the call?</legend>
      <button
        type="button"
        className="danger small"
        onClick={() => {
          setConfirming(false)
          runtime.dismiss(session)
        }}
        data-testid="ask-to-leave-confirm"
      >
        Remove {name}
      </button>
      <button type="button" className="small" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </fieldset>
  )
}

/** The clinician's "Let in", for someone in the waiting room. */
function LetIn({ peerId, name }: { peerId: string; name: string }) {
  const runtime = useRuntime()
  const inviteKey = useCall((s) => s.participants[peerId]?.inviteKey ?? null)
  if (!runtime.canDismiss || !inviteKey) return null
  return (
    <button
      type="button"
      className="small primary"
      onClick={() => runtime.admit(inviteKey)}
      data-testid="admit"
      aria-label={`Let ${name} in`}
    >
      Let in
    </button>
  )
}

/** Said to a patient in the waiting room: why nothing happens yet, and that nothing is sent meanwhile. */
function WaitingRoom() {
  const waiting = useCall((s) => s.waitingRoom)
  if (!waiting) return null
  return (
    <p className="notice info waiting-room" role="status" data-testid="waiting-room">
      You are in the waiting room. The clinician will let you in shortly; until then nobody sees or hears you.
    </p>
  )
}

function ParticipantRow({ peerId }: { peerId: string }) {
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const role = useCall((s) => s.participants[peerId]?.role ?? null)
  const status = useCall((s) => s.participants[peerId]?.status ?? 'connecting')
  const muted = useCall((s) => s.participants[peerId]?.muted ?? false)
  return (
    <li data-testid="participant" data-status={status} data-peer={peerId}>
      <span className="name">{name}</span> <span className="role">{role ? ROLE_LABELS[role] : ''}</span>{' '}
      <span className={`status ${status}`}>{status}</span>
      {muted && <span className="muted"> · muted</span>}
      {status === 'connected' && <AskToLeave peerId={peerId} name={name} />}
      {status === 'waiting' && <LetIn peerId={peerId} name={name} />}
      <QualityLine peerId={peerId} />
      <RemoteAudio peerId={peerId} />
    </li>
  )
}

/**
 * How long alone before we say that nobody answered, ms: long enough for anyone already in the room to be reached
 * (seconds), short enough that a wrong or outdated link is not a mystery.
 */
const ALONE_HINT_MS = 20_000

/** "Waiting for the others", and after a while alone, what to check: a wrong link joins an empty room. */
function WaitingLine() {
  const [long, setLong] = useState(false)
  useEffect(() => {
    const timer = setTimeout(() => setLong(true), ALONE_HINT_MS)
    return () => clearTimeout(timer)
  }, [])
  return (
    <li className="waiting">
      Waiting for the others to join…
      {long && (
        <span className="hint" role="status" data-testid="alone-hint">
          {' '}
          Nobody has answered yet. If someone should already be here, check that your link is complete and
          current (ask for it again), and that they have joined.
        </span>
      )}
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
      {peerIds.length === 0 && <WaitingLine />}
    </ul>
  )
}

/** A vitals table for every remote participant; each shows itself once that participant shares vitals. */
function RemoteVitals() {
  const peerIds = useParticipantIds()
  return (
    <>
      {peerIds.map((peerId) => (
        <RegionBoundary key={peerId} name="these vitals">
          <RemoteVitalsTable peerId={peerId} />
        </RegionBoundary>
      ))}
    </>
  )
}

function RemoteVitalsTable({ peerId }: { peerId: string }) {
  const runtime = useRuntime()
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  return (
    <VitalsTable
      feed={runtime.remoteVitals}
      peerId={peerId}
      name={name}
      inputs={(id, now) => runtime.alarms.monitorInputs(id, now)}
    />
  )
}

function Notices() {
  const notices = useCall((s) => s.notices)
  return (
    // A log: each new notice is read out once, politely, under a name a screen reader can give.
    <div className="notices" role="log" aria-label="Notices" data-testid="notices">
      {notices.map((n) => (
        <p key={n.id} className={`notice ${n.tone}`}>
          {n.text}
        </p>
      ))}
    </div>
  )
}

/** Which of the two layouts a screen shows: the videos (default) or the 3D scene. */
export type CallViewMode = 'video' | '3d'

interface ViewControls {
  view: CallViewMode
  setView: (view: CallViewMode) => void
  arrangement: Arrangement
  setArrangement: (arrangement: Arrangement) => void
  /** Puts the 3D view's camera back where it frames every panel. */
  resetView: () => void
  /** How many times Reset view was pressed: the scene refits when it moves. */
  resets: number
}

function Toolbar({
  xrStore,
  sceneReady,
  controls,
}: {
  xrStore: ConsultXRStore
  sceneReady: boolean
  controls: ViewControls
}) {
  const runtime = useRuntime()
  const muted = usePage((s) => s.muted)
  const cameraOff = usePage((s) => s.cameraOff)
  const hasAudio = usePage((s) => (s.localStream?.getAudioTracks().length ?? 0) > 0)
  const hasVideo = usePage((s) => (s.localStream?.getVideoTracks().length ?? 0) > 0)
  const present = usePresentPeerIds().length
  const invite = runtime.invite
  const [support, setSupport] = useState<Record<ImmersiveMode, boolean> | null>(null)
  const [xrError, setXrError] = useState<string | null>(null)
  const [showInvites, setShowInvites] = useState(false)
  const { view, setView, arrangement, setArrangement, resetView } = controls

  useEffect(() => {
    void immersiveSupport().then(setSupport)
  }, [])

  const enter = (mode: ImmersiveMode) => {
    setXrError(null)
    // The headset shows the 3D scene; back on the screen afterwards, that is where one left off.
    setView('3d')
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
      <button
        type="button"
        onClick={() => setView(view === '3d' ? 'video' : '3d')}
        aria-pressed={view === '3d'}
        data-testid="view-3d"
      >
        3D view
      </button>
      {view === '3d' && (
        <button type="button" onClick={resetView} data-testid="reset-view">
          Reset view
        </button>
      )}
      {view === 'video' && present > 1 && (
        <button
          type="button"
          onClick={() => setArrangement(arrangement === 'grid' ? 'speaker' : 'grid')}
          aria-pressed={arrangement === 'grid'}
          data-testid="arrangement"
        >
          Grid
        </button>
      )}
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
      <ShareControls />
      <button
        type="button"
        className="chat-shortcut"
        onClick={() => {
          // On a phone the chat is below the videos: bring it up and put the cursor in it.
          const input = document.querySelector<HTMLInputElement>('.call .chat input')
          input?.scrollIntoView({ block: 'center' })
          input?.focus({ preventScroll: true })
        }}
      >
        Chat
      </button>
      <button type="button" onClick={() => setShowInvites((v) => !v)} aria-expanded={showInvites}>
        Invite
      </button>
      <button type="button" className="danger" onClick={() => leaveCall(runtime)} data-testid="leave">
        Leave
      </button>
      {xrError && (
        <p className="error" role="alert">
          {xrError}
        </p>
      )}
      {showInvites && <InviteLinks invites={invitesToShare(invite)} />}
    </nav>
  )
}

/**
 * The video layout by default; the 3D view once the user asks for it, or when a worker starts sharing their
 * surroundings (their room and the marks on it are only in the 3D view), like a video call that brings a shared
 * screen to the front. A choice the user made is never overridden.
 */
function useViewControls(): ViewControls {
  const runtime = useRuntime()
  const store = useCallStore()
  const [view, setViewState] = useState<CallViewMode>('video')
  const [arrangement, setArrangement] = useState<Arrangement>('speaker')
  const [resets, setResets] = useState(0)
  const chosen = useRef(false)
  const peerIds = useParticipantIds()
  const space = runtime.space
  const subscribe = useCallback((listener: () => void) => space.subscribe(listener), [space])
  const sharingPeer = useSyncExternalStore(
    subscribe,
    useCallback(() => space.sharingPeer(peerIds), [space, peerIds]),
  )
  const ownRole = runtime.invite.role
  useEffect(() => {
    if (!sharingPeer || ownRole === 'worker' || chosen.current) return
    chosen.current = true
    setViewState('3d')
    const name = store.getState().participants[sharingPeer]?.name ?? 'The worker'
    store
      .getState()
      .notify(`${name} is sharing their surroundings: the 3D view shows their room. "3D view" switches back.`)
  }, [sharingPeer, ownRole, store])
  return {
    view,
    setView: (next) => {
      chosen.current = true
      setViewState(next)
    },
    arrangement,
    setArrangement,
    resetView: () => setResets((n) => n + 1),
    resets,
  }
}

/**
 * The call screen. It is mounted, hidden, while the participant is still on the join screen: creating the WebGL
 * context, compiling shaders and laying out the first text take about a second on a weak device, and that second
 * should not come after the Join click.
 */
export function CallView({ runtime, active }: { runtime: CallRuntime; active: boolean }) {
  const [xrStore, setXrStore] = useState<ConsultXRStore | null>(null)
  // The 3D view stays mounted across calls (a rejoin is a new runtime): what it is handed follows the runtime.
  const views = useMemo(
    () => ({
      actions: { toggleMute, toggleCamera, leave: () => leaveCall(runtime) },
      vitals: runtime.vitalsView(),
      guidance: runtime.guidanceView(),
      // Only the on-site worker's AR session shares its room: a clinician or specialist in AR for the panels
      // must not send the scan of their own surroundings to everyone.
      workerSpace: runtime.invite.role === 'worker' ? runtime.workerSpaceActions() : undefined,
      shared: runtime.shareView(),
      headset: runtime.headsetView(),
    }),
    [runtime],
  )
  const [sceneReady, setSceneReady] = useState(false)
  useEffect(() => {
    // An unreachable server is reported by the Join click; the warm-up just waits for a later chance.
    getXRStore()
      .then(setXrStore)
      .catch(() => undefined)
  }, [])
  if (!xrStore) return null
  return (
    <RuntimeContext.Provider value={runtime}>
      <CallStoreProvider store={runtime.store}>
        <CallLayout
          runtime={runtime}
          active={active}
          xrStore={xrStore}
          views={views}
          sceneReady={sceneReady}
          onSceneReady={() => setSceneReady(true)}
        />
      </CallStoreProvider>
    </RuntimeContext.Provider>
  )
}

function CallLayout({
  runtime,
  active,
  xrStore,
  views,
  sceneReady,
  onSceneReady,
}: {
  runtime: CallRuntime
  active: boolean
  xrStore: ConsultXRStore
  views: {
    actions: CallActions
    vitals: VitalsView
    guidance: GuidanceView
    workerSpace: WorkerSpaceActions | undefined
    shared: SharedView
    headset: HeadsetView
  }
  sceneReady: boolean
  onSceneReady: () => void
}) {
  const invite = runtime.invite
  const controls = useViewControls()
  const [focused, setFocused] = useState<string | null>(null)
  const { view } = controls
  // While the video layout shows, the hidden 3D scene draws nothing (a phone's battery); while the call screen
  // warms up behind the join screen it draws, so its shaders are compiled before anyone needs them.
  const scenePaused = active && view === 'video'
  return (
    <div
      className={`call view-${view}${active ? '' : ' warming'}`}
      data-testid={active ? 'call' : 'call-warming'}
      data-view={view}
      aria-hidden={!active}
    >
      <div className="stage">
        {view === 'video' && (
          <RegionBoundary name="the videos">
            <VideoStage arrangement={controls.arrangement} focused={focused} onFocus={setFocused} />
          </RegionBoundary>
        )}
        <div className="scene" aria-hidden={view === 'video'}>
          <SceneErrorBoundary>
            <Suspense fallback={<p className="loading">Loading the 3D view…</p>}>
              <CallScene
                xrStore={xrStore}
                roomId={invite.roomId}
                actions={views.actions}
                onReady={onSceneReady}
                alwaysRender={alwaysRender}
                paused={scenePaused}
                resets={controls.resets}
                vitals={views.vitals}
                workerSpace={views.workerSpace}
                guidance={views.guidance}
                shared={views.shared}
                headset={views.headset}
              />
            </Suspense>
          </SceneErrorBoundary>
        </div>
      </div>
      <aside className="side" aria-label="Call details and chat">
        <ServerStatus />
        <RegionBoundary name="the waiting room">
          <WaitingRoom />
        </RegionBoundary>
        <RegionBoundary name="the screening and consent">
          <ScreeningPanel />
        </RegionBoundary>
        <RegionBoundary name="the participant list">
          <ParticipantList />
        </RegionBoundary>
        <RegionBoundary name="the notices">
          <Notices />
        </RegionBoundary>
        <RegionBoundary name="the alarms">
          <AlarmPanel />
        </RegionBoundary>
        <RemoteVitals />
        {invite.role === 'patient' && (
          <RegionBoundary name="vitals sharing">
            <VitalsSharing />
          </RegionBoundary>
        )}
        <RegionBoundary name="the shared items">
          <SharedItems />
        </RegionBoundary>
        <RegionBoundary name="the aftercare plan">
          <AftercarePanel />
        </RegionBoundary>
        <RegionBoundary name="the chat">
          <Chat />
        </RegionBoundary>
      </aside>
      <RegionBoundary name="the guidance tools">
        <GuidanceToolbar />
      </RegionBoundary>
      <RegionBoundary name="the call controls">
        <Toolbar xrStore={xrStore} sceneReady={sceneReady} controls={controls} />
      </RegionBoundary>
    </div>
  )
}
