// Where the participants of a large room go in VR/AR: one large panel in front (the presenter, or whoever has the
// floor), and everyone else as a small tile on an arc below it, a class seen from the front of a lecture room.
// Four video panels side by side (panel-layout.ts) fill the view at four; thirty must fit without a turn of more
// than a glance. Pure: the scene (lecture-tiles.tsx) places what this returns.
import type { SimulcastLayer } from '../lib/simulcast'
import { BESIDE_OFFSET, EYE_HEIGHT, facingUser, MONITOR_WIDTH, type PanelPose } from './panel-layout'

/** Tile width and video height (4:3), metres: a face about 6 cm tall at 1.5 m, recognisable, not readable. */
export const TILE_WIDTH = 0.24
export const TILE_VIDEO_HEIGHT = TILE_WIDTH * 0.75
/** The name strip under a tile's video, metres. */
export const TILE_CAPTION_HEIGHT = 0.05
/** A tile whole: video and name. */
export const TILE_HEIGHT = TILE_VIDEO_HEIGHT + TILE_CAPTION_HEIGHT
/** Space between neighbouring tiles, along the arc and between rows, metres. */
const TILE_GAP = 0.03
/** The arc's radius round the user, metres: within reach of a controller ray, close enough to read a name. */
export const ARC_RADIUS = 1.5
/**
 * Most tiles in one row: ten tiles at this radius span about 93°, the ±45° a seated user covers with the eyes
 * and a slight turn of the head. More people make more rows rather than a wider arc.
 */
export const MAX_PER_ROW = 10
/** Centre height of the top row of tiles, metres: below the large panel, about 17° below the eyes at 1.5 m. */
const TOP_ROW_Y = 1.15

/** The large panel: straight ahead, behind the arc (as the lecturer stands behind the front row), above it. */
export const FEATURED_DISTANCE = 2
/** Its scale over a consultation's panel (0.64 m wide): 0.96 m, about 27° wide at 2 m. */
export const FEATURED_SCALE = 1.5
const FEATURED_Y = 1.8

/**
 * The simulcast layers (src/lib/simulcast.ts) the headset's panels ask Janus for. A Quest 3 shows about 25 px per
 * degree: a tile's 18 cm of video at 1.5 m is about 7°, some 170 px, which the quarter layer (180 px of 720) fills;
 * the featured panel's 54 cm at 2 m is about 15°, some 390 px, more than the half layer's 360. Thirty tiles at the
 * quarter size cost a receiver about what two full-size videos do to decode.
 */
export const TILE_LAYER: SimulcastLayer = 0
export const FEATURED_LAYER: SimulcastLayer = 2

export interface TilePose {
  position: [number, number, number]
  /** Euler angles (order YXZ) that turn the tile square to the user's eyes. */
  rotation: [number, number, number, 'YXZ']
  row: number
}

export interface LectureLayout {
  /** Who gets the large panel: null only when nobody else is in the room. */
  featured: string | null
  featuredPose: PanelPose & { scale: number }
  /** Everyone else, in the order given, with where their tile goes. */
  tiles: Array<{ peerId: string } & TilePose>
}

export interface LectureMember {
  peerId: string
  /** They present the room (the clinician who started it). */
  presenter: boolean
  /** The presenter has let them speak. */
  speaking: boolean
}

/**
 * Whose panel is large, as in the 2D layout (src/app/video-stage.tsx): whoever is heard speaking now among the
 * presenter and those let speak (`speaker`: src/media/active-speaker.ts, which keeps them through pauses); else
 * the presenter (for the class); with the presenter being us, whoever we let speak; else the first in the room, so
 * the view never jumps between people for no reason.
 */
export function featuredOf(members: readonly LectureMember[], speaker: string | null = null): string | null {
  return (
    (speaker ? members.find((m) => m.peerId === speaker)?.peerId : undefined) ??
    members.find((m) => m.presenter)?.peerId ??
    members.find((m) => m.speaking)?.peerId ??
    members[0]?.peerId ??
    null
  )
}

/**
 * Rows for `count` tiles: as few as MAX_PER_ROW allows, the tiles spread evenly over them (28 make rows of 10, 9,
 * 9 rather than 10, 10, 8), the top row the fullest.
 */
export function rowSizes(count: number): number[] {
  if (count <= 0) return []
  const rows = Math.ceil(count / MAX_PER_ROW)
  const base = Math.floor(count / rows)
  const extra = count % rows
  return Array.from({ length: rows }, (_, row) => base + (row < extra ? 1 : 0))
}

/** The pose of tile `index` of a row of `size`, in row `row`: centred on straight ahead, square to the eyes. */
export function tilePose(index: number, size: number, row: number): TilePose {
  const step = (TILE_WIDTH + TILE_GAP) / ARC_RADIUS
  const angle = (index - (size - 1) / 2) * step
  const position: [number, number, number] = [
    Math.sin(angle) * ARC_RADIUS,
    TOP_ROW_Y - row * (TILE_HEIGHT + TILE_GAP),
    -Math.cos(angle) * ARC_RADIUS,
  ]
  return { position, rotation: facingUser(position), row }
}

/**
 * The whole room's layout: the featured participant large in front, the others on the arc in their order.
 * `speaker`: who is heard speaking now (featuredOf).
 */
export function lectureLayout(
  members: readonly LectureMember[],
  speaker: string | null = null,
): LectureLayout {
  const featured = featuredOf(members, speaker)
  const others = members.filter((m) => m.peerId !== featured)
  const tiles: LectureLayout['tiles'] = []
  let next = 0
  rowSizes(others.length).forEach((size, row) => {
    for (let index = 0; index < size; index++) {
      const member = others[next++] as LectureMember
      tiles.push({ peerId: member.peerId, ...tilePose(index, size, row) })
    }
  })
  return {
    featured,
    featuredPose: { x: 0, y: FEATURED_Y, z: -FEATURED_DISTANCE, yaw: 0, scale: FEATURED_SCALE },
    tiles,
  }
}

/** Angle below the eyes of a point at height `y`, `distance` away, degrees (for the tests' comfort checks). */
export function angleBelowEyes(y: number, distance: number): number {
  return (Math.atan2(EYE_HEIGHT - y, distance) * 180) / Math.PI
}

/**
 * How far right of straight ahead a large room's own panels reach, radians seen from the user, for shared items
 * to stand beyond (panel-layout.ts sharedItemPose): the top (fullest) row of `tileCount` tiles, or the large
 * panel with room for the vitals monitor beside it, whichever reaches further.
 */
export function lectureRightEdge(tileCount: number): number {
  const size = rowSizes(tileCount)[0] ?? 0
  const step = (TILE_WIDTH + TILE_GAP) / ARC_RADIUS
  const tiles = size > 0 ? ((size - 1) / 2) * step + Math.atan(TILE_WIDTH / 2 / ARC_RADIUS) : 0
  const monitorEdge = (BESIDE_OFFSET + MONITOR_WIDTH / 2) * FEATURED_SCALE
  return Math.max(tiles, Math.atan(monitorEdge / FEATURED_DISTANCE))
}
