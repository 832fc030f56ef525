// @ts-check
// A tool for finding what the soak's heap growth is made of (not part of `npm run bench`): a clinician and a
// patient sharing the simulator's vitals, chat every 10 s; a heap snapshot of each page after HEAP_WARMUP_S and
// again HEAP_WINDOW_S later; prints, per page, the constructors whose objects grew most (count and self size).
//   node bench/heap-growth.mjs            (after `npm run build`)
import { setTimeout as sleep } from 'node:timers/promises'
import {
  joinCall,
  launchChromium,
  newParticipant,
  openInvite,
  removeSnapshot,
  runIfMain,
  snapshotApp,
  startAppServer,
  startConsultation,
  waitForPanels,
  withQuery,
} from './common.mjs'

/** @typedef {import('playwright-core').Page} Page */

const WARMUP_S = Number(process.env.HEAP_WARMUP_S ?? 60)
const WINDOW_S = Number(process.env.HEAP_WINDOW_S ?? 240)

/**
 * Objects by constructor (node name) in a heap snapshot: count and self size.
 * @param {Page} page
 */
async function census(page) {
  const session = await page.context().newCDPSession(page)
  await session.send('HeapProfiler.enable')
  await session.send('HeapProfiler.collectGarbage')
  await session.send('HeapProfiler.collectGarbage')
  /** @type {string[]} */
  const chunks = []
  session.on('HeapProfiler.addHeapSnapshotChunk', (event) => chunks.push(event.chunk))
  await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
  await session.detach()
  const snapshot = JSON.parse(chunks.join(''))
  const meta = snapshot.snapshot.meta
  const fields = meta.node_fields
  const types = meta.node_types[0]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  /** @type {Map<string, { count: number, size: number }>} */
  const byName = new Map()
  const nodes = snapshot.nodes
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]]
    const name = type === 'object' || type === 'closure' ? snapshot.strings[nodes[i + nameAt]] : `(${type})`
    const key = `${type === 'closure' ? 'closure ' : ''}${name}`.slice(0, 80)
    const entry = byName.get(key) ?? { count: 0, size: 0 }
    entry.count++
    entry.size += nodes[i + sizeAt]
    byName.set(key, entry)
  }
  return byName
}

/** @param {Map<string, { count: number, size: number }>} a @param {Map<string, { count: number, size: number }>} b */
function growth(a, b) {
  return [...b.entries()]
    .map(([name, after]) => {
      const before = a.get(name) ?? { count: 0, size: 0 }
      return { name, count: after.count - before.count, size: after.size - before.size, now: after.count }
    })
    .sort((x, y) => y.size - x.size)
    .slice(0, 30)
}

async function main() {
  const snapshot = await snapshotApp()
  const app = await startAppServer({ appDir: snapshot.dir })
  const browser = await launchChromium()
  try {
    const clinician = await newParticipant(browser, {
      origin: app.origin,
      viewport: { width: 800, height: 450 },
    })
    const invites = await startConsultation(clinician.page, withQuery(app.url, '?debug'), 'clinician')
    await joinCall(clinician.page, 'Heap clinician')
    const patient = await newParticipant(browser, {
      origin: app.origin,
      viewport: { width: 640, height: 360 },
    })
    await openInvite(patient.page, invites.patient ?? '', 'Heap patient', '?debug')
    await waitForPanels(clinician.page, 1, 60_000)
    await patient.page.getByTestId('participants').locator('[data-testid="participant"]').first().waitFor()
    await patient.page.getByTestId('vitals-source').selectOption('sim:normal')
    const pages = /** @type {const} */ ([
      ['clinician', clinician.page],
      ['patient', patient.page],
    ])
    let chats = 0
    const chatFor = async (/** @type {number} */ seconds) => {
      const until = Date.now() + seconds * 1000
      while (Date.now() < until) {
        const page = chats % 2 ? patient.page : clinician.page
        await page.evaluate((t) => /** @type {any} */ (window).__xrConsultCall.sendChat(t), `heap ${chats++}`)
        await sleep(Math.min(10_000, Math.max(0, until - Date.now())))
      }
    }
    await chatFor(WARMUP_S)
    const first = []
    for (const [, page] of pages) first.push(await census(page))
    console.log(`first census after ${WARMUP_S} s`)
    await chatFor(WINDOW_S)
    for (const [i, [name, page]] of pages.entries()) {
      const second = await census(page)
      const before = first[i]
      if (!before) continue
      console.log(`\n${name}: grew over ${WINDOW_S} s (bytes, objects, now)`)
      for (const g of growth(before, second))
        console.log(
          `${String(g.size).padStart(9)} ${String(g.count).padStart(7)} ${String(g.now).padStart(8)}  ${g.name}`,
        )
    }
  } finally {
    await browser.close()
    await app.stop()
    removeSnapshot(snapshot.dir)
  }
}

runIfMain(import.meta.url, main)
