// Shared files on the wire. What is shared is a replicated op (`share-add`: name, format, size, SHA-256, chunk size,
// who), so everyone, including whoever joins later, knows every item exactly once and can record it; withdrawing it
// is another op (`share-remove`). The bytes are not ops: they travel as binary chunks (src/net/chunks.ts), each to
// the one participant who asked for them (`share-want`, naming the pieces still missing, which is what makes a
// transfer resume where it stopped). `share-have` tells a newcomer who else can serve a file whose sharer left;
// `share-got` reports a receiver's progress; `share-view` is an item's shared view (page, zoom, frame, window, a
// model's pose) and who presents it. Every field is bounded, so what gets through costs bounded memory.
import * as z from 'zod/mini'
import { MAX_PART_NAME } from './gltf'
import { MAX_PACE_BYTES_PER_SECOND } from './pace'
import { FORMAT_NAMES } from './sniff'

/** As the protocol's op ids and sessions (src/net/protocol.ts, src/room/credentials.ts). */
const opId = z.string().check(z.minLength(1), z.maxLength(80))
const session = z.string().check(z.length(22))
/** Longest file name kept and shown, characters. */
export const MAX_FILE_NAME = 200
/** The largest file any participant could be configured to take, bytes: 2 GB, far beyond a consultation's. */
export const MAX_SHARE_BYTES_CAP = 2_000_000_000
/** Chunk sizes a sharer may choose: at least 1 KiB, at most the mesh's largest chunk payload (64 KiB). */
export const MIN_CHUNK_SIZE = 1024
export const MAX_CHUNK_SIZE = 64 * 1024
/** Most ranges in one `share-want`: a receiver asks for the first so many gaps, then for the rest. */
export const MAX_WANT_RANGES = 256
/** Pages, frames: a long PDF or a CT volume. */
export const MAX_PAGE = 100_000
/** Zoom factor of a document or image. */
export const MIN_ZOOM = 0.25
export const MAX_ZOOM = 8
/** A model's uniform scale on its stand. */
export const MIN_MODEL_SCALE = 0.1
export const MAX_MODEL_SCALE = 10
/** |window centre| and width in modality units: 16-bit values with any rescale a scanner writes. */
const MAX_WINDOW_VALUE = 1e6

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/))

export const shareAddOpSchema = z.object({
  kind: z.literal('share-add'),
  id: opId,
  author: session,
  at: z.number(),
  authorName: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(MAX_FILE_NAME)),
  format: z.enum(FORMAT_NAMES),
  size: z.int().check(z.gte(1), z.lte(MAX_SHARE_BYTES_CAP)),
  sha256,
  chunkSize: z.int().check(z.gte(MIN_CHUNK_SIZE), z.lte(MAX_CHUNK_SIZE)),
})
export type ShareAddOp = z.infer<typeof shareAddOpSchema>

export const shareRemoveOpSchema = z.object({
  kind: z.literal('share-remove'),
  id: opId,
  author: session,
  at: z.number(),
  target: opId,
})
export type ShareRemoveOp = z.infer<typeof shareRemoveOpSchema>
export type ShareOp = ShareAddOp | ShareRemoveOp

export const shareOpSchemas = [shareAddOpSchema, shareRemoveOpSchema] as const

/** How fast the receiver asks to be sent pieces, bytes per second (see ./pace); absent: as fast as the link goes. */
const pace = z.int().check(z.gte(1), z.lte(MAX_PACE_BYTES_PER_SECOND))
const chunkIndex = z.int().check(z.gte(0), z.lte(0xffff_ffff))
export const shareWantSchema = z.object({
  type: z.literal('share-want'),
  id: opId,
  /** [first, end) chunk indices still missing. */
  ranges: z
    .array(z.tuple([chunkIndex, chunkIndex]).check(z.refine(([first, end]) => end > first, 'an empty range')))
    .check(z.minLength(1), z.maxLength(MAX_WANT_RANGES)),
  pace: z.optional(pace),
})
export const shareHaveSchema = z.object({
  type: z.literal('share-have'),
  ids: z.array(opId).check(z.minLength(1), z.maxLength(100)),
})
export const shareGotSchema = z.object({
  type: z.literal('share-got'),
  id: opId,
  /** Chunks held so far. */
  chunks: chunkIndex,
  state: z.enum(['receiving', 'ready', 'failed']),
  pace: z.optional(pace),
})

const quatComponent = z.number().check(z.gte(-1.01), z.lte(1.01))
export const itemViewSchema = z.object({
  /** 0-based page of a document, or frame of a multi-frame image. */
  page: z.int().check(z.gte(0), z.lte(MAX_PAGE)),
  zoom: z.number().check(z.gte(MIN_ZOOM), z.lte(MAX_ZOOM)),
  /** A DICOM window; null: the file's own. */
  window: z.nullable(
    z.object({
      centre: z.number().check(z.gte(-MAX_WINDOW_VALUE), z.lte(MAX_WINDOW_VALUE)),
      width: z.number().check(z.gte(1), z.lte(MAX_WINDOW_VALUE)),
    }),
  ),
  /** A model's orientation on its stand (x, y, z, w). */
  rotation: z
    .tuple([quatComponent, quatComponent, quatComponent, quatComponent])
    .check(z.refine((q) => Math.abs(Math.hypot(...q) - 1) <= 0.01, 'not a unit quaternion')),
  scale: z.number().check(z.gte(MIN_MODEL_SCALE), z.lte(MAX_MODEL_SCALE)),
  /** A model's part highlighted and labelled for everyone (a node name, as listed by gltf.ts `modelParts`). */
  part: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(MAX_PART_NAME)))),
})
export type ItemView = z.infer<typeof itemViewSchema>

export const shareViewSchema = z.object({
  type: z.literal('share-view'),
  id: opId,
  /** Orders views of one item: higher wins; equal: the greater session. */
  seq: z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER)),
  /** Who made this view: the sender's own session. */
  by: session,
  /** Who presents the item now (everyone following sees only their view), or nobody. */
  presenter: z.nullable(session),
  view: itemViewSchema,
})

/** The messages sharing adds to the protocol, with what an honest participant never exceeds. */
export const shareMessageSpecs = [
  // A receiver asks again after a reconnect or a stall, per item.
  { schema: shareWantSchema, limit: { maxChars: 12_000, perSecond: 10, burst: 40 } },
  { schema: shareHaveSchema, limit: { maxChars: 9_000, perSecond: 2, burst: 10 } },
  // Progress at most every 250 ms per item while receiving.
  { schema: shareGotSchema, limit: { maxChars: 200, perSecond: 20, burst: 60 } },
  // A model being turned: 30 Hz, paced by the sender's outbox.
  { schema: shareViewSchema, limit: { maxChars: 600, perSecond: 40, burst: 80 } },
] as const

export type ShareWantMessage = z.infer<typeof shareWantSchema>
export type ShareHaveMessage = z.infer<typeof shareHaveSchema>
export type ShareGotMessage = z.infer<typeof shareGotSchema>
export type ShareViewMessage = z.infer<typeof shareViewSchema>
export type ShareMessage = ShareWantMessage | ShareHaveMessage | ShareGotMessage | ShareViewMessage

/** The view an item opens with: first page, no zoom, the file's window, the model upright at its own size. */
export const INITIAL_VIEW: ItemView = {
  page: 0,
  zoom: 1,
  window: null,
  rotation: [0, 0, 0, 1],
  scale: 1,
  part: null,
}
