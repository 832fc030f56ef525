// Property-based checks of the GATT parsers: whatever bytes a device sends, each parser returns a reading or a
// sentence and never throws; a packet shorter than its mandatory fields is always refused as "cut short", one
// that has them but is shorter than its flags announce is kept and names the optional field it lost (both
// checked against length tables written separately from the parsers, straight from the specifications), and a
// whole one is neither; a view into a larger buffer reads like a copy; and whatever parses maps only to
// physically possible Measurements.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  GATT_CHARACTERISTIC,
  type GattParseResult,
  parseCharacteristic,
  parseRecordAccessResponse,
  toMeasurements,
} from './gatt'
import { primaryValue, type Source, VITALS } from './types'

/** 10,000 runs take a few seconds; Vitest's 5 s default is sized for unit tests. */
const FUZZ_TIMEOUT_MS = 60_000
const RUNS = 10_000

/** Up to 40 bytes: longer than the longest layout (PLX continuous with everything, 21 bytes) plus RR intervals. */
const packet = fc.uint8Array({ maxLength: 40 })

const has = (flags: number, bit: number) => (flags & bit) !== 0

/**
 * Bytes of each characteristic's mandatory part: flags and the fields every packet carries (for heart rate, the
 * value in the size its flag says). Shorter than this, there is no reading to keep.
 */
const MANDATORY_BYTES: Record<number, (flags: number) => number> = {
  [GATT_CHARACTERISTIC.heartRateMeasurement]: (f) => 1 + (has(f, 0x01) ? 2 : 1),
  [GATT_CHARACTERISTIC.plxSpotCheckMeasurement]: () => 1 + 4,
  [GATT_CHARACTERISTIC.plxContinuousMeasurement]: () => 1 + 4,
  [GATT_CHARACTERISTIC.bloodPressureMeasurement]: () => 1 + 6,
  [GATT_CHARACTERISTIC.temperatureMeasurement]: () => 1 + 4,
  [GATT_CHARACTERISTIC.glucoseMeasurement]: () => 1 + 2 + 7,
}

/**
 * Bytes each characteristic needs for its flags, from the field tables: 2-byte SFLOAT, 4-byte FLOAT, 7-byte Date
 * Time, 3-byte Device and Sensor Status. The heart rate's RR intervals come on top, in whole pairs of bytes.
 */
const REQUIRED_BYTES: Record<number, (flags: number) => number> = {
  [GATT_CHARACTERISTIC.heartRateMeasurement]: (f) => 1 + (has(f, 0x01) ? 2 : 1) + (has(f, 0x08) ? 2 : 0),
  [GATT_CHARACTERISTIC.plxSpotCheckMeasurement]: (f) =>
    1 + 4 + (has(f, 0x01) ? 7 : 0) + (has(f, 0x02) ? 2 : 0) + (has(f, 0x04) ? 3 : 0) + (has(f, 0x08) ? 2 : 0),
  [GATT_CHARACTERISTIC.plxContinuousMeasurement]: (f) =>
    1 +
    4 +
    (has(f, 0x01) ? 4 : 0) +
    (has(f, 0x02) ? 4 : 0) +
    (has(f, 0x04) ? 2 : 0) +
    (has(f, 0x08) ? 3 : 0) +
    (has(f, 0x10) ? 2 : 0),
  [GATT_CHARACTERISTIC.bloodPressureMeasurement]: (f) =>
    1 + 6 + (has(f, 0x02) ? 7 : 0) + (has(f, 0x04) ? 2 : 0) + (has(f, 0x08) ? 1 : 0) + (has(f, 0x10) ? 2 : 0),
  [GATT_CHARACTERISTIC.temperatureMeasurement]: (f) =>
    1 + 4 + (has(f, 0x02) ? 7 : 0) + (has(f, 0x04) ? 1 : 0),
  [GATT_CHARACTERISTIC.glucoseMeasurement]: (f) =>
    1 + 2 + 7 + (has(f, 0x01) ? 2 : 0) + (has(f, 0x02) ? 3 : 0) + (has(f, 0x08) ? 2 : 0),
}

function isCutShort(bytes: Uint8Array, characteristic: number): boolean {
  if (bytes.length === 0) return true
  return bytes.length < (MANDATORY_BYTES[characteristic]?.(bytes[0] ?? 0) ?? 0)
}

/** Mandatory part complete, but shorter than the flags announce (or half an RR interval at the end). */
function isTruncated(bytes: Uint8Array, characteristic: number): boolean {
  if (isCutShort(bytes, characteristic)) return false
  const flags = bytes[0] ?? 0
  const required = REQUIRED_BYTES[characteristic]?.(flags) ?? 0
  if (bytes.length < required) return true
  const rrOdd = (bytes.length - required) % 2 !== 0
  return characteristic === GATT_CHARACTERISTIC.heartRateMeasurement && has(flags, 0x10) && rrOdd
}

function allNumbersFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(allNumbersFinite)
  if (typeof value === 'object' && value !== null) return Object.values(value).every(allNumbersFinite)
  return true
}

const source: Source = { kind: 'device', label: 'Fuzzed device' }
const receivedAt = Date.UTC(2025, 0, 1)

function checkMapping(characteristic: number, parsed: GattParseResult) {
  const { measurements, dropped } = toMeasurements(characteristic, parsed, source, receivedAt)
  for (const measurement of measurements) {
    const { min, max } = VITALS[measurement.kind].plausible
    expect(primaryValue(measurement)).toBeGreaterThanOrEqual(min)
    expect(primaryValue(measurement)).toBeLessThanOrEqual(max)
    if (measurement.kind === 'blood-pressure') {
      expect(measurement.diastolic).toBeGreaterThanOrEqual(min)
      expect(measurement.diastolic).toBeLessThanOrEqual(measurement.systolic)
    }
    expect(Number.isFinite(measurement.at)).toBe(true)
    expect(measurement.at).toBeLessThanOrEqual(receivedAt + 5 * 60_000)
    expect(['ok', 'questionable']).toContain(measurement.quality)
    expect(measurement.source).toBe(source)
  }
  for (const reason of dropped) expect(reason).toMatch(/^[A-Z].*\.$/)
  if (!parsed.ok) expect(measurements).toEqual([])
}

const MEASUREMENTS = [
  ['Heart Rate Measurement', GATT_CHARACTERISTIC.heartRateMeasurement],
  ['PLX Spot-check Measurement', GATT_CHARACTERISTIC.plxSpotCheckMeasurement],
  ['PLX Continuous Measurement', GATT_CHARACTERISTIC.plxContinuousMeasurement],
  ['Blood Pressure Measurement', GATT_CHARACTERISTIC.bloodPressureMeasurement],
  ['Temperature Measurement', GATT_CHARACTERISTIC.temperatureMeasurement],
  ['Glucose Measurement', GATT_CHARACTERISTIC.glucoseMeasurement],
] as const

describe.each(MEASUREMENTS)('%s, fed arbitrary bytes', (_name, characteristic) => {
  it(
    'never throws, is refused or truncated exactly when the spec says, and maps only possible values',
    () => {
      fc.assert(
        fc.property(packet, (bytes) => {
          const parsed = parseCharacteristic(
            characteristic,
            new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
          )
          if (parsed.ok) {
            expect(parsed.characteristic).toBe(characteristic)
            expect(allNumbersFinite(parsed)).toBe(true)
            expect(parsed.questionable).toBe(parsed.questionableBecause.length > 0)
            expect(parsed.truncated !== undefined).toBe(isTruncated(bytes, characteristic))
          } else {
            expect(parsed.error).toMatch(/^[A-Z].*\.$/) // a sentence
          }
          const cutShort = !parsed.ok && /cut short|empty/.test(parsed.error)
          expect(cutShort).toBe(isCutShort(bytes, characteristic))
          checkMapping(characteristic, parsed)
        }),
        { numRuns: RUNS },
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'reads a view inside a larger buffer exactly like a copy of its bytes',
    () => {
      fc.assert(
        fc.property(
          packet,
          fc.uint8Array({ maxLength: 8 }),
          fc.uint8Array({ maxLength: 8 }),
          (bytes, before, after) => {
            const buffer = Uint8Array.from([...before, ...bytes, ...after]).buffer
            const inside = parseCharacteristic(
              characteristic,
              new DataView(buffer, before.length, bytes.length),
            )
            const alone = parseCharacteristic(characteristic, new DataView(Uint8Array.from(bytes).buffer))
            expect(inside).toEqual(alone)
          },
        ),
        { numRuns: RUNS },
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})

/** Little-endian SFLOAT with exponent 0 (mantissa 0..2045 fits the 12 bits). */
const sfloat = (value: number) => [value & 0xff, (value >> 8) & 0x0f]
/** Little-endian SFLOAT of value/10: exponent -1 (0xF) in the top nibble. */
const sfloatTenths = (tenths: number) => [tenths & 0xff, 0xf0 | ((tenths >> 8) & 0x0f)]

/**
 * A packet laid out exactly as its random flags require (random bytes in every field, plus RR intervals or
 * trailing bytes), with the primary values overwritten by plausible ones: what a working device sends.
 */
function wellFormed(characteristic: number) {
  return fc
    .record({
      flags: fc.integer({ min: 0, max: 0xff }),
      tail: fc.integer({ min: 0, max: 4 }),
      seed: fc.uint8Array({ minLength: 40, maxLength: 40 }),
      a: fc.integer({ min: 50, max: 100 }),
      b: fc.integer({ min: 30, max: 300 }),
    })
    .map(({ flags: anyFlags, tail, seed, a, b }) => {
      // Temperature: °C (bit 0 cleared). Glucose: a concentration (bit 1) in kg/L (bit 2 cleared).
      const flags =
        characteristic === GATT_CHARACTERISTIC.temperatureMeasurement
          ? anyFlags & ~0x01
          : characteristic === GATT_CHARACTERISTIC.glucoseMeasurement
            ? (anyFlags | 0x02) & ~0x04
            : anyFlags
      const length = (REQUIRED_BYTES[characteristic]?.(flags) ?? 0) + 2 * tail
      const bytes = Uint8Array.from(seed.subarray(0, length))
      bytes[0] = flags
      const put = (at: number, values: number[]) => bytes.set(values, at)
      switch (characteristic) {
        case GATT_CHARACTERISTIC.heartRateMeasurement:
          put(1, has(flags, 0x01) ? [b & 0xff, b >> 8] : [a])
          break
        case GATT_CHARACTERISTIC.plxSpotCheckMeasurement:
        case GATT_CHARACTERISTIC.plxContinuousMeasurement:
          put(1, [...sfloat(a), ...sfloat(b)])
          break
        case GATT_CHARACTERISTIC.bloodPressureMeasurement:
          if (has(flags, 0x01)) {
            // kPa in tenths (exponent -1): 4.0–38.7 kPa is 30.0–290.3 mmHg; diastolic and mean halfway down
            const systolic = Math.round(Math.min(b, 290) * 1.3332)
            const diastolic = 40 + ((systolic - 40) >> 1)
            put(1, [...sfloatTenths(systolic), ...sfloatTenths(diastolic), ...sfloatTenths(diastolic)])
          } else {
            // mmHg: systolic b, diastolic and mean halfway down to 30
            put(1, [...sfloat(b), ...sfloat(30 + ((b - 30) >> 1)), ...sfloat(30 + ((b - 30) >> 1))])
          }
          break
        case GATT_CHARACTERISTIC.temperatureMeasurement:
          // FLOAT: mantissa 300..400, exponent -1: 30.0–40.0 °C
          put(1, [(200 + a * 2) & 0xff, (200 + a * 2) >> 8, 0x00, 0xff])
          break
        case GATT_CHARACTERISTIC.glucoseMeasurement:
          // b × 10^-5 kg/L = b mg/dL: exponent -5 is 0xB
          put(10 + (has(flags, 0x01) ? 2 : 0), [b & 0xff, 0xb0 | ((b >> 8) & 0x0f)])
          break
      }
      return bytes
    })
}

/** Parse errors a well-formed packet may still get: the device itself says the reading is not valid. */
const DEVICE_SAYS_INVALID = /marked this reading invalid/

describe.each(MEASUREMENTS)('%s, well-formed with plausible values', (_name, characteristic) => {
  it(
    "parses, and becomes Measurements unless the device says it is invalid or not the patient's",
    () => {
      fc.assert(
        fc.property(wellFormed(characteristic), (bytes) => {
          const parsed = parseCharacteristic(
            characteristic,
            new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
          )
          if (!parsed.ok) {
            expect(parsed.error).toMatch(DEVICE_SAYS_INVALID)
            return
          }
          const { measurements, dropped } = toMeasurements(characteristic, parsed, source, receivedAt)
          const notFromPatient = 'notFromPatient' in parsed && parsed.notFromPatient !== undefined
          if (notFromPatient) expect(measurements).toEqual([])
          else expect(measurements.length).toBeGreaterThan(0)
          expect(measurements.length > 0 || dropped.length > 0).toBe(true)
          checkMapping(characteristic, parsed)
        }),
        { numRuns: RUNS },
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})

describe('Record Access Control Point responses, fed arbitrary bytes', () => {
  it(
    'never throws and always answers with a result or a sentence',
    () => {
      fc.assert(
        fc.property(packet, (bytes) => {
          const result = parseRecordAccessResponse(new DataView(bytes.buffer, bytes.byteOffset, bytes.length))
          if (!result.ok) expect(result.error).toMatch(/^[A-Z].*\.$/)
        }),
        { numRuns: RUNS },
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})
