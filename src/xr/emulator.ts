// `?emulate=quest3`: installs the IWER WebXR emulator (a Meta Quest 3) so the whole flow runs on a desktop with
// no headset. Loaded with import() only when asked for, so the emulator never ships in the normal bundle.
// `&env=office_small` (or another of @iwer/sem's captured rooms) adds a synthetic environment: the room an AR
// session sees, with the planes, meshes and hit tests a real headset would report in it.

/** The rooms @iwer/sem bundles as captures (its `lib/captures/registry.js`). */
export const SYNTHETIC_ENVIRONMENTS = [
  'office_small',
  'office_large',
  'meeting_room',
  'living_room',
  'music_room',
] as const
export type SyntheticEnvironment = (typeof SYNTHETIC_ENVIRONMENTS)[number]

export type EmulatorRequest = { device: 'quest3'; devUi: boolean; environment: SyntheticEnvironment | null }

function isEnvironment(name: string | null): name is SyntheticEnvironment {
  return (SYNTHETIC_ENVIRONMENTS as readonly (string | null)[]).includes(name)
}

export function emulatorRequested(search: string): EmulatorRequest | null {
  const params = new URLSearchParams(search)
  if (params.get('emulate') !== 'quest3') return null
  const env = params.get('env')
  return {
    device: 'quest3',
    // The dev UI (a panel to move the emulated head and controllers) is for people; tests drive the device directly.
    devUi: params.get('devui') !== '0',
    environment: isEnvironment(env) ? env : null,
  }
}

export async function installEmulator(request: EmulatorRequest) {
  const { XRDevice, metaQuest3 } = await import('iwer')
  const device = new XRDevice(metaQuest3)
  // Desktop Chromium exposes a native navigator.xr with no device behind it; without forceInstall IWER would
  // step aside for it and every "Enter VR" would fail with "No XR hardware found".
  device.installRuntime({ forceInstall: true })
  if (request.devUi) {
    const { DevUI } = await import('@iwer/devui')
    device.installDevUI(DevUI)
  }
  if (request.environment) {
    const { SyntheticEnvironmentModule } = await import('@iwer/sem')
    // IWER 2.5 types the module with computeDepthBuffer, which @iwer/sem 0.2.5 predates. IWER calls it only for
    // 'depth-sensing', which our sessions never request (src/xr/xr-store.ts).
    device.installSEM(SyntheticEnvironmentModule as unknown as Parameters<typeof device.installSEM>[0])
    // The ES build (lib/, what Vite resolves) imports the capture as a chunk of this app; only the UMD build
    // fetches it from unpkg, which the CSP and the "nothing leaves the origin" rule would both refuse.
    device.sem?.loadDefaultEnvironment(request.environment)
    ;(globalThis as { __xrSem?: unknown }).__xrSem = device.sem
  }
  // For scripted tests: move the head, press buttons, pinch (see e2e/).
  ;(globalThis as { __xrDevice?: unknown }).__xrDevice = device
  return device
}
