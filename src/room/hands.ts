// "Raise a hand to speak" in a large room: who may speak is a replicated register per participant, so every page
// agrees on it whatever order the ops arrive in (each session's latest op by `at`, then id, wins). Two op kinds:
// a participant raises or lowers their own hand ('hand': only the signer's own session, see validateHandOp), and
// the presenter lets one speak or stops them ('floor': the clinician's role only, as "ask to leave" is). The
// presenter of a large room is the clinician who started it; everyone else joins with their microphone locked.
import { z } from 'zod'
import type { Role } from './invite'

const opBase = {
  id: z.string().min(1).max(80),
  author: z.string().length(22),
  at: z.number().finite(),
}

/** Raises (or lowers) the author's own hand. */
export const handOpSchema = z.object({ kind: z.literal('hand'), ...opBase, raised: z.boolean() })
/** The presenter lets `session` speak, or stops them. */
export const floorOpSchema = z.object({
  kind: z.literal('floor'),
  ...opBase,
  session: z.string().length(22),
  speak: z.boolean(),
})
export type HandOp = z.infer<typeof handOpSchema>
export type FloorOp = z.infer<typeof floorOpSchema>

/** The role that presents a large room and alone grants the floor. */
export const PRESENTER_ROLE: Role = 'clinician'

/** Where one participant stands. */
export type HandState = 'idle' | 'raised' | 'speaking'

/** The sentence on a locked microphone. */
export const LOCKED_SENTENCE = 'Raise your hand to ask to speak'

interface Entry {
  at: number
  id: string
  state: HandState
}

/** Each participant's latest hand or floor op, by session. */
export type Hands = ReadonlyMap<string, Entry>

export const NO_HANDS: Hands = new Map()

/** Whose op it is about: a hand is its author's own; the floor names its target. */
function subjectOf(op: HandOp | FloorOp): string {
  return op.kind === 'hand' ? op.author : op.session
}

function stateOf(op: HandOp | FloorOp): HandState {
  if (op.kind === 'hand') return op.raised ? 'raised' : 'idle'
  return op.speak ? 'speaking' : 'idle'
}

/** A signed op's own check: a hand only by its own session; the floor only by the presenter's role. */
export function validateHandOp(op: HandOp | FloorOp, author: { role: Role }): boolean {
  if (op.kind === 'hand') return true // the subject is the author (subjectOf), whose signature the mesh checked
  return author.role === PRESENTER_ROLE
}

/** The register after one op: the later op (by time, then id) wins, so any order of arrival agrees. */
export function applyHandOp(hands: Hands, op: HandOp | FloorOp): Hands {
  const subject = subjectOf(op)
  const known = hands.get(subject)
  if (known && (known.at > op.at || (known.at === op.at && known.id >= op.id))) return hands
  const next = new Map(hands)
  next.set(subject, { at: op.at, id: op.id, state: stateOf(op) })
  return next
}

export function handStateOf(hands: Hands, session: string): HandState {
  return hands.get(session)?.state ?? 'idle'
}

/** Raised hands, first raised first: the presenter's queue. */
export function raisedHands(hands: Hands): string[] {
  return [...hands.entries()]
    .filter(([, entry]) => entry.state === 'raised')
    .sort(([, a], [, b]) => a.at - b.at || (a.id < b.id ? -1 : 1))
    .map(([session]) => session)
}

/**
 * Whether our microphone is locked: in a large room, for everyone but the presenter, until the presenter lets us
 * speak. A consultation never locks it.
 */
export function micLocked(options: { large: boolean; role: Role; hands: Hands; self: string }): boolean {
  if (!options.large || options.role === PRESENTER_ROLE) return false
  return handStateOf(options.hands, options.self) !== 'speaking'
}

export interface HandsChannelOptions {
  /** Our session: the author of our hand. */
  session: () => string
  /** Signs, applies and sends an op we author. */
  publish: (op: HandOp | FloorOp) => void
  nextOpId: () => string
  /** Every op, ours and others', once: into the call's store. */
  apply: (op: HandOp | FloorOp) => void
  now?: () => number
}

/** The hands' ops as the call's channels carry them. */
export function createHandsChannel(options: HandsChannelOptions) {
  const now = options.now ?? Date.now
  const base = () => ({ id: options.nextOpId(), author: options.session(), at: now() })
  return {
    validate: validateHandOp,
    applyOp: (op: HandOp | FloorOp) => options.apply(op),
    /** Raises or lowers our own hand. */
    raise(raised: boolean) {
      if (!options.session()) return
      options.publish({ kind: 'hand', ...base(), raised })
    },
    /** The presenter lets `session` speak, or stops them (others' pages refuse it from anyone else). */
    letSpeak(session: string, speak: boolean) {
      if (!options.session()) return
      options.publish({ kind: 'floor', ...base(), session, speak })
    },
  }
}

export type HandsChannel = ReturnType<typeof createHandsChannel>
