// A physiological simulator for demos and tests: named clinical scenarios give plausible, correlated numerics and
// a synthetic one-lead ECG at 250 Hz. Pure: no clock, no DOM; every time is an argument, and everything random
// comes from a counter-based generator keyed by (seed, stream, index). So a value depends only on the seed, the
// scenario history and the time asked for, never on how often or in which order the caller asked: two
// participants running the same seed see the same patient, and a test can ask for any instant directly.
//
// The model, in short:
// - A scenario sets targets for a few "drivers": intrinsic heart rate and respiratory rate, SpO₂, systolic and
//   diastolic pressure, temperature and glucose. A per-seed patient shifts the normal values a little.
// - Heart rate and respiratory rate follow from the drivers (the correlations): hypoxaemia, fever, low pressure
//   (baroreflex) and hypoglycaemia (adrenaline) each push heart rate up; hypoxaemia, fever and low pressure push
//   breathing up. So a desaturation raises heart rate as SpO₂ falls, not at a separate moment.
// - `setScenario` ramps every driver from its value at that moment to the new target along a smooth S-curve, so
//   nothing jumps (see RAMP_MS for the time scales).
// - The ECG is a sum of Gaussian bumps per beat (P, Q, R, S, and an asymmetric T) timed from the beat's heart
//   rate, on a fixed 250 Hz sample grid anchored at `startAt`.

import { ECG_SAMPLE_RATE_HZ, type Measurement, type Source, VITALS, type VitalKind } from './types'

export const SCENARIO_NAMES = [
  'normal',
  'tachycardia',
  'desaturation',
  'hypotension',
  'fever',
  'hypoglycaemia',
] as const
export type ScenarioName = (typeof SCENARIO_NAMES)[number]

export interface ScenarioInfo {
  name: ScenarioName
  /** Button text. */
  label: string
  /** One sentence for the UI: what the scenario shows. */
  description: string
}

export const SCENARIOS: readonly ScenarioInfo[] = [
  {
    name: 'normal',
    label: 'Normal',
    description: 'A resting adult with normal vital signs.',
  },
  {
    name: 'tachycardia',
    label: 'Tachycardia',
    description: 'Sinus tachycardia of about 140 bpm, as with pain, anxiety or early sepsis.',
  },
  {
    name: 'desaturation',
    label: 'Desaturation',
    description: 'Oxygen saturation falls to about 85 %, with a faster heart rate and faster breathing.',
  },
  {
    name: 'hypotension',
    label: 'Hypotension',
    description: 'Blood pressure falls to about 82/47 mmHg, with a compensatory rise in heart rate.',
  },
  {
    name: 'fever',
    label: 'Fever',
    description: 'Temperature rises to about 39.1 °C, with heart rate and breathing rising with it.',
  },
  {
    name: 'hypoglycaemia',
    label: 'Hypoglycaemia',
    description: 'Blood glucose falls to about 52 mg/dL, with a slightly faster heart rate.',
  },
]

/**
 * Time between two blood-pressure readings, ms. A cuff inflates, measures for 20–40 s and deflates; it cannot
 * measure continuously, so the simulator gives a spot reading every minute (the fastest interval monitors offer
 * outside STAT mode) and `numerics` repeats the latest reading with the time it was taken.
 */
export const BLOOD_PRESSURE_INTERVAL_MS = 60_000

/** The values a scenario sets; heart rate and respiratory rate are derived from them (see `heartRate`). */
interface Drivers {
  /** Heart rate before the reflex responses below, bpm. */
  hrIntrinsic: number
  /** Respiratory rate before the responses below, /min. */
  rrIntrinsic: number
  spo2: number
  systolic: number
  diastolic: number
  temperature: number
  glucose: number
}
type DriverName = keyof Drivers
const DRIVER_NAMES: readonly DriverName[] = [
  'hrIntrinsic',
  'rrIntrinsic',
  'spo2',
  'systolic',
  'diastolic',
  'temperature',
  'glucose',
]

/**
 * How long each driver takes to reach a new target, ms. Real time scales are: heart rate tens of seconds
 * (autonomic response), SpO₂ tens of seconds to a minute (apnoea or a falling FiO₂, plus the circulation delay to
 * the finger), blood pressure minutes (bleeding), glucose tens of minutes, fever an hour. Those longer than
 * 90 s are compressed so a demo or a test sees the whole change: every scenario is at its target 90 s after
 * `setScenario`. The ramp is an S-curve (smootherstep), as a real desaturation is: slow, then fast, then levelling.
 */
const RAMP_MS: Record<DriverName, number> = {
  hrIntrinsic: 30_000,
  rrIntrinsic: 30_000,
  spo2: 60_000,
  systolic: 60_000,
  diastolic: 60_000,
  temperature: 90_000,
  glucose: 90_000,
}

/** Resting adult values; the patient's seed moves each by up to its spread (see `createPatient`). */
const NORMAL: Drivers = {
  hrIntrinsic: 72,
  rrIntrinsic: 14,
  spo2: 97.5,
  systolic: 118,
  diastolic: 76,
  temperature: 36.8,
  glucose: 95,
}
const PATIENT_SPREAD: Drivers = {
  hrIntrinsic: 5,
  rrIntrinsic: 1,
  spo2: 0.5,
  systolic: 5,
  diastolic: 3,
  temperature: 0.2,
  glucose: 8,
}

/** What each scenario changes from the patient's normal values. Absolute targets: a fever is 39.1 °C for anyone. */
const SCENARIO_TARGETS: Record<ScenarioName, Partial<Drivers>> = {
  normal: {},
  // Sinus tachycardia; the shorter diastole fills the ventricle less, so pressure sags a little.
  tachycardia: { hrIntrinsic: 140, rrIntrinsic: 16, systolic: 112, diastolic: 74 },
  // 85 %: the middle of the "SpO₂ 84–86 %" a moderate desaturation shows; HR and RR follow from it.
  desaturation: { spo2: 85 },
  hypotension: { systolic: 82, diastolic: 47 },
  fever: { temperature: 39.1 },
  // Below 54 mg/dL is level 2 hypoglycaemia (ADA); adrenaline raises systolic pressure a little.
  hypoglycaemia: { glucose: 52, systolic: 126 },
}

// Reflex gains: how far each deviation from the patient's normal moves heart rate and breathing.
/** bpm per % of SpO₂ below normal: 12.5 % lower gives about +21 bpm (hypoxic sympathetic drive). */
const HR_PER_SPO2 = 1.7
/** bpm per °C above normal: the classic "about 10 bpm per degree" of fever (Liebermeister's rule). */
const HR_PER_DEGREE = 10
/** bpm per mmHg of systolic pressure below normal: the baroreflex; 36 mmHg lower gives about +20 bpm. */
const HR_PER_MMHG = 0.55
/** bpm per mg/dL of glucose below 70 (where the adrenaline response starts): 52 mg/dL gives about +9 bpm. */
const HR_PER_GLUCOSE = 0.5
const GLUCOSE_COUNTERREGULATION_MG_DL = 70
/** /min per % of SpO₂ below normal: 12.5 % lower gives about +6 /min (peripheral chemoreceptors). */
const RR_PER_SPO2 = 0.5
/** /min per °C above normal: a higher metabolic rate makes more CO₂. */
const RR_PER_DEGREE = 3
/** /min per mmHg of systolic pressure below normal: poor perfusion, lactic acidosis. */
const RR_PER_MMHG = 0.1

/** Slow random drift of each value around its driven level (peak, in its unit) and its time scale, ms. */
const WANDER = {
  heartRate: { amplitude: 2, periodMs: 15_000 },
  respiratoryRate: { amplitude: 1, periodMs: 20_000 },
  spo2: { amplitude: 0.6, periodMs: 8_000 },
  temperature: { amplitude: 0.05, periodMs: 60_000 },
  glucose: { amplitude: 2, periodMs: 30_000 },
} as const
/** Reading-to-reading scatter of the cuff (one standard deviation), mmHg: a cuff's own repeatability. */
const CUFF_SD_SYSTOLIC = 2.5
const CUFF_SD_DIASTOLIC = 2

// Counter-based random numbers: one "stream" per purpose, so adding a use of randomness never shifts another.
const STREAM = {
  patient: 1,
  hrWander: 2,
  rrWander: 3,
  spo2Wander: 4,
  temperatureWander: 5,
  glucoseWander: 6,
  cuff: 7,
  beatInterval: 8,
  ecgNoise: 9,
  ecgWander: 10,
  rAmplitude: 11,
  firstBeat: 12,
} as const

/** lowbias32 (Chris Wellons' integer hash): a good avalanche in a few multiplies. */
function mix32(value: number): number {
  let x = value >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** A uniform number in [0, 1) for (seed, stream, index); index may be any integer, negative too. */
function uniform(seed: number, stream: number, index: number): number {
  const high = Math.floor(index / 0x1_0000_0000)
  let h = mix32(seed ^ Math.imul(stream, 0x9e3779b9))
  h = mix32(h ^ high)
  h = mix32(h ^ index)
  return h / 0x1_0000_0000
}

/** A standard normal number (Box–Muller), cut at ±4 so every bound derived from it is a real bound. */
function gaussian(seed: number, stream: number, index: number): number {
  const u1 = uniform(seed, stream, 2 * index) + 2 ** -33 // never 0: log(0) is -Infinity
  const u2 = uniform(seed, stream, 2 * index + 1)
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  return Math.max(-4, Math.min(4, z))
}

function smoothstep(x: number): number {
  return x * x * (3 - 2 * x)
}

/** 0 → 0, 1 → 1 with zero first and second derivative at both ends: the value never jerks. */
function smootherstep(x: number): number {
  const t = Math.max(0, Math.min(1, x))
  return t * t * t * (t * (6 * t - 15) + 10)
}

/** Smooth random drift in [-1, 1]: random knots every `periodMs`, eased between. */
function drift(seed: number, stream: number, t: number, periodMs: number): number {
  const x = t / periodMs
  const knot = Math.floor(x)
  const a = uniform(seed, stream, knot) * 2 - 1
  const b = uniform(seed, stream, knot + 1) * 2 - 1
  return a + (b - a) * smoothstep(x - knot)
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value))
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals
  return Math.round(value * factor) / factor
}

/** Inside the vital's plausible range, rounded to the resolution a monitor shows. */
function reading(kind: VitalKind, value: number): number {
  const { plausible, decimals } = VITALS[kind]
  return clamp(roundTo(value, decimals), plausible.min, plausible.max)
}

function createPatient(seed: number): Drivers {
  const patient = { ...NORMAL }
  let index = 0
  for (const name of DRIVER_NAMES) {
    patient[name] = NORMAL[name] + (uniform(seed, STREAM.patient, index++) * 2 - 1) * PATIENT_SPREAD[name]
  }
  return patient
}

// ECG morphology, lead II-like. Times in ms relative to the R peak, amplitudes in µV (1 µV per count).
/** Every scenario stays between these heart rates, bpm. */
const ECG_HR_RANGE = { min: 30, max: 200 }
/** QRS onset before the R peak: half of a normal 80–100 ms QRS. */
const QRS_ONSET_MS = -40
const P_WAVE = { amplitude: 150, sigmaMs: 22 }
const Q_WAVE = { amplitude: -100, atMs: -22, sigmaMs: 7 }
/** R amplitude is 1.0–1.2 mV, chosen per patient (per seed). */
const R_WAVE = { minAmplitude: 1000, maxAmplitude: 1200, sigmaMs: 10 }
const S_WAVE = { amplitude: -250, atMs: 24, sigmaMs: 9 }
/** The T wave rises more slowly than it falls, as a real one does. */
const T_WAVE = { amplitude: 300, riseSigmaFraction: 0.14, fallSigmaFraction: 0.09 }
/** Bazett: QT = QTc·√RR; 410 ms is a normal adult QTc, which gives QT ≈ 375 ms at 72 bpm and 260 ms at 150. */
const QTC_MS = 410
/** Breathing moves the heart's axis: R amplitude swings ±4 % with each breath. */
const RESPIRATORY_R_MODULATION = 0.04
/** Respiratory sinus arrhythmia: the RR interval swings ±3 % with each breath. */
const RSA_FRACTION = 0.03
/** Other beat-to-beat variability of the RR interval (one standard deviation), fraction of RR. */
const HRV_SD_FRACTION = 0.015
/** Baseline wander: breathing (µV peak) plus a slow drift (µV peak, period ms), as electrode contact changes. */
const BASELINE = { respiratory: 50, drift: 30, driftPeriodMs: 4_000 }
/** Amplifier and muscle noise, one standard deviation, µV. */
const ECG_NOISE_UV = 10
const SAMPLE_MS = 1000 / ECG_SAMPLE_RATE_HZ
/** A beat's waves reach from about 300 ms before its R peak to about 520 ms after it (T at 30 bpm). */
const BEAT_REACH_BEFORE_MS = 400
const BEAT_REACH_AFTER_MS = 700
/** Older beats are dropped past this many; asking for older samples regenerates them from the start. */
const MAX_KEPT_BEATS = 4096

interface Beat {
  /** R peak, ms after startAt. */
  r: number
  /** Interval to the next R peak, ms. */
  rr: number
  /** Heart rate the beat was timed from (without beat-to-beat variability), bpm. */
  hr: number
  /** Respiratory phase at the R peak, radians. */
  phase: number
  /** Respiratory rate at the R peak, /min: advances the phase until the next beat. */
  respiratoryRate: number
}

function bump(dt: number, centre: number, sigma: number, amplitude: number): number {
  const z = (dt - centre) / sigma
  return z > 5 || z < -5 ? 0 : amplitude * Math.exp(-0.5 * z * z)
}

/** The beat's P-QRS-T at `dt` ms from its R peak, µV. */
function beatWave(beat: Beat, dt: number, rAmplitude: number): number {
  if (dt < -BEAT_REACH_BEFORE_MS || dt > BEAT_REACH_AFTER_MS) return 0
  // PR shortens a little as the rate rises (sympathetic tone speeds AV conduction): 160 ms at 60 bpm, 120 at 140.
  const pr = clamp(160 - 0.5 * (beat.hr - 60), 110, 200)
  const qt = clamp(QTC_MS * Math.sqrt(60 / beat.hr), 220, 520)
  const breath = 1 + RESPIRATORY_R_MODULATION * Math.sin(beat.phase)
  // P lasts about 100 ms from its onset, which is a PR interval before the QRS onset: its peak is 50 ms in.
  let value = bump(dt, QRS_ONSET_MS - pr + 50, P_WAVE.sigmaMs, P_WAVE.amplitude)
  value += bump(dt, Q_WAVE.atMs, Q_WAVE.sigmaMs, Q_WAVE.amplitude * breath)
  value += bump(dt, 0, R_WAVE.sigmaMs, rAmplitude * breath)
  value += bump(dt, S_WAVE.atMs, S_WAVE.sigmaMs, S_WAVE.amplitude * breath)
  // The T wave ends a QT interval after the QRS onset; its peak sits 2.5 falling sigmas before that end.
  const fall = T_WAVE.fallSigmaFraction * qt
  const tPeak = QRS_ONSET_MS + qt - 2.5 * fall
  value += bump(dt, tPeak, dt < tPeak ? T_WAVE.riseSigmaFraction * qt : fall, T_WAVE.amplitude)
  return value
}

export interface SimulatorOptions {
  scenario: ScenarioName
  /** Any integer (other numbers are truncated to 32 bits): the same seed gives the same patient and traces. */
  seed: number
  /** ms since the Unix epoch: the simulation's time zero. The ECG sample grid and the cuff cycle start here. */
  startAt: number
}

export interface Simulator {
  /** The scenario most recently set. */
  readonly scenario: ScenarioName
  /**
   * One measurement of each vital at `now` (ms since the epoch). Heart rate, SpO₂, respiratory rate, temperature
   * and glucose are measured at `now`; blood pressure is the latest cuff reading, taken every
   * BLOOD_PRESSURE_INTERVAL_MS from `startAt`, with the time it was taken as `at`. Nothing for a non-finite
   * `now`.
   */
  numerics(now: number): Measurement[]
  /**
   * ECG samples (µV, 1 µV per count) at ECG_SAMPLE_RATE_HZ for every grid instant in [fromMs, toMs). The grid is
   * anchored at `startAt`, so adjacent windows join seamlessly and concatenate to exactly what one call over both
   * would give, whatever the window edges.
   */
  ecg(fromMs: number, toMs: number): Int16Array
  /**
   * Switch scenario at `now`: every value moves from where it is towards the new targets (all there 90 s later).
   * A `now` earlier than the previous switch is taken as that switch's time: history is not rewritten. Samples
   * after `now` that were already returned may differ when asked for again.
   */
  setScenario(name: ScenarioName, now: number): void
}

interface Segment {
  /** ms after startAt. */
  at: number
  scenario: ScenarioName
  from: Drivers
  to: Drivers
}

export function createSimulator(options: SimulatorOptions): Simulator {
  const seed = options.seed >>> 0
  const startAt = options.startAt
  const patient = createPatient(seed)
  const rAmplitude =
    R_WAVE.minAmplitude + uniform(seed, STREAM.rAmplitude, 0) * (R_WAVE.maxAmplitude - R_WAVE.minAmplitude)

  function targets(scenario: ScenarioName): Drivers {
    return { ...patient, ...SCENARIO_TARGETS[scenario] }
  }

  // The scenario history: each switch ramps from the values at that moment. It starts in a steady state.
  const initial = targets(options.scenario)
  const segments: Segment[] = [{ at: 0, scenario: options.scenario, from: initial, to: initial }]

  function segmentAt(t: number): Segment {
    for (let i = segments.length - 1; i > 0; i--) {
      const segment = segments[i] as Segment
      if (segment.at <= t) return segment
    }
    return segments[0] as Segment
  }

  function drivers(t: number): Drivers {
    const segment = segmentAt(t)
    const elapsed = Math.max(0, t - segment.at)
    const value = { ...segment.to }
    for (const name of DRIVER_NAMES) {
      const progress = elapsed / RAMP_MS[name]
      // Exactly the target once there (from + (to − from) can be off by a rounding error).
      if (progress < 1) {
        value[name] = segment.from[name] + (segment.to[name] - segment.from[name]) * smootherstep(progress)
      }
    }
    return value
  }

  /** Heart rate at t (ms after start), bpm, unrounded: what the ECG beats follow and the HR numeric shows. */
  function heartRate(t: number, d: Drivers): number {
    const hr =
      d.hrIntrinsic +
      HR_PER_SPO2 * Math.max(0, patient.spo2 - d.spo2) +
      HR_PER_DEGREE * Math.max(0, d.temperature - patient.temperature) +
      HR_PER_MMHG * Math.max(0, patient.systolic - d.systolic) +
      HR_PER_GLUCOSE * Math.max(0, GLUCOSE_COUNTERREGULATION_MG_DL - d.glucose) +
      WANDER.heartRate.amplitude * drift(seed, STREAM.hrWander, t, WANDER.heartRate.periodMs)
    return clamp(hr, ECG_HR_RANGE.min, ECG_HR_RANGE.max)
  }

  function respiratoryRate(t: number, d: Drivers): number {
    const rate =
      d.rrIntrinsic +
      RR_PER_SPO2 * Math.max(0, patient.spo2 - d.spo2) +
      RR_PER_DEGREE * Math.max(0, d.temperature - patient.temperature) +
      RR_PER_MMHG * Math.max(0, patient.systolic - d.systolic) +
      WANDER.respiratoryRate.amplitude * drift(seed, STREAM.rrWander, t, WANDER.respiratoryRate.periodMs)
    return clamp(rate, 6, 40)
  }

  // Beats are generated in order from the start (each depends on the one before), kept in `beats`, whose first
  // element is beat number `firstBeat`.
  let beats: Beat[] = []
  let firstBeat = 0

  function makeBeat(index: number, r: number, phase: number): Beat {
    const d = drivers(r)
    const hr = heartRate(r, d)
    const rate = respiratoryRate(r, d)
    const variability =
      RSA_FRACTION * Math.sin(phase) + HRV_SD_FRACTION * gaussian(seed, STREAM.beatInterval, index)
    return { r, rr: (60_000 / hr) * (1 + variability), hr, phase, respiratoryRate: rate }
  }

  function restartBeats(): void {
    firstBeat = 0
    const d = drivers(0)
    // The first R peak lands somewhere in the first beat (after its P wave), so seeds differ in phase too.
    const r = 250 + uniform(seed, STREAM.firstBeat, 0) * (60_000 / heartRate(0, d))
    beats = [makeBeat(0, r, uniform(seed, STREAM.firstBeat, 1) * 2 * Math.PI)]
  }
  restartBeats()

  /** Makes sure the kept beats cover [from, to] (ms after start) with room for their waves. */
  function coverBeats(from: number, to: number): void {
    if ((beats[0] as Beat).r > from - BEAT_REACH_AFTER_MS && firstBeat > 0) restartBeats()
    let last = beats[beats.length - 1] as Beat
    while (last.r < to + BEAT_REACH_BEFORE_MS) {
      const r = last.r + last.rr
      const phase = last.phase + (2 * Math.PI * last.rr * last.respiratoryRate) / 60_000
      last = makeBeat(firstBeat + beats.length, r, phase)
      beats.push(last)
    }
    if (beats.length > MAX_KEPT_BEATS) {
      let drop = 0
      while (drop < beats.length - 1 && (beats[drop + 1] as Beat).r < from - BEAT_REACH_AFTER_MS) drop++
      if (drop > 0) {
        beats = beats.slice(drop)
        firstBeat += drop
      }
    }
  }

  /** Respiratory phase at t, radians: advanced beat by beat, so it stays continuous when the rate changes. */
  function respiratoryPhase(t: number, beat: Beat): number {
    return beat.phase + (2 * Math.PI * (t - beat.r) * beat.respiratoryRate) / 60_000
  }

  function source(t: number): Source {
    return { kind: 'simulated', label: `Simulator (${segmentAt(t).scenario})` }
  }

  return {
    get scenario() {
      return (segments[segments.length - 1] as Segment).scenario
    },

    numerics(now) {
      if (!Number.isFinite(now)) return []
      const t = now - startAt
      const d = drivers(t)
      const base = { at: now, source: source(t), quality: 'ok' as const }
      const w = (stream: number, { amplitude, periodMs }: { amplitude: number; periodMs: number }) =>
        amplitude * drift(seed, stream, t, periodMs)

      // The cuff's latest cycle: the reading shows the pressure at the moment it was taken.
      const cycle = Math.floor(t / BLOOD_PRESSURE_INTERVAL_MS)
      const cuffT = cycle * BLOOD_PRESSURE_INTERVAL_MS
      const cuff = drivers(cuffT)
      const systolic = reading(
        'blood-pressure',
        cuff.systolic + CUFF_SD_SYSTOLIC * gaussian(seed, STREAM.cuff, 2 * cycle),
      )
      // Diastolic is kept at least 20 mmHg under systolic: a narrower pulse pressure would be a measuring error.
      const diastolic = reading(
        'blood-pressure',
        Math.min(
          systolic - 20,
          cuff.diastolic + CUFF_SD_DIASTOLIC * gaussian(seed, STREAM.cuff, 2 * cycle + 1),
        ),
      )
      return [
        { ...base, kind: 'heart-rate', value: reading('heart-rate', heartRate(t, d)) },
        { ...base, kind: 'spo2', value: reading('spo2', d.spo2 + w(STREAM.spo2Wander, WANDER.spo2)) },
        { ...base, kind: 'respiratory-rate', value: reading('respiratory-rate', respiratoryRate(t, d)) },
        {
          at: startAt + cuffT,
          source: source(cuffT),
          quality: 'ok',
          kind: 'blood-pressure',
          systolic,
          diastolic,
          // Mean arterial pressure as an oscillometric cuff reports it, estimated as diastolic + a third of the
          // pulse pressure.
          mean: reading('blood-pressure', diastolic + (systolic - diastolic) / 3),
        },
        {
          ...base,
          kind: 'temperature',
          value: reading('temperature', d.temperature + w(STREAM.temperatureWander, WANDER.temperature)),
        },
        {
          ...base,
          kind: 'glucose',
          value: reading('glucose', d.glucose + w(STREAM.glucoseWander, WANDER.glucose)),
        },
      ]
    },

    ecg(fromMs, toMs) {
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return new Int16Array(0)
      // Sample i is at startAt + i·4 ms; the window holds every i with fromMs ≤ t_i < toMs.
      const first = Math.ceil((fromMs - startAt) / SAMPLE_MS)
      const end = Math.ceil((toMs - startAt) / SAMPLE_MS)
      const samples = new Int16Array(Math.max(0, end - first))
      if (samples.length === 0) return samples
      coverBeats(first * SAMPLE_MS, end * SAMPLE_MS)
      let low = 0 // first kept beat whose waves may reach the current sample
      for (let i = 0; i < samples.length; i++) {
        const t = (first + i) * SAMPLE_MS
        while (low < beats.length - 1 && (beats[low] as Beat).r < t - BEAT_REACH_AFTER_MS) low++
        let value = 0
        let current: Beat | undefined // the last beat whose R peak is at or before t
        for (let k = low; k < beats.length; k++) {
          const beat = beats[k] as Beat
          if (beat.r > t + BEAT_REACH_BEFORE_MS) break
          if (beat.r <= t) current = beat
          value += beatWave(beat, t - beat.r, rAmplitude)
        }
        const phase = respiratoryPhase(t, current ?? (beats[low] as Beat))
        value += BASELINE.respiratory * Math.sin(phase)
        value += BASELINE.drift * drift(seed, STREAM.ecgWander, t, BASELINE.driftPeriodMs)
        value += ECG_NOISE_UV * gaussian(seed, STREAM.ecgNoise, first + i)
        samples[i] = clamp(Math.round(value), -32768, 32767)
      }
      return samples
    },

    setScenario(name, now) {
      const last = segments[segments.length - 1] as Segment
      if (name === last.scenario) return
      const t = Number.isFinite(now) ? Math.max(now - startAt, last.at) : last.at
      const segment: Segment = { at: t, scenario: name, from: drivers(t), to: targets(name) }
      if (t === last.at) segments[segments.length - 1] = segment
      else segments.push(segment)
      // Beats after the switch were timed from the old scenario; they are generated again when asked for.
      const keep = beats.findIndex((beat) => beat.r > t)
      if (keep === 0) restartBeats()
      else if (keep > 0) beats.length = keep
    },
  }
}
