// Wire schemas of the annotation ops, shaped as members of src/net/protocol.ts's `opSchema` (a discriminated
// union on `kind`): each has the op id, author session and time every replicated op has. Every number is finite
// and bounded and every string and array has a length limit, so whatever a peer sends, what gets through costs
// bounded memory to keep and to draw. This file does not import protocol.ts (protocol.ts imports it); the few
// limits they share are equal by test, and schema.test.ts holds the inferred types equal to model.ts's.
import { z } from 'zod'
import {
  MAX_CLOCK,
  MAX_COORDINATE,
  MAX_LABEL_LENGTH,
  MAX_POINTS_PER_OP,
  MAX_STROKE_POINTS,
  MAX_STROKE_WIDTH,
  MIN_ARROW_LENGTH,
  MIN_STROKE_WIDTH,
  QUAT_NORM_TOLERANCE,
} from './model'
import { COLOUR_NAMES } from './palette'

/** As protocol.ts's MAX_NAME_LENGTH. */
export const MAX_AUTHOR_NAME_LENGTH = 64
/** As protocol.ts's op ids and sessions. */
const opId = z.string().min(1).max(80)
const session = z.string().min(8).max(64)
const at = z.number().finite()
/** Anchor and plane ids are made up by the worker's device (WebXR gives anchors and planes no ids). */
const frameRefId = z.string().min(1).max(80)
const clock = z.number().int().min(1).max(MAX_CLOCK)

const coordinate = z.number().finite().min(-MAX_COORDINATE).max(MAX_COORDINATE)
export const vec3Schema = z.tuple([coordinate, coordinate, coordinate])

// A unit quaternion's components lie in [-1, 1]; the tolerance allows for rounding.
const quatComponent = z
  .number()
  .finite()
  .min(-1 - QUAT_NORM_TOLERANCE)
  .max(1 + QUAT_NORM_TOLERANCE)
export const quatSchema = z
  .tuple([quatComponent, quatComponent, quatComponent, quatComponent])
  .refine((q) => Math.abs(Math.hypot(...q) - 1) <= QUAT_NORM_TOLERANCE, 'not a unit quaternion')

/** A direction: a unit vector, within the same tolerance as a quaternion. */
const directionSchema = vec3Schema.refine(
  (v) => Math.abs(Math.hypot(...v) - 1) <= QUAT_NORM_TOLERANCE,
  'not a unit vector',
)

const pose = { position: vec3Schema, orientation: quatSchema }
export const placementSchema = z.discriminatedUnion('frame', [
  z.object({ frame: z.literal('world'), ...pose }),
  z.object({ frame: z.literal('anchor'), anchorId: frameRefId, ...pose }),
  z.object({ frame: z.literal('plane'), planeId: frameRefId, ...pose }),
])

const points = z.array(vec3Schema).min(1).max(MAX_POINTS_PER_OP)

export const shapeSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stroke'),
    points,
    width: z.number().finite().min(MIN_STROKE_WIDTH).max(MAX_STROKE_WIDTH),
  }),
  z
    .object({ type: z.literal('arrow'), from: vec3Schema, to: vec3Schema })
    .refine(
      (arrow) => Math.hypot(...arrow.to.map((c, i) => c - (arrow.from[i] ?? 0))) >= MIN_ARROW_LENGTH,
      'arrow too short to have a direction',
    ),
  z.object({ type: z.literal('pin'), position: vec3Schema, label: z.string().min(1).max(MAX_LABEL_LENGTH) }),
])

const opBase = { id: opId, author: session, at }

export const annotationAddOpSchema = z.object({
  kind: z.literal('annotation-add'),
  ...opBase,
  clock,
  authorName: z.string().min(1).max(MAX_AUTHOR_NAME_LENGTH),
  colour: z.enum(COLOUR_NAMES),
  placement: placementSchema,
  approximate: z.boolean().optional(),
  shape: shapeSchema,
})

export const annotationUpdateOpSchema = z
  .object({
    kind: z.literal('annotation-update'),
    ...opBase,
    target: opId,
    targetClock: clock,
    from: z
      .number()
      .int()
      .min(0)
      .max(MAX_STROKE_POINTS - 1),
    points,
  })
  .refine((update) => update.from + update.points.length <= MAX_STROKE_POINTS, 'beyond the longest stroke')

export const annotationDeleteOpSchema = z.object({
  kind: z.literal('annotation-delete'),
  ...opBase,
  target: opId,
  targetClock: clock,
})

export const annotationClearOpSchema = z.object({ kind: z.literal('annotation-clear'), ...opBase, clock })

/** The members to add to protocol.ts's `opSchema`. */
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
  hit: vec3Schema.optional(),
  at,
})
