// @ts-check
// A real Janus for the large-room tests and the SFU benchmark (bench/sfu.mjs; plain JavaScript so that node runs it
// without a build step): Debian's `janus` (installed by .ci/run) on loopback with a free WebSocket
// port, configuration written to a temporary folder (scripts/janus-config.mjs, shared with `npm run janus`), so
// only the VideoRoom plugin and the WebSockets transport load, the admin API is off and ICE stays on loopback.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { JANUS, janusArgs, writeJanusConfig } from '../scripts/janus-config.mjs'

/**
 * @typedef {{
 *   url: string,
 *   port: number,
 *   log: () => string,
 *   process: import('node:child_process').ChildProcess,
 *   stop: () => Promise<void>,
 * }} JanusServer
 * `url`: ws://127.0.0.1:PORT, what JANUS_URLS names. `log`: everything Janus printed so far.
 */

/** A TCP port free right now on 127.0.0.1. */
/** @returns {Promise<number>} */
function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Whether a WebSocket handshake with Janus's subprotocol succeeds on `url`. */
/** @param {string} url @returns {Promise<boolean>} */
function answers(url) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'janus-protocol')
    const timer = setTimeout(() => {
      socket.close()
      resolve(false)
    }, 1000)
    socket.once('open', () => {
      clearTimeout(timer)
      socket.close()
      resolve(true)
    })
    socket.once('error', () => {
      clearTimeout(timer)
      resolve(false)
    })
  })
}

/**
 * Starts a Janus on a free loopback port. `reclaimSessionTimeout` (seconds) keeps a session whose WebSocket closed
 * alive that long, as Janus does when a client's network went silent and nothing told it the client is gone.
 * @param {{ reclaimSessionTimeout?: number }} [options]
 * @returns {Promise<JanusServer>}
 */
export async function startJanus(options = {}) {
  const port = await freeTcpPort()
  const dir = await mkdtemp(path.join(tmpdir(), 'janus-'))
  await writeJanusConfig(dir, { port, ...options })
  const child = spawn(JANUS, janusArgs(dir), { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const collect = (/** @type {Buffer} */ chunk) => {
    // Janus logs every ICE and DTLS step; the last 200 kB are plenty to explain a failure.
    output = (output + chunk.toString()).slice(-2_000_000)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  /** @type {Error | null} */
  let spawnError = null
  child.once('error', (error) => {
    spawnError = error
  })
  /** @type {() => Promise<void>} */
  const stop = () =>
    new Promise((done) => {
      const cleanup = () => void rm(dir, { recursive: true, force: true }).then(() => done())
      if (child.exitCode !== null || child.signalCode !== null || spawnError) return cleanup()
      child.once('exit', cleanup)
      child.kill('SIGTERM')
    })
  const url = `ws://127.0.0.1:${port}`
  // Janus loads its plugins before its transports: the WebSocket answering means the VideoRoom is there too.
  const deadline = Date.now() + 20_000
  while (!(await answers(url))) {
    if (spawnError)
      throw new Error(
        `cannot start ${JANUS} (Debian package janus): ${/** @type {Error} */ (spawnError).message}`,
      )
    if (child.exitCode !== null) throw new Error(`janus exited with ${child.exitCode}:\n${output}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`janus did not answer on ${url} within 20 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, port, log: () => output, process: child, stop }
}
