// The bulk sender keeps a data channel's buffer short: pieces wait in its own queue until the channel drained,
// the allowed buffer follows the measured drain rate, and a channel that closes resolves what waited as unsent.
import { describe, expect, it } from 'vitest'
import { BulkSender, MAX_HIGH_WATER_BYTES, MIN_HIGH_WATER_BYTES, TARGET_QUEUE_MS } from './bulk-sender'

/** A channel that drains `bytesPerMs` as a hand-driven clock advances, and says when it ran low. */
function fakeChannel(bytesPerMs: number) {
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
    setTimer: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run }
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
        if (low && before > low.threshold && buffered <= low.threshold) low.handler()
        for (const timer of timers.filter((candidate) => candidate.at <= now)) {
          timers.splice(timers.indexOf(timer), 1)
          timer.run()
        }
      }
    },
  }
}

const piece = () => new ArrayBuffer(64 * 1024)

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
