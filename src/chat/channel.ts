// Chat as a channel of the call: it replicates through the op log (exactly once, history for newcomers) and
// lands in the call's chat list. The call layer carries it without knowing it; this is everything chat does.
import type { Role } from '../room/invite'
import { type ChatOp, MAX_CHAT_LENGTH } from './wire'

/** A chat message as shown: `mine` when we wrote it. */
export interface ChatEntry {
  id: string
  author: string
  name: string
  role: Role
  at: number
  text: string
  mine: boolean
}

export interface ChatChannelOptions {
  /** Who we are: the author of what we send. */
  self: () => { session: string; name: string; role: Role }
  /** Signs, applies and sends an op we author. */
  publish: (op: ChatOp) => void
  nextOpId: () => string
  /**
   * Where messages go once known here: those of one incoming message (or one of ours) together, so a batch of
   * chat is one store update and one render, not one per op (BENCHMARKS.md, flood).
   */
  show: (entries: ChatEntry[]) => void
  now?: () => number
}

/**
 * Most chat ops a participant keeps in its op log, the newest: what it resends and gives a newcomer. Five times
 * what the chat shows (CHAT_KEPT), so a newcomer's chat is as full as everyone's; 5,000 paragraphs of 2 KB are
 * 10 MB, the most a flood within the limits leaves in memory.
 */
export const MAX_CHAT_OPS_KEPT = 5000
/** The log is cut back to the cap once it is this far over it: one pass over the log per 500 messages, not per one. */
const CHAT_OPS_SLACK = 500

export function createChatChannel(options: ChatChannelOptions) {
  const now = options.now ?? Date.now
  /**
   * The chat ops we hold, in the order they arrived. Not the order they were written: a newcomer's snapshot comes
   * newest first (newestFirst), so the cap sorts them by date before it cuts.
   */
  let held: Array<{ id: string; at: number }> = []
  /** Applied but not shown yet: shown at the end of the batch they came in (`flush`). */
  let unshown: ChatEntry[] = []
  return {
    kinds: ['chat'] as const,
    /** A chat op says who wrote it: the name and role must be its author's own (from their member record). */
    validate(op: ChatOp, author: { name: string; role: Role }): boolean {
      return op.name === author.name && op.role === author.role
    },
    applyOp(op: ChatOp) {
      held.push({ id: op.id, at: op.at })
      unshown.push({
        id: op.id,
        author: op.author,
        name: op.name,
        role: op.role,
        at: op.at,
        text: op.text,
        mine: op.author === options.self().session,
      })
    },
    /** The batch of ops is over (./net/call-mesh opsApplied): what it brought is shown, in one go. */
    flush() {
      if (unshown.length === 0) return
      const entries = unshown
      unshown = []
      options.show(entries)
    },
    /**
     * After a chat op: once we hold more than MAX_CHAT_OPS_KEPT (plus the slack), which to keep: all but the
     * oldest beyond the cap, by date (then id), whatever order they came in. Other features' ops are never ours to
     * drop.
     */
    limitAfter(op: { kind: string }): ((kept: { kind: string; id: string }) => boolean) | null {
      if (op.kind !== 'chat' || held.length <= MAX_CHAT_OPS_KEPT + CHAT_OPS_SLACK) return null
      held.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      const cut = held.length - MAX_CHAT_OPS_KEPT
      const dropped = new Set(held.slice(0, cut).map((entry) => entry.id))
      held = held.slice(cut)
      return (kept) => kept.kind !== 'chat' || !dropped.has(kept.id)
    },
    /**
     * Chat is history nothing else depends on: a newcomer is sent it newest first (./net/replication
     * snapshotOrder), so the messages its list shows are checked and drawn before the older ones it only counts.
     */
    newestFirst(op: { kind: string }): boolean {
      return op.kind === 'chat'
    },
    /** Sends a chat message to everyone, now or when they (re)connect. */
    send(text: string) {
      const trimmed = text.trim().slice(0, MAX_CHAT_LENGTH)
      if (!trimmed) return
      const { session, name, role } = options.self()
      options.publish({
        kind: 'chat',
        id: options.nextOpId(),
        author: session,
        at: now(),
        name,
        role,
        text: trimmed,
      })
    },
  }
}

export type ChatChannel = ReturnType<typeof createChatChannel>
