import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BLOOD_PRESSURE_INTERVAL_MS,
  createSimulator,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
  type Simulator,
} from './simulator'
import {
  ECG_SAMPLE_RATE_HZ,
  type Measurement,
  primaryValue,
  VITAL_KINDS,
  VITALS,
  type VitalKind,
} from './types'

const T0 = 1_732_650_000_000
/** The properties run in about a second; Vitest's 5 s default leaves too little room on a busy CI machine. */
const PROPERTY_TIMEOUT_MS = 30_000
const SECOND = 1000
const MINUTE = 60 * SECOND
/** A handful of patients for the example-based checks; the properties draw their own. */
const SEEDS = [1, 2, 3, 42, 0xdeadbeef]

function value(measurements: Measurement[], kind: VitalKind): number {
  const found = measurements.find((m) => m.kind === kind)
  if (!found) throw new Error(`no ${kind} measurement`)
  return primaryValue(found)
}

function bloodPressure(measurements: Measurement[]) {
  const found = measurements.find((m) => m.kind === 'blood-pressure')
  if (found?.kind !== 'blood-pressure') throw new Error('no blood-pressure measurement')
  return found
}

/** Mean of a vital over a minute, one reading a second: steadier than a single instant. */
function meanOver(sim: Simulator, kind: VitalKind, from: number): number {
  let sum = 0
  for (let s = 0; s < 60; s++) sum += value(sim.numerics(from + s * SECOND), kind)
  return sum / 60
}

/** R peaks: local maxima above 0.6 mV, at least 200 ms apart (no human heart beats faster than 300 bpm). */
function rPeaks(samples: Int16Array): number[] {
  const peaks: number[] = []
  const refractory = (0.2 * ECG_SAMPLE_RATE_HZ) | 0
  for (let i = 1; i < samples.length - 1; i++) {
    const v = samples[i] as number
    if (v > 600 && v >= (samples[i - 1] as number) && v > (samples[i + 1] as number)) {
      const last = peaks[peaks.length - 1]
      if (last === undefined || i - last > refractory) peaks.push(i)
    }
  }
  return peaks
}

function maxStep(samples: Int16Array): number {
  let max = 0
  for (let i = 1; i < samples.length; i++) {
    max = Math.max(max, Math.abs((samples[i] as number) - (samples[i - 1] as number)))
  }
  return max
}

/** Index of the first sample where two traces differ, -1 if equal; far faster than toEqual on long arrays. */
function firstDifference(a: Int16Array, b: Int16Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

const LABEL = /^Simulator \((normal|tachycardia|desaturation|hypotension|fever|hypoglycaemia)\)$/
const scenarioArb = fc.constantFrom(...SCENARIO_NAMES)
const seedArb = fc.integer({ min: 0, max: 0xffff_ffff })

describe('scenarios', () => {
  it('lists every scenario once with a one-sentence description', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([...SCENARIO_NAMES])
    for (const scenario of SCENARIOS) {
      expect(scenario.label.length).toBeGreaterThan(0)
      expect(scenario.description).toMatch(/^[A-Z].*\.$/)
      expect(scenario.description.split('. ')).toHaveLength(1)
    }
  })
})

describe('numerics', () => {
  it(
    'stay inside the plausible ranges for 10 simulated minutes, whatever the seed and scenario switches',
    () => {
      fc.assert(
        fc.property(
          seedArb,
          scenarioArb,
          fc.array(fc.tuple(scenarioArb, fc.integer({ min: 0, max: 10 * MINUTE })), { maxLength: 6 }),
          (seed, scenario, switches) => {
            const sim = createSimulator({ scenario, seed, startAt: T0 })
            const pending = [...switches].sort((a, b) => a[1] - b[1])
            // Problems are collected and asserted once: an expect per value would make this property slow.
            const problems: string[] = []
            for (let t = 0; t <= 10 * MINUTE; t += 2 * SECOND) {
              while (pending.length > 0 && (pending[0] as [ScenarioName, number])[1] <= t) {
                const [name, at] = pending.shift() as [ScenarioName, number]
                sim.setScenario(name, T0 + at)
              }
              const measurements = sim.numerics(T0 + t)
              if (measurements.map((m) => m.kind).join() !== VITAL_KINDS.join())
                problems.push(`kinds at ${t}`)
              for (const m of measurements) {
                const { plausible } = VITALS[m.kind]
                const values =
                  m.kind === 'blood-pressure' ? [m.systolic, m.diastolic, m.mean ?? 0] : [m.value]
                for (const v of values) {
                  if (!(v >= plausible.min && v <= plausible.max)) problems.push(`${m.kind} ${v} at ${t}`)
                }
                if (m.quality !== 'ok' || m.source.kind !== 'simulated' || !LABEL.test(m.source.label)) {
                  problems.push(`${m.kind} source or quality at ${t}`)
                }
                if (m.at > T0 + t) problems.push(`${m.kind} from the future at ${t}`)
              }
            }
            expect(problems).toEqual([])
          },
        ),
        { numRuns: 40 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it('are in the normal adult range in the normal scenario', () => {
    for (const seed of SEEDS) {
      const sim = createSimulator({ scenario: 'normal', seed, startAt: T0 })
      for (let t = 0; t < 10 * MINUTE; t += 5 * SECOND) {
        const m = sim.numerics(T0 + t)
        expect(value(m, 'heart-rate')).toBeGreaterThanOrEqual(60)
        expect(value(m, 'heart-rate')).toBeLessThanOrEqual(90)
        expect(value(m, 'spo2')).toBeGreaterThanOrEqual(95)
        expect(value(m, 'respiratory-rate')).toBeGreaterThanOrEqual(11)
        expect(value(m, 'respiratory-rate')).toBeLessThanOrEqual(17)
        expect(value(m, 'temperature')).toBeGreaterThanOrEqual(36.4)
        expect(value(m, 'temperature')).toBeLessThanOrEqual(37.2)
        expect(value(m, 'glucose')).toBeGreaterThanOrEqual(80)
        expect(value(m, 'glucose')).toBeLessThanOrEqual(110)
        const bp = bloodPressure(m)
        expect(bp.systolic).toBeGreaterThanOrEqual(100)
        expect(bp.systolic).toBeLessThanOrEqual(135)
        expect(bp.diastolic).toBeGreaterThanOrEqual(60)
        expect(bp.diastolic).toBeLessThanOrEqual(90)
      }
    }
  })

  it('label every measurement with the scenario it was measured in', () => {
    const sim = createSimulator({ scenario: 'normal', seed: 1, startAt: T0 })
    expect(sim.numerics(T0 + 5 * SECOND)[0]?.source).toEqual({
      kind: 'simulated',
      label: 'Simulator (normal)',
    })
    sim.setScenario('fever', T0 + 10 * SECOND)
    expect(sim.scenario).toBe('fever')
    const after = sim.numerics(T0 + 30 * SECOND)
    expect(after[0]?.source.label).toBe('Simulator (fever)')
    // The cuff reading was taken at T0, before the switch.
    expect(bloodPressure(after).source.label).toBe('Simulator (normal)')
  })

  it('take blood pressure as a spot reading once a minute, with the time it was taken', () => {
    const sim = createSimulator({ scenario: 'normal', seed: 3, startAt: T0 })
    const readings = new Map<number, string>()
    for (let t = 0; t < 5 * MINUTE; t += 7 * SECOND) {
      const bp = bloodPressure(sim.numerics(T0 + t))
      expect(bp.at).toBe(T0 + Math.floor(t / BLOOD_PRESSURE_INTERVAL_MS) * BLOOD_PRESSURE_INTERVAL_MS)
      const text = `${bp.systolic}/${bp.diastolic}/${bp.mean}`
      // Asked again within the same minute, it is the same reading.
      expect(readings.get(bp.at) ?? text).toBe(text)
      readings.set(bp.at, text)
      expect(bp.mean).toBe(Math.round(bp.diastolic + (bp.systolic - bp.diastolic) / 3))
    }
    expect([...readings.keys()]).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * MINUTE))
  })

  it('give nothing for a time that is not a number', () => {
    const sim = createSimulator({ scenario: 'normal', seed: 3, startAt: T0 })
    expect(sim.numerics(Number.NaN)).toEqual([])
    expect(sim.numerics(Number.POSITIVE_INFINITY)).toEqual([])
  })

  describe('in each scenario, compared with the same patient (seed) in the normal scenario', () => {
    const steady = (scenario: ScenarioName, seed: number, kind: VitalKind) =>
      meanOver(createSimulator({ scenario, seed, startAt: T0 }), kind, T0 + 2 * MINUTE)

    it.each(SEEDS)(
      'desaturation: SpO₂ down to about 85 %, heart rate up about 20, breathing faster (seed %i)',
      (seed) => {
        const spo2 = steady('desaturation', seed, 'spo2')
        expect(spo2).toBeGreaterThanOrEqual(83.5)
        expect(spo2).toBeLessThanOrEqual(86.5)
        const hrRise = steady('desaturation', seed, 'heart-rate') - steady('normal', seed, 'heart-rate')
        expect(hrRise).toBeGreaterThanOrEqual(15)
        expect(hrRise).toBeLessThanOrEqual(25)
        expect(steady('desaturation', seed, 'respiratory-rate')).toBeGreaterThan(
          steady('normal', seed, 'respiratory-rate') + 3,
        )
      },
    )

    it.each(SEEDS)('tachycardia: heart rate 130–150 (seed %i)', (seed) => {
      const hr = steady('tachycardia', seed, 'heart-rate')
      expect(hr).toBeGreaterThanOrEqual(130)
      expect(hr).toBeLessThanOrEqual(150)
    })

    it.each(SEEDS)(
      'hypotension: about 82/47 mmHg with a compensatory rise in heart rate (seed %i)',
      (seed) => {
        const low = createSimulator({ scenario: 'hypotension', seed, startAt: T0 })
        const normal = createSimulator({ scenario: 'normal', seed, startAt: T0 })
        for (let k = 0; k < 10; k++) {
          const bp = bloodPressure(low.numerics(T0 + k * MINUTE))
          expect(bp.systolic).toBeGreaterThanOrEqual(75)
          expect(bp.systolic).toBeLessThanOrEqual(89)
          expect(bp.diastolic).toBeGreaterThanOrEqual(40)
          expect(bp.diastolic).toBeLessThanOrEqual(55)
          expect(bp.systolic).toBeLessThan(bloodPressure(normal.numerics(T0 + k * MINUTE)).systolic - 20)
        }
        expect(steady('hypotension', seed, 'heart-rate')).toBeGreaterThan(
          steady('normal', seed, 'heart-rate') + 12,
        )
      },
    )

    it.each(SEEDS)('fever: 38.8–39.5 °C, heart rate and breathing up (seed %i)', (seed) => {
      const temperature = steady('fever', seed, 'temperature')
      expect(temperature).toBeGreaterThanOrEqual(38.8)
      expect(temperature).toBeLessThanOrEqual(39.5)
      const rise = temperature - steady('normal', seed, 'temperature')
      const hrRise = steady('fever', seed, 'heart-rate') - steady('normal', seed, 'heart-rate')
      // About 10 bpm per degree.
      expect(hrRise).toBeGreaterThanOrEqual(8 * rise)
      expect(hrRise).toBeLessThanOrEqual(12 * rise)
      expect(steady('fever', seed, 'respiratory-rate')).toBeGreaterThan(
        steady('normal', seed, 'respiratory-rate') + 3,
      )
    })

    it.each(SEEDS)('hypoglycaemia: glucose 50–55 mg/dL, heart rate up slightly (seed %i)', (seed) => {
      const glucose = steady('hypoglycaemia', seed, 'glucose')
      expect(glucose).toBeGreaterThanOrEqual(50)
      expect(glucose).toBeLessThanOrEqual(55)
      const hrRise = steady('hypoglycaemia', seed, 'heart-rate') - steady('normal', seed, 'heart-rate')
      expect(hrRise).toBeGreaterThanOrEqual(4)
      expect(hrRise).toBeLessThanOrEqual(14)
    })
  })

  describe('setScenario', () => {
    const switchAt = T0 + 30 * SECOND

    /** The same patient, once switched at `switchAt` and once left normal, read `after` ms after the switch. */
    function compare(scenario: ScenarioName, seed: number, after: number) {
      const switched = createSimulator({ scenario: 'normal', seed, startAt: T0 })
      const normal = createSimulator({ scenario: 'normal', seed, startAt: T0 })
      switched.setScenario(scenario, switchAt)
      return { switched: switched.numerics(switchAt + after), normal: normal.numerics(switchAt + after) }
    }

    it.each(SEEDS)('reaches each scenario within 90 s (seed %i)', (seed) => {
      const at90 = (scenario: ScenarioName) => compare(scenario, seed, 90 * SECOND)
      const desaturation = at90('desaturation')
      expect(value(desaturation.switched, 'spo2')).toBeLessThanOrEqual(86)
      expect(value(desaturation.switched, 'heart-rate')).toBeGreaterThan(
        value(desaturation.normal, 'heart-rate') + 10,
      )
      expect(value(at90('tachycardia').switched, 'heart-rate')).toBeGreaterThanOrEqual(130)
      // The cuff reading at switch + 90 s was taken at switch + 90 s (T0 + 120 s).
      const hypotension = at90('hypotension')
      expect(bloodPressure(hypotension.switched).at).toBe(switchAt + 90 * SECOND)
      expect(bloodPressure(hypotension.switched).systolic).toBeLessThan(
        bloodPressure(hypotension.normal).systolic - 20,
      )
      expect(value(at90('fever').switched, 'temperature')).toBeGreaterThanOrEqual(38.8)
      expect(value(at90('hypoglycaemia').switched, 'glucose')).toBeLessThanOrEqual(56)
    })

    it('moves values smoothly instead of jumping', () => {
      for (const seed of SEEDS) {
        const sim = createSimulator({ scenario: 'normal', seed, startAt: T0 })
        sim.setScenario('desaturation', switchAt)
        let previous = sim.numerics(switchAt - SECOND)
        for (let s = 0; s <= 120; s++) {
          const current = sim.numerics(switchAt + s * SECOND)
          // Rounding to whole numbers adds up to 1 to a real change of well under 1 %/s or bpm/s.
          expect(Math.abs(value(current, 'spo2') - value(previous, 'spo2'))).toBeLessThanOrEqual(2)
          expect(Math.abs(value(current, 'heart-rate') - value(previous, 'heart-rate'))).toBeLessThanOrEqual(
            2,
          )
          previous = current
        }
        // Ten seconds in, the fall has only begun.
        expect(value(sim.numerics(switchAt + 10 * SECOND), 'spo2')).toBeGreaterThanOrEqual(94)
      }
    })

    it('keeps temperature changing over a minute and more, not seconds', () => {
      const sim = createSimulator({ scenario: 'normal', seed: 9, startAt: T0 })
      sim.setScenario('fever', switchAt)
      expect(value(sim.numerics(switchAt + 15 * SECOND), 'temperature')).toBeLessThan(37.5)
      expect(value(sim.numerics(switchAt + 45 * SECOND), 'temperature')).toBeLessThan(38.5)
      expect(value(sim.numerics(switchAt + 90 * SECOND), 'temperature')).toBeGreaterThanOrEqual(38.8)
    })

    it('returns from a scenario to normal the same way', () => {
      const sim = createSimulator({ scenario: 'desaturation', seed: 4, startAt: T0 })
      const normal = createSimulator({ scenario: 'normal', seed: 4, startAt: T0 })
      sim.setScenario('normal', switchAt)
      expect(value(sim.numerics(switchAt + 5 * SECOND), 'spo2')).toBeLessThanOrEqual(87)
      const later = switchAt + 90 * SECOND
      expect(sim.numerics(later)).toEqual(normal.numerics(later))
    })

    it('does not rewrite history: values before the switch are unchanged', () => {
      const sim = createSimulator({ scenario: 'normal', seed: 5, startAt: T0 })
      const before = sim.numerics(switchAt - SECOND)
      sim.setScenario('hypotension', switchAt)
      expect(sim.numerics(switchAt - SECOND)).toEqual(before)
      // An earlier time than the last switch counts as the time of that switch.
      sim.setScenario('fever', switchAt - 20 * SECOND)
      expect(sim.numerics(switchAt - SECOND)).toEqual(before)
    })
  })
})

describe('ECG', () => {
  it('gives 250 samples per second on a grid anchored at the start', () => {
    const sim = createSimulator({ scenario: 'normal', seed: 1, startAt: T0 })
    expect(sim.ecg(T0, T0 + SECOND)).toHaveLength(ECG_SAMPLE_RATE_HZ)
    expect(sim.ecg(T0 + 12 * SECOND, T0 + 72 * SECOND)).toHaveLength(60 * ECG_SAMPLE_RATE_HZ)
    // [1, 9) ms holds the samples at 4 and 8 ms.
    expect(sim.ecg(T0 + 1, T0 + 9)).toHaveLength(2)
    expect(sim.ecg(T0 + 10, T0 + 10)).toHaveLength(0)
    expect(sim.ecg(T0 + 10, T0)).toHaveLength(0)
    expect(sim.ecg(Number.NaN, T0)).toHaveLength(0)
  })

  it(
    'joins adjacent windows seamlessly, whatever the window edges',
    () => {
      fc.assert(
        fc.property(
          seedArb,
          scenarioArb,
          fc.array(fc.double({ min: 0, max: 20_000, noNaN: true }), { minLength: 1, maxLength: 8 }),
          (seed, scenario, cuts) => {
            const from = T0 + 30 * SECOND
            const to = from + 20 * SECOND
            const whole = createSimulator({ scenario, seed, startAt: T0 }).ecg(from, to)
            const pieces = createSimulator({ scenario, seed, startAt: T0 })
            const edges = [from, ...cuts.map((c) => from + c).sort((a, b) => a - b), to]
            const parts: Int16Array[] = []
            for (let i = 0; i < edges.length - 1; i++)
              parts.push(pieces.ecg(edges[i] as number, edges[i + 1] as number))
            const joined = new Int16Array(parts.reduce((n, p) => n + p.length, 0))
            let offset = 0
            for (const part of parts) {
              joined.set(part, offset)
              offset += part.length
            }
            expect(firstDifference(joined, whole)).toBe(-1)
          },
        ),
        { numRuns: 50 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it('has no jump at a window boundary beyond the waveform’s own steepest step', () => {
    for (const scenario of SCENARIO_NAMES) {
      const sim = createSimulator({ scenario, seed: 11, startAt: T0 })
      // The steepest sample-to-sample step of 10 s asked for at once: the waveform's normal slope.
      const steepest = maxStep(createSimulator({ scenario, seed: 11, startAt: T0 }).ecg(T0, T0 + 10 * SECOND))
      let previous = sim.ecg(T0, T0 + 33.3)
      for (let t = T0 + 33.3; t < T0 + 10 * SECOND; t += 33.3) {
        // 33.3 ms windows: a 30 Hz render loop, edges off the 4 ms sample grid.
        const current = sim.ecg(t, t + 33.3)
        if (current.length === 0 || previous.length === 0) continue
        const step = Math.abs((current[0] as number) - (previous[previous.length - 1] as number))
        expect(step).toBeLessThanOrEqual(steepest)
        previous = current
      }
    }
  })

  it('stays continuous across a scenario switch', () => {
    const sim = createSimulator({ scenario: 'normal', seed: 12, startAt: T0 })
    const before = sim.ecg(T0 + 50 * SECOND, T0 + 60 * SECOND)
    sim.setScenario('tachycardia', T0 + 60 * SECOND)
    const after = sim.ecg(T0 + 60 * SECOND, T0 + 70 * SECOND)
    const step = Math.abs((after[0] as number) - (before[before.length - 1] as number))
    expect(step).toBeLessThanOrEqual(Math.max(maxStep(before), maxStep(after)))
    // What was already returned up to the switch stays as it was.
    expect(firstDifference(sim.ecg(T0 + 50 * SECOND, T0 + 60 * SECOND), before)).toBe(-1)
    // And a minute later it beats at the new rate.
    expect(rPeaks(sim.ecg(T0 + 2 * MINUTE, T0 + 3 * MINUTE)).length).toBeGreaterThanOrEqual(125)
  })

  it('follows a switch even past ECG already asked for, as if it had not been', () => {
    const ahead = createSimulator({ scenario: 'normal', seed: 13, startAt: T0 })
    ahead.ecg(T0, T0 + 3 * MINUTE)
    ahead.setScenario('tachycardia', T0 + MINUTE)
    const fresh = createSimulator({ scenario: 'normal', seed: 13, startAt: T0 })
    fresh.ecg(T0, T0 + MINUTE)
    fresh.setScenario('tachycardia', T0 + MINUTE)
    const after = ahead.ecg(T0 + MINUTE, T0 + 4 * MINUTE)
    expect(firstDifference(after, fresh.ecg(T0 + MINUTE, T0 + 4 * MINUTE))).toBe(-1)
    expect(rPeaks(after.subarray(2 * 60 * ECG_SAMPLE_RATE_HZ)).length).toBeGreaterThanOrEqual(125)
  })

  it('beats at the heart rate shown: R peaks in 60 s within ±10 % of HR, in every scenario', () => {
    for (const scenario of SCENARIO_NAMES) {
      for (const seed of SEEDS) {
        const sim = createSimulator({ scenario, seed, startAt: T0 })
        const from = T0 + 2 * MINUTE
        const peaks = rPeaks(sim.ecg(from, from + MINUTE)).length
        const hr = meanOver(sim, 'heart-rate', from)
        expect(Math.abs(peaks - hr)).toBeLessThanOrEqual(0.1 * hr)
      }
    }
  })

  it('varies from beat to beat (respiratory sinus arrhythmia), by a few per cent', () => {
    const sim = createSimulator({ scenario: 'normal', seed: 2, startAt: T0 })
    const peaks = rPeaks(sim.ecg(T0 + MINUTE, T0 + 2 * MINUTE))
    const intervals = peaks.slice(1).map((p, i) => p - (peaks[i] as number))
    const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length
    const sd = Math.sqrt(intervals.reduce((a, b) => a + (b - mean) ** 2, 0) / intervals.length)
    expect(sd / mean).toBeGreaterThan(0.01)
    expect(sd / mean).toBeLessThan(0.08)
  })

  it(
    'has a plausible amplitude: between −0.5 and 1.5 mV, R peaks of 0.8–1.4 mV',
    () => {
      fc.assert(
        fc.property(seedArb, scenarioArb, (seed, scenario) => {
          const samples = createSimulator({ scenario, seed, startAt: T0 }).ecg(T0 + MINUTE, T0 + 2 * MINUTE)
          let min = Number.POSITIVE_INFINITY
          let max = Number.NEGATIVE_INFINITY
          for (const v of samples) {
            min = Math.min(min, v)
            max = Math.max(max, v)
          }
          expect(min).toBeGreaterThanOrEqual(-500)
          expect(max).toBeLessThanOrEqual(1500)
          // R waves of 1.0–1.2 mV, moved by breathing (±4 %), baseline wander and noise.
          const peaks = rPeaks(samples).map((p) => samples[p] as number)
          expect(Math.min(...peaks)).toBeGreaterThanOrEqual(800)
          expect(Math.max(...peaks)).toBeLessThanOrEqual(1400)
          // Something below the baseline: the Q and S waves.
          expect(min).toBeLessThan(-150)
        }),
        { numRuns: 30 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it('shapes each beat as P, QRS and T: T wave after the R peak, nearer to it at a faster rate (QT shortens)', () => {
    /** Mean of the samples around each R peak, to average out noise and wander. */
    function averageBeat(sim: Simulator, before: number, after: number): number[] {
      const samples = sim.ecg(T0 + MINUTE, T0 + 2 * MINUTE)
      const peaks = rPeaks(samples).filter((p) => p >= before && p + after < samples.length)
      return Array.from({ length: before + after }, (_, i) => {
        let sum = 0
        for (const p of peaks) sum += samples[p - before + i] as number
        return sum / peaks.length
      })
    }
    const before = 75 // 300 ms
    const after = 100 // 400 ms
    function tPeakMs(scenario: ScenarioName): number {
      const beat = averageBeat(createSimulator({ scenario, seed: 8, startAt: T0 }), before, after)
      // The T wave: the highest point from 100 ms after the R peak on.
      let best = before + 25
      for (let i = best; i < beat.length; i++) if ((beat[i] as number) > (beat[best] as number)) best = i
      expect(beat[best]).toBeGreaterThan(200)
      expect(beat[best]).toBeLessThan(450)
      // The P wave: a bump of 0.1–0.25 mV 100–200 ms before the R peak.
      const p = Math.max(...beat.slice(before - 50, before - 25))
      expect(p).toBeGreaterThan(100)
      expect(p).toBeLessThan(250)
      return ((best - before) * 1000) / ECG_SAMPLE_RATE_HZ
    }
    const normal = tPeakMs('normal')
    const fast = tPeakMs('tachycardia')
    expect(normal).toBeGreaterThan(200)
    expect(normal).toBeLessThan(320)
    expect(fast).toBeLessThan(normal - 40)
  })
})

describe('determinism', () => {
  it(
    'gives the same numerics and ECG for the same seed and calls',
    () => {
      fc.assert(
        fc.property(seedArb, scenarioArb, scenarioArb, (seed, first, second) => {
          const run = () => {
            const sim = createSimulator({ scenario: first, seed, startAt: T0 })
            const numerics = [sim.numerics(T0 + 10 * SECOND)]
            const ecg = [sim.ecg(T0, T0 + 5 * SECOND)]
            sim.setScenario(second, T0 + 20 * SECOND)
            numerics.push(sim.numerics(T0 + 80 * SECOND))
            ecg.push(sim.ecg(T0 + 5 * SECOND, T0 + 90 * SECOND))
            return { numerics, ecg }
          }
          const a = run()
          const b = run()
          expect(a.numerics).toEqual(b.numerics)
          expect(a.ecg.map((trace, i) => firstDifference(trace, b.ecg[i] as Int16Array))).toEqual([-1, -1])
        }),
        { numRuns: 20 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it('does not depend on how often or in which order values were asked for', () => {
    const a = createSimulator({ scenario: 'fever', seed: 77, startAt: T0 })
    const b = createSimulator({ scenario: 'fever', seed: 77, startAt: T0 })
    for (let t = 0; t < MINUTE; t += 250) b.numerics(T0 + t)
    b.ecg(T0 + 5 * MINUTE, T0 + 6 * MINUTE)
    expect(a.numerics(T0 + 3 * MINUTE)).toEqual(b.numerics(T0 + 3 * MINUTE))
    expect(firstDifference(a.ecg(T0 + MINUTE, T0 + 2 * MINUTE), b.ecg(T0 + MINUTE, T0 + 2 * MINUTE))).toBe(-1)
  })

  it('regenerates old ECG exactly after a long run', () => {
    const sim = createSimulator({ scenario: 'tachycardia', seed: 5, startAt: T0 })
    const early = sim.ecg(T0 + 10 * SECOND, T0 + 20 * SECOND)
    // 40 minutes at 140 bpm is over 5,000 beats: the oldest are dropped and must come back the same.
    for (let t = 0; t < 40 * MINUTE; t += MINUTE) sim.ecg(T0 + t, T0 + t + MINUTE)
    expect(firstDifference(sim.ecg(T0 + 10 * SECOND, T0 + 20 * SECOND), early)).toBe(-1)
  })

  it('gives another patient for another seed', () => {
    const a = createSimulator({ scenario: 'normal', seed: 1, startAt: T0 })
    const b = createSimulator({ scenario: 'normal', seed: 2, startAt: T0 })
    expect(firstDifference(a.ecg(T0, T0 + 10 * SECOND), b.ecg(T0, T0 + 10 * SECOND))).not.toBe(-1)
    const series = (sim: Simulator) =>
      Array.from({ length: 30 }, (_, s) => sim.numerics(T0 + s * 10 * SECOND).map(primaryValue))
    expect(series(a)).not.toEqual(series(b))
  })
})
