// Where a large room meets on Janus, derived from the invite so that every participant arrives at the same place
// and nobody without the invite can find or enter it: which server (of JANUS_URLS), the VideoRoom's id, PIN and
// secret, and each seat's publisher id. Plain TypeScript, no DOM.
//
// The id, PIN and secret are ./sfu-keys.ts's (HKDF from the invite's secret, each under its own label, so what
// the Janus operator sees says nothing about the media and message keys); the server is ./rendezvous.ts's
// choice over the configured URLs, so every participant ranks them the same way without asking anyone.
import type { Room } from '../room/invite'
import { chooseServer } from './rendezvous'
import { deriveSfuRoom } from './sfu-keys'

export interface JanusRoomAccess {
  /** The VideoRoom's numeric id (53 bits: exact in JSON and in JavaScript). */
  room: number
  /** Needed to join or subscribe. */
  pin: string
  /** Needed to change or destroy the room. */
  secret: string
  /** What picks the room's server among JANUS_URLS (./rendezvous.ts); secret, like everything derived here. */
  rendezvous: string
}

/** The VideoRoom id, PIN, secret and rendezvous value of a room, from ./sfu-keys.ts. */
export async function janusRoomAccess(room: Room): Promise<JanusRoomAccess> {
  const { janusRoom, pin, roomSecret, rendezvous } = await deriveSfuRoom(room)
  return { room: janusRoom, pin, secret: roomSecret, rendezvous }
}

/**
 * The publisher id of a seat: the first 52 bits of its (secret-derived) seat id, so it is exact as a JavaScript
 * number, unguessable without the invite, and the same for everyone who computes it.
 * @param seatId `xc-` and 32 hex digits (src/room/invite.ts seatPeerId)
 */
export function feedOfSeat(seatId: string): number {
  return Number.parseInt(seatId.replace(/^xc-/, '').slice(0, 13), 16) || 1
}

/**
 * The publisher id of a seat's shared screen (./janus-screen.ts): the next 52 bits of the same seat id, so it is
 * as unguessable as the seat's own and everyone can tell whose screen a feed is. (A collision with any seat's id
 * would need two 52-bit slices of secret-derived ids to match.)
 */
export function feedOfScreen(seatId: string): number {
  return Number.parseInt(seatId.replace(/^xc-/, '').slice(13, 26), 16) || 2
}

/**
 * The Janus server a room should use: the best-ranked one for its rendezvous value that is not known to be down
 * (null: none left). A participant that cannot reach its choice adds it to `down` and asks again, and so lands
 * where every other participant who found that server down lands.
 */
export function pickJanusUrl(
  urls: readonly string[],
  access: Pick<JanusRoomAccess, 'rendezvous'>,
  down: ReadonlySet<string> = new Set(),
): string | null {
  return chooseServer(access.rendezvous, urls, down)
}
