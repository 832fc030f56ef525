// Remote guidance annotations: freehand strokes, arrows and labelled pins that participants place in the on-site
// worker's space, and the merge that makes every participant see the same ones.
//
// Annotations change through operations replicated by src/net/replication.ts. The OpLog applies each op id
// once, in arrival order, and that order differs between participants (ops travel over different links, and
// resends follow reconnects), so the merge does not trust order at all, nor rely on the OpLog for duplicates: the
// state is a function of the *set* of operations seen. Every part of it is a join (an associative, commutative,
// idempotent merge):
//
// - `clock`: the highest Lamport clock of any op (a max).
// - `clearedBelow`: the highest clock of any clear (a max); every annotation with a lower clock is gone.
// - per annotation id, a record: the ops naming the highest clock for that id win (a max); among those, a delete
//   is final (an or), the add body is the least by a canonical order (a min), and each stroke point index holds
//   the write of the greatest (op id, author, point) (a max per index).
// - the records kept: the `maxAnnotations` with the greatest (clock, id) (a top-k of a union).
//
// A join of joins is a join, so folding `applyAnnotationOp` over any order of any multiset of ops gives the same
// state. Two details keep the pieces compatible: records are ranked by the same clock that clears compare, so
// a clear only ever removes records from the bottom of the top-k (pruning and keeping the top k commute), and a
// deleted record keeps only its key, never its body, so deletes free memory yet still win against a late add.
// See model.property.test.ts for the property, and a set-based reference implementation it is checked against.
//
// Pure TypeScript: no React, no three.js, no network, no clock.
import type { ColourName } from './palette'

/** Metres. */
export type Vec3 = [x: number, y: number, z: number]
/** A rotation as a unit quaternion. */
export type Quat = [x: number, y: number, z: number, w: number]

/** Where an annotation sits, relative to its frame. */
export interface Pose {
  /** metres */
  position: Vec3
  orientation: Quat
}

/**
 * What an annotation's pose is relative to: the on-site worker's world (their XR reference space), a spatial
 * anchor there (survives the tracking origin moving), or a detected plane (a table top, a wall); plus the
 * annotation's `Pose` in that frame (spelled out: the schemas' inferred types are checked equal to these).
 */
export type Placement =
  | { frame: 'world'; position: Vec3; orientation: Quat }
  | { frame: 'anchor'; anchorId: string; position: Vec3; orientation: Quat }
  | { frame: 'plane'; planeId: string; position: Vec3; orientation: Quat }
  | ItemPlacement

/**
 * A mark on a shared item (src/share), in the item's own space, so it stays on the spot it marks however the item
 * is shown, zoomed, turned or scaled: on a document page or an image/DICOM frame, (u, v, 0) with u and v the
 * fractions of the page's width and height from its top left (the same on every screen, whatever the picture's
 * size); on a 3D model, the model file's own frame, in its units (metres for glTF), before any fitting to the stand.
 * `item` is the share's op id; `page` is the page or frame (0 for an image or a model).
 */
export interface ItemPlacement {
  frame: 'item'
  item: string
  page: number
  position: Vec3
  orientation: Quat
}

/** Coordinates of every shape are in the annotation's own space: its placement's pose maps them into the frame. */
export type Shape =
  | {
      type: 'stroke'
      points: Vec3[]
      /** metres */
      width: number
    }
  | { type: 'arrow'; from: Vec3; to: Vec3 }
  | { type: 'pin'; position: Vec3; label: string }

/** One annotation as the scene draws it. */
export interface Annotation {
  /** The id of the op that added it. */
  id: string
  /** The author's session. */
  author: string
  authorName: string
  colour: ColourName
  /** The author's clock when it was made, ms since the epoch. Informative only: clocks differ between devices. */
  createdAt: number
  /** Lamport clock: orders annotations consistently with what each participant had seen. */
  clock: number
  placement: Placement
  /** Placed at `APPROXIMATE_DISTANCE` along the pointing ray because the ray hit no surface. */
  approximate: boolean
  shape: Shape
}

// Every op has the fields of every replicated op (src/net/protocol.ts): an id unique in the call, the author's
// session, and the author's clock time in ms.
interface OpBase {
  id: string
  author: string
  at: number
}

/** A new annotation. Its id is the op's id, its creation time the op's `at`; a stroke brings its first points. */
export interface AnnotationAddOp extends OpBase {
  kind: 'annotation-add'
  /** `nextClock(state)` when it was made. */
  clock: number
  authorName: string
  colour: ColourName
  placement: Placement
  approximate?: boolean
  shape: Shape
}

/**
 * More points of a stroke being drawn, written at indices [from, from + points.length). Writing by index (not
 * "append") is what lets pieces arrive in any order or twice: each index ends with the same point everywhere.
 * Only the annotation's author may extend it.
 */
export interface AnnotationUpdateOp extends OpBase {
  kind: 'annotation-update'
  /** The annotation's id and clock. */
  target: string
  targetClock: number
  from: number
  points: Vec3[]
}

/** Removes one annotation for good (also what "undo" sends, for `lastOwn`). It may arrive before the add. */
export interface AnnotationDeleteOp extends OpBase {
  kind: 'annotation-delete'
  target: string
  targetClock: number
}

/**
 * Removes every annotation whose clock is below this op's clock, that is, everything its author had seen, and
 * anything made concurrently that the Lamport order puts before it. Annotations made after their author saw
 * the clear have a higher clock and stay, whenever the clear reaches other participants.
 */
export interface AnnotationClearOp extends OpBase {
  kind: 'annotation-clear'
  /** `nextClock(state)` when it was made. */
  clock: number
}

export type AnnotationOp = AnnotationAddOp | AnnotationUpdateOp | AnnotationDeleteOp | AnnotationClearOp

/** A laser pointer: ephemeral, streamed while held and never stored, so not an op. In the worker's world frame. */
export interface Laser {
  /** The author's session. */
  author: string
  colour: ColourName
  /** false: the pointer was released; hide it now rather than when it goes stale. */
  on: boolean
  /** metres */
  origin: Vec3
  /** A unit vector. */
  direction: Vec3
  /** Where the ray meets a surface, if it does. */
  hit?: Vec3
  /** The author's clock, ms. */
  at: number
}

/** A laser not updated for this long is hidden, ms: several missed updates at the 20–30 Hz it is sent at. */
export const LASER_TIMEOUT_MS = 500

/** Whether to draw a laser last received at `receivedAt` (our clock: the author's `at` is another device's). */
export function laserVisible(laser: Laser, receivedAt: number, now: number): boolean {
  return laser.on && now - receivedAt < LASER_TIMEOUT_MS
}

/** Largest |coordinate|, metres: a room, with margin. Anything beyond is a bug or an attack. */
export const MAX_COORDINATE = 100
/** How far a quaternion's length may be from 1: float32 and rounding leave ~1e-7; more means a broken pose. */
export const QUAT_NORM_TOLERANCE = 0.01
/** Stroke widths, metres: a 1 mm line is still visible at arm's length, 5 cm is a marker on a wall. */
export const MIN_STROKE_WIDTH = 0.001
export const MAX_STROKE_WIDTH = 0.05
/** Shortest arrow, metres: below 1 cm it has no visible direction. */
export const MIN_ARROW_LENGTH = 0.01
/** Longest pin label, characters: a few words, readable at a glance in a headset. */
export const MAX_LABEL_LENGTH = 80
/** Points in one op: 200 points at ~60 JSON characters each stay far below an ops message's size limit. */
export const MAX_POINTS_PER_OP = 200
/** Points in one stroke: about a minute and a half of drawing at 20 points a second. */
export const MAX_STROKE_POINTS = 2000
/**
 * Annotations (and deletion marks) kept: beyond this the oldest by clock make room, on every participant. Not
 * "refuse the newest": a refused add would have to be remembered in case a later clear or eviction made room for
 * it (or participants would disagree), which is the unbounded memory this limit is for.
 */
export const MAX_ANNOTATIONS = 500
/**
 * Largest Lamport clock. A participant could only reach it by sending one; a cap keeps clocks exact integers.
 * 2^40 is 35 years of a thousand annotations a second.
 */
export const MAX_CLOCK = 2 ** 40
/** Pages and frames an item mark may name: as src/share/wire.ts MAX_PAGE (equal by test). */
export const MAX_ITEM_PAGE = 100_000
/** Where an annotation goes when the pointing ray hits nothing, metres in front of the ray's origin. */
export const APPROXIMATE_DISTANCE = 1.5

export interface AnnotationLimits {
  maxAnnotations: number
  maxStrokePoints: number
}

/** One stroke point as written by an add or an update. */
interface PointWrite {
  readonly point: Vec3
  readonly op: string
  readonly author: string
}

/** Everything known about one (annotation id, clock): the add, a deletion, stroke points. */
interface AnnotationRecord {
  readonly id: string
  readonly clock: number
  readonly deleted: boolean
  /** null until the add arrives, and again once deleted (a deleted record keeps only its key). */
  readonly add: AnnotationAddOp | null
  /** Stroke points by index; null where nothing was written yet. Empty once deleted. */
  readonly points: readonly (PointWrite | null)[]
}

export interface AnnotationState {
  readonly limits: AnnotationLimits
  /** Highest Lamport clock of any op seen. */
  readonly clock: number
  /** Annotations with a lower clock were cleared. */
  readonly clearedBelow: number
  /** By annotation id; at most `limits.maxAnnotations`. */
  readonly records: ReadonlyMap<string, AnnotationRecord>
}

export function createAnnotationState(limits: Partial<AnnotationLimits> = {}): AnnotationState {
  return {
    limits: {
      maxAnnotations: limits.maxAnnotations ?? MAX_ANNOTATIONS,
      maxStrokePoints: limits.maxStrokePoints ?? MAX_STROKE_POINTS,
    },
    clock: 0,
    clearedBelow: 0,
    records: new Map(),
  }
}

/** The clock for an add or a clear made now: above every op seen, so it comes after all of them. */
export function nextClock(state: AnnotationState): number {
  return Math.min(state.clock + 1, MAX_CLOCK)
}

/** The state with one more op. Returns `state` itself when the op changes nothing (a duplicate, a stale op). */
export function applyAnnotationOp(state: AnnotationState, op: AnnotationOp): AnnotationState {
  switch (op.kind) {
    case 'annotation-add':
      return joinRecord(state, op.id, op.clock, (record) => withAdd(record, op, state.limits))
    case 'annotation-update':
      return joinRecord(state, op.target, op.targetClock, (record) =>
        withPoints(record, op.from, op.points, op.id, op.author, state.limits),
      )
    case 'annotation-delete':
      return joinRecord(state, op.target, op.targetClock, deleted)
    case 'annotation-clear':
      return clearBelow(state, op.clock)
    default:
      return assertNever(op)
  }
}

export function applyAnnotationOps(state: AnnotationState, ops: Iterable<AnnotationOp>): AnnotationState {
  let next = state
  for (const op of ops) next = applyAnnotationOp(next, op)
  return next
}

/**
 * Whether `op` can no longer change `state` nor any state that also holds the ops that made it so: its annotation
 * was deleted, cleared, or pushed out by the limit, or (a clear) a later clear covers it. Such ops need not be
 * kept or sent to a newcomer: the state built without them is the same (the delete or clear that voided them is
 * kept, and it alone recreates the deletion mark and the clock).
 */
export function isObsoleteAnnotationOp(
  state: AnnotationState,
  op: { kind: string } & Partial<AnnotationOp>,
): boolean {
  switch (op.kind) {
    case 'annotation-clear':
      return (op as AnnotationClearOp).clock < state.clearedBelow
    case 'annotation-add':
    case 'annotation-update':
    case 'annotation-delete': {
      const { id, clock } =
        op.kind === 'annotation-add'
          ? { id: (op as AnnotationAddOp).id, clock: (op as AnnotationAddOp).clock }
          : { id: (op as AnnotationUpdateOp).target, clock: (op as AnnotationUpdateOp).targetClock }
      if (clock < state.clearedBelow) return true
      const record = state.records.get(id)
      // Absent: pushed out by the limit (or never applied here, which does not happen: ops are applied first).
      if (!record || record.clock !== clock) return true
      return op.kind !== 'annotation-delete' && record.deleted
    }
    default:
      return false
  }
}

const materialized = new WeakMap<AnnotationState, readonly Annotation[]>()
const recordAnnotations = new WeakMap<AnnotationRecord, Annotation>()

/**
 * The annotations to draw, in (clock, id) order: later ones on top. The same array for the same state, so a
 * store selector can return it without a re-render loop.
 */
export function materialize(state: AnnotationState): readonly Annotation[] {
  const cached = materialized.get(state)
  if (cached) return cached
  const visible: Annotation[] = []
  for (const record of state.records.values()) {
    if (record.deleted || !record.add) continue
    // A record keeps its identity across states until an op changes it: while someone draws, only their stroke is
    // rebuilt, not every stroke of the call (up to a million points) ten times a second.
    let annotation = recordAnnotations.get(record)
    if (!annotation) {
      annotation = toAnnotation(record.add, record.points)
      recordAnnotations.set(record, annotation)
    }
    visible.push(annotation)
  }
  visible.sort(byClockThenId)
  materialized.set(state, visible)
  return visible
}

const spaceMarks = new WeakMap<AnnotationState, readonly Annotation[]>()
const itemMarks = new WeakMap<AnnotationState, ReadonlyMap<string, readonly Annotation[]>>()
const NO_MARKS: readonly Annotation[] = []

/** The annotations in the worker's space (not on a shared item): the same array for the same state. */
export function materializeSpaceMarks(state: AnnotationState): readonly Annotation[] {
  const cached = spaceMarks.get(state)
  if (cached) return cached
  const all = materialize(state)
  const marks = all.some((annotation) => annotation.placement.frame === 'item')
    ? all.filter((annotation) => annotation.placement.frame !== 'item')
    : all
  spaceMarks.set(state, marks)
  return marks
}

/**
 * The marks on one shared item (every page), in drawing order: the same array for the same state (and an empty
 * one shared by all items without marks), so a store selector can return it.
 */
export function materializeItemMarks(state: AnnotationState, item: string): readonly Annotation[] {
  let byItem = itemMarks.get(state)
  if (!byItem) {
    const grouped = new Map<string, Annotation[]>()
    for (const annotation of materialize(state)) {
      const { placement } = annotation
      if (placement.frame !== 'item') continue
      const list = grouped.get(placement.item) ?? []
      list.push(annotation)
      grouped.set(placement.item, list)
    }
    byItem = grouped
    itemMarks.set(state, byItem)
  }
  return byItem.get(item) ?? NO_MARKS
}

/** The author's most recent visible annotation: what "undo" deletes. */
export function lastOwn(state: AnnotationState, author: string): Annotation | undefined {
  const annotations = materialize(state)
  for (let i = annotations.length - 1; i >= 0; i--) {
    const annotation = annotations[i]
    if (annotation?.author === author) return annotation
  }
  return undefined
}

/**
 * Where to put an annotation pointed at with a ray: on the surface it hit, or, when it hit none, at
 * `APPROXIMATE_DISTANCE` along it, marked approximate so the others know it floats in the air.
 */
export function placeOnRay(
  origin: Vec3,
  direction: Vec3,
  hit: Vec3 | null,
): { position: Vec3; approximate: boolean } {
  if (hit) return { position: hit, approximate: false }
  const length = Math.hypot(...direction) || 1
  const scale = APPROXIMATE_DISTANCE / length
  return {
    position: [
      origin[0] + direction[0] * scale,
      origin[1] + direction[1] * scale,
      origin[2] + direction[2] * scale,
    ],
    approximate: true,
  }
}

/**
 * Merges an op about (id, clock) into the state: a higher clock for an id replaces what was known under a lower
 * one (only a broken or hostile author reuses an id), ops under a cleared clock are dropped, and the records kept
 * are the `maxAnnotations` with the greatest (clock, id).
 */
function joinRecord(
  state: AnnotationState,
  id: string,
  clock: number,
  join: (record: AnnotationRecord) => AnnotationRecord,
): AnnotationState {
  const stateClock = Math.max(state.clock, clock)
  const unchanged = stateClock === state.clock ? state : { ...state, clock: stateClock }
  if (clock < state.clearedBelow) return unchanged
  const existing = state.records.get(id)
  if (existing && existing.clock > clock) return unchanged
  const base = existing && existing.clock === clock ? existing : emptyRecord(id, clock)
  const record = join(base)
  if (record === existing) return unchanged
  const records = new Map(state.records)
  records.set(id, record)
  if (records.size > state.limits.maxAnnotations) records.delete(lowestKey(records))
  return { ...unchanged, records }
}

function clearBelow(state: AnnotationState, clock: number): AnnotationState {
  const stateClock = Math.max(state.clock, clock)
  if (clock <= state.clearedBelow) return stateClock === state.clock ? state : { ...state, clock: stateClock }
  const records = new Map<string, AnnotationRecord>()
  for (const [id, record] of state.records) if (record.clock >= clock) records.set(id, record)
  return { ...state, clock: stateClock, clearedBelow: clock, records }
}

function emptyRecord(id: string, clock: number): AnnotationRecord {
  return { id, clock, deleted: false, add: null, points: [] }
}

function deleted(record: AnnotationRecord): AnnotationRecord {
  return record.deleted
    ? record
    : { id: record.id, clock: record.clock, deleted: true, add: null, points: [] }
}

function withAdd(record: AnnotationRecord, op: AnnotationAddOp, limits: AnnotationLimits): AnnotationRecord {
  if (record.deleted) return record
  // Two different adds under one id and clock only come from a broken or hostile author; keeping the least by a
  // canonical order (not the first to arrive) is what keeps everyone on the same one.
  const add = record.add === null || compareCanonical(op, record.add) < 0 ? op : record.add
  const withBody = add === record.add ? record : { ...record, add }
  if (op.shape.type !== 'stroke') return withBody
  return withPoints(withBody, 0, op.shape.points, op.id, op.author, limits)
}

function withPoints(
  record: AnnotationRecord,
  from: number,
  points: readonly Vec3[],
  op: string,
  author: string,
  limits: AnnotationLimits,
): AnnotationRecord {
  if (record.deleted) return record
  const end = Math.min(from + points.length, limits.maxStrokePoints)
  let slots: (PointWrite | null)[] | null = null
  for (let index = from; index < end; index++) {
    const point = points[index - from]
    if (!point) continue
    const write: PointWrite = { point, op, author }
    const current = (slots ?? record.points)[index] ?? null
    if (current !== null && compareWrites(write, current) <= 0) continue
    if (!slots) {
      slots = [...record.points]
      // Dense, with explicit nulls: two replicas that wrote the same indices in other orders hold equal arrays.
      while (slots.length < end) slots.push(null)
    }
    slots[index] = write
  }
  return slots ? { ...record, points: slots } : record
}

function toAnnotation(add: AnnotationAddOp, points: readonly (PointWrite | null)[]): Annotation {
  let shape = add.shape
  if (shape.type === 'stroke') {
    // The stroke as far as its points are contiguous from the start: a later piece that overtook an earlier one
    // shows once the gap is filled. Writes by anyone but the author do not count.
    const drawn: Vec3[] = []
    for (const write of points) {
      if (write === null || write.author !== add.author) break
      drawn.push(write.point)
    }
    shape = { ...shape, points: drawn }
  }
  return {
    id: add.id,
    author: add.author,
    authorName: add.authorName,
    colour: add.colour,
    createdAt: add.at,
    clock: add.clock,
    placement: add.placement,
    approximate: add.approximate === true,
    shape,
  }
}

function lowestKey(records: ReadonlyMap<string, AnnotationRecord>): string {
  let lowest: AnnotationRecord | null = null
  for (const record of records.values()) {
    if (lowest === null || byClockThenId(record, lowest) < 0) lowest = record
  }
  return lowest?.id ?? ''
}

function byClockThenId(a: { clock: number; id: string }, b: { clock: number; id: string }): number {
  return a.clock - b.clock || compareStrings(a.id, b.id)
}

/** By UTF-16 code units: the same on every device, unlike localeCompare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Total on numbers: -0 before 0, so that no two distinct values tie. */
function compareNumbers(a: number, b: number): number {
  if (a !== b) return a < b ? -1 : 1
  if (Object.is(a, b)) return 0
  return Object.is(a, -0) ? -1 : 1
}

function compareWrites(a: PointWrite, b: PointWrite): number {
  return (
    compareStrings(a.op, b.op) ||
    compareStrings(a.author, b.author) ||
    compareNumbers(a.point[0], b.point[0]) ||
    compareNumbers(a.point[1], b.point[1]) ||
    compareNumbers(a.point[2], b.point[2])
  )
}

function compareCanonical(a: unknown, b: unknown): number {
  return compareStrings(canonicalJson(a), canonicalJson(b))
}

/** JSON with sorted keys and -0 kept apart from 0: equal text if and only if equal values. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => compareStrings(a, b))
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`
  }
  if (Object.is(value, -0)) return '-0'
  return JSON.stringify(value) ?? 'undefined'
}

function assertNever(value: never): never {
  throw new Error(`Unhandled annotation op: ${JSON.stringify(value)}`)
}
