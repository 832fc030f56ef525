import { describe, expect, it } from 'vitest'
import { Assembly, chunkCount, sha256Hex } from './assembly'

describe('Assembly', () => {
  it('stores pieces in any order, refuses wrong ones, and names the gaps a receiver asks for', async () => {
    const assembly = new Assembly(10, 4)
    expect(assembly.chunks).toBe(3)
    expect(assembly.put(2, new Uint8Array([9, 10]))).toBe('stored')
    expect(assembly.put(2, new Uint8Array([9, 10]))).toBe('duplicate')
    expect(assembly.put(1, new Uint8Array([5, 6, 7]))).toBe('refused')
    expect(assembly.put(3, new Uint8Array([1]))).toBe('refused')
    expect(assembly.missingRanges(10)).toEqual([[0, 2]])
    expect(assembly.put(0, new Uint8Array([1, 2, 3, 4]))).toBe('stored')
    expect(assembly.missingRanges(10)).toEqual([[1, 2]])
    assembly.put(1, new Uint8Array([5, 6, 7, 8]))
    expect(assembly.complete).toBe(true)
    expect([...assembly.bytes]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(chunkCount(65536 * 2 + 1, 65536)).toBe(3)
  })
})
