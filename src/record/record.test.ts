import 'fake-indexeddb/auto'
import Dexie from 'dexie'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type Annotation,
  applyAnnotationOp,
  applyAnnotationOps,
  createAnnotationState,
  materialize,
  type Placement,
  type Vec3,
} from '../annotations/model'
import {
  ALICE,
  addOp,
  arrowShape,
  BOB,
  clearOp,
  deleteOp,
  pinShape,
  strokeShape,
  updateOp,
} from '../annotations/test-ops'
import type { Measurement, Source } from '../vitals/types'
import { type CallMeta, openRecord, RECORD_DB_NAME, roomLabel, type VitalsRecord } from './record'

const device: Source = { kind: 'device', label: 'Polar H10 A1B2C3' }
const simulator: Source = { kind: 'simulated', label: 'Simulator (desaturation)' }
const T0 = Date.UTC(2026, 10, 26, 22, 47)
const ROOM_ID = 'Zk3v9QpL2mX8rT1wYb5nHA'

const meta = (startedAt: number, patientName = 'Ada Patient'): CallMeta => ({
  roomId: ROOM_ID,
  startedAt,
  patientName,
  clinicianName: 'Dr Grace',
  participants: [
    { name: 'Dr Grace', role: 'clinician' },
    { name: patientName, role: 'patient' },
  ],
})

const heartRate = (at: number, value: number, source = device): Measurement => ({
  kind: 'heart-rate',
  at,
  value,
  source,
  quality: 'ok',
})

let open: VitalsRecord[] = []
/** A fresh, empty IndexedDB per test, and a long flush interval so only the test decides when to write. */
function fresh(options: Parameters<typeof openRecord>[1] = {}) {
  const record = openRecord(new IDBFactory(), { flushIntervalMs: 60_000, ...options })
  open.push(record)
  return record
}
afterEach(async () => {
  await Promise.all(open.map((record) => record.close()))
  open = []
})

describe('vitals record', () => {
  it('gives back a call with its measurements and ECG exactly as they were recorded', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const measurements: Measurement[] = [
      heartRate(T0 + 1000, 72),
      { kind: 'spo2', at: T0 + 1500, value: 97, source: simulator, quality: 'questionable' },
      {
        kind: 'blood-pressure',
        at: T0 + 2000,
        systolic: 121,
        diastolic: 79,
        mean: 93,
        source: { kind: 'manual', label: 'Entered by hand' },
        quality: 'ok',
      },
      { kind: 'temperature', at: T0 + 500, value: 36.8, source: device, quality: 'ok' },
    ]
    record.addMeasurements(callId, measurements)
    // A view into a larger buffer, as a decoded network frame gives: only the view's samples are kept.
    const frame = new Int16Array([9, 9, -120, 0, 850, 32767, -32768, 9])
    record.addEcg(callId, T0 + 1000, frame.subarray(2, 7), device)
    record.addEcg(callId, T0 + 1020, new Int16Array([1, 2, 3]), device)
    await record.endCall(callId, T0 + 60_000)

    const loaded = await record.loadCall(callId)
    expect(loaded?.call).toMatchObject({
      id: callId,
      startedAt: T0,
      endedAt: T0 + 60_000,
      patientName: 'Ada Patient',
      clinicianName: 'Dr Grace',
      participants: [
        { name: 'Dr Grace', role: 'clinician' },
        { name: 'Ada Patient', role: 'patient' },
      ],
      observationCount: 4,
      ecgSampleCount: 8,
    })
    // Oldest first, every field intact (the source and quality included).
    expect(loaded?.observations).toEqual([...measurements].sort((a, b) => a.at - b.at))
    expect(loaded?.ecg).toHaveLength(2)
    expect(loaded?.ecg[0]).toMatchObject({ at: T0 + 1000, sampleRateHz: 250, source: device })
    expect(Array.from(loaded?.ecg[0]?.samples ?? [])).toEqual([-120, 0, 850, 32767, -32768])
    expect(loaded?.ecg[0]?.samples).toBeInstanceOf(Int16Array)
    expect(loaded?.ecg[0]?.samples.buffer.byteLength).toBe(10)
    expect(Array.from(loaded?.ecg[1]?.samples ?? [])).toEqual([1, 2, 3])
  })

  it('keeps a short hash of the room id, never the room id itself', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const { call } = (await record.loadCall(callId)) ?? {}
    expect(call?.roomLabel).toMatch(/^[0-9a-f]{8}$/)
    expect(call?.roomLabel).toBe(await roomLabel(ROOM_ID))
    expect(JSON.stringify(call)).not.toContain(ROOM_ID)
  })

  it('lists calls newest first, with their counts', async () => {
    const record = fresh()
    const middle = await record.startCall(meta(T0 + 3_600_000, 'B'))
    const oldest = await record.startCall(meta(T0, 'A'))
    const newest = await record.startCall(meta(T0 + 7_200_000, 'C'))
    record.addMeasurements(middle, [heartRate(T0 + 3_600_100, 70), heartRate(T0 + 3_600_200, 71)])
    record.addEcg(newest, T0 + 7_200_100, new Int16Array(250), device)
    await record.flush()

    const calls = await record.listCalls()
    expect(calls.map((c) => c.id)).toEqual([newest, middle, oldest])
    expect(calls.map((c) => [c.patientName, c.observationCount, c.ecgSampleCount])).toEqual([
      ['C', 0, 250],
      ['B', 2, 0],
      ['A', 0, 0],
    ])
  })

  it('stores the same measurement once, within a batch and across batches', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const a = heartRate(T0 + 1000, 72)
    record.addMeasurements(callId, [
      a,
      { ...a },
      heartRate(T0 + 1000, 72, simulator),
      heartRate(T0 + 2000, 73),
    ])
    await record.flush()
    // Resent after a reconnect: the same kind, time and source.
    record.addMeasurements(callId, [{ ...a }, heartRate(T0 + 2000, 73), heartRate(T0 + 3000, 74)])
    record.addEcg(callId, T0, new Int16Array([1, 2]), device)
    record.addEcg(callId, T0, new Int16Array([1, 2]), device)
    await record.flush()
    record.addEcg(callId, T0, new Int16Array([1, 2]), device)
    await record.flush()

    const loaded = await record.loadCall(callId)
    // The simulator's reading at the same time is another measurement, not a duplicate.
    expect(loaded?.observations.map((m) => [m.at - T0, m.source.kind])).toEqual([
      [1000, 'device'],
      [1000, 'simulated'],
      [2000, 'device'],
      [3000, 'device'],
    ])
    expect(loaded?.call.observationCount).toBe(4)
    expect(loaded?.ecg).toHaveLength(1)
    expect(loaded?.call.ecgSampleCount).toBe(2)
  })

  it('deletes a call with all its data, including what was still queued, and leaves the others', async () => {
    const record = fresh()
    const keep = await record.startCall(meta(T0))
    const gone = await record.startCall(meta(T0 + 1000))
    record.addMeasurements(keep, [heartRate(T0 + 10, 60)])
    record.addMeasurements(gone, [heartRate(T0 + 1010, 61)])
    record.addEcg(gone, T0 + 1010, new Int16Array([5, 6]), device)
    await record.flush()
    record.addMeasurements(gone, [heartRate(T0 + 1020, 62)])
    await record.deleteCall(gone)
    // Data for a deleted call that arrives late is dropped, not orphaned.
    record.addMeasurements(gone, [heartRate(T0 + 1030, 63)])
    await record.flush()

    expect(await record.loadCall(gone)).toBeUndefined()
    expect((await record.listCalls()).map((c) => c.id)).toEqual([keep])
    expect((await record.loadCall(keep))?.observations).toHaveLength(1)
  })

  it('batches writes: nothing is written before the interval or the item limit', async () => {
    const record = fresh({ flushIntervalMs: 50, maxBatch: 200 })
    const callId = await record.startCall(meta(T0))
    record.addMeasurements(
      callId,
      Array.from({ length: 150 }, (_, i) => heartRate(T0 + i, 70)),
    )
    expect(record.pending).toBe(150)
    expect((await record.listCalls())[0]?.observationCount).toBe(0)
    // The interval passes: one write of everything queued.
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(record.pending).toBe(0)
    expect((await record.listCalls())[0]?.observationCount).toBe(150)

    const slow = fresh({ flushIntervalMs: 60_000, maxBatch: 200 })
    const slowCall = await slow.startCall(meta(T0))
    slow.addMeasurements(
      slowCall,
      Array.from({ length: 199 }, (_, i) => heartRate(T0 + i, 70)),
    )
    expect(slow.pending).toBe(199)
    // The 200th item writes at once instead of waiting a minute.
    slow.addEcg(slowCall, T0, new Int16Array(100), device)
    expect(slow.pending).toBe(0)
    const [listed] = await slow.listCalls()
    expect([listed?.observationCount, listed?.ecgSampleCount]).toEqual([199, 100])
  })

  it('reports a background write that fails instead of throwing into the caller', async () => {
    const errors: unknown[] = []
    const record = fresh({ flushIntervalMs: 10, onError: (error) => errors.push(error) })
    const callId = await record.startCall(meta(T0))
    // A label that cannot be stored (structured clone refuses functions): the transaction aborts.
    const unstorable = { kind: 'device', label: (() => 'x') as unknown as string } as const
    record.addMeasurements(callId, [heartRate(T0 + 5, 70, unstorable)])
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(errors).toHaveLength(1)
    // The record still works afterwards.
    record.addMeasurements(callId, [heartRate(T0, 70)])
    await record.flush()
    expect((await record.loadCall(callId))?.observations).toHaveLength(1)
  })

  it('ignores measurements that cannot be placed in time or have no number', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    record.addMeasurements(callId, [heartRate(Number.NaN, 70), heartRate(T0, Number.POSITIVE_INFINITY)])
    record.addEcg(callId, Number.NaN, new Int16Array([1]), device)
    expect(record.pending).toBe(0)
    record.addMeasurements(callId, [heartRate(T0, 70)])
    expect(record.pending).toBe(1)
  })
})

describe('annotations in the record', () => {
  // Poses and points that a float32 round trip or a JSON detour would change: the record must not.
  const anchored: Placement = {
    frame: 'anchor',
    anchorId: 'anchor-7f3a',
    position: [0.1 + 0.2, 1.000_000_000_000_000_2, -Math.E],
    orientation: [0, 0.382_683_432_365_089_8, 0, 0.923_879_532_511_286_7],
  }
  const onPlane: Placement = {
    frame: 'plane',
    planeId: 'table-top',
    position: [-0.45, 0.72, -1.3],
    orientation: [0.5, 0.5, -0.5, 0.5],
  }
  const firstPoints: Vec3[] = [
    [Number.MIN_VALUE, 1e-17, -99.999_999_999_999],
    [0.123_456_789_012_345_66, 1.5, -1],
    [0.3, 1.5, -1.000_000_1],
  ]
  const morePoints: Vec3[] = [
    [0.35, 1.51, -1.01],
    [0.4, 1.52, -1.02],
  ]
  const stroke = addOp(ALICE, 1, 1, strokeShape(firstPoints, 0.004), { placement: anchored })
  const pin = addOp(BOB, 1, 2, pinShape('=HYPERLINK("x") valve ⚠'), { placement: onPlane, approximate: true })
  const arrow = addOp(ALICE, 2, 3, arrowShape())

  const states = () => {
    const drawn = applyAnnotationOps(createAnnotationState(), [stroke, pin, arrow])
    const grown = applyAnnotationOps(drawn, [updateOp(ALICE, 3, stroke, 3, morePoints)])
    const withoutPin = applyAnnotationOp(grown, deleteOp(BOB, 2, pin))
    return { drawn, grown, withoutPin }
  }

  it('gives back every annotation exactly, with its pose, its stroke points and when it was shown', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const { drawn, grown, withoutPin } = states()
    record.saveAnnotations(callId, materialize(drawn), T0 + 1000)
    await record.flush()
    // The stroke grows, then the pin is deleted: the stroke's row is rewritten, the pin's row is marked.
    record.saveAnnotations(callId, materialize(grown), T0 + 2000)
    record.saveAnnotations(callId, materialize(withoutPin), T0 + 3000)
    await record.endCall(callId, T0 + 60_000)

    const loaded = await record.loadCall(callId)
    const [shownStroke, , shownArrow] = materialize(grown)
    const shownPin = materialize(drawn)[1]
    expect(loaded?.annotations).toEqual([
      { ...shownStroke, seenAt: T0 + 1000 },
      { ...shownPin, seenAt: T0 + 1000, removedAt: T0 + 3000 },
      { ...shownArrow, seenAt: T0 + 1000 },
    ])
    const saved = loaded?.annotations[0]
    expect(saved?.placement).toEqual(anchored)
    expect(saved?.shape).toEqual({ type: 'stroke', width: 0.004, points: [...firstPoints, ...morePoints] })
    // Bit for bit, not just close: the first x is the smallest double there is.
    expect(Object.is(saved?.shape.type === 'stroke' && saved.shape.points[0]?.[0], Number.MIN_VALUE)).toBe(
      true,
    )
    expect(loaded?.annotations[1]).toMatchObject({ placement: onPlane, approximate: true })
    expect(loaded?.annotations.map((a) => 'callId' in a)).toEqual([false, false, false])
    expect(loaded?.call.annotationCount).toBe(3)
  })

  it('writes only what changed since the last write', async () => {
    const factory = new IDBFactory()
    const record = openRecord(factory, { flushIntervalMs: 60_000 })
    open.push(record)
    const callId = await record.startCall(meta(T0))
    const { drawn, grown } = states()
    record.saveAnnotations(callId, materialize(drawn), T0 + 1000)
    await record.flush()

    // Behind the record's back, change the stored arrow: if the next flush rewrote unchanged rows, it would be
    // put back.
    // Opened without a schema of its own (Dexie reads the one on disk), so it cannot change the database's.
    const raw = await new Dexie(RECORD_DB_NAME, { indexedDB: factory, IDBKeyRange }).open()
    await raw.table('annotations').update([callId, arrow.id], { authorName: 'left alone' })

    // A new state with new objects for every annotation, but only the stroke has new points.
    record.saveAnnotations(callId, materialize(grown), T0 + 2000)
    await record.flush()
    const rows = await raw.table('annotations').where('callId').equals(callId).toArray()
    raw.close()
    const byId = new Map(rows.map((row) => [row.id, row]))
    expect(byId.get(arrow.id)?.authorName).toBe('left alone')
    expect(byId.get(stroke.id)?.shape.points).toHaveLength(5)

    // Nothing changed at all: no write, so a failing database would not even notice.
    record.saveAnnotations(callId, materialize(grown), T0 + 3000)
    await expect(record.flush()).resolves.toBeUndefined()
  })

  it('keeps an annotation that was added and removed between two writes, and one cleared with the rest', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const { drawn } = states()
    const brief = addOp(BOB, 5, 4, pinShape('here'))
    const withBrief = applyAnnotationOp(drawn, brief)
    record.saveAnnotations(callId, materialize(withBrief), T0 + 1000)
    record.saveAnnotations(
      callId,
      materialize(applyAnnotationOp(withBrief, deleteOp(BOB, 6, brief))),
      T0 + 1200,
    )
    const cleared = applyAnnotationOp(withBrief, clearOp(ALICE, 7, 5))
    record.saveAnnotations(callId, materialize(cleared), T0 + 1500)
    await record.flush()

    const loaded = await record.loadCall(callId)
    expect(loaded?.annotations.map((a) => [a.id, a.seenAt - T0, (a.removedAt ?? 0) - T0])).toEqual([
      [stroke.id, 1000, 1500],
      [pin.id, 1000, 1500],
      [arrow.id, 1000, 1500],
      [brief.id, 1000, 1200],
    ])
    expect(loaded?.call.annotationCount).toBe(4)
  })

  it('writes at most once per interval, whatever the number of changes', async () => {
    const record = fresh({ flushIntervalMs: 50 })
    const callId = await record.startCall(meta(T0))
    let state = applyAnnotationOp(createAnnotationState(), stroke)
    for (let i = 0; i < 40; i++) {
      state = applyAnnotationOp(state, updateOp(ALICE, 10 + i, stroke, 3 + i, [[i / 100, 1, -1]]))
      record.saveAnnotations(callId, materialize(state), T0 + i * 50)
    }
    expect((await record.listCalls())[0]?.annotationCount).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 120))
    const loaded = await record.loadCall(callId)
    expect(loaded?.annotations).toHaveLength(1)
    expect(
      loaded?.annotations[0]?.shape.type === 'stroke' && loaded.annotations[0].shape.points,
    ).toHaveLength(43)
    expect(loaded?.annotations[0]?.seenAt).toBe(T0)
  })

  it('deletes a call’s annotations with the call, and leaves the other calls’', async () => {
    const factory = new IDBFactory()
    const record = openRecord(factory, { flushIntervalMs: 60_000 })
    open.push(record)
    const keep = await record.startCall(meta(T0))
    const gone = await record.startCall(meta(T0 + 1000))
    const { drawn } = states()
    record.saveAnnotations(keep, materialize(drawn), T0 + 10)
    record.saveAnnotations(gone, materialize(drawn), T0 + 1010)
    await record.flush()
    await record.deleteCall(gone)
    // A late list for the deleted call is dropped, not orphaned.
    record.saveAnnotations(gone, materialize(drawn), T0 + 1020)
    await record.flush()

    expect(await record.loadCall(gone)).toBeUndefined()
    expect((await record.loadCall(keep))?.annotations).toHaveLength(3)
    const raw = await new Dexie(RECORD_DB_NAME, { indexedDB: factory, IDBKeyRange }).open()
    expect(await raw.table('annotations').where('callId').equals(gone).count()).toBe(0)
    raw.close()
  })

  it('reports a failed write, does not retry it, and writes what changes afterwards', async () => {
    const errors: unknown[] = []
    const record = fresh({ flushIntervalMs: 10, onError: (error) => errors.push(error) })
    const callId = await record.startCall(meta(T0))
    const shown = materialize(states().drawn)
    const [shownStroke, shownPin, shownArrow] = shown
    if (!shownStroke || !shownPin || !shownArrow) throw new Error('three annotations expected')
    // A pin whose label cannot be stored (structured clone refuses functions): the whole transaction aborts.
    const unstorable: Annotation = {
      ...shownPin,
      shape: { type: 'pin', position: [0, 0, 0], label: (() => 'x') as unknown as string },
    }
    record.saveAnnotations(callId, [shownStroke, unstorable, shownArrow], T0 + 1000)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(errors).toHaveLength(1)
    // Not tried again on every flush: readings share the transaction and would be lost with it.
    record.addMeasurements(callId, [heartRate(T0 + 1500, 70)])
    const afterFailure = await record.loadCall(callId)
    expect(afterFailure?.annotations).toEqual([])
    expect(afterFailure?.observations).toHaveLength(1)

    // The pin changes (here: becomes storable), so it is written, with the time it was first shown.
    record.saveAnnotations(callId, shown, T0 + 2000)
    await record.flush()
    expect((await record.loadCall(callId))?.annotations).toEqual([{ ...shownPin, seenAt: T0 + 1000 }])
    expect(errors).toHaveLength(1)
  })

  it('keeps calls recorded by version 1 of the database, which get no annotations and no alarm log', async () => {
    const factory = new IDBFactory()
    // Version 1 as it shipped, written out here rather than imported: this is what browsers hold.
    const v1 = new Dexie(RECORD_DB_NAME, { indexedDB: factory, IDBKeyRange })
    v1.version(1).stores({
      calls: 'id, startedAt',
      observations: '++id, callId, [callId+at], &[callId+key]',
      ecg: '++id, callId, [callId+at]',
    })
    const oldCall = {
      id: 'old-call',
      roomLabel: 'a1b2c3d4',
      startedAt: T0,
      endedAt: T0 + 600_000,
      patientName: 'Ada Patient',
      participants: [{ name: 'Dr Grace', role: 'clinician' }],
      observationCount: 1,
      ecgSampleCount: 3,
    }
    await v1.table('calls').add(oldCall)
    await v1.table('observations').add({
      callId: 'old-call',
      kind: 'heart-rate',
      at: T0 + 1000,
      values: [72],
      unit: '/min',
      source: device,
      quality: 'ok',
      key: `heart-rate|${T0 + 1000}|device|${device.label}`,
    })
    await v1.table('ecg').add({
      callId: 'old-call',
      at: T0 + 1000,
      sampleRateHz: 250,
      samples: new Int16Array([1, -2, 3]),
      source: device,
    })
    v1.close()

    const record = openRecord(factory, { flushIntervalMs: 60_000 })
    open.push(record)
    const [old] = await record.listCalls()
    // Every field as it was, and the counts of annotations and alarm log entries added by the upgrades.
    expect(old).toEqual({ ...oldCall, annotationCount: 0, alarmEventCount: 0 })
    const loaded = await record.loadCall('old-call')
    expect(loaded?.observations).toEqual([heartRate(T0 + 1000, 72)])
    expect(Array.from(loaded?.ecg[0]?.samples ?? [])).toEqual([1, -2, 3])
    expect(loaded?.annotations).toEqual([])
    expect(loaded?.alarmLog).toEqual([])

    // And the upgraded database records annotations, for new calls and old.
    const { drawn } = states()
    record.saveAnnotations('old-call', materialize(drawn), T0 + 2000)
    await record.flush()
    expect((await record.listCalls())[0]?.annotationCount).toBe(3)
  })
})

describe('issue 12 in the record', () => {
  it('keeps what a reading said beyond its value: reasons, spot, the device’s own value, site, specimen, device', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const meter: Source = { kind: 'device', label: 'Meter', device: { manufacturer: 'Acme', serial: 'S1' } }
    const readings: Measurement[] = [
      {
        kind: 'glucose',
        at: T0 + 1000,
        value: 99,
        source: meter,
        quality: 'questionable',
        questionableBecause: ['the sample was too small'],
        spot: true,
        sent: { unit: 'mmol/L', values: [5.5] },
        specimen: 'capillary-whole-blood',
      },
      {
        kind: 'temperature',
        at: T0 + 2000,
        value: 37,
        source: device,
        quality: 'ok',
        site: 'tympanum',
        sent: { unit: '[degF]', values: [98.6] },
      },
    ]
    record.addMeasurements(callId, readings)
    expect((await record.loadCall(callId))?.observations).toEqual(readings)
  })

  it('keeps the alarm log of the call, oldest first, and counts it', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    const other = await record.startCall(meta(T0 + 1))
    record.addAlarmEvents(callId, [
      { at: T0 + 2000, event: 'acknowledged', kind: 'spo2', alarmId: 'spo2-1', message: 'SpO₂ low: 84 %' },
      {
        at: T0 + 1000,
        event: 'raised',
        kind: 'spo2',
        alarmId: 'spo2-1',
        priority: 'high',
        condition: 'low',
        message: 'SpO₂ low: 84 % (limit 90 %)',
        value: 84,
        measuredAt: T0 + 900,
        limit: 90,
      },
      { at: Number.NaN, event: 'cleared', message: 'ignored: no time' },
    ])
    record.addAlarmEvents(other, [{ at: T0, event: 'settings', message: 'Alarm profile: Adult.' }])
    const loaded = await record.loadCall(callId)
    expect(loaded?.alarmLog.map((e) => e.event)).toEqual(['raised', 'acknowledged'])
    expect(loaded?.alarmLog[0]).toMatchObject({ value: 84, measuredAt: T0 + 900, priority: 'high' })
    expect(loaded?.call.alarmEventCount).toBe(2)
    await record.deleteCall(callId)
    expect((await record.loadCall(other))?.alarmLog).toHaveLength(1)
  })

  it('keeps the patient identifier the clinician enters, and removes it when cleared', async () => {
    const record = fresh()
    const callId = await record.startCall(meta(T0))
    await record.setPatientIdentifier(callId, { value: '  MRN-004711 ', system: 'urn:oid:1.2.3.4' })
    expect((await record.loadCall(callId))?.call.patientIdentifier).toEqual({
      value: 'MRN-004711',
      system: 'urn:oid:1.2.3.4',
    })
    await expect(record.setPatientIdentifier(callId, { value: 'x', system: 'not a uri' })).rejects.toThrow(
      /absolute URI/,
    )
    await expect(record.setPatientIdentifier(callId, { value: '9'.repeat(65) })).rejects.toThrow(/longer/)
    await record.setPatientIdentifier(callId, { value: ' ' })
    expect((await record.loadCall(callId))?.call.patientIdentifier).toBeUndefined()
  })
})
