import { describe, expect, it } from 'vitest'
import {
  DEAD_PEER_MS,
  type DuplicateLinkFacts,
  HUNG_PEER_MS,
  peerIsGone,
  resolveDuplicateLink,
  videoSendBudget,
} from './mesh'

/** The connection each side ends up using, named by who dialed it. */
function outcome(a: number, b: number, knownAtA: string | null, knownAtB: string | null) {
  const atA = resolveDuplicateLink({
    mySeat: a,
    remoteSeat: b,
    existingOrigin: 'outgoing',
    existingRemoteSession: knownAtA,
    incomingSession: 'session-b',
  })
  const atB = resolveDuplicateLink({
    mySeat: b,
    remoteSeat: a,
    existingOrigin: 'outgoing',
    existingRemoteSession: knownAtB,
    incomingSession: 'session-a',
  })
  // At A, 'existing' is A's dial and 'incoming' is B's; at B the other way round.
  return { atA: atA === 'existing' ? a : b, atB: atB === 'existing' ? b : a }
}

describe('resolveDuplicateLink', () => {
  it('makes both sides keep the same connection, the lower seat’s, whatever each has heard yet', () => {
    for (const [a, b] of [
      [0, 1],
      [2, 3],
      [1, 3],
      [3, 0],
    ] as const) {
      for (const knownAtA of [null, 'session-b']) {
        for (const knownAtB of [null, 'session-a']) {
          const { atA, atB } = outcome(a, b, knownAtA, knownAtB)
          expect(atA).toBe(Math.min(a, b))
          expect(atB).toBe(Math.min(a, b))
        }
      }
    }
  })

  it('lets a participant who rejoined in the same seat replace the dead link', () => {
    const facts: DuplicateLinkFacts = {
      mySeat: 0,
      remoteSeat: 2,
      existingOrigin: 'outgoing',
      existingRemoteSession: 'old-session',
      incomingSession: 'new-session',
    }
    expect(resolveDuplicateLink(facts)).toBe('incoming')
    expect(resolveDuplicateLink({ ...facts, existingOrigin: 'incoming' })).toBe('incoming')
  })

  it('takes a fresh dial from the same remote over its older incoming connection', () => {
    expect(
      resolveDuplicateLink({
        mySeat: 0,
        remoteSeat: 1,
        existingOrigin: 'incoming',
        existingRemoteSession: 's',
        incomingSession: 's',
      }),
    ).toBe('incoming')
  })
})

describe('resolveDuplicateLink after a PeerServer restart', () => {
  // The history from the reliability issue: seats 0 and 1 are in a call and had dialed the empty seats 2 and 3
  // when the PeerServer stopped; the server came back, both re-registered, and a newcomer took seat 2 and dialed
  // them. Their own dials to seat 2 were made through the server that died: they can never connect.
  const newcomerDial = (mySeat: number): DuplicateLinkFacts => ({
    mySeat,
    remoteSeat: 2,
    existingOrigin: 'outgoing',
    existingIsStaleDial: true,
    existingRemoteSession: null,
    incomingSession: 'specialist-session',
  })

  it('lets the newcomer’s live dial win over each seated participant’s stale dial to that seat', () => {
    expect(resolveDuplicateLink(newcomerDial(0))).toBe('incoming')
    expect(resolveDuplicateLink(newcomerDial(1))).toBe('incoming')
  })

  it('still settles two live dials by the lower seat, so both sides keep the same connection', () => {
    expect(resolveDuplicateLink({ ...newcomerDial(0), existingIsStaleDial: false })).toBe('existing')
    expect(
      resolveDuplicateLink({
        mySeat: 2,
        remoteSeat: 0,
        existingOrigin: 'outgoing',
        existingIsStaleDial: false,
        existingRemoteSession: null,
        incomingSession: 'clinician-session',
      }),
    ).toBe('incoming')
  })
})

describe('peerIsGone', () => {
  const quiet = (
    messageSilenceMs: number,
    transportSilenceMs: number | null,
    ice: RTCIceConnectionState = 'connected',
  ) => peerIsGone({ messageSilenceMs, transportSilenceMs, ice })

  it('keeps a peer whose messages are late while its transport still carries data, up to the hung limit', () => {
    expect(quiet(8000, 200)).toBe(false)
    expect(quiet(HUNG_PEER_MS - 1, 200)).toBe(false)
    expect(quiet(HUNG_PEER_MS + 1, 200)).toBe(true)
  })

  it('drops a peer once messages and transport are both silent, and a failed one at once', () => {
    expect(quiet(DEAD_PEER_MS - 1, DEAD_PEER_MS + 1)).toBe(false)
    expect(quiet(DEAD_PEER_MS + 1, DEAD_PEER_MS - 1)).toBe(false)
    expect(quiet(DEAD_PEER_MS + 1, DEAD_PEER_MS + 1)).toBe(true)
    expect(quiet(0, 0, 'failed')).toBe(true)
    expect(quiet(0, 0, 'closed')).toBe(true)
  })

  it('concludes nothing from the transport while our own sampling is behind, short of the hung limit', () => {
    expect(quiet(DEAD_PEER_MS + 1, null)).toBe(false)
    expect(quiet(HUNG_PEER_MS + 1, null)).toBe(true)
  })

  // Through the SFU: what arrives from a receive-only peer is only its messages, so its transport is as silent as
  // they are while its page is busy; Janus still having it in the room is what says it is there.
  const relayed = (
    messageSilenceMs: number,
    transportSilenceMs: number | null,
    relayPresent: boolean,
    mediaSilenceMs: number | null = null,
  ) => peerIsGone({ messageSilenceMs, transportSilenceMs, ice: 'connected', relayPresent, mediaSilenceMs })

  it('keeps a relayed peer without media that the relay still has, however silent, up to the hung limit', () => {
    expect(relayed(DEAD_PEER_MS + 1, DEAD_PEER_MS + 1, true)).toBe(false)
    expect(relayed(HUNG_PEER_MS - 1, HUNG_PEER_MS - 1, true)).toBe(false)
    expect(relayed(HUNG_PEER_MS + 1, HUNG_PEER_MS + 1, true)).toBe(true)
    // Its media ended long before its messages (a microphone taken back): still the relay's word.
    expect(relayed(DEAD_PEER_MS + 1, DEAD_PEER_MS + 1, true, 60_000)).toBe(false)
    expect(
      peerIsGone({ messageSilenceMs: 0, transportSilenceMs: 0, ice: 'failed', relayPresent: true }),
    ).toBe(true)
  })

  it('judges a relayed peer whose media stopped with its messages by its transport, as a direct one', () => {
    expect(relayed(DEAD_PEER_MS + 1, DEAD_PEER_MS + 1, true, DEAD_PEER_MS + 1)).toBe(true)
    expect(relayed(DEAD_PEER_MS + 1, DEAD_PEER_MS + 1, true, DEAD_PEER_MS + 500)).toBe(true)
    // A busy page whose media still flows: its transport is not silent.
    expect(relayed(DEAD_PEER_MS + 1, 100, true, 100)).toBe(false)
  })

  it('judges a relayed peer the relay no longer has by its messages and transport', () => {
    expect(relayed(DEAD_PEER_MS + 1, DEAD_PEER_MS + 1, false)).toBe(true)
    expect(relayed(DEAD_PEER_MS + 1, DEAD_PEER_MS - 1, false)).toBe(false)
  })
})

describe('videoSendBudget', () => {
  it('shares the uplink between the copies and stays within it', () => {
    for (let remotes = 1; remotes <= 3; remotes++) {
      const budget = videoSendBudget(remotes)
      expect(budget.maxBitrate * remotes).toBeLessThanOrEqual(1_500_000)
      expect(budget.maxBitrate).toBeGreaterThanOrEqual(300_000)
    }
    expect(videoSendBudget(1).scaleResolutionDownBy).toBe(1)
    expect(videoSendBudget(3).scaleResolutionDownBy).toBe(2)
  })
})
