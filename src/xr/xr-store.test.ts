import type { WebXRManager } from 'three'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createConsultXRStore } from './xr-store'

/** A renderer's WebXRManager, as far as the store uses one outside a session; records its listeners. */
function manager() {
  const listeners = new Set<unknown>()
  const fake = {
    listeners,
    isPresenting: false,
    addEventListener: (_type: string, listener: unknown) => listeners.add(listener),
    removeEventListener: (_type: string, listener: unknown) => listeners.delete(listener),
    setReferenceSpaceType() {},
    setFoveation() {},
    getSession: () => null,
  }
  return fake as typeof fake & WebXRManager
}

describe('the page’s XR store and a call’s canvas', () => {
  // Node 20 has no navigator; a browser without WebXR has one without `xr`, which is what the store then reads.
  beforeEach(() => vi.stubGlobal('navigator', {}))
  afterEach(() => vi.unstubAllGlobals())

  it('lets go of a canvas’s manager when that canvas goes, not of a newer one', () => {
    const store = createConsultXRStore('http://localhost/profiles/')
    const first = manager()
    store.setWebXRManager(first)
    expect(first.listeners.size).toBe(1)
    store.releaseWebXRManager(first)
    // Its session-start listener is gone: nothing of the store reaches that renderer any more.
    expect(first.listeners.size).toBe(0)

    const second = manager()
    const third = manager()
    store.setWebXRManager(second)
    store.setWebXRManager(third)
    // The second canvas goes after the third has taken over: the third stays connected.
    store.releaseWebXRManager(second)
    expect(third.listeners.size).toBe(1)
    store.destroy()
  })
})
