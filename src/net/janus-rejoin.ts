// Taking our seat back in a Janus VideoRoom after our connection to Janus died (./janus-transport.ts). Plain
// TypeScript, no janode and no DOM, so the decisions are tested in node.
//
// A seat is a fixed publisher id, and Janus refuses a second publisher with an id it still holds (436). After a
// cut it may still hold ours: a WebSocket that closed is noticed at once and its session destroyed, but a network
// that went silent leaves the old session alive until its timeout (session_timeout, 60 s by default). The seat is
// ours by the invite, and the room's secret (derived from the invite, as the id and PIN are) lets us kick the
// stale publisher, as a moderator would: then we join again.

/** Janus's VideoRoom error when a publisher id is in the room already. */
export const ID_EXISTS = 436
/** The same when the room is gone (its last participant left, or a new server never had it). */
export const NO_SUCH_ROOM = 426

/** What a rejoin needs from the server, as plain functions (./janus-transport.ts binds them to a handle). */
export interface SeatRejoinSteps<Joined> {
  /** Joins as the seat's publisher; rejects with the Janus error (its code through `codeOf`). */
  join(): Promise<Joined>
  /** Removes the publisher that holds the seat's id (the room secret's kick). */
  kick(): Promise<unknown>
  /** Creates the room (a no-op when it exists). */
  createRoom(): Promise<unknown>
  codeOf(error: unknown): number | undefined
}

/**
 * Joins the seat's publisher id again: a room that is gone is created first (the server restarted, or this is the
 * next server in rendezvous order); a stale publisher of ours that still holds the id is kicked, once, and the join
 * tried again. Anything else rejects (the caller tries again later).
 */
export async function rejoinSeat<Joined>(steps: SeatRejoinSteps<Joined>): Promise<Joined> {
  let kicked = false
  let created = false
  for (;;) {
    try {
      return await steps.join()
    } catch (error) {
      const code = steps.codeOf(error)
      if (code === ID_EXISTS && !kicked) {
        kicked = true
        await steps.kick()
      } else if (code === NO_SUCH_ROOM && !created) {
        created = true
        await steps.createRoom()
      } else {
        throw error
      }
    }
  }
}

/**
 * How long the publishing connection may stay `disconnected` before we count our connection as lost, ms. ICE
 * says `disconnected` after a few seconds without consent checks answered and often recovers from a blip on its
 * own; `failed` is final and counts at once.
 */
export const PUBLISHER_DISCONNECTED_GRACE_MS = 5000

/**
 * Watches the publishing connection's state: `lost` is called once when it fails, or stays disconnected for
 * `graceMs`. Returns the function that stops watching.
 */
export function watchConnectionLoss(
  pc: Pick<RTCPeerConnection, 'connectionState' | 'addEventListener' | 'removeEventListener'>,
  lost: (reason: string) => void,
  graceMs = PUBLISHER_DISCONNECTED_GRACE_MS,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  let done = false
  const stop = () => {
    done = true
    if (timer) clearTimeout(timer)
    timer = null
    pc.removeEventListener('connectionstatechange', check)
  }
  function check() {
    if (done) return
    const state = pc.connectionState
    if (state === 'failed') {
      stop()
      lost('publisher connection failed')
    } else if (state === 'disconnected') {
      timer ??= setTimeout(() => {
        timer = null
        if (done || pc.connectionState !== 'disconnected') return
        stop()
        lost('publisher connection disconnected')
      }, graceMs)
    } else if (timer) {
      clearTimeout(timer)
      timer = null
    }
  }
  pc.addEventListener('connectionstatechange', check)
  return stop
}
