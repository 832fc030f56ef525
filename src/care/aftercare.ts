// The aftercare plan the clinician hands the patient at the end of a call: instructions in plain words,
// medications with their times, what to measure at home and how often, warning signs that need urgent care, and
// the next appointment. It travels as a signed op that only the clinician's credential may author (./channel.ts),
// becomes a FHIR CarePlan in the clinician's record (src/record/careplan.ts), and gives the patient calendar
// reminders (below). Pure.
import * as z from 'zod/mini'
import { buildCalendar, type IcsEvent } from './ics'
import { instantOf, TIME_OF_DAY, wallTimeAt } from './zoned-time'

/** Longest free text of the plan (its instructions), characters: a page in plain words, not a discharge letter. */
export const MAX_INSTRUCTIONS = 4000
/** Longest one-line item (a medication's name or dose, a warning sign), characters. */
export const MAX_ITEM = 200
/** Most medications, measurements or warning signs: more than a plan read at home can hold. */
export const MAX_ITEMS = 20
/** Most times a day for one medication or measurement (every 3 hours). */
export const MAX_TIMES_A_DAY = 8
/** Longest course a reminder is made for, days: a quarter; longer treatment is reviewed before. */
export const MAX_DAYS = 90

/** The range a follow-up may be in, ms: 2000 to 2200. */
export const FOLLOW_UP_EARLIEST = Date.UTC(2000, 0, 1)
export const FOLLOW_UP_LATEST = Date.UTC(2200, 0, 1)

const line = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_ITEM))
const times = z
  .array(z.string().check(z.regex(TIME_OF_DAY)))
  .check(z.minLength(1), z.maxLength(MAX_TIMES_A_DAY))
const days = z.int().check(z.gte(1), z.lte(MAX_DAYS))

export const medicationSchema = z.object({
  name: line,
  /** "1 tablet, 500 mg": as the patient should read it. */
  dose: z.string().check(z.trim(), z.maxLength(MAX_ITEM)),
  /** Times of day on the patient's clock, "HH:MM". */
  times,
  /** For how many days. */
  days,
})

export const measurementSchema = z.object({
  /** "Blood pressure", "Blood glucose before breakfast". */
  what: line,
  times,
  /** Every how many days (1: daily). */
  everyDays: z.int().check(z.gte(1), z.lte(30)),
  /** For how many days in all. */
  days,
})

export const followUpSchema = z.object({
  /**
   * ms since the Unix epoch, within years any date formatter and FHIR dateTime hold (the op's own date is checked
   * against the clock; this one is months ahead by nature, so it is bounded instead).
   */
  start: z.number().check(z.gte(FOLLOW_UP_EARLIEST), z.lte(FOLLOW_UP_LATEST)),
  /** minutes */
  durationMinutes: z.int().check(z.gte(5), z.lte(480)),
  /** Where or how: "video call, same link", "GP practice". */
  note: z.string().check(z.trim(), z.maxLength(MAX_ITEM)),
})

export const aftercarePlanSchema = z.object({
  instructions: z.string().check(z.trim(), z.maxLength(MAX_INSTRUCTIONS)),
  medications: z.array(medicationSchema).check(z.maxLength(MAX_ITEMS)),
  measurements: z.array(measurementSchema).check(z.maxLength(MAX_ITEMS)),
  warningSigns: z.array(line).check(z.maxLength(MAX_ITEMS)),
  followUp: z.optional(followUpSchema),
})

export type AftercarePlan = z.infer<typeof aftercarePlanSchema>
export type Medication = z.infer<typeof medicationSchema>
export type HomeMeasurement = z.infer<typeof measurementSchema>

/** As the protocol's longest display name. */
const MAX_NAME_LENGTH = 64

/**
 * The plan on the wire: a replicated op (so a patient who reconnects, or joins after it was written, still gets
 * it), signed by its author's session key like every op; `clinicianName` must be its author's own name, and the
 * author must hold the clinician's credential (./channel.ts `validate`).
 */
export const aftercareOpSchema = z.object({
  kind: z.literal('care-plan'),
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  author: z.string().check(z.length(22)),
  at: z.number(),
  clinicianName: z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH)),
  plan: aftercarePlanSchema,
})
export type AftercareOp = z.infer<typeof aftercareOpSchema>

/** A plan as received: which op, when, from whom. */
export interface ReceivedPlan {
  id: string
  /** ms since the Unix epoch, by the clinician's clock */
  at: number
  clinicianName: string
  plan: AftercarePlan
}

/** Whether a plan says anything at all (an empty form is not sent). */
export function isEmptyPlan(plan: AftercarePlan): boolean {
  return (
    !plan.instructions &&
    !plan.medications.length &&
    !plan.measurements.length &&
    !plan.warningSigns.length &&
    !plan.followUp
  )
}

/** "08:00, 20:00" as times of day; null if any is not HH:MM. Order kept, duplicates dropped. */
export function parseTimes(text: string): string[] | null {
  const parts = text
    .split(/[,;\s]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (/^\d:\d\d$/.test(part) ? `0${part}` : part))
  if (!parts.length || !parts.every((part) => TIME_OF_DAY.test(part))) return null
  return [...new Set(parts)]
}

/** Reminder events last this long in the calendar, minutes: a slot to notice, not an appointment. */
const REMINDER_MINUTES = 10
/** The follow-up is reminded a day ahead (time to arrange) by the event's own alarm, minutes. */
const FOLLOW_UP_REMINDER_MINUTES = 24 * 60

export type ReminderKind = 'medications' | 'measurements' | 'follow-up'

/**
 * The first instant at or after `from` when the clock in `timeZone` reads `time` ("HH:MM"): where a daily
 * reminder starts. Reminders are on the patient's own clock, whatever zone the clinician is in.
 */
export function firstAt(time: string, timeZone: string, from: number): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number]
  const today = wallTimeAt(timeZone, from)
  const at = instantOf(timeZone, { year: today.year, month: today.month, day: today.day, hour, minute })
  if (at >= from) return at
  const tomorrow = wallTimeAt(timeZone, at + 36 * 3_600_000)
  return instantOf(timeZone, { year: tomorrow.year, month: tomorrow.month, day: tomorrow.day, hour, minute })
}

/** The calendar events of one kind of reminder, from `from` (ms) on, on `timeZone`'s clock. */
export function reminderEvents(
  received: ReceivedPlan,
  kind: ReminderKind,
  timeZone: string,
  from: number,
): IcsEvent[] {
  const { plan } = received
  // The op id is unique in the call and stable: importing the same reminders again updates them.
  const uid = (part: string) => `${received.id.replace(/[^A-Za-z0-9_-]/g, '-')}-${part}@xr-consult`
  switch (kind) {
    case 'medications':
      return plan.medications.flatMap((m, i) =>
        m.times.map((time) => {
          const start = firstAt(time, timeZone, from)
          return {
            uid: uid(`med${i}-${time.replace(':', '')}`),
            start,
            end: start + REMINDER_MINUTES * 60_000,
            timeZone,
            summary: `Take ${m.name}${m.dose ? ` (${m.dose})` : ''}`,
            description: `From your aftercare plan by ${received.clinicianName}.`,
            alarmMinutesBefore: 0,
            daily: { interval: 1, count: m.days },
          }
        }),
      )
    case 'measurements':
      return plan.measurements.flatMap((m, i) =>
        m.times.map((time) => {
          const start = firstAt(time, timeZone, from)
          return {
            uid: uid(`measure${i}-${time.replace(':', '')}`),
            start,
            end: start + REMINDER_MINUTES * 60_000,
            timeZone,
            summary: `Measure: ${m.what}`,
            description: `From your aftercare plan by ${received.clinicianName}. Write the result down for your next appointment.`,
            alarmMinutesBefore: 0,
            daily: { interval: m.everyDays, count: Math.ceil(m.days / m.everyDays) },
          }
        }),
      )
    case 'follow-up': {
      const next = plan.followUp
      if (!next) return []
      return [
        {
          uid: uid('follow-up'),
          start: next.start,
          end: next.start + next.durationMinutes * 60_000,
          timeZone,
          summary: `Follow-up appointment with ${received.clinicianName}`,
          description: next.note || 'Your next appointment, from your aftercare plan.',
          alarmMinutesBefore: FOLLOW_UP_REMINDER_MINUTES,
        },
      ]
    }
    default: {
      const unknownKind: never = kind
      throw new Error(`Unknown reminder kind ${String(unknownKind)}`)
    }
  }
}

/** A calendar file of one kind of reminder; null when the plan has none of that kind. */
export function reminderCalendar(
  received: ReceivedPlan,
  kind: ReminderKind,
  timeZone: string,
  from: number,
): string | null {
  const events = reminderEvents(received, kind, timeZone, from)
  return events.length ? buildCalendar(events, { stamp: from, name: 'Aftercare reminders' }) : null
}
