import { defineConfig } from 'vitest/config'

// Real-browser tests: each file starts the real server and drives Debian's Chromium. One file at a time, since
// several rendering pages already fill a two-core machine; generous timeouts because software GL is slow, while
// every assertion still waits on a condition, never on a fixed sleep.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits for a condition; its 1 s default made a loaded machine's slow round trip a failure. A
    // poll that needs another bound says so itself.
    expect: { poll: { timeout: 20_000 } },
  },
})
