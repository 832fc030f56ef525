// Which server a room meets on, with no coordinator: rendezvous (highest random weight) hashing. Each server gets a
// score, a hash of the room's rendezvous value (./sfu-keys.ts, derived from the secret) and the server's URL; the
// room goes to the highest score that is not known to be down. Every participant computes the same scores from
// the same inputs, so they all pick the same server whatever order their list is in; a server that is down is
// skipped by everyone the same way (the next-highest score); adding or removing a server moves only the rooms
// whose best score that server has or had, about 1/n of them. Pure and synchronous.
//
// API
//   rankServers(rendezvous, servers)         → the distinct servers, best first
//   chooseServer(rendezvous, servers, down?) → the best server not in `down`, or null when none is left
//   rendezvousScore(rendezvous, server)      → the score itself (a 64-bit bigint), for tests and diagnostics
//
// The score is FNV-1a 64 over the UTF-8 of `${rendezvous}|${server}`, finished with MurmurHash3's 64-bit mixer
// (fmix64) so that URLs differing in one character still get unrelated scores. It need not be secret or
// collision-resistant: the rendezvous value already is secret, and an attacker choosing server URLs controls
// the deployment anyway. It is written out here (not SHA-256) to stay synchronous and reproducible anywhere.

const MASK_64 = (1n << 64n) - 1n
const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const textEncoder = new TextEncoder()

/** MurmurHash3's fmix64: every input bit affects every output bit. */
function fmix64(value: bigint): bigint {
  let k = value
  k ^= k >> 33n
  k = (k * 0xff51afd7ed558ccdn) & MASK_64
  k ^= k >> 33n
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK_64
  k ^= k >> 33n
  return k
}

export function rendezvousScore(rendezvous: string, server: string): bigint {
  let hash = FNV_OFFSET
  for (const byte of textEncoder.encode(`${rendezvous}|${server}`)) {
    hash ^= BigInt(byte)
    hash = (hash * FNV_PRIME) & MASK_64
  }
  return fmix64(hash)
}

/**
 * The distinct servers, best first. Ties (two URLs with the same 64-bit score: never in practice) go to the
 * smaller URL, so even then the order does not depend on the list's.
 */
export function rankServers(rendezvous: string, servers: readonly string[]): string[] {
  const scored = [...new Set(servers)].map((server) => ({
    server,
    score: rendezvousScore(rendezvous, server),
  }))
  scored.sort((a, b) => {
    if (a.score !== b.score) return a.score > b.score ? -1 : 1
    return a.server < b.server ? -1 : a.server > b.server ? 1 : 0
  })
  return scored.map(({ server }) => server)
}

/** The server a room meets on: the best-ranked one not known to be down; null when every server is down. */
export function chooseServer(
  rendezvous: string,
  servers: readonly string[],
  down: ReadonlySet<string> | readonly string[] = [],
): string | null {
  const isDown = new Set(down)
  return rankServers(rendezvous, servers).find((server) => !isDown.has(server)) ?? null
}
