import { describe, expect, it } from 'vitest'
import { parseServerConfig, peerServerOptions, type ServerConfig } from './server-config'

const config: ServerConfig = {
  peerPath: '/peerjs',
  profilesPath: '/xr-profiles/',
  iceServers: [],
  iceTransportPolicy: 'all',
  janusUrls: [],
}
const turn = { urls: 'turn:turn.example.org:3478', username: 'u', credential: 'p' }

describe('parseServerConfig', () => {
  it('accepts TURN with credentials and the relay policy', () => {
    const body = { ...config, iceServers: [turn], iceTransportPolicy: 'relay' }
    expect(parseServerConfig(body)).toEqual(body)
  })

  it('reads a config without a policy (a server from before the setting) as all', () => {
    const { iceTransportPolicy: _, ...older } = config
    expect(parseServerConfig(older)?.iceTransportPolicy).toBe('all')
  })

  it('reads the Janus servers, none from a server that predates them, and refuses a URL that is not a WebSocket', () => {
    const { janusUrls: _, ...older } = config
    expect(parseServerConfig(older)?.janusUrls).toEqual([])
    expect(parseServerConfig({ ...config, janusUrls: ['wss://janus.example/'] })?.janusUrls).toEqual([
      'wss://janus.example/',
    ])
    expect(parseServerConfig({ ...config, janusUrls: ['https://janus.example/'] })).toBeNull()
  })

  it('refuses a policy RTCPeerConnection does not know, and anything not a config', () => {
    expect(parseServerConfig({ ...config, iceTransportPolicy: 'none' })).toBeNull()
    expect(parseServerConfig({ ...config, iceServers: [{ url: 'turn:x' }] })).toBeNull()
    expect(parseServerConfig(null)).toBeNull()
    expect(parseServerConfig('<html>')).toBeNull()
  })
})

describe('peerServerOptions', () => {
  it('points PeerJS at the page origin, never the public cloud', () => {
    expect(peerServerOptions(config, new URL('http://localhost:8080/#room=x'))).toEqual({
      host: 'localhost',
      port: 8080,
      path: '/peerjs/',
      secure: false,
      config: { iceServers: [], iceTransportPolicy: 'all' },
    })
  })

  it('uses the default port and TLS of an https origin', () => {
    const options = peerServerOptions(config, new URL('https://192.168.1.20/'))
    expect(options).toMatchObject({ host: '192.168.1.20', port: 443, secure: true })
  })

  it('gives RTCPeerConnection the TURN servers and the relay policy', () => {
    const relayOnly: ServerConfig = { ...config, iceServers: [turn], iceTransportPolicy: 'relay' }
    const options = peerServerOptions(relayOnly, new URL('https://consult.example.org/'))
    expect(options.config).toEqual({ iceServers: [turn], iceTransportPolicy: 'relay' })
  })
})
