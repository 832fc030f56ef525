// The check-in beside the join form (like a clinic's video-visit "test your device"): camera, microphone level,
// a speaker test tone, the round trip to the server, whether this device can enter VR or AR and use Bluetooth.
// This component measures and draws; what each measurement means, in words, is src/ui/check-in.ts.
import { useCallback, useEffect, useRef, useState } from 'react'
import './check-in.css'
import { createLevelMeter, meterFraction, playTestTone } from '../media/audio-level'
import type { MediaMode } from '../media/local-media'
import { measureServerRoundTrip } from '../net/server-round-trip'
import {
  type BluetoothCheck,
  bluetoothVerdict,
  cameraVerdict,
  checkInSummary,
  headsetVerdict,
  microphoneVerdict,
  type ServerCheck,
  type SpeakerCheck,
  serverVerdict,
  speakerVerdict,
  type Verdict,
} from '../ui/check-in'
import { bluetoothAvailability } from '../vitals/bluetooth-availability'
import { immersiveSupport } from '../xr/support'

/** How often the level meter reads the microphone, ms: about the rate a VU meter's needle can be followed. */
const METER_INTERVAL_MS = 50

/** Live video track state: whether there is one, and whether it has ended (unplugged, taken by the system). */
function useTrackState(stream: MediaStream | null): 'none' | 'live' | 'ended' {
  const track = stream?.getVideoTracks()[0] ?? null
  const [ended, setEnded] = useState(false)
  useEffect(() => {
    setEnded(track?.readyState === 'ended')
    if (!track) return
    const onEnded = () => setEnded(true)
    track.addEventListener('ended', onEnded)
    return () => track.removeEventListener('ended', onEnded)
  }, [track])
  if (!track) return 'none'
  return ended ? 'ended' : 'live'
}

/**
 * The microphone's level: the meter element is updated directly (20 times a second is no work for React), while
 * React hears only what changes a verdict: the loudest level so far, whether audio waits for a gesture, and how
 * long we have listened, once a second.
 */
function useMicrophoneLevel(stream: MediaStream | null, meter: React.RefObject<HTMLMeterElement | null>) {
  const [loudestDbfs, setLoudest] = useState(Number.NEGATIVE_INFINITY)
  const [waitingForGesture, setWaiting] = useState(false)
  const [listenedMs, setListened] = useState(0)
  useEffect(() => {
    setLoudest(Number.NEGATIVE_INFINITY)
    setListened(0)
    if (!stream) return
    const level = createLevelMeter(stream)
    if (!level) return
    const started = performance.now()
    let loudest = Number.NEGATIVE_INFINITY
    let lastTick = 0
    // Browsers may keep a new audio context suspended until the person clicks or types on the page.
    const resume = () => void level.resume()
    void level.resume()
    addEventListener('pointerdown', resume)
    addEventListener('keydown', resume)
    const timer = setInterval(() => {
      const suspended = level.suspended()
      setWaiting(suspended)
      if (suspended) return
      const dbfs = level.read()
      if (meter.current) meter.current.value = meterFraction(dbfs)
      // A new loudest level matters for the verdict only once it is a whole dB louder.
      if (dbfs > loudest + 1) {
        loudest = dbfs
        setLoudest(dbfs)
      }
      const now = performance.now()
      if (now - lastTick >= 1000) {
        lastTick = now
        setListened(now - started)
      }
    }, METER_INTERVAL_MS)
    return () => {
      clearInterval(timer)
      removeEventListener('pointerdown', resume)
      removeEventListener('keydown', resume)
      level.close()
    }
  }, [stream, meter])
  return { loudestDbfs, waitingForGesture, listenedMs }
}

function useServerCheck() {
  const [check, setCheck] = useState<ServerCheck>({ state: 'checking', roundTripMs: null })
  const run = useCallback(() => {
    setCheck({ state: 'checking', roundTripMs: null })
    void measureServerRoundTrip(location.origin).then((ms) =>
      setCheck(
        ms === null ? { state: 'unreachable', roundTripMs: null } : { state: 'reached', roundTripMs: ms },
      ),
    )
  }, [])
  useEffect(run, [])
  return [check, run] as const
}

function useDeviceAbilities() {
  const [xr, setXr] = useState<{ vr: boolean | null; ar: boolean | null }>({ vr: null, ar: null })
  const [bluetooth, setBluetooth] = useState<BluetoothCheck>(null)
  useEffect(() => {
    let live = true
    void immersiveSupport().then((s) => {
      if (live) setXr({ vr: s['immersive-vr'], ar: s['immersive-ar'] })
    })
    void bluetoothAvailability().then((b) => {
      if (live) setBluetooth(b)
    })
    return () => {
      live = false
    }
  }, [])
  return { xr, bluetooth }
}

const STATUS_MARK: Record<Verdict['status'], string> = {
  ok: '✓',
  info: 'i',
  checking: '…',
  warning: '!',
  problem: '✕',
}
const STATUS_WORD: Record<Verdict['status'], string> = {
  ok: 'Works',
  info: 'Note',
  checking: 'Checking',
  warning: 'Needs a look',
  problem: 'Not working',
}

function CheckItem({
  id,
  title,
  verdict,
  children,
}: {
  id: string
  title: string
  verdict: Verdict
  children?: React.ReactNode
}) {
  return (
    <li className="check" data-status={verdict.status} data-testid={`check-${id}`}>
      <span className="mark" aria-hidden="true">
        {STATUS_MARK[verdict.status]}
      </span>
      <div>
        <h3>
          {title}
          <span className="visually-hidden">: {STATUS_WORD[verdict.status]}</span>
        </h3>
        <p className="verdict" data-testid={`check-${id}-verdict`}>
          {verdict.headline}
        </p>
        {verdict.advice && <p className="advice">{verdict.advice}</p>}
        {children}
      </div>
    </li>
  )
}

export interface CheckInProps {
  stream: MediaStream | null
  mode: MediaMode
  /** The sentence for why the camera or microphone did not start, if it did not. */
  mediaProblem: string | null
  /** Whether the camera preview has shown a frame. */
  framesSeen: boolean
}

export function CheckIn({ stream, mode, mediaProblem, framesSeen }: CheckInProps) {
  const meterRef = useRef<HTMLMeterElement>(null)
  const track = useTrackState(stream)
  const mic = useMicrophoneLevel(stream, meterRef)
  const [server, recheckServer] = useServerCheck()
  const { xr, bluetooth } = useDeviceAbilities()
  const [speaker, setSpeaker] = useState<SpeakerCheck>({
    canPlay: typeof AudioContext !== 'undefined',
    state: 'untested',
    heard: null,
  })

  const playTone = () => {
    setSpeaker((s) => ({ ...s, state: 'playing', heard: null }))
    playTestTone()
      .then(() => setSpeaker((s) => ({ ...s, state: 'played' })))
      .catch(() => setSpeaker((s) => ({ ...s, canPlay: false, state: 'untested' })))
  }

  const hasAudio = (stream?.getAudioTracks().length ?? 0) > 0
  const verdicts = {
    camera: cameraVerdict({ mode, problem: mediaProblem, track, framesSeen }),
    microphone: microphoneVerdict({ mode, problem: mediaProblem, hasTrack: hasAudio, ...mic }),
    speaker: speakerVerdict(speaker),
    server: serverVerdict(server),
    headset: headsetVerdict(xr),
    bluetooth: bluetoothVerdict(bluetooth),
  }
  const summary = checkInSummary(Object.values(verdicts))

  return (
    <section className="checkin" aria-labelledby="checkin-heading" data-testid="checkin">
      <h2 id="checkin-heading">Check-in</h2>
      <p className="summary" role="status" data-status={summary.status} data-testid="checkin-summary">
        {summary.headline}
        {summary.advice && ` ${summary.advice}`}
      </p>
      <ul>
        <CheckItem id="camera" title="Camera" verdict={verdicts.camera} />
        <CheckItem id="microphone" title="Microphone" verdict={verdicts.microphone}>
          {hasAudio && (
            <meter
              ref={meterRef}
              min={0}
              max={1}
              low={0.25}
              high={0.85}
              optimum={0.5}
              value={0}
              aria-label="Microphone level"
              data-testid="mic-meter"
            />
          )}
        </CheckItem>
        <CheckItem id="speaker" title="Speakers" verdict={verdicts.speaker}>
          {speaker.canPlay && (
            <div className="row">
              <button
                type="button"
                onClick={playTone}
                disabled={speaker.state === 'playing'}
                data-testid="play-tone"
              >
                {speaker.state === 'untested' ? 'Play test sound' : 'Play it again'}
              </button>
              {speaker.state === 'played' && (
                <fieldset className="confirm">
                  <legend className="visually-hidden">Did you hear the test sound?</legend>
                  <button
                    type="button"
                    aria-pressed={speaker.heard === true}
                    onClick={() => setSpeaker((s) => ({ ...s, heard: true }))}
                    data-testid="heard-tone"
                  >
                    I heard it
                  </button>
                  <button
                    type="button"
                    aria-pressed={speaker.heard === false}
                    onClick={() => setSpeaker((s) => ({ ...s, heard: false }))}
                    data-testid="not-heard-tone"
                  >
                    I heard nothing
                  </button>
                </fieldset>
              )}
            </div>
          )}
        </CheckItem>
        <CheckItem id="server" title="Connection" verdict={verdicts.server}>
          {server.state !== 'checking' && verdicts.server.status !== 'ok' && (
            <button type="button" onClick={recheckServer} data-testid="recheck-server">
              Check again
            </button>
          )}
        </CheckItem>
        <CheckItem id="headset" title="VR and AR" verdict={verdicts.headset} />
        <CheckItem id="bluetooth" title="Bluetooth devices" verdict={verdicts.bluetooth} />
      </ul>
    </section>
  )
}
