// Real parts for the browser tests: the real server process on a free port, Debian's Chromium with a fake camera
// and microphone, one browser context per participant, and a log of every request any page makes. The server,
// the browser, participants, the lobby and the panel wait are e2e/real-app.mjs, shared with the benchmarks; this
// file gives them the tests' shape and adds what only tests need (the request log, pixel checks, suite hooks).
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, expect } from 'vitest'
import * as realApp from './real-app.mjs'
import {
  type AppServer,
  CHROMIUM,
  CHROMIUM_ARGS,
  type JoinOptions,
  launchChromium,
  openThreeDView,
  type Participant,
  panels,
  startConsultation,
  waitForPanels,
} from './real-app.mjs'

export type { AppServer, Participant }
export { CHROMIUM, CHROMIUM_ARGS, launchChromium, openThreeDView, panels, startConsultation, waitForPanels }

/** Starts `node server/start.mjs` (what `npm start` runs) on a free port and waits for its URL. */
export function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  return realApp.startAppServer({ env })
}

/**
 * Keeps every text the page's notice area shows, from the page's first script on. Notices go after a few seconds,
 * so a test that polls the area can miss one on a busy machine (its reads come slower than the notice lasts); read
 * what was shown with `noticesSeen`.
 */
export async function recordNotices(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: string[] = []
    Object.assign(window, { __noticesSeen: seen })
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="notices"]')?.textContent ?? ''
      if (text && seen.at(-1) !== text) seen.push(text)
    }).observe(document, { subtree: true, childList: true, characterData: true })
  })
}

/** Every notice text a page recorded by `recordNotices` has shown, one per line, oldest first. */
export function noticesSeen(page: Page): Promise<string> {
  return page.evaluate(() =>
    ((window as unknown as { __noticesSeen?: string[] }).__noticesSeen ?? []).join('\n'),
  )
}

/**
 * Saves a screenshot for people to look at (the screens a change touched). It asserts nothing, so a machine too busy
 * to hand over a frame in time (a VR page rendering two eyes in software beside seven other pages) gets a warning,
 * not a red test: the assertions around it say whether the page works.
 */
export async function keepScreenshot(
  target: Page | Locator,
  file: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  try {
    await target.screenshot({ path: file, timeout: 60_000, ...options })
  } catch (error) {
    console.warn(
      `screenshot ${file} not saved: ${error instanceof Error ? error.message.split('\n')[0] : error}`,
    )
  }
}

/** Every URL any page asked for, including WebSockets, so a test can prove nothing left the origin. */
export class RequestLog {
  readonly urls: string[] = []
  attach(context: BrowserContext) {
    context.on('request', (request) => this.urls.push(request.url()))
    context.on('page', (page) => this.attachPage(page))
    for (const page of context.pages()) this.attachPage(page)
  }
  private attachPage(page: Page) {
    page.on('websocket', (socket) => this.urls.push(socket.url()))
  }
  /**
   * Requests to anywhere but `origin` and the `allowed` URLs (the Janus servers of a large room, each allowed as
   * itself and below it); data:, blob: and similar in-page URLs are not requests.
   */
  foreign(origin: string, allowed: readonly string[] = []): string[] {
    const wsOrigin = origin.replace(/^http/, 'ws')
    const bases = allowed.map((url) => url.replace(/\/$/, ''))
    return this.urls.filter((url) => {
      if (/^(data|blob|about|chrome|chrome-extension|mediastream):/.test(url)) return false
      if (bases.some((base) => url === base || url.startsWith(`${base}/`))) return false
      return (
        !url.startsWith(`${origin}/`) && !url.startsWith(`${wsOrigin}/`) && url !== origin && url !== wsOrigin
      )
    })
  }
}

/**
 * Counts the media a page receives: RTP packets (inbound-rtp `packetsReceived`) on every RTCPeerConnection it
 * makes, sampled every 200 ms while each lives and once more when asked. A `track` event would say only that a
 * media section was negotiated (a camera call is negotiated beside admission and held until it passes), not that
 * anything arrived; a stream that flowed would send packets every few tens of ms.
 */
export async function countIncomingMedia(page: Page) {
  await page.addInitScript(() => {
    const received = new Map<RTCPeerConnection, number>()
    const sample = async () => {
      for (const pc of received.keys()) {
        if (pc.connectionState === 'closed') continue
        // A connection that closes while its stats are read keeps what was counted before.
        const report = await pc.getStats().catch(() => null)
        let packets = 0
        for (const stat of report?.values() ?? []) {
          if (stat.type === 'inbound-rtp') packets += (stat as RTCInboundRtpStreamStats).packetsReceived ?? 0
        }
        received.set(pc, Math.max(received.get(pc) ?? 0, packets))
      }
      return [...received.values()].reduce((total, packets) => total + packets, 0)
    }
    Object.assign(window, { __incoming: { sample, connections: () => received.size } })
    setInterval(() => void sample(), 200)
    const Native = window.RTCPeerConnection
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config)
        received.set(this, 0)
      }
    }
  })
}

type IncomingMedia = { __incoming: { sample: () => Promise<number>; connections: () => number } }

/** RTP packets the page has received so far on all its connections (countIncomingMedia must be installed). */
export function incomingMedia(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as IncomingMedia).__incoming.sample())
}

/** How many RTCPeerConnections the page has made (countIncomingMedia must be installed). */
export function incomingConnections(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as IncomingMedia).__incoming.connections())
}

/**
 * A participant in a context of their own. 1280x720 where a test reads pixels; a smaller window where it only
 * counts panels, since several pages rendering in software on two cores is what slows a test down.
 */
export function newParticipant(
  browser: Browser,
  log: RequestLog,
  viewport = { width: 1280, height: 720 },
  /** Granted to the page's origin; [] in refusingChromium, so that the camera and microphone are refused. */
  permissions = ['camera', 'microphone', 'clipboard-read', 'clipboard-write'],
): Promise<Participant> {
  return realApp.newParticipant(browser, { viewport, permissions, prepare: (context) => log.attach(context) })
}

/**
 * Chromium without the fake consent UI: a camera or microphone prompt is refused, as when a user clicks Block, so a
 * participant there (given no permissions) joins without media; granting them later is allowing them since.
 */
export function refusingChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
    headless: true,
  })
}

/**
 * The join screen: name, wait for the camera preview, click Join, wait until in the call; then the 3D view, unless
 * `options.view` is 'video' (see JoinOptions in e2e/real-app.mjs).
 */
export function joinAs(page: Page, name: string, options?: JoinOptions): Promise<void> {
  return realApp.joinCall(page, name, options)
}

export function openInvite(
  participant: Participant,
  inviteUrl: string,
  name: string,
  query = '',
  options?: JoinOptions,
): Promise<void> {
  return realApp.openInvite(participant.page, inviteUrl, name, query, options)
}

/**
 * The patient agrees that the clinician's browser keeps the record of the call (the record waits for it), and, with
 * `keeper`, waits until that page has the answer, so that what the test shares next is recorded.
 */
export async function agreeToRecord(patient: Page, keeper?: Page): Promise<void> {
  await patient.getByTestId('consent-agree').click({ timeout: 30_000 })
  await keeper?.locator('[data-testid="record-consent"][data-decision="agreed"]').waitFor({ timeout: 30_000 })
}

export interface Rgb {
  r: number
  g: number
  b: number
}

/** Mean colour of a square of `size` CSS pixels around page point (x, y), read from a real screenshot. */
export async function sampleCanvas(
  page: Page,
  x: number,
  y: number,
  size = 12,
): Promise<{ mean: Rgb; raw: Buffer }> {
  const clip = { x: x - size / 2, y: y - size / 2, width: size, height: size }
  const png = PNG.sync.read(await page.screenshot({ clip }))
  let r = 0
  let g = 0
  let b = 0
  const n = png.width * png.height
  for (let i = 0; i < png.data.length; i += 4) {
    r += png.data[i] ?? 0
    g += png.data[i + 1] ?? 0
    b += png.data[i + 2] ?? 0
  }
  return { mean: { r: r / n, g: g / n, b: b / n }, raw: png.data }
}

/** The fake camera draws a green frame: green clearly above red and blue. */
export function isVideoGreen({ r, g, b }: Rgb) {
  return g > 90 && g > r * 1.3 && g > b * 1.3
}

export function differingPixels(a: Buffer, b: Buffer) {
  let count = 0
  for (let i = 0; i < Math.min(a.length, b.length); i += 4) {
    const d =
      Math.abs((a[i] ?? 0) - (b[i] ?? 0)) +
      Math.abs((a[i + 1] ?? 0) - (b[i + 1] ?? 0)) +
      Math.abs((a[i + 2] ?? 0) - (b[i + 2] ?? 0))
    if (d > 30) count++
  }
  return count
}

/** Polls screenshots of the panel until two of them differ: the remote camera is live, not a frozen frame. */
export async function expectLiveVideo(page: Page, panelCount = 1) {
  const [panel] = await waitForPanels(page, panelCount)
  if (!panel) throw new Error('no panel')
  expect(panel.inView).toBe(true)
  const first = await sampleCanvas(page, panel.x, panel.y, 40)
  expect(isVideoGreen(first.mean), `panel colour ${JSON.stringify(first.mean)}`).toBe(true)
  await expect
    .poll(async () => differingPixels(first.raw, (await sampleCanvas(page, panel.x, panel.y, 40)).raw), {
      timeout: 15_000,
      interval: 300,
    })
    .toBeGreaterThan(20)
}

/**
 * The loudest sample so far of the sound `page` plays through an audio element: the first matching `selector` whose
 * stream has sound (and, with `playing`, that is playing). An analyser on that stream measures from the first call
 * on, and is set up again when the element's stream is replaced (a renewed call). -1 while no such element has sound.
 */
export function loudestIn(
  page: Page,
  selector: string,
  options: { playing?: boolean } = {},
): Promise<number> {
  return page.evaluate(
    async ({ selector, playing }) => {
      type Watch = { stream: MediaStream; peak: number }
      const holder = window as unknown as { __loudest?: Record<string, Watch> }
      holder.__loudest ??= {}
      const watches = holder.__loudest
      const audio = [...document.querySelectorAll<HTMLAudioElement>(selector)].find(
        (element) =>
          (element.srcObject as MediaStream | null)?.getAudioTracks().length && !(playing && element.paused),
      )
      const stream = audio?.srcObject as MediaStream | null | undefined
      if (!stream) return -1
      const known = watches[selector]
      if (known?.stream === stream) return known.peak
      const watch: Watch = { stream, peak: 0 }
      watches[selector] = watch
      const context = new AudioContext()
      await context.resume()
      const analyser = context.createAnalyser()
      analyser.fftSize = 1024
      context.createMediaStreamSource(stream).connect(analyser)
      const samples = new Float32Array(analyser.fftSize)
      const timer = setInterval(() => {
        if (watches[selector] !== watch) {
          clearInterval(timer)
          void context.close()
          return
        }
        analyser.getFloatTimeDomainData(samples)
        for (const sample of samples) watch.peak = Math.max(watch.peak, Math.abs(sample))
      }, 20)
      return 0
    },
    { selector, playing: options.playing ?? false },
  )
}

/** The loudest sample so far of `peerId`'s sound on `page` (see loudestIn): their audio element's stream. */
export function loudestFrom(page: Page, peerId: string): Promise<number> {
  return loudestIn(page, `[data-testid="remote-audio"][data-peer="${peerId}"]`)
}

export interface AppSuite {
  server: AppServer
  browser: Browser
  log: RequestLog
  /**
   * A new participant in the suite's browser (its own context), whose page trace is printed after the file's tests,
   * so a failure shows what every page saw.
   */
  participant(viewport?: { width: number; height: number }): Promise<Participant>
}

/**
 * The real server (with `env`'s settings) and one Chromium for a test file: started before its tests, stopped after
 * them. `server` and
 * `browser` are set once the file's first hook has run, so read them inside hooks and tests.
 */
export function useAppSuite(env: Record<string, string> = {}): AppSuite {
  const people: Participant[] = []
  const suite = {
    log: new RequestLog(),
    async participant(viewport = { width: 1000, height: 700 }) {
      const person = await newParticipant(suite.browser, suite.log, viewport)
      people.push(person)
      return person
    },
  } as AppSuite
  beforeAll(async () => {
    suite.server = await startAppServer(env)
    suite.browser = await launchChromium()
  })
  afterAll(async () => {
    for (const person of people) console.log(person.trace.join('\n'))
    await suite.browser?.close()
    await suite.server?.stop()
  })
  return suite
}

/** PHQ-9 answers by LOINC item and answer code: a score of 13 of 27, "moderate" (screening and headset tests). */
export const PHQ9_ANSWERS: ReadonlyArray<[string, string]> = [
  ['44250-9', 'LA6571-9'],
  ['44255-8', 'LA6570-1'],
  ['44259-0', 'LA6570-1'],
  ['44254-1', 'LA6570-1'],
  ['44251-7', 'LA6569-3'],
  ['44258-2', 'LA6569-3'],
  ['44252-5', 'LA6569-3'],
  ['44253-3', 'LA6569-3'],
  ['44260-8', 'LA6568-5'],
]
