import { describe, expect, it } from 'vitest'
import { DEFAULT_AUDIO_PAUSE_MS, MAX_AUDIO_PAUSE_MS } from '../vitals/alarms'
import { VitalsFeed } from '../vitals/feed'
import type { Measurement } from '../vitals/types'
import { AlarmBoards } from './alarms'

const T0 = Date.UTC(2026, 0, 1, 9)
const source = { kind: 'device', label: 'Test oximeter' } as const
const lowSpo2: Measurement = { kind: 'spo2', value: 86, at: T0, source, quality: 'ok' }

describe('AlarmBoards.silenceAll', () => {
  it('pauses the tones of every alarm showing and says until when, for the tab and the headset alike', () => {
    const feed = new VitalsFeed()
    const boards = new AlarmBoards(feed)
    feed.receive('patient-a', [lowSpo2], T0)
    const [alarm] = boards.active(T0)
    expect(alarm?.audioPaused).toBe(false)
    expect(boards.silencedUntil(T0)).toBeNull()

    const until = boards.silenceAll(DEFAULT_AUDIO_PAUSE_MS, T0)
    expect(until).toBe(T0 + DEFAULT_AUDIO_PAUSE_MS)
    expect(boards.active(T0 + 1000)[0]?.audioPaused).toBe(true)
    expect(boards.silencedUntil(T0 + 1000)).toBe(until)
    // Over: no countdown left to show.
    expect(boards.silencedUntil(until)).toBeNull()
    boards.dispose()
  })

  it('never promises a longer pause than the boards grant', () => {
    const boards = new AlarmBoards(new VitalsFeed())
    expect(boards.silenceAll(60 * 60_000, T0)).toBe(T0 + MAX_AUDIO_PAUSE_MS)
    boards.dispose()
  })
})
