// Property-based checks of the intake every shared file goes through, on both sides (a receiver checks what it got
// too): whatever bytes arrive, DICOM, glTF/GLB or anything else, the check returns a format or a sentence and never
// throws; and a valid DICOM or GLB, cut or mutated, is never taken for a whole one without being readable.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDicom, renderDicomFrame } from './dicom'
import { makeDicom } from './dicom-test-kit'
import { checkGltf } from './gltf'
import { makeGlb, makeGltfJson } from './gltf-test-kit'
import { checkFile } from './intake'

const FUZZ_TIMEOUT_MS = 120_000
const dicom = makeDicom({ rows: 4, columns: 8, window: { centre: 100, width: 200 } })
const glb = makeGlb()
const gltf = makeGltfJson()

function expectVerdict(result: Awaited<ReturnType<typeof checkFile>>) {
  if (result.ok) expect(typeof result.format).toBe('string')
  else expect(result.sentence).toMatch(/[.!?)]$/)
}

const mutated = (base: Uint8Array) =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat({ max: base.length }),
      fc.boolean(),
    )
    .map(([flips, cut, truncate]) => {
      const bytes = base.slice(0, truncate ? cut : base.length)
      for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value
      return bytes
    })

describe('intake under fuzzing', () => {
  it(
    'never throws on arbitrary bytes, nor on bytes that start like each format',
    async () => {
      const prefixes = [
        dicom.subarray(0, 140),
        glb.subarray(0, 20),
        new TextEncoder().encode('%PDF-'),
        gltf.subarray(0, 30),
      ]
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 600 }),
          fc.nat({ max: prefixes.length }),
          async (tail, which) => {
            const prefix = prefixes[which] ?? new Uint8Array()
            const bytes = new Uint8Array(prefix.length + tail.length)
            bytes.set(prefix)
            bytes.set(tail, prefix.length)
            expectVerdict(await checkFile('fuzz', bytes))
          },
        ),
        { numRuns: 10_000 },
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'never throws on mutated or cut DICOM, and what it accepts it can draw',
    () => {
      fc.assert(
        fc.property(mutated(dicom), (bytes) => {
          const result = parseDicom(bytes)
          if (!result.ok) return
          const { image } = result
          const pixels = renderDicomFrame(image, image.frames - 1, { centre: 100, width: 200 })
          expect(pixels.length).toBe(image.rows * image.columns * 4)
        }),
        { numRuns: 10_000 },
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'never throws on mutated or cut glTF and GLB',
    () => {
      fc.assert(
        fc.property(mutated(glb), mutated(gltf), (binary, json) => {
          const a = checkGltf(binary, true)
          const b = checkGltf(json, false)
          for (const result of [a, b]) if (!result.ok) expect(result.sentence.length).toBeGreaterThan(10)
        }),
        { numRuns: 10_000 },
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})
