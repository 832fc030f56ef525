// Where video panels go: a comfortable default arc in front of the user, and the user's own placements,
// remembered per room on this device. Pure apart from the Storage it is handed.

/** Panel width, metres: a face at life size is about 0.2 m; 0.64 m shows head and shoulders with room. */
export const PANEL_WIDTH = 0.64
/** Distance from the user to the panels, metres (comfortable reading distance in a headset: 1.2–1.5 m). */
export const PANEL_DISTANCE = 1.35
/** Panel centre height, metres: a little below a standing eye height of about 1.6 m. */
export const PANEL_HEIGHT = 1.45
/** Space between neighbouring panels, metres. */
const PANEL_GAP = 0.08
/** Frame border around a panel's video, metres. */
export const PANEL_BORDER = 0.015
/** The vitals monitor beside a patient's panel (vitals-monitor.tsx), metres: readable from 1.5 m. */
export const MONITOR_WIDTH = 0.62
/** Space between a panel's frame and the monitor beside it, metres. */
const MONITOR_GAP = 0.02
/** From a panel's centre to the middle of what hangs at its right (the vitals monitor), in its plane, metres. */
export const BESIDE_OFFSET = PANEL_WIDTH / 2 + PANEL_BORDER + MONITOR_GAP + MONITOR_WIDTH / 2
/** From a panel's centre to the right edge of its vitals monitor, in its plane, metres. */
const MONITOR_RIGHT_EDGE = BESIDE_OFFSET + MONITOR_WIDTH / 2

export interface PanelPose {
  x: number
  y: number
  z: number
  /** rotation about the vertical axis, radians; 0 faces +z (towards a user standing at the origin) */
  yaw: number
}

/** The default pose of panel `index` of `count`, side by side on an arc around a user at the origin facing -z. */
export function defaultPanelPose(index: number, count: number): PanelPose {
  const step = (PANEL_WIDTH + PANEL_GAP) / PANEL_DISTANCE
  const angle = (index - (count - 1) / 2) * step
  return {
    x: Math.sin(angle) * PANEL_DISTANCE,
    y: PANEL_HEIGHT,
    z: -Math.cos(angle) * PANEL_DISTANCE,
    yaw: -angle,
  }
}

/**
 * Where the headset's side panel stands (xr-headset-panels.tsx) while the panels leave room (sidePanelPosition):
 * left of them at about eye height and 40° aside, read with a glance, and out of the way of a ray aimed at the
 * panels ahead or at the surfaces an on-site worker draws on. Metres.
 */
export const SIDE_PANEL_POSITION: [number, number, number] = [-0.8, 1.5, -0.95]
/**
 * In a large room the class's tiles spread to about 50° either side (lecture-layout.ts): the side panel moves out
 * to about 65°, beyond the arc's end, a turn of the head rather than a glance. Metres.
 */
export const SIDE_PANEL_OF_ARC_POSITION: [number, number, number] = [-1.2, 1.5, -0.56]
/** The side panel's width, metres (480 uikit pixels of 1 mm). */
export const SIDE_PANEL_WIDTH = 0.48

/** Half the angle a video panel with its frame takes on the arc, seen from the user, radians. */
const PANEL_HALF_ANGLE = Math.atan((PANEL_WIDTH / 2 + PANEL_BORDER) / PANEL_DISTANCE)
/**
 * How far right of its panel's centre a vitals monitor reaches, seen from the user, radians: the monitor lies in
 * its panel's plane, so its right edge is atan(edge / distance) aside.
 */
const MONITOR_RIGHT_ANGLE = Math.atan(MONITOR_RIGHT_EDGE / PANEL_DISTANCE)

/**
 * The default poses of a consultation's remote panels on the arc, in seat order. `monitors[i]`: panel i keeps
 * room for a vitals monitor at its right (a patient's panel: only a patient's vitals are taken, vitals/channel.ts),
 * and the panels after it move along by the monitor's width, so no monitor hangs over its neighbour. Without any
 * monitor the panels stand as defaultPanelPose puts them, and the first panel always does: the arc grows to the
 * right only, since the headset's side panel (sidePanelPosition) and the worker's miniature stand left of it.
 * The room is kept whether or not the patient shares vitals now: the monitor comes and goes with the
 * sharing, and panels that jumped aside whenever it did would lose the user's place.
 */
export function consultPanelPoses(monitors: readonly boolean[]): PanelPose[] {
  const plainStep = (PANEL_WIDTH + PANEL_GAP) / PANEL_DISTANCE
  // From a panel with a monitor to the next: the monitor's right edge, a gap, the next panel's left half.
  const monitorStep = MONITOR_RIGHT_ANGLE + PANEL_GAP / PANEL_DISTANCE + PANEL_HALF_ANGLE
  let angle = -((monitors.length - 1) / 2) * plainStep
  return monitors.map((monitor) => {
    const at = angle
    angle += monitor ? monitorStep : plainStep
    return { x: Math.sin(at) * PANEL_DISTANCE, y: PANEL_HEIGHT, z: -Math.cos(at) * PANEL_DISTANCE, yaw: -at }
  })
}

/** The side panel's distance from the user at SIDE_PANEL_POSITION, metres (about 1.24 m: nearer than the arc). */
const SIDE_PANEL_DISTANCE = Math.hypot(SIDE_PANEL_POSITION[0], SIDE_PANEL_POSITION[2])
/** Half the angle the side panel takes, seen from the user (it is turned to face them, facingUser), radians. */
const SIDE_PANEL_HALF_ANGLE = Math.atan(SIDE_PANEL_WIDTH / 2 / SIDE_PANEL_DISTANCE)

/**
 * Where the headset's side panel stands in a consultation whose remote panels are `monitors` (consultPanelPoses):
 * at SIDE_PANEL_POSITION, a glance 40° to the left, while the arc leaves it clear; otherwise just beyond the arc's
 * left end, a panel gap (the panels' own 8 cm) clear of the first panel's frame, at the same distance and height.
 * The arc is centred on straight ahead and reaches about 29° left with two panels, 44° with three and 60° with
 * four, so from three remote participants on the side panel, nearer than the arc, stood in front of the first
 * one's face. The faces keep the middle of the view and the list and chat move instead: a turn of the head (about
 * 59° with three panels, a consultation's most), as in a large room (SIDE_PANEL_OF_ARC_POSITION). Two panels move
 * it 3.5° out: the first frame reached 0.05° behind its edge, and the gap keeps them apart as either eye, 3 cm off
 * the head's centre, sees them. Vitals monitors hang at their panel's right and shared items right of the arc
 * (sharedItemPose), so only the first frame matters; the worker's miniature and the call controls beside it stand
 * below eye height (worker-space-view.tsx, xr-call-controls.tsx). `large`: a large room, whose side panel stands
 * beyond its tiles (SIDE_PANEL_OF_ARC_POSITION) whoever is in it. Metres.
 */
export function sidePanelPosition(monitors: readonly boolean[], large = false): [number, number, number] {
  if (large) return SIDE_PANEL_OF_ARC_POSITION
  const [first] = consultPanelPoses(monitors)
  if (!first) return SIDE_PANEL_POSITION
  const leftEdge = -first.yaw - PANEL_HALF_ANGLE
  // The side panel's centre may be at most this far right (radians right of straight ahead).
  const clearOfArc = leftEdge - PANEL_GAP / PANEL_DISTANCE - SIDE_PANEL_HALF_ANGLE
  const glance = Math.atan2(SIDE_PANEL_POSITION[0], -SIDE_PANEL_POSITION[2])
  if (glance <= clearOfArc) return SIDE_PANEL_POSITION
  return [
    Math.sin(clearOfArc) * SIDE_PANEL_DISTANCE,
    SIDE_PANEL_POSITION[1],
    -Math.cos(clearOfArc) * SIDE_PANEL_DISTANCE,
  ]
}

/**
 * How far right of straight ahead the call's own panels reach in a consultation (consultPanelPoses of
 * `monitors`), radians seen from the user: the rightmost panel's frame, or its vitals monitor when it is a
 * patient's. Shared items stand beyond it.
 */
export function consultRightEdge(monitors: readonly boolean[]): number {
  const poses = consultPanelPoses(monitors.length > 0 ? monitors : [false])
  const last = poses[poses.length - 1] as PanelPose
  return -last.yaw + (monitors[monitors.length - 1] ? MONITOR_RIGHT_ANGLE : PANEL_HALF_ANGLE)
}

/** Angle a shared item's panel (as wide as a video panel, on the same arc) spans either side of its centre, rad. */
const ITEM_HALF_ANGLE = Math.atan(PANEL_WIDTH / 2 / PANEL_DISTANCE)
/** From one shared item to the next along the arc, radians: the video panels' own spacing. */
const ITEM_STEP = (PANEL_WIDTH + PANEL_GAP) / PANEL_DISTANCE
/**
 * Rise from one row of shared items to the next, metres: more than the tallest item (a portrait A4 page 0.64 m
 * wide is 0.9 m tall) with its caption and buttons under it.
 */
export const ITEM_ROW_RISE = 1.05

/**
 * Where shared item `slot` (0 nearest) stands: on the panels' arc, right of the call's own panels (which reach
 * `rightEdge` radians right of straight ahead: consultRightEdge, or a large room's lectureRightEdge). The left is
 * the headset's side panel's (SIDE_PANEL_POSITION), so nothing shared ever stands behind it, however many items
 * there are: the items fill the right half of the ring round the user (the nearest a glance away, the furthest a
 * turn), and what does not fit there starts a row above, at the same places. A pose with `row` (0 the arc at
 * the panels' height) and the height to add to what the item stands on.
 */
export function sharedItemPose(slot: number, rightEdge: number): PanelPose & { row: number; rise: number } {
  const first = rightEdge + PANEL_GAP / PANEL_DISTANCE + ITEM_HALF_ANGLE
  // Up to straight behind the user's right shoulder (half a panel short of behind them): past it is the left.
  const perRow = Math.max(1, Math.floor((Math.PI - ITEM_HALF_ANGLE - first) / ITEM_STEP) + 1)
  const row = Math.floor(slot / perRow)
  const angle = first + (slot % perRow) * ITEM_STEP
  const rise = row * ITEM_ROW_RISE
  return {
    x: Math.sin(angle) * PANEL_DISTANCE,
    y: PANEL_HEIGHT + rise,
    z: -Math.cos(angle) * PANEL_DISTANCE,
    yaw: -angle,
    row,
    rise,
  }
}

/** Yaw that turns a panel at (x, z) to face a viewer at (viewerX, viewerZ). */
export function yawFacing(x: number, z: number, viewerX: number, viewerZ: number): number {
  return Math.atan2(viewerX - x, viewerZ - z)
}

/** Standing eye height that the headset's own panels are turned towards, metres. */
export const EYE_HEIGHT = 1.6

/**
 * Euler angles (pitch, yaw; order YXZ) that turn a flat panel at `position` to face the eyes of a user standing at
 * the origin: square to the line of sight, so nothing is seen skewed, and a panel below the eyes tips up to them.
 */
export function facingUser([x, y, z]: readonly [number, number, number]): [number, number, number, 'YXZ'] {
  return [Math.atan2(y - EYE_HEIGHT, Math.hypot(x, z)), yawFacing(x, z, 0, 0), 0, 'YXZ']
}

const storageKey = (roomId: string) => `xr-consult:layout:${roomId}`

export type SavedLayout = Record<string, PanelPose>

function isPose(value: unknown): value is PanelPose {
  const pose = value as Partial<PanelPose> | null
  return (
    typeof pose === 'object' &&
    pose !== null &&
    [pose.x, pose.y, pose.z, pose.yaw].every((n) => typeof n === 'number' && Number.isFinite(n))
  )
}

/** Reads the saved placements; anything unreadable counts as nothing saved. */
export function loadLayout(storage: Pick<Storage, 'getItem'>, roomId: string): SavedLayout {
  try {
    const raw = JSON.parse(storage.getItem(storageKey(roomId)) ?? '{}') as unknown
    if (typeof raw !== 'object' || raw === null) return {}
    return Object.fromEntries(Object.entries(raw).filter(([, pose]) => isPose(pose))) as SavedLayout
  } catch {
    return {}
  }
}

/** Remembers where the user put the panel of seat `seat`. */
export function savePanelPose(
  storage: Pick<Storage, 'getItem' | 'setItem'>,
  roomId: string,
  seat: number,
  pose: PanelPose,
) {
  const layout = loadLayout(storage, roomId)
  layout[String(seat)] = pose
  try {
    storage.setItem(storageKey(roomId), JSON.stringify(layout))
  } catch {
    // Storage full or disabled (private mode): the panel just won't be remembered.
  }
}
