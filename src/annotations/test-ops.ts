// Builders of annotation ops for the tests: valid ops with readable defaults.
import type {
  AnnotationAddOp,
  AnnotationClearOp,
  AnnotationDeleteOp,
  AnnotationUpdateOp,
  Placement,
  Shape,
  Vec3,
} from './model'
import { colourFor } from './palette'

// Session ids are 22 characters (the hash of a session key, src/room/credentials.ts).
export const ALICE = 'alice-session-00000000'
export const BOB = 'bob-session-0000000000'
export const CAROL = 'carol-session-00000000'
/** A signature's shape (86 characters of base64url), for protocol-level tests that do not check it. */
export const TEST_SIG = 'S'.repeat(86)
const NAMES: Record<string, string> = { [ALICE]: 'Alice', [BOB]: 'Bob', [CAROL]: 'Carol' }
const SEATS: Record<string, number> = { [ALICE]: 0, [BOB]: 1, [CAROL]: 2 }

export const WORLD_ORIGIN: Placement = { frame: 'world', position: [0, 0, 0], orientation: [0, 0, 0, 1] }

export const strokeShape = (points: Vec3[], width = 0.005): Shape => ({ type: 'stroke', points, width })
export const pinShape = (label: string): Shape => ({ type: 'pin', position: [0, 0, 0], label })
export const arrowShape = (): Shape => ({ type: 'arrow', from: [0, 0, 0], to: [0, 0.2, 0] })

/** Points along x, one per cm, starting at `from`: easy to tell apart. */
export const line = (from: number, count: number): Vec3[] =>
  Array.from({ length: count }, (_, i): Vec3 => [(from + i) / 100, 1, -1])

export function addOp(
  author: string,
  counter: number,
  clock: number,
  shape: Shape,
  extra: Partial<AnnotationAddOp> = {},
): AnnotationAddOp {
  return {
    kind: 'annotation-add',
    id: `${author}:${counter}`,
    author,
    at: 1_700_000_000_000 + counter,
    clock,
    authorName: NAMES[author] ?? 'Someone',
    colour: colourFor(SEATS[author] ?? author),
    placement: WORLD_ORIGIN,
    shape,
    ...extra,
  }
}

export function updateOp(
  author: string,
  counter: number,
  target: AnnotationAddOp,
  from: number,
  points: Vec3[],
): AnnotationUpdateOp {
  return {
    kind: 'annotation-update',
    id: `${author}:${counter}`,
    author,
    at: 1_700_000_000_000 + counter,
    target: target.id,
    targetClock: target.clock,
    from,
    points,
  }
}

export function deleteOp(
  author: string,
  counter: number,
  target: { id: string; clock: number },
): AnnotationDeleteOp {
  return {
    kind: 'annotation-delete',
    id: `${author}:${counter}`,
    author,
    at: 1_700_000_000_000 + counter,
    target: target.id,
    targetClock: target.clock,
  }
}

export function clearOp(author: string, counter: number, clock: number): AnnotationClearOp {
  return {
    kind: 'annotation-clear',
    id: `${author}:${counter}`,
    author,
    at: 1_700_000_000_000 + counter,
    clock,
  }
}
