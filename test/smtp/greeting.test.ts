// Pins INBOXD_SMTP_GREETING_DELAY: smtp-server hard-codes a 100 ms early-talker delay; we replace
// it with the setting. How fast the greeting comes with a delay of 0 is a speed claim, measured
// beside a bare smtp-server (which holds 100 ms) by `npm run bench -- connection`, not asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

async function greetingMs(port: number): Promise<{ ms: number; line: string }> {
  const started = performance.now();
  const c = await rawSmtp(port);
  const line = await c.reply();
  const ms = performance.now() - started;
  c.close();
  return { ms, line };
}

describe('the SMTP greeting delay', () => {
  let fast: TestServer;
  let slow: TestServer;
  beforeAll(async () => {
    fast = await startTestServer({ smtp_greeting_delay: 0 });
    slow = await startTestServer({ smtp_greeting_delay: 400 });
  });
  afterAll(async () => {
    await fast.close();
    await slow.close();
  });

  it('holds the greeting for the configured delay, not the library default', async () => {
    const r = await greetingMs(slow.smtpPort);
    expect(r.line).toMatch(/^220 /);
    // a lower bound is not a timing race: the greeting cannot come before its timer fires
    expect(r.ms).toBeGreaterThanOrEqual(390);
  });

  it('greets exactly once', async () => {
    const c = await rawSmtp(slow.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    await expect(c.reply(600)).rejects.toThrow(/no SMTP reply/);
    c.close();
  });
});
