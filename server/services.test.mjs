// @ts-check
import http from 'node:http'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from './app.mjs'
import {
  mountConsultServices,
  parseIceServers,
  parseIceTransportPolicy,
  parseJanusUrls,
} from './services.mjs'

describe('ICE_SERVERS', () => {
  it('defaults to none: no public STUN or TURN is ever assumed', () => {
    expect(parseIceServers(undefined)).toEqual([])
    expect(parseIceServers('  ')).toEqual([])
  })

  it('accepts TURN with credentials', () => {
    const turn = [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'p' }]
    expect(parseIceServers(JSON.stringify(turn))).toEqual(turn)
  })

  it('refuses a malformed setting with a message that says what is wrong', () => {
    expect(() => parseIceServers('turn:x')).toThrow(/not valid JSON/)
    expect(() => parseIceServers('{"urls":"turn:x"}')).toThrow(/JSON array/)
    expect(() => parseIceServers('[{"url":"turn:x"}]')).toThrow(/no "urls"/)
  })
})

describe('ICE_TRANSPORT_POLICY', () => {
  const turn = [{ urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'p' }]

  it('defaults to all: direct paths where they work', () => {
    expect(parseIceTransportPolicy(undefined, [])).toBe('all')
    expect(parseIceTransportPolicy(' ', [])).toBe('all')
    expect(parseIceTransportPolicy('all', turn)).toBe('all')
  })

  it('accepts relay when a TURN server is configured', () => {
    expect(parseIceTransportPolicy('relay', turn)).toBe('relay')
    expect(parseIceTransportPolicy('relay', [{ urls: ['stun:a.example', 'turns:b.example:443'] }])).toBe(
      'relay',
    )
  })

  it('refuses anything else with a message that says what is wrong', () => {
    expect(() => parseIceTransportPolicy('Relay-only', turn)).toThrow(
      /must be "all" or "relay", not "Relay-only"/,
    )
    expect(() => parseIceTransportPolicy('none', turn)).toThrow(/must be "all" or "relay"/)
  })

  it('refuses relay without a TURN server, since no call could connect', () => {
    expect(() => parseIceTransportPolicy('relay', [])).toThrow(/needs a TURN server/)
    expect(() => parseIceTransportPolicy('relay', [{ urls: 'stun:stun.example.org' }])).toThrow(
      /needs a TURN server/,
    )
  })
})

describe('/config.json', () => {
  it('serves the ICE servers and the transport policy the client passes to RTCPeerConnection', async () => {
    const app = express()
    const httpServer = http.createServer(app)
    mountConsultServices(app, httpServer, { iceServers: [], iceTransportPolicy: 'relay' })
    await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(undefined)))
    try {
      const address = /** @type {import('node:net').AddressInfo} */ (httpServer.address())
      const config = await (await fetch(`http://127.0.0.1:${address.port}/config.json`)).json()
      expect(config).toMatchObject({ iceServers: [], iceTransportPolicy: 'relay' })
    } finally {
      await new Promise((resolve) => httpServer.close(() => resolve(undefined)))
    }
  })
})

describe('/health', () => {
  it('answers with nothing, never cached, so the check-in times the network and not a cache', async () => {
    const app = express()
    const httpServer = http.createServer(app)
    mountConsultServices(app, httpServer, { iceServers: [] })
    await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(undefined)))
    try {
      const address = /** @type {import('node:net').AddressInfo} */ (httpServer.address())
      const response = await fetch(`http://127.0.0.1:${address.port}/health`)
      expect(response.status).toBe(204)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.text()).toBe('')
    } finally {
      await new Promise((resolve) => httpServer.close(() => resolve(undefined)))
    }
  })
})

describe('JANUS_URLS', () => {
  it('defaults to none: large rooms are not offered', () => {
    expect(parseJanusUrls(undefined)).toEqual([])
    expect(parseJanusUrls(' , ')).toEqual([])
  })

  it('reads WebSocket URLs, normalised and each once', () => {
    expect(parseJanusUrls('ws://127.0.0.1:8188, wss://janus.example/ws ,ws://127.0.0.1:8188/')).toEqual([
      'ws://127.0.0.1:8188/',
      'wss://janus.example/ws',
    ])
  })

  it('refuses what is not a plain WebSocket URL, saying which', () => {
    expect(() => parseJanusUrls('http://janus.example')).toThrow(/"http:\/\/janus.example"/)
    expect(() => parseJanusUrls('janus.example:8188')).toThrow(/ws:\/\/ or wss:\/\//)
    expect(() => parseJanusUrls('wss://user:pw@janus.example')).toThrow(/password/)
    expect(() => parseJanusUrls('wss://janus.example/?token=x')).toThrow(/query/)
  })

  it('are the only foreign addresses the page may connect to, and /config.json names them', async () => {
    expect(contentSecurityPolicy(['wss://janus.example/'])).toContain(
      "connect-src 'self' data: blob: wss://janus.example/;",
    )
    expect(contentSecurityPolicy()).toContain("connect-src 'self' data: blob:;")
    const server = http.createServer()
    const app = express()
    server.on('request', app)
    mountConsultServices(app, server, { iceServers: [], janusUrls: ['ws://127.0.0.1:8188/'] })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const config = await (await fetch(`http://127.0.0.1:${port}/config.json`)).json()
    await new Promise((resolve) => server.close(() => resolve(undefined)))
    expect(config.janusUrls).toEqual(['ws://127.0.0.1:8188/'])
  })
})
