// @ts-check
// What the production server answers to requests it cannot serve: a status and a plain sentence, nothing about
// its insides, and no cross-origin permission for anyone.
import http, { STATUS_CODES } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from './app.mjs'
import { mountConsultServices } from './services.mjs'
import { rawWebSocket, startTestServer } from './test-clients.mjs'

/**
 * A GET with the path sent exactly as given (fetch would resolve `..` before sending).
 * @param {number} port
 * @param {string} requestPath
 * @param {{ method?: string, headers?: Record<string, string> }} [options]
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string }>}
 */
function request(port, requestPath, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: requestPath, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('error responses', () => {
  /** @type {Awaited<ReturnType<typeof startTestServer>>} */
  let server
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server?.close())

  const cases = [
    ['a path out of the controller profiles', '/xr-profiles/../../package.json', 403],
    ['a missing controller profile', '/xr-profiles/nonexistent.json', 404],
    ['a malformed escape in a PeerServer path', '/peerjs/%zz/id', 400],
    ['a malformed escape in a page path', '/%E0%A4%A', 404],
    ['a path that does not exist', '/no/such/page', 404],
    // Express's router cannot parse it either, so it skipped every handler and answered with its own HTML page,
    // without this server's headers.
    ['a request target that is no URL', 'http://[', 400],
  ]
  it.each(cases)(
    '%s (%s): status %i, a plain sentence, no stack, no path, no X-Powered-By',
    async (_, path, status) => {
      const response = await request(server.port, String(path))
      expect(response.status).toBe(status)
      expect(response.headers['content-type']).toMatch(/^text\/plain/)
      expect(response.body).toMatch(/^[A-Z][A-Za-z ]+\.?$/)
      // One wording per status whichever part of the server answers (the static files' fallthrough, a missing
      // controller profile, the router): a client or a person reading logs sees the same sentence for the same case.
      expect(response.body).toBe(`${STATUS_CODES[Number(status)]}.`)
      expect(response.body).not.toMatch(/\bat \S|node_modules|\/work\/|\/home\/|Error/)
      expect(response.headers['x-powered-by']).toBeUndefined()
      expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    },
  )

  it('the PeerServer sends no X-Powered-By either', async () => {
    for (const path of ['/peerjs/', '/peerjs/peerjs/id', '/peerjs/peerjs/peers']) {
      const response = await request(server.port, path)
      expect(response.status).toBeLessThan(500)
      expect(response.headers['x-powered-by']).toBeUndefined()
    }
  })

  it('gives no other origin permission to read its answers (no Access-Control-Allow-Origin)', async () => {
    const headers = { Origin: 'https://attacker.example' }
    const id = await request(server.port, '/peerjs/peerjs/id', { headers })
    // The endpoint still works for the app itself...
    expect(id.status).toBe(200)
    expect(id.body).toMatch(/^[0-9a-f-]{36}$/)
    // ...but not for a page elsewhere.
    expect(id.headers['access-control-allow-origin']).toBeUndefined()
    const preflight = await request(server.port, '/peerjs/peerjs/id', {
      method: 'OPTIONS',
      headers: { ...headers, 'Access-Control-Request-Method': 'GET' },
    })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined()
  })

  it('answers a WebSocket upgrade for any other path by closing it at once', async () => {
    const socket = await rawWebSocket(server.port, '/somewhere-else')
    expect(socket.status).not.toMatch(/ 101 /)
    await socket.ended
  })
})

describe('in the dev server', () => {
  it('leaves upgrades for other paths to their own listener (Vite hot reload)', async () => {
    const app = express()
    const httpServer = http.createServer(app)
    mountConsultServices(app, httpServer, { iceServers: [] })
    /** @type {string[]} */
    const seen = []
    httpServer.on('upgrade', (request, socket) => {
      if (request.url !== '/vite-hmr') return
      seen.push(request.url)
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
    })
    await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(undefined)))
    try {
      const address = /** @type {import('node:net').AddressInfo} */ (httpServer.address())
      const socket = await rawWebSocket(address.port, '/vite-hmr')
      expect(socket.status).toBe('HTTP/1.1 101 Switching Protocols')
      expect(seen).toEqual(['/vite-hmr'])
      socket.destroy()
    } finally {
      httpServer.closeAllConnections()
      await new Promise((resolve) => httpServer.close(() => resolve(undefined)))
    }
  })
})
