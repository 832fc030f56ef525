// For tests that prove something is released: full collections, as a heap snapshot's would be.
import { expect } from 'vitest'

/** Full collections, with time between them for finalisation (WeakRefs clear between turns). */
export async function collectGarbage() {
  const gc = (globalThis as { gc?: () => void }).gc
  expect(gc, 'vitest runs with --expose-gc (vitest.config.ts)').toBeTypeOf('function')
  for (let i = 0; i < 5; i++) {
    gc?.()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
