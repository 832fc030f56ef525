// The call's full mesh over a MeshTransport: one data link and one media call per remote participant. It takes a
// seat (the first id the signalling server lets us register), dials the others, admits them (./peer-link: proof
// of the room secret, then hello), settles duplicate links (./mesh), watches liveness, re-dials a participant
// whose link drops and re-registers when the signalling server goes away. It carries the replicated op log
// (./replication) and every feature's messages and frames without knowing them: what arrives goes to `events`,
// what a feature sends goes out through `broadcast`, `publish`, `share` and `broadcastFrame`. No React, no
// store, no peerjs: tested in Node over ./memory-transport.
import {
  createSessionKey,
  type PresentedCredential,
  presentCredential,
  type SessionKey,
  sessionOf,
} from '../room/credentials'
import { type Invite, ROLE_LABELS, type Role, roomCapacity, seatPeerId } from '../room/invite'
import { admissionKey } from './admission'
import { Authorship, type Ban, type Member, memberOpFor, signOp } from './authorship'
import { BulkSender, laneOrLink } from './bulk-sender'
import { type Chunk, encodeChunk } from './chunks'
import { DamagedInviteError, RoomFullError } from './errors'
import { encodeFrame, FRAME_MAGIC, type Frame, HEADER_BYTES, WAVEFORM_HEADER_BYTES } from './frames'
import { DEAD_PEER_MS, peerIsGone, resolveDuplicateLink, videoSendBudget } from './mesh'
import { AUTHOR_BYTES, OpGate } from './op-gate'
import { Outbox } from './outbox'
import {
  type AppMessage,
  type HelloMessage,
  type LinkFailure,
  PeerLink,
  type ProofMessage,
} from './peer-link'
import {
  type AdmitOp,
  assertNever,
  CORE_OP_KINDS,
  type CoreMessage,
  type DismissOp,
  MAX_ACKS_PER_MESSAGE,
  type MemberOp,
  type OpLike,
  type OpsMessage,
  type Protocol,
} from './protocol'
import { type ConnectionQuality, measureQuality, type QualityCounters, type RTCStatsLike } from './quality'
import { OpLog, snapshotOrder } from './replication'
import type { BulkLane, DataLink, DialMetadata, MediaLink, MeshTransport, Unsubscribe } from './transport'

/** How often we tell each peer we are alive, ms. */
export const HEARTBEAT_MS = 1000
/**
 * How often we sample each peer's transport and check whether it is gone, ms. Twice per heartbeat: a crash is
 * noticed at the first check after both its messages and its transport have been silent for DEAD_PEER_MS, and the
 * transport's silence is only known to the sample interval, so a check every heartbeat noticed a crash 4-5 s
 * after it (over 5 s on a loaded machine) where every half heartbeat notices it in 3.5-4 s. The thresholds are
 * unchanged, so a busy page is not judged any sooner.
 */
export const LIVENESS_CHECK_MS = HEARTBEAT_MS / 2
/**
 * Ops a ready link has still not acknowledged after this long, with nothing of ours queued for it, are sent
 * again, ms. A receiver ignores an op beyond its author's byte budget without acknowledging it (./op-gate), and
 * that budget is charged when the receiver gets round to the op: a page that stalled for seconds takes a paced
 * sender's minute in one go. Without this those ops would come again only after a reconnect; a duplicate costs the
 * receiver one lookup (it is acknowledged, not checked again).
 */
export const RESEND_CHECK_MS = 5 * HEARTBEAT_MS
/** At most this many unacknowledged ops are sent again per link and check (the rest at the next check). */
const RESEND_MAX_OPS = 500
/** A transport sample older than two heartbeats means our own page is lagging, ms. */
const SAMPLE_STALE_MS = 2 * HEARTBEAT_MS + 500
/**
 * A dial that has not completed admission and hello by then is abandoned, ms. A dial to an empty seat waits in
 * the PeerServer's queue (about 2 s) and is delivered if someone takes the seat meanwhile.
 */
export const DIAL_TIMEOUT_MS = 15000
/** After sending goodbyes: wait at least this long, and at most the other while a channel still buffers, ms. */
const LEAVE_FLUSH_MIN_MS = 300
const LEAVE_FLUSH_MAX_MS = 1500
/** After a participant's link drops we re-dial for this long before we call them gone, ms. */
export const RECONNECT_GIVE_UP_MS = 30000
/** A participant we gave up on stays in the list, marked gone, this long, ms. */
const GONE_LINGER_MS = 5000
/** Longest pause between attempts to re-register with the PeerServer, ms: it comes back from a restart quickly. */
const SERVER_RETRY_MAX_MS = 5000
/**
 * A dial that died before its link was ready, to a seat where nobody is known yet, is tried again this many
 * times (1 s, 2 s, 4 s, 8 s after each failure): a newcomer whose first dials were lost (a PeerServer that
 * restarted, a refused duplicate) still reaches the room. A seat that is empty ends it at once (the PeerServer
 * says "peer unavailable"), so only a seat someone holds but does not answer from costs the full round.
 */
const SETUP_REDIAL_ATTEMPTS = 4
/**
 * After the re-dials of RECONNECT_GIVE_UP_MS fail, someone the server still holds is dialed again this often, ms,
 * for LATE_REDIAL_FOR_MS. Both pages may still be in the call: on a machine or network slow enough that every
 * re-dial was dropped before it was ready, each side gave up on the other and, without this, neither would dial
 * again while both sat in the room. A seat the server no longer holds ends it at once ("unavailable").
 */
const LATE_REDIAL_MS = 15000
/** ... and for this long after giving up, ms: past it, a participant who still cannot be reached rejoins. */
const LATE_REDIAL_FOR_MS = 5 * 60_000

/**
 * A data link that opened but whose peer has not proved the room secret by then is closed, ms: an honest page
 * sends its proof in well under a second even on a busy phone; one that holds a seat and never proves it is not
 * listed and goes away. (It is dialed again a few times, like any dial that never became ready.)
 */
export const ADMISSION_TIMEOUT_MS = 8000
/**
 * How long a closed camera call's last picture stays while its link is up, waiting for the call made again, ms:
 * longer than a call made again takes to bring its stream (signalling through the server, then an ICE and DTLS
 * handshake), short enough that a video that really ended does not stand frozen for long.
 */
export const CALL_REMADE_GRACE_MS = 3000
/** After a dismissal, the target's link stays this long, for the dismissal to reach them, ms. */
const DISMISS_FLUSH_MS = 1000
/**
 * A dial of ours that has not opened by then has stalled, ms: a data link to someone there opens in well under a
 * second, and a dial to nobody is answered "unavailable" by the server within about 2 s. A stalled dial may have
 * been swallowed (delivered to a registration that went away at once), so it never wins a duplicate settlement
 * against a live incoming dial from that seat.
 */
const STALLED_DIAL_MS = 4000
/**
 * How we pace our own ops to one peer: within its AUTHOR_BYTES with a margin (80 % of the rate, half the burst),
 * since its bucket for us may not be full when a new link starts (a reconnect right after a busy minute).
 */
const OWN_OPS_PACE = { perSecond: AUTHOR_BYTES.perSecond * 0.8, burst: AUTHOR_BYTES.burst / 2 }
/**
 * A held camera call of ours that has brought no stream this long after admission released it is made again, ms:
 * its answer was lost (a signalling server that went away meanwhile, a far side that replaced the data link the
 * call was waiting for). A live one brings its stream well under a second after admission, even on a busy page.
 */
const HELD_CALL_GRACE_MS = 4000
/** Ops held while their author's member op has not arrived yet, per link. */
const MAX_PENDING_OPS = 2000

/**
 * waiting: admitted to the room's secret but in the waiting room (theirs or ours): no media, no call data;
 * connecting: someone is in that seat and admission/hello is under way; connected: in the call; reconnecting:
 * the link dropped and we are re-dialing; gone: we gave up (shown for a moment, then removed).
 */
export type ParticipantStatus = 'connecting' | 'waiting' | 'connected' | 'reconnecting' | 'gone'

/** What the mesh knows of a participant, as it changes. */
export interface ParticipantPatch {
  seat: number
  /** Their session id (from their hello): what a dismissal names. */
  session?: string
  /** Their invite's key: what letting them in names. */
  inviteKey?: string
  name?: string
  role?: Role
  status?: ParticipantStatus
  muted?: boolean
  cameraOff?: boolean
  stream?: MediaStream | null
  /** The screen they share (a media call of its own), or null when they stop. */
  screen?: MediaStream | null
  quality?: ConnectionQuality | null
}

/** What joining a room needs before it talks to anyone. */
export interface PreparedJoin {
  /** Our signing key for this join. */
  sessionKey: SessionKey
  /** The room's admission key (HMAC, from the secret). */
  admissionKey: CryptoKey
  /** The room's seat ids, in seat order. */
  seatIds: string[]
  /** Our invite's credential, bound to `sessionKey`. */
  presented: PresentedCredential
}

/** The keys and seat ids for a join, all at once. */
export async function prepareJoin(invite: Invite): Promise<PreparedJoin> {
  const [sessionKey, key, seatIds] = await Promise.all([
    createSessionKey(),
    admissionKey(invite),
    Promise.all(Array.from({ length: roomCapacity(invite) }, (_, seat) => seatPeerId(invite, seat))),
  ])
  const presented = await presentCredential(invite, sessionKey.publicKey)
  if (!presented) throw new DamagedInviteError()
  return { sessionKey, admissionKey: key, seatIds, presented }
}

/** An Omit that keeps a union a union (each member loses the key). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** Who sent something: their peer id, seat, session and role (from their hello on this admitted link). */
export interface MeshPeer {
  peerId: string
  seat: number
  session: string
  role: Role
  name: string
}

export type Tone = 'info' | 'warning' | 'error'

export interface CallMeshEvents<M extends { type: string }, Op extends OpLike> {
  participant(peerId: string, patch: ParticipantPatch): void
  participantRemoved(peerId: string): void
  notify(text: string, tone?: Tone): void
  serverConnected(connected: boolean): void
  /**
   * A feature's own check of a signed op from a known author (names and roles it repeats match the author's
   * member record, its numbers are within bounds): false refuses it, as a forgery.
   */
  validateOp?(op: Op, author: Member): boolean
  /** A feature's message from an admitted participant. */
  message(message: FeatureMessage<M>, from: MeshPeer): void
  /** A sample frame (waveform, pose) from an admitted participant. */
  frame(frame: Frame, from: MeshPeer): void
  /** A chunk of a bulk transfer from an admitted participant (a shared file's piece). */
  chunk?(chunk: Chunk, from: MeshPeer): void
  /** An op became known here (ours or theirs): applied once per id. */
  applyOp(op: Op): void
  /**
   * The ops of one batch were applied (an incoming message's, or one we published): what a feature gathered per
   * op is shown now, in one update (a flood's 50 chats are one render, not 50).
   */
  opsApplied?(): void
  /**
   * After `op` was applied: which ops to keep, when it made older ones void (an annotation deleted or cleared),
   * so neither our memory nor a newcomer's snapshot grows with what nobody sees any more. Null: keep all.
   */
  pruneAfter?(op: Op): ((kept: Op) => boolean) | null
  /**
   * After `op` was applied: which ops to keep, when a feature holds only so many (the newest chat). Those dropped
   * leave the log and the snapshots, but their ids are remembered, so a copy that comes again is not applied.
   */
  limitAfter?(op: Op): ((kept: Op) => boolean) | null
  /**
   * Whether `op` is history that nothing else depends on (chat), which a newcomer is sent newest first so that
   * what it shows is checked and drawn first (./replication snapshotOrder). Unset: who-is-who first, then the log's
   * order.
   */
  newestFirst?(op: Op): boolean
  /** A link to `peer` became ready (first time or again): tell them what they must know of us. */
  linkReady?(peer: MeshPeer, first: boolean): void
  /** The clinician asked us to leave: the call is over for us. */
  dismissed?(by: string): void
  /** We wait to be let in (true), or were just let in (false). */
  waiting?(waiting: boolean): void
  /** A participant is gone for good (left, or given up on): forget what they shared. */
  peerGone?(peerId: string, session: string | null): void
}

/** What a feature's channel receives: everything but the mesh's own messages. */
export type FeatureMessage<M extends { type: string }> = Exclude<
  M,
  CoreMessage | OpsMessage<OpLike> | { type: 'ops' }
>

export interface CallMeshOptions<M extends { type: string }, Op extends OpLike> {
  transport: MeshTransport
  protocol: Protocol<M, Op>
  invite: Invite
  displayName: string
  /** Our microphone/camera now: sent in hello and media calls. */
  localMedia: () => { stream: MediaStream | null; muted: boolean; cameraOff: boolean }
  events: CallMeshEvents<M, Op>
  /**
   * The keys and seat ids a join needs, made ahead of time (they depend only on the invite: the runtime starts
   * them while the join screen shows, so the Join click does not wait for them); made when joining otherwise.
   */
  prepared?: Promise<PreparedJoin>
  /** Log connection events to the console (`?debug` in the page URL). */
  debug?: boolean
  /** The protocol version we announce. Only tests set it, to see a mismatch. */
  protocolVersion?: number
  /**
   * Seat ids to use instead of those the invite derives. Only tests set it: it plays someone who learned the
   * room's peer ids (the PeerServer sees them) but not its secret.
   */
  seatIds?: string[]
  /**
   * The role our hello and member record claim instead of our invite's, whose credential we still present. Only
   * tests set it: it plays a participant who claims a role its invite does not prove.
   */
  claimedRole?: Role
  /**
   * Feature op kinds that cross the waiting room besides the call layer's own: what a patient does while waiting
   * (the screening answers, the consent to the record). Everything else waits until the gate opens.
   */
  waitingRoomOpKinds?: ReadonlySet<string>
}

interface Link<M extends { type: string }, Op extends OpLike> {
  seat: number
  peerId: string
  origin: 'outgoing' | 'incoming'
  data: DataLink
  protocol: PeerLink<M>
  media: MediaLink | null
  /** Our shared screen to them, and theirs to us: media calls of their own, beside the camera's. */
  screenOut: MediaLink | null
  screenIn: MediaLink | null
  /** The remote's session id, from their dial's metadata or their hello. */
  remoteSession: string | null
  /**
   * A media call that arrived before the peer was admitted, on a transport without held calls; answered once it
   * is.
   */
  pendingCall: MediaLink | null
  /**
   * Our tracks go out on `media` and their stream is shown. False while the call is held: made or answered early
   * (MeshTransport.heldCalls) and the peer not admitted yet, or one side in the waiting room.
   */
  mediaLive: boolean
  /** Their stream, arrived on a call still held: shown when it goes live, never before. */
  heldStream: MediaStream | null
  /**
   * Our stream as `media` was made or answered with (null: none). A call's tracks are fixed when it is negotiated:
   * while this is not our stream now, `media` carries nothing of ours, or tracks that were stopped.
   */
  mediaSent: MediaStream | null
  /** `media` has brought their stream (held or shown). */
  mediaStreamed: boolean
  /** Bytes received on the link's connections at the last sample, and when that count last grew. */
  bytesReceived: number
  lastTransportActivity: number
  /** Media (RTP) bytes received from them at the last sample, and when that count last grew (null: never). */
  mediaBytesReceived: number
  lastMediaActivity: number | null
  /** When the last transport sample completed: a busy page samples late, and a late sample proves nothing. */
  lastSampleAt: number
  /** A transport sample is under way (a busy page's stats can take longer than a check interval). */
  sampling: boolean
  dialTimer: ReturnType<typeof setTimeout> | null
  /** Our registration with the signalling server when the link was made (CallMesh.serverEpoch). */
  serverEpoch: number
  /** When the link was made, ms. */
  dialedAt: number
  /** The remote's invite key, from its proof: what a ban names besides its session. */
  inviteId: string | null
  /** Ops of authors whose member op has not arrived yet, in arrival order. */
  pending: Op[]
  /** The remote's invite waits to be let in (from its credential). */
  remoteWaits: boolean
  /** The link carries the whole call (neither side waits): set when it does, so the change is noticed once. */
  full: boolean
  /** Ids the remote had not acknowledged at the last resend check (RESEND_CHECK_MS). */
  unacknowledged: Set<string>
  outbox: Outbox<Op>
  /** Bulk chunks to this peer, paced by the channel's buffer (./bulk-sender). */
  bulk: BulkSender
  /** getStats counters at the previous sample, to measure loss and bitrate against (./quality). */
  qualityCounters: QualityCounters | null
  unsubscribe: Unsubscribe[]
}

/** A seat whose link died before it was ever ready, with nobody known there yet: dialed again a few times. */
interface SetupRedial {
  attempt: number
  timer: ReturnType<typeof setTimeout> | null
}

/** A seat we gave up re-dialing while the server still held it: dialed now and then, until `until`. */
interface LateRedial {
  until: number
  timer: ReturnType<typeof setTimeout> | null
}

/** A participant whose link dropped and whom we are re-dialing. */
interface Reconnect {
  seat: number
  peerId: string
  name: string
  /** When the re-dials began, moved on by any time our own signalling server was away since (see redial). */
  startedAt: number
  attempt: number
  timer: ReturnType<typeof setTimeout> | null
}

/** Sees what a link sends (`out`, as handed to the transport) and receives (`in`, before it is handled). */
export type LinkTap = (direction: 'in' | 'out', data: unknown) => void

/** A participant as the mesh tracks them (the store gets the same as patches). */
interface Known {
  peerId: string
  seat: number
  name: string
  status: ParticipantStatus
}

/** A dial's metadata, checked against the room's number of seats. */
function dialMetadataOf(metadata: unknown, seats: number): DialMetadata | null {
  const { seat, session } = (metadata ?? {}) as Partial<DialMetadata>
  const seatOk = typeof seat === 'number' && Number.isInteger(seat) && seat >= 0 && seat < seats
  const sessionOk = typeof session === 'string' && session.length >= 8 && session.length <= 64
  return seatOk && sessionOk ? { seat, session } : null
}

/** Plain words for a link that was refused. */
function failureSentence(failure: LinkFailure, name: string | null): string | null {
  switch (failure.kind) {
    case 'invalid-invite':
      return 'Someone tried to join without a valid invite and was turned away.'
    case 'incompatible-version':
      return `The other participant runs an incompatible version (v${failure.theirs}, you have v${failure.ours}).`
    case 'flood':
      return `${name ?? 'A participant'} sent more messages than a consultation needs and was disconnected.`
    case 'protocol':
      return null
    case 'invalid-credential':
      return 'Someone whose invite does not prove the role they claimed was turned away.'
    case 'forged':
      return failure.identity
        ? `${name ?? 'A participant'} sent messages in someone else’s name and was disconnected.`
        : `${name ?? 'A participant'} sent messages no consultation app sends (a date far from now, a value out of bounds) and was disconnected.`
    case 'banned':
      return null
    case 'refused-by-peer':
      return failure.reason === 'banned'
        ? 'You cannot rejoin this consultation: you were asked to leave it, or disconnected for misuse.'
        : 'Your invite link does not let you join this consultation as this role. Ask for a new link.'
    default:
      return assertNever(failure)
  }
}

/** What carriesLiveVideo reads of a stream: its video tracks. */
export type VideoCarrier = Pick<MediaStream, 'getVideoTracks'>

/**
 * Whether video is live in the call on this page: our camera (unless turned off), our screen, or a camera or screen
 * we receive, with a video track that is live (not ended) and enabled. Bulk transfers yield to it (./bulk-sender).
 */
export function carriesLiveVideo(
  local: { stream: VideoCarrier | null; cameraOff: boolean },
  screen: VideoCarrier | null,
  received: Iterable<VideoCarrier>,
): boolean {
  const live = (stream: VideoCarrier | null | undefined) =>
    stream?.getVideoTracks().some((track) => track.readyState === 'live' && track.enabled) ?? false
  if (!local.cameraOff && live(local.stream)) return true
  if (live(screen)) return true
  for (const stream of received) if (live(stream)) return true
  return false
}

export class CallMesh<M extends { type: string }, Op extends OpLike> {
  private seat = -1
  private seatIds: string[] = []
  private admissionKey: CryptoKey | null = null
  /** Our invite's credential, bound to our session key: sent with our proof and in our member record. */
  private presented: PresentedCredential | null = null
  private readonly links = new Map<number, Link<M, Op>>()
  private readonly reconnects = new Map<number, Reconnect>()
  private readonly setupRedials = new Map<number, SetupRedial>()
  private readonly lateRedials = new Map<number, LateRedial>()
  private readonly known = new Map<string, Known>()
  /** The camera and screen streams we receive, by peer and kind: whether the call carries live video. */
  private readonly videoIn = new Map<string, MediaStream>()
  /** Per seat, the session we last announced as joined: a reconnect of the same session is not a new join. */
  private readonly announced = new Map<number, string>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null
  /** Liveness checks so far: every HEARTBEAT_MS / LIVENESS_CHECK_MS-th one also pings. */
  private livenessChecks = 0
  private readonly transportListeners: Unsubscribe[] = []
  private joined = false
  private left = false
  private serverAttempt = 0
  private serverRetryTimer: ReturnType<typeof setTimeout> | null = null
  /**
   * Counts our registrations with the signalling server. A dial's offer and answer travel through the server, so
   * a dial that had not opened when the server connection dropped was lost with it (the restarted server knows
   * nothing of it): such a stale dial is abandoned on re-registration and never wins a duplicate settlement.
   */
  private serverEpoch = 0
  /** Since when our connection to the signalling server is lost (Date.now()), or null while we have it. */
  private serverLostAt: number | null = null
  private key: SessionKey | null = null
  /** Our invite key's binding of our session key (./../room/credentials.ts), sent with our credential. */
  private bind = ''
  /** The op log; made when joining, with our session. */
  log: OpLog<Op>
  private readonly authorship: Authorship
  /** Signs and sends our ops in the order they were published. */
  private signing: Promise<void> = Promise.resolve()
  /** What gets into the op log: checks, budgets, ops waiting for their author's member record. */
  private readonly gate: OpGate<Op>
  /** Sessions whose arrival in the waiting room we told the user about. */
  private readonly waitingNoticed = new Set<string>()
  /** Invite keys the clinician let in from the waiting room. */
  private readonly admittedInvites = new Set<string>()
  /** Messages received, by type, on links already closed (debugView adds the open ones). */
  private readonly receivedOnClosedLinks: Record<string, number> = {}
  /** The screen we share, if any. */
  private screenStream: MediaStream | null = null
  /**
   * Per seat, a camera call that arrived before the data link it belongs to (both are offers through the server,
   * and either may come first): taken by that link when it comes, closed if it does not within
   * ADMISSION_TIMEOUT_MS. Never answered while here.
   */
  private readonly earlyCalls = new Map<number, MediaLink>()
  /** Per seat, what debugTapLink installed (the benchmark's round-trip breakdown); empty otherwise. */
  private readonly taps = new Map<number, LinkTap>()

  constructor(private readonly options: CallMeshOptions<M, Op>) {
    this.log = this.newLog('')
    this.authorship = new Authorship({ roomId: options.invite.roomId, roomKey: options.invite.roomKey })
    this.gate = new OpGate<Op>({
      authorship: this.authorship,
      validateOp: (op, author) => this.options.events.validateOp?.(op, author) !== false,
    })
  }

  private newLog(session: string): OpLog<Op> {
    return new OpLog<Op>(session, (op) => {
      // Member records and dismissals are the mesh's own: who is who. Everything else is a feature's.
      if (op.kind === 'member') return
      if (op.kind === 'dismiss') {
        this.applyDismiss(op as unknown as DismissOp)
        return
      }
      if (op.kind === 'admit') {
        this.applyAdmit(op as unknown as AdmitOp)
        return
      }
      this.options.events.applyOp(op)
      const keep = this.options.events.pruneAfter?.(op)
      if (keep) this.log.prune((kept) => CORE_OP_KINDS.has(kept.kind) || keep(kept))
      const limit = this.options.events.limitAfter?.(op)
      if (limit) this.log.prune((kept) => CORE_OP_KINDS.has(kept.kind) || limit(kept), { remember: true })
    })
  }

  /** Our session id: the hash of our session key ('' before joining). */
  get session(): string {
    return this.key?.session ?? ''
  }

  private trace(...details: unknown[]) {
    if (this.options.debug) console.info('[call]', `seat ${this.seat}`, ...details)
  }

  private get events() {
    return this.options.events
  }

  private get transport() {
    return this.options.transport
  }

  /** Our seat (0-based; -1 before we joined). */
  get seatIndex(): number {
    return this.seat
  }

  get displayName(): string {
    return this.options.displayName
  }

  get role(): Role {
    return this.options.invite.role
  }

  /** The role we claim: our invite's (a test may claim another, see `claimedRole`). */
  private get claimedRole(): Role {
    return this.options.claimedRole ?? this.options.invite.role
  }

  get serverConnected(): boolean {
    return this.transport.serverConnected
  }

  /** Takes the first free seat of the room and dials everyone already seated. */
  async join(): Promise<void> {
    const { invite } = this.options
    const prepared = await (this.options.prepared ?? prepareJoin(invite))
    const { sessionKey } = prepared
    this.key = sessionKey
    this.presented = prepared.presented
    this.log = this.newLog(sessionKey.session)
    this.admissionKey = prepared.admissionKey
    this.seatIds = this.options.seatIds ?? prepared.seatIds
    // Our member record first: every op we publish after it can be checked by anyone who has it. Signed while
    // the seats are being asked for.
    const [member, seat] = await Promise.all([
      signOp<MemberOp>(
        sessionKey,
        memberOpFor(sessionKey, this.options.displayName, this.claimedRole, prepared.presented, Date.now()),
      ),
      this.transport.registerFirst(this.seatIds),
    ])
    this.authorship.addOwn(member)
    this.log.add(member as unknown as Op)
    this.seat = seat
    if (this.left) {
      // Left while registering: nothing may stay registered behind our back.
      this.transport.destroy()
      return
    }
    if (this.seat < 0) throw new RoomFullError(this.seatIds.length)
    this.joined = true
    if (this.waiting) this.events.waiting?.(true)
    this.wireTransport()
    this.events.serverConnected(true)
    for (let seat = 0; seat < this.seatIds.length; seat++) if (seat !== this.seat) this.dial(seat)
    this.heartbeatTimer = setInterval(() => this.heartbeat(), LIVENESS_CHECK_MS)
  }

  private later(run: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      run()
    }, ms)
    this.timers.add(timer)
    return timer
  }

  private cancel(timer: ReturnType<typeof setTimeout> | null) {
    if (timer === null) return
    clearTimeout(timer)
    this.timers.delete(timer)
  }

  private wireTransport() {
    const t = this.transport
    this.transportListeners.push(
      t.onIncomingLink((link) => this.onIncomingLink(link)),
      t.onIncomingCall((call) => this.onIncomingCall(call)),
      t.onUnavailable((remoteId) => this.onUnavailable(remoteId)),
      // The signalling server only introduces: open calls carry on without it. Re-register so newcomers can
      // find us.
      t.onServerLost(() => {
        this.serverEpoch += 1
        this.serverLostAt ??= Date.now()
        this.events.serverConnected(false)
        this.scheduleServerRetry()
      }),
      t.onServerBack(() => {
        this.serverAttempt = 0
        this.events.serverConnected(true)
        this.trace('registered again')
        this.afterReregistration()
      }),
    )
  }

  /** An empty seat: the dial to it fails at the server. Nothing to tell the user, unless we were re-dialing. */
  private onUnavailable(remoteId: string) {
    for (const link of [...this.links.values()]) {
      if (!link.data.open && link.peerId === remoteId) this.dropLink(link, null)
    }
    for (const reconnect of [...this.reconnects.values()]) {
      // They are no longer at the server, so they are gone.
      if (reconnect.peerId === remoteId) this.giveUp(reconnect, 'unavailable')
    }
    const seat = this.seatIds.indexOf(remoteId)
    if (seat >= 0) {
      this.endSetupRedial(seat)
      this.endLateRedial(seat)
    }
  }

  /**
   * Back at the signalling server after it was away: dials that had not opened were lost with it, so each is
   * made again (a participant we are re-dialing is dialed at once by resumeReconnects; an empty seat answers
   * "unavailable" in a moment); a link admitted while the server was away could not offer its media then, so it
   * does now.
   */
  private afterReregistration() {
    for (const link of [...this.links.values()]) {
      if (!link.data.open && link.serverEpoch < this.serverEpoch) {
        this.trace('redial stale dial', link.seat, link.origin)
        this.dropLink(link, null)
        if (!this.links.has(link.seat) && !this.reconnects.has(link.seat)) this.dial(link.seat)
      } else if (link.origin === 'outgoing' && link.protocol.admitted && !link.media && !this.gated(link)) {
        this.startMedia(link)
      }
    }
    this.resumeReconnects()
    // Away longer than the re-dials last (RECONNECT_GIVE_UP_MS): we gave up on everyone and everyone on us, so no
    // link is left for anyone to re-dial. Dial every seat nobody is known or dialed on, as a join does (an empty
    // seat answers "unavailable"); the others take us in like a newcomer and the op logs catch us up.
    for (let seat = 0; seat < this.seatIds.length; seat++) {
      const peerId = this.seatIds[seat]
      if (seat === this.seat || peerId === undefined || this.links.has(seat) || this.reconnects.has(seat))
        continue
      const status = this.known.get(peerId)?.status
      if (status !== undefined && status !== 'gone') continue
      this.trace('dial after a long absence', seat)
      this.dial(seat)
    }
  }

  /**
   * Back at the signalling server: the participants we were re-dialing could not be dialed while it was away, so
   * that time does not count against them (RECONNECT_GIVE_UP_MS is time we could look for them), and each is
   * dialed now rather than at its loop's next turn. Through an SFU every link dies with the server connection, and
   * taking the seat back can take most of those 30 s on a loaded page: without this, a page that came back late
   * gave up on everyone seconds after it could reach them again, and waited for the late re-dials.
   */
  private resumeReconnects() {
    const lostAt = this.serverLostAt
    this.serverLostAt = null
    if (lostAt === null) return
    const now = Date.now()
    for (const reconnect of this.reconnects.values()) {
      reconnect.startedAt += now - Math.max(lostAt, reconnect.startedAt)
      reconnect.attempt = 0
      this.cancel(reconnect.timer)
      if (!this.links.has(reconnect.seat)) {
        this.trace('redial on return', reconnect.seat)
        this.dial(reconnect.seat)
      }
      this.scheduleRedial(reconnect)
    }
  }

  private scheduleServerRetry() {
    if (this.left || this.serverRetryTimer !== null) return
    // 0.5 s, 1 s, 2 s, 4 s, then every 5 s: quick after a blip, and back soon after a server restart, so a
    // newcomer finds our seat taken instead of taking it.
    const delay = Math.min(SERVER_RETRY_MAX_MS, 500 * 2 ** this.serverAttempt++)
    this.serverRetryTimer = this.later(() => {
      this.serverRetryTimer = null
      if (this.left || this.transport.serverConnected) return
      this.trace('re-registering')
      this.transport.reconnectServer()
      // An attempt that fails says so (server lost again) or says nothing: either way, the next one is due.
      this.scheduleServerRetry()
    }, delay)
  }

  private dial(seat: number) {
    const remoteId = this.seatIds[seat]
    if (!remoteId || this.left) return
    // Without the signalling server nobody can be dialed; the reconnect loop tries again.
    const data = this.transport.dial(remoteId, this.dialMetadata())
    if (!data) return
    const existing = this.links.get(seat)
    if (existing) this.detachLink(existing)
    const link = this.addLink(seat, remoteId, data, 'outgoing', null)
    // The camera call goes out with the dial, held: its handshake (ICE, DTLS) runs while admission does, and it
    // carries nothing of ours and shows nothing of theirs until admission passes (startMedia).
    if (this.transport.heldCalls) this.callMedia(link, true)
  }

  private dialMetadata(): DialMetadata {
    return { seat: this.seat, session: this.session }
  }

  private onIncomingLink(data: DataLink) {
    const dial = dialMetadataOf(data.metadata, this.seatIds.length)
    // Only someone who can compute this room's seat ids can reach us, and only the room's seats exist, so every
    // participant enforces the room's capacity itself. Still check that the claimed seat matches the caller's
    // id, so one participant cannot pose as another seat; admission then checks the secret.
    if (dial === null || dial.seat === this.seat || this.seatIds[dial.seat] !== data.remoteId || this.left) {
      data.close()
      return
    }
    // Refused earlier in this call: not again, under the same session (its dial says which; a new session of a
    // banned invite is refused at its hello). Closed before anything is said, so nothing is negotiated.
    const ban = this.authorship.banOf(dial.session)
    if (ban) {
      this.noticeReturn(ban)
      data.close()
      return
    }
    const existing = this.links.get(dial.seat)
    if (existing) {
      const keep = resolveDuplicateLink({
        mySeat: this.seat,
        remoteSeat: dial.seat,
        existingOrigin: existing.origin,
        existingIsStaleDial:
          existing.origin === 'outgoing' &&
          !existing.data.open &&
          (existing.serverEpoch < this.serverEpoch || Date.now() - existing.dialedAt > STALLED_DIAL_MS),
        existingRemoteSession: existing.remoteSession,
        incomingSession: dial.session,
      })
      this.trace('duplicate from', dial.seat, 'keep', keep)
      if (keep === 'existing') {
        data.close()
        return
      }
      this.detachLink(existing)
    }
    this.addLink(dial.seat, data.remoteId, data, 'incoming', dial.session)
    // Its camera call may have come first: handled now as if it had just arrived.
    const early = this.earlyCalls.get(dial.seat)
    if (early) {
      this.earlyCalls.delete(dial.seat)
      this.onIncomingCall(early)
    }
  }

  private addLink(
    seat: number,
    peerId: string,
    data: DataLink,
    origin: Link<M, Op>['origin'],
    remoteSession: string | null,
  ): Link<M, Op> {
    const now = Date.now()
    const current = () => this.links.get(seat) === link
    const protocol: PeerLink<M> = new PeerLink<M>({
      protocol: this.options.protocol,
      key: this.admissionKey as CryptoKey,
      sessionKey: this.key?.publicKey ?? '',
      fingerprints: () => data.fingerprints(),
      localId: this.seatIds[this.seat] as string,
      remoteId: peerId,
      version: this.options.protocolVersion,
      hello: () => {
        const { muted, cameraOff } = this.options.localMedia()
        return {
          type: 'hello',
          version: protocol.version,
          name: this.options.displayName,
          role: this.claimedRole,
          seat: this.seat,
          session: this.session,
          muted,
          cameraOff,
          credential: this.options.invite.credential,
          bind: this.bind,
        }
      },
      checkProof: (proof) => this.checkProof(link, proof),
      dropsUnread: (chars) =>
        protocol.remoteSession !== null && this.gate.dropsUnread(protocol.remoteSession, chars),
      credential: () => ({
        role: this.claimedRole,
        credential: this.presented as PresentedCredential,
      }),
      send: (text) => {
        this.taps.get(seat)?.('out', text)
        data.send(text)
      },
      sendBinary: (bytes) => {
        this.taps.get(seat)?.('out', bytes)
        data.send(bytes)
      },
      onFrame: (frame) => {
        const from = this.peerOf(link)
        if (current() && from) this.events.frame(frame, from)
      },
      onChunk: (chunk) => {
        const from = this.peerOf(link)
        if (current() && from && !this.authorship.isBanned(from.session, link.inviteId))
          this.events.chunk?.(chunk, from)
      },
      onAdmitted: () => {
        if (!current()) return
        this.trace('admitted', seat, origin)
        // Only someone who proved the room secret is shown as joining.
        if (!this.known.has(peerId)) this.upsert(peerId, { seat, status: 'connecting' })
        // Media only once the peer has proved the invite, and neither side is in the waiting room.
        if (this.gated(link)) return
        this.startMedia(link)
      },
      onHello: (hello, first) => {
        if (current() && first) this.onHello(link, hello)
      },
      onMessage: (message) => (current() ? this.onMessage(link, message) : undefined),
      onFailure: (failure) => {
        if (!current()) return
        this.trace('refused', seat, failure)
        if (failure.kind === 'flood' || failure.kind === 'forged') this.banAbuser(link)
        // A hello claiming another role than its proof: that session (proven) is not heard again this call.
        else if (failure.kind === 'invalid-credential' && protocol.remoteSession)
          this.authorship.ban(protocol.remoteSession, null, 'credential')
        const sentence = failureSentence(failure, protocol.remoteHello?.name ?? null)
        if (sentence) this.events.notify(sentence, 'error')
        else if (failure.kind !== 'banned') console.warn(`closed the connection to seat ${seat}:`, failure)
        this.dropLink(link, 'refused')
      },
      onIgnored: (reason, detail) => {
        console.warn(`ignored a message from seat ${seat}: ${reason} (${detail})`)
      },
    })
    /** The link's bulk lane, made when it opens (null before, and with a transport that has none). */
    let lane: BulkLane | null = null
    const link: Link<M, Op> = {
      seat,
      peerId,
      origin,
      data,
      protocol,
      remoteSession,
      media: null,
      screenOut: null,
      screenIn: null,
      pendingCall: null,
      mediaLive: false,
      heldStream: null,
      mediaSent: null,
      mediaStreamed: false,
      bytesReceived: 0,
      lastTransportActivity: now,
      mediaBytesReceived: 0,
      lastMediaActivity: null,
      lastSampleAt: now,
      sampling: false,
      dialTimer: null,
      serverEpoch: this.serverEpoch,
      dialedAt: now,
      inviteId: null,
      pending: [],
      remoteWaits: false,
      full: false,
      unacknowledged: new Set(),
      outbox: new Outbox<Op>({
        send: (message) => protocol.send(message as unknown as AppMessage<M>),
        ready: () => current() && protocol.ready,
        limits: this.options.protocol.limits,
        ownOps: { author: () => this.session, ...OWN_OPS_PACE },
      }),
      bulk: new BulkSender({
        ...laneOrLink(
          data,
          () => lane,
          (bytes) => current() && protocol.ready && protocol.sendFrame(bytes),
          () => current() && protocol.ready,
        ),
        yieldsToMedia: () => this.carriesLiveVideo(),
      }),
      qualityCounters: null,
      unsubscribe: [],
    }
    this.links.set(seat, link)
    link.dialTimer = this.later(() => {
      if (!link.protocol.ready && current()) this.dropLink(link, 'lost')
    }, DIAL_TIMEOUT_MS)
    const admissionTimer = this.later(() => {
      // Opened, but no proof of the secret: not a participant we list or keep.
      if (current() && data.open && !link.protocol.admitted) {
        this.trace('no proof in time', seat)
        this.dropLink(link, 'lost')
      }
    }, ADMISSION_TIMEOUT_MS)
    link.unsubscribe.push(() => this.cancel(admissionTimer))
    link.unsubscribe.push(
      data.onOpen(() => {
        if (!current()) return
        protocol.lastHeard = Date.now()
        this.trace('open', seat, origin)
        // Both sides make the lane as their link opens: it is up before either may send a piece.
        if (!lane) {
          lane = data.bulkLane?.() ?? null
          if (lane) link.unsubscribe.push(lane.onData((raw) => current() && protocol.receiveBulk(raw)))
        }
        protocol.start()
      }),
      data.onData((raw) => {
        if (!current()) return
        this.taps.get(seat)?.('in', raw)
        protocol.receive(raw)
      }),
      data.onClose(() => {
        if (current()) this.dropLink(link, 'lost')
      }),
    )
    return link
  }

  /** Keeps our own record of a participant and tells the app. */
  /**
   * Video is live in the call on this page (our camera, or anyone's camera or screen we receive): bulk transfers
   * then yield to it (./bulk-sender).
   */
  private carriesLiveVideo(): boolean {
    return carriesLiveVideo(this.options.localMedia(), this.screenStream, this.videoIn.values())
  }

  private upsert(peerId: string, patch: ParticipantPatch) {
    for (const kind of ['stream', 'screen'] as const) {
      const stream = patch[kind]
      if (stream) this.videoIn.set(`${peerId}|${kind}`, stream)
      else if (stream === null) this.videoIn.delete(`${peerId}|${kind}`)
    }
    const known = this.known.get(peerId) ?? {
      peerId,
      seat: patch.seat,
      name: 'Joining',
      status: 'connecting',
    }
    if (patch.name !== undefined) known.name = patch.name
    if (patch.status !== undefined) known.status = patch.status
    known.seat = patch.seat
    this.known.set(peerId, known)
    this.events.participant(peerId, patch)
  }

  private removeKnown(peerId: string) {
    this.videoIn.delete(`${peerId}|stream`)
    this.videoIn.delete(`${peerId}|screen`)
    if (!this.known.delete(peerId)) return
    this.events.participantRemoved(peerId)
  }

  private peerOf(link: Link<M, Op>): MeshPeer | null {
    const hello = link.protocol.remoteHello
    if (!hello || link.remoteSession === null) return null
    return {
      peerId: link.peerId,
      seat: link.seat,
      session: link.remoteSession,
      role: hello.role,
      name: hello.name,
    }
  }

  /**
   * A proof whose HMAC verified, before we admit its sender and send it anything: its credential proves its role
   * for its session key, and neither its session nor its invite is banned.
   */
  private async checkProof(link: Link<M, Op>, proof: ProofMessage): Promise<LinkFailure | null> {
    const session = await sessionOf(proof.key)
    const ban = this.authorship.banOf(session, proof.credential.key)
    if (ban) {
      this.noticeReturn(ban)
      return { kind: 'banned' }
    }
    if (!(await this.authorship.verifyCredential(proof.role, proof.credential, proof.key))) {
      // A role its invite does not prove: this session (proven by its key) is refused for the rest of the call,
      // so its re-dials are closed unheard instead of each costing a handshake and a notice. Not its invite key:
      // that one was not proven, and naming someone else's must not get them banned.
      if (session) this.authorship.ban(session, null, 'credential')
      return { kind: 'invalid-credential' }
    }
    // Proven now: what a ban of this link names besides its session, and whether it asked to wait.
    link.inviteId = proof.credential.key
    link.remoteWaits = proof.credential.wait
    return null
  }

  /**
   * Abuse: refused for the rest of the call, by session and by invite (a new session key will not help). Only
   * what is proven: the session its proof's key hashes to and the invite key its verified credential names; never
   * the session its dial claimed, which anyone could set to someone else's.
   */
  private banAbuser(link: Link<M, Op>) {
    const session = link.protocol.remoteSession
    if (session) this.authorship.ban(session, link.inviteId)
  }

  /**
   * Someone refused for abuse came back (the same session re-dialing, or a new session of the same invite): said
   * once per ban, however often they try. A refused credential was said when it was refused.
   */
  private noticeReturn(ban: Ban) {
    if (ban.noticed) return
    ban.noticed = true
    this.events.notify(
      'A participant who was disconnected earlier in this call tried to come back and was refused.',
      'error',
    )
  }

  private onHello(link: Link<M, Op>, hello: HelloMessage) {
    if (hello.seat !== link.seat || (link.remoteSession !== null && hello.session !== link.remoteSession)) {
      // A hello that contradicts the connection it came on: not a participant we can place.
      this.dropLink(link, 'refused')
      return
    }
    link.remoteSession = hello.session
    this.trace('hello from', link.seat, hello.name)
    this.cancel(link.dialTimer)
    link.dialTimer = null
    this.endSetupRedial(link.seat)
    this.endLateRedial(link.seat)
    const gated = this.gated(link)
    this.upsert(link.peerId, {
      seat: link.seat,
      session: hello.session,
      inviteKey: link.inviteId ?? undefined,
      name: hello.name,
      role: hello.role,
      muted: hello.muted,
      cameraOff: hello.cameraOff,
      status: gated ? 'waiting' : 'connected',
    })
    const reconnect = this.reconnects.get(link.seat)
    if (reconnect) this.endReconnect(reconnect)
    if (gated) {
      // The waiting room: who is who, who is let in or asked to leave, nothing of the call itself.
      link.outbox.enqueueOps(this.log.missingFor(hello.session).filter((op) => this.crossesGate(op.kind)))
      if (link.remoteWaits && !this.waiting && !this.waitingNoticed.has(hello.session)) {
        this.waitingNoticed.add(hello.session)
        this.events.notify(`${hello.name} is waiting to be let in.`)
      }
      return
    }
    link.full = true
    // Our hello said what our microphone and camera were when it left; a change since (a large room's presenter
    // letting us show video just then) was broadcast to ready links only, which this one was not yet.
    const { muted, cameraOff } = this.options.localMedia()
    this.sendOn(link, { type: 'media-state', muted, cameraOff })
    // A camera call answered before our stream was there, and released before this link could carry a message.
    if (link.origin === 'incoming' && link.mediaLive) this.renewMedia(link)
    const first = this.announced.get(link.seat) !== hello.session
    if (first) {
      this.announced.set(link.seat, hello.session)
      this.events.notify(`${hello.name} (${ROLE_LABELS[hello.role]}) joined.`)
    } else if (reconnect) {
      this.events.notify(`Reconnected to ${hello.name}.`)
    }
    // Whatever they have not acknowledged yet: everything, for a newcomer (the snapshot), or what was in flight
    // when the link dropped; history a feature marks so, newest first (./replication snapshotOrder).
    const newestFirst = this.options.events.newestFirst ?? (() => false)
    link.outbox.enqueueOps(snapshotOrder(this.log.missingFor(hello.session), newestFirst))
    const peer = this.peerOf(link)
    if (peer) this.events.linkReady?.(peer, first)
    if (this.screenStream && !link.screenOut) this.callScreen(link)
  }

  private onMessage(link: Link<M, Op>, message: AppMessage<M>): void | Promise<void> {
    const from = this.peerOf(link)
    if (!from || this.authorship.isBanned(from.session, link.inviteId)) return
    // In the waiting room only the call layer's own messages pass: no feature's data either way.
    const type = (message as { type: string }).type
    if (this.gated(link) && !['ops', 'ack', 'media-state', 'bye'].includes(type)) return
    const core = message as unknown as CoreMessage | OpsMessage<Op> | { type: '' }
    switch (core.type) {
      case 'media-state':
        this.upsert(link.peerId, { seat: link.seat, muted: core.muted, cameraOff: core.cameraOff })
        return
      case 'ops':
        return this.receiveOps(link, from, core.items)
      case 'ack':
        this.log.acknowledged(from.session, core.ids)
        return
      case 'bye':
        this.dropLink(link, 'left')
        return
      case 'call-again':
        // Only our own camera call is made again (theirs to us would lose a duplicate settlement); one not made
        // yet will be answered with what they have then.
        if (link.origin !== 'outgoing' || !link.media) return
        this.trace('call again, asked by', link.seat)
        this.callMedia(link, !link.mediaLive)
        return
      default:
        this.events.message(message as unknown as FeatureMessage<M>, from)
    }
  }

  /**
   * Ops from a link, in order: each is checked (./op-gate: its author signed it, its id is its author's, its date,
   * its author's budget and a feature's own rules hold) before it is applied; the first forgery ends the link as
   * abuse. Ops whose author's member record has not come yet wait for it. What we hold is acknowledged,
   * duplicates too (the sender resent them because it did not know we held them).
   */
  private async receiveOps(link: Link<M, Op>, from: MeshPeer, items: Op[]) {
    const queue = [...link.pending, ...items]
    link.pending = []
    const admitted = await this.gate
      .admit(queue, this.log, from.session, {
        current: () => this.links.get(link.seat) === link,
        // From or to the waiting room, only who-is-who ops and the app's waiting-room ones: the rest waits (unacknowledged) until the gate opens,
        // which an admission further on in the same stream may do.
        holds: (op) => this.gated(link) && !this.crossesGate(op.kind),
      })
      // What was applied before a forgery or a replaced link is shown all the same.
      .finally(() => this.events.opsApplied?.())
    if (!admitted) return
    if (admitted.forged) {
      link.protocol.refuse({ kind: 'forged', detail: admitted.forged, identity: admitted.identity })
      return
    }
    link.pending = admitted.waiting.slice(-MAX_PENDING_OPS)
    const { held } = admitted
    for (let i = 0; i < held.length; i += MAX_ACKS_PER_MESSAGE) {
      this.sendOn(link, { type: 'ack', ids: held.slice(i, i + MAX_ACKS_PER_MESSAGE) })
    }
  }

  /** Our camera call to them (the dialer's side); `held` as in MeshTransport.call. */
  private callMedia(link: Link<M, Op>, held = false) {
    const { stream } = this.options.localMedia()
    const call = this.transport.call(link.peerId, stream, this.dialMetadata(), held)
    if (!call) return
    this.wireCall(link, call, held)
    link.mediaSent = stream
  }

  /**
   * Media may flow on this link now (admitted, nobody waiting): a held call is released (our tracks go out) and the
   * stream it brought is shown; without a call, the dialer makes one and the answerer answers the one it holds.
   */
  private startMedia(link: Link<M, Op>) {
    const call = link.media
    if (call && !link.mediaLive && link.origin === 'outgoing' && this.mediaOutdated(link)) {
      // Made with the dial, before our camera and microphone were there (Join clicked before the browser's
      // permission was answered): released, it would carry nothing of ours for the rest of the call.
      this.trace('held call carries an old stream: calling again', link.seat)
      this.callMedia(link)
      // Not made (the signalling server is away): the held one is better than none.
      if (link.media !== call) return
    }
    if (call && !link.mediaLive) {
      link.mediaLive = true
      call.release?.()
      this.trace('media released', link.seat)
      this.applyVideoBudget()
      const stream = link.heldStream
      link.heldStream = null
      // Answered before our camera and microphone were there: the dialer is asked for a call we can answer with them.
      if (link.origin === 'incoming') this.renewMedia(link)
      if (stream) this.upsert(link.peerId, { seat: link.seat, stream })
      else if (link.origin === 'outgoing') {
        this.later(() => {
          if (this.links.get(link.seat) !== link || link.media !== call || link.mediaStreamed) return
          this.trace('held call brought nothing: calling again', link.seat)
          this.callMedia(link)
        }, HELD_CALL_GRACE_MS)
      }
      return
    }
    if (call) return
    if (link.origin === 'outgoing') this.callMedia(link)
    else if (link.pendingCall) this.answerCall(link, link.pendingCall)
  }

  private onIncomingCall(call: MediaLink) {
    if ((call.metadata as Partial<DialMetadata> | null)?.purpose === 'screen') {
      this.onIncomingScreen(call)
      return
    }
    const dial = dialMetadataOf(call.metadata, this.seatIds.length)
    const link = dial === null ? undefined : this.links.get(dial.seat)
    if (
      dial &&
      this.transport.heldCalls &&
      !this.left &&
      dial.seat !== this.seat &&
      this.seatIds[dial.seat] === call.remoteId &&
      (link?.origin !== 'incoming' || (link.remoteSession !== null && link.remoteSession !== dial.session))
    ) {
      // Ahead of its data link (none yet, or the one it will replace: our own dial to them, their previous
      // session's): kept, unanswered, until that link comes (onIncomingLink) or for a while. Closing it would
      // leave their held call waiting for an answer that never comes.
      this.earlyCalls.get(dial.seat)?.close()
      this.earlyCalls.set(dial.seat, call)
      this.later(() => {
        if (this.earlyCalls.get(dial.seat) !== call) return
        this.earlyCalls.delete(dial.seat)
        call.close()
      }, ADMISSION_TIMEOUT_MS)
      return
    }
    // Media is only answered for a participant whose data connection is up, from the same session, and only
    // from the side that dialed the data connection we kept: a call from the losing side of a simultaneous dial
    // would otherwise replace the winning one.
    if (
      !link ||
      !dial ||
      link.origin !== 'incoming' ||
      link.peerId !== call.remoteId ||
      (link.remoteSession !== null && link.remoteSession !== dial.session)
    ) {
      call.close()
      return
    }
    const answerable = link.protocol.admitted && !this.gated(link)
    if (this.transport.heldCalls) {
      // Answered at once, held: the handshake runs beside admission; nothing of ours goes out and nothing of
      // theirs is shown until startMedia (now, if admission already passed).
      this.trace('call from', link.seat, answerable ? 'answering' : 'answering held')
      this.answerCall(link, call, true)
      if (answerable) this.startMedia(link)
      return
    }
    this.trace('call from', link.seat, answerable ? 'answering' : 'held until admitted')
    if (answerable) this.answerCall(link, call)
    else {
      link.pendingCall?.close()
      link.pendingCall = call
    }
  }

  /**
   * A participant's shared screen: answered (receiving only) once their link is ready, from the session on it; a
   * newer one replaces an older one.
   */
  private onIncomingScreen(call: MediaLink) {
    const dial = dialMetadataOf(call.metadata, this.seatIds.length)
    const link = dial === null ? undefined : this.links.get(dial.seat)
    if (
      !link ||
      !dial ||
      !link.protocol.ready ||
      this.gated(link) ||
      link.peerId !== call.remoteId ||
      link.remoteSession !== dial.session
    ) {
      call.close()
      return
    }
    link.screenIn?.close()
    link.screenIn = call
    call.answer(null)
    call.onStream((stream) => {
      if (this.links.get(link.seat) === link && link.screenIn === call)
        this.upsert(link.peerId, { seat: link.seat, screen: stream })
    })
    call.onClose(() => {
      if (this.links.get(link.seat) !== link || link.screenIn !== call) return
      link.screenIn = null
      this.upsert(link.peerId, { seat: link.seat, screen: null })
    })
  }

  /** Our shared screen to one participant, as a media call of its own. */
  private callScreen(link: Link<M, Op>) {
    link.screenOut?.close()
    link.screenOut = null
    if (!this.screenStream) return
    const call = this.transport.call(link.peerId, this.screenStream, {
      ...this.dialMetadata(),
      purpose: 'screen',
    })
    link.screenOut = call
  }

  /**
   * Shares our screen with everyone (and whoever joins later), or stops with null. Each participant gets it as a
   * media call of its own, so the camera's call is never renegotiated.
   */
  shareScreen(stream: MediaStream | null) {
    this.screenStream = stream
    for (const link of this.fullLinks()) this.callScreen(link)
  }

  private answerCall(link: Link<M, Op>, call: MediaLink, held = false) {
    link.pendingCall = null
    const { stream } = this.options.localMedia()
    call.answer(stream, held)
    this.wireCall(link, call, held)
    link.mediaSent = stream
  }

  private wireCall(link: Link<M, Op>, call: MediaLink, held = false) {
    // The new call is the link's before the old one closes, so the old one's close is not taken for the end of
    // their video (see onClose below).
    const previous = link.media
    link.media = call
    if (previous && previous !== call) previous.close()
    link.mediaLive = !held
    link.heldStream = null
    link.mediaStreamed = false
    this.applyVideoBudget()
    call.onStream((stream) => {
      this.trace('stream from', link.seat, link.mediaLive ? 'shown' : 'held')
      if (this.links.get(link.seat) !== link || link.media !== call) return
      link.mediaStreamed = true
      if (!link.mediaLive) {
        link.heldStream = stream
        return
      }
      this.applyVideoBudget()
      this.upsert(link.peerId, { seat: link.seat, stream })
    })
    call.onClose(() => {
      if (this.links.get(link.seat) !== link || link.media !== call) return
      if (!link.mediaLive) {
        // A held call that died before media could flow: made or answered anew when it may (startMedia).
        link.media = null
        link.heldStream = null
        return
      }
      // A camera call made again (a stream changed: renewMedia, 'call-again') ends the old one, whose close can come
      // before the new call's stream: their last picture stays up meanwhile instead of "Connecting…", and only if
      // no new call took its place in CALL_REMADE_GRACE_MS is their video gone. Without the link, it is gone now.
      if (link.data.open) {
        this.later(() => {
          if (this.links.get(link.seat) === link && link.media === call)
            this.upsert(link.peerId, { seat: link.seat, stream: null })
        }, CALL_REMADE_GRACE_MS)
        return
      }
      this.upsert(link.peerId, { seat: link.seat, stream: null })
    })
  }

  /** Every LIVENESS_CHECK_MS: each link's liveness and a transport sample; a ping every HEARTBEAT_MS. */
  private heartbeat() {
    const now = Date.now()
    this.livenessChecks += 1
    const ping = this.livenessChecks % Math.round(HEARTBEAT_MS / LIVENESS_CHECK_MS) === 0
    const resend = this.livenessChecks % Math.round(RESEND_CHECK_MS / LIVENESS_CHECK_MS) === 0
    for (const link of [...this.links.values()]) {
      if (!link.data.open) continue
      // A link still in admission or hello is governed by its setup timeout, not by silence: two busy pages can
      // take seconds to get through the handshake.
      if (!link.protocol.ready) {
        void this.sampleTransport(link, ping)
        continue
      }
      const stale = now - link.lastSampleAt > SAMPLE_STALE_MS
      const liveness = {
        messageSilenceMs: now - link.protocol.lastHeard,
        transportSilenceMs: stale ? null : now - link.lastTransportActivity,
        ice: link.data.iceState,
        // Through the SFU: the relay's word on whether they are in the room (see peerIsGone).
        relayPresent: link.data.relayPresent,
        mediaSilenceMs: link.lastMediaActivity === null ? null : now - link.lastMediaActivity,
      }
      if (peerIsGone(liveness)) {
        this.dropLink(link, 'lost')
        continue
      }
      if (ping) link.protocol.send({ type: 'ping', sentAt: now })
      if (resend) this.resendUnacknowledged(link)
      void this.sampleTransport(link, ping)
    }
  }

  /**
   * Sends again what of ours a ready link left unacknowledged over a whole RESEND_CHECK_MS while nothing of ours
   * waited for it (see RESEND_CHECK_MS): ops it ignored over a budget, or lost in a stall. A link in the waiting room is
   * sent only who-is-who ops, as on its hello.
   */
  private resendUnacknowledged(link: Link<M, Op>) {
    const session = link.remoteSession
    if (session === null || link.outbox.pendingOps > 0) {
      link.unacknowledged = new Set()
      return
    }
    const gated = this.gated(link)
    // Only ops we authored: someone else's op that the receiver ignored over its author's budget must not come
    // back relayed by us, where no rate applies (a flood would pass through every honest peer). Another author's
    // op the receiver lacks still reaches it with the snapshot on its next hello.
    const missing = this.log
      .missingFor(session)
      .filter((op) => op.author === this.session && (!gated || CORE_OP_KINDS.has(op.kind)))
    const again = missing.filter((op) => link.unacknowledged.has(op.id)).slice(0, RESEND_MAX_OPS)
    link.unacknowledged = new Set(missing.map((op) => op.id))
    if (again.length === 0) return
    this.trace('resend', link.seat, again.length, 'unacknowledged ops')
    link.outbox.enqueueOps(again)
  }

  /**
   * One stats sample per connection every LIVENESS_CHECK_MS, for two things: whether any byte arrived since the
   * last sample (see peerIsGone), and, with `quality` (once per heartbeat, the interval its rates are read over),
   * the connection quality shown for the participant (./quality).
   */
  private async sampleTransport(link: Link<M, Op>, quality = true) {
    if (link.sampling) return
    link.sampling = true
    const reports = await Promise.all([
      link.data.stats(),
      link.media?.stats() ?? Promise.resolve([]),
    ]).finally(() => {
      link.sampling = false
    })
    let total = 0
    let media = 0
    for (const stat of reports.flat() as Array<{ type: string; bytesReceived?: number }>) {
      if (stat.type === 'transport') total += stat.bytesReceived ?? 0
      else if (stat.type === 'inbound-rtp') media += stat.bytesReceived ?? 0
    }
    const now = Date.now()
    link.lastSampleAt = now
    if (media !== link.mediaBytesReceived) {
      link.mediaBytesReceived = media
      link.lastMediaActivity = now
    }
    if (total !== link.bytesReceived) {
      link.bytesReceived = total
      // Dated from this sample, not the previous one: on two busy cores samples come late, and dating bytes
      // earlier made busy pages look silent for 3 s (a crash is then noticed in 4-5 s instead of 3.5-4.5 s).
      link.lastTransportActivity = now
    }
    // The link may have been replaced meanwhile, and a participant who left must not come back as "Joining".
    if (!quality || this.links.get(link.seat) !== link || !this.known.has(link.peerId)) return
    const sample = measureQuality(reports, link.qualityCounters)
    link.qualityCounters = sample.counters
    if (link.protocol.ready) this.upsert(link.peerId, { seat: link.seat, quality: sample.quality })
  }

  /** Re-splits our video uplink between the media calls (after a call starts or ends). */
  private applyVideoBudget() {
    // Held calls send nothing: only live ones share the uplink.
    const calls = [...this.links.values()].flatMap((link) =>
      link.media && link.mediaLive ? [link.media] : [],
    )
    const budget = videoSendBudget(calls.length)
    for (const call of calls) call.setVideoBudget(budget)
  }

  /** Closes a link's connections without touching the participant (a replacement link takes over). */
  private detachLink(link: Link<M, Op>) {
    this.cancel(link.dialTimer)
    link.outbox.dispose()
    link.bulk.dispose()
    if (this.links.get(link.seat) === link) this.links.delete(link.seat)
    link.protocol.close()
    for (const [type, count] of Object.entries(link.protocol.received)) {
      this.receivedOnClosedLinks[type] = (this.receivedOnClosedLinks[type] ?? 0) + count
    }
    for (const unsubscribe of link.unsubscribe) unsubscribe()
    link.media?.close()
    link.screenOut?.close()
    link.screenIn?.close()
    link.pendingCall?.close()
    link.data.close()
  }

  /**
   * A link ends. `left`: they said goodbye. `lost`: it died (closed, heartbeats and transport silent, ICE
   * failed): if it was working, we re-dial. `refused`: admission or the protocol failed: no re-dial. null: a
   * dial that never got anywhere (an empty seat, or lost with the signalling server).
   */
  private dropLink(link: Link<M, Op>, why: 'left' | 'lost' | 'refused' | null) {
    if (this.links.get(link.seat) !== link) return
    this.trace('drop', link.seat, why ?? 'unanswered', link.origin, {
      ready: link.protocol.ready,
      silentMs: Date.now() - link.protocol.lastHeard,
    })
    const wasReady = link.protocol.ready
    this.detachLink(link)
    this.applyVideoBudget()
    const participant = this.known.get(link.peerId)
    const reconnect = this.reconnects.get(link.seat)
    // Someone is in that seat (the connection opened): whether or not the handshake finished, try again.
    if (why === 'lost' && !this.left && participant && participant.status !== 'gone') {
      this.startReconnect(link.seat, link.peerId, participant.name)
      return
    }
    if (reconnect && why !== 'left' && why !== 'refused') return // an attempt failed; the loop goes on
    if (reconnect) this.endReconnect(reconnect)
    if (!participant) {
      // A dial that died without ever being ready, where nobody is known yet: the seat may well be taken by
      // someone whose answer was lost (a signalling server restart, a duplicate refused on their side). Dial
      // again; an empty seat ends this at once (why === null).
      if (why === 'lost' && !wasReady && !this.left) this.scheduleSetupRedial(link.seat)
      else if (why === null) this.endSetupRedial(link.seat)
      return
    }
    this.removeKnown(link.peerId)
    this.events.peerGone?.(link.peerId, link.remoteSession)
    if (link.remoteSession) this.log.forget(link.remoteSession)
    if (why === 'left' && wasReady) this.events.notify(`${participant.name} left the call.`)
  }

  private scheduleSetupRedial(seat: number) {
    const redial = this.setupRedials.get(seat) ?? { attempt: 0, timer: null }
    this.setupRedials.set(seat, redial)
    if (redial.timer || redial.attempt >= SETUP_REDIAL_ATTEMPTS) return
    const delay = 1000 * 2 ** redial.attempt
    redial.attempt += 1
    this.trace('redial soon', seat, { attempt: redial.attempt, delay })
    redial.timer = this.later(() => {
      redial.timer = null
      if (this.left || this.links.has(seat) || this.reconnects.has(seat)) return
      this.dial(seat)
    }, delay)
  }

  private endSetupRedial(seat: number) {
    const redial = this.setupRedials.get(seat)
    if (redial) this.cancel(redial.timer)
    this.setupRedials.delete(seat)
  }

  private scheduleLateRedial(seat: number) {
    const late = this.lateRedials.get(seat) ?? { until: Date.now() + LATE_REDIAL_FOR_MS, timer: null }
    this.lateRedials.set(seat, late)
    if (late.timer) return
    late.timer = this.later(() => {
      late.timer = null
      if (this.left || Date.now() > late.until) {
        this.lateRedials.delete(seat)
        return
      }
      if (!this.links.has(seat) && !this.reconnects.has(seat)) {
        this.trace('dial again after giving up', seat)
        this.dial(seat)
      }
      this.scheduleLateRedial(seat)
    }, LATE_REDIAL_MS)
  }

  private endLateRedial(seat: number) {
    const late = this.lateRedials.get(seat)
    if (late) this.cancel(late.timer)
    this.lateRedials.delete(seat)
  }

  private startReconnect(seat: number, peerId: string, name: string) {
    if (this.reconnects.has(seat)) return
    this.trace('reconnecting', seat)
    this.upsert(peerId, { seat, status: 'reconnecting', stream: null })
    const reconnect: Reconnect = { seat, peerId, name, startedAt: Date.now(), attempt: 0, timer: null }
    this.reconnects.set(seat, reconnect)
    this.scheduleRedial(reconnect)
  }

  private scheduleRedial(reconnect: Reconnect) {
    // Both sides re-dial; a simultaneous pair is settled like any duplicate (the lower seat's dial wins).
    const delay = Math.min(4000, 250 * 2 ** reconnect.attempt)
    reconnect.timer = this.later(() => this.redial(reconnect), delay)
  }

  private redial(reconnect: Reconnect) {
    if (this.reconnects.get(reconnect.seat) !== reconnect || this.left) return
    // Without our signalling server nobody can be dialed, and nothing is learnt about them: the give-up clock
    // waits for it to be back (resumeReconnects).
    if (!this.transport.serverConnected) {
      reconnect.attempt += 1
      this.scheduleRedial(reconnect)
      return
    }
    if (Date.now() - reconnect.startedAt > RECONNECT_GIVE_UP_MS) {
      this.giveUp(reconnect, 'timeout')
      return
    }
    reconnect.attempt += 1
    const link = this.links.get(reconnect.seat)
    // A link in progress (theirs or ours) gets its chance; a stalled one is replaced.
    if (!link || (!link.protocol.ready && reconnect.attempt % 3 === 0)) this.dial(reconnect.seat)
    this.scheduleRedial(reconnect)
  }

  private endReconnect(reconnect: Reconnect) {
    this.cancel(reconnect.timer)
    if (this.reconnects.get(reconnect.seat) === reconnect) this.reconnects.delete(reconnect.seat)
  }

  private giveUp(reconnect: Reconnect, why: 'unavailable' | 'timeout') {
    if (this.reconnects.get(reconnect.seat) !== reconnect) return
    this.trace('gone', reconnect.seat, why)
    this.endReconnect(reconnect)
    if (why === 'timeout') this.scheduleLateRedial(reconnect.seat)
    const link = this.links.get(reconnect.seat)
    if (link) this.detachLink(link)
    this.upsert(reconnect.peerId, { seat: reconnect.seat, status: 'gone', stream: null })
    this.events.notify(
      this.announced.has(reconnect.seat)
        ? `The connection to ${reconnect.name} was lost.`
        : 'A participant who was joining could not be reached.',
    )
    this.later(() => {
      if (this.known.get(reconnect.peerId)?.status !== 'gone') return
      this.removeKnown(reconnect.peerId)
      this.events.peerGone?.(reconnect.peerId, this.announced.get(reconnect.seat) ?? null)
    }, GONE_LINGER_MS)
  }

  /** Any message on one link: the protocol typed it when it was built; the link checks admission. */
  private sendOn(link: Link<M, Op>, message: CoreMessage | FeatureMessage<M>) {
    link.protocol.send(message as unknown as AppMessage<M>)
  }

  /** Everyone we have a working link to. */
  private readyLinks(): Link<M, Op>[] {
    return [...this.links.values()].filter((link) => link.protocol.ready)
  }

  /** Everyone we share the call with: a working link, and neither side in the waiting room. */
  private fullLinks(): Link<M, Op>[] {
    return this.readyLinks().filter((link) => !this.gated(link))
  }

  /** We wait to be let in: our invite waits, and the clinician has not let it in. */
  get waiting(): boolean {
    const credential = this.options.invite.credential
    return credential.wait === true && !this.admittedInvites.has(credential.key)
  }

  /** Whether ops of this kind pass the waiting room: who is who, and what the app lets a waiting patient send. */
  private crossesGate(kind: string): boolean {
    return CORE_OP_KINDS.has(kind) || this.options.waitingRoomOpKinds?.has(kind) === true
  }

  /** Whether the waiting room stands between us and this link's peer (on their side or ours). */
  private gated(link: Link<M, Op>): boolean {
    return this.waiting || (link.remoteWaits && !this.admittedInvites.has(link.inviteId ?? ''))
  }

  /** Lets an invite in from the waiting room (the clinician only), for the rest of the call. */
  admit(inviteKey: string) {
    if (this.options.invite.role !== 'clinician') return
    const op: Omit<AdmitOp, 'sig'> = {
      kind: 'admit',
      id: this.nextOpId(),
      author: this.session,
      at: Date.now(),
      target: inviteKey,
    }
    this.publish(op as unknown as DistributiveOmit<Op, 'sig'>)
  }

  /** An invite was let in: every link that now carries the whole call starts doing so. */
  private applyAdmit(op: AdmitOp) {
    const wasWaiting = this.waiting
    this.admittedInvites.add(op.target)
    if (wasWaiting && !this.waiting) this.events.waiting?.(false)
    for (const link of [...this.links.values()]) {
      if (!link.protocol.ready || link.full || this.gated(link)) continue
      const hello = link.protocol.remoteHello
      if (hello) this.onHello(link, hello)
      this.startMedia(link)
      // What arrived while the gate was closed, and waited for it.
      const peer = this.peerOf(link)
      if (peer && link.pending.length > 0) void this.receiveOps(link, peer, [])
    }
  }

  /**
   * An op we author: signed, applied here and sent to everyone, now or when they (re)connect. Signing takes a
   * moment (WebCrypto is asynchronous); ops are applied and sent in the order they were published.
   */
  publish(op: DistributiveOmit<Op, 'sig'>) {
    const key = this.key
    if (!key || this.left) return
    this.signing = this.signing.then(async () => {
      const signed = await signOp<Op>(key, op as Omit<Op, 'sig'>)
      if (this.left) return
      this.log.add(signed)
      this.events.opsApplied?.()
      // Who-is-who ops (and the app's waiting-room ones) reach the waiting room too; the call's own only those
      // who share it.
      const links = this.crossesGate(signed.kind) ? this.readyLinks() : this.fullLinks()
      for (const link of links) link.outbox.enqueueOps([signed])
    })
  }

  /**
   * Asks a participant to leave (the clinician only): everyone, and everyone who joins later, refuses their session
   * and their invite for the rest of the call.
   */
  dismiss(target: string) {
    if (this.options.invite.role !== 'clinician' || target === this.session) return
    const op: Omit<DismissOp, 'sig'> = {
      kind: 'dismiss',
      id: this.nextOpId(),
      author: this.session,
      at: Date.now(),
      target,
    }
    this.publish(op as unknown as DistributiveOmit<Op, 'sig'>)
  }

  /** A dismissal became known here: the target is refused from now on; if it is us, we are out. */
  private applyDismiss(op: DismissOp) {
    const target = this.authorship.member(op.target)
    const by = this.authorship.member(op.author)?.name ?? 'The clinician'
    this.authorship.ban(op.target, target?.inviteKey ?? null)
    if (op.target === this.session) {
      this.events.dismissed?.(by)
      return
    }
    for (const link of [...this.links.values()]) {
      if (link.remoteSession !== op.target) continue
      // A moment for the op itself to reach them (it is on its way in the outbox), then the link closes.
      this.later(() => {
        if (this.links.get(link.seat) === link) this.dropLink(link, 'refused')
      }, DISMISS_FLUSH_MS)
      if (this.known.has(link.peerId)) {
        this.removeKnown(link.peerId)
        this.events.peerGone?.(link.peerId, op.target)
      }
    }
    if (target) this.events.notify(`${by} asked ${target.name} to leave the call.`)
  }

  /** Resolves once every op published so far is signed, applied and queued (tests, leaving). */
  published(): Promise<void> {
    return this.signing
  }

  /** A fresh op id: our session and a counter. */
  nextOpId(): string {
    return this.log.nextId()
  }

  /** A message to everyone admitted, now; nothing is queued or resent. */
  broadcast(message: FeatureMessage<M> | Extract<CoreMessage, { type: 'media-state' }>) {
    for (const link of this.fullLinks()) this.sendOn(link, message)
  }

  /** Everyone we have a working link to now, as the features see a sender. */
  peers(): MeshPeer[] {
    return this.fullLinks().flatMap((link) => {
      const peer = this.peerOf(link)
      return peer ? [peer] : []
    })
  }

  /** A message to one participant, now, if they are admitted. */
  sendTo(peerId: string, message: FeatureMessage<M>) {
    for (const link of this.fullLinks()) if (link.peerId === peerId) this.sendOn(link, message)
  }

  /**
   * The newest state of something we share under `key` (a surface): to `peerId`, or to everyone, paced; a newer
   * one for the same key replaces what still waits.
   */
  share(key: string, message: FeatureMessage<M>, peerId?: string) {
    for (const link of this.fullLinks()) if (!peerId || link.peerId === peerId) link.outbox.put(key, message)
  }

  /** Withdraws what waits to be shared under `key` (or everything of `type`, without a key). */
  unshare(type: FeatureMessage<M>['type'], key?: string) {
    for (const link of this.links.values()) {
      if (key === undefined) link.outbox.clear(type)
      else link.outbox.drop(type, key)
    }
  }

  /** Sends a sample frame to every admitted participant. */
  broadcastFrame(frame: Frame) {
    const bytes = encodeFrame(frame)
    for (const link of this.fullLinks()) link.protocol.sendFrame(bytes)
  }

  /**
   * A chunk of a bulk transfer to one participant, paced by their channel's buffer so the call's own messages are
   * never stuck behind a file. Resolves true once it is on the channel; false when they are not reachable now (the
   * feature asks again after a reconnect, for what did not arrive).
   */
  sendChunk(peerId: string, chunk: Chunk): Promise<boolean> {
    const link = this.fullLinks().find((candidate) => candidate.peerId === peerId)
    if (!link) return Promise.resolve(false)
    return link.bulk.enqueue(encodeChunk(chunk))
  }

  /**
   * Our camera and microphone stream changed (`localMedia().stream`): the browser's permission was answered after
   * Join was clicked, or a camera was granted later. A media call's tracks cannot be renegotiated (PeerJS), so every
   * camera call made or answered without it is made again: by us where we dialed, by the far side where they did
   * (asked with 'call-again'). A transport that sends our media on a connection of its own takes it itself.
   */
  localMediaChanged() {
    // No stream any more is the call ending (its tracks were stopped): nothing is worth a new call.
    if (this.left || !this.options.localMedia().stream) return
    if (this.transport.useLocalStream) {
      this.transport.useLocalStream(this.options.localMedia().stream)
      return
    }
    for (const link of [...this.links.values()]) this.renewMedia(link)
  }

  /** Whether the link's camera call was made or answered with another stream than ours now. */
  private mediaOutdated(link: Link<M, Op>): boolean {
    if (!link.media || this.transport.useLocalStream) return false
    return link.mediaSent !== this.options.localMedia().stream
  }

  /**
   * A camera call that does not carry our stream now is made again: at once where we dialed (held while the
   * link is), and by the dialer, asked, where we answered. An answerer's link that cannot carry the request yet
   * asks when it can (startMedia, onHello).
   */
  private renewMedia(link: Link<M, Op>) {
    if (!this.mediaOutdated(link)) return
    if (link.origin === 'outgoing') {
      this.trace('our stream changed: calling again', link.seat)
      this.callMedia(link, !link.mediaLive)
    } else if (link.mediaLive && link.protocol.ready) {
      this.trace('our stream changed: asking for a new call', link.seat)
      this.sendOn(link, { type: 'call-again' })
    }
  }

  /** Tells everyone our microphone/camera state (after mute or camera off). */
  broadcastMediaState() {
    const { muted, cameraOff } = this.options.localMedia()
    this.broadcast({ type: 'media-state', muted, cameraOff })
  }

  /** For tests and `?debug`: what each link has seen. */
  debugView() {
    return {
      seat: this.seat,
      session: this.session,
      serverConnected: this.transport.serverConnected,
      /** Replicated state changes held (member records are not counted: they are who, not what). */
      ops: this.log.all().filter((op) => op.kind !== 'member').length,
      links: [...this.links.values()].map((link) => ({
        seat: link.seat,
        origin: link.origin,
        admitted: link.protocol.admitted,
        ready: link.protocol.ready,
        received: { ...link.protocol.received },
        rttMs: link.protocol.rttMs,
      })),
      reconnecting: [...this.reconnects.keys()],
      /** Every message this session ever accepted, by type, across all links. */
      received: [...this.links.values()].reduce<Record<string, number>>(
        (totals, link) => {
          for (const [type, count] of Object.entries(link.protocol.received))
            totals[type] = (totals[type] ?? 0) + count
          return totals
        },
        { ...this.receivedOnClosedLinks },
      ),
    }
  }

  /** For the benchmark: one ping's round trip to `seat` through the app's whole message path, ms. */
  debugRoundTrip(seat: number): Promise<number> {
    const link = this.links.get(seat)
    if (!link?.protocol.ready) return Promise.reject(new Error(`no open link to seat ${seat}`))
    return link.protocol.measureRoundTrip()
  }

  /**
   * For the benchmark: `tap` sees everything the link to `seat` (this one and any that replaces it) hands to the
   * transport and everything it receives, before the protocol handles it, so a message's time inside the app can
   * be told from its time on the wire. One tap per seat; returns its removal.
   */
  debugTapLink(seat: number, tap: LinkTap): () => void {
    this.taps.set(seat, tap)
    return () => {
      if (this.taps.get(seat) === tap) this.taps.delete(seat)
    }
  }

  /** For the benchmark: the design constants it reports against, as this build has them. */
  debugConstants() {
    return {
      /** ms between pings to each peer */
      heartbeatMs: HEARTBEAT_MS,
      /** ms between transport samples and liveness checks */
      livenessCheckMs: LIVENESS_CHECK_MS,
      /** ms of silence (messages and transport) after which a peer is dropped */
      deadPeerMs: DEAD_PEER_MS,
      /** ms a participant given up on stays in the list, marked gone */
      goneLingerMs: GONE_LINGER_MS,
      /** per message type: longest text, sustained rate and burst that a receiver accepts */
      limits: { ...this.options.protocol.limits },
      frame: { magic: FRAME_MAGIC, headerBytes: HEADER_BYTES, waveformHeaderBytes: WAVEFORM_HEADER_BYTES },
    }
  }

  /**
   * For tests and `?debug`: puts `text` on the data connection to `seat` as it is, as a modified client could
   * (forged ops, floods, garbage). False when there is no open connection there.
   */
  debugSendRaw(seat: number, text: string): boolean {
    const link = this.links.get(seat)
    if (!link?.data.open) return false
    link.data.send(text)
    return true
  }

  /**
   * For tests and `?debug`: `op` signed with our key, neither applied nor sent: what a modified client would put
   * on a link with debugSendRaw, beyond what our own outbox would send.
   */
  debugSign(op: DistributiveOmit<Op, 'sig'>): Promise<Op> {
    if (!this.key) return Promise.reject(new Error('not joined'))
    return signOp<Op>(this.key, op as Omit<Op, 'sig'>)
  }

  /** Cuts every data connection abruptly, as a network fault would (tests the automatic reconnect). */
  debugDropDataConnections() {
    for (const link of this.links.values()) link.data.fault()
  }

  /**
   * For tests: bytes received so far on each data channel of our links, by channel label ("bulk" is the bulk lane;
   * the link's own channel has the transport's label), from the connections' own statistics.
   */
  async debugDataChannelBytes(): Promise<Record<string, number>> {
    const bytes: Record<string, number> = {}
    for (const link of this.links.values()) {
      for (const report of await link.data.stats()) {
        const channel = report as RTCStatsLike & { label?: string; bytesReceived?: number }
        if (channel.type !== 'data-channel') continue
        const label = channel.label === 'bulk' ? 'bulk' : 'link'
        bytes[label] = (bytes[label] ?? 0) + (channel.bytesReceived ?? 0)
      }
    }
    return bytes
  }

  /** Whether anything is still running: timers, links, re-dials (for the tests that leaving leaves nothing). */
  get active(): boolean {
    return (
      this.timers.size > 0 ||
      this.heartbeatTimer !== null ||
      this.links.size > 0 ||
      this.reconnects.size > 0 ||
      this.transportListeners.length > 0
    )
  }

  /**
   * Says goodbye and closes everything. Closing a connection discards what it has not sent yet, and a busy page
   * may not have sent the goodbyes within a fixed moment: resolves once every channel's buffer is empty (a little
   * longer, for the SCTP acknowledgement), at most LEAVE_FLUSH_MAX_MS, when everything is closed.
   */
  leave(): Promise<void> {
    if (this.left) return Promise.resolve()
    this.left = true
    for (const link of this.readyLinks()) this.sendOn(link, { type: 'bye' })
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.serverRetryTimer = null
    this.reconnects.clear()
    this.setupRedials.clear()
    this.lateRedials.clear()
    this.taps.clear()
    for (const call of this.earlyCalls.values()) call.close()
    this.earlyCalls.clear()
    const links = [...this.links.values()]
    this.links.clear()
    for (const link of links) {
      link.outbox.dispose()
      link.bulk.dispose()
    }
    const startedAt = Date.now()
    return new Promise((resolve) => {
      const closeWhenSent = () => {
        const pending = links.some((link) => link.data.bufferedAmount > 0)
        const waited = Date.now() - startedAt
        if ((pending || waited < LEAVE_FLUSH_MIN_MS) && waited < LEAVE_FLUSH_MAX_MS && this.joined) {
          setTimeout(closeWhenSent, 50)
          return
        }
        for (const link of links) this.detachLink(link)
        for (const unsubscribe of this.transportListeners) unsubscribe()
        this.transportListeners.length = 0
        this.known.clear()
        this.videoIn.clear()
        this.transport.destroy()
        resolve()
      }
      setTimeout(closeWhenSent, 50)
    })
  }
}
