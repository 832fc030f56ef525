// A file shared between two channels wired by hand: it arrives whole and verified, and the views reading the
// items hear of its progress a few times a second, not once per piece (each change re-renders every view that
// reads the items, the 3D scene among them).
import { describe, expect, it } from 'vitest'
import { createShareChannel, type SharePeer, type SharePort } from './channel'
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

function pair(now: () => number) {
  const peers: Record<'a' | 'b', SharePeer> = {
    a: { peerId: 'peer-a', session: 'a', role: 'clinician', name: 'Dr A' },
    b: { peerId: 'peer-b', session: 'b', role: 'patient', name: 'Pat B' },
  }
  let counter = 0
  const channels = {} as Record<'a' | 'b', ReturnType<typeof createShareChannel>>
  const other = (side: 'a' | 'b') => (side === 'a' ? 'b' : 'a')
  const port = (side: 'a' | 'b'): SharePort => {
    const deliver = (message: ShareMessage) => {
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
    })
  }
  return channels
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
})
