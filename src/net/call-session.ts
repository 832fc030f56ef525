// The call: a full mesh of PeerJS connections, one data connection and one media call per remote participant.
// The only module (with its helpers in src/net/) that touches peerjs. It writes what happens into the store and
// reads nothing from React. What travels on a data connection, and when, is ./peer-link's business.
import Peer, { type CallOption, type DataConnection, type MediaConnection, type PeerError } from 'peerjs'
import { type AnnotationOp, isObsoleteAnnotationOp, type Laser } from '../annotations/model'
import { SpaceFeed, type Surface } from '../annotations/space'
import { type Invite, ROLE_LABELS, ROOM_CAPACITY, seatPeerId } from '../room/invite'
import type { ConsultStore } from '../state/store'
import { VitalsFeed } from '../vitals/feed'
import type { Measurement } from '../vitals/types'
import { admissionKey } from './admission'
import { applyMessage, applyOp } from './apply'
import { encodeFrame, type Frame, type PoseFrame } from './frames'
import { TokenBucket } from './limits'
import { peerIsGone, resolveDuplicateLink, videoSendBudget } from './mesh'
import { type AppMessage, type LinkFailure, PeerLink } from './peer-link'
import {
  assertNever,
  LIMITS,
  MAX_ACKS_PER_MESSAGE,
  MAX_CHAT_LENGTH,
  MAX_OPS_PER_MESSAGE,
  type Op,
} from './protocol'
import { measureQuality, type QualityCounters, type RTCStatsLike } from './quality'
import { OpLog } from './replication'
import { type PeerServerOptions, ServerUnreachableError } from './server-config'

/** The frame stream id of the ECG (lead I): other waveforms would take other ids. */
export const ECG_STREAM = 0
/** The frame stream id of the on-site worker's head pose, about 10 Hz while they share their space. */
export const HEAD_POSE_STREAM = 1
/** How often we tell each peer we are alive, and sample its transport, ms. */
const HEARTBEAT_MS = 1000
/** A transport sample older than two heartbeats means our own page is lagging, ms. */
const SAMPLE_STALE_MS = 2 * HEARTBEAT_MS + 500
/**
 * A dial that has not completed admission and hello by then is abandoned, ms. A dial to an empty seat waits in
 * the PeerServer's queue (about 5 s) and is delivered if someone takes the seat meanwhile.
 */
const DIAL_TIMEOUT_MS = 15000
/** After sending goodbyes: wait at least this long, and at most the other while a channel still buffers, ms. */
const LEAVE_FLUSH_MIN_MS = 300
const LEAVE_FLUSH_MAX_MS = 1500
/** Longest wait for the PeerServer to accept our id, ms. */
const REGISTER_TIMEOUT_MS = 10000
/** After a participant's link drops we re-dial for this long before we call them gone, ms. */
const RECONNECT_GIVE_UP_MS = 30000
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
 * How fast we send surfaces: 80 % of what the receiver accepts, so bunching on the way never pushes a burst over its
 * limit (a throttled surface is dropped, not resent, until it changes).
 */
const SURFACE_PACE = {
  perSecond: LIMITS.surface.perSecond * 0.8,
  burst: Math.floor(LIMITS.surface.burst * 0.8),
}
/** What one `ops` message may hold, characters of JSON: under the receiver's limit with room for the envelope. */
const OPS_BATCH_CHARS = LIMITS.ops.maxChars - 1000
/**
 * Ask for both audio and video in every offer, even when we send neither: the answerer's tracks then have
 * m-lines to ride on, so a receive-only or microphone-only participant still sees and hears the others.
 */
const OFFER_CONSTRAINTS = { offerToReceiveAudio: true, offerToReceiveVideo: true }

export class RoomFullError extends Error {
  constructor() {
    super(
      `This consultation is full (${ROOM_CAPACITY} participants). Ask the host to make room, then try again.`,
    )
  }
}

export class NoWebRtcError extends Error {
  constructor() {
    super(
      'This browser cannot make peer-to-peer video calls. Please use a current Chrome, Edge, Firefox or Safari.',
    )
  }
}

interface Link {
  seat: number
  peerId: string
  origin: 'outgoing' | 'incoming'
  data: DataConnection
  protocol: PeerLink
  media: MediaConnection | null
  /** The remote's session id, from their dial's metadata or their hello. */
  remoteSession: string | null
  /** A media call that arrived before the peer was admitted; answered once it is. */
  pendingCall: MediaConnection | null
  /** Bytes received on the link's peer connections at the last sample, and when that count last grew. */
  bytesReceived: number
  lastTransportActivity: number
  /** When the last transport sample completed: a busy page samples late, and a late sample proves nothing. */
  lastSampleAt: number
  dialTimer: ReturnType<typeof setTimeout> | null
  /** Our registration with the PeerServer when the link was made (CallSession.serverEpoch). */
  serverEpoch: number
  /** Operations waiting to go out on this link, sent in batches within the receiver's rate limit. */
  outbox: Op[]
  outboxTimer: ReturnType<typeof setTimeout> | null
  opsBucket: TokenBucket
  /** Our surfaces waiting to go out on this link, newest per id, paced by the receiver's limit. */
  surfaceOutbox: Map<string, Surface>
  surfaceTimer: ReturnType<typeof setTimeout> | null
  surfaceBucket: TokenBucket
  /** getStats counters at the previous sample, to measure loss and bitrate against (./quality). */
  qualityCounters: QualityCounters | null
}

/** A seat whose link died before it was ever ready, with nobody known there yet: dialed again a few times. */
interface SetupRedial {
  attempt: number
  timer: ReturnType<typeof setTimeout> | null
}

/** A participant whose link dropped and whom we are re-dialing. */
interface Reconnect {
  seat: number
  peerId: string
  name: string
  startedAt: number
  attempt: number
  timer: ReturnType<typeof setTimeout> | null
}

export interface CallSessionOptions {
  invite: Invite
  displayName: string
  store: ConsultStore
  server: PeerServerOptions
  /** Log connection events to the console (`?debug` in the page URL). */
  debug?: boolean
  /** The protocol version we announce. Only tests set it, to see a mismatch. */
  protocolVersion?: number
  /**
   * Seat ids to use instead of those the invite derives. Only tests set it: it plays someone who learned the
   * room's peer ids (the PeerServer sees them) but not its secret.
   */
  seatIds?: string[]
  /** Where received vitals go; the app passes its own so the panels can read it. */
  vitals?: VitalsFeed
  /** Where the worker's shared space and the laser pointers go; the app passes its own for the scenes. */
  space?: SpaceFeed
}

/** What we share of our own space (when we are the on-site worker in AR). */
interface OwnSpace {
  sharing: boolean
  fovY: number
  surfaces: Map<string, Surface>
}

/** What a dial and a media call carry: the caller's seat and session. */
type DialMetadata = { seat: number; session: string }

function dialMetadataOf(metadata: unknown): DialMetadata | null {
  const { seat, session } = (metadata ?? {}) as Partial<DialMetadata>
  const seatOk = typeof seat === 'number' && Number.isInteger(seat) && seat >= 0 && seat < ROOM_CAPACITY
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
    default:
      return assertNever(failure)
  }
}

export class CallSession {
  private peer: Peer | null = null
  private seat = -1
  private seatIds: string[] = []
  private key: CryptoKey | null = null
  private readonly links = new Map<number, Link>()
  private readonly reconnects = new Map<number, Reconnect>()
  /** Per seat, the session we last announced as joined: a reconnect of the same session is not a new join. */
  private readonly announced = new Map<number, string>()
  private timers: ReturnType<typeof setInterval>[] = []
  private left = false
  private serverAttempt = 0
  /**
   * Counts our registrations with the PeerServer. A dial's offer and answer travel through the server, so a dial
   * that had not opened when the server connection dropped was lost with it (the restarted server knows nothing
   * of it): such a stale dial is abandoned on re-registration and never wins a duplicate settlement.
   */
  private serverEpoch = 0
  private readonly setupRedials = new Map<number, SetupRedial>()
  private readonly session = crypto.randomUUID()
  private readonly log: OpLog
  /** The vitals the others share with us, for the monitor panels, alarms and the record. */
  readonly vitals: VitalsFeed
  /** The worker's space and the laser pointers the others share with us. */
  readonly space: SpaceFeed
  private readonly ownSpace: OwnSpace = { sharing: false, fovY: 1, surfaces: new Map() }
  private readonly frameHandlers = new Set<(peerId: string, frame: Frame) => void>()
  /** Messages received, by type, on links already closed (debugView adds the open ones). */
  private readonly receivedOnClosedLinks: Record<string, number> = {}

  constructor(private readonly options: CallSessionOptions) {
    this.log = new OpLog(this.session, (op) => {
      applyOp(this.store, this.session, op)
      // A delete or a clear makes older annotation ops pointless: forget them, so neither our memory nor a
      // newcomer's snapshot grows with strokes nobody sees any more.
      if (op.kind === 'annotation-delete' || op.kind === 'annotation-clear') {
        const annotations = this.store.getState().annotations
        this.log.prune((kept) => kept.kind === 'chat' || !isObsoleteAnnotationOp(annotations, kept))
      }
    })
    this.vitals = options.vitals ?? new VitalsFeed()
    this.space = options.space ?? new SpaceFeed()
  }

  private trace(...details: unknown[]) {
    if (this.options.debug) console.info('[call]', `seat ${this.seat}`, ...details)
  }

  private get store() {
    return this.options.store
  }

  /** Takes the first free seat of the room and dials everyone already seated. */
  async join(): Promise<void> {
    const { invite } = this.options
    if (typeof RTCPeerConnection === 'undefined') throw new NoWebRtcError()
    this.key = await admissionKey(invite)
    this.seatIds =
      this.options.seatIds ??
      (await Promise.all(Array.from({ length: ROOM_CAPACITY }, (_, seat) => seatPeerId(invite, seat))))
    for (let seat = 0; seat < ROOM_CAPACITY; seat++) {
      const peer = await this.register(this.seatIds[seat] as string)
      if (peer) {
        this.peer = peer
        this.seat = seat
        break
      }
    }
    if (!this.peer) throw new RoomFullError()
    this.wirePeer(this.peer)
    this.store.setState({ serverConnected: true })
    for (let seat = 0; seat < ROOM_CAPACITY; seat++) if (seat !== this.seat) this.dial(seat)
    this.timers.push(setInterval(() => this.heartbeat(), HEARTBEAT_MS))
  }

  /** Resolves with the registered Peer, or null when the id is taken (that seat is occupied). */
  private register(id: string): Promise<Peer | null> {
    const { server } = this.options
    return new Promise((resolve, reject) => {
      const peer = new Peer(id, { ...server, debug: 0 })
      const timer = setTimeout(() => {
        peer.destroy()
        reject(new ServerUnreachableError())
      }, REGISTER_TIMEOUT_MS)
      const onError = (error: PeerError<string>) => {
        clearTimeout(timer)
        peer.destroy()
        if (error.type === 'unavailable-id') resolve(null)
        else if (error.type === 'browser-incompatible') reject(new NoWebRtcError())
        else reject(new ServerUnreachableError())
      }
      peer.once('error', onError)
      peer.once('open', () => {
        clearTimeout(timer)
        peer.off('error', onError)
        resolve(peer)
      })
    })
  }

  private wirePeer(peer: Peer) {
    peer.on('connection', (conn) => this.onIncomingConnection(conn))
    peer.on('call', (call) => this.onIncomingCall(call))
    peer.on('error', (error) => {
      if (error.type === 'peer-unavailable') {
        // An empty seat: the dial to it fails on the Peer, not on the connection. Nothing to tell the user,
        // unless we were re-dialing someone: then they are no longer at the server, so they are gone.
        for (const link of [...this.links.values()]) {
          if (!link.data.open && error.message.includes(link.peerId)) this.dropLink(link, null)
        }
        for (const reconnect of [...this.reconnects.values()]) {
          if (error.message.includes(reconnect.peerId)) this.giveUp(reconnect)
        }
        this.seatIds.forEach((id, seat) => {
          if (error.message.includes(id)) this.endSetupRedial(seat)
        })
        return
      }
      if (['network', 'socket-error', 'socket-closed', 'disconnected'].includes(error.type)) return
      if (error.type === 'unavailable-id') {
        // While the server was away someone else took our seat's id; we stay in the call we have.
        console.warn('our seat was taken at the server while it was away')
        return
      }
      console.warn('peer error', error.type, error.message)
    })
    // The PeerServer only introduces: open calls carry on without it. Re-register so newcomers can find us.
    peer.on('disconnected', () => {
      this.serverEpoch += 1
      this.store.setState({ serverConnected: false })
      this.scheduleServerRetry()
    })
    peer.on('open', () => {
      this.serverAttempt = 0
      this.store.setState({ serverConnected: true })
      this.trace('registered again')
      this.afterReregistration()
    })
  }

  /**
   * Back at the PeerServer after it was away: dials that had not opened were lost with it and are abandoned (a
   * participant we are re-dialing is dialed again by its reconnect loop); a link admitted while the server was
   * away could not offer its media then, so it does now.
   */
  private afterReregistration() {
    for (const link of [...this.links.values()]) {
      if (!link.data.open && link.serverEpoch < this.serverEpoch) {
        this.trace('abandon stale dial', link.seat, link.origin)
        this.dropLink(link, null)
      } else if (link.origin === 'outgoing' && link.protocol.admitted && !link.media) {
        this.callMedia(link)
      }
    }
  }

  private scheduleServerRetry() {
    if (this.left || !this.peer || this.peer.destroyed) return
    // 0.5 s, 1 s, 2 s, 4 s, then every 5 s: quick after a blip, and back soon after a server restart, so a
    // newcomer finds our seat taken instead of taking it.
    const delay = Math.min(SERVER_RETRY_MAX_MS, 500 * 2 ** this.serverAttempt++)
    setTimeout(() => {
      if (this.left || !this.peer || this.peer.destroyed || !this.peer.disconnected) return
      this.trace('re-registering')
      this.peer.reconnect()
    }, delay)
  }

  private dial(seat: number) {
    const peer = this.peer
    const remoteId = this.seatIds[seat]
    // Without the PeerServer nobody can be dialed; the reconnect loop tries again.
    if (!peer || !remoteId || peer.disconnected || peer.destroyed) return
    const conn = peer.connect(remoteId, {
      reliable: true,
      serialization: 'raw',
      metadata: this.dialMetadata(),
    })
    if (!conn) return
    const existing = this.links.get(seat)
    if (existing) this.detachLink(existing)
    this.addLink(seat, remoteId, conn, 'outgoing', null)
  }

  private dialMetadata(): DialMetadata {
    return { seat: this.seat, session: this.session }
  }

  private onIncomingConnection(conn: DataConnection) {
    const dial = dialMetadataOf(conn.metadata)
    // Only someone who can compute this room's seat ids can reach us, and only seats 0-3 exist, so every
    // participant enforces the room's capacity itself. Still check that the claimed seat matches the caller's
    // id, so one participant cannot pose as another seat; admission then checks the secret.
    if (
      dial === null ||
      dial.seat === this.seat ||
      this.seatIds[dial.seat] !== conn.peer ||
      conn.serialization !== 'raw'
    ) {
      conn.close()
      return
    }
    const existing = this.links.get(dial.seat)
    if (existing) {
      const keep = resolveDuplicateLink({
        mySeat: this.seat,
        remoteSeat: dial.seat,
        existingOrigin: existing.origin,
        existingIsStaleDial:
          existing.origin === 'outgoing' && !existing.data.open && existing.serverEpoch < this.serverEpoch,
        existingRemoteSession: existing.remoteSession,
        incomingSession: dial.session,
      })
      this.trace('duplicate from', dial.seat, 'keep', keep)
      if (keep === 'existing') {
        conn.close()
        return
      }
      this.detachLink(existing)
    }
    this.addLink(dial.seat, conn.peer, conn, 'incoming', dial.session)
  }

  private addLink(
    seat: number,
    peerId: string,
    data: DataConnection,
    origin: Link['origin'],
    remoteSession: string | null,
  ): Link {
    const now = Date.now()
    const current = () => this.links.get(seat) === link
    const protocol = new PeerLink({
      key: this.key as CryptoKey,
      localId: this.seatIds[this.seat] as string,
      remoteId: peerId,
      version: this.options.protocolVersion,
      hello: () => {
        const { muted, cameraOff } = this.store.getState()
        return {
          type: 'hello',
          version: protocol.version,
          name: this.options.displayName,
          role: this.options.invite.role,
          seat: this.seat,
          session: this.session,
          muted,
          cameraOff,
        }
      },
      send: (text) => {
        if (data.open) data.send(text)
      },
      sendBinary: (bytes) => {
        if (data.open) data.send(bytes)
      },
      onFrame: (frame) => {
        if (!current()) return
        if (frame.kind === 'waveform' && frame.stream === ECG_STREAM) {
          this.vitals.receiveEcg(link.peerId, frame, Date.now())
        } else if (
          frame.kind === 'pose' &&
          frame.stream === HEAD_POSE_STREAM &&
          protocol.remoteHello?.role === 'worker'
        ) {
          this.space.receivePose(link.peerId, frame.position, frame.orientation, frame.capturedAt, Date.now())
        }
        for (const handler of this.frameHandlers) handler(link.peerId, frame)
      },
      onAdmitted: () => {
        if (!current()) return
        this.trace('admitted', seat, origin)
        // Media only once the peer has proved the invite: the dialer offers it, the answerer answers it.
        if (origin === 'outgoing') this.callMedia(link)
        else if (link.pendingCall) this.answerCall(link, link.pendingCall)
      },
      onHello: (hello, first) => {
        if (current() && first) this.onHello(link, hello)
      },
      onMessage: (message) => {
        if (current()) this.onMessage(link, message)
      },
      onFailure: (failure) => {
        if (!current()) return
        const sentence = failureSentence(failure, protocol.remoteHello?.name ?? null)
        this.trace('refused', seat, failure)
        if (sentence) this.store.getState().notify(sentence, 'error')
        else console.warn(`closed the connection to seat ${seat}:`, failure)
        this.dropLink(link, 'refused')
      },
      onIgnored: (reason, detail) => {
        console.warn(`ignored a message from seat ${seat}: ${reason} (${detail})`)
      },
    })
    const link: Link = {
      seat,
      peerId,
      origin,
      data,
      protocol,
      remoteSession,
      media: null,
      pendingCall: null,
      bytesReceived: 0,
      lastTransportActivity: now,
      lastSampleAt: now,
      dialTimer: null,
      serverEpoch: this.serverEpoch,
      outbox: [],
      outboxTimer: null,
      opsBucket: new TokenBucket(LIMITS.ops, now),
      surfaceOutbox: new Map(),
      surfaceTimer: null,
      surfaceBucket: new TokenBucket(SURFACE_PACE, now),
      qualityCounters: null,
    }
    this.links.set(seat, link)
    link.dialTimer = setTimeout(() => {
      if (!link.protocol.ready && current()) this.dropLink(link, 'lost')
    }, DIAL_TIMEOUT_MS)
    data.on('open', () => {
      if (!current()) return
      protocol.lastHeard = Date.now()
      this.trace('open', seat, origin)
      // Only now is someone known to be in that seat: a dial to an empty seat never opens.
      if (!this.store.getState().participants[peerId]) {
        this.store.getState().upsertParticipant(peerId, { seat, status: 'connecting' })
      }
      protocol.start()
    })
    data.on('data', (raw) => {
      if (current()) protocol.receive(raw)
    })
    data.on('close', () => {
      if (current()) this.dropLink(link, 'lost')
    })
    data.on('error', () => {
      if (current()) this.dropLink(link, 'lost')
    })
    return link
  }

  private onHello(link: Link, hello: NonNullable<PeerLink['remoteHello']>) {
    if (hello.seat !== link.seat || (link.remoteSession !== null && hello.session !== link.remoteSession)) {
      // A hello that contradicts the connection it came on: not a participant we can place.
      this.dropLink(link, 'refused')
      return
    }
    link.remoteSession = hello.session
    this.trace('hello from', link.seat, hello.name)
    if (link.dialTimer) clearTimeout(link.dialTimer)
    this.endSetupRedial(link.seat)
    const state = this.store.getState()
    state.upsertParticipant(link.peerId, {
      seat: link.seat,
      name: hello.name,
      role: hello.role,
      muted: hello.muted,
      cameraOff: hello.cameraOff,
      status: 'connected',
    })
    const reconnect = this.reconnects.get(link.seat)
    if (reconnect) this.endReconnect(reconnect)
    if (this.announced.get(link.seat) !== hello.session) {
      this.announced.set(link.seat, hello.session)
      state.notify(`${hello.name} (${ROLE_LABELS[hello.role]}) joined.`)
    } else if (reconnect) {
      state.notify(`Reconnected to ${hello.name}.`)
    }
    // Whatever they have not acknowledged yet: everything, for a newcomer (the snapshot), or what was in flight
    // when the link dropped.
    this.enqueue(link, this.log.missingFor(hello.session))
    // What they knew of this participant's space came over the old link and may have changed while it was down
    // (sharing stopped, surfaces lost): forget it; a sharer announces it whole on every new link.
    this.space.resetPeer(link.peerId)
    if (this.options.invite.role === 'worker') {
      link.protocol.send({ type: 'space', sharing: this.ownSpace.sharing, fovY: this.ownSpace.fovY })
      for (const surface of this.ownSpace.surfaces.values()) link.surfaceOutbox.set(surface.id, surface)
      this.flushSurfaces(link)
    }
  }

  private onMessage(link: Link, message: AppMessage) {
    const reply = applyMessage(
      {
        store: this.store,
        log: this.log,
        vitals: this.vitals,
        space: this.space,
        now: Date.now(),
        peerId: link.peerId,
        seat: link.seat,
        session: link.remoteSession as string,
        role: link.protocol.remoteHello?.role ?? 'patient',
      },
      message,
    )
    if (reply?.kind === 'ack') {
      for (let i = 0; i < reply.ids.length; i += MAX_ACKS_PER_MESSAGE) {
        link.protocol.send({ type: 'ack', ids: reply.ids.slice(i, i + MAX_ACKS_PER_MESSAGE) })
      }
    } else if (reply?.kind === 'left') {
      this.dropLink(link, 'left')
    }
  }

  /** Sends a chat message to everyone, now or when they (re)connect. */
  sendChat(text: string) {
    const trimmed = text.trim().slice(0, MAX_CHAT_LENGTH)
    if (!trimmed) return
    const op: Op = {
      kind: 'chat',
      id: this.log.nextId(),
      author: this.session,
      at: Date.now(),
      name: this.options.displayName,
      role: this.options.invite.role,
      text: trimmed,
    }
    this.publish(op)
  }

  /** Applies an operation we author and sends it to everyone, now or when they (re)connect. */
  private publish(op: Op) {
    this.log.add(op)
    for (const link of this.links.values()) if (link.protocol.ready) this.enqueue(link, [op])
  }

  /** What every annotation op we author starts with: a call-unique id, our session, our clock. */
  opBase(): { id: string; author: string; at: number } {
    return { id: this.log.nextId(), author: this.session, at: Date.now() }
  }

  /** Our session id: the author of our annotations and laser. */
  get sessionId(): string {
    return this.session
  }

  /** Our seat (0-based; -1 before we joined): picks our default annotation colour. */
  get seatIndex(): number {
    return this.seat
  }

  get displayName(): string {
    return this.options.displayName
  }

  /** Applies and shares an annotation op we made (src/app/guidance.ts builds them). */
  publishAnnotationOp(op: AnnotationOp) {
    this.publish(op)
  }

  /** Our laser pointer, to everyone, now: it is ephemeral, so nothing is queued or resent. */
  broadcastLaser(laser: Laser) {
    for (const link of this.links.values())
      if (link.protocol.ready) link.protocol.send({ type: 'laser', ...laser })
  }

  /** Whether we share our space (we are in AR), and the field of view that maps our video to rays. */
  shareSpace(sharing: boolean, fovY: number) {
    if (this.ownSpace.sharing === sharing && this.ownSpace.fovY === fovY) return
    this.ownSpace.sharing = sharing
    this.ownSpace.fovY = fovY
    if (!sharing) this.ownSpace.surfaces.clear()
    for (const link of this.links.values()) {
      if (!link.protocol.ready) continue
      if (!sharing) link.surfaceOutbox.clear()
      link.protocol.send({ type: 'space', sharing, fovY })
    }
  }

  /** A surface our headset detected, new or changed: to everyone, paced, the newest per id. */
  shareSurface(surface: Surface) {
    if (!this.ownSpace.sharing) return
    this.ownSpace.surfaces.set(surface.id, surface)
    for (const link of this.links.values()) {
      if (!link.protocol.ready) continue
      link.surfaceOutbox.set(surface.id, surface)
      this.flushSurfaces(link)
    }
  }

  /** Surfaces our headset lost track of. */
  removeSurfaces(ids: string[]) {
    const removed = ids.filter((id) => this.ownSpace.surfaces.delete(id))
    if (removed.length === 0) return
    for (const link of this.links.values()) {
      for (const id of removed) link.surfaceOutbox.delete(id)
      if (!link.protocol.ready) continue
      for (let i = 0; i < removed.length; i += 100)
        link.protocol.send({ type: 'surfaces-removed', ids: removed.slice(i, i + 100) })
    }
  }

  /** Our head pose, as a frame to everyone (about 10 Hz while sharing our space). */
  broadcastHeadPose(pose: Omit<PoseFrame, 'kind' | 'stream'>) {
    this.broadcastFrame({ kind: 'pose', stream: HEAD_POSE_STREAM, ...pose })
  }

  private flushSurfaces(link: Link) {
    if (link.surfaceTimer || this.links.get(link.seat) !== link) return
    while (link.surfaceOutbox.size > 0 && link.protocol.ready) {
      const now = Date.now()
      const wait = link.surfaceBucket.waitMs(now)
      if (wait > 0) {
        link.surfaceTimer = setTimeout(() => {
          link.surfaceTimer = null
          this.flushSurfaces(link)
        }, wait)
        return
      }
      link.surfaceBucket.take(now)
      const [id, surface] = link.surfaceOutbox.entries().next().value as [string, Surface]
      link.surfaceOutbox.delete(id)
      link.protocol.send({ type: 'surface', surface })
    }
  }

  private enqueue(link: Link, ops: Op[]) {
    if (ops.length === 0) return
    link.outbox.push(...ops)
    this.flush(link)
  }

  /** Sends queued operations in batches, no faster than the receiver accepts them. */
  private flush(link: Link) {
    if (link.outboxTimer || this.links.get(link.seat) !== link) return
    while (link.outbox.length > 0 && link.protocol.ready) {
      const now = Date.now()
      const wait = link.opsBucket.waitMs(now)
      if (wait > 0) {
        link.outboxTimer = setTimeout(() => {
          link.outboxTimer = null
          this.flush(link)
        }, wait)
        return
      }
      link.opsBucket.take(now)
      const items: Op[] = []
      let chars = 0
      while (items.length < MAX_OPS_PER_MESSAGE && link.outbox.length > 0) {
        const size = JSON.stringify(link.outbox[0]).length + 1
        if (items.length > 0 && chars + size > OPS_BATCH_CHARS) break
        items.push(link.outbox.shift() as Op)
        chars += size
      }
      link.protocol.send({ type: 'ops', items })
    }
  }

  private callMedia(link: Link) {
    if (!this.peer || this.peer.disconnected) return
    const stream = this.store.getState().localStream ?? new MediaStream()
    // PeerJS passes `constraints` on to createOffer but does not declare it in CallOption.
    const options: CallOption & { constraints: RTCOfferOptions } = {
      metadata: this.dialMetadata(),
      constraints: OFFER_CONSTRAINTS,
    }
    const call = this.peer.call(link.peerId, stream, options)
    if (call) this.wireCall(link, call)
  }

  private onIncomingCall(call: MediaConnection) {
    const dial = dialMetadataOf(call.metadata)
    const link = dial === null ? undefined : this.links.get(dial.seat)
    // Media is only answered for a participant whose data connection is up, from the same session, and only
    // from the side that dialed the data connection we kept: a call from the losing side of a simultaneous dial
    // would otherwise replace the winning one.
    if (
      !link ||
      !dial ||
      link.origin !== 'incoming' ||
      link.peerId !== call.peer ||
      (link.remoteSession !== null && link.remoteSession !== dial.session)
    ) {
      call.close()
      return
    }
    this.trace('call from', link.seat, link.protocol.admitted ? 'answering' : 'held until admitted')
    if (link.protocol.admitted) this.answerCall(link, call)
    else {
      link.pendingCall?.close()
      link.pendingCall = call
    }
  }

  private answerCall(link: Link, call: MediaConnection) {
    link.pendingCall = null
    call.answer(this.store.getState().localStream ?? undefined)
    this.wireCall(link, call)
  }

  private wireCall(link: Link, call: MediaConnection) {
    if (link.media && link.media !== call) link.media.close()
    link.media = call
    this.applyVideoBudget()
    call.on('stream', (stream) => {
      this.trace('stream from', link.seat)
      if (this.links.get(link.seat) !== link || link.media !== call) return
      this.applyVideoBudget()
      this.store.getState().upsertParticipant(link.peerId, { seat: link.seat, stream })
    })
    call.on('close', () => {
      if (this.links.get(link.seat) === link && link.media === call) {
        this.store.getState().upsertParticipant(link.peerId, { seat: link.seat, stream: null })
      }
    })
  }

  private heartbeat() {
    const now = Date.now()
    for (const link of [...this.links.values()]) {
      if (!link.data.open) continue
      // A link still in admission or hello is governed by its setup timeout, not by silence: two busy pages can
      // take seconds to get through the handshake.
      if (!link.protocol.ready) {
        void this.sampleTransport(link)
        continue
      }
      const liveness = {
        messageSilenceMs: now - link.protocol.lastHeard,
        transportSilenceMs:
          now - link.lastSampleAt > SAMPLE_STALE_MS ? null : now - link.lastTransportActivity,
        ice: link.data.peerConnection?.iceConnectionState,
      }
      if (peerIsGone(liveness)) {
        this.dropLink(link, 'lost')
        continue
      }
      if (link.protocol.ready) link.protocol.send({ type: 'ping', sentAt: now })
      void this.sampleTransport(link)
    }
  }

  /**
   * One getStats() per connection per second, for two things: whether any byte arrived since the last sample
   * (see peerIsGone), and the connection quality shown for the participant (./quality).
   */
  private async sampleTransport(link: Link) {
    const pcs = [link.data.peerConnection, link.media?.peerConnection].filter(
      (pc): pc is RTCPeerConnection => pc != null && pc.connectionState !== 'closed',
    )
    const reports = await Promise.all(
      pcs.map((pc) =>
        pc.getStats().then(
          (report): RTCStatsLike[] => [...report.values()],
          (): RTCStatsLike[] => [],
        ),
      ),
    )
    let total = 0
    for (const stat of reports.flat() as Array<RTCStatsLike & { bytesReceived?: number }>) {
      if (stat.type === 'transport') total += stat.bytesReceived ?? 0
    }
    const now = Date.now()
    link.lastSampleAt = now
    if (total !== link.bytesReceived) {
      link.bytesReceived = total
      // Dated from this sample, not the previous one: on two busy cores samples come late, and dating bytes
      // earlier made busy pages look silent for 3 s (a crash is then noticed in 4-5 s instead of 3.5-4.5 s).
      link.lastTransportActivity = now
    }
    // The link may have been replaced meanwhile, and a participant who left must not come back as "Joining".
    if (this.links.get(link.seat) !== link || !this.store.getState().participants[link.peerId]) return
    const sample = measureQuality(reports, link.qualityCounters)
    link.qualityCounters = sample.counters
    if (link.protocol.ready) {
      this.store.getState().upsertParticipant(link.peerId, { seat: link.seat, quality: sample.quality })
    }
  }

  /** Re-splits our video uplink between the media calls (after a call starts or ends). */
  private applyVideoBudget() {
    const calls = [...this.links.values()].flatMap((link) => (link.media ? [link.media] : []))
    const budget = videoSendBudget(calls.length)
    for (const call of calls) {
      for (const sender of call.peerConnection?.getSenders() ?? []) {
        if (sender.track?.kind !== 'video') continue
        const parameters = sender.getParameters()
        if (!parameters.encodings?.length) continue
        for (const encoding of parameters.encodings) {
          encoding.maxBitrate = budget.maxBitrate
          encoding.scaleResolutionDownBy = budget.scaleResolutionDownBy
        }
        // Rejected only while the call is still negotiating; the next change of the mesh applies it again.
        sender.setParameters(parameters).catch(() => undefined)
      }
    }
  }

  /** Closes a link's connections without touching the participant (a replacement link takes over). */
  private detachLink(link: Link) {
    if (link.dialTimer) clearTimeout(link.dialTimer)
    if (link.outboxTimer) clearTimeout(link.outboxTimer)
    if (link.surfaceTimer) clearTimeout(link.surfaceTimer)
    if (this.links.get(link.seat) === link) this.links.delete(link.seat)
    link.protocol.close()
    for (const [type, count] of Object.entries(link.protocol.received)) {
      this.receivedOnClosedLinks[type] = (this.receivedOnClosedLinks[type] ?? 0) + count
    }
    link.media?.close()
    link.pendingCall?.close()
    link.data.close()
  }

  /**
   * A link ends. `left`: they said goodbye. `lost`: it died (closed, heartbeats and transport silent, ICE
   * failed): if it was working, we re-dial. `refused`: admission or the protocol failed: no re-dial. null: a
   * dial that never got anywhere (an empty seat).
   */
  private dropLink(link: Link, why: 'left' | 'lost' | 'refused' | null) {
    if (this.links.get(link.seat) !== link) return
    this.trace('drop', link.seat, why ?? 'unanswered', link.origin, {
      ready: link.protocol.ready,
      silentMs: Date.now() - link.protocol.lastHeard,
    })
    const wasReady = link.protocol.ready
    this.detachLink(link)
    this.applyVideoBudget()
    const state = this.store.getState()
    const participant = state.participants[link.peerId]
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
      // someone whose answer was lost (a PeerServer restart, a duplicate refused on their side). Dial again;
      // an empty seat ends this at once (why === null).
      if (why === 'lost' && !wasReady && !this.left) this.scheduleSetupRedial(link.seat)
      else if (why === null) this.endSetupRedial(link.seat)
      return
    }
    state.removeParticipant(link.peerId)
    this.vitals.remove(link.peerId)
    this.space.remove(link.peerId, link.remoteSession)
    if (link.remoteSession) this.log.forget(link.remoteSession)
    if (why === 'left' && wasReady) state.notify(`${participant.name} left the call.`)
  }

  private scheduleSetupRedial(seat: number) {
    const redial = this.setupRedials.get(seat) ?? { attempt: 0, timer: null }
    this.setupRedials.set(seat, redial)
    if (redial.timer || redial.attempt >= SETUP_REDIAL_ATTEMPTS) return
    const delay = 1000 * 2 ** redial.attempt
    redial.attempt += 1
    this.trace('redial soon', seat, { attempt: redial.attempt, delay })
    redial.timer = setTimeout(() => {
      redial.timer = null
      if (this.left || this.links.has(seat) || this.reconnects.has(seat)) return
      this.dial(seat)
    }, delay)
  }

  private endSetupRedial(seat: number) {
    const redial = this.setupRedials.get(seat)
    if (redial?.timer) clearTimeout(redial.timer)
    this.setupRedials.delete(seat)
  }

  private startReconnect(seat: number, peerId: string, name: string) {
    if (this.reconnects.has(seat)) return
    this.trace('reconnecting', seat)
    this.store.getState().upsertParticipant(peerId, { seat, status: 'reconnecting', stream: null })
    const reconnect: Reconnect = { seat, peerId, name, startedAt: Date.now(), attempt: 0, timer: null }
    this.reconnects.set(seat, reconnect)
    this.scheduleRedial(reconnect)
  }

  private scheduleRedial(reconnect: Reconnect) {
    // Both sides re-dial; a simultaneous pair is settled like any duplicate (the lower seat's dial wins).
    const delay = Math.min(4000, 250 * 2 ** reconnect.attempt)
    reconnect.timer = setTimeout(() => this.redial(reconnect), delay)
  }

  private redial(reconnect: Reconnect) {
    if (this.reconnects.get(reconnect.seat) !== reconnect || this.left) return
    if (Date.now() - reconnect.startedAt > RECONNECT_GIVE_UP_MS) {
      this.giveUp(reconnect)
      return
    }
    reconnect.attempt += 1
    const link = this.links.get(reconnect.seat)
    // A link in progress (theirs or ours) gets its chance; a stalled one is replaced.
    if (!link || (!link.protocol.ready && reconnect.attempt % 3 === 0)) this.dial(reconnect.seat)
    this.scheduleRedial(reconnect)
  }

  private endReconnect(reconnect: Reconnect) {
    if (reconnect.timer) clearTimeout(reconnect.timer)
    if (this.reconnects.get(reconnect.seat) === reconnect) this.reconnects.delete(reconnect.seat)
  }

  private giveUp(reconnect: Reconnect) {
    if (this.reconnects.get(reconnect.seat) !== reconnect) return
    this.trace('gone', reconnect.seat)
    this.endReconnect(reconnect)
    const link = this.links.get(reconnect.seat)
    if (link) this.detachLink(link)
    const state = this.store.getState()
    state.upsertParticipant(reconnect.peerId, { seat: reconnect.seat, status: 'gone', stream: null })
    state.notify(
      this.announced.has(reconnect.seat)
        ? `The connection to ${reconnect.name} was lost.`
        : 'A participant who was joining could not be reached.',
    )
    setTimeout(() => {
      const participant = this.store.getState().participants[reconnect.peerId]
      if (participant?.status === 'gone') this.store.getState().removeParticipant(reconnect.peerId)
    }, GONE_LINGER_MS)
  }

  /**
   * Sample streams (waveforms, poses) from everyone: the handler gets each decoded frame with its sender. Frames
   * go around the store: a consumer writes them into its own buffers, read per rendered frame.
   */
  onFrame(handler: (peerId: string, frame: Frame) => void): () => void {
    this.frameHandlers.add(handler)
    return () => this.frameHandlers.delete(handler)
  }

  /** Sends a sample frame to every admitted participant. */
  broadcastFrame(frame: Frame) {
    const bytes = encodeFrame(frame)
    for (const link of this.links.values()) if (link.protocol.ready) link.protocol.sendFrame(bytes)
  }

  /** Shares our latest vitals numerics with everyone. */
  broadcastVitals(items: Measurement[]) {
    if (items.length === 0) return
    for (let i = 0; i < items.length; i += 20) {
      const batch = items.slice(i, i + 20)
      for (const link of this.links.values())
        if (link.protocol.ready) link.protocol.send({ type: 'vitals', items: batch })
    }
  }

  /** Says we stopped sharing vitals. */
  broadcastVitalsStopped() {
    for (const link of this.links.values())
      if (link.protocol.ready) link.protocol.send({ type: 'vitals-stopped' })
  }

  /** Tells everyone our microphone/camera state (after mute or camera off). */
  broadcastMediaState() {
    const { muted, cameraOff } = this.store.getState()
    for (const link of this.links.values())
      if (link.protocol.ready) link.protocol.send({ type: 'media-state', muted, cameraOff })
  }

  /** For tests and `?debug`: what each link has seen, and a way to cut the data connections. */
  debugView() {
    return {
      seat: this.seat,
      session: this.session,
      serverConnected: !!this.peer && !this.peer.disconnected,
      ops: this.log.size,
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

  /** Closes every data connection abruptly, as a network fault would (tests the automatic reconnect). */
  debugDropDataConnections() {
    for (const link of this.links.values()) link.data.peerConnection?.close()
  }

  leave() {
    if (this.left) return
    this.left = true
    for (const link of this.links.values()) link.protocol.send({ type: 'bye' })
    for (const timer of this.timers) clearInterval(timer)
    for (const reconnect of this.reconnects.values()) this.endReconnect(reconnect)
    for (const seat of [...this.setupRedials.keys()]) this.endSetupRedial(seat)
    // Closing a connection discards what it has not sent yet, and a busy page may not have sent the goodbyes
    // within a fixed moment: wait until every channel's buffer is empty (a little longer, for the SCTP
    // acknowledgement), at most LEAVE_FLUSH_MAX_MS, then close.
    const peer = this.peer
    const links = [...this.links.values()]
    this.links.clear()
    const startedAt = Date.now()
    const closeWhenSent = () => {
      const pending = links.some((link) => (link.data.dataChannel?.bufferedAmount ?? 0) > 0)
      const waited = Date.now() - startedAt
      if ((pending || waited < LEAVE_FLUSH_MIN_MS) && waited < LEAVE_FLUSH_MAX_MS) {
        setTimeout(closeWhenSent, 50)
        return
      }
      for (const link of links) this.detachLink(link)
      peer?.destroy()
    }
    setTimeout(closeWhenSent, 50)
  }
}
