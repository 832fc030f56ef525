// Rate limits per message type, for what a peer sends us and for what we send (so an honest sender never trips
// the receiver's limits). Pure: time comes in as an argument.
import type { MessageLimit } from './protocol'

/** A token bucket: `burst` messages at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number
  private updatedAt: number

  constructor(
    private readonly limit: Pick<MessageLimit, 'perSecond' | 'burst'>,
    now: number,
  ) {
    this.tokens = limit.burst
    this.updatedAt = now
  }

  private refill(now: number) {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond)
    this.updatedAt = now
  }

  /** Takes a token if there is one. */
  take(now: number): boolean {
    this.refill(now)
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** Takes `count` tokens if there are that many (a budget in bytes, say). */
  takeMany(count: number, now: number): boolean {
    this.refill(now)
    if (this.tokens < count) return false
    this.tokens -= count
    return true
  }

  /** Whether `count` tokens are there now, without taking them. */
  has(count: number, now: number): boolean {
    this.refill(now)
    return this.tokens >= count
  }

  /** How long until a token is available, ms (0 when one is). */
  waitMs(now: number, count = 1): number {
    this.refill(now)
    return this.tokens >= count ? 0 : Math.ceil(((count - this.tokens) / this.limit.perSecond) * 1000)
  }
}

/** How many ignored messages (over a limit, or malformed) within the window before a peer is disconnected. */
export const STRIKES_TO_DROP = 50
export const STRIKE_WINDOW_MS = 10_000

export type Verdict = 'accept' | 'throttle' | 'drop'

/**
 * One peer's budget on our side. Over its rate a message is throttled (ignored); a peer that keeps sending what
 * we must ignore (too fast, too large, malformed) is dropped. A burst of a few bad messages is forgiven: a buggy
 * but honest peer should see its call continue.
 */
export class PeerGuard {
  private readonly buckets = new Map<string, TokenBucket>()
  private strikes: number[] = []

  /** @param limits per message type: the protocol's */
  constructor(private readonly limits: Readonly<Record<string, MessageLimit>>) {}

  /** A message of `type` arrived at `now`. */
  admit(type: string, now: number): Verdict {
    let bucket = this.buckets.get(type)
    if (!bucket) {
      const limit = this.limits[type]
      // A type the protocol knows always has a limit; anything else was refused by the parser already.
      if (!limit) return this.strike(now)
      bucket = new TokenBucket(limit, now)
      this.buckets.set(type, bucket)
    }
    if (bucket.take(now)) return 'accept'
    return this.strike(now)
  }

  /** Something arrived that we had to ignore (malformed, oversized). */
  strike(now: number): Exclude<Verdict, 'accept'> {
    this.strikes.push(now)
    while ((this.strikes[0] ?? now) < now - STRIKE_WINDOW_MS) this.strikes.shift()
    return this.strikes.length >= STRIKES_TO_DROP ? 'drop' : 'throttle'
  }
}
