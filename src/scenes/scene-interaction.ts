// The one piece of shared interaction state in the scene: dragging a panel with the mouse must pause the orbit
// camera, or both would move at once. Kept out of React state because it changes on every drag start/end.

let orbitControls: { enabled: boolean } | null = null

export function registerOrbitControls(controls: { enabled: boolean } | null) {
  orbitControls = controls
}

export function setOrbitEnabled(enabled: boolean) {
  if (orbitControls) orbitControls.enabled = enabled
}
