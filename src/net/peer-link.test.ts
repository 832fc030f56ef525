import { describe, expect, it, vi } from 'vitest'
import { appProtocol, LIMITS, MAX_MESSAGE_CHARS, type Message } from '../call/protocol'
import { sessionOf } from '../room/credentials'
import { createRoom, type Room } from '../room/invite'
import { admissionKey, prove } from './admission'
import { type Chunk, encodeChunk } from './chunks'
import { encodeFrame, type Frame } from './frames'
import { STRIKES_TO_DROP } from './limits'
import {
  type AppMessage,
  type HelloMessage,
  type LinkFailure,
  PeerLink,
  type PeerLinkOptions,
} from './peer-link'
import { PROTOCOL_VERSION } from './protocol'

/** Our session public key as the proof carries it (its content does not matter to these tests). */
const SESSION_KEY = 'K'.repeat(87)
/** One connection's two certificate fingerprints: side a's and side b's. */
const FP_A = `sha-256 ${'AA:'.repeat(31)}AA`
const FP_B = `sha-256 ${'BB:'.repeat(31)}BB`
/** The session those keys stand for (the hash of the key), and a credential's shape (not checked here). */
const SESSION = (await sessionOf(SESSION_KEY)) as string
const CREDENTIAL = { key: 'K'.repeat(87), sig: 'S'.repeat(86), wait: false, bind: 'S'.repeat(86) }
const OWN_CREDENTIAL = () => ({ role: 'clinician' as const, credential: CREDENTIAL })
/** What side a (xc-a) sees. */
const AS_A = () => ({ local: FP_A, remote: FP_B })

interface Side {
  link: PeerLink<Message>
  hellos: HelloMessage[]
  messages: AppMessage<Message>[]
  failures: LinkFailure[]
  frames: Frame[]
  admitted: boolean
  /** Every text this side put on the wire. */
  sent: string[]
}

function hello(name: string, seat: number, version = PROTOCOL_VERSION): HelloMessage {
  return {
    type: 'hello',
    version,
    name,
    role: 'clinician',
    seat,
    session: SESSION,
    muted: false,
    cameraOff: false,
  }
}

/** Two links back to back, as over an ordered data channel. */
async function pair(
  roomA: Room,
  roomB: Room,
  versions = [PROTOCOL_VERSION, PROTOCOL_VERSION],
  /** Options of side b's link beyond these. */
  extraB: Partial<PeerLinkOptions<Message>> = {},
) {
  const keys = [await admissionKey(roomA), await admissionKey(roomB)]
  const sides: Side[] = []
  for (const [i, id] of ['xc-a', 'xc-b'].entries()) {
    const side = {
      hellos: [],
      messages: [],
      failures: [],
      frames: [],
      admitted: false,
      sent: [],
    } as unknown as Side
    side.link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
      credential: OWN_CREDENTIAL,
      fingerprints: () => (i === 0 ? { local: FP_A, remote: FP_B } : { local: FP_B, remote: FP_A }),
      key: keys[i] as CryptoKey,
      localId: id,
      remoteId: i === 0 ? 'xc-b' : 'xc-a',
      version: versions[i],
      hello: () => hello(id, i, versions[i]),
      send: (text) => {
        side.sent.push(text)
        // Delivered later, in order, like a data channel.
        setTimeout(() => sides[1 - i]?.link.receive(text), 0)
      },
      onAdmitted: () => {
        side.admitted = true
      },
      onHello: (message) => side.hellos.push(message),
      onMessage: (message) => {
        side.messages.push(message)
      },
      onFrame: (frame) => side.frames.push(frame),
      onFailure: (failure) => side.failures.push(failure),
      ...(i === 1 ? extraB : {}),
    })
    sides.push(side)
  }
  for (const side of sides) side.link.start()
  return sides as [Side, Side]
}

const sentTypes = (side: Side) => side.sent.map((text) => JSON.parse(text).type as string)

describe('PeerLink admission', () => {
  it('admits both sides holding the room secret, then carries app messages', async () => {
    const room = createRoom()
    const [a, b] = await pair(room, { ...room })
    await vi.waitFor(() => expect(a.hellos.length + b.hellos.length).toBe(2))
    expect(a.admitted && b.admitted).toBe(true)
    expect(a.hellos[0]?.name).toBe('xc-b')
    expect(a.link.send({ type: 'media-state', muted: true, cameraOff: false })).toBe(true)
    await vi.waitFor(() =>
      expect(b.messages).toEqual([{ type: 'media-state', muted: true, cameraOff: false }]),
    )
    expect(a.failures.concat(b.failures)).toEqual([])
  })

  it('refuses a peer with the right room id but a wrong secret, and tells it nothing', async () => {
    const room = createRoom()
    const [host, intruder] = await pair(room, { roomId: room.roomId, secret: createRoom().secret })
    await vi.waitFor(() => expect(host.failures).toEqual([{ kind: 'invalid-invite' }]))
    await vi.waitFor(() => expect(intruder.failures).toEqual([{ kind: 'invalid-invite' }]))
    // The host put nothing on the wire but its proof: no name, no state, no media offer.
    expect(sentTypes(host)).toEqual(['proof'])
    expect(host.admitted || intruder.admitted).toBe(false)
    expect(host.hellos.concat(intruder.hellos)).toEqual([])
    expect(host.link.send({ type: 'bye' })).toBe(false)
  })

  it('refuses app messages sent before admission', async () => {
    const key = await admissionKey(createRoom())
    const failures: LinkFailure[] = []
    const sent: string[] = []
    const link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
      credential: OWN_CREDENTIAL,
      fingerprints: AS_A,
      key,
      localId: 'xc-a',
      remoteId: 'xc-b',
      hello: () => hello('a', 0),
      send: (text) => sent.push(text),
      onHello: () => undefined,
      onMessage: () => undefined,
      onFailure: (failure) => failures.push(failure),
    })
    link.start()
    await vi.waitFor(() => expect(sent).toHaveLength(1))
    link.receive(JSON.stringify(hello('b', 1)))
    await vi.waitFor(() => expect(failures).toEqual([{ kind: 'protocol', detail: 'hello before admission' }]))
    expect(sent.map((text) => JSON.parse(text).type)).toEqual(['proof'])
  })

  it('tells both sides about a version mismatch, with both versions', async () => {
    const room = createRoom()
    const [a, b] = await pair(room, room, [PROTOCOL_VERSION, PROTOCOL_VERSION + 1])
    await vi.waitFor(() => {
      expect(a.failures).toEqual([
        { kind: 'incompatible-version', theirs: PROTOCOL_VERSION + 1, ours: PROTOCOL_VERSION },
      ])
      expect(b.failures).toEqual([
        { kind: 'incompatible-version', theirs: PROTOCOL_VERSION, ours: PROTOCOL_VERSION + 1 },
      ])
    })
  })
})

describe('PeerLink ordering', () => {
  it('sends its hello after its own proof even when the peer’s proof arrives before our side opened', async () => {
    const room = createRoom()
    const key = await admissionKey(room)
    const sent: string[] = []
    const link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
      credential: OWN_CREDENTIAL,
      fingerprints: AS_A,
      key,
      localId: 'xc-a',
      remoteId: 'xc-b',
      hello: () => hello('xc-a', 0),
      send: (text) => sent.push(text),
      onHello: () => undefined,
      onMessage: () => undefined,
      onFailure: (failure) => {
        throw new Error(JSON.stringify(failure))
      },
    })
    // The peer's proof comes in before our side of the connection has opened (so before ours went out).
    link.receive(
      JSON.stringify({
        type: 'proof',
        proof: await prove(key, 'xc-b', 'xc-a', FP_B, FP_A, SESSION_KEY),
        key: SESSION_KEY,
        ...OWN_CREDENTIAL(),
      }),
    )
    await vi.waitFor(() => expect(link.admitted).toBe(true))
    expect(sent).toEqual([])
    link.start()
    await vi.waitFor(() => expect(sent.map((text) => JSON.parse(text).type)).toEqual(['proof', 'hello']))
  })
})

describe('PeerLink limits', () => {
  it('throttles a flood of pings and then drops the peer', async () => {
    const room = createRoom()
    const [a, b] = await pair(room, room)
    await vi.waitFor(() => expect(a.hellos.length + b.hellos.length).toBe(2))
    const before = b.sent.length
    for (let i = 0; i < LIMITS.ping.burst + STRIKES_TO_DROP; i++) {
      b.link.receive(JSON.stringify({ type: 'ping', sentAt: i }))
    }
    await vi.waitFor(() => expect(b.failures).toEqual([{ kind: 'flood' }]))
    // Only the burst was answered.
    expect(b.sent.length - before).toBeLessThanOrEqual(LIMITS.ping.burst)
  })

  it('drops an admitted peer at its STRIKES_TO_DROP-th garbage, unknown or oversize message', async () => {
    const room = createRoom()
    const [a, b] = await pair(room, room)
    await vi.waitFor(() => expect(a.hellos.length + b.hellos.length).toBe(2))
    // The benchmark's mix (bench/long-call.mjs, flood): not JSON, unknown types, and messages above every
    // type's limit but below a data channel's own (a larger one never leaves the sender).
    const big = JSON.stringify({ type: 'chat', text: 'y'.repeat(200 * 1024) })
    const mix = (i: number) =>
      i % 3 === 0 ? big : i % 3 === 1 ? `not a message ${i}` : JSON.stringify({ type: `nonsense-${i}`, n: i })
    for (let i = 0; i < STRIKES_TO_DROP - 1; i++) b.link.receive(mix(i))
    expect(b.failures).toEqual([])
    b.link.receive(mix(STRIKES_TO_DROP))
    expect(b.failures).toEqual([{ kind: 'flood' }])
  })

  it('drops unread what the layer above says to, without a strike', async () => {
    const room = createRoom()
    const unread: number[] = []
    const [a, b] = await pair(room, room, undefined, {
      dropsUnread: (chars) => {
        unread.push(chars)
        return chars > 1000
      },
    })
    await vi.waitFor(() => expect(a.hellos.length + b.hellos.length).toBe(2))
    const large = `not json ${'x'.repeat(2000)}`
    for (let i = 0; i < STRIKES_TO_DROP * 2; i++) b.link.receive(large)
    expect(b.failures).toEqual([])
    expect(b.link.received.unread).toBe(STRIKES_TO_DROP * 2)
    // Small messages are read as ever (this one is answered).
    const before = b.sent.length
    b.link.receive(JSON.stringify({ type: 'ping', sentAt: 1 }))
    await vi.waitFor(() => expect(b.sent.length).toBe(before + 1))
  })

  it('ignores oversized and malformed text, and sends nothing but its proof before admission', async () => {
    const key = await admissionKey(createRoom())
    const sent: string[] = []
    const ignored: string[] = []
    const link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
      credential: OWN_CREDENTIAL,
      fingerprints: AS_A,
      key,
      localId: 'xc-a',
      remoteId: 'xc-b',
      hello: () => hello('a', 0),
      send: (text) => sent.push(text),
      onHello: () => undefined,
      onMessage: () => undefined,
      onFailure: () => undefined,
      onIgnored: (reason) => ignored.push(reason),
    })
    link.receive('x'.repeat(MAX_MESSAGE_CHARS + 1))
    link.receive('{"type":"ping"')
    link.receive(new ArrayBuffer(8))
    link.receive(
      JSON.stringify({
        type: 'proof',
        proof: 'p'.repeat(43),
        key: 'k'.repeat(87),
        ...OWN_CREDENTIAL(),
        pad: 'x'.repeat(600),
      }),
    )
    expect(ignored).toEqual(['too-large', 'not-json', 'too-short', 'too-large'])
    link.start()
    await vi.waitFor(() => expect(sent.map((text) => JSON.parse(text).type)).toEqual(['proof']))
  })
})

describe('PeerLink frames', () => {
  it('delivers valid frames from an admitted peer, and refuses frames before admission', async () => {
    const room = createRoom()
    const [a, b] = await pair(room, room)
    await vi.waitFor(() => expect(a.hellos.length + b.hellos.length).toBe(2))
    const pose: Frame = {
      kind: 'pose',
      stream: 0,
      seq: 7,
      capturedAt: 1_700_000_000_000,
      position: [0, 1.5, 0],
      orientation: [0, 0, 0, 1],
    }
    b.link.receive(encodeFrame(pose))
    expect(b.frames).toEqual([pose])
    const frames: Frame[] = []

    const key = await admissionKey(room)
    const failures: LinkFailure[] = []
    const early = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
      credential: OWN_CREDENTIAL,
      fingerprints: AS_A,
      key,
      localId: 'xc-a',
      remoteId: 'xc-b',
      hello: () => hello('a', 0),
      send: () => undefined,
      onHello: () => undefined,
      onMessage: () => undefined,
      onFrame: () => frames.push(pose),
      onFailure: (failure) => failures.push(failure),
    })
    early.receive(encodeFrame(pose))
    expect(failures).toEqual([{ kind: 'protocol', detail: 'a frame before hello' }])
    expect(frames).toEqual([])
  })
  it('takes chunks on the bulk lane and refuses anything else there as garbage', async () => {
    const room = createRoom()
    const chunks: Chunk[] = []
    const ignored: string[] = []
    const [a, b] = await pair(room, room, undefined, {
      onChunk: (chunk) => chunks.push(chunk),
      onIgnored: (reason) => ignored.push(reason),
    })
    await vi.waitFor(() => expect(a.hellos.length + b.hellos.length).toBe(2))
    const piece: Chunk = { key: 'k1', index: 3, bytes: new Uint8Array([1, 2, 3]) }
    b.link.receiveBulk(encodeChunk(piece))
    expect(chunks.map((chunk) => [chunk.key, chunk.index, [...chunk.bytes]])).toEqual([['k1', 3, [1, 2, 3]]])
    // A chat message, or a sample frame, is not a piece: not on this lane.
    const pose: Frame = {
      kind: 'pose',
      stream: 0,
      seq: 1,
      capturedAt: 1_700_000_000_000,
      position: [0, 1.5, 0],
      orientation: [0, 0, 0, 1],
    }
    b.link.receiveBulk(JSON.stringify({ type: 'chat', text: 'hi' }))
    b.link.receiveBulk(encodeFrame(pose))
    expect(ignored).toEqual(['not-binary', 'bad-magic'])
    expect(b.messages).toEqual([])
    expect(b.frames).toEqual([])
    for (let i = 0; i < STRIKES_TO_DROP; i++) b.link.receiveBulk(`garbage ${i}`)
    expect(b.failures).toEqual([{ kind: 'flood' }])
  })
})
