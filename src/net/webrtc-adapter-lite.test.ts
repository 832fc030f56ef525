import { describe, expect, it } from 'vitest'
import { detectBrowser } from './webrtc-adapter-lite'

const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'
const SAFARI_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15'
const QUEST_UA =
  'Mozilla/5.0 (X11; Linux x86_64; Quest 3) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/37.0 Chrome/134.0.0.0 VR Safari/537.36'

describe('detectBrowser (what PeerJS reads from webrtc-adapter)', () => {
  it('names Chromium browsers, the Quest browser included, by their Chromium brand', () => {
    const brands = [{ brand: 'Chromium', version: '134' }]
    expect(detectBrowser({ navigator: { userAgent: QUEST_UA, userAgentData: { brands } } })).toEqual({
      browser: 'chrome',
      version: 134,
    })
  })
  it('falls back to the user agent where there is no brand list', () => {
    expect(detectBrowser({ navigator: { userAgent: CHROME_UA, webkitGetUserMedia: () => {} } })).toEqual({
      browser: 'chrome',
      version: 156,
    })
    expect(detectBrowser({ navigator: { userAgent: FIREFOX_UA, mozGetUserMedia: () => {} } })).toEqual({
      browser: 'firefox',
      version: 140,
    })
    expect(detectBrowser({ navigator: { userAgent: SAFARI_UA }, RTCPeerConnection: class {} })).toEqual({
      browser: 'safari',
      version: 605,
    })
  })
  it('calls anything else unsupported, as the adapter did', () => {
    expect(detectBrowser({ navigator: { userAgent: 'curl/8' } }).browser).toBe('Not a supported browser.')
    expect(detectBrowser({}).browser).toBe('Not a browser.')
  })
})
