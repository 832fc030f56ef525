import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, MAX_SAMPLES_PER_LEAD } from '../net/frames'
import { ECG_MICROVOLTS_PER_COUNT, ECG_SAMPLE_RATE_HZ } from '../vitals/types'
import { ECG_STREAM } from '../vitals/wire'
import { ecgPieces } from './vitals-sharing'

describe('ecgPieces', () => {
  it('keeps a normal 400 ms batch as one piece', () => {
    const samples = new Int16Array(100).map((_, i) => i)
    expect(ecgPieces(samples, 5000, ECG_SAMPLE_RATE_HZ)).toEqual([{ samples, capturedAt: 5000 }])
  })

  it('cuts a batch collected by late timers into frames that encode, each timed from its first sample', () => {
    // 4,212 samples: what a patient's page on a starved machine collected in one tick (seen in the soak).
    const samples = new Int16Array(4212).map((_, i) => i % 3000)
    const pieces = ecgPieces(samples, 10_000, ECG_SAMPLE_RATE_HZ)
    expect(pieces.map((p) => p.samples.length)).toEqual([1000, 1000, 1000, 1000, 212])
    expect(pieces.map((p) => p.capturedAt)).toEqual([10_000, 14_000, 18_000, 22_000, 26_000])
    expect(pieces.flatMap((p) => [...p.samples])).toEqual([...samples])
    for (const [seq, piece] of pieces.entries()) {
      const frame = {
        kind: 'waveform' as const,
        stream: ECG_STREAM,
        seq,
        capturedAt: piece.capturedAt,
        sampleRateHz: ECG_SAMPLE_RATE_HZ,
        leads: 1,
        scale: ECG_MICROVOLTS_PER_COUNT,
        samples: piece.samples,
      }
      expect(piece.samples.length).toBeLessThanOrEqual(MAX_SAMPLES_PER_LEAD)
      expect(decodeFrame(encodeFrame(frame)).ok).toBe(true)
    }
  })

  it('gives nothing for no samples', () => {
    expect(ecgPieces(new Int16Array(0), 0, ECG_SAMPLE_RATE_HZ)).toEqual([])
  })
})
