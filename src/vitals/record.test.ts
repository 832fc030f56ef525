import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import { type CallMeta, openRecord, roomLabel, type VitalsRecord } from './record'
import type { Measurement, Source } from './types'

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
