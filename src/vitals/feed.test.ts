import { describe, expect, it } from 'vitest'
import { ECG_BUFFER_SAMPLES, isPlausible, TREND_SECONDS, trendPoints, VitalsFeed } from './feed'
import type { Measurement } from './types'

const source = { kind: 'simulated', label: 'Simulator (normal)' } as const
const hr = (value: number, at: number): Measurement => ({
  kind: 'heart-rate',
  value,
  at,
  source,
  quality: 'ok',
})

describe('VitalsFeed', () => {
  it('keeps the latest value with its arrival time, a trend, and tells subscribers', () => {
    const feed = new VitalsFeed()
    const heard: number[] = []
    feed.subscribe((_peer, items) => heard.push(items.length))
    feed.receive('p', [hr(70, 1), hr(72, 2)], 1000)
    const track = feed.get('p')?.tracks['heart-rate']
    expect(track?.latest).toMatchObject({ value: 72 })
    expect(track?.receivedAt).toBe(1000)
    expect(trendPoints(track as NonNullable<typeof track>, 1000)).toEqual([
      [1000, 70],
      [1000, 72],
    ])
    expect(heard).toEqual([2])
    expect(feed.get('p')?.version).toBe(1)
  })

  it('drops only physically impossible values (NaN, 1e300, negative) and keeps nothing for them', () => {
    const feed = new VitalsFeed()
    expect(feed.receive('p', [hr(-1, 1), hr(Number.NaN, 1), hr(400, 1), hr(1e300, 1)], 5)).toEqual([])
    expect(feed.get('p')).toBeUndefined()
    const pressure = (systolic: number, diastolic: number): Measurement => ({
      kind: 'blood-pressure',
      systolic,
      diastolic,
      at: 1,
      source,
      quality: 'ok',
    })
    expect(isPlausible(pressure(80, 90))).toBe(false)
    expect(isPlausible(pressure(120, -5))).toBe(false)
    expect(isPlausible(pressure(401, 80))).toBe(false)
  })

  it('keeps extreme but possible values at the edges of each range: they are what alarms are for', () => {
    const feed = new VitalsFeed()
    const edges: Measurement[] = [
      hr(0, 1),
      hr(350, 2),
      { kind: 'spo2', value: 0, at: 1, source, quality: 'ok' },
      { kind: 'respiratory-rate', value: 0, at: 1, source, quality: 'ok' },
      { kind: 'temperature', value: 50, at: 1, source, quality: 'ok' },
      { kind: 'glucose', value: 0, at: 1, source, quality: 'ok' },
      { kind: 'blood-pressure', systolic: 400, diastolic: 0, at: 1, source, quality: 'ok' },
    ]
    expect(feed.receive('p', edges, 5)).toEqual(edges)
    expect(feed.get('p')?.tracks.spo2.latest).toMatchObject({ value: 0 })
  })

  it('trend keeps 5 minutes and drops older points', () => {
    const feed = new VitalsFeed()
    for (let s = 0; s < TREND_SECONDS + 50; s++) feed.receive('p', [hr(60 + (s % 10), s * 1000)], s * 1000)
    const track = feed.get('p')?.tracks['heart-rate']
    if (!track) throw new Error('no track')
    const now = (TREND_SECONDS + 49) * 1000
    const points = trendPoints(track, now)
    expect(points).toHaveLength(TREND_SECONDS)
    expect(points[0]?.[0]).toBe(50 * 1000)
    expect(trendPoints(track, now, 10_000)).toHaveLength(11)
  })

  it('appends ECG lead 0 to a ring buffer and marks a stop', () => {
    const feed = new VitalsFeed()
    const samples = Int16Array.from({ length: 200 }, (_, i) => i)
    const frame = {
      kind: 'waveform',
      stream: 0,
      seq: 1,
      capturedAt: 0,
      sampleRateHz: 250,
      leads: 2,
      scale: 1,
      samples,
    } as const
    for (let i = 0; i < 30; i++) feed.receiveEcg('p', frame, 10 + i)
    const strip = feed.get('p')?.ecg
    expect(strip?.written).toBe(30 * 100)
    expect(strip?.samples[(3000 - 1) % ECG_BUFFER_SAMPLES]).toBe(198)
    feed.stop('p', 99)
    expect(feed.get('p')?.stoppedAt).toBe(99)
    feed.receive('p', [hr(70, 1)], 100)
    expect(feed.get('p')?.stoppedAt).toBeNull()
  })
})
