// The XR store: sessions, input and features, configured so that nothing is fetched from outside the origin.
import { createXRStore } from '@react-three/xr'
import { countShortPressesByFrames } from './frame-counted-clicks'

/** Longest press that still counts as a click in XR, ms. */
const XR_CLICK_MS = 600

export type ConsultXRStore = ReturnType<typeof createXRStore>

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
    // No teleporting in a consultation (so the build leaves out the teleport ray's meshline: ./no-teleport-line.ts).
    // A trigger pull or pinch counts as a click for up to 600 ms (the default 300 ms is a mouse click; a gloved
    // hand on a headset is slower, and so is a headset dropping frames).
    hand: {
      teleportPointer: false,
      rayPointer: { clickThresholdMs: XR_CLICK_MS },
      touchPointer: { clickThresholdMs: XR_CLICK_MS },
    },
    controller: { teleportPointer: false, rayPointer: { clickThresholdMs: XR_CLICK_MS } },
  })
  // ...and a press released within a few frames is a click however long they took (./frame-counted-clicks.ts).
  let removeClickRule: (() => void) | undefined
  const unsubscribeClickRule = store.subscribe((state, previous) => {
    if (state.session === previous.session) return
    removeClickRule?.()
    removeClickRule = state.session ? countShortPressesByFrames(state.session) : undefined
  })
  const destroyStore = store.destroy
  return Object.assign(store, {
    /**
     * For when the call screen whose 3D view this store served goes: ends its XR session, if there is one, and
     * unhooks the store from the page. Needed, not tidiness: @pmndrs/xr's store keeps the WebXRManager of the
     * last renderer <XR> connected it to (in a closure, with no way to clear it), and listens on navigator.xr
     * for 'sessiongranted' through a closure over that same variable. A store that outlives its canvas so
     * keeps, from navigator.xr, that renderer, its WebGL context, the canvas, and through the canvas's parents
     * the whole left call screen: measured (bench/long-call.mjs part 1, a heap snapshot of the patient after one
     * join and leave), the detached call screen with its 2 remote audio elements and their 48 media listeners,
     * its inputs, selects and details, and one WebGL context, for as long as the page lived. @pmndrs/xr's own
     * `destroy` removes that listener, after which nothing reaches the store.
     */
    destroy() {
      // An already ended session refuses a second end; either way it is over.
      store
        .getState()
        .session?.end()
        .catch(() => undefined)
      unsubscribeClickRule()
      removeClickRule?.()
      removeClickRule = undefined
      destroyStore()
    },
  })
}
