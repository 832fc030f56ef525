import { describe, expect, it } from 'vitest'
import { dialStep, OPEN_TIMEOUT_MS } from './janus-dial'

describe('dialStep', () => {
  it('says a seat nobody ever published in is empty at once', () => {
    expect(dialStep({ elapsedMs: 0, publishing: false, everPublished: false })).toBe('unavailable')
  })

  it('opens to a publisher until the timeout, then fails the dial without calling the seat empty', () => {
    expect(dialStep({ elapsedMs: 0, publishing: true, everPublished: true })).toBe('open')
    expect(dialStep({ elapsedMs: OPEN_TIMEOUT_MS, publishing: true, everPublished: true })).toBe('open')
    // Someone publishes there: a slow far side is not an empty seat (the mesh would stop re-dialing for good).
    expect(dialStep({ elapsedMs: OPEN_TIMEOUT_MS + 1, publishing: true, everPublished: true })).toBe(
      'unanswered',
    )
  })

  it('waits for someone taking their seat back after a cut, and calls it empty if they do not by the timeout', () => {
    expect(dialStep({ elapsedMs: 1000, publishing: false, everPublished: true })).toBe('wait')
    expect(dialStep({ elapsedMs: OPEN_TIMEOUT_MS + 1, publishing: false, everPublished: true })).toBe(
      'unavailable',
    )
  })
})
