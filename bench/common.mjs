// @ts-check
// What the benchmarks share (bench/run.mjs, bench/vitals.mjs, bench/protocol.mjs, bench/guidance.mjs), so that
// every number in BENCHMARKS.md and bench/vitals-results.md is taken the same way: the machine they ran on, other
// processes' CPU use and the wait for a quiet machine, a private copy of the build, frame counting, and small
// statistics and formatters; and, from e2e/real-app.mjs (the browser tests use the same), the app's server,
// Chromium, participants, the lobby and the wait for panels. It measures nothing itself and runs nothing when
// imported.
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import * as realApp from '../e2e/real-app.mjs'

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../src/scenes/scene-probe-types').SceneProbe} SceneProbe (declares window.__xrConsult) */
/** @typedef {{ width: number, height: number }} Viewport */
/** @typedef {{ median: number, min: number, max: number, samples: number[] }} Stats */
/** @typedef {{ file: string, raw: number, gzip: number }} SizedFile */

export const root = realApp.root

/** A window in which other processes used more than this share of the machine counts as disturbed. */
export const DISTURBED_SHARE = 0.1
/** How many times a disturbed frame-rate window (or, in run.mjs, join run) is measured again at most. */
export const REMEASURE_LIMIT = 3
/** Frame-rate window, ms: long enough that a single late frame changes the result by under 1 %. */
export const FPS_WINDOW_MS = 5000
/** The measured page: a laptop-sized window. */
export const LARGE = { width: 1280, height: 720 }
/** The remote participant in frame-rate tests: small, so the comparison is about the measured page. */
export const SMALL = { width: 640, height: 360 }
/**
 * The files the benchmarks write. They do not make the code under test dirty: `npm run bench` writes
 * BENCHMARKS.md before bench/vitals.mjs starts, and a previous run's results are usually still uncommitted.
 */
const BENCH_OUTPUTS = [
  'BENCHMARKS.md',
  'bench/vitals-results.md',
  'bench/signing-results.md',
  'bench/long-call-results.md',
  'bench/share-results.md',
  'bench/sfu-results.md',
]

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

/** @param {number[]} values @returns {Stats} */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, samples: values }
}

/**
 * Median, nearest-rank 95th percentile, min, max.
 * @param {number[]} values @returns {{ median: number, p95: number, min: number, max: number, samples: number[] }}
 */
export function spread(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const mid = Math.floor(n / 2)
  const median = n % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
  const p95 = sorted[Math.max(0, Math.ceil(0.95 * n) - 1)] ?? NaN
  return { median, p95, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, samples: values }
}

/** @param {number} value */
export const fixed1 = (value) => value.toFixed(1)
/** @param {number} share 0..1 */
export const percent = (share) => `${Math.round(share * 100)} %`

/** @param {string} file @param {string[]} args */
export function commandOutput(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return '?'
  }
}

/** The machine and the code a run measured (each benchmark adds the Chromium version it knows). */
export function machine() {
  const cpus = os.cpus()
  return {
    date: commandOutput('date', ['-u']),
    cpu: cpus[0]?.model ?? '?',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    commit: commandOutput('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    dirty:
      commandOutput('git', [
        '-C',
        root,
        'status',
        '--porcelain',
        '--',
        '.',
        ...BENCH_OUTPUTS.map((file) => `:!${file}`),
      ]) !== '',
    loadBefore: os.loadavg()[0] ?? NaN,
  }
}

/**
 * Runs `main` when the module at `moduleUrl` is the script node was started with, and exits with its outcome (the
 * browser's and server's handles would otherwise keep node alive); importing the module runs nothing.
 * @param {string} moduleUrl @param {() => Promise<void>} main
 */
export function runIfMain(moduleUrl, main) {
  // Node gives a module its real path (links resolved) but leaves argv[1] as typed: compare real paths, or a
  // checkout reached through a symbolic link would import fine and never run.
  const script = process.argv[1]
  if (!script || realpathSync(path.resolve(script)) !== realpathSync(fileURLToPath(moduleUrl))) return
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error)
      process.exit(1)
    },
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Results written part by part (bench/long-call.mjs, bench/sfu.mjs)

/**
 * Replaces `part`'s section (between `<!-- part: NAME -->` markers) of the results file `file` with `markdown`,
 * or adds it in the order of `parts`, starting the file with `header` if it does not exist; formats it with Biome
 * (for a Biome that formats Markdown, so `biome check .` stays clean; today's skips it); then copies the whole file into BENCHMARKS.md
 * between `benchmarks.start` and `benchmarks.end`, one heading level down (bench/run.mjs rewrites the rest).
 * @param {{ file: string, header: string, parts: readonly string[], part: string, markdown: string,
 *   benchmarks: { start: string, end: string } }} options
 */
export function writeResultsPart({ file, header, parts, part, markdown, benchmarks }) {
  const start = `<!-- part: ${part} -->`
  const end = `<!-- /part: ${part} -->`
  let text = existsSync(file) ? readFileSync(file, 'utf8') : header
  const block = `${start}\n${markdown}\n${end}`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length)
  else {
    // In the order of `parts`, whatever order the runs came in.
    const later = parts
      .slice(parts.indexOf(part) + 1)
      .map((p) => text.indexOf(`<!-- part: ${p} -->`))
      .filter((i) => i >= 0)
    const at = later.length ? Math.min(...later) : text.length
    text = `${`${text.slice(0, at).trimEnd()}\n\n${block}\n\n${text.slice(at).trimStart()}`.trimEnd()}\n`
  }
  writeFileSync(file, text)
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/@biomejs/biome/bin/biome'),
        'format',
        '--write',
        '--no-errors-on-unmatched',
        file,
      ],
      { cwd: root, stdio: 'ignore' },
    )
  } catch {
    console.warn('could not format it with Biome; run `npx biome check --write .`')
  }
  const results = readFileSync(file, 'utf8')
  const target = path.join(root, 'BENCHMARKS.md')
  if (!existsSync(target)) return
  const current = readFileSync(target, 'utf8')
  const at = current.indexOf(benchmarks.start)
  const until = current.indexOf(benchmarks.end)
  const kept =
    at >= 0 && until > at ? current.slice(0, at) + current.slice(until + benchmarks.end.length) : current
  const body = results.replace(/^(#+) /gm, '#$1 ')
  const relative = path.relative(root, file)
  writeFileSync(
    target,
    `${kept.trimEnd()}\n\n${benchmarks.start}\n${body.trimEnd()}\n\nThe same text is in [${relative}](${relative}).\n${benchmarks.end}\n`,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Other load on the machine: another test run on two cores skews every timing, so each window records it

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
export const TICKS_PER_SECOND = 100

/** Every process: parent and CPU ticks used so far; and whether a process is in this process's tree. */
export function processTicks() {
  /** @type {Map<number, { ppid: number, ticks: number }>} */
  const all = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // After the command name (which may hold spaces): state ppid ... utime (12th) stime (13th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      all.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {
      // the process ended while we looked
    }
  }
  /** @param {number} pid */
  const isOurs = (pid) => {
    let ancestor = pid
    // 64: deeper than any real process tree; the bound only guards against a cycle made by PIDs reused while
    // /proc was being read.
    for (let depth = 0; ancestor > 1 && ancestor !== process.pid && depth < 64; depth++) {
      ancestor = all.get(ancestor)?.ppid ?? 0
    }
    return ancestor === process.pid
  }
  return { all, isOurs }
}

/** CPU ticks used so far by every process outside this benchmark's own process tree (server, Chromium). */
function foreignCpuTicks() {
  const { all, isOurs } = processTicks()
  /** @type {Map<number, number>} */
  const foreign = new Map()
  for (const [pid, { ticks }] of all) if (!isOurs(pid)) foreign.set(pid, ticks)
  return foreign
}

/** Starts watching other processes; the returned function gives their share of the whole machine since, 0..1. */
export function watchForeignCpu() {
  const before = foreignCpuTicks()
  const start = performance.now()
  return () => {
    let ticks = 0
    for (const [pid, now] of foreignCpuTicks()) ticks += now - (before.get(pid) ?? 0)
    const seconds = (performance.now() - start) / 1000
    return ticks / TICKS_PER_SECOND / seconds / os.cpus().length
  }
}

/**
 * A wait for a quiet machine with a budget for the whole run: `waitForQuiet(before)` waits until other processes
 * leave the machine mostly idle (under DISTURBED_SHARE), or the budget is used up, and returns their last share;
 * `leftMs()` is what remains of the budget. Measurements still run once it is used up, and say so.
 * @param {number} budgetMs
 */
export function createQuietWaiter(budgetMs) {
  let leftMs = budgetMs
  /** @param {number} ms */
  const sample = async (ms) => {
    const share = watchForeignCpu()
    await sleep(ms)
    return share()
  }
  return {
    leftMs: () => leftMs,
    /** @param {string} before what is about to be measured, for the log */
    async waitForQuiet(before) {
      let share = await sample(1000)
      while (share > DISTURBED_SHARE && leftMs > 0) {
        console.log(
          `other processes use ${percent(share)} of the CPU; waiting before ${before} (${Math.round(leftMs / 1000)} s of waiting left)`,
        )
        const started = Date.now()
        share = await sample(3000)
        leftMs -= Date.now() - started
      }
      return share
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The build under test: a private copy of dist/ (another build may replace dist/ while the benchmark runs)

/** @param {Buffer | string} content */
export const gzipSize = (content) => gzipSync(content, { level: 9 }).length

/** `./name.js` imports (static and dynamic) in a built chunk, as /assets/ URLs. @param {string} text */
export const importsOf = (text) =>
  [...text.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)].map((m) => `/assets/${m[1]}`)

/** @param {string} tag @param {string} name */
function attribute(tag, name) {
  return new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1] ?? null
}

/** The lobby's initial JavaScript: index.html's module entry script and its modulepreload links. */
export function initialScripts(/** @type {string} */ indexHtml) {
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
 * Reads a built dist/ and checks that it is whole: index.html's scripts and every chunk any chunk imports exist.
 * @param {string} dir
 */
function readDist(dir) {
  const indexHtml = readFileSync(path.join(dir, 'index.html'), 'utf8')
  /** @type {Map<string, SizedFile & { text: string }>} */
  const files = new Map()
  for (const name of readdirSync(path.join(dir, 'assets'))) {
    if (!name.endsWith('.js')) continue
    const content = readFileSync(path.join(dir, 'assets', name))
    const file = { file: `assets/${name}`, raw: content.length, gzip: gzipSize(content) }
    files.set(`/assets/${name}`, { ...file, text: content.toString('utf8') })
  }
  const wanted = [...initialScripts(indexHtml), ...[...files.values()].flatMap((f) => importsOf(f.text))]
  const missing = wanted.filter((url) => !files.has(url))
  if (missing.length > 0 || files.size === 0) throw new Error(`dist/ is incomplete: no ${missing.join(', ')}`)
  // React's development JSX (jsxDEV) records absolute source paths: a build made with NODE_ENV=test or
  // development, bigger and slower than what users get.
  const developmentBuild = [...files.values()].some((f) => f.text.includes('jsxDEV'))
  return { indexHtml, files, developmentBuild }
}

/**
 * Copies server/ and dist/ into a temporary folder (node_modules linked) so that the server serves, and the
 * sizes come from, one fixed build for the whole run. Retries while a build is rewriting dist/.
 */
export async function snapshotApp() {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xr-consult-bench-'))
    try {
      cpSync(path.join(root, 'server'), path.join(dir, 'server'), { recursive: true })
      cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true })
      symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
      return { dir, dist: readDist(path.join(dir, 'dist')) }
    } catch (error) {
      removeSnapshot(dir)
      if (attempt >= 5)
        throw new Error('could not copy a complete dist/; run `npm run build`', { cause: error })
      await sleep(2000)
    }
  }
}

/** @param {string} dir */
export function removeSnapshot(dir) {
  // The link first, so that nothing can ever follow it into the real node_modules.
  rmSync(path.join(dir, 'node_modules'), { force: true })
  rmSync(dir, { recursive: true, force: true })
}

// ---------------------------------------------------------------------------------------------------------------
// CPU profiles (DevTools Profiler), for finding where a page's time goes; a profiled run's numbers are not the
// benchmark's (sampling has its own cost)

/**
 * Starts a sampling CPU profile of `page` on its own DevTools session; the returned function stops it, writes it
 * to `file` (a .cpuprofile that DevTools' Performance panel opens) and returns it.
 * @param {Page} page @param {number} intervalUs
 */
export async function startCpuProfile(page, intervalUs = 1000) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs })
  await cdp.send('Profiler.start')
  return async (/** @type {string} */ file) => {
    const { profile } = await cdp.send('Profiler.stop')
    await cdp.detach()
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, JSON.stringify(profile))
    return profile
  }
}

/**
 * The functions with the most self time in a CPU profile, as console lines (ms, share of the sampled time,
 * function and place), after a line saying how long was sampled and how much of it busy.
 * @param {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number } }[], samples?: number[], timeDeltas?: number[] }} profile a DevTools CPU profile @param {string} name @param {number} count
 */
export function topSelfTime(profile, name, count = 15) {
  /** @type {Map<number, string>} */
  const label = new Map()
  for (const { id, callFrame: f } of profile.nodes)
    label.set(
      id,
      `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`,
    )
  /** @type {Map<string, number>} */
  const self = new Map()
  const deltas = profile.timeDeltas ?? []
  let total = 0
  for (const [i, id] of (profile.samples ?? []).entries()) {
    // A sample's time is the gap to the next one (the last sample: the gap before it).
    const us = deltas[i + 1] ?? deltas[i] ?? 0
    const key = label.get(id) ?? '?'
    self.set(key, (self.get(key) ?? 0) + us)
    total += us
  }
  const idle = self.get('(idle) ') ?? 0
  const share = (/** @type {number} */ us) => `${fixed1((us / Math.max(1, total)) * 100).padStart(5)} %`
  return [
    `profile ${name}: ${fixed1(total / 1e6)} s sampled, ${share(total - idle)} busy; top self time:`,
    ...[...self]
      .filter(([key]) => key !== '(idle) ')
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, us]) => `  ${fixed1(us / 1000).padStart(8)} ms ${share(us)}  ${key}`),
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// The app: server, browser, participants (e2e/real-app.mjs, shared with the browser tests)

export {
  launchChromium,
  newParticipant,
  openThreeDView,
  startAppServer,
  startConsultation,
  waitForPanels,
  withQuery,
} from '../e2e/real-app.mjs'

/** @typedef {import('../e2e/real-app.mjs').JoinOptions} JoinOptions */

/**
 * How benchmark pages join unless told otherwise: with their camera (a preview problem fails the run instead of
 * measuring a call without video), and only once the join screen has settled as it has when a person clicks Join.
 * @type {JoinOptions}
 */
export const AS_A_PERSON = { requireMedia: true, settle: true }

/** The join screen up to the Join button (AS_A_PERSON unless `options` say otherwise). @param {Page} page @param {string} name @param {JoinOptions} [options] */
export function fillJoinForm(page, name, options = AS_A_PERSON) {
  return realApp.fillJoinForm(page, name, options)
}

/** Name, camera preview, Join, in the call (AS_A_PERSON unless `options` say otherwise). @param {Page} page @param {string} name @param {JoinOptions} [options] */
export function joinCall(page, name, options = AS_A_PERSON) {
  return realApp.joinCall(page, name, options)
}

/**
 * Opens an invite with `query` instead of its own and joins (AS_A_PERSON unless `options` say otherwise).
 * @param {Page} page @param {string} inviteUrl @param {string} name @param {string} query @param {JoinOptions} [options]
 */
export function openInvite(page, inviteUrl, name, query, options = AS_A_PERSON) {
  return realApp.openInvite(page, inviteUrl, name, query, options)
}

/** Remote panels on the page, and how many of them show video. @param {Page} page */
export async function panelState(page) {
  const list = await realApp.panels(page)
  return { count: list.length, withVideo: list.filter((p) => p.showsVideo).length }
}

/** The scene's frame counter and the page's clock. @param {Page} page */
export function frameCounter(page) {
  return page.evaluate(() => ({ frames: window.__xrConsult?.frames ?? NaN, at: performance.now() }))
}

/**
 * Frames per second of each page between two readings of `frameCounter` on each, timed by each page's own clock.
 * @param {{ frames: number, at: number }[]} start @param {{ frames: number, at: number }[]} end
 */
export function framesPerSecond(start, end) {
  return start.map((a, i) => {
    const b = end[i]
    if (!b || !Number.isFinite(a.frames) || !Number.isFinite(b.frames)) throw new Error('no scene probe')
    return ((b.frames - a.frames) * 1000) / (b.at - a.at)
  })
}

/**
 * A headless Chromium (as `launchChromium`) whose every process runs on `cpus` only (`taskset -c`, inherited by the
 * processes it starts, its GPU process included): a device of its own. Two of them on the two cores stand for two
 * participants' devices, each with one core and its own software GPU, where one browser for both would let one
 * page's drawing take the other's CPU time, which on a real call it never does.
 * @param {string} cpus a taskset CPU list, e.g. '0'
 */
export function launchChromiumOn(cpus) {
  const wrapper = path.join(os.tmpdir(), `xr-consult-chromium-on-${cpus.replace(/[^0-9]/g, '_')}.sh`)
  writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c ${cpus} ${realApp.CHROMIUM} "$@"\n`, { mode: 0o755 })
  return chromium.launch({ executablePath: wrapper, args: realApp.CHROMIUM_ARGS, headless: true })
}
