import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default is one worker less than the cores: one worker on CI's two, where most test
    // files wait on servers, databases and child processes rather than compute.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    setupFiles: ['./test/support/fast-check-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
