import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal worker loads a native module and a process-wide runtime; the SDK runs its own
    // suite without worker threads, so we do the same.
    pool: 'forks',
    clearMocks: true,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Integration suites start real servers on a 2-core machine; running them one file at a
          // time keeps readiness timings honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
