import { describe, expect, it } from 'vitest'
import { NO_SPEAKER, nextSpeaker, RELEASE_MS, type SpeakerState, SWITCH_MS } from './active-speaker'

const QUIET = -70
const VOICE = -25

/** Runs readings every 100 ms; `at(t)` gives the levels at time t. Returns who had the panel at each reading. */
function run(until: number, at: (t: number) => Record<string, number>, start: SpeakerState = NO_SPEAKER) {
  let state = start
  const seen: Array<string | null> = []
  for (let t = 0; t <= until; t += 100) {
    state = nextSpeaker(state, new Map(Object.entries(at(t))), t)
    seen.push(state.current)
  }
  return { state, seen }
}

describe('nextSpeaker', () => {
  it('nobody speaking: nobody has the panel (the presenter keeps it)', () => {
    expect(run(3000, () => ({ a: QUIET, b: QUIET })).state.current).toBe(null)
  })

  it('the first voice takes an empty panel at once', () => {
    expect(run(0, () => ({ a: VOICE, b: QUIET })).state.current).toBe('a')
  })

  it('keeps the speaker through a pause for breath, and lets go after a longer silence', () => {
    const pause = run(1000, (t) => ({ a: t < 300 || t > 800 ? VOICE : QUIET }))
    expect(pause.seen.every((id) => id === 'a')).toBe(true)
    const silence = run(300 + RELEASE_MS + 200, (t) => ({ a: t < 300 ? VOICE : QUIET }))
    expect(silence.state.current).toBe(null)
  })

  it('does not flap when two talk over each other: a brief louder voice does not take the panel', () => {
    // b is louder for 500 ms at a time (less than SWITCH_MS), alternating with a.
    const { seen } = run(5000, (t) =>
      Math.floor(t / 500) % 2 ? { a: VOICE, b: -15 } : { a: VOICE, b: QUIET },
    )
    expect(new Set(seen)).toEqual(new Set(['a']))
  })

  it('hands the panel over once another stays the loudest for SWITCH_MS', () => {
    const { seen } = run(3000, (t) => (t < 1000 ? { a: VOICE, b: QUIET } : { a: QUIET, b: VOICE }))
    const switchedAt = seen.indexOf('b') * 100
    expect(switchedAt).toBeGreaterThanOrEqual(1000 + SWITCH_MS)
    expect(switchedAt).toBeLessThanOrEqual(1000 + SWITCH_MS + 100)
    // Once switched, it stays.
    expect(seen.slice(seen.indexOf('b')).every((id) => id === 'b')).toBe(true)
  })

  it('a participant who left (no level any more) is let go like a silent one', () => {
    const { state } = run(RELEASE_MS + 500, (t): Record<string, number> => (t === 0 ? { a: VOICE } : {}))
    expect(state.current).toBe(null)
  })
})
