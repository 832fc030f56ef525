// A small RFC 5545 (iCalendar) writer for the invites and the aftercare reminders: VEVENTs with DTSTART/DTEND in
// a named time zone (with the VTIMEZONE that defines it) or in UTC, an optional daily RRULE, a VALARM reminder,
// the link in URL and DESCRIPTION, UID and DTSTAMP. Written here rather than taken from npm: `ics` writes no
// VTIMEZONE (only UTC or floating times) and ical-generator needs a separate time zone database to write one;
// the browser's Intl already knows every zone's offsets, so the VTIMEZONE is derived from it (./zoned-time.ts).
// Pure: the tests parse its output with ical.js.
import { offsetMinutesAt, wallTimeAt } from './zoned-time'

export interface IcsEvent {
  /** Unique and stable for the same event: a calendar updates rather than duplicates an event it imports again. */
  uid: string
  /** ms since the Unix epoch */
  start: number
  /** ms since the Unix epoch */
  end: number
  /** IANA name ("Europe/Berlin") for times on that zone's clock, or "UTC". */
  timeZone: string
  summary: string
  description?: string
  /** An absolute URL (the invite link). */
  url?: string
  /** Minutes before the start when the calendar reminds; 0 at the start, absent: no reminder. */
  alarmMinutesBefore?: number
  /** Repeats every `interval` days, `count` times in all (the first included). */
  daily?: { interval: number; count: number }
}

export interface IcsOptions {
  /** When the file was made, ms (DTSTAMP). */
  stamp: number
  /** Calendar name some programs show (X-WR-CALNAME). */
  name?: string
}

const PRODUCT = '-//XR Consult//Consultations and aftercare//EN'
const DAY_MS = 86_400_000

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** 20270115T143000Z */
export function utcStamp(ms: number): string {
  const d = new Date(ms)
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
}

/** 20270115T143000 on the zone's wall clock. */
function localStamp(timeZone: string, ms: number): string {
  const w = wallTimeAt(timeZone, ms)
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`
}

/** A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n|\r/g, '\\n')
}

const utf8 = new TextEncoder()

/** Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character; CRLF at the end. */
export function foldLine(line: string): string {
  const out: string[] = []
  let current = ''
  let octets = 0
  for (const char of line) {
    const size = utf8.encode(char).length
    // 75 octets on the first line; a continuation line spends one on its leading space.
    if (octets + size > 75) {
      out.push(current)
      current = ' '
      octets = 1
    }
    current += char
    octets += size
  }
  out.push(current)
  return `${out.join('\r\n')}\r\n`
}

const offsetText = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
}

/** The instant in (lo, hi] when the offset changes, to the minute; `lo`'s offset differs from `hi`'s. */
function transitionBetween(timeZone: string, lo: number, hi: number): number {
  const from = offsetMinutesAt(timeZone, lo)
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000
    if (offsetMinutesAt(timeZone, mid) === from) lo = mid
    else hi = mid
  }
  return hi
}

/**
 * The VTIMEZONE for `timeZone` over [from, to]: the offset in force at `from`, then one observance per change
 * of offset up to `to` (found day by day, then to the minute). Explicit observances rather than RRULEs: they are
 * exactly what Intl says for the dates the events use, including zones that changed their rules.
 */
export function timeZoneLines(timeZone: string, from: number, to: number): string[] {
  const changes: { at: number; fromOffset: number; toOffset: number }[] = []
  let previous = offsetMinutesAt(timeZone, from)
  const first = previous
  for (let day = from + DAY_MS; day < to + DAY_MS; day += DAY_MS) {
    const offset = offsetMinutesAt(timeZone, day)
    if (offset !== previous) {
      changes.push({
        at: transitionBetween(timeZone, day - DAY_MS, day),
        fromOffset: previous,
        toOffset: offset,
      })
      previous = offset
    }
  }
  const offsets = [first, ...changes.map((c) => c.toOffset)]
  const largest = Math.max(...offsets)
  const anyChange = new Set(offsets).size > 1
  // Summer time is the larger offset of a zone that changes; a zone that never changes is standard time.
  const kind = (offset: number) => (anyChange && offset === largest ? 'DAYLIGHT' : 'STANDARD')
  const observance = (at: number, fromOffset: number, toOffset: number) => [
    `BEGIN:${kind(toOffset)}`,
    // The onset on the wall clock as it read before the change (RFC 5545 3.6.5: local time with TZOFFSETFROM).
    `DTSTART:${localStamp('UTC', at + fromOffset * 60_000).replace('Z', '')}`,
    `TZOFFSETFROM:${offsetText(fromOffset)}`,
    `TZOFFSETTO:${offsetText(toOffset)}`,
    `END:${kind(toOffset)}`,
  ]
  // The first observance starts a day before the first event, so every event falls after an onset.
  const start = Math.floor(from / DAY_MS) * DAY_MS - DAY_MS
  return [
    'BEGIN:VTIMEZONE',
    `TZID:${timeZone}`,
    ...observance(start, first, first),
    ...changes.flatMap((c) => observance(c.at, c.fromOffset, c.toOffset)),
    'END:VTIMEZONE',
  ]
}

const lastInstant = (event: IcsEvent) =>
  event.daily ? event.end + (event.daily.count - 1) * event.daily.interval * DAY_MS : event.end

function eventLines(event: IcsEvent, stamp: number): string[] {
  const utc = event.timeZone === 'UTC'
  const time = (ms: number) =>
    utc ? `:${utcStamp(ms)}` : `;TZID=${event.timeZone}:${localStamp(event.timeZone, ms)}`
  const lines = [
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `DTSTAMP:${utcStamp(stamp)}`,
    `DTSTART${time(event.start)}`,
    `DTEND${time(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
  ]
  if (event.daily)
    lines.push(
      `RRULE:FREQ=DAILY;${event.daily.interval > 1 ? `INTERVAL=${event.daily.interval};` : ''}COUNT=${event.daily.count}`,
    )
  if (event.description !== undefined) lines.push(`DESCRIPTION:${escapeText(event.description)}`)
  // A URI value, not TEXT: it is written as is (an invite link has no line breaks).
  if (event.url !== undefined) lines.push(`URL:${event.url.replace(/[\r\n]/g, '')}`)
  if (event.alarmMinutesBefore !== undefined)
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeText(event.summary)}`,
      event.alarmMinutesBefore === 0 ? 'TRIGGER:PT0M' : `TRIGGER:-PT${event.alarmMinutesBefore}M`,
      'END:VALARM',
    )
  lines.push('END:VEVENT')
  return lines
}

/** A whole calendar file (text/calendar): every zone the events use, then the events. */
export function buildCalendar(events: readonly IcsEvent[], options: IcsOptions): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODUCT}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ]
  if (options.name) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`)
  const zones = new Map<string, { from: number; to: number }>()
  for (const event of events) {
    if (event.timeZone === 'UTC') continue
    const known = zones.get(event.timeZone)
    zones.set(event.timeZone, {
      from: Math.min(known?.from ?? event.start, event.start),
      to: Math.max(known?.to ?? lastInstant(event), lastInstant(event)),
    })
  }
  for (const [zone, { from, to }] of zones) lines.push(...timeZoneLines(zone, from, to))
  for (const event of events) lines.push(...eventLines(event, options.stamp))
  lines.push('END:VCALENDAR')
  return lines.map(foldLine).join('')
}
