// End-to-end encryption for what crosses a Janus SFU: app messages on its data channel, and encoded audio and video
// frames. Keys come from ./sfu-keys.ts (the invite's secret); Janus forwards what these functions make without
// being able to read or alter it. Plain TypeScript over WebCrypto; runs in pages, workers and Node.
//
// API — app messages (per sender, authenticated, replay-checked)
//   MessageSealer(room, senderId)                .seal(to, payload) → bytes;  .sealText(to, payload) → base64
//   MessageOpener(room, selfId)                  .open(input: unknown) → OpenResult (never throws)
//   sealMessage(key, header, payload) / openSealed(input, keyFor, selfId, replay): the same without the state
// API — media frames (SFrame-like, the SFU still reads what it must)
//   clearPrefixLength(kind, frameType)           → bytes kept in clear (VP8 key 10, VP8 delta 3, audio 1)
//   encryptFrame(key, keyId, data, clearBytes)   → the frame to send
//   decryptFrame(keyFor, data, clearBytes)       → FrameResult: the original frame, or why it must be dropped
//
// Sealed message layout (all integers little-endian):
//   0 u8 magic 0xFA (0xF8 is a binary frame, 0xF9 a file chunk: one byte tells them apart)
//   1 u8 version 1            2 u8 payload kind (0 UTF-8 text, 1 bytes)
//   3 u8 sender id length     4 u8 recipient id length ('*' is everyone)
//   5 u32 sequence number     9 4 bytes: the sender key's check value (./sfu-keys.ts)
//   13 sender id, recipient id (UTF-8)      then a 12-byte random IV, then AES-GCM ciphertext and 16-byte tag.
// Everything before the IV is the additional data: a message opens only as from its sender, to its recipient,
// with its sequence number; change one bit anywhere and it is refused.
import { base64ToBytes, bytesToBase64 } from '../lib/base64'
import type { Room } from '../room/invite'
import { KEY_CHECK_BYTES, MAX_SENDER_ID_BYTES, type MessageKey, messageKey } from './sfu-keys'

export const SEALED_MAGIC = 0xfa
export const SEALED_VERSION = 1
/** 96 bits: AES-GCM's native IV size. Random per message and per frame (see MEDIA_* below for why random). */
export const IV_BYTES = 12
/** 128-bit tags: a forged frame or message gets through with probability 2^-128, not 2^-64. */
export const TAG_BYTES = 16
const HEADER_FIXED_BYTES = 5 + 4 + KEY_CHECK_BYTES
/**
 * Largest payload a message may carry: a shared file's chunk (64 KiB, ./chunks.ts) with its header and room to
 * spare. Larger sealed input is refused before any decryption is tried.
 */
export const MAX_MESSAGE_PAYLOAD = 72 * 1024
/** Out-of-order messages a receiver still accepts per sender (older than this many below the newest: refused). */
export const REPLAY_WINDOW = 1024
/** Senders a replay guard remembers; a call has at most 30 participants, each joining with a new session id. */
export const MAX_TRACKED_SENDERS = 1024
/** Wire the everyone-recipient as '*'. */
export const EVERYONE = '*'

/** Why a sealed message was refused (tldraw-style: reasons as an `as const` object). */
export const OPEN_REJECTION = {
  /** Not a sealed message at all, or cut short, or too large, or of a version we do not read. */
  malformed: 'malformed',
  /** Sealed for another participant. */
  notForUs: 'not-for-us',
  /** Sealed with a key other than the sender's key in our room (no invite, another room, or a forged sender). */
  wrongKey: 'wrong-key',
  /** The key is right but the bytes were changed on the way: the tag does not verify. */
  tampered: 'tampered',
  /** This sender's sequence number was opened before (or is too far behind to tell). */
  replayed: 'replayed',
} as const
export type OpenRejection = (typeof OPEN_REJECTION)[keyof typeof OPEN_REJECTION]

export type Payload = string | ArrayBuffer | Uint8Array<ArrayBuffer>

export type OpenResult =
  | { ok: true; from: string; to: string; seq: number; payload: string | ArrayBuffer }
  | { ok: false; reason: OpenRejection }

export interface SealHeader {
  from: string
  /** A participant's sender id, or EVERYONE. */
  to: string
  /** 0..2^32-1, increasing per sender id. */
  seq: number
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number)
  return difference === 0
}

/** The additional data: magic, version, kind, id lengths, sequence number, key check, ids. */
function encodeHeader(kind: number, header: SealHeader, check: Uint8Array): Uint8Array<ArrayBuffer> {
  const from = textEncoder.encode(header.from)
  const to = textEncoder.encode(header.to)
  if (
    from.length === 0 ||
    from.length > MAX_SENDER_ID_BYTES ||
    to.length === 0 ||
    to.length > MAX_SENDER_ID_BYTES
  ) {
    throw new RangeError(`Sender and recipient ids are 1 to ${MAX_SENDER_ID_BYTES} bytes`)
  }
  if (!Number.isInteger(header.seq) || header.seq < 0 || header.seq > 0xffff_ffff) {
    throw new RangeError('A sequence number is a 32-bit unsigned integer')
  }
  const bytes = new Uint8Array(HEADER_FIXED_BYTES + from.length + to.length)
  const view = new DataView(bytes.buffer)
  view.setUint8(0, SEALED_MAGIC)
  view.setUint8(1, SEALED_VERSION)
  view.setUint8(2, kind)
  view.setUint8(3, from.length)
  view.setUint8(4, to.length)
  view.setUint32(5, header.seq, true)
  bytes.set(check, 9)
  bytes.set(from, HEADER_FIXED_BYTES)
  bytes.set(to, HEADER_FIXED_BYTES + from.length)
  return bytes
}

function payloadBytes(payload: Payload): { kind: number; bytes: Uint8Array<ArrayBuffer> } {
  if (typeof payload === 'string') return { kind: 0, bytes: textEncoder.encode(payload) }
  return { kind: 1, bytes: payload instanceof Uint8Array ? payload : new Uint8Array(payload) }
}

/** Seals one message. Throws only on a caller's mistake (ids or sequence number out of range, payload too large). */
export async function sealMessage(
  key: MessageKey,
  header: SealHeader,
  payload: Payload,
): Promise<Uint8Array<ArrayBuffer>> {
  const { kind, bytes } = payloadBytes(payload)
  if (bytes.length > MAX_MESSAGE_PAYLOAD)
    throw new RangeError(`A sealed message carries at most ${MAX_MESSAGE_PAYLOAD} bytes`)
  const aad = encodeHeader(kind, header, key.check)
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG_BYTES * 8 },
      key.key,
      bytes,
    ),
  )
  const out = new Uint8Array(aad.length + IV_BYTES + sealed.length)
  out.set(aad, 0)
  out.set(iv, aad.length)
  out.set(sealed, aad.length + IV_BYTES)
  return out
}

/** What a sealed message says about itself before it is opened (nothing of it is trusted yet). */
interface Parsed {
  kind: number
  from: string
  to: string
  seq: number
  check: Uint8Array
  aad: Uint8Array<ArrayBuffer>
  iv: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
}

function asBytes(input: unknown): Uint8Array<ArrayBuffer> | null {
  if (typeof input === 'string') {
    // Base64 is 4/3 of the bytes: refuse oversized text before decoding it.
    if (input.length > ((MAX_MESSAGE_PAYLOAD + 1024) * 4) / 3 + 4) return null
    const bytes = base64ToBytes(input)
    return bytes ? new Uint8Array(bytes) : null
  }
  if (input instanceof ArrayBuffer) return new Uint8Array(input)
  if (ArrayBuffer.isView(input) && input.buffer instanceof ArrayBuffer) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
  }
  return null
}

function parse(input: unknown): Parsed | null {
  const bytes = asBytes(input)
  if (!bytes || bytes.length < HEADER_FIXED_BYTES + 2 + IV_BYTES + TAG_BYTES) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint8(0) !== SEALED_MAGIC || view.getUint8(1) !== SEALED_VERSION) return null
  const kind = view.getUint8(2)
  const fromLength = view.getUint8(3)
  const toLength = view.getUint8(4)
  if (kind > 1 || fromLength === 0 || fromLength > MAX_SENDER_ID_BYTES) return null
  if (toLength === 0 || toLength > MAX_SENDER_ID_BYTES) return null
  const headerLength = HEADER_FIXED_BYTES + fromLength + toLength
  const sealedLength = bytes.length - headerLength - IV_BYTES
  if (sealedLength < TAG_BYTES || sealedLength > MAX_MESSAGE_PAYLOAD + TAG_BYTES) return null
  let from: string
  let to: string
  try {
    from = textDecoder.decode(bytes.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + fromLength))
    to = textDecoder.decode(bytes.subarray(HEADER_FIXED_BYTES + fromLength, headerLength))
  } catch {
    return null
  }
  return {
    kind,
    from,
    to,
    seq: view.getUint32(5, true),
    check: bytes.subarray(9, 9 + KEY_CHECK_BYTES),
    aad: bytes.slice(0, headerLength),
    iv: bytes.slice(headerLength, headerLength + IV_BYTES),
    sealed: bytes.slice(headerLength + IV_BYTES),
  }
}

/**
 * Which sequence numbers each sender has had opened: the newest, and a window of REPLAY_WINDOW below it. Only
 * messages that authenticated are recorded, so a forger cannot push a sender's window forward.
 */
export class ReplayGuard {
  private readonly senders = new Map<string, { newest: number; seen: Float64Array }>()

  /** True when `seq` from `from` has not been opened and is not too old to tell. Records nothing. */
  fresh(from: string, seq: number): boolean {
    const state = this.senders.get(from)
    if (!state) return true
    if (seq <= state.newest - REPLAY_WINDOW) return false
    return state.seen[seq % REPLAY_WINDOW] !== seq
  }

  /** Records `seq` from `from` as opened. */
  record(from: string, seq: number) {
    let state = this.senders.get(from)
    if (!state) {
      if (this.senders.size >= MAX_TRACKED_SENDERS) {
        // The longest-known sender goes first (Map keeps insertion order): in a call of 30 it left long ago.
        const oldest = this.senders.keys().next().value
        if (oldest !== undefined) this.senders.delete(oldest)
      }
      // A slot holds the last sequence number recorded in it; -1 is none (sequence numbers are unsigned).
      state = { newest: seq, seen: new Float64Array(REPLAY_WINDOW).fill(-1) }
      this.senders.set(from, state)
    }
    state.seen[seq % REPLAY_WINDOW] = seq
    state.newest = Math.max(state.newest, seq)
  }
}

/**
 * Opens a sealed message: base64 text, an ArrayBuffer or a byte view; anything else is `malformed`. Never throws.
 * `keyFor` gives the key of the sender the message names (derive it: ./sfu-keys.ts `messageKey`).
 */
export async function openSealed(
  input: unknown,
  keyFor: (senderId: string) => Promise<MessageKey>,
  selfId: string,
  replay: ReplayGuard,
): Promise<OpenResult> {
  const parsed = parse(input)
  if (!parsed) return { ok: false, reason: OPEN_REJECTION.malformed }
  if (parsed.to !== EVERYONE && parsed.to !== selfId) return { ok: false, reason: OPEN_REJECTION.notForUs }
  let key: MessageKey
  try {
    key = await keyFor(parsed.from)
  } catch {
    return { ok: false, reason: OPEN_REJECTION.malformed }
  }
  // The check value tells a key we do not share (no invite, another room) from bytes changed on the way.
  if (!equalBytes(parsed.check, key.check)) return { ok: false, reason: OPEN_REJECTION.wrongKey }
  let plain: ArrayBuffer
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: parsed.iv, additionalData: parsed.aad, tagLength: TAG_BYTES * 8 },
      key.key,
      parsed.sealed,
    )
  } catch {
    return { ok: false, reason: OPEN_REJECTION.tampered }
  }
  // Checked after authentication, recorded only then: only a real message of this sender moves its window.
  if (!replay.fresh(parsed.from, parsed.seq)) return { ok: false, reason: OPEN_REJECTION.replayed }
  let payload: string | ArrayBuffer = plain
  if (parsed.kind === 0) {
    try {
      payload = textDecoder.decode(plain)
    } catch {
      // Authentic but not UTF-8: only a broken sender makes this. Not recorded, so nothing is lost by refusing.
      return { ok: false, reason: OPEN_REJECTION.malformed }
    }
  }
  replay.record(parsed.from, parsed.seq)
  return { ok: true, from: parsed.from, to: parsed.to, seq: parsed.seq, payload }
}

/** One session's sender side: its key, derived once, and its sequence numbers. */
export class MessageSealer {
  private seq = 0
  private readonly key: Promise<MessageKey>

  constructor(
    room: Room,
    readonly senderId: string,
  ) {
    this.key = messageKey(room, senderId)
  }

  /** Seals `payload` for `to` (a sender id, or EVERYONE). */
  async seal(to: string, payload: Payload): Promise<Uint8Array<ArrayBuffer>> {
    // Numbered before the await, so messages sealed back to back keep the order they were sealed in.
    const seq = this.seq++
    return sealMessage(await this.key, { from: this.senderId, to, seq }, payload)
  }

  /** The same as base64 text, for a channel that carries only text. */
  async sealText(to: string, payload: Payload): Promise<string> {
    return bytesToBase64(await this.seal(to, payload))
  }
}

/** One session's receiver side: the senders' keys (derived on first use) and their replay windows. */
export class MessageOpener {
  private readonly replay = new ReplayGuard()
  private readonly keys = new Map<string, Promise<MessageKey>>()

  constructor(
    private readonly room: Room,
    readonly selfId: string,
  ) {}

  open(input: unknown): Promise<OpenResult> {
    return openSealed(input, (sender) => this.keyFor(sender), this.selfId, this.replay)
  }

  private keyFor(sender: string): Promise<MessageKey> {
    let key = this.keys.get(sender)
    if (!key) {
      if (this.keys.size >= MAX_TRACKED_SENDERS) {
        const oldest = this.keys.keys().next().value
        if (oldest !== undefined) this.keys.delete(oldest)
      }
      key = messageKey(this.room, sender)
      this.keys.set(sender, key)
    }
    return key
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Media frames. Layout of an encrypted frame (like Jitsi's E2EE and SFrame):
//   [clear prefix][AES-GCM ciphertext of the rest + 16-byte tag][12-byte IV][u8 key id]
// The clear prefix is what the SFU and the packetizer must read: VP8's payload header (3 bytes on every frame:
// key-frame bit, version, show-frame, first partition size) plus, on key frames, the start code and dimensions
// (7 more). Janus reads the key-frame bit to serve simulcast switches and new subscribers; Opus's TOC byte says
// the frame's mode and length. The additional data is the clear prefix and the key id, so neither can be changed.
// IVs are random, not counters: every participant encrypts with the room's one media key, and counters from
// several senders would repeat IVs (fatal for GCM). 96 random bits make a repeat unlikely until ~2^32 frames per
// key (NIST SP 800-38D's bound): at 30 participants × 80 frames/s, about 20 days of one call.

/** Bytes a frame grows by: the tag, the IV and the key id. */
export const FRAME_OVERHEAD = TAG_BYTES + IV_BYTES + 1
/** VP8 key frame: 3-byte frame tag + 7 bytes of start code and dimensions (RFC 6386 §9.1). */
export const VP8_KEY_CLEAR_BYTES = 10
/** VP8 delta frame: the 3-byte frame tag. */
export const VP8_DELTA_CLEAR_BYTES = 3
/** Opus: the TOC byte (RFC 6716 §3.1). */
export const AUDIO_CLEAR_BYTES = 1

/**
 * Bytes kept in clear for an encoded frame: audio keeps Opus's TOC byte; video, by the frame's `type`, VP8's
 * headers ('key', 'delta'; the SFU path sends VP8, see ./sfu-e2ee.ts `preferVp8`). An 'empty' video frame has
 * nothing to hide. The receiver's `type` comes from the clear VP8 header, so both sides apply the same rule.
 */
export function clearPrefixLength(kind: 'audio' | 'video', frameType?: string): number {
  if (kind === 'audio') return AUDIO_CLEAR_BYTES
  switch (frameType) {
    case 'key':
      return VP8_KEY_CLEAR_BYTES
    case 'delta':
      return VP8_DELTA_CLEAR_BYTES
    case 'empty':
      return 0
    default:
      // A video frame of no known type: keep the smallest header every VP8 frame has.
      return VP8_DELTA_CLEAR_BYTES
  }
}

export const FRAME_REJECTION = {
  /** Shorter than the overhead: not an encrypted frame (a sender without E2EE, or bytes cut off). */
  tooShort: 'too-short',
  /** A key id we have no key for. */
  unknownKey: 'unknown-key',
  /** Does not authenticate: another room's key, no key at all, or changed on the way. */
  unauthentic: 'unauthentic',
} as const
export type FrameRejection = (typeof FRAME_REJECTION)[keyof typeof FRAME_REJECTION]
export type FrameResult = { ok: true; data: ArrayBuffer } | { ok: false; reason: FrameRejection }

function frameAad(clear: Uint8Array, keyId: number): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(clear.length + 1)
  aad.set(clear, 0)
  aad[clear.length] = keyId
  return aad
}

/** Encrypts an encoded frame's payload, keeping `clearBytes` (at most the whole frame) in clear. */
export async function encryptFrame(
  key: CryptoKey,
  keyId: number,
  data: ArrayBuffer,
  clearBytes: number,
): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(data)
  const clear = bytes.subarray(0, Math.min(clearBytes, bytes.length))
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: frameAad(clear, keyId), tagLength: TAG_BYTES * 8 },
      key,
      bytes.subarray(clear.length),
    ),
  )
  const out = new Uint8Array(clear.length + sealed.length + IV_BYTES + 1)
  out.set(clear, 0)
  out.set(sealed, clear.length)
  out.set(iv, clear.length + sealed.length)
  out[out.length - 1] = keyId
  return out.buffer
}

/**
 * Decrypts a frame made by encryptFrame with the same `clearBytes` rule. Never throws: a frame that does not
 * authenticate is a rejection, and the transform drops it (the decoder never sees attacker-chosen bytes).
 */
export async function decryptFrame(
  keyFor: (keyId: number) => CryptoKey | undefined,
  data: ArrayBuffer,
  clearBytes: number,
): Promise<FrameResult> {
  const bytes = new Uint8Array(data)
  if (bytes.length < FRAME_OVERHEAD) return { ok: false, reason: FRAME_REJECTION.tooShort }
  const keyId = bytes[bytes.length - 1] as number
  const key = keyFor(keyId)
  if (!key) return { ok: false, reason: FRAME_REJECTION.unknownKey }
  // The sender kept min(clearBytes, original length) in clear; the original length is this one minus the overhead.
  const clearLength = Math.min(clearBytes, bytes.length - FRAME_OVERHEAD)
  const ivStart = bytes.length - 1 - IV_BYTES
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: bytes.slice(ivStart, ivStart + IV_BYTES),
          additionalData: frameAad(bytes.subarray(0, clearLength), keyId),
          tagLength: TAG_BYTES * 8,
        },
        key,
        bytes.subarray(clearLength, ivStart),
      ),
    )
    const out = new Uint8Array(clearLength + plain.length)
    out.set(bytes.subarray(0, clearLength), 0)
    out.set(plain, clearLength)
    return { ok: true, data: out.buffer }
  } catch {
    return { ok: false, reason: FRAME_REJECTION.unauthentic }
  }
}
