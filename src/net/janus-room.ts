// Where a large room meets on Janus, derived from the invite so that every participant arrives at the same place
// and nobody without the invite can find or enter it: which server (of JANUS_URLS), the VideoRoom's id, PIN and
// secret, and each seat's publisher id. Plain TypeScript, no DOM.
//
// TODO(issue 15): the room id, PIN and keys move to src/net/sfu-keys.ts (derived with the media and message keys),
// and the server choice to src/net/rendezvous.ts (rendezvous hashing over JANUS_URLS, skipping a server that is
// down); these two functions are the seams they replace.
import type { Room } from '../room/invite'

export interface JanusRoomAccess {
  /** The VideoRoom's numeric id (48 bits: below 2^53, so exact in JSON and in JavaScript). */
  room: number
  /** Needed to join or subscribe. */
  pin: string
  /** Needed to change or destroy the room. */
  secret: string
}

const encoder = new TextEncoder()

function base64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** 6 bytes, big-endian, as a number. */
function uint48(bytes: Uint8Array): number {
  let value = 0
  for (const byte of bytes.subarray(0, 6)) value = value * 256 + byte
  return value
}

/** The VideoRoom id, PIN and secret of a room: one SHA-256 of the room id and secret, split. */
export async function janusRoomAccess({ roomId, secret }: Room): Promise<JanusRoomAccess> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', encoder.encode(`xr-consult/janus-room/v1|${roomId}|${secret}`)),
  )
  return {
    // Never 0: Janus reads a room id of 0 as "pick one for me".
    room: uint48(digest.subarray(0, 6)) || 1,
    // 96 bits each: nobody guesses them, and they stay short in every request.
    pin: base64Url(digest.subarray(8, 20)),
    secret: base64Url(digest.subarray(20, 32)),
  }
}

/**
 * The publisher id of a seat: the first 52 bits of its (secret-derived) seat id, so it is exact as a JavaScript
 * number, unguessable without the invite, and the same for everyone who computes it.
 * @param seatId `xc-` and 32 hex digits (src/room/invite.ts seatPeerId)
 */
export function feedOfSeat(seatId: string): number {
  return Number.parseInt(seatId.replace(/^xc-/, '').slice(0, 13), 16) || 1
}

/** The Janus server of this room: the first configured one for now (see the TODO above). */
export function pickJanusUrl(urls: readonly string[], _room: Room): string | null {
  return urls[0] ?? null
}
