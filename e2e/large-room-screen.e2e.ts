// Screen sharing in a large room, end to end: a real Janus on loopback (e2e/janus.mjs), the real server told about
// it with JANUS_URLS, and headless Chromium with its fake screen capture. The presenter shares the screen; it
// reaches every receiver through Janus as a feed of its own, encrypted like the camera, and is a panel in their
// 3D view; a client without the media key receives its packets and decodes none; a receiver cut from Janus shows
// the share again once back; a participant not let show video finds "Share screen" greyed out with the reason, and
// one that shares anyway (a modified client) is shown by nobody, the presenter told once; stopping takes the panel
// away everywhere.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ElementHandle, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  differingPixels,
  keepScreenshot,
  loudestIn,
  newParticipant,
  type Participant,
  startConsultation,
} from './harness'
import {
  expectLivePresenter,
  joinReceiver,
  openIntruder,
  pixelsOf,
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
  /** Whether the published screen carries sound. */
  sendingAudio: boolean
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

/** The names of the participants whose shared screen the page's call shows (its store, which every view draws). */
function shownScreens(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const holder = window as unknown as {
      __xrConsultGuidance?: {
        consultStore: {
          getState(): { participants: Record<string, { name: string; screen?: MediaStream | null }> }
        }
      }
    }
    const participants = holder.__xrConsultGuidance?.consultStore.getState().participants ?? {}
    return Object.values(participants)
      .filter((p) => p.screen)
      .map((p) => p.name)
  })
}

/** How many received screen feeds the page decodes frames of (its JanusScreens subscriptions). */
async function decodedScreenFeeds(page: Page): Promise<number> {
  return Object.values((await screensOf(page)).inbound).filter((v) => v.framesDecoded > 0).length
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
  const handle = await page.evaluateHandle(async () => {
    const holder = window as unknown as {
      __xrConsultGuidance?: {
        consultStore: { getState(): { participants: Record<string, { screen?: MediaStream | null }> } }
      }
      __screenVideo?: HTMLVideoElement
    }
    const participants = holder.__xrConsultGuidance?.consultStore.getState().participants ?? {}
    const stream = Object.values(participants).find((p) => p.screen)?.screen
    if (!stream) return null
    let video = holder.__screenVideo
    if (video?.srcObject !== stream) {
      video = document.createElement('video')
      video.muted = true
      video.srcObject = stream
      await video.play().catch(() => undefined)
      holder.__screenVideo = video
    }
    return video
  })
  const video = handle.asElement() as ElementHandle<HTMLVideoElement> | null
  const data = video ? await video.evaluate(pixelsOf) : []
  await handle.dispose()
  return Buffer.from(data)
}

/** What the page's call holds while a test shares a screen of its own making. */
type ScreenHolder = {
  __screenTimer?: ReturnType<typeof setInterval>
  __xrConsultCall: { runtime: { shareScreen(stream: MediaStream | null): void } }
}

/**
 * Hands the page's call a screen that changes colour 15 times a second (so it would be seen if shown), the way the
 * Share screen button hands it what getDisplayMedia returned; with `tone`, a tab's sound too (an oscillator), which
 * Chromium's fake screen capture cannot offer.
 */
async function shareChangingScreen(page: Page, { tone }: { tone: boolean }) {
  await page.evaluate((withTone) => {
    const canvas = document.createElement('canvas')
    canvas.width = 320
    canvas.height = 240
    const context = canvas.getContext('2d')
    let tick = 0
    const holder = window as unknown as ScreenHolder
    holder.__screenTimer = setInterval(() => {
      tick++
      if (!context) return
      context.fillStyle = `hsl(${(tick * 37) % 360} 80% 50%)`
      context.fillRect(0, 0, 320, 240)
    }, 66)
    const stream = canvas.captureStream(15)
    if (withTone) {
      const audio = new AudioContext()
      const oscillator = audio.createOscillator()
      const gain = audio.createGain()
      gain.gain.value = 0.5
      const sink = audio.createMediaStreamDestination()
      oscillator.connect(gain).connect(sink)
      oscillator.start()
      // The page was clicked (joining), so its sound may start; a suspended context would send silence.
      void audio.resume()
      for (const track of sink.stream.getAudioTracks()) stream.addTrack(track)
    }
    holder.__xrConsultCall.runtime.shareScreen(stream)
  }, tone)
}

/** Stops what shareChangingScreen started: the canvas's timer and the share. */
async function stopChangingScreen(page: Page) {
  await page.evaluate(() => {
    const holder = window as unknown as ScreenHolder
    clearInterval(holder.__screenTimer)
    holder.__xrConsultCall.runtime.shareScreen(null)
  })
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

  it('a receiver whose connection to Janus is cut while the screen is shared shows the share again, live', {
    timeout: 200_000,
  }, async () => {
    const cut = receivers[0] as Participant
    await cut.page.evaluate(() =>
      (window as unknown as { __xrConsultCall: { debugCutServer(): void } }).__xrConsultCall.debugCutServer(),
    )
    await expect
      .poll(async () => (await transportInfo(cut.page)).rejoins, { timeout: 90_000 })
      .toBeGreaterThan(0)
    // The cut let go of every screen subscription: one decoding frames again is the new session's.
    await expect.poll(() => decodedScreenFeeds(cut.page), { timeout: 90_000 }).toBe(1)
    await expect
      .poll(async () => (await screenPanels(cut.page)).some((p) => p.mapVersion > 0), { timeout: 60_000 })
      .toBe(true)
    expect(await shownScreens(cut.page)).toEqual(['Dr. Presenter'])
    await expect
      .poll(async () => (await screenPixels(cut.page)).length, { timeout: 30_000 })
      .toBe(32 * 24 * 4)
    const first = await screenPixels(cut.page)
    await expect
      .poll(async () => differingPixels(first, await screenPixels(cut.page)), {
        timeout: 30_000,
        interval: 300,
      })
      .toBeGreaterThan(20)
  })

  it('a participant not let show video finds "Share screen" greyed out with the reason, and nothing is published', async () => {
    const receiver = receivers[1] as Participant
    const button = receiver.page.getByTestId('share-screen')
    await expect.poll(() => button.isDisabled()).toBe(true)
    expect(await button.getAttribute('title')).toContain(
      'Only the presenter, and those the presenter lets show video, can share a screen',
    )
    // The reason is on the page too, and is the button's description for a screen reader.
    const hint = receiver.page.getByTestId('share-screen-hint')
    expect(await hint.isVisible()).toBe(true)
    expect(await hint.textContent()).toBe('The presenter can let you share your screen')
    expect(await button.getAttribute('aria-describedby')).toBe(await hint.getAttribute('id'))
    expect(await button.textContent()).toBe('Share screen')
    expect((await screensOf(receiver.page)).publishing).toBe(false)

    // For a reviewer: the greyed-out button and its hint in the video layout (screenshots/).
    await receiver.page.getByTestId('view-3d').click()
    for (const [name, viewport] of [
      ['laptop', { width: 1280, height: 720 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await receiver.page.setViewportSize(viewport)
      await hint.scrollIntoViewIfNeeded()
      await keepScreenshot(receiver.page, join(SCREENSHOTS, `large-room-screen-locked-${name}.png`))
    }
    await receiver.page.setViewportSize(SMALL_WINDOW)
    await receiver.page.getByTestId('view-3d').click()
  })

  it('a participant not let show video who shares a screen anyway (a modified client) is shown by nobody; the presenter is told once', {
    timeout: 200_000,
  }, async () => {
    const presenter = people.presenter as Participant
    const [watcher, hostile] = receivers as [Participant, Participant]
    // Every notice the presenter is shown from now on (a notice leaves after a few seconds: counted as it comes).
    await presenter.page.evaluate(() => {
      const holder = window as unknown as { __noticesSeen?: string[] }
      const seen: string[] = []
      holder.__noticesSeen = seen
      const notices = document.querySelector('[data-testid="notices"]')
      if (!notices) return
      new MutationObserver((records) => {
        for (const record of records) for (const node of record.addedNodes) seen.push(node.textContent ?? '')
      }).observe(notices, { childList: true })
    })
    const toldPresenter = async () =>
      (
        await presenter.page.evaluate(
          () => (window as unknown as { __noticesSeen?: string[] }).__noticesSeen ?? [],
        )
      ).filter((text) => text.includes('Trainee 2 shared a screen without being let show video')).length
    // What a modified client does: skip the greyed-out button and hand the call a screen of its own (a canvas
    // that changes, so it would be seen if shown). Its page publishes it on Janus and calls everyone with it.
    await shareChangingScreen(hostile.page, { tone: false })
    await expect
      .poll(async () => (await screensOf(hostile.page)).framesEncoded, { timeout: 60_000 })
      .toBeGreaterThan(0)
    // Its frames reach the others (Janus forwards a feed to whoever subscribes, and they decrypt: it holds the
    // key) while the presenter's share runs beside it...
    for (const page of [watcher.page, presenter.page]) {
      const expected = page === presenter.page ? 1 : 2
      await expect.poll(() => decodedScreenFeeds(page), { timeout: 90_000 }).toBe(expected)
    }
    // ...and the presenter is told, once.
    await expect.poll(toldPresenter, { timeout: 30_000 }).toBe(1)
    // No page shows it: the watcher shows the presenter's screen alone, the presenter none.
    expect(await shownScreens(watcher.page)).toEqual(['Dr. Presenter'])
    expect(await shownScreens(presenter.page)).toEqual([])
    const panels = await screenPanels(watcher.page)
    expect(panels).toHaveLength(1)
    expect(panels[0]?.mapVersion).toBeGreaterThan(0)
    expect(await toldPresenter()).toBe(1)

    await stopChangingScreen(hostile.page)
    await expect.poll(async () => (await screensOf(hostile.page)).publishing, { timeout: 30_000 }).toBe(false)
    await expect.poll(() => decodedScreenFeeds(watcher.page), { timeout: 30_000 }).toBe(1)
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

  it('a screen with sound (a shared tab’s) is heard by every receiver through Janus, decrypted', {
    timeout: 200_000,
  }, async () => {
    const presenter = people.presenter as Participant
    // Chromium's fake screen capture has no sound to offer, so the share is what the button hands the call after
    // getDisplayMedia with a tab's sound: a picture and a tone (a canvas and an oscillator).
    await shareChangingScreen(presenter.page, { tone: true })
    await expect
      .poll(async () => (await fullInfo(presenter.page)).screens.sendingAudio, { timeout: 60_000 })
      .toBe(true)
    for (const receiver of receivers) {
      // The first shared screen's sound the page plays (its `screen-audio` element), measured from now on.
      const screenSound = () => loudestIn(receiver.page, '[data-testid="screen-audio"]', { playing: true })
      await expect.poll(screenSound, { timeout: 90_000 }).toBeGreaterThanOrEqual(0)
      await expect.poll(screenSound, { timeout: 30_000 }).toBeGreaterThan(0.05)
      // Decrypted by the screen's own audio transform, nothing dropped.
      const info = await fullInfo(receiver.page)
      const audio = info.screens.frameIds
        .map((id) => info.frames[id])
        .filter((stats) => stats?.operation === 'decrypt' && stats.kind === 'audio')
      expect(audio.reduce((sum, stats) => sum + (stats?.passed ?? 0), 0)).toBeGreaterThan(0)
    }
    await stopChangingScreen(presenter.page)
    for (const receiver of receivers)
      await expect.poll(async () => (await screenPanels(receiver.page)).length, { timeout: 30_000 }).toBe(0)
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
    // Greyed out until the presenter lets them show video, then theirs to press.
    await expect.poll(() => sharer.page.getByTestId('share-screen').isDisabled()).toBe(true)
    await row.getByTestId('let-show-video').click()
    await expect.poll(() => sharer.page.getByTestId('camera').isDisabled(), { timeout: 30_000 }).toBe(false)
    await expect.poll(() => sharer.page.getByTestId('share-screen').isDisabled()).toBe(false)
    expect(await sharer.page.getByTestId('share-screen-hint').count()).toBe(0)

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

  it('a participant away longer than 30 s (shown as gone) who comes back is shown again by everyone, and sees and hears the presenter', {
    timeout: 300_000,
  }, async () => {
    const presenter = people.presenter as Participant
    const [watcher, away] = receivers as [Participant, Participant]
    const rowOf = (page: Page, name: string) => page.getByTestId('participant').filter({ hasText: name })
    // Its network stays down for 45 s: longer than anyone's re-dials last (RECONNECT_GIVE_UP_MS, 30 s).
    await away.page.evaluate(() =>
      (
        window as unknown as { __xrConsultCall: { debugCutServer(holdMs: number): void } }
      ).__xrConsultCall.debugCutServer(45_000),
    )
    for (const page of [presenter.page, watcher.page]) {
      // Gone: shown as such for a moment, then off the list.
      await expect
        .poll(
          async () => {
            const row = rowOf(page, 'Trainee 2')
            return (await row.count()) === 0 || (await row.getAttribute('data-status')) === 'gone'
          },
          { timeout: 90_000 },
        )
        .toBe(true)
    }
    // Back: on everyone's list as connected again...
    for (const page of [presenter.page, watcher.page])
      await expect
        .poll(
          async () =>
            rowOf(page, 'Trainee 2')
              .getAttribute('data-status', { timeout: 1000 })
              .catch(() => null),
          {
            timeout: 120_000,
          },
        )
        .toBe('connected')
    await expect
      .poll(
        async () =>
          rowOf(away.page, 'Dr. Presenter')
            .getAttribute('data-status', { timeout: 1000 })
            .catch(() => null),
        {
          timeout: 60_000,
        },
      )
      .toBe('connected')
    // ...and the one back sees the presenter's camera live and hears the presenter's microphone.
    await away.page.getByTestId('view-3d').click()
    await expectLivePresenter(away.page)
    const presenterPeer = await rowOf(away.page, 'Dr. Presenter').getAttribute('data-peer')
    await expect
      .poll(
        () =>
          loudestIn(away.page, `[data-testid="remote-audio"][data-peer="${presenterPeer}"]`, {
            playing: true,
          }),
        {
          timeout: 60_000,
        },
      )
      .toBeGreaterThan(0.01)
  })

  it('made no request to any host but the app’s own origin and the Janus server', () => {
    expect(log.foreign(suite.server.origin, [suite.janus.url])).toEqual([])
    for (const person of Object.values(people)) expect(person.errors).toEqual([])
  })
})
