// @ts-check
// `npm start`: builds the app when the build is missing or older than its sources, then runs the one server.
// Settings come from the environment: PORT (default 8080), HTTPS=1, HOST, ICE_SERVERS (JSON),
// ICE_TRANSPORT_POLICY (all or relay).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOrCreateCertificate, startServer } from './app.mjs'
import { parseIceServers, parseIceTransportPolicy } from './services.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const distDir = path.join(root, 'dist')

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
  let iceServers
  let iceTransportPolicy
  try {
    iceServers = parseIceServers(process.env.ICE_SERVERS)
    iceTransportPolicy = parseIceTransportPolicy(process.env.ICE_TRANSPORT_POLICY, iceServers)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  }
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a number from 0 to 65535, not "${process.env.PORT}"`)
    process.exit(2)
  }
  const useHttps = process.env.HTTPS === '1' || process.env.HTTPS === 'true'
  // Plain HTTP is only a secure context on localhost, so only HTTPS is worth offering to other devices.
  const host = process.env.HOST ?? (useHttps ? '0.0.0.0' : 'localhost')
  buildIfNeeded()
  const tls = useHttps ? await loadOrCreateCertificate(path.join(root, '.certs')) : undefined
  const server = await startServer({ port, host, distDir, iceServers, iceTransportPolicy, tls })
  console.log(`XR Consult is running at ${server.url}`)
  if (useHttps && host === '0.0.0.0') {
    for (const address of lanAddresses()) console.log(`  on your network: https://${address}:${server.port}/`)
  }
  if (iceServers.length > 0) console.log(`  ICE servers: ${iceServers.length} configured`)
  if (iceTransportPolicy === 'relay')
    console.log('  ICE transport policy: relay (calls go through TURN only)')
  const stop = () => {
    server.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
