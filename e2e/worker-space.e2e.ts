// Remote guidance from the on-site worker's side: a worker page in emulated AR (IWER with @iwer/sem's
// office_small room) shares the surfaces its session detects, its head pose and field of view; a specialist page
// receives them, pins a mark on a spot the worker's own hit test found, and the worker's AR view draws it there,
// held by an XR anchor. Leaving AR withdraws the space.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  joinAs,
  newParticipant,
  openInvite,
  type Participant,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'
import { aimRightController, nextXrFrames, setTrigger, xrFrames } from './xr-harness'

const suite = useAppSuite()
const { log } = suite
let specialist: Participant
let worker: Participant
/** The worker's peer id, as the specialist knows it. */
let workerPeer = ''

type Vec3 = [number, number, number]
/** Where the emulated right controller is held: in front of the worker's chest, clear of the panels. */
const HAND: Vec3 = [0.35, 1.3, -0.45]

/** What the tests read of `window.__xrConsultGuidance` (src/app/call-controller.ts). */
interface GuidanceHandle {
  actions: {
    setTool: (tool: string) => void
    pointerDown: (target: { point: Vec3; normal: Vec3 | null; approximate: boolean }) => void
    pointerUp: () => void
  }
  space: {
    lasers: Map<string, { laser: { on: boolean; hit?: Vec3 } }>
    get: (peerId: string) =>
      | {
          sharing: boolean
          fovY: number
          surfaces: Map<string, { id: string; kind: string; label: string }>
          head: { position: Vec3 } | null
        }
      | undefined
  }
  consultStore: {
    getState: () => {
      annotations: {
        records: Map<
          string,
          {
            add: { id: string; shape: { type: string }; placement: { position: Vec3 } } | null
            deleted: boolean
            points: readonly unknown[]
          }
        >
      }
    }
  }
}

afterAll(() => {
  for (const person of [specialist, worker]) if (person) console.log(person.trace.join('\n'))
})

/** The worker's space as the specialist's page has it. */
function sharedSpace(page: Page, peerId: string) {
  return page.evaluate((peer) => {
    const space = (window as TestWindow).__xrConsultGuidance?.space.get(peer)
    if (!space) return null
    return {
      sharing: space.sharing,
      fovY: space.fovY,
      surfaces: [...space.surfaces.values()].map(({ id, kind, label }) => ({ id, kind, label })),
      head: space.head?.position ?? null,
    }
  }, peerId)
}

/** Just what the tests touch of WebXR (e2e is typed without the WebXR types). */
interface Pose {
  transform: {
    position: { x: number; y: number; z: number }
    orientation: { x: number; y: number; z: number; w: number }
  }
  views: { projectionMatrix: Float32Array }[]
}
interface Frame {
  detectedPlanes?: Set<unknown>
  detectedMeshes?: Set<unknown>
  trackedAnchors?: Set<unknown>
  getViewerPose: (space: unknown) => Pose | null
  getHitTestResults: (source: unknown) => { getPose: (space: unknown) => Pose | null }[]
  getPose: (space: unknown, base: unknown) => Pose | null
}
interface Session {
  requestReferenceSpace: (type: string) => Promise<unknown>
  requestHitTestSource?: (options: { space: unknown }) => Promise<{ cancel: () => void }>
  requestAnimationFrame: (callback: (time: number, frame: Frame) => void) => number
  inputSources: Iterable<{ handedness: string; gripSpace?: unknown }>
  end: () => Promise<void>
}
interface EmulatedDevice {
  position: { set: (x: number, y: number, z: number) => void }
  controllers: {
    right: {
      position: { set: (x: number, y: number, z: number) => void }
      updateButtonValue: (id: string, value: number) => void
    }
  }
  activeSession?: Session
}
type NextFrame = <T>(read: (frame: Frame, space: unknown, session: Session) => T) => Promise<T>

type TestWindow = Window & {
  __xrConsultGuidance?: GuidanceHandle
  __xrDevice?: EmulatedDevice
  __xrSem?: { trackedPlanes: Set<unknown>; trackedMeshes: Set<unknown> }
  /** Runs a function in the worker's next XR frame with the session's local-floor space (the renderer's). */
  __nextXrFrame?: NextFrame
}

/** Installs `__nextXrFrame` in the page. A function, not a string: the CSP forbids eval, rightly. */
async function installFrameHelper(page: Page) {
  await page.evaluate(() => {
    const next: NextFrame = (read) =>
      new Promise((resolve, reject) => {
        const session = (window as TestWindow).__xrDevice?.activeSession
        if (!session) return reject(new Error('no XR session'))
        session.requestReferenceSpace('local-floor').then((space) => {
          session.requestAnimationFrame((_time, frame) => {
            try {
              resolve(read(frame, space, session))
            } catch (error) {
              reject(error)
            }
          })
        }, reject)
      })
    ;(window as TestWindow).__nextXrFrame = next
  })
}

/** The annotations the page's store holds: id, shape type, placement position. */
function annotations(page: Page) {
  return page.evaluate(() =>
    [
      ...((window as TestWindow).__xrConsultGuidance?.consultStore.getState().annotations.records.values() ??
        []),
    ]
      .filter((record) => record.add && !record.deleted)
      .map((record) => ({
        id: record.add?.id ?? '',
        type: record.add?.shape.type ?? '',
        at: record.add?.placement.position ?? [0, 0, 0],
        points: record.points.length,
      })),
  )
}

describe('the on-site worker shares their space in AR', () => {
  beforeAll(async () => {
    specialist = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    worker = await newParticipant(suite.browser, log, { width: 800, height: 450 })
    const invites = await startConsultation(specialist.page, `${suite.server.url}?debug`, 'specialist')
    await joinAs(specialist.page, 'Dr. Spec')
    await openInvite(
      worker,
      invites.worker as string,
      'Wes Worker',
      '?emulate=quest3&devui=0&env=office_small&debug',
    )
    const [panel] = await waitForPanels(specialist.page, 1, 60_000)
    workerPeer = panel?.peerId ?? ''
    await waitForPanels(worker.page, 1, 60_000)
  })

  it('loads the synthetic room from this origin and enters AR from the Enter AR button', async () => {
    // The capture arrives as one of our own chunks; the emulator then tracks its planes and meshes.
    await worker.page.waitForFunction(() => ((window as TestWindow).__xrSem?.trackedPlanes.size ?? 0) > 0)
    await worker.page.getByTestId('enter-ar').click()
    await expect.poll(() => xrFrames(worker.page), { timeout: 30_000 }).toBeGreaterThan(10)
    await installFrameHelper(worker.page)
  })

  it('gives the specialist every detected plane and mesh, with their labels', async () => {
    const detected = await worker.page.evaluate(() =>
      (window as TestWindow).__nextXrFrame?.((frame) => ({
        planes: frame.detectedPlanes?.size ?? 0,
        meshes: frame.detectedMeshes?.size ?? 0,
      })),
    )
    if (!detected) throw new Error('no XR frame')
    // office_small: walls, floor, ceiling, a door, a window, wall art and a table top as planes; the table,
    // a screen, a plant and the room's global mesh as meshes.
    expect(detected.planes).toBeGreaterThanOrEqual(8)
    expect(detected.meshes).toBeGreaterThanOrEqual(2)
    const received = async () => {
      const space = await sharedSpace(specialist.page, workerPeer)
      const surfaces = space?.surfaces ?? []
      return {
        planes: surfaces.filter((s) => s.kind === 'plane').length,
        // A mesh split for the wire arrives as pieces `${id}#${k}`: count the meshes they came from.
        meshes: new Set(surfaces.filter((s) => s.kind === 'mesh').map((s) => s.id.split('#')[0])).size,
      }
    }
    await expect.poll(received, { timeout: 20_000 }).toEqual(detected)
    const space = await sharedSpace(specialist.page, workerPeer)
    expect(space?.sharing).toBe(true)
    const labels = new Set(space?.surfaces.map((s) => s.label))
    for (const label of ['wall', 'floor', 'table']) expect(labels, `labels ${[...labels]}`).toContain(label)
  })

  it('streams the head pose (following the headset within 1 cm) and the field of view', async () => {
    const target: Vec3 = [0.4, 1.45, -0.3]
    await worker.page.evaluate((p) => (window as TestWindow).__xrDevice?.position.set(...p), target)
    await expect
      .poll(
        async () => {
          const head = (await sharedSpace(specialist.page, workerPeer))?.head
          return head
            ? Math.hypot(...head.map((c, i) => c - (target[i] as number)))
            : Number.POSITIVE_INFINITY
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBeLessThan(0.01)
    // The worker's own view: what turns a point on their video into a ray.
    const fovY = await worker.page.evaluate(() =>
      (window as TestWindow).__nextXrFrame?.((frame, space) => {
        const view = frame.getViewerPose(space)?.views[0]
        return view ? 2 * Math.atan(1 / (view.projectionMatrix[5] as number)) : 0
      }),
    )
    if (fovY === undefined) throw new Error('no XR frame')
    expect(fovY).toBeGreaterThan(0.5)
    expect((await sharedSpace(specialist.page, workerPeer))?.fovY).toBeCloseTo(fovY, 4)
  })

  it('draws the specialist’s pin where the worker’s hit test found the surface, held by an anchor', async () => {
    // Where the worker's headset says the surface straight ahead is: a WebXR hit test from the viewer.
    const hit = await worker.page.evaluate(
      () =>
        new Promise<{ point: Vec3; normal: Vec3 }>((resolve, reject) => {
          const session = (window as TestWindow).__xrDevice?.activeSession
          if (!session?.requestHitTestSource) return reject(new Error('no hit test'))
          void Promise.all([
            session.requestReferenceSpace('viewer'),
            session.requestReferenceSpace('local-floor'),
          ])
            .then(async ([viewer, floor]) => {
              const source = await session.requestHitTestSource?.({ space: viewer })
              const poll = () =>
                session.requestAnimationFrame((_time, frame) => {
                  const pose = source && frame.getHitTestResults(source)[0]?.getPose(floor)
                  if (!pose) return poll()
                  source?.cancel()
                  const { x, y, z } = pose.transform.position
                  const q = pose.transform.orientation
                  // The result's +y is the surface normal.
                  const normal: Vec3 = [
                    2 * (q.x * q.y - q.w * q.z),
                    1 - 2 * (q.x * q.x + q.z * q.z),
                    2 * (q.y * q.z + q.w * q.x),
                  ]
                  resolve({ point: [x, y, z], normal })
                })
              poll()
            })
            .catch(reject)
        }),
    )
    const before = await specialist.page.evaluate(() => [
      ...((window as TestWindow).__xrConsultGuidance?.consultStore.getState().annotations.records.keys() ??
        []),
    ])
    await specialist.page.evaluate((target) => {
      const guidance = (window as TestWindow).__xrConsultGuidance
      guidance?.actions.setTool('pin')
      guidance?.actions.pointerDown({ ...target, approximate: false })
      guidance?.actions.pointerUp()
    }, hit)
    const ids = await specialist.page.evaluate(() => [
      ...((window as TestWindow).__xrConsultGuidance?.consultStore.getState().annotations.records.keys() ??
        []),
    ])
    const id = ids.find((candidate) => !before.includes(candidate))
    expect(id, 'the pin was added').toBeDefined()

    // Drawn in the worker's XR view, straight ahead, while frames keep coming.
    await worker.page.waitForFunction(
      (name) => window.__xrConsult?.objectOnScreen(name)?.inView === true,
      `annotation:${id}`,
      { timeout: 15_000 },
    )
    const frames = await xrFrames(worker.page)
    await expect.poll(() => xrFrames(worker.page)).toBeGreaterThan(frames + 3)
    const drawnAt = await worker.page.evaluate(
      (name) => window.__xrConsult?.worldPosition(name),
      `annotation:${id}`,
    )
    if (!drawnAt) throw new Error('the pin is not in the worker’s scene')
    expect(Math.hypot(...drawnAt.map((c, i) => c - (hit.point[i] as number)))).toBeLessThan(0.01)

    // An XRAnchor holds it: its wrapper is named once the anchor is tracked, and the session tracks one.
    await worker.page.waitForFunction(
      (name) => window.__xrConsult?.worldPosition(name) != null,
      `annotation-anchor:${id}`,
      { timeout: 10_000 },
    )
    const anchors = await worker.page.evaluate(() =>
      (window as TestWindow).__nextXrFrame?.((frame) => frame.trackedAnchors?.size ?? 0),
    )
    expect(anchors).toBeGreaterThanOrEqual(1)
  })

  it('lets the worker draw on their own surfaces with the controller ray, but not through a video panel', async () => {
    // The wall straight ahead (the pin's), beside the specialist's video panel, which stands behind that wall.
    const wallZ = -1.037
    const before = (await annotations(specialist.page)).length
    await worker.page.evaluate(() => (window as TestWindow).__xrConsultGuidance?.actions.setTool('stroke'))
    await aimRightController(worker.page, [0.9, 1.2, wallZ], HAND)
    await setTrigger(worker.page, 1)
    await aimRightController(worker.page, [1.0, 1.25, wallZ], HAND)
    await aimRightController(worker.page, [1.1, 1.3, wallZ], HAND)
    await setTrigger(worker.page, 0)
    await expect
      .poll(async () => (await annotations(specialist.page)).length, { timeout: 10_000 })
      .toBe(before + 1)
    const stroke = (await annotations(specialist.page)).find((a) => a.type === 'stroke')
    expect(stroke, 'a stroke reached the specialist').toBeDefined()
    // It starts on the wall where the ray met it, and has the points drawn along it.
    const start = stroke?.at ?? [0, 0, 0]
    expect(Math.abs(start[2] - wallZ), `stroke starts at ${start}`).toBeLessThan(0.02)
    expect(Math.hypot(start[0] - 0.9, start[1] - 1.2)).toBeLessThan(0.02)
    await expect
      .poll(async () => (await annotations(specialist.page)).find((a) => a.id === stroke?.id)?.points)
      .toBeGreaterThanOrEqual(3)

    // The trigger on the panel's centre (through the wall) is the panel's, not a mark on the wall.
    const [panel] = await waitForPanels(worker.page, 1)
    const centre = await worker.page.evaluate(
      (name) => window.__xrConsult?.worldPosition(name),
      `panel-video:${panel?.peerId}`,
    )
    if (!centre) throw new Error('no panel')
    expect(centre[2], 'the panel stands behind the wall').toBeLessThan(wallZ)
    await aimRightController(worker.page, centre, HAND)
    await setTrigger(worker.page, 1)
    await setTrigger(worker.page, 0)
    await nextXrFrames(worker.page, 6)
    expect((await annotations(worker.page)).length).toBe(before + 1)
  })

  it('lets the worker draw in mid-air while a controller’s grip is held', async () => {
    const before = await annotations(specialist.page)
    const moveTip = async (at: Vec3) => {
      await worker.page.evaluate(
        (p) => (window as TestWindow).__xrDevice?.controllers.right.position.set(...p),
        at,
      )
      await nextXrFrames(worker.page)
    }
    await moveTip([0.3, 1.3, -0.55])
    // The pen tip is the controller's grip point, a few centimetres from its origin: ask the session where it is.
    const start = await worker.page.evaluate(() =>
      (window as TestWindow).__nextXrFrame?.((frame, space, session) => {
        const right = [...session.inputSources].find((source) => source.handedness === 'right')
        const grip = right?.gripSpace ? frame.getPose(right.gripSpace, space) : null
        if (!grip) return null
        const { x, y, z } = grip.transform.position
        return [x, y, z] as Vec3
      }),
    )
    if (!start) throw new Error('no grip pose')
    await worker.page.evaluate(() =>
      (window as TestWindow).__xrDevice?.controllers.right.updateButtonValue('squeeze', 1),
    )
    await nextXrFrames(worker.page)
    await moveTip([0.4, 1.35, -0.55])
    await moveTip([0.5, 1.4, -0.55])
    await worker.page.evaluate(() =>
      (window as TestWindow).__xrDevice?.controllers.right.updateButtonValue('squeeze', 0),
    )
    await nextXrFrames(worker.page)
    const added = async () =>
      (await annotations(specialist.page)).filter((a) => !before.some((b) => b.id === a.id))
    await expect
      .poll(async () => (await added())[0]?.points ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3)
    const [stroke] = await added()
    expect(stroke?.type).toBe('stroke')
    // At the controller, in the air (the controller's grip point is a few centimetres from its origin).
    const at = stroke?.at ?? [0, 0, 0]
    expect(Math.hypot(...at.map((c, i) => c - (start[i] as number))), `stroke starts at ${at}`).toBeLessThan(
      0.05,
    )
  })

  it('streams the worker’s laser to the specialist while the trigger is held on a surface', async () => {
    const wallZ = -1.037
    await worker.page.evaluate(() => (window as TestWindow).__xrConsultGuidance?.actions.setTool('laser'))
    const before = (await annotations(specialist.page)).length
    const laser = () =>
      specialist.page.evaluate(() => {
        const lasers = (window as TestWindow).__xrConsultGuidance?.space.lasers
        const [first] = [...(lasers?.values() ?? [])]
        return first ? { on: first.laser.on, hit: first.laser.hit ?? null } : null
      })
    await aimRightController(worker.page, [0.8, 1.25, wallZ], HAND)
    await setTrigger(worker.page, 1)
    await aimRightController(worker.page, [0.85, 1.3, wallZ], HAND)
    await expect.poll(async () => (await laser())?.on, { timeout: 10_000 }).toBe(true)
    const hit = (await laser())?.hit ?? [0, 0, 0]
    // Where the ray meets the wall, wherever in the latest frames the ray was.
    expect(Math.abs(hit[2] - wallZ), `laser hit ${hit}`).toBeLessThan(0.02)
    expect(hit[0]).toBeGreaterThan(0.75)
    await setTrigger(worker.page, 0)
    await expect.poll(async () => (await laser())?.on, { timeout: 10_000 }).toBe(false)
    // Pointing marks nothing.
    expect((await annotations(specialist.page)).length).toBe(before)
  })

  it('tells the specialist the space is no longer shared when the worker leaves AR', async () => {
    await worker.page.evaluate(() => (window as TestWindow).__xrDevice?.activeSession?.end())
    await expect
      .poll(async () => {
        const space = await sharedSpace(specialist.page, workerPeer)
        return { sharing: space?.sharing, surfaces: space?.surfaces.length }
      })
      .toEqual({ sharing: false, surfaces: 0 })
  })

  it('made no request outside the origin (the room capture included)', () => {
    expect(log.urls.some((url) => /\/assets\/office_small-[\w-]+\.js$/.test(url))).toBe(true)
    expect(log.foreign(suite.server.origin)).toEqual([])
    expect([...specialist.errors, ...worker.errors]).toEqual([])
  })
})
