import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseServer, rankServers, rendezvousScore } from './rendezvous'

const SERVERS = [
  'wss://janus-a.example/ws',
  'wss://janus-b.example/ws',
  'wss://janus-c.example/ws',
  'wss://janus-d.example/ws',
]

/** Rendezvous values as ./sfu-keys.ts makes them: 64 hex digits. */
const rendezvousValue = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('hex'))

/** n distinct, deterministic rendezvous values (a fixed pseudo-random sequence, so the counts below are exact). */
function values(n: number): string[] {
  let state = 0x9e3779b9
  return Array.from({ length: n }, () => {
    let text = ''
    for (let i = 0; i < 8; i++) {
      // xorshift32: enough to make varied hex strings.
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      text += (state >>> 0).toString(16).padStart(8, '0')
    }
    return text
  })
}

describe('rendezvous hashing', () => {
  it('picks the same server whatever the order of the list, and skips duplicates', () => {
    fc.assert(
      fc.property(rendezvousValue, fc.shuffledSubarray(SERVERS, { minLength: 1 }), (value, subset) => {
        const reversed = [...subset].reverse()
        expect(chooseServer(value, subset)).toBe(chooseServer(value, reversed))
        expect(rankServers(value, [...subset, ...subset])).toEqual(rankServers(value, reversed))
      }),
    )
  })

  it('skips a server that is down the same way for everyone: the next in rank', () => {
    fc.assert(
      fc.property(rendezvousValue, (value) => {
        const ranked = rankServers(value, SERVERS)
        expect(chooseServer(value, SERVERS)).toBe(ranked[0])
        expect(chooseServer(value, SERVERS, new Set([ranked[0] as string]))).toBe(ranked[1])
        expect(chooseServer(value, [...SERVERS].reverse(), [ranked[0] as string, ranked[1] as string])).toBe(
          ranked[2],
        )
        // A server that is down but not the best changes nothing.
        expect(chooseServer(value, SERVERS, [ranked[3] as string])).toBe(ranked[0])
      }),
    )
  })

  it('returns null when every server is down or none is configured', () => {
    expect(chooseServer('ab', [])).toBeNull()
    expect(chooseServer('ab', SERVERS, SERVERS)).toBeNull()
  })

  it('moves only the removed server’s rooms when a server goes away, and spreads them over the rest', () => {
    const rooms = values(2000)
    const before = rooms.map((value) => chooseServer(value, SERVERS))
    const after = rooms.map((value) => chooseServer(value, SERVERS.slice(0, 3)))
    const removed = SERVERS[3]
    const moved = new Map<string, number>()
    rooms.forEach((_, i) => {
      if (before[i] !== removed) expect(after[i]).toBe(before[i])
      else moved.set(after[i] as string, (moved.get(after[i] as string) ?? 0) + 1)
    })
    // The removed server's quarter went to all three others, each a third of it give or take.
    const movedTotal = [...moved.values()].reduce((a, b) => a + b, 0)
    expect(moved.size).toBe(3)
    for (const count of moved.values()) expect(Math.abs(count / movedTotal - 1 / 3)).toBeLessThan(0.07)
  })

  it('spreads rooms evenly over the servers', () => {
    const counts = new Map<string, number>()
    for (const value of values(4000)) {
      const server = chooseServer(value, SERVERS) as string
      counts.set(server, (counts.get(server) ?? 0) + 1)
    }
    // 1,000 expected per server; the binomial standard deviation is about 27, so ±150 is over five of them.
    for (const server of SERVERS) expect(Math.abs((counts.get(server) ?? 0) - 1000)).toBeLessThan(150)
  })

  it('gives unrelated scores to URLs that differ in one character', () => {
    const a = rendezvousScore('00', 'wss://janus-1.example/ws')
    const b = rendezvousScore('00', 'wss://janus-2.example/ws')
    // About half of the 64 bits differ between unrelated values; a weak hash would differ in a few.
    const differing = (a ^ b)
      .toString(2)
      .split('')
      .filter((bit) => bit === '1').length
    expect(differing).toBeGreaterThan(16)
    expect(rendezvousScore('00', 'x')).toBe(rendezvousScore('00', 'x'))
  })
})
