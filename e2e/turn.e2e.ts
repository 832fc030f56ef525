// TURN end to end: a real coturn on loopback, the real server configured with ICE_SERVERS (TURN with long-term
// credentials) and ICE_TRANSPORT_POLICY=relay, and two Chromium participants whose every packet must go through
// the relay. Relay-only Chromium gathers no host candidates, so a call that works here is a call through TURN.
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTurnServer, type TurnServer } from './coturn'
import {
  type AppServer,
  expectLiveVideo,
  joinAs,
  launchChromium,
  newParticipant,
  openInvite,
  type Participant,
  RequestLog,
  startAppServer,
  startConsultation,
} from './harness'

declare global {
  interface Window {
    /** Every RTCPeerConnection the page created, recorded by `relayParticipant`. */
    __peerConnections?: RTCPeerConnection[]
  }
}

interface SelectedPair {
  policy: RTCIceTransportPolicy | undefined
  local: string | undefined
  remote: string | undefined
  relayProtocol: string | undefined
}

let turn: TurnServer
let browser: Browser
const servers: AppServer[] = []
const log = new RequestLog()
const people: Participant[] = []

beforeAll(async () => {
  turn = await startTurnServer()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  for (const server of servers) await server.stop()
  await turn?.stop()
})

afterEach(({ task }) => {
  if (task.result?.state !== 'fail') return
  for (const person of people) console.log(`--- page\n${person.trace.join('\n')}`)
  // Its verbose log is long; the end holds the sessions of the failed test.
  console.log(`--- coturn (end)\n${turn.log().split('\n').slice(-80).join('\n')}`)
})

/** The app server, its clients told to use only the given TURN server. */
async function relayOnlyServer(iceServer: TurnServer['iceServer']): Promise<AppServer> {
  const server = await startAppServer({
    ICE_SERVERS: JSON.stringify([iceServer]),
    ICE_TRANSPORT_POLICY: 'relay',
  })
  servers.push(server)
  return server
}

/**
 * A participant whose page records every RTCPeerConnection it creates, so the test can ask each one which
 * candidate pair ICE selected. Installed before any page script runs, so PeerJS gets the recording subclass.
 */
async function relayParticipant(): Promise<Participant> {
  const person = await newParticipant(browser, log)
  await person.page.addInitScript(() => {
    const Native = window.RTCPeerConnection
    const created: RTCPeerConnection[] = []
    window.__peerConnections = created
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration)
        created.push(this)
      }
    }
  })
  people.push(person)
  return person
}

/** The candidate types of the selected pair of each connected RTCPeerConnection on the page. */
function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const connected = (window.__peerConnections ?? []).filter((pc) => pc.connectionState === 'connected')
    return Promise.all(
      connected.map(async (pc) => {
        const stats = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>
        const byId = new Map(stats.map((s) => [s.id, s]))
        const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId)
        const pair =
          byId.get(transport?.selectedCandidatePairId) ??
          stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded')
        const local = byId.get(pair?.localCandidateId)
        return {
          policy: pc.getConfiguration().iceTransportPolicy,
          local: local?.candidateType as string | undefined,
          remote: byId.get(pair?.remoteCandidateId)?.candidateType as string | undefined,
          relayProtocol: local?.relayProtocol as string | undefined,
        }
      }),
    )
  })
}

/** The types of every candidate the page's connections gathered or received (relay-only gathers only relay). */
function candidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const types = new Set<string>()
    for (const pc of window.__peerConnections ?? []) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'local-candidate' || s.type === 'remote-candidate') types.add(s.candidateType)
      }
    }
    return [...types].sort()
  })
}

/** coturn's count of allocations it granted so far (one log line per new TURN session). */
function allocations(): number {
  return turn.log().match(/new, realm=<xr-consult\.test>, username=<consult>/g)?.length ?? 0
}

describe('a relay-only call through a real TURN server (coturn on loopback)', () => {
  it('carries video and data, and both ends of every connection are relay candidates', async () => {
    const server = await relayOnlyServer(turn.iceServer)
    const config = await (await fetch(new URL('/config.json', server.origin))).json()
    expect(config).toMatchObject({ iceServers: [turn.iceServer], iceTransportPolicy: 'relay' })

    const clinician = await relayParticipant()
    const patient = await relayParticipant()
    const invites = await startConsultation(clinician.page, `${server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Relay Clinician')
    await openInvite(patient, invites.patient as string, 'Pat Relay Patient', '?debug')

    // Video: each sees the other's live camera on the 3D panel.
    await expectLiveVideo(clinician.page)
    await expectLiveVideo(patient.page)
    // Data: the names arrived in the hello over the data channel, and a mute travels the same way.
    await clinician.page.getByTestId('participants').getByText('Pat Relay Patient').waitFor()
    await patient.page.getByTestId('participants').getByText('Dr. Relay Clinician').waitFor()
    await patient.page.getByTestId('mute').click()
    await clinician.page.getByTestId('participants').getByText('muted').waitFor()

    // The path: every connected RTCPeerConnection (PeerJS makes one for data, one for media) selected a pair
    // whose local and remote candidates are both relay addresses on coturn, over UDP as configured.
    for (const page of [clinician.page, patient.page]) {
      const pairs = await selectedPairs(page)
      expect(pairs.length).toBeGreaterThanOrEqual(2)
      for (const pair of pairs) {
        expect(pair).toEqual({ policy: 'relay', local: 'relay', remote: 'relay', relayProtocol: 'udp' })
      }
      expect(await candidateTypes(page)).toEqual(['relay'])
    }
    // And coturn itself granted the allocations: without it there would be no relay candidate at all.
    expect(allocations()).toBeGreaterThanOrEqual(2)

    for (const person of [clinician, patient]) expect(person.errors).toEqual([])
    await patient.page.getByTestId('leave').click()
    await clinician.page.getByTestId('leave').click()
    // Two fewer pages rendering on a two-core machine for the next test.
    for (const person of [clinician, patient]) await person.context.close()
  })

  it('carries nothing when the TURN password is wrong (the relay is the only way)', async () => {
    const server = await relayOnlyServer({ ...turn.iceServer, credential: 'wrong-password' })
    const before = allocations()
    const clinician = await relayParticipant()
    const patient = await relayParticipant()
    const invites = await startConsultation(clinician.page, `${server.url}?debug`, 'clinician')
    await joinAs(clinician.page, 'Dr. Refused')
    await openInvite(patient, invites.patient as string, 'Pat Refused', '?debug')
    // Not a timed wait for nothing to happen: wait until both pages have finished gathering candidates (coturn
    // answered every allocation with an error), at which point ICE has nothing it could ever connect over.
    for (const page of [clinician.page, patient.page]) {
      await page.waitForFunction(() => {
        const dialed = (window.__peerConnections ?? []).filter(
          (pc) => pc.signalingState !== 'closed' && pc.iceGatheringState !== 'new',
        )
        return dialed.length > 0 && dialed.every((pc) => pc.iceGatheringState === 'complete')
      })
      expect(await candidateTypes(page)).toEqual([])
      expect(await selectedPairs(page)).toEqual([])
      expect(
        await page.evaluate(() => window.__xrConsult?.panels().filter((p) => p.showsVideo) ?? []),
      ).toEqual([])
    }
    expect(allocations()).toBe(before)
    expect(turn.log()).toMatch(/user consult credentials are incorrect/)
    for (const person of [clinician, patient]) await person.context.close()
  })

  it('made no request to any host but the app’s own origins', () => {
    expect(log.urls.length).toBeGreaterThan(10)
    const [first, second] = servers
    if (!first || !second) throw new Error('both app servers should have run')
    // No HTTP or WebSocket request from any page went beyond its own server (ICE traffic is covered above:
    // relay-only pages whose one TURN server is the local coturn).
    const foreignToSecond = new Set(log.foreign(second.origin))
    expect(log.foreign(first.origin).filter((url) => foreignToSecond.has(url))).toEqual([])
  })
})
