// Booking a consultation ahead: the clinician picks a date, time, duration and time zone; each invite goes out
// as a calendar file (./ics.ts) and as a text to paste into any message. Nothing of it reaches the server: the
// booking lives in the clinician's browser (src/record/schedule.ts) and in the invitations. Pure.
import { type Invite, inviteUrl, ROLE_LABELS, type Role } from '../room/invite'
import { buildCalendar } from './ics'
import { instantOf, isTimeZone, parseWallTime } from './zoned-time'

/** Shortest and longest consultation that can be booked, minutes. */
export const MIN_DURATION_MINUTES = 5
export const MAX_DURATION_MINUTES = 480
/**
 * The calendar reminds this long before the start, minutes: time to find a quiet room and charge the headset,
 * and what calendar programs offer by default.
 */
export const INVITE_REMINDER_MINUTES = 15
/** A booking stays under Upcoming until this long after its end, ms, so a call that overran can still be started. */
export const UPCOMING_GRACE_MS = 60 * 60_000

export interface ScheduledConsultation {
  /** Random, unrelated to the room; also the calendar events' UID stem. */
  id: string
  /** ms since the Unix epoch */
  start: number
  durationMinutes: number
  /** The zone it was booked in: the invites show the time on its clock. */
  timeZone: string
  /** Whom it is with, as the clinician typed it (optional; only on this device and in the invites' text). */
  patientName?: string
  /** ms since the Unix epoch */
  createdAt: number
  /** The consultation's invites: the same room and links whenever it is started. */
  invites: Record<Role, Invite>
}

export interface BookingForm {
  date: string
  time: string
  durationMinutes: number
  timeZone: string
}

export type BookingCheck = { ok: true; start: number } | { ok: false; reason: string }

/** The form's values as an instant, or a sentence saying what to correct. `now` in ms. */
export function checkBooking(form: BookingForm, now: number): BookingCheck {
  if (!isTimeZone(form.timeZone)) return { ok: false, reason: 'Choose a time zone from the list.' }
  const wall = parseWallTime(form.date, form.time)
  if (!wall) return { ok: false, reason: 'Enter a date and a time for the consultation.' }
  const { durationMinutes } = form
  if (
    !Number.isInteger(durationMinutes) ||
    durationMinutes < MIN_DURATION_MINUTES ||
    durationMinutes > MAX_DURATION_MINUTES
  )
    return {
      ok: false,
      reason: `A consultation lasts between ${MIN_DURATION_MINUTES} and ${MAX_DURATION_MINUTES} minutes.`,
    }
  const start = instantOf(form.timeZone, wall)
  if (start + durationMinutes * 60_000 <= now)
    return { ok: false, reason: 'That time has passed: choose a time in the future.' }
  return { ok: true, start }
}

export const endOf = (s: Pick<ScheduledConsultation, 'start' | 'durationMinutes'>) =>
  s.start + s.durationMinutes * 60_000

/** The bookings still to come (or under way), soonest first. */
export function upcoming(list: readonly ScheduledConsultation[], now: number): ScheduledConsultation[] {
  return list.filter((s) => endOf(s) + UPCOMING_GRACE_MS > now).sort((a, b) => a.start - b.start)
}

/** "Thursday 14 January 2027, 14:30–15:00 (Europe/Berlin)" in the booking's zone, in `locale`. */
export function describeWhen(s: ScheduledConsultation, locale?: string): string {
  const day = new Intl.DateTimeFormat(locale, {
    timeZone: s.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(s.start)
  const clock = new Intl.DateTimeFormat(locale, { timeZone: s.timeZone, hour: '2-digit', minute: '2-digit' })
  return `${day}, ${clock.format(s.start)}–${clock.format(endOf(s))} (${s.timeZone})`
}

const title = (s: ScheduledConsultation) =>
  s.patientName ? `Video consultation with ${s.patientName}` : 'Video consultation'

/** The words of an invitation for `role`, to paste into a message (and the calendar event's description). */
export function inviteMessage(
  s: ScheduledConsultation,
  role: Role,
  appBase: string,
  locale?: string,
): string {
  const link = inviteUrl(appBase, s.invites[role])
  return [
    `${title(s)}`,
    `When: ${describeWhen(s, locale)}`,
    `You join as: ${ROLE_LABELS[role]}`,
    '',
    'At that time, open this link in a browser (Chrome, Edge, Firefox, Safari, or a headset browser):',
    link,
    '',
    'The link is your personal invitation: do not forward it. No account or app is needed.',
  ].join('\n')
}

/** The calendar file for `role`'s invite. `stamp`: when it is made, ms. */
export function inviteCalendar(s: ScheduledConsultation, role: Role, appBase: string, stamp: number): string {
  return buildCalendar(
    [
      {
        // One UID per invite: the patient's and the specialist's events are different events.
        uid: `${s.id}-${role}@xr-consult`,
        start: s.start,
        end: endOf(s),
        timeZone: s.timeZone,
        summary: title(s),
        description: inviteMessage(s, role, appBase),
        url: inviteUrl(appBase, s.invites[role]),
        alarmMinutesBefore: INVITE_REMINDER_MINUTES,
      },
    ],
    { stamp, name: 'XR Consult' },
  )
}

/** A file name for `role`'s calendar file: `consultation-2027-01-14-patient.ics`. */
export function inviteFileName(s: ScheduledConsultation, role: Role): string {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: s.timeZone }).format(s.start)
  return `consultation-${date}-${role}.ics`
}
