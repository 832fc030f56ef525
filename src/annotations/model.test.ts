import { describe, expect, it } from 'vitest'
import {
  type AnnotationOp,
  APPROXIMATE_DISTANCE,
  applyAnnotationOp,
  applyAnnotationOps,
  createAnnotationState,
  LASER_TIMEOUT_MS,
  type Laser,
  laserVisible,
  lastOwn,
  MAX_ANNOTATIONS,
  MAX_STROKE_POINTS,
  materialize,
  materializeItemMarks,
  materializeSpaceMarks,
  nextClock,
  placeOnRay,
} from './model'
import {
  ALICE,
  addOp,
  arrowShape,
  BOB,
  clearOp,
  deleteOp,
  line,
  pinShape,
  strokeShape,
  updateOp,
} from './test-ops'

const fold = (ops: AnnotationOp[], limits = {}) => applyAnnotationOps(createAnnotationState(limits), ops)
const ids = (ops: AnnotationOp[], limits = {}) => materialize(fold(ops, limits)).map((a) => a.id)

describe('adding', () => {
  it('shows each kind of annotation with its author, colour, time and placement', () => {
    const placement = {
      frame: 'anchor' as const,
      anchorId: 'anchor-7',
      position: [0.1, 0, 0.2] as [number, number, number],
      orientation: [0, Math.SQRT1_2, 0, Math.SQRT1_2] as [number, number, number, number],
    }
    const stroke = addOp(ALICE, 1, 1, strokeShape(line(0, 3)))
    const arrow = addOp(BOB, 1, 2, arrowShape(), { colour: 'white' })
    const pin = addOp(ALICE, 2, 3, pinShape('Valve here'), { placement })
    const shown = materialize(fold([pin, stroke, arrow]))
    expect(shown).toEqual([
      {
        id: `${ALICE}:1`,
        author: ALICE,
        authorName: 'Alice',
        colour: 'yellow',
        createdAt: stroke.at,
        clock: 1,
        placement: stroke.placement,
        approximate: false,
        shape: { type: 'stroke', points: line(0, 3), width: 0.005 },
      },
      expect.objectContaining({ id: `${BOB}:1`, authorName: 'Bob', colour: 'white', shape: arrowShape() }),
      expect.objectContaining({ id: `${ALICE}:2`, placement, shape: pinShape('Valve here') }),
    ])
  })

  it('carries the approximate flag of an annotation placed where the ray hit nothing', () => {
    const floating = placeOnRay([0, 1.6, 0], [0, 0, -2], null)
    expect(floating).toEqual({ position: [0, 1.6, -APPROXIMATE_DISTANCE], approximate: true })
    const onSurface = placeOnRay([0, 1.6, 0], [0, 0, -1], [0, 1.2, -0.8])
    expect(onSurface).toEqual({ position: [0, 1.2, -0.8], approximate: false })

    const pin = addOp(ALICE, 1, 1, pinShape('Here?'), {
      placement: { frame: 'world', position: floating.position, orientation: [0, 0, 0, 1] },
      approximate: floating.approximate,
    })
    const plain = addOp(ALICE, 2, 2, pinShape('There'))
    expect(materialize(fold([pin, plain])).map((a) => a.approximate)).toEqual([true, false])
  })

  it('is idempotent: a duplicate add returns the very same state', () => {
    const pin = addOp(ALICE, 1, 1, pinShape('A'))
    const once = fold([pin])
    expect(applyAnnotationOp(once, structuredClone(pin))).toBe(once)
  })

  it('orders annotations by clock, then id, whatever the order they arrived in', () => {
    const a = addOp(BOB, 1, 2, pinShape('b'))
    const b = addOp(ALICE, 1, 2, pinShape('a'))
    const c = addOp(ALICE, 2, 1, pinShape('c'))
    expect(ids([a, b, c])).toEqual([c.id, b.id, a.id])
    expect(ids([c, a, b])).toEqual([c.id, b.id, a.id])
  })

  it('picks the same body everywhere when a broken author sends two adds under one id', () => {
    const first = addOp(ALICE, 1, 1, pinShape('first'))
    const second = { ...first, shape: pinShape('second') }
    expect(materialize(fold([first, second]))).toEqual(materialize(fold([second, first])))
  })
})

describe('drawing a stroke', () => {
  const stroke = addOp(ALICE, 1, 1, strokeShape(line(0, 2)))

  it('appends the points of each update', () => {
    const state = fold([
      stroke,
      updateOp(ALICE, 2, stroke, 2, line(2, 3)),
      updateOp(ALICE, 3, stroke, 5, line(5, 1)),
    ])
    expect(materialize(state)[0]?.shape).toEqual(strokeShape(line(0, 6)))
  })

  it('shows a piece that overtook an earlier one only once the gap is filled', () => {
    const early = updateOp(ALICE, 2, stroke, 2, line(2, 3))
    const late = updateOp(ALICE, 3, stroke, 5, line(5, 3))
    const gap = fold([stroke, late])
    expect(materialize(gap)[0]?.shape).toEqual(strokeShape(line(0, 2)))
    expect(materialize(applyAnnotationOp(gap, early))[0]?.shape).toEqual(strokeShape(line(0, 8)))
  })

  it('keeps updates that arrive before their add, and ignores a duplicate update', () => {
    const update = updateOp(ALICE, 2, stroke, 2, line(2, 3))
    const state = fold([update, update, stroke])
    expect(materialize(state)[0]?.shape).toEqual(strokeShape(line(0, 5)))
    expect(applyAnnotationOp(state, update)).toBe(state)
  })

  it('ignores points written into a stroke by anyone but its author', () => {
    const intruder = updateOp(BOB, 1, stroke, 2, line(50, 3))
    expect(materialize(fold([stroke, intruder]))[0]?.shape).toEqual(strokeShape(line(0, 2)))
  })

  it(`stops a stroke at ${MAX_STROKE_POINTS} points`, () => {
    const ops: AnnotationOp[] = [stroke]
    for (let from = 2, counter = 2; from < MAX_STROKE_POINTS + 400; from += 200, counter++) {
      ops.push(updateOp(ALICE, counter, stroke, from, line(from, 200)))
    }
    const shape = materialize(fold(ops))[0]?.shape
    expect(shape?.type === 'stroke' && shape.points.length).toBe(MAX_STROKE_POINTS)
  })
})

describe('deleting and undo', () => {
  it('removes the annotation, even when the delete arrives before the add', () => {
    const pin = addOp(ALICE, 1, 1, pinShape('A'))
    const other = addOp(BOB, 1, 1, pinShape('B'))
    const remove = deleteOp(BOB, 2, pin)
    expect(ids([pin, other, remove])).toEqual([other.id])
    expect(ids([remove, other, pin])).toEqual([other.id])
    // A stroke's later points do not bring it back either.
    const stroke = addOp(ALICE, 2, 2, strokeShape(line(0, 2)))
    expect(ids([stroke, deleteOp(ALICE, 3, stroke), updateOp(ALICE, 4, stroke, 2, line(2, 2))])).toEqual([])
  })

  it('only deletes the annotation of that id and clock', () => {
    const pin = addOp(ALICE, 1, 3, pinShape('A'))
    expect(ids([pin, deleteOp(BOB, 1, { id: pin.id, clock: 2 })])).toEqual([pin.id])
  })

  it('undoes your own last annotation, then the one before, and never someone else’s', () => {
    const mine1 = addOp(ALICE, 1, 1, pinShape('1'))
    const theirs = addOp(BOB, 1, 2, pinShape('B'))
    const mine2 = addOp(ALICE, 2, 3, strokeShape(line(0, 2)))
    const theirsLater = addOp(BOB, 2, 4, pinShape('B2'))
    let state = fold([mine1, theirs, mine2, theirsLater])

    const undo = (counter: number) => {
      const last = lastOwn(state, ALICE)
      if (last) state = applyAnnotationOp(state, deleteOp(ALICE, counter, last))
      return last?.id
    }
    expect(undo(10)).toBe(mine2.id)
    expect(undo(11)).toBe(mine1.id)
    expect(undo(12)).toBeUndefined()
    expect(materialize(state).map((a) => a.id)).toEqual([theirs.id, theirsLater.id])
  })
})

describe('clearing', () => {
  it('removes everything its author had seen, and keeps what was made after seeing it', () => {
    let state = fold([addOp(ALICE, 1, 1, pinShape('A')), addOp(BOB, 1, 2, strokeShape(line(0, 2)))])
    state = applyAnnotationOp(state, clearOp(BOB, 2, nextClock(state)))
    expect(materialize(state)).toEqual([])
    const after = addOp(ALICE, 2, nextClock(state), pinShape('after'))
    expect(nextClock(state)).toBe(4)
    state = applyAnnotationOp(state, after)
    expect(materialize(state).map((a) => a.id)).toEqual([after.id])
  })

  it('also removes an annotation made before it that arrives after it', () => {
    const before = addOp(ALICE, 1, 1, pinShape('before'))
    const stroke = addOp(ALICE, 2, 2, strokeShape(line(0, 2)))
    const clear = clearOp(BOB, 1, 3)
    expect(ids([clear, before, updateOp(ALICE, 3, stroke, 2, line(2, 2)), stroke])).toEqual([])
    // Cleared records are dropped, not kept as marks: the state holds nothing.
    expect(fold([clear, before, stroke]).records.size).toBe(0)
  })

  it('keeps an annotation made concurrently with the same clock, on every participant', () => {
    const concurrent = addOp(ALICE, 1, 3, pinShape('concurrent'))
    const clear = clearOp(BOB, 1, 3)
    expect(ids([concurrent, clear])).toEqual([concurrent.id])
    expect(ids([clear, concurrent])).toEqual([concurrent.id])
  })

  it('takes the later of two clears, whichever arrives first', () => {
    const pins = [1, 2, 3, 4].map((clock) => addOp(ALICE, clock, clock, pinShape(`${clock}`)))
    const early = clearOp(BOB, 1, 2)
    const late = clearOp(BOB, 2, 4)
    expect(ids([...pins, early, late])).toEqual([pins[3]?.id])
    expect(ids([late, ...pins, early])).toEqual([pins[3]?.id])
  })
})

describe('limits', () => {
  it(`keeps at most ${MAX_ANNOTATIONS} annotations: the oldest by clock make room, whatever the arrival order`, () => {
    const pins = Array.from({ length: MAX_ANNOTATIONS + 20 }, (_, i) =>
      addOp(ALICE, i + 1, i + 1, pinShape('p')),
    )
    const inOrder = fold(pins)
    const reversed = fold([...pins].reverse())
    expect(inOrder.records.size).toBe(MAX_ANNOTATIONS)
    expect(materialize(inOrder)).toEqual(materialize(reversed))
    expect(materialize(inOrder)[0]?.id).toBe(pins[20]?.id)
  })

  it('counts deletion marks too, so a flood of deletes cannot grow memory either', () => {
    const pin = addOp(ALICE, 1, 100, pinShape('kept'))
    const deletes = Array.from({ length: 50 }, (_, i) =>
      deleteOp(BOB, i + 1, { id: `nowhere:${i}`, clock: 200 + i }),
    )
    const state = fold([pin, ...deletes], { maxAnnotations: 10 })
    expect(state.records.size).toBe(10)
    expect(materialize(state)).toEqual([])
  })

  it('frees the room of cleared annotations', () => {
    const pins = Array.from({ length: 4 }, (_, i) => addOp(ALICE, i + 1, i + 1, pinShape('p')))
    let state = fold(pins, { maxAnnotations: 4 })
    state = applyAnnotationOp(state, clearOp(BOB, 1, nextClock(state)))
    const fresh = Array.from({ length: 4 }, (_, i) => addOp(BOB, i + 2, nextClock(state) + i, pinShape('q')))
    state = applyAnnotationOps(state, fresh)
    expect(materialize(state).map((a) => a.id)).toEqual(fresh.map((op) => op.id))
  })
})

describe('materialize', () => {
  it('returns the same array for the same state, so a store selector is stable', () => {
    const state = fold([addOp(ALICE, 1, 1, pinShape('A'))])
    expect(materialize(state)).toBe(materialize(state))
  })
})

describe('laser pointer', () => {
  const laser: Laser = {
    author: ALICE,
    colour: 'yellow',
    on: true,
    origin: [0, 1.6, 0],
    direction: [0, 0, -1],
    at: 5,
  }

  it('is shown while updates keep coming, and hidden when released or stale', () => {
    expect(laserVisible(laser, 1000, 1000 + LASER_TIMEOUT_MS - 1)).toBe(true)
    expect(laserVisible(laser, 1000, 1000 + LASER_TIMEOUT_MS)).toBe(false)
    expect(laserVisible({ ...laser, on: false }, 1000, 1000)).toBe(false)
  })
})

describe('marks on shared items', () => {
  const onItem = (item: string, page: number, position: [number, number, number]) => ({
    placement: {
      frame: 'item' as const,
      item,
      page,
      position,
      orientation: [0, 0, 0, 1] as [number, number, number, number],
    },
  })
  const pdf = addOp(ALICE, 1, 1, pinShape('Here'), onItem('share:1', 1, [0.25, 0.4, 0]))
  const model = addOp(BOB, 1, 2, pinShape('Valve'), onItem('share:2', 0, [0.01, 0.02, -0.03]))
  const room = addOp(ALICE, 2, 3, pinShape('Room'))
  const state = applyAnnotationOps(createAnnotationState(), [pdf, model, room])

  it('are kept apart from the marks in the worker’s space, per item, with their item coordinates', () => {
    expect(materializeSpaceMarks(state).map((a) => a.id)).toEqual([room.id])
    expect(materializeItemMarks(state, 'share:1').map((a) => a.placement)).toEqual([pdf.placement])
    expect(materializeItemMarks(state, 'share:2').map((a) => a.id)).toEqual([model.id])
    expect(materializeItemMarks(state, 'share:3')).toEqual([])
  })

  it('give the same arrays for the same state (a store selector may return them)', () => {
    expect(materializeSpaceMarks(state)).toBe(materializeSpaceMarks(state))
    expect(materializeItemMarks(state, 'share:1')).toBe(materializeItemMarks(state, 'share:1'))
    expect(materializeItemMarks(state, 'none')).toBe(materializeItemMarks(state, 'other'))
    const plain = applyAnnotationOps(createAnnotationState(), [room])
    expect(materializeSpaceMarks(plain)).toBe(materialize(plain))
  })

  it('go with a clear like every mark', () => {
    const cleared = applyAnnotationOp(state, clearOp(BOB, 2, nextClock(state)))
    expect(materializeItemMarks(cleared, 'share:1')).toEqual([])
    expect(materializeSpaceMarks(cleared)).toEqual([])
  })
})
