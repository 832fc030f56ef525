// A large room end to end: a real Janus (Debian's, on loopback, e2e/janus.ts), the real server told about it with
// JANUS_URLS, and headless Chromium pages: a presenter with a fake camera and receivers without one, all in the
// same VideoRoom through src/net/janus-transport.ts, with CallMesh and the features on top unchanged.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { keepScreenshot, loudestFrom, newParticipant, type Participant, startConsultation } from './harness'
import {
  expectLiveGreen,
  expectLivePresenter,
  frameCounts,
  joinReceiver,
  openIntruder,
  pixelsOf,
  playingVideos,
  SMALL_WINDOW,
  transportInfo,
  useLargeRoomSuite,
} from './large-room-kit'
import { joinCall } from './real-app.mjs'

/** Receivers: small windows, no camera (the receive-only path), so six of them fit on two cores. */
const RECEIVERS = 6
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

const suite = useLargeRoomSuite(({ janus }) =>
  console.log(
    `--- janus\n${janus
      .log()
      .split('\n')
      .filter((line) => /data|sctp|channel|error|err\]/i.test(line))
      .slice(-80)
      .join('\n')}`,
  ),
)
const { log, people } = suite
/** The first test's invites, by role, for the intruder test. */
let roomInvites: Record<string, string> = {}

/** Whether the page's own microphone track is enabled (the self view's stream is the local one). */
function localAudioEnabled(page: Page): Promise<boolean | null> {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="self-view"]')
    return (video?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.enabled ?? null
  })
}

describe('a large room through Janus', () => {
  it(`a presenter and ${RECEIVERS} receivers: everyone sees the presenter live, and chat reaches each receiver once`, {
    timeout: 400_000,
  }, async () => {
    const presenter = await newParticipant(suite.browser, log)
    people.presenter = presenter
    const invites = await startConsultation(presenter.page, `${suite.server.url}?debug`, 'clinician', {
      kind: 'large',
    })
    roomInvites = invites
    for (const url of Object.values(invites)) expect(new URL(url).hash).toContain('kind=large')
    await joinCall(presenter.page, 'Dr. Presenter', { view: 'video' })

    const roles = ['specialist', 'worker', 'patient'] as const
    const receivers: Participant[] = []
    for (let i = 0; i < RECEIVERS; i++) {
      const invite = invites[roles[i % roles.length] as string] as string
      receivers.push(await joinReceiver(suite, invite, `Trainee ${i + 1}`, { key: `receiver ${i + 1}` }))
    }

    for (const receiver of receivers) await expectLivePresenter(receiver.page)
    // The presenter sees everyone in the participant list.
    for (let i = 0; i < RECEIVERS; i++) {
      await expect
        .poll(() => presenter.page.getByTestId('participants').textContent())
        .toContain(`Trainee ${i + 1}`)
    }

    const text = 'Welcome to the lecture: today, the knee.'
    await presenter.page.getByTestId('chat-input').fill(text)
    await presenter.page.getByTestId('chat-send').click()
    for (const receiver of receivers) {
      await expect
        .poll(() => receiver.page.getByTestId('chat-message').filter({ hasText: text }).count())
        .toBe(1)
    }
    // Still once a while later: nothing arrived twice over the shared data channel.
    await presenter.page.getByTestId('chat-input').fill('Second message')
    await presenter.page.getByTestId('chat-send').click()
    for (const receiver of receivers) {
      await expect
        .poll(() => receiver.page.getByTestId('chat-message').filter({ hasText: 'Second message' }).count())
        .toBe(1)
      expect(await receiver.page.getByTestId('chat-message').filter({ hasText: text }).count()).toBe(1)
    }

    // What they saw went through Janus encrypted: the presenter's video frames left through the encrypting
    // transform, each receiver decrypted them, and nothing was dropped on the way.
    const sent = await transportInfo(presenter.page)
    expect(sent.serverUrl?.replace(/\/$/, '')).toBe(suite.janus.url.replace(/\/$/, ''))
    expect(frameCounts(sent, 'encrypt', 'video').passed).toBeGreaterThan(0)
    expect(frameCounts(sent, 'encrypt', 'video').dropped).toBe(0)
    expect(sent.droppedMessages).toBe(0)
    for (const receiver of receivers) {
      const info = await transportInfo(receiver.page)
      expect(frameCounts(info, 'decrypt', 'video').passed).toBeGreaterThan(0)
      expect(frameCounts(info, 'decrypt', 'video').dropped).toBe(0)
      expect(info.droppedMessages).toBe(0)
    }
  })

  it('an intruder in the same Janus room, with its id and PIN but not the keys, gets packets it cannot decode or read', {
    timeout: 200_000,
  }, async () => {
    const presenter = people.presenter as Participant
    // The real invite (so the real Janus room id and PIN), with media and message keys from another secret.
    const intruder = await openIntruder(suite, roomInvites.worker as string)
    // Janus lets it subscribe (it has the id and PIN): the presenter's encrypted packets arrive...
    await expect
      .poll(
        async () =>
          Object.values((await transportInfo(intruder.page)).inboundVideo ?? {}).some(
            (v) => v.packetsReceived > 0,
          ),
        { timeout: 60_000 },
      )
      .toBe(true)
    // ...and the presenter's envelopes (heartbeats to the others) reach it and fail to open.
    await expect
      .poll(async () => (await transportInfo(intruder.page)).droppedMessages, { timeout: 30_000 })
      .toBeGreaterThan(0)
    const text = 'Only for the invited.'
    await presenter.page.getByTestId('chat-input').fill(text)
    await presenter.page.getByTestId('chat-send').click()
    const receiver = people['receiver 1'] as Participant
    await expect
      .poll(() => receiver.page.getByTestId('chat-message').filter({ hasText: text }).count())
      .toBe(1)
    await expect
      .poll(async () => {
        const info = await transportInfo(intruder.page)
        return Object.values(info.inboundVideo).reduce((sum, v) => sum + v.packetsReceived, 0)
      })
      .toBeGreaterThan(200)
    const info = await transportInfo(intruder.page)
    // Not one frame decoded: every frame failed to authenticate in the decrypting transform and was dropped.
    for (const video of Object.values(info.inboundVideo)) expect(video.framesDecoded).toBe(0)
    expect(frameCounts(info, 'decrypt', 'video').passed).toBe(0)
    expect(frameCounts(info, 'decrypt', 'video').dropped).toBeGreaterThan(0)
    expect(await intruder.page.getByTestId('chat-message').count()).toBe(0)
    expect(await playingVideos(intruder.page)).toBe(0)
    // And the room never took it in: the presenter's list has no eavesdropper, and its envelopes were dropped.
    expect(await presenter.page.getByTestId('participants').textContent()).not.toContain('Eavesdropper')
    expect((await transportInfo(presenter.page)).droppedMessages).toBeGreaterThan(0)
    await intruder.page.close()
  })

  it('a participant raises a hand, the presenter lets them speak, and only then is their microphone heard', {
    timeout: 200_000,
  }, async () => {
    const presenter = people.presenter as Participant
    const speaker = await newParticipant(suite.browser, log, SMALL_WINDOW)
    people.speaker = speaker
    const url = new URL(roomInvites.patient as string)
    url.search = '?debug'
    await speaker.page.goto(url.href)
    await joinCall(speaker.page, 'Trainee Speaker', { view: 'video' })
    // Joined muted: the microphone is off and its button locked, with the sentence that says what to do.
    await expect.poll(() => speaker.page.getByTestId('mic-locked').textContent()).toContain('Raise your hand')
    expect(await speaker.page.getByTestId('mute').isDisabled()).toBe(true)
    const row = presenter.page.getByTestId('participant').filter({ hasText: 'Trainee Speaker' })
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(1)
    const peerId = (await row.getAttribute('data-peer')) as string
    // The presenter receives the speaker's (silent) audio track: measure it from now on.
    await expect
      .poll(() => loudestFrom(presenter.page, peerId), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(0)

    await speaker.page.getByTestId('raise-hand').click()
    await expect.poll(() => row.getByTestId('hand').getAttribute('data-hand')).toBe('raised')
    // Raised but not yet allowed: the speaker's page still holds the microphone locked (its track disabled, so
    // only silence is sent), and nothing of the fake microphone's tone has reached the presenter.
    await expect
      .poll(() => speaker.page.getByTestId('mic-locked').textContent())
      .toContain('the presenter can let you speak')
    expect(await speaker.page.getByTestId('mute').isDisabled()).toBe(true)
    expect(await localAudioEnabled(speaker.page)).toBe(false)
    // (Silence as sent for a disabled track decodes to zeros; the tone peaks far above this.)
    expect(await loudestFrom(presenter.page, peerId)).toBeLessThan(0.001)

    // Only the presenter's page offers "Let speak"; the speaker's own row does not list themselves.
    await row.getByTestId('let-speak').click()
    await expect.poll(() => row.getByTestId('hand').getAttribute('data-hand')).toBe('speaking')
    await expect.poll(() => speaker.page.getByTestId('mute').isDisabled()).toBe(false)
    expect(await localAudioEnabled(speaker.page)).toBe(true)
    expect(await speaker.page.getByTestId('mute').textContent()).toBe('Mute')
    // Heard: the presenter's page now gets the fake microphone's tone from that participant, on a live track.
    await expect.poll(() => loudestFrom(presenter.page, peerId), { timeout: 30_000 }).toBeGreaterThan(0.01)
    const live = await presenter.page.evaluate((peer) => {
      const audio = document.querySelector<HTMLAudioElement>(
        `[data-testid="remote-audio"][data-peer="${peer}"]`,
      )
      return (audio?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.readyState
    }, peerId)
    expect(live).toBe('live')

    // Stop locks it again.
    await row.getByTestId('stop-speaking').click()
    await expect.poll(() => speaker.page.getByTestId('mute').isDisabled()).toBe(true)
    expect(await localAudioEnabled(speaker.page)).toBe(false)
    await expect.poll(() => row.getByTestId('hand').count()).toBe(0)

    // Someone who joined without camera or microphone (refused them, then "Join without camera or microphone")
    // and is let speak turns the microphone on from inside the call. Not before: heard only once let speak.
    const listener = people['receiver 2'] as Participant
    const listenerRow = presenter.page.getByTestId('participant').filter({ hasText: 'Trainee 2' })
    const listenerId = (await listenerRow.getAttribute('data-peer')) as string
    expect(await listener.page.getByTestId('mute').isDisabled()).toBe(true)
    expect(await listener.page.getByTestId('mic-start').count()).toBe(0)
    await listener.page.getByTestId('raise-hand').click()
    await expect.poll(() => listenerRow.getByTestId('hand').getAttribute('data-hand')).toBe('raised')
    await listenerRow.getByTestId('let-speak').click()
    await expect.poll(() => listenerRow.getByTestId('hand').getAttribute('data-hand')).toBe('speaking')
    // Still refused by the browser: a sentence in the call, which goes on.
    await listener.page.getByTestId('mic-start').click()
    await expect
      .poll(() => listener.page.getByTestId('mic-start-problem').textContent())
      .toContain('Access to your microphone was denied.')
    // Allowed in the site settings since: the microphone alone is asked for (the camera stays locked), and its
    // track goes on the connection published to Janus at Join, a stream that came after joining.
    await listener.page
      .context()
      .grantPermissions(['microphone'], { origin: new URL(suite.server.url).origin })
    await listener.page.getByTestId('mic-start').click()
    await expect.poll(() => listener.page.getByTestId('mute').isDisabled()).toBe(false)
    expect(await listener.page.getByTestId('mute').textContent()).toBe('Mute')
    expect(await listener.page.getByTestId('mic-start-problem').count()).toBe(0)
    expect(await listener.page.getByTestId('camera').isDisabled()).toBe(true)
    expect((await transportInfo(listener.page)).sendingVideo).toBe(false)
    // Heard: the presenter gets the fake microphone's tone from them.
    await expect
      .poll(() => loudestFrom(presenter.page, listenerId), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(0)
    await expect
      .poll(() => loudestFrom(presenter.page, listenerId), { timeout: 30_000 })
      .toBeGreaterThan(0.01)
    // Stop locks that microphone as any other.
    await listenerRow.getByTestId('stop-speaking').click()
    await expect.poll(() => listener.page.getByTestId('mute').isDisabled()).toBe(true)
    await expect.poll(() => listenerRow.getByTestId('hand').count()).toBe(0)
  })

  it('only those let show video send it: a camera not let publishes no video track; let, it is seen live; video is simulcast', {
    timeout: 300_000,
  }, async () => {
    const presenter = people.presenter as Participant
    const speaker = people.speaker as Participant
    const watcher = people['receiver 1'] as Participant
    const row = presenter.page.getByTestId('participant').filter({ hasText: 'Trainee Speaker' })
    const peerId = (await row.getAttribute('data-peer')) as string

    // The presenter's seat on the watcher's page: the one video it decodes while nobody else may send any. (Found
    // now: later the speaker's subscription, once let show video, keeps its stats after it is hidden again.)
    const decodingSeats = async () =>
      Object.entries((await transportInfo(watcher.page)).inboundVideo)
        .filter(([, v]) => v.framesDecoded > 0)
        .map(([seat]) => Number(seat))
    await expect.poll(decodingSeats, { timeout: 60_000 }).toHaveLength(1)
    const presenterSeatOnWatcher = (await decodingSeats())[0] as number

    // The speaker has a camera but was not let show video: its published connection carries no video track
    // (not even black frames), its camera button is locked, and the others show its name, not a video.
    expect((await transportInfo(speaker.page)).sendingVideo).toBe(false)
    expect(await speaker.page.getByTestId('camera').isDisabled()).toBe(true)
    const tileAt = (page: Page) => page.locator(`[data-testid="remote-tile"][data-peer="${peerId}"]`)
    await expect.poll(() => tileAt(watcher.page).getByTestId('name-tile').count()).toBe(1)
    expect(await tileAt(watcher.page).getByTestId('remote-video').count()).toBe(0)
    await expect.poll(() => tileAt(presenter.page).getByTestId('name-tile').count()).toBe(1)

    // The presenter lets them show video: their camera goes on the published connection and everyone sees it.
    await row.getByTestId('let-show-video').click()
    await expect.poll(() => transportInfo(speaker.page).then((i) => i.sendingVideo)).toBe(true)
    await expect.poll(() => speaker.page.getByTestId('camera').isDisabled()).toBe(false)
    const speakerVideo = tileAt(watcher.page).getByTestId('remote-video')
    await expect
      .poll(() => speakerVideo.evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused), {
        timeout: 60_000,
      })
      .toBe(true)
    await expectLiveGreen(async () => Buffer.from(await speakerVideo.evaluate(pixelsOf)))

    // For a reviewer: the large room as a receiver sees it, presenter large, the others a strip (screenshots/).
    for (const [name, viewport] of [
      ['laptop', { width: 1280, height: 720 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await watcher.page.setViewportSize(viewport)
      await expect.poll(() => playingVideos(watcher.page)).toBe(2)
      await keepScreenshot(watcher.page, join(SCREENSHOTS, `large-room-${name}.png`))
    }
    await watcher.page.setViewportSize(SMALL_WINDOW)

    // Hidden again: the track comes off and the tile is a name again.
    await row.getByTestId('hide-video').click()
    await expect.poll(() => transportInfo(speaker.page).then((i) => i.sendingVideo)).toBe(false)
    await expect.poll(() => tileAt(watcher.page).getByTestId('name-tile').count()).toBe(1)

    // The presenter's camera leaves in three simulcast encodings (h, m, l), all encoding frames...
    await expect
      .poll(
        async () =>
          (await transportInfo(presenter.page)).outboundVideo
            .filter((o) => o.framesEncoded > 0)
            .map((o) => o.rid)
            .sort(),
        { timeout: 30_000 },
      )
      .toEqual(['h', 'l', 'm'])
    // ...and each receiver gets the layer its panel needs: large on a large window, smallest in the strip.
    const presenterVideo = async () => {
      const info = await transportInfo(watcher.page)
      return {
        layer: info.layers[presenterSeatOnWatcher],
        width: info.inboundVideo[presenterSeatOnWatcher]?.frameWidth ?? 0,
      }
    }
    // (At 1280×1000 the large panel is about 600 px tall: more than the half layer's 360 px stretches well.)
    await watcher.page.setViewportSize({ width: 1280, height: 1000 })
    await expect.poll(() => presenterVideo().then((v) => v.layer), { timeout: 30_000 }).toBe(2)
    // The widest frame seen on the large layer: a loaded sender may scale every layer down for a while
    // (WebRTC's CPU adaptation), so a second reading may be smaller than the one that passed.
    let large = 0
    await expect
      .poll(
        () =>
          presenterVideo().then((v) => {
            large = Math.max(large, v.width)
            return v.width
          }),
        { timeout: 60_000 },
      )
      .toBeGreaterThan(320)
    // The watcher puts the speaker in the large panel (a click on their tile): the presenter moves to the strip.
    await row.getByTestId('let-show-video').click()
    await expect.poll(() => tileAt(watcher.page).getByTestId('remote-video').count()).toBe(1)
    await tileAt(watcher.page).click()
    await expect.poll(() => presenterVideo().then((v) => v.layer), { timeout: 30_000 }).toBe(0)
    await expect.poll(() => presenterVideo().then((v) => v.width), { timeout: 60_000 }).toBeLessThan(large)
    await watcher.page.setViewportSize(SMALL_WINDOW)
  })

  it('made no request to any host but the app’s own origin and the Janus server', () => {
    expect(log.urls.some((url) => url.startsWith(suite.janus.url))).toBe(true)
    expect(log.foreign(suite.server.origin, [suite.janus.url])).toEqual([])
    // The intruder's page may complain about what it could not open; everyone invited has nothing to say.
    for (const [name, person] of Object.entries(people))
      if (name !== 'intruder') expect(person.errors).toEqual([])
  })
})
