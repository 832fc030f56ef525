// Immersive sessions through the IWER emulator (a Meta Quest 3): `?emulate=quest3` installs it, the Enter VR and
// Enter AR buttons start real WebXR sessions in Chromium, and the XR frames must draw the remote video panel.
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  isVideoGreen,
  joinAs,
  loudestFrom,
  newParticipant,
  openInvite,
  type Participant,
  refusingChromium,
  sampleCanvas,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'
import {
  aimRightController,
  clickTrigger,
  setTrigger,
  type Vec3,
  worldPosition,
  xrFrames,
} from './xr-harness'

const suite = useAppSuite()
const { log } = suite
let invites: Record<string, string> = {}
let clinician: Participant
/** The emulator without its dev UI panel: tests drive the device directly. */
const EMULATE = '?emulate=quest3&devui=0'
/** Where the emulated right controller is held: beside the user's chest. */
const HAND: Vec3 = [0.15, 1.35, -0.2]

beforeAll(async () => {
  clinician = await newParticipant(suite.browser, log, { width: 640, height: 360 })
  invites = await startConsultation(clinician.page, suite.server.url, 'clinician')
  await joinAs(clinician.page, 'Dr. Xavier')
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
  it('enters immersive VR in the consultation room; the controller clicks in-XR Mute and moves a panel; controllers and hands are drawn from their models', async () => {
    // 800x450: the emulated headset renders two eyes in software, and a click must fit in one XR frame.
    const patient = await newParticipant(suite.browser, log, { width: 800, height: 450 })
    try {
      await openInvite(patient, invites.patient as string, 'Pat in VR', EMULATE)
      await enterAndCheck(patient.page, 'enter-vr')
      expect(await patient.page.evaluate(() => window.__xrConsult?.surroundings())).toBe('room')

      // The in-XR Mute button, pressed with the right controller's trigger, mutes (the DOM toolbar follows).
      const mute = await worldPosition(patient.page, 'xr-mute')
      await aimRightController(patient.page, mute, HAND)
      await clickTrigger(patient.page)
      await patient.page.getByTestId('mute').filter({ hasText: 'Unmute' }).waitFor({ timeout: 15_000 })

      // Grab the clinician's panel with the controller ray and swing it 30 cm to the right.
      const [panel] = await waitForPanels(patient.page, 1)
      const name = `panel-video:${panel?.peerId}`
      const start = await worldPosition(patient.page, name)
      await aimRightController(patient.page, start, HAND)
      await setTrigger(patient.page, 1)
      await aimRightController(patient.page, [start[0] + 0.3, start[1], start[2]], HAND)
      await setTrigger(patient.page, 0)
      const end = await worldPosition(patient.page, name)
      expect(end[0] - start[0]).toBeGreaterThan(0.15)

      // The controllers' glTF models, then the hands' when the headset switches to hand tracking: both load
      // through the GLTFLoader that is imported only on first use (src/xr/lazy-gltf-loader.ts).
      const drawn = (node: string) =>
        patient.page.evaluate((n) => window.__xrConsult?.worldPosition(n) != null, node)
      await expect.poll(() => drawn('controller_mesh'), { timeout: 30_000 }).toBe(true)
      await patient.page.evaluate(() => {
        const device = (window as { __xrDevice?: { primaryInputMode: string } }).__xrDevice
        if (!device) throw new Error('no emulator')
        device.primaryInputMode = 'hand'
      })
      await expect.poll(() => drawn('r_handMeshNode'), { timeout: 30_000 }).toBe(true)
    } finally {
      await leave(patient)
    }
  })

  it('someone who joined without camera or microphone turns the microphone on from inside VR, and is heard', async () => {
    // A browser without the fake consent UI and a context without permissions: the join screen's prompt is
    // refused (as when a user clicks Block), so the patient joins without media, then enters VR.
    const strict = await refusingChromium()
    try {
      const patient = await newParticipant(strict, log, { width: 800, height: 450 }, [])
      await openInvite(patient, invites.patient as string, 'Pat Silent in VR', EMULATE, { receiveOnly: true })
      await enterAndCheck(patient.page, 'enter-vr')
      const named = (name: string) =>
        patient.page.evaluate((n) => window.__xrConsult?.worldPosition(n) != null, name)
      // Nothing to mute: the headset offers Turn microphone on and Turn camera on, as the page's toolbar does.
      expect(await named('xr-mute')).toBe(false)
      expect(await named('xr-camera')).toBe(false)
      expect(await named('xr-camera-start')).toBe(true)
      const patientId = (await clinician.page
        .getByTestId('participant')
        .filter({ hasText: 'Pat Silent in VR' })
        .getAttribute('data-peer')) as string
      // Listening from now (if the patient's camera call brings a track with sound at all).
      await loudestFrom(clinician.page, patientId)

      // Still refused: the sentence is said under the headset's buttons, and nothing is heard.
      await aimRightController(patient.page, await worldPosition(patient.page, 'xr-mic-start'), HAND)
      await clickTrigger(patient.page)
      await expect
        .poll(
          () => patient.page.evaluate(() => window.__xrConsult?.uikitText('xr-media-problem')?.join(' ')),
          {
            timeout: 15_000,
          },
        )
        .toContain('Access to your microphone was denied.')
      expect(await loudestFrom(clinician.page, patientId)).toBeLessThan(0.01)

      // Allowed in the browser's site settings since: pressed again in the headset, the microphone reaches the
      // clinician (the fake microphone's tone), Mute takes the button's place and the sentence goes.
      await patient.context.grantPermissions(['microphone'], { origin: new URL(suite.server.url).origin })
      await aimRightController(patient.page, await worldPosition(patient.page, 'xr-mic-start'), HAND)
      await clickTrigger(patient.page)
      await expect.poll(() => named('xr-mute'), { timeout: 15_000 }).toBe(true)
      expect(await named('xr-mic-start')).toBe(false)
      expect(await named('xr-media-problem')).toBe(false)
      await expect
        .poll(() => loudestFrom(clinician.page, patientId), { timeout: 30_000 })
        .toBeGreaterThan(0.01)
      // The page's toolbar shows the same: Mute, enabled.
      expect(await patient.page.getByTestId('mute').isDisabled()).toBe(false)
      await leave(patient)
    } finally {
      await strict.close()
    }
  })

  it('enters immersive AR with passthrough: panels and no environment drawn', async () => {
    // A fresh page per mode: an AR session's emulated room would otherwise stay behind a later VR session.
    const worker = await newParticipant(suite.browser, log)
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
    const plain = await newParticipant(suite.browser, log, { width: 640, height: 360 })
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
    const models = log.urls.filter(
      (url) => url.startsWith(`${suite.server.origin}/xr-profiles/`) && url.endsWith('.glb'),
    )
    expect(models.length).toBeGreaterThan(0)
    expect(log.foreign(suite.server.origin)).toEqual([])
  })
})
