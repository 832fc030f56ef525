// @ts-check
// Test helpers: a real server on a free port, PeerJS-style signalling clients, and a raw WebSocket over a plain
// TCP socket for frames the `ws` client refuses to send (reserved opcodes, invalid UTF-8, lying lengths).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'
import { startServer } from './app.mjs'

/**
 * The production server on a free loopback port, serving a one-page stand-in for the built app.
 * @param {Partial<import('./services.mjs').SignallingLimits>} [limits]
 */
export async function startTestServer(limits) {
  const distDir = mkdtempSync(path.join(os.tmpdir(), 'xr-consult-server-test-'))
  writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>XR Consult</title>')
  return startServer({ port: 0, host: '127.0.0.1', distDir, limits })
}

/**
 * Messages in arrival order; `next` waits for one that has not been taken yet.
 * @template T
 */
function createInbox() {
  /** @type {T[]} */
  const queued = []
  /** @type {Array<(value: T) => void>} */
  const waiting = []
  return {
    /** @param {T} value */
    push(value) {
      const resolve = waiting.shift()
      if (resolve) resolve(value)
      else queued.push(value)
    },
    /** @returns {Promise<T>} */
    next() {
      const value = queued.shift()
      if (value !== undefined) return Promise.resolve(value)
      return new Promise((resolve) => waiting.push(resolve))
    },
    /** Messages received and not yet taken. */
    get pending() {
      return [...queued]
    },
  }
}

/** @typedef {{ code: number, reason: string }} Closed */

/**
 * Opens a PeerServer signalling socket the way a PeerJS client does (`?key=peerjs&id=…&token=…`).
 * @param {number} port
 * @param {{ id: string, token?: string, localAddress?: string }} options
 */
export async function connectPeer(port, { id, token = 'tok', localAddress }) {
  const query = new URLSearchParams({ key: 'peerjs', id, token })
  const ws = new WebSocket(`ws://127.0.0.1:${port}/peerjs/peerjs?${query}`, { localAddress })
  /** @type {ReturnType<typeof createInbox<any>>} */
  const inbox = createInbox()
  ws.on('message', (data) => inbox.push(JSON.parse(String(data))))
  /** @type {Promise<Closed>} */
  const closed = new Promise((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  )
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  // After the handshake, errors (the server closing on us) show up as 'close'.
  ws.on('error', () => {})
  return {
    ws,
    id,
    /** The next message from the server, parsed. */
    next: () => inbox.next(),
    /** Messages received and not yet taken by `next`. */
    get pending() {
      return inbox.pending
    },
    closed,
    /** @param {unknown} message */
    send: (message) => ws.send(JSON.stringify(message)),
  }
}

/**
 * A registered client: connected, and the server has answered OPEN.
 * @param {number} port
 * @param {{ id: string, token?: string, localAddress?: string }} options
 */
export async function registerPeer(port, options) {
  const peer = await connectPeer(port, options)
  const first = await peer.next()
  if (first?.type !== 'OPEN') throw new Error(`expected OPEN for ${options.id}, got ${JSON.stringify(first)}`)
  return peer
}

/**
 * A client WebSocket frame: FIN set, masked as RFC 6455 requires of clients.
 * @param {number} opcode 0x1 text, 0x2 binary, 0x8 close, 0x3-0x7 reserved
 * @param {Buffer} payload what is sent after the header (may be shorter than `declaredLength`)
 * @param {number} [declaredLength] the length the header announces; the payload's own by default
 */
export function clientFrame(opcode, payload, declaredLength = payload.length) {
  /** @type {number[]} */
  let lengthBytes
  if (declaredLength < 126) lengthBytes = [0x80 | declaredLength]
  else if (declaredLength < 2 ** 16) lengthBytes = [0x80 | 126, declaredLength >> 8, declaredLength & 0xff]
  else {
    const long = Buffer.alloc(8)
    long.writeBigUInt64BE(BigInt(declaredLength))
    lengthBytes = [0x80 | 127, ...long]
  }
  const mask = randomBytes(4)
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)))
  return Buffer.concat([Buffer.from([0x80 | opcode, ...lengthBytes]), mask, masked])
}

/**
 * A WebSocket opened by hand over TCP: the upgrade handshake, then raw frames both ways.
 * @param {number} port
 * @param {string} requestPath sent as it is, however malformed
 * @param {{ upgrade?: boolean }} [options] `upgrade: false` sends a plain GET (to see how a request is answered)
 */
export async function rawWebSocket(port, requestPath, { upgrade = true } = {}) {
  const socket = net.connect({ port, host: '127.0.0.1' })
  socket.on('error', () => {})
  const key = randomBytes(16).toString('base64')
  const upgradeHeaders =
    'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`
  socket.write(
    `GET ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgrade ? upgradeHeaders : 'Connection: close\r\n'}\r\n`,
  )
  /** @type {ReturnType<typeof createInbox<{ opcode: number, payload: Buffer }>>} */
  const frames = createInbox()
  let buffer = Buffer.alloc(0)
  let upgraded = false
  /** @type {(status: string) => void} */
  let onHead = () => {}
  const head = new Promise((resolve) => {
    onHead = resolve
  })
  /** @type {Promise<void>} */
  const ended = new Promise((resolve) => socket.on('close', () => resolve()))
  // A server that drops the connection without answering: no status line.
  socket.on('close', () => onHead(''))
  /** @type {(code: number | null) => void} */
  let onClose = () => {}
  /** @type {Promise<number | null>} */
  const closeFrame = new Promise((resolve) => {
    onClose = resolve
  })
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk])
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      onHead(buffer.subarray(0, end).toString().split('\r\n')[0] ?? '')
      buffer = buffer.subarray(end + 4)
      upgraded = true
    }
    // Server frames are not masked: opcode, a 7-bit length or a 16/64-bit extended one, then the payload.
    for (;;) {
      if (buffer.length < 2) return
      const opcode = (buffer[0] ?? 0) & 0x0f
      let length = (buffer[1] ?? 0) & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffer.length < 4) return
        length = buffer.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffer.length < 10) return
        length = Number(buffer.readBigUInt64BE(2))
        offset = 10
      }
      if (buffer.length < offset + length) return
      const payload = buffer.subarray(offset, offset + length)
      if (opcode === 0x8) onClose(payload.length >= 2 ? payload.readUInt16BE(0) : null)
      else frames.push({ opcode, payload })
      buffer = buffer.subarray(offset + length)
    }
  })
  const status = await head
  return {
    status,
    /** @param {Buffer} bytes */
    write: (bytes) => socket.write(bytes),
    /** The next text frame from the server, parsed as JSON. */
    async nextMessage() {
      for (;;) {
        const frame = await frames.next()
        if (frame.opcode === 0x1) return JSON.parse(frame.payload.toString())
      }
    },
    /** The close code the server sent; null when the connection ended without a close frame. */
    closeCode: () => Promise.race([closeFrame, ended.then(() => null)]),
    ended,
    destroy: () => socket.destroy(),
  }
}

/**
 * Resolves with the first value of `probe` that is not undefined, trying every 20 ms for up to `timeoutMs`.
 * @template T
 * @param {() => T | undefined | Promise<T | undefined>} probe
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function waitFor(probe, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * The production server in a process of its own, so that a test can tell whether it is still alive: a crash in
 * the test's own process would only be reported next to the tests, not fail them.
 * @param {Partial<import('./services.mjs').SignallingLimits>} [limits]
 */
export async function startServerProcess(limits = {}) {
  const script = `
    import { mkdtempSync, writeFileSync } from 'node:fs'
    import os from 'node:os'
    import path from 'node:path'
    import { startServer } from ${JSON.stringify(new URL('./app.mjs', import.meta.url).href)}
    const distDir = mkdtempSync(path.join(os.tmpdir(), 'xr-consult-server-test-'))
    writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>XR Consult</title>')
    const limits = JSON.parse(process.env.TEST_LIMITS)
    const server = await startServer({ port: 0, host: '127.0.0.1', distDir, limits })
    console.log('listening ' + server.port)
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TEST_LIMITS: JSON.stringify(limits) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /listening (\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)))
  })
  return {
    port,
    child,
    /** What the process wrote, for failure messages. */
    output: () => output,
    /** Whether the process is still running. */
    alive: () => child.exitCode === null && child.signalCode === null,
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined)
        child.once('exit', () => resolve(undefined))
        child.kill('SIGKILL')
      })
    },
  }
}
