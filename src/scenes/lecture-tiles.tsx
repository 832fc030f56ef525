// A large room in the 3D view, in VR and in AR: the featured participant on a large video panel in front and the
// class as small tiles on an arc below it (src/scenes/lecture-layout.ts). A tile shows its participant's camera or,
// without one, their name; a raised hand shows on it. The presenter points at a tile (controller or hand ray,
// or the mouse in the tab) for a small menu that lets them speak or lowers their hand. Reads the call's store and
// calls the hands channel it is given; never touches the network itself.
import { useThree } from '@react-three/fiber'
import { Container, Text } from '@react-three/uikit'
import { type ReactNode, useEffect, useMemo, useState } from 'react'
import { CanvasTexture, type Mesh, type MeshBasicMaterial, SRGBColorSpace } from 'three'
import type { SimulcastLayer } from '../lib/simulcast'
import { type HandState, handStateOf, PRESENTER_ROLE } from '../room/hands'
import { useCall, useParticipantIds } from '../state/call-store'
import { fitCaption, LINE_SPACING } from './caption-fit'
import {
  FEATURED_LAYER,
  type LectureMember,
  lectureLayout,
  TILE_CAPTION_HEIGHT,
  TILE_LAYER,
  TILE_VIDEO_HEIGHT,
  TILE_WIDTH,
  type TilePose,
} from './lecture-layout'
import { uiFontFamilies } from './ui-font'
import { useVideoTexture, useVideoTrack, VideoPanel } from './video-panel'

/** What the scene needs of a large room: who we are in it and the hands channel (src/room/hands.ts). */
export interface LectureView {
  /** We present the room: we may let others speak. */
  presenter: boolean
  /** Raises or lowers our own hand. */
  raise: (raised: boolean) => void
  /** Lets a participant (by session) speak, or stops them / lowers their hand. */
  letSpeak: (session: string, speak: boolean) => void
  /** Our session, once the call has one. */
  session: () => string | null
  /**
   * Which simulcast layer of a participant's video a panel here needs (src/lib/simulcast.ts; null: none), as the
   * 2D layout tells it: the transport asks Janus for it.
   */
  setReceiveLayer: (peerId: string, layer: SimulcastLayer | null) => void
}

/** Name prefixes the scene probe and the tests find tiles by: the tile, its video, its raised-hand badge. */
export const TILE_PREFIX = 'tile:'
export const TILE_VIDEO_PREFIX = 'tile-video:'
export const TILE_HAND_PREFIX = 'tile-hand:'

const FRAME_COLOR = '#20303a'
const FRAME_HOVER_COLOR = '#4d7a94'
const HAND_COLOR = '#ffb74d'
const SPEAKING_COLOR = '#66bb6a'
/** Border round a tile's video, metres. */
const TILE_BORDER = 0.008
/** Canvas pixels per metre of the tile's labels: 1,000 draws a 24 cm tile's name at about 28 px, sharp at 1.5 m. */
const LABEL_PIXELS_PER_METRE = 1000
/** Canvas px kept clear beside a label's text, both sides together: the glyphs never touch the tile's edge. */
const LABEL_MARGIN = 12
/**
 * Canvas px kept clear above and below it, together: little, so two lines of the smallest size (2 × 18 × 1.2 px)
 * fit the 50 px caption.
 */
const LABEL_V_MARGIN = 4
/**
 * Font sizes a name may take, canvas px, largest first: 26 px is about 1° at 1.5 m, comfortably read in a headset;
 * 18 px is the smallest still read there without leaning in, and two lines of it fill the 5 cm caption.
 */
const CAPTION_SIZES = [26, 22, 18] as const
const CARD_SIZES = [30, 26, 22] as const
const BADGE_SIZES = [24, 20] as const
/** The badge over a tile's top edge, metres: wide enough for "Speaking · muted" at 20 px. */
const BADGE_WIDTH = TILE_WIDTH * 0.75
const BADGE_HEIGHT = 0.036

/**
 * Text on a canvas texture: each tile's name and state. Thirty tiles of uikit text cost thirty text layouts and
 * their draw calls under software rendering; one small canvas per label costs one textured quad, redrawn only when
 * the words change. The system's sans-serif font: nothing is fetched. `text` is fitted whole where it can be
 * (./caption-fit.ts: a smaller size, or two lines, before an ellipsis); `note`, if any, goes under it, smaller.
 */
function useLabelTexture(
  text: string,
  note: string,
  width: number,
  height: number,
  options: { background: string; color: string; sizes: readonly number[] },
): CanvasTexture {
  const sizesKey = options.sizes.join(',')
  const texture = useMemo(() => {
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(width * LABEL_PIXELS_PER_METRE)
    canvas.height = Math.round(height * LABEL_PIXELS_PER_METRE)
    const context = canvas.getContext('2d')
    if (context) {
      context.fillStyle = options.background
      context.fillRect(0, 0, canvas.width, canvas.height)
      context.fillStyle = options.color
      context.textAlign = 'center'
      context.textBaseline = 'middle'
      const font = (size: number) => `600 ${size}px system-ui, sans-serif`
      const measure = (line: string, size: number) => {
        context.font = font(size)
        return context.measureText(line).width
      }
      const sizes = sizesKey.split(',').map(Number)
      const noteSize = sizes.at(-1) ?? 16
      const noteHeight = note ? noteSize * LINE_SPACING : 0
      const fitted = fitCaption(
        text,
        measure,
        canvas.width - LABEL_MARGIN,
        canvas.height - LABEL_V_MARGIN - noteHeight,
        sizes,
      )
      const lineHeight = fitted.size * LINE_SPACING
      const lines = [...fitted.lines.map((line) => ({ line, size: fitted.size }))]
      if (note) lines.push({ line: note, size: noteSize })
      const total = fitted.lines.length * lineHeight + noteHeight
      let y = (canvas.height - total) / 2
      for (const { line, size } of lines) {
        const step = size * LINE_SPACING
        context.font = font(size)
        context.fillText(line, canvas.width / 2, y + step / 2, canvas.width - LABEL_MARGIN)
        y += step
      }
    }
    const texture = new CanvasTexture(canvas)
    texture.colorSpace = SRGBColorSpace
    return texture
  }, [text, note, width, height, options.background, options.color, sizesKey])
  useEffect(() => () => texture.dispose(), [texture])
  return texture
}

/**
 * The words a tile's badge says: a raised hand, or the floor (and whether its holder muted themselves). Being muted
 * is the rule for the class in a large room, so it is said only of someone who has the floor; it is not on the
 * caption, which is the name's alone.
 */
function badgeWords(state: HandState, muted: boolean): string {
  if (state === 'raised') return 'Hand raised'
  if (state === 'speaking') return muted ? 'Speaking · muted' : 'Speaking'
  return ''
}

interface TileProps {
  peerId: string
  pose: TilePose
  /** The presenter may point at it for the menu. */
  selectable: boolean
  onSelect: (peerId: string) => void
}

/** One participant of the class: their camera (or their name) small, their name underneath, a raised hand on top. */
function Tile({ peerId, pose, selectable, onSelect }: TileProps) {
  const stream = useCall((s) => s.participants[peerId]?.stream ?? null)
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const cameraOff = useCall((s) => s.participants[peerId]?.cameraOff ?? false)
  const muted = useCall((s) => s.participants[peerId]?.muted ?? false)
  const hand = useCall((s) => {
    const session = s.participants[peerId]?.session
    return session ? handStateOf(s.hands, session) : 'idle'
  })
  const invalidate = useThree((s) => s.invalidate)
  const { texture } = useVideoTexture(stream)
  const showVideo = texture !== null && !cameraOff
  const caption = useLabelTexture(name || 'Joining', '', TILE_WIDTH, TILE_CAPTION_HEIGHT, {
    background: FRAME_COLOR,
    color: '#f4f7f9',
    sizes: CAPTION_SIZES,
  })
  // Without video the tile is a name card: the name large, where the face would be.
  const card = useLabelTexture(
    showVideo ? '' : name || 'Joining',
    showVideo ? '' : cameraOff ? 'Camera off' : 'No camera',
    TILE_WIDTH,
    TILE_VIDEO_HEIGHT,
    {
      background: '#3b4a55',
      color: '#e8eef2',
      sizes: CARD_SIZES,
    },
  )
  const words = badgeWords(hand, muted)
  const badge = useLabelTexture(words, '', BADGE_WIDTH, BADGE_HEIGHT, {
    background: hand === 'speaking' ? SPEAKING_COLOR : HAND_COLOR,
    color: '#1b1b1b',
    sizes: BADGE_SIZES,
  })
  const tileHeight = TILE_VIDEO_HEIGHT + TILE_CAPTION_HEIGHT
  // Hover is drawn by changing the frame's colour in place: no React render per pointer move.
  const hover = (mesh: Mesh | null, on: boolean) => {
    const material = mesh?.material as MeshBasicMaterial | undefined
    material?.color.set(on ? FRAME_HOVER_COLOR : FRAME_COLOR)
    invalidate()
  }
  return (
    <group name={`${TILE_PREFIX}${peerId}`} position={pose.position} rotation={pose.rotation}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a three.js mesh, not a DOM element; its pointer is a controller ray */}
      <mesh
        name={`tile-frame:${peerId}`}
        position={[0, 0, -0.003]}
        onClick={selectable ? () => onSelect(peerId) : undefined}
        onPointerOver={selectable ? (event) => hover(event.object as Mesh, true) : undefined}
        onPointerOut={selectable ? (event) => hover(event.object as Mesh, false) : undefined}
      >
        <planeGeometry args={[TILE_WIDTH + 2 * TILE_BORDER, tileHeight + 2 * TILE_BORDER]} />
        <meshBasicMaterial
          color={hand === 'idle' ? FRAME_COLOR : hand === 'speaking' ? SPEAKING_COLOR : HAND_COLOR}
        />
      </mesh>
      <mesh
        name={`${TILE_VIDEO_PREFIX}${peerId}`}
        position={[0, tileHeight / 2 - TILE_VIDEO_HEIGHT / 2, 0]}
        raycast={() => null}
      >
        <planeGeometry args={[TILE_WIDTH, TILE_VIDEO_HEIGHT]} />
        {/* Separate keys: swapping map for another map on one material can leave it black (PLATFORM-NOTES). */}
        {showVideo ? (
          <meshBasicMaterial key="video" map={texture} toneMapped={false} />
        ) : (
          <meshBasicMaterial key="card" map={card} toneMapped={false} />
        )}
      </mesh>
      <mesh position={[0, -tileHeight / 2 + TILE_CAPTION_HEIGHT / 2, 0.001]} raycast={() => null}>
        <planeGeometry args={[TILE_WIDTH, TILE_CAPTION_HEIGHT]} />
        <meshBasicMaterial map={caption} toneMapped={false} />
      </mesh>
      {words && (
        <mesh
          name={`${hand === 'raised' ? TILE_HAND_PREFIX : 'tile-speaking:'}${peerId}`}
          position={[0, tileHeight / 2 - 0.01, 0.004]}
          raycast={() => null}
        >
          <planeGeometry args={[BADGE_WIDTH, BADGE_HEIGHT]} />
          <meshBasicMaterial map={badge} toneMapped={false} />
        </mesh>
      )}
    </group>
  )
}

function MenuButton({
  name,
  label,
  onClick,
  primary = false,
}: {
  name: string
  label: string
  onClick: () => void
  primary?: boolean
}) {
  return (
    <Container
      ref={(component) => {
        if (component) component.name = name
      }}
      onClick={onClick}
      backgroundColor={primary ? '#2e7d32' : '#2b4250'}
      hover={{ backgroundColor: primary ? '#43a047' : '#3c5a6c' }}
      borderRadius={14}
      paddingX={20}
      paddingY={12}
      cursor="pointer"
    >
      <Text fontSize={26} color="#ffffff">
        {label}
      </Text>
    </Container>
  )
}

/**
 * The presenter's menu for one tile, floating just in front of and above it: let a raised hand speak or lower it,
 * stop a speaker. uikit, in the app's own font (ui-font.ts), like the other in-XR buttons.
 */
function TileMenu({
  peerId,
  pose,
  lecture,
  onClose,
}: {
  peerId: string
  pose: TilePose
  lecture: LectureView
  onClose: () => void
}) {
  const name = useCall((s) => s.participants[peerId]?.name ?? '')
  const session = useCall((s) => s.participants[peerId]?.session ?? null)
  const hand = useCall((s) => (session ? handStateOf(s.hands, session) : 'idle'))
  const [x, y, z] = pose.position
  // 15 cm nearer the user than the tile and above it, so it covers the tile's row, not the tile.
  const position: [number, number, number] = [x * 0.9, y + 0.2, z * 0.9]
  const act = (speak: boolean) => {
    if (session) lecture.letSpeak(session, speak)
    onClose()
  }
  return (
    <group position={position} rotation={pose.rotation}>
      <Container
        ref={(component) => {
          if (component) component.name = 'tile-menu'
        }}
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        flexDirection="column"
        alignItems="center"
        gap={10}
        padding={14}
        backgroundColor="#0f1a20"
        borderRadius={18}
      >
        <Text fontSize={26} color="#f4f7f9">
          {hand === 'raised' ? `${name}: hand raised` : hand === 'speaking' ? `${name}: speaking` : name}
        </Text>
        <Container flexDirection="row" gap={10}>
          {hand === 'raised' && (
            <MenuButton name="tile-let-speak" label="Let speak" primary onClick={() => act(true)} />
          )}
          {hand === 'raised' && (
            <MenuButton name="tile-lower-hand" label="Lower hand" onClick={() => act(false)} />
          )}
          {hand === 'speaking' && (
            <MenuButton name="tile-stop-speaking" label="Stop speaking" onClick={() => act(false)} />
          )}
          <MenuButton name="tile-menu-close" label="Close" onClick={onClose} />
        </Container>
      </Container>
    </group>
  )
}

/** Under the large panel, for the presenter, when whoever holds it speaks: stop them. */
function FeaturedStop({ peerId, lecture, y }: { peerId: string; lecture: LectureView; y: number }) {
  const session = useCall((s) => s.participants[peerId]?.session ?? null)
  const speaking = useCall((s) => (session ? handStateOf(s.hands, session) === 'speaking' : false))
  if (!session || !speaking) return null
  return (
    <group position={[0.62, y, -1.95]}>
      <Container
        pixelSize={0.001}
        fontFamilies={uiFontFamilies}
        padding={8}
        backgroundColor="#0f1a20"
        borderRadius={16}
      >
        <MenuButton
          name="featured-stop-speaking"
          label="Stop speaking"
          onClick={() => lecture.letSpeak(session, false)}
        />
      </Container>
    </group>
  )
}

/**
 * Who is presenter and who speaks, as one string per participant: a primitive selector (zustand must not build new
 * objects per call), turned into members below only when it changes.
 */
function useMembersKey(peerIds: readonly string[]): string {
  return useCall((s) =>
    peerIds
      .map((id) => {
        const p = s.participants[id]
        const speaking = p?.session ? handStateOf(s.hands, p.session) === 'speaking' : false
        return `${id} ${p?.role === PRESENTER_ROLE ? 1 : 0}${speaking ? 1 : 0}`
      })
      .join('|'),
  )
}

/**
 * Asks for the simulcast layer `layer` of `peerId`'s video while the scene is seen (`active`) and their stream has
 * a video track (the transport can only configure a video stream Janus has offered), none while their camera is
 * off; and again whenever that changes, as the 2D layout's tiles do on resize. Draws nothing.
 */
function ReceiveLayer({
  peerId,
  layer,
  active,
  lecture,
}: {
  peerId: string
  layer: SimulcastLayer
  active: boolean
  lecture: LectureView
}) {
  const stream = useCall((s) => s.participants[peerId]?.stream ?? null)
  const cameraOff = useCall((s) => s.participants[peerId]?.cameraOff ?? false)
  const hasVideo = useVideoTrack(stream) !== null
  const { setReceiveLayer } = lecture
  useEffect(() => {
    if (!active || !hasVideo) return
    setReceiveLayer(peerId, cameraOff ? null : layer)
  }, [active, hasVideo, cameraOff, peerId, layer, setReceiveLayer])
  return null
}

/**
 * The large room's participants: one featured panel, the others as tiles, and the presenter's tile menu. Each
 * panel asks for the simulcast layer its size needs (lecture-layout.ts: TILE_LAYER, FEATURED_LAYER) while the
 * scene is what the user sees (`active`): hidden behind the 2D layout, the 2D layout's panels choose.
 */
export function LectureScene({
  roomId,
  lecture,
  speaker = null,
  active = true,
  featuredChildren,
}: {
  roomId: string
  lecture: LectureView
  /** Who is heard speaking now, among the presenter and those let speak (src/media/active-speaker.ts). */
  speaker?: string | null
  /** The scene is on screen or in a headset (not paused behind the 2D layout). */
  active?: boolean
  /** What hangs beside the featured panel (its vitals monitor), by peer. */
  featuredChildren?: (peerId: string) => ReactNode
}) {
  const peerIds = useParticipantIds()
  const key = useMembersKey(peerIds)
  const layout = useMemo(() => {
    const members: LectureMember[] = key
      ? key.split('|').map((entry) => {
          const [peerId = '', flags = '00'] = entry.split(' ')
          return { peerId, presenter: flags[0] === '1', speaking: flags[1] === '1' }
        })
      : []
    return lectureLayout(members, speaker)
  }, [key, speaker])
  const [selected, setSelected] = useState<string | null>(null)
  const selectedTile = layout.tiles.find((tile) => tile.peerId === selected)
  const featuredBottom = layout.featuredPose.y - 0.36 * layout.featuredPose.scale
  return (
    <>
      {layout.featured && (
        <VideoPanel key={layout.featured} peerId={layout.featured} roomId={roomId} pose={layout.featuredPose}>
          {featuredChildren?.(layout.featured)}
        </VideoPanel>
      )}
      {layout.featured && (
        <ReceiveLayer
          key={`layer:${layout.featured}`}
          peerId={layout.featured}
          layer={FEATURED_LAYER}
          active={active}
          lecture={lecture}
        />
      )}
      {layout.tiles.map((tile) => (
        <ReceiveLayer
          key={`layer:${tile.peerId}`}
          peerId={tile.peerId}
          layer={TILE_LAYER}
          active={active}
          lecture={lecture}
        />
      ))}
      {layout.featured && lecture.presenter && (
        <FeaturedStop peerId={layout.featured} lecture={lecture} y={featuredBottom} />
      )}
      {layout.tiles.map((tile) => (
        <Tile
          key={tile.peerId}
          peerId={tile.peerId}
          pose={tile}
          selectable={lecture.presenter}
          onSelect={(peerId) => setSelected((current) => (current === peerId ? null : peerId))}
        />
      ))}
      {lecture.presenter && selectedTile && (
        <TileMenu
          peerId={selectedTile.peerId}
          pose={selectedTile}
          lecture={lecture}
          onClose={() => setSelected(null)}
        />
      )}
    </>
  )
}
