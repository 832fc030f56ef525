// @ts-check
import { describe, expect, it } from 'vitest'
import { parseIceServers } from './services.mjs'

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
