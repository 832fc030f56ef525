// @ts-check
// The real app as the browser tests (e2e/harness.ts) and the benchmarks (bench/common.mjs) both drive it: the
// server process (`node server/start.mjs`, what `npm start` runs) on a free port, Debian's Chromium with a fake
// camera and microphone, one browser context per participant, the lobby (start a consultation, read the invite
// links, join with a name), and the wait for remote video panels. Plain JavaScript so the benchmarks can import it
// without a build step; it runs nothing when imported.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs'

export { CHROMIUM, CHROMIUM_ARGS }

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../src/scenes/scene-probe-types').PanelOnScreen} PanelOnScreen (declares window.__xrConsult) */
/** @typedef {{ width: number, height: number }} Viewport */

/** The repository's root: where `server/start.mjs` is unless a caller runs a copy of the app elsewhere. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The roles an invite can be for, in the order the lobby lists their links. */
export const ROLES = /** @type {const} */ (['patient', 'clinician', 'specialist', 'worker'])

/**
 * Longest wait for the server to say where it runs, ms: `start.mjs` first builds the app when the build is missing
 * or older than its sources, which takes about a minute on two cores.
 */
const SERVER_START_TIMEOUT_MS = 120_000
/**
 * Longest wait for each step of joining (camera preview, the scene mounting, the call screen), ms: software GL on
 * two busy cores takes seconds to mount the scene.
 */
const JOIN_STEP_TIMEOUT_MS = 30_000
/**
 * How often the panel wait looks at the page, ms. Not every frame (Playwright's default): the pages under test
 * render in software on two cores, and a benchmark's measured page should not pay for the wait.
 */
const PANEL_POLL_MS = 100

// ---------------------------------------------------------------------------------------------------------------
// The server

/**
 * @typedef {{
 *   url: string,
 *   origin: string,
 *   process: ChildProcess,
 *   stop: () => Promise<void>,
 * }} AppServer
 */

/**
 * Starts `node server/start.mjs` with PORT=0 (a free port; `env` may set another, or anything else the server
 * reads) and resolves once it prints where it runs. `appDir` is the folder whose `server/start.mjs` runs, and its
 * working directory: the benchmarks run a private copy of server/ and dist/ (there the server finds no sources
 * newer than its build, so it serves that build as it is). A server that does not come up in time is stopped.
 * @param {{ appDir?: string, env?: Record<string, string> }} [options]
 * @returns {Promise<AppServer>}
 */
export function startAppServer({ appDir = root, env = {} } = {}) {
  const child = spawn(process.execPath, [path.join(appDir, 'server/start.mjs')], {
    cwd: appDir,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  /** @type {() => Promise<void>} */
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once('exit', () => done())
      child.kill('SIGTERM')
    })
  let output = ''
  let started = false
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`server did not start within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${output}`))
    }, SERVER_START_TIMEOUT_MS)
    // Both pipes are read for as long as the server runs: a full pipe would block its writes.
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      if (started) return
      output += chunk.toString()
      const url = /XR Consult is running at (\S+)/.exec(output)?.[1]
      if (!url) return
      started = true
      clearTimeout(timer)
      resolve({ url, origin: new URL(url).origin, process: child, stop })
    })
    child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
      if (!started) output += chunk.toString()
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (!started) reject(new Error(`server exited with ${code ?? signal}:\n${output}`))
    })
  })
}

// ---------------------------------------------------------------------------------------------------------------
// The browser and its participants

/** Debian's Chromium, headless, fake camera and microphone, SwiftShader WebGL (e2e/chromium.mjs), plus `extraArgs`. */
export function launchChromium(/** @type {string[]} */ extraArgs = []) {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true })
}

/**
 * @typedef {{
 *   context: BrowserContext,
 *   page: Page,
 *   errors: string[],
 *   trace: string[],
 * }} Participant
 * `errors`: the page's uncaught errors; `trace`: its `[call]` connection log (pages opened with `?debug`), each
 * line with the time it was read, for reading a failure.
 */

/**
 * @typedef {{
 *   viewport?: Viewport,
 *   permissions?: string[],
 *   origin?: string,
 *   prepare?: (context: BrowserContext) => unknown,
 * }} ParticipantOptions
 * `viewport`: CSS pixels, 1280×720 unless given. `permissions`: granted without a prompt (camera and microphone
 * unless given), for `origin` only if given. `prepare`: runs on the new context before its page exists (a request
 * log, init scripts that must run before the app's own).
 */

/**
 * A participant in a browser context of their own: one page, its errors and its connection log collected.
 * @param {Browser} browser @param {ParticipantOptions} [options] @returns {Promise<Participant>}
 */
export async function newParticipant(browser, options = {}) {
  const {
    viewport = { width: 1280, height: 720 },
    permissions = ['camera', 'microphone'],
    origin,
    prepare,
  } = options
  const context = await browser.newContext({ viewport })
  await context.grantPermissions(permissions, origin ? { origin } : undefined)
  await prepare?.(context)
  const page = await context.newPage()
  /** @type {string[]} */
  const errors = []
  /** @type {string[]} */
  const trace = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    // ISO time of day, to the millisecond: when Node read the line (hh:mm:ss.mmm).
    if (message.text().startsWith('[call]'))
      trace.push(`${new Date().toISOString().slice(11, 23)} ${message.text()}`)
  })
  return { context, page, errors, trace }
}

// ---------------------------------------------------------------------------------------------------------------
// The lobby and the join screen

/** `url` with its query replaced by `query` (e.g. '?debug', or '' for none). @param {string} url @param {string} query */
export function withQuery(url, query) {
  const u = new URL(url)
  u.search = query
  return u.href
}

/**
 * Goes through the lobby at `url` (its query, e.g. `?debug`, stays with the page): start a consultation (or, with
 * `kind: 'large'`, a large room through Janus), read every role's invite link, continue as `role` to the join
 * screen.
 * @param {Page} page @param {string} url @param {string} [role] @param {{ kind?: 'consultation' | 'large' }} [options]
 * @returns {Promise<Record<string, string>>} invite URL by role
 */
export async function startConsultation(page, url, role = 'clinician', { kind = 'consultation' } = {}) {
  await page.goto(url)
  if (kind === 'large') {
    // Enabled once the page has read /config.json and found a Janus server there.
    const large = page.getByTestId('room-kind-large')
    await page.waitForFunction(
      () =>
        !(
          /** @type {HTMLInputElement | null} */ (document.querySelector('[data-testid="room-kind-large"]'))
            ?.disabled
        ),
      undefined,
      { timeout: JOIN_STEP_TIMEOUT_MS },
    )
    await large.check()
  }
  await page.getByTestId('start').click()
  /** @type {Record<string, string>} */
  const invites = {}
  for (const r of ROLES) invites[r] = await page.getByTestId(`invite-${r}`).inputValue()
  await page.getByTestId('own-role').selectOption(role)
  await page.getByTestId('continue').click()
  return invites
}

/**
 * @typedef {{ receiveOnly?: boolean, requireMedia?: boolean, settle?: boolean, view?: 'video' | '3d' }} JoinOptions
 * `receiveOnly`: join through "Join without camera or microphone" (the page must have been refused them).
 * `requireMedia`: fail when the camera preview reports a problem instead of joining without it.
 * `settle`: before Join, wait until the join screen has mounted the hidden call screen behind it and the page has
 * nothing more to load, as by the time a person has read the screen and typed a name: a benchmark's clock then
 * starts at a click a person could make.
 * `view`: the layout to be in once joined. '3d' (the default here) clicks "3D view": most tests and benchmarks
 * look at the 3D scene (panels, the miniature, XR) through the scene probe. 'video' stays in the video layout a
 * person lands in (e2e/layout.e2e.ts tests it).
 */

/**
 * The join screen up to the Join button: the name filled in and the camera preview showing (or the media
 * problem it reports, or, receive-only, the note that the page joins without media).
 * @param {Page} page @param {string} name @param {JoinOptions} [options]
 */
export async function fillJoinForm(
  page,
  name,
  { receiveOnly = false, requireMedia = false, settle = false } = {},
) {
  if (receiveOnly) {
    await page.getByTestId('receive-only').click({ timeout: JOIN_STEP_TIMEOUT_MS })
    await page.getByTestId('receive-only-note').waitFor()
    await page.getByTestId('name').fill(name)
  } else {
    await page.getByTestId('name').fill(name)
    await page.waitForFunction(
      () => {
        const video = document.querySelector('[data-testid="self-preview"]')
        return (
          (video instanceof HTMLVideoElement && video.srcObject != null) ||
          document.querySelector('[data-testid="media-problem"]') != null
        )
      },
      undefined,
      { timeout: JOIN_STEP_TIMEOUT_MS },
    )
    if (requireMedia && (await page.getByTestId('media-problem').count()) > 0) {
      throw new Error(`camera preview failed: ${await page.getByTestId('media-problem').textContent()}`)
    }
  }
  if (settle) {
    await page.getByTestId('call-warming').waitFor({ state: 'attached', timeout: JOIN_STEP_TIMEOUT_MS })
    await page.waitForLoadState('networkidle', { timeout: JOIN_STEP_TIMEOUT_MS })
  }
}

/** The join screen: name, preview, Join, and the wait until the page is in the call. @param {Page} page @param {string} name @param {JoinOptions} [options] */
export async function joinCall(page, name, options) {
  await fillJoinForm(page, name, options)
  await page.getByTestId('join').click()
  await page.getByTestId('call').waitFor({ timeout: JOIN_STEP_TIMEOUT_MS })
  if ((options?.view ?? '3d') === '3d') await openThreeDView(page)
}

/** Switches the call screen to the 3D view (if it is not there already). @param {Page} page */
export async function openThreeDView(page) {
  const toggle = page.getByTestId('view-3d')
  if ((await toggle.getAttribute('aria-pressed', { timeout: JOIN_STEP_TIMEOUT_MS })) !== 'true')
    await toggle.click()
  await page.locator('[data-testid="call"][data-view="3d"]').waitFor({ timeout: JOIN_STEP_TIMEOUT_MS })
}

/**
 * Opens an invite link with `query` instead of the link's own (e.g. '?debug') and joins as `name`.
 * @param {Page} page @param {string} inviteUrl @param {string} name @param {string} [query] @param {JoinOptions} [options]
 */
export async function openInvite(page, inviteUrl, name, query = '', options) {
  await page.goto(withQuery(inviteUrl, query))
  await joinCall(page, name, options)
}

// ---------------------------------------------------------------------------------------------------------------
// Remote panels

/** The remote video panels the page's scene shows (the scene probe, src/scenes/scene-probe.tsx). @param {Page} page */
export function panels(page) {
  return page.evaluate(() => window.__xrConsult?.panels() ?? [])
}

/**
 * Waits until the page shows exactly `count` remote panels, every one with video, and returns them. On timeout
 * it says what the page showed instead (panels, participant list), so a failure can be read without a rerun.
 * @param {Page} page @param {number} count @param {number} [timeout] ms
 * @returns {Promise<PanelOnScreen[]>}
 */
export async function waitForPanels(page, count, timeout = 30_000) {
  try {
    await page.waitForFunction(
      (n) => {
        const list = window.__xrConsult?.panels() ?? []
        return list.length === n && list.every((p) => p.showsVideo)
      },
      count,
      { timeout, polling: PANEL_POLL_MS },
    )
  } catch (error) {
    const shown = await panels(page).catch(() => [])
    const list = await page
      .getByTestId('participants')
      .textContent({ timeout: 1000 })
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

// ---------------------------------------------------------------------------------------------------------------
// A hostile participant

/**
 * Issue 17's in-limit flood, prepared: a `?debug` page signs `count` ops messages of 50 chats of 1.9 KB each with
 * its own key, in its own name (`sender`), as a modified client could, and keeps them as `window.__batches` (JSON
 * strings) for `debugSendRaw`. Signed ahead of sending: signing keeps the sender busy, which is not the victim's cost.
 * @param {Page} page @param {number} count @param {{ name: string, role: string }} sender
 */
export function signChatFlood(page, count, sender) {
  return page.evaluate(
    async ([n, name, role]) => {
      const w = /** @type {any} */ (window)
      const call = w.__xrConsultCall
      const text = 'x'.repeat(1900)
      const batches = []
      for (let b = 0; b < Number(n); b++) {
        // A batch's 50 signatures at once: WebCrypto signs off the main thread, so awaiting them one by one left
        // the page waiting on 22,500 round trips (over 100 s on a loaded two-core machine, past the test's time).
        const ops = []
        for (let i = 0; i < 50; i++) {
          ops.push({
            kind: 'chat',
            id: call.nextOpId(),
            author: call.session(),
            at: Date.now(),
            name,
            role,
            text,
          })
        }
        const items = await Promise.all(ops.map((op) => call.debugSign(op)))
        batches.push(JSON.stringify({ type: 'ops', items }))
      }
      w.__batches = batches
    },
    [count, sender.name, sender.role],
  )
}
