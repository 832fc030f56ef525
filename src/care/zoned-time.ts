// Wall-clock times in a named (IANA) time zone, through Intl only: a consultation is booked as "14:30 in
// Europe/Berlin", the instant is what the invite carries, and the calendar file names the zone with its offsets.
// No time zone database of our own: the browser's (and Node's) Intl already has one, kept current by its vendor.

/** A date and time on a wall clock, months 1-12. */
export interface WallTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    // h23: midnight is 00, never 24 (some engines give "24" with hour12: false).
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** Whether the browser knows `timeZone` (an IANA name such as "America/New_York", or "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

/** The browser's own time zone. */
export function ownTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Every time zone the browser knows, sorted, with UTC (some engines leave it out of the list). */
export function timeZones(): string[] {
  const listed = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return [...new Set(['UTC', ...listed])].sort()
}

/** The wall clock in `timeZone` at the instant `utcMs`. */
export function wallTimeAt(timeZone: string, utcMs: number): WallTime & { second: number } {
  const parts: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(new Date(utcMs)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  }
}

/** The zone's offset from UTC at the instant `utcMs`, in minutes (east positive: Berlin in winter is +60). */
export function offsetMinutesAt(timeZone: string, utcMs: number): number {
  const w = wallTimeAt(timeZone, utcMs)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  // Whole seconds: the formatter has no milliseconds.
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000)
}

/**
 * The instant when the wall clock in `timeZone` shows `wall`. A time skipped by a change to summer time (02:30
 * on the night clocks jump from 02:00 to 03:00) has no instant: it is read with the offset before the change,
 * i.e. as the instant an hour later by the new clock, as calendar programs do. A time shown twice (autumn) is the
 * first of the two.
 */
export function instantOf(timeZone: string, wall: WallTime): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute)
  // The offset a few hours either side tells both candidates apart; the earlier offset that fits wins.
  const before = offsetMinutesAt(timeZone, asUtc - 12 * 3_600_000)
  const after = offsetMinutesAt(timeZone, asUtc + 12 * 3_600_000)
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const candidate = asUtc - offset * 60_000
    if (offsetMinutesAt(timeZone, candidate) === offset) return candidate
  }
  return asUtc - before * 60_000
}

/** "2027-01-15" and "14:30" (what date and time inputs give) as a wall time, or null if either is malformed. */
export function parseWallTime(date: string, time: string): WallTime | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  const t = /^(\d{2}):(\d{2})$/.exec(time)
  if (!d || !t) return null
  const wall = {
    year: Number(d[1]),
    month: Number(d[2]),
    day: Number(d[3]),
    hour: Number(t[1]),
    minute: Number(t[2]),
  }
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day))
  if (
    check.getUTCFullYear() !== wall.year ||
    check.getUTCMonth() !== wall.month - 1 ||
    check.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59
  )
    return null
  return wall
}

/** "HH:MM" of a time of day, as the form and the wire carry it. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/
