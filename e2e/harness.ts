// Real parts for the browser tests: the real server process on a free port, Debian's Chromium with a fake camera
// and microphone, one browser context per participant, and a log of every request any page makes.
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, expect } from 'vitest'
import type { PanelOnScreen } from '../src/scenes/scene-probe-types'
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs'

export { CHROMIUM, CHROMIUM_ARGS }

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface AppServer {
  url: string
  origin: string
  process: ChildProcess
  stop: () => Promise<void>
}

/** Starts `node server/start.mjs` (what `npm start` runs) on a free port and waits for its URL. */
export function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  const child = spawn(process.execPath, [path.join(root, 'server/start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /running at (\S+)/.exec(output)
      if (!match?.[1]) return
      clearTimeout(timer)
      const url = match[1]
      resolve({
        url,
        origin: new URL(url).origin,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true })
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
  /** Requests to anywhere but `origin` (data:, blob: and similar in-page URLs are not requests). */
  foreign(origin: string): string[] {
    const wsOrigin = origin.replace(/^http/, 'ws')
    return this.urls.filter((url) => {
      if (/^(data|blob|about|chrome|chrome-extension|mediastream):/.test(url)) return false
      return (
        !url.startsWith(`${origin}/`) && !url.startsWith(`${wsOrigin}/`) && url !== origin && url !== wsOrigin
      )
    })
  }
}

export interface Participant {
  context: BrowserContext
  page: Page
  errors: string[]
  /** The page's `[call]` connection log (pages opened with `?debug`), for reading a failure. */
  trace: string[]
}

/**
 * A participant in a context of their own. 1280x720 where a test reads pixels; a smaller window where it only
 * counts panels, since several pages rendering in software on two cores is what slows a test down.
 */
export async function newParticipant(
  browser: Browser,
  log: RequestLog,
  viewport = { width: 1280, height: 720 },
): Promise<Participant> {
  const context = await browser.newContext({ viewport })
  await context.grantPermissions(['camera', 'microphone', 'clipboard-read', 'clipboard-write'])
  log.attach(context)
  const page = await context.newPage()
  const errors: string[] = []
  const trace: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.text().startsWith('[call]'))
      trace.push(`${new Date().toISOString().slice(11, 23)} ${message.text()}`)
  })
  return { context, page, errors, trace }
}

/** Goes through the lobby: start a consultation, read the invite links, continue as `role`. */
export async function startConsultation(page: Page, url: string, role = 'clinician') {
  await page.goto(url)
  await page.getByTestId('start').click()
  const invites: Record<string, string> = {}
  for (const r of ['patient', 'clinician', 'specialist', 'worker']) {
    invites[r] = await page.getByTestId(`invite-${r}`).inputValue()
  }
  await page.getByTestId('own-role').selectOption(role)
  await page.getByTestId('continue').click()
  return invites
}

/** The join screen: name, wait for the camera preview, click Join, wait until in the call. */
export async function joinAs(page: Page, name: string) {
  await page.getByTestId('name').fill(name)
  await page.waitForFunction(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="self-preview"]')
    return video?.srcObject != null || document.querySelector('[data-testid="media-problem"]') != null
  })
  await page.getByTestId('join').click()
  await page.getByTestId('call').waitFor({ timeout: 30_000 })
}

export async function openInvite(participant: Participant, inviteUrl: string, name: string, query = '') {
  const url = new URL(inviteUrl)
  url.search = query
  await participant.page.goto(url.href)
  await joinAs(participant.page, name)
}

export function panels(page: Page): Promise<PanelOnScreen[]> {
  return page.evaluate(() => window.__xrConsult?.panels() ?? [])
}

export async function waitForPanels(page: Page, count: number, timeout = 30_000) {
  try {
    await page.waitForFunction(
      (n) => {
        const list = window.__xrConsult?.panels() ?? []
        return list.length === n && list.every((p) => p.showsVideo)
      },
      count,
      { timeout },
    )
  } catch (error) {
    // Say what the page showed instead, so a failure can be read without rerunning.
    const shown = await panels(page).catch(() => [])
    const list = await page
      .getByTestId('participants')
      .textContent()
      .catch(() => '?')
    throw new Error(
      `expected ${count} panels with video; saw ${JSON.stringify(shown)}; participants: ${list}`,
      {
        cause: error,
      },
    )
  }
  return panels(page)
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

export interface AppSuite {
  server: AppServer
  browser: Browser
  log: RequestLog
}

/**
 * The real server and one Chromium for a test file: started before its tests, stopped after them. `server` and
 * `browser` are set once the file's first hook has run, so read them inside hooks and tests.
 */
export function useAppSuite(): AppSuite {
  const suite = { log: new RequestLog() } as AppSuite
  beforeAll(async () => {
    suite.server = await startAppServer()
    suite.browser = await launchChromium()
  })
  afterAll(async () => {
    await suite.browser?.close()
    await suite.server?.stop()
  })
  return suite
}
