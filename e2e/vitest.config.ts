import { defineConfig } from 'vitest/config';

// The browser suite: builds the app, starts one real server on a temp DATA_DIR and drives
// Debian's Chromium with playwright-core. Run: npx vitest run --config e2e/vitest.config.ts
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    pool: 'forks',
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
