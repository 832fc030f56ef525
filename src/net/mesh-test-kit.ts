// Test kit for the mesh in Node: a tiny protocol of its own (a `note` op and a `poke` message), participants over
// a MemoryNetwork whose events land in plain records, and a clock that advances fake time while letting WebCrypto
// (which completes on Node's thread pool, outside fake timers) finish first. Used by the tests only.
import { vi } from 'vitest'
import * as z from 'zod/mini'
import { createConsultation } from '../room/credentials'
import type { Invite, Role } from '../room/invite'
import { CallMesh, type MeshPeer, type ParticipantPatch } from './call-mesh'
import type { Frame } from './frames'
import { type MemoryNetwork, MemoryTransport } from './memory-transport'
import { createProtocol } from './protocol'

const noteOp = z.object({
  kind: z.literal('note'),
  id: z.string().check(z.minLength(1), z.maxLength(80)),
  author: z.string().check(z.length(22)),
  at: z.number(),
  text: z.string().check(z.maxLength(2000)),
})
const pokeMessage = z.object({ type: z.literal('poke'), n: z.number() })

export const testProtocol = createProtocol(
  [{ schema: pokeMessage, limit: { maxChars: 200, perSecond: 50, burst: 100 } }],
  [noteOp],
)
type TestMessage = z.infer<typeof testProtocol.messageSchema>
type TestOp = z.infer<typeof testProtocol.opSchema>
export type NoteOp = Extract<TestOp, { kind: 'note' }>

export interface Seen {
  participants: Map<string, ParticipantPatch & { peerId: string }>
  /** Every peer id ever listed, even for a moment. */
  everListed: Set<string>
  notices: string[]
  notes: string[]
  pokes: Array<{ n: number; from: MeshPeer }>
  frames: Array<{ frame: Frame; from: MeshPeer }>
  serverConnected: boolean
  gone: string[]
  /** Who asked us to leave, if anyone did. */
  dismissedBy: string | null
  /** We are in the waiting room. */
  waiting: boolean
}

export interface TestParticipant {
  name: string
  mesh: CallMesh<TestMessage, TestOp>
  transport: MemoryTransport
  seen: Seen
  /** The names of the participants this one sees connected. */
  connected(): string[]
  /** The names of the participants this one sees in `status`. */
  withStatus(status: string): string[]
  note(text: string): void
  /**
   * Our camera and microphone stream becomes `stream`, as the page's does when its permission is answered; the mesh
   * is told, as the runtime tells it, unless `tell` is false.
   */
  setStream(stream: MediaStream | null, tell?: boolean): void
}

/** A consultation's invites, one per role, as the lobby makes them. */
export type TestRoom = Record<Role, Invite>

/** A stream as the memory transport carries it: only its identity matters. */
export function fakeStream(id: string): MediaStream {
  return { id } as unknown as MediaStream
}

export function joinable(
  network: MemoryNetwork,
  room: TestRoom,
  name: string,
  role: Role = 'patient',
  options: { stream?: MediaStream | null } = {},
) {
  const transport = network.transport()
  let stream = options.stream === undefined ? fakeStream(`stream-of-${name}`) : options.stream
  const seen: Seen = {
    participants: new Map(),
    everListed: new Set(),
    notices: [],
    notes: [],
    pokes: [],
    frames: [],
    serverConnected: false,
    gone: [],
    dismissedBy: null,
    waiting: false,
  }
  const invite: Invite = room[role]
  const mesh: CallMesh<TestMessage, TestOp> = new CallMesh<TestMessage, TestOp>({
    transport,
    protocol: testProtocol,
    invite,
    displayName: name,
    localMedia: () => ({
      stream,
      muted: false,
      cameraOff: false,
    }),
    events: {
      participant: (peerId, patch) => {
        seen.everListed.add(peerId)
        seen.participants.set(peerId, { ...seen.participants.get(peerId), ...patch, peerId })
      },
      participantRemoved: (peerId) => {
        seen.participants.delete(peerId)
      },
      notify: (text) => seen.notices.push(text),
      serverConnected: (connected) => {
        seen.serverConnected = connected
      },
      message: (message, from) => {
        if (message.type === 'poke') seen.pokes.push({ n: message.n, from })
      },
      frame: (frame, from) => seen.frames.push({ frame, from }),
      applyOp: (op) => {
        if (op.kind === 'note') seen.notes.push(op.text)
      },
      peerGone: (peerId) => seen.gone.push(peerId),
      dismissed: (by) => {
        seen.dismissedBy = by
      },
      waiting: (waiting) => {
        seen.waiting = waiting
      },
    },
  })
  const participant: TestParticipant = {
    name,
    mesh,
    transport,
    seen,
    withStatus: (status) =>
      [...seen.participants.values()]
        .filter((p) => p.status === status)
        .map((p) => p.name ?? '?')
        .sort(),
    connected: () =>
      [...seen.participants.values()]
        .filter((p) => p.status === 'connected')
        .map((p) => p.name ?? '?')
        .sort(),
    note: (text) =>
      mesh.publish({ kind: 'note', id: mesh.nextOpId(), author: mesh.session, at: Date.now(), text }),
    setStream: (next, tell = true) => {
      stream = next
      if (tell) mesh.localMediaChanged()
    },
  }
  return participant
}

export async function newRoom(options: { waitingRoom?: boolean } = {}): Promise<TestRoom> {
  return (await createConsultation(options)).invites
}

/**
 * Fake time for the mesh: timers are fake, but WebCrypto's HMAC steps run on Node's thread pool, which fake
 * timers cannot drive. Every await of a crypto operation is counted, and time only moves on once none is left in
 * flight, so a test's history does not depend on how fast the machine is.
 */
export function useMeshClock() {
  let inFlight = 0
  const subtle = crypto.subtle
  const wrap = <
    K extends 'sign' | 'verify' | 'deriveKey' | 'importKey' | 'digest' | 'generateKey' | 'exportKey',
  >(
    name: K,
  ) => {
    const original = subtle[name].bind(subtle) as (...args: unknown[]) => Promise<unknown>
    vi.spyOn(subtle, name).mockImplementation(((...args: unknown[]) => {
      inFlight += 1
      return original(...args).finally(() => {
        inFlight -= 1
      })
    }) as never)
  }
  wrap('sign')
  wrap('verify')
  wrap('deriveKey')
  wrap('importKey')
  wrap('digest')
  wrap('generateKey')
  wrap('exportKey')
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })

  // Node's, outside the DOM types this project compiles against: one turn of the real event loop.
  const { setImmediate } = globalThis as unknown as { setImmediate: (run: (value: unknown) => void) => void }

  async function settle() {
    // At least one turn of the real event loop, then as many as it takes for crypto in flight to land.
    do {
      await new Promise((resolve) => setImmediate(resolve))
    } while (inFlight > 0)
    await new Promise((resolve) => setImmediate(resolve))
  }

  return {
    settle,
    /** Moves fake time on by `ms` in small steps, letting crypto and promises finish at every step. */
    async advance(ms: number, step = 10) {
      for (let t = 0; t < ms; t += step) {
        await vi.advanceTimersByTimeAsync(Math.min(step, ms - t))
        await settle()
      }
    },
    /** Advances until `condition` holds; fails after `limitMs` of fake time. Returns the fake ms it took. */
    async until(condition: () => boolean, limitMs = 60_000, step = 10): Promise<number> {
      for (let t = 0; t <= limitMs; t += step) {
        if (condition()) return t
        await vi.advanceTimersByTimeAsync(step)
        await settle()
      }
      throw new Error(`condition not met within ${limitMs} ms of fake time`)
    },
    restore() {
      vi.useRealTimers()
      vi.restoreAllMocks()
    },
  }
}

export { MemoryTransport }
