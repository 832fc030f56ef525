// Screen sharing in a large room (issue 15): a participant's shared screen reaches everyone through Janus as a feed
// of its own, beside their camera's, end-to-end encrypted like the camera. ./janus-transport.ts owns one of these
// per call and hands it what is about screens; everything else of the call is unchanged.
//
// Why a second publisher rather than a second video track on the participant's one connection: Janus VideoRoom
// 1.1.2 supports both (a publisher may renegotiate to add an m-line, and subscribers then update their
// subscription), but a second track means renegotiating the connection that carries the camera, the microphone and
// every app message, on both sides, each time someone starts or stops sharing. A second publisher handle on the
// same Janus session (its own PeerConnection, its own publisher id) leaves the camera's connection untouched: a
// share starts and stops without disturbing the call, and a failed share fails alone.
//
// - The screen's publisher id is derived from the seat id (./janus-room.ts feedOfScreen), so every participant
//   knows whose screen a new feed is, and nobody without the invite can tell or claim one.
// - Everyone subscribes to a screen feed as soon as Janus announces it (as to a camera), and shows it once the
//   sharer's media call for it (the mesh's `purpose: 'screen'` call, on the link's envelopes) is answered: the call
//   says who shares to whom, exactly as over PeerJS, so CallMesh's screen sharing runs unchanged.
// - Every frame is encrypted by the same worker and media key as the camera's (./sfu-e2ee.ts): a page without the
//   key receives the packets and decodes nothing.
// - The feed is published while at least one call carries it, and taken down a moment after the last one closes
//   (a new share replaces the old by closing and calling again: that must not cost a new publication).
import type { JanodeSession } from 'janode'
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom'
import { feedOfScreen, type JanusRoomAccess } from './janus-room'
import type { RTCStatsLike } from './quality'
import { preferVp8, type SfuE2ee } from './sfu-e2ee'
import { Listeners, type MediaLink } from './transport'

/** The media-call envelopes a screen call uses (./janus-transport.ts KIND call, answer, hangup). */
export type ScreenControl = 'call' | 'answer' | 'hangup'

/** What the screen feeds need of the transport. */
export interface ScreenHost {
  /** The current Janus session (null while the connection is lost). */
  session(): JanodeSession | null
  room(): JanusRoomAccess
  rtc(): RTCConfiguration
  e2ee(): SfuE2ee | null
  seatIds(): readonly string[]
  mySeat(): number
  trace(...details: unknown[]): void
  postControl(kind: ScreenControl, seat: number, link: number, body: unknown): void
  /** A participant's screen call for us: for CallMesh to answer (onIncomingCall). */
  incoming(call: MediaLink): void
  /** Our screen could not be published, or its publication was lost: a sentence for whoever shares. */
  stopped(sentence: string): void
  gathered(pc: RTCPeerConnection): Promise<void>
  withTimeout<T>(promise: Promise<T>, ms: number): Promise<T>
  janusCode(error: unknown): number | undefined
  statsOf(pc: RTCPeerConnection | null | undefined): Promise<RTCStatsLike[]>
}

/** Longest wait for Janus while publishing the screen, ms. */
const PUBLISH_TIMEOUT_MS = 10_000
/** How long the feed stays up after its last call closed, ms: a replaced share calls again at once. */
const UNPUBLISH_DELAY_MS = 2000
/** Janus: that publisher id is in the room already (our own screen feed from a session that was cut). */
const ID_EXISTS = 436
/**
 * A screen is text and still pictures: sharp matters more than smooth. One encoding (no simulcast: a receiver
 * that shrank a screen's text to a quarter could not read it), at most 15 frames a second.
 */
const SCREEN_ENCODING: RTCRtpEncodingParameters = { maxFramerate: 15 }

/** The sentence when our screen could not be published. */
export const SCREEN_REFUSED_SENTENCE =
  'Your screen could not be shared with the room: the media server refused it. Try again in a moment.'

interface Publication {
  stream: MediaStream
  pc: RTCPeerConnection
  sender: RTCRtpSender
  /** The screen's sound (a shared tab's), when the capture had some at publication: see ensurePublished. */
  audioSender: RTCRtpSender | null
  handle: VideoRoomHandle | null
  closed: boolean
  /** The e2ee stats id of its encrypting transform. */
  frameId: string | null
  /** The same for its sound's, if it has any. */
  audioFrameId?: string
}

interface ScreenSubscription {
  seat: number
  handle: VideoRoomHandle | null
  pc: RTCPeerConnection
  stream: MediaStream
  closed: boolean
}

/** One screen call: ours to a participant (out), or a participant's to us (in). */
class ScreenCall implements MediaLink {
  readonly streams = new Listeners<[MediaStream]>()
  readonly closedListeners = new Listeners<[]>()
  live = false
  isClosed = false

  constructor(
    private readonly screens: JanusScreens,
    readonly direction: 'in' | 'out',
    readonly remoteId: string,
    readonly remoteSeat: number,
    readonly link: number,
    readonly call: number,
    readonly metadata: unknown,
  ) {}

  answer() {
    if (this.isClosed || this.direction !== 'in') return
    this.screens.post('answer', this, { call: this.call })
    this.goLive()
  }
  /** Shows their screen (now, or once its subscription has a track). */
  goLive() {
    if (this.live || this.isClosed) return
    this.live = true
    const stream = this.screens.streamOf(this)
    if (stream) this.streams.emit(stream)
  }
  close() {
    if (this.isClosed) return
    this.screens.post('hangup', this, { call: this.call })
    this.closed()
  }
  closed() {
    if (this.isClosed) return
    this.isClosed = true
    this.screens.forget(this)
    this.closedListeners.emit()
    this.streams.clear()
    this.closedListeners.clear()
  }
  onStream(handler: (stream: MediaStream) => void) {
    const off = this.streams.add(handler)
    // Answered before anyone listened (CallMesh answers, then listens): the stream it already has, at once.
    const stream = this.live && !this.isClosed ? this.screens.streamOf(this) : null
    if (stream) handler(stream)
    return off
  }
  onClose(handler: () => void) {
    return this.closedListeners.add(handler)
  }
  stats() {
    return this.screens.statsOfCall(this)
  }
  /** One encoding, sent once to Janus whoever watches (SCREEN_ENCODING): nothing to split per call. */
  setVideoBudget() {}
}

export class JanusScreens {
  private publication: Publication | null = null
  private unpublishTimer: ReturnType<typeof setTimeout> | null = null
  private readonly subscriptions = new Map<number, ScreenSubscription>()
  /** Calls by `${direction}:${seat}:${call}`. */
  private readonly calls = new Map<string, ScreenCall>()
  /** The e2ee stats ids of screen receivers (for `?debug` tests: which frames were the screens'). */
  private readonly receiverFrameIds: string[] = []

  constructor(private readonly host: ScreenHost) {}

  /** The seat whose screen feed `feed` is, or -1. */
  seatOfFeed(feed: number): number {
    return this.host.seatIds().findIndex((id) => feedOfScreen(id) === feed)
  }

  /**
   * Janus announced publisher `feed`: if it is a screen, ours is ignored and another's is subscribed to. True when
   * it was a screen feed (the transport's own handling is for cameras).
   */
  published(feed: number): boolean {
    const seat = this.seatOfFeed(feed)
    if (seat < 0) return false
    if (seat === this.host.mySeat()) return true
    this.host.trace('janus: screen published by seat', seat)
    if (!this.subscriptions.has(seat)) void this.subscribe(seat, feed)
    return true
  }

  /** Publisher `feed` left: a screen's subscription and calls end with it. True when it was a screen feed. */
  unpublished(feed: number): boolean {
    const seat = this.seatOfFeed(feed)
    if (seat < 0) return false
    if (seat === this.host.mySeat()) return true
    this.host.trace('janus: screen unpublished by seat', seat)
    const subscription = this.subscriptions.get(seat)
    this.subscriptions.delete(seat)
    if (subscription) closeSubscription(subscription)
    for (const call of [...this.calls.values()])
      if (call.direction === 'in' && call.remoteSeat === seat) call.closed()
    return true
  }

  /**
   * Our screen to the participant in `seat`, over their open link `link`: publishes `stream` (or puts it on the
   * feed already published) and says so with a media call, as CallMesh expects of any transport.
   */
  call(
    remoteId: string,
    seat: number,
    link: number,
    stream: MediaStream | null,
    metadata: unknown,
  ): MediaLink {
    const number = crypto.getRandomValues(new Uint32Array(1))[0] ?? 1
    const call = new ScreenCall(this, 'out', remoteId, seat, link, number, metadata)
    this.calls.set(`out:${seat}:${number}`, call)
    if (stream) this.ensurePublished(stream)
    this.host.postControl('call', seat, link, { call: number, meta: metadata })
    return call
  }

  /**
   * A media-call envelope from `seat`: handled here when it is a screen call (a call whose metadata says
   * `purpose: 'screen'`, or the answer or hangup of one of ours or theirs). True when handled.
   */
  envelope(
    kind: ScreenControl,
    seat: number,
    link: number,
    body: { call?: unknown; meta?: unknown },
  ): boolean {
    if (typeof body.call !== 'number') return false
    if (kind === 'call') {
      if ((body.meta as { purpose?: unknown } | null)?.purpose !== 'screen') return false
      const key = `in:${seat}:${body.call}`
      if (this.calls.has(key)) return true
      const remoteId = this.host.seatIds()[seat]
      if (remoteId === undefined) return true
      const call = new ScreenCall(this, 'in', remoteId, seat, link, body.call, body.meta)
      this.calls.set(key, call)
      this.host.incoming(call)
      return true
    }
    // Our call answered or hung up by them, or theirs hung up.
    const ours = this.calls.get(`out:${seat}:${body.call}`)
    const theirs = this.calls.get(`in:${seat}:${body.call}`)
    const call = ours ?? theirs
    if (!call) return false
    if (kind === 'answer') call.goLive()
    else call.closed()
    return true
  }

  /** @internal */
  post(kind: ScreenControl, call: ScreenCall, body: unknown) {
    this.host.postControl(kind, call.remoteSeat, call.link, body)
  }

  /** @internal The stream a call shows: their screen's subscription, once it has a track. */
  streamOf(call: ScreenCall): MediaStream | null {
    if (call.direction !== 'in') return null
    const stream = this.subscriptions.get(call.remoteSeat)?.stream
    return stream && stream.getTracks().length > 0 ? stream : null
  }

  /** @internal */
  statsOfCall(call: ScreenCall): Promise<RTCStatsLike[]> {
    return this.host.statsOf(
      call.direction === 'in' ? this.subscriptions.get(call.remoteSeat)?.pc : this.publication?.pc,
    )
  }

  /** @internal A call closed: when none of ours is left, the feed comes down (after UNPUBLISH_DELAY_MS). */
  forget(call: ScreenCall) {
    const key = `${call.direction}:${call.remoteSeat}:${call.call}`
    if (this.calls.get(key) === call) this.calls.delete(key)
    if (call.direction === 'out' && !this.hasOutgoing() && !this.unpublishTimer && this.publication) {
      this.unpublishTimer = setTimeout(() => {
        this.unpublishTimer = null
        if (!this.hasOutgoing()) this.unpublish()
      }, UNPUBLISH_DELAY_MS)
    }
  }

  private hasOutgoing(): boolean {
    for (const call of this.calls.values()) if (call.direction === 'out') return true
    return false
  }

  /** Publishes `stream`'s video as our screen feed, or puts it on the one published. */
  private ensurePublished(stream: MediaStream) {
    if (this.unpublishTimer) clearTimeout(this.unpublishTimer)
    this.unpublishTimer = null
    const track = stream.getVideoTracks()[0] ?? null
    const current = this.publication
    if (current && !current.closed) {
      if (current.stream !== stream) {
        current.stream = stream
        void current.sender.replaceTrack(track).catch(() => undefined)
        // A replacing capture's sound goes where the first one's went (none, if the first had no sound: adding an
        // m-line would renegotiate every receiver's subscription for a share that is replaced in place).
        void current.audioSender?.replaceTrack(stream.getAudioTracks()[0] ?? null).catch(() => undefined)
      }
      return
    }
    const session = this.host.session()
    const e2ee = this.host.e2ee()
    const mySeat = this.host.mySeat()
    const myId = this.host.seatIds()[mySeat]
    if (!session || !e2ee || myId === undefined) return
    const pc = new RTCPeerConnection(this.host.rtc())
    const transceiver = pc.addTransceiver('video', {
      direction: 'sendonly',
      sendEncodings: [{ ...SCREEN_ENCODING }],
    })
    // Text stays sharp when the link is short of bits: the encoder drops frames rather than resolution.
    if (track && 'contentHint' in track && !track.contentHint) track.contentHint = 'detail'
    void transceiver.sender.replaceTrack(track).catch(() => undefined)
    preferVp8(transceiver)
    const publication: Publication = {
      stream,
      pc,
      sender: transceiver.sender,
      audioSender: null,
      handle: null,
      closed: false,
      // Before the first frame: nothing of the screen leaves unencrypted.
      frameId: e2ee.protectSender(transceiver.sender, 'video'),
    }
    // The screen's sound where the browser offers it (Chromium: a shared tab's, on some systems the whole
    // screen's), on the same feed as its picture and encrypted with the same key, so it starts and stops with it.
    // Only when the capture has sound now: an m-line without a track costs every receiver a silent track.
    const audio = stream.getAudioTracks()[0] ?? null
    if (audio) {
      const sound = pc.addTransceiver('audio', { direction: 'sendonly' })
      void sound.sender.replaceTrack(audio).catch(() => undefined)
      publication.audioSender = sound.sender
      publication.audioFrameId = e2ee.protectSender(sound.sender, 'audio')
    }
    this.publication = publication
    this.publish(session, publication, feedOfScreen(myId)).catch((error: unknown) => {
      if (publication.closed) return
      this.host.trace('janus: screen publication failed', error)
      this.unpublish()
      for (const call of [...this.calls.values()]) if (call.direction === 'out') call.close()
      this.host.stopped(SCREEN_REFUSED_SENTENCE)
    })
  }

  private async publish(session: JanodeSession, publication: Publication, feed: number) {
    const { host } = this
    const room = host.room()
    const handle = await host.withTimeout(
      session.attach<VideoRoomHandle>(VideoRoomPlugin),
      PUBLISH_TIMEOUT_MS,
    )
    publication.handle = handle
    if (publication.closed) {
      void handle.detach().catch(() => undefined)
      return
    }
    const join = () =>
      host.withTimeout(handle.joinPublisher({ room: room.room, feed, pin: room.pin }), PUBLISH_TIMEOUT_MS)
    await join().catch(async (error: unknown) => {
      // Our screen feed from before a cut, still held by the old session: ours by the invite, so kicked.
      if (host.janusCode(error) !== ID_EXISTS) throw error
      await host.withTimeout(handle.kick({ room: room.room, feed, secret: room.secret }), PUBLISH_TIMEOUT_MS)
      await join()
    })
    const { pc } = publication
    await pc.setLocalDescription(await pc.createOffer())
    await host.gathered(pc)
    const local = pc.localDescription
    if (!local || publication.closed) return
    const { jsep } = await host.withTimeout(
      handle.publish({ jsep: { type: 'offer', sdp: local.sdp }, e2ee: true }),
      PUBLISH_TIMEOUT_MS,
    )
    if (!jsep) throw new Error('Janus gave no answer to the screen offer')
    if (publication.closed) return
    await pc.setRemoteDescription(jsep)
    host.trace('janus: screen published')
  }

  /** Takes our screen feed down (Janus tells the others it left). */
  private unpublish() {
    const publication = this.publication
    this.publication = null
    if (!publication) return
    publication.closed = true
    publication.pc.close()
    const handle = publication.handle
    void (async () => {
      await handle?.leave().catch(() => undefined)
      await handle?.detach().catch(() => undefined)
    })()
  }

  private async subscribe(seat: number, feed: number) {
    const { host } = this
    const pc = new RTCPeerConnection(host.rtc())
    const subscription: ScreenSubscription = {
      seat,
      handle: null,
      pc,
      stream: new MediaStream(),
      closed: false,
    }
    this.subscriptions.set(seat, subscription)
    const current = () => this.subscriptions.get(seat) === subscription && !subscription.closed
    pc.addEventListener('track', (event) => {
      if (!current()) return
      // Before any frame reaches the decoder: only frames made with the room's media key are decoded.
      const e2ee = host.e2ee()
      if (e2ee) this.receiverFrameIds.push(e2ee.protectReceiver(event.receiver))
      // A new stream object per track: whoever shows it (the screen's picture, and its sound where it has one)
      // sees a new value and takes the new track, which a stream changed in place would not tell them.
      subscription.stream = new MediaStream([...subscription.stream.getTracks(), event.track])
      for (const call of this.calls.values())
        if (call.direction === 'in' && call.remoteSeat === seat && call.live)
          call.streams.emit(subscription.stream)
    })
    try {
      const session = host.session()
      if (!session) return
      const handle = await session.attach<VideoRoomHandle>(VideoRoomPlugin)
      subscription.handle = handle
      if (!current()) {
        void handle.detach().catch(() => undefined)
        return
      }
      const { jsep } = await handle.joinSubscriber({ room: host.room().room, feed, pin: host.room().pin })
      if (!jsep || !current()) return
      await pc.setRemoteDescription(jsep)
      await pc.setLocalDescription(await pc.createAnswer())
      await host.gathered(pc)
      const local = pc.localDescription
      if (!local || !current()) return
      await handle.start({ jsep: { type: 'answer', sdp: local.sdp }, e2ee: true })
      host.trace('janus: subscribed to the screen of seat', seat)
    } catch (error) {
      // The share ended meanwhile, or Janus went away: the panel does not appear, as for any share that ended.
      if (current()) console.warn('janus: screen subscription failed', error)
    }
  }

  /**
   * Our connection to Janus was lost: everything of the screens went with it, nobody to tell. CallMesh calls again
   * once its links are back (and then the feed is published on the new session).
   */
  drop() {
    if (this.unpublishTimer) clearTimeout(this.unpublishTimer)
    this.unpublishTimer = null
    for (const call of [...this.calls.values()]) call.closed()
    for (const subscription of this.subscriptions.values()) closeSubscription(subscription)
    this.subscriptions.clear()
    const publication = this.publication
    this.publication = null
    if (publication) {
      publication.closed = true
      publication.pc.close()
    }
  }

  /** Leaving: our feed is taken down, everything else let go. */
  destroy() {
    for (const call of [...this.calls.values()]) call.closed()
    if (this.unpublishTimer) clearTimeout(this.unpublishTimer)
    this.unpublishTimer = null
    this.unpublish()
    for (const subscription of this.subscriptions.values()) closeSubscription(subscription)
    this.subscriptions.clear()
  }

  /**
   * For `?debug` tests: whether our screen is published and what it sent; each received screen's inbound video
   * (by seat); and the e2ee stats ids of the screen's encrypting and decrypting transforms.
   */
  async debugInfo() {
    type VideoStat = RTCStatsLike & {
      kind?: string
      packetsReceived?: number
      framesDecoded?: number
      framesEncoded?: number
      frameWidth?: number
    }
    const inbound: Record<number, { packetsReceived: number; framesDecoded: number; frameWidth: number }> = {}
    for (const [seat, subscription] of this.subscriptions) {
      for (const stat of await this.host.statsOf(subscription.pc)) {
        const s = stat as VideoStat
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') continue
        inbound[seat] = {
          packetsReceived: s.packetsReceived ?? 0,
          framesDecoded: s.framesDecoded ?? 0,
          frameWidth: s.frameWidth ?? 0,
        }
      }
    }
    const outbound = (await this.host.statsOf(this.publication?.pc))
      .map((stat) => stat as VideoStat)
      .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
      .reduce((sum, s) => sum + (s.framesEncoded ?? 0), 0)
    return {
      publishing: this.publication !== null && !this.publication.closed,
      framesEncoded: outbound,
      inbound,
      sendingAudio: Boolean(this.publication?.audioSender?.track),
      frameIds: [
        ...(this.publication?.frameId ? [this.publication.frameId] : []),
        ...(this.publication?.audioFrameId ? [this.publication.audioFrameId] : []),
        ...this.receiverFrameIds,
      ],
    }
  }
}

function closeSubscription(subscription: ScreenSubscription) {
  subscription.closed = true
  subscription.pc.close()
  void subscription.handle?.detach().catch(() => undefined)
}
