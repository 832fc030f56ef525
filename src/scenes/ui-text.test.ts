import { describe, expect, it } from 'vitest'
import { drawableText } from './ui-text'

describe('drawableText', () => {
  it('keeps what the font draws and swaps common typography for its ASCII look-alike', () => {
    expect(drawableText('SpO₂ low: 86 % (limit 90 %)')).toBe('SpO2 low: 86 % (limit 90 %)')
    expect(drawableText('Temperature 39.4 °C · now back within limits…')).toBe(
      'Temperature 39.4 °C - now back within limits...',
    )
    expect(drawableText('Dr. Müller’s note')).toBe("Dr. Müller's note")
  })

  it('shows a glyph it cannot draw as a question mark rather than nothing', () => {
    expect(drawableText('ok 👍')).toBe('ok ?')
    expect(drawableText('李')).toBe('?')
  })
})
