// The care around the call, in real Chromium: booking a consultation ahead (its invitation as a calendar file
// that a maintained iCalendar parser reads back, and starting the call from Upcoming with the same links), and the
// aftercare plan (the clinician writes it, the patient receives it, keeps it across a reload, and its reminders
// parse; a plan from anyone but the clinician is refused).
import ICAL from 'ical.js'
import type { Download } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { DebugCall } from '../src/call/runtime'
import { agreeToRecord, joinAs, openInvite, startConsultation, useAppSuite, waitForPanels } from './harness'

// A `?debug` page's call, as the hostile tests drive it: what a modified client can do with its own key.
declare const window: Window & { __xrConsultCall?: DebugCall }

const suite = useAppSuite()
const { log } = suite

const participant = (viewport = { width: 1000, height: 700 }) => suite.participant(viewport)

async function readDownload(download: Download): Promise<string> {
  const stream = await download.createReadStream()
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseEvents(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text))
  return calendar.getAllSubcomponents('vevent').map((vevent) => ({ vevent, event: new ICAL.Event(vevent) }))
}

describe('booking a consultation', () => {
  it('books one, lists it under Upcoming, gives its invitation as a calendar file and starts the call from it', async () => {
    const clinician = await participant()
    const { page } = clinician
    await page.goto(`${suite.server.url}?debug`)
    await page.getByTestId('waiting-room-option').check()
    await page.getByTestId('schedule-date').fill('2031-03-14')
    await page.getByTestId('schedule-time').fill('15:45')
    await page.getByTestId('schedule-duration').selectOption('45')
    await page.getByTestId('schedule-zone').selectOption('America/Chicago')
    await page.getByTestId('schedule-patient').fill('Pat Booked')
    await page.getByTestId('schedule-book').click()

    const item = page.getByTestId('upcoming-item')
    await item.waitFor()
    await expect(item.getByTestId('upcoming-when').textContent()).resolves.toMatch(
      /14 March 2031|March 14, 2031/,
    )
    await expect(item.getByTestId('upcoming-when').textContent()).resolves.toContain('(America/Chicago)')

    // The patient's invitation as a calendar file, read by ical.js: 15:45 in Chicago (CDT, -05:00 on 14 March
    // 2031, after the US change on the 9th) is 20:45 UTC.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByTestId('ics-patient').click(),
    ])
    expect(download.suggestedFilename()).toBe('consultation-2031-03-14-patient.ics')
    const [only, ...more] = parseEvents(await readDownload(download))
    expect(more).toHaveLength(0)
    if (!only) throw new Error('no event in the calendar file')
    const { event, vevent } = only
    expect(event.startDate.toJSDate().getTime()).toBe(Date.UTC(2031, 2, 14, 20, 45))
    expect(event.endDate.toJSDate().getTime()).toBe(Date.UTC(2031, 2, 14, 21, 30))
    expect(event.startDate.zone.tzid).toBe('America/Chicago')
    expect(event.summary).toBe('Video consultation with Pat Booked')
    const trigger = vevent.getFirstSubcomponent('valarm')?.getFirstPropertyValue('trigger') as ICAL.Duration
    expect(trigger.toSeconds()).toBeLessThan(0)
    const patientLink = String(vevent.getFirstPropertyValue('url'))
    expect(new URL(patientLink).origin).toBe(new URL(suite.server.url).origin)
    expect(patientLink).toContain('role=patient')
    // The same link as the text to paste into a message.
    await expect(item.getByTestId('message-patient').inputValue()).resolves.toContain(patientLink)

    // Still there after a reload: it lives in this browser.
    await page.reload()
    await page.getByTestId('upcoming-item').waitFor()

    // Start it: the clinician joins the booked room, and the patient's link from the calendar file gets in.
    await page.getByTestId('upcoming-start').click()
    await joinAs(page, 'Dr. Booked')
    const patient = await participant()
    await openInvite(patient, patientLink, 'Pat Booked', '?debug')
    // The booking made the patient's invite wait: same room, same links.
    await patient.page.getByTestId('waiting-room').waitFor({ timeout: 30_000 })
    await page.getByTestId('admit').click({ timeout: 30_000 })
    await waitForPanels(page, 1, 60_000)
    await waitForPanels(patient.page, 1, 60_000)
    expect(log.foreign(suite.server.origin)).toEqual([])
    for (const person of [clinician, patient]) await person.context.close()
  })
})

/** Fills the clinician's aftercare form and sends it. */
async function writePlan(page: import('playwright-core').Page) {
  await page.getByTestId('aftercare-form').locator('summary').click()
  await page.getByTestId('aftercare-instructions-input').fill('Rest for two days. Drink plenty of water.')
  await page.getByTestId('med-name-0').fill('Paracetamol')
  await page.getByTestId('med-dose-0').fill('500 mg, 1 tablet')
  await page.getByTestId('med-times-0').fill('08:00, 20:00')
  await page.getByTestId('med-days-0').fill('5')
  await page.getByTestId('measure-what-0').fill('Blood pressure')
  await page.getByTestId('measure-times-0').fill('07:30')
  await page.getByTestId('measure-every-0').fill('2')
  await page.getByTestId('measure-days-0').fill('14')
  await page.getByTestId('aftercare-warnings-input').fill('Chest pain\nFainting')
  await page.getByTestId('follow-date').fill('2031-05-20')
  await page.getByTestId('follow-time').fill('10:00')
  await page.getByTestId('follow-minutes').fill('20')
  await page.getByTestId('follow-note').fill('Video call, same link')
  await page.getByTestId('aftercare-send').click()
  await page.getByTestId('aftercare-sent').waitFor({ timeout: 15_000 })
}

describe('aftercare', () => {
  it('reaches the patient from the clinician, survives the patient’s reload with reminders that parse, and is refused from anyone else', async () => {
    const clinician = await participant()
    const invites = await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Care')
    const patient = await participant()
    await openInvite(patient, invites.patient as string, 'Pat Care', '?debug')
    await waitForPanels(clinician.page, 1, 60_000)
    // The clinician's record (its export is read at the end) starts once the patient agrees.
    await agreeToRecord(patient.page, clinician.page)

    // A malformed time is answered with a sentence, and nothing is sent.
    await clinician.page.getByTestId('aftercare-form').locator('summary').click()
    await clinician.page.getByTestId('med-name-0').fill('Paracetamol')
    await clinician.page.getByTestId('med-times-0').fill('8 pm')
    await clinician.page.getByTestId('aftercare-send').click()
    await expect(clinician.page.getByTestId('aftercare-problem').textContent()).resolves.toBe(
      'Give the times for Paracetamol as 08:00, 20:00.',
    )
    await clinician.page.getByTestId('aftercare-form').locator('summary').click()
    await writePlan(clinician.page)

    // The patient sees it in the call.
    const plan = patient.page.getByTestId('aftercare-plan')
    await plan.waitFor({ timeout: 30_000 })
    // Told once, in the notices (shown for 6 s, so read first).
    await expect(patient.page.getByTestId('notices').textContent()).resolves.toContain(
      'Dr. Care sent you an aftercare plan',
    )
    await expect(plan.getByTestId('aftercare-instructions').textContent()).resolves.toBe(
      'Rest for two days. Drink plenty of water.',
    )
    await expect(plan.getByTestId('aftercare-warnings').textContent()).resolves.toContain('Fainting')
    await expect(plan.getByTestId('aftercare-medications').textContent()).resolves.toContain(
      'Paracetamol, 500 mg, 1 tablet — at 08:00, 20:00, for 5 days',
    )

    // After a reload (the call is gone from this page), the patient's own copy is still there.
    await patient.page.reload()
    const kept = patient.page.getByTestId('my-aftercare').getByTestId('aftercare-plan')
    await kept.waitFor({ timeout: 15_000 })
    await expect(kept.getByTestId('aftercare-instructions').textContent()).resolves.toBe(
      'Rest for two days. Drink plenty of water.',
    )

    // Its reminders, read by ical.js: medication times daily for 5 days on the patient's clock, the measurement
    // every 2 days, the follow-up at the appointment.
    const timeZone = await patient.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)
    const reminders = async (kind: string) => {
      const [download] = await Promise.all([
        patient.page.waitForEvent('download'),
        kept.getByTestId(`aftercare-ics-${kind}`).click(),
      ])
      return parseEvents(await readDownload(download))
    }
    const medications = await reminders('medications')
    expect(medications.map(({ event }) => event.summary)).toEqual([
      'Take Paracetamol (500 mg, 1 tablet)',
      'Take Paracetamol (500 mg, 1 tablet)',
    ])
    for (const { event } of medications) {
      expect(event.startDate.zone.tzid).toBe(timeZone)
      expect(event.startDate.toJSDate().getTime()).toBeGreaterThan(Date.now() - 60_000)
      expect(event.component.getFirstPropertyValue('rrule')?.toString()).toBe('FREQ=DAILY;COUNT=5')
    }
    expect(
      medications.map(({ event }) => `${event.startDate.hour}:${event.startDate.minute}`).sort(),
    ).toEqual(['20:0', '8:0'])
    const [measurement] = await reminders('measurements')
    expect(measurement?.event.summary).toBe('Measure: Blood pressure')
    const every = measurement?.event.component.getFirstPropertyValue('rrule') as ICAL.Recur
    expect({ freq: every.freq, interval: every.interval, count: every.count }).toEqual({
      freq: 'DAILY',
      interval: 2,
      count: 7,
    })
    const [followUp] = await reminders('follow-up')
    expect(followUp?.event.description).toBe('Video call, same link')
    expect(followUp?.event.endDate.toJSDate().getTime()).toBe(
      (followUp?.event.startDate.toJSDate().getTime() ?? 0) + 20 * 60_000,
    )

    // The patient rejoins and sends a plan of their own (as a modified client would): the clinician refuses it
    // as no consultation app's message and disconnects the sender; the clinician's plan stays the plan.
    await joinAs(patient.page, 'Pat Care')
    await waitForPanels(clinician.page, 1, 60_000)
    const clinicianPlan = await clinician.page.evaluate(
      () => window.__xrConsultCall?.runtime.aftercare.latest()?.id,
    )
    expect(clinicianPlan).toBeTruthy()
    await patient.page.evaluate(() => {
      const call = window.__xrConsultCall
      if (!call) throw new Error('no debug API')
      call.debugPublish({
        kind: 'care-plan',
        id: call.nextOpId(),
        author: call.session(),
        at: Date.now(),
        clinicianName: 'Pat Care',
        plan: {
          instructions: 'FORGED: stop all your medication',
          medications: [],
          measurements: [],
          warningSigns: [],
        },
      })
    })
    await expect
      .poll(() => clinician.page.getByTestId('notices').textContent(), { timeout: 30_000 })
      .toContain('Pat Care sent messages no consultation app sends')
    await expect(
      clinician.page.evaluate(() => window.__xrConsultCall?.runtime.aftercare.latest()?.id),
    ).resolves.toBe(clinicianPlan)
    await expect(clinician.page.getByText('FORGED').count()).resolves.toBe(0)

    // The clinician's record keeps the plan: the FHIR export has it as a CarePlan with its activities.
    await clinician.page.getByTestId('leave').click()
    await clinician.page.goto(suite.server.url)
    const entry = clinician.page.getByTestId('call-record').first()
    await entry.waitFor({ timeout: 15_000 })
    const [fhir] = await Promise.all([
      clinician.page.waitForEvent('download'),
      entry.getByTestId('call-record-fhir').click(),
    ])
    const bundle = JSON.parse(await readDownload(fhir)) as { entry: { resource: Record<string, unknown> }[] }
    const carePlans = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'CarePlan')
    expect(carePlans).toHaveLength(1)
    expect(carePlans[0]).toMatchObject({
      status: 'active',
      intent: 'plan',
      description: 'Rest for two days. Drink plenty of water.',
    })
    const activities = (carePlans[0]?.activity ?? []) as { detail: { kind: string } }[]
    expect(activities.map((a) => a.detail.kind)).toEqual([
      'MedicationRequest',
      'ServiceRequest',
      'Appointment',
    ])
    expect(log.foreign(suite.server.origin)).toEqual([])
    for (const person of [clinician, patient]) await person.context.close()
  })
})
