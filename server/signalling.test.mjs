// @ts-check
// The signalling server against hostile clients, over real sockets: malformed frames, oversized messages, and one
// address trying to fill the server or hold ids.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  clientFrame,
  connectPeer,
  rawWebSocket,
  registerPeer,
  startServerProcess,
  startTestServer,
  waitFor,
} from './test-clients.mjs'

let serial = 0
/** A fresh peer id, unique in this file. */
const newId = (/** @type {string} */ prefix) => `${prefix}${++serial}`

/**
 * What a user needs from the server, checked for real: the page loads, a new client registers, and two clients
 * relay an offer to each other.
 * @param {number} port
 */
async function expectServerServes(port) {
  const page = await fetch(`http://127.0.0.1:${port}/`)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('XR Consult')
  const a = await registerPeer(port, { id: newId('a') })
  const b = await registerPeer(port, { id: newId('b') })
  b.send({ type: 'HEARTBEAT' })
  const offer = {
    type: 'OFFER',
    dst: b.id,
    payload: { sdp: { type: 'offer', sdp: 'v=0' }, connectionId: 'dc_1' },
  }
  a.send(offer)
  expect(await b.next()).toEqual({ ...offer, src: a.id })
  a.ws.close()
  b.ws.close()
}

// Generous: every wait is for a condition, so a slow machine only makes them slower.
const TIMEOUTS = { timeout: 30_000 }

describe('one malformed frame from anyone', TIMEOUTS, () => {
  /** @type {Awaited<ReturnType<typeof startServerProcess>>} */
  let server
  // A server process per test, so that each frame is shown to be survived on its own.
  beforeEach(async () => {
    server = await startServerProcess()
  }, TIMEOUTS.timeout)
  afterEach(async () => {
    const output = server.output()
    await server.stop()
    // Nothing the server wrote reports a crash or a stack.
    expect(output).not.toMatch(/Error|\n\s+at /)
  })

  const textFrames = [
    ['non-JSON text', 'hello, not JSON'],
    ['a JSON null', 'null'],
    ['a JSON array', '[{"type":"OFFER","dst":"RECEIVER"}]'],
    ['a JSON string', '"HEARTBEAT"'],
    // The PeerServer's notice that a message could not be delivered, forged: a PeerJS client takes it as "peer
    // unavailable" and gives up on the peer.
    ['a type only the server sends (EXPIRE)', '{"type":"EXPIRE","dst":"RECEIVER"}'],
  ]
  it.each(textFrames)(
    '%s is dropped; the sender stays connected and the server keeps serving',
    async (_, text) => {
      const sender = await registerPeer(server.port, { id: newId('sender') })
      const receiver = await registerPeer(server.port, { id: newId('receiver') })
      sender.ws.send(text.replace('RECEIVER', receiver.id))
      // Messages on one socket arrive in order: when the valid one after it is relayed, the bad one was handled,
      // and it was not relayed before it.
      sender.send({ type: 'OFFER', dst: receiver.id, payload: { n: 1 } })
      expect(await receiver.next()).toEqual({
        type: 'OFFER',
        src: sender.id,
        dst: receiver.id,
        payload: { n: 1 },
      })
      expect(receiver.pending).toEqual([])
      expect(server.alive()).toBe(true)
      await expectServerServes(server.port)
      sender.ws.close()
      receiver.ws.close()
    },
  )

  it('0xff bytes in a binary frame are dropped; the server keeps serving', async () => {
    const sender = await registerPeer(server.port, { id: newId('sender') })
    const receiver = await registerPeer(server.port, { id: newId('receiver') })
    sender.ws.send(Buffer.alloc(64, 0xff), { binary: true })
    sender.send({ type: 'OFFER', dst: receiver.id, payload: { n: 2 } })
    expect(await receiver.next()).toMatchObject({ type: 'OFFER', payload: { n: 2 } })
    expect(server.alive()).toBe(true)
    await expectServerServes(server.port)
    sender.ws.close()
    receiver.ws.close()
  })

  /** A registered raw socket: the handshake by hand, then the server's OPEN. */
  async function registeredRawSocket() {
    const raw = await rawWebSocket(server.port, `/peerjs/peerjs?key=peerjs&id=${newId('raw')}&token=t`)
    expect(raw.status).toBe('HTTP/1.1 101 Switching Protocols')
    expect(await raw.nextMessage()).toEqual({ type: 'OPEN' })
    return raw
  }

  it('a frame with a reserved opcode closes that socket (1002); the server keeps serving', async () => {
    const raw = await registeredRawSocket()
    raw.write(clientFrame(0x3, Buffer.from('x')))
    expect(await raw.closeCode()).toBe(1002)
    raw.destroy()
    expect(server.alive()).toBe(true)
    await expectServerServes(server.port)
  })

  it('invalid UTF-8 in a text frame closes that socket (1007); the server keeps serving', async () => {
    const raw = await registeredRawSocket()
    // 0xc3 starts a two-byte sequence that 0x28 does not continue; 0xff never occurs in UTF-8.
    raw.write(clientFrame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d])))
    expect(await raw.closeCode()).toBe(1007)
    raw.destroy()
    expect(server.alive()).toBe(true)
    await expectServerServes(server.port)
  })

  it('a 5 MB message is refused with 1009 (message too big); the server keeps serving', async () => {
    const sender = await registerPeer(server.port, { id: newId('big') })
    // Valid JSON of a valid type: only its size is wrong.
    sender.ws.send(JSON.stringify({ type: 'HEARTBEAT', pad: 'x'.repeat(5_000_000) }))
    expect((await sender.closed).code).toBe(1009)
    expect(server.alive()).toBe(true)
    await expectServerServes(server.port)
  })

  it('a frame announcing 90 MB is refused on its header, before the server buffers any of it', async () => {
    const raw = await registeredRawSocket()
    // Only 64 KiB of the announced 90 MB follow: a server that waited to buffer the whole message (ws's default
    // limit is 100 MiB; three such frames took it to 725 MB) would never answer.
    raw.write(clientFrame(0x1, Buffer.alloc(64 * 1024, 0x20), 90_000_000))
    expect(await raw.closeCode()).toBe(1009)
    raw.destroy()
    expect(server.alive()).toBe(true)
    await expectServerServes(server.port)
  })

  it.each([
    ['an upgrade', 'http://[', true],
    ['an upgrade', '//[/peerjs/peerjs', true],
    ['a request', 'http://[', false],
  ])(
    '%s to a URL that cannot be parsed (%s) is closed; the server keeps serving',
    async (_, url, upgrade) => {
      const raw = await rawWebSocket(server.port, url, { upgrade: Boolean(upgrade) })
      expect(raw.status).not.toMatch(/ 101 /)
      await raw.ended
      expect(server.alive()).toBe(true)
      await expectServerServes(server.port)
    },
  )

  it('a malformed HTTP request gets 400 and the server keeps serving', async () => {
    const raw = await rawWebSocket(server.port, '/ HTTP/1.1\r\nHost: \u0000\u0001 bad')
    expect(raw.status).toMatch(/^HTTP\/1\.1 400/)
    raw.destroy()
    expect(server.alive()).toBe(true)
    await expectServerServes(server.port)
  })
})

describe('limits per client address', TIMEOUTS, () => {
  /** @type {Awaited<ReturnType<typeof startTestServer>>} */
  let server
  beforeAll(async () => {
    server = await startTestServer({
      connectionsPerAddress: 3,
      registrationsPerMinute: 5,
      firstMessageTimeoutMs: 1000,
      messagesPerSecond: 5,
      messageBurst: 20,
      invalidMessagesBeforeClose: 3,
    })
  })
  afterAll(() => server?.close())

  it('127.0.0.2 and 127.0.0.3 reach the server as addresses of their own (Linux routes 127/8 to loopback)', async () => {
    const peer = await registerPeer(server.port, { id: newId('lo'), localAddress: '127.0.0.2' })
    expect(peer.ws.readyState).toBe(peer.ws.OPEN)
    peer.ws.close()
    await peer.closed
  })

  it('refuses an address more sockets at once than allowed, with an ERROR a PeerJS client shows; others still register', async () => {
    const localAddress = '127.0.0.3'
    const held = []
    for (let i = 0; i < 3; i++) {
      const peer = await registerPeer(server.port, { id: newId('held'), localAddress })
      peer.send({ type: 'HEARTBEAT' })
      held.push(peer)
    }
    const refused = await connectPeer(server.port, { id: newId('over'), localAddress })
    expect(await refused.next()).toEqual({
      type: 'ERROR',
      payload: { msg: expect.stringMatching(/Too many connections/) },
    })
    expect((await refused.closed).code).toBe(1013)
    // Another address is not affected.
    await expectServerServes(server.port)
    // A place frees up when one of them leaves.
    held[0]?.ws.close()
    await held[0]?.closed
    const again = await waitFor(async () => {
      const peer = await connectPeer(server.port, { id: newId('again'), localAddress })
      const first = await peer.next()
      if (first.type === 'OPEN') return peer
      await peer.closed
      return undefined
    })
    for (const peer of [...held, again]) peer?.ws.close()
  })

  it('refuses an address more registrations a minute than allowed, also when each socket closes at once', async () => {
    const localAddress = '127.0.0.4'
    for (let i = 0; i < 5; i++) {
      const peer = await registerPeer(server.port, { id: newId('churn'), localAddress })
      peer.ws.close()
      await peer.closed
    }
    const refused = await connectPeer(server.port, { id: newId('churn'), localAddress })
    expect(await refused.next()).toEqual({
      type: 'ERROR',
      payload: { msg: expect.stringMatching(/Too many connection attempts/) },
    })
    expect((await refused.closed).code).toBe(1013)
    const other = await registerPeer(server.port, { id: newId('other'), localAddress: '127.0.0.5' })
    other.ws.close()
  })

  it('closes a registered socket that sends nothing, which frees its id; one that sends a heartbeat stays', async () => {
    const localAddress = '127.0.0.6'
    // The active one registers first, so its timeout would have run out before the idle one's.
    const active = await registerPeer(server.port, { id: newId('active'), localAddress })
    active.send({ type: 'HEARTBEAT' })
    const id = newId('idle')
    const idle = await registerPeer(server.port, { id, token: 'first', localAddress })
    expect(await idle.next()).toEqual({
      type: 'ERROR',
      payload: { msg: expect.stringMatching(/Nothing received/) },
    })
    expect((await idle.closed).code).toBe(1008)
    expect(active.ws.readyState).toBe(active.ws.OPEN)
    // The id is free again: someone else (another token) registers it instead of hearing ID-TAKEN.
    const next = await registerPeer(server.port, { id, token: 'second', localAddress: '127.0.0.7' })
    next.ws.close()
    active.ws.close()
  })

  it('closes a socket that sends messages faster than its rate, and only that one', async () => {
    const flooder = await registerPeer(server.port, { id: newId('flood'), localAddress: '127.0.0.8' })
    const receiver = await registerPeer(server.port, { id: newId('calm'), localAddress: '127.0.0.9' })
    receiver.send({ type: 'HEARTBEAT' })
    for (let i = 0; i < 100; i++) flooder.send({ type: 'CANDIDATE', dst: receiver.id, payload: { i } })
    expect((await flooder.closed).code).toBe(1008)
    // Some of the burst got through (the burst allowance is 20), never all 100.
    const relayed = await waitFor(() => (receiver.pending.length >= 20 ? receiver.pending : undefined))
    expect(relayed.length).toBeLessThan(100)
    expect(receiver.ws.readyState).toBe(receiver.ws.OPEN)
    receiver.ws.close()
  })

  it('closes a socket that keeps sending invalid messages', async () => {
    const peer = await registerPeer(server.port, { id: newId('junk'), localAddress: '127.0.0.10' })
    for (let i = 0; i < 3; i++) peer.ws.send('junk')
    expect(await peer.next()).toEqual({
      type: 'ERROR',
      payload: { msg: expect.stringMatching(/Invalid messages/) },
    })
    expect((await peer.closed).code).toBe(1008)
  })

  it('refuses an id or token longer than any PeerJS id', async () => {
    const peer = await connectPeer(server.port, { id: 'x'.repeat(65), localAddress: '127.0.0.11' })
    expect(await peer.next()).toEqual({ type: 'ERROR', payload: { msg: 'Invalid id or token.' } })
    expect((await peer.closed).code).toBe(1008)
  })
})
