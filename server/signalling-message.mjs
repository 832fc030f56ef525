// @ts-check
// What a client may send to the PeerServer. The PeerServer itself trusts every frame: it parses it, writes a
// property onto the result and relays it, so `null` crashed it and any type it knows, including EXPIRE (its own
// notice that a message could not be delivered), passed through. Every frame is checked here first.

/**
 * The messages a PeerJS client sends: HEARTBEAT to stay registered, OFFER/ANSWER/CANDIDATE to set up a
 * connection, LEAVE to end one. Anything else (EXPIRE, OPEN, ERROR, ID-TAKEN) only the server may send.
 */
export const CLIENT_MESSAGE_TYPES = new Set(['HEARTBEAT', 'OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE'])

/** The messages that go to another peer, and so must say to whom. */
const RELAYED_TYPES = new Set(['OFFER', 'ANSWER', 'CANDIDATE'])

/**
 * Longest peer id accepted, as a registration's id or a message's destination. This app's seat ids are 32 hex
 * digits and PeerJS's own random ids are 36-character UUIDs; 64 leaves room for both and nothing an attacker
 * could use to make every relayed message or queue key large.
 */
export const MAX_PEER_ID_LENGTH = 64

/**
 * Checks one frame from a client; never throws.
 * @param {unknown} data the frame's content as `ws` hands it over (a Buffer for text and binary frames)
 * @param {boolean} isBinary
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function checkClientMessage(data, isBinary) {
  // PeerJS sends JSON text; a binary frame is never one of its messages.
  if (isBinary) return { ok: false, reason: 'binary frame' }
  let message
  try {
    message = JSON.parse(String(data))
  } catch {
    return { ok: false, reason: 'not JSON' }
  }
  if (!isPlainObject(message)) return { ok: false, reason: 'not a JSON object' }
  const { type, dst, payload } = message
  if (typeof type !== 'string' || !CLIENT_MESSAGE_TYPES.has(type))
    return { ok: false, reason: 'unknown type' }
  if (dst !== undefined && !isPeerId(dst)) return { ok: false, reason: 'bad dst' }
  if (dst === undefined && RELAYED_TYPES.has(type)) return { ok: false, reason: 'no dst' }
  if (payload !== undefined && !isPlainObject(payload)) return { ok: false, reason: 'payload not an object' }
  return { ok: true }
}

/**
 * A peer id as PeerServer may store it: a non-empty string, not too long.
 * @param {unknown} value
 * @returns {value is string}
 */
export function isPeerId(value) {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_PEER_ID_LENGTH
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
