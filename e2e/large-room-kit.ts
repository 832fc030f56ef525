// What the large-room tests share: one Janus, the server told about it and two browsers for a test file
// (useLargeRoomSuite); what they read from a page: its JanusTransport's own account (`?debug`), and whether the
// remote video it plays is the presenter's camera, live.
import { type Browser, chromium, type ElementHandle, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import {
  type AppServer,
  CHROMIUM,
  CHROMIUM_ARGS,
  differingPixels,
  isVideoGreen,
  launchChromium,
  type Participant,
  RequestLog,
  type Rgb,
  startAppServer,
} from './harness'
import { type JanusServer, startJanus } from './janus.mjs'
import { joinCall, newParticipant as newBareParticipant } from './real-app.mjs'

/** The receivers' window: small, so that eight pages fit the machine's two cores. */
export const SMALL_WINDOW = { width: 480, height: 360 }

/** An invite link opened with `?debug` (and `extra` parameters): the page logs its connections. */
export function withDebug(invite: string, extra = ''): string {
  const url = new URL(invite)
  url.search = `?debug${extra}`
  return url.href
}

/** Where a test's receive-only participants come from and are listed. */
type ReceiverParts = Pick<LargeRoomSuite, 'cameraless' | 'log' | 'people'>

/** A page of the camera-less browser (refused the camera) in the receivers' window, its requests logged. */
async function cameralessPage(parts: ReceiverParts, key: string): Promise<Participant> {
  const person = await newBareParticipant(parts.cameraless, {
    viewport: SMALL_WINDOW,
    permissions: [],
    prepare: (context) => parts.log.attach(context),
  })
  parts.people[key] = person
  return person
}

/** A receive-only participant joined as `name` through `invite` (with `?debug`), listed in `people` as `key`. */
export async function joinReceiver(
  parts: ReceiverParts,
  invite: string,
  name: string,
  { key = name, view = 'video' }: { key?: string; view?: 'video' | '3d' } = {},
): Promise<Participant> {
  const person = await cameralessPage(parts, key)
  await person.page.goto(withDebug(invite))
  await joinCall(person.page, name, { receiveOnly: true, view })
  return person
}

/**
 * An eavesdropper: the real invite (so the real Janus room id and PIN) with media and message keys derived from
 * another secret (`test-sfu-key-secret`). It presses Join; what it gets is the test's to check.
 */
export async function openIntruder(parts: ReceiverParts, invite: string): Promise<Participant> {
  const intruder = await cameralessPage(parts, 'intruder')
  await intruder.page.goto(withDebug(invite, '&test-sfu-key-secret=not-the-room-secret'))
  await intruder.page.getByTestId('name').fill('Eavesdropper')
  await intruder.page.getByTestId('join').click()
  return intruder
}

/** A large-room test file's parts; `janus`, `server` and the browsers are set once its first hook has run. */
export interface LargeRoomSuite {
  log: RequestLog
  janus: JanusServer
  server: AppServer
  /** With the fake camera and consent. */
  browser: Browser
  /** Without the fake consent UI: its pages are refused the camera and join receive-only. */
  cameraless: Browser
  /** The file's participants by name: each one's `?debug` connection log is printed when a test fails. */
  people: Record<string, Participant>
}

/**
 * A real Janus on loopback, the real server told about it (`JANUS_URLS`) and both browsers, started before the
 * file's tests and stopped after them. `onFailure` adds to what a failed test prints (e.g. Janus's log).
 */
export function useLargeRoomSuite(onFailure?: (suite: LargeRoomSuite) => void): LargeRoomSuite {
  const suite = { log: new RequestLog(), people: {} } as LargeRoomSuite
  beforeAll(async () => {
    suite.janus = await startJanus()
    suite.server = await startAppServer({ JANUS_URLS: suite.janus.url })
    suite.browser = await launchChromium()
    suite.cameraless = await launchCameralessChromium()
  })
  afterAll(async () => {
    await suite.browser?.close()
    await suite.cameraless?.close()
    await suite.server?.stop()
    await suite.janus?.stop()
  })
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return
    for (const [name, person] of Object.entries(suite.people))
      console.log(`--- ${name}\n${person.trace.join('\n')}`)
    onFailure?.(suite)
  })
  return suite
}

export interface TransportInfo {
  serverUrl: string | null
  frames: Record<string, { operation: string; kind: string; passed: number; dropped: Record<string, number> }>
  droppedMessages: number
  inboundVideo: Record<
    string,
    { packetsReceived: number; framesDecoded: number; frameWidth: number; frameHeight: number }
  >
  /** The simulcast layer asked of each seat's video (0 smallest … 2 full; null: none). */
  layers: Record<string, number | null | undefined>
  /** Whether the page's published connection carries a video track. */
  sendingVideo: boolean
  outboundVideo: Array<{ rid: string; framesEncoded: number; frameWidth: number; bytesSent: number }>
  /** Whether the page is connected to Janus now; how often its connection was lost, and its seat taken back. */
  connected: boolean
  losses: number
  rejoins: number
  /** Stale publishers of its own it kicked out of its seat while rejoining. */
  kicks: number
}

/** What the page's JanusTransport says about its server, its encryption and its subscriptions (`?debug`). */
export function transportInfo(page: Page): Promise<TransportInfo> {
  return page.evaluate(() => {
    const call = (window as unknown as { __xrConsultCall?: { debugTransport(): Promise<unknown> } })
      .__xrConsultCall
    return (call?.debugTransport() ?? Promise.resolve({})) as Promise<TransportInfo>
  })
}

/** Frames through this page's transforms: passed and dropped, for one operation and kind. */
export function frameCounts(info: TransportInfo, operation: string, kind: string) {
  let passed = 0
  let dropped = 0
  for (const stats of Object.values(info.frames ?? {})) {
    if (stats.operation !== operation || stats.kind !== kind) continue
    passed += stats.passed
    for (const count of Object.values(stats.dropped)) dropped += count
  }
  return { passed, dropped }
}

/** How many remote videos on the page play (have decoded a frame and are not paused). */
export function playingVideos(page: Page) {
  return page.evaluate(
    () =>
      [...document.querySelectorAll<HTMLVideoElement>('[data-testid="remote-video"]')].filter(
        (video) => video.videoWidth > 0 && !video.paused,
      ).length,
  )
}

/**
 * What a video element shows now, as decoded, drawn into a small canvas in the page (so a check does not depend on
 * where the layout puts the tile in a small window): 32×24 RGBA, or empty while it has no frame to show (a video
 * can know its size before its first frame is ready, and a canvas drawn from it then is black). Runs in the page:
 * pass it to `evaluate`.
 */
export const pixelsOf = (video: HTMLVideoElement): number[] => {
  if (video.readyState < 2 || video.videoWidth === 0) return []
  const canvas = document.createElement('canvas')
  canvas.width = 32
  canvas.height = 24
  const context = canvas.getContext('2d', { willReadFrequently: true })
  context?.drawImage(video, 0, 0, 32, 24)
  return [...(context?.getImageData(0, 0, 32, 24).data ?? [])]
}

/** The pixels of the page's playing remote video (`pixelsOf`), or none while none plays. */
export async function videoPixels(page: Page): Promise<Buffer> {
  const handle = await page.evaluateHandle(
    () =>
      [...document.querySelectorAll<HTMLVideoElement>('[data-testid="remote-video"]')].find(
        (v) => v.videoWidth > 0 && !v.paused,
      ) ?? null,
  )
  const video = handle.asElement() as ElementHandle<HTMLVideoElement> | null
  const data = video ? await video.evaluate(pixelsOf) : []
  await handle.dispose()
  return Buffer.from(data)
}

/**
 * The video `read` returns shows the fake camera's green, and its pixels change: live, not frozen. Its first frame
 * may come a while after it starts playing on a busy machine, so the colour is waited for, not read once.
 */
export async function expectLiveGreen(read: () => Promise<Buffer>) {
  let first: Buffer = Buffer.alloc(0)
  await expect
    .poll(
      async () => {
        first = await read()
        return isVideoGreen(meanOf(first)) ? 'green' : `video colour ${JSON.stringify(meanOf(first))}`
      },
      { timeout: 30_000, interval: 300 },
    )
    .toBe('green')
  await expect
    .poll(async () => differingPixels(first, await read()), { timeout: 15_000, interval: 300 })
    .toBeGreaterThan(20)
}

export function meanOf(pixels: Buffer): Rgb {
  let r = 0
  let g = 0
  let b = 0
  const n = Math.max(1, pixels.length / 4)
  for (let i = 0; i < pixels.length; i += 4) {
    r += pixels[i] ?? 0
    g += pixels[i + 1] ?? 0
    b += pixels[i + 2] ?? 0
  }
  return { r: r / n, g: g / n, b: b / n }
}

/** The page plays one remote video, the fake camera's green, and its pixels change: live, not frozen. */
export async function expectLivePresenter(page: Page) {
  await expect.poll(() => playingVideos(page), { timeout: 60_000 }).toBe(1)
  await expectLiveGreen(() => videoPixels(page))
}

/**
 * A browser whose pages are asked before the camera opens (no fake-UI consent), so a participant can join without
 * camera or microphone: the receive-only path of a large room.
 */
export function launchCameralessChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
    headless: true,
  })
}
