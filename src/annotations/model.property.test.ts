// The merge's promise, checked on random histories: every participant that receives the same operations, in any
// order and with any duplicates, ends with the same annotations, and those are what a plain set-based reading of
// the rules gives (so convergence is not reached by, say, showing nothing).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Annotation,
  type AnnotationAddOp,
  type AnnotationLimits,
  type AnnotationOp,
  type AnnotationState,
  applyAnnotationOp,
  applyAnnotationOps,
  createAnnotationState,
  isObsoleteAnnotationOp,
  MAX_ANNOTATIONS,
  MAX_STROKE_POINTS,
  materialize,
  type Shape,
  type Vec3,
} from './model'
import { COLOUR_NAMES } from './palette'
import { ALICE, BOB, CAROL, clearOp, deleteOp, line, updateOp } from './test-ops'

const AUTHORS = [ALICE, BOB, CAROL] as const
/** Small clocks, so that ties, clears that hit some annotations and not others, and stale ops are common. */
const clockArb = fc.integer({ min: 1, max: 12 })
const authorArb = fc.integer({ min: 0, max: 2 })

type Intent =
  | {
      t: 'add'
      author: number
      clock: number
      shape: 'stroke' | 'arrow' | 'pin'
      label: string
      colour: number
      approximate: boolean | undefined
      first: number
      /** Further pieces of a stroke, in points. */
      pieces: number[]
    }
  /** Another add under an earlier add's id: a broken or hostile author. */
  | { t: 'reuse'; pick: number; clock: number | null; label: string }
  | { t: 'delete'; author: number; pick: number; wrongClock: boolean }
  | { t: 'clear'; author: number; clock: number }
  /** Points written over an existing range, by the author or someone else. */
  | { t: 'overwrite'; author: number; pick: number; from: number; count: number; offset: number }

const intentArb: fc.Arbitrary<Intent> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('add' as const),
      author: authorArb,
      clock: clockArb,
      shape: fc.constantFrom('stroke' as const, 'arrow' as const, 'pin' as const),
      label: fc.string({ minLength: 1, maxLength: 4 }),
      colour: fc.nat({ max: COLOUR_NAMES.length - 1 }),
      approximate: fc.option(fc.boolean(), { nil: undefined }),
      first: fc.integer({ min: 1, max: 3 }),
      pieces: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('reuse' as const),
      pick: fc.nat(),
      clock: fc.option(clockArb, { nil: null }),
      label: fc.string({ minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('delete' as const),
      author: authorArb,
      pick: fc.nat(),
      wrongClock: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('clear' as const), author: authorArb, clock: clockArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('overwrite' as const),
      author: authorArb,
      pick: fc.nat(),
      from: fc.nat({ max: 6 }),
      count: fc.integer({ min: 1, max: 3 }),
      offset: fc.integer({ min: 100, max: 200 }),
    }),
  },
)

/** Turns intents into the ops participants would send (and a few they should not). At most ~60 ops. */
function toOps(intents: Intent[]): AnnotationOp[] {
  const ops: AnnotationOp[] = []
  const adds: AnnotationAddOp[] = []
  const counters = [0, 0, 0]
  const next = (author: number) => {
    counters[author] = (counters[author] ?? 0) + 1
    return counters[author] ?? 0
  }
  for (const intent of intents) {
    switch (intent.t) {
      case 'add': {
        const author = AUTHORS[intent.author] ?? ALICE
        const counter = next(intent.author)
        const shape: Shape =
          intent.shape === 'stroke'
            ? { type: 'stroke', points: line(0, intent.first), width: 0.004 }
            : intent.shape === 'arrow'
              ? { type: 'arrow', from: [0, 0, 0], to: [counter / 10, 0.5, 0] }
              : { type: 'pin', position: [0, counter / 10, 0], label: intent.label }
        const add: AnnotationAddOp = {
          kind: 'annotation-add',
          id: `${author}:${counter}`,
          author,
          at: 1000 + counter,
          clock: intent.clock,
          authorName: author.slice(0, 5),
          colour: COLOUR_NAMES[intent.colour] ?? 'yellow',
          placement: {
            frame: 'plane',
            planeId: 'table',
            position: [0, 0.8, -0.5],
            orientation: [0, 0, 0, 1],
          },
          shape,
          ...(intent.approximate === undefined ? {} : { approximate: intent.approximate }),
        }
        adds.push(add)
        ops.push(add)
        if (intent.shape === 'stroke') {
          let from = intent.first
          for (const count of intent.pieces) {
            ops.push(updateOp(author, next(intent.author), add, from, line(from, count)))
            from += count
          }
        }
        break
      }
      case 'reuse': {
        const original = adds[intent.pick % Math.max(adds.length, 1)]
        if (!original) break
        ops.push({
          ...original,
          clock: intent.clock ?? original.clock,
          shape: { type: 'pin', position: [0, 0, 0], label: intent.label },
        })
        break
      }
      case 'delete': {
        const author = AUTHORS[intent.author] ?? ALICE
        const target = adds[intent.pick % Math.max(adds.length, 1)]
        const clock = target ? target.clock + (intent.wrongClock ? 1 : 0) : 1
        ops.push(deleteOp(author, next(intent.author), { id: target?.id ?? 'gone:1', clock }))
        break
      }
      case 'clear':
        ops.push(clearOp(AUTHORS[intent.author] ?? ALICE, next(intent.author), intent.clock))
        break
      case 'overwrite': {
        const target = adds[intent.pick % Math.max(adds.length, 1)]
        if (!target) break
        const author = AUTHORS[intent.author] ?? ALICE
        const points = line(intent.offset + intent.from, intent.count)
        ops.push(updateOp(author, next(intent.author), target, intent.from, points))
        break
      }
    }
  }
  return ops
}

/** Ops plus duplicates of some of them, in a random order: what one participant receives. */
const deliveryArb = (ops: AnnotationOp[]) =>
  fc
    .array(fc.nat({ max: Math.max(ops.length - 1, 0) }), { maxLength: ops.length === 0 ? 0 : 15 })
    .chain((dups) => {
      const items = [...ops, ...dups.map((i) => ops[i] as AnnotationOp)]
      return fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length })
    })

const limitsArb: fc.Arbitrary<AnnotationLimits> = fc.oneof(
  fc.constant({ maxAnnotations: MAX_ANNOTATIONS, maxStrokePoints: MAX_STROKE_POINTS }),
  // Small enough that evictions and cut strokes happen in most runs.
  fc.record({
    maxAnnotations: fc.integer({ min: 1, max: 6 }),
    maxStrokePoints: fc.integer({ min: 1, max: 8 }),
  }),
)

const historyArb = fc
  .tuple(fc.array(intentArb, { maxLength: 32, size: 'max' }), limitsArb)
  .chain(([intents, limits]) => {
    const ops = toOps(intents)
    return fc.record({
      ops: fc.constant(ops),
      limits: fc.constant(limits),
      deliveries: fc.tuple(deliveryArb(ops), deliveryArb(ops), deliveryArb(ops)),
    })
  })

/** A state as text, records in id order (a Map keeps arrival order): equal text, equal state. */
const snapshot = (state: AnnotationState) =>
  JSON.stringify({ ...state, records: [...state.records].sort(([a], [b]) => cmp(a, b)) })

// --- The rules read directly off the set of ops: no order, no incremental state. ---

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    typeof field === 'object' && field !== null && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : field,
  )
}
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0)

function reference(ops: AnnotationOp[], limits: AnnotationLimits): Annotation[] {
  const cleared = Math.max(0, ...ops.map((op) => (op.kind === 'annotation-clear' ? op.clock : 0)))
  const key = (op: AnnotationOp): [string, number] | null =>
    op.kind === 'annotation-add'
      ? [op.id, op.clock]
      : op.kind === 'annotation-clear'
        ? null
        : [op.target, op.targetClock]
  // Per id, the highest clock any op names for it.
  const top = new Map<string, number>()
  for (const op of ops) {
    const k = key(op)
    if (k) top.set(k[0], Math.max(top.get(k[0]) ?? 0, k[1]))
  }
  const kept = [...top]
    .filter(([, clock]) => clock >= cleared)
    .sort(([idA, a], [idB, b]) => b - a || cmp(idB, idA))
    .slice(0, limits.maxAnnotations)
  const result: Annotation[] = []
  for (const [id, clock] of kept) {
    const group = ops.filter((op) => {
      const k = key(op)
      return k !== null && k[0] === id && k[1] === clock
    })
    if (group.some((op) => op.kind === 'annotation-delete')) continue
    const adds = group.filter((op): op is AnnotationAddOp => op.kind === 'annotation-add')
    const add = [...adds].sort((a, b) => cmp(canonical(a), canonical(b)))[0]
    if (!add) continue
    // Per index, the write of the greatest (op id, author, point).
    const slots = new Map<number, { op: string; author: string; point: Vec3 }>()
    const write = (op: string, author: string, from: number, points: Vec3[]) =>
      points.forEach((point, i) => {
        const index = from + i
        if (index >= limits.maxStrokePoints) return
        const current = slots.get(index)
        const rank = (w: { op: string; author: string; point: Vec3 }) => [w.op, w.author, ...w.point] as const
        if (current) {
          const a = rank({ op, author, point })
          const b = rank(current)
          const order = a.map((x, j) => cmp(x, b[j] ?? 0)).find((c) => c !== 0) ?? 0
          if (order <= 0) return
        }
        slots.set(index, { op, author, point })
      })
    for (const op of group) {
      if (op.kind === 'annotation-add' && op.shape.type === 'stroke')
        write(op.id, op.author, 0, op.shape.points)
      if (op.kind === 'annotation-update') write(op.id, op.author, op.from, op.points)
    }
    let shape = add.shape
    if (shape.type === 'stroke') {
      const points: Vec3[] = []
      for (let i = 0; slots.get(i)?.author === add.author; i++)
        points.push((slots.get(i) as { point: Vec3 }).point)
      shape = { ...shape, points }
    }
    result.push({
      id: add.id,
      author: add.author,
      authorName: add.authorName,
      colour: add.colour,
      createdAt: add.at,
      clock: add.clock,
      placement: add.placement,
      approximate: add.approximate === true,
      shape,
    })
  }
  return result.sort((a, b) => a.clock - b.clock || cmp(a.id, b.id))
}

/** 500 histories take about 2 s of CPU; Vitest's 5 s default is sized for unit tests, and CI machines are shared. */
const PROPERTY_TIMEOUT_MS = 60_000

describe('annotation merge', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('converges: three participants given the same ops in random orders, with duplicates, agree', () => {
    fc.assert(
      fc.property(historyArb, ({ ops, limits, deliveries }) => {
        const states = deliveries.map((delivery) =>
          applyAnnotationOps(createAnnotationState(limits), delivery),
        )
        const [first, ...others] = states
        if (!first) throw new Error('no replica')
        const shown = materialize(first)
        for (const other of others) {
          expect(materialize(other)).toEqual(shown)
          // The whole state, not only what is drawn: the next op cannot tell the replicas apart either.
          expect(snapshot(other)).toBe(snapshot(first))
        }
        expect(shown).toEqual(reference(ops, limits))
      }),
      { numRuns: 500 },
    )
  })

  it('is idempotent: applying an op a second time changes nothing', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), ({ ops, limits, deliveries }, pick) => {
        const delivery = deliveries[0]
        if (ops.length === 0 || !delivery) return
        const cut = pick % (delivery.length + 1)
        const op = ops[pick % ops.length] as AnnotationOp
        const once = applyAnnotationOp(
          applyAnnotationOps(createAnnotationState(limits), delivery.slice(0, cut)),
          op,
        )
        expect(applyAnnotationOp(once, op)).toEqual(once)
      }),
      { numRuns: 500 },
    )
  })

  it('prunes safely: a newcomer sent only the ops a participant kept reaches the same state', () => {
    let pruned = 0
    fc.assert(
      fc.property(historyArb, ({ limits, deliveries }) => {
        // A participant's op log as src/net/call-session.ts keeps it: every op once, and after each delete or
        // clear, the ops it made void forgotten.
        let state = createAnnotationState(limits)
        const kept = new Map<string, AnnotationOp>()
        for (const op of deliveries[0]) {
          if (kept.has(op.id)) continue
          kept.set(op.id, op)
          state = applyAnnotationOp(state, op)
          if (op.kind === 'annotation-delete' || op.kind === 'annotation-clear') {
            for (const [id, other] of kept) {
              if (isObsoleteAnnotationOp(state, other)) {
                kept.delete(id)
                pruned++
              }
            }
          }
        }
        // The newcomer gets what is kept, in another order.
        const newcomer = applyAnnotationOps(createAnnotationState(limits), [...kept.values()].reverse())
        expect(materialize(newcomer)).toEqual(materialize(state))
        expect(snapshot(newcomer)).toBe(snapshot(state))
      }),
      { numRuns: 500 },
    )
    // The property must have pruned something to mean anything.
    expect(pruned).toBeGreaterThan(100)
  })

  // A generator that quietly produced trivial histories would make the properties above pass for nothing.
  it('tests real histories: up to about 60 ops, most with stroke pieces, deletes and clears', () => {
    const samples = fc.sample(historyArb, { numRuns: 300, seed: 1 })
    const sizes = samples.map((history) => history.ops.length)
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(40)
    const withAll = samples.filter(({ ops }) =>
      ['annotation-update', 'annotation-delete', 'annotation-clear'].every((kind) =>
        ops.some((op) => op.kind === kind),
      ),
    )
    expect(withAll.length).toBeGreaterThan(samples.length / 3)
  })
})
