// @ts-check
// The production server: one Node process serving the built app, the PeerServer and the client config on one
// origin. Importable (tests start it on a free port) and run by server/start.mjs.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import express from 'express'
import { mountConsultServices, requestUrl, SIGNALLING_PATH, sendPlainError } from './services.mjs'

/**
 * A page may only talk to its own origin and the Janus servers the operator configured (JANUS_URLS, for large
 * rooms): the browser itself then refuses any CDN, cloud signaling server or public STUN we might pull in by
 * accident. 'wasm-unsafe-eval' is for uikit's layout engine (yoga, WebAssembly).
 * @param {string[]} [janusUrls] already normalised (server/services.mjs parseJanusUrls)
 */
export function contentSecurityPolicy(janusUrls = []) {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    ["connect-src 'self' data: blob:", ...janusUrls].join(' '),
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** The policy with no Janus server. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy()

/**
 * Loads or creates a self-signed certificate for HTTPS mode (WebXR and the camera need a secure context, and a
 * headset on the network reaches this machine by its LAN address, not as localhost).
 * @param {string} dir
 */
export async function loadOrCreateCertificate(dir) {
  const keyFile = path.join(dir, 'key.pem')
  const certFile = path.join(dir, 'cert.pem')
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') }
  }
  const { generate } = await import('selfsigned')
  const pems = await generate([{ name: 'commonName', value: 'xr-consult.local' }], {
    keySize: 2048,
    algorithm: 'sha256',
  })
  await mkdir(dir, { recursive: true })
  await writeFile(keyFile, pems.private, { mode: 0o600 })
  await writeFile(certFile, pems.cert)
  return { key: pems.private, cert: pems.cert }
}

/**
 * @typedef {object} ServerOptions
 * @property {number} [port] TCP port; 0 picks a free one
 * @property {string} [host] interface to listen on
 * @property {string} distDir the built app
 * @property {unknown[]} [iceServers]
 * @property {'all' | 'relay'} [iceTransportPolicy]
 * @property {number} [shareMaxBytes] largest file participants share, bytes (told to clients in /config.json)
 * @property {string[]} [janusUrls] Janus servers for large rooms (told to clients, and allowed by the CSP)
 * @property {{ key: string, cert: string }} [tls] serve HTTPS with this certificate
 * @property {Partial<import('./services.mjs').SignallingLimits>} [limits] signalling limits other than the defaults
 */

/** @param {ServerOptions} options */
export async function startServer({
  port = 8080,
  host,
  distDir,
  iceServers = [],
  iceTransportPolicy,
  shareMaxBytes,
  janusUrls = [],
  tls,
  limits,
}) {
  const policy = contentSecurityPolicy(janusUrls)
  const app = express()
  app.disable('x-powered-by')
  /** @param {import('node:http').ServerResponse} res */
  const setSecurityHeaders = (res) => {
    res.setHeader('Content-Security-Policy', policy)
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('X-Content-Type-Options', 'nosniff')
    // The camera and the microphone are used by this page only; XR needs its own permission policy token.
    res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), xr-spatial-tracking=(self)')
  }
  /**
   * A request target no URL parser accepts (`GET http://[`) is refused here: express's router cannot parse it
   * either and skips every handler, so it would get express's own HTML page without the headers above.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  const handle = (req, res) => {
    if (requestUrl(req)) {
      app(req, res)
      return
    }
    setSecurityHeaders(res)
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('Bad Request.')
  }
  const httpServer = tls ? https.createServer(tls, handle) : http.createServer(handle)
  app.use((_req, res, next) => {
    setSecurityHeaders(res)
    next()
  })
  mountConsultServices(app, httpServer, { iceServers, iceTransportPolicy, shareMaxBytes, janusUrls, limits })
  // Hashed asset names never change content: cache them for good; index.html is always revalidated.
  app.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '1y' }))
  app.use(express.static(distDir, { index: 'index.html', maxAge: 0 }))
  // Nothing here serves it: the same answer as every other 404 of this server (sendPlainError's "Not Found.").
  app.use((_req, _res, next) => next({ status: 404 }))
  app.use(sendPlainError)
  // The PeerServer takes upgrades for its own path only; nothing else here speaks WebSocket, and an upgrade that
  // no listener answers would hold its connection open for good.
  httpServer.on('upgrade', (request, socket) => {
    if (requestUrl(request)?.pathname === SIGNALLING_PATH) return
    socket.on('error', () => {})
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () =>
      socket.destroy(),
    )
  })

  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  httpServer.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(port, host, () => resolve(undefined))
  })
  // Once listening, a server emits 'error' for a connection it could not accept (too many open files under a
  // flood of connections); without a listener that would end the process. Said once a minute at most, since a
  // flood would repeat it for every connection.
  let reportedAt = Number.NEGATIVE_INFINITY
  httpServer.on('error', (error) => {
    if (Date.now() - reportedAt < 60_000) return
    reportedAt = Date.now()
    console.error(`The server could not accept a connection: ${error.message}`)
  })
  const address = httpServer.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  const url = `${tls ? 'https' : 'http'}://localhost:${actualPort}/`
  return {
    url,
    port: actualPort,
    httpServer,
    /** Stops accepting and drops open sockets (PeerServer WebSockets would otherwise hold the process). */
    close() {
      return new Promise((resolve) => {
        httpServer.close(() => resolve(undefined))
        for (const socket of sockets) socket.destroy()
      })
    },
  }
}
