// The pace a receiver asks for (its video's smoothness as the signal) and the sender keeping to it.
import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import {
  BURST_MS,
  MAX_PACE_BYTES_PER_SECOND,
  MIN_PACE_BYTES_PER_SECOND,
  SendPace,
  START_PACE_BYTES_PER_SECOND,
  VideoPace,
} from './pace'
import { shareGotSchema, shareWantSchema } from './wire'

/**
 * Drives a VideoPace in 500 ms steps (a window of 10 frames) with 20 fps video presented, `drawnShare` of it drawn, and `bytesPerSecond`
 * arriving while `receiving`. Returns the clock and counters to go on from.
 */
function drive(
  pace: VideoPace,
  from: { at: number; presented: number; drawn: number; arrived: number },
  steps: number,
  {
    drawnShare,
    receiving,
    bytesPerSecond = 0,
  }: { drawnShare: number; receiving: boolean; bytesPerSecond?: number },
) {
  const state = { ...from }
  for (let i = 0; i < steps; i++) {
    state.at += 500
    state.presented += 10
    state.drawn += 10 * drawnShare
    if (receiving) state.arrived += bytesPerSecond * 0.5
    pace.observe({ drawn: state.drawn, presented: state.presented }, state.at, receiving, state.arrived)
  }
  return state
}

const START = { at: 0, presented: 0, drawn: 0, arrived: 0 }

describe('VideoPace', () => {
  it('asks for no pace while no live video is shown', () => {
    const pace = new VideoPace()
    expect(pace.pace(0)).toBeNull()
    pace.observe({ drawn: 0, presented: 0 }, 1000, true, 5_000_000)
    expect(pace.pace(1000)).toBeNull()
    // Video that stopped two seconds ago is no longer protected.
    const state = drive(pace, START, 8, { drawnShare: 1, receiving: false })
    expect(pace.pace(state.at)).not.toBeNull()
    expect(pace.pace(state.at + 2500)).toBeNull()
  })

  it('starts a transfer at the start pace and raises it by half per window while the video keeps up', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    // The first window of a transfer only opens the measure.
    state = drive(pace, state, 1, {
      drawnShare: 1,
      receiving: true,
      bytesPerSecond: START_PACE_BYTES_PER_SECOND,
    })
    expect(pace.pace(state.at)).toBe(START_PACE_BYTES_PER_SECOND)
    state = drive(pace, state, 1, {
      drawnShare: 1,
      receiving: true,
      bytesPerSecond: START_PACE_BYTES_PER_SECOND,
    })
    expect(pace.pace(state.at)).toBe(START_PACE_BYTES_PER_SECOND * 1.5)
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 4_500_000 })
    expect(pace.pace(state.at)).toBe(START_PACE_BYTES_PER_SECOND * 1.5 ** 2)
  })

  it('cuts the pace, from what arrived, when the page draws clearly fewer of its frames', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 8_000_000 })
    const before = pace.pace(state.at) ?? 0
    expect(before).toBeGreaterThan(START_PACE_BYTES_PER_SECOND)
    // Only 1.2 MB/s came through in the bad window (the link, not the pace, held it): 0.7 of that is asked.
    state = drive(pace, state, 1, { drawnShare: 0.5, receiving: true, bytesPerSecond: 1_200_000 })
    expect(pace.pace(state.at)).toBe(840_000)
  })

  it('cuts for a window that missed a few frames only when the next one misses them too', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const before = pace.pace(state.at) ?? 0
    // Seven frames of ten: one such window is within chance (one frame is a tenth), and holds the pace.
    state = drive(pace, state, 1, { drawnShare: 0.7, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(before)
    // A good window between resets nothing but the span: 0.7 and 1 together are not clearly fewer.
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const after = pace.pace(state.at) ?? 0
    expect(after).toBeGreaterThan(before)
    state = drive(pace, state, 1, { drawnShare: 0.7, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(after)
    // Two in a row are the transfer's doing.
    state = drive(pace, state, 1, { drawnShare: 0.7, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(after * 0.7))
  })

  it('goes down to its floor while less arriving keeps bringing frames back', () => {
    // A page whose video loses a tenth of its frames per MB/s arriving, on a link faster than any pace.
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    const paces: number[] = []
    for (let i = 0; i < 60; i++) {
      const arriving = pace.pace(state.at) ?? 0
      const drawnShare = Math.max(0, 1 - arriving / 1_000_000 / 10)
      state = drive(pace, state, 1, { drawnShare, receiving: true, bytesPerSecond: arriving })
      paces.push(pace.pace(state.at) ?? 0)
    }
    // It settles where about a fifth of the frames go (2 MB/s), not far below it and not far above.
    const settled = paces.slice(20)
    expect(Math.max(...settled)).toBeLessThan(3_500_000)
    expect(Math.min(...settled)).toBeGreaterThan(700_000)
    // A page that loses more per byte takes it lower, down to the floor.
    const slow = new VideoPace()
    state = drive(slow, START, 20, { drawnShare: 1, receiving: false })
    for (let i = 0; i < 60; i++) {
      const arriving = slow.pace(state.at) ?? 0
      const drawnShare = Math.max(0, 1 - arriving / 300_000)
      state = drive(slow, state, 1, { drawnShare, receiving: true, bytesPerSecond: arriving })
    }
    expect(slow.pace(state.at)).toBe(MIN_PACE_BYTES_PER_SECOND)
  })

  it('undoes a cut that brought no frames back, once, and judges against what the page draws now', () => {
    // The page draws 0.7 of its frames at any pace (something else on it or its device costs them).
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const before = pace.pace(state.at) ?? 0
    state = drive(pace, state, 2, { drawnShare: 0.7, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(before * 0.7))
    // Less arrives, and the page still draws 0.7: the cut is undone.
    const cut = pace.pace(state.at) ?? 0
    state = drive(pace, state, 2, { drawnShare: 0.7, receiving: true, bytesPerSecond: cut })
    expect(pace.pace(state.at)).toBe(before)
    // From now on 0.7 is this page's share: the pace climbs again, fast (the cut it undid was no measure of where
    // the video suffers)...
    state = drive(pace, state, 2, { drawnShare: 0.7, receiving: true, bytesPerSecond: 40_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(before * 1.5 ** 2))
    // ... and a clear loss below it still cuts.
    const high = pace.pace(state.at) ?? 0
    state = drive(pace, state, 1, { drawnShare: 0.3, receiving: true, bytesPerSecond: 40_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(high * 0.7))
  })

  it('judges a cut only once less arrives', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const before = pace.pace(state.at) ?? 0
    state = drive(pace, state, 2, { drawnShare: 0.7, receiving: true, bytesPerSecond: 20_000_000 })
    const cut = pace.pace(state.at) ?? 0
    expect(cut).toBe(Math.round(before * 0.7))
    // What the sender had buffered still arrives as fast as before: these windows say nothing about the cut.
    state = drive(pace, state, 2, { drawnShare: 0.7, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(cut)
  })

  it('keeps a cut that brought the frames back', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const before = pace.pace(state.at) ?? 0
    state = drive(pace, state, 1, { drawnShare: 0.5, receiving: true, bytesPerSecond: 20_000_000 })
    const cut = pace.pace(state.at) ?? 0
    expect(cut).toBe(Math.round(before * 0.7))
    state = drive(pace, state, 2, { drawnShare: 0.75, receiving: true, bytesPerSecond: cut })
    expect(pace.pace(state.at)).toBeLessThan(before)
  })

  it('does not cut the pace for the frames a transfer costs as it starts', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    // The item's panel appears: the first second draws half the frames.
    state = drive(pace, state, 3, { drawnShare: 0.5, receiving: true, bytesPerSecond: 3_000_000 })
    expect(pace.pace(state.at)).toBe(START_PACE_BYTES_PER_SECOND)
    state = drive(pace, state, 1, { drawnShare: 0.5, receiving: true, bytesPerSecond: 3_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(START_PACE_BYTES_PER_SECOND * 0.7))
  })

  it('judges the video against the share this page draws with nothing arriving', () => {
    // A 3D view drawn in software draws half of its video's frames anyway: not the transfer's doing.
    const pace = new VideoPace()
    let state = drive(pace, START, 40, { drawnShare: 0.5, receiving: false })
    expect(pace.idleShare).toBeCloseTo(0.5, 5)
    state = drive(pace, state, 3, { drawnShare: 0.5, receiving: true, bytesPerSecond: 8_000_000 })
    expect(pace.pace(state.at)).toBeGreaterThan(START_PACE_BYTES_PER_SECOND)
    // 0.35 of the frames against 0.5 idle: the transfer takes frames now.
    const before = pace.pace(state.at) ?? 0
    state = drive(pace, state, 2, { drawnShare: 0.35, receiving: true, bytesPerSecond: 8_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(before * 0.7))
  })

  it('climbs fast up to the pace where the video last suffered, slowly beyond it', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const suffered = pace.pace(state.at) ?? 0 // 2 MB/s × 1.5³
    state = drive(pace, state, 1, { drawnShare: 0.5, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(suffered * 0.7))
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(suffered * 0.7 * 1.5))
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(suffered * 0.7 * 1.5 * 1.1))
    // The next transfer (after a long pause) starts low again, and slows its climb where this one learnt the video
    // suffers.
    state = drive(pace, state, 80, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(START_PACE_BYTES_PER_SECOND * 1.5 ** 3))
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(START_PACE_BYTES_PER_SECOND * 1.5 ** 3 * 1.1))
  })

  it('keeps the frames lost while a file just received is opened out of the baseline', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 4, { drawnShare: 1, receiving: true, bytesPerSecond: 4_000_000 })
    // Checking and opening the file: two and a half seconds of a third of the frames drawn.
    state = drive(pace, state, 5, { drawnShare: 0.33, receiving: false })
    expect(pace.idleShare).toBe(1)
    // Later idle moments do move it, slowly when lower.
    state = drive(pace, state, 8, { drawnShare: 1, receiving: false })
    drive(pace, state, 1, { drawnShare: 0.5, receiving: false })
    expect(pace.idleShare).toBeGreaterThan(0.9)
  })

  it('starts a transfer soon after another at 0.7 of its last pace, and over after a long pause', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 6, { drawnShare: 1, receiving: true, bytesPerSecond: 20_000_000 })
    const last = pace.pace(state.at) ?? 0
    expect(last).toBeGreaterThan(START_PACE_BYTES_PER_SECOND * 3)
    // Ten seconds later: near where the last one ended.
    state = drive(pace, state, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 0 })
    expect(pace.pace(state.at)).toBe(Math.round(last * 0.7))
    // Forty seconds later: from the start pace.
    state = drive(pace, state, 80, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 0 })
    expect(pace.pace(state.at)).toBe(START_PACE_BYTES_PER_SECOND)
  })

  it('raises the pace by a tenth only while the video misses some frames but not clearly many', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 1, { drawnShare: 0.85, receiving: true, bytesPerSecond: 20_000_000 })
    state = drive(pace, state, 2, { drawnShare: 0.85, receiving: true, bytesPerSecond: 20_000_000 })
    expect(pace.pace(state.at)).toBe(Math.round(START_PACE_BYTES_PER_SECOND * 1.1 ** 2))
  })

  it('does not raise a pace the link does not reach', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 20, { drawnShare: 1, receiving: true, bytesPerSecond: 500_000 })
    expect(pace.pace(state.at)).toBe(START_PACE_BYTES_PER_SECOND)
  })

  it('waits for enough frames before judging a window', () => {
    const pace = new VideoPace()
    let state = drive(pace, START, 20, { drawnShare: 1, receiving: false })
    state = drive(pace, state, 1, { drawnShare: 1, receiving: true, bytesPerSecond: 8_000_000 })
    // 8 frames presented, none drawn: too few to say anything.
    pace.observe(
      { drawn: state.drawn, presented: state.presented + 8 },
      state.at + 500,
      true,
      state.arrived + 2e6,
    )
    expect(pace.pace(state.at + 500)).toBe(START_PACE_BYTES_PER_SECOND)
  })
})

describe('SendPace', () => {
  it('sends at once without a pace', () => {
    const pace = new SendPace(null)
    for (let i = 0; i < 100; i++) expect(pace.delay(65_536, 0)).toBe(0)
  })

  it('spaces pieces to the pace, with a short burst after an idle moment', () => {
    const pace = new SendPace(1_000_000)
    const piece = 10_000 // 10 ms at 1 MB/s
    // Idle before: BURST_MS of the pace goes at once, then one piece per 10 ms.
    const delays = Array.from({ length: BURST_MS / 10 + 5 }, () => pace.delay(piece, 1000))
    expect(delays.filter((ms) => ms === 0)).toHaveLength(BURST_MS / 10 + 1)
    expect(delays.slice(BURST_MS / 10 + 1)).toEqual([10, 20, 30, 40])
    // Over a long run, bytes over time come to the pace whatever the timer's lateness.
    const paced = new SendPace(2_000_000)
    let at = 0
    let sent = 0
    for (let i = 0; i < 1000; i++) {
      at += paced.delay(65_536, at) + (i % 7) // timers fire up to 6 ms late
      sent += 65_536
    }
    expect((sent * 1000) / at).toBeGreaterThan(1_900_000)
    expect((sent * 1000) / at).toBeLessThan(2_100_000)
  })

  it('keeps to the lower of the pace asked and its own', () => {
    const spaced = (pace: SendPace, own: number | null) => {
      pace.delay(10_000, 0, own)
      return pace.delay(10_000, 0, own) - pace.delay(10_000, 0, own)
    }
    // 10 kB pieces: 10 ms apart at 1 MB/s, 20 ms at 0.5 MB/s (past the burst allowance).
    const burst = (pace: SendPace, own: number | null) => {
      for (let i = 0; i < 200; i++) pace.delay(10_000, 0, own)
      return -spaced(pace, own)
    }
    expect(burst(new SendPace(1_000_000), null)).toBe(10)
    expect(burst(new SendPace(1_000_000), 500_000)).toBe(20)
    expect(burst(new SendPace(500_000), 1_000_000)).toBe(20)
    expect(burst(new SendPace(null), 1_000_000)).toBe(10)
  })

  it('keeps to a floor however slow a receiver asks', () => {
    const pace = new SendPace(1)
    pace.delay(65_536, 0)
    expect(pace.delay(65_536, 0)).toBeLessThanOrEqual((65_536 * 1000) / MIN_PACE_BYTES_PER_SECOND)
  })
})

describe('the pace on the wire', () => {
  const got = { type: 'share-got', id: 'a1b2c3:1', chunks: 3, state: 'receiving' }
  it('is optional on a progress report and a request, and a whole number of bytes per second within bounds', () => {
    expect(z.safeParse(shareGotSchema, got).success).toBe(true)
    expect(z.safeParse(shareGotSchema, { ...got, pace: 2_000_000 }).success).toBe(true)
    expect(
      z.safeParse(shareWantSchema, { type: 'share-want', id: got.id, ranges: [[0, 4]], pace: 1 }).success,
    ).toBe(true)
    for (const pace of [0, -5, 1.5, MAX_PACE_BYTES_PER_SECOND + 1, '2000000', null, Number.NaN])
      expect(z.safeParse(shareGotSchema, { ...got, pace }).success, String(pace)).toBe(false)
  })
})
