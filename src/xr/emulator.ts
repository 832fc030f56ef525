// `?emulate=quest3`: installs the IWER WebXR emulator (a Meta Quest 3) so the whole flow runs on a desktop with
// no headset. Loaded with import() only when asked for, so the emulator never ships in the normal bundle.

export type EmulatorRequest = { device: 'quest3'; devUi: boolean }

export function emulatorRequested(search: string): EmulatorRequest | null {
  const params = new URLSearchParams(search)
  if (params.get('emulate') !== 'quest3') return null
  // The dev UI (a panel to move the emulated head and controllers) is for people; tests drive the device directly.
  return { device: 'quest3', devUi: params.get('devui') !== '0' }
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
  // For scripted tests: move the head, press buttons, pinch (see e2e/).
  ;(globalThis as { __xrDevice?: unknown }).__xrDevice = device
  return device
}
