// Exactly-once state changes across the mesh. Every operation has an id unique in the call; each participant
// applies an id once, acknowledges what it holds, and keeps every operation it knows, so it can resend whatever a
// peer has not acknowledged when that peer (re)connects. Keeping all of them is also the snapshot: a newcomer is
// sent every operation, including those of participants who have left. Pure: no network, no clock.
import type { OpLike } from './protocol'

export class OpLog<Op extends OpLike = OpLike> {
  private readonly known = new Map<string, Op>()
  /** Ids of ops dropped to keep the log bounded (prune with `remember`): held, so never applied again. */
  private readonly remembered = new Set<string>()
  /** Per remote session: the ids it is known to hold (it acknowledged them, or it sent them to us). */
  private readonly heldBy = new Map<string, Set<string>>()
  private counter = 0

  /** @param apply called once per operation id, in the order operations become known here */
  constructor(
    private readonly session: string,
    private readonly apply: (op: Op) => void,
  ) {}

  /** A fresh id for an operation we author. */
  nextId(): string {
    this.counter += 1
    return `${this.session}:${this.counter}`
  }

  get size(): number {
    return this.known.size
  }

  has(id: string): boolean {
    return this.known.has(id) || this.remembered.has(id)
  }

  all(): Op[] {
    return [...this.known.values()]
  }

  /** An operation we author (or received): applied if new. Returns whether it was new. */
  add(op: Op): boolean {
    if (this.has(op.id)) return false
    this.known.set(op.id, op)
    this.apply(op)
    return true
  }

  /** An operation a peer sent us: it evidently holds it; applied here if new. */
  receive(op: Op, fromSession: string): boolean {
    this.held(fromSession).add(op.id)
    return this.add(op)
  }

  acknowledged(session: string, ids: readonly string[]) {
    const held = this.held(session)
    for (const id of ids) held.add(id)
  }

  /**
   * Forgets the operations `keep` rejects: ones whose effect a later op has made void (an annotation deleted or
   * cleared), or the oldest of a kind kept only up to a cap (chat). They are neither resent nor part of a
   * newcomer's snapshot. Their ids are forgotten too, so only prune ops that can no longer change anything even
   * if they arrive again; unless `remember`: then only the ids are kept, and the op is never applied again.
   */
  prune(keep: (op: Op) => boolean, { remember = false } = {}) {
    const pruned: string[] = []
    for (const [id, op] of this.known) {
      if (keep(op)) continue
      this.known.delete(id)
      pruned.push(id)
      if (remember) this.remembered.add(id)
    }
    for (const held of this.heldBy.values()) for (const id of pruned) held.delete(id)
  }

  /** A session that left for good: what it held no longer matters (a rejoin is a new session). */
  forget(session: string) {
    this.heldBy.delete(session)
  }

  /** Everything we know that `session` is not known to hold: what to send it when a link to it opens. */
  missingFor(session: string): Op[] {
    const held = this.heldBy.get(session)
    return held ? this.all().filter((op) => !held.has(op.id)) : this.all()
  }

  private held(session: string): Set<string> {
    let held = this.heldBy.get(session)
    if (!held) {
      held = new Set()
      this.heldBy.set(session, held)
    }
    return held
  }
}

/**
 * The order a newcomer is sent the log in (its snapshot): who-is-who first (member records and admissions, in log
 * order: every other op's author must be known before its op can be checked), then the ops `newestFirst` picks
 * (history nothing else depends on, like chat) newest first, then everything else in log order. A long call's
 * newcomer then verifies and draws the messages it shows (the newest) first, and the thousands of older ones it
 * only counts come after (BENCHMARKS.md, op log growth). Dismissals stay after the history: a dismissed
 * participant is refused from then on, and its earlier messages must not arrive after that as forgeries.
 */
export function snapshotOrder<Op extends OpLike>(ops: readonly Op[], newestFirst: (op: Op) => boolean): Op[] {
  const whoIsWho: Op[] = []
  const history: Op[] = []
  const rest: Op[] = []
  for (const op of ops) {
    if (op.kind === 'member' || op.kind === 'admit') whoIsWho.push(op)
    else if (newestFirst(op)) history.push(op)
    else rest.push(op)
  }
  return [...whoIsWho, ...history.reverse(), ...rest]
}
