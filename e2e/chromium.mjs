// @ts-check
// Debian's Chromium as the browser tests and the benchmarks start it (plain JS so bench/run.mjs can import it).

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Fake camera and microphone, SwiftShader WebGL, no background networking, no throttling of busy pages. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  // Several pages render at once on two cores: keep background pages running at full rate.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
]
