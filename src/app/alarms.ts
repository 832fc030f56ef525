// Alarms on the clinician's side, no React: one AlarmBoard per participant who shares vitals, fed from the
// remote vitals feed, and the tones (WebAudio, no sound files) for the most urgent unacknowledged alarm.
import {
  type ActiveAlarm,
  ALARM_TONE,
  AlarmBoard,
  type AlarmLogEntry,
  type AlarmPriority,
} from '../vitals/alarms'
import type { MonitorInputs } from '../vitals/monitor'
import type { VitalKind } from '../vitals/types'
import { remoteVitals } from './vitals-feeds'

const boards = new Map<string, AlarmBoard>()
type AlarmLogListener = (peerId: string, entry: AlarmLogEntry) => void
const logListeners = new Set<AlarmLogListener>()

/** Every alarm log entry of every board (the call record keeps them). Returns the unsubscribe function. */
export function onAlarmLog(listener: AlarmLogListener): () => void {
  logListeners.add(listener)
  return () => {
    logListeners.delete(listener)
  }
}

export function boardFor(peerId: string): AlarmBoard {
  let board = boards.get(peerId)
  if (!board) {
    board = new AlarmBoard()
    board.onLog((entry) => {
      for (const listener of logListeners) listener(peerId, entry)
    })
    boards.set(peerId, board)
  }
  return board
}

export function boardsInUse(): [string, AlarmBoard][] {
  return [...boards.entries()].filter(([peerId]) => remoteVitals.get(peerId) !== undefined)
}

remoteVitals.subscribe((peerId, items) => {
  const board = boardFor(peerId)
  // Judged on arrival time, like the panels' staleness: the patient's clock may differ from ours. The reading
  // keeps its own time for the alarm log, which links each alarm to the recorded reading.
  const now = Date.now()
  for (const item of items) board.ingest(item, now)
})

/** Limits and the physiological alarms per vital, as the monitors draw them. */
export function monitorInputs(peerId: string, now: number): MonitorInputs {
  const board = boardFor(peerId)
  const alarms: Partial<Record<VitalKind, AlarmPriority>> = {}
  for (const alarm of board.active(now)) {
    if (!alarm.technical && !alarms[alarm.kind]) alarms[alarm.kind] = alarm.priority
  }
  return { limits: board.limits, alarms, now }
}

export interface ShownAlarm extends ActiveAlarm {
  peerId: string
}

export function activeAlarms(now: number): ShownAlarm[] {
  return boardsInUse().flatMap(([peerId, board]) => board.active(now).map((alarm) => ({ ...alarm, peerId })))
}

// --- Tones -------------------------------------------------------------------------------------------------

let audio: AudioContext | null = null
let lastBurst: { priority: AlarmPriority; at: number } | null = null

function playBurst(priority: AlarmPriority) {
  audio ??= typeof AudioContext === 'undefined' ? null : new AudioContext()
  if (!audio) return
  const tone = ALARM_TONE[priority]
  let t = audio.currentTime + 0.05
  for (let i = 0; i < tone.pulses; i++) {
    const oscillator = audio.createOscillator()
    const gain = audio.createGain()
    // A square wave carries the harmonics the standard asks for (at least four between 300 and 4000 Hz).
    oscillator.type = 'square'
    oscillator.frequency.value = tone.fundamentalHz
    gain.gain.setValueAtTime(0, t)
    gain.gain.linearRampToValueAtTime(0.15, t + 0.01)
    gain.gain.setValueAtTime(0.15, t + tone.pulseMs / 1000 - 0.01)
    gain.gain.linearRampToValueAtTime(0, t + tone.pulseMs / 1000)
    oscillator.connect(gain).connect(audio.destination)
    oscillator.start(t)
    oscillator.stop(t + tone.pulseMs / 1000)
    t += (tone.pulseMs + (tone.gapsMs[i] ?? 0)) / 1000
  }
}

/** Plays the most urgent alarm's burst when it is due (call this a few times a second). */
export function soundAlarms(now: number) {
  let loudest: ActiveAlarm | null = null
  for (const [, board] of boardsInUse()) {
    const candidate = board.shouldSound(now)
    if (candidate && (!loudest || rank(candidate.priority) > rank(loudest.priority))) loudest = candidate
  }
  if (!loudest) {
    lastBurst = null
    return
  }
  const interval = ALARM_TONE[loudest.priority].burstIntervalMs
  const due =
    !lastBurst ||
    rank(loudest.priority) > rank(lastBurst.priority) ||
    (interval !== null && now - lastBurst.at >= interval)
  if (!due) return
  lastBurst = { priority: loudest.priority, at: now }
  playBurst(loudest.priority)
}

function rank(priority: AlarmPriority): number {
  return priority === 'high' ? 3 : priority === 'medium' ? 2 : 1
}
