import { describe, expect, it } from 'vitest'
import {
  defaultPanelPose,
  EYE_HEIGHT,
  facingUser,
  loadLayout,
  PANEL_DISTANCE,
  PANEL_WIDTH,
  savePanelPose,
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
