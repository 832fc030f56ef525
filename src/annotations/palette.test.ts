import { describe, expect, it } from 'vitest'
import { COLOUR_NAMES, colourFor, colourHex, PALETTE } from './palette'

/** WCAG 2 relative luminance of a #RRGGBB colour. */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const c = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

describe('annotation palette', () => {
  it('has eight distinct named colours, each at least 7:1 against black', () => {
    expect(new Set(COLOUR_NAMES).size).toBe(8)
    expect(new Set(PALETTE.map((colour) => colour.hex)).size).toBe(8)
    for (const { hex } of PALETTE) expect((luminance(hex) + 0.05) / 0.05).toBeGreaterThanOrEqual(7)
  })

  it('gives the four seats of a room four different colours', () => {
    expect(new Set([0, 1, 2, 3].map(colourFor)).size).toBe(4)
    expect(colourFor(0)).toBe('yellow')
    expect(colourHex(colourFor(1))).toBe('#4DC3FF')
  })

  it('gives a session without a seat a stable colour from the palette', () => {
    const colour = colourFor('a-session-id-1234')
    expect(colourFor('a-session-id-1234')).toBe(colour)
    expect(COLOUR_NAMES).toContain(colour)
    const spread = new Set(Array.from({ length: 64 }, (_, i) => colourFor(`session-${i}`)))
    expect(spread.size).toBe(8)
  })
})
