import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure modules, colocated) and `integration` (real sockets, real SQLite,
// and PostgreSQL/Redis when INBOXD_TEST_DATABASE_URL / INBOXD_TEST_REDIS_URL are set).
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
