// A real TURN server for the relay tests: Debian's coturn (`turnserver`, installed by .ci/run) on loopback with a
// free port and long-term credentials, its log kept so a test can prove it relayed.
import { type ChildProcess, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver'

export interface TurnServer {
  /** The RTCIceServer entry a client needs, UDP transport. */
  iceServer: { urls: string; username: string; credential: string }
  port: number
  /** Everything coturn printed so far. */
  log: () => string
  process: ChildProcess
  stop: () => Promise<void>
}

/** A UDP port free right now on 127.0.0.1 (coturn takes the same TCP port too; that one is rarely busy). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
}

export async function startTurnServer({
  username = 'consult',
  password = 'turn-test-secret',
} = {}): Promise<TurnServer> {
  const port = await freeUdpPort()
  // Its own user database, so the test needs neither /var/lib/turn nor root.
  const dir = await mkdtemp(path.join(tmpdir(), 'coturn-'))
  const child = spawn(
    TURNSERVER,
    [
      '-n', // no config file: nothing from /etc/turnserver.conf
      '--log-file=stdout',
      // Moderate verbosity: without it coturn logs neither its listeners (awaited below) nor its sessions.
      '--verbose',
      '--pidfile=', // empty: no pid file (the default lives in /var/run)
      `--userdb=${path.join(dir, 'turndb')}`,
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--lt-cred-mech',
      `--user=${username}:${password}`,
      '--realm=xr-consult.test',
      // Both relay addresses are on 127.0.0.1, so each participant's peer is a loopback address, which coturn
      // refuses unless told this is a test.
      '--allow-loopback-peers',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const stop = () =>
    new Promise<void>((done) => {
      const cleanup = () => void rm(dir, { recursive: true, force: true }).then(() => done())
      if (child.exitCode !== null || child.signalCode !== null) return cleanup()
      child.once('exit', cleanup)
      child.kill('SIGTERM')
    })
  await new Promise<void>((resolve, reject) => {
    const listening = `UDP listener opened on: 127.0.0.1:${port}`
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`coturn did not listen on ${port} within 20 s:\n${output}`))
    }, 20_000)
    const onData = () => {
      if (!output.includes(listening)) return
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      resolve()
    }
    child.stdout?.on('data', onData)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`cannot start ${TURNSERVER} (Debian package coturn): ${error.message}`))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`coturn exited with ${code}:\n${output}`))
    })
  })
  return {
    iceServer: { urls: `turn:127.0.0.1:${port}?transport=udp`, username, credential: password },
    port,
    log: () => output,
    process: child,
    stop,
  }
}
