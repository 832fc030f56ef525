import { describe, expect, expectTypeOf, it } from 'vitest'
import type * as z from 'zod/mini'
import { LIMITS, opSchema } from '../call/protocol'
import { MAX_NAME_LENGTH } from '../net/protocol'
import { MAX_PAGE } from '../share/wire'
import type {
  AnnotationAddOp,
  AnnotationClearOp,
  AnnotationDeleteOp,
  AnnotationOp,
  AnnotationUpdateOp,
  Laser,
  Vec3,
} from './model'
import {
  MAX_CLOCK,
  MAX_COORDINATE,
  MAX_ITEM_PAGE,
  MAX_LABEL_LENGTH,
  MAX_POINTS_PER_OP,
  MAX_STROKE_POINTS,
} from './model'
import {
  type annotationAddOpSchema,
  type annotationClearOpSchema,
  type annotationDeleteOpSchema,
  type annotationUpdateOpSchema,
  laserMessageSchema,
  MAX_AUTHOR_NAME_LENGTH,
} from './schema'
import {
  ALICE,
  addOp,
  arrowShape,
  clearOp,
  deleteOp,
  line,
  pinShape,
  strokeShape,
  TEST_SIG,
  updateOp,
} from './test-ops'

// The protocol's op union, which holds the annotation ops next to chat, each with its author's signature (whose
// shape is all the schema checks; src/net/authorship.ts checks the signature itself).
const combined = opSchema
const signed = (value: unknown) => ({ ...(value as object), sig: TEST_SIG })
const accepts = (value: unknown) => combined.safeParse(signed(value)).success

const stroke = addOp(ALICE, 1, 1, strokeShape(line(0, 3)))
const valid: AnnotationOp[] = [
  stroke,
  addOp(ALICE, 2, 2, arrowShape(), { approximate: true }),
  addOp(ALICE, 3, 3, pinShape('Valve'), {
    placement: { frame: 'plane', planeId: 'plane-1', position: [1, 0, -2], orientation: [0, 0, 0, 1] },
  }),
  updateOp(ALICE, 4, stroke, 3, line(3, 5)),
  deleteOp(ALICE, 5, stroke),
  clearOp(ALICE, 6, 7),
]

describe('annotation op schemas', () => {
  it('describe exactly the model’s op types', () => {
    expectTypeOf<z.infer<typeof annotationAddOpSchema>>().toEqualTypeOf<AnnotationAddOp>()
    expectTypeOf<z.infer<typeof annotationUpdateOpSchema>>().toEqualTypeOf<AnnotationUpdateOp>()
    expectTypeOf<z.infer<typeof annotationDeleteOpSchema>>().toEqualTypeOf<AnnotationDeleteOp>()
    expectTypeOf<z.infer<typeof annotationClearOpSchema>>().toEqualTypeOf<AnnotationClearOp>()
    expectTypeOf<Omit<z.infer<typeof laserMessageSchema>, 'type'>>().toEqualTypeOf<Laser>()
  })

  it('accept valid ops unchanged, next to chat in the protocol’s op union', () => {
    for (const op of valid) expect(combined.parse(signed(op))).toEqual(signed(op))
    expect(
      accepts({ kind: 'chat', id: 'x:1', author: ALICE, at: 1, name: 'A', role: 'worker', text: 'hi' }),
    ).toBe(true)
  })

  it('share the protocol’s limits on names', () => {
    expect(MAX_AUTHOR_NAME_LENGTH).toBe(MAX_NAME_LENGTH)
  })

  it('refuse positions out of the room, broken rotations and non-numbers', () => {
    const at = (position: Vec3) => ({ ...stroke, placement: { ...stroke.placement, position } })
    expect(accepts(at([MAX_COORDINATE, -MAX_COORDINATE, 0]))).toBe(true)
    expect(accepts(at([MAX_COORDINATE + 0.001, 0, 0]))).toBe(false)
    expect(accepts(at([Number.NaN, 0, 0]))).toBe(false)
    expect(accepts(at([0, 0] as unknown as Vec3))).toBe(false)
    expect(accepts(at([0, 0, 0, 0] as unknown as Vec3))).toBe(false)
    const turned = (orientation: number[]) => ({ ...stroke, placement: { ...stroke.placement, orientation } })
    expect(accepts(turned([0, Math.SQRT1_2, 0, Math.SQRT1_2]))).toBe(true)
    expect(accepts(turned([0, 0, 0, 0]))).toBe(false)
    expect(accepts(turned([0, 0, 0, 1.05]))).toBe(false)
    expect(accepts(turned([1, 1, 1, 1]))).toBe(false)
    expect(
      accepts({ ...stroke, placement: { frame: 'anchor', position: [0, 0, 0], orientation: [0, 0, 0, 1] } }),
    ).toBe(false)
  })

  it('accept a mark on a shared item’s page or model, with a bounded page and a share id', () => {
    const pin = valid[2] as AnnotationAddOp
    const onItem = (item: string, page: number, position: Vec3 = [0.25, 0.4, 0]) => ({
      ...pin,
      placement: { frame: 'item', item, page, position, orientation: [0, 0, 0, 1] },
    })
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', 0))).toBe(true)
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', MAX_ITEM_PAGE))).toBe(true)
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', MAX_ITEM_PAGE + 1))).toBe(false)
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', -1))).toBe(false)
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', 1.5))).toBe(false)
    expect(accepts(onItem('', 0))).toBe(false)
    expect(accepts(onItem('x'.repeat(81), 0))).toBe(false)
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', 0, [0, MAX_COORDINATE + 1, 0]))).toBe(false)
    expect(accepts(onItem('abcdefghijklmnopqrstuv:7', 0, [Number.NaN, 0, 0]))).toBe(false)
    // The pages an item mark may name are the pages a shared view may show.
    expect(MAX_ITEM_PAGE).toBe(MAX_PAGE)
  })

  it('refuse oversized strings, unknown colours and bad clocks', () => {
    const pin = valid[2] as AnnotationAddOp
    expect(accepts({ ...pin, shape: pinShape('x'.repeat(MAX_LABEL_LENGTH)) })).toBe(true)
    expect(accepts({ ...pin, shape: pinShape('x'.repeat(MAX_LABEL_LENGTH + 1)) })).toBe(false)
    expect(accepts({ ...pin, shape: pinShape('') })).toBe(false)
    expect(accepts({ ...pin, authorName: 'x'.repeat(MAX_AUTHOR_NAME_LENGTH + 1) })).toBe(false)
    expect(accepts({ ...pin, author: 'short' })).toBe(false)
    expect(accepts({ ...pin, id: 'x'.repeat(81) })).toBe(false)
    expect(accepts({ ...pin, colour: 'black' })).toBe(false)
    for (const clock of [0, 1.5, MAX_CLOCK + 1, -1]) expect(accepts({ ...pin, clock })).toBe(false)
    expect(accepts({ ...pin, clock: MAX_CLOCK })).toBe(true)
  })

  it('refuse strokes beyond their limits and arrows without a direction', () => {
    expect(accepts(addOp(ALICE, 9, 1, strokeShape(line(0, MAX_POINTS_PER_OP))))).toBe(true)
    expect(accepts(addOp(ALICE, 9, 1, strokeShape(line(0, MAX_POINTS_PER_OP + 1))))).toBe(false)
    expect(accepts(addOp(ALICE, 9, 1, strokeShape([])))).toBe(false)
    expect(accepts(addOp(ALICE, 9, 1, strokeShape(line(0, 2), 0.2)))).toBe(false)
    expect(accepts(addOp(ALICE, 9, 1, { type: 'arrow', from: [1, 1, 1], to: [1, 1, 1.005] }))).toBe(false)
    const last = MAX_STROKE_POINTS - 10
    expect(accepts(updateOp(ALICE, 9, stroke, last, line(0, 10)))).toBe(true)
    expect(accepts(updateOp(ALICE, 9, stroke, last, line(0, 11)))).toBe(false)
    expect(accepts(updateOp(ALICE, 9, stroke, -1, line(0, 1)))).toBe(false)
    expect(accepts(updateOp(ALICE, 9, stroke, 0.5, line(0, 1)))).toBe(false)
  })

  it('keep the largest op well inside one ops message', () => {
    // 17 significant digits is the longest a double prints as.
    const far: Vec3 = [-99.99999999999999, -99.99999999999999, -99.99999999999999]
    const largest = addOp(
      's'.repeat(22),
      1,
      MAX_CLOCK,
      strokeShape(Array(MAX_POINTS_PER_OP).fill(far), 0.05),
      {
        id: 'i'.repeat(80),
        authorName: 'n'.repeat(MAX_AUTHOR_NAME_LENGTH),
        at: -1.2345678901234567e300,
        approximate: true,
        placement: {
          frame: 'anchor',
          anchorId: 'a'.repeat(80),
          position: far,
          orientation: [-0.5000000000000001, -0.5000000000000001, -0.5000000000000001, -0.5000000000000001],
        },
      },
    )
    expect(accepts(largest)).toBe(true)
    // An op larger than a message could never be delivered; at an eighth of one, a batch still carries eight.
    expect(JSON.stringify(signed(largest)).length).toBeLessThan(LIMITS.ops.maxChars / 8)
  })
})

describe('laser message schema', () => {
  const laser = {
    type: 'laser',
    author: ALICE,
    colour: 'sky',
    on: true,
    origin: [0, 1.6, 0],
    direction: [0, 0, -1],
    hit: [0, 0.8, -0.7],
    at: 12,
  }

  it('accepts a ray with or without a hit, and refuses a direction that is not a unit vector', () => {
    expect(laserMessageSchema.safeParse(laser).success).toBe(true)
    expect(laserMessageSchema.safeParse({ ...laser, hit: undefined }).success).toBe(true)
    expect(laserMessageSchema.safeParse({ ...laser, direction: [0, 0, -2] }).success).toBe(false)
    expect(laserMessageSchema.safeParse({ ...laser, direction: [0, 0, 0] }).success).toBe(false)
  })
})
