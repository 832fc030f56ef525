// One remote participant on a panel: their camera as a VideoTexture, their name and role underneath, grabbable
// with a controller, a hand pinch or the mouse. Reads the store; never touches the network.

import { useThree } from '@react-three/fiber'
import { Handle, HandleTarget } from '@react-three/handle'
import { Container, Text } from '@react-three/uikit'
import { type ReactNode, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { type Group, SRGBColorSpace, Vector3, VideoTexture } from 'three'
import { formatQuality, qualityLevel } from '../net/quality'
import { ROLE_LABELS } from '../room/invite'
import { useConsult } from '../state/store'
import {
  defaultPanelPose,
  loadLayout,
  PANEL_WIDTH,
  type PanelPose,
  savePanelPose,
  yawFacing,
} from './panel-layout'
import { setOrbitEnabled } from './scene-interaction'
import { uiFontFamilies } from './ui-font'
import { MONITOR_WIDTH } from './vitals-monitor'

/** The fake camera and most webcams start at 4:3; the panel follows the real aspect once frames arrive. */
const DEFAULT_ASPECT = 4 / 3
/** Frame border around the video, metres. */
const BORDER = 0.015
/** Width of what hangs beside the video (the vitals monitor), m. */
const SIDE_WIDTH = MONITOR_WIDTH

/** Name prefix of the video meshes; the scene probe finds panels by it. */
export const PANEL_VIDEO_PREFIX = 'panel-video:'

const viewerHelper = new Vector3()

/**
 * The stream's video track, followed as tracks arrive: a remote stream is announced with its first track (often
 * the audio) and gains the video track afterwards, as the same MediaStream object.
 */
function useVideoTrack(stream: MediaStream | null): MediaStreamTrack | null {
  const [track, setTrack] = useState<MediaStreamTrack | null>(null)
  useEffect(() => {
    const update = () => setTrack(stream?.getVideoTracks()[0] ?? null)
    update()
    stream?.addEventListener('addtrack', update)
    stream?.addEventListener('removetrack', update)
    return () => {
      stream?.removeEventListener('addtrack', update)
      stream?.removeEventListener('removetrack', update)
    }
  }, [stream])
  return track
}

/** A muted <video> element playing `stream`, as a texture. Sound plays through the DOM (see RemoteAudio). */
function useVideoTexture(stream: MediaStream | null): { texture: VideoTexture | null; aspect: number } {
  const videoTrack = useVideoTrack(stream)
  const invalidate = useThree((s) => s.invalidate)
  const [state, setState] = useState<{ texture: VideoTexture | null; aspect: number }>({
    texture: null,
    aspect: DEFAULT_ASPECT,
  })
  useEffect(() => {
    if (!stream || !videoTrack) {
      setState({ texture: null, aspect: DEFAULT_ASPECT })
      return
    }
    const video = document.createElement('video')
    video.muted = true
    video.playsInline = true
    video.autoplay = true
    video.srcObject = stream
    const texture = new VideoTexture(video)
    texture.colorSpace = SRGBColorSpace
    const onResize = () => {
      if (video.videoWidth > 0 && video.videoHeight > 0) {
        setState({ texture, aspect: video.videoWidth / video.videoHeight })
      }
    }
    video.addEventListener('resize', onResize)
    // The scene renders on demand outside XR: each new video frame asks for one render.
    let frameRequest = 0
    const onVideoFrame = () => {
      invalidate()
      frameRequest = video.requestVideoFrameCallback(onVideoFrame)
    }
    frameRequest = video.requestVideoFrameCallback(onVideoFrame)
    video.play().catch(() => {
      // Autoplay of a muted video is always allowed; a rejection here means the stream ended meanwhile.
    })
    setState({ texture, aspect: DEFAULT_ASPECT })
    return () => {
      video.cancelVideoFrameCallback(frameRequest)
      video.removeEventListener('resize', onResize)
      video.pause()
      video.srcObject = null
      texture.dispose()
    }
  }, [stream, videoTrack, invalidate])
  return state
}

/** Caption text colours: the usual light grey-blue, and an amber that reads on the dark caption as "attention". */
const QUALITY_COLOR = '#b7c6cf'
const QUALITY_POOR_COLOR = '#ffb74d'

/**
 * The connection-quality line under the caption, in the caption's font; amber, and marked "Poor connection", when
 * it is beyond a comfortable consultation (thresholds in src/net/quality.ts). Its own component: it changes every
 * second, the panel rarely.
 */
function PanelQualityLine({ peerId }: { peerId: string }) {
  // ASCII separator: the bundled MSDF font has no '·'. Strings, not the quality object, are selected, so a
  // sample that changes nothing visible re-renders nothing.
  const text = useConsult((s) => {
    const p = s.participants[peerId]
    return p?.quality ? formatQuality(p.quality, { videoExpected: !p.cameraOff, separator: ' | ' }) : ''
  })
  const poor = useConsult((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityLevel(p.quality, { videoExpected: !p.cameraOff }) === 'poor' : false
  })
  if (!text) return null
  return (
    // Colour alone would not tell everyone, so a poor line also says so in words.
    <Text fontSize={22} color={poor ? QUALITY_POOR_COLOR : QUALITY_COLOR}>
      {poor ? `Poor connection: ${text}` : text}
    </Text>
  )
}

export interface VideoPanelProps {
  peerId: string
  /** Position among the remote panels, for the default arc. */
  index: number
  count: number
  roomId: string
  /** Drawn beside the video (to its right) and moved with it: the vitals monitor. */
  children?: ReactNode
}

export function VideoPanel({ peerId, index, count, roomId, children }: VideoPanelProps) {
  const stream = useConsult((s) => s.participants[peerId]?.stream ?? null)
  const name = useConsult((s) => s.participants[peerId]?.name ?? '')
  const role = useConsult((s) => s.participants[peerId]?.role ?? 'patient')
  const seat = useConsult((s) => s.participants[peerId]?.seat ?? 0)
  const muted = useConsult((s) => s.participants[peerId]?.muted ?? false)
  const cameraOff = useConsult((s) => s.participants[peerId]?.cameraOff ?? false)
  const status = useConsult((s) => s.participants[peerId]?.status ?? 'connecting')
  const { texture, aspect } = useVideoTexture(stream)
  const camera = useThree((s) => s.camera)
  const targetRef = useRef<Group>(null)
  const placedByUser = useRef(false)
  const savedPose = useMemo<PanelPose | undefined>(
    () => loadLayout(localStorage, roomId)[String(seat)],
    [roomId, seat],
  )

  // Default placement until the user moves the panel; a remembered placement wins.
  useLayoutEffect(() => {
    const target = targetRef.current
    if (!target || placedByUser.current) return
    const pose = savedPose ?? defaultPanelPose(index, count)
    target.position.set(pose.x, pose.y, pose.z)
    target.rotation.set(0, pose.yaw, 0)
  }, [index, count, savedPose])

  const height = PANEL_WIDTH / aspect
  const showVideo = texture !== null && !cameraOff
  // ASCII separators: the bundled MSDF font has no glyphs for '·' or '…'.
  const caption = `${name} - ${ROLE_LABELS[role]}${muted ? ' - muted' : ''}${status === 'connected' ? '' : ` - ${status}...`}`

  return (
    <HandleTarget ref={targetRef}>
      <Handle
        targetRef="from-context"
        rotate={false}
        scale={false}
        apply={(state, target) => {
          target.position.copy(state.current.position)
          // Keep the panel upright and turned to the viewer wherever it is put.
          camera.getWorldPosition(viewerHelper)
          target.rotation.set(
            0,
            yawFacing(target.position.x, target.position.z, viewerHelper.x, viewerHelper.z),
            0,
          )
          if (state.first) setOrbitEnabled(false)
          if (state.last) {
            setOrbitEnabled(true)
            placedByUser.current = true
            const { x, y, z } = target.position
            savePanelPose(localStorage, roomId, seat, { x, y, z, yaw: target.rotation.y })
          }
        }}
      >
        <mesh name={`panel-frame:${peerId}`} position-z={-0.004}>
          <planeGeometry args={[PANEL_WIDTH + 2 * BORDER, height + 2 * BORDER]} />
          <meshBasicMaterial color="#20303a" />
        </mesh>
        <mesh name={`${PANEL_VIDEO_PREFIX}${peerId}`}>
          <planeGeometry args={[PANEL_WIDTH, height]} />
          {/* Separate keys: swapping map for color on one material turns the panel black (PLATFORM-NOTES). */}
          {showVideo ? (
            <meshBasicMaterial key="video" map={texture} toneMapped={false} />
          ) : (
            <meshBasicMaterial key="placeholder" color="#3b4a55" />
          )}
        </mesh>
      </Handle>
      {!showVideo && (
        <group position-z={0.002}>
          <Container
            pixelSize={0.001}
            fontFamilies={uiFontFamilies}
            sizeX={PANEL_WIDTH}
            sizeY={0.1}
            justifyContent="center"
            alignItems="center"
          >
            <Text fontSize={40} color="#e8eef2">
              {cameraOff ? 'Camera off' : stream ? 'No camera' : 'Connecting...'}
            </Text>
          </Container>
        </group>
      )}
      {children && <group position-x={PANEL_WIDTH / 2 + BORDER + 0.02 + SIDE_WIDTH / 2}>{children}</group>}
      {/* Hangs from 1 cm below the frame and grows downwards when the quality line appears or wraps. */}
      <group position-y={-height / 2 - BORDER - 0.01}>
        <Container
          pixelSize={0.001}
          fontFamilies={uiFontFamilies}
          anchorY="top"
          sizeX={PANEL_WIDTH}
          minHeight={60}
          flexDirection="column"
          backgroundColor="#20303a"
          borderRadius={12}
          paddingX={16}
          paddingY={8}
          gap={4}
          justifyContent="center"
          alignItems="center"
        >
          <Text fontSize={30} color="#f4f7f9">
            {caption}
          </Text>
          <PanelQualityLine peerId={peerId} />
        </Container>
      </group>
    </HandleTarget>
  )
}
