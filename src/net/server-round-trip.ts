// How long this page's server takes to answer, for the check-in: a few small requests to its no-store /health
// endpoint, timed one after another. Same origin only, like everything the page asks for.

/** Where the server answers with nothing but "I am here" (server/services.mjs), never cached. */
export const HEALTH_PATH = '/health'
/**
 * Requests per measurement. The first may pay for a new connection (TCP, TLS) that the call's signalling socket
 * pays only once, and the join screen is busy loading the call's 3D scene meanwhile, which delays reading an
 * answer: the quickest of five is what the network and the server themselves take.
 */
export const ROUND_TRIP_SAMPLES = 5

export interface RoundTripDeps {
  fetch: (url: string, init: RequestInit) => Promise<{ ok: boolean }>
  /** ms, monotonic */
  now: () => number
}

/** The quickest round trip to `origin`'s health endpoint, ms, or null when the server did not answer. Never rejects. */
export async function measureServerRoundTrip(
  origin: string,
  deps: RoundTripDeps = { fetch: (url, init) => fetch(url, init), now: () => performance.now() },
): Promise<number | null> {
  const times: number[] = []
  for (let i = 0; i < ROUND_TRIP_SAMPLES; i++) {
    const start = deps.now()
    try {
      const response = await deps.fetch(new URL(HEALTH_PATH, origin).href, { cache: 'no-store' })
      if (!response.ok) return null
    } catch {
      return null
    }
    times.push(deps.now() - start)
  }
  return Math.min(...times)
}
