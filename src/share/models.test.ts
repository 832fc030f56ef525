// The education models in public/models (built by scripts/build-models.mjs): each is a self-contained GLB that
// the intake takes, at most 2 MB, with its parts as named nodes.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkFile } from './intake'
import { EDUCATION_MODELS } from './models'

describe('education models', () => {
  it.each(EDUCATION_MODELS)('$file is shareable, small and has named parts', async ({ file, parts }) => {
    const bytes = new Uint8Array(readFileSync(new URL(`../../public/models/${file}`, import.meta.url)))
    expect(bytes.byteLength).toBeLessThanOrEqual(2 * 1024 * 1024)
    expect(await checkFile(file, bytes)).toEqual({ ok: true, format: 'glb' })
    const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true)
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)))
    const names = (json.nodes as Array<{ name?: string }>).map((node) => node.name)
    for (const part of parts) expect(names).toContain(part)
  })
})
