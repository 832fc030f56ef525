// Every parser against byte vectors built by hand from the Bluetooth SIG characteristic definitions (each byte
// commented), the IEEE 11073 SFLOAT/FLOAT codes including the reserved ones, and broken packets: empty, cut short
// after the flags or inside an optional field, reserved flag bits and enumerations.
import { describe, expect, it } from 'vitest'
import {
  CLOCK_AHEAD_TOLERANCE_MS,
  decodeFloat11073,
  decodeSfloat,
  deviceTimeToEpochMs,
  GATT_CHARACTERISTIC,
  type GattParseResult,
  MG_PER_DL_PER_MMOL_PER_L,
  PASCAL_PER_MMHG,
  type ParseResult,
  parseBloodPressureMeasurement,
  parseCharacteristic,
  parseGlucoseMeasurement,
  parseHeartRateMeasurement,
  parsePlxContinuousMeasurement,
  parsePlxSpotCheckMeasurement,
  parseRecordAccessResponse,
  parseTemperatureMeasurement,
  shortUuid,
  toMeasurements,
} from './gatt'
import type { Source } from './types'

const bytes = (...values: number[]) => new DataView(Uint8Array.from(values).buffer)

/** Date Time for 2024-03-15 10:30:05: year 2024 = 0x07E8 (little-endian), month, day, hours, minutes, seconds. */
const MARCH_15_2024_103005 = [0xe8, 0x07, 0x03, 0x0f, 0x0a, 0x1e, 0x05]
/** The same moment as the parser reads it: local wall-clock time (see deviceTimeToEpochMs). */
const MARCH_15_2024_103005_MS = new Date(2024, 2, 15, 10, 30, 5).getTime()

function ok<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected a reading, got: ${result.error}`)
  return result
}
function error<T>(result: ParseResult<T>): string {
  if (result.ok) throw new Error('expected an error, got a reading')
  return result.error
}

describe('decodeSfloat (IEEE 11073 16-bit)', () => {
  it('decodes exponent and mantissa, both signed', () => {
    expect(decodeSfloat(0x0048)).toBe(72) // e 0, m 72
    expect(decodeSfloat(0xf048)).toBe(7.2) // e -1 (0xF), m 72
    expect(decodeSfloat(0xe0c8)).toBe(2) // e -2, m 200: "2.00"
    expect(decodeSfloat(0x1002)).toBe(20) // e 1, m 2
    expect(decodeSfloat(0x2002)).toBe(200) // e 2, m 2
    expect(decodeSfloat(0x0b2e)).toBe(-1234) // e 0, m 0xB2E = -1234
    expect(decodeSfloat(0xffff)).toBe(-0.1) // e -1, m -1
    expect(decodeSfloat(0x7001)).toBe(10_000_000) // largest exponent, 7
    expect(decodeSfloat(0x8001)).toBe(1e-8) // smallest exponent, -8
    expect(decodeSfloat(0x07fd)).toBe(2045) // largest ordinary mantissa
    expect(decodeSfloat(0x0803)).toBe(-2045) // smallest ordinary mantissa
    expect(decodeSfloat(0x0000)).toBe(0)
  })

  it('returns each special value for its exact code', () => {
    expect(decodeSfloat(0x07ff)).toBe('NaN')
    expect(decodeSfloat(0x0800)).toBe('NRes')
    expect(decodeSfloat(0x07fe)).toBe('+INF')
    expect(decodeSfloat(0x0802)).toBe('-INF')
    expect(decodeSfloat(0x0801)).toBe('reserved')
  })

  it('treats a special mantissa with a non-zero exponent as an ordinary number', () => {
    expect(decodeSfloat(0x17ff)).toBe(20470) // e 1, m 2047
    expect(decodeSfloat(0xf800)).toBe(-204.8) // e -1, m -2048
  })

  it('gives a finite number for all 65,536 codes but the five reserved ones', () => {
    const specials = new Set([0x07ff, 0x0800, 0x07fe, 0x0802, 0x0801])
    for (let code = 0; code <= 0xffff; code++) {
      const decoded = decodeSfloat(code)
      if (specials.has(code)) expect(typeof decoded).toBe('string')
      else if (typeof decoded !== 'number' || !Number.isFinite(decoded))
        throw new Error(`code ${code}: ${decoded}`)
    }
  })
})

describe('decodeFloat11073 (IEEE 11073 32-bit)', () => {
  it('decodes exponent and mantissa, both signed', () => {
    expect(decodeFloat11073(0x00000002)).toBe(2)
    expect(decodeFloat11073(0xff000014)).toBe(2) // e -1, m 20: "2.0"
    expect(decodeFloat11073(0xfe0000c8)).toBe(2) // e -2, m 200
    expect(decodeFloat11073(0x01000002)).toBe(20)
    expect(decodeFloat11073(0x00fffb2e)).toBe(-1234) // m 0xFFFB2E = -1234
    expect(decodeFloat11073(0xff00016e)).toBe(36.6) // e -1, m 366
    expect(decodeFloat11073(0xffffffff)).toBe(-0.1) // e -1, m -1
    expect(decodeFloat11073(0x7f000001)).toBe(1e127) // largest exponent
    expect(decodeFloat11073(0x80000001)).toBeCloseTo(1e-128, 140) // smallest exponent
    expect(decodeFloat11073(0x007ffffd)).toBe(8_388_605) // largest ordinary mantissa
  })

  it('returns each special value for its exact code', () => {
    expect(decodeFloat11073(0x007fffff)).toBe('NaN')
    expect(decodeFloat11073(0x00800000)).toBe('NRes')
    expect(decodeFloat11073(0x007ffffe)).toBe('+INF')
    expect(decodeFloat11073(0x00800002)).toBe('-INF')
    expect(decodeFloat11073(0x00800001)).toBe('reserved')
  })

  it('treats a special mantissa with a non-zero exponent as an ordinary number', () => {
    expect(decodeFloat11073(0x017fffff)).toBe(83_886_070) // e 1, m 8388607
  })
})

describe('deviceTimeToEpochMs', () => {
  const time = { year: 2024, month: 3, day: 15, hours: 10, minutes: 30, seconds: 5 }
  it('reads the device time as local wall-clock time', () => {
    expect(deviceTimeToEpochMs(time)).toBe(MARCH_15_2024_103005_MS)
  })
  it('gives no time for unknown (0) or impossible fields', () => {
    expect(deviceTimeToEpochMs({ ...time, year: 0 })).toBeUndefined()
    expect(deviceTimeToEpochMs({ ...time, month: 0 })).toBeUndefined()
    expect(deviceTimeToEpochMs({ ...time, day: 0 })).toBeUndefined()
    expect(deviceTimeToEpochMs({ ...time, month: 13 })).toBeUndefined()
    expect(deviceTimeToEpochMs({ ...time, month: 2, day: 30 })).toBeUndefined()
    expect(deviceTimeToEpochMs({ ...time, hours: 24 })).toBeUndefined()
    expect(deviceTimeToEpochMs({ ...time, seconds: 60 })).toBeUndefined()
  })
})

describe('Heart Rate Measurement (0x2A37)', () => {
  it('reads a uint8 heart rate from a sensor without contact detection', () => {
    const reading = ok(
      parseHeartRateMeasurement(
        bytes(
          0x00, // flags: uint8 value, contact not supported, no energy, no RR
          0x48, // 72 bpm
        ),
      ),
    )
    expect(reading).toMatchObject({
      bpm: 72,
      sensorContact: 'unsupported',
      rrIntervalsMs: [],
      questionable: false,
    })
    expect(reading.energyExpendedKj).toBeUndefined()
  })

  it('reads a uint16 heart rate', () => {
    const reading = ok(
      parseHeartRateMeasurement(
        bytes(
          0x01, // flags: bit 0, uint16 value
          0x2c, // 0x012C = 300 bpm, low byte
          0x01, // high byte
        ),
      ),
    )
    expect(reading.bpm).toBe(300)
  })

  it('tells the three sensor contact states apart, and reads bit 1 without bit 2 as unsupported', () => {
    const contact = (flags: number) => ok(parseHeartRateMeasurement(bytes(flags, 0x48)))
    expect(contact(0x06).sensorContact).toBe('detected') // bits 1 and 2
    expect(contact(0x06).questionable).toBe(false)
    expect(contact(0x04).sensorContact).toBe('not-detected') // bit 2 only: supported, no contact
    expect(contact(0x04).questionable).toBe(true)
    expect(contact(0x04).questionableBecause).toEqual(['the sensor has no skin contact'])
    expect(contact(0x02).sensorContact).toBe('unsupported') // bit 1 only
    expect(contact(0x00).sensorContact).toBe('unsupported')
  })

  it('reads energy expended', () => {
    const reading = ok(
      parseHeartRateMeasurement(
        bytes(
          0x08, // flags: bit 3, energy expended present
          0x48, // 72 bpm
          0x10, // 0x2710 = 10000 kJ, low byte
          0x27, // high byte
        ),
      ),
    )
    expect(reading).toMatchObject({ bpm: 72, energyExpendedKj: 10_000, rrIntervalsMs: [] })
  })

  it('reads several RR intervals in 1/1024 s as ms', () => {
    const reading = ok(
      parseHeartRateMeasurement(
        bytes(
          0x10, // flags: bit 4, RR intervals present
          0x48, // 72 bpm
          0x00, // RR 0x0400 = 1024/1024 s = 1000 ms
          0x04,
          0x20, // RR 0x0320 = 800/1024 s = 781.25 ms
          0x03,
        ),
      ),
    )
    expect(reading.rrIntervalsMs).toEqual([1000, 781.25])
  })

  it('reads every field at once', () => {
    const reading = ok(
      parseHeartRateMeasurement(
        bytes(
          0x1f, // flags: uint16, contact supported + detected, energy, RR
          0x5a, // 90 bpm (uint16)
          0x00,
          0x64, // 100 kJ
          0x00,
          0x00, // RR 1024 → 1000 ms
          0x04,
          0x00, // RR 512 → 500 ms
          0x02,
          0x00, // RR 768 → 750 ms
          0x03,
        ),
      ),
    )
    expect(reading).toMatchObject({
      bpm: 90,
      sensorContact: 'detected',
      energyExpendedKj: 100,
      rrIntervalsMs: [1000, 500, 750],
    })
  })

  it('ignores the reserved flag bits 5–7', () => {
    expect(ok(parseHeartRateMeasurement(bytes(0xe0, 0x48))).bpm).toBe(72)
  })

  it('reads relative to the DataView, not to its buffer', () => {
    const buffer = Uint8Array.of(0xaa, 0xbb, 0x00, 0x48, 0xcc).buffer
    expect(ok(parseHeartRateMeasurement(new DataView(buffer, 2, 2))).bpm).toBe(72)
    expect(error(parseHeartRateMeasurement(new DataView(buffer, 2, 1)))).toMatch(/before its heart rate/)
  })

  it('refuses a packet whose mandatory part is incomplete, naming the field', () => {
    expect(error(parseHeartRateMeasurement(bytes()))).toBe('The device sent an empty heart rate measurement.')
    expect(error(parseHeartRateMeasurement(bytes(0x00)))).toBe(
      'The heart rate measurement is cut short: it ends (after 1 byte) before its heart rate.',
    )
    // uint16 flagged, one byte sent
    expect(error(parseHeartRateMeasurement(bytes(0x01, 0x48)))).toMatch(/before its 16-bit heart rate/)
  })

  it('keeps the heart rate and the complete RR intervals when the last interval is cut short', () => {
    // RR flagged: one whole interval (0x0400 = 1024/1024 s) and half of another
    const reading = ok(parseHeartRateMeasurement(bytes(0x10, 0x48, 0x00, 0x04, 0x20)))
    expect(reading).toMatchObject({ bpm: 72, rrIntervalsMs: [1000], truncated: 'last RR interval' })
    const mapped = toMeasurements(0x2a37, { ...reading, ok: true }, { kind: 'device', label: 'Strap' }, 1000)
    expect(mapped.measurements).toMatchObject([{ kind: 'heart-rate', value: 72 }])
    expect(mapped.notes).toEqual([
      'The heart rate measurement was cut short in its last RR interval: the fields before it were kept, the rest was lost.',
    ])
  })

  it('keeps the heart rate when the energy expended is cut short (and the RR intervals behind it are lost)', () => {
    const reading = ok(parseHeartRateMeasurement(bytes(0x18, 0x48, 0x10)))
    expect(reading).toMatchObject({ bpm: 72, rrIntervalsMs: [], truncated: 'energy expended' })
    expect(reading.energyExpendedKj).toBeUndefined()
  })
})

describe('PLX Spot-check Measurement (0x2A5E)', () => {
  it('reads the minimal packet', () => {
    const reading = ok(
      parsePlxSpotCheckMeasurement(
        bytes(
          0x00, // flags: nothing optional
          0x62, // SpO2 SFLOAT 0x0062 = 98 %
          0x00,
          0x48, // PR SFLOAT 0x0048 = 72 bpm
          0x00,
        ),
      ),
    )
    expect(reading).toMatchObject({ spo2: 98, pulseRate: 72, questionable: false, questionableBecause: [] })
    expect(reading.timestamp).toBeUndefined()
  })

  it('reads every optional field', () => {
    const reading = ok(
      parsePlxSpotCheckMeasurement(
        bytes(
          0x0f, // flags: timestamp, measurement status, device and sensor status, pulse amplitude index
          0x61, // SpO2 97 %
          0x00,
          0x4b, // PR 75 bpm
          0x00,
          ...MARCH_15_2024_103005, // timestamp
          0x40, // measurement status 0x0040: bit 6, early estimated data
          0x00,
          0x20, // device and sensor status 0x000020: bit 5, low perfusion
          0x00,
          0x00,
          0x34, // pulse amplitude index SFLOAT 0xF034: 52 × 10^-1 = 5.2 %
          0xf0,
        ),
      ),
    )
    expect(reading).toMatchObject({
      spo2: 97,
      pulseRate: 75,
      timestamp: MARCH_15_2024_103005_MS,
      measurementStatus: 0x0040,
      deviceAndSensorStatus: 0x000020,
      pulseAmplitudeIndex: 5.2,
      questionable: true,
      questionableBecause: ['it is an early estimate', 'low perfusion'],
    })
  })

  it('leaves out the timestamp when the oximeter says its clock is not set', () => {
    const reading = ok(
      parsePlxSpotCheckMeasurement(
        bytes(
          0x11, // flags: timestamp present (bit 0), device clock not set (bit 4)
          0x62, // SpO2 98
          0x00,
          0x48, // PR 72
          0x00,
          ...MARCH_15_2024_103005,
        ),
      ),
    )
    expect(reading.timestamp).toBeUndefined()
  })

  it('rejects a reading the oximeter marks invalid, unavailable or sensor-less', () => {
    // flags: measurement status; SpO2 98; PR 72; status 0x8000 (bit 15, invalid measurement detected)
    expect(error(parsePlxSpotCheckMeasurement(bytes(0x02, 0x62, 0x00, 0x48, 0x00, 0x00, 0x80)))).toBe(
      'The oximeter marked this reading invalid: the oximeter detected an invalid measurement.',
    )
    // status 0x2000 (bit 13, measurement unavailable)
    expect(error(parsePlxSpotCheckMeasurement(bytes(0x02, 0x62, 0x00, 0x48, 0x00, 0x00, 0x20)))).toMatch(
      /no measurement was available/,
    )
    // flags: device and sensor status; DSS 0x008000 (bit 15, sensor disconnected)
    expect(
      error(parsePlxSpotCheckMeasurement(bytes(0x04, 0x62, 0x00, 0x48, 0x00, 0x00, 0x80, 0x00))),
    ).toMatch(/the sensor is disconnected/)
    // DSS 0x000800 (bit 11, sensor unconnected to user)
    expect(
      error(parsePlxSpotCheckMeasurement(bytes(0x04, 0x62, 0x00, 0x48, 0x00, 0x00, 0x08, 0x00))),
    ).toMatch(/not on the patient/)
  })

  it('marks demonstration data as not the patient’s', () => {
    // status 0x0400: bit 10, data for demonstration
    const reading = ok(parsePlxSpotCheckMeasurement(bytes(0x02, 0x62, 0x00, 0x48, 0x00, 0x00, 0x04)))
    expect(reading.notFromPatient).toBe(
      "The oximeter marked this reading as demonstration data, not a patient's.",
    )
  })

  it('keeps the pulse rate when only SpO₂ is a special value, and fails when both are', () => {
    // SpO2 0x07FF (NaN), PR 72
    const half = ok(parsePlxSpotCheckMeasurement(bytes(0x00, 0xff, 0x07, 0x48, 0x00)))
    expect(half.spo2).toBeUndefined()
    expect(half.pulseRate).toBe(72)
    // SpO2 NaN, PR 0x0800 (NRes)
    expect(error(parsePlxSpotCheckMeasurement(bytes(0x00, 0xff, 0x07, 0x00, 0x08)))).toBe(
      'The oximeter sent no valid reading (SpO₂: NaN, not a number; pulse rate: NRes, not representable at its resolution).',
    )
  })

  it('leaves out a special pulse amplitude index', () => {
    // flags: PAI; SpO2 98; PR 72; PAI 0x07FE (+INF)
    const reading = ok(parsePlxSpotCheckMeasurement(bytes(0x08, 0x62, 0x00, 0x48, 0x00, 0xfe, 0x07)))
    expect(reading.pulseAmplitudeIndex).toBeUndefined()
  })

  it('ignores the reserved flag bits 5–7', () => {
    expect(ok(parsePlxSpotCheckMeasurement(bytes(0xe0, 0x62, 0x00, 0x48, 0x00))).spo2).toBe(98)
  })

  it('refuses a packet whose mandatory part is incomplete, naming the field', () => {
    expect(error(parsePlxSpotCheckMeasurement(bytes()))).toBe(
      'The device sent an empty pulse oximeter spot-check measurement.',
    )
    expect(error(parsePlxSpotCheckMeasurement(bytes(0x00)))).toMatch(/before its SpO₂/)
    expect(error(parsePlxSpotCheckMeasurement(bytes(0x00, 0x62, 0x00, 0x48)))).toMatch(
      /before its pulse rate/,
    )
  })

  it('keeps SpO₂ and pulse rate when an optional field is cut short, naming it', () => {
    // timestamp flagged, 3 of its 7 bytes sent: the values stand, without the device's time
    const timeCut = ok(parsePlxSpotCheckMeasurement(bytes(0x01, 0x62, 0x00, 0x48, 0x00, 0xe8, 0x07, 0x03)))
    expect(timeCut).toMatchObject({ spo2: 98, pulseRate: 72, truncated: 'timestamp', questionable: false })
    expect(timeCut.timestamp).toBeUndefined()
  })

  it('keeps the values of a packet cut short in its status, but as questionable: the verdict is unknown', () => {
    // device and sensor status flagged, 2 of its 3 bytes sent
    const statusCut = ok(parsePlxSpotCheckMeasurement(bytes(0x04, 0x62, 0x00, 0x48, 0x00, 0x00, 0x00)))
    expect(statusCut).toMatchObject({
      spo2: 98,
      truncated: 'device and sensor status',
      questionable: true,
      questionableBecause: ['its status was cut off, so whether the oximeter flagged it is unknown'],
    })
  })
})

describe('PLX Continuous Measurement (0x2A5F)', () => {
  it('reads the minimal packet', () => {
    // flags 0; SpO2 98; PR 72
    expect(ok(parsePlxContinuousMeasurement(bytes(0x00, 0x62, 0x00, 0x48, 0x00)))).toMatchObject({
      spo2: 98,
      pulseRate: 72,
      questionable: false,
    })
  })

  it('reads the fast and slow averages', () => {
    const reading = ok(
      parsePlxContinuousMeasurement(
        bytes(
          0x03, // flags: SpO2PR-Fast (bit 0), SpO2PR-Slow (bit 1)
          0x61, // normal SpO2 97
          0x00,
          0x4b, // normal PR 75
          0x00,
          0x60, // fast SpO2 96
          0x00,
          0x4c, // fast PR 76
          0x00,
          0x62, // slow SpO2 98
          0x00,
          0x4a, // slow PR 74
          0x00,
        ),
      ),
    )
    expect(reading).toMatchObject({
      spo2: 97,
      pulseRate: 75,
      fast: { spo2: 96, pulseRate: 76 },
      slow: { spo2: 98, pulseRate: 74 },
    })
  })

  it('reads every optional field', () => {
    const reading = ok(
      parsePlxContinuousMeasurement(
        bytes(
          0x1f, // flags: fast, slow, measurement status, device and sensor status, PAI
          0x61, // SpO2 97
          0x00,
          0x4b, // PR 75
          0x00,
          0xff, // fast SpO2 NaN (0x07FF): left out
          0x07,
          0x4c, // fast PR 76
          0x00,
          0x62, // slow SpO2 98
          0x00,
          0x4a, // slow PR 74
          0x00,
          0x20, // measurement status 0x4020: bit 5 measurement ongoing, bit 14 questionable measurement
          0x40,
          0x10, // device and sensor status 0x002010: bit 4 poor signal, bit 13 sensor displaced
          0x20,
          0x00,
          0x0f, // PAI 0x000F = 15 %
          0x00,
        ),
      ),
    )
    expect(reading).toMatchObject({
      spo2: 97,
      pulseRate: 75,
      fast: { pulseRate: 76 },
      slow: { spo2: 98, pulseRate: 74 },
      measurementStatus: 0x4020,
      deviceAndSensorStatus: 0x002010,
      pulseAmplitudeIndex: 15,
      questionable: true,
      questionableBecause: [
        'the measurement was still in progress',
        'the oximeter flagged it as questionable',
        'poor signal',
        'sensor displaced',
      ],
    })
    expect(reading.fast?.spo2).toBeUndefined()
  })

  it('ignores reserved status bits', () => {
    // flags: measurement status, DSS; status 0x001F (reserved bits 0–4); DSS 0xFF0001 (bits 16–23 reserved, bit 0)
    const reading = ok(
      parsePlxContinuousMeasurement(bytes(0x0c, 0x62, 0x00, 0x48, 0x00, 0x1f, 0x00, 0x01, 0x00, 0xff)),
    )
    expect(reading.questionable).toBe(false)
  })

  it('refuses only an incomplete mandatory part; a cut optional field is named and left out', () => {
    expect(error(parsePlxContinuousMeasurement(bytes()))).toMatch(/empty/)
    expect(error(parsePlxContinuousMeasurement(bytes(0x00, 0x62, 0x00)))).toMatch(/before its pulse rate/)
    // slow flagged, only its SpO2 sent
    const slowCut = ok(parsePlxContinuousMeasurement(bytes(0x02, 0x62, 0x00, 0x48, 0x00, 0x62, 0x00)))
    expect(slowCut).toMatchObject({ spo2: 98, pulseRate: 72, truncated: 'slow pulse rate' })
    expect(slowCut.slow).toBeUndefined()
    // PAI flagged, one byte of it
    expect(ok(parsePlxContinuousMeasurement(bytes(0x10, 0x62, 0x00, 0x48, 0x00, 0x0f)))).toMatchObject({
      spo2: 98,
      truncated: 'pulse amplitude index',
      questionable: false,
    })
  })
})

describe('Blood Pressure Measurement (0x2A35)', () => {
  it('reads mmHg with time stamp, pulse rate and measurement status', () => {
    const reading = ok(
      parseBloodPressureMeasurement(
        bytes(
          0x16, // flags: mmHg, time stamp (bit 1), pulse rate (bit 2), measurement status (bit 4)
          0x79, // systolic SFLOAT 0x0079 = 121 mmHg
          0x00,
          0x51, // diastolic 0x0051 = 81 mmHg
          0x00,
          0xaf, // MAP SFLOAT 0xF3AF: 943 × 10^-1 = 94.3 mmHg
          0xf3,
          ...MARCH_15_2024_103005, // time stamp
          0x48, // pulse rate 72
          0x00,
          0x05, // status 0x0005: bit 0 body movement, bit 2 irregular pulse
          0x00,
        ),
      ),
    )
    expect(reading).toMatchObject({
      systolicMmHg: 121,
      diastolicMmHg: 81,
      meanMmHg: 94.3,
      sentUnit: 'mmHg',
      timestamp: MARCH_15_2024_103005_MS,
      pulseRate: 72,
      measurementStatus: 0x0005,
      questionable: true,
      questionableBecause: ['the patient moved during the measurement', 'an irregular pulse was detected'],
    })
  })

  it('converts kPa to mmHg', () => {
    const reading = ok(
      parseBloodPressureMeasurement(
        bytes(
          0x17, // flags: kPa (bit 0), time stamp, pulse rate, measurement status
          0xa0, // systolic SFLOAT 0xF0A0: 160 × 10^-1 = 16.0 kPa
          0xf0,
          0x6b, // diastolic 0xF06B: 10.7 kPa
          0xf0,
          0x7d, // MAP 0xF07D: 12.5 kPa
          0xf0,
          ...MARCH_15_2024_103005,
          0x48, // pulse rate 72 (bpm, not a pressure: not converted)
          0x00,
          0x00, // status 0: all fine
          0x00,
        ),
      ),
    )
    expect(reading.sentUnit).toBe('kPa')
    expect(reading.systolicMmHg).toBeCloseTo(16_000 / PASCAL_PER_MMHG, 9) // 120.01 mmHg
    expect(reading.systolicMmHg).toBeCloseTo(120.01, 2)
    expect(reading.diastolicMmHg).toBeCloseTo(10_700 / PASCAL_PER_MMHG, 9) // 80.26 mmHg
    expect(reading.meanMmHg).toBeCloseTo(12_500 / PASCAL_PER_MMHG, 9)
    expect(reading.pulseRate).toBe(72)
    expect(reading.questionable).toBe(false)
  })

  it('reads the user id and the remaining status bits', () => {
    const reading = ok(
      parseBloodPressureMeasurement(
        bytes(
          0x18, // flags: user id (bit 3), measurement status (bit 4)
          0x78, // systolic 120
          0x00,
          0x50, // diastolic 80
          0x00,
          0x5d, // MAP 93
          0x00,
          0x02, // user 2
          0x2a, // status 0x002A: bit 1 cuff too loose, bits 3–4 = 01 pulse above range, bit 5 improper position
          0x00,
        ),
      ),
    )
    expect(reading.userId).toBe(2)
    expect(reading.questionableBecause).toEqual([
      'the cuff was too loose',
      'the measurement position was improper',
      "the pulse rate was above the monitor's range",
    ])
    // bits 3–4 = 10: below range
    const below = ok(
      parseBloodPressureMeasurement(bytes(0x10, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0x10, 0x00)),
    )
    expect(below.questionableBecause).toEqual(["the pulse rate was below the monitor's range"])
    // bits 3–4 = 11 is reserved and ignored; bits 6–15 are reserved too
    const reserved = ok(
      parseBloodPressureMeasurement(bytes(0x10, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0xd8, 0xff)),
    )
    expect(reserved.questionable).toBe(false)
  })

  it('fails on a special systolic or diastolic value and leaves out a special mean or pulse rate', () => {
    // systolic 0x07FF NaN
    expect(error(parseBloodPressureMeasurement(bytes(0x00, 0xff, 0x07, 0x50, 0x00, 0x5d, 0x00)))).toBe(
      'The blood pressure monitor sent no valid systolic pressure (NaN, not a number).',
    )
    // diastolic 0x0802 -INF
    expect(error(parseBloodPressureMeasurement(bytes(0x00, 0x78, 0x00, 0x02, 0x08, 0x5d, 0x00)))).toMatch(
      /no valid diastolic pressure \(-INF/,
    )
    // flags: pulse rate; MAP 0x07FF NaN; pulse 0x0800 NRes
    const reading = ok(
      parseBloodPressureMeasurement(bytes(0x04, 0x78, 0x00, 0x50, 0x00, 0xff, 0x07, 0x00, 0x08)),
    )
    expect(reading.meanMmHg).toBeUndefined()
    expect(reading.pulseRate).toBeUndefined()
  })

  it('leaves out an unknown or impossible time stamp', () => {
    // year 0 = not known
    const unknown = ok(
      parseBloodPressureMeasurement(bytes(0x02, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0, 0, 3, 15, 10, 30, 5)),
    )
    expect(unknown.timestamp).toBeUndefined()
    // 30 February 2024
    const impossible = ok(
      parseBloodPressureMeasurement(
        bytes(0x02, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0xe8, 0x07, 2, 30, 10, 30, 5),
      ),
    )
    expect(impossible.timestamp).toBeUndefined()
  })

  it('ignores the reserved flag bits 5–7', () => {
    expect(
      ok(parseBloodPressureMeasurement(bytes(0xe0, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00))).systolicMmHg,
    ).toBe(120)
  })

  it('refuses a packet whose pressures are incomplete, naming the field', () => {
    expect(error(parseBloodPressureMeasurement(bytes()))).toMatch(/empty blood pressure measurement/)
    expect(error(parseBloodPressureMeasurement(bytes(0x00)))).toMatch(/before its systolic pressure/)
    expect(error(parseBloodPressureMeasurement(bytes(0x00, 0x78, 0x00, 0x50)))).toMatch(
      /before its diastolic pressure/,
    )
    expect(error(parseBloodPressureMeasurement(bytes(0x00, 0x78, 0x00, 0x50, 0x00, 0x5d)))).toMatch(
      /before its mean arterial pressure/,
    )
  })

  it('keeps the pressures when an optional field is cut short, and says which', () => {
    // time stamp flagged, cut after its year: the reading stands at its arrival time
    const timeCut = ok(
      parseBloodPressureMeasurement(bytes(0x02, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0xe8, 0x07)),
    )
    expect(timeCut).toMatchObject({ systolicMmHg: 120, diastolicMmHg: 80, truncated: 'time stamp' })
    expect(timeCut.timestamp).toBeUndefined()
    // user id flagged, missing: whose reading it is cannot be known, so it is an unknown user's
    expect(ok(parseBloodPressureMeasurement(bytes(0x08, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00)))).toMatchObject({
      systolicMmHg: 120,
      userId: 255,
      truncated: 'user id',
    })
    // status flagged, one byte of two: the cuff's own checks are unknown, so the reading is questionable
    expect(
      ok(parseBloodPressureMeasurement(bytes(0x10, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0x01))),
    ).toMatchObject({
      systolicMmHg: 120,
      truncated: 'measurement status',
      questionable: true,
      questionableBecause: ['its status was cut off, so whether the monitor flagged it is unknown'],
    })
  })
})

describe('Temperature Measurement (0x2A1C)', () => {
  it('reads °C', () => {
    const reading = ok(
      parseTemperatureMeasurement(
        bytes(
          0x00, // flags: Celsius, nothing optional
          0x6e, // FLOAT 0xFF00016E: mantissa 366, low byte first
          0x01,
          0x00,
          0xff, // exponent -1: 36.6 °C
        ),
      ),
    )
    expect(reading).toMatchObject({ celsius: 36.6, sentUnit: 'celsius', questionable: false })
    expect(reading.site).toBeUndefined()
  })

  it('converts °F to °C', () => {
    const reading = ok(
      parseTemperatureMeasurement(
        bytes(
          0x01, // flags: Fahrenheit
          0xda, // FLOAT 0xFF0003DA: 986 × 10^-1 = 98.6 °F
          0x03,
          0x00,
          0xff,
        ),
      ),
    )
    expect(reading.sentUnit).toBe('fahrenheit')
    expect(reading.celsius).toBeCloseTo(37, 10)
  })

  it('reads the time stamp and the temperature type', () => {
    const reading = ok(
      parseTemperatureMeasurement(
        bytes(
          0x06, // flags: time stamp (bit 1), temperature type (bit 2)
          0x71, // FLOAT 0xFF000171: 369 × 10^-1 = 36.9 °C
          0x01,
          0x00,
          0xff,
          ...MARCH_15_2024_103005,
          0x09, // type 9: tympanum (ear drum)
        ),
      ),
    )
    expect(reading).toMatchObject({ celsius: 36.9, timestamp: MARCH_15_2024_103005_MS, site: 'tympanum' })
    const site = (type: number) =>
      ok(parseTemperatureMeasurement(bytes(0x04, 0x71, 0x01, 0x00, 0xff, type))).site
    expect(site(1)).toBe('armpit')
    expect(site(2)).toBe('body')
    expect(site(6)).toBe('mouth')
    expect(site(0)).toBeUndefined() // reserved
    expect(site(10)).toBeUndefined() // reserved
    expect(site(255)).toBeUndefined() // reserved
  })

  it('fails on each special value', () => {
    const special = (b0: number, b1: number, b2: number, b3: number) =>
      error(parseTemperatureMeasurement(bytes(0x00, b0, b1, b2, b3)))
    expect(special(0xff, 0xff, 0x7f, 0x00)).toBe(
      'The thermometer sent no valid temperature (NaN, not a number).',
    )
    expect(special(0x00, 0x00, 0x80, 0x00)).toMatch(/\(NRes/)
    expect(special(0xfe, 0xff, 0x7f, 0x00)).toBe(
      'The thermometer sent no valid temperature (+INF, above what it can measure).',
    )
    expect(special(0x02, 0x00, 0x80, 0x00)).toMatch(/\(-INF, below what it can measure\)/)
    expect(special(0x01, 0x00, 0x80, 0x00)).toMatch(/\(a reserved value\)/)
  })

  it('ignores the reserved flag bits 3–7', () => {
    expect(ok(parseTemperatureMeasurement(bytes(0xf8, 0x6e, 0x01, 0x00, 0xff))).celsius).toBe(36.6)
  })

  it('refuses a packet without its temperature, naming the field', () => {
    expect(error(parseTemperatureMeasurement(bytes()))).toMatch(/empty temperature measurement/)
    expect(error(parseTemperatureMeasurement(bytes(0x00, 0x6e, 0x01)))).toMatch(
      /before its temperature value/,
    )
  })

  it('keeps the temperature when its time stamp or type is cut short, naming the field', () => {
    expect(
      ok(parseTemperatureMeasurement(bytes(0x02, 0x6e, 0x01, 0x00, 0xff, 0xe8, 0x07, 0x03))),
    ).toMatchObject({ celsius: 36.6, truncated: 'time stamp' })
    const typeCut = ok(parseTemperatureMeasurement(bytes(0x04, 0x6e, 0x01, 0x00, 0xff)))
    expect(typeCut).toMatchObject({ celsius: 36.6, truncated: 'temperature type' })
    expect(typeCut.site).toBeUndefined()
  })
})

describe('Glucose Measurement (0x2A18)', () => {
  it('reads kg/L as mg/dL, with time offset, sample type and location, and sensor status', () => {
    const reading = ok(
      parseGlucoseMeasurement(
        bytes(
          0x0b, // flags: time offset (bit 0), concentration (bit 1), kg/L (bit 2 clear), sensor status (bit 3)
          0x01, // sequence number 1
          0x00,
          ...MARCH_15_2024_103005, // base time
          0x0f, // time offset +15 min
          0x00,
          0x5f, // SFLOAT 0xB05F: 95 × 10^-5 kg/L = 95 mg/dL
          0xb0,
          0x11, // type 1 capillary whole blood (low nibble), location 1 finger (high nibble)
          0x08, // sensor status 0x0008: bit 3, strip insertion error
          0x00,
        ),
      ),
    )
    expect(reading).toMatchObject({
      sequenceNumber: 1,
      timestamp: MARCH_15_2024_103005_MS + 15 * 60_000,
      timeOffsetMinutes: 15,
      concentration: { value: 95, unit: 'mg/dL' },
      sampleType: 'capillary-whole-blood',
      sampleLocation: 'finger',
      sensorStatus: 0x0008,
      contextFollows: false,
      questionable: true,
      questionableBecause: ['the strip was inserted wrongly'],
    })
  })

  it('reads mol/L as mmol/L, with a negative time offset', () => {
    const reading = ok(
      parseGlucoseMeasurement(
        bytes(
          0x07, // flags: time offset, concentration, mol/L (bit 2)
          0x02, // sequence number 2
          0x00,
          ...MARCH_15_2024_103005,
          0xc4, // time offset 0xFFC4 = -60 min
          0xff,
          0x36, // SFLOAT 0xC036: 54 × 10^-4 mol/L = 5.4 mmol/L
          0xc0,
          0x12, // type 2 capillary plasma, location 1 finger
        ),
      ),
    )
    expect(reading).toMatchObject({
      timestamp: MARCH_15_2024_103005_MS - 60 * 60_000,
      concentration: { value: 5.4, unit: 'mmol/L' },
      sampleType: 'capillary-plasma',
      sampleLocation: 'finger',
      questionable: false,
    })
  })

  it('reads a record without a concentration, and the context flag', () => {
    const reading = ok(
      parseGlucoseMeasurement(
        bytes(
          0x10, // flags: context information follows (bit 4), nothing else
          0x03, // sequence number 3
          0x00,
          ...MARCH_15_2024_103005,
        ),
      ),
    )
    expect(reading.concentration).toBeUndefined()
    expect(reading.contextFollows).toBe(true)
  })

  it('leaves out the time on a time fault or an unknown offset; battery low is not questionable', () => {
    // flags: concentration, sensor status; status 0x0801 (bit 11 time fault, bit 0 battery low)
    const fault = ok(
      parseGlucoseMeasurement(bytes(0x0a, 0x04, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0x11, 0x01, 0x08)),
    )
    expect(fault.timestamp).toBeUndefined()
    expect(fault.questionable).toBe(false)
    // flags: time offset; offset 0x7FFF (overrun)
    const overrun = ok(parseGlucoseMeasurement(bytes(0x01, 0x05, 0x00, ...MARCH_15_2024_103005, 0xff, 0x7f)))
    expect(overrun.timestamp).toBeUndefined()
  })

  it('marks a control-solution test as not the patient’s, by type or by location', () => {
    // type 10 control solution, location 15 not available: 0xFA
    const byType = ok(
      parseGlucoseMeasurement(bytes(0x02, 0x06, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0xfa)),
    )
    expect(byType.sampleType).toBe('control-solution')
    expect(byType.sampleLocation).toBe('not-available')
    expect(byType.notFromPatient).toMatch(/control-solution test/)
    // type 1, location 4 control solution: 0x41
    const byLocation = ok(
      parseGlucoseMeasurement(bytes(0x02, 0x06, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0x41)),
    )
    expect(byLocation.notFromPatient).toBeDefined()
  })

  it('leaves out reserved type and location codes', () => {
    // type 0 reserved, location 5 reserved: 0x50
    const reading = ok(
      parseGlucoseMeasurement(bytes(0x02, 0x07, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0x50)),
    )
    expect(reading.sampleType).toBeUndefined()
    expect(reading.sampleLocation).toBeUndefined()
    expect(reading.concentration?.value).toBe(95)
  })

  it('fails on a special concentration', () => {
    // SFLOAT 0x0800 NRes
    expect(
      error(parseGlucoseMeasurement(bytes(0x02, 0x08, 0x00, ...MARCH_15_2024_103005, 0x00, 0x08, 0x11))),
    ).toBe(
      'The glucose meter sent no valid glucose concentration (NRes, not representable at its resolution).',
    )
  })

  it('ignores the reserved flag bits 5–7', () => {
    const reading = ok(
      parseGlucoseMeasurement(bytes(0xe2, 0x09, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0x11)),
    )
    expect(reading.concentration?.value).toBe(95)
  })

  it('refuses a record whose mandatory part is incomplete, naming the field', () => {
    expect(error(parseGlucoseMeasurement(bytes()))).toMatch(/empty glucose measurement/)
    expect(error(parseGlucoseMeasurement(bytes(0x00, 0x01)))).toMatch(/before its sequence number/)
    expect(error(parseGlucoseMeasurement(bytes(0x00, 0x01, 0x00, 0xe8, 0x07)))).toMatch(
      /before its base time/,
    )
  })

  it('salvages what a cut-short optional tail allows, and no value whose sample type was lost', () => {
    // time offset flagged, one byte of two: the record is kept, but its time is unknown
    const offsetCut = ok(parseGlucoseMeasurement(bytes(0x01, 0x01, 0x00, ...MARCH_15_2024_103005, 0x0f)))
    expect(offsetCut).toMatchObject({ sequenceNumber: 1, truncated: 'time offset' })
    expect(offsetCut.timestamp).toBeUndefined()
    // concentration flagged: the SFLOAT is there, the type/location byte is not. Without the type a
    // control-solution test cannot be told from blood, so the value is not kept.
    const typeCut = ok(parseGlucoseMeasurement(bytes(0x02, 0x01, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0)))
    expect(typeCut).toMatchObject({ truncated: 'sample type and location' })
    expect(typeCut.concentration).toBeUndefined()
    const mapped = toMeasurements(
      0x2a18,
      { ...typeCut, ok: true },
      { kind: 'device', label: 'Meter' },
      Date.now(),
    )
    expect(mapped.measurements).toEqual([])
    expect(mapped.dropped).toEqual(['The glucose record carries no glucose value.'])
    expect(mapped.notes).toEqual([
      'The glucose measurement was cut short in its sample type and location: the fields before it were kept, the rest was lost.',
    ])
    // sensor status flagged, one byte of two: value kept, questionable, and no time (it may have had a fault)
    const statusCut = ok(
      parseGlucoseMeasurement(bytes(0x0a, 0x01, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0x11, 0x08)),
    )
    expect(statusCut).toMatchObject({
      concentration: { value: 95, unit: 'mg/dL' },
      truncated: 'sensor status',
      questionable: true,
    })
    expect(statusCut.timestamp).toBeUndefined()
  })
})

describe('Record Access Control Point responses (0x2A52)', () => {
  it('reads success, a record count, and failures', () => {
    // op code 6 (response code), operator 0, request op code 1, response 1 (success)
    expect(parseRecordAccessResponse(bytes(0x06, 0x00, 0x01, 0x01))).toEqual({ ok: true, done: true })
    // op code 5 (number of stored records), operator 0, count 10
    expect(parseRecordAccessResponse(bytes(0x05, 0x00, 0x0a, 0x00))).toEqual({ ok: true, recordCount: 10 })
    // response 6: no records found
    expect(parseRecordAccessResponse(bytes(0x06, 0x00, 0x01, 0x06))).toEqual({
      ok: false,
      error: 'The glucose meter did not send its readings: it has no stored readings.',
    })
    expect(error(parseRecordAccessResponse(bytes(0x06, 0x00, 0x01, 0x2a)))).toMatch(/code 42/)
    expect(error(parseRecordAccessResponse(bytes(0x01, 0x00)))).toMatch(/unexpected message \(op code 1\)/)
    expect(error(parseRecordAccessResponse(bytes(0x06, 0x00)))).toMatch(/before its request op code/)
    expect(error(parseRecordAccessResponse(bytes()))).toMatch(/empty/)
  })
})

describe('shortUuid and parseCharacteristic', () => {
  it('accepts numbers and the Bluetooth base UUID strings Web Bluetooth reports', () => {
    expect(shortUuid(0x2a37)).toBe(0x2a37)
    expect(shortUuid('00002a37-0000-1000-8000-00805f9b34fb')).toBe(0x2a37)
    expect(shortUuid('00002A37-0000-1000-8000-00805F9B34FB')).toBe(0x2a37)
    expect(shortUuid('00002a37-0000-1000-8000-00805f9b34fc')).toBeUndefined() // not the base UUID
    expect(shortUuid(0x10000)).toBeUndefined()
    expect(shortUuid(1.5)).toBeUndefined()
  })

  it('routes each characteristic to its parser and refuses others', () => {
    const hr = parseCharacteristic('00002a37-0000-1000-8000-00805f9b34fb', bytes(0x00, 0x48))
    expect(hr.ok && hr.characteristic).toBe(GATT_CHARACTERISTIC.heartRateMeasurement)
    const temperature = parseCharacteristic(0x2a1c, bytes(0x00, 0x6e, 0x01, 0x00, 0xff))
    expect(temperature.ok && temperature.characteristic).toBe(GATT_CHARACTERISTIC.temperatureMeasurement)
    expect(error(parseCharacteristic(0x2a19, bytes(0x64)))).toBe(
      'Characteristic 0x2A19 is not a vital-sign measurement this app reads.',
    )
  })
})

describe('toMeasurements', () => {
  const source: Source = { kind: 'device', label: 'Polar H10' }
  const receivedAt = Date.UTC(2024, 5, 1, 12, 0, 0)
  const map = (uuid: number, view: DataView) =>
    toMeasurements(uuid, parseCharacteristic(uuid, view), source, receivedAt)

  it('maps heart rate at its arrival time as a continuous reading, questionable without skin contact', () => {
    expect(map(0x2a37, bytes(0x06, 0x48))).toEqual({
      measurements: [{ kind: 'heart-rate', value: 72, at: receivedAt, source, quality: 'ok', spot: false }],
      dropped: [],
      notes: [],
    })
    expect(map(0x2a37, bytes(0x04, 0x48)).measurements[0]).toMatchObject({
      quality: 'questionable',
      questionableBecause: ['the sensor has no skin contact'],
    })
  })

  it('keeps every physically possible value, however extreme: asystole and 350 bpm, SpO₂ 0 %', () => {
    expect(map(0x2a37, bytes(0x06, 0x00)).measurements).toMatchObject([{ kind: 'heart-rate', value: 0 }])
    // uint16 rate 350 = 0x015E
    expect(map(0x2a37, bytes(0x07, 0x5e, 0x01)).measurements).toMatchObject([{ value: 350 }])
    // SpO₂ 0 %, pulse rate 45
    expect(map(0x2a5f, bytes(0x00, 0x00, 0x00, 0x2d, 0x00)).measurements).toMatchObject([
      { kind: 'spo2', value: 0 },
      { kind: 'heart-rate', value: 45 },
    ])
  })

  it('drops only what is not physically possible, with a reason', () => {
    // uint16 rate 351
    expect(map(0x2a37, bytes(0x07, 0x5f, 0x01))).toEqual({
      measurements: [],
      dropped: ['Heart rate of 351 bpm is not physically possible (0–350 bpm) and was left out.'],
      notes: [],
    })
    // SpO₂ 101 %
    expect(map(0x2a5f, bytes(0x00, 0x65, 0x00, 0x48, 0x00)).dropped).toEqual([
      'Oxygen saturation of 101 % is not physically possible (0–100 %) and was left out.',
    ])
  })

  it('passes a parse error on as the reason', () => {
    expect(map(0x2a37, bytes())).toEqual({
      measurements: [],
      dropped: ['The device sent an empty heart rate measurement.'],
      notes: [],
    })
  })

  it('maps a spot-check to spot SpO₂ and heart rate at the oximeter’s time', () => {
    const { measurements } = toMeasurements(
      0x2a5e,
      parseCharacteristic(0x2a5e, bytes(0x01, 0x62, 0x00, 0x48, 0x00, ...MARCH_15_2024_103005)),
      source,
      MARCH_15_2024_103005_MS + 60_000,
    )
    expect(measurements).toEqual([
      { kind: 'spo2', value: 98, at: MARCH_15_2024_103005_MS, source, quality: 'ok', spot: true },
      { kind: 'heart-rate', value: 72, at: MARCH_15_2024_103005_MS, source, quality: 'ok', spot: true },
    ])
  })

  it('uses the arrival time when the device clock is ahead of ours', () => {
    const receivedBefore = MARCH_15_2024_103005_MS - CLOCK_AHEAD_TOLERANCE_MS - 1
    const { measurements } = toMeasurements(
      0x2a5e,
      parseCharacteristic(0x2a5e, bytes(0x01, 0x62, 0x00, 0x48, 0x00, ...MARCH_15_2024_103005)),
      source,
      receivedBefore,
    )
    expect(measurements.map((m) => m.at)).toEqual([receivedBefore, receivedBefore])
  })

  it('marks both PLX values questionable with the oximeter’s reason, and drops demonstration data', () => {
    // continuous, measurement status 0x0040 (early estimate)
    const early = map(0x2a5f, bytes(0x04, 0x62, 0x00, 0x48, 0x00, 0x40, 0x00))
    expect(early.measurements.map((m) => [m.quality, m.questionableBecause])).toEqual([
      ['questionable', ['it is an early estimate']],
      ['questionable', ['it is an early estimate']],
    ])
    // continuous, status 0x0800 (data for testing)
    expect(map(0x2a5f, bytes(0x04, 0x62, 0x00, 0x48, 0x00, 0x00, 0x08))).toEqual({
      measurements: [],
      dropped: ["The oximeter marked this reading as test data, not a patient's."],
      notes: [],
    })
  })

  it('maps blood pressure with its mean, plus the pulse rate as a spot heart rate', () => {
    const { measurements, dropped } = map(
      0x2a35,
      bytes(0x16, 0x79, 0x00, 0x51, 0x00, 0xaf, 0xf3, ...MARCH_15_2024_103005, 0x48, 0x00, 0x01, 0x00),
    )
    expect(dropped).toEqual([])
    const questionableBecause = ['the patient moved during the measurement']
    expect(measurements).toEqual([
      {
        kind: 'blood-pressure',
        systolic: 121,
        diastolic: 81,
        mean: 94.3,
        at: MARCH_15_2024_103005_MS,
        source,
        quality: 'questionable', // body movement
        questionableBecause,
      },
      {
        kind: 'heart-rate',
        value: 72,
        at: MARCH_15_2024_103005_MS,
        source,
        quality: 'questionable',
        questionableBecause,
        spot: true,
      },
    ])
  })

  it('keeps blood pressure across what is possible (0–400 mmHg), drops beyond it or diastolic above systolic', () => {
    // systolic 0x0190 = 400 mmHg, diastolic 80, mean 93: extreme, but possible
    expect(map(0x2a35, bytes(0x00, 0x90, 0x01, 0x50, 0x00, 0x5d, 0x00)).measurements).toMatchObject([
      { kind: 'blood-pressure', systolic: 400, diastolic: 80 },
    ])
    // systolic 0x0191 = 401 mmHg
    expect(map(0x2a35, bytes(0x00, 0x91, 0x01, 0x50, 0x00, 0x5d, 0x00)).dropped).toEqual([
      'Systolic pressure of 401 mmHg is not physically possible (0–400 mmHg) and was left out.',
    ])
    // a negative pressure (SFLOAT mantissa 0xFFF = -1) is impossible
    expect(map(0x2a35, bytes(0x00, 0x78, 0x00, 0xff, 0x0f, 0x5d, 0x00)).dropped).toEqual([
      'Diastolic pressure of -1 mmHg is not physically possible (0–400 mmHg) and was left out.',
    ])
    // systolic 80, diastolic 120
    expect(map(0x2a35, bytes(0x00, 0x50, 0x00, 0x78, 0x00, 0x5d, 0x00)).dropped).toEqual([
      'Diastolic pressure 120 mmHg above systolic 80 mmHg is not a valid reading and was left out.',
    ])
  })

  it('maps kPa blood pressure to whole mmHg and keeps the kPa the cuff sent', () => {
    // 16.0 / 10.7 / 12.5 kPa (tenths, exponent -1)
    const [bp] = map(0x2a35, bytes(0x01, 0xa0, 0xf0, 0x6b, 0xf0, 0x7d, 0xf0)).measurements
    expect(bp).toMatchObject({
      kind: 'blood-pressure',
      // 16.0 kPa is 120.0099 mmHg: shown and stored as 120, not 120.00985213530501
      systolic: 120,
      diastolic: 80,
      mean: 94,
      sent: { unit: 'kPa', values: [16, 10.7, 12.5] },
    })
  })

  it('maps °F to °C at one decimal and keeps the °F the thermometer sent, with the site', () => {
    // 98.6 °F (FLOAT 986 × 10^-1), type 6 (mouth)
    const [exact] = map(0x2a1c, bytes(0x05, 0xda, 0x03, 0x00, 0xff, 0x06)).measurements
    expect(exact).toMatchObject({ kind: 'temperature', value: 37, sent: { unit: '[degF]', values: [98.6] } })
    expect(exact?.site).toBe('mouth')
    // 100.3 °F is 37.944… °C: 37.9
    const [fever] = map(0x2a1c, bytes(0x01, 0xeb, 0x03, 0x00, 0xff)).measurements
    expect(fever).toMatchObject({ value: 37.9, sent: { unit: '[degF]', values: [100.3] } })
  })

  it('maps glucose in mg/dL with its specimen; mmol/L becomes whole mg/dL and keeps the mmol/L', () => {
    const mgdl = map(0x2a18, bytes(0x02, 0x01, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0x11))
    expect(mgdl.measurements).toEqual([
      {
        kind: 'glucose',
        value: 95,
        at: MARCH_15_2024_103005_MS,
        source,
        quality: 'ok',
        specimen: 'capillary-whole-blood',
      },
    ])
    // 5.5 mmol/L (SFLOAT 55 × 10^-4 mol/L), interstitial fluid (type 9)
    const mmol = map(0x2a18, bytes(0x06, 0x02, 0x00, ...MARCH_15_2024_103005, 0x37, 0xc0, 0x19))
    expect(mmol.measurements).toMatchObject([
      {
        kind: 'glucose',
        // 5.5 × 18.016 = 99.088: 99 mg/dL, the resolution 0.1 mmol/L (1.8 mg/dL) warrants
        value: 99,
        sent: { unit: 'mmol/L', values: [5.5] },
        specimen: 'interstitial-fluid',
      },
    ])
    expect(5.5 * MG_PER_DL_PER_MMOL_PER_L).toBeCloseTo(99.088, 3)
  })

  it('says which device user a blood pressure reading belongs to', () => {
    // user id flagged: user 2
    expect(map(0x2a35, bytes(0x08, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00, 0x02)).deviceUser).toBe(2)
    expect(map(0x2a35, bytes(0x00, 0x78, 0x00, 0x50, 0x00, 0x5d, 0x00)).deviceUser).toBeUndefined()
  })

  it('drops control-solution tests and records without a value', () => {
    expect(map(0x2a18, bytes(0x02, 0x01, 0x00, ...MARCH_15_2024_103005, 0x5f, 0xb0, 0xfa)).dropped).toEqual([
      'The glucose meter says this was a control-solution test, not a blood sample.',
    ])
    expect(map(0x2a18, bytes(0x00, 0x01, 0x00, ...MARCH_15_2024_103005)).dropped).toEqual([
      'The glucose record carries no glucose value.',
    ])
  })

  it('refuses a reading handed over under another characteristic', () => {
    const parsed: GattParseResult = parseCharacteristic(0x2a37, bytes(0x00, 0x48))
    expect(toMeasurements(0x2a1c, parsed, source, receivedAt).dropped).toEqual([
      'A reading of 0x2A37 was handed over as 0x2A1C.',
    ])
    expect(
      toMeasurements('00002a37-0000-1000-8000-00805f9b34fb', parsed, source, receivedAt).measurements,
    ).toHaveLength(1)
  })
})
