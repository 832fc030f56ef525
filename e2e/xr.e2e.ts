// Immersive sessions through the IWER emulator (a Meta Quest 3): `?emulate=quest3` installs it, the Enter VR and
// Enter AR buttons start real WebXR sessions in Chromium, and the XR frames must draw the remote video panel.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AppServer,
  isVideoGreen,
  joinAs,
  launchChromium,
  newParticipant,
  openInvite,
  type Participant,
  RequestLog,
  sampleCanvas,
  startAppServer,
  startConsultation,
  waitForPanels,
} from './harness'

let server: AppServer
let browser: Browser
const log = new RequestLog()
let invites: Record<string, string> = {}
let clinician: Participant
/** The emulator without its dev UI panel: tests drive the device directly. */
const EMULATE = '?emulate=quest3&devui=0'

beforeAll(async () => {
  server = await startAppServer()
  browser = await launchChromium()
  clinician = await newParticipant(browser, log, { width: 640, height: 360 })
  invites = await startConsultation(clinician.page, server.url, 'clinician')
  await joinAs(clinician.page, 'Dr. Xavier')
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** Leaves through the page (a goodbye the clinician sees at once), then closes the context. */
async function leave(participant: Participant) {
  await participant.page
    .evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')))
    .catch(() => undefined)
  await participant.context.close()
  await clinician.page.waitForFunction(() => window.__xrConsult?.panels().length === 0, undefined, {
    timeout: 15_000,
  })
}

async function xrFrames(page: Page): Promise<number> {
  return page.evaluate(() => window.__xrConsult?.xrFrames ?? 0)
}

/** Enters an immersive session from the DOM button and proves XR frames draw the remote video panel. */
async function enterAndCheck(page: Page, button: 'enter-vr' | 'enter-ar') {
  await waitForPanels(page, 1)
  expect(await xrFrames(page)).toBe(0)
  await page.getByTestId(button).click()
  // Frames counted from the XR session's own requestAnimationFrame (R3F passes the XRFrame to useFrame).
  await expect.poll(() => xrFrames(page), { timeout: 30_000 }).toBeGreaterThan(10)
  const [panel] = await waitForPanels(page, 1)
  if (!panel) throw new Error('no panel')
  expect(panel.inView, 'the panel is in the headset’s view').toBe(true)
  const { mean } = await sampleCanvas(page, panel.x, panel.y, 24)
  expect(isVideoGreen(mean), `XR view at the panel: ${JSON.stringify(mean)}`).toBe(true)
}

describe('immersive sessions (IWER emulating a Quest 3)', () => {
  it('enters immersive VR, inside the consultation room, with the remote video in view', async () => {
    const patient = await newParticipant(browser, log)
    try {
      await openInvite(patient, invites.patient as string, 'Pat in VR', EMULATE)
      await enterAndCheck(patient.page, 'enter-vr')
      expect(await patient.page.evaluate(() => window.__xrConsult?.surroundings())).toBe('room')
    } finally {
      await leave(patient)
    }
  })

  it('enters immersive AR with passthrough: panels and no environment drawn', async () => {
    // A fresh page per mode: an AR session's emulated room would otherwise stay behind a later VR session.
    const worker = await newParticipant(browser, log)
    try {
      await openInvite(worker, invites.worker as string, 'Wes in AR', EMULATE)
      await enterAndCheck(worker.page, 'enter-ar')
      expect(await worker.page.evaluate(() => window.__xrConsult?.surroundings())).toBe('none')
    } finally {
      await leave(worker)
    }
  })

  it('shows no Enter VR / Enter AR button where immersive sessions are not supported', async () => {
    // Without the emulator, headless desktop Chromium has no XR device: the buttons must not be offered.
    const plain = await newParticipant(browser, log, { width: 640, height: 360 })
    try {
      await openInvite(plain, invites.specialist as string, 'Sam on desktop')
      await waitForPanels(plain.page, 1)
      // Only once the scene is up and the browser has answered isSessionSupported does absence mean anything.
      await plain.page.locator('nav[data-xr-support="known"]').waitFor()
      expect(await plain.page.getByTestId('enter-vr').count()).toBe(0)
      expect(await plain.page.getByTestId('enter-ar').count()).toBe(0)
    } finally {
      await leave(plain)
    }
  })

  it('loaded controller models from this origin and made no request elsewhere', () => {
    expect(log.urls.some((url) => url.startsWith(`${server.origin}/xr-profiles/`))).toBe(true)
    expect(log.foreign(server.origin)).toEqual([])
  })
})
