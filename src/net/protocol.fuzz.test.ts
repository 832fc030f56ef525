// Property-based checks of the one parse function every incoming message goes through: whatever arrives, it
// returns a typed message or a typed rejection, never throws, and never lets an invalid message through.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { messageSchema, PROTOCOL_VERSION, parseMessage } from './protocol'

const validMessage = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const),
    version: fc.constant(PROTOCOL_VERSION),
    name: fc.string({ minLength: 1, maxLength: 64 }),
    role: fc.constantFrom('patient', 'clinician', 'specialist', 'worker'),
    seat: fc.integer({ min: 0, max: 3 }),
    session: fc.string({ minLength: 8, maxLength: 64 }),
    muted: fc.boolean(),
    cameraOff: fc.boolean(),
  }),
  fc.record({ type: fc.constant('media-state' as const), muted: fc.boolean(), cameraOff: fc.boolean() }),
  fc.record({
    type: fc.constantFrom('ping' as const, 'pong' as const),
    sentAt: fc.double({ noNaN: true, noDefaultInfinity: true }),
  }),
  fc.constant({ type: 'bye' as const }),
)

/** A valid message with one field replaced by anything at all, or one field removed. */
const mutatedMessage = fc
  .tuple(validMessage, fc.nat(), fc.anything(), fc.boolean())
  .map(([message, pick, value, remove]) => {
    const keys = Object.keys(message)
    const key = keys[pick % keys.length] as string
    const copy: Record<string, unknown> = { ...message }
    if (remove) delete copy[key]
    else copy[key] = value
    return copy
  })

describe('parseMessage under arbitrary input', () => {
  it('never throws and accepts exactly what the schema accepts (10,000 arbitrary values)', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = parseMessage(input)
        expect(result.ok).toBe(messageSchema.safeParse(input).success)
      }),
      { numRuns: 10_000 },
    )
  })

  it('accepts every valid message unchanged and rejects mutated ones that break the schema (10,000 runs)', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        expect(parseMessage(message)).toEqual({ ok: true, message })
      }),
      { numRuns: 2_000 },
    )
    fc.assert(
      fc.property(mutatedMessage, (input) => {
        const result = parseMessage(input)
        if (!messageSchema.safeParse(input).success) expect(result.ok).toBe(false)
        if (!result.ok) expect(typeof result.detail).toBe('string')
      }),
      { numRuns: 10_000 },
    )
  })
})
