// The compact binary frame for high-rate streams (ECG waveforms, head poses). JSON messages (protocol.ts) carry
// control and state; in JSON each ECG sample would take 3–6 characters instead of 2 bytes, plus a key per field,
// so samples and poses travel as these frames.
// Incoming data stays `unknown` until `decodeFrame` turns it into a typed frame or a typed rejection; it never
// throws. `encodeFrame` only produces bytes that `decodeFrame` accepts, and decoding then re-encoding an accepted
// frame gives back the same bytes: there is exactly one encoding of each frame.
//
// Layout, all multi-byte fields little-endian (DataView with `true` everywhere: never the platform's order):
//
//   offset size field
//   0      1    magic 0xF8
//   1      1    format version (FRAME_VERSION)
//   2      1    kind: 1 waveform, 2 pose
//   3      1    stream id (u8): which of the sender's streams, e.g. the ECG strap vs. a second sensor
//   4      4    sequence number (u32, per stream; wraps): tells loss and reordering
//   8      8    capture time of the first sample (float64, ms since the Unix epoch)
//   16     2    payload length in bytes (u16): must equal the buffer length minus HEADER_BYTES
//   18     ...  payload, by kind:
//
//   waveform: 0 sample rate (u16, Hz) | 2 lead count (u8) | 3 scale (float32, units per count, µV for ECG)
//             | 7 samples (int16 each), interleaved by lead: t0 lead0, t0 lead1, ..., t1 lead0, ...
//   pose:     0 position x, y, z (float32 ×3, metres) | 12 orientation x, y, z, w (float32 ×4, unit quaternion)

/** First byte of every frame. 0xF5–0xFF never occur in UTF-8, so text sent by mistake fails on byte one. */
export const FRAME_MAGIC = 0xf8

/**
 * Bumped when the layout of an existing kind changes. A new kind does not need a bump: an older peer rejects it
 * as `unknown-kind` and carries on with the kinds it knows.
 */
export const FRAME_VERSION = 1

/** Bytes before the payload; see the layout above. */
export const HEADER_BYTES = 18

/** Bytes of the waveform payload before its samples: rate (2), lead count (1), scale (4). */
export const WAVEFORM_HEADER_BYTES = 7

/** Bytes of a pose payload: seven float32. */
export const POSE_PAYLOAD_BYTES = 28

const BYTES_PER_SAMPLE = 2

/** Hz. Diagnostic ECG is sampled at 500–1000 Hz; nothing we stream needs more. */
export const MAX_SAMPLE_RATE_HZ = 1000

/**
 * Samples per lead in one frame: one second at the highest rate. A longer batch would only add latency, and the
 * cap bounds what one frame makes a receiver allocate.
 */
export const MAX_SAMPLES_PER_LEAD = 1000

/** Leads in one frame: a 12-lead ECG, with room for a few other channels sampled on the same clock. */
export const MAX_LEADS = 16

/**
 * The largest frame we accept, in bytes (32,025): the biggest valid waveform. Checked before anything else, so a
 * huge buffer is turned away without being read.
 */
export const MAX_FRAME_BYTES =
  HEADER_BYTES + WAVEFORM_HEADER_BYTES + MAX_LEADS * MAX_SAMPLES_PER_LEAD * BYTES_PER_SAMPLE

/**
 * Metres from the reference-space origin. WebXR spaces are anchored where the session started; a kilometre is
 * beyond any room or site a worker walks during a call, and rejects garbage such as 1e30 before it reaches three.js.
 */
export const MAX_POSITION_METRES = 1000

/**
 * How far the orientation's length may be from 1. float32 rounding alone is ~1e-7; 1% also lets through a
 * sender's slightly drifted quaternion, while anything further is not a rotation and would skew the drawn head.
 */
export const QUATERNION_NORM_TOLERANCE = 0.01

const KIND_CODE = { waveform: 1, pose: 2 } as const
const knownKindCodes = new Set<number>(Object.values(KIND_CODE))

type FrameHeader = {
  /** u8 */
  stream: number
  /** u32, per stream, wraps at 2^32 */
  seq: number
  /**
   * ms since the Unix epoch (e.g. `performance.timeOrigin + performance.now()`) of the first sample. float64
   * rather than a u32 offset: it needs no start time agreed by another message, never wraps, and keeps
   * sub-microsecond precision; the 4 extra bytes cost 10 B/s at the ECG batch rate.
   */
  capturedAt: number
}

export type WaveformFrame = FrameHeader & {
  kind: 'waveform'
  /** Hz, integer, 1..MAX_SAMPLE_RATE_HZ */
  sampleRateHz: number
  /** 1..MAX_LEADS */
  leads: number
  /** Physical units per count (µV for ECG); finite and > 0. A sample's value is `samples[i] * scale`. */
  scale: number
  /**
   * Interleaved by lead: sample t of lead l is `samples[t * leads + l]`. Interleaving keeps every lead of a
   * multi-lead ECG on one timestamp and pays one header for all of them.
   */
  samples: Int16Array
}

export type PoseFrame = FrameHeader & {
  kind: 'pose'
  /** metres, each within ±MAX_POSITION_METRES */
  position: [number, number, number]
  /** x, y, z, w (WebXR's order); length within QUATERNION_NORM_TOLERANCE of 1 */
  orientation: [number, number, number, number]
}

export type Frame = WaveformFrame | PoseFrame

export const FRAME_REJECTION = {
  notBinary: 'not-binary',
  tooLarge: 'too-large',
  tooShort: 'too-short',
  badMagic: 'bad-magic',
  unsupportedVersion: 'unsupported-version',
  unknownKind: 'unknown-kind',
  lengthMismatch: 'length-mismatch',
  tooManySamples: 'too-many-samples',
  nonFinite: 'non-finite',
  outOfRange: 'out-of-range',
} as const
export type FrameRejectionReason = (typeof FRAME_REJECTION)[keyof typeof FRAME_REJECTION]

export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; reason: FrameRejectionReason; detail: string }

function reject(reason: FrameRejectionReason, detail: string): DecodeResult {
  return { ok: false, reason, detail }
}

// ArrayBuffer's own byteLength getter is a brand check: it throws for an object that merely inherits from
// ArrayBuffer.prototype or a Proxy around a buffer, both of which pass `instanceof`, and it works across realms.
const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')?.get as (
  this: unknown,
) => number

/** The bytes of an ArrayBuffer or any view on one (typed array, DataView, Node Buffer); anything else is not. */
function asBytes(data: unknown): Uint8Array | undefined {
  try {
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    arrayBufferByteLength.call(data) // throws unless data is an ArrayBuffer
    return new Uint8Array(data as ArrayBuffer)
  } catch {
    // Not an ArrayBuffer, or a detached one (its contents were transferred away): nothing to read.
    return undefined
  }
}

export function decodeFrame(data: unknown): DecodeResult {
  const bytes = asBytes(data)
  if (bytes === undefined) {
    // Only typeof: reading anything off an arbitrary object (a getter, a Proxy) could throw.
    return reject(FRAME_REJECTION.notBinary, `got ${data === null ? 'null' : typeof data}`)
  }
  const size = bytes.byteLength
  if (size > MAX_FRAME_BYTES) return reject(FRAME_REJECTION.tooLarge, `${size} bytes > ${MAX_FRAME_BYTES}`)
  if (size < HEADER_BYTES) return reject(FRAME_REJECTION.tooShort, `${size} bytes < ${HEADER_BYTES}`)

  const view = new DataView(bytes.buffer, bytes.byteOffset, size)
  const magic = view.getUint8(0)
  if (magic !== FRAME_MAGIC) return reject(FRAME_REJECTION.badMagic, `magic 0x${magic.toString(16)}`)
  const version = view.getUint8(1)
  if (version !== FRAME_VERSION) {
    return reject(FRAME_REJECTION.unsupportedVersion, `version ${version}, we speak ${FRAME_VERSION}`)
  }
  const kindCode = view.getUint8(2)
  if (!knownKindCodes.has(kindCode)) return reject(FRAME_REJECTION.unknownKind, `kind ${kindCode}`)
  const payloadLength = view.getUint16(16, true)
  if (payloadLength !== size - HEADER_BYTES) {
    return reject(
      FRAME_REJECTION.lengthMismatch,
      `payload length ${payloadLength}, buffer has ${size - HEADER_BYTES}`,
    )
  }
  const capturedAt = view.getFloat64(8, true)
  if (!Number.isFinite(capturedAt)) return reject(FRAME_REJECTION.nonFinite, `capturedAt ${capturedAt}`)
  if (capturedAt < 0) return reject(FRAME_REJECTION.outOfRange, `capturedAt ${capturedAt}`)
  const header: FrameHeader = { stream: view.getUint8(3), seq: view.getUint32(4, true), capturedAt }

  return kindCode === KIND_CODE.waveform
    ? decodeWaveform(view, payloadLength, header)
    : decodePose(view, payloadLength, header)
}

function decodeWaveform(view: DataView, payloadLength: number, header: FrameHeader): DecodeResult {
  if (payloadLength < WAVEFORM_HEADER_BYTES) {
    return reject(FRAME_REJECTION.lengthMismatch, `waveform payload of ${payloadLength} bytes`)
  }
  const at = HEADER_BYTES
  const sampleRateHz = view.getUint16(at, true)
  if (sampleRateHz < 1 || sampleRateHz > MAX_SAMPLE_RATE_HZ) {
    return reject(FRAME_REJECTION.outOfRange, `sample rate ${sampleRateHz} Hz`)
  }
  const leads = view.getUint8(at + 2)
  if (leads < 1 || leads > MAX_LEADS) return reject(FRAME_REJECTION.outOfRange, `${leads} leads`)
  const scale = view.getFloat32(at + 3, true)
  if (!Number.isFinite(scale)) return reject(FRAME_REJECTION.nonFinite, `scale ${scale}`)
  if (scale <= 0) return reject(FRAME_REJECTION.outOfRange, `scale ${scale}`)

  const sampleBytes = payloadLength - WAVEFORM_HEADER_BYTES
  if (sampleBytes % (BYTES_PER_SAMPLE * leads) !== 0) {
    return reject(FRAME_REJECTION.lengthMismatch, `${sampleBytes} sample bytes for ${leads} leads`)
  }
  const perLead = sampleBytes / (BYTES_PER_SAMPLE * leads)
  if (perLead === 0) return reject(FRAME_REJECTION.outOfRange, 'no samples')
  if (perLead > MAX_SAMPLES_PER_LEAD) {
    return reject(FRAME_REJECTION.tooManySamples, `${perLead} samples per lead > ${MAX_SAMPLES_PER_LEAD}`)
  }
  // Copied out, not viewed: the sender's buffer may be reused, its offset may be odd (Int16Array needs even), and
  // the platform's byte order need not be little-endian.
  const samples = new Int16Array(perLead * leads)
  const first = at + WAVEFORM_HEADER_BYTES
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(first + i * BYTES_PER_SAMPLE, true)
  return { ok: true, frame: { kind: 'waveform', ...header, sampleRateHz, leads, scale, samples } }
}

function decodePose(view: DataView, payloadLength: number, header: FrameHeader): DecodeResult {
  if (payloadLength !== POSE_PAYLOAD_BYTES) {
    return reject(
      FRAME_REJECTION.lengthMismatch,
      `pose payload of ${payloadLength} bytes, not ${POSE_PAYLOAD_BYTES}`,
    )
  }
  const read = (index: number) => view.getFloat32(HEADER_BYTES + index * 4, true)
  const position: PoseFrame['position'] = [read(0), read(1), read(2)]
  const orientation: PoseFrame['orientation'] = [read(3), read(4), read(5), read(6)]
  for (const value of [...position, ...orientation]) {
    if (!Number.isFinite(value)) return reject(FRAME_REJECTION.nonFinite, `pose value ${value}`)
  }
  for (const coordinate of position) {
    if (Math.abs(coordinate) > MAX_POSITION_METRES) {
      return reject(FRAME_REJECTION.outOfRange, `position ${coordinate} m`)
    }
  }
  const length = Math.hypot(...orientation)
  if (Math.abs(length - 1) > QUATERNION_NORM_TOLERANCE) {
    return reject(FRAME_REJECTION.outOfRange, `orientation length ${length}`)
  }
  return { ok: true, frame: { kind: 'pose', ...header, position, orientation } }
}

function payloadBytes(frame: Frame): number {
  return frame.kind === 'waveform'
    ? WAVEFORM_HEADER_BYTES + frame.samples.length * BYTES_PER_SAMPLE
    : POSE_PAYLOAD_BYTES
}

function checkInteger(name: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`)
  }
}

/**
 * The frame's bytes. Throws a RangeError for a frame a peer would reject: that is a bug on our side, and sending
 * it would only be dropped at the other end.
 */
export function encodeFrame(frame: Frame): ArrayBuffer {
  // DataView silently wraps integers (a stream id of 256 would go out as 0), so these are checked before writing;
  // everything else is checked below by decoding what we wrote.
  checkInteger('stream', frame.stream, 0, 0xff)
  checkInteger('seq', frame.seq, 0, 0xffff_ffff)
  if (frame.kind === 'waveform') {
    checkInteger('sampleRateHz', frame.sampleRateHz, 1, MAX_SAMPLE_RATE_HZ)
    checkInteger('leads', frame.leads, 1, MAX_LEADS)
    checkInteger('samples per lead', frame.samples.length / frame.leads, 1, MAX_SAMPLES_PER_LEAD)
  }
  const payloadLength = payloadBytes(frame)
  const buffer = new ArrayBuffer(HEADER_BYTES + payloadLength)
  const view = new DataView(buffer)
  view.setUint8(0, FRAME_MAGIC)
  view.setUint8(1, FRAME_VERSION)
  view.setUint8(2, KIND_CODE[frame.kind])
  view.setUint8(3, frame.stream)
  view.setUint32(4, frame.seq, true)
  view.setFloat64(8, frame.capturedAt, true)
  view.setUint16(16, payloadLength, true)
  if (frame.kind === 'waveform') {
    view.setUint16(HEADER_BYTES, frame.sampleRateHz, true)
    view.setUint8(HEADER_BYTES + 2, frame.leads)
    view.setFloat32(HEADER_BYTES + 3, frame.scale, true)
    const first = HEADER_BYTES + WAVEFORM_HEADER_BYTES
    for (let i = 0; i < frame.samples.length; i++) {
      view.setInt16(first + i * BYTES_PER_SAMPLE, frame.samples[i] ?? 0, true)
    }
  } else {
    const values = [...frame.position, ...frame.orientation]
    for (let i = 0; i < values.length; i++) view.setFloat32(HEADER_BYTES + i * 4, values[i] ?? 0, true)
  }
  // float32 rounding can move a value across a limit (a quaternion at the edge of the tolerance), so the decoder
  // has the last word. At a few ECG frames and ten poses a second, decoding our own output costs next to nothing.
  const check = decodeFrame(buffer)
  if (!check.ok) throw new RangeError(`encodeFrame: ${check.reason}: ${check.detail}`)
  return buffer
}

/**
 * ms of signal in one ECG frame: 250 Hz × 400 ms = 100 samples per lead. Per lead that is 2.5 frames/s × 25 header bytes +
 * 500 sample bytes = 562.5 B/s, under the 600 B/s budget (the app's data channels use PeerJS's `raw` serialization,
 * so no wrapper is added). 250 ms batches would cost exactly 600 B/s, with no margin left.
 */
export const ECG_BATCH_MS = 400

/**
 * Average frame bytes per second of a waveform stream (all its leads) sent in batches of `batchMs`: each batch
 * pays the header once, each sample 2 bytes. Transport framing (PeerJS, SCTP, DTLS) is not included.
 */
export function waveformBytesPerSecond(options: {
  /** Hz */
  sampleRateHz: number
  /** ms of signal per frame */
  batchMs: number
  leads?: number
}): number {
  const { sampleRateHz, batchMs, leads = 1 } = options
  const framesPerSecond = 1000 / batchMs
  return framesPerSecond * (HEADER_BYTES + WAVEFORM_HEADER_BYTES) + sampleRateHz * leads * BYTES_PER_SAMPLE
}
