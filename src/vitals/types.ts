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
  /**
   * What is physically possible for this vital (not what is normal): a reading inside it is shown, recorded and
   * alarms however extreme; one outside it (a negative pressure, 1e300) cannot be a measurement of a living
   * person or of any sensor on one, and is refused with the reason. See each vital for the bounds.
   */
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
    // 0: asystole, which an ECG-derived rate or a manual entry can report. 350: above the fastest rate any
    // monitor measures (ventricular flutter reaches about 300; infants in SVT about 300).
    plausible: { min: 0, max: 350 },
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
    // The whole scale: an oximeter does report values far below 70 % (less accurately, but they are critical).
    plausible: { min: 0, max: 100 },
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
    // 0: apnoea. 150: the top of bedside monitors' impedance-respiration range; neonates breathe up to about 100.
    plausible: { min: 0, max: 150 },
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
    // 0 to 400 mmHg: a gauge pressure in an artery is never negative, and the highest ever recorded (370/360)
    // is below 400. A cuff's SFLOAT can carry far more; anything beyond is a device error.
    plausible: { min: 0, max: 400 },
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
    // 0–50 °C: tissue freezes below 0 and proteins denature irreversibly above 50 (survived extremes: about
    // 12 °C and 46.5 °C). A thermometer's FLOAT carries any number; outside this it is not a body temperature.
    plausible: { min: 0, max: 50 },
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
    // 0 to 3,000 mg/dL (166 mmol/L): the highest glucose a person is recorded surviving is 2,656 mg/dL.
    plausible: { min: 0, max: 3000 },
    defaultLimits: { low: 70, high: 180 },
  },
}

/** Where a value came from: shown on every panel, so a simulated value is never taken for a real one. */
export type SourceKind = 'simulated' | 'device' | 'manual'
export interface Source {
  kind: SourceKind
  /** "Simulator (desaturation)", the Bluetooth device's name, or "Entered by hand". */
  label: string
  /** What the device says it is (Bluetooth Device Information Service), when it says: for the export's Device. */
  device?: DeviceIdentity
}

/** The strings of the Bluetooth Device Information Service (0x180A); each is optional on a device. */
export interface DeviceIdentity {
  manufacturer?: string
  model?: string
  serial?: string
  firmware?: string
  hardware?: string
  software?: string
}
export const DEVICE_IDENTITY_FIELDS = [
  'manufacturer',
  'model',
  'serial',
  'firmware',
  'hardware',
  'software',
] as const satisfies readonly (keyof DeviceIdentity)[]
/** Longest device-identity string kept: Bluetooth allows 512 bytes, real devices send a few words. */
export const MAX_DEVICE_STRING = 64

/** Temperature Type (GATT Specification Supplement, 0x2A1D), codes 1–9: where a temperature was taken. */
export const TEMPERATURE_SITES = [
  'armpit',
  'body',
  'ear',
  'finger',
  'gastro-intestinal-tract',
  'mouth',
  'rectum',
  'toe',
  'tympanum',
] as const
export type TemperatureSite = (typeof TEMPERATURE_SITES)[number]

/** Glucose Measurement "Type" nibble (0x2A18), codes 1–10: what the sample was. */
export const GLUCOSE_SAMPLE_TYPES = [
  'capillary-whole-blood',
  'capillary-plasma',
  'venous-whole-blood',
  'venous-plasma',
  'arterial-whole-blood',
  'arterial-plasma',
  'undetermined-whole-blood',
  'undetermined-plasma',
  'interstitial-fluid',
  'control-solution',
] as const
export type GlucoseSampleType = (typeof GLUCOSE_SAMPLE_TYPES)[number]
/** A sample of the patient (a control-solution test never becomes a Measurement). */
export type GlucoseSpecimen = Exclude<GlucoseSampleType, 'control-solution'>

/**
 * Units a device may send that this app does not keep (UCUM codes): the value as sent is kept beside the
 * conversion, and the export writes it (see `SentValue`).
 */
export const SENT_UNITS = {
  kPa: { label: 'kPa', decimals: 1, kind: 'blood-pressure' },
  '[degF]': { label: '°F', decimals: 1, kind: 'temperature' },
  'mmol/L': { label: 'mmol/L', decimals: 1, kind: 'glucose' },
} as const satisfies Record<string, { label: string; decimals: number; kind: VitalKind }>
export type SentUnit = keyof typeof SENT_UNITS

/**
 * The number(s) exactly as the device sent them, in its own unit, when that is not the app's unit: a cuff in
 * kPa, a thermometer in °F, a glucose meter in mmol/L. The measurement's own numbers are then the conversion,
 * rounded to the app unit's display resolution (mmHg whole, °C one decimal, mg/dL whole): a converted value
 * carries no more precision than the device measured with.
 */
export interface SentValue {
  unit: SentUnit
  /** [value], or for blood pressure [systolic, diastolic] or [systolic, diastolic, mean]. */
  values: number[]
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
  /** Why it is questionable, in the device's words (one sentence part per status bit). */
  questionableBecause?: string[]
  /**
   * A one-off reading (cuff, meter, thermometer, spot-check oximeter, hand entry) rather than a continuous
   * stream: it shows its age and never raises "no update". Absent: decided by kind (see `isSpotReading`).
   */
  spot?: boolean
  /** The device's own value and unit when the app converted it (see `SentValue`). */
  sent?: SentValue
  /** Temperature only: where it was taken, as the thermometer reported. */
  site?: TemperatureSite
  /** Glucose only: the specimen, as the meter reported. */
  specimen?: GlucoseSpecimen
}

export type Measurement =
  | (MeasurementBase & { kind: Exclude<VitalKind, 'blood-pressure'>; value: number })
  | (MeasurementBase & { kind: 'blood-pressure'; systolic: number; diastolic: number; mean?: number })

/**
 * Spot readings are taken once and shown with their age; continuous ones are expected every second or so and
 * go stale. A cuff, a glucose meter and a thermometer measure on demand, and whatever is typed in by hand is a
 * single reading; a measurement may say otherwise itself (`spot`: a PLX spot-check oximeter).
 */
export function isSpotReading(measurement: Measurement): boolean {
  if (measurement.spot !== undefined) return measurement.spot
  if (measurement.source.kind === 'manual') return true
  return (
    measurement.kind === 'blood-pressure' ||
    measurement.kind === 'glucose' ||
    measurement.kind === 'temperature'
  )
}

/** `value` rounded to `decimals` places (half away from zero, as people round). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals
  return (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor
}

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
