// What waits to go out on one link, paced so that an honest sender never trips the receiver's limits. Two kinds
// of lane share one timer:
// - the op lane: replicated ops, in order, none ever dropped, batched into `ops` messages as large as the
//   receiver accepts, at the receiver's `ops` rate, and our own ops within the receiver's byte budget for an
//   author on its own link (a newcomer's snapshot of a long call must not look like a flood);
// - keyed lanes (e.g. shared surfaces): only the newest message per key matters, sent at 80 % of the receiver's
//   rate for that type (bunching on the way must never push a burst over its limit: a throttled message there is
//   dropped by the receiver, not resent).
// Pure apart from the timer, which is injectable.
import { TokenBucket } from './limits'
import { MAX_OPS_PER_MESSAGE, type MessageLimit, type OpLike } from './protocol'

/** Room left in an `ops` message for its envelope, characters. */
const OPS_ENVELOPE_CHARS = 1000
/** Keyed lanes are sent at this share of what the receiver accepts. */
const KEYED_PACE = 0.8

export interface OutboxOptions {
  /** Puts one message on the wire. */
  send: (message: { type: string }) => void
  /** Whether the link can carry app messages now (admitted, hello exchanged). */
  ready: () => boolean
  limits: Readonly<Record<string, MessageLimit>>
  /**
   * Our own ops' bytes are paced to this (the receiver's per-author budget, with a margin): `author` is our
   * session. Without it only the `ops` message rate paces.
   */
  ownOps?: { author: () => string; perSecond: number; burst: number }
  now?: () => number
  setTimer?: (run: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
}

interface KeyedLane {
  bucket: TokenBucket
  pending: Map<string, { type: string }>
}

export class Outbox<Op extends OpLike = OpLike> {
  private readonly ops: Op[] = []
  private readonly opsBucket: TokenBucket
  private readonly opsBatchChars: number
  private readonly ownBytes: TokenBucket | null
  private readonly lanes = new Map<string, KeyedLane>()
  private timer: unknown = null
  private disposed = false
  private readonly now: () => number

  constructor(private readonly options: OutboxOptions) {
    this.now = options.now ?? Date.now
    const opsLimit = options.limits.ops
    if (!opsLimit) throw new Error('the protocol has no limit for ops')
    this.opsBucket = new TokenBucket(opsLimit, this.now())
    this.opsBatchChars = opsLimit.maxChars - OPS_ENVELOPE_CHARS
    this.ownBytes = options.ownOps ? new TokenBucket(options.ownOps, this.now()) : null
  }

  /** Bytes the next op costs against our own budget: 0 when it is someone else's (relayed history). */
  private ownCost(op: Op): number {
    const { ownOps } = this.options
    if (!ownOps || op.author !== ownOps.author()) return 0
    // Never more than the bucket holds, or a single op larger than the burst would wait forever.
    return Math.min(JSON.stringify(op).length, ownOps.burst)
  }

  /** Ops to send in order (a newcomer's snapshot, a resend after a reconnect, a new op). */
  enqueueOps(ops: readonly Op[]) {
    if (ops.length === 0) return
    this.ops.push(...ops)
    this.flush()
  }

  /** The newest `message` for `key` in the lane of its type, replacing one still waiting. */
  put(key: string, message: { type: string }) {
    this.lane(message.type).pending.set(key, message)
    this.flush()
  }

  /** Forgets what waits for `key` in `type`'s lane. */
  drop(type: string, key: string) {
    this.lanes.get(type)?.pending.delete(key)
  }

  /** Forgets everything waiting in `type`'s lane. */
  clear(type: string) {
    this.lanes.get(type)?.pending.clear()
  }

  get pendingOps(): number {
    return this.ops.length
  }

  private lane(type: string): KeyedLane {
    let lane = this.lanes.get(type)
    if (!lane) {
      const limit = this.options.limits[type]
      if (!limit) throw new Error(`the protocol has no limit for ${type}`)
      const pace = { perSecond: limit.perSecond * KEYED_PACE, burst: Math.floor(limit.burst * KEYED_PACE) }
      lane = { bucket: new TokenBucket(pace, this.now()), pending: new Map() }
      this.lanes.set(type, lane)
    }
    return lane
  }

  /** Sends what the receiver's limits allow now, and sets one timer for the rest. */
  flush() {
    if (this.timer !== null || this.disposed || !this.options.ready()) return
    let wait = Number.POSITIVE_INFINITY
    while (this.ops.length > 0) {
      const now = this.now()
      const head = this.ops[0] as Op
      const opsWait = Math.max(
        this.opsBucket.waitMs(now),
        this.ownBytes?.waitMs(now, this.ownCost(head)) ?? 0,
      )
      if (opsWait > 0) {
        wait = Math.min(wait, opsWait)
        break
      }
      this.opsBucket.take(now)
      this.options.send({ type: 'ops', items: this.nextBatch(now) } as { type: string })
    }
    for (const lane of this.lanes.values()) {
      while (lane.pending.size > 0) {
        const now = this.now()
        const laneWait = lane.bucket.waitMs(now)
        if (laneWait > 0) {
          wait = Math.min(wait, laneWait)
          break
        }
        lane.bucket.take(now)
        const [key, message] = lane.pending.entries().next().value as [string, { type: string }]
        lane.pending.delete(key)
        this.options.send(message)
      }
    }
    if (wait === Number.POSITIVE_INFINITY) return
    const setTimer = this.options.setTimer ?? ((run, ms) => setTimeout(run, ms))
    this.timer = setTimer(() => {
      this.timer = null
      this.flush()
    }, wait)
  }

  private nextBatch(now: number): Op[] {
    const items: Op[] = []
    let chars = 0
    while (items.length < MAX_OPS_PER_MESSAGE && this.ops.length > 0) {
      const op = this.ops[0] as Op
      const size = JSON.stringify(op).length + 1
      if (items.length > 0 && chars + size > this.opsBatchChars) break
      // Our own op beyond what the receiver takes from us now: it waits for the next batch.
      const own = this.ownCost(op)
      if (own > 0 && !this.ownBytes?.takeMany(own, now)) break
      items.push(this.ops.shift() as Op)
      chars += size
    }
    return items
  }

  /** Stops sending and forgets everything (the link is closing). */
  dispose() {
    this.disposed = true
    if (this.timer !== null) {
      const clearTimer = this.options.clearTimer ?? ((timer) => clearTimeout(timer as number))
      clearTimer(this.timer)
    }
    this.timer = null
    this.ops.length = 0
    this.lanes.clear()
  }
}
