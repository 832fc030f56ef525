// Bulk bytes (file chunks) onto one data channel without starving what shares it. The channel is ordered, so
// everything queued in its buffer goes out before a chat message, a vitals update or a heartbeat sent after it:
// the buffer must stay short *in time*. This sender keeps about TARGET_QUEUE_MS of the channel's measured drain
// rate buffered (so a fast link is kept full and a slow one is not flooded), refills when the browser says the
// buffer ran low (`bufferedamountlow`), and otherwise holds the pieces in its own queue, where they cost nothing
// to the call. Pure apart from the timer, which is injectable.
import type { Unsubscribe } from './transport'

/** What the sender needs of a channel. */
export interface BufferedChannel {
  /** Bytes handed to the channel and not yet sent. */
  readonly bufferedAmount: number
  /** Calls `handler` whenever the buffer falls to `threshold` bytes or below. */
  onBufferedAmountLow(threshold: number, handler: () => void): Unsubscribe
}

/**
 * How much the channel may hold ahead of a message sent now, ms of its drain rate: a tenth of a second is below
 * what a person notices in a chat message or a vitals update, and several round trips of a LAN or a city's
 * internet, which keeps SCTP's window full.
 */
export const TARGET_QUEUE_MS = 100
/** The buffer allowed before the rate is known, and never less: one 64 KiB piece plus a little. */
export const MIN_HIGH_WATER_BYTES = 96 * 1024
/** And never more: 4 MiB is 100 ms at 40 MB/s, beyond what loopback between two tabs reaches here. */
export const MAX_HIGH_WATER_BYTES = 4 * 1024 * 1024
/**
 * If the browser never says the buffer ran low (an event lost while the threshold changed), look again after
 * this long, ms.
 */
const FALLBACK_POLL_MS = 50
/** Weight of a new drain-rate sample in the moving average. */
const RATE_SMOOTHING = 0.3
/** A rate sample over less time than this is noise, ms. */
const MIN_SAMPLE_MS = 20

interface Pending {
  bytes: ArrayBuffer
  resolve: (sent: boolean) => void
}

export interface BulkSenderOptions {
  channel: BufferedChannel
  /** Puts bytes on the channel; false when it cannot (closed). */
  send: (bytes: ArrayBuffer) => boolean
  now?: () => number
  setTimer?: (run: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
}

export class BulkSender {
  private readonly queue: Pending[] = []
  private readonly now: () => number
  private timer: unknown = null
  private lowSubscription: Unsubscribe | null = null
  private lowThreshold = -1
  private disposed = false
  /** Bytes we ever handed to the channel. */
  private sentTotal = 0
  private sample: { at: number; delivered: number } | null = null
  /** Smoothed drain rate, bytes per ms; null until measured. */
  private rate: number | null = null

  constructor(private readonly options: BulkSenderOptions) {
    this.now = options.now ?? (() => performance.now())
  }

  /** Queues `bytes`; resolves true once they are on the channel, false if the channel went away first. */
  enqueue(bytes: ArrayBuffer): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false)
    return new Promise((resolve) => {
      this.queue.push({ bytes, resolve })
      this.pump()
    })
  }

  /** Bytes waiting here (not yet handed to the channel). */
  get queuedBytes(): number {
    return this.queue.reduce((sum, pending) => sum + pending.bytes.byteLength, 0)
  }

  /** The channel's buffer we allow now, bytes. */
  get highWater(): number {
    if (this.rate === null) return MIN_HIGH_WATER_BYTES
    return Math.min(MAX_HIGH_WATER_BYTES, Math.max(MIN_HIGH_WATER_BYTES, this.rate * TARGET_QUEUE_MS))
  }

  private measure() {
    const now = this.now()
    const delivered = this.sentTotal - this.options.channel.bufferedAmount
    if (!this.sample) {
      this.sample = { at: now, delivered }
      return
    }
    const elapsed = now - this.sample.at
    if (elapsed < MIN_SAMPLE_MS) return
    // Only a sample taken while the buffer had something to drain says how fast it drains.
    const drained = delivered - this.sample.delivered
    if (drained > 0) {
      const rate = drained / elapsed
      this.rate = this.rate === null ? rate : this.rate + RATE_SMOOTHING * (rate - this.rate)
    }
    this.sample = { at: now, delivered }
  }

  private pump() {
    if (this.disposed) return
    this.measure()
    const { channel, send } = this.options
    while (this.queue.length > 0 && channel.bufferedAmount < this.highWater) {
      const next = this.queue.shift() as Pending
      const sent = send(next.bytes)
      if (sent) this.sentTotal += next.bytes.byteLength
      next.resolve(sent)
      if (!sent) {
        this.dispose()
        return
      }
    }
    if (this.queue.length > 0) this.waitForRoom()
  }

  private waitForRoom() {
    const threshold = Math.floor(this.highWater / 2)
    if (threshold !== this.lowThreshold) {
      this.lowSubscription?.()
      this.lowThreshold = threshold
      this.lowSubscription = this.options.channel.onBufferedAmountLow(threshold, () => this.pump())
    }
    if (this.timer !== null) return
    const setTimer = this.options.setTimer ?? ((run, ms) => setTimeout(run, ms))
    this.timer = setTimer(() => {
      this.timer = null
      this.pump()
    }, FALLBACK_POLL_MS)
  }

  /** Forgets everything queued (each resolves false) and stops listening to the channel. */
  dispose() {
    this.disposed = true
    if (this.timer !== null) (this.options.clearTimer ?? ((t) => clearTimeout(t as number)))(this.timer)
    this.timer = null
    this.lowSubscription?.()
    this.lowSubscription = null
    for (const pending of this.queue.splice(0)) pending.resolve(false)
  }
}
