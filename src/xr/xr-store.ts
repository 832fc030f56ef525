// The XR store: sessions, input and features, configured so that nothing is fetched from outside the origin.
import { createXRStore } from '@react-three/xr'
import type { WebXRManager } from 'three'

/** Longest press that still counts as a click in XR, ms. */
const XR_CLICK_MS = 600

export type ConsultXRStore = ReturnType<typeof createXRStore> & {
  /**
   * The canvas whose renderer owns `manager` has gone: the store lets go of it, unless a newer canvas has already
   * handed it its own (see createConsultXRStore).
   */
  releaseWebXRManager(manager: WebXRManager): void
}

/**
 * What the store holds while no canvas is mounted: a manager with no renderer behind it. The store only adds and
 * removes its session-start listener and sets the reference space on it; entering XR needs a mounted canvas,
 * which hands the store its own manager first.
 */
const NO_RENDERER = {
  isPresenting: false,
  addEventListener() {},
  removeEventListener() {},
  setReferenceSpaceType() {},
  setFoveation() {},
  getSession: () => null,
} as unknown as WebXRManager

/** @param profilesUrl where this server serves @webxr-input-profiles/assets (controller and hand models) */
export function createConsultXRStore(profilesUrl: string): ConsultXRStore {
  const store = createXRStore({
    // We install IWER ourselves, only when asked (src/xr/emulator.ts); the built-in injection would also load
    // a synthetic room and the emulator into every localhost page.
    emulate: false,
    // An offered session is superseded at every session end and leaves an unhandled rejection behind.
    offerSession: false,
    baseAssetPath: profilesUrl,
    // What the on-site worker's AR session needs to share their surroundings and keep marks on real surfaces:
    // anchors (marks that stay put as tracking refines), detected planes and meshes (what the others aim at) and
    // hit tests. All optional: a headset without one still enters, and the code using each checks it is there.
    anchors: true,
    planeDetection: true,
    meshDetection: true,
    hitTest: true,
    // No teleporting in a consultation. A trigger pull or pinch counts as a click for up to 600 ms (the default
    // 300 ms is a mouse click; a gloved hand on a headset is slower, and so is a headset dropping frames).
    hand: {
      teleportPointer: false,
      rayPointer: { clickThresholdMs: XR_CLICK_MS },
      touchPointer: { clickThresholdMs: XR_CLICK_MS },
    },
    controller: { teleportPointer: false, rayPointer: { clickThresholdMs: XR_CLICK_MS } },
  })
  // The store lives for the page, canvases for a call: left to itself it keeps the last canvas's WebXRManager,
  // and through it that renderer, its canvas and the whole left call screen around it (detached DOM, its audio
  // elements; measured by bench/long-call.mjs part 1 on the patient's page).
  const connect = store.setWebXRManager
  let current: WebXRManager | undefined
  return Object.assign(store, {
    setWebXRManager(manager: WebXRManager) {
      current = manager
      connect(manager)
    },
    releaseWebXRManager(manager: WebXRManager) {
      if (current !== manager) return
      current = undefined
      connect(NO_RENDERER)
    },
  })
}
