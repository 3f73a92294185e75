import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files that start etcd clusters share 2 cores: run files one at a time, predictably.
    fileParallelism: false,
    reporters: ['default'],
  },
});
