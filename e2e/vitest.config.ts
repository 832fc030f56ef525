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
  },
})
