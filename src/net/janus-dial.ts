// What a dial over Janus does at each turn of its open loop (./janus-transport.ts). Plain TypeScript, so the rule
// is tested in node.
//
// A seat's publisher is Janus's word that someone is in it, as a registered id is the PeerServer's. The mesh
// (./call-mesh.ts) reads "unavailable" as "that seat is empty": it stops re-dialing and calls the participant
// gone. So a dial says it only when nobody publishes in the seat. A dial that nobody answered while they publish
// (both subscriptions still coming up on a loaded page, or a page that stopped running script) just fails, as a
// PeerJS dial to a registered peer that never answers does: the mesh dials again within its windows. Saying
// "unavailable" there made both sides of a slow pair give up on each other for good after one 15 s dial (a
// lecture-xr run after a stalled presenter came back: its dials timed out while its subscriptions took 16-22 s).

/**
 * How long a dial waits for the far side's accept, ms. They are publishing (or we would not dial them), so only
 * the two subscriptions have to come up: on two busy cores with a rendering scene that takes a few seconds.
 */
export const OPEN_TIMEOUT_MS = 15_000

export interface DialSituation {
  /** Since the dial was made, ms. */
  elapsedMs: number
  /** Someone publishes in the seat now. */
  publishing: boolean
  /** Someone published in the seat earlier in the call (they may be taking it back after a cut). */
  everPublished: boolean
}

/**
 * `open`: send (again) the open envelope; `wait`: nobody publishes there now, but someone did earlier in the call
 * and may be taking the seat back, so wait for their feed; `unavailable`: nobody is in the seat (close, and say
 * so); `unanswered`: someone is there but did not answer in time (close the dial as failed, nothing more).
 */
export type DialStep = 'open' | 'wait' | 'unavailable' | 'unanswered'

export function dialStep({ elapsedMs, publishing, everPublished }: DialSituation): DialStep {
  if (!publishing && !everPublished) return 'unavailable'
  if (elapsedMs > OPEN_TIMEOUT_MS) return publishing ? 'unanswered' : 'unavailable'
  return publishing ? 'open' : 'wait'
}
