import { defineConfig } from '@playwright/test';

// Debian's Chromium (INBOXD_CHROMIUM to point elsewhere); Playwright's browser download is never used.
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 60_000,
  reporter: 'list',
  use: {
    headless: true,
    launchOptions: { executablePath: process.env.INBOXD_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] },
  },
});
