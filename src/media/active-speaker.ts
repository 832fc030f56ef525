// Who speaks now, for the large panel of a large room: the loudest voice above a threshold, with hysteresis so the
// panel does not flap between two people talking over each other or at every pause for breath. Pure (levels in,
// speaker out), tested in Node; the video layout feeds it audio levels read from AnalyserNodes (./audio-level.ts).

/** A voice is speech above this, dBFS: a fake or real microphone's speech is around -30..-10, a quiet room below -55. */
export const SPEECH_DBFS = -45
/** How long someone must stay the loudest before they take the panel from the current speaker, ms. */
export const SWITCH_MS = 800
/** How long the current speaker keeps the panel after falling silent (a pause mid-sentence), ms. */
export const RELEASE_MS = 2500

export interface SpeakerState {
  /** Who has the panel (null: nobody spoke lately, so the presenter does). */
  current: string | null
  /** When the current speaker was last heard, ms. */
  heardAt: number
  /** Who has been the loudest since `since`, waiting to take the panel. */
  candidate: string | null
  since: number
}

export const NO_SPEAKER: SpeakerState = { current: null, heardAt: 0, candidate: null, since: 0 }

/** The state after one reading of everyone's level (dBFS by participant) at `now` (ms). */
export function nextSpeaker(
  state: SpeakerState,
  levels: ReadonlyMap<string, number>,
  now: number,
): SpeakerState {
  let loudest: string | null = null
  let loudestLevel = SPEECH_DBFS
  for (const [id, level] of levels) {
    if (level > loudestLevel) {
      loudest = id
      loudestLevel = level
    }
  }
  const currentHeard = state.current !== null && (levels.get(state.current) ?? -Infinity) > SPEECH_DBFS
  const heardAt = currentHeard ? now : state.heardAt
  if (loudest === null || loudest === state.current) {
    const released = state.current !== null && !currentHeard && now - heardAt >= RELEASE_MS
    return { current: released ? null : state.current, heardAt, candidate: null, since: now }
  }
  // Someone else is the loudest: they take the panel once they have been for SWITCH_MS (at once if nobody has it).
  const since = state.candidate === loudest ? state.since : now
  if (state.current === null || now - since >= SWITCH_MS)
    return { current: loudest, heardAt: now, candidate: null, since: now }
  return { current: state.current, heardAt, candidate: loudest, since }
}
