// What may be shared: formats told by their bytes (not their names), within the size limit, readable as what they
// claim; every refusal is a sentence.
import { describe, expect, it } from 'vitest'
import { makeDicom } from './dicom-test-kit'
import { makeGlb, makeGltfJson } from './gltf-test-kit'
import { checkFile, formatBytes } from './intake'
import { sniffFormat } from './sniff'

const text = (value: string) => new TextEncoder().encode(value)
const png = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  13,
  0x49,
  0x48,
  0x44,
  0x52,
  ...new Array(30).fill(0),
])
const pdf = text('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')

describe('intake', () => {
  it('tells formats by their bytes', () => {
    expect(sniffFormat(png)).toBe('png')
    expect(sniffFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg')
    expect(sniffFormat(text('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp')
    expect(sniffFormat(pdf)).toBe('pdf')
    expect(sniffFormat(makeDicom())).toBe('dicom')
    expect(sniffFormat(makeGlb())).toBe('glb')
    expect(sniffFormat(makeGltfJson())).toBe('gltf')
    expect(sniffFormat(text('{"not": "a model"}'))).toBeNull()
    expect(sniffFormat(text('MZ executable'))).toBeNull()
  })

  it('accepts what is whole and refuses the rest in sentences', async () => {
    expect(await checkFile('scan.jpg', pdf)).toEqual({ ok: true, format: 'pdf' })
    expect(await checkFile('model.glb', makeGlb())).toEqual({ ok: true, format: 'glb' })
    expect(await checkFile('model.gltf', makeGltfJson())).toEqual({ ok: true, format: 'gltf' })
    const refused = async (name: string, bytes: Uint8Array, max?: number) => {
      const result = await checkFile(name, bytes, max)
      expect(result.ok).toBe(false)
      return result.ok ? '' : result.sentence
    }
    expect(await refused('big.pdf', pdf, 10)).toBe(
      `“big.pdf” is ${pdf.length} bytes; files up to 10 bytes can be shared.`,
    )
    expect(await refused('fake.pdf', text('%PDF-1.4 and then nothing'))).toMatch(/damaged or incomplete/)
    expect(await refused('notes.pdf', text('just text'))).toMatch(/not a file that can be shared here/)
    const dicom = makeDicom()
    expect(await refused('ct.dcm', dicom.subarray(0, dicom.length - 64))).toMatch(
      /^“ct.dcm”: This DICOM file is damaged/,
    )
    expect(await refused('heart.gltf', makeGltfJson(true))).toMatch(
      /refers to a file outside it \(“triangle.bin”\)/,
    )
    const glb = makeGlb()
    expect(await refused('cut.glb', glb.subarray(0, glb.length - 4))).toMatch(/damaged or incomplete/)
    expect(await refused('empty.png', new Uint8Array())).toMatch(/is empty/)
    expect(formatBytes(104_857_600)).toBe('104.9 MB')
  })
})
