// The alarm tones (WebAudio, no sound files) for the most urgent unacknowledged alarm of the call's boards. The
// audio context is the page's: browsers allow one to start only after a user gesture, which joining was.
import type { AlarmBoards } from '../call/alarms'
import { type ActiveAlarm, ALARM_TONE, type AlarmPriority } from '../vitals/alarms'

let audio: AudioContext | null = null

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

/** One call's tones: when the last burst went, so the next one comes on time. */
export function createAlarmTones() {
  let lastBurst: { priority: AlarmPriority; at: number } | null = null
  /** Plays the most urgent alarm's burst when it is due (call this a few times a second). */
  return function soundAlarms(boards: AlarmBoards, now: number) {
    let loudest: ActiveAlarm | null = null
    for (const [, board] of boards.inUse()) {
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
}

function rank(priority: AlarmPriority): number {
  return priority === 'high' ? 3 : priority === 'medium' ? 2 : 1
}
