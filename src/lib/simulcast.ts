// Simulcast in large rooms: every video sender encodes its camera three times (full, half and quarter size), and
// Janus forwards each receiver the one layer it asked for. Which layer a panel needs is a pure function of its
// size here, so the video layout only measures and the transport only forwards the choice.

/** A simulcast layer as Janus's VideoRoom numbers them (its `substream`): 0 the smallest, 2 the full size. */
export type SimulcastLayer = 0 | 1 | 2

/**
 * The three encodings, in the order Janus expects them in the SDP by default (high, medium, low: its `rid_order`
 * "hml"): rid and how much smaller than the camera each is. Layer n is `SIMULCAST_ENCODINGS[2 - n]`.
 */
export const SIMULCAST_ENCODINGS = [
  { rid: 'h', scaleResolutionDownBy: 1 },
  { rid: 'm', scaleResolutionDownBy: 2 },
  { rid: 'l', scaleResolutionDownBy: 4 },
] as const

/**
 * The camera height a large room's video sender asks for, px: what the layers are fractions of. Chromium encodes
 * three simulcast layers only from 960×540 up (two at 640×480, the consultation's size), so the SFU path asks its
 * camera for 1280×720 (SIMULCAST_CAPTURE).
 */
export const SOURCE_HEIGHT = 720

/** The capture size that gives three layers, as `MediaTrackConstraints` ideals (see SOURCE_HEIGHT). */
export const SIMULCAST_CAPTURE = { width: { ideal: 1280 }, height: { ideal: SOURCE_HEIGHT } } as const

/**
 * How much upscaling a panel may show before it needs the next layer: a quarter taller on screen than decoded is
 * not visibly softer in a moving picture, and taking the smaller layer halves what the receiver decodes.
 */
const UPSCALE_TOLERATED = 1.25

/**
 * The layer a panel needs: the smallest whose height, upscaled at most UPSCALE_TOLERATED, fills the panel's
 * device pixels; the full layer when none does. Null for a panel that shows nothing (zero size: hidden, or a
 * name tile), so nothing is sent to it.
 *
 * @param panelHeight CSS px
 * @param pixelRatio device px per CSS px (window.devicePixelRatio)
 * @param sourceHeight the sender's camera height, px
 */
export function layerForPanel(
  panelHeight: number,
  pixelRatio = 1,
  sourceHeight = SOURCE_HEIGHT,
): SimulcastLayer | null {
  if (!(panelHeight > 0)) return null
  const needed = panelHeight * Math.max(1, pixelRatio)
  for (const layer of [0, 1, 2] as const) {
    const encoding = SIMULCAST_ENCODINGS[2 - layer] as (typeof SIMULCAST_ENCODINGS)[number]
    if ((sourceHeight / encoding.scaleResolutionDownBy) * UPSCALE_TOLERATED >= needed) return layer
  }
  return 2
}
