// The vital signs the consultation carries: one definition per vital (its LOINC code and UCUM unit, as the FHIR
// vital-signs profile uses them), and one measurement type that says what was measured, when, by what, and how
// far to trust it. Plain TypeScript: the simulator, the Bluetooth parsers, manual entry, the stream, the monitor
// panels, the alarms and the FHIR export all speak this.

export const VITAL_KINDS = [
  'heart-rate',
  'spo2',
  'respiratory-rate',
  'blood-pressure',
  'temperature',
  'glucose',
] as const
export type VitalKind = (typeof VITAL_KINDS)[number]

export interface Coding {
  system: 'http://loinc.org'
  code: string
  display: string
}

export interface VitalDefinition {
  kind: VitalKind
  /** How a monitor labels it. */
  label: string
  /** Short label for a small panel: HR, SpO₂, RR, NIBP, Temp, Glu. */
  short: string
  loinc: Coding
  /** UCUM code (http://unitsofmeasure.org) and how it is printed. */
  ucum: string
  unitLabel: string
  /** Digits after the decimal point on the monitor. */
  decimals: number
  /** Values outside this range are not physiological: a reading there is an error, not an alarm. */
  plausible: { min: number; max: number }
  /** Adult default alarm limits (for blood pressure: of the systolic value). */
  defaultLimits: { low: number; high: number }
}

/** Systolic and diastolic blood pressure are components of the blood-pressure panel (85354-9). */
export const SYSTOLIC: Coding = {
  system: 'http://loinc.org',
  code: '8480-6',
  display: 'Systolic blood pressure',
}
export const DIASTOLIC: Coding = {
  system: 'http://loinc.org',
  code: '8462-4',
  display: 'Diastolic blood pressure',
}

export const VITALS: Record<VitalKind, VitalDefinition> = {
  'heart-rate': {
    kind: 'heart-rate',
    label: 'Heart rate',
    short: 'HR',
    loinc: { system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' },
    ucum: '/min',
    unitLabel: 'bpm',
    decimals: 0,
    plausible: { min: 20, max: 300 },
    defaultLimits: { low: 50, high: 120 },
  },
  spo2: {
    kind: 'spo2',
    label: 'Oxygen saturation',
    short: 'SpO₂',
    loinc: { system: 'http://loinc.org', code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
    ucum: '%',
    unitLabel: '%',
    decimals: 0,
    plausible: { min: 50, max: 100 },
    defaultLimits: { low: 90, high: 100 },
  },
  'respiratory-rate': {
    kind: 'respiratory-rate',
    label: 'Respiratory rate',
    short: 'RR',
    loinc: { system: 'http://loinc.org', code: '9279-1', display: 'Respiratory rate' },
    ucum: '/min',
    unitLabel: '/min',
    decimals: 0,
    plausible: { min: 2, max: 80 },
    defaultLimits: { low: 8, high: 25 },
  },
  'blood-pressure': {
    kind: 'blood-pressure',
    label: 'Blood pressure',
    short: 'NIBP',
    loinc: {
      system: 'http://loinc.org',
      code: '85354-9',
      display: 'Blood pressure panel with all children optional',
    },
    ucum: 'mm[Hg]',
    unitLabel: 'mmHg',
    decimals: 0,
    plausible: { min: 30, max: 300 },
    defaultLimits: { low: 90, high: 160 },
  },
  temperature: {
    kind: 'temperature',
    label: 'Body temperature',
    short: 'Temp',
    loinc: { system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' },
    ucum: 'Cel',
    unitLabel: '°C',
    decimals: 1,
    plausible: { min: 25, max: 45 },
    defaultLimits: { low: 35.5, high: 38.0 },
  },
  glucose: {
    kind: 'glucose',
    label: 'Blood glucose',
    short: 'Glu',
    loinc: { system: 'http://loinc.org', code: '2339-0', display: 'Glucose [Mass/volume] in Blood' },
    ucum: 'mg/dL',
    unitLabel: 'mg/dL',
    decimals: 0,
    plausible: { min: 10, max: 800 },
    defaultLimits: { low: 70, high: 180 },
  },
}

/** Where a value came from: shown on every panel, so a simulated value is never taken for a real one. */
export type SourceKind = 'simulated' | 'device' | 'manual'
export interface Source {
  kind: SourceKind
  /** "Simulator (desaturation)", the Bluetooth device's name, or "Entered by hand". */
  label: string
}

/**
 * How far to trust a value: `ok`; `questionable` (the device flagged it: poor signal, motion, early estimate);
 * `invalid` never reaches a panel as a number (NaN/NRes/±INF from IEEE 11073, or out of the plausible range).
 */
export type MeasurementQuality = 'ok' | 'questionable'

interface MeasurementBase {
  /** ms since the Unix epoch, when it was measured (not when it arrived). */
  at: number
  source: Source
  quality: MeasurementQuality
}

export type Measurement =
  | (MeasurementBase & { kind: Exclude<VitalKind, 'blood-pressure'>; value: number })
  | (MeasurementBase & { kind: 'blood-pressure'; systolic: number; diastolic: number; mean?: number })

/** The number a panel, a trend and an alarm use: systolic for blood pressure. */
export function primaryValue(measurement: Measurement): number {
  return measurement.kind === 'blood-pressure' ? measurement.systolic : measurement.value
}

/** ECG sampling: 250 Hz, one lead, samples in microvolts (int16 in the binary frame, scale 1 µV per count). */
export const ECG_SAMPLE_RATE_HZ = 250
export const ECG_MICROVOLTS_PER_COUNT = 1

/** A batch of ECG samples as it arrives, whatever carried it. */
export interface EcgBatch {
  /** Counts batches from one sender, to notice a lost one (the strip then shows a gap, not a splice). */
  seq: number
  /** Hz */
  sampleRateHz: number
  /** Leads interleaved in `samples`: sample t of lead l is `samples[t * leads + l]`. */
  leads: number
  samples: Int16Array
}
