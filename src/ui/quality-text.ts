// What a connection's quality means for a consultation, in words: a plain warning when the call is beyond what a
// consultation can comfortably run on, and the compact line of numbers. The numbers come from src/net/quality.ts.
import type { ConnectionQuality } from '../net/quality'

/**
 * Above this round trip, people start talking over each other: ITU-T G.114 keeps one-way delay under 150 ms for
 * conversation, ms.
 */
export const RTT_LIMIT_MS = 300
/** Above this share of lost packets, speech breaks up and video smears despite concealment and resends, %. */
export const LOSS_LIMIT_PERCENT = 10
/**
 * Below this frame rate, motion looks jerky: a patient's movement, gait or tremor cannot be judged. Only
 * checked when video is expected (with the camera off they send none, or black frames at a trickle), frames/s.
 */
export const FPS_FLOOR = 15

/**
 * Beyond these a conversation still works but is noticeably worse: a round trip over 150 ms (ITU-T G.114's
 * one-way 75 ms each way is where delay starts to be heard), loss over 3 % (where concealment starts to show) or
 * video under 24 frames/s (below film rate, motion starts to stutter).
 */
export const RTT_FAIR_MS = 150
export const LOSS_FAIR_PERCENT = 3
export const FPS_FAIR = 24

export type QualityLevel = 'good' | 'fair' | 'poor'

export interface QualityViewOptions {
  /** Whether their camera is meant to be on; with it off, frame rate is neither shown nor warned about. */
  videoExpected: boolean
}

/** Why the connection is poor, as phrases such as "round trip 420 ms (over 300 ms)"; empty when it is fine. */
export function qualityWarnings(quality: ConnectionQuality, { videoExpected }: QualityViewOptions): string[] {
  const warnings: string[] = []
  // Unknown values (null) never warn: "not measured yet" is not "bad".
  if (quality.rttMs !== null && quality.rttMs > RTT_LIMIT_MS) {
    warnings.push(`round trip ${quality.rttMs} ms (over ${RTT_LIMIT_MS} ms)`)
  }
  if (quality.lossPercent !== null && quality.lossPercent > LOSS_LIMIT_PERCENT) {
    warnings.push(`${quality.lossPercent.toFixed(1)} % packet loss (over ${LOSS_LIMIT_PERCENT} %)`)
  }
  if (videoExpected && quality.fps !== null && quality.fps < FPS_FLOOR) {
    warnings.push(`video ${quality.fps} fps (under ${FPS_FLOOR} fps)`)
  }
  return warnings
}

/** Why the connection is only fair, as phrases such as "some delay (round trip 180 ms)"; empty otherwise. */
function fairReasons(quality: ConnectionQuality, { videoExpected }: QualityViewOptions): string[] {
  const reasons: string[] = []
  if (quality.rttMs !== null && quality.rttMs > RTT_FAIR_MS)
    reasons.push(`some delay (round trip ${quality.rttMs} ms)`)
  if (quality.lossPercent !== null && quality.lossPercent > LOSS_FAIR_PERCENT)
    reasons.push(`some packets lost (${quality.lossPercent.toFixed(1)} %)`)
  if (videoExpected && quality.fps !== null && quality.fps < FPS_FAIR)
    reasons.push(`video at ${quality.fps} fps`)
  return reasons
}

export function qualityLevel(quality: ConnectionQuality, options: QualityViewOptions): QualityLevel {
  if (qualityWarnings(quality, options).length > 0) return 'poor'
  return fairReasons(quality, options).length > 0 ? 'fair' : 'good'
}

/**
 * The connection in words, as a person reads it: "Good connection", "Fair connection: some delay (round trip
 * 180 ms)" or "Poor connection: round trip 420 ms (over 300 ms)". The numbers stay available beside it.
 */
export function qualityWords(
  quality: ConnectionQuality,
  options: QualityViewOptions,
): { level: QualityLevel; text: string } {
  const poor = qualityWarnings(quality, options)
  if (poor.length > 0) return { level: 'poor', text: `Poor connection: ${poor.join(', ')}` }
  const fair = fairReasons(quality, options)
  if (fair.length > 0) return { level: 'fair', text: `Fair connection: ${fair.join(', ')}` }
  return { level: 'good', text: 'Good connection' }
}

/**
 * One sentence for the user when the connection is poor, null when it is fine; e.g.
 * "Poor connection: round trip 420 ms (over 300 ms)."
 */
export function poorConnectionSentence(
  quality: ConnectionQuality,
  options: QualityViewOptions,
): string | null {
  const warnings = qualityWarnings(quality, options)
  return warnings.length > 0 ? `Poor connection: ${warnings.join(', ')}.` : null
}

export interface FormatQualityOptions extends QualityViewOptions {
  /** Between the values. The 3D captions' font has no '·', so XR passes an ASCII one. */
  separator?: string
  /**
   * Between a number and its unit. The DOM passes a no-break space so that a narrow list never splits "20 fps"
   * over two lines; the 3D captions' font has no such glyph, hence a plain space by default.
   */
  unitSpace?: string
}

/**
 * The compact line, e.g. "42 ms · 0.0 % loss · 812 kb/s · 30 fps". Unknown values are left out, so it is ''
 * when none is known.
 */
export function formatQuality(
  quality: ConnectionQuality,
  { videoExpected, separator = ' · ', unitSpace = ' ' }: FormatQualityOptions,
): string {
  const parts: string[] = []
  if (quality.rttMs !== null) parts.push(`${quality.rttMs}${unitSpace}ms`)
  if (quality.lossPercent !== null)
    parts.push(`${quality.lossPercent.toFixed(1)}${unitSpace}%${unitSpace}loss`)
  if (quality.bitrateKbps !== null) parts.push(`${quality.bitrateKbps}${unitSpace}kb/s`)
  if (videoExpected && quality.fps !== null) parts.push(`${quality.fps}${unitSpace}fps`)
  return parts.join(separator)
}
