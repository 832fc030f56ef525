// @ts-check
// Everything the app needs from a server besides its static files: the PeerServer (introductions only; media and
// app data go peer-to-peer), the client configuration, and the WebXR controller profiles served from this origin
// so that no request ever leaves it. Shared by the production server (server/app.mjs) and Vite's dev server
// (server/vite-plugin.mjs), so both behave the same.
import { STATUS_CODES } from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import express from 'express'
import { ExpressPeerServer } from 'peer'
import { WebSocket, WebSocketServer } from 'ws'
import { addressKey, createAddressBudget, createTokenBucket } from './address-budget.mjs'
import { checkClientMessage, isPeerId } from './signalling-message.mjs'

const require = createRequire(import.meta.url)

/** Where the PeerServer is mounted; the client derives the rest from its page's origin. */
export const PEER_MOUNT = '/peerjs'
/** The PeerServer's WebSocket path: its mount path, its own path ('/') and the 'peerjs' it appends. */
export const SIGNALLING_PATH = `${PEER_MOUNT}/peerjs`
/** The check-in's round-trip endpoint (src/net/server-round-trip.ts). */
export const HEALTH_PATH = '/health'
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
 * JANUS_URLS: the Janus servers large rooms may use, comma separated WebSocket URLs (ws:// or wss://). None: the
 * app offers consultations only. Each URL is normalised (what the browser's CSP and WebSocket compare), and only
 * scheme, host, port and path are allowed: a query or fragment would travel to Janus in every connection, and a
 * user name or password in a URL the server hands every client is a secret given to everyone.
 * @param {string | undefined} raw
 * @returns {string[]}
 */
export function parseJanusUrls(raw) {
  const parts = (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
  return [
    ...new Set(
      parts.map((part) => {
        const url = URL.canParse(part) ? new URL(part) : null
        if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
          throw new Error(`JANUS_URLS must be ws:// or wss:// URLs separated by commas, not "${part}"`)
        }
        if (url.username || url.password || url.search || url.hash) {
          throw new Error(`JANUS_URLS: "${part}" may not carry a user, a password, a query or a fragment`)
        }
        return url.href
      }),
    ),
  ]
}

/**
 * The URL of a request as sent, or null when it cannot be parsed (`GET http://[ HTTP/1.1` reaches the server:
 * `new URL` throws on it, and in an 'upgrade' listener that ended the process).
 * @param {import('node:http').IncomingMessage} request
 */
export function requestUrl(request) {
  return URL.canParse(request.url ?? '/', 'http://localhost')
    ? new URL(request.url ?? '/', 'http://localhost')
    : null
}

/**
 * What one client may do at the signalling server. The PeerServer has no limits of its own besides 5,000 ids in
 * all, so without these one address could fill it, or hold a room's seat ids with sockets that do nothing.
 * @typedef {object} SignallingLimits
 * @property {number} maxMessageBytes largest WebSocket message, bytes
 * @property {number} connectionsPerAddress signalling sockets one address may hold at once
 * @property {number} registrationsPerMinute registrations (signalling sockets opened) per address per minute
 * @property {number} firstMessageTimeoutMs a registered socket that has sent no valid message by then is closed
 * @property {number} messagesPerSecond sustained messages per socket, per second
 * @property {number} messageBurst messages per socket at once, above the sustained rate
 * @property {number} bytesPerSecond sustained bytes per socket, per second
 * @property {number} byteBurst bytes per socket at once, above the sustained rate
 * @property {number} invalidMessagesBeforeClose invalid messages a socket may send before it is closed
 */

/** @type {Readonly<SignallingLimits>} */
export const DEFAULT_SIGNALLING_LIMITS = Object.freeze({
  // The largest message in the e2e calls (Chromium, audio + video + data channel) was a 6.3 KB OFFER; SDP with
  // more codecs or candidates stays under about 12 KB. 32 KiB leaves more than twice that. (ws's default is
  // 100 MiB, buffered whole before anyone looks at it.)
  maxMessageBytes: 32 * 1024,
  // Everyone behind one NAT shares an address: a clinic or a household with several devices, each holding one
  // socket per open tab. 32 covers that many times over; one address still cannot hold more than 32 of the
  // PeerServer's 5,000 ids.
  connectionsPerAddress: 32,
  // Joining takes one registration per seat tried (a room has 4 seats), and a reconnect after a server restart one
  // more: an honest device uses a handful a minute; 60 lets a whole clinic rejoin at once.
  registrationsPerMinute: 60,
  // PeerJS clients send a HEARTBEAT 5 s after registering and every 5 s after that: 15 s is three of them, so a
  // client that is merely slow is not cut off, while a socket that only holds an id is gone within 15 s.
  firstMessageTimeoutMs: 15_000,
  // Setting up one connection sends an offer, an answer and an ICE candidate per local address and protocol, and
  // a participant joining a room dials three seats at once, for data and media: a few dozen messages within a
  // second. 200 at once and 50 a second after that never stop an honest client and bound what a socket can
  // make the server relay.
  messagesPerSecond: 50,
  messageBurst: 200,
  // The same bound in bytes, since messages a destination has not yet collected are queued in memory: 512 KiB
  // at once (16 messages of the largest size), 64 KiB a second after that (several full offers a second).
  bytesPerSecond: 64 * 1024,
  byteBurst: 512 * 1024,
  // A newer PeerJS might send a type this server does not know: dropping a few costs nothing, but a socket that
  // keeps sending what no PeerJS client sends is not one.
  invalidMessagesBeforeClose: 10,
})

/**
 * After asking a client to close, how long to wait for its answer before dropping the connection (ws waits 30 s,
 * and a registered socket keeps its id until it is closed). A live client answers within a round trip.
 */
const CLOSE_GRACE_MS = 1000

/**
 * Errors on a client's socket (a malformed frame, a message over the size limit, a reset connection) are that
 * client's: ws has already closed the socket with the matching close code. They only need a listener, since an
 * 'error' event without one ends the process.
 */
const ignoreClientError = () => {}

/**
 * Tells a PeerJS client why it is turned away, in the PeerServer's own ERROR message (the client shows it as a
 * server error instead of waiting), then closes the socket.
 * @param {import('ws').WebSocket} ws
 * @param {string} msg
 * @param {number} code WebSocket close code: 1008 policy violation, 1013 try again later
 */
function refuse(ws, msg, code) {
  if (ws.readyState !== WebSocket.OPEN) return
  ws.send(JSON.stringify({ type: 'ERROR', payload: { msg } }))
  ws.close(code)
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS)
  ws.once('close', () => clearTimeout(timer))
}

/** What a client is told when its address is over a limit. */
const REFUSALS = {
  'too-many-connections':
    'Too many connections from your network to this server. Close other tabs and try again.',
  'too-many-registrations': 'Too many connection attempts from your network. Wait a minute and try again.',
}

/**
 * Puts every message of `ws` through the checks before any other listener (the PeerServer's) sees it: invalid
 * messages are dropped, and a socket that sends too many, or too fast, or nothing valid in time, is closed.
 * It wraps the socket's `emit`, since the PeerServer adds its own 'message' listener after ours.
 * @param {import('ws').WebSocket} ws
 * @param {SignallingLimits} limits
 */
function guardMessages(ws, limits) {
  const now = Date.now()
  const messages = createTokenBucket({ perSecond: limits.messagesPerSecond, burst: limits.messageBurst }, now)
  const bytes = createTokenBucket({ perSecond: limits.bytesPerSecond, burst: limits.byteBurst }, now)
  let invalid = 0
  const silence = setTimeout(
    () => refuse(ws, 'Nothing received from this connection; it was closed.', 1008),
    limits.firstMessageTimeoutMs,
  )
  ws.once('close', () => clearTimeout(silence))
  const emit = ws.emit.bind(ws)
  /** @type {(event: string | symbol, ...args: any[]) => boolean} */
  const guardedEmit = (event, ...args) => {
    if (event !== 'message') return emit(event, ...args)
    if (ws.readyState !== WebSocket.OPEN) return false
    const [data, isBinary] = args
    const size = Array.isArray(data)
      ? data.reduce((sum, part) => sum + part.byteLength, 0)
      : Number(data?.byteLength ?? 0)
    const now = Date.now()
    if (!messages.take(now) || !bytes.take(now, size)) {
      refuse(ws, 'Too many messages too fast; the connection was closed.', 1008)
      return false
    }
    if (!checkClientMessage(data, Boolean(isBinary)).ok) {
      invalid += 1
      if (invalid >= limits.invalidMessagesBeforeClose)
        refuse(ws, 'Invalid messages; the connection was closed.', 1008)
      return false
    }
    clearTimeout(silence)
    return emit(event, ...args)
  }
  ws.emit = /** @type {typeof ws.emit} */ (guardedEmit)
}

/**
 * The PeerServer's WebSocket server, taking only upgrades for its own path. A plain `ws` server bound to the
 * HTTP server answers every other upgrade with an error, which would cut off Vite's hot-reload socket in dev.
 * Every socket it hands to the PeerServer has passed the per-address limits and has its messages checked.
 * @param {import('ws').ServerOptions} options what the PeerServer asks for: its path and the HTTP server
 * @param {SignallingLimits} limits
 */
function guardedSocketServer({ path: socketPath, server }, limits) {
  const socketServer = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    // Compression would let a small frame expand to the size limit in memory, for messages of a few KB.
    perMessageDeflate: false,
  })
  socketServer.on('error', ignoreClientError)
  const budget = createAddressBudget(limits)
  server?.on('upgrade', (request, socket, head) => {
    const url = requestUrl(request)
    if (!url || url.pathname !== socketPath) return
    const address = addressKey(request.socket.remoteAddress)
    socketServer.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', ignoreClientError)
      const query = url.searchParams
      const id = query.get('id')
      const token = query.get('token')
      // The PeerServer stores any id and token as given; it refuses missing ones itself.
      if ((id && !isPeerId(id)) || (token && !isPeerId(token))) {
        refuse(ws, 'Invalid id or token.', 1008)
        return
      }
      const admission = budget.open(address, Date.now())
      if (admission !== 'ok') {
        refuse(ws, REFUSALS[admission], 1013)
        return
      }
      ws.once('close', () => budget.close(address))
      guardMessages(ws, limits)
      socketServer.emit('connection', ws, request)
    })
  })
  return socketServer
}

/**
 * The last error handler of every express app here: the status and its plain name, e.g. "Not Found". Express's
 * own handler shows a stack trace with absolute paths unless NODE_ENV is production.
 * @param {unknown} error
 * @param {import('express').Request} _request
 * @param {import('express').Response} response
 * @param {import('express').NextFunction} _next express only treats a handler with four parameters as one for errors
 */
export function sendPlainError(error, _request, response, _next) {
  const { status, statusCode } = /** @type {{ status?: unknown, statusCode?: unknown }} */ (error ?? {})
  const given = Number(status ?? statusCode)
  // Only errors with a client status are the client's; anything else is ours.
  const code = Number.isInteger(given) && given >= 400 && given < 600 ? given : 500
  if (response.headersSent) {
    // Half a response already went out: all that can be done is to end the connection.
    response.destroy()
    return
  }
  response
    .status(code)
    .type('text/plain')
    .send(`${STATUS_CODES[code] ?? 'Error'}.`)
}

/**
 * Mounts the config endpoint, the controller profiles and the PeerServer on `app`.
 * They live on an express app of their own because ExpressPeerServer only starts when an *express* parent mounts
 * it (its 'mount' event), and Vite's middleware stack is connect, not express.
 * @param {{ use: Function }} app an express app or a connect middleware stack (Vite's)
 * @param {import('node:http').Server | import('node:https').Server} httpServer the server the PeerServer's
 *   WebSocket upgrades arrive on
 * @param {{ iceServers: unknown[], iceTransportPolicy?: 'all' | 'relay', shareMaxBytes?: number,
 *   janusUrls?: string[], limits?: Partial<SignallingLimits> }} options
 *   `limits` replaces some of DEFAULT_SIGNALLING_LIMITS (tests set small ones)
 */
export function mountConsultServices(
  app,
  httpServer,
  { iceServers, iceTransportPolicy = 'all', shareMaxBytes = 100_000_000, janusUrls = [], limits = {} },
) {
  const signallingLimits = { ...DEFAULT_SIGNALLING_LIMITS, ...limits }
  const services = express()
  services.disable('x-powered-by')
  const config = JSON.stringify({
    peerPath: PEER_MOUNT,
    iceServers,
    iceTransportPolicy,
    profilesPath: `${PROFILES_MOUNT}/`,
    shareMaxBytes,
    // Large rooms' SFUs (JANUS_URLS); the lobby offers a large room only when there is one.
    janusUrls,
  })
  services.use('/config.json', (/** @type {any} */ _req, /** @type {any} */ res) => {
    res.setHeader('Content-Type', 'application/json')
    res.setHeader('Cache-Control', 'no-store')
    res.end(config)
  })
  // The check-in times its round trip to the server with this: an empty answer, never cached (a cached answer
  // would time the browser, not the network).
  services.use(HEALTH_PATH, (/** @type {any} */ _req, /** @type {any} */ res) => {
    res.setHeader('Cache-Control', 'no-store')
    res.statusCode = 204
    res.end()
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
    createWebSocketServer: (options) => guardedSocketServer(options, signallingLimits),
    // The app talks to its own origin only: no page elsewhere may read the PeerServer's answers (its default
    // reflects any Origin back in Access-Control-Allow-Origin).
    corsOptions: { origin: false },
  })
  // The PeerServer is an express app of its own, with express's defaults.
  peerServer.disable('x-powered-by')
  // The PeerServer re-emits every socket's error on this app, and an express app has no 'error' listener of its
  // own: without this, one malformed frame from anyone ended the process.
  peerServer.on('error', ignoreClientError)
  services.use(PEER_MOUNT, peerServer)
  // Its routes are added when it is mounted, just above; an error handler must come after them. (It is typed
  // with express 4's types, which this express 5 handler does not match, although it works with both.)
  peerServer.use(/** @type {any} */ (sendPlainError))
  services.use(sendPlainError)
  app.use(services)
  return peerServer
}
