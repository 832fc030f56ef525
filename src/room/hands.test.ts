import { describe, expect, it } from 'vitest'
import {
  applyCameraOp,
  applyHandOp,
  type CameraGrants,
  type CameraOp,
  canLetShowVideo,
  type FloorOp,
  type HandOp,
  type Hands,
  handStateOf,
  MAX_VIDEO_SENDERS,
  maySendScreen,
  micLocked,
  NO_CAMERA_GRANTS,
  NO_HANDS,
  raisedHands,
  ScreenGate,
  screenRefusedSentence,
  showsVideo,
  validateHandOp,
  videoSenders,
} from './hands'

const A = 'a'.repeat(22)
const B = 'b'.repeat(22)
const P = 'p'.repeat(22)

const hand = (author: string, at: number, raised = true): HandOp => ({
  kind: 'hand',
  id: `${author}:${at}`,
  author,
  at,
  raised,
})
const floor = (session: string, at: number, speak = true): FloorOp => ({
  kind: 'floor',
  id: `${P}:${at}`,
  author: P,
  at,
  session,
  speak,
})
const camera = (session: string, at: number, show = true): CameraOp => ({
  kind: 'camera',
  id: `${P}:${at}`,
  author: P,
  at,
  session,
  show,
})
const cameras = (ops: CameraOp[]): CameraGrants => ops.reduce(applyCameraOp, NO_CAMERA_GRANTS)
const all = (ops: (HandOp | FloorOp)[]): Hands => ops.reduce(applyHandOp, NO_HANDS)

describe('hands', () => {
  it('only the presenter role grants the floor; anyone raises their own hand', () => {
    expect(validateHandOp(floor(A, 1), { role: 'clinician' })).toBe(true)
    expect(validateHandOp(floor(A, 1), { role: 'patient' })).toBe(false)
    expect(validateHandOp(floor(A, 1), { role: 'specialist' })).toBe(false)
    expect(validateHandOp(hand(A, 1), { role: 'patient' })).toBe(true)
  })

  it('a hand is always its author’s own', () => {
    // The op has no target field: B cannot raise or lower A's hand.
    const hands = all([hand(A, 1), hand(B, 2, false)])
    expect(handStateOf(hands, A)).toBe('raised')
    expect(handStateOf(hands, B)).toBe('idle')
  })

  it('raise, let speak, stop, lower', () => {
    expect(handStateOf(all([hand(A, 1)]), A)).toBe('raised')
    expect(handStateOf(all([hand(A, 1), floor(A, 2)]), A)).toBe('speaking')
    expect(handStateOf(all([hand(A, 1), floor(A, 2), floor(A, 3, false)]), A)).toBe('idle')
    // Lowering one's hand while speaking gives the floor back.
    expect(handStateOf(all([hand(A, 1), floor(A, 2), hand(A, 3, false)]), A)).toBe('idle')
  })

  it('agrees whatever order the ops arrive in', () => {
    const ops = [hand(A, 1), floor(A, 2), hand(B, 3), floor(A, 4, false), hand(A, 5)]
    const expected = all(ops)
    for (const order of [ops.slice().reverse(), [2, 4, 0, 3, 1].map((i) => ops[i] as HandOp | FloorOp)]) {
      const hands = all(order)
      for (const s of [A, B]) expect(handStateOf(hands, s)).toBe(handStateOf(expected, s))
    }
  })

  it('lists raised hands first-raised first', () => {
    expect(raisedHands(all([hand(B, 2), hand(A, 3), floor(B, 4)]))).toEqual([A])
    expect(raisedHands(all([hand(B, 3), hand(A, 2)]))).toEqual([A, B])
  })

  it('locks the microphone in a large room until the presenter lets one speak', () => {
    const base = { large: true, role: 'patient' as const, self: A }
    expect(micLocked({ ...base, hands: NO_HANDS })).toBe(true)
    expect(micLocked({ ...base, hands: all([hand(A, 1)]) })).toBe(true)
    expect(micLocked({ ...base, hands: all([hand(A, 1), floor(A, 2)]) })).toBe(false)
    expect(micLocked({ ...base, role: 'clinician', hands: NO_HANDS })).toBe(false)
    expect(micLocked({ ...base, large: false, hands: NO_HANDS })).toBe(false)
  })

  it('only the presenter role lets someone show video', () => {
    expect(validateHandOp(camera(A, 1), { role: 'clinician' })).toBe(true)
    expect(validateHandOp(camera(A, 1), { role: 'patient' })).toBe(false)
    expect(validateHandOp(camera(A, 1), { role: 'specialist' })).toBe(false)
  })

  it('sends video: in a consultation everyone; in a large room the presenter and those let show it', () => {
    const base = { large: true, role: 'patient' as const, session: A }
    expect(showsVideo({ ...base, grants: NO_CAMERA_GRANTS })).toBe(false)
    expect(showsVideo({ ...base, grants: cameras([camera(A, 1)]) })).toBe(true)
    expect(showsVideo({ ...base, grants: cameras([camera(A, 1), camera(A, 2, false)]) })).toBe(false)
    expect(showsVideo({ ...base, role: 'clinician', grants: NO_CAMERA_GRANTS })).toBe(true)
    expect(showsVideo({ ...base, large: false, grants: NO_CAMERA_GRANTS })).toBe(true)
    // The floor is not the camera: letting one speak shows no video.
    expect(showsVideo({ ...base, grants: NO_CAMERA_GRANTS })).toBe(false)
  })

  it('shares a screen: in a consultation everyone; in a large room only who sends video, and not past the cap', () => {
    const base = { large: true, role: 'patient' as const, session: A }
    expect(maySendScreen({ ...base, grants: NO_CAMERA_GRANTS })).toBe(false)
    expect(maySendScreen({ ...base, role: 'clinician', grants: NO_CAMERA_GRANTS })).toBe(true)
    expect(maySendScreen({ ...base, large: false, grants: NO_CAMERA_GRANTS })).toBe(true)
    expect(maySendScreen({ ...base, grants: cameras([camera(A, 1)]) })).toBe(true)
    // Video withdrawn: the screen goes with it.
    expect(maySendScreen({ ...base, grants: cameras([camera(A, 1), camera(A, 2, false)]) })).toBe(false)
    // A grant waiting past the cap shows no video, and shares no screen either.
    const [s1, s2, s3] = ['1', '2', '3'].map((c) => c.repeat(22)) as [string, string, string]
    const full = cameras([camera(s1, 1), camera(s2, 2), camera(s3, 3), camera(A, 4)])
    expect(maySendScreen({ ...base, grants: full })).toBe(false)
  })

  it(`caps video at ${MAX_VIDEO_SENDERS} senders with the presenter: a later grant waits for a free place`, () => {
    const [s1, s2, s3, s4] = ['1', '2', '3', '4'].map((c) => c.repeat(22)) as [string, string, string, string]
    const three = [camera(s1, 1), camera(s2, 2), camera(s3, 3)]
    expect(canLetShowVideo(cameras(three.slice(0, 2)))).toBe(true)
    expect(canLetShowVideo(cameras(three))).toBe(false)
    // A fourth grant (the presenter being the first sender) changes nothing...
    const over = cameras([...three, camera(s4, 4)])
    expect(videoSenders(over)).toEqual([s1, s2, s3])
    expect(showsVideo({ large: true, role: 'patient', grants: over, session: s4 })).toBe(false)
    // ...until an earlier one is withdrawn: then it takes the free place.
    const freed = cameras([...three, camera(s4, 4), camera(s2, 5, false)])
    expect(videoSenders(freed)).toEqual([s1, s3, s4])
  })

  it('every page agrees on the video senders whatever order the grants arrive in', () => {
    const sessions = ['1', '2', '3', '4', '5'].map((c) => c.repeat(22))
    const ops = [
      ...sessions.map((s, i) => camera(s, 10 - i)),
      camera(sessions[4] as string, 11, false),
      camera(sessions[0] as string, 12),
    ]
    const expected = videoSenders(cameras(ops))
    expect(expected).toHaveLength(MAX_VIDEO_SENDERS - 1)
    for (const order of [ops.slice().reverse(), [3, 6, 0, 5, 1, 4, 2].map((i) => ops[i] as CameraOp)])
      expect(videoSenders(cameras(order))).toEqual(expected)
  })
})

describe('ScreenGate: what a receiving page shows of a shared screen', () => {
  const sharers = {
    trainee: { session: A, role: 'specialist' as const, name: 'Trainee' },
    presenter: { session: P, role: 'clinician' as const, name: 'Dr. P' },
  }
  function gate({ large = true, presenter = true } = {}) {
    let grants = NO_CAMERA_GRANTS
    const shown = new Map<string, string | null>()
    const told: string[] = []
    const screens = new ScreenGate<string>({
      large,
      presenter,
      grants: () => grants,
      sharer: (peerId) => sharers[peerId as keyof typeof sharers],
      show: (peerId, screen) => shown.set(peerId, screen),
      tell: (sentence) => told.push(sentence),
    })
    return {
      screens,
      shown,
      told,
      grant(ops: CameraOp[]) {
        grants = cameras(ops)
        screens.recheck()
      },
    }
  }

  it("shows the presenter's screen, and refuses a participant's not let show video, telling the presenter once", () => {
    const { screens, shown, told } = gate()
    screens.offer('presenter', 'deck')
    screens.offer('trainee', 'hostile')
    expect(shown.get('presenter')).toBe('deck')
    expect(shown.get('trainee')).toBeNull()
    expect(told).toEqual([screenRefusedSentence('Trainee')])
    // Shared again (a stop and a new share): still refused, and the presenter is not told twice.
    screens.offer('trainee', null)
    screens.offer('trainee', 'hostile again')
    expect(shown.get('trainee')).toBeNull()
    expect(told).toHaveLength(1)
  })

  it('only the presenter is told; other pages refuse in silence', () => {
    const { screens, shown, told } = gate({ presenter: false })
    screens.offer('trainee', 'hostile')
    expect(shown.get('trainee')).toBeNull()
    expect(told).toEqual([])
  })

  it('a screen that arrived before its grant is shown once the grant arrives, and goes when it is withdrawn', () => {
    const { screens, shown, grant } = gate({ presenter: false })
    screens.offer('trainee', 'demo')
    expect(shown.get('trainee')).toBeNull()
    grant([camera(A, 1)])
    expect(shown.get('trainee')).toBe('demo')
    grant([camera(A, 1), camera(A, 2, false)])
    expect(shown.get('trainee')).toBeNull()
  })

  it('a sharer the page does not know yet (no session or role) is refused', () => {
    const { screens, shown } = gate({ presenter: false })
    screens.offer('stranger', 'x')
    expect(shown.get('stranger')).toBeNull()
  })

  it('a consultation shows everyone’s screen', () => {
    const { screens, shown, told } = gate({ large: false })
    screens.offer('trainee', 'x')
    expect(shown.get('trainee')).toBe('x')
    expect(told).toEqual([])
  })
})
