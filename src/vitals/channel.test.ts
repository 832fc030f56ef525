// The vitals channel's rules about what it takes: only the patient's vitals, only dated near now.
import { describe, expect, it } from 'vitest'
import { createVitalsChannel, MAX_VITALS_CLOCK_SKEW_MS } from './channel'
import { VitalsFeed } from './feed'
import type { Measurement } from './types'
import { ECG_STREAM } from './wire'

const NOW = Date.UTC(2026, 0, 1, 12)
const source = { kind: 'device', label: 'Cuff' } as const
const hr = (value: number, at: number): Measurement => ({
  kind: 'heart-rate',
  value,
  at,
  source,
  quality: 'ok',
})
const patient = { peerId: 'pat', role: 'patient' }
const ecg = (capturedAt: number) => ({
  kind: 'waveform',
  stream: ECG_STREAM,
  seq: 1,
  capturedAt,
  scale: 1,
  sampleRateHz: 250,
  leads: 1,
  samples: new Int16Array([1, 2, 3]),
})

function setUp() {
  const feed = new VitalsFeed()
  const channel = createVitalsChannel(feed, () => null)
  const recorded = { numerics: [] as number[], ecg: [] as number[] }
  feed.subscribe((_peer, items) => recorded.numerics.push(...items.map((m) => m.at)))
  feed.subscribeEcg((_peer, _batch, capturedAt) => recorded.ecg.push(capturedAt))
  return { feed, channel, recorded }
}

describe('vitals channel', () => {
  it('drops readings and ECG dated more than a day from our clock, keeps the rest of the message', () => {
    const { feed, channel, recorded } = setUp()
    const day = MAX_VITALS_CLOCK_SKEW_MS
    channel.messages.vitals(
      { items: [hr(70, 1e300), hr(71, NOW - day - 1), hr(72, NOW - day), hr(73, NOW + day)] },
      patient,
      NOW,
    )
    expect(recorded.numerics).toEqual([NOW - day, NOW + day])
    expect(feed.get('pat')?.tracks['heart-rate'].latest).toMatchObject({ value: 73 })
    // Only far-off dates: nothing at all reaches the feed, the alarms or the record.
    channel.messages.vitals({ items: [hr(40, NOW + day + 1)] }, patient, NOW)
    expect(recorded.numerics).toHaveLength(2)

    expect(channel.frame(ecg(1e300), patient, NOW)).toBe(true)
    expect(channel.frame(ecg(NOW - 400), patient, NOW)).toBe(true)
    expect(recorded.ecg).toEqual([NOW - 400])
  })

  it('takes vitals only from the patient role: another role’s are claimed and dropped, never recorded', () => {
    const { feed, channel, recorded } = setUp()
    const specialist = { peerId: 'sam', role: 'specialist' }
    channel.messages.vitals({ items: [hr(38, NOW)] }, specialist, NOW)
    expect(channel.frame(ecg(NOW), specialist, NOW)).toBe(true)
    channel.messages['vitals-stopped']({}, specialist, NOW)
    expect(feed.peers()).toEqual([])
    expect(recorded).toEqual({ numerics: [], ecg: [] })
  })
})
