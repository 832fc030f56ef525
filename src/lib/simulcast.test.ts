import { describe, expect, it } from 'vitest'
import { layerForPanel, SIMULCAST_ENCODINGS } from './simulcast'

describe('layerForPanel', () => {
  it('gives the large panel the full layer and a small tile the smallest', () => {
    // The main panel of a 1280×720 window (about 560 px tall) and of a phone held upright (about 300 px, ×3).
    expect(layerForPanel(560)).toBe(2)
    expect(layerForPanel(300, 3)).toBe(2)
    // A strip tile, 90 px tall on a plain screen: the quarter layer (120 px) is enough.
    expect(layerForPanel(90)).toBe(0)
  })

  it('takes the smallest layer that fills the panel, tolerating a little upscaling', () => {
    // 480 px camera: layers 120, 240 and 480 px tall.
    expect(layerForPanel(150)).toBe(0) // 120 × 1.25 = 150
    expect(layerForPanel(151)).toBe(1)
    expect(layerForPanel(300)).toBe(1)
    expect(layerForPanel(301)).toBe(2)
    // The same tile on a screen with twice the pixels needs twice the layer height.
    expect(layerForPanel(100, 2)).toBe(1)
    // A camera twice as tall moves every threshold up by the same factor.
    expect(layerForPanel(300, 1, 960)).toBe(0)
  })

  it('gives a panel that shows nothing no layer at all', () => {
    expect(layerForPanel(0)).toBe(null)
    expect(layerForPanel(Number.NaN)).toBe(null)
  })

  it('never asks for less than the full layer on a panel larger than it', () => {
    expect(layerForPanel(2000, 2)).toBe(2)
  })

  it('lists the encodings high to low, as Janus reads them by default', () => {
    expect(SIMULCAST_ENCODINGS.map((e) => e.rid)).toEqual(['h', 'm', 'l'])
    expect(SIMULCAST_ENCODINGS.map((e) => e.scaleResolutionDownBy)).toEqual([1, 2, 4])
  })
})
