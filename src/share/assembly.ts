// A file arriving in chunks: where each piece goes, which are still missing (as ranges a receiver asks for, so a
// transfer cut by a reconnect resumes with only what did not arrive), and the SHA-256 that says the whole is what
// its sharer hashed. Pure apart from WebCrypto's digest.

/** How many chunks a file of `size` bytes takes. */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize)
}

export type PutResult = 'stored' | 'duplicate' | 'refused'

export class Assembly {
  readonly chunks: number
  readonly bytes: Uint8Array
  /** One byte per chunk (1: held): a 100 MB file in 64 KiB chunks needs 1,526 bytes. */
  private readonly have: Uint8Array
  private heldCount = 0

  constructor(
    readonly size: number,
    readonly chunkSize: number,
  ) {
    this.chunks = chunkCount(size, chunkSize)
    this.bytes = new Uint8Array(size)
    this.have = new Uint8Array(this.chunks)
  }

  /** Bytes chunk `index` must have: the chunk size, or what is left for the last one. */
  expectedLength(index: number): number {
    return index === this.chunks - 1 ? this.size - index * this.chunkSize : this.chunkSize
  }

  /** Stores a piece if it is one of ours and of the right length; anything else is refused and changes nothing. */
  put(index: number, payload: Uint8Array): PutResult {
    if (!Number.isInteger(index) || index < 0 || index >= this.chunks) return 'refused'
    if (payload.byteLength !== this.expectedLength(index)) return 'refused'
    if (this.have[index]) return 'duplicate'
    this.bytes.set(payload, index * this.chunkSize)
    this.have[index] = 1
    this.heldCount += 1
    return 'stored'
  }

  has(index: number): boolean {
    return this.have[index] === 1
  }

  get held(): number {
    return this.heldCount
  }

  get complete(): boolean {
    return this.heldCount === this.chunks
  }

  /** The first `max` runs of missing chunks, as [first, end) ranges. */
  missingRanges(max: number): Array<[number, number]> {
    const ranges: Array<[number, number]> = []
    let start = -1
    for (let i = 0; i <= this.chunks && ranges.length < max; i++) {
      const missing = i < this.chunks && !this.have[i]
      if (missing && start < 0) start = i
      else if (!missing && start >= 0) {
        ranges.push([start, i])
        start = -1
      }
    }
    return ranges
  }

  /** Forgets every piece (the whole did not match its hash: start again). */
  reset() {
    this.have.fill(0)
    this.heldCount = 0
  }
}

/** Lowercase hex SHA-256 of the bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}
