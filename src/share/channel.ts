// Sharing as a channel of the call: files shared by anyone, moved peer to peer, and each item's shared view.
//
// - Sharing a file: checked (./intake) and hashed on the sharer's side, then announced as a signed `share-add` op;
//   the bytes stay with the sharer. Nothing is sent for a file that fails the check.
// - Receiving: every participant who learns of an item (now, or later from the op log as a newcomer) asks a holder
//   for the pieces it lacks (`share-want`), the sharer first, else anyone who said it holds the file
//   (`share-have`). Pieces arrive as binary chunks and go into an Assembly; the whole must match the announced
//   SHA-256 and pass the same intake check before it is shown. After a reconnect, or when nothing arrived for a
//   while, the receiver asks again for what is still missing: the transfer resumes where it stopped.
// - Serving: a holder sends exactly the pieces asked for, one at a time through the mesh's paced bulk path, at the
//   pace the receiver asks for while it shows live video (./pace: the receiver alone sees its video's frames go
//   missing, and tells the sender with each progress report).
// - Views: each item has one shared view (page, zoom, frame, window, a model's pose) that everyone following sees;
//   whoever changes it while following moves it for everyone, unless someone presents the item (the sharer or a
//   clinician may): then only the presenter moves it, and anyone else who turns a page detaches to look on their
//   own until they follow again.
// Typed by shape, so this folder never imports the network layer. Pure apart from WebCrypto and timers the runtime
// drives (`tick`).
import type { Role } from '../room/invite'
import { Assembly, chunkCount, sha256Hex } from './assembly'
import { checkFile, DEFAULT_MAX_SHARE_BYTES, formatBytes } from './intake'
import { type PlaybackCounts, SendPace, VideoPace } from './pace'
import { FORMATS, type Format, type ItemKind } from './sniff'
import {
  INITIAL_VIEW,
  type ItemView,
  MAX_CHUNK_SIZE,
  MAX_WANT_RANGES,
  type ShareAddOp,
  type ShareGotMessage,
  type ShareHaveMessage,
  type ShareMessage,
  type ShareOp,
  type ShareRemoveOp,
  type ShareViewMessage,
  type ShareWantMessage,
} from './wire'

/** Chunk size we send with: the largest the mesh carries (see src/net/chunks.ts for why 64 KiB). */
export const SHARE_CHUNK_SIZE = MAX_CHUNK_SIZE
/** No piece for this long while receiving: ask again (maybe someone else), ms. */
export const STALL_MS = 4000
/**
 * A receiver reports its progress to the sharer, and shows it here, at most this often per item, ms: four times a
 * second moves a progress bar smoothly, while every view that reads the items (the DOM list, the 3D scene)
 * re-renders at each change, which per 64 KiB piece would take the main thread from the call's video and frames.
 */
const PROGRESS_EVERY_MS = 250
/** A file whose whole does not match its hash is fetched again this many times before we give up. */
const MAX_HASH_FAILURES = 2
/**
 * What one call holds of others' files at most, in multiples of the per-file limit: a handful of large scans. Past
 * it, further items are listed but not fetched, with a sentence.
 */
const HELD_FILES_FACTOR = 4

export type ItemStatus = 'receiving' | 'verifying' | 'ready' | 'failed'

export interface ReceiverProgress {
  name: string
  chunks: number
  state: 'receiving' | 'ready' | 'failed'
}

/** One shared item as the views show it (replaced, never mutated, on every change). */
export interface SharedItem {
  id: string
  name: string
  format: Format
  kind: ItemKind
  mime: string
  size: number
  sha256: string
  chunkSize: number
  chunks: number
  /** The sharer's session and name; when they shared it (their clock, ms). */
  author: string
  authorName: string
  at: number
  mine: boolean
  status: ItemStatus
  /** Chunks held here. */
  held: number
  /** The file, once here and verified (the sharer's own from the start). */
  bytes: Uint8Array | null
  /** Why it is not shown, or what it waits for: a sentence. */
  problem: string | null
  /** For the sharer: each receiver's progress, by peer id. */
  receivers: Readonly<Record<string, ReceiverProgress>>
  /** The view shown here: the shared one while following, our own otherwise. */
  view: ItemView
  following: boolean
  presenter: string | null
}

export interface SharePeer {
  peerId: string
  session: string
  role: Role
  name: string
}

export interface SharePort {
  broadcast(message: ShareMessage): void
  sendTo(peerId: string, message: ShareMessage): void
  /** Paced, newest per key: to `peerId`, or everyone. */
  share(key: string, message: ShareViewMessage, peerId?: string): void
  /** One piece to one participant, paced by their channel; false if they are not reachable now. */
  sendChunk(peerId: string, chunk: { key: string; index: number; bytes: Uint8Array }): Promise<boolean>
  publish(op: ShareOp): void
}

export interface ShareChannelOptions {
  self: () => { session: string; name: string; role: Role }
  nextOpId: () => string
  port: () => SharePort | null
  /** The participants we have a working link to now. */
  peers: () => SharePeer[]
  /** Largest file we share or take now, bytes (the server's setting, once known). */
  maxBytes?: () => number
  now?: () => number
  /** An item became known here (for the record). */
  onAdded?: (item: SharedItem) => void
  /** The live video this page drew (src/lib/playback.ts); none: no pace is asked for. */
  playback?: () => PlaybackCounts
  /** Waits `ms` (a sender keeping to a receiver's pace). */
  sleep?: (ms: number) => Promise<void>
}

interface Shared {
  /** The view everyone following sees, its order and who made it. */
  view: ItemView
  seq: number
  by: string
  presenter: string | null
}

interface Record_ {
  item: SharedItem
  assembly: Assembly | null
  shared: Shared
  local: ItemView | null
  /** The peer we asked for pieces, and when we last heard from the transfer. */
  source: string | null
  lastActivity: number
  lastProgressSent: number
  /** When the views were last told of this transfer's progress. */
  lastProgressShown: number
  hashFailures: number
  /** Chunks that arrived here for it, duplicates included (what a resumed transfer keeps low). */
  arrivals: number
}

function sameView(a: ItemView, b: ItemView): boolean {
  return (
    a.page === b.page &&
    a.zoom === b.zoom &&
    a.scale === b.scale &&
    a.window?.centre === b.window?.centre &&
    a.window?.width === b.window?.width &&
    a.rotation.every((value, i) => value === b.rotation[i]) &&
    (a.part ?? null) === (b.part ?? null)
  )
}

export function createShareChannel(options: ShareChannelOptions) {
  const now = options.now ?? Date.now
  const limit = () => options.maxBytes?.() ?? DEFAULT_MAX_SHARE_BYTES
  const records = new Map<string, Record_>()
  const removed = new Set<string>()
  /** Our own files, from the moment they are checked until their op is applied. */
  const ownBytes = new Map<string, Uint8Array>()
  /** Who said they hold which item (peer ids). */
  const holders = new Map<string, Set<string>>()
  /** Pieces we are sending, per (peer, item), at the pace that peer asks: a newer request replaces an older one. */
  const pumps = new Map<string, { cancelled: boolean; pace: SendPace }>()
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  /** How fast files may come here while this page shows live video, and the bytes of them that came so far. */
  const receivePace = new VideoPace()
  let arrivedBytes = 0
  /** How fast files may leave here, by the same measure of this page's video while it sends; bytes sent so far. */
  const sendPace = new VideoPace()
  let sentBytes = 0
  let sendMeasuredAt = Number.NEGATIVE_INFINITY
  const listeners = new Set<() => void>()
  let items: SharedItem[] = []
  let disposed = false

  const self = () => options.self()
  const port = () => (disposed ? null : options.port())

  function changed() {
    items = [...records.values()].map((record) => record.item)
    for (const listener of [...listeners]) listener()
  }

  function update(record: Record_, patch: Partial<SharedItem>) {
    record.item = { ...record.item, ...patch }
    changed()
  }

  function viewOf(record: Record_): ItemView {
    return record.item.following || !record.local ? record.shared.view : record.local
  }

  function refreshView(record: Record_) {
    update(record, { view: viewOf(record), presenter: record.shared.presenter })
  }

  function heldBytes(): number {
    let total = 0
    for (const record of records.values())
      if (!record.item.mine && record.item.status !== 'failed') total += record.item.size
    return total
  }

  // ---------------------------------------------------------------------------------------------------------
  // Receiving

  function sourceFor(record: Record_): SharePeer | null {
    const peers = options.peers()
    const author = peers.find((peer) => peer.session === record.item.author)
    if (author) return author
    const holding = holders.get(record.item.id)
    return peers.find((peer) => holding?.has(peer.peerId)) ?? null
  }

  function request(record: Record_) {
    const { item, assembly } = record
    if (item.status !== 'receiving' || !assembly) return
    const source = sourceFor(record)
    record.lastActivity = now()
    if (!source) {
      record.source = null
      const problem = `Waiting for ${item.authorName} (who shared it) or someone who has it.`
      if (item.problem !== problem) update(record, { problem })
      return
    }
    record.source = source.peerId
    if (item.problem) update(record, { problem: null })
    const ranges = assembly.missingRanges(MAX_WANT_RANGES)
    if (ranges.length > 0)
      port()?.sendTo(source.peerId, { type: 'share-want', id: item.id, ranges, ...paceFor(item.id) })
  }

  function receiving(): Record_[] {
    return [...records.values()].filter(
      (record) => record.item.status === 'receiving' && record.source !== null,
    )
  }

  /** Measures this page's video now (see ./pace); at every progress report while receiving, each tick otherwise. */
  function measurePace() {
    const counts = options.playback?.()
    if (counts) receivePace.observe(counts, now(), receiving().length > 0, arrivedBytes)
  }

  /** The pace to ask of `id`'s source: ours, shared by the transfers arriving now; nothing without live video. */
  function paceFor(id: string): { pace?: number } {
    if (!options.playback) return {}
    const pace = receivePace.pace(now())
    if (pace === null) return {}
    const transfers = receiving().filter((record) => record.item.id !== id).length + 1
    return { pace: Math.max(1, Math.round(pace / transfers)) }
  }

  /** Measures this page's video for what it sends (at most every PROGRESS_EVERY_MS while sending). */
  function measureSendPace(force = false) {
    const at = now()
    if (!force && at - sendMeasuredAt < PROGRESS_EVERY_MS) return
    const counts = options.playback?.()
    if (!counts) return
    sendMeasuredAt = at
    sendPace.observe(counts, at, pumps.size > 0, sentBytes)
  }

  /** Our own limit for one pump now: our video's pace shared by the pumps running; none without live video. */
  function ownPaceNow(): number | null {
    if (!options.playback) return null
    const pace = sendPace.pace(now())
    return pace === null ? null : pace / Math.max(1, pumps.size)
  }

  /** A pace as the debug view and the benchmark read it. */
  function paceView(pace: VideoPace) {
    return {
      pace: options.playback ? pace.pace(now()) : null,
      idleShare: pace.idleShare,
      recent: [...pace.recent],
    }
  }

  function reportProgress(record: Record_, force = false) {
    const at = now()
    if (!force && at - record.lastProgressSent < PROGRESS_EVERY_MS) return
    record.lastProgressSent = at
    const state =
      record.item.status === 'ready' ? 'ready' : record.item.status === 'failed' ? 'failed' : 'receiving'
    const chunks = record.assembly?.held ?? record.item.held
    if (state === 'receiving') measurePace()
    const pace = state === 'receiving' ? paceFor(record.item.id) : {}
    port()?.broadcast({ type: 'share-got', id: record.item.id, chunks, state, ...pace })
  }

  async function verify(record: Record_) {
    const { item, assembly } = record
    if (!assembly) return
    update(record, { status: 'verifying', held: assembly.held })
    const bytes = assembly.bytes
    const hash = await sha256Hex(bytes)
    if (disposed || records.get(item.id) !== record) return
    if (hash !== item.sha256) {
      record.hashFailures += 1
      if (record.hashFailures > MAX_HASH_FAILURES) {
        record.assembly = null
        update(record, {
          status: 'failed',
          problem: `“${item.name}” arrived damaged several times and is not shown.`,
        })
        reportProgress(record, true)
        return
      }
      assembly.reset()
      update(record, { status: 'receiving', held: 0 })
      request(record)
      return
    }
    const intake = await checkFile(item.name, bytes, limit())
    if (disposed || records.get(item.id) !== record) return
    if (!intake.ok || intake.format !== item.format) {
      record.assembly = null
      update(record, {
        status: 'failed',
        problem: intake.ok
          ? `“${item.name}” is not the ${FORMATS[item.format].words} it was announced as.`
          : intake.sentence,
      })
      reportProgress(record, true)
      return
    }
    record.assembly = null
    update(record, { status: 'ready', bytes, held: item.chunks, problem: null })
    reportProgress(record, true)
    // Now we can serve it too: to a newcomer, if its sharer has left.
    port()?.broadcast({ type: 'share-have', ids: [item.id] })
  }

  function receiveChunk(chunk: { key: string; index: number; bytes: Uint8Array }, from: SharePeer) {
    const record = records.get(chunk.key)
    if (!record?.assembly || record.item.status !== 'receiving' || record.source !== from.peerId) return
    record.arrivals += 1
    const result = record.assembly.put(chunk.index, chunk.bytes)
    if (result !== 'stored') return
    arrivedBytes += chunk.bytes.length
    const at = now()
    record.lastActivity = at
    if (record.assembly.complete) {
      void verify(record)
      return
    }
    // The first piece at once (the views show the transfer started), then a few times a second.
    if (at - record.lastProgressShown >= PROGRESS_EVERY_MS) {
      record.lastProgressShown = at
      update(record, { held: record.assembly.held })
    }
    reportProgress(record)
  }

  // ---------------------------------------------------------------------------------------------------------
  // Serving

  async function serve(
    peerId: string,
    record: Record_,
    ranges: Array<[number, number]>,
    pace: number | null,
  ) {
    const bytes = record.item.bytes
    if (!bytes) return
    const key = `${peerId}|${record.item.id}`
    const previous = pumps.get(key)
    if (previous) previous.cancelled = true
    const token = { cancelled: false, pace: new SendPace(pace) }
    pumps.set(key, token)
    const { chunkSize, chunks, id } = record.item
    try {
      for (const [first, end] of ranges) {
        for (let index = first; index < Math.min(end, chunks); index++) {
          if (token.cancelled || disposed) return
          const start = index * chunkSize
          const piece = Math.min(start + chunkSize, bytes.length) - start
          measureSendPace()
          const wait = token.pace.delay(piece, now(), ownPaceNow())
          if (wait > 0) await sleep(wait)
          if (token.cancelled || disposed) return
          const sent = await port()?.sendChunk(peerId, {
            key: id,
            index,
            bytes: bytes.subarray(start, Math.min(start + chunkSize, bytes.length)),
          })
          if (!sent) return
          sentBytes += piece
        }
      }
    } finally {
      if (pumps.get(key) === token) pumps.delete(key)
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Views

  function sendView(record: Record_, peerId?: string) {
    const { shared, item } = record
    if (shared.seq === 0) return
    const message: ShareViewMessage = {
      type: 'share-view',
      id: item.id,
      seq: shared.seq,
      by: shared.by,
      presenter: shared.presenter,
      view: shared.view,
    }
    port()?.share(`view:${item.id}`, message, peerId)
  }

  function mayPresent(record: Record_, session: string, role: Role): boolean {
    return session === record.item.author || role === 'clinician'
  }

  // ---------------------------------------------------------------------------------------------------------
  // Ops

  function applyAdd(op: ShareAddOp) {
    if (records.has(op.id) || removed.has(op.id)) return
    const me = self().session
    const mine = op.author === me
    const bytes = mine ? (ownBytes.get(op.id) ?? null) : null
    ownBytes.delete(op.id)
    const format = FORMATS[op.format]
    const chunks = chunkCount(op.size, op.chunkSize)
    let status: ItemStatus = 'receiving'
    let problem: string | null = null
    if (mine && !bytes) {
      // Our own share from before a reload of this page: its bytes are gone with it.
      status = 'failed'
      problem = `You shared “${op.name}” earlier; its file is no longer on this device.`
    } else if (mine) {
      status = 'ready'
    } else if (op.size > limit()) {
      status = 'failed'
      problem = `“${op.name}” is ${formatBytes(op.size)}; this device takes files up to ${formatBytes(limit())}.`
    } else if (heldBytes() + op.size > limit() * HELD_FILES_FACTOR) {
      status = 'failed'
      problem = `“${op.name}” was not fetched: this call already holds as many shared files as this device keeps.`
    }
    const record: Record_ = {
      item: {
        id: op.id,
        name: op.name,
        format: op.format,
        kind: format.kind,
        mime: format.mime,
        size: op.size,
        sha256: op.sha256,
        chunkSize: op.chunkSize,
        chunks,
        author: op.author,
        authorName: op.authorName,
        at: op.at,
        mine,
        status,
        held: status === 'ready' ? chunks : 0,
        bytes,
        problem,
        receivers: {},
        view: INITIAL_VIEW,
        following: true,
        presenter: null,
      },
      assembly: status === 'receiving' ? new Assembly(op.size, op.chunkSize) : null,
      shared: { view: INITIAL_VIEW, seq: 0, by: '', presenter: null },
      local: null,
      source: null,
      lastActivity: now(),
      lastProgressSent: 0,
      lastProgressShown: 0,
      hashFailures: 0,
      arrivals: 0,
    }
    records.set(op.id, record)
    changed()
    options.onAdded?.(record.item)
    if (status === 'receiving') request(record)
  }

  function applyRemove(op: ShareRemoveOp) {
    removed.add(op.target)
    ownBytes.delete(op.target)
    holders.delete(op.target)
    for (const [key, pump] of pumps) if (key.endsWith(`|${op.target}`)) pump.cancelled = true
    if (records.delete(op.target)) changed()
  }

  return {
    kinds: ['share-add', 'share-remove'] as const,

    /** What the views read: the items, in the order they were shared here. */
    items: () => items,
    subscribe(listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    item: (id: string) => records.get(id)?.item ?? null,

    /** An op names its author by name, which must be its author's; a removal is the sharer's or a clinician's. */
    validate(op: ShareOp, author: { name: string; role: Role; session?: string }): boolean {
      if (op.kind === 'share-add')
        return op.authorName === author.name && chunkCount(op.size, op.chunkSize) <= 0xffff_ffff
      // Op ids are the author's session and a counter: the target's id says whose it is, even before its add.
      return op.target.startsWith(`${op.author}:`) || author.role === 'clinician'
    },
    applyOp(op: ShareOp) {
      if (op.kind === 'share-add') applyAdd(op)
      else applyRemove(op)
    },

    messages: {
      'share-want'(message: ShareWantMessage, from: SharePeer) {
        const record = records.get(message.id)
        if (!record?.item.bytes) return
        void serve(from.peerId, record, message.ranges, message.pace ?? null)
      },
      'share-have'(message: ShareHaveMessage, from: SharePeer) {
        for (const id of message.ids) {
          if (!holders.has(id)) holders.set(id, new Set())
          holders.get(id)?.add(from.peerId)
          const record = records.get(id)
          if (record?.item.status === 'receiving' && record.source === null) request(record)
        }
      },
      'share-got'(message: ShareGotMessage, from: SharePeer) {
        // The pace this receiver asks for now (none: as fast as the link goes), for whatever we send it of this item.
        const pump = pumps.get(`${from.peerId}|${message.id}`)
        if (pump && message.state === 'receiving') pump.pace.pace = message.pace ?? null
        const record = records.get(message.id)
        if (!record?.item.mine) return
        const chunks = Math.min(message.chunks, record.item.chunks)
        const previous = record.item.receivers[from.peerId]
        if (previous && previous.chunks === chunks && previous.state === message.state) return
        update(record, {
          receivers: {
            ...record.item.receivers,
            [from.peerId]: { name: from.name, chunks, state: message.state },
          },
        })
      },
      'share-view'(message: ShareViewMessage, from: SharePeer) {
        const record = records.get(message.id)
        // A view speaks for its sender only.
        if (!record || message.by !== from.session) return
        const { shared } = record
        const newer = message.seq > shared.seq || (message.seq === shared.seq && message.by > shared.by)
        if (!newer) return
        // While someone presents, only they move the view; presenting starts and stops by the sharer or a clinician.
        if (message.presenter !== shared.presenter && !mayPresent(record, from.session, from.role)) return
        if (
          shared.presenter !== null &&
          message.presenter === shared.presenter &&
          message.by !== shared.presenter
        )
          return
        record.shared = { view: message.view, seq: message.seq, by: message.by, presenter: message.presenter }
        // Someone presenting gathers everyone: a presenter's view is followed even by whoever had detached.
        if (
          message.presenter !== null &&
          message.presenter !== self().session &&
          message.presenter !== shared.presenter
        ) {
          update(record, { following: true })
        }
        refreshView(record)
      },
    },

    chunk: receiveChunk,

    /** A link became ready: tell them what we hold and how each item is viewed; ask them for what we lack. */
    linkReady(peer: SharePeer) {
      const ids = [...records.values()].filter((record) => record.item.bytes).map((record) => record.item.id)
      for (let i = 0; i < ids.length; i += 100)
        port()?.sendTo(peer.peerId, { type: 'share-have', ids: ids.slice(i, i + 100) })
      for (const record of records.values()) {
        sendView(record, peer.peerId)
        // A reconnect: ask again for what did not arrive (resuming where the transfer stopped).
        if (
          record.item.status === 'receiving' &&
          (record.source === null || record.source === peer.peerId || peer.session === record.item.author)
        )
          request(record)
      }
    },
    peerGone(peerId: string) {
      for (const [key, pump] of pumps) if (key.startsWith(`${peerId}|`)) pump.cancelled = true
      for (const set of holders.values()) set.delete(peerId)
      for (const record of records.values()) {
        if (record.source === peerId && record.item.status === 'receiving') request(record)
      }
    },
    /** The pace this page's video allows what it sends now (null: none), and its judged windows (./pace). */
    sendPace: () => paceView(sendPace),
    /** The pace this page asks of whoever sends it files now (null: none) and its idle video share (./pace). */
    receivePace: () => paceView(receivePace),
    /** About once a second: ask again for transfers that stalled (a dropped link, a lost request). */
    tick() {
      if (receiving().length === 0) measurePace()
      if (pumps.size === 0) measureSendPace(true)
      const at = now()
      for (const record of records.values()) {
        if (record.item.status === 'receiving' && at - record.lastActivity > STALL_MS) request(record)
      }
    },

    /**
     * Shares a file: checked and hashed here; resolves with a sentence saying why it was refused (and nothing was
     * sent), or null once it is announced.
     */
    async shareFile(name: string, bytes: Uint8Array): Promise<string | null> {
      const intake = await checkFile(name, bytes, limit())
      if (!intake.ok) return intake.sentence
      const sha256 = await sha256Hex(bytes)
      const { session, name: authorName } = self()
      const id = options.nextOpId()
      if (!id || !port()) return 'You are not in a call: nothing was shared.'
      ownBytes.set(id, bytes)
      port()?.publish({
        kind: 'share-add',
        id,
        author: session,
        at: now(),
        authorName,
        name: name.slice(0, 200) || 'Shared file',
        format: intake.format,
        size: bytes.byteLength,
        sha256,
        chunkSize: SHARE_CHUNK_SIZE,
      })
      return null
    },
    /** Withdraws an item (ours, or anyone's for a clinician). */
    remove(id: string) {
      const { session, role } = self()
      const record = records.get(id)
      if (!record || (record.item.author !== session && role !== 'clinician')) return
      port()?.publish({
        kind: 'share-remove',
        id: options.nextOpId(),
        author: session,
        at: now(),
        target: id,
      })
    },

    /** Changes the view: for everyone while following (unless someone else presents), else only here. */
    setView(id: string, patch: Partial<ItemView>) {
      const record = records.get(id)
      if (!record) return
      const me = self().session
      const current = viewOf(record)
      const next = { ...current, ...patch }
      if (sameView(current, next)) return
      const { shared } = record
      if (record.item.following && (shared.presenter === null || shared.presenter === me)) {
        record.shared = { ...shared, view: next, seq: shared.seq + 1, by: me }
        sendView(record)
      } else {
        record.local = next
        record.item = { ...record.item, following: false }
      }
      refreshView(record)
    },
    /** Back to the shared view. */
    follow(id: string) {
      const record = records.get(id)
      if (!record) return
      record.local = null
      update(record, { following: true })
      refreshView(record)
    },
    /** Starts or stops presenting an item: only its sharer or a clinician may. */
    present(id: string, on: boolean) {
      const record = records.get(id)
      const { session, role } = self()
      if (!record || !mayPresent(record, session, role)) return
      const { shared } = record
      record.shared = {
        ...shared,
        view: viewOf(record),
        seq: shared.seq + 1,
        by: session,
        presenter: on ? session : null,
      }
      record.local = null
      record.item = { ...record.item, following: true }
      sendView(record)
      refreshView(record)
    },
    mayPresent(id: string): boolean {
      const record = records.get(id)
      const { session, role } = self()
      return record ? mayPresent(record, session, role) : false
    },

    /** For tests and the benchmark: pieces that arrived per item, duplicates included. */
    debugArrivals(id: string): number {
      return records.get(id)?.arrivals ?? 0
    },

    dispose() {
      disposed = true
      for (const pump of pumps.values()) pump.cancelled = true
      pumps.clear()
      records.clear()
      ownBytes.clear()
      holders.clear()
      listeners.clear()
      items = []
    },
  }
}

export type ShareChannel = ReturnType<typeof createShareChannel>
