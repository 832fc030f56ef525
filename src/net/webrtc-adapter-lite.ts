// Stands in for `webrtc-adapter` in the browser build (vite.config.ts aliases it here). PeerJS imports the adapter
// only to read `browserDetails` (which browser and version, for `util.supports`); the real package also rewrites
// RTCPeerConnection for browsers from before about 2020 (callback getStats, Plan B, prefixed getUserMedia), which
// every browser that runs WebXR and this app is past. It costs about 14 KB gzip in every call, so the browser
// build carries only the detection, copied from webrtc-adapter 9's `detectBrowser` (src/js/utils.js) so that
// PeerJS decides exactly as before.

export interface BrowserDetails {
  browser: string | null
  version: number | null
}

interface NavigatorWithBrands {
  userAgent: string
  userAgentData?: { brands?: { brand: string; version: string }[] }
  mozGetUserMedia?: unknown
  webkitGetUserMedia?: unknown
}

const versionIn = (userAgent: string, pattern: RegExp, group: number): number | null => {
  const match = userAgent.match(pattern)
  const value = match ? Number.parseInt(match[group] ?? '', 10) : Number.NaN
  return Number.isNaN(value) ? null : value
}

/** Which browser runs this page, as webrtc-adapter names it: 'chrome', 'firefox', 'safari' or not supported. */
export function detectBrowser(scope: {
  navigator?: NavigatorWithBrands
  isSecureContext?: boolean
  webkitRTCPeerConnection?: unknown
  RTCPeerConnection?: unknown
}): BrowserDetails {
  const { navigator } = scope
  if (!navigator?.userAgent) return { browser: 'Not a browser.', version: null }
  const ua = navigator.userAgent
  // userAgentData arrived in Chromium 90; a Chromium brand below that is not to be believed.
  const chromium = navigator.userAgentData?.brands?.find((brand) => brand.brand === 'Chromium')
  if (chromium && Number.parseInt(chromium.version, 10) >= 90) {
    return { browser: 'chrome', version: Number.parseInt(chromium.version, 10) }
  }
  if (navigator.mozGetUserMedia) return { browser: 'firefox', version: versionIn(ua, /Firefox\/(\d+)\./, 1) }
  if (navigator.webkitGetUserMedia || (scope.isSecureContext === false && scope.webkitRTCPeerConnection)) {
    return { browser: 'chrome', version: versionIn(ua, /Chrom(e|ium)\/(\d+)\./, 2) }
  }
  if (scope.RTCPeerConnection && /AppleWebKit\/(\d+)\./.test(ua)) {
    return { browser: 'safari', version: versionIn(ua, /AppleWebKit\/(\d+)\./, 1) }
  }
  return { browser: 'Not a supported browser.', version: null }
}

const adapter = {
  browserDetails: detectBrowser(
    typeof window === 'undefined' ? {} : (window as unknown as Parameters<typeof detectBrowser>[0]),
  ),
}

export default adapter
