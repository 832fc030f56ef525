import { describe, expect, it } from 'vitest'
import { pageToPicture, pictureToPage } from './item-render'

describe('page and picture coordinates', () => {
  it('are the same at zoom 1, and a zoomed picture shows the page’s centre magnified', () => {
    expect(pageToPicture(0.25, 0.4, 1)).toEqual([0.25, 0.4])
    expect(pageToPicture(0.5, 0.5, 4)).toEqual([0.5, 0.5])
    // At zoom 2 the picture shows the page's middle half: its quarter point is the picture's left edge.
    expect(pageToPicture(0.25, 0.75, 2)).toEqual([0, 1])
    // Zoom below 1 draws the whole page (drawZoomed never shrinks it).
    const [x, y] = pageToPicture(0.1, 0.9, 0.5)
    expect(x).toBeCloseTo(0.1, 12)
    expect(y).toBeCloseTo(0.9, 12)
  })

  it('invert each other', () => {
    for (const zoom of [1, 1.5, 3, 8]) {
      const [x, y] = pageToPicture(0.3, 0.61, zoom)
      const [u, v] = pictureToPage(x, y, zoom)
      expect(u).toBeCloseTo(0.3, 12)
      expect(v).toBeCloseTo(0.61, 12)
    }
  })
})
