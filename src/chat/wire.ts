// Chat on the wire: one replicated op per message, so every participant shows every message exactly once, in
// the same order, including those who join later (the op log is their history).
import * as z from 'zod/mini'
import { ROLES } from '../room/invite'

/** Longest chat message, in characters: a paragraph of instructions, not a document. */
export const MAX_CHAT_LENGTH = 2000
/** As the protocol's longest display name. */
const MAX_NAME_LENGTH = 64

/**
 * A chat message. `id` is unique in the call (the author's session plus a counter); `author` is the author's
 * session, so a replay from a third participant still says who wrote it.
 */
export const chatOpSchema = z.object({
  kind: z.literal('chat'),
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  /** The author's session id (src/room/credentials.ts: 22 characters). */
  author: z.string().check(z.length(22)),
  at: z.number(),
  name: z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH)),
  role: z.enum(ROLES),
  text: z.string().check(z.minLength(1), z.maxLength(MAX_CHAT_LENGTH)),
})
export type ChatOp = z.infer<typeof chatOpSchema>
