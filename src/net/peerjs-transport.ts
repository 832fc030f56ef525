// The mesh transport over PeerJS: the PeerServer on our own origin registers our seat id and relays offers and
// answers; data links are PeerJS data connections carrying raw text and binary, media calls are PeerJS media
// connections. The only module in the app that imports peerjs.
import Peer, { type CallOption, type DataConnection, type MediaConnection, type PeerError } from 'peerjs'
import { NoWebRtcError, ServerUnreachableError } from './errors'
import type { RTCStatsLike } from './quality'
import type { PeerServerOptions } from './server-config'
import { type DataLink, type DialMetadata, Listeners, type MediaLink, type MeshTransport } from './transport'

/** Longest wait for the PeerServer to accept our id, ms. */
const REGISTER_TIMEOUT_MS = 10000
/**
 * Ask for both audio and video in every offer, even when we send neither: the answerer's tracks then have
 * m-lines to ride on, so a receive-only or microphone-only participant still sees and hears the others.
 */
const OFFER_CONSTRAINTS = { offerToReceiveAudio: true, offerToReceiveVideo: true }

async function statsOf(pc: RTCPeerConnection | undefined | null): Promise<RTCStatsLike[]> {
  if (!pc || pc.connectionState === 'closed') return []
  return pc.getStats().then(
    (report): RTCStatsLike[] => [...report.values()],
    (): RTCStatsLike[] => [],
  )
}

function wrapData(conn: DataConnection): DataLink {
  const opened = new Listeners<[]>()
  const data = new Listeners<[unknown]>()
  const closed = new Listeners<[]>()
  conn.on('open', () => opened.emit())
  conn.on('data', (raw) => data.emit(raw))
  conn.on('close', () => closed.emit())
  conn.on('error', () => closed.emit())
  return {
    remoteId: conn.peer,
    metadata: conn.metadata,
    get open() {
      return conn.open
    },
    get bufferedAmount() {
      return conn.dataChannel?.bufferedAmount ?? 0
    },
    send: (payload) => {
      if (conn.open) conn.send(payload)
    },
    close: () => conn.close(),
    onOpen: (handler) => opened.add(handler),
    onData: (handler) => data.add(handler),
    onClose: (handler) => closed.add(handler),
    stats: () => statsOf(conn.peerConnection),
    get iceState() {
      return conn.peerConnection?.iceConnectionState
    },
    fault: () => conn.peerConnection?.close(),
  }
}

function wrapMedia(call: MediaConnection): MediaLink {
  const streams = new Listeners<[MediaStream]>()
  const closed = new Listeners<[]>()
  call.on('stream', (stream) => streams.emit(stream))
  call.on('close', () => closed.emit())
  return {
    remoteId: call.peer,
    metadata: call.metadata,
    answer: (stream) => call.answer(stream ?? undefined),
    close: () => call.close(),
    onStream: (handler) => streams.add(handler),
    onClose: (handler) => closed.add(handler),
    stats: () => statsOf(call.peerConnection),
    setVideoBudget: ({ maxBitrate, scaleResolutionDownBy }) => {
      for (const sender of call.peerConnection?.getSenders() ?? []) {
        if (sender.track?.kind !== 'video') continue
        const parameters = sender.getParameters()
        if (!parameters.encodings?.length) continue
        for (const encoding of parameters.encodings) {
          encoding.maxBitrate = maxBitrate
          encoding.scaleResolutionDownBy = scaleResolutionDownBy
        }
        // Rejected only while the call is still negotiating; the next change of the mesh applies it again.
        sender.setParameters(parameters).catch(() => undefined)
      }
    },
  }
}

export class PeerJsTransport implements MeshTransport {
  private peer: Peer | null = null
  private readonly incomingLinks = new Listeners<[DataLink]>()
  private readonly incomingCalls = new Listeners<[MediaLink]>()
  private readonly unavailable = new Listeners<[string]>()
  private readonly lost = new Listeners<[]>()
  private readonly back = new Listeners<[]>()

  constructor(private readonly server: PeerServerOptions) {}

  get serverConnected(): boolean {
    return !!this.peer && !this.peer.disconnected && !this.peer.destroyed
  }

  register(id: string): Promise<'registered' | 'taken'> {
    if (typeof RTCPeerConnection === 'undefined') return Promise.reject(new NoWebRtcError())
    return new Promise((resolve, reject) => {
      const peer = new Peer(id, { ...this.server, debug: 0 })
      const timer = setTimeout(() => {
        peer.destroy()
        reject(new ServerUnreachableError())
      }, REGISTER_TIMEOUT_MS)
      const onError = (error: PeerError<string>) => {
        clearTimeout(timer)
        peer.destroy()
        if (error.type === 'unavailable-id') resolve('taken')
        else if (error.type === 'browser-incompatible') reject(new NoWebRtcError())
        else reject(new ServerUnreachableError())
      }
      peer.once('error', onError)
      peer.once('open', () => {
        clearTimeout(timer)
        peer.off('error', onError)
        this.peer = peer
        this.wire(peer)
        resolve('registered')
      })
    })
  }

  private wire(peer: Peer) {
    peer.on('connection', (conn) => {
      // Our protocol is text and binary as they are; a connection asking for another serialization is not ours.
      if (conn.serialization !== 'raw') {
        conn.close()
        return
      }
      this.incomingLinks.emit(wrapData(conn))
    })
    peer.on('call', (call) => this.incomingCalls.emit(wrapMedia(call)))
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

  call(remoteId: string, stream: MediaStream | null, metadata: DialMetadata): MediaLink | null {
    if (!this.serverConnected || !this.peer) return null
    // PeerJS passes `constraints` on to createOffer but does not declare it in CallOption.
    const options: CallOption & { constraints: RTCOfferOptions } = {
      metadata,
      constraints: OFFER_CONSTRAINTS,
    }
    const call = this.peer.call(remoteId, stream ?? new MediaStream(), options)
    return call ? wrapMedia(call) : null
  }

  onIncomingLink(handler: (link: DataLink) => void) {
    return this.incomingLinks.add(handler)
  }

  onIncomingCall(handler: (call: MediaLink) => void) {
    return this.incomingCalls.add(handler)
  }

  onUnavailable(handler: (remoteId: string) => void) {
    return this.unavailable.add(handler)
  }

  onServerLost(handler: () => void) {
    return this.lost.add(handler)
  }

  onServerBack(handler: () => void) {
    return this.back.add(handler)
  }

  destroy() {
    for (const listeners of [this.incomingLinks, this.incomingCalls, this.unavailable, this.lost, this.back])
      listeners.clear()
    this.peer?.destroy()
    this.peer = null
  }
}
