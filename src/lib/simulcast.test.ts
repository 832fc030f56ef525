import { describe, expect, it } from 'vitest'
import { layerForPanel, SIMULCAST_ENCODINGS } from './simulcast'

describe('layerForPanel', () => {
  it('gives the large panel the full layer and a small tile the smallest', () => {
    // The main panel of a 1280×720 window (about 560 px tall) and of a phone held upright (about 300 px, ×3).
    expect(layerForPanel(560)).toBe(2)
    expect(layerForPanel(300, 3)).toBe(2)
    // A strip tile, 90 px tall on a plain screen: the quarter layer (180 px) is more than enough.
    expect(layerForPanel(90)).toBe(0)
  })

  it('takes the smallest layer that fills the panel, tolerating a little upscaling', () => {
    // 720 px camera: layers 180, 360 and 720 px tall.
    expect(layerForPanel(225)).toBe(0) // 180 × 1.25 = 225
    expect(layerForPanel(226)).toBe(1)
    expect(layerForPanel(450)).toBe(1)
    expect(layerForPanel(451)).toBe(2)
    // The same tile on a screen with twice the pixels needs twice the layer height.
    expect(layerForPanel(150, 2)).toBe(1)
    // A camera a third as tall moves every threshold down by the same factor.
    expect(layerForPanel(225, 1, 240)).toBe(2)
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
