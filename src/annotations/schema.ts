// Wire schemas of remote guidance: the annotation ops (members of the protocol's op union, a discriminated union on
// `kind`: each has the op id, author session and time every replicated op has), and the laser, space and surface
// messages with their size and rate limits. Every number is finite and bounded and every string and array has a
// length limit, so whatever a peer sends, what gets through costs bounded memory to keep and to draw. This file
// does not import the network layer; the few limits they share are equal by test, and schema.test.ts holds the
// inferred types equal to model.ts's.
import * as z from 'zod/mini'
import { base64ToBytes, bytesToBase64 } from '../lib/base64'
import {
  MAX_CLOCK,
  MAX_COORDINATE,
  MAX_ITEM_PAGE,
  MAX_LABEL_LENGTH,
  MAX_POINTS_PER_OP,
  MAX_STROKE_POINTS,
  MAX_STROKE_WIDTH,
  MIN_ARROW_LENGTH,
  MIN_STROKE_WIDTH,
  QUAT_NORM_TOLERANCE,
} from './model'
import { COLOUR_NAMES } from './palette'

export { base64ToBytes, bytesToBase64 }

/** As protocol.ts's MAX_NAME_LENGTH. */
export const MAX_AUTHOR_NAME_LENGTH = 64
/** As protocol.ts's op ids and sessions. */
const opId = z.string().check(z.minLength(1), z.maxLength(80))
/** As the protocol's session ids (src/room/credentials.ts SESSION_ID_LENGTH). */
const session = z.string().check(z.length(22))
const at = z.number()
/** Anchor and plane ids are made up by the worker's device (WebXR gives anchors and planes no ids). */
const frameRefId = z.string().check(z.minLength(1), z.maxLength(80))
const clock = z.int().check(z.gte(1), z.lte(MAX_CLOCK))

const coordinate = z.number().check(z.gte(-MAX_COORDINATE), z.lte(MAX_COORDINATE))
export const vec3Schema = z.tuple([coordinate, coordinate, coordinate])

// A unit quaternion's components lie in [-1, 1]; the tolerance allows for rounding.
const quatComponent = z.number().check(z.gte(-1 - QUAT_NORM_TOLERANCE), z.lte(1 + QUAT_NORM_TOLERANCE))
export const quatSchema = z
  .tuple([quatComponent, quatComponent, quatComponent, quatComponent])
  .check(z.refine((q) => Math.abs(Math.hypot(...q) - 1) <= QUAT_NORM_TOLERANCE, 'not a unit quaternion'))

/** A direction: a unit vector, within the same tolerance as a quaternion. */
const directionSchema = vec3Schema.check(
  z.refine((v) => Math.abs(Math.hypot(...v) - 1) <= QUAT_NORM_TOLERANCE, 'not a unit vector'),
)

const pose = { position: vec3Schema, orientation: quatSchema }
export const placementSchema = z.discriminatedUnion('frame', [
  z.object({ frame: z.literal('world'), ...pose }),
  z.object({ frame: z.literal('anchor'), anchorId: frameRefId, ...pose }),
  z.object({ frame: z.literal('plane'), planeId: frameRefId, ...pose }),
  // A mark on a shared item: the share's op id, its page or frame, and coordinates in the item's own space.
  z.object({
    frame: z.literal('item'),
    item: opId,
    page: z.int().check(z.gte(0), z.lte(MAX_ITEM_PAGE)),
    ...pose,
  }),
])

const points = z.array(vec3Schema).check(z.minLength(1), z.maxLength(MAX_POINTS_PER_OP))

export const shapeSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stroke'),
    points,
    width: z.number().check(z.gte(MIN_STROKE_WIDTH), z.lte(MAX_STROKE_WIDTH)),
  }),
  z
    .object({ type: z.literal('arrow'), from: vec3Schema, to: vec3Schema })
    .check(
      z.refine(
        (arrow) => Math.hypot(...arrow.to.map((c, i) => c - (arrow.from[i] ?? 0))) >= MIN_ARROW_LENGTH,
        'arrow too short to have a direction',
      ),
    ),
  z.object({
    type: z.literal('pin'),
    position: vec3Schema,
    label: z.string().check(z.minLength(1), z.maxLength(MAX_LABEL_LENGTH)),
  }),
])

const opBase = { id: opId, author: session, at }

export const annotationAddOpSchema = z.object({
  kind: z.literal('annotation-add'),
  ...opBase,
  clock,
  authorName: z.string().check(z.minLength(1), z.maxLength(MAX_AUTHOR_NAME_LENGTH)),
  colour: z.enum(COLOUR_NAMES),
  placement: placementSchema,
  approximate: z.optional(z.boolean()),
  shape: shapeSchema,
})

export const annotationUpdateOpSchema = z
  .object({
    kind: z.literal('annotation-update'),
    ...opBase,
    target: opId,
    targetClock: clock,
    from: z.int().check(z.gte(0), z.lte(MAX_STROKE_POINTS - 1)),
    points,
  })
  .check(
    z.refine(
      (update) => update.from + update.points.length <= MAX_STROKE_POINTS,
      'beyond the longest stroke',
    ),
  )

export const annotationDeleteOpSchema = z.object({
  kind: z.literal('annotation-delete'),
  ...opBase,
  target: opId,
  targetClock: clock,
})

export const annotationClearOpSchema = z.object({ kind: z.literal('annotation-clear'), ...opBase, clock })

/** The op kinds remote guidance replicates through the op log. */
export const annotationOpSchemas = [
  annotationAddOpSchema,
  annotationUpdateOpSchema,
  annotationDeleteOpSchema,
  annotationClearOpSchema,
] as const

/**
 * A laser pointer update, shaped as a protocol message (`type: 'laser'`): ephemeral, so not an op. Its
 * `author` is checked against the sending link's session by whoever receives it.
 */
export const laserMessageSchema = z.object({
  type: z.literal('laser'),
  author: session,
  colour: z.enum(COLOUR_NAMES),
  on: z.boolean(),
  origin: vec3Schema,
  direction: directionSchema,
  hit: z.optional(vec3Schema),
  at,
})

/** Most corners of one shared plane's outline: detected planes are rectangles or simple polygons. */
export const MAX_POLYGON_POINTS = 64
/**
 * Most vertices and triangles of one shared mesh message. With vertices as float32 and indices as uint16, both
 * base64, a mesh at the limit is about 190,000 characters: under the 256 KiB Chromium allows in one data-channel
 * message. A larger scanned mesh is split into pieces by the worker (see detected-surfaces.ts `splitMesh`).
 */
export const MAX_MESH_VERTICES = 6000
export const MAX_MESH_TRIANGLES = 12000
/** Semantic labels (WebXR's "wall", "table", …): short words. */
const MAX_SURFACE_LABEL = 40

const base64 = (maxBytes: number) =>
  z.string().check(z.maxLength(Math.ceil(maxBytes / 3) * 4), z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'))

/** Little-endian float32 vertices, finite and inside the room bounds; the issue says which check failed. */
const meshVertices = z.pipe(
  base64(MAX_MESH_VERTICES * 12),
  z.transform((text: string, context) => {
    const bytes = base64ToBytes(text)
    if (!bytes || bytes.length % 12 !== 0 || bytes.length === 0) {
      context.issues.push({
        code: 'custom',
        message: 'vertices are not whole xyz float32 triples',
        input: text,
      })
      return z.NEVER
    }
    const view = new DataView(bytes.buffer)
    const vertices = new Float32Array(bytes.length / 4)
    for (let i = 0; i < vertices.length; i++) {
      const value = view.getFloat32(i * 4, true)
      if (!Number.isFinite(value) || Math.abs(value) > MAX_COORDINATE) {
        context.issues.push({ code: 'custom', message: 'vertex outside the room bounds', input: text })
        return z.NEVER
      }
      vertices[i] = value
    }
    return vertices
  }),
)

/** Little-endian uint16 triangle indices. */
const meshIndices = z.pipe(
  base64(MAX_MESH_TRIANGLES * 6),
  z.transform((text: string, context) => {
    const bytes = base64ToBytes(text)
    if (!bytes || bytes.length % 6 !== 0 || bytes.length === 0) {
      context.issues.push({ code: 'custom', message: 'indices are not whole uint16 triangles', input: text })
      return z.NEVER
    }
    const view = new DataView(bytes.buffer)
    const indices = new Uint16Array(bytes.length / 2)
    for (let i = 0; i < indices.length; i++) indices[i] = view.getUint16(i * 2, true)
    return indices
  }),
)

const surfaceBase = {
  /** Made up by the worker's device: WebXR gives planes and meshes no ids. */
  id: frameRefId,
  label: z.string().check(z.maxLength(MAX_SURFACE_LABEL)),
  position: vec3Schema,
  orientation: quatSchema,
}

/**
 * One surface the on-site worker's headset detected, in the worker's reference space: a plane (its outline in the
 * plane's own x/z, y up from the surface) or a triangle mesh (vertices in the mesh's own space).
 */
export const surfaceSchema = z.discriminatedUnion('kind', [
  z.object({
    ...surfaceBase,
    kind: z.literal('plane'),
    /** x, z pairs in the plane's space. */
    polygon: z
      .array(z.tuple([coordinate, coordinate]))
      .check(z.minLength(3), z.maxLength(MAX_POLYGON_POINTS)),
  }),
  z.object({ ...surfaceBase, kind: z.literal('mesh'), vertices: meshVertices, indices: meshIndices }).check(
    z.refine((mesh) => {
      // zod runs this even when a field above already failed: only judge decoded arrays.
      if (!(mesh.vertices instanceof Float32Array) || !(mesh.indices instanceof Uint16Array)) return false
      const count = mesh.vertices.length / 3
      return mesh.indices.every((index) => index < count)
    }, 'a triangle names a vertex the mesh does not have'),
  ),
])

/** A surface appeared or changed: the newest message per id replaces the older. */
export const surfaceMessageSchema = z.object({ type: z.literal('surface'), surface: surfaceSchema })

/** Surfaces the worker's headset no longer detects. */
export const surfacesRemovedMessageSchema = z.object({
  type: z.literal('surfaces-removed'),
  ids: z.array(frameRefId).check(z.minLength(1), z.maxLength(100)),
})

/**
 * Whether the worker shares their space (in an AR session) and the vertical field of view of their view, which
 * turns a point on their video into a ray. Sent on change and to everyone who connects.
 */
export const spaceMessageSchema = z.object({
  type: z.literal('space'),
  sharing: z.boolean(),
  /** radians */
  fovY: z.number().check(z.gte(0.1), z.lte(3)),
})

/**
 * The messages remote guidance adds to the protocol, each with what an honest participant never exceeds (a
 * peer beyond it is throttled, and dropped if it keeps on).
 */
export const guidanceMessageSpecs = [
  // A pointer is streamed at 30 Hz while held.
  { schema: laserMessageSchema, limit: { maxChars: 400, perSecond: 40, burst: 80 } },
  { schema: spaceMessageSchema, limit: { maxChars: 200, perSecond: 2, burst: 10 } },
  // The largest shared mesh (MAX_MESH_*), and a room's worth of surfaces at once for a newcomer.
  { schema: surfaceMessageSchema, limit: { maxChars: 200_000, perSecond: 10, burst: 60 } },
  { schema: surfacesRemovedMessageSchema, limit: { maxChars: 10_000, perSecond: 5, burst: 20 } },
] as const
