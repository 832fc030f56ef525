// Readers for the Bluetooth SIG health measurement characteristics, as Web Bluetooth hands them over: a DataView
// per notification or indication. Pure: no DOM, no navigator, nothing thrown. Every parser returns a typed reading
// or `{ ok: false, error }` with a sentence a patient or clinician can read, because the bytes come from a device we
// do not control (a cheap clone, a firmware bug, a packet cut short by the link) and must never break the call.
//
// Layouts follow the Bluetooth SIG service specifications and their characteristic definitions (Heart Rate
// Service, Pulse Oximeter Service, Blood Pressure Service, Health Thermometer Service, Glucose Service; now collected
// in the GATT Specification Supplement). All multi-byte fields are little-endian. SFLOAT and FLOAT are the
// IEEE 11073-20601 decimal floats.
import { UNKNOWN_USER } from './device-users'
import {
  type DeviceIdentity,
  GLUCOSE_SAMPLE_TYPES,
  type GlucoseSampleType,
  MAX_DEVICE_STRING,
  type Measurement,
  type MeasurementQuality,
  roundTo,
  type SentValue,
  type Source,
  TEMPERATURE_SITES,
  type TemperatureSite,
  VITALS,
  type VitalKind,
} from './types'

export { GLUCOSE_SAMPLE_TYPES, type GlucoseSampleType, TEMPERATURE_SITES, type TemperatureSite }

/** 16-bit service UUIDs (Bluetooth SIG Assigned Numbers). */
export const GATT_SERVICE = {
  heartRate: 0x180d,
  pulseOximeter: 0x1822,
  bloodPressure: 0x1810,
  healthThermometer: 0x1809,
  glucose: 0x1808,
} as const

/** 16-bit characteristic UUIDs (Bluetooth SIG Assigned Numbers). */
export const GATT_CHARACTERISTIC = {
  heartRateMeasurement: 0x2a37,
  plxSpotCheckMeasurement: 0x2a5e,
  plxContinuousMeasurement: 0x2a5f,
  bloodPressureMeasurement: 0x2a35,
  temperatureMeasurement: 0x2a1c,
  glucoseMeasurement: 0x2a18,
  recordAccessControlPoint: 0x2a52,
} as const

// ---------------------------------------------------------------------------------------------------------------
// IEEE 11073-20601 SFLOAT and FLOAT

/**
 * The reserved codes of IEEE 11073-20601 (§F.8 of the standard; the HL7 Personal Health Device IG lists the same):
 * each is one exact bit pattern with exponent 0, so a mantissa of 2047 with another exponent is an ordinary number.
 */
export type Special11073 = 'NaN' | 'NRes' | '+INF' | '-INF' | 'reserved'
/** A decoded SFLOAT or FLOAT: a finite number, or the special value the device sent instead. */
export type Value11073 = number | Special11073

const SFLOAT_SPECIALS: ReadonlyMap<number, Special11073> = new Map([
  [0x07ff, 'NaN'],
  [0x0800, 'NRes'],
  [0x07fe, '+INF'],
  [0x0802, '-INF'],
  [0x0801, 'reserved'],
])
const FLOAT_SPECIALS: ReadonlyMap<number, Special11073> = new Map([
  [0x007fffff, 'NaN'],
  [0x00800000, 'NRes'],
  [0x007ffffe, '+INF'],
  [0x00800002, '-INF'],
  [0x00800001, 'reserved'],
])

interface Decimal {
  mantissa: number
  exponent: number
}

/** SFLOAT: bits 15–12 a signed (two's complement) exponent, bits 11–0 a signed mantissa; value = m × 10^e. */
function sfloatDecimal(raw: number): Decimal | Special11073 {
  const u16 = raw & 0xffff
  const special = SFLOAT_SPECIALS.get(u16)
  if (special !== undefined) return special
  const mantissa = u16 & 0x0fff
  const exponent = u16 >> 12
  return {
    mantissa: mantissa >= 0x800 ? mantissa - 0x1000 : mantissa,
    exponent: exponent >= 8 ? exponent - 16 : exponent,
  }
}

/** FLOAT: bits 31–24 a signed exponent, bits 23–0 a signed mantissa; value = m × 10^e. */
function floatDecimal(raw: number): Decimal | Special11073 {
  const u32 = raw >>> 0
  const special = FLOAT_SPECIALS.get(u32)
  if (special !== undefined) return special
  const mantissa = u32 & 0x00ffffff
  const exponent = u32 >>> 24
  return {
    mantissa: mantissa >= 0x800000 ? mantissa - 0x1000000 : mantissa,
    exponent: exponent >= 0x80 ? exponent - 0x100 : exponent,
  }
}

/**
 * m × 10^e. Dividing by an exact power of ten (not multiplying by 10^-e, which is inexact) makes 72 × 10^-1 the
 * double nearest 7.2, so a reading prints as the device meant it.
 */
function decimalValue({ mantissa, exponent }: Decimal): number {
  return exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent
}

/** Decodes a 16-bit IEEE 11073 SFLOAT (its low 16 bits are used). */
export function decodeSfloat(u16: number): Value11073 {
  const decoded = sfloatDecimal(u16)
  return typeof decoded === 'string' ? decoded : decimalValue(decoded)
}

/** Decodes a 32-bit IEEE 11073 FLOAT (its low 32 bits are used). */
export function decodeFloat11073(u32: number): Value11073 {
  const decoded = floatDecimal(u32)
  return typeof decoded === 'string' ? decoded : decimalValue(decoded)
}

const SPECIAL_MEANING: Record<Special11073, string> = {
  NaN: 'NaN, not a number',
  NRes: 'NRes, not representable at its resolution',
  '+INF': '+INF, above what it can measure',
  '-INF': '-INF, below what it can measure',
  reserved: 'a reserved value',
}

// ---------------------------------------------------------------------------------------------------------------
// Reading bytes without ever throwing

/** Date Time (GATT Specification Supplement): uint16 year, then uint8 month, day, hours, minutes, seconds. */
export interface DeviceDateTime {
  year: number
  month: number
  day: number
  hours: number
  minutes: number
  seconds: number
}
const DATE_TIME_BYTES = 7

/**
 * Reads fields in order. A field that does not fit is remembered (only the first) and reads as 0 from then on,
 * so a parser reads its mandatory fields, then checks `short` once before using any value. The optional fields
 * after them (the "tail" that flags announce) are read through `tail`, which gives undefined for a field that
 * does not fit and for every one after it: a packet cut short in its tail keeps the complete fields before the
 * cut, and `short` then names the field that was cut.
 */
class FieldReader {
  private offset = 0
  short: string | undefined

  constructor(private readonly view: DataView) {}

  get remaining(): number {
    return this.view.byteLength - this.offset
  }

  /** An optional field (or group read together): its value, or undefined when the packet ended before it. */
  tail<T>(read: () => T): T | undefined {
    if (this.short !== undefined) return undefined
    const value = read()
    return this.short === undefined ? value : undefined
  }

  private take(bytes: number, field: string): number | undefined {
    if (this.short !== undefined) return undefined
    if (this.remaining < bytes) {
      this.short = field
      return undefined
    }
    const at = this.offset
    this.offset += bytes
    return at
  }

  u8(field: string): number {
    const at = this.take(1, field)
    return at === undefined ? 0 : this.view.getUint8(at)
  }

  u16(field: string): number {
    const at = this.take(2, field)
    return at === undefined ? 0 : this.view.getUint16(at, true)
  }

  s16(field: string): number {
    const at = this.take(2, field)
    return at === undefined ? 0 : this.view.getInt16(at, true)
  }

  u24(field: string): number {
    const at = this.take(3, field)
    return at === undefined ? 0 : this.view.getUint16(at, true) | (this.view.getUint8(at + 2) << 16)
  }

  u32(field: string): number {
    const at = this.take(4, field)
    return at === undefined ? 0 : this.view.getUint32(at, true)
  }

  sfloat(field: string): Decimal | Special11073 {
    return sfloatDecimal(this.u16(field))
  }

  float(field: string): Decimal | Special11073 {
    return floatDecimal(this.u32(field))
  }

  dateTime(field: string): DeviceDateTime {
    if (this.remaining < DATE_TIME_BYTES) this.short ??= field
    return {
      year: this.u16(field),
      month: this.u8(field),
      day: this.u8(field),
      hours: this.u8(field),
      minutes: this.u8(field),
      seconds: this.u8(field),
    }
  }
}

/**
 * The Date Time fields carry no time zone. Devices have their clock set by hand or by their companion app to the
 * local wall-clock time, so we read it as local time in the browser's zone: right for the usual case of the device
 * and the browser in the same place; a device set to UTC (or never set) shows up offset, and `toMeasurements`
 * refuses a time in the future. 0 in year, month or day means "not known", and an unknown or impossible date
 * (13th month, 31 February, 25 o'clock) gives no time at all rather than a guessed one.
 */
export function deviceTimeToEpochMs(time: DeviceDateTime): number | undefined {
  const { year, month, day, hours, minutes, seconds } = time
  // 1582–9999 is the year range the Date Time characteristic defines.
  if (year < 1582 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return undefined
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined
  const date = new Date(year, month - 1, day, hours, minutes, seconds)
  // Date rolls 31 April over into 1 May: such a time never existed on the device.
  if (date.getDate() !== day) return undefined
  return date.getTime()
}

// ---------------------------------------------------------------------------------------------------------------
// Results

export type ParseResult<T> = ({ ok: true } & T) | { ok: false; error: string }

interface Flagged {
  /** True when the device flagged the reading (motion, poor signal, early estimate, ...): see `questionableBecause`. */
  questionable: boolean
  /** Why, in plain words, one entry per status bit that made it questionable. */
  questionableBecause: string[]
  /**
   * The optional field in which the packet was cut short, when it was: the fields before it were kept, this one
   * and any after it were not (see `truncatedNote`).
   */
  truncated?: string
}

export type SensorContact = 'detected' | 'not-detected' | 'unsupported'

export interface HeartRateReading extends Flagged {
  characteristic: typeof GATT_CHARACTERISTIC.heartRateMeasurement
  /** beats per minute */
  bpm: number
  sensorContact: SensorContact
  /** kJ since the sensor's last reset (65535 means 65535 or more) */
  energyExpendedKj?: number
  /** ms between successive R waves, oldest first (the device counts in 1/1024 s) */
  rrIntervalsMs: number[]
}

export interface SpO2PulseRate {
  /** %; left out when the device sent a special value */
  spo2?: number
  /** beats per minute; left out when the device sent a special value */
  pulseRate?: number
}

interface PlxStatus extends Flagged {
  /** The raw Measurement Status bits, when sent. */
  measurementStatus?: number
  /** The raw 24-bit Device and Sensor Status, when sent. */
  deviceAndSensorStatus?: number
  /** % */
  pulseAmplitudeIndex?: number
  /** Set when the oximeter says this is demonstration or test data: a real number, but not the patient's. */
  notFromPatient?: string
}

export interface PlxSpotCheckReading extends SpO2PulseRate, PlxStatus {
  characteristic: typeof GATT_CHARACTERISTIC.plxSpotCheckMeasurement
  /** ms since the epoch; left out when absent, unknown, or the oximeter says its clock is not set */
  timestamp?: number
}

export interface PlxContinuousReading extends SpO2PulseRate, PlxStatus {
  characteristic: typeof GATT_CHARACTERISTIC.plxContinuousMeasurement
  /** The oximeter's fast-responding average, when sent. */
  fast?: SpO2PulseRate
  /** The oximeter's slow-responding average, when sent. */
  slow?: SpO2PulseRate
}

export interface BloodPressureReading extends Flagged {
  characteristic: typeof GATT_CHARACTERISTIC.bloodPressureMeasurement
  /** mmHg (converted when the monitor sent kPa) */
  systolicMmHg: number
  /** mmHg */
  diastolicMmHg: number
  /** mmHg; left out when the monitor sent a special value */
  meanMmHg?: number
  /** The unit the monitor used on the wire. */
  sentUnit: 'mmHg' | 'kPa'
  /** The three pressures exactly as sent, in `sentUnit` (mean left out when it was a special value). */
  sent: { systolic: number; diastolic: number; mean?: number }
  /** ms since the epoch (see `deviceTimeToEpochMs`) */
  timestamp?: number
  /** beats per minute */
  pulseRate?: number
  /**
   * Which of a shared monitor's users took it (the User Index of the User Data Service, 0–254); UNKNOWN_USER
   * (255) when the monitor does not know, or when the packet was cut short in this field.
   */
  userId?: number
  measurementStatus?: number
}

export { UNKNOWN_USER }

export interface TemperatureReading extends Flagged {
  characteristic: typeof GATT_CHARACTERISTIC.temperatureMeasurement
  /** °C (converted when the thermometer sent °F) */
  celsius: number
  sentUnit: 'celsius' | 'fahrenheit'
  /** The temperature exactly as sent, in `sentUnit`. */
  sentValue: number
  /** ms since the epoch */
  timestamp?: number
  /** Where it was taken; left out when not sent or a reserved code. */
  site?: TemperatureSite
}

/** Glucose Sample Location nibble: 1–4, and 15 for "not available". */
export type GlucoseSampleLocation =
  | 'finger'
  | 'alternate-site'
  | 'earlobe'
  | 'control-solution'
  | 'not-available'
const GLUCOSE_LOCATIONS: ReadonlyMap<number, GlucoseSampleLocation> = new Map([
  [1, 'finger'],
  [2, 'alternate-site'],
  [3, 'earlobe'],
  [4, 'control-solution'],
  [15, 'not-available'],
])

export interface GlucoseReading extends Flagged {
  characteristic: typeof GATT_CHARACTERISTIC.glucoseMeasurement
  /** The meter's record number, to tell a resent record from a new one. */
  sequenceNumber: number
  /** Base time plus time offset, ms since the epoch; left out when unknown or the meter reports a time fault. */
  timestamp?: number
  /** minutes */
  timeOffsetMinutes?: number
  /** kg/L arrives as mg/dL (×100 000), mol/L as mmol/L (×1000); absent in a record without a concentration. */
  concentration?: { value: number; unit: 'mg/dL' | 'mmol/L' }
  sampleType?: GlucoseSampleType
  sampleLocation?: GlucoseSampleLocation
  /** The raw Sensor Status Annunciation bits, when sent. */
  sensorStatus?: number
  /** A Glucose Measurement Context (0x2A34) record with the same sequence number follows; this app does not read it. */
  contextFollows: boolean
  /** Set for a control-solution test: a real number, but not the patient's. */
  notFromPatient?: string
}

export type GattReading =
  | HeartRateReading
  | PlxSpotCheckReading
  | PlxContinuousReading
  | BloodPressureReading
  | TemperatureReading
  | GlucoseReading
export type GattParseResult = ParseResult<GattReading>

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error }
}

function tooShort(what: string, view: DataView, field: string): { ok: false; error: string } {
  if (view.byteLength === 0) return fail(`The device sent an empty ${what}.`)
  const bytes = view.byteLength === 1 ? '1 byte' : `${view.byteLength} bytes`
  return fail(`The ${what} is cut short: it ends (after ${bytes}) before its ${field}.`)
}

/** The sentence for a reading kept from a packet cut short in its optional `field`. */
export function truncatedNote(what: string, field: string): string {
  return `The ${what} was cut short in its ${field}: the fields before it were kept, the rest was lost.`
}

/** `truncated` for a reading, or nothing when the packet was whole. */
function cut(read: FieldReader): { truncated?: string } {
  return read.short === undefined ? {} : { truncated: read.short }
}

function noReading(device: string, quantity: string, special: Special11073): { ok: false; error: string } {
  return fail(`The ${device} sent no valid ${quantity} (${SPECIAL_MEANING[special]}).`)
}

/** A number, or undefined for a special value: for optional fields, which are left out rather than failing. */
function optional(decoded: Decimal | Special11073): number | undefined {
  return typeof decoded === 'string' ? undefined : decimalValue(decoded)
}

function bit(value: number, index: number): boolean {
  return ((value >>> index) & 1) === 1
}

/** The notes of every set bit in `table`. */
function setBits(value: number, table: ReadonlyArray<readonly [number, string]>): string[] {
  return table.filter(([index]) => bit(value, index)).map(([, note]) => note)
}

function flagged(questionableBecause: string[]): Flagged {
  return { questionable: questionableBecause.length > 0, questionableBecause }
}

// ---------------------------------------------------------------------------------------------------------------
// Heart Rate Measurement (0x2A37)

const HR_UINT16 = 0x01 // bit 0: heart rate is uint16, else uint8
const HR_CONTACT_DETECTED = 0x02 // bit 1, meaningful only with bit 2
const HR_CONTACT_SUPPORTED = 0x04 // bit 2
const HR_ENERGY_PRESENT = 0x08 // bit 3: uint16 energy expended, kJ
const HR_RR_PRESENT = 0x10 // bit 4: uint16 RR intervals fill the rest of the packet
/** RR intervals count 1/1024 s; 1000/1024 is exact in binary, so the conversion adds no rounding. */
const MS_PER_RR_UNIT = 1000 / 1024

export function parseHeartRateMeasurement(view: DataView): ParseResult<HeartRateReading> {
  const what = 'heart rate measurement'
  const read = new FieldReader(view)
  const flags = read.u8('flags')
  const bpm = (flags & HR_UINT16) !== 0 ? read.u16('16-bit heart rate') : read.u8('heart rate')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  const energyExpendedKj =
    (flags & HR_ENERGY_PRESENT) !== 0 ? read.tail(() => read.u16('energy expended')) : undefined

  const rrIntervalsMs: number[] = []
  if ((flags & HR_RR_PRESENT) !== 0 && read.short === undefined) {
    // The intervals fill the rest of the packet; an odd byte at the end is half of one that was cut off.
    while (read.remaining >= 2) rrIntervalsMs.push(read.u16('RR interval') * MS_PER_RR_UNIT)
    if (read.remaining === 1) read.u16('last RR interval')
  }
  // Bits 1–2: 00 and 01 both mean "contact detection not supported" (bit 1 alone is the reserved-looking combination
  // the specification still defines as unsupported), 10 supported but no contact, 11 contact.
  const sensorContact: SensorContact =
    (flags & HR_CONTACT_SUPPORTED) === 0
      ? 'unsupported'
      : (flags & HR_CONTACT_DETECTED) !== 0
        ? 'detected'
        : 'not-detected'
  return {
    ok: true,
    characteristic: GATT_CHARACTERISTIC.heartRateMeasurement,
    bpm,
    sensorContact,
    ...(energyExpendedKj === undefined ? {} : { energyExpendedKj }),
    rrIntervalsMs,
    ...flagged(sensorContact === 'not-detected' ? ['the sensor has no skin contact'] : []),
    ...cut(read),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pulse oximetry: PLX Spot-check (0x2A5E) and PLX Continuous (0x2A5F) Measurement

/** Measurement Status bits (bits 0–4 reserved) that make a reading questionable. */
const PLX_MEASUREMENT_QUESTIONABLE = [
  [5, 'the measurement was still in progress'],
  [6, 'it is an early estimate'],
  [12, 'the oximeter was calibrating'],
  [14, 'the oximeter flagged it as questionable'],
] as const
/** Measurement Status bits that mean there is no reading at all. */
const PLX_MEASUREMENT_INVALID = [
  [13, 'no measurement was available'],
  [15, 'the oximeter detected an invalid measurement'],
] as const
/** Measurement Status bits for values that are real but are not the patient's. */
const PLX_MEASUREMENT_NOT_PATIENT = [
  [10, 'demonstration data'],
  [11, 'test data'],
] as const
/**
 * Device and Sensor Status bits (24 bits, 16–23 reserved) that make a reading questionable. Bit 0 (extended display
 * update ongoing) says nothing about the value and is ignored.
 */
const PLX_SENSOR_QUESTIONABLE = [
  [1, 'equipment malfunction'],
  [2, 'signal processing irregularity'],
  [3, 'inadequate signal'],
  [4, 'poor signal'],
  [5, 'low perfusion'],
  [6, 'erratic signal'],
  [7, 'non-pulsatile signal'],
  [8, 'questionable pulse'],
  [9, 'signal analysis still in progress'],
  [10, 'sensor interference'],
  [12, 'unknown sensor connected'],
  [13, 'sensor displaced'],
  [14, 'sensor malfunctioning'],
] as const
/** Device and Sensor Status bits that mean the sensor was not measuring the patient at all. */
const PLX_SENSOR_INVALID = [
  [11, 'the sensor is not on the patient'],
  [15, 'the sensor is disconnected'],
] as const

/**
 * Status fields to a verdict: an error when the oximeter itself says there is no valid reading, else the
 * questionable notes and whether the data is the patient's.
 */
function plxStatus(
  measurementStatus: number | undefined,
  sensorStatus: number | undefined,
): { error: string } | { questionableBecause: string[]; notFromPatient?: string } {
  const ms = measurementStatus ?? 0
  const ss = sensorStatus ?? 0
  const invalid = [...setBits(ms, PLX_MEASUREMENT_INVALID), ...setBits(ss, PLX_SENSOR_INVALID)]
  if (invalid.length > 0) return { error: `The oximeter marked this reading invalid: ${invalid.join(', ')}.` }
  const notPatient = setBits(ms, PLX_MEASUREMENT_NOT_PATIENT)
  return {
    questionableBecause: [
      ...setBits(ms, PLX_MEASUREMENT_QUESTIONABLE),
      ...setBits(ss, PLX_SENSOR_QUESTIONABLE),
    ],
    ...(notPatient.length > 0
      ? {
          notFromPatient: `The oximeter marked this reading as ${notPatient.join(' and ')}, not a patient's.`,
        }
      : {}),
  }
}

function spo2PulseRate(spo2: Decimal | Special11073, pulseRate: Decimal | Special11073): SpO2PulseRate {
  const s = optional(spo2)
  const p = optional(pulseRate)
  return { ...(s === undefined ? {} : { spo2: s }), ...(p === undefined ? {} : { pulseRate: p }) }
}

/** SpO₂ and pulse rate are read together: only when the oximeter sent neither is there nothing to show. */
function plxNoReading(spo2: Decimal | Special11073, pulseRate: Decimal | Special11073): string | undefined {
  if (typeof spo2 !== 'string' || typeof pulseRate !== 'string') return undefined
  return `The oximeter sent no valid reading (SpO₂: ${SPECIAL_MEANING[spo2]}; pulse rate: ${SPECIAL_MEANING[pulseRate]}).`
}

const PLX_SPOT_TIMESTAMP = 0x01 // bit 0: Date Time follows SpO2PR
const PLX_SPOT_MEASUREMENT_STATUS = 0x02 // bit 1: 16-bit Measurement Status
const PLX_SPOT_SENSOR_STATUS = 0x04 // bit 2: 24-bit Device and Sensor Status
const PLX_SPOT_PULSE_AMPLITUDE = 0x08 // bit 3: SFLOAT Pulse Amplitude Index
const PLX_SPOT_CLOCK_NOT_SET = 0x10 // bit 4: the timestamp, if any, is not a real time

/**
 * When a packet is cut short in (or before) a status field the device announced, its verdict on the reading is
 * unknown: it may have said "sensor off the patient". The values are kept, but as questionable.
 */
function statusCut(lost: boolean, device: string): string[] {
  return lost ? [`its status was cut off, so whether the ${device} flagged it is unknown`] : []
}

/** Where a PLX measurement's flags say its optional status fields are (the two measurements number them apart). */
interface PlxTrailerBits {
  measurementStatus: number
  sensorStatus: number
  pulseAmplitude: number
}

/** The fields both PLX measurements may end with, as a reading carries them. */
interface PlxTrailerFields {
  measurementStatus?: number
  deviceAndSensorStatus?: number
  pulseAmplitudeIndex?: number
  notFromPatient?: string
}

/**
 * Reads the optional Measurement Status, Device and Sensor Status and Pulse Amplitude Index both PLX measurements
 * end with (in that order, each where its flag bit says), and judges the statuses: an invalid reading is an error;
 * questionable bits, a status cut off by a short packet, and "not from a patient" are carried with the reading.
 */
function readPlxTrailer(
  read: FieldReader,
  flags: number,
  bits: PlxTrailerBits,
): { error: string } | { fields: PlxTrailerFields; questionableBecause: string[] } {
  const has = (bit: number) => (flags & bit) !== 0
  const measurementStatus = has(bits.measurementStatus)
    ? read.tail(() => read.u16('measurement status'))
    : undefined
  const sensorStatus = has(bits.sensorStatus)
    ? read.tail(() => read.u24('device and sensor status'))
    : undefined
  const amplitude = has(bits.pulseAmplitude)
    ? read.tail(() => read.sfloat('pulse amplitude index'))
    : undefined
  const statusLost = statusCut(
    (has(bits.measurementStatus) && measurementStatus === undefined) ||
      (has(bits.sensorStatus) && sensorStatus === undefined),
    'oximeter',
  )
  const status = plxStatus(measurementStatus, sensorStatus)
  if ('error' in status) return status
  const pulseAmplitudeIndex = amplitude === undefined ? undefined : optional(amplitude)
  return {
    fields: {
      ...(measurementStatus === undefined ? {} : { measurementStatus }),
      ...(sensorStatus === undefined ? {} : { deviceAndSensorStatus: sensorStatus }),
      ...(pulseAmplitudeIndex === undefined ? {} : { pulseAmplitudeIndex }),
      ...(status.notFromPatient === undefined ? {} : { notFromPatient: status.notFromPatient }),
    },
    questionableBecause: [...status.questionableBecause, ...statusLost],
  }
}

export function parsePlxSpotCheckMeasurement(view: DataView): ParseResult<PlxSpotCheckReading> {
  const what = 'pulse oximeter spot-check measurement'
  const read = new FieldReader(view)
  const flags = read.u8('flags')
  const spo2 = read.sfloat('SpO₂')
  const pulseRate = read.sfloat('pulse rate')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  const time = (flags & PLX_SPOT_TIMESTAMP) !== 0 ? read.tail(() => read.dateTime('timestamp')) : undefined
  const trailer = readPlxTrailer(read, flags, {
    measurementStatus: PLX_SPOT_MEASUREMENT_STATUS,
    sensorStatus: PLX_SPOT_SENSOR_STATUS,
    pulseAmplitude: PLX_SPOT_PULSE_AMPLITUDE,
  })
  if ('error' in trailer) return fail(trailer.error)
  const none = plxNoReading(spo2, pulseRate)
  if (none !== undefined) return fail(none)
  const timestamp =
    time === undefined || (flags & PLX_SPOT_CLOCK_NOT_SET) !== 0 ? undefined : deviceTimeToEpochMs(time)
  return {
    ok: true,
    characteristic: GATT_CHARACTERISTIC.plxSpotCheckMeasurement,
    ...spo2PulseRate(spo2, pulseRate),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...trailer.fields,
    ...flagged(trailer.questionableBecause),
    ...cut(read),
  }
}

const PLX_CONT_FAST = 0x01 // bit 0: SpO2PR-Fast (two SFLOATs)
const PLX_CONT_SLOW = 0x02 // bit 1: SpO2PR-Slow (two SFLOATs)
const PLX_CONT_MEASUREMENT_STATUS = 0x04 // bit 2: 16-bit Measurement Status
const PLX_CONT_SENSOR_STATUS = 0x08 // bit 3: 24-bit Device and Sensor Status
const PLX_CONT_PULSE_AMPLITUDE = 0x10 // bit 4: SFLOAT Pulse Amplitude Index

export function parsePlxContinuousMeasurement(view: DataView): ParseResult<PlxContinuousReading> {
  const what = 'pulse oximeter continuous measurement'
  const read = new FieldReader(view)
  const flags = read.u8('flags')
  const spo2 = read.sfloat('SpO₂')
  const pulseRate = read.sfloat('pulse rate')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  const fast =
    (flags & PLX_CONT_FAST) !== 0
      ? read.tail(() => spo2PulseRate(read.sfloat('fast SpO₂'), read.sfloat('fast pulse rate')))
      : undefined
  const slow =
    (flags & PLX_CONT_SLOW) !== 0
      ? read.tail(() => spo2PulseRate(read.sfloat('slow SpO₂'), read.sfloat('slow pulse rate')))
      : undefined
  const trailer = readPlxTrailer(read, flags, {
    measurementStatus: PLX_CONT_MEASUREMENT_STATUS,
    sensorStatus: PLX_CONT_SENSOR_STATUS,
    pulseAmplitude: PLX_CONT_PULSE_AMPLITUDE,
  })
  if ('error' in trailer) return fail(trailer.error)
  const none = plxNoReading(spo2, pulseRate)
  if (none !== undefined) return fail(none)
  return {
    ok: true,
    characteristic: GATT_CHARACTERISTIC.plxContinuousMeasurement,
    ...spo2PulseRate(spo2, pulseRate),
    ...(fast === undefined ? {} : { fast }),
    ...(slow === undefined ? {} : { slow }),
    ...trailer.fields,
    ...flagged(trailer.questionableBecause),
    ...cut(read),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Blood Pressure Measurement (0x2A35)

const BP_KPA = 0x01 // bit 0: the three pressures are in kPa, else mmHg
const BP_TIMESTAMP = 0x02 // bit 1: Date Time
const BP_PULSE_RATE = 0x04 // bit 2: SFLOAT pulse rate
const BP_USER_ID = 0x08 // bit 3: uint8 user id
const BP_MEASUREMENT_STATUS = 0x10 // bit 4: 16-bit measurement status
/** 1 mmHg = 133.322387415 Pa (the conventional millimetre of mercury). */
export const PASCAL_PER_MMHG = 133.322387415

/** Measurement Status bits 0–2 and 5 that make a reading questionable; bits 3–4 are the pulse-rate range. */
const BP_QUESTIONABLE = [
  [0, 'the patient moved during the measurement'],
  [1, 'the cuff was too loose'],
  [2, 'an irregular pulse was detected'],
  [5, 'the measurement position was improper'],
] as const
/** Bits 3–4 as a 2-bit number: 0 in range, 1 above, 2 below, 3 reserved (ignored). */
const BP_PULSE_RANGE: ReadonlyMap<number, string> = new Map([
  [1, "the pulse rate was above the monitor's range"],
  [2, "the pulse rate was below the monitor's range"],
])

export function parseBloodPressureMeasurement(view: DataView): ParseResult<BloodPressureReading> {
  const what = 'blood pressure measurement'
  const read = new FieldReader(view)
  const flags = read.u8('flags')
  const systolic = read.sfloat('systolic pressure')
  const diastolic = read.sfloat('diastolic pressure')
  const mean = read.sfloat('mean arterial pressure')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  const time = (flags & BP_TIMESTAMP) !== 0 ? read.tail(() => read.dateTime('time stamp')) : undefined
  const pulse = (flags & BP_PULSE_RATE) !== 0 ? read.tail(() => read.sfloat('pulse rate')) : undefined
  const hasUser = (flags & BP_USER_ID) !== 0
  const userId = hasUser ? read.tail(() => read.u8('user id')) : undefined
  const hasStatus = (flags & BP_MEASUREMENT_STATUS) !== 0
  const measurementStatus = hasStatus ? read.tail(() => read.u16('measurement status')) : undefined

  const device = 'blood pressure monitor'
  if (typeof systolic === 'string') return noReading(device, 'systolic pressure', systolic)
  if (typeof diastolic === 'string') return noReading(device, 'diastolic pressure', diastolic)
  const kPa = (flags & BP_KPA) !== 0
  // kPa: shift the decimal exponent by 3 to get Pa exactly, then one division to mmHg.
  const toMmHg = (d: Decimal) =>
    kPa ? decimalValue({ ...d, exponent: d.exponent + 3 }) / PASCAL_PER_MMHG : decimalValue(d)
  const meanMmHg = typeof mean === 'string' ? undefined : toMmHg(mean)
  const pulseRate = pulse === undefined ? undefined : optional(pulse)
  const timestamp = time === undefined ? undefined : deviceTimeToEpochMs(time)
  const status = measurementStatus ?? 0
  const pulseRange = BP_PULSE_RANGE.get((status >>> 3) & 0b11)
  return {
    ok: true,
    characteristic: GATT_CHARACTERISTIC.bloodPressureMeasurement,
    systolicMmHg: toMmHg(systolic),
    diastolicMmHg: toMmHg(diastolic),
    ...(meanMmHg === undefined ? {} : { meanMmHg }),
    sentUnit: kPa ? 'kPa' : 'mmHg',
    sent: {
      systolic: decimalValue(systolic),
      diastolic: decimalValue(diastolic),
      ...(typeof mean === 'string' ? {} : { mean: decimalValue(mean) }),
    },
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(pulseRate === undefined ? {} : { pulseRate }),
    // A user id announced but cut off: whose reading it is cannot be known, which is what 255 says.
    ...(hasUser ? { userId: userId ?? UNKNOWN_USER } : {}),
    ...(measurementStatus === undefined ? {} : { measurementStatus }),
    ...flagged([
      ...setBits(status, BP_QUESTIONABLE),
      ...(pulseRange === undefined ? [] : [pulseRange]),
      ...statusCut(hasStatus && measurementStatus === undefined, 'monitor'),
    ]),
    ...cut(read),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Temperature Measurement (0x2A1C)

const TEMP_FAHRENHEIT = 0x01 // bit 0: value in °F, else °C
const TEMP_TIMESTAMP = 0x02 // bit 1: Date Time
const TEMP_TYPE = 0x04 // bit 2: uint8 Temperature Type

export function parseTemperatureMeasurement(view: DataView): ParseResult<TemperatureReading> {
  const what = 'temperature measurement'
  const read = new FieldReader(view)
  const flags = read.u8('flags')
  const value = read.float('temperature value')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  const time = (flags & TEMP_TIMESTAMP) !== 0 ? read.tail(() => read.dateTime('time stamp')) : undefined
  const type = (flags & TEMP_TYPE) !== 0 ? read.tail(() => read.u8('temperature type')) : undefined

  if (typeof value === 'string') return noReading('thermometer', 'temperature', value)
  const fahrenheit = (flags & TEMP_FAHRENHEIT) !== 0
  const sent = decimalValue(value)
  const timestamp = time === undefined ? undefined : deviceTimeToEpochMs(time)
  // Codes 1–9 are defined; 0 and 10–255 are reserved, so the site is left out rather than guessed.
  const site = type === undefined ? undefined : TEMPERATURE_SITES[type - 1]
  return {
    ok: true,
    characteristic: GATT_CHARACTERISTIC.temperatureMeasurement,
    celsius: fahrenheit ? ((sent - 32) * 5) / 9 : sent,
    sentUnit: fahrenheit ? 'fahrenheit' : 'celsius',
    sentValue: sent,
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(site === undefined ? {} : { site }),
    ...flagged([]),
    ...cut(read),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Glucose Measurement (0x2A18)

const GLU_TIME_OFFSET = 0x01 // bit 0: sint16 time offset, minutes
const GLU_CONCENTRATION = 0x02 // bit 1: SFLOAT concentration + Type/Sample Location byte
const GLU_MOL_PER_L = 0x04 // bit 2: concentration in mol/L, else kg/L
const GLU_SENSOR_STATUS = 0x08 // bit 3: 16-bit Sensor Status Annunciation
const GLU_CONTEXT_FOLLOWS = 0x10 // bit 4: a Glucose Measurement Context record follows

/** Sensor Status Annunciation bits that make a reading questionable (bit 0, battery low, does not). */
const GLU_QUESTIONABLE = [
  [1, 'the sensor was malfunctioning'],
  [2, 'the sample was too small'],
  [3, 'the strip was inserted wrongly'],
  [4, 'the strip type is wrong for this meter'],
  [5, 'the result is above what the meter can measure'],
  [6, 'the result is below what the meter can measure'],
  [7, 'the sensor was too warm for a valid result'],
  [8, 'the sensor was too cold for a valid result'],
  [9, 'the strip was pulled out too soon'],
  [10, 'the meter reported a general fault'],
] as const
/** Bit 11: a time fault: the clock may be wrong, so the record's time is left out. */
const GLU_TIME_FAULT_BIT = 11
/**
 * Time offsets 0x7FFF and 0x8000 were drafted as "overrun" and "underrun" (the Bluetooth SIG's own characteristic
 * XML has them commented out): a meter that sends them does not know the offset, so the time is left out.
 */
const GLU_OFFSET_UNKNOWN = new Set([0x7fff, -0x8000])
const GLU_TYPE_CONTROL = 10
const GLU_LOCATION_CONTROL = 4

export function parseGlucoseMeasurement(view: DataView): ParseResult<GlucoseReading> {
  const what = 'glucose measurement'
  const read = new FieldReader(view)
  const flags = read.u8('flags')
  const sequenceNumber = read.u16('sequence number')
  const baseTime = read.dateTime('base time')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  const hasOffset = (flags & GLU_TIME_OFFSET) !== 0
  const timeOffsetMinutes = hasOffset ? read.tail(() => read.s16('time offset')) : undefined
  const hasConcentration = (flags & GLU_CONCENTRATION) !== 0
  // The value and its sample type go together: without the type, a control-solution test cannot be told from
  // blood, so a value whose type byte was cut off is not kept either.
  const reading = hasConcentration
    ? read.tail(() => ({
        concentration: read.sfloat('glucose concentration'),
        typeAndLocation: read.u8('sample type and location'),
      }))
    : undefined
  const concentration = reading?.concentration
  const typeAndLocation = reading?.typeAndLocation
  const hasStatus = (flags & GLU_SENSOR_STATUS) !== 0
  const sensorStatus = hasStatus ? read.tail(() => read.u16('sensor status')) : undefined
  // Announced but cut off: a time offset, or a sensor status that might have reported a time fault.
  const timeLost = (hasOffset && timeOffsetMinutes === undefined) || (hasStatus && sensorStatus === undefined)

  if (typeof concentration === 'string')
    return noReading('glucose meter', 'glucose concentration', concentration)
  const molPerL = (flags & GLU_MOL_PER_L) !== 0
  // Shift the decimal exponent instead of multiplying, so 95 × 10^-5 kg/L is exactly 95 mg/dL:
  // 1 kg/L = 10^6 mg per 10 dL = 10^5 mg/dL; 1 mol/L = 10^3 mmol/L.
  const value =
    concentration === undefined
      ? undefined
      : decimalValue({ ...concentration, exponent: concentration.exponent + (molPerL ? 3 : 5) })
  // Type is the least significant nibble, Sample Location the most significant one.
  const sampleType =
    typeAndLocation === undefined ? undefined : GLUCOSE_SAMPLE_TYPES[(typeAndLocation & 0x0f) - 1]
  const sampleLocation =
    typeAndLocation === undefined ? undefined : GLUCOSE_LOCATIONS.get(typeAndLocation >>> 4)
  const status = sensorStatus ?? 0
  const base = deviceTimeToEpochMs(baseTime)
  const timeKnown =
    base !== undefined &&
    !timeLost &&
    !bit(status, GLU_TIME_FAULT_BIT) &&
    (timeOffsetMinutes === undefined || !GLU_OFFSET_UNKNOWN.has(timeOffsetMinutes))
  const timestamp = timeKnown ? base + (timeOffsetMinutes ?? 0) * 60_000 : undefined
  const control =
    (typeAndLocation !== undefined && (typeAndLocation & 0x0f) === GLU_TYPE_CONTROL) ||
    (typeAndLocation !== undefined && typeAndLocation >>> 4 === GLU_LOCATION_CONTROL)
  return {
    ok: true,
    characteristic: GATT_CHARACTERISTIC.glucoseMeasurement,
    sequenceNumber,
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(timeOffsetMinutes === undefined ? {} : { timeOffsetMinutes }),
    ...(value === undefined ? {} : { concentration: { value, unit: molPerL ? 'mmol/L' : 'mg/dL' } }),
    ...(sampleType === undefined ? {} : { sampleType }),
    ...(sampleLocation === undefined ? {} : { sampleLocation }),
    ...(sensorStatus === undefined ? {} : { sensorStatus }),
    contextFollows: (flags & GLU_CONTEXT_FOLLOWS) !== 0,
    ...(control
      ? { notFromPatient: 'The glucose meter says this was a control-solution test, not a blood sample.' }
      : {}),
    ...flagged([
      ...setBits(status, GLU_QUESTIONABLE),
      ...statusCut(hasStatus && sensorStatus === undefined, 'meter'),
    ]),
    ...cut(read),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Record Access Control Point (0x2A52), as the glucose service uses it

/** Op code 1 (report stored records) with operator 6 (last record): the reading the patient has just taken. */
export const RACP_REPORT_LAST_RECORD: Uint8Array<ArrayBuffer> = Uint8Array.of(0x01, 0x06)
/** Op code 1 with operator 1 (all records): the meter's whole memory, possibly hundreds of old readings. */
export const RACP_REPORT_ALL_RECORDS: Uint8Array<ArrayBuffer> = Uint8Array.of(0x01, 0x01)

const RACP_NUMBER_OF_RECORDS = 0x05
const RACP_RESPONSE_CODE = 0x06
const RACP_SUCCESS = 0x01
const RACP_RESPONSE_MEANING: ReadonlyMap<number, string> = new Map([
  [0x02, 'it does not support that request'],
  [0x03, 'it called the request invalid'],
  [0x04, 'it does not support that request'],
  [0x05, 'it called the request invalid'],
  [0x06, 'it has no stored readings'],
  [0x07, 'it could not stop the transfer'],
  [0x08, 'it could not finish the transfer'],
  [0x09, 'it does not support that request'],
])

export type RecordAccessResult =
  | { ok: true; done: true }
  | { ok: true; recordCount: number }
  | { ok: false; error: string }

/** The meter's answer on the Record Access Control Point: done, a record count, or why it failed. */
export function parseRecordAccessResponse(view: DataView): RecordAccessResult {
  const what = 'glucose meter response'
  const read = new FieldReader(view)
  const opCode = read.u8('op code')
  read.u8('operator') // always 0 (null operator) in a response
  if (opCode === RACP_NUMBER_OF_RECORDS) {
    const recordCount = read.u16('record count')
    if (read.short !== undefined) return tooShort(what, view, read.short)
    return { ok: true, recordCount }
  }
  if (opCode !== RACP_RESPONSE_CODE) {
    if (read.short !== undefined) return tooShort(what, view, read.short)
    return fail(`The glucose meter answered with an unexpected message (op code ${opCode}).`)
  }
  read.u8('request op code')
  const code = read.u8('response code')
  if (read.short !== undefined) return tooShort(what, view, read.short)
  if (code === RACP_SUCCESS) return { ok: true, done: true }
  const meaning = RACP_RESPONSE_MEANING.get(code) ?? `it answered with code ${code}`
  return fail(`The glucose meter did not send its readings: ${meaning}.`)
}

// ---------------------------------------------------------------------------------------------------------------
// Dispatch and mapping to Measurements

const BLUETOOTH_BASE_UUID = /^0000([0-9a-f]{4})-0000-1000-8000-00805f9b34fb$/

/** A 16-bit UUID from a number or from the 128-bit string Web Bluetooth reports; undefined for any other UUID. */
export function shortUuid(uuid: number | string): number | undefined {
  if (typeof uuid === 'number')
    return Number.isInteger(uuid) && uuid >= 0 && uuid <= 0xffff ? uuid : undefined
  const match = BLUETOOTH_BASE_UUID.exec(uuid.toLowerCase())
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16)
}

function hex(uuid: number | string): string {
  const short = shortUuid(uuid)
  return short === undefined ? String(uuid) : `0x${short.toString(16).toUpperCase().padStart(4, '0')}`
}

/** Parses a notification from any supported measurement characteristic. */
export function parseCharacteristic(characteristicUuid: number | string, view: DataView): GattParseResult {
  switch (shortUuid(characteristicUuid)) {
    case GATT_CHARACTERISTIC.heartRateMeasurement:
      return parseHeartRateMeasurement(view)
    case GATT_CHARACTERISTIC.plxSpotCheckMeasurement:
      return parsePlxSpotCheckMeasurement(view)
    case GATT_CHARACTERISTIC.plxContinuousMeasurement:
      return parsePlxContinuousMeasurement(view)
    case GATT_CHARACTERISTIC.bloodPressureMeasurement:
      return parseBloodPressureMeasurement(view)
    case GATT_CHARACTERISTIC.temperatureMeasurement:
      return parseTemperatureMeasurement(view)
    case GATT_CHARACTERISTIC.glucoseMeasurement:
      return parseGlucoseMeasurement(view)
    default:
      return fail(`Characteristic ${hex(characteristicUuid)} is not a vital-sign measurement this app reads.`)
  }
}

/**
 * mg/dL per mmol/L of glucose: its molar mass, 180.16 g/mol, is 180.16 mg per mmol, per litre = 18.016 mg/dL.
 * types.ts keeps glucose in mg/dL, so mmol/L readings are converted here (and keep their own value in `sent`).
 */
export const MG_PER_DL_PER_MMOL_PER_L = 18.016

/** A device clock this far ahead of ours is wrong, not early: its readings get their arrival time instead. */
export const CLOCK_AHEAD_TOLERANCE_MS = 5 * 60_000

export interface MappedMeasurements {
  measurements: Measurement[]
  /** One plain sentence per reading left out (a device error, an impossible value, a control test). */
  dropped: string[]
  /** Sentences about readings kept with something missing (a packet cut short in an optional field). */
  notes: string[]
  /**
   * The device user the reading belongs to, when the device says (a shared cuff's User ID; UNKNOWN_USER when
   * it does not know): see device-users.ts, which keeps other users' readings out.
   */
  deviceUser?: number
}

function measuredAt(deviceTime: number | undefined, receivedAt: number): number {
  return deviceTime !== undefined && deviceTime <= receivedAt + CLOCK_AHEAD_TOLERANCE_MS
    ? deviceTime
    : receivedAt
}

function rounded(value: number): string {
  return String(Math.round(value * 10) / 10)
}

/** Undefined when physically possible, else why the value is left out. */
function implausible(kind: VitalKind, value: number, what = VITALS[kind].label): string | undefined {
  const { plausible, unitLabel } = VITALS[kind]
  if (Number.isFinite(value) && value >= plausible.min && value <= plausible.max) return undefined
  return `${what} of ${rounded(value)} ${unitLabel} is not physically possible (${plausible.min}–${plausible.max} ${unitLabel}) and was left out.`
}

/** A converted value at the resolution its unit warrants (`VITALS[kind].decimals`), see `SentValue`. */
function converted(kind: VitalKind, value: number): number {
  return roundTo(value, VITALS[kind].decimals)
}

const CHARACTERISTIC_NAMES: Record<GattReading['characteristic'], string> = {
  [GATT_CHARACTERISTIC.heartRateMeasurement]: 'heart rate measurement',
  [GATT_CHARACTERISTIC.plxSpotCheckMeasurement]: 'pulse oximeter spot-check measurement',
  [GATT_CHARACTERISTIC.plxContinuousMeasurement]: 'pulse oximeter continuous measurement',
  [GATT_CHARACTERISTIC.bloodPressureMeasurement]: 'blood pressure measurement',
  [GATT_CHARACTERISTIC.temperatureMeasurement]: 'temperature measurement',
  [GATT_CHARACTERISTIC.glucoseMeasurement]: 'glucose measurement',
}

/**
 * Turns a parsed notification into Measurements: HR → heart rate; PLX → SpO₂ and heart rate (its pulse rate);
 * blood pressure → blood pressure (+ heart rate when sent); temperature (with its site); glucose (in mg/dL, with
 * its specimen). Values outside what is physically possible (`VITALS[kind].plausible`), readings the device marks
 * as not the patient's, and parse errors come back in `dropped`; a reading the device flagged is kept with
 * quality 'questionable' and the device's reasons. A value sent in another unit (kPa, °F, mmol/L) is converted
 * and rounded to the app unit's resolution, and the value as sent is kept in `sent`. `at` is the device's time
 * stamp when it sent a usable one, else `receivedAt`.
 */
export function toMeasurements(
  characteristicUuid: number | string,
  parsed: GattParseResult,
  source: Source,
  receivedAt: number,
): MappedMeasurements {
  const measurements: Measurement[] = []
  const dropped: string[] = []
  const notes: string[] = []
  if (!parsed.ok) return { measurements, dropped: [parsed.error], notes }
  if (shortUuid(characteristicUuid) !== parsed.characteristic) {
    const error = `A reading of ${hex(parsed.characteristic)} was handed over as ${hex(characteristicUuid)}.`
    return { measurements, dropped: [error], notes }
  }
  if (parsed.truncated !== undefined)
    notes.push(truncatedNote(CHARACTERISTIC_NAMES[parsed.characteristic], parsed.truncated))
  const quality: MeasurementQuality = parsed.questionable ? 'questionable' : 'ok'
  const trust = {
    source,
    quality,
    ...(parsed.questionable ? { questionableBecause: [...parsed.questionableBecause] } : {}),
  }
  const add = (
    kind: Exclude<VitalKind, 'blood-pressure'>,
    value: number | undefined,
    at: number,
    extra: Partial<Pick<Measurement, 'spot' | 'sent' | 'site' | 'specimen'>> = {},
    what?: string,
  ) => {
    if (value === undefined) return
    const reason = implausible(kind, value, what)
    if (reason === undefined) measurements.push({ kind, value, at, ...trust, ...extra })
    else dropped.push(reason)
  }

  switch (parsed.characteristic) {
    case GATT_CHARACTERISTIC.heartRateMeasurement:
      add('heart-rate', parsed.bpm, receivedAt, { spot: false })
      break
    case GATT_CHARACTERISTIC.plxSpotCheckMeasurement:
    case GATT_CHARACTERISTIC.plxContinuousMeasurement: {
      if (parsed.notFromPatient !== undefined) {
        dropped.push(parsed.notFromPatient)
        break
      }
      const at = measuredAt('timestamp' in parsed ? parsed.timestamp : undefined, receivedAt)
      // A spot-check oximeter sends one reading when it has settled; a continuous one streams.
      const spot = parsed.characteristic === GATT_CHARACTERISTIC.plxSpotCheckMeasurement
      add('spo2', parsed.spo2, at, { spot })
      add('heart-rate', parsed.pulseRate, at, { spot }, 'Pulse rate')
      break
    }
    case GATT_CHARACTERISTIC.bloodPressureMeasurement: {
      const at = measuredAt(parsed.timestamp, receivedAt)
      const kPa = parsed.sentUnit === 'kPa'
      const pressure = (mmHg: number) => (kPa ? converted('blood-pressure', mmHg) : mmHg)
      const systolic = pressure(parsed.systolicMmHg)
      const diastolic = pressure(parsed.diastolicMmHg)
      const mean = parsed.meanMmHg === undefined ? undefined : pressure(parsed.meanMmHg)
      const reason =
        implausible('blood-pressure', systolic, 'Systolic pressure') ??
        implausible('blood-pressure', diastolic, 'Diastolic pressure') ??
        (diastolic > systolic
          ? `Diastolic pressure ${rounded(diastolic)} mmHg above systolic ${rounded(systolic)} mmHg is not a valid reading and was left out.`
          : undefined)
      if (reason !== undefined) dropped.push(reason)
      else {
        // A mean outside the two pressures is a device error in that field only; the pair is still good.
        const meanOk = mean !== undefined && mean >= diastolic && mean <= systolic
        const sent: SentValue | undefined = kPa
          ? {
              unit: 'kPa',
              values: [
                parsed.sent.systolic,
                parsed.sent.diastolic,
                ...(meanOk && parsed.sent.mean !== undefined ? [parsed.sent.mean] : []),
              ],
            }
          : undefined
        measurements.push({
          kind: 'blood-pressure',
          systolic,
          diastolic,
          ...(meanOk ? { mean } : {}),
          at,
          ...trust,
          ...(sent ? { sent } : {}),
        })
      }
      // The pulse rate of a cuff is a spot reading like the pressures.
      add('heart-rate', parsed.pulseRate, at, { spot: true }, 'Pulse rate')
      if (parsed.userId !== undefined) return { measurements, dropped, notes, deviceUser: parsed.userId }
      break
    }
    case GATT_CHARACTERISTIC.temperatureMeasurement: {
      const fahrenheit = parsed.sentUnit === 'fahrenheit'
      add(
        'temperature',
        fahrenheit ? converted('temperature', parsed.celsius) : parsed.celsius,
        measuredAt(parsed.timestamp, receivedAt),
        {
          ...(fahrenheit ? { sent: { unit: '[degF]', values: [parsed.sentValue] } } : {}),
          ...(parsed.site === undefined ? {} : { site: parsed.site }),
        },
      )
      break
    }
    case GATT_CHARACTERISTIC.glucoseMeasurement: {
      if (parsed.notFromPatient !== undefined) dropped.push(parsed.notFromPatient)
      else if (parsed.concentration === undefined)
        dropped.push('The glucose record carries no glucose value.')
      else {
        const { value, unit } = parsed.concentration
        const molar = unit === 'mmol/L'
        const specimen = parsed.sampleType === 'control-solution' ? undefined : parsed.sampleType
        add(
          'glucose',
          molar ? converted('glucose', value * MG_PER_DL_PER_MMOL_PER_L) : value,
          measuredAt(parsed.timestamp, receivedAt),
          {
            ...(molar ? { sent: { unit: 'mmol/L', values: [value] } } : {}),
            ...(specimen === undefined ? {} : { specimen }),
          },
        )
      }
      break
    }
    default: {
      const unreachable: never = parsed
      return unreachable
    }
  }
  return { measurements, dropped, notes }
}

// ---------------------------------------------------------------------------------------------------------------
// Device Information Service (0x180A)

/** 16-bit UUIDs of the Device Information Service and the strings this app reads from it. */
export const DEVICE_INFORMATION = {
  service: 0x180a,
  strings: {
    manufacturer: 0x2a29,
    model: 0x2a24,
    serial: 0x2a25,
    hardware: 0x2a27,
    firmware: 0x2a26,
    software: 0x2a28,
  },
} as const satisfies { service: number; strings: Record<keyof DeviceIdentity, number> }

const utf8 = new TextDecoder('utf-8', { fatal: false })

/**
 * One Device Information string (UTF-8, GATT "utf8s"): trailing NULs some devices pad with and surrounding space
 * removed, control characters dropped, at most MAX_DEVICE_STRING characters; undefined when nothing is left.
 * A device names itself, so this is as untrusted as any other byte it sends.
 */
export function parseDeviceString(view: DataView): string | undefined {
  const text = utf8
    .decode(new Uint8Array(view.buffer, view.byteOffset, view.byteLength))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_DEVICE_STRING)
  return text === '' ? undefined : text
}
