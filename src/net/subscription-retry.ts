// When a subscription to another participant's feed is tried again (src/net/janus-transport.ts). A subscription
// can fail while its publisher is healthy: Janus answered a join with an error or not at all under load, ICE or
// DTLS on the subscribing connection failed, the offer came without media. Nothing else would ever subscribe to
// that feed again (Janus announces a publisher once), so that participant's video and messages would stay missing
// for the rest of the call: the transport tries again, sooner first and then every few seconds, for as long as
// the feed is published and our own connection to Janus stands.

/** Waits before the n-th new try (n from 1), ms: half a second, doubling, then every 5 s. */
export const SUBSCRIBE_RETRY_MS = [500, 1000, 2000, 4000] as const
export const SUBSCRIBE_RETRY_MAX_MS = 5000

/** How long to wait before try `attempt` (1 for the first retry) of a failed subscription, ms. */
export function subscribeRetryDelay(attempt: number): number {
  return SUBSCRIBE_RETRY_MS[Math.max(0, attempt - 1)] ?? SUBSCRIBE_RETRY_MAX_MS
}

export interface SubscriptionSituation {
  /** Janus still lists the feed as published. */
  published: boolean
  /** Our own connection to Janus stands (else the rejoin subscribes to everyone afresh). */
  connected: boolean
  /** The transport was destroyed (we left). */
  destroyed: boolean
  /** A newer subscription to the same seat exists already. */
  superseded: boolean
}

/** Whether a failed subscription is worth trying again now. */
export function shouldRetrySubscription(situation: SubscriptionSituation): boolean {
  return situation.published && situation.connected && !situation.destroyed && !situation.superseded
}
