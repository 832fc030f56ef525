import { describe, expect, it } from 'vitest'
import {
  decodeFrame,
  ECG_BATCH_MS,
  encodeFrame,
  FRAME_MAGIC,
  FRAME_REJECTION,
  FRAME_VERSION,
  type Frame,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  MAX_LEADS,
  MAX_SAMPLES_PER_LEAD,
  type PoseFrame,
  type WaveformFrame,
  waveformBytesPerSecond,
} from './frames'

const hex = (data: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(data instanceof Uint8Array ? data : new Uint8Array(data))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join(' ')

/** Hand-built header, written field by field at the documented offsets, independently of encodeFrame. */
function header(view: DataView, fields: { kind: number; payloadLength: number; capturedAt?: number }) {
  view.setUint8(0, FRAME_MAGIC)
  view.setUint8(1, FRAME_VERSION)
  view.setUint8(2, fields.kind)
  view.setUint8(3, 7) // stream
  view.setUint32(4, 42, true) // seq
  view.setFloat64(8, fields.capturedAt ?? 1_700_000_000_000.25, true)
  view.setUint16(16, fields.payloadLength, true)
}

/** A waveform frame built by hand; every field can be overridden to make it invalid. */
function waveformBytes(
  options: {
    sampleRateHz?: number
    leads?: number
    scale?: number
    samples?: number[]
    capturedAt?: number
    payloadLength?: number
    extraBytes?: number
  } = {},
): ArrayBuffer {
  const { sampleRateHz = 250, leads = 1, scale = 2.5, samples = [10, -20, 30], extraBytes = 0 } = options
  const payloadLength = 7 + samples.length * 2 + extraBytes
  const view = new DataView(new ArrayBuffer(HEADER_BYTES + payloadLength))
  header(view, {
    kind: 1,
    payloadLength: options.payloadLength ?? payloadLength,
    capturedAt: options.capturedAt,
  })
  view.setUint16(18, sampleRateHz, true)
  view.setUint8(20, leads)
  view.setFloat32(21, scale, true)
  samples.forEach((sample, i) => {
    view.setInt16(25 + i * 2, sample, true)
  })
  return view.buffer as ArrayBuffer
}

function poseBytes(
  options: { values?: number[]; payloadLength?: number; capturedAt?: number; bytes?: number } = {},
): ArrayBuffer {
  const { values = [0.5, 1.6, -2, 0, 0, 0, 1], bytes = 28 } = options
  const view = new DataView(new ArrayBuffer(HEADER_BYTES + bytes))
  header(view, { kind: 2, payloadLength: options.payloadLength ?? bytes, capturedAt: options.capturedAt })
  values.forEach((value, i) => {
    if (18 + i * 4 + 4 <= view.byteLength) view.setFloat32(18 + i * 4, value, true)
  })
  return view.buffer as ArrayBuffer
}

function withByte(buffer: ArrayBuffer, offset: number, value: number): ArrayBuffer {
  const copy = buffer.slice(0)
  new DataView(copy).setUint8(offset, value)
  return copy
}

const waveform: WaveformFrame = {
  kind: 'waveform',
  stream: 2,
  seq: 0x01020304,
  capturedAt: 1,
  sampleRateHz: 250,
  leads: 1,
  scale: 1,
  samples: Int16Array.of(1, -2, 0x7fff),
}

const pose: PoseFrame = {
  kind: 'pose',
  stream: 0,
  seq: 0xffff_ffff,
  capturedAt: 0,
  position: [0, 1, -2],
  orientation: [0, 0, 0, 1],
}

describe('encodeFrame', () => {
  it('writes the documented little-endian layout, byte for byte', () => {
    expect(hex(encodeFrame(waveform))).toBe(
      [
        'f8 01 01 02', // magic, version, kind 1 (waveform), stream 2
        '04 03 02 01', // seq 0x01020304
        '00 00 00 00 00 00 f0 3f', // capturedAt 1.0 (float64)
        '0d 00', // payload length 13 = 7 + 3 samples × 2
        'fa 00 01', // 250 Hz, 1 lead
        '00 00 80 3f', // scale 1.0 (float32)
        '01 00 fe ff ff 7f', // samples 1, -2, 32767
      ].join(' '),
    )
    expect(hex(encodeFrame(pose))).toBe(
      [
        'f8 01 02 00', // magic, version, kind 2 (pose), stream 0
        'ff ff ff ff', // seq 2^32 - 1
        '00 00 00 00 00 00 00 00', // capturedAt 0
        '1c 00', // payload length 28
        '00 00 00 00 00 00 80 3f 00 00 00 c0', // position 0, 1, -2
        '00 00 00 00 00 00 00 00 00 00 00 00 00 00 80 3f', // orientation 0, 0, 0, 1
      ].join(' '),
    )
  })

  it('throws a RangeError for a frame a peer would reject, instead of sending it', () => {
    const bad: Frame[] = [
      { ...waveform, stream: 256 },
      { ...waveform, stream: -1 },
      { ...waveform, seq: 2 ** 32 },
      { ...waveform, seq: 1.5 },
      { ...waveform, capturedAt: Number.NaN },
      { ...waveform, capturedAt: -1 },
      { ...waveform, sampleRateHz: 0 },
      { ...waveform, sampleRateHz: 250.5 },
      { ...waveform, leads: 0 },
      { ...waveform, leads: MAX_LEADS + 1, samples: new Int16Array(MAX_LEADS + 1) },
      { ...waveform, leads: 2 }, // 3 samples do not split into 2 leads
      { ...waveform, samples: new Int16Array(0) },
      { ...waveform, samples: new Int16Array(MAX_SAMPLES_PER_LEAD + 1) },
      { ...waveform, scale: 0 },
      { ...waveform, scale: Number.POSITIVE_INFINITY },
      { ...pose, position: [2000, 0, 0] },
      { ...pose, orientation: [0, 0, 0, 0] },
      { ...pose, orientation: [0, 0, 0, Number.NaN] },
    ]
    for (const frame of bad) expect(() => encodeFrame(frame)).toThrow(RangeError)
  })
})

describe('decodeFrame', () => {
  it('decodes hand-built frames of each kind', () => {
    expect(decodeFrame(waveformBytes({ leads: 2, samples: [1, -1, 2, -2, 32767, -32768] }))).toEqual({
      ok: true,
      frame: {
        kind: 'waveform',
        stream: 7,
        seq: 42,
        capturedAt: 1_700_000_000_000.25,
        sampleRateHz: 250,
        leads: 2,
        scale: 2.5,
        samples: Int16Array.of(1, -1, 2, -2, 32767, -32768),
      },
    })
    expect(decodeFrame(poseBytes())).toEqual({
      ok: true,
      frame: {
        kind: 'pose',
        stream: 7,
        seq: 42,
        capturedAt: 1_700_000_000_000.25,
        position: [0.5, Math.fround(1.6), -2],
        orientation: [0, 0, 0, 1],
      },
    })
  })

  it('reads ArrayBuffers and any view on one, at any offset', () => {
    const bytes = new Uint8Array(waveformBytes())
    const expected = decodeFrame(bytes.buffer)
    expect(expected.ok).toBe(true)
    // An odd offset inside a bigger buffer: an Int16Array view on it would throw, DataView does not.
    const padded = new Uint8Array(bytes.length + 4)
    padded.set(bytes, 1)
    for (const input of [
      bytes,
      padded.subarray(1, 1 + bytes.length),
      new DataView(padded.buffer, 1, bytes.length),
      new (class extends Uint8Array {})(bytes), // a subclass, as Node's Buffer is
    ]) {
      expect(decodeFrame(input)).toEqual(expected)
    }
  })

  it('accepts the limits themselves', () => {
    const biggest: WaveformFrame = {
      ...waveform,
      sampleRateHz: 1000,
      leads: MAX_LEADS,
      samples: new Int16Array(MAX_LEADS * MAX_SAMPLES_PER_LEAD),
    }
    const bytes = encodeFrame(biggest)
    expect(bytes.byteLength).toBe(MAX_FRAME_BYTES)
    // Compared field by field: a deep toEqual over 16,000 samples takes most of a second.
    const decoded = decodeFrame(bytes)
    if (!decoded.ok) throw new Error(decoded.detail)
    expect(decoded.frame).toMatchObject({ kind: 'waveform', sampleRateHz: 1000, leads: MAX_LEADS })
    expect(decoded.frame.kind === 'waveform' && decoded.frame.samples.length).toBe(
      MAX_LEADS * MAX_SAMPLES_PER_LEAD,
    )
    expect(decodeFrame(poseBytes({ values: [1000, -1000, 0, 0, 0, 0, -1] })).ok).toBe(true)
    expect(decodeFrame(poseBytes({ values: [0, 0, 0, 0, 0.6, 0, 0.8] })).ok).toBe(true)
    expect(decodeFrame(poseBytes({ values: [0, 0, 0, 0, 0, 0, 1.009] })).ok).toBe(true)
    expect(decodeFrame(poseBytes({ values: [0, 0, 0, 0, 0, 0, 0.991] })).ok).toBe(true)
  })

  it('rejects what is not binary, never throwing', () => {
    const detached = new ArrayBuffer(64)
    structuredClone(detached, { transfer: [detached] })
    const viewOfDetached = new Uint8Array(new ArrayBuffer(64))
    structuredClone(viewOfDetached.buffer, { transfer: [viewOfDetached.buffer] })
    for (const input of [
      undefined,
      null,
      42,
      'f8 01 01',
      [0xf8, 1, 1],
      { byteLength: 64 },
      Object.create(ArrayBuffer.prototype),
      new Proxy(new ArrayBuffer(64), {}),
      detached, // its contents were transferred to a worker: nothing left to read
      viewOfDetached,
      new SharedArrayBuffer(64), // not an ArrayBuffer; a view on one is accepted like any view
    ]) {
      expect(decodeFrame(input)).toMatchObject({ ok: false, reason: FRAME_REJECTION.notBinary })
    }
  })

  it('rejects buffers over the size cap before reading them', () => {
    expect(decodeFrame(new ArrayBuffer(MAX_FRAME_BYTES + 1))).toMatchObject({
      reason: FRAME_REJECTION.tooLarge,
    })
  })

  it('rejects buffers shorter than the header', () => {
    expect(decodeFrame(new ArrayBuffer(0))).toMatchObject({ reason: FRAME_REJECTION.tooShort })
    expect(decodeFrame(waveformBytes().slice(0, HEADER_BYTES - 1))).toMatchObject({
      reason: FRAME_REJECTION.tooShort,
    })
  })

  it('rejects a wrong magic byte, version or kind', () => {
    expect(decodeFrame(withByte(waveformBytes(), 0, 0x7b))).toMatchObject({
      reason: FRAME_REJECTION.badMagic,
    })
    for (const version of [0, 2, 255]) {
      expect(decodeFrame(withByte(waveformBytes(), 1, version))).toMatchObject({
        reason: FRAME_REJECTION.unsupportedVersion,
      })
    }
    for (const kind of [0, 3, 255]) {
      expect(decodeFrame(withByte(waveformBytes(), 2, kind))).toMatchObject({
        reason: FRAME_REJECTION.unknownKind,
      })
    }
  })

  it('rejects length fields that disagree with the buffer or the kind', () => {
    const cases = [
      waveformBytes({ payloadLength: 7 + 6 + 1 }), // field says one byte more than there is
      waveformBytes({ payloadLength: 7 + 6 - 1 }), // ... or one less
      waveformBytes().slice(0, -1), // truncated in transit
      waveformBytes({ extraBytes: 0 }).slice(0, HEADER_BYTES + 5), // cut inside the waveform header
      waveformBytes({ extraBytes: 1 }), // half a sample
      waveformBytes({ leads: 2, samples: [1, 2, 3] }), // 3 samples do not split into 2 leads
      poseBytes({ bytes: 24 }), // a pose without w
      poseBytes({ bytes: 32 }), // a pose with a spare float
    ]
    for (const bytes of cases) {
      expect(decodeFrame(bytes)).toMatchObject({ ok: false, reason: FRAME_REJECTION.lengthMismatch })
    }
  })

  it('rejects more samples per lead than one second at the highest rate', () => {
    const samples = Array.from({ length: MAX_SAMPLES_PER_LEAD + 1 }, () => 0)
    expect(decodeFrame(waveformBytes({ samples }))).toMatchObject({ reason: FRAME_REJECTION.tooManySamples })
    expect(decodeFrame(waveformBytes({ samples: samples.slice(1) })).ok).toBe(true)
  })

  it('rejects non-finite numbers', () => {
    const cases = [
      waveformBytes({ capturedAt: Number.NaN }),
      waveformBytes({ capturedAt: Number.POSITIVE_INFINITY }),
      waveformBytes({ scale: Number.NaN }),
      waveformBytes({ scale: Number.NEGATIVE_INFINITY }),
      poseBytes({ capturedAt: Number.NEGATIVE_INFINITY }),
      ...[0, 1, 2, 3, 4, 5, 6].map((i) => {
        const values = [0, 0, 0, 0, 0, 0, 1]
        values[i] = i % 2 ? Number.NaN : Number.POSITIVE_INFINITY
        return poseBytes({ values })
      }),
    ]
    for (const bytes of cases) {
      expect(decodeFrame(bytes)).toMatchObject({ ok: false, reason: FRAME_REJECTION.nonFinite })
    }
  })

  it('rejects values out of range', () => {
    const cases = [
      waveformBytes({ capturedAt: -1 }),
      waveformBytes({ sampleRateHz: 0 }),
      waveformBytes({ sampleRateHz: 1001 }),
      waveformBytes({ leads: 0 }),
      waveformBytes({ leads: MAX_LEADS + 1, samples: new Array(MAX_LEADS + 1).fill(0) }),
      waveformBytes({ scale: 0 }),
      waveformBytes({ scale: -2.5 }),
      waveformBytes({ samples: [] }),
      poseBytes({ values: [1000.5, 0, 0, 0, 0, 0, 1] }),
      poseBytes({ values: [0, -1e30, 0, 0, 0, 0, 1] }),
      poseBytes({ values: [0, 0, 0, 0, 0, 0, 0] }),
      poseBytes({ values: [0, 0, 0, 0, 0, 0, 1.02] }),
      poseBytes({ values: [0, 0, 0, 1, 1, 0, 0] }),
    ]
    for (const bytes of cases) {
      expect(decodeFrame(bytes)).toMatchObject({ ok: false, reason: FRAME_REJECTION.outOfRange })
    }
  })
})

describe('round trips', () => {
  it('decodes what it encodes, and re-encodes what it decodes to the same bytes', () => {
    const twelveLead: WaveformFrame = {
      ...waveform,
      leads: 12,
      sampleRateHz: 500,
      scale: 4.88,
      samples: Int16Array.from({ length: 12 * 125 }, (_, i) => ((i * 37) % 4000) - 2000),
      capturedAt: 1_700_000_000_123.5,
    }
    for (const frame of [waveform, pose, twelveLead]) {
      const decoded = decodeFrame(encodeFrame(frame))
      expect(decoded.ok).toBe(true)
      if (!decoded.ok) continue
      // scale and pose values travel as float32: compare after the same rounding.
      if (frame.kind === 'waveform')
        expect(decoded.frame).toEqual({ ...frame, scale: Math.fround(frame.scale) })
      else expect(decoded.frame).toEqual(frame)
    }
    for (const bytes of [waveformBytes(), poseBytes()]) {
      const decoded = decodeFrame(bytes)
      if (!decoded.ok) throw new Error(decoded.detail)
      expect(hex(encodeFrame(decoded.frame))).toBe(hex(bytes))
    }
  })
})

describe('waveformBytesPerSecond', () => {
  it('keeps a 250 Hz ECG lead within 600 B/s at the chosen batch length, as real frames measure', () => {
    // 250 Hz × 400 ms = 100 samples a frame; 2.5 frames/s × (25 + 200) B = 562.5 B/s.
    const perSecond = waveformBytesPerSecond({ sampleRateHz: 250, batchMs: ECG_BATCH_MS })
    expect(perSecond).toBe(562.5)
    const frame = encodeFrame({ ...waveform, samples: new Int16Array((250 * ECG_BATCH_MS) / 1000) })
    expect(frame.byteLength * (1000 / ECG_BATCH_MS)).toBe(perSecond)
    // Still within budget with the 3-byte wrapper PeerJS's binary serialization puts around each message.
    expect(perSecond + 3 * (1000 / ECG_BATCH_MS)).toBeLessThanOrEqual(600)
    // 250 ms batches would use the whole budget before that wrapper: why the batch is 400 ms.
    expect(waveformBytesPerSecond({ sampleRateHz: 250, batchMs: 250 })).toBe(600)
  })

  it('pays one header for all leads of a frame', () => {
    expect(waveformBytesPerSecond({ sampleRateHz: 250, batchMs: ECG_BATCH_MS, leads: 12 }) / 12).toBeCloseTo(
      500 + 62.5 / 12,
    )
  })
})
