// The chunk format: what is encoded decodes to the same chunk; every broken length, key or magic is refused.
// (Arbitrary and mutated bytes are in chunks.fuzz.test.ts.)
import { describe, expect, it } from 'vitest'
import {
  CHUNK_HEADER_BYTES,
  CHUNK_REJECTION,
  decodeChunk,
  encodeChunk,
  MAX_CHUNK_PAYLOAD_BYTES,
} from './chunks'
import { decodeFrame, FRAME_REJECTION } from './frames'

const chunk = { key: 'AbCdEfGhIjKlMnOpQrStUv:7', index: 41, bytes: new Uint8Array([1, 2, 3, 250]) }

describe('chunks', () => {
  it('decode what was encoded, with the same key, index and bytes', () => {
    const decoded = decodeChunk(encodeChunk(chunk))
    expect(decoded.ok && decoded.chunk.key).toBe(chunk.key)
    expect(decoded.ok && decoded.chunk.index).toBe(41)
    expect(decoded.ok && [...decoded.chunk.bytes]).toEqual([1, 2, 3, 250])
    const largest = encodeChunk({
      key: 'k',
      index: 0xffff_ffff,
      bytes: new Uint8Array(MAX_CHUNK_PAYLOAD_BYTES),
    })
    expect(decodeChunk(largest).ok).toBe(true)
  })

  it('refuse truncated, extended, foreign and oversized bytes in a typed way', () => {
    const bytes = new Uint8Array(encodeChunk(chunk))
    expect(decodeChunk(bytes.slice(0, -1))).toMatchObject({
      ok: false,
      reason: CHUNK_REJECTION.lengthMismatch,
    })
    const longer = new Uint8Array(bytes.length + 1)
    longer.set(bytes)
    expect(decodeChunk(longer)).toMatchObject({ ok: false, reason: CHUNK_REJECTION.lengthMismatch })
    const badKey = bytes.slice()
    badKey[CHUNK_HEADER_BYTES] = 0x20
    expect(decodeChunk(badKey)).toMatchObject({ ok: false, reason: CHUNK_REJECTION.badKey })
    const badMagic = bytes.slice()
    badMagic[0] = 0xf8
    expect(decodeChunk(badMagic)).toMatchObject({ ok: false, reason: CHUNK_REJECTION.badMagic })
    expect(decodeChunk('text')).toMatchObject({ ok: false, reason: CHUNK_REJECTION.notBinary })
    expect(decodeChunk(new ArrayBuffer(MAX_CHUNK_PAYLOAD_BYTES + 200))).toMatchObject({
      ok: false,
      reason: CHUNK_REJECTION.tooLarge,
    })
  })

  it('are never mistaken for a sample frame', () => {
    expect(decodeFrame(encodeChunk(chunk))).toMatchObject({ ok: false, reason: FRAME_REJECTION.badMagic })
  })

  it('refuse to encode what a receiver would refuse', () => {
    expect(() => encodeChunk({ ...chunk, key: 'with space' })).toThrow(RangeError)
    expect(() => encodeChunk({ ...chunk, bytes: new Uint8Array(0) })).toThrow(RangeError)
    expect(() => encodeChunk({ ...chunk, index: -1 })).toThrow(RangeError)
  })
})
