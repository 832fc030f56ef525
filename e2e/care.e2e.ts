// The care around the call, in real Chromium: booking a consultation ahead (its invitation as a calendar file
// that a maintained iCalendar parser reads back, and starting the call from Upcoming with the same links), and the
// aftercare plan (the clinician writes it, the patient receives it, keeps it across a reload, and its reminders
// parse; a plan from anyone but the clinician is refused).
import ICAL from 'ical.js'
import type { Download } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { joinAs, newParticipant, openInvite, type Participant, useAppSuite, waitForPanels } from './harness'

const suite = useAppSuite()
const { log } = suite
const people: Participant[] = []

afterAll(() => {
  for (const person of people) console.log(person.trace.join('\n'))
})

async function participant(viewport = { width: 1000, height: 700 }) {
  const person = await newParticipant(suite.browser, log, viewport)
  people.push(person)
  return person
}

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
    expect(log.foreign(suite.server.url)).toEqual([])
    for (const person of [clinician, patient]) await person.context.close()
  })
})
