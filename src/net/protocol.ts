// The wire format between participants: every app message is one member of a discriminated union on `type`,
// defined here and nowhere else. Incoming data stays `unknown` until `decodeText` / `parseMessage` turn it into a
// typed message or a typed rejection; neither ever throws. Messages travel as JSON text, so their size is known
// before anything is parsed; high-rate sample streams use the binary frames of ./frames instead.
import { z } from 'zod'
import {
  annotationOpSchemas,
  bytesToBase64,
  laserMessageSchema,
  spaceMessageSchema,
  surfaceMessageSchema,
  surfacesRemovedMessageSchema,
} from '../annotations/schema'
import { ROLES } from '../room/invite'
import {
  GLUCOSE_SAMPLE_TYPES,
  MAX_DEVICE_STRING,
  SENT_UNITS,
  type SentUnit,
  TEMPERATURE_SITES,
  VITAL_KINDS,
} from '../vitals/types'
import { TOKEN_LENGTH } from './admission'

/** Sent in `hello`; a peer with another version is told so in plain words instead of misreading our messages. */
export const PROTOCOL_VERSION = 1

/** Longest display name we accept, in characters: enough for "Dr. Firstname Lastname-Lastname". */
export const MAX_NAME_LENGTH = 64
/** Longest chat message, in characters: a paragraph of instructions, not a document. */
export const MAX_CHAT_LENGTH = 2000
/** Most operations in one `ops` message, and most ids in one `ack`. */
export const MAX_OPS_PER_MESSAGE = 50
export const MAX_ACKS_PER_MESSAGE = 500

const session = z.string().min(8).max(64)
const token = z.string().length(TOKEN_LENGTH)

/** Admission, first thing on a new connection: "prove you hold the room secret, over this nonce". */
const challenge = z.object({ type: z.literal('challenge'), nonce: token })
/** The answer: HMAC-SHA-256 over the challenger's nonce and both peer ids (see ./admission). */
const proof = z.object({ type: z.literal('proof'), proof: token })

const hello = z.object({
  type: z.literal('hello'),
  version: z.number().int().nonnegative(),
  name: z.string().min(1).max(MAX_NAME_LENGTH),
  role: z.enum(ROLES),
  /** The sender's seat in the room (0-based). */
  seat: z.number().int().nonnegative().max(15),
  /** Random per join: tells a participant who rejoined the same seat from a stale connection. */
  session,
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
 * A state change that every participant must apply exactly once. `id` is unique in the call (the author's
 * session plus a counter); `author` is the author's session, so a replay from a third participant still says
 * who wrote it.
 */
const chatOp = z.object({
  kind: z.literal('chat'),
  id: z.string().min(1).max(80),
  author: session,
  at: z.number().finite(),
  name: z.string().min(1).max(MAX_NAME_LENGTH),
  role: z.enum(ROLES),
  text: z.string().min(1).max(MAX_CHAT_LENGTH),
})
export const opSchema = z.discriminatedUnion('kind', [chatOp, ...annotationOpSchemas])
export type Op = z.infer<typeof opSchema>
export type ChatOp = Extract<Op, { kind: 'chat' }>

const ops = z.object({ type: z.literal('ops'), items: z.array(opSchema).min(1).max(MAX_OPS_PER_MESSAGE) })
/** "I hold these": the sender may forget to resend them. Sent for duplicates too. */
const ack = z.object({
  type: z.literal('ack'),
  ids: z.array(z.string().min(1).max(80)).min(1).max(MAX_ACKS_PER_MESSAGE),
})

const deviceString = z.string().min(1).max(MAX_DEVICE_STRING).optional()
const vitalSource = z.object({
  kind: z.enum(['simulated', 'device', 'manual']),
  label: z.string().min(1).max(80),
  // What the device says it is (Device Information), for the clinician's export.
  device: z
    .object({
      manufacturer: deviceString,
      model: deviceString,
      serial: deviceString,
      firmware: deviceString,
      hardware: deviceString,
      software: deviceString,
    })
    .optional(),
})
const measurementBase = {
  at: z.number().finite(),
  source: vitalSource,
  quality: z.enum(['ok', 'questionable']),
  // Issue 12's details of a reading (src/vitals/types.ts): why it is questionable, spot or continuous, the
  // device's own value and unit, the thermometer's site, the glucose specimen. All optional: older peers omit them.
  questionableBecause: z.array(z.string().min(1).max(120)).max(8).optional(),
  spot: z.boolean().optional(),
  sent: z
    .object({
      unit: z.enum(Object.keys(SENT_UNITS) as [SentUnit, ...SentUnit[]]),
      values: z.array(z.number().finite()).min(1).max(3),
    })
    .optional(),
  site: z.enum(TEMPERATURE_SITES).optional(),
  specimen: z.enum(GLUCOSE_SAMPLE_TYPES).exclude(['control-solution']).optional(),
}
const finite = z.number().finite()
/** One vital sign reading (src/vitals/types.ts). Plausibility is the receiver's business: it drops what is not. */
export const measurementSchema = z.union([
  z.object({ kind: z.enum(VITAL_KINDS).exclude(['blood-pressure']), value: finite, ...measurementBase }),
  z.object({
    kind: z.literal('blood-pressure'),
    systolic: finite,
    diastolic: finite,
    mean: finite.optional(),
    ...measurementBase,
  }),
])
/** The patient's latest numerics, about once a second: ephemeral (the next one replaces it), so not an op. */
const vitals = z.object({ type: z.literal('vitals'), items: z.array(measurementSchema).min(1).max(20) })
/** The patient stopped sharing vitals: the panels say so at once instead of waiting to go stale. */
const vitalsStopped = z.object({ type: z.literal('vitals-stopped') })

export const messageSchema = z.discriminatedUnion('type', [
  challenge,
  proof,
  hello,
  mediaState,
  ping,
  pong,
  bye,
  ops,
  ack,
  vitals,
  vitalsStopped,
  laserMessageSchema,
  spaceMessageSchema,
  surfaceMessageSchema,
  surfacesRemovedMessageSchema,
])
export type Message = z.infer<typeof messageSchema>
export type MessageType = Message['type']

/** Messages that may arrive before the sender has proved it holds the room secret. */
export const ADMISSION_TYPES: ReadonlySet<MessageType> = new Set(['challenge', 'proof'])

export interface MessageLimit {
  /** Longest JSON text of one message, characters. */
  maxChars: number
  /** Sustained messages per second, and how many may come at once above that (a token bucket). */
  perSecond: number
  burst: number
}

/**
 * What an honest participant never exceeds. The sender batches operations to stay inside them; a peer that
 * exceeds them is throttled (its excess is ignored) and, if it keeps on, disconnected.
 */
export const LIMITS: Record<MessageType, MessageLimit> = {
  challenge: { maxChars: 200, perSecond: 1, burst: 3 },
  proof: { maxChars: 200, perSecond: 1, burst: 3 },
  hello: { maxChars: 600, perSecond: 1, burst: 3 },
  'media-state': { maxChars: 200, perSecond: 10, burst: 20 },
  ping: { maxChars: 100, perSecond: 4, burst: 10 },
  pong: { maxChars: 100, perSecond: 4, burst: 10 },
  bye: { maxChars: 100, perSecond: 1, burst: 2 },
  // 50 chat messages of 2,000 characters with their envelopes.
  ops: { maxChars: 120_000, perSecond: 20, burst: 40 },
  ack: { maxChars: 50_000, perSecond: 20, burst: 40 },
  // Numerics at 1 Hz plus a manual reading now and then.
  vitals: { maxChars: 4_000, perSecond: 4, burst: 10 },
  'vitals-stopped': { maxChars: 100, perSecond: 1, burst: 3 },
  // A pointer is streamed at 30 Hz while held.
  laser: { maxChars: 400, perSecond: 40, burst: 80 },
  space: { maxChars: 200, perSecond: 2, burst: 10 },
  // The largest shared mesh (schema.ts MAX_MESH_*), and a room's worth of surfaces at once for a newcomer.
  surface: { maxChars: 200_000, perSecond: 10, burst: 60 },
  'surfaces-removed': { maxChars: 10_000, perSecond: 5, burst: 20 },
}

/** Nothing longer is even parsed: the largest per-type limit. */
export const MAX_MESSAGE_CHARS = Math.max(...Object.values(LIMITS).map((limit) => limit.maxChars))

export const REJECTION = {
  notText: 'not-text',
  tooLarge: 'too-large',
  notJson: 'not-json',
  notAnObject: 'not-an-object',
  unknownType: 'unknown-type',
  invalidFields: 'invalid-fields',
} as const
export type RejectionReason = (typeof REJECTION)[keyof typeof REJECTION]

export type ParseResult =
  | { ok: true; message: Message }
  | { ok: false; reason: RejectionReason; detail: string }

const knownTypes = new Set<string>(messageSchema.options.map((option) => option.shape.type.value))

/** Validates a decoded value: a typed message, or why not. */
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

/** What arrives on the data channel, as text: size-checked before it is parsed, then size-checked per type. */
export function decodeText(raw: unknown): ParseResult {
  if (typeof raw !== 'string') return { ok: false, reason: REJECTION.notText, detail: typeof raw }
  if (raw.length > MAX_MESSAGE_CHARS) {
    return { ok: false, reason: REJECTION.tooLarge, detail: `${raw.length} characters` }
  }
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return { ok: false, reason: REJECTION.notJson, detail: `${raw.slice(0, 40)}` }
  }
  const parsed = parseMessage(value)
  if (parsed.ok && raw.length > LIMITS[parsed.message.type].maxChars) {
    return {
      ok: false,
      reason: REJECTION.tooLarge,
      detail: `${parsed.message.type} of ${raw.length} characters`,
    }
  }
  return parsed
}

/**
 * The JSON text of a message. Typed arrays (a shared mesh's vertices and indices) become the base64 of their
 * bytes, which is what the schema's transforms decode: little-endian, as every browser platform is.
 */
export function encodeMessage(message: Message): string {
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
