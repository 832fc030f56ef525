// What the mesh lets into the op log from one link: every op is checked before it is applied (a date near ours,
// a byte budget for its author, its signature by its author's member key, its id its author's, a feature's own
// rules), ops whose author's member record has not come yet wait for it, and the first forgery ends the batch.
// Pure apart from WebCrypto (through ./authorship) and the clock, which is injectable: the mesh uses it per link,
// and the property test drives it directly with forged and honest ops in every order.
import type { Authorship, Member } from './authorship'
import { TokenBucket } from './limits'
import { CORE_OP_KINDS, type OpLike } from './protocol'
import type { OpLog } from './replication'

/**
 * An op dated further than this from our clock is refused, ms: a day covers any clock skew and any call, and keeps
 * dates a formatter, a store or the record can hold.
 */
export const MAX_OP_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000
/**
 * What an author may send of its own ops on its own link: 16 KiB a second, 512 KiB at once (a paragraph of chat
 * is 2 KB, so eight a second; a 2,000-point stroke in pieces about 60 KB; a reconnect's resend of a busy minute
 * some hundreds of KB). Relayed history is not rate-limited (it is old), only capped in total. 64 KiB a second let
 * an in-limit flood of signed chats through at 33 a second, and drawing those was most of the victim's lag
 * (BENCHMARKS.md, flood: p95 441 ms at 64 KiB/s, 243 ms at 16 KiB/s, against 141-207 ms without a flood).
 */
export const AUTHOR_BYTES = { perSecond: 16 * 1024, burst: 512 * 1024 }
/** Most op bytes we keep from one author in one call: 8 MiB, far beyond any consultation's chat and marks. */
export const AUTHOR_TOTAL_BYTES = 8 * 1024 * 1024
/**
 * Once an author went over its budget on its own link, what its budget must hold again before we read another
 * large message from that link, bytes: 64 KiB, 4 s of the budget. An honest sender paces its own ops to the budget
 * (./outbox), so it never gets here; a flooder's messages are then dropped unread (no JSON.parse, no schema, no
 * signature), and it is read once per refill instead of at every message (BENCHMARKS.md, flood).
 */
export const RESUME_READING_BYTES = 64 * 1024
/**
 * A message this short is always read, characters: a hello, a ping, an ack of a few ids. Only an `ops` message
 * (or garbage) is larger, and dropping those unread is the point.
 */
export const ALWAYS_READ_CHARS = 2048

/** One op's fate: applied, waiting for its author's member record, ignored (over a budget), or a forgery. */
export type OpVerdict = 'ok' | 'wait' | 'ignore' | string

/** What became of a batch from one link. */
export interface Admitted<Op> {
  /** Ids we now hold (applied, or held already): to acknowledge. */
  held: string[]
  /** Ops whose author's member record has not come yet, in arrival order. */
  waiting: Op[]
  /** The first forgery, in words ("chat s:1: bad-signature"): the link that sent it is abusive. */
  forged: string | null
  /** Whether that forgery claimed someone else's identity (else it broke a rule about dates or values). */
  identity: boolean
}

/** Verdicts that mean an op claims to be someone else's (./authorship's refusals); the rest break a rule. */
const IDENTITY_VERDICTS = new Set([
  'foreign-id',
  'bad-signature',
  'bad-member',
  'not-the-author',
  'banned',
  'dismiss not by the clinician',
  'admit not by the clinician',
])

export interface AdmitOptions<Op> {
  /** False once the link was replaced meanwhile: then nothing more of it counts. */
  current?: () => boolean
  /** Ops not to look at yet (asked again after each op applied): they wait, like ops of an unknown author. */
  holds?: (op: Op) => boolean
}

export interface OpGateOptions<Op extends OpLike> {
  authorship: Authorship
  /** A feature's own check of a signed op from a known author: false refuses it as a forgery. */
  validateOp?: (op: Op, author: Member) => boolean
  now?: () => number
}

export class OpGate<Op extends OpLike> {
  /** Per author: the byte budget for ops on its own link, and the bytes we hold. */
  private readonly budgets = new Map<string, { bucket: TokenBucket; total: number }>()
  /** Authors whose own ops went over their budget on their own link, until it refills (RESUME_READING_BYTES). */
  private readonly overBudget = new Set<string>()
  private readonly now: () => number

  constructor(private readonly options: OpGateOptions<Op>) {
    this.now = options.now ?? Date.now
  }

  /**
   * Whether a message of `chars` characters on `fromSession`'s own link is to be dropped unread: its author went
   * over its budget there and the budget has not refilled yet, and it is large enough to be ops. Its own ops in it
   * would be ignored anyway (over the budget), and honest peers hold whatever it relayed.
   */
  dropsUnread(fromSession: string, chars: number): boolean {
    if (chars <= ALWAYS_READ_CHARS || !this.overBudget.has(fromSession)) return false
    const budget = this.budgets.get(fromSession)
    if (!budget || budget.bucket.has(RESUME_READING_BYTES, this.now())) {
      this.overBudget.delete(fromSession)
      return false
    }
    return true
  }

  /** Checks one op that came on `fromSession`'s link. Never throws. */
  async check(op: Op, fromSession: string): Promise<OpVerdict> {
    if (!Number.isFinite(op.at) || Math.abs(op.at - this.now()) > MAX_OP_CLOCK_SKEW_MS)
      return 'a date far from now'
    // Budgets: an author's own ops on its own link at a rate, and what we keep of any author in total. Looked at
    // before the signature, so a flood beyond the budget costs us no verification; charged only once it passed.
    const bytes = JSON.stringify(op).length
    const own = op.author === fromSession
    const known = this.budgets.get(op.author)
    if (known && known.total + bytes > AUTHOR_TOTAL_BYTES) return 'ignore'
    if (known && own && !known.bucket.has(bytes, this.now())) {
      this.overBudget.add(op.author)
      return 'ignore'
    }
    const { authorship, validateOp } = this.options
    const refusal = await authorship.check(op)
    if (refusal === 'unknown-author') return 'wait'
    if (refusal) return refusal
    const author = authorship.member(op.author) as Member
    // The mesh's own ops: anyone's member record, but only the clinician lets in or asks to leave.
    if ((op.kind === 'dismiss' || op.kind === 'admit') && author.role !== 'clinician')
      return `${op.kind} not by the clinician`
    if (!CORE_OP_KINDS.has(op.kind) && validateOp?.(op, author) === false) return 'invalid'
    const now = this.now()
    let budget = this.budgets.get(op.author)
    if (!budget) {
      budget = { bucket: new TokenBucket(AUTHOR_BYTES, now), total: 0 }
      this.budgets.set(op.author, budget)
    }
    if (budget.total + bytes > AUTHOR_TOTAL_BYTES) return 'ignore'
    if (own && !budget.bucket.takeMany(bytes, now)) {
      this.overBudget.add(op.author)
      return 'ignore'
    }
    budget.total += bytes
    return 'ok'
  }

  /**
   * Ops from one link, in order (those that waited before first): each checked, then received into `log`. A
   * member record may let ops that wait for it through, an admission ops that `holds` held. Stops at the first
   * forgery. Null when `current` says the link was replaced meanwhile (then nothing more of it counts).
   */
  async admit(
    queue: readonly Op[],
    log: OpLog<Op>,
    fromSession: string,
    { current = () => true, holds = () => false }: AdmitOptions<Op> = {},
  ): Promise<Admitted<Op> | null> {
    const held: string[] = []
    let pending = queue
    for (let progress = true; progress; ) {
      progress = false
      const waiting: Op[] = []
      for (const op of pending) {
        if (log.has(op.id)) {
          held.push(op.id)
          continue
        }
        if (holds(op)) {
          waiting.push(op)
          continue
        }
        const verdict = await this.check(op, fromSession)
        if (!current()) return null
        if (verdict === 'wait') waiting.push(op)
        else if (verdict === 'ignore') continue
        else if (verdict !== 'ok')
          return {
            held,
            waiting: [],
            forged: `${op.kind} ${op.id}: ${verdict}`,
            identity: IDENTITY_VERDICTS.has(verdict),
          }
        else {
          log.receive(op, fromSession)
          held.push(op.id)
          if ((op.kind === 'member' || op.kind === 'admit') && waiting.length > 0) progress = true
        }
      }
      pending = waiting
    }
    return { held, waiting: [...pending], forged: null, identity: false }
  }
}
