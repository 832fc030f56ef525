// The bulk sender keeps a data channel's buffer short: pieces wait in its own queue until the channel drained,
// the allowed buffer follows the measured drain rate, and a channel that closes resolves what waited as unsent.
import { describe, expect, it } from 'vitest'
import {
  BulkSender,
  LANE_HIGH_WATER_BYTES,
  LANE_LOW_WATER_BYTES,
  laneOrLink,
  MAX_HIGH_WATER_BYTES,
  MAX_QUEUE_MS,
  MEDIA_LANE_HIGH_WATER_BYTES,
  MEDIA_LANE_LOW_WATER_BYTES,
  MIN_HIGH_WATER_BYTES,
  TARGET_QUEUE_MS,
} from './bulk-sender'

/**
 * A channel that drains `bytesPerMs` as a hand-driven clock advances, and says when it ran low. `lateMs`: the page
 * is busy, so the low-buffer event and every timer run that much later than they would.
 */
function fakeChannel(bytesPerMs: number, lateMs = 0) {
  let now = 0
  let buffered = 0
  let low: { threshold: number; handler: () => void } | null = null
  const timers: Array<{ at: number; run: () => void }> = []
  const sent: number[] = []
  const channel = {
    get bufferedAmount() {
      return buffered
    },
    onBufferedAmountLow(threshold: number, handler: () => void) {
      low = { threshold, handler }
      return () => {
        low = null
      }
    },
  }
  return {
    channel,
    sent,
    maxBuffered: 0,
    now: () => now,
    /** Ms in which the channel had nothing to send. */
    idleMs: 0,
    setTimer: (run: () => void, ms: number) => {
      const timer = { at: now + ms + lateMs, run }
      timers.push(timer)
      return timer
    },
    clearTimer: (timer: unknown) => {
      const index = timers.indexOf(timer as (typeof timers)[number])
      if (index >= 0) timers.splice(index, 1)
    },
    send(bytes: ArrayBuffer) {
      buffered += bytes.byteLength
      this.maxBuffered = Math.max(this.maxBuffered, buffered)
      sent.push(bytes.byteLength)
      return true
    },
    advance(ms: number) {
      for (let t = 0; t < ms; t++) {
        now += 1
        const before = buffered
        buffered = Math.max(0, buffered - bytesPerMs)
        if (before === 0) this.idleMs += 1
        if (low && before > low.threshold && buffered <= low.threshold) {
          const { handler } = low
          if (lateMs === 0) handler()
          else timers.push({ at: now + lateMs, run: handler })
        }
        for (const timer of timers.filter((candidate) => candidate.at <= now)) {
          timers.splice(timers.indexOf(timer), 1)
          timer.run()
        }
      }
    },
  }
}

const piece = () => new ArrayBuffer(64 * 1024)

/** `fake` as a dedicated lane, noting every low-buffer threshold the sender asks for. */
function laneOf(fake: ReturnType<typeof fakeChannel>) {
  const thresholds: number[] = []
  const channel = {
    get bufferedAmount() {
      return fake.channel.bufferedAmount
    },
    dedicated: true,
    onBufferedAmountLow: (threshold: number, handler: () => void) => {
      thresholds.push(threshold)
      return fake.channel.onBufferedAmountLow(threshold, handler)
    },
  }
  return { channel, thresholds }
}

describe('BulkSender', () => {
  it('holds pieces back while the buffer is full and sends them all as it drains, in order', async () => {
    const fake = fakeChannel(1000) // 1 MB/s
    const sender = new BulkSender({ ...fake, channel: fake.channel, send: (b) => fake.send(b) })
    const results = Array.from({ length: 40 }, () => sender.enqueue(piece()))
    expect(fake.sent.length).toBeLessThan(40)
    for (let i = 0; i < 200 && fake.sent.length < 40; i++) fake.advance(50)
    expect(await Promise.all(results)).toEqual(Array(40).fill(true))
    // Never more than about the rate's 100 ms (or the minimum), plus the one piece that crossed it.
    const allowed = Math.max(MIN_HIGH_WATER_BYTES, 1000 * TARGET_QUEUE_MS * 1.1)
    expect(fake.maxBuffered).toBeLessThanOrEqual(allowed + 64 * 1024)
  })

  it('lets the buffer grow to the target time of a fast channel, within its bounds', async () => {
    const fake = fakeChannel(20_000) // 20 MB/s
    const sender = new BulkSender({ ...fake, channel: fake.channel, send: (b) => fake.send(b) })
    for (let i = 0; i < 400; i++) void sender.enqueue(piece())
    for (let i = 0; i < 100; i++) fake.advance(20)
    expect(sender.highWater).toBeGreaterThan(MIN_HIGH_WATER_BYTES)
    expect(sender.highWater).toBeLessThanOrEqual(
      Math.min(MAX_HIGH_WATER_BYTES, 20_000 * TARGET_QUEUE_MS * 1.5),
    )
  })

  it('keeps the link busy when the page refills late, by holding more time in the buffer', async () => {
    // 4 MB/s, and a page that comes back 300 ms after the buffer ran low: a software-rendered frame here.
    const fake = fakeChannel(4000, 300)
    const sender = new BulkSender({ ...fake, channel: fake.channel, send: (b) => fake.send(b) })
    const pieces = 600 // about 39 MB: 10 s at the link's rate
    const shared = piece()
    const results = Array.from({ length: pieces }, () => sender.enqueue(shared))
    // The first seconds find the size; what follows is what a long transfer gets.
    fake.advance(3000)
    const idleBefore = fake.idleMs
    fake.advance(5000)
    expect(fake.idleMs - idleBefore).toBeLessThan(0.05 * 5000)
    expect(sender.queueMs).toBeGreaterThan(TARGET_QUEUE_MS)
    expect(sender.queueMs).toBeLessThanOrEqual(MAX_QUEUE_MS)
    fake.advance(5000)
    expect(await Promise.all(results)).toEqual(Array(pieces).fill(true))
  })

  it('goes back to a short buffer once refills come in time again', async () => {
    let late = true
    const fake = fakeChannel(4000)
    // Late refills first (the low event runs only every 300 ms), then prompt ones.
    const channel = {
      get bufferedAmount() {
        return fake.channel.bufferedAmount
      },
      onBufferedAmountLow: (threshold: number, handler: () => void) =>
        fake.channel.onBufferedAmountLow(threshold, () => {
          if (!late) handler()
        }),
    }
    const sender = new BulkSender({ ...fake, channel, send: (b) => fake.send(b) })
    const serve = async () => {
      for (;;) if (!(await sender.enqueue(piece()))) return
    }
    void serve()
    const run = async (ms: number) => {
      for (let t = 0; t < ms; t += 10) {
        fake.advance(10)
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await run(3000)
    const grown = sender.queueMs
    expect(grown).toBeGreaterThan(TARGET_QUEUE_MS)
    late = false
    await run(20_000)
    expect(sender.queueMs).toBeLessThan(grown)
    expect(sender.queueMs).toBeLessThanOrEqual(TARGET_QUEUE_MS * 1.5)
    sender.dispose()
  })

  it('measures the link, not its own idling: a pause between transfers does not shrink the buffer', async () => {
    const fake = fakeChannel(20_000) // 20 MB/s
    const sender = new BulkSender({ ...fake, channel: fake.channel, send: (b) => fake.send(b) })
    const burst = async (count: number) => {
      const results = Array.from({ length: count }, () => sender.enqueue(piece()))
      for (let i = 0; i < 400 && fake.sent.length < count; i++) fake.advance(5)
      await Promise.all(results)
    }
    await burst(200)
    const measured = sender.highWater
    expect(measured).toBeGreaterThan(MIN_HIGH_WATER_BYTES)
    fake.advance(5000)
    fake.sent.length = 0
    // One piece after a pause, then a few more: nothing drained in the pause, and that is not the link's rate.
    await burst(1)
    fake.sent.length = 0
    await burst(20)
    expect(sender.highWater).toBeGreaterThan(measured * 0.8)
  })

  it('keeps a dedicated lane between its fixed watermarks, so a page that refills late does not idle it', async () => {
    // 7 MB/s (two tabs here), and a page that comes back 100 ms after the buffer ran low: the time-based buffer of a
    // shared channel (about 700 KB) would run dry meanwhile; the lane's low watermark lasts about 150 ms.
    const fake = fakeChannel(7000, 100)
    const channel = { ...fake.channel, dedicated: true }
    Object.defineProperty(channel, 'bufferedAmount', { get: () => fake.channel.bufferedAmount })
    const sender = new BulkSender({ ...fake, channel, send: (b) => fake.send(b) })
    const pieces = 1000 // about 65 MB: 9 s at the link's rate
    const shared = piece()
    const results = Array.from({ length: pieces }, () => sender.enqueue(shared))
    expect(sender.highWater).toBe(LANE_HIGH_WATER_BYTES)
    fake.advance(8000)
    expect(fake.idleMs).toBe(0)
    expect(fake.maxBuffered).toBeLessThanOrEqual(LANE_HIGH_WATER_BYTES + 64 * 1024)
    expect(sender.queueMs).toBe(TARGET_QUEUE_MS)
    fake.advance(2000)
    expect(await Promise.all(results)).toEqual(Array(pieces).fill(true))
  })

  it('refills a dedicated lane at its low watermark, not at half of its high one', () => {
    const fake = fakeChannel(0)
    const { channel, thresholds } = laneOf(fake)
    const sender = new BulkSender({ ...fake, channel, send: (b) => fake.send(b) })
    for (let i = 0; i < 40; i++) void sender.enqueue(piece())
    expect(thresholds).toEqual([LANE_LOW_WATER_BYTES])
    sender.dispose()
  })

  it('keeps a shorter lane buffer while the call carries live video, and the full one again once it does not', async () => {
    // 7 MB/s and a page that comes back 100 ms late (a software-drawn frame).
    const fake = fakeChannel(7000, 100)
    const { channel, thresholds } = laneOf(fake)
    let video = true
    const sender = new BulkSender({ ...fake, channel, send: (b) => fake.send(b), yieldsToMedia: () => video })
    const shared = piece()
    const pieces = 1000
    const results = Array.from({ length: pieces }, () => sender.enqueue(shared))
    expect(sender.highWater).toBe(MEDIA_LANE_HIGH_WATER_BYTES)
    fake.advance(2000)
    expect(fake.maxBuffered).toBeLessThanOrEqual(MEDIA_LANE_HIGH_WATER_BYTES + 64 * 1024)
    expect(thresholds).toEqual([MEDIA_LANE_LOW_WATER_BYTES])

    video = false
    fake.advance(2000)
    expect(sender.highWater).toBe(LANE_HIGH_WATER_BYTES)
    expect(thresholds.at(-1)).toBe(LANE_LOW_WATER_BYTES)
    expect(fake.maxBuffered).toBeGreaterThan(MEDIA_LANE_HIGH_WATER_BYTES + 64 * 1024)
    expect(fake.maxBuffered).toBeLessThanOrEqual(LANE_HIGH_WATER_BYTES + 64 * 1024)
    fake.advance(10_000)
    expect(await Promise.all(results)).toEqual(Array(pieces).fill(true))
  })

  it('resolves what waited as unsent when the channel goes away', async () => {
    const fake = fakeChannel(0)
    const sender = new BulkSender({ ...fake, channel: fake.channel, send: (b) => fake.send(b) })
    const results = Array.from({ length: 5 }, () => sender.enqueue(piece()))
    sender.dispose()
    const settled = await Promise.all(results)
    expect(settled.filter((sent) => !sent).length).toBeGreaterThan(0)
    expect(await sender.enqueue(piece())).toBe(false)
  })
})

describe('laneOrLink', () => {
  /** A channel that records what it was sent and holds it as its buffer. */
  function recorder(open = true) {
    const sent: number[] = []
    const lows: number[] = []
    return {
      open,
      sent,
      lows,
      bufferedAmount: 0,
      onBufferedAmountLow(threshold: number) {
        lows.push(threshold)
        return () => {
          lows.splice(lows.indexOf(threshold), 1)
        }
      },
      send(bytes: ArrayBuffer) {
        if (!this.open) return false
        sent.push(bytes.byteLength)
        this.bufferedAmount += bytes.byteLength
        return true
      },
      onData: () => () => undefined,
    }
  }

  it('sends on the link until the lane is open, then on the lane, and paces by the one it sends on', () => {
    const link = recorder()
    const lane = recorder(false)
    let admitted = true
    const path = laneOrLink(
      link,
      () => lane,
      (bytes) => link.send(bytes),
      () => admitted,
    )
    expect(path.channel.dedicated).toBe(false)
    expect(path.send(new ArrayBuffer(10))).toBe(true)
    expect(link.sent).toEqual([10])
    lane.open = true
    expect(path.send(new ArrayBuffer(20))).toBe(true)
    expect(lane.sent).toEqual([20])
    expect(link.sent).toEqual([10])
    expect(path.channel.bufferedAmount).toBe(20)
    // Only the lane carries nothing but pieces: the link's buffer holds the call's messages too.
    expect(path.channel.dedicated).toBe(true)
    // Waiting for a low buffer listens on both: whichever carries the pieces says when it drained.
    const off = path.channel.onBufferedAmountLow(5, () => undefined)
    expect([link.lows, lane.lows]).toEqual([[5], [5]])
    off()
    expect([link.lows, lane.lows]).toEqual([[], []])
    // The lane has no admission of its own: nothing goes on it for a participant not (or no longer) admitted.
    admitted = false
    expect(path.send(new ArrayBuffer(30))).toBe(false)
    expect(lane.sent).toEqual([20])
  })

  it('stays on the link with a transport that has no lanes', () => {
    const link = recorder()
    const path = laneOrLink(
      link,
      () => null,
      (bytes) => link.send(bytes),
      () => true,
    )
    expect(path.send(new ArrayBuffer(7))).toBe(true)
    expect(link.sent).toEqual([7])
    expect(path.channel.bufferedAmount).toBe(7)
    expect(path.channel.dedicated).toBe(false)
  })
})
