import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one fork per core keeps PGlite and Postgres tests from starving each other.
    pool: 'forks',
    maxWorkers: 2,
  },
});
