// Who keeps which connection when two participants end up with two connections between them. Pure, so both
// sides can be checked to agree without a network.
//
// How it happens: a newcomer dials every seat of the room. A dial to an empty seat waits in the PeerServer's
// queue for a few seconds, and if someone takes that seat meanwhile it is delivered to them while they dial the
// dialer back. Seats are reused, too: a participant who rejoins after a crash arrives in their old seat while the
// others still hold the dead connection.

export interface DuplicateLinkFacts {
  mySeat: number
  remoteSeat: number
  /** Who opened the link we already hold. */
  existingOrigin: 'outgoing' | 'incoming'
  /**
   * The link we hold is our own dial that has not opened and never will: made before our connection to the
   * PeerServer last dropped (its offer and answer travel through the server, so the restart lost them), or
   * stalled for seconds (delivered to a registration that went away). The incoming dial has just come through
   * the live server from someone who is there now.
   */
  existingIsStaleDial?: boolean
  /** The remote's session id on the existing link, if known yet (from their hello or their dial). */
  existingRemoteSession: string | null
  /** The session id the new incoming connection carries. */
  incomingSession: string
}

/**
 * Decides between the link we hold and a new incoming connection from the same seat:
 * - a different session in that seat is a new incarnation (a rejoin): the new connection replaces the dead one;
 * - our own dial that never reached anyone through the PeerServer we are registered with now (a stale dial) loses
 *   to a live incoming one: it cannot connect, and keeping it would refuse the only dial that can;
 * - two connections of the same pair: the one dialed by the lower seat wins, on both sides;
 * - anything else is the remote dialing again: the newest connection wins.
 */
export function resolveDuplicateLink(facts: DuplicateLinkFacts): 'existing' | 'incoming' {
  if (facts.existingRemoteSession !== null && facts.existingRemoteSession !== facts.incomingSession)
    return 'incoming'
  if (facts.existingIsStaleDial) return 'incoming'
  if (facts.existingOrigin === 'outgoing') return facts.mySeat < facts.remoteSeat ? 'existing' : 'incoming'
  return 'incoming'
}

/** Silence after which a peer whose transport has gone quiet too counts as gone, ms. */
export const DEAD_PEER_MS = 3000
/** Silence after which a peer counts as gone even though its transport still carries data (a hung tab), ms. */
export const HUNG_PEER_MS = 30000

export interface PeerLiveness {
  /** Time since the last app message from the peer (pings come every second), ms. */
  messageSilenceMs: number
  /**
   * Time since any byte arrived on the peer's connections: media, RTCP reports, data, ICE checks, ms. These are
   * handled off the page's main thread, so they keep flowing from a page that is merely busy. Null when our own
   * sampling is behind (our page is the busy one), so nothing can be concluded from it.
   */
  transportSilenceMs: number | null
  ice: RTCIceConnectionState | undefined
}

/**
 * Whether a peer is still there. PeerJS 'close' does not fire when a remote tab is killed, and message silence
 * alone is not enough either: a busy page (software rendering on a weak machine, a long task) can go quiet for
 * seconds while its connection is fine. So a peer is gone when both its messages and its transport fall silent,
 * when its transport failed, or when its messages have stopped for very long.
 */
export function peerIsGone({ messageSilenceMs, transportSilenceMs, ice }: PeerLiveness): boolean {
  if (ice === 'failed' || ice === 'closed') return true
  if (messageSilenceMs > HUNG_PEER_MS) return true
  return messageSilenceMs > DEAD_PEER_MS && transportSilenceMs !== null && transportSilenceMs > DEAD_PEER_MS
}

export interface VideoSendBudget {
  /** bits per second for each copy of our video */
  maxBitrate: number
  /** 1 = as captured, 2 = half width and height */
  scaleResolutionDownBy: number
}

/**
 * A full mesh sends one copy of our video to every other participant, so the uplink and the encoder are shared.
 * 1.5 Mbit/s is what a phone on a home network sends reliably; split it, and halve the resolution once three
 * copies are going out (three 640x480 encodes strain a phone; 320x240 still shows a face clearly on a panel).
 */
export function videoSendBudget(remoteCount: number): VideoSendBudget {
  const UPLINK_BPS = 1_500_000
  const copies = Math.max(1, remoteCount)
  return {
    maxBitrate: Math.round(Math.min(1_000_000, UPLINK_BPS / copies)),
    scaleResolutionDownBy: copies >= 3 ? 2 : 1,
  }
}
