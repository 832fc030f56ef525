// @ts-check
import { describe, expect, it } from 'vitest'
import { addressKey, createAddressBudget, createTokenBucket } from './address-budget.mjs'

describe('token bucket', () => {
  it('allows a burst, then refills at its rate', () => {
    const bucket = createTokenBucket({ perSecond: 2, burst: 3 }, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ])
    // Half a second at 2/s is one token.
    expect(bucket.take(499)).toBe(false)
    expect(bucket.take(500)).toBe(true)
    expect(bucket.take(500)).toBe(false)
    // A long pause refills no further than the burst.
    expect(bucket.isFull(60_000)).toBe(true)
    for (let i = 0; i < 3; i++) expect(bucket.take(60_000)).toBe(true)
    expect(bucket.take(60_000)).toBe(false)
  })

  it('charges a cost, and takes nothing when the cost is more than it holds', () => {
    const bucket = createTokenBucket({ perSecond: 1, burst: 10 }, 0)
    expect(bucket.take(0, 8)).toBe(true)
    expect(bucket.take(0, 3)).toBe(false)
    expect(bucket.take(0, 2)).toBe(true)
  })
})

describe('address key', () => {
  it('counts an IPv4 address alone, also when Node reports it IPv4-mapped', () => {
    expect(addressKey('127.0.0.2')).toBe('127.0.0.2')
    expect(addressKey('::ffff:127.0.0.2')).toBe('127.0.0.2')
  })

  it('counts IPv6 addresses by their /64 network, however they are written', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'))
  })

  it('puts sockets without an address under one key', () => {
    expect(addressKey(undefined)).toBe('unknown')
  })
})

describe('address budget', () => {
  it('refuses more open sockets than allowed per address, and frees a place when one closes', () => {
    const budget = createAddressBudget({ connectionsPerAddress: 2, registrationsPerMinute: 100 })
    expect(budget.open('a', 0)).toBe('ok')
    expect(budget.open('a', 0)).toBe('ok')
    expect(budget.open('a', 0)).toBe('too-many-connections')
    // Another address is not affected.
    expect(budget.open('b', 0)).toBe('ok')
    budget.close('a')
    expect(budget.open('a', 0)).toBe('ok')
  })

  it('refuses registrations beyond the rate per minute, also when each socket closes at once', () => {
    const budget = createAddressBudget({ connectionsPerAddress: 100, registrationsPerMinute: 3 })
    for (let i = 0; i < 3; i++) {
      expect(budget.open('a', 0)).toBe('ok')
      budget.close('a')
    }
    expect(budget.open('a', 1000)).toBe('too-many-registrations')
    expect(budget.open('b', 1000)).toBe('ok')
    // 3 per minute: one more every 20 s.
    expect(budget.open('a', 20_000)).toBe('ok')
    expect(budget.open('a', 20_000)).toBe('too-many-registrations')
  })

  it('a refusal for too many sockets does not use up a registration', () => {
    const budget = createAddressBudget({ connectionsPerAddress: 1, registrationsPerMinute: 2 })
    expect(budget.open('a', 0)).toBe('ok')
    for (let i = 0; i < 10; i++) expect(budget.open('a', 0)).toBe('too-many-connections')
    budget.close('a')
    expect(budget.open('a', 0)).toBe('ok')
  })

  it('forgets addresses with nothing open and a whole budget, so the map does not grow without bound', () => {
    const budget = createAddressBudget({ connectionsPerAddress: 4, registrationsPerMinute: 60 })
    for (let i = 0; i < 1000; i++) {
      budget.open(`10.0.${i >> 8}.${i & 255}`, 0)
      budget.close(`10.0.${i >> 8}.${i & 255}`)
    }
    expect(budget.open('held', 0)).toBe('ok')
    expect(budget.size).toBe(1001)
    // A minute later every budget is whole again; only the address with an open socket stays.
    budget.open('new', 61_000)
    expect(budget.size).toBe(2)
    expect(budget.open('held', 61_000)).toBe('ok')
  })

  it('never counts below zero when a close comes without an open', () => {
    const budget = createAddressBudget({ connectionsPerAddress: 1, registrationsPerMinute: 10 })
    budget.close('a')
    expect(budget.open('a', 0)).toBe('ok')
    expect(budget.open('a', 0)).toBe('too-many-connections')
  })
})
