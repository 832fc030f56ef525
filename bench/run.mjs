// @ts-check
// `npm run bench` (after `npm run build`): measures the issue's three numbers against a baseline measured in the
// same run and on the same machine, prints a table and writes BENCHMARKS.md.
//   1. Join click → first remote video frame drawn on a 3D panel, against a raw RTCPeerConnection pair.
//   2. JavaScript a page loads (gzip), against three.js alone.
//   3. Frames per second of the call scene with one remote panel, against the same page with an empty scene.
// Software GL on two cores says nothing absolute about a headset: the ratios are the point.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../src/scenes/scene-probe-types').SceneProbe} SceneProbe (declares window.__xrConsult) */
/** @typedef {{ width: number, height: number }} Viewport */
/** @typedef {{ median: number, min: number, max: number, samples: number[] }} Stats */
/** @typedef {{ file: string, raw: number, gzip: number }} SizedFile */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const distDir = path.join(root, 'dist')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Same flags as e2e/harness.ts: fake camera and microphone, SwiftShader WebGL, no throttling of busy pages. */
const CHROMIUM_ARGS = [
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
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
]

/** Join latency runs: at least 5 for a median that one slow run cannot move. */
const JOIN_RUNS = 7
/** Repeats of each frame-rate condition; the median is reported. */
const FPS_REPEATS = 3
/** Frame-rate window, ms: long enough that a single late frame changes the result by under 1 %. */
const FPS_WINDOW_MS = 5000
/** Settling time before a frame-rate window, ms: WebRTC adapts the video from 320x240 up in the first seconds. */
const FPS_WARMUP_MS = 2000
/** How long the staying page may take to drop a participant whose browser context closed, ms. */
const DROP_TIMEOUT_MS = 30_000
const LARGE = { width: 1280, height: 720 }
/** The remote participant in the frame-rate test: small, so the comparison is about the measured page. */
const SMALL = { width: 640, height: 360 }
const TARGET_JOIN_MS = 1000
/** 450 KB, with KB = 1000 bytes (as Vite reports sizes). */
const TARGET_JS_BYTES = 450_000

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

/** @param {number[]} values */
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, samples: values }
}

/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`
/** @param {number} ms */
const msText = (ms) => `${Math.round(ms)} ms`
/** @param {number} value */
const fixed1 = (value) => value.toFixed(1)

/** @param {string} file @param {string[]} args */
function commandOutput(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return '?'
  }
}

/** Other Chromium processes already running: another test run on a two-core machine skews every number. */
function otherChromiumProcesses() {
  let count = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (/chrom/i.test(readFileSync(`/proc/${entry}/comm`, 'utf8'))) count++
    } catch {
      // the process ended while we looked
    }
  }
  return count
}

function machine() {
  const cpus = os.cpus()
  return {
    date: commandOutput('date', ['-u']),
    cpu: cpus[0]?.model ?? '?',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    chromium: commandOutput(CHROMIUM, ['--version']),
    commit: commandOutput('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    dirty: commandOutput('git', ['-C', root, 'status', '--porcelain']) !== '',
    loadBefore: os.loadavg()[0] ?? NaN,
    chromiumBefore: otherChromiumProcesses(),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Sizes (from dist/, read once at the start so that a rebuild during the run cannot mix two builds)

/** @param {Buffer | string} content */
const gzipSize = (content) => gzipSync(content, { level: 9 }).length

function snapshotDist() {
  const indexHtml = readFileSync(path.join(distDir, 'index.html'), 'utf8')
  /** @type {Map<string, SizedFile>} */
  const files = new Map()
  for (const name of readdirSync(path.join(distDir, 'assets'))) {
    if (!name.endsWith('.js')) continue
    const content = readFileSync(path.join(distDir, 'assets', name))
    files.set(`/assets/${name}`, { file: `assets/${name}`, raw: content.length, gzip: gzipSize(content) })
  }
  // React's development JSX records absolute source paths (jsxDEV): a build made with NODE_ENV=test or
  // development, which is bigger and slower than what users get.
  const developmentBuild = [...files.keys()].some((url) =>
    readFileSync(path.join(distDir, url), 'utf8').includes('jsxDEV'),
  )
  return { indexHtml, files, developmentBuild }
}

/** @param {string} tag @param {string} name */
function attribute(tag, name) {
  return new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1] ?? null
}

/** The lobby's initial JavaScript: index.html's module entry script and its modulepreload links. */
function initialScripts(/** @type {string} */ indexHtml) {
  const urls = []
  for (const [tag] of indexHtml.matchAll(/<script\b[^>]*>/gi)) {
    const src = attribute(tag, 'src')
    if (src && attribute(tag, 'type') === 'module') urls.push(src)
  }
  for (const [tag] of indexHtml.matchAll(/<link\b[^>]*>/gi)) {
    const href = attribute(tag, 'href')
    if (href && attribute(tag, 'rel') === 'modulepreload') urls.push(href)
  }
  return urls
}

/**
 * Chunks only the WebXR emulator needs: reachable through import()/from from an `emulate-*` chunk but not from
 * the entry when emulate-* is not followed. The call without `?emulate` should never load them.
 * @param {Map<string, SizedFile>} files
 * @param {string[]} entry
 */
function emulatorOnlyChunks(files, entry) {
  /** @param {string} url */
  const importsOf = (url) => {
    const text = readFileSync(path.join(distDir, url), 'utf8')
    return [...text.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)].map((m) => `/assets/${m[1]}`)
  }
  /** @param {string[]} start @param {(url: string) => boolean} follow */
  const reach = (start, follow) => {
    const seen = new Set(start)
    const queue = [...start]
    for (let url = queue.pop(); url !== undefined; url = queue.pop()) {
      for (const next of importsOf(url)) {
        if (!seen.has(next) && files.has(next) && follow(next)) {
          seen.add(next)
          queue.push(next)
        }
      }
    }
    return seen
  }
  const isEmulator = (/** @type {string} */ url) => /\/emulate-[\w-]+\.js$/.test(url)
  const app = reach(entry, (url) => !isEmulator(url))
  const emulator = reach([...files.keys()].filter(isEmulator), () => true)
  return new Set([...emulator].filter((url) => !app.has(url)))
}

/** The floor for any three.js app: three's own build, minified by the minifier Vite uses, gzip -9. */
async function threeFloor() {
  const buildDir = path.join(root, 'node_modules/three/build')
  const minified = ['three.module.min.js', 'three.core.min.js'].filter((f) =>
    existsSync(path.join(buildDir, f)),
  )
  if (minified.length > 0) {
    const parts = minified.map((f) => ({ file: f, gzip: gzipSize(readFileSync(path.join(buildDir, f))) }))
    return { parts, how: 'the minified files three ships' }
  }
  // three 0.187 ships no .min.js files: minify three.module.js and three.core.js with oxc (rolldown's
  // minifier, the one Vite 8 builds with), each file on its own as three's .min.js builds would be.
  const { minifySync } = await import('rolldown/utils')
  const parts = ['three.module.js', 'three.core.js']
    .filter((f) => existsSync(path.join(buildDir, f)))
    .map((f) => {
      const result = minifySync(f, readFileSync(path.join(buildDir, f), 'utf8'), {
        module: true,
        compress: true,
        mangle: true,
      })
      if (result.errors.length > 0) throw new Error(`minifying ${f} failed: ${result.errors[0]?.message}`)
      return { file: `${f} (minified)`, gzip: gzipSize(result.code) }
    })
  return {
    parts,
    how: 'three ships no .min.js files, so its two build files were minified with oxc (rolldown)',
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The app: server, browser, participants

/** `node server/start.mjs` (what `npm start` runs) on a free port; resolves once it prints its URL. */
function startAppServer() {
  const child = spawn(process.execPath, [path.join(root, 'server/start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const stop = () =>
    /** @type {Promise<void>} */ (
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
      })
    )
  /** @type {Promise<{ url: string, origin: string, stop: () => Promise<void> }>} */
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000)
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      output += chunk.toString()
      const url = /XR Consult is running at (\S+)/.exec(output)?.[1]
      if (!url) return
      clearTimeout(timer)
      resolve({ url, origin: new URL(url).origin, stop })
    })
    child.stderr.on('data', (/** @type {Buffer} */ chunk) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${output}`))
    })
  })
  return { started, stop }
}

/** @param {string} url */
function renderAlways(url) {
  const u = new URL(url)
  u.search = '?render=always'
  return u.href
}

/**
 * A participant in a browser context of their own.
 * @param {Browser} browser @param {string} origin @param {Viewport} viewport
 */
async function newParticipant(browser, origin, viewport) {
  const context = await browser.newContext({ viewport })
  await context.grantPermissions(['camera', 'microphone'], { origin })
  const page = await context.newPage()
  /** @type {string[]} */
  const errors = []
  page.on('pageerror', (error) => errors.push(error.message))
  return { context, page, errors }
}

/** The join screen up to the Join button: name filled in, camera preview showing. @param {Page} page */
async function fillJoinForm(page, /** @type {string} */ name) {
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
    { timeout: 30_000 },
  )
  if ((await page.getByTestId('media-problem').count()) > 0) {
    throw new Error(`camera preview failed: ${await page.getByTestId('media-problem').textContent()}`)
  }
}

/** @param {Page} page @param {string} name */
async function joinCall(page, name) {
  await fillJoinForm(page, name)
  await page.getByTestId('join').click()
  await page.getByTestId('call').waitFor({ timeout: 30_000 })
}

/** Remote panels on the page, and how many of them show video. @param {Page} page */
function panelState(page) {
  return page.evaluate(() => {
    const panels = window.__xrConsult?.panels() ?? []
    return { count: panels.length, withVideo: panels.filter((p) => p.showsVideo).length }
  })
}

/** @param {Page} page @param {number} count @param {number} timeout */
async function waitForPanels(page, count, timeout) {
  await page
    .waitForFunction(
      (n) => {
        const panels = window.__xrConsult?.panels() ?? []
        return panels.length === n && panels.every((p) => p.showsVideo)
      },
      count,
      { timeout, polling: 100 },
    )
    .catch(async (error) => {
      throw new Error(`expected ${count} panels with video, saw ${JSON.stringify(await panelState(page))}`, {
        cause: error,
      })
    })
}

/** Frames the page's scene rendered per second over `windowMs`, timed by the page's own clock. @param {Page} page */
function frameCounter(page) {
  return page.evaluate(() => ({ frames: window.__xrConsult?.frames ?? NaN, at: performance.now() }))
}

/** @param {Page[]} pages @param {number} windowMs */
async function measureFps(pages, windowMs) {
  const start = await Promise.all(pages.map(frameCounter))
  await sleep(windowMs)
  const end = await Promise.all(pages.map(frameCounter))
  return pages.map((_, i) => {
    const a = start[i]
    const b = end[i]
    if (!a || !b || !Number.isFinite(a.frames) || !Number.isFinite(b.frames))
      throw new Error('no scene probe')
    return ((b.frames - a.frames) * 1000) / (b.at - a.at)
  })
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Baseline: two RTCPeerConnections in one page, fake camera track, to the remote <video>'s first frame

/**
 * Runs in the browser. Offer and answer are handed over directly, ICE candidates too (queued until the other
 * side has a remote description), no ICE servers: loopback, no signalling server, no 3D scene.
 */
async function rawPeerConnectionPair() {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true })
  const t0 = performance.now()
  const sender = new RTCPeerConnection({ iceServers: [] })
  const receiver = new RTCPeerConnection({ iceServers: [] })
  /** @param {RTCPeerConnection} from @param {RTCPeerConnection} to */
  const forwardCandidates = (from, to) => {
    /** @type {RTCIceCandidate[]} */
    const pending = []
    from.onicecandidate = (event) => {
      if (!event.candidate) return
      if (to.remoteDescription) void to.addIceCandidate(event.candidate)
      else pending.push(event.candidate)
    }
    return () => {
      for (const candidate of pending.splice(0)) void to.addIceCandidate(candidate)
    }
  }
  const flushToReceiver = forwardCandidates(sender, receiver)
  const flushToSender = forwardCandidates(receiver, sender)
  const video = document.createElement('video')
  video.muted = true
  video.autoplay = true
  video.playsInline = true
  video.width = 320
  video.height = 240
  document.body.append(video)
  /** @type {Promise<number>} */
  const firstFrame = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no remote video frame within 30 s')), 30_000)
    receiver.ontrack = (event) => {
      video.srcObject = event.streams[0] ?? new MediaStream([event.track])
      video.requestVideoFrameCallback(() => resolve(performance.now()))
      video.play().catch(() => undefined)
    }
  })
  for (const track of stream.getVideoTracks()) sender.addTrack(track, stream)
  const offer = await sender.createOffer()
  await sender.setLocalDescription(offer)
  await receiver.setRemoteDescription(offer)
  flushToReceiver()
  const answer = await receiver.createAnswer()
  await receiver.setLocalDescription(answer)
  await sender.setRemoteDescription(answer)
  flushToSender()
  const t1 = await firstFrame
  sender.close()
  receiver.close()
  for (const track of stream.getTracks()) track.stop()
  return t1 - t0
}

/** @param {BrowserContext} context @param {string} origin */
async function baselineSample(context, origin) {
  const page = await context.newPage()
  try {
    // A blank page on the app's origin (a secure context, camera permission granted), not the app.
    const blank = `${origin}/__bench-blank`
    await page.route(blank, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>WebRTC baseline</title><body>',
      }),
    )
    await page.goto(blank)
    return await page.evaluate(rawPeerConnectionPair)
  } finally {
    await page.close()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run

async function main() {
  const info = machine()
  if (info.chromiumBefore > 0) {
    console.warn(
      `warning: ${info.chromiumBefore} Chromium processes were already running; numbers will be skewed`,
    )
  }
  const server = startAppServer()
  /** @type {Browser | undefined} */
  let browser
  try {
    const app = await server.started
    // After the server started: it rebuilds first when src/ is newer than dist/.
    const dist = snapshotDist()
    if (dist.developmentBuild) {
      console.warn(
        'warning: dist/ is a development build (jsxDEV); sizes and frame rates are not production ones',
      )
    }
    const lobbyUrls = initialScripts(dist.indexHtml)
    const lobbyFiles = lobbyUrls.map((url) => {
      const file = dist.files.get(url)
      if (!file) throw new Error(`${url} from dist/index.html is not in dist/`)
      return file
    })
    const emulatorOnly = emulatorOnlyChunks(dist.files, lobbyUrls)
    const three = await threeFloor()

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
    const chromiumVersion = browser.version()

    // The staying participant: clinician, alone in a fresh room, rendering every frame at 1280x720.
    const host = await newParticipant(browser, app.origin, LARGE)
    await host.page.goto(`${app.url.replace(/\/$/, '')}/?render=always`)
    await host.page.getByTestId('start').click()
    const patientInvite = await host.page.getByTestId('invite-patient').inputValue()
    await host.page.getByTestId('own-role').selectOption('clinician')
    await host.page.getByTestId('continue').click()
    await joinCall(host.page, 'Bench Clinician')
    await host.page.waitForFunction(() => window.__xrConsult?.surroundings() === 'grid', undefined, {
      timeout: 30_000,
    })

    /** @type {number[]} ms the host took to drop a participant whose context closed */
    const dropTimes = []
    /** @param {BrowserContext} context */
    const leaveAndWait = async (context) => {
      const closedAt = Date.now()
      await context.close()
      await waitForPanels(host.page, 0, DROP_TIMEOUT_MS)
      dropTimes.push(Date.now() - closedAt)
    }

    // 3. Frame rate, the two conditions interleaved so that drift (heat, other load) hits both alike.
    /** @type {number[]} */
    const emptyFps = []
    /** @type {number[]} */
    const panelFps = []
    /** @type {number[]} */
    const remoteFps = []
    for (let i = 0; i < FPS_REPEATS; i++) {
      await waitForPanels(host.page, 0, DROP_TIMEOUT_MS)
      await sleep(FPS_WARMUP_MS)
      const [empty] = await measureFps([host.page], FPS_WINDOW_MS)
      if ((await panelState(host.page)).count !== 0) throw new Error('the empty scene got a panel')
      emptyFps.push(empty ?? NaN)

      const guest = await newParticipant(browser, app.origin, SMALL)
      await guest.page.goto(renderAlways(patientInvite))
      await joinCall(guest.page, `Bench Patient ${i + 1}`)
      await waitForPanels(host.page, 1, 60_000)
      await sleep(FPS_WARMUP_MS)
      const [withPanel, remote] = await measureFps([host.page, guest.page], FPS_WINDOW_MS)
      const after = await panelState(host.page)
      if (after.count !== 1 || after.withVideo !== 1) throw new Error(`panel lost: ${JSON.stringify(after)}`)
      panelFps.push(withPanel ?? NaN)
      remoteFps.push(remote ?? NaN)
      if (guest.errors.length > 0) console.warn(`guest page errors: ${guest.errors.join('; ')}`)
      await leaveAndWait(guest.context)
      console.log(
        `fps run ${i + 1}/${FPS_REPEATS}: empty ${fixed1(empty ?? NaN)}, one panel ${fixed1(withPanel ?? NaN)}`,
      )
    }

    // 1. Join latency, each run with a fresh context: baseline pair first, then the app's join.
    /** @type {number[]} */
    const joinMs = []
    /** @type {number[]} */
    const baselineMs = []
    /** @type {Set<string> | undefined} JS the first joining page loaded up to its first remote video frame */
    let callScripts
    /** @type {Set<string>} JS loaded later, while the page stayed in the call */
    const laterScripts = new Set()
    for (let i = 0; i < JOIN_RUNS; i++) {
      await waitForPanels(host.page, 0, DROP_TIMEOUT_MS)
      const guest = await newParticipant(browser, app.origin, LARGE)
      baselineMs.push(await baselineSample(guest.context, app.origin))
      /** @type {Set<string>} */
      const scripts = new Set()
      guest.context.on('response', (response) => {
        const url = new URL(response.url())
        if (url.origin === app.origin && url.pathname.endsWith('.js')) scripts.add(url.pathname)
      })
      await guest.page.goto(renderAlways(patientInvite))
      await fillJoinForm(guest.page, `Bench Patient J${i + 1}`)
      // Clock and click in one evaluate: no round trip to Node between them.
      const t0 = await guest.page.evaluate(() => {
        const button = document.querySelector('[data-testid="join"]')
        if (!(button instanceof HTMLButtonElement)) throw new Error('no join button')
        const t = performance.now()
        button.click()
        return t
      })
      await guest.page.waitForFunction(() => window.__xrConsult?.firstVideoFrameAt != null, undefined, {
        timeout: 60_000,
        polling: 100,
      })
      const firstFrameAt = await guest.page.evaluate(() => window.__xrConsult?.firstVideoFrameAt ?? NaN)
      joinMs.push(firstFrameAt - t0)
      if (!callScripts) {
        callScripts = new Set(scripts)
        await waitForPanels(host.page, 1, 60_000)
        for (const url of scripts) if (!callScripts.has(url)) laterScripts.add(url)
      }
      if (guest.errors.length > 0) console.warn(`guest page errors: ${guest.errors.join('; ')}`)
      console.log(
        `join run ${i + 1}/${JOIN_RUNS}: app ${msText(joinMs.at(-1) ?? NaN)}, raw pair ${msText(baselineMs.at(-1) ?? NaN)}`,
      )
      await leaveAndWait(guest.context)
    }
    if (host.errors.length > 0) console.warn(`host page errors: ${host.errors.join('; ')}`)

    // 2b. The call's JavaScript, as loaded by a real page.
    const loaded = [...(callScripts ?? [])].sort().map((url) => {
      const file = dist.files.get(url)
      if (!file) throw new Error(`the page loaded ${url}, which is not in the dist/ read at the start`)
      return { url, ...file, emulator: emulatorOnly.has(url) }
    })
    const distChanged = readFileSync(path.join(distDir, 'index.html'), 'utf8') !== dist.indexHtml

    const results = {
      info: { ...info, chromiumPlaywright: chromiumVersion, loadAfter: os.loadavg()[0] ?? NaN },
      join: stats(joinMs),
      baseline: stats(baselineMs),
      lobbyFiles,
      callFiles: loaded,
      laterScripts: [...laterScripts],
      three,
      emptyFps: stats(emptyFps),
      panelFps: stats(panelFps),
      remoteFps: stats(remoteFps),
      drop: stats(dropTimes),
      developmentBuild: dist.developmentBuild,
      distChanged,
      hostErrors: host.errors,
    }
    const report = render(results)
    console.log(`\n${report.table}`)
    writeFileSync(path.join(root, 'BENCHMARKS.md'), report.markdown)
    console.log('\nwrote BENCHMARKS.md')
  } finally {
    await browser?.close().catch(() => undefined)
    await server.stop()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

/**
 * @param {{
 *   info: ReturnType<typeof machine> & { chromiumPlaywright: string, loadAfter: number },
 *   join: Stats, baseline: Stats, lobbyFiles: SizedFile[],
 *   callFiles: (SizedFile & { url: string, emulator: boolean })[], laterScripts: string[],
 *   three: Awaited<ReturnType<typeof threeFloor>>,
 *   emptyFps: Stats, panelFps: Stats, remoteFps: Stats, drop: Stats,
 *   developmentBuild: boolean, distChanged: boolean, hostErrors: string[],
 * }} r
 */
function render(r) {
  const sum = (/** @type {{ gzip: number }[]} */ files) => files.reduce((total, f) => total + f.gzip, 0)
  const lobbyGzip = sum(r.lobbyFiles)
  const callApp = r.callFiles.filter((f) => !f.emulator)
  const callGzip = sum(callApp)
  const font = callApp.filter((f) => /\/inter-[\w-]+\.js$/.test(f.url))
  const threeGzip = sum(r.three.parts)
  const verdict = (/** @type {boolean} */ ok) => (ok ? 'meets target' : 'MISSES target')
  const samples = (/** @type {number[]} */ values) => values.map((v) => Math.round(v)).join(', ')
  const fpsSamples = (/** @type {number[]} */ values) => values.map(fixed1).join(', ')

  const rows = [
    ['Measurement', 'Result', 'Baseline (same run)', 'Ratio', 'Target'],
    [
      'Join click → first remote video frame on panel (median)',
      `${msText(r.join.median)} (${msText(r.join.min)}–${msText(r.join.max)})`,
      `raw RTCPeerConnection pair: ${msText(r.baseline.median)} (${msText(r.baseline.min)}–${msText(r.baseline.max)})`,
      `${fixed1(r.join.median / r.baseline.median)}×`,
      `≤ ${msText(TARGET_JOIN_MS)}: ${verdict(r.join.median <= TARGET_JOIN_MS)}`,
    ],
    [
      'Lobby initial JS, gzip',
      kb(lobbyGzip),
      `three alone: ${kb(threeGzip)}`,
      `${fixed1(lobbyGzip / threeGzip)}×`,
      `≤ ${kb(TARGET_JS_BYTES)}: ${verdict(lobbyGzip <= TARGET_JS_BYTES)}`,
    ],
    [
      'JS loaded for a whole call (no emulator), gzip',
      kb(callGzip),
      `three alone: ${kb(threeGzip)}`,
      `${fixed1(callGzip / threeGzip)}×`,
      `≤ ${kb(TARGET_JS_BYTES)}: ${verdict(callGzip <= TARGET_JS_BYTES)}`,
    ],
    [
      'FPS, call scene with one remote panel (median of 3)',
      fixed1(r.panelFps.median),
      `empty scene: ${fixed1(r.emptyFps.median)}`,
      `${(r.panelFps.median / r.emptyFps.median).toFixed(2)}×`,
      'none set (ratio to the empty scene)',
    ],
  ]
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? []
  const line = (/** @type {string[]} */ row) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')
  const table = [
    line(rows[0] ?? []),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...rows.slice(1).map(line),
    '',
    `join samples (ms): ${samples(r.join.samples)}`,
    `raw pair samples (ms): ${samples(r.baseline.samples)}`,
    `fps samples: one panel ${fpsSamples(r.panelFps.samples)}; empty ${fpsSamples(r.emptyFps.samples)}`,
    '',
    'call JS files (gzip):',
    ...r.callFiles.map(
      (f) => `  ${f.file.padEnd(34)} ${kb(f.gzip).padStart(10)}${f.emulator ? '  (emulator, excluded)' : ''}`,
    ),
  ].join('\n')

  const mdTable = rows.map((row) => `| ${row.join(' | ')} |`)
  mdTable.splice(1, 0, `|${rows[0]?.map(() => '---').join('|')}|`)
  const fileRows = (/** @type {(SizedFile & { emulator?: boolean })[]} */ files) =>
    files.map(
      (f) =>
        `| \`${f.file}\` | ${kb(f.raw)} | ${kb(f.gzip)} |${f.emulator ? ' emulator only, excluded' : ''}`,
    )
  const warnings = [
    r.developmentBuild &&
      '**dist/ was a development build** (React `jsxDEV` with absolute source paths): sizes and frame rates are not those of a production build.',
    r.distChanged && '**dist/ changed during the run** (someone rebuilt): the numbers may mix two builds.',
    r.info.chromiumBefore > 0 &&
      `**${r.info.chromiumBefore} other Chromium processes were running when the run started**: CPU contention skews every timing.`,
    r.hostErrors.length > 0 && `The staying page logged errors: ${r.hostErrors.join('; ')}`,
    r.laterScripts.length > 0 &&
      `Scripts loaded after the first video frame (not counted): ${r.laterScripts.join(', ')}`,
  ].filter((w) => typeof w === 'string')

  const i = r.info
  const markdown = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs); every baseline was measured in the same run on the same machine.
Headless Chromium renders with SwiftShader (software GL) on the CPU, so absolute timings and frame rates say
little about a headset: compare each number with its baseline.

- Date: ${i.date}
- Machine: ${i.cpu}, ${i.cores} cores, ${i.memory} RAM
- Node ${i.node}; ${i.chromium} (Playwright reports ${i.chromiumPlaywright})
- Code: commit ${i.commit}${i.dirty ? ' plus uncommitted changes' : ''}; load average ${i.loadBefore.toFixed(2)} at the start, ${i.loadAfter.toFixed(2)} at the end
${warnings.map((w) => `\n> ${w}`).join('\n')}

## Results

${mdTable.join('\n')}

## 1. Join click → first remote video frame drawn on the panel

Target: ≤ 1.0 s.

| | median | min | max | samples |
|---|---|---|---|---|
| App: join click → first panel frame | ${msText(r.join.median)} | ${msText(r.join.min)} | ${msText(r.join.max)} | ${samples(r.join.samples)} |
| Baseline: raw RTCPeerConnection pair in one page | ${msText(r.baseline.median)} | ${msText(r.baseline.min)} | ${msText(r.baseline.max)} | ${samples(r.baseline.samples)} |

Ratio app / baseline: ${fixed1(r.join.median / r.baseline.median)}×.

How measured: one server (\`node server/start.mjs\`, loopback, no ICE servers) and one headless Chromium. Page A
(clinician, 1280×720, \`?render=always\`) starts a room, joins and stays in the call rendering every frame. For each
of ${r.join.samples.length} runs a fresh browser context B (1280×720) first measures the baseline on a blank page of the same
origin: two \`RTCPeerConnection\`s in that page, no ICE servers, offer/answer and ICE candidates handed over
directly, the fake camera's \`getUserMedia\` video track added (camera opened before the clock starts), timed from
creating the connections to the remote \`<video>\`'s first \`requestVideoFrameCallback\`. Then B opens the patient
invite with \`?render=always\`, fills in a name, waits for its camera preview, and in one \`evaluate\` records
\`performance.now()\` and clicks Join; the result is \`window.__xrConsult.firstVideoFrameAt\` (the first rendered
frame whose remote panel texture had received a video frame) minus that time. B's context is then closed and the
next run waits until A has dropped B from its scene (median ${msText(r.drop.median)}, max ${msText(r.drop.max)}
after the context closed). The app number includes signalling through the PeerServer, the mesh handshake, loading
the call scene if it is not loaded yet, and mounting the 3D scene; the baseline is the floor WebRTC itself sets
under the same load (A rendering).

## 2. JavaScript, gzip (emulator excluded)

Target: ≤ 450 KB (KB = 1000 bytes), gzip.

**Lobby, initial: ${kb(lobbyGzip)}** (the module entry in \`dist/index.html\` plus its \`modulepreload\` links)

| file | raw | gzip |
|---|---|---|
${fileRows(r.lobbyFiles).join('\n')}

**A whole call without the emulator: ${kb(callGzip)}** (every \`.js\` response in a participant page from opening
the invite until its first remote video frame was drawn on a panel)

| file | raw | gzip | |
|---|---|---|---|
${fileRows(r.callFiles).join('\n')}
${font.length > 0 ? `\nOf that, the MSDF font chunk: ${font.map((f) => `\`${f.file}\` ${kb(f.gzip)}`).join(', ')}; without it the call needs ${kb(callGzip - sum(font))}.\n` : ''}
**Baseline, three.js alone: ${kb(threeGzip)}** (${r.three.parts.map((p) => `\`${p.file}\` ${kb(p.gzip)}`).join(' + ')}):
the floor for any three.js app; ${r.three.how}.

How measured: each file gzip-compressed on its own with Node's \`zlib.gzipSync\` at level 9 and the sizes summed
(what a server sending each file gzip-encoded would transfer). Files come from the \`dist/\` read once at the
start of the run. "Emulator only" chunks are those reachable from the \`emulate-*\` chunk and not from the entry
without it; a page that loaded one anyway would show it here, excluded from the sum.

## 3. Frames per second: call scene with one remote panel vs empty scene

| | median | samples |
|---|---|---|
| Page A, one remote video panel | ${fixed1(r.panelFps.median)} | ${fpsSamples(r.panelFps.samples)} |
| Page A, empty scene (grid only) | ${fixed1(r.emptyFps.median)} | ${fpsSamples(r.emptyFps.samples)} |
| (page B, the remote participant, 640×360, during the panel windows) | ${fixed1(r.remoteFps.median)} | ${fpsSamples(r.remoteFps.samples)} |

Ratio one panel / empty: ${(r.panelFps.median / r.emptyFps.median).toFixed(2)}×. No target is set for this number.

How measured: page A at 1280×720 in the call with \`?render=always\` (the scene draws every display frame). Frames
are \`window.__xrConsult.frames\` read at t and t + ${FPS_WINDOW_MS / 1000} s, divided by the page's own elapsed time.
Empty: A alone in the room (only the grid), after ${FPS_WARMUP_MS / 1000} s of settling. One panel: participant B (640×360,
\`?render=always\`) joins, A shows B's video on a panel, ${FPS_WARMUP_MS / 1000} s of settling, then the same window; B
then leaves. The two conditions alternate ${FPS_REPEATS} times and each reports its median. The one-panel condition
also carries B rendering its own scene and both pages encoding and decoding video on the same two cores, so the
ratio is the cost of a real remote participant, not of drawing one textured quad.
`
  return { table, markdown }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
