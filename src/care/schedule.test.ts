// The invites' calendar files, read back by a maintained iCalendar parser (ical.js, Mozilla's, used by
// Thunderbird): the start on the chosen zone's clock and as an instant, the zone's offsets from our VTIMEZONE,
// the reminder, the link, UID and DTSTAMP. And the booking form's checks.
import ICAL from 'ical.js'
import { describe, expect, it } from 'vitest'
import { createConsultation } from '../room/credentials'
import { inviteUrl, ROLES } from '../room/invite'
import { escapeText, foldLine } from './ics'
import {
  checkBooking,
  INVITE_REMINDER_MINUTES,
  inviteCalendar,
  inviteMessage,
  type ScheduledConsultation,
  upcoming,
} from './schedule'
import { instantOf, offsetMinutesAt } from './zoned-time'

const BASE = 'https://consult.example.org/'

async function booking(start: number, timeZone: string): Promise<ScheduledConsultation> {
  const { invites } = await createConsultation({ waitingRoom: true })
  return {
    id: 'b7d1c0de-0000-4000-8000-000000000001',
    start,
    durationMinutes: 30,
    timeZone,
    patientName: 'Pat Patient; Jr., the 2nd',
    createdAt: Date.UTC(2027, 0, 1),
    invites,
  }
}

function firstEvent(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text))
  const vevent = calendar.getFirstSubcomponent('vevent')
  if (!vevent) throw new Error('no VEVENT')
  return { calendar, vevent, event: new ICAL.Event(vevent) }
}

describe('the invite calendar file', () => {
  it('parses with ical.js with the start in the chosen zone, the reminder and the link', async () => {
    // 14:30 in New York on 15 January 2027 is 19:30 UTC (EST, -05:00).
    const start = instantOf('America/New_York', { year: 2027, month: 1, day: 15, hour: 14, minute: 30 })
    expect(start).toBe(Date.UTC(2027, 0, 15, 19, 30))
    const s = await booking(start, 'America/New_York')
    const stamp = Date.UTC(2027, 0, 2, 8, 0, 0)
    const text = inviteCalendar(s, 'patient', BASE, stamp)
    expect(text.endsWith('\r\n')).toBe(true)
    for (const line of text.split('\r\n'))
      expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75)

    const { event, vevent, calendar } = firstEvent(text)
    expect(event.startDate.toJSDate().getTime()).toBe(start)
    expect(event.endDate.toJSDate().getTime()).toBe(start + 30 * 60_000)
    expect(event.startDate.zone.tzid).toBe('America/New_York')
    expect(event.startDate.hour).toBe(14)
    expect(event.startDate.minute).toBe(30)
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('America/New_York')
    expect(event.uid).toBe(`${s.id}-patient@xr-consult`)
    expect(vevent.getFirstPropertyValue('dtstamp')?.toString()).toBe('2027-01-02T08:00:00Z')
    expect(event.summary).toBe('Video consultation with Pat Patient; Jr., the 2nd')

    const link = inviteUrl(BASE, s.invites.patient)
    expect(vevent.getFirstPropertyValue('url')).toBe(link)
    expect(event.description).toContain(link)
    expect(event.description).toContain('You join as: Patient')

    const alarm = vevent.getFirstSubcomponent('valarm')
    expect(alarm?.getFirstPropertyValue('action')).toBe('DISPLAY')
    const trigger = alarm?.getFirstPropertyValue('trigger') as ICAL.Duration
    expect(trigger.toSeconds()).toBe(-INVITE_REMINDER_MINUTES * 60)
  })

  it('gives the right instant across a change to summer time, from its own VTIMEZONE', async () => {
    // Booked in winter (+01:00) for a date in summer (+02:00): the VTIMEZONE must carry the March change.
    const start = instantOf('Europe/Berlin', { year: 2027, month: 7, day: 1, hour: 9, minute: 0 })
    expect(start).toBe(Date.UTC(2027, 6, 1, 7, 0))
    const s = await booking(start, 'Europe/Berlin')
    const { event } = firstEvent(inviteCalendar(s, 'specialist', BASE, Date.UTC(2027, 0, 2)))
    expect(event.startDate.toJSDate().getTime()).toBe(start)
    expect(event.startDate.utcOffset()).toBe(2 * 3600)
    expect(event.startDate.hour).toBe(9)
    expect(event.description).toContain('You join as: Remote specialist')
  })

  it('writes UTC times with Z and no VTIMEZONE when booked in UTC', async () => {
    const start = Date.UTC(2027, 2, 10, 6, 15)
    const s = await booking(start, 'UTC')
    const text = inviteCalendar(s, 'clinician', BASE, Date.UTC(2027, 0, 2))
    expect(text).toContain('DTSTART:20270310T061500Z')
    expect(text).not.toContain('VTIMEZONE')
    const { event } = firstEvent(text)
    expect(event.startDate.toJSDate().getTime()).toBe(start)
  })

  it('gives each role its own link and UID', async () => {
    const s = await booking(Date.UTC(2027, 2, 10, 6, 15), 'Asia/Kolkata')
    const uids = new Set<string>()
    for (const role of ROLES) {
      const { event, vevent } = firstEvent(inviteCalendar(s, role, BASE, Date.UTC(2027, 0, 2)))
      uids.add(event.uid)
      expect(vevent.getFirstPropertyValue('url')).toBe(inviteUrl(BASE, s.invites[role]))
      // Kolkata is +05:30 all year: 06:15 UTC is 11:45 there.
      expect(event.startDate.hour).toBe(11)
      expect(event.startDate.minute).toBe(45)
    }
    expect(uids.size).toBe(ROLES.length)
  })

  it('says when, in the zone booked, and the link, in the text to paste', async () => {
    const start = instantOf('Europe/London', { year: 2027, month: 1, day: 14, hour: 16, minute: 0 })
    const s = await booking(start, 'Europe/London')
    const text = inviteMessage(s, 'patient', BASE, 'en-GB')
    // The weekday's punctuation differs between ICU versions; the date, the clock and the zone do not.
    expect(text).toMatch(/When: Thursday,? 14 January 2027, 16:00–16:30 \(Europe\/London\)/)
    expect(text).toContain(inviteUrl(BASE, s.invites.patient))
  })
})

describe('iCalendar text', () => {
  it('escapes what TEXT must escape and folds long lines on character boundaries', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne')
    const folded = foldLine(`DESCRIPTION:${'é'.repeat(100)}`)
    const lines = folded.replace(/\r\n$/, '').split('\r\n')
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75)
    expect(lines.map((l, i) => (i ? l.slice(1) : l)).join('')).toBe(`DESCRIPTION:${'é'.repeat(100)}`)
  })

  it('knows the offsets Intl knows', () => {
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2027, 0, 1))).toBe(60)
    expect(offsetMinutesAt('Europe/Berlin', Date.UTC(2027, 6, 1))).toBe(120)
    expect(offsetMinutesAt('America/St_Johns', Date.UTC(2027, 0, 1))).toBe(-210)
  })
})

describe('booking', () => {
  const now = Date.UTC(2027, 0, 1, 12)
  const form = { date: '2027-01-15', time: '14:30', durationMinutes: 30, timeZone: 'Europe/Paris' }

  it('turns the form into an instant on the chosen clock', () => {
    expect(checkBooking(form, now)).toEqual({ ok: true, start: Date.UTC(2027, 0, 15, 13, 30) })
  })

  it('answers bad input with a sentence', () => {
    expect(checkBooking({ ...form, timeZone: 'Mars/Olympus' }, now)).toEqual({
      ok: false,
      reason: 'Choose a time zone from the list.',
    })
    expect(checkBooking({ ...form, date: '2027-02-30' }, now).ok).toBe(false)
    expect(checkBooking({ ...form, durationMinutes: 0 }, now).ok).toBe(false)
    expect(checkBooking({ ...form, date: '2026-12-31' }, now)).toEqual({
      ok: false,
      reason: 'That time has passed: choose a time in the future.',
    })
  })

  it('lists what is still to come, soonest first', async () => {
    const later = await booking(now + 86_400_000, 'UTC')
    const sooner = { ...later, id: 'sooner', start: now + 3_600_000 }
    const past = { ...later, id: 'past', start: now - 3 * 3_600_000 }
    expect(upcoming([later, past, sooner], now).map((s) => s.id)).toEqual(['sooner', later.id])
  })
})
