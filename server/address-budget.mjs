// @ts-check
// How much of the signalling server one client address may use: how many sockets it holds at once and how often
// it may register. Pure: the caller passes the time, so tests need no clock.

/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Taking fails, and takes nothing, when too few
 * tokens are left.
 * @param {{ perSecond: number, burst: number }} rate
 * @param {number} now ms
 */
export function createTokenBucket({ perSecond, burst }, now) {
  let tokens = burst
  let updatedAt = now
  return {
    /**
     * @param {number} now ms
     * @param {number} [cost] tokens this action uses
     */
    take(now, cost = 1) {
      tokens = Math.min(burst, tokens + ((now - updatedAt) / 1000) * perSecond)
      updatedAt = now
      if (tokens < cost) return false
      tokens -= cost
      return true
    },
    /**
     * True when the bucket has refilled completely, so forgetting it loses nothing.
     * @param {number} now ms
     */
    isFull(now) {
      return tokens + ((now - updatedAt) / 1000) * perSecond >= burst
    },
  }
}

/**
 * The key an address is counted under. IPv4 addresses count alone (an IPv4-mapped IPv6 address is its IPv4
 * address); an IPv6 address counts with its /64 network, since one subscriber usually gets a whole /64 and could
 * otherwise take a fresh address for every connection.
 * @param {string | undefined} remoteAddress as Node reports it (`request.socket.remoteAddress`)
 */
export function addressKey(remoteAddress) {
  // A socket that is already closed has no address; they all share one key, which only hurts themselves.
  if (!remoteAddress) return 'unknown'
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress)
  if (mapped?.[1]) return mapped[1]
  if (!remoteAddress.includes(':')) return remoteAddress
  // Expand `::` so that the first four groups are the /64 network, then drop a zone index (`%eth0`).
  const [head = '', tail] = remoteAddress.toLowerCase().split('%')[0]?.split('::') ?? []
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = 8 - headGroups.length - tailGroups.length
  const groups = [...headGroups, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...tailGroups]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/** @typedef {'ok' | 'too-many-connections' | 'too-many-registrations'} Admission */

/**
 * Per-address limits on signalling sockets.
 * @param {{ connectionsPerAddress: number, registrationsPerMinute: number }} limits
 */
export function createAddressBudget({ connectionsPerAddress, registrationsPerMinute }) {
  /** @type {Map<string, { open: number, registrations: ReturnType<typeof createTokenBucket> }>} */
  const entries = new Map()
  let sweptAt = -Infinity
  // Addresses with no open socket are forgotten once their registration budget is whole again (then keeping them
  // changes nothing); looking for them once a minute keeps the map to the addresses of about the last minute.
  const SWEEP_INTERVAL_MS = 60_000
  const registrationRate = { perSecond: registrationsPerMinute / 60, burst: registrationsPerMinute }

  /** @param {number} now */
  function sweep(now) {
    sweptAt = now
    for (const [key, entry] of entries) {
      if (entry.open === 0 && entry.registrations.isFull(now)) entries.delete(key)
    }
  }

  return {
    /**
     * Asks to open one more signalling socket (one registration) for `address`. On 'ok' the socket counts as
     * open until `close` is called for it; a refusal counts nothing.
     * @param {string} address an `addressKey`
     * @param {number} now ms
     * @returns {Admission}
     */
    open(address, now) {
      if (now - sweptAt >= SWEEP_INTERVAL_MS) sweep(now)
      let entry = entries.get(address)
      if (!entry) {
        entry = { open: 0, registrations: createTokenBucket(registrationRate, now) }
        entries.set(address, entry)
      }
      if (entry.open >= connectionsPerAddress) return 'too-many-connections'
      if (!entry.registrations.take(now)) return 'too-many-registrations'
      entry.open += 1
      return 'ok'
    },
    /**
     * A socket that `open` admitted has closed.
     * @param {string} address
     */
    close(address) {
      const entry = entries.get(address)
      if (entry && entry.open > 0) entry.open -= 1
    },
    /** How many addresses are remembered (for tests: the map must not grow without bound). */
    get size() {
      return entries.size
    },
  }
}
