// @ts-check
// `npm start` as the e2e tests and users run it (node server/start.mjs), from a copy of server/ with a stand-in
// build, so that it finds nothing to build: it restarts a server process that dies, keeps the port, stops on
// SIGTERM, and says in a sentence when the port is taken.
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerPeer, waitFor } from './test-clients.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** @type {string} */
let appDir

beforeAll(() => {
  appDir = mkdtempSync(path.join(os.tmpdir(), 'xr-consult-supervisor-test-'))
  cpSync(path.join(root, 'server'), path.join(appDir, 'server'), { recursive: true })
  mkdirSync(path.join(appDir, 'dist'))
  writeFileSync(path.join(appDir, 'dist', 'index.html'), '<!doctype html><title>XR Consult</title>')
  symlinkSync(path.join(root, 'node_modules'), path.join(appDir, 'node_modules'), 'dir')
})

afterAll(() => {
  // The link first, so that nothing can follow it into the real node_modules.
  rmSync(path.join(appDir, 'node_modules'), { force: true })
  rmSync(appDir, { recursive: true, force: true })
})

/** @param {Record<string, string>} env */
function startSupervisor(env) {
  const child = spawn(process.execPath, [path.join(appDir, 'server', 'start.mjs')], {
    cwd: appDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  /** @type {Promise<{ code: number | null, signal: string | null }>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { child, exited, output: () => output }
}

/** @param {number} pid */
function isRunning(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** @param {string} url */
async function pageStatus(url) {
  try {
    return (await fetch(url)).status
  } catch {
    return undefined
  }
}

// Generous: every wait is for a condition, so a slow machine only makes them slower.
describe('npm start', { timeout: 90_000 }, () => {
  it('restarts a server process that was killed, on the same port; SIGTERM then stops everything', async () => {
    const pidFile = path.join(appDir, 'server.pid')
    const supervisor = startSupervisor({ SERVER_PID_FILE: pidFile })
    try {
      const url = await waitFor(() => /XR Consult is running at (\S+)/.exec(supervisor.output())?.[1], 60_000)
      const port = Number(new URL(url).port)
      expect(port).toBeGreaterThan(0)
      expect(await pageStatus(url)).toBe(200)
      const firstPid = Number(readFileSync(pidFile, 'utf8'))
      expect(firstPid).not.toBe(supervisor.child.pid)
      expect(isRunning(firstPid)).toBe(true)

      process.kill(firstPid, 'SIGKILL')
      await waitFor(
        () => (/restarted; running again at/.test(supervisor.output()) ? true : undefined),
        60_000,
      )
      const secondPid = Number(readFileSync(pidFile, 'utf8'))
      expect(secondPid).not.toBe(firstPid)
      expect(isRunning(firstPid)).toBe(false)
      // The same URL answers again, signalling included.
      expect(await pageStatus(url)).toBe(200)
      const peer = await registerPeer(port, { id: 'after-restart' })
      peer.ws.close()
      expect(supervisor.output()).toMatch(/stopped unexpectedly \(signal SIGKILL\)/)
      expect(supervisor.output().match(/XR Consult is running at/g)).toHaveLength(1)

      supervisor.child.kill('SIGTERM')
      expect(await supervisor.exited).toEqual({ code: 0, signal: null })
      // The server process went with it and the port is closed.
      expect(isRunning(secondPid)).toBe(false)
      expect(await pageStatus(url)).toBeUndefined()
    } finally {
      supervisor.child.kill('SIGKILL')
    }
  })

  it('says in a sentence that the port is taken, and exits without restarting', async () => {
    const blocker = net.createServer()
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', () => resolve(undefined)))
    const { port } = /** @type {import('node:net').AddressInfo} */ (blocker.address())
    try {
      const supervisor = startSupervisor({ PORT: String(port) })
      const { code } = await supervisor.exited
      expect(code).not.toBe(0)
      const sentence = `Port ${port} is already in use. Stop the other program or start with another port: PORT=${port + 1} npm start`
      expect(supervisor.output().split(sentence)).toHaveLength(2)
      expect(supervisor.output()).not.toMatch(/running at|restarting|\n\s+at /)
    } finally {
      blocker.close()
    }
  })

  it('refuses a bad setting in a sentence before starting anything', async () => {
    const supervisor = startSupervisor({ ICE_TRANSPORT_POLICY: 'relay-only' })
    expect((await supervisor.exited).code).toBe(2)
    expect(supervisor.output()).toContain('ICE_TRANSPORT_POLICY must be "all" or "relay", not "relay-only"')
  })
})
