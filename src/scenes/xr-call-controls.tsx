// Mute, camera and leave as buttons inside XR (the DOM toolbar is not visible in a headset). They float below
// the panels, tilted towards the user, within reach of a controller ray or a hand.
import { Container, Text } from '@react-three/uikit'
import { useXR } from '@react-three/xr'
import { useState } from 'react'
import { handStateOf } from '../room/hands'
import { useCall } from '../state/call-store'
import { usePage } from '../state/page-store'
import { offersCameraStart, offersMicrophoneStart } from '../state/start-offers'
import type { LectureView } from './lecture-tiles'
import { yawFacing } from './panel-layout'
import { uiFontFamilies } from './ui-font'
import { drawableText } from './ui-text'

export interface CallActions {
  toggleMute: () => void
  toggleCamera: () => void
  /**
   * Asks for the microphone from inside the call (src/app/call-controller.ts): resolves to null, or to the
   * sentence that says why it could not.
   */
  turnMicrophoneOn: () => Promise<string | null>
  /** Asks for the camera and microphone from inside the call, as turnMicrophoneOn. */
  turnCameraOn: () => Promise<string | null>
  leave: () => void
}

interface XrButtonProps {
  label: string
  onClick: () => void
  danger?: boolean
  /** Object name, so the scene probe (and so the tests) can find the button. */
  name: string
}

function XrButton({ label, onClick, danger = false, name }: XrButtonProps) {
  return (
    <Container
      ref={(component) => {
        if (component) component.name = name
      }}
      onClick={onClick}
      backgroundColor={danger ? '#b3261e' : '#2b4250'}
      hover={{ backgroundColor: danger ? '#d33a2f' : '#3c5a6c' }}
      borderRadius={18}
      paddingX={28}
      paddingY={16}
      cursor="pointer"
    >
      <Text fontSize={32} color="#ffffff">
        {label}
      </Text>
    </Container>
  )
}

/**
 * Left of the worker's miniature (which takes the spot in front), mirroring the guidance palette on its right,
 * turned towards the user, metres.
 */
const ASIDE_POSITION: [number, number, number] = [-0.75, 0.95, -0.6]

/**
 * The on-site worker's guidance palette stands right of centre, a little closer (xr-guidance-palette.tsx): their
 * row moves left so that the palette covers none of it, metres.
 */
const LEFT_OF_PALETTE: [number, number, number] = [-0.36, 1.1, -0.9]

/**
 * A large room, for everyone but the presenter: raise or lower one's hand from the headset (the DOM's Raise hand
 * is out of sight), with the same words as the DOM button.
 */
function XrRaiseHand({ lecture }: { lecture: LectureView }) {
  const session = lecture.session()
  const state = useCall((s) => (session ? handStateOf(s.hands, session) : 'idle'))
  return (
    <XrButton
      name="xr-raise-hand"
      label={state === 'idle' ? 'Raise hand' : state === 'raised' ? 'Lower hand' : 'Stop speaking'}
      onClick={() => lecture.raise(state === 'idle')}
    />
  )
}

/**
 * In a large room the class's tiles fill the view down to about 36° below the eyes (lecture-layout.ts): the
 * controls go nearer and lower, under them, tilted further up to face the eyes, metres.
 */
const UNDER_TILES: [number, number, number] = [0, 0.92, -0.55]

/** `aside`: the worker's miniature stands in front of the user, so the controls move to its left, in a column. */
export function XrCallControls({
  actions,
  aside = false,
  lecture,
}: {
  actions: CallActions
  aside?: boolean
  lecture?: LectureView
}) {
  const session = useXR((s) => s.session)
  const muted = usePage((s) => s.muted)
  const cameraOff = usePage((s) => s.cameraOff)
  const hasAudio = usePage((s) => (s.localStream?.getAudioTracks().length ?? 0) > 0)
  const hasVideo = usePage((s) => (s.localStream?.getVideoTracks().length ?? 0) > 0)
  const micStart = usePage(offersMicrophoneStart)
  const cameraStart = usePage(offersCameraStart)
  const worker = usePage((s) => s.invite?.role === 'worker')
  // A refusal said here, where the page's toolbar (which says it too) is out of sight; shown while it still holds.
  const [micProblem, setMicProblem] = useState<string | null>(null)
  const [cameraProblem, setCameraProblem] = useState<string | null>(null)
  if (!session) return null
  const problem = (micStart ? micProblem : null) ?? (cameraStart ? cameraProblem : null)
  return (
    // 0.5 m below eye height and 0.9 m out, tilted about 30° up: a glance down, like a watch.
    <group
      position={aside ? ASIDE_POSITION : worker ? LEFT_OF_PALETTE : lecture ? UNDER_TILES : [0, 1.1, -0.9]}
      rotation={[
        lecture && !aside && !worker ? -0.85 : -0.5,
        aside ? yawFacing(ASIDE_POSITION[0], ASIDE_POSITION[2], 0, 0) : 0,
        0,
        'YXZ',
      ]}
    >
      <Container
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        flexDirection="column"
        gap={16}
        padding={16}
        backgroundColor="#0f1a20"
        borderRadius={24}
      >
        <Container flexDirection={aside ? 'column' : 'row'} gap={16}>
          {micStart ? (
            // Joined without a microphone and free to speak: the page's Turn microphone on, within reach here.
            <XrButton
              name="xr-mic-start"
              label="Turn microphone on"
              onClick={() => {
                setMicProblem(null)
                void actions.turnMicrophoneOn().then(setMicProblem)
              }}
            />
          ) : (
            hasAudio && (
              <XrButton name="xr-mute" label={muted ? 'Unmute' : 'Mute'} onClick={actions.toggleMute} />
            )
          )}
          {cameraStart ? (
            <XrButton
              name="xr-camera-start"
              label="Turn camera on"
              onClick={() => {
                setCameraProblem(null)
                void actions.turnCameraOn().then(setCameraProblem)
              }}
            />
          ) : (
            hasVideo && (
              <XrButton
                name="xr-camera"
                label={cameraOff ? 'Camera on' : 'Camera off'}
                onClick={actions.toggleCamera}
              />
            )
          )}
          {lecture && !lecture.presenter && <XrRaiseHand lecture={lecture} />}
          <XrButton name="xr-exit" label="Exit headset view" onClick={() => void session.end()} />
          <XrButton name="xr-leave" label="Leave" onClick={actions.leave} danger />
        </Container>
        {problem && (
          // Under the buttons, as wide as a short row (a column's width beside the miniature): a sentence of
          // about 130 characters takes three or four lines at 26 px (2.6 cm at 0.9 m).
          <Container
            ref={(component) => {
              if (component) component.name = 'xr-media-problem'
            }}
            maxWidth={aside ? 420 : 900}
          >
            <Text fontSize={26} color="#ffb4a8">
              {drawableText(problem)}
            </Text>
          </Container>
        )}
      </Container>
    </group>
  )
}
