import { describe, expect, it, vi } from 'vitest'
import { appProtocol, LIMITS, MAX_MESSAGE_CHARS, type Message } from '../call/protocol'
import { createRoom, type Room } from '../room/invite'
import { admissionKey, newNonce, prove } from './admission'
import { encodeFrame, type Frame } from './frames'
import { STRIKES_TO_DROP } from './limits'
import { type AppMessage, type HelloMessage, type LinkFailure, PeerLink } from './peer-link'
import { PROTOCOL_VERSION } from './protocol'

/** Our session public key as the proof carries it (its content does not matter to these tests). */
const SESSION_KEY = 'K'.repeat(87)

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
    session: `${name}-session`.padEnd(22, '-').slice(0, 22),
    muted: false,
    cameraOff: false,
    credential: { inviteId: 'I'.repeat(22), key: 'K'.repeat(87), sig: 'S'.repeat(86) },
    bind: 'B'.repeat(86),
  }
}

/** Two links back to back, as over an ordered data channel. */
async function pair(roomA: Room, roomB: Room, versions = [PROTOCOL_VERSION, PROTOCOL_VERSION]) {
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
    // The host put nothing on the wire but its challenge and its proof: no name, no state, no media offer.
    expect(sentTypes(host)).toEqual(['challenge', 'proof'])
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
    link.receive(JSON.stringify(hello('b', 1)))
    await vi.waitFor(() => expect(failures).toEqual([{ kind: 'protocol', detail: 'hello before admission' }]))
    expect(sent.map((text) => JSON.parse(text).type)).toEqual(['challenge'])
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
  it('sends its hello after its proof even when the peer’s proof arrives before the peer’s challenge', async () => {
    const room = createRoom()
    const key = await admissionKey(room)
    const sent: string[] = []
    const link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
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
    link.start()
    const ourNonce = JSON.parse(sent[0] as string).nonce as string
    // The peer answered our challenge before its own challenge reached us (its side opened late).
    link.receive(
      JSON.stringify({
        type: 'proof',
        proof: await prove(key, 'xc-b', 'xc-a', ourNonce, SESSION_KEY),
        key: SESSION_KEY,
      }),
    )
    await vi.waitFor(() => expect(link.admitted).toBe(true))
    expect(sent.map((text) => JSON.parse(text).type)).toEqual(['challenge'])
    link.receive(JSON.stringify({ type: 'challenge', nonce: newNonce() }))
    await vi.waitFor(() =>
      expect(sent.map((text) => JSON.parse(text).type)).toEqual(['challenge', 'proof', 'hello']),
    )
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

  it('ignores oversized and malformed text, and answers a challenge with a proof only', async () => {
    const key = await admissionKey(createRoom())
    const sent: string[] = []
    const ignored: string[] = []
    const link = new PeerLink<Message>({
      protocol: appProtocol,
      sessionKey: SESSION_KEY,
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
    link.receive(JSON.stringify({ type: 'challenge', nonce: newNonce(), pad: 'x'.repeat(300) }))
    expect(ignored).toEqual(['too-large', 'not-json', 'too-short', 'too-large'])
    link.receive(JSON.stringify({ type: 'challenge', nonce: newNonce() }))
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
})
