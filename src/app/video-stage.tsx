// The video layout of a call in a plain tab or on a phone (the default view): the person you consult fills the
// stage as a real <video>, your own camera sits in a small mirrored tile, and with three or four people the
// others are either a strip beside the one in focus (speaker) or equal tiles (grid). Sound plays through
// RemoteAudio in the participant list, so every <video> here is muted.
import { useEffect, useRef } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { ROLE_LABELS } from '../room/invite'
import { useCall } from '../state/call-store'
import { usePage } from '../state/page-store'

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
  const caption = (
    <span className="tile-caption">
      {name} · {ROLE_LABELS[role]}
      {muted && ' · muted'}
      {status === 'reconnecting' && ' · reconnecting…'}
    </span>
  )
  const body = (
    <>
      <StreamVideo stream={stream} testId="remote-video" peerId={peerId} />
      {(cameraOff || !stream) && (
        <span className="tile-placeholder">{cameraOff ? `${name}'s camera is off` : 'Connecting…'}</span>
      )}
      {caption}
    </>
  )
  if (focus) {
    return (
      <figure className="tile" data-testid="remote-tile" data-peer={peerId} aria-label={name}>
        {body}
      </figure>
    )
  }
  return (
    <button
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
  arrangement,
  focused,
  onFocus,
}: {
  arrangement: Arrangement
  /** Who is in focus in the speaker arrangement (the first one present when null or gone). */
  focused: string | null
  onFocus: (peerId: string) => void
}) {
  const peerIds = usePresentPeerIds()
  const main = peerIds.find((id) => id === focused) ?? peerIds[0]
  const others = peerIds.filter((id) => id !== main)
  return (
    <section
      className={`video-stage ${arrangement} count-${Math.min(peerIds.length, 4)}`}
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
      <SelfView />
    </section>
  )
}
