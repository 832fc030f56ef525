// The wire format between participants. Every message is one member of a discriminated union on `type`; the call
// layer owns a few of them (admission, hello, liveness, goodbye, media state and the replicated op log's `ops` and
// `ack`), and each feature brings its own (chat's ops, annotations, vitals...) as channel specs, composed into one
// protocol by `createProtocol` (src/call/protocol.ts holds the app's). Incoming data stays `unknown` until
// `decodeText` / `parseMessage` turn it into a typed message or a typed rejection; neither ever throws. Messages
// travel as JSON text, so their size is known before anything is parsed; high-rate sample streams use the binary
// frames of ./frames instead.
import * as z from 'zod/mini'
import { bytesToBase64 } from '../lib/base64'
import { PUBLIC_KEY_LENGTH, SESSION_ID_LENGTH, SIGNATURE_LENGTH } from '../room/credentials'
import { ROLES } from '../room/invite'
import { TOKEN_LENGTH } from './admission'

/**
 * Sent in `hello`; a peer with another version is told so in plain words instead of misreading our messages.
 * Version 2: proofs bound to the connection's certificates, carrying the session key and the credential (bound to
 * that key), signed ops and member records. Version 3: up to 500 ops in one `ops` message (MAX_OPS_PER_MESSAGE), which a
 * version 2 peer would refuse as malformed.
 */
export const PROTOCOL_VERSION = 3

/** Longest display name we accept, in characters: enough for "Dr. Firstname Lastname-Lastname". */
export const MAX_NAME_LENGTH = 64
/**
 * Most operations in one `ops` message, and most ids in one `ack` (so one ack answers one full `ops` message).
 * An `ops` message is bounded by its characters (its limit below); 500 is about what those hold of the smallest
 * signed op (a one-letter chat is some 240 characters), so short ops are sent as densely as long ones. At 50, a
 * newcomer's snapshot of 5,000 short chats took 100 messages, 3 s at the `ops` rate before anything else
 * (BENCHMARKS.md, op log growth).
 */
export const MAX_OPS_PER_MESSAGE = 500
export const MAX_ACKS_PER_MESSAGE = 500

export const sessionSchema = z.string().check(z.length(SESSION_ID_LENGTH))
/** An op id: the author's session and a counter. */
export const opIdSchema = z.string().check(z.minLength(1), z.maxLength(80))
const token = z.string().check(z.length(TOKEN_LENGTH))
const base64url = /^[A-Za-z0-9_-]+$/
const publicKeySchema = z.string().check(z.length(PUBLIC_KEY_LENGTH), z.regex(base64url))
export const signatureSchema = z.string().check(z.length(SIGNATURE_LENGTH), z.regex(base64url))
/** A credential as presented (src/room/credentials.ts): the invite's key, the room's signature, the binding. */
export const credentialSchema = z.object({
  key: publicKeySchema,
  sig: signatureSchema,
  wait: z.boolean(),
  bind: signatureSchema,
})

/**
 * Admission, first thing on a new connection: HMAC-SHA-256 over both peer ids, the connection's two certificate
 * fingerprints and the prover's session public key (see ./admission), with that key: its hash is the prover's
 * session id.
 */
const proof = z.object({
  type: z.literal('proof'),
  proof: token,
  key: publicKeySchema,
  /** The role the prover's invite proves, and that proof (bound to `key`): checked before anything else is sent. */
  role: z.enum(ROLES),
  credential: credentialSchema,
})
/**
 * Why a connection was refused, told to the refused side before it is closed (it may arrive before admission):
 * it was asked to leave or dropped for misuse earlier in this call, or its invite does not prove its role.
 */
const refusal = z.object({ type: z.literal('refusal'), reason: z.enum(['banned', 'credential']) })

const hello = z.object({
  type: z.literal('hello'),
  version: z.int().check(z.nonnegative()),
  name: z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH)),
  role: z.enum(ROLES),
  /** The sender's seat in the room (0-based). */
  seat: z.int().check(z.nonnegative(), z.lte(15)),
  /** The hash of the session key in our proof: tells a participant who rejoined the same seat apart. */
  session: sessionSchema,
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
/**
 * "Make the camera call again": to the side that dialed, from the side that answered its camera call with other
 * tracks than it has now (its camera permission was answered after it joined). A call's tracks cannot be
 * renegotiated (PeerJS), and only the dialer's calls are answered (./call-mesh.ts), so the dialer calls anew.
 */
const callAgain = z.object({ type: z.literal('call-again') })
/** "I hold these": the sender may forget to resend them. Sent for duplicates too. */
const ack = z.object({
  type: z.literal('ack'),
  ids: z.array(opIdSchema).check(z.minLength(1), z.maxLength(MAX_ACKS_PER_MESSAGE)),
})

const coreSchemas = [proof, refusal, hello, mediaState, ping, pong, bye, callAgain, ack] as const
export type CoreMessage = z.infer<(typeof coreSchemas)[number]>
export type HelloMessage = z.infer<typeof hello>

/** A replicated operation: applied exactly once by every participant (./replication), signed by its author. */
export interface OpLike {
  kind: string
  id: string
  author: string
  /** ms since the epoch, by the author's clock */
  at: number
  /** The author's session key's signature over the rest (./authorship.ts). */
  sig: string
}

/**
 * Who a session is, replicated like any op so that anyone can check an op's author, even one who has left: its
 * public key (whose hash is the session id), its display name, and the credential that proves its role. Every
 * participant publishes its own first, as `<session>:0`.
 */
export const memberOpSchema = z.object({
  kind: z.literal('member'),
  id: opIdSchema,
  author: sessionSchema,
  at: z.number(),
  key: publicKeySchema,
  name: z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH)),
  role: z.enum(ROLES),
  credential: credentialSchema,
  sig: signatureSchema,
})
export type MemberOp = z.infer<typeof memberOpSchema>

/**
 * "Please leave": the clinician removes a participant from the call. Replicated like any op, so everyone (and
 * anyone who joins later) refuses that session and its invite for the rest of the call. Only a member whose
 * credential proves the clinician role may make one (./call-mesh.ts checks it).
 */
export const dismissOpSchema = z.object({
  kind: z.literal('dismiss'),
  id: opIdSchema,
  author: sessionSchema,
  at: z.number(),
  /** The session asked to leave. */
  target: sessionSchema,
  sig: signatureSchema,
})
export type DismissOp = z.infer<typeof dismissOpSchema>

/**
 * "Come in": the clinician lets an invite that waits (src/room/credentials.ts `wait`) into the call, for the rest
 * of the call. Only a member whose credential proves the clinician role may make one.
 */
export const admitOpSchema = z.object({
  kind: z.literal('admit'),
  id: opIdSchema,
  author: sessionSchema,
  at: z.number(),
  /** The invite key let in. */
  target: publicKeySchema,
  sig: signatureSchema,
})
export type AdmitOp = z.infer<typeof admitOpSchema>
/** The call layer's own ops: who is who, who was let in, and who was asked to leave. */
export type CoreOp = MemberOp | DismissOp | AdmitOp
/** Their kinds: these reach a participant in the waiting room too. */
export const CORE_OP_KINDS: ReadonlySet<string> = new Set(['member', 'dismiss', 'admit'])
/** A feature's op as it travels: with its author's signature. */
export type Signed<O> = O extends unknown ? O & { sig: string } : never
export type OpsMessage<Op> = { type: 'ops'; items: Op[] }

export interface MessageLimit {
  /** Longest JSON text of one message, characters. */
  maxChars: number
  /** Sustained messages per second, and how many may come at once above that (a token bucket). */
  perSecond: number
  burst: number
}

/** What a feature brings to the protocol for one message type of its own. */
export interface MessageSpec<S extends AnyMessageSchema = AnyMessageSchema> {
  schema: S
  limit: MessageLimit
}
type AnyMessageSchema = z.ZodMiniType<{ type: string }> & { shape: { type: z.ZodMiniLiteral<string> } }
type AnyOpSchema = z.ZodMiniType<Omit<OpLike, 'sig'>> & { shape: { kind: z.ZodMiniLiteral<string> } }

/** What an honest participant never exceeds, for the call layer's own messages. */
const CORE_LIMITS: Record<CoreMessage['type'] | 'ops', MessageLimit> = {
  proof: { maxChars: 600, perSecond: 1, burst: 3 },
  refusal: { maxChars: 100, perSecond: 1, burst: 2 },
  hello: { maxChars: 600, perSecond: 1, burst: 3 },
  'media-state': { maxChars: 200, perSecond: 10, burst: 20 },
  ping: { maxChars: 100, perSecond: 4, burst: 10 },
  pong: { maxChars: 100, perSecond: 4, burst: 10 },
  bye: { maxChars: 100, perSecond: 1, burst: 2 },
  // One per change of our camera and microphone, which happens once or twice in a call; each costs the receiver
  // a new call, so a flood of them must not be able to make one a second.
  'call-again': { maxChars: 100, perSecond: 0.2, burst: 3 },
  // 50 chat messages of 2,000 characters with their envelopes.
  ops: { maxChars: 120_000, perSecond: 20, burst: 40 },
  ack: { maxChars: 50_000, perSecond: 20, burst: 40 },
}

/** Messages that may arrive before the sender has proved it holds the room secret. */
export const ADMISSION_TYPES: ReadonlySet<string> = new Set(['proof', 'refusal'])

export const REJECTION = {
  notText: 'not-text',
  tooLarge: 'too-large',
  notJson: 'not-json',
  notAnObject: 'not-an-object',
  unknownType: 'unknown-type',
  invalidFields: 'invalid-fields',
} as const
export type RejectionReason = (typeof REJECTION)[keyof typeof REJECTION]

export type ParseResult<M> = { ok: true; message: M } | { ok: false; reason: RejectionReason; detail: string }

export interface Protocol<M extends { type: string }, Op extends OpLike> {
  /** Per message type: size and rate. */
  readonly limits: Readonly<Record<M['type'], MessageLimit>>
  /** Nothing longer is even parsed: the largest per-type limit. */
  readonly maxChars: number
  /** The schema of one op of any registered kind. */
  readonly opSchema: z.ZodMiniType<Op>
  /** The schema of any message. */
  readonly messageSchema: z.ZodMiniType<M>
  parseMessage(data: unknown): ParseResult<M>
  decodeText(raw: unknown): ParseResult<M>
  encodeMessage(message: M): string
}

/** Any protocol, as the transport-level code sees it: it only needs the core messages to be typed. */
export type AnyProtocol = Protocol<CoreMessage | OpsMessage<OpLike> | { type: string }, OpLike>

/** The one value a `z.literal` accepts (zod/mini's literals keep it in their definition). */
function literalOf(schema: z.ZodMiniLiteral<string>): string {
  const value = schema.def.values[0]
  if (typeof value !== 'string') throw new Error('a message type is a string literal')
  return value
}

/**
 * One protocol from the call layer's messages and the features' specs. `messages` are the features' own message
 * types; `ops` the schemas of the op kinds they replicate through the op log.
 */
export function createProtocol<
  const MS extends readonly MessageSpec[],
  const OS extends readonly [AnyOpSchema, ...AnyOpSchema[]],
>(
  messages: MS,
  ops: OS,
): Protocol<
  CoreMessage | OpsMessage<Signed<z.infer<OS[number]>> | CoreOp> | z.infer<MS[number]['schema']>,
  Signed<z.infer<OS[number]>> | CoreOp
> {
  type Op = Signed<z.infer<OS[number]>> | CoreOp
  type M = CoreMessage | OpsMessage<Op> | z.infer<MS[number]['schema']>
  // Every feature's op travels with its author's signature (./authorship.ts); the features never see it.
  const signed = ops.map((op) => z.safeExtend(op as unknown as z.ZodMiniObject, { sig: signatureSchema }))
  const opSchema = z.discriminatedUnion('kind', [
    memberOpSchema,
    dismissOpSchema,
    admitOpSchema,
    ...signed,
  ] as never) as unknown as z.ZodMiniType<Op>
  const opsMessage = z.object({
    type: z.literal('ops'),
    items: z.array(opSchema).check(z.minLength(1), z.maxLength(MAX_OPS_PER_MESSAGE)),
  })
  const schemas = [...coreSchemas, opsMessage, ...messages.map((spec) => spec.schema)]
  const messageSchema = z.discriminatedUnion('type', schemas as never) as unknown as z.ZodMiniType<M>
  const limits = { ...CORE_LIMITS } as Record<string, MessageLimit>
  for (const spec of messages) limits[literalOf(spec.schema.shape.type)] = spec.limit
  const knownTypes = new Set(Object.keys(limits))
  const maxChars = Math.max(...Object.values(limits).map((limit) => limit.maxChars))

  function parseMessage(data: unknown): ParseResult<M> {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return {
        ok: false,
        reason: REJECTION.notAnObject,
        detail: `got ${data === null ? 'null' : typeof data}`,
      }
    }
    const type = (data as { type?: unknown }).type
    if (typeof type !== 'string' || !knownTypes.has(type)) {
      return {
        ok: false,
        reason: REJECTION.unknownType,
        detail: `type ${JSON.stringify(type)?.slice(0, 40)}`,
      }
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

  function decodeText(raw: unknown): ParseResult<M> {
    if (typeof raw !== 'string') return { ok: false, reason: REJECTION.notText, detail: typeof raw }
    if (raw.length > maxChars) {
      return { ok: false, reason: REJECTION.tooLarge, detail: `${raw.length} characters` }
    }
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      return { ok: false, reason: REJECTION.notJson, detail: `${raw.slice(0, 40)}` }
    }
    const parsed = parseMessage(value)
    if (parsed.ok && raw.length > (limits[parsed.message.type]?.maxChars ?? 0)) {
      return {
        ok: false,
        reason: REJECTION.tooLarge,
        detail: `${parsed.message.type} of ${raw.length} characters`,
      }
    }
    return parsed
  }

  return {
    limits: limits as never,
    maxChars,
    opSchema,
    messageSchema,
    parseMessage,
    decodeText,
    encodeMessage,
  }
}

/**
 * The JSON text of a message. Typed arrays (a shared mesh's vertices and indices) become the base64 of their
 * bytes, which is what the features' schemas decode: little-endian, as every browser platform is.
 */
export function encodeMessage(message: { type: string }): string {
  return JSON.stringify(message, typedArraysAsBase64)
}

function typedArraysAsBase64(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array || value instanceof Uint16Array) {
    return bytesToBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  }
  return value
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`)
}
