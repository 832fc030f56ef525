import { describe, expect, it } from 'vitest'
import { HEALTH_PATH, measureServerRoundTrip, ROUND_TRIP_SAMPLES } from './server-round-trip'

function fakeServer(delays: number[], answer: 'ok' | 'error' | 'throw' = 'ok') {
  let clock = 0
  const urls: string[] = []
  const inits: RequestInit[] = []
  return {
    urls,
    inits,
    deps: {
      now: () => clock,
      fetch: async (url: string, init: RequestInit) => {
        urls.push(url)
        inits.push(init)
        clock += delays.shift() ?? 0
        if (answer === 'throw') throw new TypeError('Failed to fetch')
        return { ok: answer === 'ok' }
      },
    },
  }
}

describe('measureServerRoundTrip', () => {
  it("asks the page's own server, uncached, and gives the quickest of its answers", async () => {
    const server = fakeServer([90, 40, 20, 30, 60])
    expect(await measureServerRoundTrip('https://clinic.example:8443', server.deps)).toBe(20)
    expect(server.urls).toEqual(Array(ROUND_TRIP_SAMPLES).fill(`https://clinic.example:8443${HEALTH_PATH}`))
    expect(server.inits.every((init) => init.cache === 'no-store')).toBe(true)
  })

  it('is null, never a rejection, when the server does not answer or answers with an error', async () => {
    expect(await measureServerRoundTrip('http://localhost', fakeServer([5], 'throw').deps)).toBeNull()
    expect(await measureServerRoundTrip('http://localhost', fakeServer([5], 'error').deps)).toBeNull()
  })
})
