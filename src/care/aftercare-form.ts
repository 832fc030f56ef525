// The clinician's aftercare form as typed (strings, as inputs give them) and its turning into a plan, or into a
// sentence saying which field to correct. Pure, so the component only holds the fields and draws.
import { type AftercarePlan, aftercarePlanSchema, isEmptyPlan, MAX_DAYS, parseTimes } from './aftercare'
import { instantOf, parseWallTime } from './zoned-time'

export interface MedicationRow {
  name: string
  dose: string
  times: string
  days: string
}
export interface MeasurementRow {
  what: string
  times: string
  everyDays: string
  days: string
}
export interface AftercareFormValues {
  instructions: string
  medications: MedicationRow[]
  measurements: MeasurementRow[]
  /** One per line. */
  warningSigns: string
  followUpDate: string
  followUpTime: string
  followUpMinutes: string
  followUpNote: string
}

export const emptyMedication = (): MedicationRow => ({ name: '', dose: '', times: '', days: '7' })
export const emptyMeasurement = (): MeasurementRow => ({ what: '', times: '', everyDays: '1', days: '14' })
export const emptyForm = (): AftercareFormValues => ({
  instructions: '',
  medications: [emptyMedication()],
  measurements: [emptyMeasurement()],
  warningSigns: '',
  followUpDate: '',
  followUpTime: '',
  followUpMinutes: '20',
  followUpNote: '',
})

export type FormResult = { ok: true; plan: AftercarePlan } | { ok: false; reason: string }

const wholeNumber = (text: string) => (/^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN)

/** The form as a plan; rows left blank are ignored. The follow-up is read on `timeZone`'s clock (the clinician's). */
export function planFromForm(form: AftercareFormValues, timeZone: string): FormResult {
  const medications: AftercarePlan['medications'] = []
  for (const row of form.medications) {
    if (!row.name.trim() && !row.times.trim()) continue
    const times = parseTimes(row.times)
    const days = wholeNumber(row.days)
    if (!row.name.trim()) return { ok: false, reason: 'Each medication needs its name.' }
    if (!times) return { ok: false, reason: `Give the times for ${row.name.trim()} as 08:00, 20:00.` }
    if (!(days >= 1 && days <= MAX_DAYS))
      return { ok: false, reason: `For how many days ${row.name.trim()}? Between 1 and ${MAX_DAYS}.` }
    medications.push({ name: row.name.trim(), dose: row.dose.trim(), times, days })
  }
  const measurements: AftercarePlan['measurements'] = []
  for (const row of form.measurements) {
    if (!row.what.trim() && !row.times.trim()) continue
    const times = parseTimes(row.times)
    const everyDays = wholeNumber(row.everyDays)
    const days = wholeNumber(row.days)
    if (!row.what.trim()) return { ok: false, reason: 'Each measurement needs to say what to measure.' }
    if (!times) return { ok: false, reason: `Give the times to measure ${row.what.trim()} as 07:30, 19:30.` }
    if (!(everyDays >= 1 && everyDays <= 30))
      return { ok: false, reason: `Every how many days to measure ${row.what.trim()}? Between 1 and 30.` }
    if (!(days >= 1 && days <= MAX_DAYS))
      return {
        ok: false,
        reason: `For how many days to measure ${row.what.trim()}? Between 1 and ${MAX_DAYS}.`,
      }
    measurements.push({ what: row.what.trim(), times, everyDays, days })
  }
  const warningSigns = form.warningSigns
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  let followUp: AftercarePlan['followUp']
  if (form.followUpDate || form.followUpTime) {
    const wall = parseWallTime(form.followUpDate, form.followUpTime)
    const minutes = wholeNumber(form.followUpMinutes)
    if (!wall)
      return { ok: false, reason: 'Give the next appointment a date and a time, or leave both empty.' }
    if (!(minutes >= 5 && minutes <= 480))
      return { ok: false, reason: 'The next appointment lasts between 5 and 480 minutes.' }
    followUp = { start: instantOf(timeZone, wall), durationMinutes: minutes, note: form.followUpNote.trim() }
  }
  const parsed = aftercarePlanSchema.safeParse({
    instructions: form.instructions.trim(),
    medications,
    measurements,
    warningSigns,
    ...(followUp ? { followUp } : {}),
  })
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'plan')
    return { ok: false, reason: `Something in “${field}” is too long or too many: shorten it.` }
  }
  if (isEmptyPlan(parsed.data))
    return { ok: false, reason: 'The plan is empty: write at least one instruction.' }
  return { ok: true, plan: parsed.data }
}
