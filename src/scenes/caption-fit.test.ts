import { describe, expect, it } from 'vitest'
import { fitCaption, type Measure } from './caption-fit'

/** Every character half as wide as the font is tall: close to a sans-serif's average. */
const measure: Measure = (text, size) => text.length * size * 0.5

describe('fitCaption', () => {
  it('keeps a short name on one line at the largest size', () => {
    expect(fitCaption('Trainee 1', measure, 228, 50, [26, 22, 19])).toEqual({
      size: 26,
      lines: ['Trainee 1'],
    })
  })

  it('takes a smaller font before cutting: the whole name stays readable', () => {
    // 18 characters: 234 px at 26, 198 px at 22.
    expect(fitCaption('Trainee Speaker 12', measure, 228, 50, [26, 22, 19])).toEqual({
      size: 22,
      lines: ['Trainee Speaker 12'],
    })
  })

  it('wraps a long name on two lines where the height holds them', () => {
    const fitted = fitCaption('Dr. Maximiliane Oberhauser-Lindqvist', measure, 228, 50, [26, 22, 19])
    expect(fitted.size).toBe(19)
    expect(fitted.lines).toEqual(['Dr. Maximiliane', 'Oberhauser-Lindqvist'])
    for (const line of fitted.lines) expect(measure(line, fitted.size)).toBeLessThanOrEqual(228)
  })

  it('cuts with an ellipsis only what two lines at the smallest size cannot hold', () => {
    const fitted = fitCaption(
      'Professor Doctor Maximiliane Oberhauser-Lindqvist of Somewhere',
      measure,
      228,
      50,
      [26, 22, 19],
    )
    expect(fitted.size).toBe(19)
    expect(fitted.lines).toHaveLength(2)
    expect(fitted.lines[0]).toBe('Professor Doctor')
    expect(fitted.lines[1]?.endsWith('…')).toBe(true)
    for (const line of fitted.lines) expect(measure(line, 19)).toBeLessThanOrEqual(228)
  })

  it('gives an empty name one empty line', () => {
    expect(fitCaption('', measure, 228, 50, [26])).toEqual({ size: 26, lines: [''] })
  })
})
