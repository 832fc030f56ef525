import { describe, expect, it } from 'vitest'
import { SUBSCRIBE_RETRY_MAX_MS, shouldRetrySubscription, subscribeRetryDelay } from './subscription-retry'

const healthy = { published: true, connected: true, destroyed: false, superseded: false }

describe('subscribeRetryDelay', () => {
  it('retries soon, then backs off to a steady interval that never ends', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(subscribeRetryDelay)).toEqual([
      500,
      1000,
      2000,
      4000,
      SUBSCRIBE_RETRY_MAX_MS,
      SUBSCRIBE_RETRY_MAX_MS,
      SUBSCRIBE_RETRY_MAX_MS,
    ])
    // A nonsense attempt number is treated as the first.
    expect(subscribeRetryDelay(0)).toBe(500)
  })
})

describe('shouldRetrySubscription', () => {
  it('retries while the publisher is published and we are connected', () => {
    expect(shouldRetrySubscription(healthy)).toBe(true)
  })

  it('gives up when the feed left, our connection is lost (the rejoin resubscribes), we left, or a newer one exists', () => {
    expect(shouldRetrySubscription({ ...healthy, published: false })).toBe(false)
    expect(shouldRetrySubscription({ ...healthy, connected: false })).toBe(false)
    expect(shouldRetrySubscription({ ...healthy, destroyed: true })).toBe(false)
    expect(shouldRetrySubscription({ ...healthy, superseded: true })).toBe(false)
  })
})
