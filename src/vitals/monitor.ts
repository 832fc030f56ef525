// What a vitals monitor shows for one patient at one moment, built from the feed, the alarm limits and the active
// alarms. Pure: the 3D panel and the DOM monitor draw the same model.
import { type PatientVitals, trendPoints } from './feed'
import {
  isSpotReading,
  type Measurement,
  SENT_UNITS,
  type SentValue,
  VITAL_KINDS,
  VITALS,
  type VitalKind,
} from './types'

export { isSpotReading }

export type AlarmPriority = 'high' | 'medium' | 'low'

export interface TileModel {
  kind: VitalKind
  /** The value as shown ("72", "120/80", "37.2"), or "--" when there is none. */
  valueText: string
  /** The value as the device sent it when it was converted, e.g. "5.5 mmol/L"; null otherwise. */
  sentText: string | null
  limits: { low: number; high: number }
  /** "Simulated", the device's name, "Manual"… (never omitted: a simulated value must never pass for real). */
  sourceText: string
  simulated: boolean
  /** No update for 5 s from a continuous source: greyed out and labelled, its alarm (if any) still shown. */
  stale: boolean
  /** For spot readings (a cuff, a thermometer): how old the value is. */
  ageText: string | null
  /** The vital's physiological alarm, if any: kept while stale, since losing the signal does not end it. */
  alarm: AlarmPriority | null
  /** Whether a flashing alarm is in its bright phase now. */
  flashOn: boolean
  questionable: boolean
  trend: readonly (readonly [number, number])[]
  trendWindowMs: number
  now: number
}

export interface MonitorModel {
  title: string
  stopped: boolean
  tiles: TileModel[]
}
/** A continuous source that has sent nothing for this long is stale (the 5 s). */
export const STALE_AFTER_MS = 5000
/** The trend window: 5 minutes. */
export const TREND_WINDOW_MS = 5 * 60 * 1000

/** At the resolution of the vital's unit: mmHg and mg/dL whole, °C to one decimal. */
export function formatValue(measurement: Measurement | null): string {
  if (!measurement) return '--'
  if (measurement.kind === 'blood-pressure') {
    return `${Math.round(measurement.systolic)}/${Math.round(measurement.diastolic)}`
  }
  return measurement.value.toFixed(VITALS[measurement.kind].decimals)
}

/** A device's own value at its unit's resolution: "16.0/10.7 kPa", "98.6 °F", "5.5 mmol/L". */
export function formatSent(sent: SentValue | undefined): string | null {
  if (!sent) return null
  const { label, decimals } = SENT_UNITS[sent.unit]
  const [first, second] = sent.values
  if (first === undefined) return null
  const numbers = sent.unit === 'kPa' && second !== undefined ? [first, second] : [first]
  return `${numbers.map((n) => n.toFixed(decimals)).join('/')} ${label}`
}

function ageText(ms: number): string {
  if (ms < 60_000) return 'just now'
  const minutes = Math.floor(ms / 60_000)
  return minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ago`
}

export function sourceText(measurement: Measurement | null): string {
  if (!measurement) return 'No source'
  if (measurement.source.kind === 'simulated') return 'SIMULATED'
  if (measurement.source.kind === 'manual') return 'Manual entry'
  return measurement.source.label
}

export interface MonitorInputs {
  limits: Record<VitalKind, { low: number; high: number }>
  alarms: Partial<Record<VitalKind, AlarmPriority>>
  now: number
}

export function buildMonitorModel(
  title: string,
  patient: PatientVitals,
  inputs: MonitorInputs,
): MonitorModel {
  const { now } = inputs
  // High alarms flash at about 2 Hz, medium at about 0.6 Hz (IEC 60601-1-8's flashing frequencies).
  const flash = (priority: AlarmPriority | undefined) =>
    priority === 'high' ? Math.floor(now / 250) % 2 === 0 : Math.floor(now / 800) % 2 === 0
  return {
    title,
    stopped: patient.stoppedAt !== null,
    tiles: VITAL_KINDS.map((kind): TileModel => {
      const track = patient.tracks[kind]
      const latest = track.latest
      const spot = latest ? isSpotReading(latest) : false
      const stale =
        latest !== null && !spot && (patient.stoppedAt !== null || now - track.receivedAt > STALE_AFTER_MS)
      // A stale tile keeps its alarm: the last value was alarming and nothing since says it has stopped.
      const alarm = inputs.alarms[kind] ?? null
      return {
        kind,
        valueText: formatValue(latest),
        sentText: formatSent(latest?.sent),
        limits: inputs.limits[kind],
        sourceText: sourceText(latest),
        simulated: latest?.source.kind === 'simulated',
        stale,
        ageText: latest && spot ? ageText(now - track.receivedAt) : null,
        alarm,
        flashOn: flash(alarm ?? undefined),
        questionable: latest?.quality === 'questionable',
        trend: trendPoints(track, now, TREND_WINDOW_MS),
        trendWindowMs: TREND_WINDOW_MS,
        now,
      }
    }),
  }
}

/** Default limits from the vital definitions. */
export function defaultLimits(): Record<VitalKind, { low: number; high: number }> {
  return Object.fromEntries(VITAL_KINDS.map((kind) => [kind, { ...VITALS[kind].defaultLimits }])) as Record<
    VitalKind,
    { low: number; high: number }
  >
}
