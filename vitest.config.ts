import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The machine has 2 cores; sharp and the detectors use both.
    pool: 'forks',
    maxWorkers: 2,
  },
});
