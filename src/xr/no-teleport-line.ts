// What @pmndrs/xr's teleport module gets in place of meshline (see vite.config.ts): meshline draws only the teleport
// ray, and a consultation never teleports (`teleportPointer: false` for hands and controllers in ./xr-store.ts,
// which is also @react-three/xr's default), so its 2.6 KB gzip came with every 3D view for nothing. Should
// teleporting ever be switched on, the ray fails loudly here instead of silently drawing nothing.
class TeleportRayIsOff {
  constructor() {
    throw new Error('The teleport ray is not built into this app (src/xr/no-teleport-line.ts)')
  }
}

export { TeleportRayIsOff as MeshLineGeometry, TeleportRayIsOff as MeshLineMaterial }
