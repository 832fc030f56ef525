import { describe, expect, it } from 'vitest'
import { formatTime, UNKNOWN_TIME } from './time-text'

const format = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })

describe('formatTime', () => {
  it('formats a real time as the formatter does', () => {
    expect(formatTime(format, Date.UTC(2026, 0, 1, 9, 5))).toBe('09:05')
  })

  it('never throws: a time no date can hold is a plain fallback', () => {
    // Intl throws a RangeError on each of these; a peer's 1e300 once blanked the whole call.
    for (const ms of [1e300, -1e300, 8.64e15 + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => format.format(ms)).toThrow(RangeError)
      expect(formatTime(format, ms)).toBe(UNKNOWN_TIME)
    }
    expect(formatTime(format, Number.NaN, '–')).toBe('–')
  })
})
