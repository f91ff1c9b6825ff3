// Jest global setup: start one real Inboxd in the Jest process (free ports, temp data folder)
// and tell the test files where it is through the environment, which Jest's workers inherit.
import process from 'node:process';
import { startInboxd } from 'inboxd/testing';

export default async function globalSetup() {
  const inboxd = await startInboxd();
  globalThis.__INBOXD__ = inboxd; // for global-teardown.mjs (same process)
  process.env.INBOXD_URL = inboxd.url;
  process.env.INBOXD_API_KEY = inboxd.apiKey;
  process.env.INBOXD_SMTP_HOST = inboxd.smtp.host;
  process.env.INBOXD_SMTP_PORT = String(inboxd.smtp.port);
}
