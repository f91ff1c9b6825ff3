/**
 * Runs the example on its own against a running Inboxd:
 *
 *   npm start                                          # in one terminal
 *   node --import tsx examples/playwright-signup/run.ts  # in another
 *
 * INBOXD_URL (default http://127.0.0.1:8025) and INBOXD_SMTP_HOST / INBOXD_SMTP_PORT (default
 * 127.0.0.1:2525) say where Inboxd is. Exits 0 when the page says "verified".
 */
import { startSignupApp } from './app.js';
import { signUpAndVerify } from './signup.js';

const inboxdUrl = process.env.INBOXD_URL ?? 'http://127.0.0.1:8025';
const app = await startSignupApp({ smtp: { host: process.env.INBOXD_SMTP_HOST ?? '127.0.0.1', port: Number(process.env.INBOXD_SMTP_PORT ?? 2525) } });
try {
  const result = await signUpAndVerify({ inboxdUrl, appUrl: app.url, apiKey: process.env.INBOXD_API_KEY || undefined });
  process.stdout.write(`${result.address}: code ${result.message.codes[0]?.value ?? '-'}, opened ${result.link} → ${result.status}\n`);
  process.exitCode = result.status === 'verified' ? 0 : 1;
} finally {
  await app.close();
}
