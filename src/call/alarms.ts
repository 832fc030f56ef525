// Alarms on the clinician's side for one call, no React: one AlarmBoard per participant who shares vitals, fed
// from the call's remote vitals feed. The tones are the page's (src/app/alarm-tones.ts).
import {
  type ActiveAlarm,
  AlarmBoard,
  type AlarmLogEntry,
  type AlarmPriority,
  MAX_AUDIO_PAUSE_MS,
} from '../vitals/alarms'
import type { VitalsFeed } from '../vitals/feed'
import type { MonitorInputs } from '../vitals/monitor'
import type { VitalKind } from '../vitals/types'

export interface ShownAlarm extends ActiveAlarm {
  peerId: string
}

export class AlarmBoards {
  private readonly boards = new Map<string, AlarmBoard>()
  private readonly unsubscribe: () => void
  private readonly logListeners = new Set<(peerId: string, entry: AlarmLogEntry) => void>()
  /** Until when the last `silenceAll` paused the tones, ms since the epoch. */
  private pausedUntil = Number.NEGATIVE_INFINITY

  constructor(private readonly feed: VitalsFeed) {
    this.unsubscribe = feed.subscribe((peerId, items) => {
      const board = this.boardFor(peerId)
      // Judged on arrival time, like the panels' staleness: the patient's clock may differ from ours. The reading
      // keeps its own time for the alarm log, which links each alarm to the recorded reading.
      const now = Date.now()
      for (const item of items) board.ingest(item, now)
    })
  }

  boardFor(peerId: string): AlarmBoard {
    let board = this.boards.get(peerId)
    if (!board) {
      board = new AlarmBoard()
      board.onLog((entry) => {
        for (const listener of this.logListeners) listener(peerId, entry)
      })
      this.boards.set(peerId, board)
    }
    return board
  }

  /** The boards of participants who share vitals now. */
  inUse(): [string, AlarmBoard][] {
    return [...this.boards.entries()].filter(([peerId]) => this.feed.get(peerId) !== undefined)
  }

  /** Limits and the physiological alarms per vital, as the monitors draw them. */
  monitorInputs(peerId: string, now: number): MonitorInputs {
    const board = this.boardFor(peerId)
    const alarms: Partial<Record<VitalKind, AlarmPriority>> = {}
    for (const alarm of board.active(now)) {
      if (!alarm.technical && !alarms[alarm.kind]) alarms[alarm.kind] = alarm.priority
    }
    return { limits: board.limits, alarms, now }
  }

  active(now: number): ShownAlarm[] {
    return this.inUse().flatMap(([peerId, board]) => board.active(now).map((alarm) => ({ ...alarm, peerId })))
  }

  /**
   * Pauses the tones of every alarm showing now, on every board, for `ms` (the DOM's and the headset's _Silence
   * 2 min_): returns until when. Kept here, not in a view, so that a silence asked for in the headset shows its
   * countdown in the tab and the other way round.
   */
  silenceAll(ms: number, now: number): number {
    for (const [, board] of this.inUse()) board.silence(ms, now)
    // The same clamp as each board's: a longer silence than the boards grant must not show a longer countdown.
    this.pausedUntil = now + Math.max(0, Math.min(MAX_AUDIO_PAUSE_MS, ms))
    return this.pausedUntil
  }

  /** Until when the tones are paused by `silenceAll`, or null when they are not (any more). */
  silencedUntil(now: number): number | null {
    return now < this.pausedUntil ? this.pausedUntil : null
  }

  /** Every alarm log entry of every board (the call record keeps them). Returns the unsubscribe function. */
  onLog(listener: (peerId: string, entry: AlarmLogEntry) => void): () => void {
    this.logListeners.add(listener)
    return () => {
      this.logListeners.delete(listener)
    }
  }

  /** The participant left: their board goes with them. */
  remove(peerId: string) {
    this.boards.delete(peerId)
  }

  dispose() {
    this.unsubscribe()
    this.logListeners.clear()
    this.boards.clear()
  }
}
