// Screen sharing in a large room, end to end: a real Janus on loopback (e2e/janus.mjs), the real server told about
// it with JANUS_URLS, and headless Chromium with its fake screen capture. The presenter shares the screen; it
// reaches every receiver through Janus as a feed of its own, encrypted like the camera, and is a panel in their
// 3D view; a client without the media key receives its packets and decodes none; a participant not let show video
// is refused in a sentence; stopping takes the panel away everywhere.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  differingPixels,
  keepScreenshot,
  newParticipant,
  type Participant,
  startConsultation,
} from './harness'
import {
  joinReceiver,
  openIntruder,
  SMALL_WINDOW,
  type TransportInfo,
  transportInfo,
  useLargeRoomSuite,
} from './large-room-kit'
import { joinCall } from './real-app.mjs'

const RECEIVERS = 2
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

const suite = useLargeRoomSuite()
const { log, people } = suite

/** What the page's transport says about shared screens (src/net/janus-screen.ts debugInfo). */
interface ScreensInfo {
  publishing: boolean
  framesEncoded: number
  inbound: Record<string, { packetsReceived: number; framesDecoded: number; frameWidth: number }>
  frameIds: string[]
}

async function screensOf(page: Page): Promise<ScreensInfo> {
  return ((await transportInfo(page)) as TransportInfo & { screens: ScreensInfo }).screens
}

/** Frames through the screen's own transforms (not the camera's): passed and dropped, for one operation. */
function screenFrames(info: TransportInfo & { screens: ScreensInfo }, operation: 'encrypt' | 'decrypt') {
  let passed = 0
  let dropped = 0
  for (const id of info.screens.frameIds) {
    const stats = info.frames[id]
    if (!stats || stats.operation !== operation) continue
    passed += stats.passed
    for (const count of Object.values(stats.dropped)) dropped += count
  }
  return { passed, dropped }
}

async function fullInfo(page: Page) {
  return (await transportInfo(page)) as TransportInfo & { screens: ScreensInfo }
}

/** The screen panels of the page's 3D scene, with their texture versions (above 0 once a frame reached them). */
function screenPanels(page: Page) {
  return page.evaluate(() => window.__xrConsult?.named('screen-video:') ?? [])
}

/**
 * The pixels of the first shared screen the page's call holds, as decoded (drawn into a small canvas from its own
 * video element): 32×24 RGBA, or empty while there is none playing.
 */
async function screenPixels(page: Page): Promise<Buffer> {
  const data = await page.evaluate(async () => {
    const holder = window as unknown as {
      __xrConsultGuidance?: {
        consultStore: { getState(): { participants: Record<string, { screen?: MediaStream | null }> } }
      }
      __screenVideo?: HTMLVideoElement
    }
    const participants = holder.__xrConsultGuidance?.consultStore.getState().participants ?? {}
    const stream = Object.values(participants).find((p) => p.screen)?.screen
    if (!stream) return []
    let video = holder.__screenVideo
    if (video?.srcObject !== stream) {
      video = document.createElement('video')
      video.muted = true
      video.srcObject = stream
      await video.play().catch(() => undefined)
      holder.__screenVideo = video
    }
    if (video.videoWidth === 0) return []
    const canvas = document.createElement('canvas')
    canvas.width = 32
    canvas.height = 24
    const context = canvas.getContext('2d', { willReadFrequently: true })
    context?.drawImage(video, 0, 0, 32, 24)
    return [...(context?.getImageData(0, 0, 32, 24).data ?? [])]
  })
  return Buffer.from(data)
}

describe('screen sharing in a large room through Janus', () => {
  let invites: Record<string, string> = {}
  const receivers: Participant[] = []

  it(`the presenter shares the screen: ${RECEIVERS} receivers show it live as a panel, decrypted; a client without the key decodes none of it`, {
    timeout: 400_000,
  }, async () => {
    const presenter = await newParticipant(suite.browser, log)
    people.presenter = presenter
    invites = await startConsultation(presenter.page, `${suite.server.url}?debug`, 'clinician', {
      kind: 'large',
    })
    await joinCall(presenter.page, 'Dr. Presenter', { view: 'video' })

    const roles = ['specialist', 'patient'] as const
    for (let i = 0; i < RECEIVERS; i++) {
      const invite = invites[roles[i] as string] as string
      receivers.push(
        await joinReceiver(suite, invite, `Trainee ${i + 1}`, { key: `receiver ${i + 1}`, view: '3d' }),
      )
    }
    // An eavesdropper with the Janus room's id and PIN (the real invite) but media keys from another secret.
    const intruder = await openIntruder(suite, invites.worker as string)

    for (const receiver of receivers) {
      await expect
        .poll(() => receiver.page.getByTestId('participants').textContent(), { timeout: 60_000 })
        .toContain('Dr. Presenter')
    }
    await presenter.page.getByTestId('share-screen').click()
    await expect
      .poll(() => presenter.page.getByTestId('share-screen').textContent())
      .toBe('Stop sharing screen')

    for (const receiver of receivers) {
      // A panel in the 3D view, its texture fed with frames...
      await expect
        .poll(async () => (await screenPanels(receiver.page)).some((p) => p.mapVersion > 0), {
          timeout: 90_000,
        })
        .toBe(true)
      // ...from a screen that is live: its pixels change.
      await expect
        .poll(async () => (await screenPixels(receiver.page)).length, { timeout: 30_000 })
        .toBe(32 * 24 * 4)
      const first = await screenPixels(receiver.page)
      await expect
        .poll(async () => differingPixels(first, await screenPixels(receiver.page)), {
          timeout: 30_000,
          interval: 300,
        })
        .toBeGreaterThan(20)
    }

    // It went through Janus encrypted: the screen's own transform encrypted every frame on the presenter's page,
    // and each receiver's decrypted them with nothing dropped.
    const sent = await fullInfo(presenter.page)
    expect(sent.screens.publishing).toBe(true)
    expect(screenFrames(sent, 'encrypt').passed).toBeGreaterThan(0)
    expect(screenFrames(sent, 'encrypt').dropped).toBe(0)
    for (const receiver of receivers) {
      const info = await fullInfo(receiver.page)
      expect(screenFrames(info, 'decrypt').passed).toBeGreaterThan(0)
      expect(screenFrames(info, 'decrypt').dropped).toBe(0)
      expect(Object.values(info.screens.inbound).some((v) => v.framesDecoded > 0)).toBe(true)
    }

    // The eavesdropper subscribed to the screen's feed too (Janus lets it: it has the id and PIN) and its packets
    // arrive, but not one frame authenticates: nothing reaches its decoder, and it shows no screen.
    await expect
      .poll(
        async () =>
          Object.values((await screensOf(intruder.page)).inbound).reduce(
            (sum, v) => sum + v.packetsReceived,
            0,
          ),
        { timeout: 60_000 },
      )
      .toBeGreaterThan(100)
    const stolen = await fullInfo(intruder.page)
    for (const video of Object.values(stolen.screens.inbound)) expect(video.framesDecoded).toBe(0)
    expect(screenFrames(stolen, 'decrypt').passed).toBe(0)
    expect(screenFrames(stolen, 'decrypt').dropped).toBeGreaterThan(0)
    expect(await screenPanels(intruder.page)).toEqual([])
    await intruder.page.close()
    delete people.intruder

    // For a reviewer: the shared screen as a receiver's 3D view shows it (screenshots/).
    const watcher = receivers[0] as Participant
    for (const [name, viewport] of [
      ['laptop', { width: 1280, height: 720 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await watcher.page.setViewportSize(viewport)
      await expect.poll(async () => (await screenPanels(watcher.page)).some((p) => p.inView)).toBe(true)
      await keepScreenshot(watcher.page, join(SCREENSHOTS, `large-room-screen-${name}.png`))
    }
    await watcher.page.setViewportSize(SMALL_WINDOW)
  })

  it('a participant not let show video is refused in a sentence, and nothing is published', async () => {
    const receiver = receivers[1] as Participant
    await receiver.page.getByTestId('share-screen').click()
    await expect
      .poll(() => receiver.page.getByTestId('share-refusal').textContent())
      .toContain('Only the presenter, and those the presenter lets show video, can share a screen')
    expect(await receiver.page.getByTestId('share-screen').textContent()).toBe('Share screen')
    expect((await screensOf(receiver.page)).publishing).toBe(false)
  })

  it('stopping takes the panel away on every receiver, and the feed leaves Janus', {
    timeout: 120_000,
  }, async () => {
    const presenter = people.presenter as Participant
    await presenter.page.getByTestId('share-screen').click()
    await expect.poll(() => presenter.page.getByTestId('share-screen').textContent()).toBe('Share screen')
    for (const receiver of receivers) {
      await expect.poll(async () => (await screenPanels(receiver.page)).length, { timeout: 30_000 }).toBe(0)
      // The screen's feed was taken down: its subscription went with it.
      await expect
        .poll(async () => Object.keys((await screensOf(receiver.page)).inbound).length, { timeout: 30_000 })
        .toBe(0)
    }
    await expect
      .poll(async () => (await screensOf(presenter.page)).publishing, { timeout: 30_000 })
      .toBe(false)
  })

  it('a trainee let show video shares a screen too; when the presenter hides their video the share stops, with a sentence', {
    timeout: 200_000,
  }, async () => {
    const presenter = people.presenter as Participant
    const watcher = receivers[0] as Participant
    const sharer = await newParticipant(suite.browser, log, SMALL_WINDOW)
    people.sharer = sharer
    const url = new URL(invites.worker as string)
    url.search = '?debug'
    await sharer.page.goto(url.href)
    await joinCall(sharer.page, 'Trainee Sharer', { view: 'video' })
    const row = presenter.page.getByTestId('participant').filter({ hasText: 'Trainee Sharer' })
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(1)
    await row.getByTestId('let-show-video').click()
    await expect.poll(() => sharer.page.getByTestId('camera').isDisabled(), { timeout: 30_000 }).toBe(false)

    await sharer.page.getByTestId('share-screen').click()
    await expect.poll(() => sharer.page.getByTestId('share-screen').textContent()).toBe('Stop sharing screen')
    await expect
      .poll(async () => (await screenPanels(watcher.page)).some((p) => p.mapVersion > 0), { timeout: 90_000 })
      .toBe(true)

    // The presenter takes their video away: the screen goes with it, on their page with a sentence, and everywhere.
    await row.getByTestId('hide-video').click()
    await expect
      .poll(() => sharer.page.getByTestId('share-refusal').textContent(), { timeout: 30_000 })
      .toContain('Your screen is no longer shared: the presenter stopped your video')
    expect(await sharer.page.getByTestId('share-screen').textContent()).toBe('Share screen')
    await expect.poll(async () => (await screenPanels(watcher.page)).length, { timeout: 30_000 }).toBe(0)
    await expect.poll(async () => (await screensOf(sharer.page)).publishing, { timeout: 30_000 }).toBe(false)
  })

  it('made no request to any host but the app’s own origin and the Janus server', () => {
    expect(log.foreign(suite.server.origin, [suite.janus.url])).toEqual([])
    for (const person of Object.values(people)) expect(person.errors).toEqual([])
  })
})
