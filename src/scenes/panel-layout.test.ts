import { describe, expect, it } from 'vitest'
import { lectureRightEdge } from './lecture-layout'
import {
  BESIDE_OFFSET,
  consultPanelPoses,
  consultRightEdge,
  defaultPanelPose,
  EYE_HEIGHT,
  facingUser,
  loadLayout,
  MONITOR_WIDTH,
  PANEL_BORDER,
  PANEL_DISTANCE,
  PANEL_HEIGHT,
  PANEL_WIDTH,
  type PanelPose,
  SIDE_PANEL_OF_ARC_POSITION,
  SIDE_PANEL_POSITION,
  SIDE_PANEL_WIDTH,
  savePanelPose,
  sharedItemPose,
  sidePanelPosition,
  yawFacing,
} from './panel-layout'

function memoryStorage() {
  const map = new Map<string, string>()
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    map,
  }
}

describe('panel layout', () => {
  it('places panels side by side in front of the user, facing them, without overlap', () => {
    for (const count of [1, 2, 3]) {
      const poses = Array.from({ length: count }, (_, i) => defaultPanelPose(i, count))
      for (const pose of poses) {
        expect(Math.hypot(pose.x, pose.z)).toBeCloseTo(PANEL_DISTANCE)
        expect(pose.z).toBeLessThan(0)
        expect(pose.y).toBeGreaterThan(1.2)
        expect(pose.y).toBeLessThan(1.6)
        expect(pose.yaw).toBeCloseTo(yawFacing(pose.x, pose.z, 0, 0))
      }
      poses.slice(1).forEach((b, i) => {
        const a = poses[i] as (typeof poses)[number]
        expect(Math.hypot(a.x - b.x, a.z - b.z)).toBeGreaterThan(PANEL_WIDTH)
      })
    }
    expect(defaultPanelPose(0, 1)).toMatchObject({ x: 0, yaw: -0 })
  })

  it('remembers placements per room and ignores damaged entries', () => {
    const storage = memoryStorage()
    savePanelPose(storage, 'room-a', 2, { x: 1, y: 1.4, z: -1, yaw: 0.5 })
    expect(loadLayout(storage, 'room-a')).toEqual({ '2': { x: 1, y: 1.4, z: -1, yaw: 0.5 } })
    expect(loadLayout(storage, 'room-b')).toEqual({})
    storage.setItem('xr-consult:layout:room-c', '{"1": {"x": "NaN"}, "2": {"x":0,"y":1,"z":-1,"yaw":0}}')
    expect(Object.keys(loadLayout(storage, 'room-c'))).toEqual(['2'])
    storage.setItem('xr-consult:layout:room-d', 'not json')
    expect(loadLayout(storage, 'room-d')).toEqual({})
  })
})

describe('facingUser', () => {
  it('turns a panel square to the line of sight from standing eyes', () => {
    // Straight ahead at eye height: no turn at all.
    expect(
      facingUser([0, EYE_HEIGHT, -1])
        .slice(0, 3)
        .map((v) => Number(v) + 0),
    ).toEqual([0, 0, 0])
    // Below and to the right: tipped up towards the eyes, turned left towards the user.
    const [pitch, yaw] = facingUser([0.6, EYE_HEIGHT - 0.6, -0.8])
    expect(pitch).toBeCloseTo(Math.atan2(-0.6, 1), 6)
    expect(yaw).toBeCloseTo(Math.atan2(-0.6, 0.8), 6)
  })
})

/**
 * The stretch of the user's view (azimuth from straight ahead, radians, growing to the right) that a flat panel of
 * half-width `halfWidth` at `position` takes when turned to face the user at the origin.
 */
function azimuthSpan([x, , z]: readonly number[], halfWidth: number): [number, number] {
  const centre = Math.atan2(x as number, -(z as number))
  // The panel's own right (+x turned by its yaw, yawFacing), in the ground plane.
  const yaw = yawFacing(x as number, z as number, 0, 0)
  const right = [Math.cos(yaw), -Math.sin(yaw)] as const
  const corners = [-1, 1].map((side) => {
    const cx = (x as number) + side * halfWidth * right[0]
    const cz = (z as number) + side * halfWidth * right[1]
    // Unwrapped round the panel's own centre, so a panel straight behind the user does not span the whole circle.
    let angle = Math.atan2(cx, -cz)
    if (angle < centre - Math.PI) angle += 2 * Math.PI
    if (angle > centre + Math.PI) angle -= 2 * Math.PI
    return angle
  })
  return [Math.min(...corners), Math.max(...corners)]
}

/** Whether two spans of azimuth share any direction, on the circle. */
function spansMeet([a0, a1]: [number, number], [b0, b1]: [number, number]): boolean {
  return [-2 * Math.PI, 0, 2 * Math.PI].some((turn) => a0 < b1 + turn && b0 + turn < a1)
}

/** Every seat order of 1 to `most` remote panels, each a patient's (true: with a vitals monitor) or not. */
function everyMonitorLayout(most: number): boolean[][] {
  const layouts: boolean[][] = []
  for (let count = 1; count <= most; count++)
    for (let bits = 0; bits < 2 ** count; bits++)
      layouts.push(Array.from({ length: count }, (_, i) => (bits & (1 << i)) !== 0))
  return layouts
}
const layoutName = (monitors: readonly boolean[]) => monitors.map((m) => (m ? 'P+monitor' : 'V')).join(' ')

/**
 * The stretch of the user's view that a stretch [from, to] of a flat panel's own plane takes (metres right of
 * its centre): the vitals monitor hangs in its panel's plane at its right (video-panel.tsx, BESIDE_OFFSET).
 */
function azimuthSpanInPlane(
  pose: { x: number; z: number; yaw: number },
  from: number,
  to: number,
): [number, number] {
  const centre = -pose.yaw
  const corners = [from, to].map((d) => {
    const cx = pose.x + d * Math.cos(pose.yaw)
    const cz = pose.z - d * Math.sin(pose.yaw)
    let angle = Math.atan2(cx, -cz)
    if (angle < centre - Math.PI) angle += 2 * Math.PI
    if (angle > centre + Math.PI) angle -= 2 * Math.PI
    return angle
  })
  return [Math.min(...corners), Math.max(...corners)]
}

/** What a consultation's arc shows, seen from the user: each panel's frame and, for a patient's, its vitals monitor. */
function arcSpans(monitors: readonly boolean[]): { name: string; span: [number, number] }[] {
  const half = PANEL_WIDTH / 2 + PANEL_BORDER
  return consultPanelPoses(monitors).flatMap((pose, i) => [
    { name: `panel ${i + 1}`, span: azimuthSpanInPlane(pose, -half, half) },
    ...(monitors[i]
      ? [
          {
            name: `monitor of panel ${i + 1}`,
            span: azimuthSpanInPlane(
              pose,
              BESIDE_OFFSET - MONITOR_WIDTH / 2,
              BESIDE_OFFSET + MONITOR_WIDTH / 2,
            ),
          },
        ]
      : []),
  ])
}

describe('a consultation’s panels and their vitals monitors', () => {
  it('never hang a monitor over another panel or monitor, whichever participants are patients', () => {
    for (const monitors of everyMonitorLayout(4)) {
      const poses = consultPanelPoses(monitors)
      const things = arcSpans(monitors)
      things.forEach((a, i) => {
        for (const b of things.slice(i + 1))
          expect(
            spansMeet(a.span, b.span),
            `${layoutName(monitors)}: ${a.name} ${a.span} meets ${b.name} ${b.span}`,
          ).toBe(false)
      })
      // The arc's panels stand round the user, facing them, in seat order left to right.
      poses.forEach((pose, i) => {
        expect(Math.hypot(pose.x, pose.z)).toBeCloseTo(PANEL_DISTANCE)
        expect(pose.yaw).toBeCloseTo(yawFacing(pose.x, pose.z, 0, 0))
        if (i > 0) expect(-pose.yaw).toBeGreaterThan(-(poses[i - 1] as typeof pose).yaw)
      })
      // Everything the call shows ends at its right edge, where shared items begin.
      const rightmost = Math.max(...things.map((t) => t.span[1]))
      expect(consultRightEdge(monitors)).toBeCloseTo(rightmost, 6)
    }
  })

  it('stand as before where no panel has a monitor at its right, and the first always does', () => {
    // The headset's side panel and the worker's miniature stand left of the first panel: the arc grows rightwards.
    for (const monitors of everyMonitorLayout(4)) {
      const [first] = consultPanelPoses(monitors)
      expect(first?.x).toBeCloseTo(defaultPanelPose(0, monitors.length).x)
      expect(first?.z).toBeCloseTo(defaultPanelPose(0, monitors.length).z)
    }
    for (const count of [1, 2, 3, 4]) {
      const plain = Array.from({ length: count }, () => false)
      consultPanelPoses(plain).forEach((pose, i) => {
        const before = defaultPanelPose(i, count)
        expect(pose.x).toBeCloseTo(before.x)
        expect(pose.z).toBeCloseTo(before.z)
      })
      // The rightmost patient's panel too: its monitor was already clear of everything.
      consultPanelPoses([...plain.slice(1), true]).forEach((pose, i) => {
        expect(pose.x).toBeCloseTo(defaultPanelPose(i, count).x)
      })
    }
  })
})

describe('the headset’s side panel beside a consultation’s panels', () => {
  const HALF = PANEL_WIDTH / 2 + PANEL_BORDER
  /** The side panel's stretch of the user's view at `position`: it is turned to face them (facingUser). */
  const sideSpan = (position: readonly number[]) => azimuthSpan(position, SIDE_PANEL_WIDTH / 2)
  /**
   * Clear space the side panel keeps from the arc, seen from the head's centre, radians (2°). The user sees with
   * eyes 3 cm either side of it and turns about the neck, 10 cm behind the eyes: the side panel, 0.1 m nearer than
   * the arc, then shifts against it by well under half a degree.
   */
  const CLEARANCE = (2 * Math.PI) / 180
  /** The panels' own gap, seen from the user, radians: what the side panel keeps from the first when it moves. */
  const PANEL_GAP_ANGLE = 0.08 / PANEL_DISTANCE

  it('never stands in front of a video panel or a vitals monitor, for 1 to 4 panels, whichever are patients', () => {
    for (const monitors of everyMonitorLayout(4)) {
      const side = sideSpan(sidePanelPosition(monitors))
      for (const thing of arcSpans(monitors)) {
        const widened: [number, number] = [thing.span[0] - CLEARANCE, thing.span[1] + CLEARANCE]
        expect(
          spansMeet(side, widened),
          `${layoutName(monitors)}: the side panel ${side} meets ${thing.name} ${thing.span} (or is within 2°)`,
        ).toBe(false)
      }
    }
  })

  it('keeps its glance spot while the arc leaves room, and otherwise moves just beyond the arc’s left end', () => {
    const glance = sideSpan(SIDE_PANEL_POSITION)
    for (const monitors of [[], ...everyMonitorLayout(4)]) {
      const at = sidePanelPosition(monitors)
      const span = sideSpan(at)
      // Same height, same distance: it reads the same, only further round.
      expect(at[1]).toBe(SIDE_PANEL_POSITION[1])
      expect(Math.hypot(at[0], at[2])).toBeCloseTo(
        Math.hypot(SIDE_PANEL_POSITION[0], SIDE_PANEL_POSITION[2]),
        9,
      )
      // Never nearer the middle than its glance spot, where the people in the call are.
      expect(span[1], layoutName(monitors)).toBeLessThanOrEqual(glance[1] + 1e-9)
      if (at === SIDE_PANEL_POSITION) continue
      // Moved: a panel gap from the first panel's frame, no further round than that.
      const [first] = consultPanelPoses(monitors)
      const firstLeft = azimuthSpanInPlane(first as PanelPose, -HALF, HALF)[0]
      expect(firstLeft - span[1], layoutName(monitors)).toBeCloseTo(PANEL_GAP_ANGLE, 6)
    }
    // Nobody yet, or one other person: the glance spot, 40° left.
    expect(sidePanelPosition([])).toBe(SIDE_PANEL_POSITION)
    expect(sidePanelPosition([true])).toBe(SIDE_PANEL_POSITION)
    expect(sidePanelPosition([false])).toBe(SIDE_PANEL_POSITION)
    // Three others (a consultation's most): about 59° left, a turn of the head like a large room's, not behind it.
    const three = sideSpan(sidePanelPosition([true, false, false]))
    expect(((three[0] + three[1]) / 2) * (180 / Math.PI)).toBeCloseTo(-58.8, 0)
    expect(sideSpan(sidePanelPosition([false, false, false, false]))[0]).toBeGreaterThan(-Math.PI / 2)
  })

  it('stands beyond a large room’s tiles as before, whoever is in the room', () => {
    for (const monitors of [[], [false], [true, false, true, false]])
      expect(sidePanelPosition(monitors, true)).toEqual(SIDE_PANEL_OF_ARC_POSITION)
  })
})

describe('shared items beside the call', () => {
  /** The call's own panels in a consultation, and in large rooms of a few sizes (tiles beside the large panel). */
  const calls = [
    ...everyMonitorLayout(4).map((monitors) => ({
      name: `video panels ${layoutName(monitors)}`,
      rightEdge: consultRightEdge(monitors),
      side: sidePanelPosition(monitors),
    })),
    ...[0, 3, 10, 29].map((tiles) => ({
      name: `a large room with ${tiles} tiles`,
      rightEdge: lectureRightEdge(tiles),
      side: sidePanelPosition([], true),
    })),
  ]
  /** More than any row holds, so the rows above are tested too. */
  const MOST_ITEMS = 12
  /** The tallest item: a portrait A4 page as wide as a panel, with its caption and buttons under it, metres. */
  const TALLEST_ITEM = PANEL_WIDTH * Math.SQRT2 + 0.12

  it('never stand behind the headset’s side panel, however many there are, in a consultation or a large room', () => {
    for (const call of calls) {
      // Where it stands for this call, and both spots it can have in any call.
      const sides = [call.side, SIDE_PANEL_POSITION, SIDE_PANEL_OF_ARC_POSITION].map((at) =>
        azimuthSpan(at, SIDE_PANEL_WIDTH / 2),
      )
      for (let slot = 0; slot < MOST_ITEMS; slot++) {
        const pose = sharedItemPose(slot, call.rightEdge)
        const span = azimuthSpan([pose.x, pose.y, pose.z], PANEL_WIDTH / 2)
        for (const side of sides)
          expect(
            spansMeet(span, side),
            `${call.name}, item ${slot + 1}: ${span} against the side panel ${side}`,
          ).toBe(false)
      }
    }
  })

  it('stand clear of the call’s own panels and their vitals monitor, and of each other', () => {
    for (const call of calls) {
      const poses = Array.from({ length: MOST_ITEMS }, (_, slot) => sharedItemPose(slot, call.rightEdge))
      poses.forEach((pose, i) => {
        const span = azimuthSpan([pose.x, pose.y, pose.z], PANEL_WIDTH / 2)
        expect(span[0], `${call.name}, item ${i + 1}`).toBeGreaterThan(call.rightEdge)
        expect(Math.hypot(pose.x, pose.z)).toBeCloseTo(PANEL_DISTANCE)
        expect(pose.yaw).toBeCloseTo(yawFacing(pose.x, pose.z, 0, 0))
        for (const other of poses.slice(0, i)) {
          const otherSpan = azimuthSpan([other.x, other.y, other.z], PANEL_WIDTH / 2)
          const apart = !spansMeet(span, otherSpan) || Math.abs(pose.y - other.y) > TALLEST_ITEM
          expect(apart, `${call.name}: items at ${span} and ${otherSpan}`).toBe(true)
        }
      })
      // The nearest item is a glance from the call's panels, at their height.
      expect(poses[0]?.row).toBe(0)
      expect(poses[0]?.y).toBe(PANEL_HEIGHT)
    }
  })

  it('leave room for the vitals monitor beside the rightmost video panel', () => {
    // One panel straight ahead: the monitor's right edge is 0.975 m right of its centre, 1.35 m out.
    expect(consultRightEdge([true])).toBeCloseTo(Math.atan(0.975 / PANEL_DISTANCE), 3)
  })
})
