import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The files share one server: dashboard.e2e.test.ts creates the first owner, so it runs first; the rest by name. */
class FirstRunFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => (file.moduleId.endsWith('/dashboard.e2e.test.ts') ? 0 : 1);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// The browser suite: builds the app, starts one real server on a temp DATA_DIR and drives
// Debian's Chromium with playwright-core. Run: npx vitest run --config e2e/vitest.config.ts
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    // The machine is shared: give expect.poll more than its 1 s default before calling a UI wrong.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 240_000,
    fileParallelism: false,
    pool: 'forks',
    maxWorkers: 1,
    sequence: { concurrent: false, sequencer: FirstRunFirst },
  },
});
