// The one piece of shared interaction state in the scene: dragging a panel with the mouse must pause the orbit
// camera, or both would move at once. Kept out of React state because it changes on every drag start/end.

interface Orbit {
  enabled: boolean
  target: { set(x: number, y: number, z: number): unknown }
  update(): unknown
}

let orbitControls: Orbit | null = null

export function registerOrbitControls(controls: Orbit | null) {
  orbitControls = controls
}

/** Turns the desktop camera to look at `point` (the `?debug` probe's focus, for tests); false in XR. */
export function aimOrbit(point: readonly [number, number, number]): boolean {
  if (!orbitControls) return false
  orbitControls.target.set(...point)
  orbitControls.update()
  return true
}

export function setOrbitEnabled(enabled: boolean) {
  if (orbitControls) orbitControls.enabled = enabled
}
