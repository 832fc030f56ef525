// Before entering: see yourself, pick camera and microphone, say your name, and the check-in beside it (camera,
// microphone, speakers, server, headset, Bluetooth). Camera trouble is explained in a sentence and never blocks
// joining: microphone only, or see and hear the others without sending anything.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { CallRuntime } from '../call/runtime'
import { acquireLocalMedia, type DeviceLists, LocalMediaError, listDevices } from '../media/local-media'
import { MAX_NAME_LENGTH } from '../net/protocol'
import { ROLE_LABELS } from '../room/invite'
import { type MediaMode, pageStore, usePage } from '../state/page-store'
import { MyAftercarePlans } from './aftercare'
import { joinCall } from './call-controller'
import { CheckIn } from './check-in'
import { RegionBoundary } from './region-boundary'

const NAME_KEY = 'xr-consult:name'

interface DevicePickerProps {
  label: 'Camera' | 'Microphone'
  devices: MediaDeviceInfo[]
  value: string
  onChange: (deviceId: string) => void
  testId: string
}

/** A camera or microphone choice; hidden until the browser has listed at least one device. */
function DevicePicker({ label, devices, value, onChange, testId }: DevicePickerProps) {
  if (devices.length === 0) return null
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid={testId}>
        <option value="">Default {label.toLowerCase()}</option>
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  )
}

export function JoinPreview({ runtime }: { runtime: CallRuntime }) {
  const invite = usePage((s) => s.invite)
  const phase = usePage((s) => s.phase)
  const localStream = usePage((s) => s.localStream)
  const mediaMode = usePage((s) => s.mediaMode)
  const [name, setName] = useState(() => localStorage.getItem(NAME_KEY) ?? '')
  const [devices, setDevices] = useState<DeviceLists>({ cameras: [], microphones: [] })
  const [cameraId, setCameraId] = useState<string>('')
  const [microphoneId, setMicrophoneId] = useState<string>('')
  const [mediaProblem, setMediaProblem] = useState<LocalMediaError | null>(null)
  const [framesSeen, setFramesSeen] = useState(false)
  const videoRef = useRef<HTMLVideoElement>(null)

  const openMedia = useCallback(
    async (mode: MediaMode) => {
      setMediaProblem(null)
      try {
        const stream = await acquireLocalMedia(mode, {
          cameraId: cameraId || undefined,
          microphoneId: microphoneId || undefined,
        })
        pageStore.getState().setLocalStream(stream, mode)
        // Device labels are only readable once access is granted.
        setDevices(await listDevices())
      } catch (error) {
        pageStore.getState().setLocalStream(null, mode)
        if (error instanceof LocalMediaError) setMediaProblem(error)
        else setMediaProblem(new LocalMediaError('unknown', mode))
      }
    },
    [cameraId, microphoneId],
  )

  useEffect(() => {
    void openMedia(pageStore.getState().mediaMode)
  }, [openMedia])

  useEffect(() => {
    setFramesSeen(false)
    if (videoRef.current) videoRef.current.srcObject = localStream
  }, [localStream])

  if (!invite) return null
  const joining = phase === 'joining'
  const trimmed = name.trim()

  return (
    <main className="screen join-screen">
      <h1>Join the consultation</h1>
      <p>
        You are joining as <strong data-testid="role">{ROLE_LABELS[invite.role]}</strong>.
      </p>
      <div className="join-layout">
        <div className="join-main">
          <div className="preview">
            <video
              ref={videoRef}
              autoPlay
              muted
              playsInline
              data-testid="self-preview"
              aria-label="Your camera"
              // A frame has reached the page: the camera works, not merely opened.
              onLoadedData={() => setFramesSeen(true)}
            />
            {!localStream?.getVideoTracks().length && <p className="placeholder">Your camera is off</p>}
          </div>
          {mediaProblem && (
            <div className="problem" role="alert" data-testid="media-problem">
              <p>{mediaProblem.message}</p>
              <div className="row">
                <button type="button" onClick={() => void openMedia(mediaProblem.wanted)}>
                  Try again
                </button>
                {mediaProblem.wanted === 'camera-and-microphone' && (
                  <button
                    type="button"
                    onClick={() => void openMedia('microphone-only')}
                    data-testid="audio-only"
                  >
                    Use microphone only
                  </button>
                )}
                <button
                  type="button"
                  onClick={() => void openMedia('receive-only')}
                  data-testid="receive-only"
                >
                  Join without camera or microphone
                </button>
              </div>
            </div>
          )}
          {mediaMode === 'receive-only' && !mediaProblem && (
            <p data-testid="receive-only-note">
              You will see and hear the others; they will not see or hear you.
            </p>
          )}
          <form
            className="join-form"
            onSubmit={(event) => {
              event.preventDefault()
              if (!trimmed || joining) return
              localStorage.setItem(NAME_KEY, trimmed)
              void joinCall(runtime, trimmed)
            }}
          >
            <label>
              Your name
              <input
                value={name}
                maxLength={MAX_NAME_LENGTH}
                onChange={(e) => setName(e.currentTarget.value)}
                required
                autoComplete="name"
                data-testid="name"
              />
            </label>
            <DevicePicker
              label="Camera"
              devices={devices.cameras}
              value={cameraId}
              onChange={setCameraId}
              testId="camera-select"
            />
            <DevicePicker
              label="Microphone"
              devices={devices.microphones}
              value={microphoneId}
              onChange={setMicrophoneId}
              testId="mic-select"
            />
            <button
              type="submit"
              className="primary"
              disabled={!trimmed || joining}
              aria-describedby={trimmed ? undefined : 'join-needs-name'}
              data-testid="join"
            >
              {joining ? 'Connecting…' : 'Join'}
            </button>
            {/* A greyed-out button says nothing by itself: why it waits, and for what. */}
            {!trimmed && (
              <p className="hint" id="join-needs-name" data-testid="join-needs-name">
                Type your name to join: the others see it beside your video.
              </p>
            )}
          </form>
        </div>
        <CheckIn
          stream={localStream}
          mode={mediaMode}
          mediaProblem={mediaProblem?.message ?? null}
          framesSeen={framesSeen}
        />
      </div>
      {invite.role === 'patient' && (
        <RegionBoundary name="your aftercare plan">
          <MyAftercarePlans roomId={invite.roomId} />
        </RegionBoundary>
      )}
    </main>
  )
}
