// The wire format between participants: every app message is one member of a discriminated union on `type`,
// defined here and nowhere else. Incoming data stays `unknown` until `parseMessage` turns it into a typed message
// or a typed rejection; it never throws.
import { z } from 'zod'
import { ROLES } from '../room/invite'

/** Sent in `hello`; a peer with another version is told so in plain words instead of misreading our messages. */
export const PROTOCOL_VERSION = 1

/** Longest display name we accept, in characters: enough for "Dr. Firstname Lastname-Lastname". */
export const MAX_NAME_LENGTH = 64

const hello = z.object({
  type: z.literal('hello'),
  version: z.number().int().nonnegative(),
  name: z.string().min(1).max(MAX_NAME_LENGTH),
  role: z.enum(ROLES),
  /** The sender's seat in the room (0-based). */
  seat: z.number().int().nonnegative().max(15),
  /** Random per join: tells a participant who rejoined the same seat from a stale connection. */
  session: z.string().min(8).max(64),
  muted: z.boolean(),
  cameraOff: z.boolean(),
})

const mediaState = z.object({
  type: z.literal('media-state'),
  muted: z.boolean(),
  cameraOff: z.boolean(),
})

/** Liveness: PeerJS 'close' does not fire when a remote tab dies, so silence is what tells us. */
const ping = z.object({ type: z.literal('ping'), sentAt: z.number() })
const pong = z.object({ type: z.literal('pong'), sentAt: z.number() })
const bye = z.object({ type: z.literal('bye') })

export const messageSchema = z.discriminatedUnion('type', [hello, mediaState, ping, pong, bye])
export type Message = z.infer<typeof messageSchema>

export const REJECTION = {
  notAnObject: 'not-an-object',
  unknownType: 'unknown-type',
  invalidFields: 'invalid-fields',
} as const
export type RejectionReason = (typeof REJECTION)[keyof typeof REJECTION]

export type ParseResult =
  | { ok: true; message: Message }
  | { ok: false; reason: RejectionReason; detail: string }

const knownTypes = new Set<string>(messageSchema.options.map((option) => option.shape.type.value))

export function parseMessage(data: unknown): ParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: REJECTION.notAnObject, detail: `got ${data === null ? 'null' : typeof data}` }
  }
  const type = (data as { type?: unknown }).type
  if (typeof type !== 'string' || !knownTypes.has(type)) {
    return { ok: false, reason: REJECTION.unknownType, detail: `type ${JSON.stringify(type)?.slice(0, 40)}` }
  }
  const result = messageSchema.safeParse(data)
  if (!result.success) {
    return {
      ok: false,
      reason: REJECTION.invalidFields,
      detail: result.error.issues[0]?.message ?? 'invalid',
    }
  }
  return { ok: true, message: result.data }
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`)
}
