// DICOM intake and display: a known ramp (made with dcmjs) is read back with its size, frames and window, and
// shown with the grey levels DICOM's linear window function gives; MONOCHROME1 inverted, RGB as it is, signed and
// rescaled values in modality units; damaged, compressed and colour-model files are refused in sentences.
import { describe, expect, it } from 'vitest'
import { parseDicom, renderDicomFrame, windowLevel, windowPresets } from './dicom'
import { makeDicom, rampValue } from './dicom-test-kit'

function image(bytes: Uint8Array) {
  const parsed = parseDicom(bytes)
  if (!parsed.ok) throw new Error(parsed.sentence)
  return parsed.image
}

describe('DICOM', () => {
  it('reads a 16-bit ramp with its window and shows the grey levels of two windows', () => {
    const ramp = image(makeDicom({ window: { centre: 2048, width: 4096 } }))
    expect(ramp).toMatchObject({
      rows: 16,
      columns: 256,
      frames: 1,
      photometric: 'MONOCHROME2',
      bitsAllocated: 16,
    })
    expect(ramp.windows[0]).toMatchObject({ centre: 2048, width: 4096 })
    const wide = renderDicomFrame(ramp, 0, { centre: 2048, width: 4096 })
    for (const x of [0, 64, 128, 255]) {
      expect(wide[x * 4]).toBe(Math.round(windowLevel(rampValue(x), 2048, 4096)))
    }
    expect(wide[128 * 4]).toBeGreaterThan(120)
    expect(wide[128 * 4]).toBeLessThan(136)
    const narrow = renderDicomFrame(ramp, 0, { centre: 1024, width: 512 })
    expect(narrow[32 * 4]).toBe(0) // 512, below the window
    expect(narrow[64 * 4]).toBe(128) // 1024, its middle
    expect(narrow[100 * 4]).toBe(255) // 1600, above
  })

  it('inverts MONOCHROME1, keeps RGB, and reads signed rescaled values in modality units', () => {
    const inverted = image(makeDicom({ photometric: 'MONOCHROME1', window: { centre: 2048, width: 4096 } }))
    expect(renderDicomFrame(inverted, 0, { centre: 2048, width: 4096 })[0]).toBe(255)
    const rgb = image(
      makeDicom({ photometric: 'RGB', value: (x, _y, _f, c) => (c === 0 ? x : c === 1 ? 255 - x : 7) }),
    )
    const pixels = renderDicomFrame(rgb, 0, { centre: 0, width: 1 })
    expect([...pixels.subarray(10 * 4, 10 * 4 + 4)]).toEqual([10, 245, 7, 255])
    const ct = image(
      makeDicom({ signed: true, modality: 'CT', value: (x) => x * 8 - 1024, slope: 1, intercept: -1000 }),
    )
    expect(ct.range.min).toBe(-2024)
    expect(windowPresets(ct).map((preset) => preset.label)).toContain('Lung')
  })

  it('shows each frame of a multi-frame image', () => {
    const cine = image(makeDicom({ frames: 3, bits: 8, value: (_x, _y, frame) => frame * 100 }))
    expect(cine.frames).toBe(3)
    expect(renderDicomFrame(cine, 2, { centre: 128, width: 256 })[0]).toBeGreaterThan(
      renderDicomFrame(cine, 1, { centre: 128, width: 256 })[0] ?? 0,
    )
  })

  it('refuses a truncated file, a compressed one and an unknown colour model in sentences', () => {
    const whole = makeDicom()
    const truncated = parseDicom(whole.subarray(0, whole.length - 100))
    expect(truncated.ok).toBe(false)
    expect(!truncated.ok && truncated.sentence).toMatch(/damaged or incomplete/)
    const compressed = parseDicom(makeDicom({ transferSyntax: '1.2.840.10008.1.2.4.50' }))
    expect(!compressed.ok && compressed.sentence).toMatch(/compressed/)
  })
})
