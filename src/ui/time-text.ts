// Dates shown to people, from numbers that may come from another device. `Intl.DateTimeFormat.format` throws a
// RangeError for a time it cannot hold (NaN, or beyond ±8.64e15 ms, about ±275,000 years), and a throw while
// rendering takes its whole region down; so every date from a peer or from the record goes through here.

/** What is shown instead of a time no calendar can hold. */
export const UNKNOWN_TIME = 'unknown time'

/** `ms` (since the Unix epoch) as `format` writes it, or `fallback` when it is not a time a date can hold. */
export function formatTime(format: Intl.DateTimeFormat, ms: number, fallback = UNKNOWN_TIME): string {
  if (!Number.isFinite(ms)) return fallback
  try {
    return format.format(ms)
  } catch {
    return fallback
  }
}
