// How well this page keeps up with the live video it shows: of the remote video frames handed to it for drawing, how
// many it drew. requestVideoFrameCallback calls back once per page frame that has a new video frame, with
// `presentedFrames` counting every frame presented since the video started; when the page comes back late (its
// main thread busy), several frames were presented since the last callback and all but the newest were never
// drawn. Sharing reads it (src/share/pace.ts): a transfer that makes this page miss frames is asked to slow.

/** Live video frames this page was given to draw and drew, counted since it loaded. */
export interface PlaybackCounts {
  drawn: number
  presented: number
}

/**
 * A jump of more frames than this between two callbacks is a pause (a hidden tab, a stream that stalled), not a
 * page late to draw: skipped.
 */
const MAX_FRAME_GAP = 30

export class PlaybackMeter {
  private drawn = 0
  private presented = 0
  private readonly last = new WeakMap<object, number>()

  /** A callback of `video` with its `presentedFrames`. */
  frame(video: object, presentedFrames: number) {
    const last = this.last.get(video)
    this.last.set(video, presentedFrames)
    if (last === undefined) return
    const gap = presentedFrames - last
    // Zero or less: a restarted stream. More than MAX_FRAME_GAP: a pause (a hidden tab, a stalled stream), not a
    // page that came back late.
    if (gap <= 0 || gap > MAX_FRAME_GAP) return
    this.drawn += 1
    this.presented += gap
  }

  counts(): PlaybackCounts {
    return { drawn: this.drawn, presented: this.presented }
  }
}

/** This page's meter: every remote video it shows reports to it. */
export const playbackMeter = new PlaybackMeter()

/**
 * Reports `video`'s frames to `meter` until the returned function is called. For a video with its own
 * requestVideoFrameCallback loop, call `meter.frame` from that loop instead (one callback per frame is enough).
 */
export function meterPlayback(video: HTMLVideoElement, meter: PlaybackMeter = playbackMeter): () => void {
  if (typeof video.requestVideoFrameCallback !== 'function') return () => undefined
  let request = 0
  const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
    meter.frame(video, metadata.presentedFrames)
    request = video.requestVideoFrameCallback(onFrame)
  }
  request = video.requestVideoFrameCallback(onFrame)
  return () => video.cancelVideoFrameCallback(request)
}
