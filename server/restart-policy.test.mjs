// @ts-check
import { describe, expect, it } from 'vitest'
import { createRestartPolicy } from './restart-policy.mjs'

describe('restart policy', () => {
  const policy = { firstDelayMs: 500, maxDelayMs: 3000, maxCrashes: 5, windowMs: 60_000 }

  it('waits longer after each crash, up to a limit', () => {
    const restarts = createRestartPolicy({ ...policy, maxCrashes: 10 })
    expect([0, 1, 2, 3, 4].map((i) => restarts.afterCrash(i * 1000))).toEqual([500, 1000, 2000, 3000, 3000])
  })

  it('gives up at the fifth crash within a minute', () => {
    const restarts = createRestartPolicy(policy)
    for (let i = 0; i < 4; i++) expect(restarts.afterCrash(i * 10_000)).not.toBeNull()
    expect(restarts.afterCrash(40_000)).toBeNull()
  })

  it('forgets crashes older than the window: a crash a day is always restarted, at once', () => {
    const restarts = createRestartPolicy(policy)
    for (let day = 0; day < 30; day++) expect(restarts.afterCrash(day * 86_400_000)).toBe(500)
  })
})
