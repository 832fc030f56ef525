// The outbox paces our own ops within the receiver's per-author byte budget (a newcomer's snapshot of a long
// call is not a flood), while relayed history goes at the `ops` message rate alone.
import { describe, expect, it } from 'vitest'
import { Outbox } from './outbox'
import { MAX_OPS_PER_MESSAGE, type MessageLimit, type OpLike } from './protocol'

const limits: Record<string, MessageLimit> = { ops: { maxChars: 120_000, perSecond: 20, burst: 40 } }
const PACE = { perSecond: 10_000, burst: 20_000 }

function op(author: string, n: number): OpLike {
  // About 1 KB each.
  return { kind: 'note', id: `${author}:${n}`, author, at: 1, sig: 'x'.repeat(900) }
}

/** A short signed chat as the app sends it: some 260 characters. */
function shortChat(author: string, n: number): OpLike {
  return {
    kind: 'chat',
    id: `${author}:${n}`,
    author,
    at: 1_765_000_000_000 + n,
    name: 'Chatty patient',
    role: 'patient',
    text: `history ${n}`,
    sig: 's'.repeat(86),
  } as OpLike
}

function setUp() {
  let now = 0
  const timers: Array<{ at: number; run: () => void }> = []
  const sent: Array<{ at: number; bytes: number; authors: string[] }> = []
  const outbox = new Outbox({
    send: (message) => {
      const items = (message as unknown as { items: OpLike[] }).items
      sent.push({
        at: now,
        bytes: items.reduce((sum, o) => sum + JSON.stringify(o).length, 0),
        authors: items.map((o) => o.author),
      })
    },
    ready: () => true,
    limits,
    ownOps: { author: () => 'me', ...PACE },
    now: () => now,
    setTimer: (run, ms) => timers.push({ at: now + ms, run }),
    clearTimer: () => undefined,
  })
  const runFor = (ms: number) => {
    const end = now + ms
    for (;;) {
      timers.sort((a, b) => a.at - b.at)
      const next = timers[0]
      if (!next || next.at > end) break
      timers.shift()
      now = next.at
      next.run()
    }
    now = end
  }
  return { outbox, sent, runFor }
}

describe('Outbox', () => {
  it('sends our own ops no faster than the receiver takes from one author', () => {
    const { outbox, sent, runFor } = setUp()
    outbox.enqueueOps(Array.from({ length: 100 }, (_, i) => op('me', i)))
    runFor(5000)
    const own = (until: number) => sent.filter((s) => s.at <= until).reduce((sum, s) => sum + s.bytes, 0)
    // The burst at once, then the rate: never more than the receiver's bucket would hold.
    for (const t of [0, 1000, 2000, 5000])
      expect(own(t)).toBeLessThanOrEqual(PACE.burst + (PACE.perSecond * t) / 1000)
    expect(own(5000)).toBeGreaterThan(PACE.burst + PACE.perSecond * 4)
    expect(outbox.pendingOps).toBeGreaterThan(0)
    runFor(10_000)
    expect(outbox.pendingOps).toBe(0)
  })

  it('sends relayed history at the ops message rate only', () => {
    const { outbox, sent, runFor } = setUp()
    outbox.enqueueOps(Array.from({ length: 100 }, (_, i) => op('someone-else', i)))
    runFor(0)
    expect(outbox.pendingOps).toBe(0)
    expect(sent.every((s) => s.authors.every((a) => a === 'someone-else'))).toBe(true)
  })

  it("packs short ops as densely as the message size allows: a long call's snapshot goes at once", () => {
    // 5,000 short chats (1.3 MB) in messages bounded by their characters, not by a count meant for long ones: at
    // 50 a message they took 100 messages, 3 s at the ops rate (BENCHMARKS.md, op log growth).
    const { outbox, sent, runFor } = setUp()
    const ops = limits.ops as MessageLimit
    outbox.enqueueOps(Array.from({ length: 5000 }, (_, i) => shortChat('someone-else', i)))
    runFor(0)
    expect(outbox.pendingOps).toBe(0)
    expect(sent.length).toBeLessThanOrEqual(Math.ceil((5000 * 265) / (ops.maxChars - 1000)) + 1)
    expect(sent.length).toBeLessThanOrEqual(ops.burst)
    expect(sent.every((s) => s.authors.length <= MAX_OPS_PER_MESSAGE)).toBe(true)
    expect(sent.every((s) => s.bytes + s.authors.length < ops.maxChars)).toBe(true)
  })
})
