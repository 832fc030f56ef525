// @ts-check
// Everything the app needs from a server besides its static files: the PeerServer (introductions only; media and
// app data go peer-to-peer), the client configuration, and the WebXR controller profiles served from this origin
// so that no request ever leaves it. Shared by the production server (server/app.mjs) and Vite's dev server
// (server/vite-plugin.mjs), so both behave the same.
import { createRequire } from 'node:module'
import path from 'node:path'
import express from 'express'
import { ExpressPeerServer } from 'peer'
import { WebSocketServer } from 'ws'

const require = createRequire(import.meta.url)

/** Where the PeerServer is mounted; the client derives the rest from its page's origin. */
export const PEER_MOUNT = '/peerjs'
/** Where @webxr-input-profiles/assets is served; the XR store gets it as `baseAssetPath`. */
export const PROFILES_MOUNT = '/xr-profiles'

export const profilesDir = path.join(
  path.dirname(require.resolve('@webxr-input-profiles/assets/package.json')),
  'dist',
  'profiles',
)

/**
 * Parses the ICE_SERVERS setting: a JSON array of RTCIceServer objects. Default: none, which is enough on one
 * machine or one network; TURN for calls across networks is opt-in, never a public default.
 * @param {string | undefined} raw
 * @returns {Array<{ urls: string | string[], username?: string, credential?: string }>}
 */
export function parseIceServers(raw) {
  if (raw === undefined || raw.trim() === '') return []
  let value
  try {
    value = JSON.parse(raw)
  } catch {
    throw new Error(`ICE_SERVERS is not valid JSON: ${raw}`)
  }
  if (!Array.isArray(value)) throw new Error('ICE_SERVERS must be a JSON array of {"urls": ...} objects')
  for (const entry of value) {
    const urls = entry?.urls
    const ok = typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'))
    if (!ok) throw new Error(`ICE_SERVERS entry has no "urls" string or list: ${JSON.stringify(entry)}`)
  }
  return value
}

/**
 * Parses the ICE_TRANSPORT_POLICY setting (RTCConfiguration.iceTransportPolicy). Default 'all': direct paths
 * where they work, TURN where configured. 'relay' sends every call through the configured TURN servers, so no
 * participant learns another's IP address; it needs a TURN server in ICE_SERVERS, or no call could connect.
 * @param {string | undefined} raw
 * @param {Array<{ urls: string | string[] }>} iceServers the parsed ICE_SERVERS
 * @returns {'all' | 'relay'}
 */
export function parseIceTransportPolicy(raw, iceServers) {
  const value = raw?.trim() || 'all'
  if (value !== 'all' && value !== 'relay') {
    throw new Error(`ICE_TRANSPORT_POLICY must be "all" or "relay", not "${raw}"`)
  }
  const hasTurn = iceServers.some((server) => [server.urls].flat().some((url) => /^turns?:/i.test(url)))
  if (value === 'relay' && !hasTurn) {
    throw new Error('ICE_TRANSPORT_POLICY=relay needs a TURN server (a turn: or turns: URL) in ICE_SERVERS')
  }
  return value
}

/**
 * The PeerServer's WebSocket server, taking only upgrades for its own path. A plain `ws` server bound to the
 * HTTP server answers every other upgrade with an error, which would cut off Vite's hot-reload socket in dev.
 * @param {import('ws').ServerOptions} options
 */
function sharedUpgradeSocketServer({ path: socketPath, server }) {
  const socketServer = new WebSocketServer({ noServer: true })
  server?.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== socketPath) return
    socketServer.handleUpgrade(request, socket, head, (ws) => socketServer.emit('connection', ws, request))
  })
  return socketServer
}

/**
 * Mounts the config endpoint, the controller profiles and the PeerServer on `app`.
 * They live on an express app of their own because ExpressPeerServer only starts when an *express* parent mounts
 * it (its 'mount' event), and Vite's middleware stack is connect, not express.
 * @param {{ use: Function }} app an express app or a connect middleware stack (Vite's)
 * @param {import('node:http').Server | import('node:https').Server} httpServer the server the PeerServer's
 *   WebSocket upgrades arrive on
 * @param {{ iceServers: unknown[], iceTransportPolicy?: 'all' | 'relay' }} options
 */
export function mountConsultServices(app, httpServer, { iceServers, iceTransportPolicy = 'all' }) {
  const services = express()
  services.disable('x-powered-by')
  const config = JSON.stringify({
    peerPath: PEER_MOUNT,
    iceServers,
    iceTransportPolicy,
    profilesPath: `${PROFILES_MOUNT}/`,
  })
  services.use('/config.json', (/** @type {any} */ _req, /** @type {any} */ res) => {
    res.setHeader('Content-Type', 'application/json')
    res.setHeader('Cache-Control', 'no-store')
    res.end(config)
  })
  // Profiles never change for an installed version: let the browser keep them.
  services.use(PROFILES_MOUNT, express.static(profilesDir, { maxAge: '7d', fallthrough: false }))
  const peerServer = ExpressPeerServer(/** @type {any} */ (httpServer), {
    path: '/',
    // Listing peers would let anyone enumerate who is in which room.
    allow_discovery: false,
    // A dial to an id that is not connected waits this long before the caller hears "peer unavailable" (the
    // default is 5 s). Every participant dials the empty seats when joining, and re-dials a participant whose
    // link dropped: 2 s makes an empty seat known sooner and a crashed participant gone sooner.
    expire_timeout: 2000,
    createWebSocketServer: sharedUpgradeSocketServer,
  })
  services.use(PEER_MOUNT, peerServer)
  app.use(services)
  return peerServer
}
