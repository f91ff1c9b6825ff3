// The Playwright fixture: `mailbox` is a fresh Inboxd mailbox per test, on an Inboxd the worker
// started itself (or the one at INBOXD_URL). The app under test is examples/playwright-signup's
// sign-up site, which emails a verification link over SMTP.
import { expect, test } from 'inboxd/playwright';
import { type SignupApp, startSignupApp } from '../../playwright-signup/app.js';

let app: SignupApp;
test.beforeAll(async ({ inboxd }) => {
  const smtp = inboxd.smtp ?? { host: process.env.INBOXD_SMTP_HOST ?? '127.0.0.1', port: Number(process.env.INBOXD_SMTP_PORT ?? 2525) };
  app = await startSignupApp({ smtp });
});
test.afterAll(() => app?.close());

test('sign up, receive the link, open it, see "verified"', async ({ page, mailbox }) => {
  await page.goto(app.url);
  await page.fill('#email', mailbox.address);
  await page.click('#signup');
  await expect(page.locator('#status')).toContainText('Check your inbox');

  const message = await mailbox.waitForMessage({ subject: 'Confirm your email', timeoutMs: 30_000 });
  expect(message.codes[0]?.value).toMatch(/^\d{6}$/);
  const link = message.links.find((l) => l.url.startsWith(`${app.url}/verify`));
  expect(link).toBeDefined();

  await page.goto(link!.url);
  await expect(page.locator('#status')).toHaveText('verified');
});
