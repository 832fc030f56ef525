// How fast a shared file may come to this device, or leave it, while it shows live video: each side's own measure.
// The receiver sends its pace to whoever serves the file; the holder keeps to the lower of that and its own.
//
// A transfer costs both devices CPU off their main threads (SCTP, the network process, the IPC between them) and
// the receiver's main thread a little per piece; on a busy device that is taken from drawing the call's video. Only
// the receiver sees what it costs there: a video frame that was decoded and presented for drawing but never drawn,
// because the page came back to it after the next one had arrived (`presentedFrames` of requestVideoFrameCallback
// counts every frame, the callbacks only those the page was in time for). So the receiver asks for a pace, and the
// sender keeps to it:
// - with nothing arriving, the share of frames this page draws is its baseline (a 3D view drawn in software may
//   draw only half of them with or without a transfer: that is not the transfer's doing);
// - while a file arrives, a window that drew clearly less than the baseline, with the one before it (twenty
//   frames: one frame missed by chance is a tenth of a window's share) or by itself when it lost half, cuts the pace
//   to 0.7 of it (of what actually arrived, if that was less), and one that drew as many raises it: by half per
//   window up to the pace where the video last suffered, by a tenth beyond it (and by a tenth in the band between).
//   TCP's congestion control (slow start, then congestion avoidance past the last loss) with the video's
//   smoothness as its loss signal. A cut is then judged by the two windows after it takes effect: if the frames
//   did not come back, what the page loses is not this transfer's (a panel that appeared, a file opened, other work
//   on the device), so the cut is undone and the transfer judged from then on against what the page draws now,
//   once per transfer (measured here, one core per participant: without that, a receiver drawing 0.8 of its idle
//   share at any pace walked a 20 MB file down to 0.7 MB/s). The first second of a transfer never cuts (its item appearing in the views costs
//   frames at any pace). A transfer starts at
//   START_PACE_BYTES_PER_SECOND, so its first moments do not take the video's frames before a measure says how
//   much it may, and climbs past what it learnt in a few windows; one that follows another within
//   RESUME_WITHIN_MS starts at 0.7 of where that one ended (TCP, too, keeps a path's measures for a while);
// - with no live video shown (none presented lately) there is nothing to protect: no pace, the link's own speed.
// A holder measures its own video the same way while it sends (its main thread only slices and posts the pieces,
// but the bytes' SCTP and network-process work, on the same cores, is taken from drawing its video too).
// A fixed cap would have no right number: a headset, a laptop and a phone each have their own, and this one changes
// with what else the device does.
// Pure: times and counts come in from the caller.
import type { PlaybackCounts } from '../lib/playback'

export type { PlaybackCounts }

/**
 * Where every transfer starts, bytes per second: 3 MB/s, about a third of what a raw data channel moves between two
 * tabs here (9–11 MB/s), and more than most uplinks carry.
 */
export const START_PACE_BYTES_PER_SECOND = 3_000_000
/** Never asked slower than this, bytes/s: four 64 KiB pieces a second, so a file still arrives. */
export const MIN_PACE_BYTES_PER_SECOND = 256 * 1024
/** Nor faster, bytes/s: beyond any link; also the wire's bound. */
export const MAX_PACE_BYTES_PER_SECOND = 1_000_000_000
/**
 * A window judges the video once this many frames were presented in it (fewer: a window says nothing), so that
 * one frame missed by chance (a page's frames are never perfectly even) moves its share by a tenth at most.
 */
const MIN_WINDOW_FRAMES = 10
/** ... and once it lasted this long, ms: two progress reports (they come every 250 ms). */
const MIN_WINDOW_MS = 450
/**
 * Drew less than this share of the baseline (three frames of ten missed): the transfer takes the video's frames,
 * cut the pace.
 */
const SLOWER_BELOW = 0.8
/** A window that drew less than this share of the baseline cuts by itself (half its frames gone is no chance). */
const SLOWER_AT_ONCE = 0.6
/** Windows after a cut that judge whether it brought the frames back. */
const PROBATION_WINDOWS = 2
/** ... it did if they drew this much more of the baseline than the windows that cut (or reached SLOWER_BELOW). */
const RECOVERY = 0.05
/** A cut has taken effect once less than this share of what arrived before it arrives. */
const IN_EFFECT = 0.9
/**
 * ... or after this many windows anyway (two seconds): a sender that does not slow down (an older version, or a
 * link that was never the pace's) must not keep the cut from being judged.
 */
const PROBATION_WAIT = 4
/**
 * Drew at least this share of it (one frame of ten missed at most): room to spare, raise the pace. Between this
 * and SLOWER_BELOW it rises by a tenth only: a transfer at any pace costs a receiver some frames (its pieces, its
 * progress drawn), and a pace that held there would stay wherever it happened to be.
 */
const FASTER_FROM = 0.9
const DECREASE = 0.7
/** Below the pace where the video last suffered (slow start), and beyond it. */
const INCREASE = 1.5
const INCREASE_BEYOND = 1.1
/**
 * Weight of a new idle window in the baseline: rising, and falling. It falls slowly because a page that opens a
 * file, turns a page or rebuilds its scene draws fewer frames for a moment, which is not its usual share.
 */
const BASELINE_RISE = 0.3
const BASELINE_FALL = 0.1
/**
 * Idle windows count for the baseline only this long after a transfer, ms: the file just received is checked
 * (SHA-256) and opened (pdf.js, a texture) meanwhile, which costs frames that are neither idle nor the transfer's.
 */
const SETTLE_MS = 3000
/**
 * A transfer's first this many ms never cut its pace: the item appears in the views as it starts (its panel, its
 * progress), and the frames that costs are not the pace's (measured here: the first quarter of a 20 MB transfer's
 * time, 0.5 to 1.5 s, drew 0.55 to 0.8 of the frames of the moments before, at any pace).
 */
const GRACE_MS = 1000
/** A transfer that starts within this long of the last one's end starts near that one's last pace, ms. */
const RESUME_WITHIN_MS = 30_000
/** How many judged windows `recent` keeps. */
const RECENT_WINDOWS = 40
/** No frame presented for this long, ms: no live video shown, so no pace. */
const VIDEO_GONE_MS = 2000

interface Window {
  at: number
  drawn: number
  presented: number
  /** Bytes that had arrived at its start. */
  arrived: number
  /** Whether a transfer was arriving when it started. */
  receiving: boolean
}

export class VideoPace {
  /** Share of presented frames drawn with nothing arriving; null until measured (then taken as 1). */
  private baseline: number | null = null
  private rate = START_PACE_BYTES_PER_SECOND
  /** The pace at which the video last suffered (kept across transfers: this device's measure); null: not yet. */
  private threshold: number | null = null
  private window: Window | null = null
  private lastPresentedAt = Number.NEGATIVE_INFINITY
  private lastPresented = 0
  private wasReceiving = false
  private lastReceivingAt = Number.NEGATIVE_INFINITY
  private receivingSince = Number.NEGATIVE_INFINITY
  /** This transfer's last judged window, when no cut came after it: the next one is judged with it. */
  private previous: { drawn: number; presented: number } | null = null
  /** The last cut, until the windows after it say whether it brought the frames back. */
  private probation: {
    from: number
    /** Where the video last suffered before this cut (the cut moved it here). */
    threshold: number | null
    arrived: number
    health: number
    /** Health summed over the windows judged since the cut took effect, and how many. */
    sum: number
    judged: number
    waited: number
  } | null = null
  /** The share this transfer is judged against once a cut was undone (null: the idle baseline). */
  private reference: number | null = null
  /** Whether this transfer has undone a cut (once at most). */
  private undone = false
  /** The last windows judged while receiving (the debug view and the benchmark show them). */
  readonly recent: Array<{ at: number; health: number; arrived: number; pace: number }> = []

  /**
   * Takes a measure: `counts` now, whether a transfer is arriving, and the bytes received so far (all transfers).
   * Call it at every progress report while receiving and now and then (a second) otherwise.
   */
  observe(counts: PlaybackCounts, at: number, receiving: boolean, arrived: number): void {
    if (counts.presented !== this.lastPresented) {
      this.lastPresented = counts.presented
      this.lastPresentedAt = at
    }
    // A transfer soon after another goes on from 0.7 of that one's last pace (its measure of this device now);
    // after a longer pause it starts over: what the last one found is old news by then.
    if (receiving && !this.wasReceiving) {
      this.receivingSince = at
      const resumed = at - this.lastReceivingAt <= RESUME_WITHIN_MS ? this.rate * DECREASE : 0
      this.rate = Math.max(START_PACE_BYTES_PER_SECOND, resumed)
      this.window = null
      this.previous = null
      this.probation = null
      this.reference = null
      this.undone = false
    }
    this.wasReceiving = receiving
    if (receiving) this.lastReceivingAt = at
    const window = this.window
    if (!window || window.receiving !== receiving) {
      this.window = { at, ...counts, arrived, receiving }
      return
    }
    const presented = counts.presented - window.presented
    if (presented < MIN_WINDOW_FRAMES || at - window.at < MIN_WINDOW_MS) return
    const drawn = Math.max(0, Math.min(presented, counts.drawn - window.drawn))
    if (!receiving) {
      const share = drawn / presented
      if (window.at - this.lastReceivingAt >= SETTLE_MS) {
        const weight = this.baseline === null ? 1 : share > this.baseline ? BASELINE_RISE : BASELINE_FALL
        this.baseline = this.baseline === null ? share : this.baseline + weight * (share - this.baseline)
      }
    } else {
      this.judge(window, drawn, presented, at, arrived)
    }
    this.window = { at, ...counts, arrived, receiving }
  }

  /** One window of a transfer: cut, raise, or undo a cut that brought nothing back. */
  private judge(window: Window, drawn: number, presented: number, at: number, arrived: number): void {
    const reference = Math.max(0.05, this.reference ?? this.baseline ?? 1)
    const health = drawn / presented / reference
    const arrivedRate = ((arrived - window.arrived) * 1000) / (at - window.at)
    // The first second's windows never cut, nor count towards a later window's span.
    const inGrace = window.at - this.receivingSince < GRACE_MS
    // With the window before it (if no cut came between): twice the frames, so that a window that missed a
    // frame or two by chance does not cut by itself (at 10 frames one frame is a tenth of the share).
    const previous = this.previous
    const spanHealth = previous
      ? (previous.drawn + drawn) / (previous.presented + presented) / reference
      : null
    this.previous = inGrace ? null : { drawn, presented }
    const probation = this.probation
    if (probation) {
      // A cut is judged once it has taken effect (less arriving than before it), or after a few windows anyway.
      probation.waited += 1
      if (arrivedRate < probation.arrived * IN_EFFECT || probation.waited > PROBATION_WAIT) {
        probation.sum += health
        probation.judged += 1
      }
      if (probation.judged >= PROBATION_WINDOWS) {
        this.probation = null
        const mean = probation.sum / probation.judged
        if (mean < SLOWER_BELOW && mean < probation.health + RECOVERY && !this.undone) {
          // The frames did not come back with less arriving: what the page loses now is not this transfer's
          // (a panel that appeared, a file being opened, another page on the same cores). Going lower would cost
          // the file its speed for nothing; back to the pace before the cut, judged from now on against what the
          // page draws now (but no lower than a window that cuts at once: a page that draws almost nothing still
          // has its video protected). Once per transfer, so that chance cannot walk the reference down.
          this.undone = true
          this.rate = probation.from
          this.threshold = probation.threshold
          this.reference = reference * Math.max(mean, SLOWER_AT_ONCE)
          this.previous = null
          this.remember(at, health, arrivedRate)
          return
        }
      }
    }
    if (
      !inGrace &&
      !this.probation &&
      (health < SLOWER_AT_ONCE || (spanHealth !== null && spanHealth < SLOWER_BELOW))
    ) {
      this.probation = {
        from: this.rate,
        threshold: this.threshold,
        arrived: arrivedRate,
        health: health < SLOWER_AT_ONCE || spanHealth === null ? health : spanHealth,
        sum: 0,
        judged: 0,
        waited: 0,
      }
      this.threshold = this.rate
      this.rate = Math.max(MIN_PACE_BYTES_PER_SECOND, Math.min(this.rate, arrivedRate) * DECREASE)
      this.previous = null
    } else if (health >= FASTER_FROM && arrivedRate >= this.rate * 0.5) {
      // Raised only while the pace is what holds the transfer back: a slow link would otherwise push the pace
      // far above what arrives, and the first window the video suffers would then cut nothing.
      const factor = this.threshold === null || this.rate < this.threshold ? INCREASE : INCREASE_BEYOND
      this.rate = Math.min(MAX_PACE_BYTES_PER_SECOND, this.rate * factor)
    } else if (health >= SLOWER_BELOW && arrivedRate >= this.rate * 0.5) {
      // The uncertain band (see FASTER_FROM): probe upwards gently.
      this.rate = Math.min(MAX_PACE_BYTES_PER_SECOND, this.rate * INCREASE_BEYOND)
    }
    this.remember(at, health, arrivedRate)
  }

  private remember(at: number, health: number, arrived: number): void {
    this.recent.push({ at, health, arrived, pace: this.rate })
    if (this.recent.length > RECENT_WINDOWS) this.recent.shift()
  }

  /** The pace to ask for now, bytes per second, or null when no live video is shown (the link's own speed). */
  pace(at: number): number | null {
    if (at - this.lastPresentedAt > VIDEO_GONE_MS) return null
    return Math.round(this.rate)
  }

  /** The share of frames drawn with nothing arriving (for tests and the debug view); 1 until measured. */
  get idleShare(): number {
    return this.baseline ?? 1
  }
}

/**
 * The sender's side: when the next piece may go to keep to a pace. A short burst is allowed after an idle moment
 * (BURST_MS of the pace), so a timer's late firing does not lose throughput.
 */
export class SendPace {
  private next = Number.NEGATIVE_INFINITY

  constructor(public pace: number | null = null) {}

  /**
   * How long to wait before sending `bytes` at `at`, ms (0: now); counts them as sent then. `own`: the sender's own
   * limit now (its video's pace), kept to as well.
   */
  delay(bytes: number, at: number, own: number | null = null): number {
    const asked = this.pace === null ? own : own === null ? this.pace : Math.min(this.pace, own)
    if (asked === null) return 0
    const pace = Math.min(MAX_PACE_BYTES_PER_SECOND, Math.max(MIN_PACE_BYTES_PER_SECOND, asked))
    const start = Math.max(this.next, at - BURST_MS)
    this.next = start + (bytes * 1000) / pace
    return Math.max(0, start - at)
  }
}

/**
 * How far a sender may catch up at once after a late timer, ms of its pace: a busy page (one drawing a 3D view in
 * software) runs its timers a frame late, 100 to 200 ms here, and would otherwise send well below the pace.
 */
export const BURST_MS = 250
