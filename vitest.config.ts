import { defineConfig } from 'vitest/config'

// Unit tests: plain TypeScript in node. Real-browser tests have their own config (e2e/vitest.config.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.mjs'],
    environment: 'node',
    // src/call/runtime.test.ts checks with the garbage collector that a call left leaves nothing reachable.
    execArgv: ['--expose-gc'],
  },
})
