import { defineConfig } from 'vitest/config'

// Unit tests: plain TypeScript in node. Real-browser tests have their own config (e2e/vitest.config.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.mjs'],
    environment: 'node',
    // src/call/runtime.test.ts checks with the garbage collector that a call left leaves nothing reachable.
    execArgv: ['--expose-gc'],
    // Generous: a loaded CI machine may take seconds for what takes milliseconds here (the FHIR validators load
    // large definitions; the crypto-heavy property tests sign thousands of ops). Tests check behaviour, not speed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
