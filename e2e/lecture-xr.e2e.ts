import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ARC_RADIUS, FEATURED_DISTANCE, FEATURED_LAYER, TILE_LAYER } from '../src/scenes/lecture-layout'
import { keepScreenshot, newParticipant, type Participant, startConsultation } from './harness'
import { joinReceiver, SMALL_WINDOW, transportInfo, useLargeRoomSuite, withDebug } from './large-room-kit'
import { joinCall, openThreeDView } from './real-app.mjs'
import {
  aimRightController,
  clickTrigger,
  nextXrFrames,
  type Vec3,
  worldPosition,
  xrFrames,
} from './xr-harness'

/**
 * Receive-only trainees (no camera: name cards on their tiles), plus one trainee with a camera who asks to speak.
 * Three, not the six of large-room.e2e (which checks that many receivers): with eight pages on two cores, the page
 * entering VR was seen to stall for 70-90 s, long enough for Janus to destroy its session (clean-clone runs of
 * 2026-12-07; the cause is not found, see README's known problems). The arc, the XR menu and the floor are the same
 * with four tiles.
 */
const RECEIVERS = 3
/** Where the emulated right controller is held: beside the user's chest. */
const HAND: Vec3 = [0.15, 1.35, -0.2]
/** Lower and further out, for the in-XR buttons under the tiles (about 0.9 m high, 0.55 m out). */
const EXIT_HAND: Vec3 = [0.1, 1.15, -0.3]
/** Screenshots to look at, outside the repository. */
const SHOTS = join(tmpdir(), 'lecture-xr-shots')

const suite = useLargeRoomSuite()
const { log, people } = suite

type Named = { name: string; x: number; y: number; inView: boolean }

function tiles(page: Page): Promise<Named[]> {
  return page.evaluate(() => window.__xrConsult?.named('tile:') ?? [])
}

/**
 * The simulcast layer the page asks Janus for of the one video it receives (the trainee with a camera: everyone
 * else sends none), read from its transport (`?debug`); undefined until that video arrives.
 */
async function layerOfTheOnlyVideo(page: Page): Promise<number | null | undefined> {
  const info = await transportInfo(page)
  const seat = Object.entries(info.inboundVideo ?? {}).find(([, v]) => v.packetsReceived > 0)?.[0]
  return seat === undefined ? undefined : info.layers[seat]
}

/** The peer ids of the large panels the page's scene shows (one in a large room). */
function featuredPanels(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__xrConsult?.panels().map((p) => p.peerId) ?? [])
}

/**
 * Where the object named `name` is once it stays put over a few XR frames (to 1 mm), or null when it is not in the
 * scene or still moving (a menu laying itself out, a tile the arc is moving).
 */
async function settledPosition(page: Page, name: string): Promise<Vec3 | null> {
  const read = () => page.evaluate((n) => window.__xrConsult?.worldPosition(n) ?? null, name)
  const before = await read()
  if (!before) return null
  await nextXrFrames(page)
  const after = await read()
  if (!after || Math.hypot(...after.map((v, i) => v - (before[i] as number))) > 0.001) return null
  return after
}

/**
 * What is wrong with the tiles on the page's arc, read in one evaluation (empty when all is right): every tile on
 * the arc's radius, in front of the user, below the large panel (its centre at height `featuredY`) and in the
 * headset's view, and `expected` among them.
 */
function arcProblems(page: Page, expected: string, featuredY: number): Promise<string[]> {
  return page.evaluate(
    ({ expected, featuredY, radius }) => {
      const probe = window.__xrConsult
      if (!probe) return ['no probe']
      const onArc = probe.named('tile:')
      const problems: string[] = []
      if (!onArc.some((tile) => tile.name === expected)) problems.push(`${expected} not on the arc`)
      for (const tile of onArc) {
        const position = probe.worldPosition(tile.name)
        if (!position) {
          problems.push(`${tile.name} gone`)
          continue
        }
        const [x, y, z] = position
        if (Math.abs(Math.hypot(x, z) - radius) >= 0.005) problems.push(`${tile.name} off the arc`)
        if (z >= 0) problems.push(`${tile.name} behind the user`)
        if (y >= featuredY) problems.push(`${tile.name} not below the large panel`)
        if (!tile.inView) problems.push(`${tile.name} out of the headset's view`)
      }
      return problems
    },
    { expected, featuredY, radius: ARC_RADIUS },
  )
}

describe('a large room in emulated VR', () => {
  it('shows the presenter one large panel and the class as tiles on the arc (tiles at the smallest simulcast layer); a raised hand is let speak from the XR menu and takes the large panel, and a receiver’s large panel follows who speaks', {
    timeout: 900_000,
  }, async () => {
    // 800x450: the emulated headset renders two eyes in software, and a click must fit in one XR frame.
    const presenter = await newParticipant(suite.browser, log, { width: 800, height: 450 })
    people.presenter = presenter
    const invites = await startConsultation(
      presenter.page,
      `${suite.server.url}?emulate=quest3&devui=0&debug`,
      'clinician',
      {
        kind: 'large',
      },
    )
    await joinCall(presenter.page, 'Dr. Presenter')
    // The presenter's microphone off: the only voice the receivers hear is then the trainee's, once let speak (the
    // fake microphones all play the same tone, so two open ones would leave who is loudest to chance).
    await presenter.page.getByTestId('mute').click()
    await expect.poll(() => presenter.page.getByTestId('mute').getAttribute('aria-pressed')).toBe('true')

    for (let i = 0; i < RECEIVERS; i++)
      await joinReceiver(suite, invites.patient as string, `Trainee ${i + 1}`, { key: `receiver ${i + 1}` })
    const watcher = people['receiver 1'] as Participant
    // The one who will ask to speak joins last, so their place is a tile (the first in the room holds the large
    // panel while nobody has the floor).
    const speaker = await newParticipant(suite.browser, log, SMALL_WINDOW)
    people.speaker = speaker
    await speaker.page.goto(withDebug(invites.specialist as string))
    await joinCall(speaker.page, 'Trainee Speaker', { view: 'video' })
    await expect.poll(() => speaker.page.getByTestId('mute').isDisabled()).toBe(true)

    const row = presenter.page.getByTestId('participant').filter({ hasText: 'Trainee Speaker' })
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(1)
    const speakerPeer = (await row.getAttribute('data-peer')) as string
    await expect.poll(() => tiles(presenter.page).then((t) => t.length), { timeout: 60_000 }).toBe(RECEIVERS)
    // The presenter puts the trainee on camera: their tile shows video, and asks Janus for the smallest layer.
    await row.getByTestId('let-show-video').click()
    await expect.poll(() => layerOfTheOnlyVideo(presenter.page), { timeout: 60_000 }).toBe(TILE_LAYER)

    // Right after entering VR, in software GL beside seven other pages, this page has been seen to answer nothing
    // for 30-90 s (clean-clone runs: Playwright's after-click check timed out; no log line for 70 s, then Janus
    // destroyed its session and every link was lost and re-made). The click does not wait on the page, and what
    // follows is waited for until the page is back with everyone. The cause of the stall is not found yet.
    await presenter.page.getByTestId('enter-vr').click({ noWaitAfter: true })
    await expect.poll(() => xrFrames(presenter.page), { timeout: 180_000 }).toBeGreaterThan(10)

    // One large panel, straight ahead and farther; every other participant a tile on the arc, in view, below it.
    // Read in one go and until it holds: the arc closes up when someone's connection drops for a moment, so a tile
    // listed one moment may be gone the next.
    await expect
      .poll(() => presenter.page.evaluate(() => window.__xrConsult?.panels().length ?? 0), {
        timeout: 180_000,
      })
      .toBe(1)
    const panels = await presenter.page.evaluate(() => window.__xrConsult?.panels() ?? [])
    const featured = await worldPosition(presenter.page, `panel-video:${panels[0]?.peerId}`)
    expect(featured[2]).toBeCloseTo(-FEATURED_DISTANCE, 1)
    await expect
      .poll(() => arcProblems(presenter.page, `tile:${speakerPeer}`, featured[1]), { timeout: 180_000 })
      .toEqual([])
    await keepScreenshot(presenter.page, join(SHOTS, 'vr-presenter-arc.png'))

    // A hand raised on the 2D page shows on its tile in VR. Waited for generously: on a loaded machine the page that
    // just entered VR beside seven others has been seen to answer nothing for over a minute (a clean run of
    // 2026-12-07: no log line for 90 s, then every link lost and re-dialed, Janus and the PeerServer re-joined); the
    // hand arrives with the call's state once it is back. The stall's cause is not found yet.
    expect(await worldPosition(presenter.page, `tile-hand:${speakerPeer}`).catch(() => null)).toBeNull()
    await speaker.page.getByTestId('raise-hand').click()
    await expect
      .poll(
        () =>
          presenter.page.evaluate(
            (n) => window.__xrConsult?.worldPosition(n) ?? null,
            `tile-hand:${speakerPeer}`,
          ),
        { timeout: 180_000 },
      )
      .not.toBeNull()
    await keepScreenshot(presenter.page, join(SHOTS, 'vr-hand-raised.png'))

    // The presenter points the controller at the tile and clicks: the menu; then Let speak. Each try looks at where
    // things stand and does the next step, aimed afresh: the arc closes up when someone's connection drops for a
    // moment (moving the tile and its menu under the ray), and a uikit menu lays its buttons out over its first
    // frames, so a button is aimed at only once it has stopped moving. A click that landed on Lower hand instead
    // shows as the trainee's hand down: the trainee raises it again and the presenter tries again.
    const menuText = () => presenter.page.evaluate(() => window.__xrConsult?.uikitText('tile-menu') ?? [])
    let menuSeen = false
    await expect
      .poll(
        async () => {
          if (!(await speaker.page.getByTestId('mute').isDisabled())) return 'speaking'
          if ((await speaker.page.getByTestId('raise-hand').textContent()) === 'Raise hand') {
            await speaker.page.getByTestId('raise-hand').click()
            return 'the trainee raised the hand again'
          }
          const button = await settledPosition(presenter.page, 'tile-let-speak')
          if (button) {
            menuSeen = true
            await keepScreenshot(presenter.page, join(SHOTS, 'vr-tile-menu.png'))
            await aimRightController(presenter.page, button, HAND)
            await clickTrigger(presenter.page)
            return 'clicked Let speak'
          }
          const text = await menuText()
          if (text.length === 0) {
            const tile = await settledPosition(presenter.page, `tile-frame:${speakerPeer}`)
            if (!tile) return 'the tile is moving'
            await aimRightController(presenter.page, tile, HAND)
            await clickTrigger(presenter.page)
            return 'clicked the tile'
          }
          return `menu open: ${text.join(' / ')}`
        },
        // Generous: with several pages on two busy cores a try (settle, aim, click, look) can take half a minute; a
        // press of a few XR frames counts as a click however long they took (src/xr/frame-counted-clicks.ts:
        // before it, frames of over 600 ms on a loaded machine made every try miss).
        { timeout: 180_000, interval: 500 },
      )
      .toBe('speaking')
    expect(menuSeen, 'the Let speak button was seen in the tile menu').toBe(true)

    // The trainee's microphone unlocks, and whoever has the floor takes the large panel, at the full layer.
    await expect.poll(() => featuredPanels(presenter.page)).toEqual([speakerPeer])
    await expect
      .poll(() => tiles(presenter.page).then((t) => t.map((tile) => tile.name)))
      .not.toContain(`tile:${speakerPeer}`)
    await expect.poll(() => layerOfTheOnlyVideo(presenter.page), { timeout: 30_000 }).toBe(FEATURED_LAYER)
    // A receiver who hears the trainee (the presenter is muted) shows them on the large panel of its 3D view, not
    // the presenter (who has it while nobody else is heard). Only now in 3D: a seventh page rendering a scene on two
    // cores made the clicks above miss their XR frames. Back to the video layout after.
    const speakerOnWatcher = await watcher.page
      .getByTestId('participant')
      .filter({ hasText: 'Trainee Speaker' })
      .getAttribute('data-peer')
    await openThreeDView(watcher.page)
    await expect.poll(() => featuredPanels(watcher.page), { timeout: 60_000 }).toEqual([speakerOnWatcher])
    await keepScreenshot(watcher.page, join(SHOTS, 'receiver-3d-speaker-featured.png'))
    await watcher.page.getByTestId('view-3d').click()
    await watcher.page.locator('[data-testid="call"][data-view="video"]').waitFor()
    await keepScreenshot(presenter.page, join(SHOTS, 'vr-speaker-featured.png'))

    // Leave VR from the in-XR button (pressed without waiting for XR frames after: the session ends); the tab's
    // 3D view frames the same room (screenshots to look at).
    const exitButton = () =>
      presenter.page.evaluate(() => window.__xrConsult?.worldPosition('xr-exit') ?? null)
    await expect
      .poll(
        async () => {
          const exit = await exitButton()
          if (exit) {
            await aimRightController(presenter.page, exit, EXIT_HAND)
            await clickTrigger(presenter.page, { waitAfter: false })
          }
          return exitButton()
        },
        // As for Let speak: a try can take long on busy cores, and a press of a few frames counts however long they took.
        { timeout: 180_000, interval: 1000 },
      )
      .toBeNull()
    await presenter.page.setViewportSize({ width: 1280, height: 720 })
    await expect
      .poll(() => tiles(presenter.page).then((t) => t.length > 0 && t.every((tile) => tile.inView)))
      .toBe(true)
    await keepScreenshot(presenter.page, join(SHOTS, 'tab-1280x720.png'))
    await presenter.page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(() => tiles(presenter.page).then((t) => t.every((tile) => tile.inView))).toBe(true)
    await keepScreenshot(presenter.page, join(SHOTS, 'tab-390x844.png'))
  })

  it('made no request to any host but the app’s own origin and the Janus server', () => {
    expect(log.foreign(suite.server.origin, [suite.janus.url])).toEqual([])
    for (const person of Object.values(people)) expect(person.errors).toEqual([])
  })
})
