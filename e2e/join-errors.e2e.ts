import { chromium } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  joinAs,
  loudestFrom,
  newParticipant,
  openThreeDView,
  type Participant,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'

const suite = useAppSuite()
const { log } = suite
let invites: Record<string, string> = {}
let host: Participant

beforeAll(async () => {
  host = await newParticipant(suite.browser, log, { width: 640, height: 360 })
  invites = await startConsultation(host.page, suite.server.url, 'clinician')
  await joinAs(host.page, 'Dr. Host')
})

describe('joining when something is wrong', () => {
  it('explains a damaged invite link and offers to start a consultation', async () => {
    const guest = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    const damaged = (invites.patient as string).replace(/key=[^&]+/, 'key=short')
    await guest.page.goto(damaged)
    await expect(guest.page.getByTestId('error').textContent()).resolves.toBe(
      'This invite link is damaged (the key part is wrong). Ask for the link again.',
    )
    await expect(guest.page.getByTestId('start').isVisible()).resolves.toBe(true)
    await guest.context.close()
  })

  it('says at once that an invite link edited to another role is not valid, instead of waiting for answers', async () => {
    const guest = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    await guest.page.goto((invites.patient as string).replace('role=patient', 'role=clinician'))
    await guest.page.getByTestId('error').waitFor({ timeout: 10_000 })
    await expect(guest.page.getByTestId('error').textContent()).resolves.toBe(
      'This invite link is damaged or was changed (its credential does not match it). Ask for the link again.',
    )
    await expect(guest.page.getByTestId('join').count()).resolves.toBe(0)
    await guest.context.close()
  })

  it('says so when the camera is denied, and still lets the patient join to see and hear the others', async () => {
    // A browser without the fake consent UI: the permission prompt is refused, as when a user clicks Block.
    const strict = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
      headless: true,
    })
    try {
      const context = await strict.newContext({ viewport: { width: 1280, height: 720 } })
      log.attach(context)
      const page = await context.newPage()
      await page.goto(invites.patient as string)
      await expect(page.getByTestId('media-problem').textContent()).resolves.toContain(
        'Access to your camera or microphone was denied.',
      )
      await page.getByTestId('receive-only').click()
      await page.getByTestId('receive-only-note').waitFor()
      // Join waits for a name, and says so instead of only greying out.
      expect(await page.getByTestId('join').isDisabled()).toBe(true)
      await expect(page.getByTestId('join-needs-name').textContent()).resolves.toBe(
        'Type your name to join: the others see it beside your video.',
      )
      await page.getByTestId('name').fill('Pat Without Camera')
      expect(await page.getByTestId('join-needs-name').count()).toBe(0)
      await page.getByTestId('join').click()
      // The patient sees the clinician's live video; the clinician sees the patient's panel without video. The
      // 3D view's probe counts panels, and a call opens in the video layout.
      await page.getByTestId('call').waitFor()
      await openThreeDView(page)
      await waitForPanels(page, 1)
      await host.page.getByTestId('participants').getByText('Pat Without Camera').waitFor()
      const hostPanels = await host.page.evaluate(() => window.__xrConsult?.panels() ?? [])
      expect(hostPanels).toHaveLength(1)
      expect(hostPanels[0]?.showsVideo).toBe(false)
      // Nothing to mute: the toolbar offers to turn the microphone on instead (a consultation lets everyone speak).
      expect(await page.getByTestId('mute').count()).toBe(0)
      const patientId = (await host.page
        .getByTestId('participant')
        .filter({ hasText: 'Pat Without Camera' })
        .getAttribute('data-peer')) as string
      // Listening from now (if the patient's camera call brings a track with sound at all).
      await loudestFrom(host.page, patientId)
      await page.getByTestId('mic-start').click()
      await expect(page.getByTestId('mic-start-problem').textContent()).resolves.toContain(
        'Access to your microphone was denied.',
      )
      // Nothing of the patient heard meanwhile (no stream with sound, or silence).
      expect(await loudestFrom(host.page, patientId)).toBeLessThan(0.01)
      // The microphone alone allowed since: pressed again, it reaches the clinician (the camera call is made again
      // with it), and the camera is still to be turned on.
      const origin = new URL(suite.server.url).origin
      await context.grantPermissions(['microphone'], { origin })
      await page.getByTestId('mic-start').click()
      await expect.poll(() => page.getByTestId('mute').isDisabled()).toBe(false)
      expect(await page.getByTestId('mute').textContent()).toBe('Mute')
      expect(await page.getByTestId('mic-start-problem').count()).toBe(0)
      await expect.poll(() => loudestFrom(host.page, patientId), { timeout: 30_000 }).toBeGreaterThan(0.01)
      await context.clearPermissions()
      // From inside the call: still refused, it says so in a sentence and the call goes on.
      await page.getByTestId('camera-start').click()
      await expect(page.getByTestId('camera-start-problem').textContent()).resolves.toContain(
        'Access to your camera or microphone was denied.',
      )
      // Allowed in the browser's site settings since: pressed again, the camera and microphone reach the others.
      await context.grantPermissions(['camera', 'microphone'], { origin })
      await page.getByTestId('camera-start').click()
      await host.page.waitForFunction(() => window.__xrConsult?.panels()[0]?.showsVideo === true, undefined, {
        timeout: 30_000,
      })
      await page.getByTestId('camera').waitFor()
      expect(await page.getByTestId('camera-start-problem').count()).toBe(0)
      expect(await page.getByTestId('mute').isDisabled()).toBe(false)
      await page.getByTestId('leave').click()
      await host.page.waitForFunction(() => window.__xrConsult?.panels().length === 0, undefined, {
        timeout: 15_000,
      })
    } finally {
      await strict.close()
    }
  })

  it('mute and camera off reach the other side', async () => {
    const patient = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    await patient.page.goto(invites.patient as string)
    await joinAs(patient.page, 'Pat Toggler')
    await waitForPanels(host.page, 1)
    await patient.page.getByTestId('mute').click()
    await host.page.getByTestId('participants').getByText('muted').waitFor()
    await patient.page.getByTestId('camera').click()
    // The clinician's panel drops the (now black) video for a "Camera off" placeholder.
    await host.page.waitForFunction(() => window.__xrConsult?.panels()[0]?.showsVideo === false)
    await patient.page.getByTestId('camera').click()
    await host.page.waitForFunction(() => window.__xrConsult?.panels()[0]?.showsVideo === true)
    await patient.page.getByTestId('leave').click()
    await patient.context.close()
    await host.page.waitForFunction(() => window.__xrConsult?.panels().length === 0, undefined, {
      timeout: 15_000,
    })
  })

  it('says the server cannot be reached when it is down', async () => {
    const late = await newParticipant(suite.browser, log, { width: 640, height: 360 })
    await late.page.goto(invites.specialist as string)
    await late.page.getByTestId('name').fill('Sam Late')
    await suite.server.stop()
    await late.page.getByTestId('join').click()
    await expect
      .poll(() => late.page.getByTestId('error').textContent(), { timeout: 30_000 })
      .toBe('The consultation server cannot be reached. Check your network connection and try again.')
    await late.context.close()
  })

  it('made no request to any host but the app’s own origin', () => {
    expect(log.urls.length).toBeGreaterThan(10)
    expect(log.foreign(suite.server.origin)).toEqual([])
  })
})
