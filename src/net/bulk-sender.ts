// Bulk bytes (file chunks) onto one data channel without starving what shares it. The channel is ordered, so
// everything queued in its buffer goes out before a chat message, a vitals update or a heartbeat sent after it:
// the buffer must stay short *in time*. This sender keeps about `queueMs` of the channel's measured drain rate
// buffered (so a fast link is kept full and a slow one is not flooded), refills when the browser says the buffer
// ran low (`bufferedamountlow`), and otherwise holds the pieces in its own queue, where they cost nothing to the
// call.
// `queueMs` starts at TARGET_QUEUE_MS and grows only when a refill finds the channel already empty: the page came
// back later than the buffer lasted (a busy main thread: a software-rendered frame can take a few hundred ms), so
// the link idled and the transfer slowed for nothing. A chat message sent then waits about as long behind the
// buffer as the busy page made it wait anyway. Once refills come in time again, `queueMs` shrinks back.
// All that is for a channel the pieces share with the call's messages. On a dedicated lane (the pieces' own SCTP
// stream: Chromium's SCTP takes streams in turn, so a message on the link's stream waits behind at most the one
// piece being sent, never behind the lane's buffer), time in the buffer costs nobody anything, and a short buffer only
// costs throughput: the page refills it on its main thread, whose tasks (a software-rendered frame, a video frame
// decoded and uploaded) run tens to hundreds of ms, and a measured drain rate read through a busy page's stale
// bufferedAmount comes out low, shrinking the buffer further. There the sender keeps fixed watermarks, as a plain
// bulk sender would: up to LANE_HIGH_WATER_BYTES buffered, refilled when it falls to LANE_LOW_WATER_BYTES.
// While the call carries live video (`yieldsToMedia`), a lane keeps half of that (MEDIA_LANE_*): the video is what
// the people in the call watch, and a file they wait a little longer for is not. Every byte a transfer moves costs
// both devices CPU off their main threads (SCTP, the network process, the IPC between them: measured here, those
// threads' CPU rose by about a third of a core at 12 MB/s), and on a busy device that is taken from decoding and
// drawing the video. How fast a lane moves is about its buffer over how long the page takes to come back and refill
// it, so a shorter buffer makes a transfer yield to whatever keeps the page busy (drawing the call above all) and
// still run at the link's speed on a page that is not busy. On a real network the same keeps the transfer's SCTP, whose
// congestion control pushes harder than the video's, from filling the path the video needs.
// That buffer is no rate control (a sharer with little to draw refills at once): a file's rate is its receiver's,
// which sees its own video miss frames (src/share/pace.ts); the holder keeps to it before pieces reach this sender.
// Pure apart from the timer, which is injectable.
import type { BulkLane, Unsubscribe } from './transport'

/** What the sender needs of a channel. */
export interface BufferedChannel {
  /** Bytes handed to the channel and not yet sent. */
  readonly bufferedAmount: number
  /** Calls `handler` whenever the buffer falls to `threshold` bytes or below. */
  onBufferedAmountLow(threshold: number, handler: () => void): Unsubscribe
  /**
   * The channel carries these pieces only (a bulk lane): nothing else waits behind its buffer, so it is kept full
   * with fixed watermarks instead of a short time-based one. Read at every refill (a lane can open mid-transfer).
   */
  readonly dedicated?: boolean
}

/**
 * How much the channel may hold ahead of a message sent now, ms of its drain rate, while the page refills it in
 * time: a tenth of a second is below what a person notices in a chat message or a vitals update, and several
 * round trips of a LAN or a city's internet, which keeps SCTP's window full.
 */
export const TARGET_QUEUE_MS = 100
/**
 * The most it may hold when refills come late, ms: a second, what a page busy enough to be that late delays a
 * message by anyway.
 */
export const MAX_QUEUE_MS = 1000
/** The buffer allowed before the rate is known, and never less: one 64 KiB piece plus a little. */
export const MIN_HIGH_WATER_BYTES = 96 * 1024
/** And never more: 4 MiB is 100 ms at 40 MB/s, beyond what loopback between two tabs reaches here. */
export const MAX_HIGH_WATER_BYTES = 4 * 1024 * 1024
/**
 * A dedicated lane's buffer may hold this much: 2 MiB is 0.3 s at the 7 MB/s two tabs reach here and 17 s at a
 * 1 Mbit/s uplink, what a withdrawn file may still send after its withdrawal; memory it costs is the sender's.
 */
export const LANE_HIGH_WATER_BYTES = 2 * 1024 * 1024
/**
 * ... and is refilled when it falls to this: 1 MiB lasts about 150 ms at 7 MB/s, longer than most stalls of a busy
 * page's main thread here (a plain sender's 512 KiB ran dry during them), so the link keeps sending meanwhile.
 */
export const LANE_LOW_WATER_BYTES = 1024 * 1024
/**
 * A dedicated lane's buffer while the call carries live video, and its refill mark: a plain bulk sender's (1 MiB,
 * refilled at half). Measured here (two tabs, software GL, 20 MB): the receiver's drawn video during the transfer went
 * from 0.39–0.79× of its rate before to 0.74–0.96× with a plain sender's buffer (a raw channel, three rounds), for
 * 0.74–0.84× of the throughput.
 */
export const MEDIA_LANE_HIGH_WATER_BYTES = 1024 * 1024
export const MEDIA_LANE_LOW_WATER_BYTES = 512 * 1024
/**
 * If the browser never says the buffer ran low (an event lost while the threshold changed), look again after
 * this long, ms.
 */
const FALLBACK_POLL_MS = 50
/** Weight of a new drain-rate sample in the moving average. */
const RATE_SMOOTHING = 0.3
/** A rate sample over less time than this is noise, ms. */
const MIN_SAMPLE_MS = 20
/** A refill that found the channel empty multiplies `queueMs` by this: a few late refills reach what is needed. */
const QUEUE_GROWTH = 1.5
/**
 * A refill that found more than half the threshold still buffered (well in time) shrinks `queueMs` by this: back
 * to the target over some tens of refills, so one quick moment does not undo what many slow ones showed.
 */
const QUEUE_DECAY = 0.95

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
  /** The call carries live video now: a dedicated lane keeps a shorter buffer (see the top of this file). */
  yieldsToMedia?: () => boolean
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
  /** How much time of the drain rate the buffer may hold now, ms (see the top of this file). */
  private queueTime = TARGET_QUEUE_MS
  /** We are waiting for the channel to drain (pieces queued here, the buffer at its high water). */
  private waiting = false

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

  /** A dedicated lane's fixed watermarks now: shorter while the call carries live video. */
  private laneMarks(): { high: number; low: number } {
    return this.options.yieldsToMedia?.()
      ? { high: MEDIA_LANE_HIGH_WATER_BYTES, low: MEDIA_LANE_LOW_WATER_BYTES }
      : { high: LANE_HIGH_WATER_BYTES, low: LANE_LOW_WATER_BYTES }
  }

  /** The channel's buffer we allow now, bytes. */
  get highWater(): number {
    if (this.options.channel.dedicated) return this.laneMarks().high
    if (this.rate === null) return MIN_HIGH_WATER_BYTES
    return Math.min(MAX_HIGH_WATER_BYTES, Math.max(MIN_HIGH_WATER_BYTES, this.rate * this.queueTime))
  }

  /** How much time of the drain rate the buffer may hold now, ms. */
  get queueMs(): number {
    return this.queueTime
  }

  private measure(buffered: number) {
    const now = this.now()
    const delivered = this.sentTotal - buffered
    // Pieces are added only here, so a buffer that still holds something now was never empty since the last
    // sample: the link drained all that time, and what it drained says how fast it goes. A sample spanning an empty
    // buffer would measure our own idling (and, fed back into the high water, shrink the buffer and idle more).
    if (!this.sample || buffered === 0) {
      this.sample = { at: now, delivered }
      return
    }
    const elapsed = now - this.sample.at
    if (elapsed < MIN_SAMPLE_MS) return
    const drained = delivered - this.sample.delivered
    if (drained > 0) {
      const rate = drained / elapsed
      this.rate = this.rate === null ? rate : this.rate + RATE_SMOOTHING * (rate - this.rate)
    }
    this.sample = { at: now, delivered }
  }

  /** After a wait for room: was the page back in time to refill? */
  private adaptQueueTime(buffered: number) {
    if (buffered === 0) this.queueTime = Math.min(MAX_QUEUE_MS, this.queueTime * QUEUE_GROWTH)
    else if (buffered > this.lowThreshold / 2)
      this.queueTime = Math.max(TARGET_QUEUE_MS, this.queueTime * QUEUE_DECAY)
  }

  /** `refill`: called by the channel's low-buffer event or the fallback timer, not by a new piece. */
  private pump(refill = false) {
    if (this.disposed) return
    const buffered = this.options.channel.bufferedAmount
    // Only the moment the channel lets us add again tells whether we came back in time (a fallback look while the
    // buffer is still full, or a piece queued meanwhile, says nothing about it).
    if (refill && this.waiting && buffered < this.highWater) {
      this.waiting = false
      if (!this.options.channel.dedicated) this.adaptQueueTime(buffered)
    }
    this.measure(buffered)
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
    this.waiting = true
    const threshold = this.options.channel.dedicated ? this.laneMarks().low : Math.floor(this.highWater / 2)
    if (threshold !== this.lowThreshold) {
      this.lowSubscription?.()
      this.lowThreshold = threshold
      this.lowSubscription = this.options.channel.onBufferedAmountLow(threshold, () => this.pump(true))
    }
    if (this.timer !== null) return
    const setTimer = this.options.setTimer ?? ((run, ms) => setTimeout(run, ms))
    this.timer = setTimer(() => {
      this.timer = null
      this.pump(true)
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

/**
 * Where a link's bulk bytes go: its bulk lane once that is open, the link itself before (or with a transport that
 * has no lanes). Pieces queued here move over when the lane opens; nothing is lost, a piece is on one or the other.
 * @param lane the link's lane, null until made (or none)
 * @param sendOnLink puts bytes on the link itself (false when it cannot)
 * @param mayUseLane whether the far side may be sent pieces now (admitted): the lane has no such check of its own
 */
export function laneOrLink(
  link: BufferedChannel,
  lane: () => BulkLane | null,
  sendOnLink: (bytes: ArrayBuffer) => boolean,
  mayUseLane: () => boolean,
): Pick<BulkSenderOptions, 'channel' | 'send'> {
  const openLane = () => {
    const current = lane()
    return current?.open ? current : null
  }
  return {
    channel: {
      get bufferedAmount() {
        return (openLane() ?? link).bufferedAmount
      },
      get dedicated() {
        return openLane() !== null
      },
      onBufferedAmountLow(threshold, handler) {
        const off = [link.onBufferedAmountLow(threshold, handler)]
        const current = lane()
        if (current) off.push(current.onBufferedAmountLow(threshold, handler))
        return () => {
          for (const unsubscribe of off) unsubscribe()
        }
      },
    },
    send: (bytes) => {
      const current = openLane()
      if (!current) return sendOnLink(bytes)
      return mayUseLane() && current.send(bytes)
    },
  }
}
