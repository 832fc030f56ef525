import { describe, expect, it } from 'vitest'
import { resolveDuplicateLink } from './mesh'

describe('resolveDuplicateLink', () => {
  it('keeps exactly one connection, the lower seat’s, when two seats dial each other at once', () => {
    for (const [a, b] of [
      [0, 1],
      [2, 3],
      [1, 3],
    ] as const) {
      // Each side holds its own outgoing dial and receives the other's.
      const atA = resolveDuplicateLink({
        mySeat: a,
        remoteSeat: b,
        existingOrigin: 'outgoing',
        existingAgeMs: 50,
        existingHello: false,
      })
      const atB = resolveDuplicateLink({
        mySeat: b,
        remoteSeat: a,
        existingOrigin: 'outgoing',
        existingAgeMs: 50,
        existingHello: false,
      })
      // A keeps its own dial (A→B); B drops its own dial and takes A's: both end on the A→B connection.
      expect(atA).toBe('existing')
      expect(atB).toBe('incoming')
    }
  })

  it('lets a returning participant replace a stale link', () => {
    expect(
      resolveDuplicateLink({
        mySeat: 0,
        remoteSeat: 2,
        existingOrigin: 'outgoing',
        existingAgeMs: 60000,
        existingHello: true,
      }),
    ).toBe('incoming')
    expect(
      resolveDuplicateLink({
        mySeat: 0,
        remoteSeat: 2,
        existingOrigin: 'incoming',
        existingAgeMs: 10,
        existingHello: false,
      }),
    ).toBe('incoming')
  })
})
