// Helpers for the browser tests that drive an emulated headset (IWER, `?emulate=quest3`) or point into the worker's
// space on the specialist's miniature. Shared by xr, worker-space, specialist-view and guidance tests.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { keepScreenshot } from './harness'

export type Vec3 = [number, number, number]

/** What the tests touch of IWER's emulated right controller. */
interface EmulatedDevice {
  controllers: {
    right: {
      position: { set: (x: number, y: number, z: number) => void }
      quaternion: { set: (x: number, y: number, z: number, w: number) => void }
      updateButtonValue: (id: string, value: number) => void
    }
  }
  /** The emulated session, whose frames run its requestAnimationFrame callbacks after its input events. */
  activeSession?: { requestAnimationFrame: (callback: () => void) => number }
}

export function xrFrames(page: Page): Promise<number> {
  return page.evaluate(() => window.__xrConsult?.xrFrames ?? 0)
}

/** Waits until the XR session has drawn a few more frames, so the emulated input has been read. */
export async function nextXrFrames(page: Page, count = 4) {
  const from = await xrFrames(page)
  await page.waitForFunction((n) => (window.__xrConsult?.xrFrames ?? 0) >= n, from + count)
}

/** A screenshot of the headset's view to `file`, once the session has drawn what the test just did. */
export async function xrScreenshot(page: Page, file: string) {
  mkdirSync(path.dirname(file), { recursive: true })
  await nextXrFrames(page, 6)
  await keepScreenshot(page, file)
}

/** World position of the first object with this name in the page's scene. */
export async function worldPosition(page: Page, name: string): Promise<Vec3> {
  const position = await page.evaluate((n) => window.__xrConsult?.worldPosition(n) ?? null, name)
  if (!position) throw new Error(`no object named ${name} in the scene`)
  return position
}

/** Puts the emulated right controller at `hand` and points its ray (its -z axis) at `target`. */
export async function aimRightController(page: Page, target: Vec3, hand: Vec3) {
  const d = target.map((t, i) => t - (hand[i] as number)) as Vec3
  const length = Math.hypot(...d)
  const [dx, dy, dz] = d.map((v) => v / length) as Vec3
  // Shortest rotation from (0, 0, -1) to d: axis (0,0,-1) x d, w = 1 + (0,0,-1)·d.
  const q = [dy, -dx, 0, 1 - dz]
  const norm = Math.hypot(...q)
  const quaternion = q.map((v) => v / norm) as [number, number, number, number]
  await page.evaluate(
    ({ hand, quaternion }) => {
      const right = (window as { __xrDevice?: EmulatedDevice }).__xrDevice?.controllers.right
      right?.position.set(...hand)
      right?.quaternion.set(...quaternion)
    },
    { hand, quaternion },
  )
  await nextXrFrames(page)
}

export async function setTrigger(page: Page, value: 0 | 1) {
  await page.evaluate(
    (v) =>
      (window as { __xrDevice?: EmulatedDevice }).__xrDevice?.controllers.right.updateButtonValue(
        'trigger',
        v,
      ),
    value,
  )
  await nextXrFrames(page)
}

/**
 * A click: trigger down for exactly one XR frame; the app counts a press of up to three frames as a click however
 * long they took (src/xr/frame-counted-clicks.ts). Done inside the page: a round trip from the test to a busy page
 * can span many frames, and a longer press is timed against the 600 ms click threshold.
 */
export async function clickTrigger(page: Page, { waitAfter = true } = {}) {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const device = (window as { __xrDevice?: EmulatedDevice }).__xrDevice
        const session = device?.activeSession
        if (!device || !session) throw new Error('no emulator or session')
        // Down now; the next frame dispatches selectstart and then runs this callback, which releases it: the
        // frame after dispatches selectend. A press of exactly one frame, however busy the page.
        device.controllers.right.updateButtonValue('trigger', 1)
        session.requestAnimationFrame(() => {
          device.controllers.right.updateButtonValue('trigger', 0)
          resolve()
        })
      }),
  )
  // Not after a press that ends the session (an exit button): no XR frame would come.
  if (waitAfter) await nextXrFrames(page)
}

/** Where a worker-frame point is on the specialist's page, once the view holds still for a few frames. */
export async function toScreen(page: Page, point: Vec3) {
  const screen = await page.evaluate(async (p) => {
    const read = () => window.__xrConsult?.workerSpaceToScreen(p) ?? null
    const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
    let last = read()
    for (let i = 0; i < 20; i++) {
      await frames()
      const next = read()
      if (last && next && Math.hypot(next.x - last.x, next.y - last.y) < 0.01) return next
      last = next
    }
    return null
  }, point)
  if (!screen?.inView)
    throw new Error(`worker point ${point} is not in view or not still: ${JSON.stringify(screen)}`)
  return screen
}
