// SIGTERM on a real `inboxd serve` (#14 item 7): an open long-poll answers 503 shutting_down with
// Retry-After (retryable, not a 408 "no mail"), a WebSocket closes with 1001 going away, an SSE
// stream ends, and the process exits 0 on its own, well before the test's SIGKILL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { testPair } from '../support/harness.js';
import { dropSchema, uniqueName } from '../support/scale-env.js';
import { type ServeProcess, startServe } from '../support/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'inboxd-shutdown-'));
const scale = testPair() === 'scale';
const schema = uniqueName('shutdown');
const env: Record<string, string> = { INBOXD_DATA_DIR: dir, INBOXD_ENV: 'test', INBOXD_DATABASE_URL: '', INBOXD_REDIS_URL: '' };
if (scale) Object.assign(env, { INBOXD_DATABASE_URL: process.env.INBOXD_TEST_DATABASE_URL!, INBOXD_DATABASE_SCHEMA: schema, INBOXD_REDIS_URL: process.env.INBOXD_TEST_REDIS_URL!, INBOXD_REDIS_KEY_PREFIX: `${schema}:` });
let serve: ServeProcess | null = null;
afterAll(async () => {
  await serve?.kill();
  rmSync(dir, { recursive: true, force: true });
  if (scale) await dropSchema(env.INBOXD_DATABASE_URL!, schema);
});

/** reads an SSE body until `until` appears; resolves with what was read and whether the stream ended. */
async function readSse(reader: ReadableStreamDefaultReader<Uint8Array>, until?: string): Promise<{ text: string; ended: boolean }> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { text, ended: true };
    text += decoder.decode(value, { stream: true });
    if (until && text.includes(until)) return { text, ended: false };
  }
}

describe('inboxd serve on SIGTERM', { timeout: 120_000 }, () => {
  it('answers open long-polls 503 with Retry-After, closes WebSockets with 1001, ends SSE, and exits 0', async () => {
    serve = await startServe({ env, startTimeoutMs: 60_000 });
    const created = await fetch(`${serve.http}/api/v1/mailboxes`, { method: 'POST' });
    expect(created.status).toBe(201);
    const { address, session_token: token } = (await created.json()) as { address: string; session_token: string };
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: serve.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'a@example.com', to: address, subject: 'first', text: 'hello' });
    transport.close();
    const q = `token=${encodeURIComponent(token)}`;

    // a long-poll for a second message that never comes
    const wait = fetch(`${serve.http}/api/v1/mailboxes/${address}/messages/wait?after_seq=1&timeout=90`, { headers: { 'X-Session-Token': token } });
    // a WebSocket and an SSE stream, each known to be live once it has replayed the first message
    const ws = new WebSocket(`${serve.http.replace('http', 'ws')}/ws/inbox/${address}?since=0&${q}`);
    const wsClosed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    const sse = await fetch(`${serve.http}/api/v1/mailboxes/${address}/events?since=0&${q}`);
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    expect((await readSse(reader, 'event: new_message')).ended).toBe(false);

    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => serve!.child.once('exit', (code, signal) => resolve({ code, signal })));
    serve.child.kill('SIGTERM');

    const answered = await wait;
    expect(answered.status).toBe(503);
    expect(answered.headers.get('retry-after')).toBe('1');
    expect(await answered.json()).toMatchObject({ error: 'shutting_down' });
    expect(await wsClosed).toEqual({ code: 1001, reason: 'shutting_down' });
    expect((await readSse(reader)).ended).toBe(true);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(serve.output()).toContain('"msg":"stopped"');
  });
});
