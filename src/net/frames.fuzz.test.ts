// Property-based checks of the binary frame decoder every high-rate stream goes through: whatever bytes arrive, it
// returns a typed frame or a typed rejection and never throws; what it accepts is valid and has exactly one
// encoding; what is certainly broken (truncated, extended, wrong magic, lying length field) is rejected.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type DecodeResult,
  decodeFrame,
  encodeFrame,
  FRAME_MAGIC,
  FRAME_REJECTION,
  FRAME_VERSION,
  type Frame,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  MAX_LEADS,
  MAX_POSITION_METRES,
  MAX_SAMPLE_RATE_HZ,
  MAX_SAMPLES_PER_LEAD,
  QUATERNION_NORM_TOLERANCE,
} from './frames'

/** 10,000 runs take a few seconds; Vitest's 5 s default is sized for unit tests. */
const FUZZ_TIMEOUT_MS = 60_000

const reasons = new Set<string>(Object.values(FRAME_REJECTION))

const frameHeader = {
  stream: fc.integer({ min: 0, max: 0xff }),
  seq: fc.integer({ min: 0, max: 0xffff_ffff }),
  capturedAt: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
}

/** Samples filled from a seed: generating up to 16,000 values one by one would make 10,000 runs slow. */
const seededSamples = (length: number) =>
  fc.integer().map((seed) => {
    const samples = new Int16Array(length)
    let state = seed
    for (let i = 0; i < length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0 // a plain LCG: random enough for sample values
      samples[i] = state >> 16
    }
    return samples
  })

const waveformFrame = fc
  .record({
    ...frameHeader,
    sampleRateHz: fc.integer({ min: 1, max: MAX_SAMPLE_RATE_HZ }),
    leads: fc.integer({ min: 1, max: MAX_LEADS }),
    // Mostly short batches whose samples shrink to a readable counterexample; one in 20 up to the longest allowed.
    perLead: fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: 1, max: 16 }) },
      { weight: 1, arbitrary: fc.integer({ min: 17, max: MAX_SAMPLES_PER_LEAD }) },
    ),
    // float32 values, so that a frame survives the trip unchanged; from the smallest positive subnormal upwards.
    scale: fc.float({ min: 2 ** -149, noNaN: true, noDefaultInfinity: true }),
  })
  .chain(({ perLead, ...frame }) => {
    const length = perLead * frame.leads
    const samples =
      perLead <= 16 ? fc.int16Array({ minLength: length, maxLength: length }) : seededSamples(length)
    return samples.map((values): Frame => ({ kind: 'waveform', ...frame, samples: values }))
  })

const coordinate = fc.float({ min: -MAX_POSITION_METRES, max: MAX_POSITION_METRES, noNaN: true })
const unit = fc.double({ min: -1, max: 1, noNaN: true })
const poseFrame = fc
  .record({
    ...frameHeader,
    position: fc.tuple(coordinate, coordinate, coordinate),
    direction: fc.tuple(unit, unit, unit, unit).filter((q) => Math.hypot(...q) > 0.1),
    // Not quite unit length, as a sender's drifted quaternion may be; well inside the tolerance after rounding.
    length: fc.double({
      min: 1 - QUATERNION_NORM_TOLERANCE / 2,
      max: 1 + QUATERNION_NORM_TOLERANCE / 2,
      noNaN: true,
    }),
  })
  .map(({ direction, length, ...frame }): Frame => {
    const [x, y, z, w] = direction.map((value) => Math.fround((value / Math.hypot(...direction)) * length))
    return { kind: 'pose', ...frame, orientation: [x ?? 0, y ?? 0, z ?? 0, w ?? 1] }
  })

const validFrame = fc.oneof(waveformFrame, poseFrame)

/** An oracle written from the layout's rules, independent of the decoder: does this frame obey them? */
function obeysTheRules(frame: Frame): boolean {
  const header =
    Number.isInteger(frame.stream) &&
    frame.stream >= 0 &&
    frame.stream <= 0xff &&
    Number.isInteger(frame.seq) &&
    frame.seq >= 0 &&
    frame.seq <= 0xffff_ffff &&
    Number.isFinite(frame.capturedAt) &&
    frame.capturedAt >= 0
  if (frame.kind === 'waveform') {
    const perLead = frame.samples.length / frame.leads
    return (
      header &&
      Number.isInteger(frame.sampleRateHz) &&
      frame.sampleRateHz >= 1 &&
      frame.sampleRateHz <= MAX_SAMPLE_RATE_HZ &&
      Number.isInteger(frame.leads) &&
      frame.leads >= 1 &&
      frame.leads <= MAX_LEADS &&
      Number.isFinite(frame.scale) &&
      frame.scale > 0 &&
      Number.isInteger(perLead) &&
      perLead >= 1 &&
      perLead <= MAX_SAMPLES_PER_LEAD
    )
  }
  return (
    header &&
    frame.position.every((value) => Number.isFinite(value) && Math.abs(value) <= MAX_POSITION_METRES) &&
    frame.orientation.every(Number.isFinite) &&
    Math.abs(Math.hypot(...frame.orientation) - 1) <= QUATERNION_NORM_TOLERANCE
  )
}

function sameBytes(a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array): boolean {
  const x = a instanceof Uint8Array ? a : new Uint8Array(a)
  const y = b instanceof Uint8Array ? b : new Uint8Array(b)
  return x.length === y.length && x.every((byte, i) => byte === y[i])
}

/**
 * The two frames are equal. Samples are compared as bytes: a deep `toEqual` over 16,000 typed-array elements is
 * slow enough, repeated thousands of times, to dominate the run.
 */
function expectSameFrame(actual: Frame, expected: Frame) {
  if (actual.kind === 'waveform' && expected.kind === 'waveform') {
    expect({ ...actual, samples: null }).toEqual({ ...expected, samples: null })
    expect(sameBytes(toBytes(actual.samples), toBytes(expected.samples))).toBe(true)
  } else expect(actual).toEqual(expected)
}

const toBytes = (samples: Int16Array) =>
  new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)

/** What must hold for any input bytes: a known rejection, or a valid frame whose encoding is exactly the input. */
function checkOutcome(result: DecodeResult, input: Uint8Array) {
  if (!result.ok) {
    expect(reasons.has(result.reason)).toBe(true)
    expect(typeof result.detail).toBe('string')
    return
  }
  expect(obeysTheRules(result.frame)).toBe(true)
  const again = encodeFrame(result.frame)
  expect(sameBytes(again, input)).toBe(true)
  const decodedAgain = decodeFrame(again)
  if (!decodedAgain.ok) throw new Error(`re-encoded frame rejected: ${decodedAgain.detail}`)
  expectSameFrame(decodedAgain.frame, result.frame)
}

type Mutation =
  | { type: 'flip'; bits: number[] }
  | { type: 'overwrite'; at: number; value: number }
  | { type: 'truncate'; at: number }
  | { type: 'extend'; extra: Uint8Array }
  | { type: 'length'; value: number }
  | { type: 'magic'; value: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ type: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({
    type: fc.constant('overwrite' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ type: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ type: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ type: fc.constant('length' as const), value: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({
    type: fc.constant('magic' as const),
    value: fc.integer({ min: 0, max: 255 }).filter((value) => value !== FRAME_MAGIC),
  }),
)

/** The mutated bytes, and the rejection the mutation makes certain (undefined: it may or may not stay valid). */
function mutate(valid: Uint8Array, change: Mutation): { bytes: Uint8Array; expected?: string } {
  const bytes = new Uint8Array(valid)
  const size = bytes.length
  // After an earlier truncation there may be nothing (or no length field) left to mutate.
  if (size === 0 || (change.type === 'length' && size < HEADER_BYTES)) return { bytes }
  switch (change.type) {
    case 'flip':
      for (const bit of change.bits) {
        const at = Math.floor(bit / 8) % size
        bytes[at] = (bytes[at] ?? 0) ^ (1 << (bit % 8))
      }
      return { bytes }
    case 'overwrite':
      bytes[change.at % size] = change.value
      return { bytes }
    case 'truncate': {
      const at = change.at % size // always at least one byte short
      return {
        bytes: bytes.slice(0, at),
        expected: at < HEADER_BYTES ? FRAME_REJECTION.tooShort : FRAME_REJECTION.lengthMismatch,
      }
    }
    case 'extend': {
      const longer = new Uint8Array(size + change.extra.length)
      longer.set(bytes)
      longer.set(change.extra, size)
      return {
        bytes: longer,
        expected: longer.length > MAX_FRAME_BYTES ? FRAME_REJECTION.tooLarge : FRAME_REJECTION.lengthMismatch,
      }
    }
    case 'length': {
      const view = new DataView(bytes.buffer)
      const truth = view.getUint16(16, true)
      view.setUint16(16, change.value, true)
      return { bytes, expected: change.value === truth ? undefined : FRAME_REJECTION.lengthMismatch }
    }
    case 'magic':
      bytes[0] = change.value
      return { bytes, expected: FRAME_REJECTION.badMagic }
  }
}

describe('decodeFrame under arbitrary input', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('never throws on any JavaScript value, and calls only binary data binary (10,000 values)', () => {
    const anything = fc.anything({
      withTypedArray: true,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withSparseArray: true,
    })
    fc.assert(
      fc.property(anything, (input) => {
        const result = decodeFrame(input)
        if (!ArrayBuffer.isView(input) && !(input instanceof ArrayBuffer)) {
          expect(result).toMatchObject({ ok: false, reason: FRAME_REJECTION.notBinary })
        } else if (!result.ok) expect(reasons.has(result.reason)).toBe(true)
      }),
      { numRuns: 10_000 },
    )
  })

  it('never throws on arbitrary bytes; what it accepts is valid and re-encodes to the same bytes (10,000 arrays)', () => {
    fc.assert(
      // size 'max': fast-check's default size keeps arrays under about ten elements, all shorter than a header.
      fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), (bytes) => {
        checkOutcome(decodeFrame(bytes), bytes)
      }),
      { numRuns: 10_000 },
    )
  })

  it('the same for arbitrary bytes behind a plausible header, which reach the kind decoders (10,000 arrays)', () => {
    const plausible = fc
      .tuple(
        fc.constantFrom(1, 2, 3),
        fc.uint8Array({ minLength: HEADER_BYTES, maxLength: 300, size: 'max' }),
        fc.boolean(),
      )
      .map(([kind, bytes, honestLength]) => {
        const view = new DataView(bytes.buffer)
        view.setUint8(0, FRAME_MAGIC)
        view.setUint8(1, FRAME_VERSION)
        view.setUint8(2, kind)
        if (honestLength) view.setUint16(16, bytes.length - HEADER_BYTES, true)
        return bytes
      })
    fc.assert(
      fc.property(plausible, (bytes) => {
        checkOutcome(decodeFrame(bytes), bytes)
      }),
      { numRuns: 10_000 },
    )
  })
})

describe('decodeFrame on valid and mutated frames', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('round-trips every valid frame unchanged (10,000 frames)', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const result = decodeFrame(encodeFrame(frame))
        if (!result.ok) throw new Error(`valid frame rejected: ${result.reason}: ${result.detail}`)
        expectSameFrame(result.frame, frame)
      }),
      { numRuns: 10_000 },
    )
  })

  it('never throws on mutated frames, rejects the certainly broken ones, keeps the rest valid (10,000 runs)', () => {
    fc.assert(
      fc.property(validFrame, fc.array(mutation, { minLength: 1, maxLength: 3 }), (frame, changes) => {
        let bytes: Uint8Array = new Uint8Array(encodeFrame(frame))
        let expected: string | undefined
        changes.forEach((change, i) => {
          const mutated = mutate(bytes, change)
          bytes = mutated.bytes
          // Only a single mutation has a certain outcome: a second one may undo or mask the first.
          expected = i === 0 && changes.length === 1 ? mutated.expected : undefined
        })
        const result = decodeFrame(bytes)
        if (expected !== undefined) expect(result).toMatchObject({ ok: false, reason: expected })
        checkOutcome(result, bytes)
      }),
      { numRuns: 10_000 },
    )
  })
})
