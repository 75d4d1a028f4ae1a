import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // e2e files start browsers and servers; two workers fit this 2-core machine.
    maxWorkers: 2,
  },
});
