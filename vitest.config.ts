import { defineConfig } from 'vitest/config';

// Integration and end-to-end tests start real servers and processes; they get generous timeouts
// because a timeout here means "hung", never "slow" (speed is measured in bench/).
export default defineConfig({
  test: {
    include: ['{shared,proto,agent,collector}/{src,test}/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
