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
