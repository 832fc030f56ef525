// Everything a large room on a Janus SFU needs to know about itself, derived from the invite's room secret, so
// that nobody without the invite can find the room, enter it, read its media or its messages, or even say which
// of several servers it is on. Plain TypeScript over WebCrypto (browsers, workers and Node alike).
//
// API
//   deriveSfuRoom(room)             → SfuRoom: { janusRoom, pin, roomSecret, rendezvous, mediaKey, mediaKeyId }
//   mediaFrameKey(room, keyId?)     → the AES-GCM key that encrypts encoded audio and video frames (./sfu-crypto.ts)
//   messageKey(room, senderId)      → MessageKey: { key, check }, the key that seals one sender's app messages
//
// Every value is HKDF-SHA-256 (like the admission key, ./admission.ts) from the secret, salted with the room id,
// with a label of its own in `info`: outputs under different labels are independent, so learning one (the Janus
// room id and PIN are visible to the Janus operator) tells nothing about any other or about the secret.
import type { Room } from '../room/invite'
import { toBase64Url } from '../room/invite'

const textEncoder = new TextEncoder()

/** The labels, versioned, so that a change of construction can never collide with an old one. */
const LABEL = {
  janusRoom: 'xr-consult/sfu/janus-room/v1',
  pin: 'xr-consult/sfu/pin/v1',
  roomSecret: 'xr-consult/sfu/janus-room-secret/v1',
  rendezvous: 'xr-consult/sfu/rendezvous/v1',
  // The key id and the sender id end their labels, so no two (label, value) pairs spell the same `info`.
  media: 'xr-consult/sfu/media/v1|key=',
  message: 'xr-consult/sfu/message/v1|sender=',
  messageCheck: 'xr-consult/sfu/message-check/v1|sender=',
} as const

/**
 * AES-GCM key length in bits. 256 rather than 128: the cost per frame is the same order (AES-NI), and a room's
 * key protects a whole call's media, which may be kept by an eavesdropper for years.
 */
export const SFU_KEY_BITS = 256
/** The first media key's id; a rekey (not done yet) would derive key 1, 2, … and say which one in each frame. */
export const FIRST_MEDIA_KEY_ID = 0
/** Bytes of a message key's check value: enough to tell a wrong key from a tampered message, not to guess a key. */
export const KEY_CHECK_BYTES = 4
/** Longest sender id a message key is derived for (UTF-8 bytes); sealed messages carry it in one byte. */
export const MAX_SENDER_ID_BYTES = 64

export interface SfuRoom {
  /** The Janus VideoRoom room id: a positive safe integer (Janus uses unsigned 64-bit ids; JSON carries 53 bits). */
  janusRoom: number
  /** The room's PIN, asked by Janus of everyone who joins: 22 base64url characters (128 bits). */
  pin: string
  /** The room's Janus `secret` (needed to edit or destroy it): 22 base64url characters (128 bits). */
  roomSecret: string
  /** What ./rendezvous.ts hashes with the server URLs to pick a room's server: 64 hex digits (256 bits). */
  rendezvous: string
  /** Encrypts and decrypts encoded media frames (./sfu-crypto.ts). Not extractable. */
  mediaKey: CryptoKey
  /** The id frames carry for `mediaKey` (0..255). */
  mediaKeyId: number
}

/** One sender's app-message key and its public check value (see ./sfu-crypto.ts `sealMessage`). */
export interface MessageKey {
  /** AES-GCM, not extractable. */
  key: CryptoKey
  /** KEY_CHECK_BYTES derived beside the key: equal checks mean the same key, and say nothing about it. */
  check: Uint8Array<ArrayBuffer>
}

function baseKey({ secret }: Room): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', textEncoder.encode(secret), 'HKDF', false, [
    'deriveBits',
    'deriveKey',
  ])
}

function hkdf({ roomId }: Room, label: string): HkdfParams {
  return { name: 'HKDF', hash: 'SHA-256', salt: textEncoder.encode(roomId), info: textEncoder.encode(label) }
}

async function bits(
  room: Room,
  base: CryptoKey,
  label: string,
  count: number,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.deriveBits(hkdf(room, label), base, count))
}

function aesKey(room: Room, base: CryptoKey, label: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(hkdf(room, label), base, { name: 'AES-GCM', length: SFU_KEY_BITS }, false, [
    'encrypt',
    'decrypt',
  ])
}

/** 53 bits of 8 derived bytes as a positive safe integer (0 would mean "let Janus choose" in its API). */
function safeInteger(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const high = view.getUint32(0) & 0x1f_ffff // 21 bits, + 32 below = 53
  const value = high * 2 ** 32 + view.getUint32(4)
  return value === 0 ? 1 : value
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

function checkSenderId(senderId: string) {
  const length = textEncoder.encode(senderId).length
  if (length === 0 || length > MAX_SENDER_ID_BYTES) {
    throw new RangeError(`A sender id must be 1 to ${MAX_SENDER_ID_BYTES} bytes of UTF-8, not ${length}`)
  }
}

/** The key that encrypts the room's media frames, by key id (0..255). */
export async function mediaFrameKey(room: Room, keyId = FIRST_MEDIA_KEY_ID): Promise<CryptoKey> {
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 255) throw new RangeError('A media key id is 0..255')
  return aesKey(room, await baseKey(room), `${LABEL.media}${keyId}`)
}

/**
 * The key that seals `senderId`'s app messages. Every invite holder can derive every sender's key (they share the
 * secret), so this binds a message to the sender id it claims and keeps out everyone without the invite (the
 * Janus operator included); who among the invite holders wrote an op is still proven by its signature
 * (./authorship.ts), as on the mesh. `senderId` must be unique per session, since sequence numbers restart with it.
 */
export async function messageKey(room: Room, senderId: string): Promise<MessageKey> {
  checkSenderId(senderId)
  const base = await baseKey(room)
  const [key, check] = await Promise.all([
    aesKey(room, base, `${LABEL.message}${senderId}`),
    bits(room, base, `${LABEL.messageCheck}${senderId}`, KEY_CHECK_BYTES * 8),
  ])
  return { key, check }
}

export async function deriveSfuRoom(room: Room): Promise<SfuRoom> {
  const base = await baseKey(room)
  const [janusRoom, pin, roomSecret, rendezvous, mediaKey] = await Promise.all([
    bits(room, base, LABEL.janusRoom, 64),
    bits(room, base, LABEL.pin, 128),
    bits(room, base, LABEL.roomSecret, 128),
    bits(room, base, LABEL.rendezvous, 256),
    aesKey(room, base, `${LABEL.media}${FIRST_MEDIA_KEY_ID}`),
  ])
  return {
    janusRoom: safeInteger(janusRoom),
    pin: toBase64Url(pin),
    roomSecret: toBase64Url(roomSecret),
    rendezvous: hex(rendezvous),
    mediaKey,
    mediaKeyId: FIRST_MEDIA_KEY_ID,
  }
}
