// Remote guidance from the specialist's side, end to end without the worker's AR: the worker's page shares a space
// (a wall mesh and a floor plane) and head poses through its real call session, and the specialist marks it with
// real mouse input, on the miniature of the worker's room and on the worker's video, live and frozen. Every mark
// must reach both pages, where the worker would see it.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Quat, Vec3 } from '../src/annotations/model'
import { raycastSurfaces, rayThroughImage } from '../src/annotations/raycast'
import type { SpaceFeed, Surface } from '../src/annotations/space'
import type { DebugCall } from '../src/call/runtime'
import type { CallStore } from '../src/state/call-store'
import {
  differingPixels,
  joinAs,
  keepScreenshot,
  newParticipant,
  openInvite,
  type Participant,
  sampleCanvas,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'
import { toScreen } from './xr-harness'

/** What a `?debug` page exposes (src/call/runtime.ts). */
type DebugWindow = Window & {
  __xrConsultCall?: DebugCall
  __xrConsultGuidance?: { consultStore: CallStore; space: SpaceFeed }
}
declare const window: DebugWindow

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

const suite = useAppSuite()
const { log } = suite
let specialist: Participant
let worker: Participant
let workerPeer = ''

afterAll(() => {
  for (const person of [specialist, worker]) if (person) console.log(person.trace.join('\n'))
})

/** The worker's room, in their reference space (metres): a 2 m × 2 m floor and the wall behind it, facing the room. */
const FOV_Y = 1.2
const FLOOR = {
  kind: 'plane' as const,
  id: 'floor',
  label: 'floor',
  position: [0, 0, -1] as Vec3,
  orientation: [0, 0, 0, 1] as Quat,
  polygon: [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ] as [number, number][],
}
/** Counter-clockwise seen from +z: the front faces into the room. */
const WALL = {
  kind: 'mesh' as const,
  id: 'wall',
  label: 'wall',
  position: [0, 0, -2] as Vec3,
  orientation: [0, 0, 0, 1] as Quat,
  vertices: [-1, 0, 0, 1, 0, 0, 1, 1.5, 0, -1, 1.5, 0],
  indices: [0, 1, 2, 0, 2, 3],
}
const SURFACES: Surface[] = [
  FLOOR,
  { ...WALL, vertices: new Float32Array(WALL.vertices), indices: new Uint16Array(WALL.indices) },
]

/** A head at standing height near the room's front, looking 15° down; then turned 20° to the left. */
function pitchYaw(pitch: number, yaw: number): Quat {
  // yaw about y, then pitch about the turned x: q = qy * qx.
  const [sy, cy, sx, cx] = [Math.sin(yaw / 2), Math.cos(yaw / 2), Math.sin(pitch / 2), Math.cos(pitch / 2)]
  return [cy * sx, sy * cx, -sy * sx, cy * cx]
}
const HEAD = { position: [0, 1.2, 0] as Vec3, orientation: pitchYaw((-15 * Math.PI) / 180, 0) }
const TURNED = { position: [0, 1.2, 0] as Vec3, orientation: pitchYaw((-15 * Math.PI) / 180, Math.PI / 9) }
/** The fake camera's frames are 4:3 at every size WebRTC picks. */
const ASPECT = 4 / 3

interface SeenAnnotation {
  id: string
  type: string
  position: Vec3
  points: number
}

/** The annotations a page holds (what its scene draws): the store's records, as materialize() reads them. */
function annotations(page: Page): Promise<SeenAnnotation[]> {
  return page.evaluate(() => {
    const state = window.__xrConsultGuidance?.consultStore.getState().annotations
    const seen: SeenAnnotation[] = []
    for (const record of state?.records.values() ?? []) {
      if (record.deleted || !record.add || record.clock < (state?.clearedBelow ?? 0)) continue
      seen.push({
        id: record.add.id,
        type: record.add.shape.type,
        position: record.add.placement.position,
        points: record.add.shape.type === 'stroke' ? record.points.filter((p) => p !== null).length : 0,
      })
    }
    return seen
  })
}

async function sendHead(pose: { position: Vec3; orientation: Quat }, seq: number) {
  await worker.page.evaluate(
    ({ pose, seq }) => window.__xrConsultCall?.broadcastHeadPose({ seq, capturedAt: Date.now(), ...pose }),
    { pose, seq },
  )
  // Arrived when the specialist's feed holds this orientation.
  await specialist.page.waitForFunction(
    ({ peer, w }) =>
      Math.abs((window.__xrConsultGuidance?.space.get(peer)?.head?.orientation[3] ?? 0) - w) < 1e-6,
    { peer: workerPeer, w: pose.orientation[3] },
  )
}

function distance(a: Vec3, b: Vec3) {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
}

/**
 * How wide the worker's room (its floor and wall, with the space above the floor) is drawn, CSS pixels: the
 * projected bounding box of its corners (after the camera has settled; zoomed in, some may lie off screen).
 */
async function miniatureWidth(): Promise<number> {
  await toScreen(specialist.page, [0, 0, -1])
  const xs = await specialist.page.evaluate(() => {
    const list: number[] = []
    for (const x of [-1, 1])
      for (const y of [0, 1.5])
        for (const z of [-2, 0])
          list.push(window.__xrConsult?.workerSpaceToScreen([x, y, z])?.x ?? Number.NaN)
    return list
  })
  return Math.max(...xs) - Math.min(...xs)
}

async function both(check: (list: SeenAnnotation[]) => boolean, what: string) {
  for (const person of [specialist, worker]) {
    await expect
      .poll(async () => check(await annotations(person.page)), { timeout: 10_000, message: what })
      .toBe(true)
  }
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  specialist = await newParticipant(suite.browser, log)
  worker = await newParticipant(suite.browser, log, { width: 640, height: 360 })
  const invites = await startConsultation(specialist.page, `${suite.server.url}?debug`, 'specialist')
  await joinAs(specialist.page, 'Dr. Guide')
  await openInvite(worker, invites.worker as string, 'Wes Worker', '?debug')
  const [panel] = await waitForPanels(specialist.page, 1, 60_000)
  workerPeer = panel?.peerId ?? ''
})

describe('the specialist guiding a worker who shares their space', () => {
  it('says the worker is not sharing until they do, then shows their room in miniature', async () => {
    await expect
      .poll(() => specialist.page.getByRole('status').textContent(), { timeout: 15_000 })
      .toBe('Wes Worker is not sharing their surroundings. Ask them to press Enter AR.')
    await worker.page.evaluate(
      ({ fovY, floor, wall }) => {
        const call = window.__xrConsultCall
        call?.shareSpace(true, fovY)
        call?.shareSurface(floor)
        call?.shareSurface({
          ...wall,
          vertices: new Float32Array(wall.vertices),
          indices: new Uint16Array(wall.indices),
        })
      },
      { fovY: FOV_Y, floor: FLOOR, wall: WALL },
    )
    await sendHead(HEAD, 1)
    await specialist.page.waitForFunction(() => window.__xrConsult?.objectOnScreen('surface:wall')?.inView)
    expect(
      await specialist.page.evaluate(() => window.__xrConsult?.objectOnScreen('surface:floor')?.inView),
    ).toBe(true)
    await specialist.page.getByRole('status').waitFor({ state: 'detached' })
    // The worker's head marker stands where their pose says, inside the miniature.
    await expect
      .poll(
        () =>
          specialist.page.evaluate((p) => {
            const marker = window.__xrConsult?.objectOnScreen('worker-head')
            const expected = window.__xrConsult?.workerSpaceToScreen(p)
            return marker && expected ? Math.hypot(marker.x - expected.x, marker.y - expected.y) : null
          }, HEAD.position),
        { timeout: 10_000 },
      )
      .toBeLessThan(1)
  })

  it('shows the worker’s room large enough to work on: at least 400 px across at 1280×720', async () => {
    await keepScreenshot(specialist.page, join(SCREENSHOTS, 'specialist-miniature.png'))
    expect(await miniatureWidth()).toBeGreaterThanOrEqual(400)
  })

  it('draws a stroke on the miniature by dragging, with many points, on both pages', async () => {
    await specialist.page.getByRole('radio', { name: 'Draw' }).click()
    const from = await toScreen(specialist.page, [-0.8, 0.3, -2])
    const to = await toScreen(specialist.page, [-0.1, 0.6, -2])
    const page = specialist.page
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    for (let step = 1; step <= 25; step++) {
      await page.mouse.move(from.x + ((to.x - from.x) * step) / 25, from.y + ((to.y - from.y) * step) / 25)
    }
    await page.mouse.up()
    await both(
      (list) => list.length === 1 && list[0]?.type === 'stroke' && (list[0]?.points ?? 0) >= 15,
      'a stroke of at least 15 points',
    )
    // The stroke starts where the drag did (the wall at z = -2), and the orbit camera held still meanwhile.
    const [stroke] = await annotations(worker.page)
    expect(distance(stroke?.position ?? [0, 0, 0], [-0.8, 0.3, -2])).toBeLessThan(0.02)
    const after = await toScreen(specialist.page, [-0.8, 0.3, -2])
    expect(Math.hypot(after.x - from.x, after.y - from.y)).toBeLessThan(1)
  })

  it('puts a pin where the miniature was clicked, within 1 cm, on both pages', async () => {
    await specialist.page.getByRole('radio', { name: 'Pin' }).click()
    const point: Vec3 = [0.4, 0.9, -2]
    const screen = await toScreen(specialist.page, point)
    await specialist.page.mouse.click(screen.x, screen.y)
    await both(
      (list) => list.some((a) => a.type === 'pin' && distance(a.position, point) < 0.01),
      `a pin within 1 cm of ${point}`,
    )
  })

  it('labels the pin legibly: its text box at least 12 px tall on screen', async () => {
    await expect
      .poll(() => specialist.page.evaluate(() => window.__xrConsult?.spriteHeights('pin-label:') ?? []))
      .toHaveLength(1)
    await keepScreenshot(specialist.page, join(SCREENSHOTS, 'specialist-pin.png'))
    const [height = 0] = await specialist.page.evaluate(
      () => window.__xrConsult?.spriteHeights('pin-label:') ?? [],
    )
    expect(height).toBeGreaterThanOrEqual(12)
  })

  it('puts a pin where the worker looks when their video is clicked at its centre, and up-right of it above', async () => {
    const expected = raycastSurfaces(SURFACES, rayThroughImage(HEAD, FOV_Y, ASPECT, 0.5, 0.5))
    if (!expected) throw new Error('the test room has no surface ahead of the head')
    expect(expected.surfaceId).toBe('wall')
    const [panel] = await waitForPanels(specialist.page, 1)
    if (!panel) throw new Error('no panel')
    await specialist.page.mouse.click(panel.x, panel.y)
    await both((list) => list.filter((a) => a.type === 'pin').length === 2, 'a second pin, from the video')
    const centre = (await annotations(worker.page)).filter((a) => a.type === 'pin')[1]
    expect(distance(centre?.position ?? [0, 0, 0], expected.point)).toBeLessThan(0.02)

    // Up and to the right on the video is up and to the right on the wall (the image's v runs down, three's up).
    await specialist.page.mouse.click(panel.x + 40, panel.y - 40)
    await both((list) => list.filter((a) => a.type === 'pin').length === 3, 'a third pin, from the video')
    const offset = (await annotations(worker.page)).filter((a) => a.type === 'pin')[2]?.position ?? [0, 0, 0]
    expect(offset[0]).toBeGreaterThan(expected.point[0] + 0.05)
    expect(offset[1]).toBeGreaterThan(expected.point[1] + 0.05)
  })

  it('marks by the frozen pose after Freeze, whatever the head does, and Undo removes it everywhere', async () => {
    const page = specialist.page
    const [panel] = await waitForPanels(page, 1)
    if (!panel) throw new Error('no panel')
    await page.getByRole('button', { name: 'Freeze' }).click()
    await expect
      .poll(() => page.getByRole('button', { name: 'Live' }).getAttribute('aria-pressed'))
      .toBe('true')
    // A frozen panel holds still while the fake camera's frame counter runs on.
    const first = await sampleCanvas(page, panel.x, panel.y, 40)
    await page.waitForTimeout(1000)
    expect(differingPixels(first.raw, (await sampleCanvas(page, panel.x, panel.y, 40)).raw)).toBeLessThan(5)

    await sendHead(TURNED, 2)
    const frozenHit = raycastSurfaces(SURFACES, rayThroughImage(HEAD, FOV_Y, ASPECT, 0.5, 0.5))
    const liveHit = raycastSurfaces(SURFACES, rayThroughImage(TURNED, FOV_Y, ASPECT, 0.5, 0.5))
    if (!frozenHit || !liveHit) throw new Error('the test room has no surface ahead of the head')
    // Otherwise the test could not tell the two poses apart.
    expect(distance(frozenHit.point, liveHit.point)).toBeGreaterThan(0.5)

    await page.mouse.click(panel.x, panel.y)
    await both(
      (list) => list.filter((a) => a.type === 'pin').length === 4,
      'a fourth pin, on the frozen frame',
    )
    const pins = (await annotations(worker.page)).filter((a) => a.type === 'pin')
    const frozenPin = pins[3]
    expect(distance(frozenPin?.position ?? [0, 0, 0], frozenHit.point)).toBeLessThan(0.02)

    await page.getByRole('button', { name: 'Live' }).click()
    await expect
      .poll(() => page.getByRole('button', { name: 'Freeze' }).getAttribute('aria-pressed'))
      .toBe('false')
    // Live again: the panel moves with the camera.
    const still = await sampleCanvas(page, panel.x, panel.y, 40)
    await expect
      .poll(async () => differingPixels(still.raw, (await sampleCanvas(page, panel.x, panel.y, 40)).raw), {
        timeout: 10_000,
      })
      .toBeGreaterThan(20)

    await page.getByRole('button', { name: 'Undo' }).click()
    await both(
      (list) =>
        list.filter((a) => a.type === 'pin').length === 3 && !list.some((a) => a.id === frozenPin?.id),
      'the frozen-frame pin undone',
    )
  })

  it('zooms the miniature with the buttons at its front corners, in and back out', async () => {
    const page = specialist.page
    const before = await miniatureWidth()
    const zoomIn = await page.evaluate(() => window.__xrConsult?.objectOnScreen('worker-space-zoom-in'))
    if (!zoomIn?.inView) throw new Error('no zoom-in button in view')
    await page.mouse.click(zoomIn.x, zoomIn.y)
    await expect.poll(miniatureWidth).toBeGreaterThan(before * 1.2)
    const zoomOut = await page.evaluate(() => window.__xrConsult?.objectOnScreen('worker-space-zoom-out'))
    if (!zoomOut?.inView) throw new Error('no zoom-out button in view')
    await page.mouse.click(zoomOut.x, zoomOut.y)
    await expect.poll(async () => Math.abs((await miniatureWidth()) - before)).toBeLessThan(2)
    // Zooming drew nothing.
    await both((list) => list.filter((a) => a.type === 'pin').length === 3, 'still three pins')
  })

  it('raised no page errors and made no request to any host but the app’s own origin', () => {
    expect(specialist.errors).toEqual([])
    expect(worker.errors).toEqual([])
    expect(log.foreign(suite.server.origin)).toEqual([])
  })
})
