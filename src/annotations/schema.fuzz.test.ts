// Whatever a peer sends as an annotation op, the schemas answer without throwing, and whatever they accept is
// within the bounds the model relies on for bounded memory and sane drawing. The bounds are checked here by an
// independent walk over the accepted value, not by the schemas' own rules.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_CLOCK,
  MAX_COORDINATE,
  MAX_POINTS_PER_OP,
  MAX_STROKE_POINTS,
  MAX_STROKE_WIDTH,
  MIN_STROKE_WIDTH,
  QUAT_NORM_TOLERANCE,
  type Quat,
  type Vec3,
} from './model'
import { COLOUR_NAMES } from './palette'
import { annotationOpSchemas, laserMessageSchema } from './schema'

/** 2,000 runs per property take well under a second; the margin is for shared CI machines. */
const FUZZ_TIMEOUT_MS = 60_000

const schemas = [...annotationOpSchemas, laserMessageSchema]

const POINT_KEYS = new Set(['position', 'from', 'to', 'origin', 'hit'])

/** Throws unless everything in an accepted value is within bounds. */
function assertWithinBounds(value: unknown, key = ''): void {
  if (typeof value === 'number') {
    expect(Number.isFinite(value)).toBe(true)
    return
  }
  if (typeof value === 'string') {
    // The longest string any schema allows is an op id, anchor id or label: 80 characters.
    expect(value.length).toBeLessThanOrEqual(80)
    if (key === 'author') expect(value.length).toBeGreaterThanOrEqual(8)
    return
  }
  if (Array.isArray(value)) {
    if (POINT_KEYS.has(key) || key === 'point') assertPoint(value)
    else if (key === 'orientation') assertUnit(value, 4)
    else if (key === 'direction') assertUnit(value, 3)
    else if (key === 'points') {
      expect(value.length).toBeGreaterThanOrEqual(1)
      expect(value.length).toBeLessThanOrEqual(MAX_POINTS_PER_OP)
      for (const point of value) assertWithinBounds(point, 'point')
    } else throw new Error(`unexpected array under ${key}`)
    return
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>
    for (const [field, inner] of Object.entries(record)) assertWithinBounds(inner, field)
    if (typeof record.clock === 'number') assertClock(record.clock)
    if (typeof record.targetClock === 'number') assertClock(record.targetClock)
    if (typeof record.width === 'number') {
      expect(record.width).toBeGreaterThanOrEqual(MIN_STROKE_WIDTH)
      expect(record.width).toBeLessThanOrEqual(MAX_STROKE_WIDTH)
    }
    if (typeof record.colour === 'string') expect(COLOUR_NAMES).toContain(record.colour)
    if (typeof record.from === 'number' && Array.isArray(record.points)) {
      expect(Number.isInteger(record.from) && record.from >= 0).toBe(true)
      expect(record.from + record.points.length).toBeLessThanOrEqual(MAX_STROKE_POINTS)
    }
    return
  }
  expect(typeof value === 'boolean' || value === undefined).toBe(true)
}

function assertPoint(point: unknown[]) {
  expect(point).toHaveLength(3)
  for (const c of point) expect(typeof c === 'number' && Math.abs(c) <= MAX_COORDINATE).toBe(true)
}

function assertUnit(vector: unknown[], length: number) {
  expect(vector).toHaveLength(length)
  const norm = Math.hypot(...(vector as number[]))
  expect(Math.abs(norm - 1)).toBeLessThanOrEqual(QUAT_NORM_TOLERANCE)
}

function assertClock(clock: number) {
  expect(Number.isInteger(clock) && clock >= 1 && clock <= MAX_CLOCK).toBe(true)
}

/** Accepted values seen, so a test can tell that its bounds check ran at all. */
let accepted = 0

function safeParseAll(value: unknown) {
  for (const schema of schemas) {
    const result = schema.safeParse(value)
    if (result.success) {
      accepted++
      assertWithinBounds(result.data)
    }
  }
}

// --- Valid ops, generated independently of the schemas. ---

const coordinate = fc.double({ min: -MAX_COORDINATE, max: MAX_COORDINATE, noNaN: true })
const vec3: fc.Arbitrary<Vec3> = fc.tuple(coordinate, coordinate, coordinate)
const unit = (length: 3 | 4) =>
  fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: length, maxLength: length }).map((v) => {
    const norm = Math.hypot(...v)
    // Too short a vector to normalise without magnifying its rounding: use an axis instead.
    return norm < 0.1 ? v.map((_, i) => (i === length - 1 ? 1 : 0)) : v.map((c) => c / norm)
  })
const quat = unit(4) as fc.Arbitrary<Quat>
const session = fc.string({ minLength: 22, maxLength: 22 })
const opId = fc.string({ minLength: 1, maxLength: 80 })
const finite = fc.double({ noNaN: true, noDefaultInfinity: true })
const clock = fc.integer({ min: 1, max: MAX_CLOCK })
const points = fc.array(vec3, { minLength: 1, maxLength: 20 })
const base = { id: opId, author: session, at: finite }
const placement = fc.oneof(
  fc.record({ frame: fc.constant('world' as const), position: vec3, orientation: quat }),
  fc.record({ frame: fc.constant('anchor' as const), anchorId: opId, position: vec3, orientation: quat }),
  fc.record({ frame: fc.constant('plane' as const), planeId: opId, position: vec3, orientation: quat }),
)
const shape = fc.oneof(
  fc.record({
    type: fc.constant('stroke' as const),
    points,
    width: fc.double({ min: MIN_STROKE_WIDTH, max: MAX_STROKE_WIDTH, noNaN: true }),
  }),
  // An arrow of at least 2 cm, pointing along x from anywhere a metre inside the limits.
  fc
    .tuple(fc.tuple(coordinate, coordinate, coordinate), fc.double({ min: 0.02, max: 1, noNaN: true }))
    .map(([[x, y, z], length]) => {
      const from: Vec3 = [Math.min(x, MAX_COORDINATE - 1), y, z]
      return { type: 'arrow' as const, from, to: [from[0] + length, y, z] as Vec3 }
    }),
  fc.record({
    type: fc.constant('pin' as const),
    position: vec3,
    label: fc.string({ minLength: 1, maxLength: 80 }),
  }),
)
const validOp = fc.oneof(
  fc.record(
    {
      kind: fc.constant('annotation-add' as const),
      ...base,
      clock,
      authorName: fc.string({ minLength: 1, maxLength: 64 }),
      colour: fc.constantFrom(...COLOUR_NAMES),
      placement,
      approximate: fc.boolean(),
      shape,
    },
    { requiredKeys: ['kind', 'id', 'author', 'at', 'clock', 'authorName', 'colour', 'placement', 'shape'] },
  ),
  fc.record({
    kind: fc.constant('annotation-update' as const),
    ...base,
    target: opId,
    targetClock: clock,
    // Room for the longest piece generated (20 points).
    from: fc.nat({ max: MAX_STROKE_POINTS - 20 }),
    points,
  }),
  fc.record({ kind: fc.constant('annotation-delete' as const), ...base, target: opId, targetClock: clock }),
  fc.record({ kind: fc.constant('annotation-clear' as const), ...base, clock }),
)

/** A valid op with one field, anywhere inside it, replaced by anything at all or removed. */
const mutatedOp = fc
  .tuple(validOp, fc.nat(), fc.anything(), fc.boolean())
  .map(([op, pick, value, remove]) => {
    const copy: unknown = structuredClone(op)
    const slots: [Record<string, unknown> | unknown[], string | number][] = []
    const collect = (node: unknown) => {
      if (typeof node !== 'object' || node === null) return
      for (const [key, inner] of Object.entries(node)) {
        slots.push([node as Record<string, unknown>, Array.isArray(node) ? Number(key) : key])
        collect(inner)
      }
    }
    collect(copy)
    const slot = slots[pick % slots.length]
    if (slot) {
      const [parent, key] = slot
      if (remove && !Array.isArray(parent)) delete parent[key as string]
      else (parent as Record<string | number, unknown>)[key] = value
    }
    return copy
  })

describe('annotation schemas under arbitrary input', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('never throw, and accept only values within bounds', () => {
    fc.assert(fc.property(fc.anything(), safeParseAll), { numRuns: 2_000 })
  })

  it('never throw on valid ops with one field mutated, and accept only values within bounds', () => {
    accepted = 0
    fc.assert(fc.property(mutatedOp, safeParseAll), { numRuns: 2_000 })
    // Some mutations keep an op valid (a removed optional field, a value that happens to fit).
    expect(accepted).toBeGreaterThan(0)
  })

  it('accept every valid op, unchanged', () => {
    fc.assert(
      fc.property(validOp, (op) => {
        const schema = annotationOpSchemas.find((candidate) => candidate.shape.kind.def.values[0] === op.kind)
        const result = schema?.safeParse(op)
        expect(result?.success).toBe(true)
        expect(result?.data).toEqual(op)
        assertWithinBounds(result?.data)
      }),
      { numRuns: 500 },
    )
  })
})
