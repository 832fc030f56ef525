// The call end to end: real server process, real PeerServer, real WebRTC between headless Chromium pages with
// fake cameras, and the real 3D scene read back from screenshots.
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  expectLiveVideo,
  joinAs,
  newParticipant,
  noticesSeen,
  openInvite,
  openThreeDView,
  type Participant,
  panels,
  recordNotices,
  startConsultation,
  useAppSuite,
  waitForPanels,
} from './harness'

const suite = useAppSuite()
const { log } = suite
const people: Record<string, Participant> = {}
let invites: Record<string, string> = {}
/** Participants whose pixels no test reads get a small window: less software rendering on a two-core machine. */
const SMALL_WINDOW = { width: 640, height: 360 }

afterEach(({ task }) => {
  // On failure, print each page's connection log: the mesh is hard to debug from a timeout alone.
  if (task.result?.state !== 'fail') return
  for (const [role, person] of Object.entries(people)) console.log(`--- ${role}\n${person.trace.join('\n')}`)
})

function invite(role: string): string {
  const url = invites[role]
  if (!url) throw new Error(`no invite for ${role}`)
  return url
}

async function remoteAudioLive(page: Page): Promise<boolean[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLAudioElement>('[data-testid="remote-audio"]')].map((audio) => {
      const track = (audio.srcObject as MediaStream | null)?.getAudioTracks()[0]
      return track?.readyState === 'live' && !audio.paused
    }),
  )
}

describe('a consultation in plain 3D view', () => {
  it('two participants join through the lobby and see and hear each other on 3D panels', async () => {
    const clinician = await newParticipant(suite.browser, log)
    const patient = await newParticipant(suite.browser, log)
    for (const person of [clinician, patient]) await recordNotices(person.context)
    people.clinician = clinician
    people.patient = patient
    invites = await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    expect(Object.keys(invites)).toEqual(['patient', 'clinician', 'specialist', 'worker'])
    for (const url of Object.values(invites)) {
      // The secret travels in the fragment only; nothing about the room is in the path or the query.
      expect(new URL(url).hash).toMatch(/key=/)
      expect(new URL(url).search).toBe('')
    }
    await joinAs(clinician.page, 'Dr. Ada Clinician')
    await openInvite(patient, invite('patient'), 'Pat Patient', '?debug')

    await expectLiveVideo(clinician.page)
    await expectLiveVideo(patient.page)
    await expect.poll(() => remoteAudioLive(clinician.page), { timeout: 15_000 }).toEqual([true])
    await expect.poll(() => remoteAudioLive(patient.page), { timeout: 15_000 }).toEqual([true])
    await expect(clinician.page.getByTestId('participants').textContent()).resolves.toContain('Pat Patient')
    await expect(patient.page.getByTestId('participants').textContent()).resolves.toContain(
      'Dr. Ada Clinician',
    )
    // Connection quality from getStats, once a second, in words, with the numbers behind it (round trip, loss,
    // bitrate and frame rate) on request. (Whether it is judged good depends on how busy this machine is, so the
    // level is only checked to be one of the three, and the words to name it.)
    for (const page of [clinician.page, patient.page]) {
      const quality = page.getByTestId('quality')
      await expect
        .poll(() => quality.textContent(), { timeout: 15_000 })
        .toMatch(/^\d+\sms · \d+\.\d\s%\sloss · \d+\skb\/s · \d+\sfps$/)
      const words = page.getByTestId('quality-words')
      await expect(words.getAttribute('data-level')).resolves.toMatch(/^(good|fair|poor)$/)
      await expect(words.textContent()).resolves.toMatch(/^(Good|Fair|Poor) connection/)
    }
  })

  it('a third and fourth participant join, everyone sees the other three, and a fifth is told the room is full', {
    timeout: 300_000,
  }, async () => {
    people.specialist = await newParticipant(suite.browser, log, SMALL_WINDOW)
    people.worker = await newParticipant(suite.browser, log, SMALL_WINDOW)
    await recordNotices(people.specialist.context)
    await openInvite(people.specialist, invite('specialist'), 'Sam Specialist', '?debug')
    await openInvite(people.worker, invite('worker'), 'Wes Worker', '?debug')
    // A generous wait: four pages encoding and decoding three streams each in software on two cores is slow, and
    // a slow machine must not fail a test that is about who sees whom.
    for (const person of Object.values(people)) {
      await waitForPanels(person.page, 3, 120_000)
      // In view once the view has framed them: a role learnt after a panel appeared moves the panels after a
      // patient's along (room for the vitals monitor), and the view frames the new arc within a moment.
      await expect
        .poll(async () => (await panels(person.page)).filter((p) => !p.inView).map((p) => p.peerId), {
          timeout: 10_000,
        })
        .toEqual([])
    }
    const fifth = await newParticipant(suite.browser, log, SMALL_WINDOW)
    await fifth.page.goto(invite('patient'))
    await fifth.page.getByTestId('name').fill('Fifth Person')
    // With four pages already rendering and coding video in software, the fifth page's camera preview (which
    // enables Join) can take long to start: this test is about the room being full, not about speed.
    await fifth.page.getByTestId('join').click({ timeout: 120_000 })
    await expect
      .poll(() => fifth.page.getByTestId('error').textContent(), { timeout: 60_000 })
      .toMatch(/This consultation is full \(4 participants\)/)
    await expect(fifth.page.getByTestId('call').count()).resolves.toBe(0)
    await fifth.context.close()
    // Nobody else saw the fifth person.
    for (const person of Object.values(people)) expect(await panels(person.page)).toHaveLength(3)
  })

  it('a participant who leaves disappears from everyone’s scene with a notice', async () => {
    const worker = people.worker as Participant
    await worker.page.getByTestId('leave').click({ timeout: 60_000 })
    delete people.worker
    for (const person of Object.values(people)) {
      await person.page.waitForFunction(() => window.__xrConsult?.panels().length === 2, undefined, {
        timeout: 10_000,
      })
      await expect.poll(() => noticesSeen(person.page)).toContain('Wes Worker left the call.')
    }
    await worker.context.close()
  })

  it('a participant whose tab dies is noticed within 10 s, re-dialed, and then gone', async () => {
    const specialist = people.specialist as Participant
    delete people.specialist
    // A renderer crash: no pagehide, no goodbye, the data channel is just never heard from again.
    const cdp = await specialist.context.newCDPSession(specialist.page)
    void cdp.send('Page.crash').catch(() => undefined)
    for (const person of Object.values(people)) {
      // Noticed: no longer shown as connected (heartbeats and transport silent for 3 s).
      await person.page.waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="participant"]')].every(
            (row) => !row.textContent?.includes('Sam Specialist') || row.dataset.status !== 'connected',
          ),
        undefined,
        { timeout: 10_000 },
      )
    }
    for (const person of Object.values(people)) {
      // Gone once the re-dial finds nobody at the server: the panel goes.
      await person.page.waitForFunction(() => window.__xrConsult?.panels().length === 1, undefined, {
        timeout: 20_000,
      })
    }
    for (const person of Object.values(people)) {
      await expect(person.page.getByTestId('notices').textContent()).resolves.toMatch(
        /Sam Specialist left the call\.|The connection to Sam Specialist was lost\./,
      )
    }
    await specialist.context.close()
  })

  it('made no request to any host but the app’s own origin', () => {
    expect(log.urls.length).toBeGreaterThan(20)
    expect(log.urls.some((url) => url.includes('/peerjs/'))).toBe(true)
    expect(log.foreign(suite.server.origin)).toEqual([])
    for (const person of Object.values(people)) expect(person.errors).toEqual([])
  })
})

/**
 * Holds the page's getUserMedia until the test calls `window.__grantMedia()`: a person who clicks Join while the
 * browser's camera and microphone prompt is still open, and answers it later.
 */
function holdCameraPermission() {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices)
  let grant: () => void = () => undefined
  const granted = new Promise<void>((resolve) => {
    grant = resolve
  })
  Object.assign(window, { __grantMedia: () => grant() })
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    await granted
    return original(constraints)
  }
}

/** Answers the held prompt (holdCameraPermission): the page's camera and microphone stream comes now. */
async function grantCameraPermission(page: Page) {
  await page.evaluate(() => (window as unknown as { __grantMedia: () => void }).__grantMedia())
}

/** Joins at once: the name, then Join, without waiting for the camera preview (Join does not wait for it). */
async function joinWithoutWaiting(page: Page, name: string) {
  await page.getByTestId('name').fill(name)
  // The point of this test: the page has no camera stream yet when Join is clicked.
  expect(await page.getByTestId('self-preview').evaluate((video: HTMLVideoElement) => video.srcObject)).toBe(
    null,
  )
  await page.getByTestId('join').click()
  await page.getByTestId('call').waitFor({ timeout: 30_000 })
  await openThreeDView(page)
}

describe('joining before the camera permission is answered', () => {
  it('a clinician and a patient who both click Join before answering it see and hear each other once they do', {
    timeout: 180_000,
  }, async () => {
    // The first call's pages are done with; four pages rendering in software on two cores would only slow this.
    for (const [role, person] of Object.entries(people)) {
      await person.context.close()
      delete people[role]
    }
    const clinician = await suite.participant()
    const patient = await suite.participant()
    people.early_clinician = clinician
    people.early_patient = patient
    for (const person of [clinician, patient]) await person.context.addInitScript(holdCameraPermission)
    const earlyInvites = await startConsultation(clinician.page, `${suite.server.url}?debug`, 'clinician')
    await joinWithoutWaiting(clinician.page, 'Dr. Early')
    // The patient opens the invite right after: the clinician's dials to the empty seats are still waiting at the
    // server for someone to take them, their camera calls made without a camera.
    const patientUrl = new URL(earlyInvites.patient as string)
    patientUrl.search = '?debug'
    await patient.page.goto(patientUrl.href)
    await joinWithoutWaiting(patient.page, 'Pat Early')
    await clinician.page.getByTestId('participants').getByText('Pat Early').waitFor({ timeout: 30_000 })
    await patient.page.getByTestId('participants').getByText('Dr. Early').waitFor({ timeout: 30_000 })

    // Each answers the prompt in the call; one side's camera reaching the other does not depend on the order.
    await grantCameraPermission(clinician.page)
    await expectLiveVideo(patient.page)
    await expect.poll(() => remoteAudioLive(patient.page), { timeout: 30_000 }).toEqual([true])
    await grantCameraPermission(patient.page)
    await expectLiveVideo(clinician.page)
    await expect.poll(() => remoteAudioLive(clinician.page), { timeout: 30_000 }).toEqual([true])
    // The clinician's video still reaches the patient after the patient's own stream changed the calls.
    await expectLiveVideo(patient.page)
    await expect.poll(() => remoteAudioLive(patient.page), { timeout: 30_000 }).toEqual([true])
    expect(log.foreign(suite.server.origin)).toEqual([])
    for (const person of [clinician, patient]) expect(person.errors).toEqual([])
  })
})
