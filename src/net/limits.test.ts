import { describe, expect, it } from 'vitest'
import { LIMITS } from '../call/protocol'
import { PeerGuard, STRIKE_WINDOW_MS, STRIKES_TO_DROP, TokenBucket } from './limits'

describe('TokenBucket', () => {
  it('allows the burst, then the sustained rate', () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, 0)
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false])
    expect(bucket.waitMs(0)).toBe(500)
    expect(bucket.take(499)).toBe(false)
    expect(bucket.take(500)).toBe(true)
    // Idle time refills up to the burst, not beyond.
    expect([1, 2, 3, 4].map(() => bucket.take(60_000))).toEqual([true, true, true, false])
  })
})

describe('PeerGuard', () => {
  it('accepts an honest pace of every type', () => {
    const guard = new PeerGuard(LIMITS)
    for (let t = 0; t < 60_000; t += 1000) {
      expect(guard.admit('ping', t)).toBe('accept')
      expect(guard.admit('pong', t)).toBe('accept')
      expect(guard.admit('media-state', t)).toBe('accept')
    }
  })

  it('throttles a flood, then drops the peer if it keeps on', () => {
    const guard = new PeerGuard(LIMITS)
    const verdicts: string[] = []
    for (let i = 0; i < LIMITS.ping.burst + STRIKES_TO_DROP; i++) verdicts.push(guard.admit('ping', 0))
    expect(verdicts.slice(0, LIMITS.ping.burst).every((v) => v === 'accept')).toBe(true)
    expect(verdicts.slice(LIMITS.ping.burst, -1).every((v) => v === 'throttle')).toBe(true)
    expect(verdicts.at(-1)).toBe('drop')
  })

  it('forgives strikes spread out over time', () => {
    const guard = new PeerGuard(LIMITS)
    for (let i = 0; i < STRIKES_TO_DROP * 3; i++) {
      expect(guard.strike(i * (STRIKE_WINDOW_MS / (STRIKES_TO_DROP / 2)))).toBe('throttle')
    }
  })
})
