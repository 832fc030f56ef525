// The check-in before a call, in words: for each thing a call needs (camera, microphone, speakers, the server,
// a headset, Bluetooth) a plain verdict and what to do about it. Pure: the join screen measures, this decides
// what the measurements mean, so every sentence is tested in Node.
import { RTT_FAIR_MS, RTT_LIMIT_MS } from './quality-text'

/**
 * ok: works; warning: the call works, but worse than it could (say what to do); problem: this part will not work
 * in the call; info: not used here, and that is fine; checking: not known yet.
 */
export type CheckStatus = 'checking' | 'ok' | 'info' | 'warning' | 'problem'

export interface Verdict {
  status: CheckStatus
  /** One short sentence a person reads first: "Your camera works". */
  headline: string
  /** What to do about it, when there is something to do or to know. */
  advice: string | null
}

/** What we send (the same union as src/media's MediaMode; ui may not import media). */
export type SendMode = 'camera-and-microphone' | 'microphone-only' | 'receive-only'

export interface CameraCheck {
  mode: SendMode
  /** The sentence for why the camera or microphone could not start, if it could not. */
  problem: string | null
  /** The video track we hold: none yet, live, or ended (unplugged, or taken by the system). */
  track: 'none' | 'live' | 'ended'
  /** Whether the preview has shown at least one frame from it. */
  framesSeen: boolean
}

export function cameraVerdict({ mode, problem, track, framesSeen }: CameraCheck): Verdict {
  if (problem !== null) return { status: 'problem', headline: "Your camera isn't working", advice: problem }
  if (mode !== 'camera-and-microphone') {
    return {
      status: 'info',
      headline: 'Your camera is off',
      advice: 'The others will not see you; you will see them.',
    }
  }
  if (track === 'ended') {
    return {
      status: 'problem',
      headline: 'Your camera stopped',
      advice: 'Check that it is plugged in and that no other app is using it, then reload this page.',
    }
  }
  if (track === 'live' && framesSeen) {
    return {
      status: 'ok',
      headline: 'Your camera works',
      advice: 'The others will see what the preview shows.',
    }
  }
  return { status: 'checking', headline: 'Starting your camera…', advice: null }
}

/**
 * Loudest level at which we say we heard nothing, dBFS (RMS of the microphone's samples). A quiet room through a
 * browser's noise suppression sits below -60 dBFS; speech at arm's length is about -35 to -20 dBFS. -50 dBFS
 * (about 0.3 % of full scale) is well above the former and well below a quiet voice.
 */
export const HEARD_LEVEL_DBFS = -50
/**
 * How long we listen before saying we hear nothing, ms: long enough to say a few words after the page opens,
 * short enough that a muted headset is pointed out before the person clicks Join.
 */
export const QUIET_AFTER_MS = 6000

export interface MicrophoneCheck {
  mode: SendMode
  problem: string | null
  /** Whether we hold an audio track. */
  hasTrack: boolean
  /** The browser would not start audio processing until the person clicks or presses a key on the page. */
  waitingForGesture: boolean
  /** Loudest level heard since the check began, dBFS; -Infinity before any. */
  loudestDbfs: number
  /** How long we have been listening, ms. */
  listenedMs: number
}

export function microphoneVerdict(check: MicrophoneCheck): Verdict {
  if (check.problem !== null) {
    return { status: 'problem', headline: "We can't use your microphone", advice: check.problem }
  }
  if (check.mode === 'receive-only') {
    return {
      status: 'info',
      headline: 'Your microphone is off',
      advice: 'The others will not hear you; you can still write in the chat.',
    }
  }
  if (!check.hasTrack) return { status: 'checking', headline: 'Starting your microphone…', advice: null }
  if (check.loudestDbfs >= HEARD_LEVEL_DBFS) {
    return { status: 'ok', headline: 'We hear you', advice: 'The bar moves when you speak.' }
  }
  if (check.waitingForGesture) {
    return {
      status: 'checking',
      headline: 'Ready to test your microphone',
      advice: 'Click anywhere on this page (or press a key), then say something.',
    }
  }
  if (check.listenedMs >= QUIET_AFTER_MS) {
    return {
      status: 'warning',
      headline: "We can't hear you yet",
      advice:
        "Say something. If the bar does not move, check that the microphone or headset isn't muted, or pick another microphone below.",
    }
  }
  return {
    status: 'checking',
    headline: 'Listening… say something',
    advice: 'The bar should move as you speak.',
  }
}

export interface SpeakerCheck {
  /** Whether this browser can play a generated tone at all (Web Audio). */
  canPlay: boolean
  /** untested: never played; playing: the tone sounds now; played: it has finished. */
  state: 'untested' | 'playing' | 'played'
  /** What the person answered to "Did you hear it?", once they have. */
  heard: boolean | null
}

export function speakerVerdict({ canPlay, state, heard }: SpeakerCheck): Verdict {
  if (!canPlay) {
    return {
      status: 'info',
      headline: "This browser can't play a test sound",
      advice: 'Check your volume once the call starts: you should hear the others.',
    }
  }
  if (heard === true) return { status: 'ok', headline: 'Your speakers work', advice: null }
  if (heard === false) {
    return {
      status: 'warning',
      headline: "You didn't hear the test sound",
      advice:
        "Turn the volume up, check that this tab or the device isn't muted, or plug in headphones; then play it again.",
    }
  }
  if (state === 'playing') return { status: 'checking', headline: 'Playing a test sound…', advice: null }
  if (state === 'played')
    return { status: 'checking', headline: 'Did you hear the test sound?', advice: null }
  return {
    status: 'info',
    headline: 'Check your speakers',
    advice: 'Play a test sound: you should hear a short tone.',
  }
}

export interface ServerCheck {
  state: 'checking' | 'reached' | 'unreachable'
  /** Time for the server to answer, ms (when reached). */
  roundTripMs: number | null
}

/**
 * The server only introduces participants (video goes directly between them), but a slow answer from it means a
 * slow or distant network, which the call will feel too: the same limits as a participant's connection.
 */
export function serverVerdict({ state, roundTripMs }: ServerCheck): Verdict {
  if (state === 'checking') return { status: 'checking', headline: 'Reaching the server…', advice: null }
  if (state === 'unreachable' || roundTripMs === null) {
    return {
      status: 'problem',
      headline: "We can't reach the server",
      advice: 'Check your internet connection (Wi-Fi or mobile data), then choose Check again.',
    }
  }
  const ms = Math.round(roundTripMs)
  if (ms <= RTT_FAIR_MS) {
    return { status: 'ok', headline: `Your connection to the server is good (${ms} ms)`, advice: null }
  }
  return {
    status: 'warning',
    headline: `Your connection to the server is ${ms > RTT_LIMIT_MS ? 'slow' : 'a little slow'} (${ms} ms)`,
    advice:
      ms > RTT_LIMIT_MS
        ? 'Expect delay and breaks in the call. Move closer to the Wi-Fi router, or stop downloads and other video on this network.'
        : 'The call may lag a little. Moving closer to the Wi-Fi router helps.',
  }
}

export interface HeadsetCheck {
  /** Whether the browser offers immersive VR / AR; null until it has answered. */
  vr: boolean | null
  ar: boolean | null
}

export function headsetVerdict({ vr, ar }: HeadsetCheck): Verdict {
  if (vr === null || ar === null)
    return { status: 'checking', headline: 'Looking for a VR headset…', advice: null }
  if (vr || ar) {
    const modes = vr && ar ? 'VR and AR' : vr ? 'VR' : 'AR'
    return {
      status: 'ok',
      headline: `This device can enter ${modes}`,
      advice: `Once in the call, choose Enter ${vr ? 'VR' : 'AR'}; you can also stay in the browser.`,
    }
  }
  return {
    status: 'info',
    headline: 'No VR headset found: you can still join in the browser',
    advice: "To join in VR, open this link in the headset's browser.",
  }
}

export type BluetoothCheck = null | { available: true } | { available: false; reason: string }

/** Bluetooth matters for sharing readings from a pulse oximeter or heart-rate monitor; manual entry always works. */
export function bluetoothVerdict(check: BluetoothCheck): Verdict {
  if (check === null) return { status: 'checking', headline: 'Checking Bluetooth…', advice: null }
  if (check.available) {
    return {
      status: 'ok',
      headline: 'Bluetooth can be used',
      advice: 'A pulse oximeter or heart-rate monitor can share its readings in the call.',
    }
  }
  return { status: 'info', headline: "Bluetooth can't be used here", advice: check.reason }
}

/** One line above the list: whether anything needs attention before joining. */
export function checkInSummary(verdicts: readonly Verdict[]): Verdict {
  const problems = verdicts.filter((v) => v.status === 'problem').length
  const warnings = verdicts.filter((v) => v.status === 'warning').length
  if (problems + warnings > 0) {
    const n = problems + warnings
    return {
      status: problems > 0 ? 'problem' : 'warning',
      headline: `${n} ${n === 1 ? 'thing needs' : 'things need'} a look.`,
      advice: 'You can still join: see what to do below.',
    }
  }
  if (verdicts.some((v) => v.status === 'checking')) {
    return { status: 'checking', headline: 'Checking this device…', advice: null }
  }
  return { status: 'ok', headline: 'You are ready to join.', advice: null }
}
