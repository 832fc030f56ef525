// Alarms for the vital signs, in the manner of IEC 60601-1-8 (general requirements for alarm systems in medical
// electrical equipment): three priorities, each with its standard colour, flashing rate and tone pattern;
// physiological alarms from limits, with priorities that rise past escalation thresholds; a technical alarm when a
// continuous vital stops updating; latching of high-priority alarms; acknowledge and audio pause; an alarm log;
// and alarm profiles (adult, paediatric, neonatal). A pure `AlarmBoard`: no clock and no DOM, every time is an
// argument.
//
// THIS IS NOT A CERTIFIED ALARM SYSTEM. It is a display aid for a teleconsultation; the bedside monitor (or the
// patient's own device) remains the primary alarm source, and nothing here replaces it.
//
// Policies, and why:
// - Spot readings never go stale. A cuff, a glucose meter, a thermometer, a spot-check oximeter and anything
//   typed in by hand measure once (types.ts `isSpotReading`): they show their age on the monitor and never raise
//   "no update". Only continuous vitals (heart rate, SpO₂ and respiratory rate from a streaming source) raise the
//   low-priority technical alarm after STALE_AFTER_MS without a reading.
// - Latching: a HIGH-priority alarm latches. Once a vital has been in its high-priority band, the alarm stays high
//   (visual and tone) until a clinician acknowledges it, even if the value improves or returns within its limits
//   in the meantime; the screen then says it is back within limits. A high-priority condition is one that can
//   kill or injure within minutes; if it came and went unseen (a 20 s desaturation during a call), the clinician
//   must still learn of it. Medium and low priorities do not latch: they end when the value is back within its
//   limits, so a vital wavering around a limit does not bury the screen in alarms that have ended; the log keeps
//   every one of them.
// - Alarm delay: none. An alarm condition is announced on the first reading that meets it, and a reading that is
//   critical on arrival raises a high-priority alarm at once. The readings that reach this board are already the
//   devices' own averaged values (oximeters average over several seconds), arrive at most about once a second,
//   and spot readings come once: a persistence delay would hide exactly the one reading a cuff or a meter sends,
//   and would add to the bedside monitor's own delay. The cost is more medium alarms from a value crossing a
//   limit; acknowledgement and the non-latching of medium and low priorities keep that manageable.
// - Acknowledge stops the tone of what is showing; a condition that escalates above what was acknowledged sounds
//   again. Audio pause (`silence`) lasts two minutes by default, at most five, and never covers a condition that
//   arises or escalates during the pause.
// - The log: every alarm raised, escalated, acknowledged, silenced, latched (condition ended while latched) and
//   cleared, with its time, vital, priority, message and the value and measured time of the reading behind it,
//   and every change of alarm settings with the settings in full (`AlarmLogEntry`). The call record keeps it and
//   the FHIR export carries it (src/record/fhir.ts).
//
// Profiles and the sources of their defaults: see PROFILES below.

import {
  isSpotReading,
  type Measurement,
  primaryValue,
  roundTo,
  VITAL_KINDS,
  VITALS,
  type VitalKind,
} from './types'

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
/** What `silence` pauses audio for by default, ms: two minutes, the usual monitor default. */
export const DEFAULT_AUDIO_PAUSE_MS = 120_000
/** The longest audio pause `silence` grants, ms: indefinite silence would be "audio off", which is not offered. */
export const MAX_AUDIO_PAUSE_MS = 300_000
/** Log entries the board keeps in memory for the screen; the call record keeps all of them. */
export const MAX_LOG_ENTRIES = 1_000

export interface AlarmLimit {
  low: number
  high: number
}
/** Per vital; for blood pressure, of the systolic value. */
export type AlarmLimits = Record<VitalKind, AlarmLimit>

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
export type PriorityTable = Record<VitalKind, Record<'low' | 'high', SideRule>>

const rule = (atLimit: AlarmPriority, ...further: Escalation[]): SideRule => ({ atLimit, further })
const to = (priority: AlarmPriority, beyond: number | { fromLimit: number }): Escalation => ({
  priority,
  beyond,
})

export const ALARM_PROFILE_NAMES = ['adult', 'paediatric', 'neonatal'] as const
export type AlarmProfileName = (typeof ALARM_PROFILE_NAMES)[number]

export interface AlarmProfile {
  name: AlarmProfileName
  label: string
  /** Who it is for, in one sentence for the settings panel. */
  description: string
  limits: AlarmLimits
  priorities: PriorityTable
}

/**
 * Alarm profiles: the limits and escalation thresholds a clinician starts from for a patient group. Each value is
 * shown and can be changed for the patient (`setLimits`, `setPriorityRule`); they are starting points, not a
 * validated protocol. Priorities follow IEC 60601-1-8 Table 1: high when the operator must act at once to prevent
 * death or irreversible injury, medium when prompt action is needed, low when awareness is enough.
 *
 * ADULT (the app's values since the first version):
 * - Limits: heart rate 50–120 bpm, SpO₂ 90–100 %, respiratory rate 8–25 /min, systolic 90–160 mmHg: common adult
 *   bedside-monitor defaults; temperature 35.5–38.0 °C; glucose 70–180 mg/dL, the consensus "time in range"
 *   (Battelino et al., Diabetes Care 2019).
 * - Heart rate: medium; high below 40 bpm (severe bradycardia) or above 150 bpm (rates where filling fails).
 * - SpO₂ low: medium; high more than 5 % below the limit (85 % by default: severe hypoxaemia). SpO₂ high: low.
 * - Respiratory rate: medium; high below 6 /min (approaching apnoea) or above 35 /min (respiratory failure).
 * - Systolic pressure: medium; high below 70 mmHg (shock) or above 180 mmHg (hypertensive crisis).
 * - Temperature: low (it changes over hours); medium below 35.0 °C (hypothermia, NEWS2 scores it 3) or above
 *   39.5 °C; high below 32.0 °C (moderate hypothermia) or above 41.0 °C (hyperpyrexia).
 * - Glucose low: medium; high below 54 mg/dL (level 2 hypoglycaemia, ADA Standards of Care). Glucose high: low;
 *   medium above 250 mg/dL (the ADA's ketoacidosis threshold); high above 600 mg/dL (hyperosmolar state).
 *
 * PAEDIATRIC (a child of 1–12 years; narrow the limits to the child's age):
 * - Heart rate 70–160 bpm and respiratory rate 15–40 /min span the normal ranges of APLS (Advanced Paediatric Life
 *   Support, 6th ed., 2016) and the centiles of Fleming et al. (Lancet 2011;377:1011) from 1 to 12 years. High
 *   below 60 bpm (PALS, AHA 2020: bradycardia with poor perfusion calls for CPR) or above 180 bpm (PALS: above
 *   this in a child, suspect SVT rather than sinus tachycardia); respiratory rate high below 10 /min (a slowing
 *   rate is pre-terminal) or above 50 /min.
 * - SpO₂ low limit 92 %: below it a child needs oxygen (British Thoracic Society, pneumonia in children, 2011);
 *   high more than 5 % below the limit.
 * - Systolic 80–130 mmHg; high below 70 mmHg (PALS hypotension: below 70 + 2 × age in years) or above 150 mmHg.
 * - Temperature 36.0–38.0 °C (NICE NG143, fever in under 5s: 38 °C); medium below 35.0 or above 39.0 °C; high
 *   below 32.0 or above 41.0 °C.
 * - Glucose 70–180 mg/dL with the ISPAD 2022 hypoglycaemia levels (high below 54 mg/dL); medium above
 *   200 mg/dL (ISPAD's ketoacidosis threshold, 11 mmol/L); high above 600 mg/dL.
 *
 * NEONATAL (the first 28 days; preterm infants need limits set to gestation):
 * - Heart rate 100–180 bpm (Fleming et al. 2011, first month); high below 80 bpm (the bradycardia of
 *   apnoea-bradycardia events, AAP, Apnea of Prematurity, Pediatrics 2016) or above 220 bpm (neonatal SVT).
 * - SpO₂ 89–95 %, the alarm limits of the European Consensus Guidelines on RDS (Sweet et al., Neonatology 2019)
 *   for a preterm infant in oxygen: the high limit matters (hyperoxia and retinopathy of prematurity), so SpO₂
 *   above it is medium priority; high priority below 80 %.
 * - Respiratory rate 30–60 /min (WHO IMCI: 60 or more is fast breathing in an infant under 2 months); high below
 *   20 or above 80 /min.
 * - Systolic 50–90 mmHg (a term newborn; lower in preterm infants); high below 40 or above 110 mmHg.
 * - Temperature 36.5–37.5 °C (WHO, Thermal protection of the newborn, 1997); below the limit is already medium
 *   (cold stress needs prompt action in a newborn); high below 32.0 °C (WHO severe hypothermia); above the limit
 *   low, medium above 38.0 °C (any fever in a newborn needs assessment, NICE NG143), high above 39.5 °C.
 * - Glucose low limit 47 mg/dL (2.6 mmol/L, the long-used operational threshold); high below 36 mg/dL
 *   (2.0 mmol/L, BAPM framework on neonatal hypoglycaemia, 2017); high side as for adults.
 */
export const PROFILES: Record<AlarmProfileName, AlarmProfile> = {
  adult: {
    name: 'adult',
    label: 'Adult',
    description: 'An adult patient.',
    limits: {
      'heart-rate': { low: 50, high: 120 },
      spo2: { low: 90, high: 100 },
      'respiratory-rate': { low: 8, high: 25 },
      'blood-pressure': { low: 90, high: 160 },
      temperature: { low: 35.5, high: 38.0 },
      glucose: { low: 70, high: 180 },
    },
    priorities: {
      'heart-rate': { low: rule('medium', to('high', 40)), high: rule('medium', to('high', 150)) },
      spo2: { low: rule('medium', to('high', { fromLimit: 5 })), high: rule('low') },
      'respiratory-rate': { low: rule('medium', to('high', 6)), high: rule('medium', to('high', 35)) },
      'blood-pressure': { low: rule('medium', to('high', 70)), high: rule('medium', to('high', 180)) },
      temperature: {
        low: rule('low', to('medium', 35.0), to('high', 32.0)),
        high: rule('low', to('medium', 39.5), to('high', 41.0)),
      },
      glucose: {
        low: rule('medium', to('high', 54)),
        high: rule('low', to('medium', 250), to('high', 600)),
      },
    },
  },
  paediatric: {
    name: 'paediatric',
    label: 'Paediatric',
    description: 'A child of 1 to 12 years: narrow the limits to the child’s age.',
    limits: {
      'heart-rate': { low: 70, high: 160 },
      spo2: { low: 92, high: 100 },
      'respiratory-rate': { low: 15, high: 40 },
      'blood-pressure': { low: 80, high: 130 },
      temperature: { low: 36.0, high: 38.0 },
      glucose: { low: 70, high: 180 },
    },
    priorities: {
      'heart-rate': { low: rule('medium', to('high', 60)), high: rule('medium', to('high', 180)) },
      spo2: { low: rule('medium', to('high', { fromLimit: 5 })), high: rule('low') },
      'respiratory-rate': { low: rule('medium', to('high', 10)), high: rule('medium', to('high', 50)) },
      'blood-pressure': { low: rule('medium', to('high', 70)), high: rule('medium', to('high', 150)) },
      temperature: {
        low: rule('low', to('medium', 35.0), to('high', 32.0)),
        high: rule('low', to('medium', 39.0), to('high', 41.0)),
      },
      glucose: {
        low: rule('medium', to('high', 54)),
        high: rule('low', to('medium', 200), to('high', 600)),
      },
    },
  },
  neonatal: {
    name: 'neonatal',
    label: 'Neonatal',
    description: 'A newborn in the first 28 days: set the limits to gestation for a preterm infant.',
    limits: {
      'heart-rate': { low: 100, high: 180 },
      spo2: { low: 89, high: 95 },
      'respiratory-rate': { low: 30, high: 60 },
      'blood-pressure': { low: 50, high: 90 },
      temperature: { low: 36.5, high: 37.5 },
      glucose: { low: 47, high: 180 },
    },
    priorities: {
      'heart-rate': { low: rule('medium', to('high', 80)), high: rule('medium', to('high', 220)) },
      spo2: { low: rule('medium', to('high', 80)), high: rule('medium') },
      'respiratory-rate': { low: rule('medium', to('high', 20)), high: rule('medium', to('high', 80)) },
      'blood-pressure': { low: rule('medium', to('high', 40)), high: rule('medium', to('high', 110)) },
      temperature: {
        low: rule('medium', to('high', 32.0)),
        high: rule('low', to('medium', 38.0), to('high', 39.5)),
      },
      glucose: {
        low: rule('medium', to('high', 36)),
        high: rule('low', to('medium', 250), to('high', 600)),
      },
    },
  },
}

/** The adult priority table (kept under its old name for callers that predate the profiles). */
export const PRIORITY_TABLE: PriorityTable = PROFILES.adult.priorities

function copyLimits(limits: AlarmLimits): AlarmLimits {
  const copy = {} as AlarmLimits
  for (const kind of VITAL_KINDS) copy[kind] = { ...limits[kind] }
  return copy
}

function copyPriorities(table: PriorityTable): PriorityTable {
  const copy = {} as PriorityTable
  for (const kind of VITAL_KINDS) {
    const sides = table[kind]
    copy[kind] = {
      low: { atLimit: sides.low.atLimit, further: sides.low.further.map((step) => ({ ...step })) },
      high: { atLimit: sides.high.atLimit, further: sides.high.further.map((step) => ({ ...step })) },
    }
  }
  return copy
}

export function defaultLimits(profile: AlarmProfileName = 'adult'): AlarmLimits {
  return copyLimits(PROFILES[profile].limits)
}

/** What a board alarms on: a profile's values, possibly changed for this patient (`edited`). */
export interface AlarmSettings {
  profile: AlarmProfileName
  /** Some value differs from the profile's. */
  edited: boolean
  limits: AlarmLimits
  priorities: PriorityTable
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
  /** The limit crossed. */
  limit: number
  /** The value compared, at the display resolution. */
  value: number
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

/** Whether `value` lies beyond `threshold` on the side of the condition. */
function beyond(condition: 'high' | 'low', value: number, threshold: number): boolean {
  return condition === 'low' ? value < threshold : value > threshold
}

/**
 * The alarm a measurement raises against the limits and priority table, or null when it is inside the limits.
 * Compared at the resolution the monitor displays, so a message never reads "SpO₂ low: 90 % (limit 90 %)". A
 * value that is not physically possible, or not a finite number, is a measuring error rather than a
 * physiological alarm (types.ts): null here, and such readings never reach the board (feed.ts refuses them).
 */
export function evaluate(
  measurement: Measurement,
  limits: AlarmLimits,
  priorities: PriorityTable = PRIORITY_TABLE,
): AlarmCondition | null {
  const kind = measurement.kind
  const { decimals, plausible } = VITALS[kind]
  const raw = primaryValue(measurement)
  if (!Number.isFinite(raw) || raw < plausible.min || raw > plausible.max) return null
  const value = roundTo(raw, decimals)
  const limit = limits[kind]
  const condition = value < limit.low ? 'low' : value > limit.high ? 'high' : null
  if (condition === null) return null

  const sideRule = priorities[kind][condition]
  const limitValue = condition === 'low' ? limit.low : limit.high
  let priority = sideRule.atLimit
  for (const step of sideRule.further) {
    const threshold =
      typeof step.beyond === 'number'
        ? step.beyond
        : condition === 'low'
          ? limitValue - step.beyond.fromLimit
          : limitValue + step.beyond.fromLimit
    if (beyond(condition, value, threshold) && PRIORITY_RANK[step.priority] > PRIORITY_RANK[priority])
      priority = step.priority
  }

  const shown =
    measurement.kind === 'blood-pressure' && Number.isFinite(measurement.diastolic)
      ? `${formatNumber(kind, value)}/${formatNumber(kind, roundTo(measurement.diastolic, decimals))}`
      : formatNumber(kind, value)
  const limitName = kind === 'blood-pressure' ? 'systolic limit' : 'limit'
  const message = `${ALARM_NAMES[kind]} ${condition}: ${withUnit(kind, shown)} (${limitName} ${withUnit(kind, formatNumber(kind, limitValue))})`
  return { kind, priority, condition, message, limit: limitValue, value }
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

/** Why an escalation rule was refused, as a sentence; null if it is acceptable. */
export function validatePriorityRule(
  kind: VitalKind,
  side: 'low' | 'high',
  sideRule: SideRule,
): string | null {
  const name = `${ALARM_NAMES[kind]} ${side}`
  let rank = PRIORITY_RANK[sideRule.atLimit]
  for (const step of sideRule.further) {
    const threshold = typeof step.beyond === 'number' ? step.beyond : step.beyond.fromLimit
    if (!Number.isFinite(threshold)) return `The ${name} escalation thresholds must be numbers.`
    if (typeof step.beyond !== 'number' && step.beyond.fromLimit < 0)
      return `The ${name} escalation distances from the limit must not be negative.`
    if (PRIORITY_RANK[step.priority] <= rank)
      return `The ${name} escalations must each raise the priority (${sideRule.atLimit} at the limit, then higher).`
    rank = PRIORITY_RANK[step.priority]
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
  /** Seen by a clinician: no tone, the visual indication stays while the condition lasts. */
  acknowledged: boolean
  /** Audio paused by `silence` at the time asked for. */
  audioPaused: boolean
  /**
   * A high-priority alarm held until acknowledged: the value has improved since (or, with `endedAt`, is back
   * within its limits), but the clinician has not yet seen the alarm.
   */
  latched: boolean
  /** When the condition ended, for a latched alarm whose value is back within its limits. */
  endedAt?: number
}

export type AlarmLogEvent =
  | 'raised'
  | 'escalated'
  | 'acknowledged'
  | 'silenced'
  | 'latched'
  | 'cleared'
  | 'settings'

/** One line of the alarm log. */
export interface AlarmLogEntry {
  /** ms since the epoch, by the board's clock: a reading's arrival, or the moment of a clinician's action. */
  at: number
  event: AlarmLogEvent
  /** The vital; for 'settings', the vital whose settings changed, or undefined when all did (a profile). */
  kind?: VitalKind
  /** The alarm the entry belongs to: every entry from 'raised' to 'cleared' of one alarm shares it. */
  alarmId?: string
  priority?: AlarmPriority
  condition?: 'high' | 'low' | 'stale'
  /** A plain sentence, e.g. "SpO₂ low: 45 % (limit 90 %)" or "audio paused for 2 min". */
  message: string
  /** The primary value of the reading behind the entry (app unit), when a reading caused it. */
  value?: number
  /** When that reading was measured (its own time stamp), to find it in the record. */
  measuredAt?: number
  /** The limit crossed. */
  limit?: number
  /** For 'settings': the settings in force from `at` on, in full. */
  settings?: AlarmSettings
}

/** One physiological alarm from its onset to its end (or its acknowledgement, when it latched). */
interface Episode {
  id: string
  condition: 'high' | 'low'
  priority: AlarmPriority
  /** The highest priority reached; a 'high' peak latches until acknowledged. */
  peak: AlarmPriority
  message: string
  /** The message when `peak` was first reached: what a latched alarm shows. */
  peakMessage: string
  since: number
  /** Set when the value came back within limits while the alarm was latched. */
  endedAt?: number
  /** Rank of the highest priority acknowledged; 0: none. */
  acknowledgedRank: number
  /** Audio pause: until when, for priorities up to which rank. */
  pausedUntil: number
  pausedRank: number
}

interface Watch {
  /** Board time of the latest reading (its arrival): staleness runs on it. */
  lastAt: number
  /** Measured time of the latest reading: a reading measured before it arrives late and is ignored. */
  lastMeasuredAt: number
  last: Measurement
  current: Episode | null
  /** High-priority alarms whose condition has ended, held until acknowledged. */
  latched: Episode[]
  /** The technical alarm: its id while raised (logged), and its acknowledgement and pause for this `lastAt`. */
  staleId: string | null
  staleAcknowledgedFor: number | null
  stalePausedFor: number | null
  stalePausedUntil: number
}

function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`
}

const rank = (priority: AlarmPriority) => PRIORITY_RANK[priority]

/** The priority shown: a high peak not yet acknowledged holds the alarm at high (latching). */
function shownPriority(episode: Episode): AlarmPriority {
  return episode.peak === 'high' && episode.acknowledgedRank < PRIORITY_RANK.high ? 'high' : episode.priority
}

/**
 * The alarms of one patient's vitals: feed it every measurement (`ingest`), ask it what to show (`active`) and
 * what to sound (`shouldSound`); it keeps the alarm log (`log`, `onLog`). Pure: no timers; the caller asks again
 * as time passes (and `active` records the time-driven transitions, a vital going stale, in the log).
 *
 * - `acknowledge(kind, now)`: the clinician has seen that vital's alarms. Their tone stops; an active one stays on
 *   screen until its condition clears; a latched one whose condition has ended is cleared. If the condition
 *   escalates above the priority acknowledged, or turns into a different condition, it alarms again.
 * - `silence(ms, now)`: audio paused for the alarms active now, up to their current priority, for `ms` (default
 *   2 min, at most 5); afterwards they sound again if still active. A new condition or an escalation during the
 *   pause sounds at once: the clinician silenced what they knew about, not what came after.
 * - A continuous vital with no reading for STALE_AFTER_MS raises a low-priority technical alarm. Its physiological
 *   alarm stays as it was: losing the signal is no evidence that the condition has ended.
 */
export class AlarmBoard {
  #settings: AlarmSettings = {
    profile: 'adult',
    edited: false,
    limits: defaultLimits('adult'),
    priorities: copyPriorities(PROFILES.adult.priorities),
  }
  readonly #watches = new Map<VitalKind, Watch>()
  readonly #log: AlarmLogEntry[] = []
  readonly #listeners = new Set<(entry: AlarmLogEntry) => void>()
  /** The settings have been logged since they last changed (they are logged when first used). */
  #settingsLogged = false
  #nextId = 1
  /** The latest time the board has seen: the default for a settings change made without a time. */
  #clock = 0

  /** Prefix of this board's alarm ids, so the alarms of two boards (two patients) in one record never mix. */
  readonly #idPrefix: string

  constructor(profile: AlarmProfileName = 'adult', idPrefix: string = crypto.randomUUID().slice(0, 8)) {
    if (profile !== 'adult') this.#settings = this.#fromProfile(profile)
    this.#idPrefix = idPrefix
  }

  #fromProfile(profile: AlarmProfileName): AlarmSettings {
    return {
      profile,
      edited: false,
      limits: defaultLimits(profile),
      priorities: copyPriorities(PROFILES[profile].priorities),
    }
  }

  /** A copy of the current limits. */
  get limits(): AlarmLimits {
    return copyLimits(this.#settings.limits)
  }

  /** A copy of everything the board alarms on: profile, limits and escalations. */
  get settings(): AlarmSettings {
    return {
      profile: this.#settings.profile,
      edited: this.#settings.edited,
      limits: copyLimits(this.#settings.limits),
      priorities: copyPriorities(this.#settings.priorities),
    }
  }

  /** The log, oldest first (the latest MAX_LOG_ENTRIES; `onLog` sees every entry). */
  get log(): readonly AlarmLogEntry[] {
    return this.#log
  }

  /** Called with every log entry as it is made (the call record keeps them). Returns the unsubscribe function. */
  onLog(listener: (entry: AlarmLogEntry) => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  #write(entry: AlarmLogEntry) {
    this.#log.push(entry)
    if (this.#log.length > MAX_LOG_ENTRIES) this.#log.splice(0, this.#log.length - MAX_LOG_ENTRIES)
    for (const listener of this.#listeners) listener(entry)
  }

  #logSettings(at: number, kind: VitalKind | undefined, message: string) {
    this.#settingsLogged = true
    this.#write({ at, event: 'settings', ...(kind ? { kind } : {}), message, settings: this.settings })
  }

  #tick(now: number) {
    if (Number.isFinite(now) && now > this.#clock) this.#clock = now
  }

  /**
   * Starts from a profile's limits and escalations (the patient is an adult, a child, a newborn), replacing any
   * change made before; re-evaluates every vital's latest reading.
   */
  useProfile(profile: AlarmProfileName, now: number = this.#clock): void {
    this.#tick(now)
    this.#settings = this.#fromProfile(profile)
    this.#logSettings(now, undefined, `Alarm profile: ${PROFILES[profile].label}.`)
    for (const watch of this.#watches.values()) this.#apply(watch, watch.last, now)
  }

  #markEdited() {
    const profile = PROFILES[this.#settings.profile]
    this.#settings.edited =
      JSON.stringify(this.#settings.limits) !== JSON.stringify(profile.limits) ||
      JSON.stringify(this.#settings.priorities) !== JSON.stringify(profile.priorities)
  }

  /** Sets one vital's limits if they are valid, and re-evaluates its latest reading against them. */
  setLimits(kind: VitalKind, limit: AlarmLimit, now: number = this.#clock): LimitResult {
    const error = validateLimit(kind, limit)
    if (error !== null) return { ok: false, error }
    this.#tick(now)
    this.#settings.limits[kind] = { low: limit.low, high: limit.high }
    this.#markEdited()
    const unit = VITALS[kind].unitLabel
    this.#logSettings(
      now,
      kind,
      `${ALARM_NAMES[kind]} limits set to ${formatNumber(kind, limit.low)}–${formatNumber(kind, limit.high)} ${unit}.`,
    )
    const watch = this.#watches.get(kind)
    if (watch) this.#apply(watch, watch.last, now)
    return { ok: true }
  }

  /** Sets the priority at one side's limit and its escalations, if valid; re-evaluates the latest reading. */
  setPriorityRule(
    kind: VitalKind,
    side: 'low' | 'high',
    sideRule: SideRule,
    now: number = this.#clock,
  ): LimitResult {
    const error = validatePriorityRule(kind, side, sideRule)
    if (error !== null) return { ok: false, error }
    this.#tick(now)
    this.#settings.priorities[kind][side] = {
      atLimit: sideRule.atLimit,
      further: sideRule.further.map((step) => ({ ...step })),
    }
    this.#markEdited()
    this.#logSettings(now, kind, `${ALARM_NAMES[kind]} ${side} escalation changed.`)
    const watch = this.#watches.get(kind)
    if (watch) this.#apply(watch, watch.last, now)
    return { ok: true }
  }

  /**
   * Takes a measurement that arrived at `receivedAt` (ms; staleness and the log run on arrival time, since the
   * patient's clocks may differ from ours): raises, escalates, latches or clears that vital's alarm, and returns
   * the condition the reading is in (null: inside the limits). A reading measured before the latest one (arriving
   * late) and one that is not physically possible are ignored and return null without changing anything.
   */
  ingest(measurement: Measurement, receivedAt: number = measurement.at): AlarmCondition | null {
    const { plausible } = VITALS[measurement.kind]
    const value = primaryValue(measurement)
    if (!Number.isFinite(measurement.at) || !Number.isFinite(receivedAt) || !Number.isFinite(value))
      return null
    if (value < plausible.min || value > plausible.max) return null
    let watch = this.#watches.get(measurement.kind)
    if (watch && measurement.at < watch.lastMeasuredAt) return null
    this.#tick(receivedAt)
    if (!this.#settingsLogged) this.#logSettings(receivedAt, undefined, this.#settingsSentence())
    if (!watch) {
      watch = {
        lastAt: receivedAt,
        lastMeasuredAt: measurement.at,
        last: measurement,
        current: null,
        latched: [],
        staleId: null,
        staleAcknowledgedFor: null,
        stalePausedFor: null,
        stalePausedUntil: Number.NEGATIVE_INFINITY,
      }
      this.#watches.set(measurement.kind, watch)
    }
    if (watch.staleId !== null) {
      this.#write({
        at: receivedAt,
        event: 'cleared',
        kind: measurement.kind,
        alarmId: watch.staleId,
        priority: 'low',
        condition: 'stale',
        message: `${ALARM_NAMES[measurement.kind]}: updating again`,
        value,
        measuredAt: measurement.at,
      })
      watch.staleId = null
    }
    watch.lastAt = receivedAt
    watch.lastMeasuredAt = measurement.at
    watch.last = measurement
    return this.#apply(watch, measurement, receivedAt)
  }

  #settingsSentence(): string {
    const { profile, edited } = this.#settings
    return `Alarm profile: ${PROFILES[profile].label}${edited ? ' (changed for this patient)' : ''}.`
  }

  /** Ends the current episode: latched when it reached high priority unacknowledged, else cleared. */
  #end(watch: Watch, at: number, reason: string) {
    const episode = watch.current
    if (!episode) return
    watch.current = null
    const kind = watch.last.kind
    const base = { kind, alarmId: episode.id, condition: episode.condition } as const
    if (shownPriority(episode) === 'high' && episode.peak === 'high') {
      episode.endedAt = at
      watch.latched.push(episode)
      this.#write({
        at,
        event: 'latched',
        ...base,
        priority: 'high',
        message: `${episode.peakMessage}: ${reason}; held until acknowledged`,
        value: primaryValue(watch.last),
        measuredAt: watch.lastMeasuredAt,
      })
    } else {
      this.#write({
        at,
        event: 'cleared',
        ...base,
        priority: episode.priority,
        message: `${episode.message}: ${reason}`,
        value: primaryValue(watch.last),
        measuredAt: watch.lastMeasuredAt,
      })
    }
  }

  #apply(watch: Watch, measurement: Measurement, at: number): AlarmCondition | null {
    const { limits, priorities } = this.#settings
    const found = evaluate(measurement, limits, priorities)
    const reading = { value: primaryValue(measurement), measuredAt: watch.lastMeasuredAt }
    const current = watch.current
    if (found === null) {
      this.#end(watch, at, 'back within limits')
      return null
    }
    if (current && current.condition === found.condition) {
      const wasPeak = current.peak
      current.priority = found.priority
      current.message = found.message
      if (rank(found.priority) > rank(wasPeak)) {
        current.peak = found.priority
        current.peakMessage = found.message
        this.#write({
          at,
          event: 'escalated',
          kind: found.kind,
          alarmId: current.id,
          priority: found.priority,
          condition: found.condition,
          message: found.message,
          limit: found.limit,
          ...reading,
        })
      }
      return found
    }
    // A new condition (or the other side of the limits): what was there ends first.
    this.#end(watch, at, `turned ${found.condition}`)
    const id = `${this.#idPrefix}-${found.kind}-${this.#nextId++}`
    watch.current = {
      id,
      condition: found.condition,
      priority: found.priority,
      peak: found.priority,
      message: found.message,
      peakMessage: found.message,
      since: at,
      acknowledgedRank: 0,
      pausedUntil: Number.NEGATIVE_INFINITY,
      pausedRank: 0,
    }
    this.#write({
      at,
      event: 'raised',
      kind: found.kind,
      alarmId: id,
      priority: found.priority,
      condition: found.condition,
      message: found.message,
      limit: found.limit,
      ...reading,
    })
    return found
  }

  /** Whether this vital raises the "no update" technical alarm: only a continuous one does. */
  #continuous(watch: Watch): boolean {
    return !isSpotReading(watch.last)
  }

  /** Time-driven transitions up to `now`: a continuous vital going stale is raised (and logged) once. */
  #advance(now: number) {
    this.#tick(now)
    for (const [kind, watch] of this.#watches) {
      if (watch.staleId !== null || !this.#continuous(watch) || !isStale(watch.lastAt, now)) continue
      watch.staleId = `${this.#idPrefix}-${kind}-${this.#nextId++}`
      this.#write({
        at: watch.lastAt + STALE_AFTER_MS,
        event: 'raised',
        kind,
        alarmId: watch.staleId,
        priority: 'low',
        condition: 'stale',
        message: `${ALARM_NAMES[kind]}: no update for ${formatDuration(STALE_AFTER_MS)}`,
      })
    }
  }

  /** Stop watching a vital (its device was disconnected on purpose): its alarms, stale included, end. */
  stopWatching(kind: VitalKind, now: number = this.#clock): void {
    const watch = this.#watches.get(kind)
    if (!watch) return
    this.#tick(now)
    const ended = [...(watch.current ? [watch.current] : []), ...watch.latched]
    for (const episode of ended)
      this.#write({
        at: now,
        event: 'cleared',
        kind,
        alarmId: episode.id,
        priority: shownPriority(episode),
        condition: episode.condition,
        message: `${episode.message}: monitoring of this vital stopped`,
      })
    if (watch.staleId !== null)
      this.#write({
        at: now,
        event: 'cleared',
        kind,
        alarmId: watch.staleId,
        priority: 'low',
        condition: 'stale',
        message: `${ALARM_NAMES[kind]}: monitoring of this vital stopped`,
      })
    this.#watches.delete(kind)
  }

  /** The clinician has seen this vital's alarms; returns whether there was anything to acknowledge. */
  acknowledge(kind: VitalKind, now: number): boolean {
    const watch = this.#watches.get(kind)
    if (!watch) return false
    this.#advance(now)
    let acknowledged = false
    const episode = watch.current
    if (episode) {
      const shown = shownPriority(episode)
      if (rank(shown) > episode.acknowledgedRank) {
        episode.acknowledgedRank = rank(shown)
        this.#write({
          at: now,
          event: 'acknowledged',
          kind,
          alarmId: episode.id,
          priority: shown,
          condition: episode.condition,
          message: episode.message,
        })
      }
      acknowledged = true
    }
    for (const latched of watch.latched.splice(0)) {
      const base = {
        at: now,
        kind,
        alarmId: latched.id,
        priority: 'high',
        condition: latched.condition,
      } as const
      this.#write({ ...base, event: 'acknowledged', message: latched.peakMessage })
      this.#write({
        ...base,
        event: 'cleared',
        message: `${latched.peakMessage}: seen, and back within limits`,
      })
      acknowledged = true
    }
    if (watch.staleId !== null && watch.staleAcknowledgedFor !== watch.lastAt) {
      watch.staleAcknowledgedFor = watch.lastAt
      this.#write({
        at: now,
        event: 'acknowledged',
        kind,
        alarmId: watch.staleId,
        priority: 'low',
        condition: 'stale',
        message: `${ALARM_NAMES[kind]}: no update`,
      })
      acknowledged = true
    } else if (watch.staleId !== null) acknowledged = true
    return acknowledged
  }

  /**
   * Pauses the audio of every alarm active at `now` for `ms` (DEFAULT_AUDIO_PAUSE_MS is the usual choice; clamped
   * to 0..MAX_AUDIO_PAUSE_MS, a non-number gives the default); 0 resumes it.
   */
  silence(ms: number, now: number): void {
    this.#advance(now)
    const duration = Number.isFinite(ms)
      ? Math.max(0, Math.min(MAX_AUDIO_PAUSE_MS, ms))
      : DEFAULT_AUDIO_PAUSE_MS
    const until = now + duration
    const what = duration === 0 ? 'audio resumed' : `audio paused for ${formatDuration(duration)}`
    for (const [kind, watch] of this.#watches) {
      for (const episode of [...(watch.current ? [watch.current] : []), ...watch.latched]) {
        const shown = shownPriority(episode)
        episode.pausedUntil = until
        episode.pausedRank = rank(shown)
        this.#write({
          at: now,
          event: 'silenced',
          kind,
          alarmId: episode.id,
          priority: shown,
          condition: episode.condition,
          message: `${episode.message}: ${what}`,
        })
      }
      if (watch.staleId !== null) {
        watch.stalePausedFor = watch.lastAt
        watch.stalePausedUntil = until
        this.#write({
          at: now,
          event: 'silenced',
          kind,
          alarmId: watch.staleId,
          priority: 'low',
          condition: 'stale',
          message: `${ALARM_NAMES[kind]}: no update: ${what}`,
        })
      }
    }
  }

  /** Everything to show at `now`: high priority first, then the longest-standing, then in VITAL_KINDS order. */
  active(now: number): ActiveAlarm[] {
    this.#advance(now)
    const list: ActiveAlarm[] = []
    const show = (kind: VitalKind, episode: Episode): ActiveAlarm => {
      const priority = shownPriority(episode)
      const held = priority !== episode.priority || episode.endedAt !== undefined
      const message =
        episode.endedAt !== undefined
          ? `${episode.peakMessage}; now back within limits`
          : held
            ? `${episode.message}; was ${episode.peakMessage}`
            : episode.message
      return {
        kind,
        priority,
        condition: episode.condition,
        technical: false,
        message,
        since: episode.since,
        acknowledged: rank(priority) <= episode.acknowledgedRank,
        audioPaused: rank(priority) <= episode.pausedRank && now < episode.pausedUntil,
        latched: held,
        ...(episode.endedAt === undefined ? {} : { endedAt: episode.endedAt }),
      }
    }
    for (const kind of VITAL_KINDS) {
      const watch = this.#watches.get(kind)
      if (!watch) continue
      for (const latched of watch.latched) list.push(show(kind, latched))
      if (watch.current) list.push(show(kind, watch.current))
      if (watch.staleId !== null) {
        list.push({
          kind,
          priority: 'low',
          condition: 'stale',
          technical: true,
          message: `${ALARM_NAMES[kind]}: no update for ${formatDuration(now - watch.lastAt)}`,
          since: watch.lastAt + STALE_AFTER_MS,
          acknowledged: watch.staleAcknowledgedFor === watch.lastAt,
          audioPaused: watch.stalePausedFor === watch.lastAt && now < watch.stalePausedUntil,
          latched: false,
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
