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
  /** Where a message goes once known here. */
  show: (entry: ChatEntry) => void
  now?: () => number
}

export function createChatChannel(options: ChatChannelOptions) {
  const now = options.now ?? Date.now
  return {
    kinds: ['chat'] as const,
    /** A chat op says who wrote it: the name and role must be its author's own (from their member record). */
    validate(op: ChatOp, author: { name: string; role: Role }): boolean {
      return op.name === author.name && op.role === author.role
    },
    applyOp(op: ChatOp) {
      options.show({
        id: op.id,
        author: op.author,
        name: op.name,
        role: op.role,
        at: op.at,
        text: op.text,
        mine: op.author === options.self().session,
      })
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
