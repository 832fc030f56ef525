// The XR store: sessions, input and features, configured so that nothing is fetched from outside the origin.
import { createXRStore } from '@react-three/xr'

export type ConsultXRStore = ReturnType<typeof createXRStore>

/** @param profilesUrl where this server serves @webxr-input-profiles/assets (controller and hand models) */
export function createConsultXRStore(profilesUrl: string): ConsultXRStore {
  return createXRStore({
    // We install IWER ourselves, only when asked (src/xr/emulator.ts); the built-in injection would also load
    // a synthetic room and the emulator into every localhost page.
    emulate: false,
    // An offered session is superseded at every session end and leaves an unhandled rejection behind.
    offerSession: false,
    baseAssetPath: profilesUrl,
    // Hands are how a clinician keeps gloves on and still moves a panel: pinch to grab.
    hand: { teleportPointer: false },
    controller: { teleportPointer: false },
  })
}
