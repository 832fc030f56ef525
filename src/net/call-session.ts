// The call: a full mesh of PeerJS connections, one data connection and one media call per remote participant.
// The only module (with its helpers in src/net/) that touches peerjs. It writes what happens into the store and
// reads nothing from React.
import Peer, { type CallOption, type DataConnection, type MediaConnection, type PeerError } from 'peerjs'
import { type Invite, ROLE_LABELS, ROOM_CAPACITY, seatPeerId } from '../room/invite'
import type { ConsultStore } from '../state/store'
import { peerIsGone, resolveDuplicateLink, videoSendBudget } from './mesh'
import { assertNever, type Message, PROTOCOL_VERSION, parseMessage } from './protocol'
import { type PeerServerOptions, ServerUnreachableError } from './server-config'

/** How often we tell each peer we are alive, and sample its transport, ms. */
const HEARTBEAT_MS = 1000
/** A transport sample older than two heartbeats means our own page is lagging, ms. */
const SAMPLE_STALE_MS = 2 * HEARTBEAT_MS + 500
/**
 * A dial that has not opened by then is abandoned, ms. A dial to an empty seat waits in the PeerServer's queue
 * (about 5 s) and is delivered if someone takes the seat meanwhile; past that it cannot open any more.
 */
const DIAL_TIMEOUT_MS = 15000
/** Longest wait for the PeerServer to accept our id, ms. */
const REGISTER_TIMEOUT_MS = 10000
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
  media: MediaConnection | null
  /** The remote's session id, from their dial's metadata or their hello. */
  remoteSession: string | null
  /** A media call that arrived before the peer's hello; answered once the hello is in. */
  pendingCall: MediaConnection | null
  lastHeard: number
  /** Bytes received on the link's peer connections at the last sample, and when that count last grew. */
  bytesReceived: number
  lastTransportActivity: number
  /** When the last transport sample completed: a busy page samples late, and a late sample proves nothing. */
  lastSampleAt: number
  hello: boolean
  dialTimer: ReturnType<typeof setTimeout> | null
}

export interface CallSessionOptions {
  invite: Invite
  displayName: string
  store: ConsultStore
  server: PeerServerOptions
  /** Log connection events to the console (`?debug` in the page URL). */
  debug?: boolean
}

/** What a dial and a media call carry: the caller's seat and session. */
type DialMetadata = { seat: number; session: string }

function dialMetadataOf(metadata: unknown): DialMetadata | null {
  const { seat, session } = (metadata ?? {}) as Partial<DialMetadata>
  const seatOk = typeof seat === 'number' && Number.isInteger(seat) && seat >= 0 && seat < ROOM_CAPACITY
  const sessionOk = typeof session === 'string' && session.length >= 8 && session.length <= 64
  return seatOk && sessionOk ? { seat, session } : null
}

export class CallSession {
  private peer: Peer | null = null
  private seat = -1
  private seatIds: string[] = []
  private readonly links = new Map<number, Link>()
  private timers: ReturnType<typeof setInterval>[] = []
  private left = false
  private reconnectAttempt = 0
  private readonly session = crypto.randomUUID()

  constructor(private readonly options: CallSessionOptions) {}

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
    this.seatIds = await Promise.all(
      Array.from({ length: ROOM_CAPACITY }, (_, seat) => seatPeerId(invite, seat)),
    )
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
        // An empty seat: the dial to it fails on the Peer, not on the connection. Nothing to tell the user.
        for (const link of this.links.values()) {
          if (!link.data.open && error.message.includes(link.peerId)) this.dropLink(link, null)
        }
        return
      }
      if (error.type === 'network' || error.type === 'socket-error' || error.type === 'socket-closed') return
      console.warn('peer error', error.type, error.message)
    })
    // The PeerServer only introduces: open calls carry on without it. Re-register so newcomers can find us.
    peer.on('disconnected', () => this.scheduleReconnect())
    peer.on('open', () => {
      this.reconnectAttempt = 0
    })
  }

  private scheduleReconnect() {
    if (this.left || !this.peer || this.peer.destroyed) return
    // 1 s, 2 s, 4 s … capped at 30 s: quick after a blip, gentle while the server is down for longer.
    const delay = Math.min(30000, 1000 * 2 ** this.reconnectAttempt++)
    setTimeout(() => {
      if (this.left || !this.peer || this.peer.destroyed || !this.peer.disconnected) return
      this.peer.reconnect()
    }, delay)
  }

  private dial(seat: number) {
    const peer = this.peer
    const remoteId = this.seatIds[seat]
    if (!peer || !remoteId) return
    const conn = peer.connect(remoteId, { reliable: true, metadata: this.dialMetadata() })
    const link = this.addLink(seat, remoteId, conn, 'outgoing', null)
    // The media call goes out with the data dial: the other side holds it until our hello has arrived (and, with
    // admission, been verified), so media negotiation overlaps the handshake instead of following it. A call to
    // an empty seat expires at the PeerServer like the dial does.
    this.callMedia(link)
    link.dialTimer = setTimeout(() => {
      if (!link.hello && this.links.get(seat) === link) this.dropLink(link, null)
    }, DIAL_TIMEOUT_MS)
  }

  private dialMetadata(): DialMetadata {
    return { seat: this.seat, session: this.session }
  }

  private onIncomingConnection(conn: DataConnection) {
    const dial = dialMetadataOf(conn.metadata)
    // Only someone who can compute this room's seat ids (who holds the invite) can reach us; still check that the
    // claimed seat matches the caller's id so one participant cannot pose as another seat.
    if (dial === null || dial.seat === this.seat || this.seatIds[dial.seat] !== conn.peer) {
      conn.close()
      return
    }
    const existing = this.links.get(dial.seat)
    if (existing) {
      const keep = resolveDuplicateLink({
        mySeat: this.seat,
        remoteSeat: dial.seat,
        existingOrigin: existing.origin,
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
    const link: Link = {
      seat,
      peerId,
      origin,
      data,
      remoteSession,
      media: null,
      pendingCall: null,
      lastHeard: now,
      bytesReceived: 0,
      lastTransportActivity: now,
      lastSampleAt: now,
      hello: false,
      dialTimer: null,
    }
    this.links.set(seat, link)
    data.on('open', () => {
      if (this.links.get(seat) !== link) return
      link.lastHeard = Date.now()
      this.trace('open', seat, origin)
      // Someone is in that seat: from here on, heartbeats and ICE decide whether the link lives.
      if (link.dialTimer) clearTimeout(link.dialTimer)
      // Only now is someone known to be in that seat: a dial to an empty seat never opens.
      if (!this.store.getState().participants[peerId]) {
        this.store.getState().upsertParticipant(peerId, { seat, status: 'connecting' })
      }
      this.sendHello(link)
    })
    data.on('data', (raw) => {
      if (this.links.get(seat) !== link) return
      this.onData(link, raw)
    })
    data.on('close', () => {
      if (this.links.get(seat) === link) this.dropLink(link, 'lost')
    })
    data.on('error', () => {
      if (this.links.get(seat) === link) this.dropLink(link, 'lost')
    })
    return link
  }

  private sendHello(link: Link) {
    const { muted, cameraOff } = this.store.getState()
    this.send(link, {
      type: 'hello',
      version: PROTOCOL_VERSION,
      name: this.options.displayName,
      role: this.options.invite.role,
      seat: this.seat,
      session: this.session,
      muted,
      cameraOff,
    })
  }

  private send(link: Link, message: Message) {
    if (!link.data.open) return
    try {
      link.data.send(message)
    } catch {
      // A channel that closes between the check and the send: the heartbeat sweep will notice it.
    }
  }

  private onData(link: Link, raw: unknown) {
    link.lastHeard = Date.now()
    const parsed = parseMessage(raw)
    if (!parsed.ok) {
      console.warn(`ignored a malformed message from seat ${link.seat}: ${parsed.reason} (${parsed.detail})`)
      return
    }
    const message = parsed.message
    const state = this.store.getState()
    switch (message.type) {
      case 'hello': {
        if (message.version !== PROTOCOL_VERSION) {
          state.notify(
            `The other participant runs an incompatible version (v${message.version}, you have v${PROTOCOL_VERSION}).`,
            'error',
          )
          this.dropLink(link, null)
          return
        }
        if (
          message.seat !== link.seat ||
          (link.remoteSession !== null && message.session !== link.remoteSession)
        ) {
          // A hello that contradicts the connection it came on: not a participant we can place.
          this.dropLink(link, null)
          return
        }
        link.remoteSession = message.session
        const first = !link.hello
        this.trace('hello from', link.seat, message.name)
        link.hello = true
        if (link.dialTimer) clearTimeout(link.dialTimer)
        state.upsertParticipant(link.peerId, {
          seat: link.seat,
          name: message.name,
          role: message.role,
          muted: message.muted,
          cameraOff: message.cameraOff,
          status: 'connected',
        })
        if (first) {
          state.notify(`${message.name} (${ROLE_LABELS[message.role]}) joined.`)
          if (link.pendingCall) this.answerCall(link, link.pendingCall)
        }
        return
      }
      case 'media-state':
        state.upsertParticipant(link.peerId, {
          seat: link.seat,
          muted: message.muted,
          cameraOff: message.cameraOff,
        })
        return
      case 'ping':
        this.send(link, { type: 'pong', sentAt: message.sentAt })
        return
      case 'pong':
        return
      case 'bye':
        this.dropLink(link, 'left')
        return
      default:
        assertNever(message)
    }
  }

  private callMedia(link: Link) {
    if (!this.peer) return
    const stream = this.store.getState().localStream ?? new MediaStream()
    // PeerJS passes `constraints` on to createOffer but does not declare it in CallOption.
    const options: CallOption & { constraints: RTCOfferOptions } = {
      metadata: this.dialMetadata(),
      constraints: OFFER_CONSTRAINTS,
    }
    const call = this.peer.call(link.peerId, stream, options)
    this.wireCall(link, call)
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
    this.trace('call from', link.seat, link.hello ? 'answering' : 'held until hello')
    if (link.hello) this.answerCall(link, call)
    else link.pendingCall = call
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
      if (this.links.get(link.seat) !== link) return
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
    for (const link of this.links.values()) {
      if (!link.data.open) continue
      const liveness = {
        messageSilenceMs: now - link.lastHeard,
        transportSilenceMs:
          now - link.lastSampleAt > SAMPLE_STALE_MS ? null : now - link.lastTransportActivity,
        ice: link.data.peerConnection?.iceConnectionState,
      }
      if (peerIsGone(liveness)) {
        this.dropLink(link, 'lost')
        continue
      }
      if (link.hello) this.send(link, { type: 'ping', sentAt: now })
      void this.sampleTransport(link)
    }
  }

  /** Notes whether any byte arrived on the link's connections since the last sample (see peerIsGone). */
  private async sampleTransport(link: Link) {
    let total = 0
    for (const pc of [link.data.peerConnection, link.media?.peerConnection]) {
      if (!pc || pc.connectionState === 'closed') continue
      const report = await pc.getStats().catch(() => null)
      report?.forEach((stat: { type: string; bytesReceived?: number }) => {
        if (stat.type === 'transport') total += stat.bytesReceived ?? 0
      })
    }
    const now = Date.now()
    link.lastSampleAt = now
    if (total !== link.bytesReceived) {
      link.bytesReceived = total
      link.lastTransportActivity = now
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
    if (this.links.get(link.seat) === link) this.links.delete(link.seat)
    link.media?.close()
    link.pendingCall?.close()
    link.data.close()
  }

  private dropLink(link: Link, why: 'left' | 'lost' | null) {
    if (this.links.get(link.seat) !== link) return
    this.trace('drop', link.seat, why ?? 'unanswered', link.origin, {
      hello: link.hello,
      silentMs: Date.now() - link.lastHeard,
    })
    this.detachLink(link)
    const state = this.store.getState()
    const participant = state.participants[link.peerId]
    state.removeParticipant(link.peerId)
    this.applyVideoBudget()
    if (why && participant && link.hello) {
      state.notify(
        why === 'left'
          ? `${participant.name} left the call.`
          : `The connection to ${participant.name} was lost.`,
      )
    }
  }

  /** Tells everyone our microphone/camera state (after mute or camera off). */
  broadcastMediaState() {
    const { muted, cameraOff } = this.store.getState()
    for (const link of this.links.values())
      if (link.hello) this.send(link, { type: 'media-state', muted, cameraOff })
  }

  leave() {
    if (this.left) return
    this.left = true
    for (const link of this.links.values()) this.send(link, { type: 'bye' })
    for (const timer of this.timers) clearInterval(timer)
    // Give the goodbyes a moment to leave the data channels before the connections close.
    const peer = this.peer
    const links = [...this.links.values()]
    this.links.clear()
    setTimeout(() => {
      for (const link of links) this.detachLink(link)
      peer?.destroy()
    }, 100)
  }
}
