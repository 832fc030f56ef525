// @ts-check
// `npm start`: checks the settings (server/settings.mjs), builds the app when the build is missing or older than
// its sources, then runs the server (server/serve.mjs) in a process of its own and starts it again if it stops
// unexpectedly. SIGINT and SIGTERM stop both. SERVER_PID_FILE, when set, is where the pid of the current server
// process is written (for tests and process monitors).
import { fork, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOrCreateCertificate } from './app.mjs'
import { createRestartPolicy, DEFAULT_RESTART_POLICY } from './restart-policy.mjs'
import { EXIT_CODES, readSettings } from './settings.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const distDir = path.join(root, 'dist')
const serverProcessFile = path.join(root, 'server', 'serve.mjs')

/** After SIGTERM a server process closes in milliseconds; one that has not exited by then is killed. */
const STOP_TIMEOUT_MS = 5000

/** Newest modification time under the given paths (files or folders), in ms. */
function newestMtime(/** @type {string[]} */ paths) {
  let newest = 0
  const visit = (/** @type {string} */ p) => {
    if (!existsSync(p)) return
    const stat = statSync(p)
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p)) visit(path.join(p, entry))
    } else {
      newest = Math.max(newest, stat.mtimeMs)
    }
  }
  for (const p of paths) visit(p)
  return newest
}

function buildIfNeeded() {
  const built = path.join(distDir, 'index.html')
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'].map((p) =>
    path.join(root, p),
  )
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(sources)) return
  console.log('Building the app (first start or sources changed)…')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    // Always a production build, even when started from a test runner that set NODE_ENV=test.
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.')
    process.exit(1)
  }
}

function lanAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => i?.address)
}

async function main() {
  let settings
  try {
    settings = readSettings(process.env)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(EXIT_CODES.badSettings)
  }
  buildIfNeeded()
  // Created here, once, so that every server process finds the same certificate.
  if (settings.useHttps) await loadOrCreateCertificate(path.join(root, '.certs'))

  const { host, useHttps, iceServers, iceTransportPolicy } = settings
  const env = { ...process.env }
  const restarts = createRestartPolicy()
  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null
  /** @type {NodeJS.Timeout | undefined} */
  let restartTimer
  let stopping = false
  let everListened = false

  const run = () => {
    let listening = false
    const current = fork(serverProcessFile, [], { env, stdio: 'inherit' })
    child = current
    if (process.env.SERVER_PID_FILE && current.pid)
      writeFileSync(process.env.SERVER_PID_FILE, String(current.pid))
    current.on('message', (message) => {
      const listened = /** @type {import('./serve.mjs').ListeningMessage} */ (message)
      if (listened?.type !== 'listening') return
      listening = true
      // PORT=0 picks a free port once: every later server process takes the same one, so open pages and links
      // find the server again.
      env.PORT = String(listened.port)
      if (everListened) {
        console.log(`XR Consult restarted; running again at ${listened.url}`)
        return
      }
      everListened = true
      console.log(`XR Consult is running at ${listened.url}`)
      if (useHttps && host === '0.0.0.0') {
        for (const address of lanAddresses())
          console.log(`  on your network: https://${address}:${listened.port}/`)
      }
      if (iceServers.length > 0) console.log(`  ICE servers: ${iceServers.length} configured`)
      if (iceTransportPolicy === 'relay')
        console.log('  ICE transport policy: relay (calls go through TURN only)')
    })
    current.on('exit', (code, signal) => {
      child = null
      if (stopping) process.exit(0)
      // Exit code 0 only follows a signal to the server process itself (Ctrl-C reaches the whole process group,
      // and may reach it first): it was asked to stop.
      if (code === 0) process.exit(0)
      // A server that never got to listen the first time, or was refused its settings or its port, would fail
      // the same way again: it has said why; stop with its exit code.
      const refused = code === EXIT_CODES.badSettings || code === EXIT_CODES.cannotListen
      if (refused || (!listening && !everListened)) process.exit(code ?? 1)
      const how = signal ? `signal ${signal}` : `exit code ${code}`
      const delay = restarts.afterCrash(Date.now())
      if (delay === null) {
        console.error(
          `The server stopped unexpectedly (${how}), ${DEFAULT_RESTART_POLICY.maxCrashes} times within a ` +
            'minute; it is not restarted again. See the messages above.',
        )
        process.exit(1)
      }
      console.error(`The server stopped unexpectedly (${how}); restarting it in ${delay / 1000} s.`)
      restartTimer = setTimeout(run, delay)
    })
  }

  const stop = () => {
    if (stopping) return
    stopping = true
    clearTimeout(restartTimer)
    if (!child) process.exit(0)
    child.kill('SIGTERM')
    setTimeout(() => child?.kill('SIGKILL'), STOP_TIMEOUT_MS).unref()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  run()
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
