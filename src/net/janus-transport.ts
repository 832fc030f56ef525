// The large room's transport: the same MeshTransport as ./peerjs-transport.ts, through a Janus VideoRoom (an SFU)
// instead of a full mesh, so CallMesh and every feature run over it unchanged. janode carries the signalling; the
// RTCPeerConnections are our own (one publishing, one per subscribed participant), so encoded transforms and
// simulcast can be added to them.
//
// - A seat is a VideoRoom publisher id derived from the seat's id (./janus-room.ts): Janus refuses a duplicate id
//   in a room, which is "seat taken", exactly as the PeerServer refuses a taken peer id.
// - Everyone publishes one connection (camera, microphone, one data channel) and subscribes to every other
//   publisher. Janus relays a publisher's data channel to all its subscribers, so a "data link" to one participant
//   is emulated on it: every message is an envelope addressed to a seat, and a receiver keeps those addressed to
//   it. Who sent an envelope is the feed it arrived on (Janus says), not anything the envelope claims.
// - A link opens with a three-way handshake (open, accept, ready), repeated until answered: a message is only
//   delivered to a subscriber that is already subscribed, and each side learns of the other's feed on its own.
// - A media call is the subscription to that participant's feed: call()/answer() say, over the link, that each
//   side shows the other's stream, as a PeerJS call and answer would.
// - Everything is end-to-end encrypted with keys from the invite's secret (./sfu-keys.ts), which Janus never has:
//   every envelope is sealed by a MessageSealer (./sfu-crypto.ts) under our session's sender id, and opened only
//   if it authenticates as sent from the feed it arrived on (else dropped and counted); every encoded audio and
//   video frame is encrypted before it is packetized (./sfu-e2ee.ts), VP8 preferred, and the VideoRoom is created
//   with `require_e2ee`, so Janus itself refuses a participant who would publish in clear.
// - The server is the room's rendezvous choice among JANUS_URLS (./janus-room.ts); one whose WebSocket does not
//   open, or that fails to give a session or a handle, is marked down and the next in rendezvous order is tried,
//   so everyone who finds the same server down lands on the same other one.
// - A cut connection (the WebSocket to Janus closes or errs, the session is destroyed, or the publishing connection
//   fails) is the signalling server lost, as for PeerJS: everything on the dead session is let go without
//   goodbyes (the links close as lost, so CallMesh re-dials them and resynchronises the op logs), and CallMesh's
//   reconnectServer() takes the same seat again on the room's server, which may be the next in rendezvous order if
//   ours died (./janus-rejoin.ts), publishes, subscribes to everyone again and says the server is back.
import Janode, { type JanodeConnection, type JanodeSession } from 'janode'
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom'
import { SIMULCAST_CAPTURE, SIMULCAST_ENCODINGS, type SimulcastLayer } from '../lib/simulcast'
import { MAX_VIDEO_SENDERS } from '../room/hands'
import type { Room } from '../room/invite'
import { NoMediaE2eeError, NoWebRtcError, ServerUnreachableError } from './errors'
import { dialStep } from './janus-dial'
import { rejoinSeat, watchConnectionLoss } from './janus-rejoin'
import { feedOfSeat, type JanusRoomAccess, pickJanusUrl } from './janus-room'
import { JanusScreens, type ScreenControl } from './janus-screen'
import type { RTCStatsLike } from './quality'
import { EVERYONE, MessageOpener, MessageSealer } from './sfu-crypto'
import { E2eeUnsupportedError, preferVp8, SfuE2ee, type TransformStats } from './sfu-e2ee'
import { shouldRetrySubscription, subscribeRetryDelay } from './subscription-retry'
import {
  type DataLink,
  type DialMetadata,
  Listeners,
  type MediaLink,
  type MeshTransport,
  TransportEvents,
} from './transport'

/**
 * What sits between our envelopes and the data channel: the per-sender sealing of app messages (`messageCodec`
 * below, over ./sfu-crypto.ts). `seal` is applied to every envelope we send; `open` to every one that arrives
 * from `fromSeat` (null: drop it). Both may be async; order is kept on each side.
 */
export interface EnvelopeCodec {
  seal(bytes: Uint8Array): Promise<Uint8Array> | Uint8Array
  open(bytes: Uint8Array, fromSeat: string): Promise<Uint8Array | null> | Uint8Array | null
}

export interface JanusTransportOptions {
  /** The Janus servers' WebSocket URLs (JANUS_URLS): the room's is chosen among them by rendezvous. */
  urls: readonly string[]
  room: JanusRoomAccess
  /**
   * The room whose secret gives the media and message keys: the invite. (Only a test passes another, to play an
   * intruder who has the Janus room's id and PIN but not the keys.)
   */
  keys: Room
  /** ICE servers and policy, as for the mesh. */
  rtc: RTCConfiguration
  /** Says what the transport does, for a page opened with `?debug`. */
  trace?: (...details: unknown[]) => void
}

/** Longest wait for Janus to answer a request while joining, ms. */
const JOIN_TIMEOUT_MS = 10_000
/** Longest wait for a server's WebSocket, session and handle before it counts as down, ms. */
const SERVER_TIMEOUT_MS = 5000
/** How often an unanswered open is repeated, ms: until the far side subscribes to our feed it cannot hear it. */
const OPEN_RETRY_MS = 300
/** Longest wait for our connection's ICE candidates before we send what we have, ms (loopback: a few ms). */
const GATHER_TIMEOUT_MS = 2000

/** Envelope kinds. */
const KIND = {
  /** Dialer → dialed: open link `link` (payload: JSON { meta, nonce }). */
  open: 1,
  /** Dialed → dialer: accepted (payload: the dialed side's nonce). */
  accept: 2,
  /** Dialer → dialed: we heard the accept; the link is open on both sides from here. */
  ready: 3,
  close: 4,
  text: 5,
  binary: 6,
  /** A media call on link `link`: payload JSON { call, meta }. */
  call: 7,
  /** The answer to media call `call` (payload JSON { call }). */
  answer: 8,
  /** Media call `call` hung up (payload JSON { call }). */
  hangup: 9,
} as const
type Kind = (typeof KIND)[keyof typeof KIND]

/** kind (1 byte), the addressed seat's index (1 byte), the link's number (4 bytes, chosen by the dialer). */
const HEADER_BYTES = 6

function envelope(kind: Kind, toSeat: number, link: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + payload.byteLength)
  const view = new DataView(bytes.buffer)
  view.setUint8(0, kind)
  view.setUint8(1, toSeat)
  view.setUint32(2, link)
  bytes.set(payload, HEADER_BYTES)
  return bytes
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A random 128-bit text: each side's contribution to what a link's admission proofs are bound to. */
function nonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  )
}

/**
 * The message codec of one session: sealed under `senderId` (our feed, a dot, a random session part: a seat taken
 * again by a new session must not reuse sequence numbers the others have seen), opened only from the feed the
 * envelope arrived on. What fails to open is counted in `dropped`, never thrown, never delivered.
 */
function messageCodec(keys: Room, senderId: string, feedOf: (seatId: string) => number) {
  const sealer = new MessageSealer(keys, senderId)
  const opener = new MessageOpener(keys, senderId)
  const codec = {
    dropped: 0,
    seal: (bytes: Uint8Array) => sealer.seal(EVERYONE, bytes as Uint8Array<ArrayBuffer>),
    async open(bytes: Uint8Array, fromSeat: string): Promise<Uint8Array | null> {
      const result = await opener.open(bytes)
      if (result.ok && result.from.startsWith(`${feedOf(fromSeat)}.`) && typeof result.payload !== 'string') {
        return new Uint8Array(result.payload)
      }
      codec.dropped++
      return null
    },
  }
  return codec
}

function randomLinkNumber(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 1
}

async function statsOf(pc: RTCPeerConnection | undefined | null): Promise<RTCStatsLike[]> {
  if (!pc || pc.connectionState === 'closed') return []
  return pc.getStats().then(
    (report): RTCStatsLike[] => [...report.values()],
    (): RTCStatsLike[] => [],
  )
}

/** Resolves once ICE gathering is complete (Janus takes our candidates in the SDP: no trickle), or after a bound. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return
      clearTimeout(timer)
      pc.removeEventListener('icegatheringstatechange', done)
      resolve()
    }
    const timer = setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', done)
      resolve()
    }, GATHER_TIMEOUT_MS)
    pc.addEventListener('icegatheringstatechange', done)
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new ServerUnreachableError()), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** Janus's error code on a janode error (436: that publisher id is in the room already). */
function janusCode(error: unknown): number | undefined {
  return (error as { _code?: number } | null)?._code
}
const ID_EXISTS = 436
const ROOM_EXISTS = 427
/** Janus VideoRoom: the feed asked for is not (or no longer) published. */
const NO_SUCH_FEED = 428

/** The screen calls' envelope kinds (./janus-screen.ts), both ways. */
const SCREEN_KIND = { call: KIND.call, answer: KIND.answer, hangup: KIND.hangup } as const
const SCREEN_CONTROL: Partial<Record<Kind, ScreenControl>> = {
  [KIND.call]: 'call',
  [KIND.answer]: 'answer',
  [KIND.hangup]: 'hangup',
}

/** One subscription to another participant's feed: their media, and their data channel's envelopes. */
interface Subscription {
  seat: number
  handle: VideoRoomHandle | null
  pc: RTCPeerConnection
  stream: MediaStream
  closed: boolean
  /** Janus answered our answer: configure requests can be sent on the handle from here. */
  started: boolean
  /** The simulcast layer Janus forwards us now (undefined: its default, the top one; null: no video). */
  layer: SimulcastLayer | null | undefined
  /** How many tries to subscribe to this feed failed in a row before this one (./subscription-retry.ts). */
  attempt: number
  /** Stops watching the connection for failure (once it started). */
  stopWatching: (() => void) | null
}

class JanusDataLink implements DataLink {
  state: 'dialing' | 'accepted' | 'open' | 'closed' = 'dialing'
  readonly localNonce = nonce()
  remoteNonce: string | null = null
  readonly opened = new Listeners<[]>()
  readonly data = new Listeners<[unknown]>()
  readonly closedListeners = new Listeners<[]>()
  retryTimer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly transport: JanusTransport,
    readonly remoteId: string,
    readonly remoteSeat: number,
    readonly link: number,
    readonly metadata: unknown,
    readonly origin: 'outgoing' | 'incoming',
  ) {}

  get open(): boolean {
    return this.state === 'open'
  }
  get bufferedAmount(): number {
    return this.transport.channel?.bufferedAmount ?? 0
  }
  /** The published data channel is shared by every link: its threshold is the last one asked for. */
  onBufferedAmountLow(threshold: number, handler: () => void) {
    const channel = this.transport.channel
    if (!channel) return () => undefined
    channel.bufferedAmountLowThreshold = threshold
    channel.addEventListener('bufferedamountlow', handler)
    return () => channel.removeEventListener('bufferedamountlow', handler)
  }
  send(payload: string | ArrayBuffer) {
    if (!this.open) return
    if (typeof payload === 'string') this.transport.post(KIND.text, this, encoder.encode(payload))
    else this.transport.post(KIND.binary, this, new Uint8Array(payload))
  }
  close() {
    if (this.state === 'closed') return
    // A dial to an empty seat has nobody to tell.
    if (this.state !== 'dialing' || this.transport.isPublishing(this.remoteSeat))
      this.transport.post(KIND.close, this, new Uint8Array())
    this.closed()
  }
  /** Closed here (by us, by them or with their feed): said once, then everything is let go. */
  closed() {
    if (this.state === 'closed') return
    this.state = 'closed'
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.transport.forget(this)
    this.closedListeners.emit()
    this.opened.clear()
    this.data.clear()
    this.closedListeners.clear()
  }
  onOpen(handler: () => void) {
    const unsubscribe = this.opened.add(handler)
    if (this.open) queueMicrotask(() => this.open && handler())
    return unsubscribe
  }
  onData(handler: (data: unknown) => void) {
    return this.data.add(handler)
  }
  onClose(handler: () => void) {
    const unsubscribe = this.closedListeners.add(handler)
    if (this.state === 'closed') queueMicrotask(handler)
    return unsubscribe
  }
  /** The subscription to their feed is what carries everything from them: its bytes show whether they are alive. */
  stats() {
    return statsOf(this.transport.subscriptionOf(this.remoteSeat)?.pc)
  }
  /**
   * There is no DTLS between the two participants here (each has its own with Janus), so the admission proofs are
   * bound to what both ends of this link agreed on instead: the two random nonces exchanged in its open and accept.
   * A proof is then this link's and no other's (it cannot be replayed onto another link, whose nonces differ);
   * what it cannot do is catch a Janus in the middle, which could rewrite both nonces. Against that operator, what
   * protects the room is the end-to-end encryption of the envelopes (EnvelopeCodec) and of the media.
   */
  fingerprints() {
    return this.remoteNonce
      ? { local: `janus-link ${this.localNonce}`, remote: `janus-link ${this.remoteNonce}` }
      : null
  }
  get iceState() {
    return this.transport.subscriptionOf(this.remoteSeat)?.pc.iceConnectionState
  }
  /**
   * Janus has them in the room: their feed is published and our own session is up. Janus says `leaving` (the link
   * then closes) as soon as their WebSocket closes, and after its session timeout when their page stopped
   * answering, so this stays true for a page that is only busy, where nothing else of theirs arrives when they
   * send no media.
   */
  get relayPresent() {
    return this.transport.serverConnected && this.transport.isPublishing(this.remoteSeat)
  }
  /** A network fault: the link dies here without a goodbye; the far side notices the silence. */
  fault() {
    this.closed()
  }
}

class JanusMediaLink implements MediaLink {
  readonly streams = new Listeners<[MediaStream]>()
  readonly closedListeners = new Listeners<[]>()
  /** Both sides said yes (the call was answered): the far side's stream is shown. */
  live = false
  isClosed = false

  constructor(
    private readonly transport: JanusTransport,
    readonly remoteId: string,
    readonly remoteSeat: number,
    readonly link: number,
    readonly call: number,
    readonly metadata: unknown,
  ) {}

  answer(stream: MediaStream | null) {
    if (this.isClosed) return
    this.transport.useLocalStream(stream)
    this.transport.postControl(KIND.answer, this.remoteSeat, this.link, { call: this.call })
    this.goLive()
  }
  /** Shows their stream (now, or when the subscription has it). */
  goLive() {
    if (this.live || this.isClosed) return
    this.live = true
    const subscription = this.transport.subscriptionOf(this.remoteSeat)
    if (subscription && subscription.stream.getTracks().length > 0) this.streams.emit(subscription.stream)
  }
  close() {
    if (this.isClosed) return
    this.transport.postControl(KIND.hangup, this.remoteSeat, this.link, { call: this.call })
    this.closed()
  }
  closed() {
    if (this.isClosed) return
    this.isClosed = true
    this.transport.forgetCall(this)
    this.closedListeners.emit()
    this.streams.clear()
    this.closedListeners.clear()
  }
  onStream(handler: (stream: MediaStream) => void) {
    const off = this.streams.add(handler)
    // The mesh answers a call before it listens to it (CallMesh.answerCall, then wireCall): a subscription that
    // already had its tracks was shown to nobody. A listener that comes after going live gets it at once.
    const subscription =
      this.live && !this.isClosed ? this.transport.subscriptionOf(this.remoteSeat) : undefined
    if (subscription && subscription.stream.getTracks().length > 0) handler(subscription.stream)
    return off
  }
  onClose(handler: () => void) {
    return this.closedListeners.add(handler)
  }
  stats() {
    return statsOf(this.transport.subscriptionOf(this.remoteSeat)?.pc)
  }
  /**
   * Our video goes up once, to Janus, whoever watches: the mesh's split of the uplink between calls does not apply.
   * (Simulcast layers, chosen per receiver by Janus, take this role on the SFU path.)
   */
  setVideoBudget() {}
}

export class JanusTransport extends TransportEvents implements MeshTransport {
  private connection: JanodeConnection | null = null
  private session: JanodeSession | null = null
  private publisher: VideoRoomHandle | null = null
  private publisherPc: RTCPeerConnection | null = null
  /** Our published data channel: every envelope we send goes out on it. */
  channel: RTCDataChannel | null = null
  private audioSender: RTCRtpSender | null = null
  private videoSender: RTCRtpSender | null = null
  /** Our camera's track, put on the video sender only while we may send video (setVideoSending). */
  private localVideo: MediaStreamTrack | null = null
  private videoSending = true
  /** The simulcast layer our panels want of each seat's video (setReceiveLayer), kept across resubscriptions. */
  private readonly wantedLayers = new Map<number, SimulcastLayer | null>()
  private ids: readonly string[] = []
  private mySeat = -1
  private connected = false
  private destroyed = false
  /** Seats whose feed is published (Janus told us), by seat index. */
  private readonly publishing = new Set<number>()
  private readonly subscriptions = new Map<number, Subscription>()
  /** Links by `${seat}:${link}`. */
  private readonly links = new Map<string, JanusDataLink>()
  private readonly calls = new Map<string, JanusMediaLink>()
  /** Keeps sealed envelopes in order when the codec is async. */
  private sendChain: Promise<void> = Promise.resolve()
  private codec: (EnvelopeCodec & { dropped: number }) | null = null
  private e2ee: SfuE2ee | null = null
  private readonly protectedIds: string[] = []
  /** The Janus server we joined on (null until then). */
  serverUrl: string | null = null
  /** Servers that did not answer while we joined, in the order found. */
  readonly downServers = new Set<string>()
  /** Seats that published at some time in this call: a dial to one that is away waits for it to publish again. */
  private readonly everPublished = new Set<number>()
  /** What we send (the stream the last call or answer gave us): put on the new connection after a rejoin. */
  private localStream: MediaStream | null = null
  /** A rejoin is under way (reconnectServer): CallMesh's retries do not start a second one. */
  private rejoining = false
  /** debugCut: no reconnection before this time (ms since the epoch). */
  private debugHeldUntil = 0
  /** Counts our connections to Janus: events from one already given up are ignored. */
  private epoch = 0
  private stopWatchingPublisher: (() => void) | null = null
  /** Times our connection was lost, and times we took our seat back (for `?debug` tests). */
  private losses = 0
  private rejoins = 0
  /** Stale publishers of ours kicked out of our seat while rejoining. */
  private kicks = 0
  /** Subscriptions tried again after one failed (./subscription-retry.ts). */
  private subscriptionRetries = 0

  constructor(private readonly options: JanusTransportOptions) {
    super()
  }

  /** Shared screens, ours and others' (./janus-screen.ts): everything about them is there. */
  private readonly screens = new JanusScreens(this.screenHost())

  /** Said when our shared screen could not be published or its publication was lost (a sentence). */
  private readonly screenStopped = new Listeners<[string]>()

  onScreenStopped(handler: (sentence: string) => void) {
    return this.screenStopped.add(handler)
  }

  /** What ./janus-screen.ts needs of us. */
  private screenHost() {
    return {
      session: () => (this.connected ? this.session : null),
      // Read when used: a field initializer runs before the constructor has set `options`.
      room: () => this.options.room,
      rtc: () => this.options.rtc,
      e2ee: () => this.e2ee,
      seatIds: () => this.ids,
      mySeat: () => this.mySeat,
      trace: (...details: unknown[]) => this.trace(...details),
      postControl: (kind: ScreenControl, seat: number, link: number, body: unknown) =>
        this.postControl(SCREEN_KIND[kind], seat, link, body),
      incoming: (call: MediaLink) => this.incomingCalls.emit(call),
      stopped: (sentence: string) => this.screenStopped.emit(sentence),
      gathered,
      withTimeout,
      janusCode,
      statsOf,
    }
  }

  get serverConnected(): boolean {
    return this.connected && !this.destroyed
  }

  async registerFirst(ids: readonly string[]): Promise<number> {
    if (typeof RTCPeerConnection === 'undefined') throw new NoWebRtcError()
    this.ids = ids
    const { room } = this.options
    // Media through Janus is never sent in clear: a browser that cannot encrypt it does not join.
    try {
      this.e2ee = await SfuE2ee.start(this.options.keys)
    } catch (error) {
      throw error instanceof E2eeUnsupportedError ? new NoMediaE2eeError() : error
    }
    if (this.destroyed) {
      this.e2ee.dispose()
      throw new ServerUnreachableError()
    }
    // janode logs every request at "info"; a page's console keeps only what is wrong.
    Janode.Logger.setLevel('warn')
    let publishers: Array<{ feed: number }> = []
    try {
      const handle = await this.connectToServer()
      this.publisher = handle
      await this.createRoom(handle)
      for (const [index, id] of ids.entries()) {
        const joined = await withTimeout(
          handle.joinPublisher({ room: room.room, feed: feedOfSeat(id), pin: room.pin }),
          JOIN_TIMEOUT_MS,
        ).catch((error: unknown) => {
          if (janusCode(error) === ID_EXISTS) return null
          throw error
        })
        if (!joined) continue
        this.mySeat = index
        publishers = joined.publishers
        break
      }
    } catch (error) {
      this.destroy()
      throw error instanceof NoWebRtcError ? error : new ServerUnreachableError()
    }
    if (this.mySeat < 0) {
      this.destroy()
      return -1
    }
    const feed = feedOfSeat(ids[this.mySeat] as string)
    this.codec = messageCodec(this.options.keys, `${feed}.${nonce().slice(0, 16)}`, feedOfSeat)
    this.connected = true
    this.wireServer()
    await this.publish()
    this.watchPublisher()
    for (const { feed } of publishers) this.published(feed)
    return this.mySeat
  }

  /**
   * The room exists once its first participant made it, with the derived id and PIN; it is private, so Janus lists
   * it to nobody. "Exists already" is the usual answer.
   */
  private async createRoom(handle: VideoRoomHandle) {
    const { room } = this.options
    await withTimeout(
      handle.create({
        room: room.room,
        pin: room.pin,
        secret: room.secret,
        is_private: true,
        permanent: false,
        // Every seat, and a shared screen for each who may send video (./janus-screen.ts: a feed of its own).
        max_publishers: this.ids.length + MAX_VIDEO_SENDERS,
        // Janus refuses anyone who does not say they encrypt (our frames are opaque to it either way).
        require_e2ee: true,
      }),
      JOIN_TIMEOUT_MS,
    ).catch((error: unknown) => {
      if (janusCode(error) !== ROOM_EXISTS) throw error
    })
  }

  /**
   * A session and a VideoRoom handle on the room's server: the rendezvous choice, or, when it does not answer,
   * the next in rendezvous order, and so on until one does (or none is left: unreachable).
   */
  private async connectToServer(): Promise<VideoRoomHandle> {
    for (;;) {
      const url = pickJanusUrl(this.options.urls, this.options.room, this.downServers)
      if (!url || this.destroyed) throw new ServerUnreachableError()
      this.trace('janus: trying server', url)
      let connection: JanodeConnection | null = null
      try {
        // No reconnection attempts: a server that does not open now is down for this join.
        connection = await withTimeout(
          Janode.connect({ address: { url }, max_retries: 0 }),
          SERVER_TIMEOUT_MS,
        )
        this.connection = connection
        this.session = await withTimeout(connection.create(), SERVER_TIMEOUT_MS)
        const handle = await withTimeout(
          this.session.attach<VideoRoomHandle>(VideoRoomPlugin),
          SERVER_TIMEOUT_MS,
        )
        this.serverUrl = url
        return handle
      } catch (error) {
        this.trace('janus: server down', url, error)
        this.downServers.add(url)
        const failed = connection
        this.connection = null
        this.session = null
        void failed?.close().catch(() => undefined)
      }
    }
  }

  /**
   * For `?debug` tests: the server we joined on and those found down; media frames encrypted and decrypted (and
   * dropped, by reason) per protected sender and receiver; app messages dropped; each subscription's inbound
   * video RTP statistics (packets received, frames decoded, decoded size) and the layer asked of it, by seat;
   * whether our video sender carries a track, and what each of its simulcast encodings sends.
   */
  async debugInfo(): Promise<{
    serverUrl: string | null
    downServers: string[]
    frames: Record<string, TransformStats>
    droppedMessages: number
    connected: boolean
    losses: number
    rejoins: number
    kicks: number
    subscriptionRetries: number
    inboundVideo: Record<
      number,
      { packetsReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number }
    >
    layers: Record<number, SimulcastLayer | null | undefined>
    sendingVideo: boolean
    outboundVideo: Array<{ rid: string; framesEncoded: number; frameWidth: number; bytesSent: number }>
    screens: Awaited<ReturnType<JanusScreens['debugInfo']>>
  }> {
    type VideoStat = RTCStatsLike & {
      kind?: string
      rid?: string
      packetsReceived?: number
      framesDecoded?: number
      framesEncoded?: number
      frameWidth?: number
      frameHeight?: number
      bytesSent?: number
    }
    const inboundVideo: Record<
      number,
      { packetsReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number }
    > = {}
    const layers: Record<number, SimulcastLayer | null | undefined> = {}
    for (const [seat, subscription] of this.subscriptions) {
      layers[seat] = subscription.layer
      for (const stat of await statsOf(subscription.pc)) {
        const s = stat as VideoStat
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') continue
        inboundVideo[seat] = {
          packetsReceived: s.packetsReceived ?? 0,
          framesDecoded: s.framesDecoded ?? 0,
          frameWidth: s.frameWidth ?? 0,
          frameHeight: s.frameHeight ?? 0,
        }
      }
    }
    const outboundVideo = (await statsOf(this.publisherPc))
      .map((stat) => stat as VideoStat)
      .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
      .map((s) => ({
        rid: s.rid ?? '',
        framesEncoded: s.framesEncoded ?? 0,
        frameWidth: s.frameWidth ?? 0,
        bytesSent: s.bytesSent ?? 0,
      }))
    return {
      serverUrl: this.serverUrl,
      downServers: [...this.downServers],
      frames: (await this.e2ee?.stats()) ?? {},
      droppedMessages: this.codec?.dropped ?? 0,
      inboundVideo,
      connected: this.serverConnected,
      losses: this.losses,
      rejoins: this.rejoins,
      kicks: this.kicks,
      subscriptionRetries: this.subscriptionRetries,
      layers,
      sendingVideo: Boolean(this.videoSender?.track),
      outboundVideo,
      screens: await this.screens.debugInfo(),
    }
  }

  /**
   * Listens to the current connection, session and publisher handle: their loss, and who publishes. Everything is
   * tied to this connection's epoch, so a late event from one we already gave up changes nothing.
   */
  private wireServer() {
    const { connection, session, publisher } = this
    if (!connection || !publisher) return
    const epoch = this.epoch
    const lostWith = (reason: string) => () => this.connectionLost(epoch, reason)
    // Closed: janode closed it (we did, or our cut); error: it died under us (the server or the network).
    connection.once(Janode.EVENT.CONNECTION_CLOSED, lostWith('websocket closed'))
    connection.once(Janode.EVENT.CONNECTION_ERROR, lostWith('websocket error'))
    // Janus ended our session (its keepalive timed out): our publisher and subscriptions went with it.
    session?.once(Janode.EVENT.SESSION_DESTROYED, lostWith('session destroyed'))
    publisher.on(
      VideoRoomPlugin.EVENT.VIDEOROOM_PUB_LIST,
      (data: { publishers: Array<{ feed: number }> }) => {
        if (epoch !== this.epoch) return
        for (const { feed } of data.publishers) this.published(feed)
      },
    )
    const gone = (data: { feed?: number }) => {
      if (epoch === this.epoch && typeof data.feed === 'number') this.unpublished(data.feed)
    }
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_UNPUBLISHED, gone)
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_LEAVING, gone)
    // A participant whose stale publisher was kicked by their own rejoin (./janus-rejoin.ts) has left, too; if it
    // was ours (someone else with the invite took our seat's id), we are cut off and take it back.
    publisher.on(VideoRoomPlugin.EVENT.VIDEOROOM_KICKED, (data: { feed?: number }) => {
      if (data.feed === feedOfSeat(this.ids[this.mySeat] ?? '')) lostWith('kicked')()
      else gone(data)
    })
    // Janus hung up our publication (it saw ICE or DTLS fail on its side before we did).
    publisher.once(Janode.EVENT.HANDLE_HANGUP, lostWith('publication hung up by Janus'))
  }

  /** Counts our publishing connection lost when ICE fails, or stays disconnected (./janus-rejoin.ts). */
  private watchPublisher() {
    const pc = this.publisherPc
    if (!pc) return
    const epoch = this.epoch
    this.stopWatchingPublisher?.()
    this.stopWatchingPublisher = watchConnectionLoss(pc, (reason) => this.connectionLost(epoch, reason))
  }

  /**
   * Our connection to Janus died (the WebSocket closed or erred, Janus ended the session, or the publishing
   * connection failed): the signalling server is lost, as a PeerServer's would be, and here everything that went
   * through it is lost too. Nobody can be told, so nothing is: links close as lost (CallMesh re-dials them once we
   * are back and resynchronises the op logs), calls close, and reconnectServer() takes our seat again.
   */
  private connectionLost(epoch: number, reason: string) {
    if (epoch !== this.epoch || !this.connected || this.destroyed) return
    this.trace('janus: connection lost:', reason)
    this.connected = false
    this.losses++
    this.dropServerState()
    this.lost.emit()
  }

  /** Lets go of the current connection and all that rode on it, without goodbyes (there is nobody to hear them). */
  private dropServerState() {
    this.epoch++
    this.screens.drop()
    this.stopWatchingPublisher?.()
    this.stopWatchingPublisher = null
    for (const link of [...this.links.values()]) link.closed()
    for (const call of [...this.calls.values()]) call.closed()
    for (const subscription of this.subscriptions.values()) this.closeSubscription(subscription)
    this.subscriptions.clear()
    this.publishing.clear()
    this.publisherPc?.close()
    this.publisherPc = null
    this.channel = null
    this.audioSender = null
    this.videoSender = null
    const { session, connection } = this
    this.publisher = null
    this.session = null
    this.connection = null
    // A session that still lives (only the media failed) holds our seat until its timeout: destroying it lets the
    // seat go now. On a dead WebSocket both fail at once, which is fine: Janus ends that session by itself.
    void (async () => {
      await session?.destroy().catch(() => undefined)
      await connection?.close().catch(() => undefined)
    })()
  }

  /**
   * Our one publishing connection: an audio and a video transceiver (tracks come with the first call or answer,
   * by replaceTrack, so nothing is renegotiated) and the data channel every envelope rides on.
   */
  private async publish() {
    const pc = new RTCPeerConnection(this.options.rtc)
    this.publisherPc = pc
    this.audioSender = pc.addTransceiver('audio', { direction: 'sendonly' }).sender
    // Three simulcast layers (src/lib/simulcast.ts), so Janus forwards each receiver the size its panel needs and
    // a receiver on a small tile decodes a sixteenth of the pixels. The encrypting transform below sees each
    // layer's frames separately (Chromium runs it per encoding), and each keeps its VP8 header in clear, which is
    // what Janus reads to switch layers on a key frame.
    const video = pc.addTransceiver('video', {
      direction: 'sendonly',
      sendEncodings: SIMULCAST_ENCODINGS.map((encoding) => ({ ...encoding })),
    })
    this.videoSender = video.sender
    // Every frame leaves encrypted, from the first one; VP8, whose headers the clear prefix keeps for Janus.
    preferVp8(video)
    if (this.e2ee) {
      this.protectedIds.push(this.e2ee.protectSender(this.audioSender, 'audio'))
      this.protectedIds.push(this.e2ee.protectSender(this.videoSender, 'video'))
    }
    const channel = pc.createDataChannel('envelopes', { ordered: true })
    channel.binaryType = 'arraybuffer'
    this.channel = channel
    const opened = new Promise<void>((resolve) =>
      channel.addEventListener('open', () => resolve(), { once: true }),
    )
    await pc.setLocalDescription(await pc.createOffer())
    await gathered(pc)
    const local = pc.localDescription
    if (!local || !this.publisher) throw new ServerUnreachableError()
    const { jsep } = await withTimeout(
      this.publisher.publish({ jsep: { type: 'offer', sdp: local.sdp }, e2ee: true }),
      JOIN_TIMEOUT_MS,
    )
    if (!jsep) throw new ServerUnreachableError()
    await pc.setRemoteDescription(jsep)
    await withTimeout(opened, JOIN_TIMEOUT_MS)
  }

  /**
   * Puts our camera and microphone on the published connection (once; later calls carry the same stream). The
   * camera goes on only while we may send video (setVideoSending).
   */
  useLocalStream(stream: MediaStream | null) {
    if (!stream) return
    this.localStream = stream
    const audio = stream.getAudioTracks()[0] ?? null
    const video = stream.getVideoTracks()[0] ?? null
    if (this.audioSender && this.audioSender.track !== audio && audio)
      void this.audioSender.replaceTrack(audio).catch(() => undefined)
    if (video && video !== this.localVideo) {
      this.localVideo = video
      // Three simulcast layers need 960×540 or more at the encoder (Chromium sends two below): a camera that
      // cannot give 720p keeps what it gives, and fewer layers are sent.
      void video.applyConstraints(SIMULCAST_CAPTURE).catch(() => undefined)
    }
    this.applyVideoTrack()
  }

  /**
   * Large rooms: whether our camera is published. Not allowed, the video sender has no track, so not one video
   * packet leaves (a disabled track would still send black frames, and Janus would forward them to everyone).
   */
  setVideoSending(sending: boolean) {
    this.videoSending = sending
    this.applyVideoTrack()
  }

  private applyVideoTrack() {
    const track = this.videoSending ? this.localVideo : null
    if (this.videoSender && this.videoSender.track !== track)
      void this.videoSender.replaceTrack(track).catch(() => undefined)
  }

  /**
   * Which simulcast layer of `remoteId`'s video Janus forwards us (null: none): asked on their subscription now,
   * or when it starts.
   */
  setReceiveLayer(remoteId: string, layer: SimulcastLayer | null) {
    const seat = this.ids.indexOf(remoteId)
    if (seat < 0 || seat === this.mySeat) return
    this.wantedLayers.set(seat, layer)
    const subscription = this.subscriptions.get(seat)
    if (subscription) this.configureLayer(subscription)
  }

  /** Tells Janus the layer wanted of a started subscription, if it is not the one forwarded already. */
  private configureLayer(subscription: Subscription) {
    const wanted = this.wantedLayers.get(subscription.seat)
    if (wanted === undefined || wanted === subscription.layer) return
    if (!subscription.started || !subscription.handle || subscription.closed) return
    // The subscription's video m-line, by its mid in Janus's offer: Janus 1.x configures per stream.
    const mid = subscription.pc
      .getTransceivers()
      .find((transceiver) => transceiver.receiver.track.kind === 'video')?.mid
    if (!mid) return
    subscription.layer = wanted
    const stream = wanted === null ? { mid, send: false } : { mid, send: true, substream: wanted }
    this.trace('janus: layer', wanted, 'of seat', subscription.seat)
    subscription.handle.configure({ streams: [stream] }).catch((error: unknown) => {
      // Asked again on the next change of panel size; the one forwarded meanwhile is Janus's choice.
      subscription.layer = undefined
      if (!subscription.closed) console.warn('janus: layer change failed', error)
    })
  }

  private seatOfFeed(feed: number): number {
    return this.ids.findIndex((id) => feedOfSeat(id) === feed)
  }

  private trace(...details: unknown[]) {
    this.options.trace?.(...details)
  }

  /** A participant published: subscribe to them (media and envelopes). */
  private published(feed: number) {
    if (this.screens.published(feed)) return
    const seat = this.seatOfFeed(feed)
    this.trace('janus: published', feed, 'seat', seat)
    if (seat < 0 || seat === this.mySeat || this.destroyed) return
    this.publishing.add(seat)
    this.everPublished.add(seat)
    if (!this.subscriptions.has(seat)) void this.subscribe(seat, feed)
  }

  /** A participant left: everything with them closes, as a closed PeerConnection would. */
  private unpublished(feed: number) {
    if (this.screens.unpublished(feed)) return
    const seat = this.seatOfFeed(feed)
    this.trace('janus: unpublished', feed, 'seat', seat)
    if (seat < 0 || seat === this.mySeat) return
    this.publishing.delete(seat)
    const subscription = this.subscriptions.get(seat)
    this.subscriptions.delete(seat)
    if (subscription) this.closeSubscription(subscription)
    for (const link of [...this.links.values()]) if (link.remoteSeat === seat) link.closed()
    for (const call of [...this.calls.values()]) if (call.remoteSeat === seat) call.closed()
  }

  private closeSubscription(subscription: Subscription) {
    subscription.closed = true
    subscription.stopWatching?.()
    subscription.pc.close()
    void subscription.handle?.detach().catch(() => undefined)
  }

  /**
   * A subscription failed while we are connected: it goes, and another is tried after a while if the feed is still
   * published (./subscription-retry.ts); nothing else would subscribe to that feed again.
   */
  private subscriptionFailed(subscription: Subscription, feed: number, reason: unknown) {
    const { seat } = subscription
    if (subscription.closed || this.subscriptions.get(seat) !== subscription) return
    console.warn('janus: subscription to seat', seat, 'failed', reason)
    this.subscriptions.delete(seat)
    this.closeSubscription(subscription)
    if (janusCode(reason) === NO_SUCH_FEED) return
    const attempt = subscription.attempt + 1
    const epoch = this.epoch
    setTimeout(() => {
      if (epoch !== this.epoch) return
      const retry = shouldRetrySubscription({
        published: this.publishing.has(seat),
        connected: this.connected,
        destroyed: this.destroyed,
        superseded: this.subscriptions.has(seat),
      })
      if (!retry) return
      this.subscriptionRetries++
      this.trace('janus: subscribing to seat', seat, 'again, try', attempt + 1)
      void this.subscribe(seat, feed, attempt)
    }, subscribeRetryDelay(attempt))
  }

  private async subscribe(seat: number, feed: number, attempt = 0) {
    const pc = new RTCPeerConnection(this.options.rtc)
    const subscription: Subscription = {
      seat,
      handle: null,
      pc,
      stream: new MediaStream(),
      closed: false,
      started: false,
      layer: undefined,
      attempt,
      stopWatching: null,
    }
    this.subscriptions.set(seat, subscription)
    const current = () =>
      this.subscriptions.get(seat) === subscription && !subscription.closed && !this.destroyed
    pc.addEventListener('track', (event) => {
      if (!current()) return
      // Before any frame reaches the decoder: only frames made with the room's media key are decoded.
      if (this.e2ee) this.protectedIds.push(this.e2ee.protectReceiver(event.receiver))
      subscription.stream.addTrack(event.track)
      // Shown by every answered call with them, once the stream has something in it.
      for (const call of this.calls.values())
        if (call.remoteSeat === seat && call.live) call.streams.emit(subscription.stream)
    })
    pc.addEventListener('datachannel', (event) => {
      const channel = event.channel
      this.trace('janus: data channel from seat', seat, channel.label)
      if (channel.label === 'ready') return
      channel.binaryType = 'arraybuffer'
      // Opening one at a time keeps each sender's envelopes in order even when the codec is async.
      let chain: Promise<void> = Promise.resolve()
      channel.addEventListener('message', (message: MessageEvent) => {
        const raw = message.data
        const bytes = typeof raw === 'string' ? encoder.encode(raw) : new Uint8Array(raw as ArrayBuffer)
        chain = chain.then(async () => {
          if (!current()) return
          const codec = this.codec
          const opened = codec ? await codec.open(bytes, this.ids[seat] as string) : bytes
          if (opened && current()) this.receive(seat, opened)
        })
      })
    })
    try {
      if (!this.session) throw new Error('no session')
      // Each request is bounded: a join Janus never answers (a loaded server) must not hold the seat's media forever.
      const handle = await withTimeout(this.session.attach<VideoRoomHandle>(VideoRoomPlugin), JOIN_TIMEOUT_MS)
      subscription.handle = handle
      if (!current()) {
        void handle.detach().catch(() => undefined)
        return
      }
      const { jsep } = await withTimeout(
        handle.joinSubscriber({
          room: this.options.room.room,
          feed,
          pin: this.options.room.pin,
        }),
        JOIN_TIMEOUT_MS,
      )
      if (!current()) return
      if (!jsep) throw new Error('Janus offered no media')
      await pc.setRemoteDescription(jsep)
      // Janus relays a publisher's data to a subscriber only once a channel is open on the subscription
      // (its "data ready"), and only the subscriber can open one: this one carries nothing else.
      pc.createDataChannel('ready')
      await pc.setLocalDescription(await pc.createAnswer())
      await gathered(pc)
      const local = pc.localDescription
      if (!local || !current()) return
      await withTimeout(
        handle.start({ jsep: { type: 'answer', sdp: local.sdp }, e2ee: true }),
        JOIN_TIMEOUT_MS,
      )
      if (!current()) return
      this.trace('janus: subscribed to seat', seat)
      subscription.started = true
      subscription.attempt = 0
      // A subscribing connection whose ICE or DTLS fails while the publisher is fine is tried again, too.
      subscription.stopWatching = watchConnectionLoss(pc, (reason) =>
        this.subscriptionFailed(subscription, feed, reason),
      )
      this.configureLayer(subscription)
    } catch (error) {
      // Their feed went away meanwhile (Janus says so, and no retry follows), or Janus failed us: tried again while
      // they publish and we are connected.
      if (current()) this.subscriptionFailed(subscription, feed, error)
    }
  }

  /** @internal Whether someone publishes in `seat`. */
  isPublishing(seat: number): boolean {
    return this.publishing.has(seat)
  }

  subscriptionOf(seat: number): Subscription | undefined {
    return this.subscriptions.get(seat)
  }

  /** Sends one envelope on our data channel (sealed by the codec, if any, in order). */
  private sendEnvelope(bytes: Uint8Array) {
    const channel = this.channel
    const codec = this.codec
    // Nothing leaves unsealed: before we have a seat there is nobody to talk to anyway.
    if (channel?.readyState !== 'open' || !codec) return
    this.sendChain = this.sendChain.then(async () => {
      const sealed = await codec.seal(bytes)
      if (channel.readyState === 'open') channel.send(sealed as Uint8Array<ArrayBuffer>)
    })
  }

  /** @internal An envelope of `link` to its far side. */
  post(kind: Kind, link: JanusDataLink, payload: Uint8Array) {
    this.sendEnvelope(envelope(kind, link.remoteSeat, link.link, payload))
  }

  /** @internal A JSON control envelope to `seat`. */
  postControl(kind: Kind, seat: number, link: number, body: unknown) {
    this.sendEnvelope(envelope(kind, seat, link, encoder.encode(JSON.stringify(body))))
  }

  /** @internal */
  forget(link: JanusDataLink) {
    const key = `${link.remoteSeat}:${link.link}`
    if (this.links.get(key) === link) this.links.delete(key)
  }

  /** @internal */
  forgetCall(call: JanusMediaLink) {
    const key = `${call.remoteSeat}:${call.call}`
    if (this.calls.get(key) === call) this.calls.delete(key)
  }

  /** An envelope from the participant in `seat` (Janus's word for it: the feed it came on). */
  private receive(seat: number, bytes: Uint8Array) {
    if (bytes.byteLength < HEADER_BYTES) return
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const kind = view.getUint8(0)
    // Everyone's envelopes reach every subscriber: only ours are read.
    if (view.getUint8(1) !== this.mySeat) return
    const number = view.getUint32(2)
    const payload = bytes.subarray(HEADER_BYTES)
    const link = this.links.get(`${seat}:${number}`)
    if (kind !== KIND.text && kind !== KIND.binary)
      this.trace('janus: envelope', kind, 'from seat', seat, 'link', number, link?.state)
    switch (kind) {
      case KIND.open:
        this.onOpenEnvelope(seat, number, payload, link)
        return
      case KIND.accept:
        if (link?.origin !== 'outgoing' || link.state === 'closed') return
        if (link.state === 'dialing') {
          link.remoteNonce = decoder.decode(payload)
          link.state = 'open'
          if (link.retryTimer) clearTimeout(link.retryTimer)
          link.retryTimer = null
          this.post(KIND.ready, link, new Uint8Array())
          link.opened.emit()
        } else {
          // Our ready was sent before their accept came again (it crossed an open we repeated): say it again.
          this.post(KIND.ready, link, new Uint8Array())
        }
        return
      case KIND.ready:
        if (link?.origin !== 'incoming' || link.state !== 'accepted') return
        link.state = 'open'
        link.opened.emit()
        return
      case KIND.close:
        link?.closed()
        return
      case KIND.text:
        if (link?.open) link.data.emit(decoder.decode(payload))
        return
      case KIND.binary:
        // A copy of exactly the payload: the receiver may keep it, and the envelope's buffer is larger.
        if (link?.open) link.data.emit(payload.slice().buffer)
        return
      case KIND.call:
      case KIND.answer:
      case KIND.hangup:
        this.onCallEnvelope(kind, seat, number, payload)
        return
      default:
        return
    }
  }

  private onOpenEnvelope(
    seat: number,
    number: number,
    payload: Uint8Array,
    existing: JanusDataLink | undefined,
  ) {
    if (existing) {
      // They did not hear our accept yet (not subscribed to us then): say it again.
      if (existing.origin === 'incoming' && existing.state === 'accepted')
        this.post(KIND.accept, existing, encoder.encode(existing.localNonce))
      return
    }
    let body: { meta?: unknown; nonce?: unknown }
    try {
      body = JSON.parse(decoder.decode(payload)) as typeof body
    } catch {
      return
    }
    if (typeof body.nonce !== 'string' || body.nonce.length > 64) return
    const remoteId = this.ids[seat] as string
    const link = new JanusDataLink(this, remoteId, seat, number, body.meta, 'incoming')
    link.remoteNonce = body.nonce
    link.state = 'accepted'
    this.links.set(`${seat}:${number}`, link)
    this.post(KIND.accept, link, encoder.encode(link.localNonce))
    this.incomingLinks.emit(link)
  }

  private onCallEnvelope(kind: Kind, seat: number, number: number, payload: Uint8Array) {
    let body: { call?: unknown; meta?: unknown }
    try {
      body = JSON.parse(decoder.decode(payload)) as typeof body
    } catch {
      return
    }
    if (typeof body.call !== 'number') return
    if (this.screens.envelope(SCREEN_CONTROL[kind] ?? 'call', seat, number, body)) return
    const key = `${seat}:${body.call}`
    const existing = this.calls.get(key)
    if (kind === KIND.call) {
      if (existing) return
      const call = new JanusMediaLink(this, this.ids[seat] as string, seat, number, body.call, body.meta)
      this.calls.set(key, call)
      this.incomingCalls.emit(call)
    } else if (kind === KIND.answer) {
      existing?.goLive()
    } else {
      existing?.closed()
    }
  }

  /**
   * After our connection was lost (CallMesh asks again and again, backing off): takes our seat again in the same
   * room, publishes, subscribes to everyone and says the server is back. One attempt at a time; a failed one
   * leaves nothing behind and the next call tries again.
   */
  reconnectServer() {
    if (this.destroyed || this.connected || this.rejoining || this.mySeat < 0) return
    // A test's network still down (debugCut): this attempt fails unheard; CallMesh's next one is already due.
    if (Date.now() < this.debugHeldUntil) return
    this.rejoining = true
    this.rejoin().then(
      () => {
        this.rejoining = false
      },
      (error: unknown) => {
        this.rejoining = false
        this.trace('janus: rejoin failed', error)
        if (!this.connected && !this.destroyed) this.dropServerState()
      },
    )
  }

  private async rejoin() {
    // Every attempt starts from the rendezvous choice: a server that was down a moment ago may be back, and if ours
    // died, everyone who finds it down moves to the same next one, where the room is created again.
    this.downServers.clear()
    const handle = await this.connectToServer()
    this.publisher = handle
    const { room } = this.options
    const feed = feedOfSeat(this.ids[this.mySeat] as string)
    const joined = await rejoinSeat({
      join: () =>
        withTimeout(handle.joinPublisher({ room: room.room, feed, pin: room.pin }), JOIN_TIMEOUT_MS),
      kick: () => {
        this.trace('janus: our seat is still held by our old session: kicking it')
        this.kicks++
        return withTimeout(handle.kick({ room: room.room, feed, secret: room.secret }), JOIN_TIMEOUT_MS)
      },
      createRoom: () => this.createRoom(handle),
      codeOf: janusCode,
    })
    if (this.destroyed) throw new ServerUnreachableError()
    this.trace('janus: rejoined seat', this.mySeat, 'on', this.serverUrl)
    this.wireServer()
    await this.publish()
    // The same camera and microphone tracks (muted or not, as they were) on the new connection's senders.
    this.useLocalStream(this.localStream)
    if (this.destroyed) throw new ServerUnreachableError()
    this.connected = true
    this.watchPublisher()
    for (const { feed } of joined.publishers) this.published(feed)
    this.rejoins++
    this.back.emit()
  }

  /**
   * A network fault, for tests (`?debug`): our connection to Janus dies as on a Wi-Fi drop. The WebSocket closes
   * with no Janus goodbye (no leave, no session destroy: Janus finds the transport gone and ends the session
   * itself), and the PeerConnections stop with nothing said on the data channel. The way back stays shut for
   * `holdMs` (ms): the reconnection attempts of that time fail as against a network still down.
   */
  debugCut(holdMs = 0) {
    this.debugHeldUntil = Date.now() + holdMs
    this.publisherPc?.close()
    for (const subscription of this.subscriptions.values()) subscription.pc.close()
    void this.connection?.close().catch(() => undefined)
  }

  dial(remoteId: string, metadata: DialMetadata): DataLink | null {
    if (!this.serverConnected) return null
    const seat = this.ids.indexOf(remoteId)
    if (seat < 0 || seat === this.mySeat) return null
    const link = new JanusDataLink(this, remoteId, seat, randomLinkNumber(), undefined, 'outgoing')
    this.links.set(`${seat}:${link.link}`, link)
    const startedAt = Date.now()
    const body = encoder.encode(JSON.stringify({ meta: metadata, nonce: link.localNonce }))
    const attempt = () => {
      link.retryTimer = null
      if (link.state !== 'dialing' || this.destroyed) return
      const step = dialStep({
        elapsedMs: Date.now() - startedAt,
        publishing: this.publishing.has(seat),
        everPublished: this.everPublished.has(seat),
      })
      switch (step) {
        case 'unavailable':
          // Nobody in that seat (the PeerServer says so after its expiry), or nobody took it back in time.
          this.unavailable.emit(remoteId)
          link.closed()
          return
        case 'unanswered':
          // Someone is there and did not answer: the dial fails, and the mesh dials again (./janus-dial.ts).
          this.trace('janus: dial unanswered, seat', seat)
          link.closed()
          return
        case 'open':
          this.post(KIND.open, link, body)
          break
        case 'wait':
          // Someone who published in that seat and went away without a goodbye may be rejoining after a cut (as
          // the PeerServer keeps a vanished id for a while): the dial waits for their feed to come back.
          break
      }
      link.retryTimer = setTimeout(attempt, OPEN_RETRY_MS)
    }
    // Not from inside dial(), even for an empty seat (said at once): the mesh holds the link only once this returns.
    link.retryTimer = setTimeout(attempt, 0)
    return link
  }

  call(remoteId: string, stream: MediaStream | null, metadata: DialMetadata): MediaLink | null {
    if (!this.serverConnected) return null
    const seat = this.ids.indexOf(remoteId)
    const link = [...this.links.values()].find((l) => l.remoteSeat === seat && l.open)
    if (seat < 0 || !link) return null
    // A shared screen is a feed of its own (./janus-screen.ts).
    if (metadata.purpose === 'screen') return this.screens.call(remoteId, seat, link.link, stream, metadata)
    this.useLocalStream(stream)
    const number = randomLinkNumber()
    const call = new JanusMediaLink(this, remoteId, seat, link.link, number, undefined)
    this.calls.set(`${seat}:${number}`, call)
    this.postControl(KIND.call, seat, link.link, { call: number, meta: metadata })
    return call
  }

  destroy() {
    if (this.destroyed) return
    this.destroyed = true
    this.connected = false
    for (const link of [...this.links.values()]) link.close()
    for (const call of [...this.calls.values()]) call.closed()
    for (const subscription of this.subscriptions.values()) this.closeSubscription(subscription)
    this.subscriptions.clear()
    this.screens.destroy()
    this.clearListeners()
    const { publisher, session, connection, publisherPc, e2ee } = this
    // The goodbyes above are on the data channel: let them leave before the connection closes.
    setTimeout(() => {
      publisherPc?.close()
      e2ee?.dispose()
      void (async () => {
        await publisher?.leave().catch(() => undefined)
        await session?.destroy().catch(() => undefined)
        await connection?.close().catch(() => undefined)
      })()
    }, 100)
  }
}
