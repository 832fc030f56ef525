// The XR store in node, on a stand-in navigator.xr: what it keeps of the renderer it was connected to, and that
// destroying it (as a call screen does when it goes, src/app/call-view.tsx) lets go of that renderer.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { collectGarbage } from '../scenes/gc-test-kit'
import { createConsultXRStore } from './xr-store'

/** navigator.xr as far as the store uses it outside a session: listeners, counted. */
class StandInXRSystem extends EventTarget {
  listeners = 0
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>) {
    this.listeners++
    super.addEventListener(...args)
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>) {
    this.listeners--
    super.removeEventListener(...args)
  }
}

/** Just enough of three's WebXRManager for `setWebXRManager`, with a payload standing for renderer and canvas. */
function standInManager() {
  return {
    payload: new Array<number>(1000).fill(1),
    addEventListener() {},
    removeEventListener() {},
    setReferenceSpaceType() {},
    setFoveation() {},
  }
}

let xr: StandInXRSystem
beforeEach(() => {
  xr = new StandInXRSystem()
  vi.stubGlobal('navigator', { xr })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

/** A store connected to a stand-in renderer, as <XR> connects it; the store itself is dropped at once. */
function connectedStore(destroy: boolean) {
  const manager = standInManager()
  const store = createConsultXRStore('/profiles/')
  store.setWebXRManager(manager as never)
  if (destroy) store.destroy()
  return new WeakRef(manager)
}

describe('the XR store of a call screen', () => {
  it('lets go of the renderer it was connected to once destroyed, and of navigator.xr', async () => {
    const manager = connectedStore(true)
    expect(xr.listeners).toBe(0)
    await collectGarbage()
    expect(manager.deref()).toBeUndefined()
  })

  it('is needed: a store kept alive only by navigator.xr still holds the renderer', async () => {
    // If this fails, @pmndrs/xr no longer keeps the renderer from navigator.xr: a page-wide store would do again.
    const manager = connectedStore(false)
    expect(xr.listeners).toBeGreaterThan(0)
    await collectGarbage()
    expect(manager.deref()).toBeDefined()
  })
})
