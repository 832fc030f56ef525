// The mesh transport over PeerJS: the PeerServer on our own origin registers our seat id and relays offers and
// answers; data links are PeerJS data connections carrying raw text and binary, media calls are PeerJS media
// connections. The only module in the app that imports peerjs.
import Peer, { type CallOption, type DataConnection, type MediaConnection, type PeerError } from 'peerjs'
import { NoWebRtcError, ServerUnreachableError } from './errors'
import type { RTCStatsLike } from './quality'
import type { PeerServerOptions } from './server-config'
import {
  type BulkLane,
  type DataLink,
  type DialMetadata,
  Listeners,
  type MediaLink,
  type MeshTransport,
  sdpFingerprint,
  TransportEvents,
} from './transport'

/** Longest wait for the PeerServer to accept our id, ms. */
const REGISTER_TIMEOUT_MS = 10000
/**
 * Ask for both audio and video in every offer, even when we send neither: the answerer's tracks then have
 * m-lines to ride on, so a receive-only or microphone-only participant still sees and hears the others.
 */
const OFFER_CONSTRAINTS = { offerToReceiveAudio: true, offerToReceiveVideo: true }

/** What reached a registration before we knew whether we keep it. */
interface HeldEvents {
  /** To replay, in order, once the registration is ours. */
  events: Array<() => void>
  /** Stops holding: the peer's own handlers take over, or it is destroyed. */
  stop: () => void
}

async function statsOf(pc: RTCPeerConnection | undefined | null): Promise<RTCStatsLike[]> {
  if (!pc || pc.connectionState === 'closed') return []
  return pc.getStats().then(
    (report): RTCStatsLike[] => [...report.values()],
    (): RTCStatsLike[] => [],
  )
}

/**
 * What a connection may deliver before the mesh listens to it (between the server handing it over and the
 * mesh's subscription, a few tasks at most): more is dropped, as a flood would be.
 */
const MAX_EARLY_MESSAGES = 200

/**
 * The bulk lane's SCTP stream id. The lane is a negotiated channel (both sides make it with this id, nothing is
 * signalled, so it opens as soon as the association is up); PeerJS's own channel takes the first id of its side's
 * parity (0 or 1), far below.
 */
const BULK_STREAM_ID = 300

/** A link's bulk lane on its RTCPeerConnection; null if the connection is gone. */
function openBulkLane(pc: RTCPeerConnection | undefined): BulkLane | null {
  if (!pc || pc.connectionState === 'closed') return null
  let channel: RTCDataChannel
  try {
    channel = pc.createDataChannel('bulk', { negotiated: true, id: BULK_STREAM_ID, ordered: true })
  } catch {
    return null
  }
  channel.binaryType = 'arraybuffer'
  const data = new Listeners<[unknown]>()
  const early: unknown[] = []
  channel.addEventListener('message', (event) => {
    if (data.size > 0) data.emit(event.data)
    else if (early.length < MAX_EARLY_MESSAGES) early.push(event.data)
  })
  return {
    get open() {
      return channel.readyState === 'open'
    },
    get bufferedAmount() {
      return channel.bufferedAmount
    },
    onBufferedAmountLow: (threshold, handler) => {
      channel.bufferedAmountLowThreshold = threshold
      channel.addEventListener('bufferedamountlow', handler)
      return () => channel.removeEventListener('bufferedamountlow', handler)
    },
    send: (bytes) => {
      if (channel.readyState !== 'open') return false
      try {
        channel.send(bytes)
        return true
      } catch {
        return false
      }
    },
    onData: (handler) => {
      const unsubscribe = data.add(handler)
      for (const raw of early.splice(0)) handler(raw)
      return unsubscribe
    },
  }
}

function wrapData(conn: DataConnection): DataLink {
  const opened = new Listeners<[]>()
  const data = new Listeners<[unknown]>()
  const closed = new Listeners<[]>()
  // Wrapped as soon as it arrives, listened to a moment later: what comes meanwhile waits.
  const early: unknown[] = []
  let hasClosed = false
  let lane: BulkLane | null = null
  conn.on('open', () => opened.emit())
  conn.on('data', (raw) => {
    if (data.size > 0) data.emit(raw)
    else if (early.length < MAX_EARLY_MESSAGES) early.push(raw)
  })
  const onClosed = () => {
    hasClosed = true
    closed.emit()
  }
  conn.on('close', onClosed)
  conn.on('error', onClosed)
  return {
    remoteId: conn.peer,
    metadata: conn.metadata,
    get open() {
      return conn.open
    },
    get bufferedAmount() {
      return conn.dataChannel?.bufferedAmount ?? 0
    },
    onBufferedAmountLow: (threshold, handler) => {
      const channel = conn.dataChannel
      if (!channel) return () => undefined
      channel.bufferedAmountLowThreshold = threshold
      channel.addEventListener('bufferedamountlow', handler)
      return () => channel.removeEventListener('bufferedamountlow', handler)
    },
    send: (payload) => {
      if (conn.open) conn.send(payload)
    },
    close: () => conn.close(),
    onOpen: (handler) => {
      const unsubscribe = opened.add(handler)
      // A connection held while we chose our seat may have opened already: say so now.
      if (conn.open) queueMicrotask(() => conn.open && handler())
      return unsubscribe
    },
    onData: (handler) => {
      const unsubscribe = data.add(handler)
      for (const raw of early.splice(0)) handler(raw)
      return unsubscribe
    },
    onClose: (handler) => {
      const unsubscribe = closed.add(handler)
      if (hasClosed) queueMicrotask(handler)
      return unsubscribe
    },
    stats: () => statsOf(conn.peerConnection),
    fingerprints: () => {
      const local = sdpFingerprint(conn.peerConnection?.localDescription?.sdp)
      const remote = sdpFingerprint(conn.peerConnection?.remoteDescription?.sdp)
      return local && remote ? { local, remote } : null
    },
    get iceState() {
      return conn.peerConnection?.iceConnectionState
    },
    fault: () => conn.peerConnection?.close(),
    bulkLane: () => {
      lane ??= openBulkLane(conn.peerConnection)
      return lane
    },
  }
}

/**
 * Takes a call's tracks off its senders, keeping their m-lines (sendrecv) in the negotiation, and remembers them for
 * release. Called in the task that added them, before the offer or answer has left: nothing can be sent before
 * DTLS is up, which needs the far side's answer, so no frame of ours goes out on a held call.
 */
function holdSenders(pc: RTCPeerConnection | undefined, held: Map<RTCRtpSender, MediaStreamTrack>) {
  for (const sender of pc?.getSenders() ?? []) {
    if (!sender.track) continue
    held.set(sender, sender.track)
    sender.replaceTrack(null).catch(() => undefined)
  }
}

function wrapMedia(call: MediaConnection, heldAtStart = false): MediaLink {
  const streams = new Listeners<[MediaStream]>()
  const closed = new Listeners<[]>()
  call.on('stream', (stream) => streams.emit(stream))
  call.on('close', () => closed.emit())
  /** Our tracks while the call is held (by sender); empty once released, or when nothing was held. */
  const held = new Map<RTCRtpSender, MediaStreamTrack>()
  let budget: { maxBitrate: number; scaleResolutionDownBy: number } | null = null
  const applyBudget = () => {
    if (!budget) return
    for (const sender of call.peerConnection?.getSenders() ?? []) {
      if ((sender.track ?? held.get(sender))?.kind !== 'video') continue
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
  if (heldAtStart) holdSenders(call.peerConnection, held)
  return {
    remoteId: call.peer,
    metadata: call.metadata,
    answer: (stream, holdIt) => {
      call.answer(stream ?? undefined)
      // PeerJS added our tracks and set the offer going in this very call; the answer is not created yet.
      if (holdIt) holdSenders(call.peerConnection, held)
    },
    release: () => {
      const tracks = [...held]
      held.clear()
      const restored = tracks.map(([sender, track]) => sender.replaceTrack(track).catch(() => undefined))
      // A budget set while held is applied again to the tracks now on the senders.
      void Promise.all(restored).then(applyBudget)
    },
    close: () => call.close(),
    onStream: (handler) => streams.add(handler),
    onClose: (handler) => closed.add(handler),
    stats: () => statsOf(call.peerConnection),
    setVideoBudget: (next) => {
      budget = next
      applyBudget()
    },
  }
}

export class PeerJsTransport extends TransportEvents implements MeshTransport {
  private peer: Peer | null = null
  /** Dials and calls that arrived before the mesh listened. */
  private readonly held: Array<() => void> = []

  constructor(private readonly server: PeerServerOptions) {
    super()
  }

  get serverConnected(): boolean {
    return !!this.peer && !this.peer.disconnected && !this.peer.destroyed
  }

  /**
   * One seat after the other, the lowest free one kept. (Asking for all at once saves a handshake per occupied
   * seat, but the extra registrations, held for a moment and released, receive the dials other participants had
   * waiting for those empty seats, and those dials then hang unanswered: tried, and not worth it.)
   */
  async registerFirst(ids: readonly string[]): Promise<number> {
    if (typeof RTCPeerConnection === 'undefined') throw new NoWebRtcError()
    for (const [index, id] of ids.entries()) {
      const result = await this.attempt(id)
      if (!result) continue
      result.held.stop()
      this.peer = result.peer
      this.wire(result.peer)
      // Dials that were waiting for this seat arrive with the registration: handed on once the mesh listens.
      this.held.push(...result.held.events)
      return index
    }
    return -1
  }

  /**
   * One registration: the Peer once the server accepted the id, null when it is taken. The server delivers dials
   * that waited for an id right after accepting it, before the mesh listens: they are held, never dropped unseen.
   */
  private attempt(id: string): Promise<{ peer: Peer; held: HeldEvents } | null> {
    return new Promise((resolve, reject) => {
      const peer = new Peer(id, { ...this.server, debug: 0 })
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
        const held: HeldEvents = { events: [], stop: () => undefined }
        const holdConnection = (conn: DataConnection) => {
          const link = this.acceptable(conn)
          if (link) held.events.push(() => this.emitLink(link))
        }
        const holdCall = (call: MediaConnection) =>
          held.events.push(() => this.incomingCalls.emit(wrapMedia(call)))
        peer.on('connection', holdConnection)
        peer.on('call', holdCall)
        held.stop = () => {
          peer.off('connection', holdConnection)
          peer.off('call', holdCall)
        }
        resolve({ peer, held })
      })
    })
  }

  /** The connection as a link, wrapped at once so nothing it delivers is missed; null if it is not ours. */
  private acceptable(conn: DataConnection): DataLink | null {
    // Our protocol is text and binary as they are; a connection asking for another serialization is not ours.
    if (conn.serialization !== 'raw') {
      conn.close()
      return null
    }
    return wrapData(conn)
  }

  private emitLink(link: DataLink) {
    if (this.incomingLinks.size === 0) this.held.push(() => this.emitLink(link))
    else this.incomingLinks.emit(link)
  }

  /** Hands on what arrived before anyone listened. */
  private flushHeld() {
    if (this.incomingLinks.size === 0 || this.incomingCalls.size === 0) return
    for (const event of this.held.splice(0)) event()
  }

  private wire(peer: Peer) {
    peer.on('connection', (conn) => {
      const link = this.acceptable(conn)
      if (link) this.emitLink(link)
    })
    peer.on('call', (call) => {
      if (this.incomingCalls.size === 0) this.held.push(() => this.incomingCalls.emit(wrapMedia(call)))
      else this.incomingCalls.emit(wrapMedia(call))
    })
    peer.on('error', (error) => {
      if (error.type === 'peer-unavailable') {
        // "Could not connect to peer <id>": the dial to an empty seat expired at the server.
        const remoteId = /peer (\S+)$/.exec(error.message)?.[1]
        if (remoteId) this.unavailable.emit(remoteId)
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
    peer.on('disconnected', () => this.lost.emit())
    peer.on('open', () => this.back.emit())
  }

  reconnectServer() {
    if (this.peer && !this.peer.destroyed && this.peer.disconnected) this.peer.reconnect()
  }

  dial(remoteId: string, metadata: DialMetadata): DataLink | null {
    if (!this.serverConnected || !this.peer) return null
    const conn = this.peer.connect(remoteId, { reliable: true, serialization: 'raw', metadata })
    return conn ? wrapData(conn) : null
  }

  /** Camera calls are made as soon as we dial, held until admission (MeshTransport.heldCalls). */
  readonly heldCalls = true

  call(remoteId: string, stream: MediaStream | null, metadata: DialMetadata, held = false): MediaLink | null {
    if (!this.serverConnected || !this.peer) return null
    // PeerJS passes `constraints` on to createOffer but does not declare it in CallOption.
    const options: CallOption & { constraints: RTCOfferOptions } = {
      metadata,
      constraints: OFFER_CONSTRAINTS,
    }
    const call = this.peer.call(remoteId, stream ?? new MediaStream(), options)
    return call ? wrapMedia(call, held) : null
  }

  override onIncomingLink(handler: (link: DataLink) => void) {
    const unsubscribe = this.incomingLinks.add(handler)
    queueMicrotask(() => this.flushHeld())
    return unsubscribe
  }

  override onIncomingCall(handler: (call: MediaLink) => void) {
    const unsubscribe = this.incomingCalls.add(handler)
    queueMicrotask(() => this.flushHeld())
    return unsubscribe
  }

  destroy() {
    this.clearListeners()
    this.peer?.destroy()
    this.peer = null
  }
}
