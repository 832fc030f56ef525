import { describe, expect, it } from 'vitest'
import { peerServerOptions } from './server-config'

const config = { peerPath: '/peerjs', profilesPath: '/xr-profiles/', iceServers: [] }

describe('peerServerOptions', () => {
  it('points PeerJS at the page origin, never the public cloud', () => {
    expect(peerServerOptions(config, new URL('http://localhost:8080/#room=x'))).toEqual({
      host: 'localhost',
      port: 8080,
      path: '/peerjs/',
      secure: false,
      config: { iceServers: [] },
    })
  })

  it('uses the default port and TLS of an https origin', () => {
    const options = peerServerOptions(config, new URL('https://192.168.1.20/'))
    expect(options).toMatchObject({ host: '192.168.1.20', port: 443, secure: true })
  })
})
