// Alarm evaluation for the vital signs, in the manner of IEC 60601-1-8 (general requirements for alarm systems in
// medical electrical equipment): three priorities, each with its standard colour, flashing rate and tone
// pattern; physiological alarms from limits; a technical alarm when a vital stops updating; and a pure
// `AlarmBoard` state machine for acknowledge and audio pause. No clock and no DOM: every time is an argument.
//
// Latching: these physiological alarms do NOT latch (IEC 60601-1-8 leaves it to the manufacturer; bedside
// monitors commonly make limit alarms non-latching). An alarm ends as soon as a reading is back inside its
// limits, acknowledged or not, because a vital that oscillates around a limit would otherwise bury the screen in
// alarms that have ended. What the board remembers is the acknowledgement: while the condition lasts, it stays
// acknowledged unless it escalates to a higher priority than the one acknowledged; once it ends, it is forgotten,
// and the next occurrence alarms afresh.
//
// This is a display and demonstration aid for a teleconsultation, not a certified alarm system: the bedside
// monitor stays the primary alarm source.

import { type Measurement, primaryValue, VITAL_KINDS, VITALS, type VitalKind } from './types'

export const ALARM_PRIORITIES = ['high', 'medium', 'low'] as const
export type AlarmPriority = (typeof ALARM_PRIORITIES)[number]

/** Higher is more urgent; for sorting and escalation. */
export const PRIORITY_RANK: Record<AlarmPriority, number> = { high: 3, medium: 2, low: 1 }

/**
 * Visual alarm signals, IEC 60601-1-8 Table 2 (alarm indicator lights): high priority red,
 * flashing 1.4–2.8 Hz; medium yellow, 0.4–0.8 Hz; both with a 20–60 % duty cycle; low cyan or yellow, constant.
 */
export const ALARM_VISUAL: Record<
  AlarmPriority,
  {
    colourName: 'red' | 'yellow' | 'cyan'
    /** CSS colour. */
    colour: string
    /** Flashes per second, Hz; 0 is steady. */
    flashHz: number
    /** Fraction of each flash period the indicator is lit. */
    dutyCycle: number
  }
> = {
  high: { colourName: 'red', colour: '#ff1a1a', flashHz: 2, dutyCycle: 0.5 },
  medium: { colourName: 'yellow', colour: '#ffd500', flashHz: 0.5, dutyCycle: 0.5 },
  // Cyan rather than yellow, so low cannot be mistaken for a medium-priority indicator caught between flashes.
  low: { colourName: 'cyan', colour: '#00e5ff', flashHz: 0, dutyCycle: 1 },
}

export interface AlarmTone {
  /** Pulses in one burst. */
  pulses: number
  /** Effective duration of each pulse, ms (td). */
  pulseMs: number
  /** Silence after each pulse but the last, ms: `gapsMs.length === pulses - 1`. */
  gapsMs: readonly number[]
  /** From the start of one burst to the start of the next while the alarm sounds, ms; null: one burst only. */
  burstIntervalMs: number | null
  /** Fundamental frequency, Hz (the standard asks for 150–1000 Hz with at least four harmonics in 300–4000 Hz). */
  fundamentalHz: number
}

// Auditory alarm signals, IEC 60601-1-8 Tables 3 and 4, with values inside the ranges the standard allows.
// High: pulse 75–200 ms, spacing x = 50–125 ms in the rhythm x, x, 2x+td, x, (0.35–1.30 s), x, x, 2x+td, x,
// burst repeated every 2.5–15 s. Medium: pulse 125–250 ms, spacing y = 125–250 ms, repeated every 2.5–30 s. Low:
// 1 or 2 pulses like medium, repeated after more than 15 s or not at all.
const HIGH_PULSE_MS = 150
const HIGH_SPACING_MS = 100
const HIGH_TRIPLET_GAP_MS = 2 * HIGH_SPACING_MS + HIGH_PULSE_MS
/** The pause between the two halves of the high-priority burst (0.35–1.30 s). */
const HIGH_HALF_GAP_MS = 700
const MEDIUM_PULSE_MS = 200
const MEDIUM_SPACING_MS = 200

export const ALARM_TONE: Record<AlarmPriority, AlarmTone> = {
  high: {
    pulses: 10,
    pulseMs: HIGH_PULSE_MS,
    gapsMs: [
      HIGH_SPACING_MS,
      HIGH_SPACING_MS,
      HIGH_TRIPLET_GAP_MS,
      HIGH_SPACING_MS,
      HIGH_HALF_GAP_MS,
      HIGH_SPACING_MS,
      HIGH_SPACING_MS,
      HIGH_TRIPLET_GAP_MS,
      HIGH_SPACING_MS,
    ],
    burstIntervalMs: 5_000,
    fundamentalHz: 880,
  },
  medium: {
    pulses: 3,
    pulseMs: MEDIUM_PULSE_MS,
    gapsMs: [MEDIUM_SPACING_MS, MEDIUM_SPACING_MS],
    burstIntervalMs: 10_000,
    fundamentalHz: 660,
  },
  low: {
    pulses: 2,
    pulseMs: MEDIUM_PULSE_MS,
    gapsMs: [MEDIUM_SPACING_MS],
    burstIntervalMs: 20_000,
    fundamentalHz: 523,
  },
}

/** A technical alarm when a continuously measured vital has had no new reading for this long, ms. */
export const STALE_AFTER_MS = 5_000
/**
 * Blood pressure is a spot reading (the simulator takes one a minute, a ward cuff every 5–60 min), so it is
 * stale only after 2.5 minutes: one missed one-minute cycle plus the cuff's inflation and measuring time.
 */
export const BLOOD_PRESSURE_STALE_AFTER_MS = 150_000
/** What `silence` pauses audio for by default, ms: two minutes, the usual monitor default. */
export const DEFAULT_AUDIO_PAUSE_MS = 120_000
/** The longest audio pause `silence` grants, ms: indefinite silence would be "audio off", which is not offered. */
export const MAX_AUDIO_PAUSE_MS = 300_000

export interface AlarmLimit {
  low: number
  high: number
}
/** Per vital; for blood pressure, of the systolic value. */
export type AlarmLimits = Record<VitalKind, AlarmLimit>

export function defaultLimits(): AlarmLimits {
  const limits = {} as AlarmLimits
  for (const kind of VITAL_KINDS) limits[kind] = { ...VITALS[kind].defaultLimits }
  return limits
}

/** Beyond a threshold (absolute, or an offset from the limit) the priority rises. */
export interface Escalation {
  priority: AlarmPriority
  /** A value, or `{ fromLimit }`: this far beyond the limit. */
  beyond: number | { fromLimit: number }
}
export interface SideRule {
  /** Priority just outside the limit. */
  atLimit: AlarmPriority
  /** Escalations, from least to most urgent. */
  further: readonly Escalation[]
}

/**
 * The priority table, following IEC 60601-1-8 Table 1: high when the operator must act at once to prevent death
 * or irreversible injury, medium when prompt action is needed, low when awareness is enough (or harm would
 * come only after some time). Just outside a limit gives `atLimit`; past a `further` threshold (and outside the limit)
 * gives that priority. Thresholds, and why:
 * - Heart rate: medium; high below 40 bpm (severe bradycardia) or above 150 bpm (rates where filling fails).
 * - SpO₂ low: medium; high more than 5 % below the limit (85 % by default: severe hypoxaemia). SpO₂ high: low
 *   priority (hyperoxia matters mostly for neonates; the default limit of 100 % never triggers it).
 * - Respiratory rate: medium; high below 6 /min (approaching apnoea) or above 35 /min (respiratory failure).
 * - Blood pressure (systolic): medium; high below 70 mmHg (shock) or above 180 mmHg (hypertensive crisis).
 * - Temperature: low priority (it changes over hours); medium below 35.0 °C (hypothermia) or above 39.5 °C;
 *   high below 32.0 °C (moderate hypothermia) or above 41.0 °C (hyperpyrexia).
 * - Glucose low: medium; high below 54 mg/dL (level 2 hypoglycaemia, ADA: needs action now). Glucose high: low;
 *   medium above 250 mg/dL (the ADA's ketoacidosis threshold); high above 600 mg/dL (hyperosmolar state).
 */
export const PRIORITY_TABLE: Record<VitalKind, Record<'low' | 'high', SideRule>> = {
  'heart-rate': {
    low: { atLimit: 'medium', further: [{ priority: 'high', beyond: 40 }] },
    high: { atLimit: 'medium', further: [{ priority: 'high', beyond: 150 }] },
  },
  spo2: {
    low: { atLimit: 'medium', further: [{ priority: 'high', beyond: { fromLimit: 5 } }] },
    high: { atLimit: 'low', further: [] },
  },
  'respiratory-rate': {
    low: { atLimit: 'medium', further: [{ priority: 'high', beyond: 6 }] },
    high: { atLimit: 'medium', further: [{ priority: 'high', beyond: 35 }] },
  },
  'blood-pressure': {
    low: { atLimit: 'medium', further: [{ priority: 'high', beyond: 70 }] },
    high: { atLimit: 'medium', further: [{ priority: 'high', beyond: 180 }] },
  },
  temperature: {
    low: {
      atLimit: 'low',
      further: [
        { priority: 'medium', beyond: 35.0 },
        { priority: 'high', beyond: 32.0 },
      ],
    },
    high: {
      atLimit: 'low',
      further: [
        { priority: 'medium', beyond: 39.5 },
        { priority: 'high', beyond: 41.0 },
      ],
    },
  },
  glucose: {
    low: { atLimit: 'medium', further: [{ priority: 'high', beyond: 54 }] },
    high: {
      atLimit: 'low',
      further: [
        { priority: 'medium', beyond: 250 },
        { priority: 'high', beyond: 600 },
      ],
    },
  },
}

/** How an alarm message names the vital. */
export const ALARM_NAMES: Record<VitalKind, string> = {
  'heart-rate': 'Heart rate',
  spo2: 'SpO₂',
  'respiratory-rate': 'Respiratory rate',
  'blood-pressure': 'Blood pressure',
  temperature: 'Temperature',
  glucose: 'Glucose',
}

export interface AlarmCondition {
  kind: VitalKind
  priority: AlarmPriority
  condition: 'high' | 'low'
  /** A plain sentence for the screen, e.g. "SpO₂ low: 86 % (limit 90 %)". */
  message: string
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals
  return Math.round(value * factor) / factor
}

/** At the vital's display resolution; a limit finer than that keeps its own digits (up to 2). */
function formatNumber(kind: VitalKind, value: number): string {
  const { decimals } = VITALS[kind]
  if (roundTo(value, decimals) === value) return value.toFixed(decimals)
  return String(roundTo(value, 2))
}

function withUnit(kind: VitalKind, text: string): string {
  return `${text} ${VITALS[kind].unitLabel}`
}

/**
 * The alarm a measurement raises against the limits, or null when it is inside them. Compared at the
 * resolution the monitor displays, so a message never reads "SpO₂ low: 90 % (limit 90 %)". A value outside the
 * vital's plausible range, or not a finite number, is a measuring error rather than a physiological alarm
 * (types.ts): null here; the board's stale alarm reports a vital that only sends such values.
 */
export function evaluate(measurement: Measurement, limits: AlarmLimits): AlarmCondition | null {
  const kind = measurement.kind
  const { decimals, plausible } = VITALS[kind]
  const raw = primaryValue(measurement)
  if (!Number.isFinite(raw) || raw < plausible.min || raw > plausible.max) return null
  const value = roundTo(raw, decimals)
  const limit = limits[kind]
  const condition = value < limit.low ? 'low' : value > limit.high ? 'high' : null
  if (condition === null) return null

  const rule = PRIORITY_TABLE[kind][condition]
  const limitValue = condition === 'low' ? limit.low : limit.high
  let priority = rule.atLimit
  for (const step of rule.further) {
    const threshold =
      typeof step.beyond === 'number'
        ? step.beyond
        : condition === 'low'
          ? limitValue - step.beyond.fromLimit
          : limitValue + step.beyond.fromLimit
    if (condition === 'low' ? value < threshold : value > threshold) priority = step.priority
  }

  const shown =
    measurement.kind === 'blood-pressure' && Number.isFinite(measurement.diastolic)
      ? `${formatNumber(kind, value)}/${formatNumber(kind, roundTo(measurement.diastolic, decimals))}`
      : formatNumber(kind, value)
  const limitName = kind === 'blood-pressure' ? 'systolic limit' : 'limit'
  const message = `${ALARM_NAMES[kind]} ${condition}: ${withUnit(kind, shown)} (${limitName} ${withUnit(kind, formatNumber(kind, limitValue))})`
  return { kind, priority, condition, message }
}

export function staleAfterMs(kind: VitalKind): number {
  return kind === 'blood-pressure' ? BLOOD_PRESSURE_STALE_AFTER_MS : STALE_AFTER_MS
}

/** Whether a vital last updated at `lastAt` has had no update for `afterMs` by `now` (all ms). */
export function isStale(lastAt: number, now: number, afterMs: number = STALE_AFTER_MS): boolean {
  if (!Number.isFinite(lastAt)) return true
  return now - lastAt >= afterMs
}

/** Why a limit was refused, as a sentence for the settings panel; null if it is acceptable. */
export function validateLimit(kind: VitalKind, limit: AlarmLimit): string | null {
  const { label, plausible } = VITALS[kind]
  const name = kind === 'blood-pressure' ? 'systolic blood pressure' : label.toLowerCase()
  if (!Number.isFinite(limit.low) || !Number.isFinite(limit.high)) {
    return `The ${name} limits must be numbers.`
  }
  if (limit.low >= limit.high) {
    return `The low ${name} limit (${withUnit(kind, formatNumber(kind, limit.low))}) must be below the high limit (${withUnit(kind, formatNumber(kind, limit.high))}).`
  }
  const range = `${withUnit(kind, formatNumber(kind, plausible.min))} and ${withUnit(kind, formatNumber(kind, plausible.max))}`
  if (limit.low < plausible.min || limit.high > plausible.max) {
    return `The ${name} limits must lie between ${range}, the range a real reading can have.`
  }
  return null
}

export type LimitResult = { ok: true } | { ok: false; error: string }

/** An alarm on the board, as the UI shows it. */
export interface ActiveAlarm {
  kind: VitalKind
  priority: AlarmPriority
  /** 'stale' is the technical alarm: no update for a while. */
  condition: 'high' | 'low' | 'stale'
  technical: boolean
  message: string
  /** When the condition began, ms since the epoch. */
  since: number
  /** Seen by a clinician: no tone, the visual indication stays. */
  acknowledged: boolean
  /** Audio paused by `silence` at the time asked for. */
  audioPaused: boolean
}

interface PhysiologicalAlarm {
  priority: AlarmPriority
  condition: 'high' | 'low'
  message: string
  since: number
  /** Rank of the highest priority acknowledged while the condition lasted; 0: none. */
  acknowledgedRank: number
  /** Audio pause: until when, for priorities up to which rank. */
  pausedUntil: number
  pausedRank: number
}

interface Watch {
  /** `at` of the latest valid measurement. */
  lastAt: number
  last: Measurement
  alarm: PhysiologicalAlarm | null
  /** The technical alarm's acknowledgement and pause hold for this `lastAt` only: a new reading ends it. */
  staleAcknowledgedFor: number | null
  stalePausedFor: number | null
  stalePausedUntil: number
}

function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`
}

/**
 * The alarms of one patient's vitals: feed it every measurement (`ingest`), ask it what to show (`active`) and
 * what to sound (`shouldSound`). Pure: no timers; the caller asks again as time passes.
 *
 * - `acknowledge(kind, now)`: the clinician has seen that vital's alarms. Their tone stops; they stay on screen
 *   until the condition clears. If the condition escalates to a higher priority than the one acknowledged, or
 *   turns into a different condition (low to high), it alarms again.
 * - `silence(ms, now)`: audio paused for the alarms active now, up to their current priority, for `ms` (default
 *   2 min, at most 5); afterwards they sound again if still active. A new condition or an escalation during the
 *   pause sounds at once: the clinician silenced what they knew about, not what came after.
 * - A vital with no valid reading for STALE_AFTER_MS (BLOOD_PRESSURE_STALE_AFTER_MS for the cuff) raises a
 *   low-priority technical alarm. Its physiological alarm stays as it was: losing the signal is no evidence that
 *   the condition has ended.
 */
export class AlarmBoard {
  #limits: AlarmLimits = defaultLimits()
  readonly #watches = new Map<VitalKind, Watch>()

  /** A copy of the current limits. */
  get limits(): AlarmLimits {
    const copy = {} as AlarmLimits
    for (const kind of VITAL_KINDS) copy[kind] = { ...this.#limits[kind] }
    return copy
  }

  /** Sets one vital's limits if they are valid, and re-evaluates its latest reading against them. */
  setLimits(kind: VitalKind, limit: AlarmLimit): LimitResult {
    const error = validateLimit(kind, limit)
    if (error !== null) return { ok: false, error }
    this.#limits[kind] = { low: limit.low, high: limit.high }
    const watch = this.#watches.get(kind)
    if (watch) this.#apply(watch, watch.last)
    return { ok: true }
  }

  /**
   * Takes a measurement: raises, updates or clears that vital's alarm, and returns the alarm condition it is in
   * (null: inside the limits). Readings older than the latest one (arriving late) and implausible or non-finite
   * values (measuring errors) are ignored and return null without changing anything.
   */
  ingest(measurement: Measurement): AlarmCondition | null {
    const { plausible } = VITALS[measurement.kind]
    const value = primaryValue(measurement)
    if (!Number.isFinite(measurement.at) || !Number.isFinite(value)) return null
    if (value < plausible.min || value > plausible.max) return null
    let watch = this.#watches.get(measurement.kind)
    if (watch && measurement.at < watch.lastAt) return null
    if (!watch) {
      watch = {
        lastAt: measurement.at,
        last: measurement,
        alarm: null,
        staleAcknowledgedFor: null,
        stalePausedFor: null,
        stalePausedUntil: Number.NEGATIVE_INFINITY,
      }
      this.#watches.set(measurement.kind, watch)
    }
    watch.lastAt = measurement.at
    watch.last = measurement
    return this.#apply(watch, measurement)
  }

  #apply(watch: Watch, measurement: Measurement): AlarmCondition | null {
    const found = evaluate(measurement, this.#limits)
    if (found === null) {
      watch.alarm = null // non-latching: the condition has ended, and its acknowledgement with it
      return null
    }
    const alarm = watch.alarm
    if (alarm === null || alarm.condition !== found.condition) {
      watch.alarm = {
        priority: found.priority,
        condition: found.condition,
        message: found.message,
        since: measurement.at,
        acknowledgedRank: 0,
        pausedUntil: Number.NEGATIVE_INFINITY,
        pausedRank: 0,
      }
    } else {
      // Same condition: a priority above the one acknowledged or paused sounds again (see `active`: the ranks are
      // compared there); a lower one stays acknowledged.
      alarm.priority = found.priority
      alarm.message = found.message
    }
    return found
  }

  /** Stop watching a vital (its device was disconnected on purpose): its alarms, stale included, end. */
  stopWatching(kind: VitalKind): void {
    this.#watches.delete(kind)
  }

  /** The clinician has seen this vital's alarms; returns whether there was anything to acknowledge. */
  acknowledge(kind: VitalKind, now: number): boolean {
    const watch = this.#watches.get(kind)
    if (!watch) return false
    let acknowledged = false
    if (watch.alarm) {
      watch.alarm.acknowledgedRank = Math.max(
        watch.alarm.acknowledgedRank,
        PRIORITY_RANK[watch.alarm.priority],
      )
      acknowledged = true
    }
    if (isStale(watch.lastAt, now, staleAfterMs(kind))) {
      watch.staleAcknowledgedFor = watch.lastAt
      acknowledged = true
    }
    return acknowledged
  }

  /**
   * Pauses the audio of every alarm active at `now` for `ms` (DEFAULT_AUDIO_PAUSE_MS is the usual choice; clamped
   * to 0..MAX_AUDIO_PAUSE_MS, a non-number gives the default); 0 resumes it.
   */
  silence(ms: number, now: number): void {
    const duration = Number.isFinite(ms)
      ? Math.max(0, Math.min(MAX_AUDIO_PAUSE_MS, ms))
      : DEFAULT_AUDIO_PAUSE_MS
    const until = now + duration
    for (const [kind, watch] of this.#watches) {
      if (watch.alarm) {
        watch.alarm.pausedUntil = until
        watch.alarm.pausedRank = PRIORITY_RANK[watch.alarm.priority]
      }
      if (isStale(watch.lastAt, now, staleAfterMs(kind))) {
        watch.stalePausedFor = watch.lastAt
        watch.stalePausedUntil = until
      }
    }
  }

  /** Everything to show at `now`: high priority first, then the longest-standing, then in VITAL_KINDS order. */
  active(now: number): ActiveAlarm[] {
    const list: ActiveAlarm[] = []
    for (const kind of VITAL_KINDS) {
      const watch = this.#watches.get(kind)
      if (!watch) continue
      const alarm = watch.alarm
      if (alarm) {
        const rank = PRIORITY_RANK[alarm.priority]
        list.push({
          kind,
          priority: alarm.priority,
          condition: alarm.condition,
          technical: false,
          message: alarm.message,
          since: alarm.since,
          acknowledged: rank <= alarm.acknowledgedRank,
          audioPaused: rank <= alarm.pausedRank && now < alarm.pausedUntil,
        })
      }
      const afterMs = staleAfterMs(kind)
      if (isStale(watch.lastAt, now, afterMs)) {
        list.push({
          kind,
          priority: 'low',
          condition: 'stale',
          technical: true,
          message: `${ALARM_NAMES[kind]}: no update for ${formatDuration(now - watch.lastAt)}`,
          since: watch.lastAt + afterMs,
          acknowledged: watch.staleAcknowledgedFor === watch.lastAt,
          audioPaused: watch.stalePausedFor === watch.lastAt && now < watch.stalePausedUntil,
        })
      }
    }
    const order = (kind: VitalKind) => VITAL_KINDS.indexOf(kind)
    return list.sort(
      (a, b) =>
        PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] ||
        a.since - b.since ||
        order(a.kind) - order(b.kind),
    )
  }

  /** The alarm whose tone should play at `now` (the most urgent neither acknowledged nor paused), or null. */
  shouldSound(now: number): ActiveAlarm | null {
    return this.active(now).find((alarm) => !alarm.acknowledged && !alarm.audioPaused) ?? null
  }
}
