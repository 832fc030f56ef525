// The headset is enough on its own (issue 11): a clinician in emulated VR (IWER, a Quest 3) reads the patient's
// alarm in a banner and acknowledges and silences it with the controller ray, sees who is in the call with their
// connection in words, reads a chat message and answers with a quick reply that reaches the patient's DOM chat.
// A worker in emulated AR has the guidance palette whole in view. Screenshots of both go to screenshots/.
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  joinAs,
  newParticipant,
  openInvite,
  type Participant,
  PHQ9_ANSWERS,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'
import {
  aimRightController,
  clickTrigger,
  nextXrFrames,
  type Vec3,
  worldPosition,
  xrFrames,
  xrScreenshot,
} from './xr-harness'

const suite = useAppSuite()
const { log } = suite
/** The emulator without its dev UI panel (tests drive the device directly), and the call for the tests. */
const EMULATE = '?emulate=quest3&devui=0&debug'
/** Where the emulated right controller is held: beside the user's chest. */
const HAND: Vec3 = [0.15, 1.35, -0.2]
/** Where the screenshots go, for a reviewer to look at without running anything. */
const SCREENSHOTS = path.resolve(import.meta.dirname, '..', 'screenshots')

let clinician: Participant
let patient: Participant
let invites: Record<string, string> = {}

/** What the clinician's page exposes with `?debug`: the call's alarm boards. */
interface DebugWindow {
  __xrConsultCall?: {
    runtime: {
      alarms: {
        silencedUntil: (now: number) => number | null
        boardFor: (peerId: string) => { log: readonly { event: string; kind?: string }[] }
      }
    }
  }
}

/**
 * Where a headset button is once its panel's layout has settled: a new chat message or alarm re-lays the panel
 * out over a few frames, and a ray aimed at where the button was would miss it.
 */
async function settledPosition(page: Page, name: string): Promise<Vec3> {
  let last = await worldPosition(page, name)
  for (let i = 0; i < 30; i++) {
    await nextXrFrames(page, 3)
    const next = await worldPosition(page, name)
    if (Math.hypot(...next.map((v, j) => v - (last[j] as number))) < 0.001) return next
    last = next
  }
  throw new Error(`${name} keeps moving`)
}

/** Aims the controller's ray at the headset button `name` and clicks it. */
async function press(page: Page, name: string) {
  await aimRightController(page, await settledPosition(page, name), HAND)
  await clickTrigger(page)
}

/** The text a headset panel draws (uikit's own text properties), one entry per text. */
async function headsetText(page: Page, name: string): Promise<string> {
  const lines = await page.evaluate((n) => window.__xrConsult?.uikitText(n) ?? null, name)
  return lines ? lines.join('\n') : ''
}

function screenshot(page: Page, name: string) {
  return xrScreenshot(page, path.join(SCREENSHOTS, name))
}

beforeAll(async () => {
  // 800x450: the emulated headset renders two eyes in software, and a click must fit in one XR frame.
  clinician = await newParticipant(suite.browser, log, { width: 800, height: 450 })
  patient = await newParticipant(suite.browser, log, { width: 640, height: 360 })
  invites = await startConsultation(clinician.page, `${suite.server.url}${EMULATE}`, 'clinician')
  await joinAs(clinician.page, 'Dr. Headset')
  await openInvite(patient, invites.patient as string, 'Pat Home', '?debug')
  await waitForPanels(clinician.page, 1, 60_000)
  await clinician.page.getByTestId('enter-vr').click()
  // Frames counted from the XR session's own requestAnimationFrame.
  await clinician.page.waitForFunction(() => (window.__xrConsult?.xrFrames ?? 0) > 10, null, {
    timeout: 30_000,
  })
})

afterAll(() => {
  for (const person of [clinician, patient])
    if (person) console.log([...person.errors, ...person.trace].join('\n'))
})

describe('the headset on its own (emulated VR)', () => {
  it('lists the participants with their connection in words', async () => {
    await expect
      .poll(() => headsetText(clinician.page, 'xr-participants'))
      .toMatch(/Pat Home \(Patient\)\n(Good|Fair|Poor) connection/)
  })

  it('shows the other participant’s chat message and sends a quick reply that reaches their DOM chat', async () => {
    await patient.page.getByTestId('chat-input').fill('My ankle hurts when I stand')
    await patient.page.getByTestId('chat-send').click()
    await expect
      .poll(() => headsetText(clinician.page, 'xr-chat'), { timeout: 15_000 })
      .toContain('My ankle hurts when I stand')
    await expect(headsetText(clinician.page, 'xr-chat')).resolves.toContain('Pat Home')

    await press(clinician.page, 'xr-reply:One moment')
    const reply = patient.page.getByTestId('chat-message').filter({ hasText: 'One moment' })
    await reply.first().waitFor({ timeout: 15_000 })
    await expect(reply.first().textContent()).resolves.toContain('Dr. Headset')
    // Sent once, exactly as the DOM's form sends: the headset shows it as ours.
    await expect.poll(() => reply.count()).toBe(1)
    await expect.poll(() => headsetText(clinician.page, 'xr-chat')).toMatch(/You\nOne moment/)
  })

  it('takes a trigger pull during a frame the headset took 1.5 s to draw as a click (the press lasted one frame)', async () => {
    await aimRightController(clinician.page, await settledPosition(clinician.page, 'xr-reply:Yes'), HAND)
    // Pressed, then the page is kept busy for 1.5 s right after the frame that saw the press, and released: the
    // browser dispatches the press and the release 1.5 s apart, though the press spanned a single frame.
    const gap = await clinician.page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          type Session = EventTarget & { requestAnimationFrame: (callback: () => void) => number }
          type Device = { controllers: { right: { updateButtonValue: (id: string, v: number) => void } } }
          const device = (window as { __xrDevice?: Device & { activeSession?: Session } }).__xrDevice
          const session = device?.activeSession
          if (!device || !session) throw new Error('no emulator or session')
          let startedAt = 0
          session.addEventListener(
            'selectstart',
            () => {
              startedAt = performance.now()
            },
            { once: true },
          )
          session.addEventListener('selectend', () => resolve(performance.now() - startedAt), { once: true })
          device.controllers.right.updateButtonValue('trigger', 1)
          // Runs in the frame that dispatches selectstart, after it: released there, the next frame ends the press.
          session.requestAnimationFrame(() => {
            const busyUntil = performance.now() + 1500
            while (performance.now() < busyUntil) {
              // A frame that takes 1.5 s to draw.
            }
            device.controllers.right.updateButtonValue('trigger', 0)
          })
        }),
    )
    expect(gap, 'the release came long after the press, by the clock').toBeGreaterThan(1000)
    const reply = patient.page.getByTestId('chat-message').filter({ hasText: 'Yes' })
    await reply.first().waitFor({ timeout: 15_000 })
    await expect.poll(() => reply.count()).toBe(1)
  })

  it('shows the patient’s SpO₂ alarm in a banner; the controller ray acknowledges it and silences the tones', async () => {
    await patient.page.getByTestId('vitals-source').selectOption('sim:desaturation')
    // The banner names the alarm in the font's characters ("SpO2"), with its Acknowledge button.
    await clinician.page.waitForFunction(
      () => window.__xrConsult?.objectOnScreen('xr-alarm-ack:spo2'),
      null,
      {
        timeout: 120_000,
      },
    )
    await expect(headsetText(clinician.page, 'xr-alarm-banner')).resolves.toMatch(/Pat Home: SpO2 low/)
    const banner = await clinician.page.evaluate(() => window.__xrConsult?.objectOnScreen('xr-alarm-banner'))
    expect(banner?.inView, 'the banner is in the headset’s view').toBe(true)
    await screenshot(clinician.page, 'headset-vr-alarm.png')

    const [panel] = await waitForPanels(clinician.page, 1)
    const patientPeer = panel?.peerId ?? ''
    const acknowledged = () =>
      clinician.page.evaluate(
        (peer) =>
          (window as DebugWindow).__xrConsultCall?.runtime.alarms
            .boardFor(peer)
            .log.some((entry) => entry.event === 'acknowledged' && entry.kind === 'spo2') ?? false,
        patientPeer,
      )
    expect(await acknowledged()).toBe(false)
    await press(clinician.page, 'xr-alarm-ack:spo2')
    await expect.poll(acknowledged).toBe(true)
    // The tab's alarm panel shows the same board: acknowledged there too (unless it escalated meanwhile, which
    // raises a new, unacknowledged alarm, as it should).
    await expect
      .poll(() => clinician.page.locator('[data-testid="alarm"][data-kind="spo2"]').first().textContent())
      .toMatch(/acknowledged|was SpO₂/)

    await press(clinician.page, 'xr-alarm-silence')
    await expect
      .poll(() =>
        clinician.page.evaluate(
          () => (window as DebugWindow).__xrConsultCall?.runtime.alarms.silencedUntil(Date.now()) ?? null,
        ),
      )
      .not.toBeNull()
    await expect
      .poll(() => headsetText(clinician.page, 'xr-alarm-banner'))
      .toMatch(/Alarm tones paused: [12]:\d\d left/)
    // The tab says so as well: the silence is the call's, not the headset's.
    await clinician.page.getByTestId('silence-countdown').waitFor({ timeout: 10_000 })
    await screenshot(clinician.page, 'headset-vr-silenced.png')
    // The simulator's desaturation ramps down over tens of seconds on a loaded machine: up to 120 s to alarm.
  }, 200_000)
})

describe('the screening in the headset', () => {
  it('shows the patient’s PHQ-9 score in the side panel once they answer it', async () => {
    // The patient comes back from a link that asks for PHQ-9 (the clinician ticked it for this invitation).
    await openInvite(patient, `${invites.patient}&screen=phq9`, 'Pat Home', '?debug')
    const form = patient.page.getByTestId('questionnaire-phq9')
    await form.waitFor({ timeout: 60_000 })
    // 13 of 27, moderate.
    for (const [item, answer] of PHQ9_ANSWERS) await patient.page.getByTestId(`q-${item}-${answer}`).check()
    await patient.page.getByTestId('q-69722-7-LA6573-5').check()
    await patient.page.getByTestId('questionnaire-send-phq9').click()
    await patient.page.getByTestId('questionnaire-sent-phq9').waitFor()
    await expect
      .poll(() => headsetText(clinician.page, 'xr-screening'), { timeout: 30_000 })
      .toContain('Pat Home: PHQ-9 score 13 of 27, moderate')
    // The patient's own headset panel would not show it: the answers are for the clinician.
    await screenshot(clinician.page, 'headset-vr-screening.png')
  })
})

describe('the worker in emulated AR', () => {
  it('has the guidance palette whole in view and the side panel beside it', async () => {
    const worker = await newParticipant(suite.browser, log, { width: 800, height: 450 })
    try {
      await openInvite(worker, invites.worker as string, 'Wes Onsite', EMULATE)
      await waitForPanels(worker.page, 2, 60_000)
      await worker.page.getByTestId('enter-ar').click()
      await expect.poll(() => xrFrames(worker.page), { timeout: 30_000 }).toBeGreaterThan(10)
      await worker.page.waitForFunction(() => window.__xrConsult?.uikitBoxOnScreen('xr-guidance-palette-box'))
      await nextXrFrames(worker.page, 6)
      const box = await worker.page.evaluate(() =>
        window.__xrConsult?.uikitBoxOnScreen('xr-guidance-palette-box'),
      )
      await screenshot(worker.page, 'headset-ar-worker.png')
      expect(box?.corners.length).toBe(4)
      for (const corner of box?.corners ?? [])
        expect(corner.inView, `palette corner ${JSON.stringify(corner)}`).toBe(true)
      await expect(headsetText(worker.page, 'xr-participants')).resolves.toMatch(/Dr. Headset \(Clinician\)/)
    } finally {
      await worker.context.close()
    }
  })

  it('made no request outside the origin', () => {
    expect(log.foreign(suite.server.origin)).toEqual([])
    expect(clinician.errors).toEqual([])
    expect(patient.errors).toEqual([])
  })
})
