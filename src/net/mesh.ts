// Who keeps which connection when two participants dial each other at the same time. Pure, so both sides can be
// checked to agree without a network.

/** A dial younger than this may still be racing the other side's dial, ms. */
export const DIAL_RACE_WINDOW_MS = 10000

export interface DuplicateLinkFacts {
  mySeat: number
  remoteSeat: number
  /** Who opened the link we already hold. */
  existingOrigin: 'outgoing' | 'incoming'
  existingAgeMs: number
  /** Whether the existing link ever completed its hello. */
  existingHello: boolean
}

/**
 * Decides between the link we hold and a new incoming connection from the same seat. In a simultaneous dial the
 * connection opened by the lower seat wins on both sides. Anything else is a participant who came back (a new tab
 * in the same seat, or a re-dial after a drop): the newer connection replaces the stale one.
 */
export function resolveDuplicateLink(facts: DuplicateLinkFacts): 'existing' | 'incoming' {
  const racing =
    facts.existingOrigin === 'outgoing' && !facts.existingHello && facts.existingAgeMs < DIAL_RACE_WINDOW_MS
  if (racing && facts.mySeat < facts.remoteSeat) return 'existing'
  return 'incoming'
}
