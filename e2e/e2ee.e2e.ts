// End-to-end encryption of the SFU path in real Chromium, no Janus needed (issue 15): the presenter's camera goes
// through src/net/sfu-e2ee.ts's RTCRtpScriptTransform over loopback connections; a receiver with the room's key
// shows live video, one without it receives the packets and decodes not a single frame; a sealed app message opens
// with the key and is refused without it. The page (e2e/e2ee-page) is built by Vite as the app is, the worker
// bundled from our origin, and served by the app's own server with its Content-Security-Policy.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../server/app.mjs'
import type { E2eeProbe } from './e2ee-page/main'
import { launchChromium } from './harness'

const pageRoot = fileURLToPath(new URL('./e2ee-page/', import.meta.url))

let outDir: string
let server: Awaited<ReturnType<typeof startServer>>
let browser: Browser
let page: Page
const requests: string[] = []
const errors: string[] = []

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'e2ee-page-'))
  await build({
    configFile: false,
    root: pageRoot,
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  })
  server = await startServer({ port: 0, host: '127.0.0.1', distDir: outDir })
  browser = await launchChromium()
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] })
  context.on('request', (request) => requests.push(request.url()))
  context.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`)
  })
  page = await context.newPage()
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('console', (message) => {
    // A failed request is reported above with its URL; the console's copy of it says less.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text())
    }
  })
  await page.goto(server.url)
  await page.waitForFunction(() => window.__e2ee !== undefined || window.__e2eeError !== undefined)
  const failure = await page.evaluate(() => window.__e2eeError)
  if (failure) throw new Error(`The check page did not start: ${failure}`)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (outDir) await rm(outDir, { recursive: true, force: true })
})

type Who = 'right' | 'wrong'
// Each reads the page's probe (e2e/e2ee-page/main.ts), set before beforeAll returned.
const inbound = (who: Who) => page.evaluate((w) => (window.__e2ee as E2eeProbe).inbound(w), who)
const presented = (who: Who) => page.evaluate((w) => (window.__e2ee as E2eeProbe).presented(w), who)
const messages = (who: Who) => page.evaluate((w) => (window.__e2ee as E2eeProbe).messages(w), who)
const pixelsChange = (who: Who) => page.evaluate((w) => (window.__e2ee as E2eeProbe).pixelsChange(w), who)
const transformStats = (who: Who | 'sender') =>
  page.evaluate((w) => (window.__e2ee as E2eeProbe).transformStats(w), who)
const replay = (who: Who) => page.evaluate((w) => (window.__e2ee as E2eeProbe).replay(w), who)
const field = <K extends 'support' | 'message'>(key: K) =>
  page.evaluate((k) => (window.__e2ee as E2eeProbe)[k], key)

describe('SFU end-to-end encryption in Chromium', () => {
  it('uses RTCRtpScriptTransform, with the worker from our own origin', async () => {
    expect(await field('support')).toBe('script-transform')
    const worker = requests.filter((url) => /sfu-e2ee-worker.*\.js$/.test(url))
    expect(worker.length).toBeGreaterThan(0)
    for (const url of requests)
      expect(url.startsWith(server.url) || /^(data|blob):/.test(url), url).toBe(true)
  })

  it('shows live video to the receiver with the room key', async () => {
    await expect.poll(() => presented('right')).toBeGreaterThan(10)
    // Live: the fake camera's moving shape and counter change pixels from frame to frame; green-dominant, so this
    // is the camera's picture, not noise.
    await expect
      .poll(() => pixelsChange('right'))
      .toMatchObject({ changed: expect.any(Number), greenDominant: true })
    await expect.poll(async () => (await pixelsChange('right')).changed).toBeGreaterThan(20)
    const stats = await transformStats('right')
    const video = Object.values(stats).find((s) => s.kind === 'video')
    expect(video?.passed).toBeGreaterThan(10)
    expect(video?.dropped).toEqual({})
    // Audio went through the transform too (Opus, its TOC byte in clear) and authenticated.
    await expect
      .poll(async () => {
        const now = await transformStats('right')
        return Object.values(now).find((s) => s.kind === 'audio')?.passed ?? 0
      })
      .toBeGreaterThan(10)
    const audio = Object.values(await transformStats('right')).find((s) => s.kind === 'audio')
    expect(audio?.dropped).toEqual({})
  })

  it('gives the receiver without the key packets but not one decoded frame', async () => {
    // Enough packets to have carried many frames, and key frames among them (the first frame is one).
    await expect.poll(async () => (await inbound('wrong')).packetsReceived).toBeGreaterThan(200)
    await expect.poll(() => presented('right')).toBeGreaterThan(60)
    const wrong = await inbound('wrong')
    expect(wrong.framesDecoded).toBe(0)
    expect(await presented('wrong')).toBe(0)
    // Its worker saw the frames and refused them all: the key, not the network, kept the picture away.
    const stats = await transformStats('wrong')
    for (const transform of Object.values(stats)) {
      expect(transform.passed).toBe(0)
      expect(transform.dropped.unauthentic).toBeGreaterThan(0)
    }
    // The presenter encrypted every frame it sent and dropped none.
    const sender = await transformStats('sender')
    for (const transform of Object.values(sender)) {
      expect(transform.passed).toBeGreaterThan(0)
      expect(transform.dropped).toEqual({})
    }
    // The receiver with the key decoded what the other could not.
    expect((await inbound('right')).framesDecoded).toBeGreaterThan(60)
  })

  it('opens a sealed data-channel message with the key, refuses it without, and refuses a replay', async () => {
    const message = await field('message')
    await expect
      .poll(() => messages('right'))
      .toEqual([{ ok: true, from: 'presenter-session', to: '*', seq: 0, payload: message }])
    await expect.poll(() => messages('wrong')).toEqual([{ ok: false, reason: 'wrong-key' }])
    await replay('right')
    await expect
      .poll(async () => (await messages('right')).at(-1))
      .toEqual({
        ok: false,
        reason: 'replayed',
      })
    expect(errors).toEqual([])
  })
})
