import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Files run in parallel; each one isolates itself with its own Redis key prefix and database.
    pool: 'forks',
    maxWorkers: 3,
  },
});
