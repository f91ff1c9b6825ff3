import { defineConfig } from 'vitest/config';

// One Inboxd for the whole run, started by global-setup.ts and handed to the tests with inject().
export default defineConfig({
  test: {
    include: ['*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    testTimeout: 30_000,
  },
});
