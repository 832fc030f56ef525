// The education models in public/models (built by scripts/build-models.mjs): each is a self-contained GLB that
// the intake takes, at most 2 MB, with its parts as named nodes.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MAX_PART_NAME, modelParts } from './gltf'
import { makeBoxGlb } from './gltf-test-kit'
import { checkFile } from './intake'
import { EDUCATION_MODELS } from './models'
import { itemViewSchema } from './wire'

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

describe('model parts', () => {
  it.each(EDUCATION_MODELS)('$file lists its named parts to highlight', ({ file, parts }) => {
    const bytes = new Uint8Array(readFileSync(new URL(`../../public/models/${file}`, import.meta.url)))
    const listed = modelParts(bytes, true)
    for (const part of parts) expect(listed).toContain(part)
    expect(new Set(listed).size).toBe(listed.length)
  })

  it('lists nothing for a file it cannot read, and names only nodes that hold something', () => {
    expect(modelParts(new Uint8Array([1, 2, 3]), true)).toEqual([])
    const json = (nodes: unknown[]) =>
      new TextEncoder().encode(JSON.stringify({ asset: { version: '2.0' }, nodes }))
    expect(
      modelParts(
        json([
          { name: 'Valve', mesh: 0 },
          { name: 'Empty' },
          { mesh: 1 },
          { name: 'Group', children: [0] },
          { name: 'x'.repeat(MAX_PART_NAME + 1), mesh: 0 },
          { name: 'Valve', mesh: 2 },
        ]),
        false,
      ),
    ).toEqual(['Valve', 'Group'])
    expect(modelParts(makeBoxGlb(), true).length).toBeLessThanOrEqual(1)
  })

  it('a highlighted part travels in the shared view, bounded', () => {
    const view = { page: 0, zoom: 1, window: null, rotation: [0, 0, 0, 1], scale: 1 }
    expect(itemViewSchema.safeParse({ ...view, part: 'Mitral valve' }).success).toBe(true)
    expect(itemViewSchema.safeParse({ ...view, part: null }).success).toBe(true)
    expect(itemViewSchema.safeParse(view).success).toBe(true)
    expect(itemViewSchema.safeParse({ ...view, part: '' }).success).toBe(false)
    expect(itemViewSchema.safeParse({ ...view, part: 'x'.repeat(MAX_PART_NAME + 1) }).success).toBe(false)
  })
})
