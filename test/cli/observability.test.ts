// Logs and metrics of a real `inboxd serve` (#14 item 6): one info line per delivery (ids,
// recipient count, size, duration, source) and per refusal (reason, SMTP answer); health checks
// and the web UI's files only at debug; /metrics keeps core's counters and adds prom-client's
// process defaults, HTTP requests and latency by route, SMTP sessions, delivery and store commit
// latency, and the parser queue depth.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { testPair } from '../support/harness.js';
import { dropSchema, uniqueName } from '../support/scale-env.js';
import { type ServeProcess, startServe } from '../support/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'inboxd-observe-'));
const scale = testPair() === 'scale';
const schema = uniqueName('observe');
const env: Record<string, string> = { INBOXD_DATA_DIR: dir, INBOXD_ENV: 'test', INBOXD_DATABASE_URL: '', INBOXD_REDIS_URL: '' };
if (scale) Object.assign(env, { INBOXD_DATABASE_URL: process.env.INBOXD_TEST_DATABASE_URL!, INBOXD_DATABASE_SCHEMA: schema, INBOXD_REDIS_URL: process.env.INBOXD_TEST_REDIS_URL!, INBOXD_REDIS_KEY_PREFIX: `${schema}:` });
let serve: ServeProcess | null = null;
afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (scale) await dropSchema(env.INBOXD_DATABASE_URL!, schema);
});

const lines = () =>
  serve!
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('inboxd serve logs and metrics', { timeout: 120_000 }, () => {
  it('logs each delivery and refusal once at info, health checks at debug, and serves the metrics', async () => {
    serve = await startServe({ env, startTimeoutMs: 60_000 });
    const created = await fetch(`${serve.http}/api/v1/mailboxes`, { method: 'POST' });
    const { address, session_token: token } = (await created.json()) as { address: string; session_token: string };
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: serve.smtpPort, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({ from: 'a@example.com', to: address, subject: 'hello', text: 'one two three' });
    const refused = await transport.sendMail({ from: 'a@example.com', to: [address, `nobody-${Date.now()}@inboxd.test`], subject: 'half', text: 'x' });
    transport.close();
    expect(info.accepted).toEqual([address]);
    expect(refused.rejected).toHaveLength(1);
    expect((await fetch(`${serve.http}/health`)).status).toBe(200);
    const list = await fetch(`${serve.http}/api/v1/mailboxes/${address}/messages`, { headers: { 'X-Session-Token': token } });
    expect(list.status).toBe(200);

    const metrics = await (await fetch(`${serve.http}/metrics`)).text();
    const log = lines();
    // deliveries: one line each, with the stored ids, recipient count, size, duration and source
    const delivered = log.filter((l) => l.msg === 'delivered');
    expect(delivered).toHaveLength(2);
    expect(delivered[0]).toMatchObject({ level: 30, component: 'delivery', recipients: 1, source: 'smtp' });
    expect(delivered[0]!.message_ids).toEqual([expect.stringMatching(/\S/)]);
    expect(delivered[0]!.size).toBeGreaterThan(0);
    expect(delivered[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    // the refusal: its reason and the SMTP answer
    const refusals = log.filter((l) => l.msg === 'refused');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 30, reason: 'mailbox_not_found', smtp: expect.stringMatching(/^550 5\.1\.1 /), source: 'smtp' });
    // requests: the API at info, the health check not at info
    const requests = log.filter((l) => l.msg === 'request').map((l) => l.url);
    expect(requests).toContain(`/api/v1/mailboxes/${address}/messages`);
    expect(requests).not.toContain('/health');

    // core's counters keep their names
    expect(metrics).toMatch(/^inboxd_messages_stored_total\{source="smtp"\} 2$/m);
    expect(metrics).toContain('# TYPE inboxd_deliveries_refused_total counter');
    // prom-client: HTTP by route (the pattern, never the address), latencies, gauges, process defaults
    expect(metrics).toContain('inboxd_http_requests_total{method="GET",route="/api/v1/mailboxes/:address/messages",status="200"} 1');
    expect(metrics).toMatch(/^inboxd_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/mailboxes\/:address\/messages"\} 1$/m);
    expect(metrics).not.toContain(address);
    expect(metrics).toMatch(/^inboxd_delivery_seconds_count\{source="smtp"\} 2$/m);
    expect(metrics).toMatch(/^inboxd_store_commit_seconds_count 2$/m);
    expect(metrics).toMatch(/^inboxd_smtp_sessions \d+$/m);
    expect(metrics).toMatch(/^inboxd_parser_queue_depth 0$/m);
    expect(metrics).toMatch(/^inboxd_process_cpu_user_seconds_total /m);
    expect(metrics).toMatch(/^inboxd_nodejs_eventloop_lag_seconds /m);
  });
});
