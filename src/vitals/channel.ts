// Vitals as a channel of the call: the patient's numerics (`vitals`, about 1 Hz), `vitals-stopped`, and the ECG as
// binary waveform frames on ECG_STREAM. What arrives goes into the call's remote VitalsFeed; what we share goes
// out through the call's port. Typed by shape, so this folder never imports the network layer.
import type { VitalsFeed } from './feed'
import type { EcgBatch, Measurement } from './types'
import { ECG_STREAM } from './wire'

/** How many readings one `vitals` message carries at most (its schema's limit). */
const MAX_READINGS_PER_MESSAGE = 20
/**
 * A reading or an ECG batch dated further than this from our clock is dropped, ms: a day covers any clock skew
 * between two devices in one consultation, and keeps every date the monitor, the alarms and the record are given
 * one a formatter and an export can hold (a reading dated 1e300 once made both exports of its call fail).
 */
export const MAX_VITALS_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000

/** Whether `at` (ms since the epoch, by the sender's clock) is within a day of our `now`. */
export function isNearNow(at: number, now: number): boolean {
  return Number.isFinite(at) && Math.abs(at - now) <= MAX_VITALS_CLOCK_SKEW_MS
}

type VitalsMessage = { type: 'vitals'; items: Measurement[] } | { type: 'vitals-stopped' }
/** An ECG frame as the call carries it. */
export type EcgFrame = EcgBatch & { kind: 'waveform'; stream: number; capturedAt: number; scale: number }
interface Sender {
  peerId: string
  /** Proven by their invite's credential. */
  role: string
}

/** Vitals are the patient's: only a participant whose invite proves the patient role is taken as their source. */
function sharesVitals(role: string): boolean {
  return role === 'patient'
}

export interface VitalsChannelPort {
  broadcast(message: VitalsMessage): void
  broadcastFrame(frame: EcgFrame): void
}

export function createVitalsChannel(remote: VitalsFeed, port: () => VitalsChannelPort | null) {
  return {
    messages: {
      vitals: (message: { items: Measurement[] }, from: Sender, now: number) => {
        if (!sharesVitals(from.role)) return
        const items = message.items.filter((m) => isNearNow(m.at, now))
        if (items.length > 0) remote.receive(from.peerId, items, now)
      },
      'vitals-stopped': (_message: unknown, from: Sender, now: number) => {
        if (sharesVitals(from.role)) remote.stop(from.peerId, now)
      },
    },
    /** A waveform frame: the ECG stream is ours, any other waveform is not (yet) anybody's. */
    frame(
      frame: { kind: string; stream: number; capturedAt: number } & Partial<EcgBatch>,
      from: Sender,
      now: number,
    ) {
      if (frame.kind !== 'waveform' || frame.stream !== ECG_STREAM) return false
      if (sharesVitals(from.role) && isNearNow(frame.capturedAt, now))
        remote.receiveEcg(from.peerId, frame as EcgBatch, now, frame.capturedAt)
      return true
    },
    peerGone(peerId: string) {
      remote.remove(peerId)
    },
    /** Shares our latest numerics with everyone. */
    broadcastVitals(items: readonly Measurement[]) {
      for (let i = 0; i < items.length; i += MAX_READINGS_PER_MESSAGE) {
        port()?.broadcast({ type: 'vitals', items: items.slice(i, i + MAX_READINGS_PER_MESSAGE) })
      }
    },
    broadcastStopped() {
      port()?.broadcast({ type: 'vitals-stopped' })
    },
    broadcastEcg(frame: EcgFrame) {
      port()?.broadcastFrame(frame)
    },
  }
}

export type VitalsChannel = ReturnType<typeof createVitalsChannel>
