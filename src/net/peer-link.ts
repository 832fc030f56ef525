// One data connection's protocol, without the connection: admission, limits, parsing, liveness. The call session
// gives it a `send` and feeds it whatever arrives; it answers with typed events. Pure apart from WebCrypto, so
// two of them wired back to back are tested in Node.
//
// Order on a connection (each side, the channel being ordered):
//   open → send proof(HMAC over both peer ids, both DTLS certificate fingerprints and our session key; with the key,
//          our role and our credential, bound to that key)
//   proof → verify the HMAC, then checkProof (credential, bans) → admitted, or a refusal sent and the link closed
//   admitted and our proof sent → send hello
//   hello → its role must be the proof's
// The fingerprints make the proof this connection's and nobody else's (each RTCPeerConnection has its own DTLS
// certificate), so it cannot be replayed, reflected or relayed; and a signalling server that swapped in its own
// certificates to sit in the middle is caught, since the two sides then see different fingerprints. Nothing but a
// proof is accepted before the peer's proof has verified, and we send nothing else before that either, so a peer
// without the secret never sees a name or a state change, and gets no media: the camera call negotiated beside
// this link is held until onAdmitted (./call-mesh.ts startMedia). Arrivals are handled one at a time in order (the
// HMAC steps are async), so a hello never overtakes the proof before it.
import { sessionOf } from '../room/credentials'
import { prove, verifyProof } from './admission'
import {
  binaryBytes,
  CHUNK_MAGIC,
  CHUNK_REJECTION,
  type Chunk,
  type ChunkRejectionReason,
  decodeChunk,
} from './chunks'
import { decodeFrame, type Frame, type FrameRejectionReason } from './frames'
import { PeerGuard, TokenBucket } from './limits'
import {
  ADMISSION_TYPES,
  type CoreMessage,
  encodeMessage,
  type HelloMessage,
  type MessageLimit,
  type ParseResult,
  PROTOCOL_VERSION,
  type RejectionReason,
} from './protocol'

export type { HelloMessage }
export type ProofMessage = Extract<CoreMessage, { type: 'proof' }>
/** What a link needs of the protocol: parsing what arrives, and each type's limits. */
export interface LinkProtocol<M extends { type: string }> {
  decodeText(raw: unknown): ParseResult<M>
  readonly limits: Readonly<Record<string, MessageLimit>>
}
/** Messages the link hands on once the peer is admitted and has said hello. */
export type AppMessage<M extends { type: string } = CoreMessage> = Exclude<
  M,
  { type: 'proof' | 'refusal' | 'hello' | 'ping' | 'pong' }
>
type LinkMessage = Extract<CoreMessage, { type: 'proof' | 'refusal' | 'hello' | 'ping' | 'pong' }>

export type LinkFailure =
  /** The peer's proof did not verify: it does not hold this room's secret. */
  | { kind: 'invalid-invite' }
  | { kind: 'incompatible-version'; theirs: number; ours: number }
  /** It kept sending what we had to ignore (too fast, too large, malformed). */
  | { kind: 'flood' }
  /** It broke the order of the protocol (an app message before admission, a second different hello). */
  | { kind: 'protocol'; detail: string }
  /** Its credential does not prove its role, or its hello claims another role or session than its proof. */
  | { kind: 'invalid-credential' }
  /** It was dropped for abuse or asked to leave earlier in this call. */
  | { kind: 'banned' }
  /** The peer refused us, and said why. */
  | { kind: 'refused-by-peer'; reason: 'banned' | 'credential' }
  /**
   * It sent an op its author did not sign or that claims another's identity (`identity`), or one that breaks the
   * call's rules (a date far from now, a value out of bounds).
   */
  | { kind: 'forged'; detail: string; identity: boolean }

export interface PeerLinkOptions<M extends { type: string }> {
  protocol: LinkProtocol<M>
  key: CryptoKey
  /** Our session's public key: sent with our proof, bound into it. */
  sessionKey: string
  /**
   * This connection's DTLS certificate fingerprints, ours and theirs, as our side sees them (from the SDP); null
   * when unknown. The proofs are bound to them.
   */
  fingerprints: () => { local: string; remote: string } | null
  localId: string
  remoteId: string
  /** Our hello, built when it is sent (it carries the current mute state). */
  hello: () => HelloMessage
  send: (text: string) => void
  /** Puts a binary frame on the wire (./frames). */
  sendBinary?: (bytes: ArrayBuffer) => void
  /** The peer proved it holds the room secret: media may be offered or answered now. */
  onAdmitted?: () => void
  onHello: (hello: HelloMessage, first: boolean) => void
  /**
   * Checks a proof whose HMAC verified, before the peer is admitted (nothing but our proof has gone to it yet): its
   * credential proves its role for its session key, and neither is banned. Null when it passes; a failure is told
   * to the peer (`refusal`) before the link closes.
   */
  checkProof?: (proof: ProofMessage) => Promise<LinkFailure | null>
  /** Our role and presented credential, sent with our proof. */
  credential: () => { role: HelloMessage['role']; credential: ProofMessage['credential'] }
  /** An app message; if it returns a promise, the next message waits for it (order is kept). */
  onMessage: (message: AppMessage<M>) => void | Promise<void>
  /** A binary sample frame (waveform, pose) from an admitted peer. */
  onFrame?: (frame: Frame) => void
  /** A binary chunk of a bulk transfer (./chunks) from an admitted peer. */
  onChunk?: (chunk: Chunk) => void
  onFailure: (failure: LinkFailure) => void
  /** A message we ignored (malformed, over a limit): for the console, the call goes on. */
  onIgnored?: (
    reason: RejectionReason | FrameRejectionReason | ChunkRejectionReason | 'rate',
    detail: string,
  ) => void
  /**
   * Whether an admitted peer's text message of `chars` characters is dropped before it is parsed (its author is
   * over its byte budget: ./op-gate dropsUnread). Not a strike: a budget is not a limit the protocol broke.
   */
  dropsUnread?: (chars: number) => boolean
  /** The version we announce; only tests set another. */
  version?: number
  now?: () => number
}

/**
 * Binary frames a peer may send: an ECG stream is 2.5 frames/s and a head pose 10/s, so 60/s leaves room for
 * several streams without letting a peer flood our decoder.
 */
export const FRAME_LIMIT = { perSecond: 60, burst: 120 }
/**
 * Bulk chunks a peer may send: 1,000 pieces of 64 KiB a second is 64 MB/s, beyond what two tabs on one machine
 * reach, so only a peer sending far more than it could have been asked for is throttled. (What a chunk may cost us
 * is bounded by the feature that asked for it: it keeps only the pieces it wants.)
 */
export const CHUNK_LIMIT = { perSecond: 1000, burst: 2000 }

export class PeerLink<M extends { type: string } = CoreMessage> {
  private readonly guard: PeerGuard
  private frameBucket: TokenBucket | null = null
  private chunkBucket: TokenBucket | null = null
  private readonly now: () => number
  /** Our proof is on the wire ahead of anything else we send. */
  private proved = false
  private helloSent = false
  private theirHello: HelloMessage | null = null
  private queue: M[] = []
  private draining = false
  private failed = false
  /** When anything last arrived from the peer, ms (liveness). */
  lastHeard: number
  /** The peer's session public key, from its verified proof. */
  remoteKey: string | null = null
  /** The role its proof's credential proves. */
  remoteRole: HelloMessage['role'] | null = null
  /** The session its proof's key stands for (the key's hash), once its proof verified. */
  remoteSession: string | null = null
  /** The peer proved it holds the room secret. */
  admitted = false
  /** Round trip of the last ping, ms. */
  rttMs: number | null = null
  private readonly pongWaiters = new Map<number, (rttMs: number) => void>()
  /** Counts of accepted messages by type, for tests and the debug view. */
  readonly received: Record<string, number> = {}

  constructor(private readonly options: PeerLinkOptions<M>) {
    this.guard = new PeerGuard(options.protocol.limits)
    this.now = options.now ?? Date.now
    this.lastHeard = this.now()
  }

  get version(): number {
    return this.options.version ?? PROTOCOL_VERSION
  }

  /** The peer has said hello after admission: app messages flow both ways. */
  get ready(): boolean {
    return this.theirHello !== null && !this.failed
  }

  get remoteHello(): HelloMessage | null {
    return this.theirHello
  }

  get closed(): boolean {
    return this.failed
  }

  /** The connection is open: prove that we hold the room secret, over this connection's certificates. */
  start() {
    void this.sendProof()
  }

  private async sendProof() {
    const fingerprints = this.options.fingerprints()
    if (!fingerprints) {
      this.fail({ kind: 'protocol', detail: 'no certificate fingerprints on an open connection' })
      return
    }
    const { key, localId, remoteId, sessionKey } = this.options
    const proof = await prove(key, localId, remoteId, fingerprints.local, fingerprints.remote, sessionKey)
    if (this.failed) return
    this.write({ type: 'proof', proof, key: sessionKey, ...this.options.credential() })
    this.proved = true
    this.sendHelloWhenDue()
  }

  /** Sends an app message; false when the peer is not admitted yet or the link failed. */
  send(message: AppMessage<M> | Extract<CoreMessage, { type: 'ping' | 'pong' }>): boolean {
    if (!this.helloSent || this.failed) return false
    return this.write(message)
  }

  private write(message: CoreMessage | AppMessage<M>): boolean {
    try {
      this.options.send(encodeMessage(message))
      return true
    } catch {
      // A channel that closes between a check and the send: liveness will notice.
      return false
    }
  }

  /** Whatever the connection delivered. */
  receive(raw: unknown) {
    if (this.failed) return
    const now = this.now()
    this.lastHeard = now
    if (typeof raw !== 'string') {
      // One byte tells a chunk (0xF9) from a frame (0xF8, and whatever is neither is refused as a frame).
      if (binaryBytes(raw)?.[0] === CHUNK_MAGIC) this.receiveChunk(raw, now)
      else this.receiveFrame(raw, now)
      return
    }
    // Unread and unmentioned: under a flood this is every message, and a warning each would be a flood of its own.
    if (this.theirHello && this.options.dropsUnread?.(raw.length)) {
      this.received.unread = (this.received.unread ?? 0) + 1
      return
    }
    const parsed = this.options.protocol.decodeText(raw)
    if (!parsed.ok) {
      this.options.onIgnored?.(parsed.reason, parsed.detail)
      if (this.guard.strike(now) === 'drop') this.fail({ kind: 'flood' })
      return
    }
    const verdict = this.guard.admit(parsed.message.type, now)
    if (verdict !== 'accept') {
      this.options.onIgnored?.('rate', parsed.message.type)
      if (verdict === 'drop') this.fail({ kind: 'flood' })
      return
    }
    this.queue.push(parsed.message)
    void this.drain()
  }

  /**
   * Whatever arrived on the link's bulk lane (./transport.ts BulkLane): chunks only. Anything else there is not
   * ours to send; it is refused like a malformed chunk, and counts as a strike.
   */
  receiveBulk(raw: unknown) {
    if (this.failed) return
    const bytes = typeof raw === 'string' ? undefined : binaryBytes(raw)
    if (bytes?.[0] !== CHUNK_MAGIC) {
      this.options.onIgnored?.(
        bytes ? CHUNK_REJECTION.badMagic : CHUNK_REJECTION.notBinary,
        'on the bulk lane',
      )
      if (this.guard.strike(this.now()) === 'drop') this.fail({ kind: 'flood' })
      return
    }
    this.receive(raw)
  }

  private receiveFrame(raw: unknown, now: number) {
    this.frameBucket ??= new TokenBucket(FRAME_LIMIT, now)
    if (!this.frameBucket.take(now)) {
      this.options.onIgnored?.('rate', 'frame')
      if (this.guard.strike(now) === 'drop') this.fail({ kind: 'flood' })
      return
    }
    const decoded = decodeFrame(raw)
    if (!decoded.ok) {
      this.options.onIgnored?.(decoded.reason, decoded.detail)
      if (this.guard.strike(now) === 'drop') this.fail({ kind: 'flood' })
      return
    }
    // Frames bypass the ordered queue (they are samples, not state), but never before admission and hello.
    if (!this.admitted || !this.theirHello) {
      this.fail({ kind: 'protocol', detail: 'a frame before hello' })
      return
    }
    this.received.frame = (this.received.frame ?? 0) + 1
    this.options.onFrame?.(decoded.frame)
  }

  private receiveChunk(raw: unknown, now: number) {
    this.chunkBucket ??= new TokenBucket(CHUNK_LIMIT, now)
    if (!this.chunkBucket.take(now)) {
      this.options.onIgnored?.('rate', 'chunk')
      if (this.guard.strike(now) === 'drop') this.fail({ kind: 'flood' })
      return
    }
    const decoded = decodeChunk(raw)
    if (!decoded.ok) {
      this.options.onIgnored?.(decoded.reason, decoded.detail)
      if (this.guard.strike(now) === 'drop') this.fail({ kind: 'flood' })
      return
    }
    if (!this.admitted || !this.theirHello) {
      this.fail({ kind: 'protocol', detail: 'a chunk before hello' })
      return
    }
    this.received.chunk = (this.received.chunk ?? 0) + 1
    this.options.onChunk?.(decoded.chunk)
  }

  /**
   * One ping through the whole message path (encode, data channel, size and rate checks, parse, queue, and back),
   * resolved with its round trip in ms: what the benchmark compares with a raw data channel. Uses a
   * high-resolution clock so consecutive pings never share a timestamp.
   */
  measureRoundTrip(): Promise<number> {
    const sentAt = performance.now() + performance.timeOrigin
    return new Promise((resolve, reject) => {
      this.pongWaiters.set(sentAt, () => resolve(performance.now() + performance.timeOrigin - sentAt))
      if (!this.send({ type: 'ping', sentAt })) {
        this.pongWaiters.delete(sentAt)
        reject(new Error('the link is not admitted'))
      }
    })
  }

  /** Sends a binary sample frame or chunk; false before admission or once the link failed. */
  sendFrame(bytes: ArrayBuffer): boolean {
    if (!this.admitted || this.failed) return false
    try {
      this.options.sendBinary?.(bytes)
      return this.options.sendBinary !== undefined
    } catch {
      return false
    }
  }

  private async drain() {
    if (this.draining) return
    this.draining = true
    try {
      for (let next = this.queue.shift(); next && !this.failed; next = this.queue.shift()) {
        await this.handle(next)
      }
    } finally {
      this.draining = false
    }
  }

  private async handle(incoming: M) {
    this.received[incoming.type] = (this.received[incoming.type] ?? 0) + 1
    if (!this.admitted && !ADMISSION_TYPES.has(incoming.type)) {
      this.fail({ kind: 'protocol', detail: `${incoming.type} before admission` })
      return
    }
    // The link's own messages are core ones, typed by the core schemas that parsed them; the rest is the app's.
    const message = incoming as unknown as LinkMessage | (AppMessage<M> & { type: '' })
    switch (message.type) {
      case 'proof': {
        if (this.admitted) return
        const fingerprints = this.options.fingerprints()
        const { key, localId, remoteId } = this.options
        const valid =
          fingerprints !== null &&
          (await verifyProof(
            key,
            remoteId,
            localId,
            fingerprints.remote,
            fingerprints.local,
            message.proof,
            message.key,
          ))
        if (this.failed) return
        if (!valid) {
          this.fail({ kind: 'invalid-invite' })
          return
        }
        const session = await sessionOf(message.key)
        const refused =
          session === null
            ? { kind: 'invalid-credential' as const }
            : ((await this.options.checkProof?.(message)) ?? null)
        if (this.failed) return
        if (refused) {
          // Said to the peer (it proved the secret: it may know why), then closed.
          const reason = refused.kind === 'banned' ? 'banned' : 'credential'
          this.write({ type: 'refusal', reason })
          this.fail(refused)
          return
        }
        this.remoteKey = message.key
        this.remoteRole = message.role
        this.remoteSession = session
        this.admitted = true
        this.options.onAdmitted?.()
        this.sendHelloWhenDue()
        return
      }
      case 'refusal':
        this.fail({ kind: 'refused-by-peer', reason: message.reason })
        return
      case 'hello': {
        if (message.version !== this.version) {
          this.fail({ kind: 'incompatible-version', theirs: message.version, ours: this.version })
          return
        }
        const previous = this.theirHello
        if (previous && (previous.session !== message.session || previous.seat !== message.seat)) {
          this.fail({ kind: 'protocol', detail: 'a second hello from another session' })
          return
        }
        if (
          message.role !== this.remoteRole ||
          (this.remoteSession !== null && message.session !== this.remoteSession)
        ) {
          // The hello claims another role or session than the proof its credential was checked with.
          this.fail({ kind: 'invalid-credential' })
          return
        }
        this.theirHello = message
        this.options.onHello(message, previous === null)
        return
      }
      case 'ping':
        this.send({ type: 'pong', sentAt: message.sentAt })
        return
      case 'pong': {
        this.rttMs = Math.max(0, this.now() - message.sentAt)
        const waiter = this.pongWaiters.get(message.sentAt)
        this.pongWaiters.delete(message.sentAt)
        waiter?.(this.rttMs)
        return
      }
      default:
        if (!this.theirHello) {
          this.fail({ kind: 'protocol', detail: `${incoming.type} before hello` })
          return
        }
        await this.options.onMessage(incoming as AppMessage<M>)
    }
  }

  /**
   * Our hello goes out once the peer is admitted *and* our proof has gone out: the peer then always reads our
   * proof before our hello, even when its proof reached us before our side of the connection had opened.
   */
  private sendHelloWhenDue() {
    if (this.helloSent || !this.admitted || !this.proved || this.failed) return
    this.helloSent = true
    this.write(this.options.hello())
  }

  /** The peer did something its link cannot survive (found by the layer above: a forged op, say). */
  refuse(failure: LinkFailure) {
    this.fail(failure)
  }

  private fail(failure: LinkFailure) {
    if (this.failed) return
    this.failed = true
    this.queue = []
    this.options.onFailure(failure)
  }

  /** Stops handling anything (the connection is being closed). */
  close() {
    this.failed = true
    this.queue = []
  }
}
