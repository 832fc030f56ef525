// Issue 12, end to end in the domain: for each vital, readings at the edges of what the device format and
// physics allow go from the device's bytes (or a hand entry) through the feed and the monitor model, the alarm
// board (at the right priority), the record, and the FHIR export, which passes the validators.
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { AlarmBoard, type AlarmPriority } from '../vitals/alarms'
import { VitalsFeed } from '../vitals/feed'
import { parseCharacteristic, toMeasurements } from '../vitals/gatt'
import { buildMonitorModel, defaultLimits } from '../vitals/monitor'
import type { Measurement, Source, VitalKind } from '../vitals/types'
import { toFhirBundle } from './fhir'
import { openRecord } from './record'
import { VALIDATION_TIMEOUT_MS, validateFhirBundle } from './test-fhir-validator'

const T0 = Date.UTC(2026, 0, 5, 9, 0)
const device: Source = { kind: 'device', label: 'Edge device' }
const manual: Source = { kind: 'manual', label: 'Entered by hand' }

/** IEEE 11073 SFLOAT and FLOAT, little-endian: mantissa × 10^exponent. */
const sfloat = (m: number, e = 0) => [m & 0xff, ((e & 0xf) << 4) | ((m >> 8) & 0x0f)]
const float = (m: number, e = 0) => [m & 0xff, (m >> 8) & 0xff, (m >> 16) & 0xff, e & 0xff]

interface Edge {
  name: string
  kind: VitalKind
  /** GATT characteristic and bytes, or a hand entry (respiratory rate has no GATT characteristic). */
  from: { characteristic: number; bytes: number[] } | { manual: Measurement }
  shown: string
  priority: AlarmPriority | null
}

const manualReading = (kind: Exclude<VitalKind, 'blood-pressure'>, value: number): Measurement => ({
  kind,
  value,
  at: 0,
  source: manual,
  quality: 'ok',
})

const EDGES: Edge[] = [
  // Heart rate: the uint16 format carries up to 65,535; physics stops at 350.
  {
    name: 'HR 0 (asystole)',
    kind: 'heart-rate',
    from: { characteristic: 0x2a37, bytes: [0x07, 0, 0] },
    shown: '0',
    priority: 'high',
  },
  {
    name: 'HR 350',
    kind: 'heart-rate',
    from: { characteristic: 0x2a37, bytes: [0x07, 0x5e, 0x01] },
    shown: '350',
    priority: 'high',
  },
  // SpO₂ over the whole scale, as a continuous oximeter sends it (pulse rate 60 beside it).
  {
    name: 'SpO₂ 0 %',
    kind: 'spo2',
    from: { characteristic: 0x2a5f, bytes: [0, ...sfloat(0), ...sfloat(60)] },
    shown: '0',
    priority: 'high',
  },
  {
    name: 'SpO₂ 100 %',
    kind: 'spo2',
    from: { characteristic: 0x2a5f, bytes: [0, ...sfloat(100), ...sfloat(60)] },
    shown: '100',
    priority: null,
  },
  // Respiratory rate: entered by hand, from apnoea to the top of a monitor's range.
  {
    name: 'RR 0 (apnoea)',
    kind: 'respiratory-rate',
    from: { manual: manualReading('respiratory-rate', 0) },
    shown: '0',
    priority: 'high',
  },
  {
    name: 'RR 150',
    kind: 'respiratory-rate',
    from: { manual: manualReading('respiratory-rate', 150) },
    shown: '150',
    priority: 'high',
  },
  // Blood pressure: 400/0 mmHg, and 53.3 kPa (399.8 mmHg, shown whole) from a kPa cuff.
  {
    name: 'BP 400/0 mmHg',
    kind: 'blood-pressure',
    from: { characteristic: 0x2a35, bytes: [0, ...sfloat(400), ...sfloat(0), ...sfloat(133)] },
    shown: '400/0',
    priority: 'high',
  },
  {
    name: 'BP 53.3/6.7 kPa',
    kind: 'blood-pressure',
    from: { characteristic: 0x2a35, bytes: [1, ...sfloat(533, -1), ...sfloat(67, -1), ...sfloat(200, -1)] },
    shown: '400/50',
    priority: 'high',
  },
  // Temperature: 0.0 °C and 122.0 °F (50.0 °C), FLOAT with exponent -1.
  {
    name: 'Temp 0.0 °C',
    kind: 'temperature',
    from: { characteristic: 0x2a1c, bytes: [0, ...float(0, -1)] },
    shown: '0.0',
    priority: 'high',
  },
  {
    name: 'Temp 122.0 °F',
    kind: 'temperature',
    from: { characteristic: 0x2a1c, bytes: [1, ...float(1220, -1)] },
    shown: '50.0',
    priority: 'high',
  },
  // Glucose: 0 mg/dL (kg/L) and 166.5 mmol/L (2,999.7 mg/dL, shown as 3000), capillary blood from a finger.
  {
    name: 'Glucose 0 mg/dL',
    kind: 'glucose',
    from: { characteristic: 0x2a18, bytes: [0x02, 1, 0, 0xea, 0x07, 1, 5, 9, 0, 0, ...sfloat(0, -5), 0x11] },
    shown: '0',
    priority: 'high',
  },
  {
    name: 'Glucose 166.5 mmol/L',
    kind: 'glucose',
    from: {
      characteristic: 0x2a18,
      bytes: [0x06, 2, 0, 0xea, 0x07, 1, 5, 9, 0, 0, ...sfloat(1665, -4), 0x11],
    },
    shown: '3000',
    priority: 'high',
  },
]

function measure(edge: Edge, at: number): Measurement[] {
  if ('manual' in edge.from) return [{ ...edge.from.manual, at }]
  const { characteristic, bytes } = edge.from
  const view = new DataView(Uint8Array.from(bytes).buffer)
  const mapped = toMeasurements(characteristic, parseCharacteristic(characteristic, view), device, at)
  expect(mapped.dropped, edge.name).toEqual([])
  // The vital under test (the oximeter's pulse rate and the glucose meter's own time stamp aside).
  return mapped.measurements.filter((m) => m.kind === edge.kind).map((m) => ({ ...m, at }))
}

describe('readings at the edges of each device format', () => {
  it(
    'reach the monitor, the alarm board, the record and a valid FHIR export',
    async () => {
      const feed = new VitalsFeed()
      const record = openRecord(new IDBFactory(), { flushIntervalMs: 60_000 })
      const callId = await record.startCall({ roomId: 'edges', startedAt: T0, patientName: 'Edge Patient' })
      const log: import('../vitals/alarms').AlarmLogEntry[] = []
      for (const [i, edge] of EDGES.entries()) {
        const at = T0 + i * 1000
        const readings = measure(edge, at)
        expect(readings, edge.name).toHaveLength(1)
        const reading = readings[0] as Measurement
        // Feed and monitor: shown at the unit's resolution.
        expect(feed.receive('p', readings, at), edge.name).toEqual(readings)
        const patient = feed.get('p')
        if (!patient) throw new Error('no patient')
        const tile = buildMonitorModel('Edge', patient, {
          limits: defaultLimits(),
          alarms: {},
          now: at,
        }).tiles.find((t) => t.kind === edge.kind)
        expect(tile?.valueText, edge.name).toBe(edge.shown)
        // A fresh board per reading: the priority on first sight, with nothing before it.
        const board = new AlarmBoard()
        board.onLog((entry) => log.push(entry))
        expect(board.ingest(reading, at)?.priority ?? null, edge.name).toBe(edge.priority)
        record.addMeasurements(callId, readings)
      }
      record.addAlarmEvents(callId, log)
      const loaded = await record.loadCall(callId)
      expect(loaded?.observations).toHaveLength(EDGES.length)
      const bundle = await toFhirBundle(loaded?.call ?? {}, loaded?.observations ?? [], [], [], {
        alarmLog: loaded?.alarmLog ?? [],
      })
      const observations = (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Observation')
      expect(observations).toHaveLength(EDGES.length)
      expect((bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'DetectedIssue')).toHaveLength(
        EDGES.filter((edge) => edge.priority !== null).length,
      )
      const report = await validateFhirBundle(bundle)
      expect(report.errors).toEqual([])
      await record.close()
    },
    VALIDATION_TIMEOUT_MS,
  )

  it('still refuses what no device can validly report: 1e300, a negative pressure, NaN', () => {
    const refused = (characteristic: number, bytes: number[]) =>
      toMeasurements(
        characteristic,
        parseCharacteristic(characteristic, new DataView(Uint8Array.from(bytes).buffer)),
        device,
        T0,
      )
    // SFLOAT 2000 × 10^7 % SpO₂ (the largest the format holds is about 2 × 10^10)
    expect(refused(0x2a5f, [0, ...sfloat(2000, 7), ...sfloat(60)]).dropped[0]).toMatch(
      /not physically possible/,
    )
    // diastolic −10 mmHg
    expect(refused(0x2a35, [0, ...sfloat(120), ...sfloat(-10 & 0xfff), ...sfloat(90)]).dropped[0]).toMatch(
      /not physically possible/,
    )
    // systolic NaN (0x07FF): the cuff says it has no value
    expect(refused(0x2a35, [0, 0xff, 0x07, ...sfloat(80), ...sfloat(90)]).dropped[0]).toMatch(/NaN/)
    const feed = new VitalsFeed()
    expect(feed.receive('p', [{ ...manualReading('heart-rate', 1e300), at: T0 }], T0)).toEqual([])
  })
})
