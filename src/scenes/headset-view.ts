// What a participant in a headset acts on without the DOM (issue 11: the headset is enough on its own). The call
// runtime hands one to the scene (CallRuntime.headsetView); src/scenes/xr-headset-panels.tsx draws from it.
import type { ActiveAlarm } from '../vitals/alarms'
import type { VitalKind } from '../vitals/types'

/** An alarm as shown, with whose vitals raised it. */
export interface HeadsetAlarm extends ActiveAlarm {
  peerId: string
}

export interface HeadsetView {
  /** The same boards the DOM's alarm panel reads (src/call/alarms.ts): acting in either shows in both. */
  alarms: {
    active: (now: number) => HeadsetAlarm[]
    boardFor: (peerId: string) => { acknowledge: (kind: VitalKind, now: number) => boolean }
    /** Pauses every tone for `ms`; returns until when. */
    silenceAll: (ms: number, now: number) => number
    silencedUntil: (now: number) => number | null
  }
  /** Sends a chat message exactly as the DOM's chat form does. */
  sendChat: (text: string) => void
  /**
   * The patient's screening answers in a few lines (src/care/screening.ts screeningSummary), for those who see
   * them in the tab too (not the patient); `subscribe` calls back when they may have changed.
   */
  screening: { lines: () => readonly string[]; subscribe: (listener: () => void) => () => void }
}
