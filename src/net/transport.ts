// What the call's mesh needs from a network: a signalling server that registers our id and introduces us to the
// others, data links (ordered, reliable text and binary messages) and media calls. The PeerJS implementation
// (./peerjs-transport.ts) is the only file that imports peerjs; ./memory-transport.ts runs the same mesh in Node,
// where a test can delay, drop, duplicate and reorder messages, and kill links and the signalling server.
// Every `on...` returns its own unsubscribe function.
import type { SimulcastLayer } from '../lib/simulcast'
import type { RTCStatsLike } from './quality'

export type Unsubscribe = () => void

/** The caller's seat and session, carried by every dial and media call (PeerJS metadata). */
export interface DialMetadata {
  seat: number
  session: string
  /** A media call that carries a shared screen rather than the camera. */
  purpose?: 'screen'
}

export interface MeshTransport {
  /**
   * Registers the first of `ids` the signalling server lets us have (the others are held by someone: those seats
   * are occupied); resolves with its index, or -1 when all are taken. Rejects with
   * ServerUnreachableError or NoWebRtcError. Called once per transport.
   */
  registerFirst(ids: readonly string[]): Promise<number>
  /** What a `?debug` page's tests may ask about the transport itself (e.g. the SFU path's server and crypto). */
  debugInfo?(): Promise<Record<string, unknown>>
  /**
   * Tests: cuts our own connection to the server and everything through it as a network fault would (the SFU
   * path, where that connection carries the media and messages too); recovery is the transport's, not before
   * `holdMs` (ms) have passed: a network that stays down that long.
   */
  debugCut?(holdMs?: number): void
  /** Whether the signalling server knows us right now (open links carry on without it). */
  readonly serverConnected: boolean
  /** Tries to register again after the server went away (see onServerLost). */
  reconnectServer(): void
  /** A data link to `remoteId`, or null when nothing can be dialed (no server). */
  dial(remoteId: string, metadata: DialMetadata): DataLink | null
  /**
   * A media call to `remoteId` carrying `stream`, or null when nothing can be dialed. `held`: the call is
   * negotiated with our tracks' m-lines but sends nothing until `MediaLink.release()` (see `heldCalls`).
   */
  call(remoteId: string, stream: MediaStream | null, metadata: DialMetadata, held?: boolean): MediaLink | null
  /**
   * Whether camera calls may be made and answered before the peer is admitted, held (nothing of ours sent) until
   * admission releases them: the media connection's handshake then runs beside the data link's admission instead
   * of after it, which is most of the join's time. A transport without it gets its calls after admission.
   */
  readonly heldCalls?: boolean
  /**
   * A transport that sends our camera and microphone on a connection of its own (the SFU's published one) takes
   * a new local stream here, for everyone at once. Without it, the mesh makes its camera calls again.
   */
  useLocalStream?(stream: MediaStream | null): void
  onIncomingLink(handler: (link: DataLink) => void): Unsubscribe
  onIncomingCall(handler: (call: MediaLink) => void): Unsubscribe
  /** The server says nobody holds `remoteId` (a dial to it expired). */
  onUnavailable(handler: (remoteId: string) => void): Unsubscribe
  onServerLost(handler: () => void): Unsubscribe
  onServerBack(handler: () => void): Unsubscribe
  /**
   * Large rooms (SFU only): whether our camera is published at all. While not, the published connection carries
   * no video track (audio and data only); the mesh has no use for it (everyone sends video there).
   */
  setVideoSending?(sending: boolean): void
  /**
   * SFU only: which simulcast layer of `remoteId`'s video we receive (null: none), as the panel showing it needs
   * (src/lib/simulcast.ts). The mesh sends one encoding per call and ignores it.
   */
  setReceiveLayer?(remoteId: string, layer: SimulcastLayer | null): void
  /**
   * SFU only: says (a sentence) when our shared screen could not be published, or its publication was lost; the
   * mesh's screen calls fail one by one like any call and have nothing to say here.
   */
  onScreenStopped?(handler: (sentence: string) => void): Unsubscribe
  /** Destroys everything: links, calls, the registration. */
  destroy(): void
}

export interface DataLink {
  readonly remoteId: string
  /** What the dialer attached; unknown until validated. */
  readonly metadata: unknown
  readonly open: boolean
  /** Bytes queued and not yet handed to the network. */
  readonly bufferedAmount: number
  /**
   * Calls `handler` whenever `bufferedAmount` falls to `threshold` bytes or below (the data channel's
   * `bufferedamountlow`): what paces bulk sends (./bulk-sender.ts). One threshold per link at a time.
   */
  onBufferedAmountLow(threshold: number, handler: () => void): Unsubscribe
  send(data: string | ArrayBuffer): void
  close(): void
  onOpen(handler: () => void): Unsubscribe
  onData(handler: (data: unknown) => void): Unsubscribe
  /** Closed by either side, or failed. */
  onClose(handler: () => void): Unsubscribe
  /** The link's own transport statistics (bytes received show whether anything still arrives). */
  stats(): Promise<RTCStatsLike[]>
  /**
   * The DTLS certificate fingerprints of the underlying connection, ours and theirs, as this side's SDP states
   * them; null until both descriptions are set. Admission proofs are bound to them.
   */
  fingerprints(): { local: string; remote: string } | null
  /** ICE state of the underlying connection, if known. */
  readonly iceState: RTCIceConnectionState | undefined
  /**
   * Only on a transport that relays everything through a server (the SFU): whether that server still has the
   * remote participant in the room. It ends a participant whose connection to it closed at once, so this says a
   * silent peer is still there when nothing else can (see peerIsGone). Undefined on a direct connection.
   */
  readonly relayPresent?: boolean
  /** Cuts the underlying connection without a goodbye, as a network fault would (tests of the reconnect). */
  fault(): void
  /**
   * The link's bulk lane (./bulk-sender.ts), made on first call; both sides call it once the link is open. A
   * transport without lanes leaves this out (or returns null) and bulk bytes share the link.
   */
  bulkLane?(): BulkLane | null
}

/**
 * A second data channel beside a link's own, on the same connection, for bulk bytes (a shared file's pieces): on
 * one ordered channel they would queue ahead of the call's own messages (a chat line, a vitals update, a
 * heartbeat). It rides the link's DTLS association, so it is exactly as authenticated as the link.
 */
export interface BulkLane {
  readonly open: boolean
  readonly bufferedAmount: number
  /** As DataLink.onBufferedAmountLow. */
  onBufferedAmountLow(threshold: number, handler: () => void): Unsubscribe
  /** False when it cannot (not open yet, or closed). */
  send(bytes: ArrayBuffer): boolean
  onData(handler: (data: unknown) => void): Unsubscribe
}

export interface MediaLink {
  readonly remoteId: string
  readonly metadata: unknown
  /** Answers an incoming call with our stream (or none: receive only); `held` as in MeshTransport.call. */
  answer(stream: MediaStream | null, held?: boolean): void
  /**
   * Starts sending the tracks a held call or answer carries (a call that was not held sends already). Only
   * transports with `heldCalls` hold anything.
   */
  release?(): void
  close(): void
  onStream(handler: (stream: MediaStream) => void): Unsubscribe
  onClose(handler: () => void): Unsubscribe
  stats(): Promise<RTCStatsLike[]>
  /** Caps what we send: bits per second and resolution scale of each video encoding. */
  setVideoBudget(budget: { maxBitrate: number; scaleResolutionDownBy: number }): void
}

/** A tiny listener set with unsubscribe, for transports and the mesh. */
export class Listeners<Args extends unknown[]> {
  private readonly handlers = new Set<(...args: Args) => void>()

  add(handler: (...args: Args) => void): Unsubscribe {
    this.handlers.add(handler)
    return () => {
      this.handlers.delete(handler)
    }
  }

  emit(...args: Args) {
    for (const handler of [...this.handlers]) handler(...args)
  }

  clear() {
    this.handlers.clear()
  }

  get size(): number {
    return this.handlers.size
  }
}

/**
 * The events half of every MeshTransport: its five listener sets, the `on...` methods that add to them, and the
 * clearing on destroy. A transport extends it and emits on the sets.
 */
export abstract class TransportEvents {
  protected readonly incomingLinks = new Listeners<[DataLink]>()
  protected readonly incomingCalls = new Listeners<[MediaLink]>()
  protected readonly unavailable = new Listeners<[string]>()
  protected readonly lost = new Listeners<[]>()
  protected readonly back = new Listeners<[]>()

  onIncomingLink(handler: (link: DataLink) => void): Unsubscribe {
    return this.incomingLinks.add(handler)
  }
  onIncomingCall(handler: (call: MediaLink) => void): Unsubscribe {
    return this.incomingCalls.add(handler)
  }
  onUnavailable(handler: (remoteId: string) => void): Unsubscribe {
    return this.unavailable.add(handler)
  }
  onServerLost(handler: () => void): Unsubscribe {
    return this.lost.add(handler)
  }
  onServerBack(handler: () => void): Unsubscribe {
    return this.back.add(handler)
  }

  /** How many listeners are registered (tests check that leaving releases them). */
  protected get listenerTotal(): number {
    return this.eventSets().reduce((total, listeners) => total + listeners.size, 0)
  }

  /** Forgets every listener (part of a transport's destroy). */
  protected clearListeners() {
    for (const listeners of this.eventSets()) listeners.clear()
  }

  private eventSets() {
    return [this.incomingLinks, this.incomingCalls, this.unavailable, this.lost, this.back]
  }
}

/** The first `a=fingerprint:` of an SDP (every section carries the same certificate's), normalised; or null. */
export function sdpFingerprint(sdp: string | undefined): string | null {
  const match = sdp ? /^a=fingerprint:(\S+) (\S+)\s*$/im.exec(sdp) : null
  return match ? `${(match[1] ?? '').toLowerCase()} ${(match[2] ?? '').toUpperCase()}` : null
}
