// The call as a person in a plain tab or on a phone meets it: the video layout, at a laptop's 1280×720 and a
// phone's 390×844 upright and 844×390 on its side. The person consulted fills at least half of the screen, one's
// own camera shows in a tile, nothing spills sideways, the chat is reachable; with a third person the grid and
// speaker arrangements; and the 3D view, one click away, frames itself again after a wild orbit, and keeps the
// other person's video readable with four images shared beside it. Each screen is
// written to screenshots/ (named in the README) for a reviewer who does not run the tests.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  joinAs,
  keepScreenshot,
  newParticipant,
  openInvite,
  type Participant,
  refusingChromium,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

const suite = useAppSuite()
const { log } = suite
let clinician: Participant
let patient: Participant
let invites: Record<string, string> = {}

afterAll(() => {
  for (const person of [clinician, patient]) if (person) console.log(person.trace.join('\n'))
})

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  clinician = await newParticipant(suite.browser, log)
  patient = await newParticipant(suite.browser, log, { width: 390, height: 844 })
  invites = await startConsultation(clinician.page, suite.server.url, 'clinician')
  await joinAs(clinician.page, 'Dr. Layout', { view: 'video' })
  await openInvite(patient, invites.patient as string, 'Pat Phone', '', { view: 'video' })
})

const VIEWPORTS = [
  { width: 1280, height: 720, name: 'laptop' },
  { width: 390, height: 844, name: 'phone-portrait' },
  { width: 844, height: 390, name: 'phone-landscape' },
]

/**
 * The visible picture of the first remote video, and its share of the viewport: the element's box cut to the
 * viewport and, for object-fit contain, to the picture inside the box (cover fills the box).
 */
function remoteVideoCoverage(page: Page) {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')
    if (!video || video.videoWidth === 0) return null
    const box = video.getBoundingClientRect()
    let { left, top, right, bottom } = box
    if (getComputedStyle(video).objectFit !== 'cover') {
      const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight)
      const w = video.videoWidth * scale
      const h = video.videoHeight * scale
      left += (box.width - w) / 2
      top += (box.height - h) / 2
      right = left + w
      bottom = top + h
    }
    const visible =
      Math.max(0, Math.min(right, innerWidth) - Math.max(left, 0)) *
      Math.max(0, Math.min(bottom, innerHeight) - Math.max(top, 0))
    return visible / (innerWidth * innerHeight)
  })
}

/** Frames a <video> has presented so far (grows while it plays a live camera). */
function framesShown(page: Page, testId: string) {
  return page.evaluate(
    (id) =>
      document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)?.getVideoPlaybackQuality()
        .totalVideoFrames ?? -1,
    testId,
  )
}

/** Everything that sticks out sideways: the page's own overflow and any control outside the viewport or clipped. */
function horizontalProblems(page: Page) {
  return page.evaluate(() => {
    const problems: string[] = []
    const root = document.documentElement
    if (root.scrollWidth > innerWidth) problems.push(`page ${root.scrollWidth} px wide`)
    const call = document.querySelector<HTMLElement>('[data-testid="call"]')
    if (call && call.scrollWidth > call.clientWidth) problems.push(`call screen ${call.scrollWidth} px wide`)
    for (const control of document.querySelectorAll<HTMLElement>(
      '.toolbar button, .toolbar label, .guidance-toolbar button',
    )) {
      const rect = control.getBoundingClientRect()
      if (rect.width === 0) continue
      const name = control.textContent?.trim() || control.getAttribute('aria-label') || '?'
      if (rect.left < 0 || rect.right > innerWidth + 0.5)
        problems.push(`${name} at ${rect.left}–${rect.right}`)
      if (control.scrollWidth > control.clientWidth + 1) problems.push(`${name} clipped`)
    }
    return problems
  })
}

/** Lines the Leave button's label takes: 1 when it does not wrap. */
function leaveLines(page: Page) {
  return page.evaluate(() => {
    const leave = document.querySelector('[data-testid="leave"]')
    const range = document.createRange()
    if (leave?.firstChild) range.selectNodeContents(leave)
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
  })
}

describe('the video layout, in a tab and on a phone', () => {
  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width}×${viewport.height}: the other person fills half the screen, the self-view plays, nothing spills`, async () => {
      const page = clinician.page
      await page.setViewportSize(viewport)
      await page.locator('[data-testid="call"][data-view="video"]').waitFor()
      await page.waitForFunction(
        () => (document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.videoWidth ?? 0) > 0,
      )
      await keepScreenshot(page, join(SCREENSHOTS, `call-video-${viewport.name}.png`))
      // The remote video is live and covers at least half the viewport.
      await expect.poll(() => remoteVideoCoverage(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(0.5)
      const remoteFrames = await framesShown(page, 'remote-video')
      await expect.poll(() => framesShown(page, 'remote-video')).toBeGreaterThan(remoteFrames + 5)
      // One's own camera, muted and mirrored, and playing.
      const self = page.getByTestId('self-view')
      await expect.poll(() => self.isVisible()).toBe(true)
      expect(await self.evaluate((v: HTMLVideoElement) => v.muted)).toBe(true)
      expect(await self.evaluate((v) => getComputedStyle(v).transform)).toBe('matrix(-1, 0, 0, 1, 0, 0)')
      const selfFrames = await framesShown(page, 'self-view')
      await expect.poll(() => framesShown(page, 'self-view')).toBeGreaterThan(selfFrames + 5)
      // Nothing overflows sideways; the Leave button keeps to one line; every toolbar control is on screen.
      expect(await horizontalProblems(page)).toEqual([])
      expect(await leaveLines(page)).toBe(1)
      // On its side the controls share the side column with the details and the chat: they keep to about a third
      // of its height (at full size they wrapped into five rows, 54 % of it), every button at least 24 px tall and
      // still named by its visible label.
      const controls = await page.evaluate(() => ({
        toolbar: document.querySelector('.call .toolbar')?.getBoundingClientRect().height ?? 0,
        buttons: [...document.querySelectorAll<HTMLElement>('.call .toolbar button, .call .toolbar select')]
          .filter((control) => control.offsetWidth > 0)
          .map((control) => control.getBoundingClientRect().height),
      }))
      if (viewport.name === 'phone-landscape') expect(controls.toolbar).toBeLessThan(viewport.height * 0.35)
      expect(Math.min(...controls.buttons)).toBeGreaterThanOrEqual(24)
      for (const label of ['Mute', 'Share a file', 'Invite', 'Leave'])
        expect(await page.getByRole('button', { name: label, exact: true }).isVisible()).toBe(true)
      // The chat can be reached: on a phone through the toolbar's Chat button, which brings its input into view.
      const chatInput = page.locator('.chat input')
      const shortcut = page.getByRole('button', { name: 'Chat', exact: true })
      if (await shortcut.isVisible()) {
        await shortcut.click()
        await expect.poll(() => chatInput.evaluate((el) => el === document.activeElement)).toBe(true)
      }
      const inView = await chatInput.evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth
      })
      expect(inView).toBe(true)
      await page.locator('[data-testid="call"]').evaluate((el) => el.scrollTo(0, 0))
    })
  }

  it('the patient on a phone sees the clinician large too', async () => {
    await expect
      .poll(() => remoteVideoCoverage(patient.page), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(0.5)
    expect(await horizontalProblems(patient.page)).toEqual([])
    await keepScreenshot(patient.page, join(SCREENSHOTS, 'call-video-patient-phone.png'))
  })
})

describe('the 3D view, one click away', () => {
  it('frames the panel on entry, limits a wild orbit, and Reset view squares it up again', async () => {
    const page = clinician.page
    await page.setViewportSize({ width: 1280, height: 720 })
    await page.getByTestId('view-3d').click()
    await page.locator('[data-testid="call"][data-view="3d"]').waitFor()
    const [panel] = await waitForPanels(page, 1)
    if (!panel) throw new Error('no panel')
    const name = `panel-video:${panel.peerId}`
    const facing = () => page.evaluate((n) => window.__xrConsult?.facingAngle(n) ?? null, name)
    await expect.poll(facing).toBeLessThan(5)
    await expect.poll(async () => (await waitForPanels(page, 1))[0]?.inView).toBe(true)
    await keepScreenshot(page, join(SCREENSHOTS, 'call-3d-laptop.png'))

    // A wild drag on the empty space to the left of the panels: the camera swings, but only so far.
    const canvas = await page.getByTestId('call-canvas').boundingBox()
    if (!canvas) throw new Error('no canvas')
    // From the view's left margin (the framed panel fills the rest, and a drag on it would move the panel).
    const start = { x: canvas.x + 6, y: canvas.y + canvas.height / 2 }
    await page.mouse.move(start.x, start.y)
    await page.mouse.down()
    for (let step = 1; step <= 20; step++) await page.mouse.move(start.x + step * 40, start.y - step * 25)
    await page.mouse.up()
    await expect.poll(facing).toBeGreaterThan(10)
    // Not edge-on, and still on screen.
    await page.waitForTimeout(500)
    expect(await facing()).toBeLessThan(60)
    const [swung] = await waitForPanels(page, 1)
    expect(swung?.inView).toBe(true)
    await keepScreenshot(page, join(SCREENSHOTS, 'call-3d-after-orbit.png'))

    await page.getByTestId('reset-view').click()
    await expect.poll(facing).toBeLessThan(5)
    const [reset] = await waitForPanels(page, 1)
    expect(reset?.inView).toBe(true)
    // After a resize (a phone turned upright) the view frames itself again: the panel is whole and square.
    await page.setViewportSize({ width: 390, height: 844 })
    await expect
      .poll(async () => {
        const [p] = await waitForPanels(page, 1)
        return p?.inView === true && ((await facing()) ?? 90) < 5
      })
      .toBe(true)
    await keepScreenshot(page, join(SCREENSHOTS, 'call-3d-phone-portrait.png'))
    await page.setViewportSize({ width: 1280, height: 720 })
    await page.getByTestId('view-3d').click()
    await page.locator('[data-testid="call"][data-view="video"]').waitFor()
  })
})

/** A plain PNG of one colour, `width`×`height` (4:3 unless told), for sharing. */
function plainPng([r, g, b]: [number, number, number], width = 400, height = 300): Buffer {
  const png = new PNG({ width, height })
  for (let i = 0; i < width * height; i++) png.data.set([r, g, b, 255], i * 4)
  return PNG.sync.write(png)
}

describe('the 3D view with shared items', () => {
  it('keeps the patient’s video readable with four images shared, the nearest image beside it', async () => {
    const page = clinician.page
    await page.setViewportSize({ width: 1280, height: 720 })
    if ((await page.getByTestId('call').getAttribute('data-view')) !== '3d')
      await page.getByTestId('view-3d').click()
    await page.locator('[data-testid="call"][data-view="3d"]').waitFor()
    const [panel] = await waitForPanels(page, 1)
    if (!panel) throw new Error('no panel')
    const colours: Array<[number, number, number]> = [
      [220, 60, 60],
      [60, 60, 220],
      [230, 200, 40],
      [200, 60, 200],
    ]
    for (const [i, colour] of colours.entries())
      await page
        .getByTestId('share-file-input')
        .setInputFiles({ name: `image-${i}.png`, mimeType: 'image/png', buffer: plainPng(colour) })
    await page.waitForFunction(
      () => (window.__xrConsult?.named('shared-item:') ?? []).filter((p) => p.mapVersion > 0).length === 4,
      undefined,
      { timeout: 60_000 },
    )
    const videoBox = () =>
      page.evaluate((n) => window.__xrConsult?.boxOnScreen(n) ?? null, `panel-video:${panel.peerId}`)
    // The view frames itself again once the items are there (it looks every 400 ms): framing all four round the
    // arc left the video about 80 px wide; framed first, with the nearest image beside it, it stays over 150 px
    // (a vitals monitor as wide beside it would show its 5 cm digits over 12 px tall).
    await expect
      .poll(async () => {
        const box = await videoBox()
        return box?.inView ? box.right - box.left : 0
      })
      .toBeGreaterThan(150)
    // The nearest image is in view beside it; the others are further round the arc, where a pan reaches them.
    const items = await page.evaluate(() => window.__xrConsult?.named('shared-item:') ?? [])
    expect(items.filter((item) => item.inView).length).toBeGreaterThanOrEqual(1)
    await keepScreenshot(page, join(SCREENSHOTS, 'call-3d-shared-laptop.png'))
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(async () => (await videoBox())?.inView).toBe(true)
    await keepScreenshot(page, join(SCREENSHOTS, 'call-3d-shared-phone-portrait.png'))
    await page.setViewportSize({ width: 1280, height: 720 })
    // Nothing of this stays for the next tests.
    const stop = page.getByRole('button', { name: 'Stop sharing', exact: true })
    while ((await stop.count()) > 0) await stop.first().click()
    await page.getByTestId('view-3d').click()
    await page.locator('[data-testid="call"][data-view="video"]').waitFor()
  })
})

describe('three people: speaker and grid', () => {
  let specialist: Participant
  it('shows one person large and the other in a strip, or both as equal tiles', async () => {
    specialist = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    await openInvite(specialist, invites.specialist as string, 'Sam Specialist', '', { view: 'video' })
    const page = clinician.page
    if ((await page.getByTestId('call').getAttribute('data-view')) === '3d') {
      await page.getByTestId('view-3d').click()
    }
    const tiles = page.getByTestId('remote-tile')
    await expect.poll(() => tiles.count(), { timeout: 60_000 }).toBe(2)
    const areas = () =>
      tiles.evaluateAll((list) =>
        list.map((el) => {
          const r = el.getBoundingClientRect()
          return r.width * r.height
        }),
      )
    // Speaker: the first person is large, the other a thumbnail that can be brought forward.
    await expect
      .poll(async () => {
        const [a = 0, b = 0] = await areas()
        return a > 4 * b
      })
      .toBe(true)
    await keepScreenshot(page, join(SCREENSHOTS, 'call-video-speaker-3.png'))
    await page.getByRole('button', { name: 'Show Sam Specialist large' }).click()
    await expect
      .poll(() => page.locator('.main-tile [data-testid="remote-tile"]').getAttribute('aria-label'))
      .toBe('Sam Specialist')
    // Grid: equal tiles.
    await page.getByTestId('arrangement').click()
    await expect
      .poll(async () => {
        const [a = 0, b = 1] = await areas()
        return Math.abs(a / b - 1) < 0.05
      })
      .toBe(true)
    expect(await horizontalProblems(page)).toEqual([])
    await keepScreenshot(page, join(SCREENSHOTS, 'call-video-grid-3.png'))
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await horizontalProblems(page)).toEqual([])
    await keepScreenshot(page, join(SCREENSHOTS, 'call-video-grid-3-phone.png'))
    await page.setViewportSize({ width: 1280, height: 720 })
    await specialist.page.getByTestId('leave').click()
  })

  it('raised no page errors and made no request to any host but the app’s own origin', () => {
    expect(clinician.errors).toEqual([])
    expect(patient.errors).toEqual([])
    expect(specialist.errors).toEqual([])
    expect(log.foreign(suite.server.origin)).toEqual([])
  })
})

/** The rows the visible call controls wrap into: their distinct tops, a row's controls within a few px of it. */
function toolbarRows(page: Page) {
  return page.evaluate(() => {
    const tops = [...document.querySelectorAll<HTMLElement>('.call .toolbar button, .call .toolbar select')]
      .filter((control) => control.offsetWidth > 0)
      .map((control) => control.getBoundingClientRect().top)
      .sort((a, b) => a - b)
    // Controls of one row differ in height by a pixel or so (a select, a label's line), never by a button's 24 px.
    return tops.filter((top, i) => i === 0 || top - (tops[i - 1] as number) > 8).length
  })
}

describe('someone who joined without camera or microphone', () => {
  it('finds Turn microphone on and Turn camera on whole in the toolbar, at most one row more (none on a phone on its side)', async () => {
    // A browser without the fake consent UI: the join screen's prompt is refused, so they join without media.
    const strict = await refusingChromium()
    try {
      const guest = await newParticipant(strict, log, { width: 390, height: 844 }, [])
      await openInvite(guest, invites.specialist as string, 'Sam Without Media', '', {
        view: 'video',
        receiveOnly: true,
      })
      for (const viewport of VIEWPORTS) {
        // The patient, with camera and microphone, is the toolbar it is measured against.
        for (const page of [guest.page, patient.page]) await page.setViewportSize(viewport)
        for (const label of ['Turn microphone on', 'Turn camera on', 'Leave'])
          await guest.page.getByRole('button', { name: label, exact: true }).waitFor()
        expect(await guest.page.getByTestId('mute').count()).toBe(0)
        await keepScreenshot(guest.page, join(SCREENSHOTS, `call-video-without-media-${viewport.name}.png`))
        // Nothing spills or is cut off, Leave keeps to one line, and the two longer labels (in place of Mute and
        // Camera off) take at most one row more than a toolbar with camera and microphone at the same size; on a
        // phone on its side, where the controls share a narrow column with the details and chat, no row more
        // (they took one each there: 7 rows, 290 px, against 6 rows, 249 px, measured).
        expect(await horizontalProblems(guest.page)).toEqual([])
        expect(await leaveLines(guest.page)).toBe(1)
        const extraRows = viewport.name === 'phone-landscape' ? 0 : 1
        expect(await toolbarRows(guest.page)).toBeLessThanOrEqual(
          (await toolbarRows(patient.page)) + extraRows,
        )
      }
      await patient.page.setViewportSize({ width: 390, height: 844 })
      await guest.page.getByTestId('leave').click()
      expect(guest.errors).toEqual([])
      expect(log.foreign(suite.server.origin)).toEqual([])
    } finally {
      await strict.close()
    }
  })
})
