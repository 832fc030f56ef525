// "Raise a hand to speak" in a large room: who may speak is a replicated register per participant, so every page
// agrees on it whatever order the ops arrive in (each session's latest op by `at`, then id, wins). Two op kinds:
// a participant raises or lowers their own hand ('hand': only the signer's own session, see validateHandOp), and
// the presenter lets one speak or stops them ('floor': the clinician's role only, as "ask to leave" is). The
// presenter of a large room is the clinician who started it; everyone else joins with their microphone locked.
//
// Video is a third op kind with its own register ('camera': the presenter lets `session` show video, or stops
// them), separate from the floor: a teacher calls a trainee on camera to demonstrate without handing them the
// microphone, or lets a question be asked without putting the asker on screen. At most MAX_VIDEO_SENDERS send
// video at once: the presenter always, plus the earliest granted (by `at`, then id) — the same on every page
// whatever order the ops arrived in, so a grant past the cap changes nothing anywhere until a place frees.
import * as z from 'zod/mini'
import type { Role } from './invite'

const opBase = {
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  author: z.string().check(z.length(22)),
  at: z.number(),
}

/** Raises (or lowers) the author's own hand. */
export const handOpSchema = z.object({ kind: z.literal('hand'), ...opBase, raised: z.boolean() })
/** The presenter lets `session` speak, or stops them. */
export const floorOpSchema = z.object({
  kind: z.literal('floor'),
  ...opBase,
  session: z.string().check(z.length(22)),
  speak: z.boolean(),
})
/** The presenter lets `session` show video, or stops them. */
export const cameraOpSchema = z.object({
  kind: z.literal('camera'),
  ...opBase,
  session: z.string().check(z.length(22)),
  show: z.boolean(),
})
export type HandOp = z.infer<typeof handOpSchema>
export type FloorOp = z.infer<typeof floorOpSchema>
export type CameraOp = z.infer<typeof cameraOpSchema>

/** The role that presents a large room and alone grants the floor. */
export const PRESENTER_ROLE: Role = 'clinician'

/** Where one participant stands. */
export type HandState = 'idle' | 'raised' | 'speaking'

/** The sentence on a locked microphone. */
export const LOCKED_SENTENCE = 'Raise your hand to ask to speak'
/** The sentence on a locked camera. */
export const CAMERA_LOCKED_SENTENCE = 'The presenter can let you show video'

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

/** A signed op's own check: a hand only by its own session; the floor and the camera only by the presenter's role. */
export function validateHandOp(op: HandOp | FloorOp | CameraOp, author: { role: Role }): boolean {
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
 * How many participants of a large room send video at once, the presenter included: four panels is what a
 * receiver's screen (and a phone's decoder) shows well, and what the mesh carried before (issue 15).
 */
export const MAX_VIDEO_SENDERS = 4

interface CameraEntry {
  at: number
  id: string
  show: boolean
}

/** Each participant's latest camera op, by session. */
export type CameraGrants = ReadonlyMap<string, CameraEntry>

export const NO_CAMERA_GRANTS: CameraGrants = new Map()

/** The register after one camera op: the later op (by time, then id) wins, as for the hands. */
export function applyCameraOp(grants: CameraGrants, op: CameraOp): CameraGrants {
  const known = grants.get(op.session)
  if (known && (known.at > op.at || (known.at === op.at && known.id >= op.id))) return grants
  const next = new Map(grants)
  next.set(op.session, { at: op.at, id: op.id, show: op.show })
  return next
}

/**
 * The participants (besides the presenter) who send video: those let show it, earliest grant first, as many as
 * fit beside the presenter. A later grant waits (ignored everywhere) until an earlier one is withdrawn.
 */
export function videoSenders(grants: CameraGrants): string[] {
  return [...grants.entries()]
    .filter(([, entry]) => entry.show)
    .sort(([, a], [, b]) => a.at - b.at || (a.id < b.id ? -1 : 1))
    .slice(0, MAX_VIDEO_SENDERS - 1)
    .map(([session]) => session)
}

/** Whether the presenter can let one more participant show video now (the cap is not reached). */
export function canLetShowVideo(grants: CameraGrants): boolean {
  return videoSenders(grants).length < MAX_VIDEO_SENDERS - 1
}

/**
 * Whether `session` (of `role`) sends video: in a consultation everyone; in a large room the presenter and those
 * within the cap. Each page asks it of itself (its camera is locked otherwise) and of the others (their panel is
 * a name tile otherwise).
 */
export function showsVideo(options: {
  large: boolean
  role: Role
  grants: CameraGrants
  session: string
}): boolean {
  if (!options.large || options.role === PRESENTER_ROLE) return true
  return videoSenders(options.grants).includes(options.session)
}

/**
 * Whether `session` may share its screen: in a consultation everyone; in a large room whoever sends video (the
 * presenter, and those the presenter let show video). A shared screen is outside the MAX_VIDEO_SENDERS cap (it is
 * what the lecture is about, not one more face), and this rule bounds it: at most one screen per video sender.
 */
export function maySendScreen(options: Parameters<typeof showsVideo>[0]): boolean {
  return showsVideo(options)
}

/** The sentence when someone not let show video asks to share their screen in a large room. */
export const SCREEN_LOCKED_SENTENCE =
  'Only the presenter, and those the presenter lets show video, can share a screen in this room.'
/** The short hint beside a locked "Share screen" button (its title and description carry the full sentence). */
export const SCREEN_LOCKED_HINT = 'The presenter can let you share your screen'

/** What the presenter reads, once per participant, when someone not let share a screen shares one anyway. */
export function screenRefusedSentence(name: string): string {
  return `${name} shared a screen without being let show video; it is not shown to anyone.`
}

/** Who offered a screen, as far as a page knows them. */
export interface ScreenSharer {
  session?: string | undefined
  role?: Role | null | undefined
  name?: string | undefined
}

export interface ScreenGateOptions<S> {
  large: boolean
  /** Whether this page is the presenter's: only the presenter is told of a refused screen. */
  presenter: boolean
  grants: () => CameraGrants
  sharer: (peerId: string) => ScreenSharer | undefined
  /** What the page shows of `peerId`'s screen: theirs, or null while the room's rules refuse it. */
  show: (peerId: string, screen: S | null) => void
  tell: (sentence: string) => void
}

/**
 * The receiving side of maySendScreen. The sender's page only offers "Share screen" to those who may share, but a
 * modified client can publish a screen anyway (on Janus, a feed is a feed): every page runs the same rule on what
 * it receives and shows a screen only while its sharer may send one. Nothing is thrown away: a screen offered
 * just before the grant that allows it reached this page (the grant and the screen travel separately) is shown as
 * soon as the grant arrives, and one whose grant is withdrawn disappears at once, whatever its sender does.
 */
export class ScreenGate<S> {
  private readonly offered = new Map<string, S>()
  private readonly shown = new Map<string, S | null>()
  /** Sessions the presenter was told about: a sentence at most once per participant and call. */
  private readonly told = new Set<string>()

  constructor(private readonly options: ScreenGateOptions<S>) {}

  /** `peerId` offers `screen` (or stops with null). */
  offer(peerId: string, screen: S | null) {
    if (screen === null) this.offered.delete(peerId)
    else this.offered.set(peerId, screen)
    this.decide(peerId)
  }

  /** The rules or what we know of the sharers changed: every offered screen is decided again. */
  recheck() {
    for (const peerId of [...this.shown.keys()]) this.decide(peerId)
  }

  remove(peerId: string) {
    this.offered.delete(peerId)
    this.shown.delete(peerId)
  }

  private allowed(peerId: string): boolean {
    if (!this.options.large) return true
    const sharer = this.options.sharer(peerId)
    if (!sharer?.session || !sharer.role) return false
    return maySendScreen({
      large: true,
      role: sharer.role,
      grants: this.options.grants(),
      session: sharer.session,
    })
  }

  private decide(peerId: string) {
    const offered = this.offered.get(peerId) ?? null
    const allowed = offered !== null && this.allowed(peerId)
    const next = allowed ? offered : null
    if (this.shown.has(peerId) && this.shown.get(peerId) === next) return
    this.shown.set(peerId, next)
    this.options.show(peerId, next)
    if (offered === null || allowed || !this.options.presenter) return
    const sharer = this.options.sharer(peerId)
    const who = sharer?.session ?? peerId
    if (this.told.has(who)) return
    this.told.add(who)
    this.options.tell(screenRefusedSentence(sharer?.name ?? 'Someone'))
  }
}

/** The sentence when our shared screen stops because the presenter stopped our video. */
export const SCREEN_STOPPED_SENTENCE =
  'Your screen is no longer shared: the presenter stopped your video, and a screen goes with it.'

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
  publish: (op: HandOp | FloorOp | CameraOp) => void
  nextOpId: () => string
  /** Every op, ours and others', once: into the call's store. */
  apply: (op: HandOp | FloorOp | CameraOp) => void
  now?: () => number
}

/** The hands' ops as the call's channels carry them. */
export function createHandsChannel(options: HandsChannelOptions) {
  const now = options.now ?? Date.now
  const base = () => ({ id: options.nextOpId(), author: options.session(), at: now() })
  return {
    validate: validateHandOp,
    applyOp: (op: HandOp | FloorOp | CameraOp) => options.apply(op),
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
    /** The presenter lets `session` show video, or stops them (past the cap, a grant waits: videoSenders). */
    letShowVideo(session: string, show: boolean) {
      if (!options.session()) return
      options.publish({ kind: 'camera', ...base(), session, show })
    },
  }
}

export type HandsChannel = ReturnType<typeof createHandsChannel>
