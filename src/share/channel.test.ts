// A file shared between two channels wired by hand: it arrives whole and verified, and the views reading the
// items hear of its progress a few times a second, not once per piece (each change re-renders every view that
// reads the items, the 3D scene among them).
import { describe, expect, it } from 'vitest'
import { createShareChannel, type SharePeer, type SharePort } from './channel'
import { START_PACE_BYTES_PER_SECOND } from './pace'
import type { ShareMessage, ShareOp } from './wire'

/** A PDF of about `size` bytes: the header, filler in a comment, the end-of-file marker. */
function pdfOf(size: number): Uint8Array {
  const head = new TextEncoder().encode('%PDF-1.4\n%')
  const tail = new TextEncoder().encode('\n%%EOF\n')
  const bytes = new Uint8Array(size).fill(0x20)
  bytes.set(head, 0)
  bytes.set(tail, size - tail.length)
  return bytes
}

function pair(
  now: () => number,
  extra: Partial<Record<'a' | 'b', Partial<Parameters<typeof createShareChannel>[0]>>> = {},
  onMessage: (message: ShareMessage, from: 'a' | 'b') => void = () => undefined,
) {
  const peers: Record<'a' | 'b', SharePeer> = {
    a: { peerId: 'peer-a', session: 'a', role: 'clinician', name: 'Dr A' },
    b: { peerId: 'peer-b', session: 'b', role: 'patient', name: 'Pat B' },
  }
  let counter = 0
  const channels = {} as Record<'a' | 'b', ReturnType<typeof createShareChannel>>
  const other = (side: 'a' | 'b') => (side === 'a' ? 'b' : 'a')
  const port = (side: 'a' | 'b'): SharePort => {
    const deliver = (message: ShareMessage) => {
      onMessage(message, side)
      const to = channels[other(side)]
      const handler = to.messages[message.type] as (m: ShareMessage, from: SharePeer) => void
      handler(message, peers[side])
    }
    return {
      broadcast: deliver,
      sendTo: (_peerId, message) => deliver(message),
      share: () => undefined,
      sendChunk: async (_peerId, chunk) => {
        // A copy, as the wire would make: the receiver must not hold the sender's memory.
        channels[other(side)].chunk({ ...chunk, bytes: chunk.bytes.slice() }, peers[side])
        return true
      },
      publish: (op: ShareOp) => {
        channels[side].applyOp(op)
        channels[other(side)].applyOp(op)
      },
    }
  }
  for (const side of ['a', 'b'] as const) {
    const ports = port(side)
    channels[side] = createShareChannel({
      self: () => ({ session: peers[side].session, name: peers[side].name, role: peers[side].role }),
      nextOpId: () => `${peers[side].session}:${++counter}`,
      port: () => ports,
      peers: () => [peers[other(side)]],
      now,
      ...extra[side],
    })
  }
  return channels
}

/**
 * A page's playback counts for 20 fps video on `clock`, `drawnShare()` of each new frame drawn (read as the counts
 * are read, like the page's meter).
 */
function videoAt20fps(clock: () => number, drawnShare: () => number) {
  const video = { drawn: 0, presented: 0, at: 0 }
  return () => {
    const frames = Math.floor((clock() - video.at) / 50)
    video.at += frames * 50
    video.presented += frames
    video.drawn += frames * drawnShare()
    return { drawn: video.drawn, presented: video.presented }
  }
}

describe('share channel', () => {
  it('delivers a file whole and tells the views of its progress a few times a second, not per piece', async () => {
    const { a, b } = pair(() => 1000)
    const heard: Array<{ status: string; held: number }> = []
    b.subscribe(() => {
      const item = b.items()[0]
      if (item) heard.push({ status: item.status, held: item.held })
    })
    const bytes = pdfOf(2_000_000) // 31 pieces of 64 KiB
    expect(await a.shareFile('scan.pdf', bytes)).toBeNull()
    await expect.poll(() => b.items()[0]?.status, { timeout: 10_000 }).toBe('ready')
    const item = b.items()[0]
    expect(Buffer.from(item?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true)
    expect(item?.held).toBe(item?.chunks)
    // All pieces came within one instant of the clock: the views heard of the first one, then of the check.
    const receiving = heard.filter((entry) => entry.status === 'receiving' && entry.held > 0)
    expect(receiving.length).toBe(1)
    // The sharer hears that it arrived.
    await expect.poll(() => a.items()[0]?.receivers['peer-b']?.state).toBe('ready')
  })

  it('sends at the pace the receiver asks for while its video plays, slower when its video misses frames', async () => {
    // One clock for both sides, moved only by the sender's waits: the pace decides how long the file takes.
    let clock = 0
    let held = () => 0
    // 20 fps video on the receiver, all of it drawn until 90 of the 153 pieces are there, then half of it.
    const playback = videoAt20fps(
      () => clock,
      () => (held() > 90 ? 0.5 : 1),
    )
    const asked: number[] = []
    const { a, b } = pair(
      () => clock,
      {
        a: {
          sleep: async (ms) => {
            clock += ms
          },
        },
        b: { playback },
      },
      (message, from) => {
        if (from === 'b' && (message.type === 'share-want' || message.type === 'share-got') && message.pace)
          asked.push(message.pace)
      },
    )
    // A second of video before: the receiver's baseline, and a live video to protect.
    for (let i = 0; i < 4; i++) {
      clock += 250
      b.tick()
    }
    held = () => b.items()[0]?.held ?? 0
    let fastest = 0
    b.subscribe(() => {
      if (held() <= 90) fastest = Math.max(0, ...asked)
    })
    expect(await a.shareFile('scan.pdf', pdfOf(10_000_000))).toBeNull()
    await expect.poll(() => b.items()[0]?.status, { timeout: 10_000 }).toBe('ready')
    // It asked from the start pace up while the video kept up, and down once it did not.
    expect(asked[0]).toBe(START_PACE_BYTES_PER_SECOND)
    expect(fastest).toBeGreaterThan(START_PACE_BYTES_PER_SECOND)
    expect(asked.at(-1)).toBeLessThanOrEqual(Math.round(Math.max(...asked) * 0.7))
    // The sender kept to it: 10 MB at never more than the fastest pace asked takes at least 1e7 / that seconds.
    expect(clock).toBeGreaterThan((10_000_000 / Math.max(...asked)) * 1000)
  })

  it('slows what it sends when its own video misses frames, whatever the receiver asks', async () => {
    let clock = 0
    let sending = false
    // The sharer's own 20 fps video: all drawn with nothing going out, half while it sends.
    const playback = videoAt20fps(
      () => clock,
      () => (sending ? 0.5 : 1),
    )
    const { a, b } = pair(() => clock, {
      a: {
        playback,
        sleep: async (ms) => {
          sending = true
          clock += ms
        },
      },
    })
    // Four seconds of the sharer's video with nothing going out: its baseline.
    for (let i = 0; i < 4; i++) {
      clock += 1000
      a.tick()
    }
    expect(await a.shareFile('scan.pdf', pdfOf(12_000_000))).toBeNull()
    await expect.poll(() => b.items()[0]?.status, { timeout: 10_000 }).toBe('ready')
    // The receiver asked for nothing (no video there); the sharer cut its own pace below where it starts.
    const own = a.sendPace()
    expect(own.recent.length).toBeGreaterThan(0)
    expect(Math.min(...own.recent.map((w) => w.pace))).toBeLessThan(START_PACE_BYTES_PER_SECOND)
    // 12 MB at no more than the start pace (less its first quarter second's burst) takes over 3.75 s; it took longer.
    expect(clock - 4000).toBeGreaterThan(4000)
  })

  it('sends as fast as the link goes to a receiver that shows no live video', async () => {
    let clock = 0
    let waited = 0
    const { a, b } = pair(() => clock, {
      a: {
        sleep: async (ms) => {
          waited += ms
          clock += ms
        },
      },
      b: { playback: () => ({ drawn: 0, presented: 0 }) },
    })
    expect(await a.shareFile('scan.pdf', pdfOf(3_000_000))).toBeNull()
    await expect.poll(() => b.items()[0]?.status, { timeout: 10_000 }).toBe('ready')
    expect(waited).toBe(0)
  })
})
