import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ALARM_PRIORITIES,
  ALARM_TONE,
  ALARM_VISUAL,
  AlarmBoard,
  type AlarmLimits,
  type AlarmLogEntry,
  DEFAULT_AUDIO_PAUSE_MS,
  defaultLimits,
  evaluate,
  isStale,
  MAX_AUDIO_PAUSE_MS,
  PROFILES,
  STALE_AFTER_MS,
  validateLimit,
} from './alarms'
import { type Measurement, VITAL_KINDS, VITALS, type VitalKind } from './types'

const T0 = 1_732_650_000_000
/** The properties run in about a second; Vitest's 5 s default leaves too little room on a busy CI machine. */
const PROPERTY_TIMEOUT_MS = 30_000
const SECOND = 1000
const source = { kind: 'device', label: 'Test oximeter' } as const

function reading(kind: Exclude<VitalKind, 'blood-pressure'>, value: number, at = T0): Measurement {
  return { kind, value, at, source, quality: 'ok' }
}
function pressure(systolic: number, diastolic: number, at = T0): Measurement {
  return { kind: 'blood-pressure', systolic, diastolic, at, source, quality: 'ok' }
}

const limits = defaultLimits()

describe('alarm signal constants (IEC 60601-1-8)', () => {
  it('use the standard colours and flashing rates', () => {
    expect(ALARM_VISUAL.high.colourName).toBe('red')
    expect(ALARM_VISUAL.high.flashHz).toBeGreaterThanOrEqual(1.4)
    expect(ALARM_VISUAL.high.flashHz).toBeLessThanOrEqual(2.8)
    expect(ALARM_VISUAL.medium.colourName).toBe('yellow')
    expect(ALARM_VISUAL.medium.flashHz).toBeGreaterThanOrEqual(0.4)
    expect(ALARM_VISUAL.medium.flashHz).toBeLessThanOrEqual(0.8)
    for (const priority of ['high', 'medium'] as const) {
      expect(ALARM_VISUAL[priority].dutyCycle).toBeGreaterThanOrEqual(0.2)
      expect(ALARM_VISUAL[priority].dutyCycle).toBeLessThanOrEqual(0.6)
    }
    expect(['cyan', 'yellow']).toContain(ALARM_VISUAL.low.colourName)
    expect(ALARM_VISUAL.low.flashHz).toBe(0)
  })

  it('use the standard burst patterns: 10, 3 and 1–2 pulses, within the timing ranges', () => {
    expect(ALARM_TONE.high.pulses).toBe(10)
    expect(ALARM_TONE.medium.pulses).toBe(3)
    expect([1, 2]).toContain(ALARM_TONE.low.pulses)
    for (const priority of ALARM_PRIORITIES) {
      const tone = ALARM_TONE[priority]
      expect(tone.gapsMs).toHaveLength(tone.pulses - 1)
      expect(tone.fundamentalHz).toBeGreaterThanOrEqual(150)
      expect(tone.fundamentalHz).toBeLessThanOrEqual(1000)
    }
    expect(ALARM_TONE.high.pulseMs).toBeGreaterThanOrEqual(75)
    expect(ALARM_TONE.high.pulseMs).toBeLessThanOrEqual(200)
    const [x] = ALARM_TONE.high.gapsMs as [number]
    expect(x).toBeGreaterThanOrEqual(50)
    expect(x).toBeLessThanOrEqual(125)
    // x, x, 2x+td, x, (0.35–1.30 s), x, x, 2x+td, x
    const triplet = 2 * x + ALARM_TONE.high.pulseMs
    expect(ALARM_TONE.high.gapsMs).toEqual([x, x, triplet, x, ALARM_TONE.high.gapsMs[4], x, x, triplet, x])
    expect(ALARM_TONE.high.gapsMs[4]).toBeGreaterThanOrEqual(350)
    expect(ALARM_TONE.high.gapsMs[4]).toBeLessThanOrEqual(1300)
    expect(ALARM_TONE.high.burstIntervalMs).toBeGreaterThanOrEqual(2_500)
    expect(ALARM_TONE.high.burstIntervalMs).toBeLessThanOrEqual(15_000)
    expect(ALARM_TONE.medium.burstIntervalMs).toBeGreaterThanOrEqual(2_500)
    expect(ALARM_TONE.medium.burstIntervalMs).toBeLessThanOrEqual(30_000)
    for (const priority of ['medium', 'low'] as const) {
      const tone = ALARM_TONE[priority]
      expect(tone.pulseMs).toBeGreaterThanOrEqual(125)
      expect(tone.pulseMs).toBeLessThanOrEqual(250)
      for (const gap of tone.gapsMs) {
        expect(gap).toBeGreaterThanOrEqual(125)
        expect(gap).toBeLessThanOrEqual(250)
      }
    }
    const lowRepeat = ALARM_TONE.low.burstIntervalMs
    expect(lowRepeat === null || lowRepeat > 15_000).toBe(true)
  })
})

describe('evaluate', () => {
  it('takes its default limits from the vital definitions', () => {
    for (const kind of VITAL_KINDS) expect(limits[kind]).toEqual(VITALS[kind].defaultLimits)
    // A copy: changing it changes no one else's.
    limits.spo2.low = 80
    expect(defaultLimits().spo2.low).toBe(90)
    limits.spo2.low = 90
  })

  it.each<[string, Measurement, string | null, string | null]>([
    // SpO₂: medium below the limit, high more than 5 below it.
    ['SpO₂ 90 (at the limit)', reading('spo2', 90), null, null],
    ['SpO₂ 89.6 (shows as 90)', reading('spo2', 89.6), null, null],
    ['SpO₂ 89', reading('spo2', 89), 'medium', 'SpO₂ low: 89 % (limit 90 %)'],
    ['SpO₂ 86', reading('spo2', 86), 'medium', 'SpO₂ low: 86 % (limit 90 %)'],
    ['SpO₂ 85', reading('spo2', 85), 'medium', 'SpO₂ low: 85 % (limit 90 %)'],
    ['SpO₂ 84', reading('spo2', 84), 'high', 'SpO₂ low: 84 % (limit 90 %)'],
    ['SpO₂ 100', reading('spo2', 100), null, null],
    // Heart rate: medium outside, high below 40 or above 150.
    ['HR 50', reading('heart-rate', 50), null, null],
    ['HR 49', reading('heart-rate', 49), 'medium', 'Heart rate low: 49 bpm (limit 50 bpm)'],
    ['HR 40', reading('heart-rate', 40), 'medium', 'Heart rate low: 40 bpm (limit 50 bpm)'],
    ['HR 39', reading('heart-rate', 39), 'high', 'Heart rate low: 39 bpm (limit 50 bpm)'],
    ['HR 121', reading('heart-rate', 121), 'medium', 'Heart rate high: 121 bpm (limit 120 bpm)'],
    ['HR 150', reading('heart-rate', 150), 'medium', 'Heart rate high: 150 bpm (limit 120 bpm)'],
    ['HR 151', reading('heart-rate', 151), 'high', 'Heart rate high: 151 bpm (limit 120 bpm)'],
    // Respiratory rate: medium outside, high below 6 or above 35.
    ['RR 7', reading('respiratory-rate', 7), 'medium', 'Respiratory rate low: 7 /min (limit 8 /min)'],
    ['RR 5', reading('respiratory-rate', 5), 'high', 'Respiratory rate low: 5 /min (limit 8 /min)'],
    ['RR 30', reading('respiratory-rate', 30), 'medium', 'Respiratory rate high: 30 /min (limit 25 /min)'],
    ['RR 36', reading('respiratory-rate', 36), 'high', 'Respiratory rate high: 36 /min (limit 25 /min)'],
    // Blood pressure (systolic): medium outside, high below 70 or above 180.
    ['BP 120/80', pressure(120, 80), null, null],
    ['BP 82/47', pressure(82, 47), 'medium', 'Blood pressure low: 82/47 mmHg (systolic limit 90 mmHg)'],
    ['BP 68/40', pressure(68, 40), 'high', 'Blood pressure low: 68/40 mmHg (systolic limit 90 mmHg)'],
    ['BP 170/95', pressure(170, 95), 'medium', 'Blood pressure high: 170/95 mmHg (systolic limit 160 mmHg)'],
    ['BP 190/110', pressure(190, 110), 'high', 'Blood pressure high: 190/110 mmHg (systolic limit 160 mmHg)'],
    // Temperature: low outside; medium below 35.0 or above 39.5; high below 32.0 or above 41.0.
    ['Temp 38.0', reading('temperature', 38.0), null, null],
    ['Temp 38.04 (shows as 38.0)', reading('temperature', 38.04), null, null],
    ['Temp 39.1', reading('temperature', 39.1), 'low', 'Temperature high: 39.1 °C (limit 38.0 °C)'],
    ['Temp 39.6', reading('temperature', 39.6), 'medium', 'Temperature high: 39.6 °C (limit 38.0 °C)'],
    ['Temp 41.2', reading('temperature', 41.2), 'high', 'Temperature high: 41.2 °C (limit 38.0 °C)'],
    ['Temp 35.2', reading('temperature', 35.2), 'low', 'Temperature low: 35.2 °C (limit 35.5 °C)'],
    ['Temp 34.5', reading('temperature', 34.5), 'medium', 'Temperature low: 34.5 °C (limit 35.5 °C)'],
    ['Temp 31.0', reading('temperature', 31), 'high', 'Temperature low: 31.0 °C (limit 35.5 °C)'],
    // Glucose: low side medium, high below 54; high side low, medium above 250, high above 600.
    ['Glu 65', reading('glucose', 65), 'medium', 'Glucose low: 65 mg/dL (limit 70 mg/dL)'],
    ['Glu 52', reading('glucose', 52), 'high', 'Glucose low: 52 mg/dL (limit 70 mg/dL)'],
    ['Glu 200', reading('glucose', 200), 'low', 'Glucose high: 200 mg/dL (limit 180 mg/dL)'],
    ['Glu 300', reading('glucose', 300), 'medium', 'Glucose high: 300 mg/dL (limit 180 mg/dL)'],
    ['Glu 650', reading('glucose', 650), 'high', 'Glucose high: 650 mg/dL (limit 180 mg/dL)'],
  ])('%s', (_, measurement, priority, message) => {
    const alarm = evaluate(measurement, limits)
    expect(alarm?.priority ?? null).toBe(priority)
    expect(alarm?.message ?? null).toBe(message)
    if (alarm) {
      expect(alarm.kind).toBe(measurement.kind)
      expect(alarm.condition).toBe(message?.includes(' low: ') ? 'low' : 'high')
    }
  })

  it('measures the SpO₂ escalation from the limit set, not from the default', () => {
    const custom: AlarmLimits = { ...defaultLimits(), spo2: { low: 94, high: 100 } }
    expect(evaluate(reading('spo2', 90), custom)?.priority).toBe('medium')
    expect(evaluate(reading('spo2', 88), custom)?.priority).toBe('high')
    expect(evaluate(reading('spo2', 88), custom)?.message).toBe('SpO₂ low: 88 % (limit 94 %)')
  })

  it('prints a limit finer than the display resolution as set', () => {
    const custom: AlarmLimits = { ...defaultLimits(), 'heart-rate': { low: 50, high: 110.5 } }
    expect(evaluate(reading('heart-rate', 115), custom)?.message).toBe(
      'Heart rate high: 115 bpm (limit 110.5 bpm)',
    )
  })

  it(
    'raises no alarm for any value inside the limits',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...VITAL_KINDS),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (kind, fraction) => {
            const { low, high } = limits[kind]
            const value = low + fraction * (high - low)
            const measurement = kind === 'blood-pressure' ? pressure(value, value / 2) : reading(kind, value)
            expect(evaluate(measurement, limits)).toBeNull()
          },
        ),
        { numRuns: 2_000 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'never throws for any finite number, and alarms for exactly the values outside the limits',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...VITAL_KINDS),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          (kind, value, other) => {
            const measurement = kind === 'blood-pressure' ? pressure(value, other) : reading(kind, value)
            const alarm = evaluate(measurement, limits)
            const { plausible, decimals } = VITALS[kind]
            const shown = Math.round(value * 10 ** decimals) / 10 ** decimals
            const outside = shown < limits[kind].low || shown > limits[kind].high
            const plausibleValue = value >= plausible.min && value <= plausible.max
            expect(alarm !== null).toBe(outside && plausibleValue)
            if (alarm) expect(alarm.message).toMatch(/^\S.* (low|high): .+ \((systolic )?limit .+\)$/)
          },
        ),
        { numRuns: 10_000 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it('treats non-numbers and physically impossible values as measuring errors, not alarms', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1]) {
      expect(evaluate(reading('spo2', value), limits)).toBeNull()
    }
    expect(evaluate(reading('spo2', 101), limits)).toBeNull()
    expect(evaluate(reading('heart-rate', 351), limits)).toBeNull()
    expect(evaluate(pressure(Number.NaN, 50), limits)).toBeNull()
  })

  it('alarms at high priority for extreme but possible values: SpO₂ 30 %, asystole', () => {
    expect(evaluate(reading('spo2', 30), limits)).toMatchObject({ priority: 'high', condition: 'low' })
    expect(evaluate(reading('heart-rate', 0), limits)).toMatchObject({ priority: 'high', condition: 'low' })
    expect(evaluate(reading('respiratory-rate', 0), limits)?.priority).toBe('high')
  })
})

describe('stale data', () => {
  it('is stale after 5 s without an update', () => {
    expect(STALE_AFTER_MS).toBe(5_000)
    expect(isStale(T0, T0 + 4_999)).toBe(false)
    expect(isStale(T0, T0 + 5_000)).toBe(true)
    expect(isStale(Number.NaN, T0)).toBe(true)
  })

  it('raises a low-priority technical alarm for a vital that stops updating, and ends it with the next reading', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 97, T0))
    expect(board.active(T0 + 4 * SECOND)).toEqual([])
    const [stale] = board.active(T0 + 7 * SECOND)
    expect(stale).toMatchObject({
      kind: 'spo2',
      condition: 'stale',
      technical: true,
      priority: 'low',
      message: 'SpO₂: no update for 7 s',
      since: T0 + STALE_AFTER_MS,
      acknowledged: false,
    })
    expect(board.shouldSound(T0 + 7 * SECOND)?.condition).toBe('stale')
    board.ingest(reading('spo2', 97, T0 + 8 * SECOND))
    expect(board.active(T0 + 8 * SECOND)).toEqual([])
  })

  it('does not call a vital stale that was never connected, or one stopped on purpose', () => {
    const board = new AlarmBoard()
    expect(board.active(T0 + 60 * SECOND)).toEqual([])
    board.ingest(reading('heart-rate', 70, T0))
    board.stopWatching('heart-rate')
    expect(board.active(T0 + 60 * SECOND)).toEqual([])
  })

  it('never raises "no update" for a spot reading: cuff, meter, thermometer, spot-check, hand entry', () => {
    const board = new AlarmBoard()
    const manual = { kind: 'manual', label: 'Entered by hand' } as const
    board.ingest(pressure(120, 80, T0))
    board.ingest(reading('glucose', 100, T0))
    board.ingest(reading('temperature', 36.8, T0))
    board.ingest({ ...reading('spo2', 97, T0), spot: true }) // a spot-check oximeter
    board.ingest({ ...reading('respiratory-rate', 14, T0), source: manual })
    expect(board.active(T0 + 24 * 60 * 60 * SECOND)).toEqual([])
    expect(board.log.filter((entry) => entry.condition === 'stale')).toEqual([])
  })

  it('keeps the last physiological alarm while the vital is stale: a lost signal is not a recovery', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 82, T0))
    const list = board.active(T0 + 10 * SECOND)
    expect(list.map((a) => [a.condition, a.priority])).toEqual([
      ['low', 'high'],
      ['stale', 'low'],
    ])
  })

  it('counts a vital sending only impossible values as stale', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 70, T0))
    for (let s = 1; s <= 6; s++) expect(board.ingest(reading('heart-rate', -1, T0 + s * SECOND))).toBeNull()
    expect(board.active(T0 + 6 * SECOND).map((a) => a.condition)).toEqual(['stale'])
  })
})

describe('AlarmBoard', () => {
  it('raises a medium alarm when a reading leaves its limits and clears it when it returns (non-latching)', () => {
    const board = new AlarmBoard()
    expect(board.ingest(reading('spo2', 97, T0))).toBeNull()
    expect(board.active(T0)).toEqual([])
    expect(board.shouldSound(T0)).toBeNull()

    expect(board.ingest(reading('spo2', 88, T0 + SECOND))?.priority).toBe('medium')
    const [alarm] = board.active(T0 + SECOND)
    expect(alarm).toEqual({
      kind: 'spo2',
      priority: 'medium',
      condition: 'low',
      technical: false,
      message: 'SpO₂ low: 88 % (limit 90 %)',
      since: T0 + SECOND,
      acknowledged: false,
      audioPaused: false,
      latched: false,
    })
    expect(board.shouldSound(T0 + SECOND)?.kind).toBe('spo2')

    // The message follows the value; the onset stays.
    board.ingest(reading('spo2', 87, T0 + 2 * SECOND))
    expect(board.active(T0 + 2 * SECOND)[0]).toMatchObject({
      message: 'SpO₂ low: 87 % (limit 90 %)',
      since: T0 + SECOND,
    })

    // Back inside: gone, unacknowledged or not.
    board.ingest(reading('spo2', 93, T0 + 3 * SECOND))
    expect(board.active(T0 + 3 * SECOND)).toEqual([])
    expect(board.shouldSound(T0 + 3 * SECOND)).toBeNull()
  })

  it('lists alarms by priority, then by onset', () => {
    const board = new AlarmBoard()
    board.ingest(reading('temperature', 39.1, T0))
    board.ingest(reading('heart-rate', 130, T0 + SECOND))
    board.ingest(reading('respiratory-rate', 30, T0 + 2 * SECOND))
    board.ingest(reading('spo2', 80, T0 + 3 * SECOND))
    board.ingest(reading('glucose', 100, T0 + 3 * SECOND))
    const now = T0 + 4 * SECOND
    expect(board.active(now).map((a) => `${a.priority} ${a.kind}`)).toEqual([
      'high spo2',
      'medium heart-rate',
      'medium respiratory-rate',
      'low temperature',
    ])
    expect(board.shouldSound(now)?.kind).toBe('spo2')
  })

  it('acknowledge stops the tone but keeps the alarm on screen until the condition clears', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 130, T0))
    expect(board.acknowledge('heart-rate', T0 + SECOND)).toBe(true)
    const [alarm] = board.active(T0 + SECOND)
    expect(alarm).toMatchObject({ kind: 'heart-rate', acknowledged: true, priority: 'medium' })
    expect(board.shouldSound(T0 + SECOND)).toBeNull()
    // Still acknowledged while it goes on, at the same or a lower priority.
    board.ingest(reading('heart-rate', 125, T0 + 2 * SECOND))
    expect(board.shouldSound(T0 + 2 * SECOND)).toBeNull()
    // Cleared, then back: a new occurrence alarms afresh.
    board.ingest(reading('heart-rate', 100, T0 + 3 * SECOND))
    board.ingest(reading('heart-rate', 130, T0 + 4 * SECOND))
    expect(board.shouldSound(T0 + 4 * SECOND)).toMatchObject({ kind: 'heart-rate', acknowledged: false })
  })

  it('re-alarms when an acknowledged condition escalates, and not when it only wavers below that', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 88, T0))
    board.acknowledge('spo2', T0)
    board.ingest(reading('spo2', 82, T0 + SECOND))
    expect(board.shouldSound(T0 + SECOND)).toMatchObject({ priority: 'high', acknowledged: false })
    board.acknowledge('spo2', T0 + 2 * SECOND)
    expect(board.shouldSound(T0 + 2 * SECOND)).toBeNull()
    // High acknowledged: wavering between medium and high does not sound again.
    board.ingest(reading('spo2', 87, T0 + 3 * SECOND))
    board.ingest(reading('spo2', 83, T0 + 4 * SECOND))
    expect(board.shouldSound(T0 + 4 * SECOND)).toBeNull()
    expect(board.active(T0 + 4 * SECOND)[0]).toMatchObject({ priority: 'high', acknowledged: true })
  })

  it('re-alarms when the condition turns around (low to high)', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 45, T0))
    board.acknowledge('heart-rate', T0)
    board.ingest(reading('heart-rate', 130, T0 + SECOND))
    expect(board.shouldSound(T0 + SECOND)).toMatchObject({ condition: 'high', since: T0 + SECOND })
  })

  it('acknowledges only the vital named, and says when there was nothing to acknowledge', () => {
    const board = new AlarmBoard()
    expect(board.acknowledge('spo2', T0)).toBe(false)
    board.ingest(reading('spo2', 97, T0))
    expect(board.acknowledge('spo2', T0)).toBe(false)
    board.ingest(reading('heart-rate', 130, T0))
    board.ingest(reading('glucose', 65, T0))
    board.acknowledge('heart-rate', T0)
    expect(board.shouldSound(T0)?.kind).toBe('glucose')
  })

  it('silence pauses the audio for two minutes, then sounds again if the alarm is still active', () => {
    expect(DEFAULT_AUDIO_PAUSE_MS).toBe(120_000)
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 86, T0))
    board.silence(DEFAULT_AUDIO_PAUSE_MS, T0 + SECOND)
    for (let s = 2; s < 120; s += 10) {
      board.ingest(reading('spo2', 86, T0 + s * SECOND))
      expect(board.shouldSound(T0 + s * SECOND)).toBeNull()
      // Paused, not acknowledged: still shown as active and unacknowledged.
      expect(board.active(T0 + s * SECOND)[0]).toMatchObject({ audioPaused: true, acknowledged: false })
    }
    board.ingest(reading('spo2', 86, T0 + 121 * SECOND))
    expect(board.shouldSound(T0 + 121 * SECOND)).toMatchObject({ kind: 'spo2', audioPaused: false })
  })

  it('silence does not cover a new condition or an escalation during the pause', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 88, T0))
    board.silence(DEFAULT_AUDIO_PAUSE_MS, T0)
    board.ingest(reading('heart-rate', 130, T0 + SECOND))
    expect(board.shouldSound(T0 + SECOND)?.kind).toBe('heart-rate')
    board.acknowledge('heart-rate', T0 + SECOND)
    expect(board.shouldSound(T0 + SECOND)).toBeNull()
    board.ingest(reading('spo2', 80, T0 + 2 * SECOND))
    expect(board.shouldSound(T0 + 2 * SECOND)).toMatchObject({ kind: 'spo2', priority: 'high' })
  })

  it('silence is capped at 5 minutes, and 0 resumes the audio', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 130, T0))
    board.silence(60 * 60 * SECOND, T0)
    board.ingest(reading('heart-rate', 130, T0 + MAX_AUDIO_PAUSE_MS - 1))
    expect(board.shouldSound(T0 + MAX_AUDIO_PAUSE_MS - 1)).toBeNull()
    board.ingest(reading('heart-rate', 130, T0 + MAX_AUDIO_PAUSE_MS))
    expect(board.shouldSound(T0 + MAX_AUDIO_PAUSE_MS)?.kind).toBe('heart-rate')
    board.silence(DEFAULT_AUDIO_PAUSE_MS, T0 + MAX_AUDIO_PAUSE_MS)
    board.silence(0, T0 + MAX_AUDIO_PAUSE_MS + 1)
    expect(board.shouldSound(T0 + MAX_AUDIO_PAUSE_MS + 1)?.kind).toBe('heart-rate')
  })

  it('acknowledges and silences the technical alarm until the next reading', () => {
    const board = new AlarmBoard()
    board.ingest(reading('respiratory-rate', 14, T0))
    board.acknowledge('respiratory-rate', T0 + 6 * SECOND)
    expect(board.shouldSound(T0 + 7 * SECOND)).toBeNull()
    expect(board.active(T0 + 7 * SECOND)[0]).toMatchObject({ condition: 'stale', acknowledged: true })
    // A reading ends it; the next time the vital goes quiet, it alarms again.
    board.ingest(reading('respiratory-rate', 14, T0 + 8 * SECOND))
    expect(board.shouldSound(T0 + 14 * SECOND)?.condition).toBe('stale')
    board.silence(DEFAULT_AUDIO_PAUSE_MS, T0 + 14 * SECOND)
    expect(board.shouldSound(T0 + 20 * SECOND)).toBeNull()
    expect(board.shouldSound(T0 + 14 * SECOND + DEFAULT_AUDIO_PAUSE_MS)?.condition).toBe('stale')
  })

  it('ignores readings older than the latest (late arrivals)', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 97, T0 + 2 * SECOND))
    expect(board.ingest(reading('spo2', 80, T0 + SECOND))).toBeNull()
    expect(board.active(T0 + 2 * SECOND)).toEqual([])
  })

  describe('setLimits', () => {
    it('accepts valid limits and re-evaluates the latest reading against them', () => {
      const board = new AlarmBoard()
      board.ingest(reading('heart-rate', 130, T0))
      expect(board.active(T0)).toHaveLength(1)
      expect(board.setLimits('heart-rate', { low: 45, high: 140 })).toEqual({ ok: true })
      expect(board.limits['heart-rate']).toEqual({ low: 45, high: 140 })
      expect(board.active(T0)).toEqual([])
      expect(board.setLimits('heart-rate', { low: 45, high: 125 })).toEqual({ ok: true })
      expect(board.active(T0)[0]?.message).toBe('Heart rate high: 130 bpm (limit 125 bpm)')
      // The board's copy is its own.
      const copy = board.limits
      copy['heart-rate'].high = 200
      expect(board.limits['heart-rate'].high).toBe(125)
    })

    it.each<[VitalKind, { low: number; high: number }, string]>([
      [
        'heart-rate',
        { low: 130, high: 120 },
        'The low heart rate limit (130 bpm) must be below the high limit (120 bpm).',
      ],
      [
        'spo2',
        { low: 90, high: 90 },
        'The low oxygen saturation limit (90 %) must be below the high limit (90 %).',
      ],
      [
        'spo2',
        { low: -1, high: 100 },
        'The oxygen saturation limits must lie between 0 % and 100 %, the range a real reading can have.',
      ],
      [
        'blood-pressure',
        { low: 90, high: 420 },
        'The systolic blood pressure limits must lie between 0 mmHg and 400 mmHg, the range a real reading can have.',
      ],
      ['temperature', { low: Number.NaN, high: 38 }, 'The body temperature limits must be numbers.'],
    ])('refuses %s %o with a sentence, and keeps the old limits', (kind, limit, error) => {
      const board = new AlarmBoard()
      expect(validateLimit(kind, limit)).toBe(error)
      expect(board.setLimits(kind, limit)).toEqual({ ok: false, error })
      expect(board.limits[kind]).toEqual(VITALS[kind].defaultLimits)
    })

    it('accepts limits at the edges of the physically possible range', () => {
      for (const kind of VITAL_KINDS) {
        const { min, max } = VITALS[kind].plausible
        expect(validateLimit(kind, { low: min, high: max })).toBeNull()
      }
    })
  })

  it(
    'never throws, whatever it is fed',
    () => {
      const measurementArb = fc.oneof(
        fc.record({
          kind: fc.constantFrom<Exclude<VitalKind, 'blood-pressure'>>(
            'heart-rate',
            'spo2',
            'respiratory-rate',
            'temperature',
            'glucose',
          ),
          value: fc.double(),
          at: fc.double(),
        }),
        fc.record({
          kind: fc.constant('blood-pressure' as const),
          systolic: fc.double(),
          diastolic: fc.double(),
          at: fc.double(),
        }),
      )
      const actionArb = fc.oneof(
        measurementArb.map((m) => ({ type: 'ingest' as const, m })),
        fc.record({
          type: fc.constant('ack' as const),
          kind: fc.constantFrom(...VITAL_KINDS),
          now: fc.double(),
        }),
        fc.record({ type: fc.constant('silence' as const), ms: fc.double(), now: fc.double() }),
        fc.record({
          type: fc.constant('limits' as const),
          kind: fc.constantFrom(...VITAL_KINDS),
          low: fc.double(),
          high: fc.double(),
        }),
      )
      fc.assert(
        fc.property(fc.array(actionArb, { maxLength: 30 }), fc.double(), (actions, now) => {
          const board = new AlarmBoard()
          for (const action of actions) {
            if (action.type === 'ingest') board.ingest({ ...action.m, source, quality: 'ok' } as Measurement)
            else if (action.type === 'ack') board.acknowledge(action.kind, action.now)
            else if (action.type === 'silence') board.silence(action.ms, action.now)
            else board.setLimits(action.kind, { low: action.low, high: action.high })
          }
          const active = board.active(now)
          const sounding = board.shouldSound(now)
          expect(
            sounding === null ||
              active.some((a) => a.kind === sounding.kind && a.condition === sounding.condition),
          ).toBe(true)
          for (const kind of VITAL_KINDS) {
            const { low, high } = board.limits[kind]
            expect(low).toBeLessThan(high)
          }
        }),
        { numRuns: 2_000 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})

describe('extreme readings', () => {
  it('raises a high-priority alarm on the very first reading when it is already critical', () => {
    const board = new AlarmBoard()
    expect(board.ingest(reading('spo2', 45, T0))).toMatchObject({ priority: 'high', condition: 'low' })
    expect(board.shouldSound(T0)).toMatchObject({
      kind: 'spo2',
      priority: 'high',
      message: 'SpO₂ low: 45 % (limit 90 %)',
    })
  })

  it('replaces an earlier medium alarm with high when the value falls out of every normal range', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 88, T0))
    board.ingest(reading('spo2', 45, T0 + SECOND))
    expect(board.active(T0 + SECOND)).toMatchObject([
      { priority: 'high', message: 'SpO₂ low: 45 % (limit 90 %)' },
    ])
  })
})

describe('latching', () => {
  it('holds a high-priority alarm after the value returns to range, until acknowledged', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 80, T0))
    board.ingest(reading('spo2', 96, T0 + 3 * SECOND))
    const [held] = board.active(T0 + 10 * SECOND)
    expect(held).toMatchObject({
      priority: 'high',
      latched: true,
      endedAt: T0 + 3 * SECOND,
      acknowledged: false,
      message: 'SpO₂ low: 80 % (limit 90 %); now back within limits',
    })
    // Latched means the tone goes on too (IEC 60601-1-8: a latching signal continues until the operator acts).
    expect(board.shouldSound(T0 + 10 * SECOND)?.latched).toBe(true)
    expect(board.acknowledge('spo2', T0 + 11 * SECOND)).toBe(true)
    // Only the (acknowledged) technical alarm is left: the oximeter has been quiet since.
    expect(board.active(T0 + 11 * SECOND).map((a) => [a.condition, a.acknowledged])).toEqual([
      ['stale', true],
    ])
  })

  it('keeps showing high while the value improves to medium, until the high alarm is acknowledged', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 80, T0))
    board.ingest(reading('spo2', 88, T0 + SECOND))
    expect(board.active(T0 + SECOND)).toMatchObject([
      {
        priority: 'high',
        latched: true,
        message: 'SpO₂ low: 88 % (limit 90 %); was SpO₂ low: 80 % (limit 90 %)',
      },
    ])
    board.acknowledge('spo2', T0 + 2 * SECOND)
    expect(board.active(T0 + 2 * SECOND)).toMatchObject([
      { priority: 'medium', latched: false, acknowledged: true, message: 'SpO₂ low: 88 % (limit 90 %)' },
    ])
    // Acknowledged at high: back in range now simply clears.
    board.ingest(reading('spo2', 95, T0 + 3 * SECOND))
    expect(board.active(T0 + 3 * SECOND)).toEqual([])
  })

  it('does not latch medium or low alarms', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 130, T0))
    board.ingest(reading('temperature', 39.0, T0))
    board.ingest(reading('heart-rate', 80, T0 + SECOND))
    board.ingest(reading('temperature', 37.0, T0 + SECOND))
    expect(board.active(T0 + SECOND)).toEqual([])
  })

  it('shows a latched alarm beside a new one of the same vital', () => {
    const board = new AlarmBoard()
    board.ingest(reading('spo2', 80, T0))
    board.ingest(reading('spo2', 96, T0 + SECOND))
    board.ingest(reading('spo2', 88, T0 + 2 * SECOND))
    expect(board.active(T0 + 2 * SECOND).map((a) => [a.priority, a.latched])).toEqual([
      ['high', true],
      ['medium', false],
    ])
    board.acknowledge('spo2', T0 + 3 * SECOND)
    expect(board.active(T0 + 3 * SECOND).map((a) => [a.priority, a.acknowledged])).toEqual([['medium', true]])
  })
})

describe('the alarm log', () => {
  const brief = (entries: readonly AlarmLogEntry[]) =>
    entries.map((e) => [e.event, e.kind ?? null, e.priority ?? null, e.at - T0])

  it('records every transition with its time, priority, value and the reading’s own time', () => {
    const board = new AlarmBoard()
    const heard: AlarmLogEntry[] = []
    board.onLog((entry) => heard.push(entry))
    // measured 500 ms before it arrived
    board.ingest(reading('spo2', 88, T0 - 500), T0)
    board.ingest(reading('spo2', 80, T0 + 500), T0 + SECOND)
    board.silence(DEFAULT_AUDIO_PAUSE_MS, T0 + 2 * SECOND)
    board.ingest(reading('spo2', 96, T0 + 3 * SECOND))
    board.acknowledge('spo2', T0 + 4 * SECOND)
    board.ingest(reading('heart-rate', 130, T0 + 5 * SECOND))
    board.ingest(reading('heart-rate', 90, T0 + 6 * SECOND))
    expect(brief(board.log)).toEqual([
      ['settings', null, null, 0],
      ['raised', 'spo2', 'medium', 0],
      ['escalated', 'spo2', 'high', SECOND],
      ['silenced', 'spo2', 'high', 2 * SECOND],
      ['latched', 'spo2', 'high', 3 * SECOND],
      ['acknowledged', 'spo2', 'high', 4 * SECOND],
      ['cleared', 'spo2', 'high', 4 * SECOND],
      ['raised', 'heart-rate', 'medium', 5 * SECOND],
      ['cleared', 'heart-rate', 'medium', 6 * SECOND],
    ])
    expect(heard).toEqual(board.log)
    expect(board.log[1]).toMatchObject({
      message: 'SpO₂ low: 88 % (limit 90 %)',
      value: 88,
      measuredAt: T0 - 500,
      limit: 90,
      condition: 'low',
    })
    expect(board.log[0]?.settings?.profile).toBe('adult')
    // The entries of one alarm share its id.
    const spo2Ids = new Set(board.log.filter((e) => e.kind === 'spo2').map((e) => e.alarmId))
    expect(spo2Ids.size).toBe(1)
  })

  it('records a continuous vital going stale and coming back', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 70, T0))
    board.active(T0 + 6 * SECOND)
    board.active(T0 + 7 * SECOND) // asked again: logged once
    board.acknowledge('heart-rate', T0 + 8 * SECOND)
    board.ingest(reading('heart-rate', 70, T0 + 9 * SECOND))
    expect(brief(board.log)).toEqual([
      ['settings', null, null, 0],
      ['raised', 'heart-rate', 'low', STALE_AFTER_MS],
      ['acknowledged', 'heart-rate', 'low', 8 * SECOND],
      ['cleared', 'heart-rate', 'low', 9 * SECOND],
    ])
    expect(board.log.slice(1).every((e) => e.condition === 'stale')).toBe(true)
  })

  it('records changes of the settings in full', () => {
    const board = new AlarmBoard()
    board.setLimits('spo2', { low: 92, high: 100 }, T0)
    board.useProfile('neonatal', T0 + SECOND)
    expect(board.log.map((e) => [e.event, e.message])).toEqual([
      ['settings', 'SpO₂ limits set to 92–100 %.'],
      ['settings', 'Alarm profile: Neonatal.'],
    ])
    expect(board.log[0]?.settings).toMatchObject({ profile: 'adult', edited: true })
    expect(board.log[1]?.settings).toMatchObject({ profile: 'neonatal', edited: false })
    expect(board.log[1]?.settings?.limits.spo2).toEqual({ low: 89, high: 95 })
  })
})

describe('alarm profiles', () => {
  it('give each group its own limits and escalations, every value visible', () => {
    for (const name of ['adult', 'paediatric', 'neonatal'] as const) {
      const board = new AlarmBoard(name)
      expect(board.settings).toEqual({
        profile: name,
        edited: false,
        limits: PROFILES[name].limits,
        priorities: PROFILES[name].priorities,
      })
      for (const kind of VITAL_KINDS) expect(validateLimit(kind, PROFILES[name].limits[kind])).toBeNull()
    }
    expect(defaultLimits('adult')).toEqual(
      Object.fromEntries(VITAL_KINDS.map((kind) => [kind, VITALS[kind].defaultLimits])),
    )
  })

  it('change what alarms and how urgently: a heart rate of 150 and an SpO₂ of 97 in a newborn', () => {
    const adult = new AlarmBoard()
    const newborn = new AlarmBoard('neonatal')
    expect(adult.ingest(reading('heart-rate', 150, T0))?.priority).toBe('medium')
    expect(newborn.ingest(reading('heart-rate', 150, T0))).toBeNull()
    expect(adult.ingest(reading('heart-rate', 85, T0 + SECOND))).toBeNull()
    expect(newborn.ingest(reading('heart-rate', 75, T0 + SECOND))?.priority).toBe('high')
    // Hyperoxia matters in a newborn: above the 95 % limit is medium priority.
    expect(newborn.ingest(reading('spo2', 97, T0))).toMatchObject({ priority: 'medium', condition: 'high' })
    expect(adult.ingest(reading('spo2', 97, T0))).toBeNull()
  })

  it('apply to the latest readings when chosen', () => {
    const board = new AlarmBoard()
    board.ingest(reading('heart-rate', 150, T0))
    expect(board.active(T0)).toMatchObject([{ priority: 'medium' }])
    board.useProfile('paediatric', T0 + SECOND)
    expect(board.active(T0 + SECOND)).toEqual([])
    expect(board.limits['heart-rate']).toEqual({ low: 70, high: 160 })
  })

  it('let each escalation be changed for the patient, and refuse one that does not raise the priority', () => {
    const board = new AlarmBoard()
    expect(
      board.setPriorityRule('heart-rate', 'high', {
        atLimit: 'medium',
        further: [{ priority: 'high', beyond: 130 }],
      }),
    ).toEqual({ ok: true })
    expect(board.ingest(reading('heart-rate', 135, T0))?.priority).toBe('high')
    expect(board.settings.edited).toBe(true)
    expect(
      board.setPriorityRule('heart-rate', 'low', {
        atLimit: 'high',
        further: [{ priority: 'medium', beyond: 30 }],
      }),
    ).toEqual({
      ok: false,
      error: 'The Heart rate low escalations must each raise the priority (high at the limit, then higher).',
    })
    board.useProfile('adult')
    expect(board.settings.edited).toBe(false)
  })
})
