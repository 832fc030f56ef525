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

/**
 * How much earlier than a relayed peer's last message its last media may have arrived and still count as having
 * stopped with it, ms: one heartbeat (pings come every second), so media that stopped with the pings (a cut, a
 * crash) counts, and media that ended well before them (a speaker's microphone taken back) does not.
 */
const MEDIA_WITH_MESSAGES_MS = 1000

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
  /**
   * Only for a peer reached through a relay (the SFU): whether the relay still has them in the room. Undefined on
   * a direct connection.
   */
  relayPresent?: boolean
  /** Time since media from the peer last arrived, ms; null when none has on this link. */
  mediaSilenceMs?: number | null
}

/**
 * Whether a peer is still there. PeerJS 'close' does not fire when a remote tab is killed, and message silence
 * alone is not enough either: a busy page (software rendering on a weak machine, a long task) can go quiet for
 * seconds while its connection is fine. So a peer is gone when both its messages and its transport fall silent,
 * when its transport failed, or when its messages have stopped for very long.
 *
 * Through a relay, the transport we can see is our connection to the relay, and what arrives on it from a peer is
 * their media and their messages. A peer without media (a receive-only participant) sends nothing but messages,
 * so there its transport's silence is only its messages' silence again, and a busy page would count as gone. The
 * relay's own word is the evidence there: Janus ends a participant whose WebSocket closed (a closed or crashed
 * tab) at once, and one whose page stopped answering after its session timeout, and says so (the link then
 * closes). So a relayed peer the relay still has is judged by its transport only when its media stopped with its
 * messages (a cut that left the relay unaware), and otherwise gone only after HUNG_PEER_MS.
 */
export function peerIsGone({
  messageSilenceMs,
  transportSilenceMs,
  ice,
  relayPresent,
  mediaSilenceMs,
}: PeerLiveness): boolean {
  if (ice === 'failed' || ice === 'closed') return true
  if (messageSilenceMs > HUNG_PEER_MS) return true
  if (messageSilenceMs <= DEAD_PEER_MS) return false
  const mediaStoppedWithMessages =
    mediaSilenceMs != null && mediaSilenceMs <= messageSilenceMs + MEDIA_WITH_MESSAGES_MS
  if (relayPresent && !mediaStoppedWithMessages) return false
  return transportSilenceMs !== null && transportSilenceMs > DEAD_PEER_MS
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
