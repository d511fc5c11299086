import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous ceilings, not expected durations: tests wait for conditions, and on a loaded 2-core
    // machine starting an embedded database or a worker process alone can take 20 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files run in parallel; each one isolates itself with its own Redis key prefix and database.
    pool: 'forks',
    maxWorkers: 3,
  },
});
