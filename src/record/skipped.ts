// What an export had to leave out, and why, in words for the person exporting. A record can hold an item no
// file format can carry (a time no calendar holds, a value that is not a number: a damaged database, or a
// reading kept before its sender's dates were checked); one such item must not cost the clinician the whole
// export, so each export skips it and says so. Pure.
import { type Measurement, VITALS } from '../vitals/types'

/** Nouns for what an export is made of: singular and plural. */
const NOUNS = {
  reading: ['reading', 'readings'],
  ecg: ['ECG stretch', 'ECG stretches'],
  'alarm-entry': ['alarm log entry', 'alarm log entries'],
  annotation: ['annotation', 'annotations'],
} as const
export type SkippedItem = keyof typeof NOUNS

/** Why an item was left out: finishes "1 reading skipped: …" (and "2 readings skipped: …"). */
export const SKIP_REASON = {
  time: ['its time was invalid', 'their times were invalid'],
  value: ['a value was not a number', 'values were not numbers'],
  kind: ['its kind is unknown', 'their kinds are unknown'],
} as const
export type SkipReason = keyof typeof SKIP_REASON

/** The latest time a JavaScript Date (and so an ISO 8601 export) can hold: ±8.64e15 ms, about ±275,000 years. */
const MAX_DATE_MS = 8.64e15

/** Whether `ms` is a time `new Date(ms).toISOString()` can write (it throws a RangeError otherwise). */
export function isExportableTime(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS
}

/** Whether every number anywhere in `value` (arrays and objects walked) is finite: JSON writes NaN as null. */
export function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(allFinite)
  if (ArrayBuffer.isView(value)) return true
  if (value !== null && typeof value === 'object') return Object.values(value).every(allFinite)
  return true
}

export class ExportSkips {
  private readonly counts = new Map<string, { item: SkippedItem; reason: SkipReason; count: number }>()

  add(item: SkippedItem, reason: SkipReason) {
    const key = `${item}|${reason}`
    const entry = this.counts.get(key) ?? { item, reason, count: 0 }
    entry.count += 1
    this.counts.set(key, entry)
  }

  /** Everything `other` counted, counted here too. */
  addAll(other: ExportSkips) {
    for (const { item, reason, count } of other.counts.values()) {
      for (let i = 0; i < count; i++) this.add(item, reason)
    }
  }

  get count(): number {
    let total = 0
    for (const entry of this.counts.values()) total += entry.count
    return total
  }

  /** "1 reading skipped: its time was invalid", one sentence per kind of item and reason, in the order met. */
  sentences(): string[] {
    return [...this.counts.values()].map(({ item, reason, count }) => {
      const index = count === 1 ? 0 : 1
      return `${count} ${NOUNS[item][index]} skipped: ${SKIP_REASON[reason][index]}`
    })
  }
}

/** Why a measurement cannot be exported, or null when it can. */
export function measurementProblem(m: Measurement): SkipReason | null {
  if (!(m.kind in VITALS)) return 'kind'
  if (!isExportableTime(m.at)) return 'time'
  const values = m.kind === 'blood-pressure' ? [m.systolic, m.diastolic, m.mean] : [m.value]
  if (!values.every((v) => v === undefined || Number.isFinite(v))) return 'value'
  if (m.sent && !allFinite(m.sent.values)) return 'value'
  return null
}

/**
 * The items `problem` finds nothing wrong with; each one it does is counted in `skipped` (when given) as `item`.
 */
export function exportable<T>(
  items: readonly T[],
  item: SkippedItem,
  problem: (value: T) => SkipReason | null,
  skipped?: ExportSkips,
): T[] {
  return items.filter((value) => {
    const reason = problem(value)
    if (reason) skipped?.add(item, reason)
    return reason === null
  })
}
