// A real React Three Fiber root in node (a stand-in renderer, no frame loop): what the root store keeps of a
// component that used useFrame and has left the scene, as a remote video panel does when its participant leaves.
import { createRoot, type RootState, useFrame, useThree } from '@react-three/fiber'
import { createElement, Fragment } from 'react'
import { describe, expect, it } from 'vitest'
import { collectGarbage } from './gc-test-kit'
import { releaseInitialInternals, releaseTornDownRoot, tornDown } from './root-state-release'

/** Just enough of a WebGLRenderer and a canvas for R3F to configure a root that never draws. */
function standIns() {
  const canvas = {
    style: {},
    width: 100,
    height: 100,
    parentElement: null,
    addEventListener() {},
    removeEventListener() {},
  }
  const gl = {
    domElement: canvas,
    xr: { enabled: false, isPresenting: false, addEventListener() {}, removeEventListener() {} },
    shadowMap: {},
    debug: {},
    render() {},
    setPixelRatio() {},
    setSize() {},
    setAnimationLoop() {},
    dispose() {},
    forceContextLoss() {},
    renderLists: { dispose() {} },
  }
  return { canvas: canvas as unknown as HTMLCanvasElement, gl: gl as never }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

/** A root on stand-ins, configured as the call's canvas is, with no frame loop ('never': node has none). */
async function mountRoot(
  onCreated?: (state: RootState) => void,
  onPointerMissed?: (event: MouseEvent) => void,
) {
  const { canvas, gl } = standIns()
  const root = createRoot(canvas)
  await root.configure({
    gl,
    size: { width: 100, height: 100, top: 0, left: 0 },
    frameloop: 'never',
    onCreated,
    ...(onPointerMissed ? { onPointerMissed } : {}),
  })
  return root
}

function Staying() {
  useFrame(() => {})
  return null
}

/** A scene part that arrives after the canvas mounted and leaves again, holding `held` in its frame callback. */
function Leaving({ held }: { held: { payload: number[] } }) {
  useFrame(() => {
    held.payload.length
  })
  return null
}

/** Mounts a root, adds and removes a Leaving part; whether its object can still be reached afterwards. */
async function leftBehind(onCreated?: (state: RootState) => void): Promise<boolean> {
  const root = await mountRoot(onCreated)
  root.render(createElement(Staying))
  await settle()
  const ref = (() => {
    const held = { payload: new Array<number>(1000).fill(1) }
    root.render(createElement(Fragment, null, createElement(Staying), createElement(Leaving, { held })))
    return new WeakRef(held)
  })()
  await settle()
  // Twice: React keeps the tree before the last commit as its work-in-progress copy until the next one.
  for (let i = 0; i < 2; i++) {
    root.render(createElement(Staying))
    await settle()
  }
  await collectGarbage()
  const reachable = ref.deref() !== undefined
  root.unmount()
  await settle()
  return reachable
}

describe('releaseInitialInternals', () => {
  it('leaves nothing of a scene part that has gone reachable from the root store', async () => {
    expect(await leftBehind(releaseInitialInternals)).toBe(false)
  })

  it('is needed: without it, R3F keeps the part through the store’s initial state', async () => {
    // If this fails, R3F (or zustand) no longer shares these arrays with the initial state: the release in
    // call-scene.tsx's onCreated has become unnecessary and can go.
    expect(await leftBehind()).toBe(true)
  })

  it('changes nothing when R3F did not copy its internals', () => {
    const internal = { subscribers: [1], interaction: [2] }
    releaseInitialInternals({ internal, get: () => ({ internal }) })
    expect(internal).toEqual({ subscribers: [1], interaction: [2] })
  })
})

/** Hands out the root's state while mounted, as R3F's frame loop keeps the state and subscribers it read last. */
function Recorder({ onState }: { onState: (state: RootState) => void }) {
  const get = useThree((s) => s.get)
  onState(get())
  return null
}

describe('releaseTornDownRoot', () => {
  it('leaves nothing of a torn-down canvas reachable through the state and subscribers its last frame read', async () => {
    // What R3F's module-level loop variables would hold after the canvas went: the state and its subscribers.
    const { ref, kept } = await (async () => {
      const root = await mountRoot(releaseInitialInternals)
      let state: RootState | undefined
      const held = { payload: new Array<number>(1000).fill(1) }
      root.render(
        createElement(
          Fragment,
          null,
          createElement(Leaving, { held }),
          createElement(Recorder, {
            onState: (s: RootState) => {
              state = s
            },
          }),
        ),
      )
      await settle()
      const last = state?.get()
      const kept = { state: last, subscribers: last?.internal.subscribers }
      root.unmount()
      return { ref: new WeakRef(held), kept }
    })()
    for (let i = 0; i < 50 && !tornDown(kept.state); i++) await settle()
    expect(tornDown(kept.state), 'R3F tore the root down').toBe(true)
    releaseTornDownRoot([kept.state, kept.state?.get()], [kept.subscribers])
    await collectGarbage()
    expect(ref.deref()).toBeUndefined()
    expect(kept.state?.gl).toBeNull()
  })

  it('lets go of what the canvas’s onPointerMissed closes over', async () => {
    // <Canvas> passes a callback of its own, whose scope holds the canvas's container div and the state its
    // onCreated received (renderer and all): a stand-in for that scope here.
    const { ref, kept } = await (async () => {
      const scope = { payload: new Array<number>(1000).fill(1) }
      const root = await mountRoot(releaseInitialInternals, () => {
        scope.payload.length
      })
      let state: RootState | undefined
      root.render(
        createElement(Recorder, {
          onState: (s: RootState) => {
            state = s
          },
        }),
      )
      await settle()
      const last = state?.get()
      root.unmount()
      return { ref: new WeakRef(scope), kept: { state: last, subscribers: last?.internal.subscribers } }
    })()
    for (let i = 0; i < 50 && !tornDown(kept.state); i++) await settle()
    expect(tornDown(kept.state), 'R3F tore the root down').toBe(true)
    releaseTornDownRoot([kept.state, kept.state?.get()], [kept.subscribers])
    await collectGarbage()
    expect(ref.deref()).toBeUndefined()
  })
})
