// The monitor model: what a tile shows for the latest reading, its age or staleness, and its alarm.
import { describe, expect, it } from 'vitest'
import { VitalsFeed } from './feed'
import { buildMonitorModel, defaultLimits, STALE_AFTER_MS } from './monitor'
import type { Measurement } from './types'

const T0 = 1_732_650_000_000
const device = { kind: 'device', label: 'Oximeter' } as const

function model(feed: VitalsFeed, now: number, alarms = {}) {
  const patient = feed.get('p')
  if (!patient) throw new Error('no patient')
  return buildMonitorModel('Pat', patient, { limits: defaultLimits(), alarms, now })
}
const tile = (feed: VitalsFeed, kind: Measurement['kind'], now: number, alarms = {}) =>
  model(feed, now, alarms).tiles.find((t) => t.kind === kind)

describe('buildMonitorModel', () => {
  it('keeps a stale tile’s alarm and marks it stale as well', () => {
    const feed = new VitalsFeed()
    feed.receive('p', [{ kind: 'spo2', value: 84, at: T0, source: device, quality: 'ok' }], T0)
    const later = T0 + STALE_AFTER_MS + 1
    expect(tile(feed, 'spo2', later, { spo2: 'high' })).toMatchObject({
      valueText: '84',
      stale: true,
      alarm: 'high',
    })
  })

  it('shows spot readings with their age and never as stale', () => {
    const feed = new VitalsFeed()
    const cuff = { kind: 'device', label: 'Cuff' } as const
    feed.receive(
      'p',
      [
        { kind: 'blood-pressure', systolic: 120, diastolic: 80, at: T0, source: cuff, quality: 'ok' },
        { kind: 'glucose', value: 99, at: T0, source: cuff, quality: 'ok' },
        { kind: 'spo2', value: 97, at: T0, source: device, quality: 'ok', spot: true },
      ],
      T0,
    )
    const hourLater = T0 + 60 * 60 * 1000
    for (const kind of ['blood-pressure', 'glucose', 'spo2'] as const)
      expect(tile(feed, kind, hourLater)).toMatchObject({ stale: false, ageText: '1 h ago' })
  })

  it('shows a converted value at its unit’s resolution, and the device’s own value beside it', () => {
    const feed = new VitalsFeed()
    feed.receive(
      'p',
      [
        {
          kind: 'glucose',
          value: 99,
          at: T0,
          source: device,
          quality: 'ok',
          sent: { unit: 'mmol/L', values: [5.5] },
        },
        {
          kind: 'blood-pressure',
          systolic: 120,
          diastolic: 80,
          mean: 94,
          at: T0,
          source: device,
          quality: 'ok',
          sent: { unit: 'kPa', values: [16, 10.7, 12.5] },
        },
        { kind: 'temperature', value: 37.94, at: T0, source: device, quality: 'ok' },
      ],
      T0,
    )
    expect(tile(feed, 'glucose', T0)).toMatchObject({ valueText: '99', sentText: '5.5 mmol/L' })
    expect(tile(feed, 'blood-pressure', T0)).toMatchObject({ valueText: '120/80', sentText: '16.0/10.7 kPa' })
    expect(tile(feed, 'temperature', T0)).toMatchObject({ valueText: '37.9', sentText: null })
  })
})
