import { describe, expect, it } from 'vitest'
import { METER_FLOOR_DBFS, meterFraction, rmsDbfs } from './audio-level'

describe('rmsDbfs', () => {
  it('is 0 dBFS at full scale and -Infinity for silence', () => {
    expect(rmsDbfs([1, -1, 1, -1])).toBeCloseTo(0)
    expect(rmsDbfs([0, 0, 0])).toBe(Number.NEGATIVE_INFINITY)
    expect(rmsDbfs([])).toBe(Number.NEGATIVE_INFINITY)
  })

  it('reads a full-scale sine about 3 dB below full scale, and a tenth of it 20 dB lower', () => {
    const sine = Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48_000))
    expect(rmsDbfs(sine)).toBeCloseTo(-3.01, 1)
    expect(rmsDbfs(sine.map((s) => s / 10))).toBeCloseTo(-23.01, 1)
  })
})

describe('meterFraction', () => {
  it('is empty at and below the floor, full at full scale, linear in dB between', () => {
    expect(meterFraction(Number.NEGATIVE_INFINITY)).toBe(0)
    expect(meterFraction(METER_FLOOR_DBFS)).toBe(0)
    expect(meterFraction(METER_FLOOR_DBFS / 2)).toBeCloseTo(0.5)
    expect(meterFraction(0)).toBe(1)
    expect(meterFraction(6)).toBe(1)
    expect(meterFraction(Number.NaN)).toBe(0)
  })
})
