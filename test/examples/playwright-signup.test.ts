// examples/playwright-signup, kept working by CI: a real Inboxd (port 0), the example's sign-up
// app sending real SMTP to it, and Debian's Chromium driven by playwright-core. A missing
// browser is a loud NOT RUN locally and a failure in CI (INBOXD_REQUIRE_BROWSER=1: test/support/browser.ts).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SignupApp, startSignupApp } from '../../examples/playwright-signup/app.js';
import { CHROMIUM, signUpAndVerify } from '../../examples/playwright-signup/signup.js';
import { describeBrowser, SKIP_BROWSER } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
let app: SignupApp;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  s = await startTestServer();
  app = await startSignupApp({ smtp: { host: '127.0.0.1', port: s.smtpPort } });
});
afterAll(async () => {
  await app?.close();
  await s?.close();
});

describeBrowser('example: Playwright sign-up with an emailed link', () => {
  it('has a browser to run', () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set INBOXD_CHROMIUM)`).toBe(true);
  });

  it('signs up, receives the email through Inboxd, opens the link and sees "verified"', { timeout: 90_000 }, async () => {
    const result = await signUpAndVerify({ inboxdUrl: s.url, appUrl: app.url });
    expect(result.status).toBe('verified');
    expect(app.verified.has(result.address)).toBe(true);
    expect(result.message).toMatchObject({ from: 'no-reply@acme.example', subject: 'Confirm your email' });
    expect(result.message.codes[0]?.value).toMatch(/^\d{6}$/);
    expect(result.link).toMatch(new RegExp(`^${app.url}/verify\\?token=[0-9a-f]{32}$`));
  });
});
