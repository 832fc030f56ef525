import { describe, expect, it } from 'vitest'
import {
  bluetoothVerdict,
  cameraVerdict,
  checkInSummary,
  HEARD_LEVEL_DBFS,
  headsetVerdict,
  type MicrophoneCheck,
  microphoneVerdict,
  QUIET_AFTER_MS,
  serverVerdict,
  speakerVerdict,
} from './check-in'

describe('camera', () => {
  const base = { mode: 'camera-and-microphone', problem: null, track: 'live', framesSeen: true } as const

  it('works once the preview has shown a frame from a live track', () => {
    expect(cameraVerdict(base)).toMatchObject({ status: 'ok', headline: 'Your camera works' })
    expect(cameraVerdict({ ...base, framesSeen: false }).status).toBe('checking')
    expect(cameraVerdict({ ...base, track: 'none', framesSeen: false }).status).toBe('checking')
  })

  it("passes the media layer's sentence on as what to do", () => {
    const problem = 'Access to your camera or microphone was denied. Allow it in the browser…'
    expect(cameraVerdict({ ...base, problem, track: 'none' })).toEqual({
      status: 'problem',
      headline: "Your camera isn't working",
      advice: problem,
    })
  })

  it('says a stopped camera is a problem, and a camera left off on purpose is not', () => {
    expect(cameraVerdict({ ...base, track: 'ended' }).status).toBe('problem')
    expect(cameraVerdict({ ...base, mode: 'microphone-only', track: 'none' })).toMatchObject({
      status: 'info',
      headline: 'Your camera is off',
    })
  })
})

describe('microphone', () => {
  const base: MicrophoneCheck = {
    mode: 'camera-and-microphone',
    problem: null,
    hasTrack: true,
    waitingForGesture: false,
    loudestDbfs: Number.NEGATIVE_INFINITY,
    listenedMs: 0,
  }

  it('hears you once the level has reached the threshold, whenever that was', () => {
    expect(microphoneVerdict({ ...base, loudestDbfs: HEARD_LEVEL_DBFS })).toMatchObject({
      status: 'ok',
      headline: 'We hear you',
    })
    expect(microphoneVerdict({ ...base, loudestDbfs: -20, listenedMs: 60_000 }).status).toBe('ok')
  })

  it('listens for a while before saying it hears nothing, and then says what to check', () => {
    const quiet = { ...base, loudestDbfs: HEARD_LEVEL_DBFS - 1 }
    expect(microphoneVerdict({ ...quiet, listenedMs: QUIET_AFTER_MS - 1 }).status).toBe('checking')
    const verdict = microphoneVerdict({ ...quiet, listenedMs: QUIET_AFTER_MS })
    expect(verdict.status).toBe('warning')
    expect(verdict.advice).toMatch(/muted/)
  })

  it('asks for a click when the browser holds audio back until one', () => {
    const verdict = microphoneVerdict({ ...base, waitingForGesture: true, listenedMs: QUIET_AFTER_MS * 2 })
    expect(verdict.status).toBe('checking')
    expect(verdict.advice).toMatch(/Click anywhere/)
  })

  it('reports a failure to start, or a microphone left off on purpose', () => {
    expect(microphoneVerdict({ ...base, problem: 'In use by another app.', hasTrack: false })).toEqual({
      status: 'problem',
      headline: "We can't use your microphone",
      advice: 'In use by another app.',
    })
    expect(microphoneVerdict({ ...base, mode: 'receive-only', hasTrack: false }).status).toBe('info')
    expect(microphoneVerdict({ ...base, hasTrack: false }).status).toBe('checking')
  })
})

describe('speakers', () => {
  it('goes from an invitation to play, to a question, to the answer', () => {
    expect(speakerVerdict({ canPlay: true, state: 'untested', heard: null }).status).toBe('info')
    expect(speakerVerdict({ canPlay: true, state: 'playing', heard: null }).status).toBe('checking')
    expect(speakerVerdict({ canPlay: true, state: 'played', heard: null }).headline).toBe(
      'Did you hear the test sound?',
    )
    expect(speakerVerdict({ canPlay: true, state: 'played', heard: true })).toMatchObject({
      status: 'ok',
      headline: 'Your speakers work',
    })
    const no = speakerVerdict({ canPlay: true, state: 'played', heard: false })
    expect(no.status).toBe('warning')
    expect(no.advice).toMatch(/volume/)
  })

  it('does not pretend to test without Web Audio', () => {
    expect(speakerVerdict({ canPlay: false, state: 'untested', heard: null }).status).toBe('info')
  })
})

describe('server', () => {
  it('grades the round trip with the limits a call is graded by', () => {
    expect(serverVerdict({ state: 'reached', roundTripMs: 12.4 })).toEqual({
      status: 'ok',
      headline: 'Your connection to the server is good (12 ms)',
      advice: null,
    })
    expect(serverVerdict({ state: 'reached', roundTripMs: 150 }).status).toBe('ok')
    const fair = serverVerdict({ state: 'reached', roundTripMs: 200 })
    expect(fair).toMatchObject({
      status: 'warning',
      headline: 'Your connection to the server is a little slow (200 ms)',
    })
    const slow = serverVerdict({ state: 'reached', roundTripMs: 900 })
    expect(slow.headline).toBe('Your connection to the server is slow (900 ms)')
    expect(slow.advice).toMatch(/Wi-Fi/)
  })

  it('says an unreachable server is a problem and what to check', () => {
    const verdict = serverVerdict({ state: 'unreachable', roundTripMs: null })
    expect(verdict).toMatchObject({ status: 'problem', headline: "We can't reach the server" })
    expect(verdict.advice).toMatch(/internet connection/)
    expect(serverVerdict({ state: 'checking', roundTripMs: null }).status).toBe('checking')
  })
})

describe('headset and Bluetooth', () => {
  it('names the immersive modes on offer, and joining in the browser without any', () => {
    expect(headsetVerdict({ vr: null, ar: null }).status).toBe('checking')
    expect(headsetVerdict({ vr: true, ar: true }).headline).toBe('This device can enter VR and AR')
    expect(headsetVerdict({ vr: false, ar: true })).toMatchObject({
      status: 'ok',
      headline: 'This device can enter AR',
      advice: 'Once in the call, choose Enter AR; you can also stay in the browser.',
    })
    expect(headsetVerdict({ vr: false, ar: false })).toMatchObject({
      status: 'info',
      headline: 'No VR headset found: you can still join in the browser',
    })
  })

  it("gives Bluetooth's reason when it cannot be used; it never blocks the call", () => {
    expect(bluetoothVerdict(null).status).toBe('checking')
    expect(bluetoothVerdict({ available: true }).status).toBe('ok')
    expect(bluetoothVerdict({ available: false, reason: 'Use Chrome.' })).toEqual({
      status: 'info',
      headline: "Bluetooth can't be used here",
      advice: 'Use Chrome.',
    })
  })
})

describe('summary', () => {
  const ok = cameraVerdict({ mode: 'camera-and-microphone', problem: null, track: 'live', framesSeen: true })
  const checking = bluetoothVerdict(null)
  const warning = serverVerdict({ state: 'reached', roundTripMs: 900 })
  const problem = serverVerdict({ state: 'unreachable', roundTripMs: null })
  const info = headsetVerdict({ vr: false, ar: false })

  it('is ready when nothing needs a look, and counts what does', () => {
    expect(checkInSummary([ok, info]).headline).toBe('You are ready to join.')
    expect(checkInSummary([ok, checking]).status).toBe('checking')
    expect(checkInSummary([ok, warning, checking])).toMatchObject({
      status: 'warning',
      headline: '1 thing needs a look.',
    })
    expect(checkInSummary([problem, warning])).toMatchObject({
      status: 'problem',
      headline: '2 things need a look.',
    })
  })
})
