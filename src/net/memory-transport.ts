// An in-memory MeshTransport for tests in Node: a signalling server that registers ids, relays dials (queued for
// `expireMs` when nobody holds the id yet, then "unavailable", as the PeerServer does) and can be stopped and
// started; data links whose messages can be delayed, dropped, duplicated and reordered; media calls whose
// "streams" are plain objects; and participants that can crash (go silent without a goodbye). Offers and answers
// travel through the server, so a dial in flight when it stops never opens, exactly as over PeerJS.
import type { RTCStatsLike } from './quality'
import {
  type DataLink,
  type DialMetadata,
  Listeners,
  type MediaLink,
  type MeshTransport,
  TransportEvents,
} from './transport'

export interface LinkFaults {
  /** Extra delay per message, ms. */
  delayMs: number
  /** Share of messages lost, 0-1. */
  dropRate: number
  /** Share of messages delivered twice, 0-1. */
  duplicateRate: number
  /** Random extra delay up to this, so messages overtake each other, ms. */
  jitterMs: number
}

const NO_FAULTS: LinkFaults = { delayMs: 0, dropRate: 0, duplicateRate: 0, jitterMs: 0 }

export interface MemoryNetworkOptions {
  /** How long the server keeps a dial to an id nobody holds, ms (our PeerServer: 2 s). */
  expireMs?: number
  /** One way through the signalling server, ms. */
  signalMs?: number
  /** One way on a data link, ms. */
  latencyMs?: number
  /** Seed for the fault dice. */
  seed?: number
  /** How fast a data link drains what is sent on it, bytes per ms; 0: at once (the default). */
  bytesPerMs?: number
  /**
   * Everything goes through a server that knows who is in the room, as through the SFU: each data link's
   * `relayPresent` says whether the far side still holds its registration (a crash or a network drop ends it).
   */
  relayed?: boolean
}

interface Pending {
  to: string
  deliver: (transport: MemoryTransport) => void
  fail: () => void
  timer: ReturnType<typeof setTimeout>
}

/** A small deterministic generator (mulberry32), so a failing fault test can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class MemoryNetwork {
  readonly expireMs: number
  readonly signalMs: number
  readonly latencyMs: number
  readonly bytesPerMs: number
  readonly relayed: boolean
  faults: LinkFaults = { ...NO_FAULTS }
  private up = true
  private readonly registered = new Map<string, MemoryTransport>()
  private pending: Pending[] = []
  readonly transports = new Set<MemoryTransport>()
  readonly dice: () => number

  constructor(options: MemoryNetworkOptions = {}) {
    this.expireMs = options.expireMs ?? 2000
    this.signalMs = options.signalMs ?? 5
    this.latencyMs = options.latencyMs ?? 1
    this.bytesPerMs = options.bytesPerMs ?? 0
    this.relayed = options.relayed ?? false
    this.dice = random(options.seed ?? 1)
  }

  get serverUp(): boolean {
    return this.up
  }

  transport(): MemoryTransport {
    const transport = new MemoryTransport(this)
    this.transports.add(transport)
    return transport
  }

  /** The ids the server holds now. */
  get registeredIds(): string[] {
    return [...this.registered.keys()]
  }

  /** Stops the signalling server: every registration and every dial waiting in it is lost. */
  stopServer() {
    this.up = false
    this.registered.clear()
    for (const pending of this.pending) clearTimeout(pending.timer)
    this.pending = []
    for (const transport of this.transports) transport.serverWentAway()
  }

  startServer() {
    this.up = true
  }

  private readonly cuts = new Set<string>()

  /**
   * The path between two participants fails while both still reach the server (two networks whose routes broke,
   * ICE that no longer finds a pair): their open data links die, and no new link between them opens, its offer
   * lost on the way, until mendBetween().
   */
  cutBetween(a: MemoryTransport, b: MemoryTransport) {
    if (a.id === null || b.id === null) return
    this.cuts.add([a.id, b.id].sort().join(' '))
    a.faultLinksTo(b.id)
    b.faultLinksTo(a.id)
  }

  mendBetween(a: MemoryTransport, b: MemoryTransport) {
    if (a.id !== null && b.id !== null) this.cuts.delete([a.id, b.id].sort().join(' '))
  }

  /** @internal */
  isCut(a: string, b: string): boolean {
    return this.cuts.has([a, b].sort().join(' '))
  }

  /** @internal */
  register(id: string, transport: MemoryTransport): boolean {
    if (!this.up) return false
    const holder = this.registered.get(id)
    if (holder && holder !== transport) return false
    this.registered.set(id, transport)
    // Dials queued for this id are delivered to whoever takes it, as the PeerServer does: in messages of their
    // own after the registration's answer.
    const waiting = this.pending.filter((pending) => pending.to === id)
    this.pending = this.pending.filter((pending) => pending.to !== id)
    for (const pending of waiting) {
      clearTimeout(pending.timer)
      setTimeout(() => {
        if (this.up && this.registered.get(id) === transport) pending.deliver(transport)
      }, this.signalMs)
    }
    return true
  }

  /** @internal Whether someone holds `id` at the server now. */
  holds(id: string): boolean {
    return this.up && this.registered.has(id)
  }

  /** @internal */
  unregister(transport: MemoryTransport) {
    for (const [id, holder] of this.registered) if (holder === transport) this.registered.delete(id)
  }

  /** @internal Relays an offer to `to` through the server: delivered, queued, or "unavailable". */
  signal(to: string, deliver: (transport: MemoryTransport) => void, fail: () => void) {
    setTimeout(() => {
      if (!this.up) return
      const target = this.registered.get(to)
      if (target) {
        deliver(target)
        return
      }
      const pending: Pending = {
        to,
        deliver,
        fail,
        timer: setTimeout(() => {
          this.pending = this.pending.filter((p) => p !== pending)
          if (this.up) fail()
        }, this.expireMs),
      }
      this.pending.push(pending)
    }, this.signalMs)
  }

  /** @internal An answer back through the server: lost if it went away meanwhile. */
  answer(run: () => void) {
    setTimeout(() => {
      if (this.up) run()
    }, this.signalMs)
  }
}

/** One end of a data link. */
class MemoryDataEnd implements DataLink {
  other: MemoryDataEnd | null = null
  isOpen = false
  closed = false
  /** Set when our own side crashed: nothing arrives or leaves any more, and nobody is told. */
  silent = false
  /** Set while our own page runs no script (MemoryTransport.stall): nothing leaves, what arrives still does. */
  stalled = false
  bytesReceived = 0
  /** This end's made-up certificate fingerprint (the far end's is `other.certificate`). */
  readonly certificate =
    `sha-256 ${Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`
  readonly opened = new Listeners<[]>()
  readonly data = new Listeners<[unknown]>()
  readonly closedListeners = new Listeners<[]>()

  constructor(
    private readonly network: MemoryNetwork,
    readonly remoteId: string,
    readonly metadata: unknown,
  ) {}

  get open(): boolean {
    return this.isOpen && !this.closed
  }

  /** Bytes sent and not yet arrived: what a real channel would still hold. */
  inFlight = 0
  private lowThreshold = 0
  readonly low = new Listeners<[]>()

  get bufferedAmount(): number {
    return this.inFlight
  }

  onBufferedAmountLow(threshold: number, handler: () => void) {
    this.lowThreshold = threshold
    return this.low.add(handler)
  }

  private delivered(size: number) {
    const before = this.inFlight
    this.inFlight = Math.max(0, this.inFlight - size)
    if (before > this.lowThreshold && this.inFlight <= this.lowThreshold) this.low.emit()
  }

  get iceState(): RTCIceConnectionState {
    return this.closed ? 'closed' : this.isOpen ? 'connected' : 'new'
  }

  /** On a relayed network: the server still holds the far side's registration. */
  get relayPresent(): boolean | undefined {
    return this.network.relayed ? this.network.holds(this.remoteId) : undefined
  }

  send(payload: string | ArrayBuffer) {
    const other = this.other
    if (!this.open || this.silent || this.stalled || !other) return
    const { faults, latencyMs } = this.network
    if (this.network.dice() < faults.dropRate) return
    const copies = this.network.dice() < faults.duplicateRate ? 2 : 1
    const size = typeof payload === 'string' ? payload.length : payload.byteLength
    // Binary payloads are copied: the sender may reuse its buffer.
    const copy = typeof payload === 'string' ? payload : payload.slice(0)
    // What is in flight drains at the network's bandwidth (if it has one), as a real channel's buffer does.
    this.inFlight += size
    const drainMs = this.network.bytesPerMs > 0 ? this.inFlight / this.network.bytesPerMs : 0
    setTimeout(() => this.delivered(size), drainMs)
    for (let i = 0; i < copies; i++) {
      const delay = latencyMs + drainMs + faults.delayMs + this.network.dice() * faults.jitterMs
      setTimeout(() => other.arrive(copy, size), delay)
    }
  }

  arrive(payload: unknown, size: number) {
    if (!this.open || this.silent || this.other?.silent) return
    this.bytesReceived += size
    this.data.emit(payload)
  }

  /** Opens both ends (the answer came back through the server and ICE completed). */
  openBoth() {
    const other = this.other
    if (this.closed || !other || other.closed) return
    this.isOpen = true
    other.isOpen = true
    this.opened.emit()
    other.opened.emit()
  }

  close() {
    if (this.closed) return
    this.closed = true
    const other = this.other
    this.closedListeners.emit()
    // The far end hears of an orderly close shortly after (the data channel's close), unless it never opened.
    if (other && !other.closed && this.isOpen && !this.silent) {
      setTimeout(() => other.remoteClosed(), this.network.latencyMs)
    }
    this.release()
  }

  remoteClosed() {
    if (this.closed) return
    this.closed = true
    this.closedListeners.emit()
    this.release()
  }

  /** A closed end holds nothing: like a closed RTCDataChannel, it lets go of its handlers. */
  private release() {
    this.low.clear()
    this.opened.clear()
    this.data.clear()
    this.closedListeners.clear()
    this.onRelease?.()
  }

  /** Set by the transport that holds this end, to forget it once closed. */
  onRelease: (() => void) | null = null

  onOpen(handler: () => void) {
    return this.opened.add(handler)
  }
  onData(handler: (data: unknown) => void) {
    return this.data.add(handler)
  }
  onClose(handler: () => void) {
    return this.closedListeners.add(handler)
  }
  async stats(): Promise<RTCStatsLike[]> {
    return [{ type: 'transport', id: 'T', bytesReceived: this.bytesReceived } as RTCStatsLike]
  }
  fingerprints() {
    return this.other ? { local: this.certificate, remote: this.other.certificate } : null
  }
  /** A network fault: the connection dies under us; the far end sees it die a moment later. */
  fault() {
    const other = this.other
    this.remoteClosed()
    if (other) setTimeout(() => other.remoteClosed(), this.network.latencyMs * 10)
  }
}

class MemoryMediaEnd implements MediaLink {
  other: MemoryMediaEnd | null = null
  stream: MediaStream | null
  closed = false
  /**
   * Whether our tracks go out on this call: false while it is held (MeshTransport.heldCalls). The far side gets
   * our stream object at negotiation either way, as WebRTC's `track` event does; what it may not get is media.
   */
  sending = true
  readonly streams = new Listeners<[MediaStream]>()
  readonly closedListeners = new Listeners<[]>()
  budget: { maxBitrate: number; scaleResolutionDownBy: number } | null = null

  constructor(
    private readonly network: MemoryNetwork,
    readonly remoteId: string,
    readonly metadata: unknown,
    stream: MediaStream | null,
  ) {
    this.stream = stream
  }

  answer(stream: MediaStream | null, held = false) {
    this.stream = stream
    this.sending = !held
    const other = this.other
    this.network.answer(() => {
      if (this.closed || !other || other.closed) return
      // Each side receives the other's media; a side sending none still gets a (silent) stream object.
      const fromCaller = other.stream ?? ({ id: `empty-${other.remoteId}` } as unknown as MediaStream)
      const fromAnswerer = this.stream ?? ({ id: `empty-${this.remoteId}` } as unknown as MediaStream)
      this.streams.emit(fromCaller)
      other.streams.emit(fromAnswerer)
    })
  }

  close() {
    if (this.closed) return
    this.closed = true
    this.closedListeners.emit()
    this.streams.clear()
    this.closedListeners.clear()
    const other = this.other
    if (other && !other.closed) {
      setTimeout(() => other.close(), this.network.latencyMs)
    }
  }

  release() {
    if (!this.closed) this.sending = true
  }

  onStream(handler: (stream: MediaStream) => void) {
    return this.streams.add(handler)
  }
  onClose(handler: () => void) {
    return this.closedListeners.add(handler)
  }
  async stats(): Promise<RTCStatsLike[]> {
    return []
  }
  setVideoBudget(budget: { maxBitrate: number; scaleResolutionDownBy: number }) {
    this.budget = budget
  }
}

export class MemoryTransport extends TransportEvents implements MeshTransport {
  id: string | null = null
  private connected = false
  private destroyed = false
  private crashed = false
  /** dropNetwork() until restoreNetwork(). */
  private offline = false
  /** stall() until unstall(). */
  private stalled = false
  private readonly dataEnds = new Set<MemoryDataEnd>()
  private readonly mediaEnds = new Set<MemoryMediaEnd>()

  constructor(private readonly network: MemoryNetwork) {
    super()
  }

  get serverConnected(): boolean {
    return this.connected && this.network.serverUp && !this.destroyed
  }

  async registerFirst(ids: readonly string[]): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, this.network.signalMs))
    if (!this.network.serverUp) throw new Error('The consultation server cannot be reached.')
    if (this.id !== null) throw new Error('already registered')
    for (const [index, id] of ids.entries()) {
      if (!this.network.register(id, this)) continue
      this.id = id
      this.connected = true
      return index
    }
    return -1
  }

  /** @internal The server stopped. */
  serverWentAway() {
    if (!this.connected || this.destroyed) return
    this.connected = false
    this.lost.emit()
  }

  reconnectServer() {
    if (this.destroyed || this.crashed || this.id === null || this.connected) return
    const id = this.id
    setTimeout(() => {
      if (this.destroyed || this.connected) return
      if (!this.offline && this.network.register(id, this)) {
        this.connected = true
        this.back.emit()
      } else {
        // Refused (the server is still down, or someone took our id meanwhile): still away.
        this.lost.emit()
      }
    }, this.network.signalMs)
  }

  dial(remoteId: string, metadata: DialMetadata): DataLink | null {
    if (!this.serverConnected || this.id === null) return null
    const local = this.track(new MemoryDataEnd(this.network, remoteId, undefined))
    const callerId = this.id
    this.network.signal(
      remoteId,
      (target) => {
        if (local.closed || target.destroyed || target.crashed || this.network.isCut(callerId, remoteId))
          return
        const remote = target.track(new MemoryDataEnd(this.network, callerId, metadata))
        local.other = remote
        remote.other = local
        target.incomingLinks.emit(remote)
        // Accepting is answering: back through the server, then both ends open.
        this.network.answer(() => setTimeout(() => local.openBoth(), this.network.latencyMs))
      },
      () => {
        if (!this.destroyed) this.unavailable.emit(remoteId)
      },
    )
    return local
  }

  readonly heldCalls = true

  call(remoteId: string, stream: MediaStream | null, metadata: DialMetadata, held = false): MediaLink | null {
    if (!this.serverConnected || this.id === null) return null
    const local = new MemoryMediaEnd(this.network, remoteId, undefined, stream)
    local.sending = !held
    const callerId = this.id
    this.mediaEnds.add(local)
    this.network.signal(
      remoteId,
      (target) => {
        if (local.closed || target.destroyed || target.crashed || this.network.isCut(callerId, remoteId))
          return
        const remote = new MemoryMediaEnd(this.network, callerId, metadata, null)
        local.other = remote
        remote.other = local
        target.mediaEnds.add(remote)
        target.incomingCalls.emit(remote)
      },
      () => undefined,
    )
    return local
  }

  /** Tests: who our open media calls send our stream to now (a held call sends nothing). */
  sendingTo(): string[] {
    return [...this.mediaEnds]
      .filter((end) => !end.closed && end.sending && end.stream !== null)
      .map((end) => end.remoteId)
  }

  /** Tests: hangs up our media calls with `remoteId` (the data links stay). */
  hangUpMediaTo(remoteId: string) {
    for (const end of [...this.mediaEnds]) if (end.remoteId === remoteId && !end.closed) end.close()
  }

  /** @internal A cut between us and `remoteId`: our open data links to them die. */
  faultLinksTo(remoteId: string) {
    for (const end of [...this.dataEnds]) if (end.remoteId === remoteId && !end.closed) end.fault()
  }

  /** @internal Holds an end until it closes. */
  track(end: MemoryDataEnd): MemoryDataEnd {
    end.stalled = this.stalled
    this.dataEnds.add(end)
    end.onRelease = () => this.dataEnds.delete(end)
    return end
  }

  /**
   * The tab dies: nothing more is sent or received, nobody is told, and the server drops our registration (its
   * socket closed), so a dial to our id comes back "unavailable".
   */
  crash() {
    this.crashed = true
    this.connected = false
    for (const end of this.dataEnds) end.silent = true
    this.network.unregister(this)
  }

  /**
   * This page's network drops (a Wi-Fi outage): its links go silent both ways, the server loses its registration
   * and the page hears that it lost the server; unlike crash(), the page lives on and gets back in once
   * restoreNetwork() is called (its re-registrations fail until then).
   */
  dropNetwork() {
    this.offline = true
    for (const end of this.dataEnds) end.silent = true
    this.network.unregister(this)
    this.serverWentAway()
  }

  /**
   * As dropNetwork(), through an SFU (./janus-transport.ts): every link rides our one connection to the server,
   * so all of them die with it at once (the far ends see them die a moment later), and we hear that we lost the
   * server.
   */
  dropEverything() {
    const ends = [...this.dataEnds]
    this.dropNetwork()
    for (const end of ends) end.fault()
  }

  restoreNetwork() {
    this.offline = false
  }

  /**
   * The page runs no script (a long task, a software-rendered frame on a starved machine) until unstall(): it
   * sends nothing on its links, not even heartbeats, while its network and its registration stay up.
   */
  stall() {
    this.stalled = true
    for (const end of this.dataEnds) end.stalled = true
  }

  unstall() {
    this.stalled = false
    for (const end of this.dataEnds) end.stalled = false
  }

  /** Open data links (both ends not closed): what a test checks is released after leaving. */
  get openLinks(): number {
    return [...this.dataEnds].filter((end) => end.open).length
  }

  get listenerCount(): number {
    return this.listenerTotal
  }

  destroy() {
    if (this.destroyed) return
    this.destroyed = true
    this.connected = false
    for (const end of [...this.dataEnds]) end.close()
    for (const end of this.mediaEnds) end.close()
    this.mediaEnds.clear()
    this.network.unregister(this)
    this.network.transports.delete(this)
    this.clearListeners()
  }
}
