// The binary chunk: one piece of a larger byte string (a shared file) on its way to one participant. The mesh
// carries chunks without knowing what they belong to: a chunk names its transfer by an opaque key (the feature's
// id for it), its place by an index, and brings its bytes. The feature that sends and reassembles them decides what
// a key means and which chunks it wants (src/share/).
// Like ./frames, incoming data stays `unknown` until `decodeChunk` turns it into a typed chunk or a typed rejection;
// it never throws, and `encodeChunk` only produces bytes that `decodeChunk` accepts.
//
// Layout, little-endian (a frame's first byte is 0xF8, a chunk's 0xF9: one byte tells them apart):
//
//   offset size field
//   0      1    magic 0xF9
//   1      1    format version (CHUNK_VERSION)
//   2      1    key length in bytes (1..MAX_CHUNK_KEY_BYTES)
//   3      1    reserved, 0
//   4      4    index (u32): which piece of the transfer
//   8      4    payload length (u32, 1..MAX_CHUNK_PAYLOAD_BYTES): must equal what follows the key
//   12     k    key, printable ASCII (0x21..0x7E)
//   12+k   ...  payload

/** First byte of every chunk. Like the frame's 0xF8, it never starts UTF-8 text. */
export const CHUNK_MAGIC = 0xf9
export const CHUNK_VERSION = 1
/** Bytes before the key. */
export const CHUNK_HEADER_BYTES = 12
/** Longest key: an op id (the author's session and a counter) fits with room to spare. */
export const MAX_CHUNK_KEY_BYTES = 80
/**
 * Largest payload, bytes. Chromium takes data-channel messages up to 256 KiB, but a message is never interleaved
 * with others on its ordered channel: at 64 KiB a chat message or a vitals update waits behind at most one piece
 * (a few ms on a home uplink of some Mbit/s after the pacing in ./bulk-sender), while the per-message overhead
 * (header, SCTP, one event per piece) stays under 0.1 %.
 */
export const MAX_CHUNK_PAYLOAD_BYTES = 64 * 1024
/** The largest chunk we accept: checked before anything is read. */
export const MAX_CHUNK_BYTES = CHUNK_HEADER_BYTES + MAX_CHUNK_KEY_BYTES + MAX_CHUNK_PAYLOAD_BYTES

export interface Chunk {
  /** The transfer this belongs to, as its feature names it (printable ASCII). */
  key: string
  /** u32 */
  index: number
  /** 1..MAX_CHUNK_PAYLOAD_BYTES bytes; a view into the received buffer (copy it to keep it apart). */
  bytes: Uint8Array
}

export const CHUNK_REJECTION = {
  notBinary: 'not-binary',
  tooLarge: 'too-large',
  tooShort: 'too-short',
  badMagic: 'bad-magic',
  unsupportedVersion: 'unsupported-version',
  badKey: 'bad-key',
  lengthMismatch: 'length-mismatch',
} as const
export type ChunkRejectionReason = (typeof CHUNK_REJECTION)[keyof typeof CHUNK_REJECTION]

export type ChunkDecodeResult =
  | { ok: true; chunk: Chunk }
  | { ok: false; reason: ChunkRejectionReason; detail: string }

function reject(reason: ChunkRejectionReason, detail: string): ChunkDecodeResult {
  return { ok: false, reason, detail }
}

// As in ./frames: ArrayBuffer's own byteLength getter is a brand check that also works across realms.
const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')?.get as (
  this: unknown,
) => number

/** The bytes of an ArrayBuffer or a view on one; undefined for anything else (or a detached buffer). */
export function binaryBytes(data: unknown): Uint8Array | undefined {
  try {
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    arrayBufferByteLength.call(data)
    return new Uint8Array(data as ArrayBuffer)
  } catch {
    return undefined
  }
}

function validKeyByte(byte: number): boolean {
  return byte >= 0x21 && byte <= 0x7e
}

export function decodeChunk(data: unknown): ChunkDecodeResult {
  const bytes = binaryBytes(data)
  if (bytes === undefined)
    return reject(CHUNK_REJECTION.notBinary, `got ${data === null ? 'null' : typeof data}`)
  const size = bytes.byteLength
  if (size > MAX_CHUNK_BYTES) return reject(CHUNK_REJECTION.tooLarge, `${size} bytes > ${MAX_CHUNK_BYTES}`)
  if (size < CHUNK_HEADER_BYTES + 2) return reject(CHUNK_REJECTION.tooShort, `${size} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, size)
  if (view.getUint8(0) !== CHUNK_MAGIC) return reject(CHUNK_REJECTION.badMagic, `magic ${view.getUint8(0)}`)
  const version = view.getUint8(1)
  if (version !== CHUNK_VERSION) return reject(CHUNK_REJECTION.unsupportedVersion, `version ${version}`)
  const keyLength = view.getUint8(2)
  if (keyLength < 1 || keyLength > MAX_CHUNK_KEY_BYTES)
    return reject(CHUNK_REJECTION.badKey, `${keyLength} bytes`)
  if (view.getUint8(3) !== 0) return reject(CHUNK_REJECTION.unsupportedVersion, 'reserved byte set')
  const index = view.getUint32(4, true)
  const payloadLength = view.getUint32(8, true)
  if (payloadLength < 1 || payloadLength > MAX_CHUNK_PAYLOAD_BYTES) {
    return reject(CHUNK_REJECTION.lengthMismatch, `payload length ${payloadLength}`)
  }
  if (CHUNK_HEADER_BYTES + keyLength + payloadLength !== size) {
    return reject(
      CHUNK_REJECTION.lengthMismatch,
      `${keyLength} key and ${payloadLength} payload bytes in ${size}`,
    )
  }
  let key = ''
  for (let i = 0; i < keyLength; i++) {
    const byte = bytes[CHUNK_HEADER_BYTES + i] ?? 0
    if (!validKeyByte(byte)) return reject(CHUNK_REJECTION.badKey, `byte ${byte} in the key`)
    key += String.fromCharCode(byte)
  }
  const start = CHUNK_HEADER_BYTES + keyLength
  return { ok: true, chunk: { key, index, bytes: bytes.subarray(start, start + payloadLength) } }
}

/** The chunk's bytes. Throws a RangeError for a chunk a receiver would reject (a bug on our side). */
export function encodeChunk(chunk: Chunk): ArrayBuffer {
  const { key, index, bytes } = chunk
  if (key.length < 1 || key.length > MAX_CHUNK_KEY_BYTES) throw new RangeError(`chunk key of ${key.length}`)
  for (let i = 0; i < key.length; i++) {
    if (!validKeyByte(key.charCodeAt(i))) throw new RangeError('chunk key must be printable ASCII')
  }
  if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff)
    throw new RangeError(`chunk index ${index}`)
  if (bytes.byteLength < 1 || bytes.byteLength > MAX_CHUNK_PAYLOAD_BYTES) {
    throw new RangeError(`chunk payload of ${bytes.byteLength} bytes`)
  }
  const buffer = new ArrayBuffer(CHUNK_HEADER_BYTES + key.length + bytes.byteLength)
  const view = new DataView(buffer)
  view.setUint8(0, CHUNK_MAGIC)
  view.setUint8(1, CHUNK_VERSION)
  view.setUint8(2, key.length)
  view.setUint8(3, 0)
  view.setUint32(4, index, true)
  view.setUint32(8, bytes.byteLength, true)
  const out = new Uint8Array(buffer)
  for (let i = 0; i < key.length; i++) out[CHUNK_HEADER_BYTES + i] = key.charCodeAt(i)
  out.set(bytes, CHUNK_HEADER_BYTES + key.length)
  return buffer
}
