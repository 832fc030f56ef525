// The headset's side panel (participants, chat) never stands in front of a video panel: a clinician in emulated VR
// (IWER, a Quest 3) with a patient, then also a specialist and an on-site worker. With one panel the side panel
// keeps its glance spot 40° left; with three the arc reaches 44° left, and the side panel, nearer than the arc,
// used to hide most of the first participant's face. Read through the `?debug` scene probe, as positions on the
// headset's (left eye's) view, so the test says where things are, never how fast they got there.
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  joinAs,
  newParticipant,
  openInvite,
  type Participant,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'
import { nextXrFrames, type Vec3, worldPosition, xrScreenshot } from './xr-harness'

const suite = useAppSuite()
const { log } = suite
/** The emulator without its dev UI panel, and the scene probe. */
const EMULATE = '?emulate=quest3&devui=0&debug'
/** Participants whose pixels nobody reads stay in the video layout: no 3D scene drawn in software for them. */
const SMALL_WINDOW = { width: 640, height: 360 }
/** Where screenshots go (SIDE_SCREENSHOTS overrides, e.g. /tmp, to compare a run before a change with one after). */
const SCREENSHOTS = process.env.SIDE_SCREENSHOTS ?? path.resolve(import.meta.dirname, '..', 'screenshots')
/** The side panel's glance spot (panel-layout.ts SIDE_PANEL_POSITION), metres. */
const GLANCE_SPOT: Vec3 = [-0.8, 1.5, -0.95]
/** The in-headset call controls, which stand left of the worker's miniature while a worker is in the call. */
const CONTROLS = ['xr-mute', 'xr-camera', 'xr-exit', 'xr-leave']

let clinician: Participant
const others: Participant[] = []
let invites: Record<string, string> = {}

/** An object's outline on the headset's view: the corners of its box in its own frame, page pixels. */
type Outline = Array<{ x: number; y: number }>

/**
 * An object's outline on the headset's view: the corners of its bounding box in its own frame, so a flat panel
 * turned aside gives its own corners (its world box, turned 59°, spans twice its height on screen).
 */
async function outlineOf(page: Page, name: string): Promise<Outline | null> {
  const box = await page.evaluate((n) => window.__xrConsult?.ownBoxOnScreen(n) ?? null, name)
  return box?.corners ?? null
}

/**
 * How far apart two outlines are on the page, pixels (0 or less: they meet). The separating axis test over their
 * convex hulls: every line through two corners of either is tried as an edge, so the hulls' own edges are among
 * them; the widest gap along such an edge's normal is the distance, if any is positive.
 */
function gapBetween(a: Outline, b: Outline): number {
  let widest = Number.NEGATIVE_INFINITY
  for (const points of [a, b])
    for (const p of points)
      for (const q of points) {
        const length = Math.hypot(q.x - p.x, q.y - p.y)
        if (length < 1e-6) continue
        const [nx, ny] = [-(q.y - p.y) / length, (q.x - p.x) / length]
        const along = (o: Outline) => o.map(({ x, y }) => x * nx + y * ny)
        const [as, bs] = [along(a), along(b)]
        widest = Math.max(widest, Math.min(...bs) - Math.max(...as), Math.min(...as) - Math.max(...bs))
      }
  return widest
}

/** Fails when the side panel's outline meets `other`'s. */
function expectApart(side: Outline, other: Outline, what: string) {
  const gap = gapBetween(side, other)
  expect(
    gap,
    `the side panel ${JSON.stringify(side)} meets ${what} ${JSON.stringify(other)} (gap ${gap.toFixed(1)} px)`,
  ).toBeGreaterThan(0)
}

/**
 * The side panel's outline once its layout holds still: a participant's lines appear as they connect, and the
 * panel grows with them over a few frames.
 */
async function settledSidePanel(page: Page): Promise<Outline> {
  let last = await outlineOf(page, 'xr-side-panel-box')
  for (let i = 0; i < 40; i++) {
    await nextXrFrames(page, 3)
    const next = await outlineOf(page, 'xr-side-panel-box')
    const before = last
    if (next && before?.every((c, k) => Math.hypot(c.x - (next[k]?.x ?? 0), c.y - (next[k]?.y ?? 0)) < 0.5))
      return next
    last = next
  }
  throw new Error(`the side panel keeps moving: ${JSON.stringify(last)}`)
}

/** Every remote video panel's frame (its video and border) on the headset's view, by peer id. */
async function panelFrames(page: Page, count: number): Promise<Record<string, Outline>> {
  const shown = await waitForPanels(page, count)
  const frames: Record<string, Outline> = {}
  for (const { peerId } of shown) {
    const frame = await outlineOf(page, `panel-frame:${peerId}`)
    if (!frame) throw new Error(`no frame for ${peerId}`)
    frames[peerId] = frame
  }
  return frames
}

function screenshot(page: Page, name: string) {
  return xrScreenshot(page, path.join(SCREENSHOTS, name))
}

beforeAll(async () => {
  // 800x450: the emulated headset renders two eyes in software.
  clinician = await newParticipant(suite.browser, log, { width: 800, height: 450 })
  invites = await startConsultation(clinician.page, `${suite.server.url}${EMULATE}`, 'clinician')
  await joinAs(clinician.page, 'Dr. Headset')
  const patient = await newParticipant(suite.browser, log, SMALL_WINDOW)
  others.push(patient)
  await openInvite(patient, invites.patient as string, 'Pat Home', '', { view: 'video' })
  await waitForPanels(clinician.page, 1, 60_000)
  await clinician.page.getByTestId('enter-vr').click()
  await clinician.page.waitForFunction(() => (window.__xrConsult?.xrFrames ?? 0) > 10, null, {
    timeout: 30_000,
  })
})

afterAll(() => {
  for (const person of [clinician, ...others])
    if (person) console.log([...person.errors, ...person.trace].join('\n'))
})

describe('the headset’s side panel beside the video panels (emulated VR)', () => {
  it('stands at its glance spot, 40° left, clear of the one panel', async () => {
    await clinician.page.waitForFunction(() => window.__xrConsult?.ownBoxOnScreen('xr-side-panel-box'))
    const at = await worldPosition(clinician.page, 'xr-side-panel')
    for (const [i, v] of at.entries())
      expect(v, `side panel at ${at}`).toBeCloseTo(GLANCE_SPOT[i] as number, 3)
    const side = await settledSidePanel(clinician.page)
    for (const [peerId, frame] of Object.entries(await panelFrames(clinician.page, 1)))
      expectApart(side, frame, `${peerId}'s frame`)
  })

  it('with a patient, a specialist and an on-site worker, stands clear of every face and of the call controls', {
    timeout: 300_000,
  }, async () => {
    for (const [role, name] of [
      ['specialist', 'Sam Specialist'],
      ['worker', 'Wes Onsite'],
    ] as const) {
      const person = await newParticipant(suite.browser, log, SMALL_WINDOW)
      others.push(person)
      await openInvite(person, invites[role] as string, name, '', { view: 'video' })
    }
    // Four pages coding three streams each in software on two cores: a generous wait for who sees whom.
    await waitForPanels(clinician.page, 3, 120_000)
    await clinician.page.waitForFunction(
      () => (window.__xrConsult?.uikitText('xr-participants') ?? []).join('\n').includes('Wes Onsite'),
      null,
      { timeout: 60_000 },
    )
    const side = await settledSidePanel(clinician.page)
    const frames = await panelFrames(clinician.page, 3)
    await screenshot(clinician.page, 'side-three-participants.png')
    console.log(`side panel ${JSON.stringify(side)}; frames ${JSON.stringify(frames)}`)
    for (const [peerId, frame] of Object.entries(frames)) expectApart(side, frame, `${peerId}'s frame`)
    // The call controls stand left of the worker's note, below: the side panel must not have moved onto them.
    for (const name of CONTROLS) {
      const control = await outlineOf(clinician.page, name)
      expect(control, name).not.toBeNull()
      expectApart(side, control as Outline, name)
    }
  })

  it('made no request outside the origin', () => {
    expect(log.foreign(suite.server.origin)).toEqual([])
    expect(clinician.errors).toEqual([])
  })
})
