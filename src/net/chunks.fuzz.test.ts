// Property-based checks of the chunk decoder every shared file's piece goes through: whatever bytes arrive, it
// returns a typed chunk or a typed rejection and never throws; what it accepts re-encodes to the same bytes; a
// truncated or extended valid chunk is refused.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHUNK_REJECTION, decodeChunk, encodeChunk, MAX_CHUNK_KEY_BYTES } from './chunks'

const FUZZ_TIMEOUT_MS = 60_000
const reasons = new Set<string>(Object.values(CHUNK_REJECTION))
const keyChar = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code))
const validChunk = fc.record({
  key: fc.array(keyChar, { minLength: 1, maxLength: MAX_CHUNK_KEY_BYTES }).map((chars) => chars.join('')),
  index: fc.integer({ min: 0, max: 0xffff_ffff }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
})

function expectTyped(result: ReturnType<typeof decodeChunk>) {
  if (!result.ok) expect(reasons.has(result.reason)).toBe(true)
}

describe('decodeChunk under fuzzing', () => {
  it(
    'never throws on arbitrary input, and says why it refused',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 400 }).map((bytes) => bytes.buffer),
            fc.uint8Array({ maxLength: 400 }).map((bytes) => {
              // Mostly well-formed headers, so the deeper checks are reached.
              if (bytes.length > 0) bytes[0] = 0xf9
              if (bytes.length > 1) bytes[1] = 1
              return bytes
            }),
            fc.anything(),
          ),
          (input) => expectTyped(decodeChunk(input)),
        ),
        { numRuns: 10_000 },
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'accepts every valid chunk, re-encodes it to the same bytes, and refuses it cut or extended',
    () => {
      fc.assert(
        fc.property(validChunk, fc.integer({ min: 1, max: 20 }), (chunk, cut) => {
          const bytes = new Uint8Array(encodeChunk(chunk))
          const decoded = decodeChunk(bytes)
          expect(decoded.ok).toBe(true)
          if (!decoded.ok) return
          expect(new Uint8Array(encodeChunk(decoded.chunk))).toEqual(bytes)
          expect(decodeChunk(bytes.slice(0, Math.max(0, bytes.length - cut))).ok).toBe(false)
          const longer = new Uint8Array(bytes.length + cut)
          longer.set(bytes)
          expect(decodeChunk(longer).ok).toBe(false)
        }),
        { numRuns: 10_000 },
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'never throws on mutated valid chunks',
    () => {
      fc.assert(
        fc.property(
          validChunk,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          (chunk, flips) => {
            const bytes = new Uint8Array(encodeChunk(chunk))
            for (const [at, value] of flips) bytes[at % bytes.length] = value
            expectTyped(decodeChunk(bytes))
          },
        ),
        { numRuns: 10_000 },
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})
