// The call: by default the video layout (src/app/video-stage.tsx: the person you consult fills the view), or the 3D
// scene, one click away; beside them (under them on a phone) the participant list, notices, vitals and chat, and
// the DOM toolbar under both.

import yogaWasmUrl from 'virtual:yoga-wasm-url'
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
import type { SimulcastLayer } from '../lib/simulcast'
import {
  CAMERA_LOCKED_SENTENCE,
  canLetShowVideo,
  handStateOf,
  LOCKED_SENTENCE,
  MAX_VIDEO_SENDERS,
  PRESENTER_ROLE,
  videoSenders,
} from '../room/hands'
import { ROLE_LABELS } from '../room/invite'
import type { VitalsView } from '../scenes/call-scene'
import type { GuidanceView } from '../scenes/guidance-view'
import type { HeadsetView } from '../scenes/headset-view'
import type { LectureView } from '../scenes/lecture-tiles'
import type { WorkerSpaceActions } from '../scenes/own-space'
import type { SharedView } from '../scenes/shared-panels'
import type { CallActions } from '../scenes/xr-call-controls'
import { CallStoreProvider, useCall, useCallStore, useParticipantIds } from '../state/call-store'
import { usePage } from '../state/page-store'
import { offersCameraStart, offersMicrophoneStart } from '../state/start-offers'
import { formatQuality, qualityLevel, qualityWords } from '../ui/quality-text'
import { type ImmersiveMode, immersiveSupport } from '../xr/support'
import type { ConsultXRStore } from '../xr/xr-store'
import { AftercarePanel } from './aftercare'
import { AlarmPanel } from './alarm-panel'
import {
  createCallXRStore,
  leaveCall,
  toggleCamera,
  toggleMute,
  turnCameraOnInCall,
  turnMicrophoneOnInCall,
} from './call-controller'
import { Chat, ServerStatus } from './chat'
import { GuidanceToolbar } from './guidance-toolbar'
import { InviteLinks, invitesToShare } from './invite-links'
import { RegionBoundary } from './region-boundary'
import { RuntimeContext, useRuntime } from './runtime-context'
import { ScreeningPanel } from './screening'
import { ShareControls } from './share-controls'
import { SharedItems } from './shared-items'
import { type Arrangement, useActiveSpeaker, usePresentPeerIds, VideoStage } from './video-stage'
import { VitalsTable } from './vitals-monitor-dom'
import { VitalsSharing } from './vitals-sharing'

// three.js, @react-three/fiber, @react-three/xr and the scene code load only when the 3D view is opened (or, on a
// device that offers WebXR, a few seconds into the call, so "Enter VR" works within its click): the default video
// layout of a call needs none of it, and a phone that never opens the 3D view never downloads it.
const CallScene = lazy(() =>
  Promise.all([import('../scenes/call-scene'), fetchSceneFiles()]).then(([scene]) => scene),
)
/**
 * In a build, uikit's layout engine (yoga) and the UI font's glyph atlas are files of their own, not base64 inside
 * JavaScript (server/yoga-wasm-plugin.mjs, server/ui-font-plugin.mjs); yoga and uikit fetch them when the scene
 * first lays out and draws text. Fetched here too, beside the scene's code: they arrive sooner, the browser's cache
 * answers the second request, and if one cannot be fetched the 3D view says so (SceneLoadFailed) instead of
 * drawing panels without captions.
 */
async function fetchSceneFiles(): Promise<void> {
  const font = await import('virtual:ui-font/inter-medium')
  const urls = [yogaWasmUrl, font.default.pages[0]].filter(
    (url): url is string => typeof url === 'string' && !url.startsWith('data:'),
  )
  await Promise.all(
    urls.map(async (url) => {
      const response = await fetch(url, { credentials: 'same-origin' })
      if (!response.ok) throw new Error(`${url} could not be loaded (HTTP ${response.status})`)
      await response.arrayBuffer()
    }),
  )
}
/** If the 3D view's code cannot be loaded (the server went away mid-call), say so instead of a blank page. */
class SceneErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  override render() {
    if (this.state.failed) return <SceneLoadFailed />
    return this.props.children
  }
}

function SceneLoadFailed() {
  return (
    <p className="error" role="alert">
      The 3D view could not be loaded. Check your network connection and reload the page.
    </p>
  )
}

/**
 * How long after joining a WebXR-capable device starts loading the 3D view on its own, ms: long after the first
 * remote video frame (well under a second on a good connection), so the download and the WebGL set-up never
 * compete with joining, and long before anyone reaches for "Enter VR".
 */
const XR_PRELOAD_DELAY_MS = 3000
/** The longest an idle moment is awaited after that delay before loading anyway, ms. */
const XR_PRELOAD_IDLE_TIMEOUT_MS = 2000

type ImmersiveSupport = Record<ImmersiveMode, boolean>

/** Whether this browser offers VR or AR (false while it has not answered). */
const offersImmersive = (support: ImmersiveSupport | null) =>
  support !== null && (support['immersive-vr'] || support['immersive-ar'])

/** `?render=always`: draw every display frame (for measuring rendering cost; the default draws on demand). */
const alwaysRender = new URLSearchParams(location.search).get('render') === 'always'

/** A participant's sound: their microphone (`stream`), or the sound of the screen they share (`screen`). */
function RemoteAudio({ peerId, source = 'stream' }: { peerId: string; source?: 'stream' | 'screen' }) {
  const stream = useCall((s) => s.participants[peerId]?.[source] ?? null)
  const ref = useRef<HTMLAudioElement>(null)
  useEffect(() => {
    const audio = ref.current
    if (!audio) return
    if (source === 'stream') {
      audio.srcObject = stream
      // Joining was a click, so playback with sound is allowed; a refusal leaves the element paused, not broken.
      if (stream) audio.play().catch(() => undefined)
      return
    }
    // A screen: its sound tracks only (the element need not take the picture), which may arrive after it.
    const bind = () => {
      const tracks = stream?.getAudioTracks() ?? []
      audio.srcObject = tracks.length > 0 ? new MediaStream(tracks) : null
      if (tracks.length > 0) audio.play().catch(() => undefined)
    }
    bind()
    stream?.addEventListener('addtrack', bind)
    return () => stream?.removeEventListener('addtrack', bind)
  }, [stream, source])
  return (
    // biome-ignore lint/a11y/useMediaCaption: live call audio has no caption track to offer.
    <audio
      ref={ref}
      autoPlay
      data-peer={peerId}
      data-testid={source === 'screen' ? 'screen-audio' : 'remote-audio'}
    />
  )
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

/**
 * Large rooms: a raised hand or the floor, on a participant's row; the presenter lets a raised hand speak and
 * stops a speaker (others' pages accept that from the presenter's role only: src/room/hands.ts).
 */
function HandControls({ peerId, name }: { peerId: string; name: string }) {
  const runtime = useRuntime()
  const session = useCall((s) => s.participants[peerId]?.session ?? null)
  const state = useCall((s) => (session ? handStateOf(s.hands, session) : 'idle'))
  if (!session || state === 'idle') return null
  const presenter = runtime.invite.role === PRESENTER_ROLE
  return (
    <span className="hand" data-testid="hand" data-hand={state}>
      {state === 'raised' ? ' · hand raised ' : ' · speaking '}
      {presenter && (
        <button
          type="button"
          className={`small${state === 'raised' ? ' primary' : ''}`}
          onClick={() => runtime.hands.letSpeak(session, state === 'raised')}
          data-testid={state === 'raised' ? 'let-speak' : 'stop-speaking'}
          aria-label={state === 'raised' ? `Let ${name} speak` : `Stop ${name} speaking`}
        >
          {state === 'raised' ? 'Let speak' : 'Stop'}
        </button>
      )}
    </span>
  )
}

/**
 * Large rooms, on the presenter's page: "Show video" brings a participant on camera (one of the
 * MAX_VIDEO_SENDERS with the presenter), "Hide video" takes them off. Past the cap the button is disabled and says
 * why; every page applies the same cap anyway (src/room/hands.ts: videoSenders).
 */
function VideoGrant({ peerId, name }: { peerId: string; name: string }) {
  const runtime = useRuntime()
  const session = useCall((s) => s.participants[peerId]?.session ?? null)
  const role = useCall((s) => s.participants[peerId]?.role ?? null)
  const shown = useCall((s) => (session ? videoSenders(s.cameraGrants).includes(session) : false))
  const room = useCall((s) => canLetShowVideo(s.cameraGrants))
  if (runtime.invite.kind !== 'large' || runtime.invite.role !== PRESENTER_ROLE) return null
  if (!session || role === PRESENTER_ROLE) return null
  const full = !shown && !room
  return (
    <button
      type="button"
      className="small"
      disabled={full}
      title={full ? `At most ${MAX_VIDEO_SENDERS} videos at once: hide one first.` : undefined}
      onClick={() => runtime.hands.letShowVideo(session, !shown)}
      data-testid={shown ? 'hide-video' : 'let-show-video'}
      aria-label={shown ? `Hide ${name}'s video` : `Let ${name} show video`}
    >
      {shown ? 'Hide video' : 'Show video'}
    </button>
  )
}

/** Large rooms, for everyone but the presenter: raise or lower one's hand, and why the microphone is off. */
function RaiseHand() {
  const runtime = useRuntime()
  const locked = usePage((s) => s.micLocked)
  const session = runtime.session
  const state = useCall((s) => (session ? handStateOf(s.hands, session) : 'idle'))
  if (runtime.invite.kind !== 'large' || runtime.invite.role === PRESENTER_ROLE) return null
  return (
    <>
      <button
        type="button"
        onClick={() => runtime.hands.raise(state === 'idle')}
        aria-pressed={state !== 'idle'}
        data-testid="raise-hand"
      >
        {state === 'idle' ? 'Raise hand' : state === 'raised' ? 'Lower hand' : 'Stop speaking'}
      </button>
      {locked && (
        <span className="mic-locked" data-testid="mic-locked">
          {state === 'raised'
            ? 'Your hand is raised: the presenter can let you speak.'
            : `${LOCKED_SENTENCE}.`}
        </span>
      )}
    </>
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
      <HandControls peerId={peerId} name={name} />
      {status === 'connected' && <VideoGrant peerId={peerId} name={name} />}
      {status === 'connected' && <AskToLeave peerId={peerId} name={name} />}
      {status === 'waiting' && <LetIn peerId={peerId} name={name} />}
      <QualityLine peerId={peerId} />
      <RemoteAudio peerId={peerId} />
      {/* A shared tab's sound, where the sharer's browser captured one (src/net/janus-screen.ts in large rooms). */}
      <RemoteAudio peerId={peerId} source="screen" />
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

/** Asks the browser for a device from inside the call; a refusal's sentence goes to `onProblem` (null: none). */
function MediaStart({
  testId,
  start,
  onProblem,
  children,
}: {
  testId: string
  start: () => Promise<string | null>
  onProblem: (sentence: string | null) => void
  children: string
}) {
  return (
    <button
      type="button"
      onClick={() => {
        onProblem(null)
        void start().then(onProblem)
      }}
      className="media-start"
      data-testid={testId}
    >
      {children}
    </button>
  )
}

function Toolbar({
  xrStore,
  support,
  sceneReady,
  controls,
}: {
  /** Null until the 3D view has been loaded. */
  xrStore: ConsultXRStore | null
  support: ImmersiveSupport | null
  sceneReady: boolean
  controls: ViewControls
}) {
  const runtime = useRuntime()
  const muted = usePage((s) => s.muted)
  const micLocked = usePage((s) => s.micLocked)
  const cameraLocked = usePage((s) => s.cameraLocked)
  const cameraOff = usePage((s) => s.cameraOff)
  const hasAudio = usePage((s) => (s.localStream?.getAudioTracks().length ?? 0) > 0)
  const hasVideo = usePage((s) => (s.localStream?.getVideoTracks().length ?? 0) > 0)
  const micStart = usePage(offersMicrophoneStart)
  const cameraStart = usePage(offersCameraStart)
  const present = usePresentPeerIds().length
  const invite = runtime.invite
  const [xrError, setXrError] = useState<string | null>(null)
  const [cameraProblem, setCameraProblem] = useState<string | null>(null)
  const [micProblem, setMicProblem] = useState<string | null>(null)
  const [showInvites, setShowInvites] = useState(false)
  const { view, setView, arrangement, setArrangement, resetView } = controls
  // Entering XR needs the scene mounted (<XR> connects the store to the renderer) within the click's user
  // activation, so the buttons appear once it is: a device that offers WebXR loads it early (CallLayout).
  const xrReady = sceneReady ? xrStore : null
  const offersXR = offersImmersive(support)

  const enter = (store: ConsultXRStore, mode: ImmersiveMode) => {
    setXrError(null)
    // The headset shows the 3D scene; back on the screen afterwards, that is where one left off.
    setView('3d')
    store.enterXR(mode).catch((error: unknown) => {
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
      data-xr-support={support !== null && (!offersXR || xrReady) ? 'known' : 'pending'}
    >
      {micStart ? (
        // Free to speak (a consultation; a large room once let speak) with no microphone (joined without one, or
        // refused it): ask for it here. The camera is not asked for: it may still be locked in a large room.
        <MediaStart testId="mic-start" start={turnMicrophoneOnInCall} onProblem={setMicProblem}>
          Turn microphone on
        </MediaStart>
      ) : (
        <button
          type="button"
          onClick={toggleMute}
          disabled={!hasAudio || micLocked}
          aria-pressed={muted}
          title={micLocked ? LOCKED_SENTENCE : undefined}
          data-testid="mute"
        >
          {muted ? 'Unmute' : 'Mute'}
        </button>
      )}
      <RaiseHand />
      {cameraStart ? (
        // Joined without a camera (refused, absent, or to watch) and free to show one: ask for it here, not by
        // leaving and joining again.
        <MediaStart testId="camera-start" start={turnCameraOnInCall} onProblem={setCameraProblem}>
          Turn camera on
        </MediaStart>
      ) : (
        <button
          type="button"
          onClick={toggleCamera}
          disabled={!hasVideo || cameraLocked}
          aria-pressed={cameraOff}
          title={cameraLocked && hasVideo ? CAMERA_LOCKED_SENTENCE : undefined}
          data-testid="camera"
        >
          {cameraOff ? 'Camera on' : 'Camera off'}
        </button>
      )}
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
      {view === 'video' && present > 1 && invite.kind !== 'large' && (
        <button
          type="button"
          onClick={() => setArrangement(arrangement === 'grid' ? 'speaker' : 'grid')}
          aria-pressed={arrangement === 'grid'}
          data-testid="arrangement"
        >
          Grid
        </button>
      )}
      {xrReady && support?.['immersive-vr'] && (
        <button type="button" onClick={() => enter(xrReady, 'immersive-vr')} data-testid="enter-vr">
          Enter VR
        </button>
      )}
      {xrReady && support?.['immersive-ar'] && (
        <button type="button" onClick={() => enter(xrReady, 'immersive-ar')} data-testid="enter-ar">
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
      {micProblem && !hasAudio && (
        <p className="error" role="alert" data-testid="mic-start-problem">
          {micProblem}
        </p>
      )}
      {cameraProblem && !hasVideo && (
        <p className="error" role="alert" data-testid="camera-start-problem">
          {cameraProblem}
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

/** Which immersive modes this browser offers; null until it has answered. */
function useImmersiveSupport(): ImmersiveSupport | null {
  const [support, setSupport] = useState<ImmersiveSupport | null>(null)
  useEffect(() => {
    void immersiveSupport().then(setSupport)
  }, [])
  return support
}

/**
 * Whether the 3D view should be mounted: from the first time it is shown on, and on a device that offers WebXR
 * also a few seconds into the call (hidden and drawing nothing), so that "Enter VR" can start a session inside
 * its click. Once mounted it stays, so going back and forth costs nothing after the first time.
 */
function useSceneWanted(view: CallViewMode, active: boolean, support: ImmersiveSupport | null): boolean {
  const [wanted, setWanted] = useState(false)
  if (view === '3d' && !wanted) setWanted(true)
  const offersXR = offersImmersive(support)
  useEffect(() => {
    if (!active || !offersXR || wanted) return
    let idle: number | undefined
    const timer = setTimeout(() => {
      idle = requestIdleCallback(() => setWanted(true), { timeout: XR_PRELOAD_IDLE_TIMEOUT_MS })
    }, XR_PRELOAD_DELAY_MS)
    return () => {
      clearTimeout(timer)
      if (idle !== undefined) cancelIdleCallback(idle)
    }
  }, [active, offersXR, wanted])
  return wanted
}

/**
 * The call screen. It is mounted, hidden, while the participant is still on the join screen (the DOM layout is
 * cheap); the 3D view inside it only when it is wanted (useSceneWanted).
 */
export function CallView({ runtime, active }: { runtime: CallRuntime; active: boolean }) {
  // The 3D view stays mounted across calls (a rejoin is a new runtime): what it is handed follows the runtime.
  const views = useMemo(
    () => ({
      actions: {
        toggleMute,
        toggleCamera,
        turnMicrophoneOn: turnMicrophoneOnInCall,
        turnCameraOn: turnCameraOnInCall,
        leave: () => leaveCall(runtime),
      },
      vitals: runtime.vitalsView(),
      guidance: runtime.guidanceView(),
      // Only the on-site worker's AR session shares its room: a clinician or specialist in AR for the panels
      // must not send the scan of their own surroundings to everyone.
      workerSpace: runtime.invite.role === 'worker' ? runtime.workerSpaceActions() : undefined,
      shared: runtime.shareView(),
      headset: runtime.headsetView(),
      lecture:
        runtime.invite.kind === 'large'
          ? {
              presenter: runtime.invite.role === PRESENTER_ROLE,
              raise: (raised: boolean) => runtime.hands.raise(raised),
              letSpeak: (session: string, speak: boolean) => runtime.hands.letSpeak(session, speak),
              session: () => runtime.session,
              setReceiveLayer: (peerId: string, layer: SimulcastLayer | null) =>
                runtime.setReceiveLayer(peerId, layer),
            }
          : undefined,
    }),
    [runtime],
  )
  return (
    <RuntimeContext.Provider value={runtime}>
      <CallStoreProvider store={runtime.store}>
        <CallLayout runtime={runtime} active={active} views={views} />
      </CallStoreProvider>
    </RuntimeContext.Provider>
  )
}

function CallLayout({
  runtime,
  active,
  views,
}: {
  runtime: CallRuntime
  active: boolean
  views: {
    actions: CallActions
    vitals: VitalsView
    guidance: GuidanceView
    workerSpace: WorkerSpaceActions | undefined
    shared: SharedView
    headset: HeadsetView
    lecture: LectureView | undefined
  }
}) {
  const invite = runtime.invite
  const controls = useViewControls()
  const [focused, setFocused] = useState<string | null>(null)
  const { view } = controls
  const support = useImmersiveSupport()
  const sceneWanted = useSceneWanted(view, active, support)
  const [xrStore, setXrStore] = useState<ConsultXRStore | null>(null)
  const [xrStoreFailed, setXrStoreFailed] = useState(false)
  const [sceneReady, setSceneReady] = useState(false)
  // This call screen's own XR store, closed when the screen goes (a leave): one kept for the page held the left
  // call's renderer and, through its canvas, the whole left screen (src/xr/xr-store.ts: destroy says how).
  useEffect(() => {
    if (!sceneWanted) return
    let gone = false
    let created: ConsultXRStore | null = null
    createCallXRStore()
      .then((store) => {
        if (gone) return store.destroy()
        created = store
        setXrStore(store)
      })
      .catch(() => {
        if (!gone) setXrStoreFailed(true)
      })
    return () => {
      gone = true
      created?.destroy()
    }
  }, [sceneWanted])
  // While the video layout shows, the hidden 3D scene draws nothing (a phone's battery); XR sessions draw anyway.
  const scenePaused = view === 'video'
  // Who speaks now in a large room, for the large panel of the 2D layout and of the 3D view alike (one analyser
  // per speaker, whichever view shows).
  const speaker = useActiveSpeaker(invite.kind === 'large')
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
            <VideoStage
              arrangement={controls.arrangement}
              focused={focused}
              onFocus={setFocused}
              speaker={speaker}
            />
          </RegionBoundary>
        )}
        <div className="scene" aria-hidden={view === 'video'}>
          {xrStoreFailed && <SceneLoadFailed />}
          {sceneWanted && !xrStoreFailed && (
            <SceneErrorBoundary>
              <Suspense fallback={<p className="loading">Loading the 3D view…</p>}>
                {xrStore ? (
                  <CallScene
                    xrStore={xrStore}
                    roomId={invite.roomId}
                    actions={views.actions}
                    onReady={() => setSceneReady(true)}
                    alwaysRender={alwaysRender}
                    paused={scenePaused}
                    resets={controls.resets}
                    vitals={views.vitals}
                    workerSpace={views.workerSpace}
                    guidance={views.guidance}
                    shared={views.shared}
                    headset={views.headset}
                    lecture={views.lecture}
                    speaker={speaker}
                  />
                ) : (
                  <p className="loading">Loading the 3D view…</p>
                )}
              </Suspense>
            </SceneErrorBoundary>
          )}
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
        <Toolbar xrStore={xrStore} support={support} sceneReady={sceneReady} controls={controls} />
      </RegionBoundary>
    </div>
  )
}
