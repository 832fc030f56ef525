// The video layout of a call in a plain tab or on a phone (the default view): the person you consult fills the
// stage as a real <video>, your own camera sits in a small mirrored tile, and with three or four people the
// others are either a strip beside the one in focus (speaker) or equal tiles (grid). Sound plays through
// RemoteAudio in the participant list, so every <video> here is muted.
//
// A large room (up to 30, through Janus) always uses the speaker arrangement: the presenter has the large panel
// until someone allowed to speak is heard (src/media/active-speaker.ts picks them, with hysteresis), and everyone
// else is a strip of small tiles; those who send no video (src/room/hands.ts: showsVideo) are a name tile. Each
// tile tells the transport how large it is drawn, so Janus forwards the simulcast layer it needs
// (src/lib/simulcast.ts): the large panel the full one, a strip tile the smallest.
import { useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { layerForPanel } from '../lib/simulcast'
import { NO_SPEAKER, nextSpeaker, type SpeakerState } from '../media/active-speaker'
import { createLevelMeter, type LevelMeter } from '../media/audio-level'
import { handStateOf, PRESENTER_ROLE, showsVideo } from '../room/hands'
import { ROLE_LABELS } from '../room/invite'
import { useCall, useCallStore } from '../state/call-store'
import { usePage } from '../state/page-store'
import { useRuntime } from './runtime-context'

export type Arrangement = 'speaker' | 'grid'

/**
 * The participants who are in the call with us: connected or reconnecting, with a session. The store's
 * placeholder for someone still joining has no session yet (and a made-up role), so it is not a person to show.
 */
export function usePresentPeerIds(): string[] {
  return useCall(
    useShallow((s) =>
      Object.values(s.participants)
        .filter((p) => p.session !== undefined && p.status !== 'gone' && p.status !== 'waiting')
        .sort((a, b) => a.seat - b.seat)
        .map((p) => p.peerId),
    ),
  )
}

/** A <video> that plays `stream` (muted: sound is the audio element's job), or nothing while there is none. */
function StreamVideo({
  stream,
  mirrored = false,
  testId,
  peerId,
}: {
  stream: MediaStream | null
  mirrored?: boolean
  testId: string
  peerId?: string
}) {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const video = ref.current
    if (!video) return
    video.srcObject = stream
    // Muted playback is always allowed; a rejection means the stream ended meanwhile.
    if (stream) video.play().catch(() => undefined)
  }, [stream])
  return (
    <video
      ref={ref}
      autoPlay
      muted
      playsInline
      className={mirrored ? 'mirrored' : undefined}
      data-testid={testId}
      data-peer={peerId}
    />
  )
}

/** Whether `peerId` sends video: everyone in a consultation; in a large room the presenter and those let show it. */
function useShowsVideo(peerId: string): boolean {
  const runtime = useRuntime()
  const large = runtime.invite.kind === 'large'
  return useCall((s) => {
    const p = s.participants[peerId]
    if (!large) return true
    if (!p?.session || !p.role) return false
    return showsVideo({ large, role: p.role, grants: s.cameraGrants, session: p.session })
  })
}

/**
 * Tells the transport which simulcast layer the element's size needs of `peerId`'s video, now and whenever the
 * element is resized (null while it shows no video). Leaving the last choice in place on unmount: the same video
 * may be drawn elsewhere (a tile moving between the strip and the large panel, or the 3D view).
 */
function useReceiveLayer(peerId: string, element: HTMLElement | null, showing: boolean) {
  const runtime = useRuntime()
  useEffect(() => {
    if (!element) return
    const tell = () =>
      runtime.setReceiveLayer(
        peerId,
        showing ? layerForPanel(element.getBoundingClientRect().height, window.devicePixelRatio) : null,
      )
    tell()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(tell)
    observer.observe(element)
    return () => observer.disconnect()
  }, [runtime, peerId, element, showing])
}

/** A name tile's initials: the first letters of the first two words. */
function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? '')
    .join('')
}

function RemoteTile({
  peerId,
  focus,
  onFocus,
}: {
  peerId: string
  /** The large one (speaker arrangement) or a grid tile; otherwise a thumbnail that can be brought into focus. */
  focus: boolean
  onFocus?: () => void
}) {
  const stream = useCall((s) => s.participants[peerId]?.stream ?? null)
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const role = useCall((s) => s.participants[peerId]?.role ?? 'patient')
  const cameraOff = useCall((s) => s.participants[peerId]?.cameraOff ?? false)
  const muted = useCall((s) => s.participants[peerId]?.muted ?? false)
  const status = useCall((s) => s.participants[peerId]?.status ?? 'connecting')
  const video = useShowsVideo(peerId)
  const [element, setElement] = useState<HTMLElement | null>(null)
  useReceiveLayer(peerId, element, video && !cameraOff)
  const caption = (
    <span className="tile-caption">
      {name} · {ROLE_LABELS[role]}
      {muted && ' · muted'}
      {status === 'reconnecting' && ' · reconnecting…'}
    </span>
  )
  // Someone who sends no video (a large room's audience) is their name, not a black rectangle.
  const body = video ? (
    <>
      <StreamVideo stream={stream} testId="remote-video" peerId={peerId} />
      {(cameraOff || !stream) && (
        <span className="tile-placeholder">{cameraOff ? `${name}'s camera is off` : 'Connecting…'}</span>
      )}
      {caption}
    </>
  ) : (
    <>
      <span className="tile-placeholder name-tile" data-testid="name-tile">
        <span className="initials" aria-hidden="true">
          {initials(name)}
        </span>
      </span>
      {caption}
    </>
  )
  if (focus) {
    return (
      <figure
        ref={setElement}
        className="tile"
        data-testid="remote-tile"
        data-peer={peerId}
        aria-label={name}
      >
        {body}
      </figure>
    )
  }
  return (
    <button
      ref={setElement}
      type="button"
      className="tile thumbnail"
      onClick={onFocus}
      data-testid="remote-tile"
      data-peer={peerId}
      aria-label={`Show ${name} large`}
    >
      {body}
    </button>
  )
}

/** How often the speakers' audio levels are read, ms: several readings per syllable's worth of SWITCH_MS. */
const SPEAKER_READ_MS = 100

/**
 * Large rooms: who speaks now among those whose microphone is open (the presenter and those let speak), from an
 * analyser on each one's received audio, or null when nobody has been heard lately. One AudioContext for all.
 */
export function useActiveSpeaker(enabled: boolean): string | null {
  const store = useCallStore()
  const speakers = useCall(
    useShallow((s) =>
      enabled
        ? Object.values(s.participants)
            .filter(
              (p) =>
                p.session !== undefined &&
                p.status !== 'gone' &&
                (p.role === PRESENTER_ROLE || handStateOf(s.hands, p.session) === 'speaking'),
            )
            .map((p) => p.peerId)
        : [],
    ),
  )
  const [current, setCurrent] = useState<string | null>(null)
  useEffect(() => {
    if (speakers.length === 0 || typeof AudioContext === 'undefined') {
      setCurrent(null)
      return
    }
    const context = new AudioContext()
    const meters = new Map<string, { stream: MediaStream; meter: LevelMeter | null }>()
    let state: SpeakerState = NO_SPEAKER
    const timer = setInterval(() => {
      const levels = new Map<string, number>()
      for (const peerId of speakers) {
        const stream = store.getState().participants[peerId]?.stream ?? null
        let entry = meters.get(peerId)
        if (stream && entry?.stream !== stream) {
          entry?.meter?.close()
          // A stream without its audio track yet gives no meter: tried again when the stream is replaced.
          entry = { stream, meter: createLevelMeter(stream, context) }
          meters.set(peerId, entry)
        }
        const level = entry?.meter?.read()
        if (level !== undefined) levels.set(peerId, level)
      }
      state = nextSpeaker(state, levels, performance.now())
      setCurrent(state.current)
    }, SPEAKER_READ_MS)
    return () => {
      clearInterval(timer)
      for (const { meter } of meters.values()) meter?.close()
      void context.close().catch(() => undefined)
    }
  }, [store, speakers])
  return current
}

function SelfView() {
  const stream = usePage((s) => s.localStream)
  const cameraOff = usePage((s) => s.cameraOff)
  const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0
  return (
    <figure className="self-view" data-testid="self-view-tile" aria-label="You">
      {hasVideo && <StreamVideo stream={stream} mirrored testId="self-view" />}
      {(cameraOff || !hasVideo) && (
        <span className="tile-placeholder">{hasVideo ? 'Your camera is off' : 'No camera'}</span>
      )}
      <span className="tile-caption">You</span>
    </figure>
  )
}

export function VideoStage({
  arrangement: chosen,
  focused,
  onFocus,
  speaker,
}: {
  arrangement: Arrangement
  /** Who is in focus in the speaker arrangement (the first one present when null or gone). */
  focused: string | null
  onFocus: (peerId: string) => void
  /** Large rooms: who is heard speaking now (useActiveSpeaker). */
  speaker: string | null
}) {
  const runtime = useRuntime()
  const large = runtime.invite.kind === 'large'
  const peerIds = usePresentPeerIds()
  const presenter = useCall((s) =>
    large ? (peerIds.find((id) => s.participants[id]?.role === PRESENTER_ROLE) ?? null) : null,
  )
  // In a large room most join without a camera: a "No camera" tile of one's own would only cover the strip.
  const hasCamera = usePage((s) => (s.localStream?.getVideoTracks().length ?? 0) > 0)
  // Large rooms: whom one clicked, else who speaks, else the presenter. Thirty equal tiles would show nobody.
  const arrangement: Arrangement = large ? 'speaker' : chosen
  const main =
    peerIds.find((id) => id === focused) ??
    peerIds.find((id) => id === speaker) ??
    peerIds.find((id) => id === presenter) ??
    peerIds[0]
  // Large rooms: those on camera first in the strip, so their video is in view before thirty names.
  const others = useCall(
    useShallow((s) => {
      const rest = peerIds.filter((id) => id !== main)
      if (!large) return rest
      const onCamera = (id: string) => {
        const p = s.participants[id]
        return Boolean(
          p?.session &&
            p.role &&
            showsVideo({ large, role: p.role, grants: s.cameraGrants, session: p.session }),
        )
      }
      return [...rest.filter(onCamera), ...rest.filter((id) => !onCamera(id))]
    }),
  )
  return (
    <section
      className={`video-stage ${arrangement} count-${Math.min(peerIds.length, 4)}${large ? ' large' : ''}`}
      aria-label="Video"
      data-testid="video-stage"
      data-arrangement={arrangement}
    >
      {peerIds.length === 0 && <p className="stage-empty">Waiting for the others to join…</p>}
      {arrangement === 'grid' ? (
        <div className="grid-tiles">
          {peerIds.map((id) => (
            <RemoteTile key={id} peerId={id} focus />
          ))}
        </div>
      ) : (
        <>
          {main && (
            <div className="main-tile">
              <RemoteTile key={main} peerId={main} focus />
              {large && main === speaker && main !== presenter && (
                <span className="speaking-badge" data-testid="active-speaker">
                  Speaking
                </span>
              )}
            </div>
          )}
          {others.length > 0 && (
            <div className="filmstrip">
              {others.map((id) => (
                <RemoteTile key={id} peerId={id} focus={false} onFocus={() => onFocus(id)} />
              ))}
            </div>
          )}
        </>
      )}
      {(!large || hasCamera) && <SelfView />}
    </section>
  )
}
