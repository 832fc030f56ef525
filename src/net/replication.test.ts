import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Op } from '../call/protocol'
import { OpLog, snapshotOrder } from './replication'

function chat(id: string, author = 'session-a'): Op {
  return { kind: 'chat', id, author, at: 1, name: 'Ada', role: 'clinician', text: id, sig: 'S'.repeat(86) }
}

describe('OpLog', () => {
  it('applies each id once, and resends only what a peer has not acknowledged', () => {
    const applied: string[] = []
    const log = new OpLog('session-a', (op) => applied.push(op.id))
    const ops = [log.nextId(), log.nextId(), log.nextId()].map((id) => chat(id))
    for (const op of ops) expect(log.add(op)).toBe(true)
    expect(log.add(ops[0] as Op)).toBe(false)
    expect(applied).toEqual(ops.map((op) => op.id))
    expect(log.missingFor('session-b')).toEqual(ops)
    log.acknowledged('session-b', [ops[0]?.id as string])
    expect(log.missingFor('session-b')).toEqual(ops.slice(1))
    // What b sent us, b holds.
    const fromB = chat('session-b:1', 'session-b')
    expect(log.receive(fromB, 'session-b')).toBe(true)
    expect(log.receive(fromB, 'session-b')).toBe(false)
    expect(log.missingFor('session-b')).toEqual(ops.slice(1))
    // A newcomer gets everything, including b's.
    expect(log.missingFor('session-c')).toHaveLength(4)
  })

  it('forgets pruned ops, also from what peers are known to hold, and a session that left', () => {
    const log = new OpLog('session-a', () => undefined)
    const [keep, drop] = [chat('session-a:1'), chat('session-a:2')]
    log.add(keep)
    log.add(drop)
    log.acknowledged('session-b', [keep.id, drop.id])
    log.prune((op) => op.id !== drop.id)
    expect(log.all()).toEqual([keep])
    expect(log.has(drop.id)).toBe(false)
    // b's acknowledgement of the pruned op is gone with it: a fresh copy of that id would count as new again.
    expect((log as unknown as { heldBy: Map<string, Set<string>> }).heldBy.get('session-b')).toEqual(
      new Set([keep.id]),
    )
    log.forget('session-b')
    expect(log.missingFor('session-b')).toEqual([keep])
  })

  it('prunes to a cap and remembers the ids: a copy that comes again is held, never applied twice', () => {
    const applied: string[] = []
    const log = new OpLog('session-a', (op) => applied.push(op.id))
    const [old, kept] = [chat('session-b:1', 'session-b'), chat('session-b:2', 'session-b')]
    log.add(old)
    log.add(kept)
    log.prune((op) => op.id !== old.id, { remember: true })
    expect(log.all()).toEqual([kept])
    // Not resent, not in a newcomer's snapshot, and a resend of it is known.
    expect(log.missingFor('session-c')).toEqual([kept])
    expect(log.has(old.id)).toBe(true)
    expect(log.receive(old, 'session-c')).toBe(false)
    expect(applied).toEqual([old.id, kept.id])
  })

  it('converges: any order of delivery, with duplicates, gives every receiver the same operations once', () => {
    const ops = Array.from({ length: 40 }, (_, i) => chat(`s${i % 3}-session:${i}`, `s${i % 3}-session`))
    const delivery = fc.array(fc.nat({ max: ops.length - 1 }), { minLength: ops.length, maxLength: 200 })
    fc.assert(
      fc.property(delivery, delivery, (orderA, orderB) => {
        const seen = [new Map<string, number>(), new Map<string, number>()]
        const logs = seen.map(
          (counts) => new OpLog('receiver', (op) => counts.set(op.id, (counts.get(op.id) ?? 0) + 1)),
        )
        // Every op arrives at least once (a resend after reconnect), in the drawn order, plus duplicates.
        for (const [log, order] of [
          [logs[0], orderA],
          [logs[1], orderB],
        ] as const) {
          for (const i of [...order, ...ops.keys()]) log?.receive(ops[i] as Op, 'sender')
        }
        for (const counts of seen) {
          expect(counts.size).toBe(ops.length)
          expect([...counts.values()].every((n) => n === 1)).toBe(true)
        }
        const ids = (log: OpLog | undefined) => new Set(log?.all().map((op) => op.id))
        expect(ids(logs[0])).toEqual(ids(logs[1]))
      }),
      { numRuns: 500 },
    )
  })

  it('orders a snapshot: who-is-who first, then the history newest first, then the rest in log order', () => {
    const op = (kind: string, id: string) => ({ kind, id, author: 'a', at: 1, sig: '' })
    const log = [
      op('member', 'a:0'),
      op('chat', 'a:1'),
      op('annotation-add', 'a:2'),
      op('chat', 'a:3'),
      op('member', 'b:0'),
      op('admit', 'a:4'),
      op('chat', 'b:1'),
      op('dismiss', 'a:5'),
      op('annotation-delete', 'a:6'),
    ]
    expect(snapshotOrder(log, (o) => o.kind === 'chat').map((o) => o.id)).toEqual([
      'a:0',
      'b:0',
      'a:4',
      'b:1',
      'a:3',
      'a:1',
      'a:2',
      'a:5',
      'a:6',
    ])
    // Nothing marked: who-is-who first, the rest as it was.
    expect(snapshotOrder(log, () => false).map((o) => o.id)).toEqual([
      'a:0',
      'b:0',
      'a:4',
      'a:1',
      'a:2',
      'a:3',
      'b:1',
      'a:5',
      'a:6',
    ])
    // Every op once, whatever is marked.
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('member', 'admit', 'chat', 'dismiss', 'mark'), { maxLength: 40 }),
        (kinds) => {
          const ops = kinds.map((kind, i) => op(kind, `a:${i}`))
          const ordered = snapshotOrder(ops, (o) => o.kind === 'chat')
          expect([...ordered].sort((x, y) => Number(x.id.slice(2)) - Number(y.id.slice(2)))).toEqual(ops)
        },
      ),
    )
  })
})
