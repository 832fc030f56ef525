// One remote participant on a panel: their camera as a VideoTexture, their name and role underneath, grabbable
// with a controller, a hand pinch or the mouse. The video of a worker who shares their space is also drawn on:
// a point on it becomes a ray from their head into their surfaces (src/app/guidance.ts), and it can be held
// still on a freeze-frame. Reads the store; never touches the network.

import { type ThreeEvent, useThree } from '@react-three/fiber'
import { Handle, HandleTarget } from '@react-three/handle'
import { Container, Text } from '@react-three/uikit'
import {
  type ComponentProps,
  type ReactNode,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react'
import { CanvasTexture, type Group, type Mesh, SRGBColorSpace, Vector3, VideoTexture } from 'three'
import { useShallow } from 'zustand/react/shallow'
import type { Target } from '../annotations/raycast'
import { playbackMeter } from '../lib/playback'
import { ROLE_LABELS } from '../room/invite'
import { useCall, useParticipantIds } from '../state/call-store'
import { qualityLevel, qualityWords } from '../ui/quality-text'
import { type GuidanceView, useGuidanceState, useSpace } from './guidance-view'
import {
  BESIDE_OFFSET,
  defaultPanelPose,
  loadLayout,
  PANEL_BORDER,
  PANEL_WIDTH,
  type PanelPose,
  savePanelPose,
  yawFacing,
} from './panel-layout'
import { setOrbitEnabled } from './scene-interaction'
import { uiFontFamilies } from './ui-font'
import { imagePointOnPanel, laserFromHead } from './worker-space-layout'

/** The fake camera and most webcams start at 4:3; the panel follows the real aspect once frames arrive. */
const DEFAULT_ASPECT = 4 / 3
const BORDER = PANEL_BORDER

/** Name prefix of the video meshes; the scene probe finds panels by it. */
export const PANEL_VIDEO_PREFIX = 'panel-video:'

const viewerHelper = new Vector3()
const pointHelper = new Vector3()

/**
 * The stream's video track, followed as tracks arrive: a remote stream is announced with its first track (often
 * the audio) and gains the video track afterwards, as the same MediaStream object.
 */
export function useVideoTrack(stream: MediaStream | null): MediaStreamTrack | null {
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
export function useVideoTexture(stream: MediaStream | null): {
  texture: VideoTexture | null
  aspect: number
} {
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
    // Each callback also tells the page's playback meter how many frames came since the last one: frames this page
    // drew late are what a file transfer must not take (src/share/pace.ts).
    const onVideoFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
      playbackMeter.frame(video, metadata.presentedFrames)
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
  const text = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityWords(p.quality, { videoExpected: !p.cameraOff }).text : ''
  })
  const poor = useCall((s) => {
    const p = s.participants[peerId]
    return p?.quality ? qualityLevel(p.quality, { videoExpected: !p.cameraOff }) !== 'good' : false
  })
  if (!text) return null
  // Words, not statistics: the numbers are in the participant list's details. Colour alone would not tell
  // everyone, so the words carry the level too.
  return (
    <Text fontSize={22} color={poor ? QUALITY_POOR_COLOR : QUALITY_COLOR}>
      {text}
    </Text>
  )
}

/**
 * Which of a consultation's remote panels, in seat order, keep room on the arc for a vitals monitor at their
 * right: the patients' (only a patient's vitals are taken, vitals/channel.ts), whether they share now or not.
 */
export function usePanelMonitors(): boolean[] {
  const peerIds = useParticipantIds()
  return useCall(useShallow((s) => peerIds.map((peerId) => s.participants[peerId]?.role === 'patient')))
}

export interface VideoPanelProps {
  peerId: string
  /** Where the panel stands until the user moves it (consultPanelPoses); straight ahead without it. */
  arcPose?: PanelPose
  roomId: string
  /** Drawn beside the video (to its right) and moved with it: the vitals monitor. */
  children?: ReactNode
  /** Remote guidance: lets the video be drawn on and frozen while this participant shares their space. */
  guidance?: GuidanceView
  /**
   * A large room's featured panel (lecture-layout.ts): this pose and scale instead of the arc and any remembered
   * placement, since whoever holds the spot changes with the floor.
   */
  pose?: PanelPose & { scale: number }
}

export function VideoPanel({
  peerId,
  arcPose,
  roomId,
  children,
  guidance,
  pose: fixedPose,
}: VideoPanelProps) {
  const stream = useCall((s) => s.participants[peerId]?.stream ?? null)
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const role = useCall((s) => s.participants[peerId]?.role ?? null)
  const seat = useCall((s) => s.participants[peerId]?.seat ?? 0)
  const muted = useCall((s) => s.participants[peerId]?.muted ?? false)
  const cameraOff = useCall((s) => s.participants[peerId]?.cameraOff ?? false)
  const status = useCall((s) => s.participants[peerId]?.status ?? 'connecting')
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
    const pose = fixedPose ?? savedPose ?? arcPose ?? defaultPanelPose(0, 1)
    target.position.set(pose.x, pose.y, pose.z)
    target.rotation.set(0, pose.yaw, 0)
    target.scale.setScalar(fixedPose?.scale ?? 1)
  }, [arcPose, savedPose, fixedPose])

  const height = PANEL_WIDTH / aspect
  const showVideo = texture !== null && !cameraOff
  // ASCII separators: the bundled MSDF font has no glyphs for '·' or '…'.
  const caption = `${name}${role ? ` - ${ROLE_LABELS[role]}` : ''}${muted ? ' - muted' : ''}${status === 'connected' ? '' : ` - ${status}...`}`

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
            if (!fixedPose) savePanelPose(localStorage, roomId, seat, { x, y, z, yaw: target.rotation.y })
          }
        }}
      >
        <mesh name={`panel-frame:${peerId}`} position-z={-0.004}>
          <planeGeometry args={[PANEL_WIDTH + 2 * BORDER, height + 2 * BORDER]} />
          <meshBasicMaterial color="#20303a" />
        </mesh>
        {guidance ? (
          <GuidedVideo
            peerId={peerId}
            texture={showVideo ? texture : null}
            aspect={aspect}
            height={height}
            guidance={guidance}
          />
        ) : (
          <VideoMesh peerId={peerId} texture={showVideo ? texture : null} height={height} />
        )}
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
      {children && <group position-x={BESIDE_OFFSET}>{children}</group>}
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

interface VideoMeshProps extends ComponentProps<'mesh'> {
  peerId: string
  /** The live video or the freeze-frame; null: the placeholder colour. */
  texture: VideoTexture | CanvasTexture | null
  height: number
}

function VideoMesh({ peerId, texture, height, ref, ...events }: VideoMeshProps) {
  return (
    <mesh ref={ref} name={`${PANEL_VIDEO_PREFIX}${peerId}`} {...events}>
      <planeGeometry args={[PANEL_WIDTH, height]} />
      {/* Separate keys: swapping map for color on one material turns the panel black (PLATFORM-NOTES). */}
      {texture instanceof CanvasTexture ? (
        <meshBasicMaterial key="frozen" map={texture} toneMapped={false} />
      ) : texture ? (
        <meshBasicMaterial key="video" map={texture} toneMapped={false} />
      ) : (
        <meshBasicMaterial key="placeholder" color="#3b4a55" />
      )}
    </mesh>
  )
}

/**
 * The video frame showing when `frozen` turned true, copied to a canvas texture; null while live. The live video
 * keeps playing underneath, so unfreezing shows the present at once.
 */
function useFrozenFrame(texture: VideoTexture | null, frozen: boolean): CanvasTexture | null {
  const still = useMemo(() => {
    const video = texture?.image as HTMLVideoElement | undefined
    if (!frozen || !video || video.videoWidth === 0) return null
    const canvas = document.createElement('canvas')
    canvas.width = video.videoWidth
    canvas.height = video.videoHeight
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height)
    const still = new CanvasTexture(canvas)
    still.colorSpace = SRGBColorSpace
    return still
  }, [texture, frozen])
  useEffect(() => () => still?.dispose(), [still])
  return still
}

/** A pmndrs pointer event as R3F types it, plus the exact point on the captured object's plane it also carries. */
type PanelPointerEvent = ThreeEvent<PointerEvent> & { pointOnFace?: Vector3 }

/**
 * The video of a participant who may share their space. While they do, a pointer on it (mouse, controller ray,
 * pinch) marks their surroundings with the current tool, through the image point under the pointer; the panel
 * is then moved by its frame instead.
 */
function GuidedVideo({
  peerId,
  texture,
  aspect,
  height,
  guidance,
}: {
  peerId: string
  texture: VideoTexture | null
  aspect: number
  height: number
  guidance: GuidanceView
}) {
  const { actions, space, store } = guidance
  const sharing = useSpace(space, (feed) => feed.get(peerId)?.sharing ?? false)
  const frozen = useGuidanceState(guidance, (state) => state.frozen?.peerId === peerId)
  const still = useFrozenFrame(texture, frozen)
  const mesh = useRef<Mesh>(null)
  const invalidate = useThree((s) => s.invalidate)
  // What the pointer went down with decides what its moves and release do, even if the tool changes meanwhile.
  const pressed = useRef<'mark' | 'laser' | null>(null)

  useEffect(() => invalidate(), [still, invalidate])

  const targetAt = (event: PanelPointerEvent): Target | null => {
    const object = mesh.current
    if (!object) return null
    // While the pointer is captured, `point` floats at the first hit's distance; `pointOnFace` is on the video.
    const local = object.worldToLocal(pointHelper.copy(event.pointOnFace ?? event.point))
    const image = imagePointOnPanel(local.x, local.y, PANEL_WIDTH, height)
    return image ? actions.targetOnVideo(peerId, image[0], image[1], aspect) : null
  }

  const laser = (target: Target) => {
    const frozenPose = store.getState().frozen
    const head = frozenPose?.peerId === peerId ? frozenPose.head : space.get(peerId)?.head
    if (head) actions.pointLaser(laserFromHead(head, target.point), target.approximate ? null : target.point)
  }

  const release = () => {
    if (!pressed.current) return
    setOrbitEnabled(true)
    if (pressed.current === 'laser') actions.pointLaser(null, null)
    else actions.pointerUp()
    pressed.current = null
  }
  useEffect(() => release, [])
  // The worker stopped sharing (left AR) while a stroke was held or their picture frozen: the pointer's release and
  // the live picture must not wait for a panel that no longer takes pointers.
  useEffect(() => {
    if (sharing) return
    release()
    if (store.getState().frozen?.peerId === peerId) actions.unfreeze()
  }, [sharing])

  if (!sharing) return <VideoMesh peerId={peerId} texture={texture} height={height} />
  return (
    <>
      {still && (
        // Says the picture is not live, in the top left corner, over the video.
        <group position={[-PANEL_WIDTH / 2 + 0.01, height / 2 - 0.01, 0.002]}>
          <Container
            pixelSize={0.001}
            fontFamilies={uiFontFamilies}
            anchorX="left"
            anchorY="top"
            paddingX={12}
            paddingY={4}
            backgroundColor="#b3261e"
            borderRadius={8}
          >
            <Text fontSize={24} color="#ffffff">
              Frozen frame
            </Text>
          </Container>
        </group>
      )}
      <VideoMesh
        ref={mesh}
        peerId={peerId}
        texture={still ?? texture}
        height={height}
        onPointerDown={(event: PanelPointerEvent) => {
          if (event.button !== 0) return
          const target = targetAt(event)
          if (!target) return
          // Drawing, not dragging the panel; and the orbit camera must hold still (R3F sees the event first).
          event.stopPropagation()
          ;(event.target as unknown as { setPointerCapture: (id: number) => void }).setPointerCapture(
            event.pointerId,
          )
          setOrbitEnabled(false)
          pressed.current = store.getState().tool === 'laser' ? 'laser' : 'mark'
          if (pressed.current === 'laser') laser(target)
          else actions.pointerDown(target)
        }}
        onPointerMove={(event: PanelPointerEvent) => {
          if (!pressed.current) return
          event.stopPropagation()
          const target = targetAt(event)
          if (!target) return
          if (pressed.current === 'laser') laser(target)
          else actions.pointerMove(target)
        }}
        onPointerUp={(event: PanelPointerEvent) => {
          if (!pressed.current) return
          event.stopPropagation()
          release()
        }}
        onPointerCancel={release}
      />
    </>
  )
}
