// Start-up failures as an operator meets them (#14 item 5), through the real `inboxd serve`: a port
// in use, a data directory that cannot be used, PostgreSQL or Redis unreachable — each is one
// line on stderr naming the setting and what to do, no stack trace, exit 1. PostgreSQL and Redis
// that come up while serve is retrying are waited for (with backoff, for INBOXD_STARTUP_RETRY).
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/fault-tools.js';
import { describeScale, dropSchema, uniqueName } from '../support/scale-env.js';
import { startServe } from '../support/serve-process.js';
import { CuttableProxy } from '../support/tcp-proxy.js';
import { runInboxd } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inboxd-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// the embedded pair on a fresh folder unless a case says otherwise; the shell's scale URLs must not leak in
const base = { INBOXD_DATA_DIR: join(dir, 'data'), INBOXD_HTTP_PORT: '0', INBOXD_SMTP_PORT: '0', INBOXD_DATABASE_URL: '', INBOXD_REDIS_URL: '', INBOXD_LOG_LEVEL: 'warn' };

/** the one stderr line of a failed start, checked for the shape every such failure must have. */
function oneLine(r: { code: number | null; stderr: string }): string {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('inboxd serve start-up failures', { timeout: 90_000 }, () => {
  it('names the setting when the HTTP or SMTP port is in use', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      const http = oneLine(await runInboxd(['serve'], { ...base, INBOXD_HTTP_PORT: String(port) }));
      expect(http).toBe(`inboxd: cannot listen for HTTP on 127.0.0.1:${port}: the port is in use; stop the other process or set INBOXD_HTTP_PORT (--http-port) to a free port (0 = any)`);
      const smtp = oneLine(await runInboxd(['serve', '--roles', 'smtp', '--smtp-port', String(port)], base));
      expect(smtp).toMatch(new RegExp(`^inboxd: cannot listen for SMTP on 127\\.0\\.0\\.1:${port}: the port is in use; .*INBOXD_SMTP_PORT \\(--smtp-port\\)`));
    } finally {
      taken.close();
    }
  });

  it('names the setting when the data directory cannot be used', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const line = oneLine(await runInboxd(['serve'], { ...base, INBOXD_DATA_DIR: join(file, 'data') }));
    expect(line).toMatch(/^inboxd: the data directory ".*not-a-folder\/data" is not usable \(.*ENOTDIR.*\); set INBOXD_DATA_DIR \(--data-dir\) to a folder this user can write/);
    // migrate and admin say the same
    expect(oneLine(await runInboxd(['migrate'], { ...base, INBOXD_DATA_DIR: join(file, 'data') }))).toMatch(/INBOXD_DATA_DIR \(--data-dir\)/);
  });

  it('retries an unreachable PostgreSQL for INBOXD_STARTUP_RETRY, then names the setting (password redacted)', async () => {
    const port = await freePort();
    const r = await runInboxd(['serve'], { ...base, INBOXD_DATABASE_URL: `postgres://inboxd:hunter2@127.0.0.1:${port}/inboxd`, INBOXD_STARTUP_RETRY: '2' });
    const line = oneLine(r);
    expect(line).toMatch(new RegExp(`^inboxd: cannot reach PostgreSQL at postgres://inboxd:\\*\\*\\*@127\\.0\\.0\\.1:${port}/inboxd \\(INBOXD_DATABASE_URL \\(--database-url\\)\\) after 2 s: .*ECONNREFUSED.*; check the URL and that PostgreSQL is running, or wait longer with INBOXD_STARTUP_RETRY \\(--startup-retry\\)$`));
    expect(r.stdout + r.stderr).not.toContain('hunter2');
    // it did retry, with growing waits, before giving up
    const retries = r.stdout.split('\n').filter((l) => l.includes('PostgreSQL is not reachable yet; retrying')).map((l) => JSON.parse(l) as { retry_in_ms: number });
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[1]!.retry_in_ms).toBeGreaterThan(retries[0]!.retry_in_ms);
  });

  it('names the setting when Redis is unreachable', async () => {
    const port = await freePort();
    const line = oneLine(await runInboxd(['serve'], { ...base, INBOXD_REDIS_URL: `redis://127.0.0.1:${port}`, INBOXD_STARTUP_RETRY: '0' }));
    expect(line).toMatch(new RegExp(`^inboxd: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(INBOXD_REDIS_URL \\(--redis-url\\)\\) after 0 s: .*; check the URL and that Redis is running`));
  });
});

describeScale(['INBOXD_TEST_DATABASE_URL', 'INBOXD_TEST_REDIS_URL'], 'inboxd serve waits for PostgreSQL and Redis that come up late', ({ INBOXD_TEST_DATABASE_URL: dbUrl, INBOXD_TEST_REDIS_URL: redisUrl }) => {
  const schema = uniqueName('startup');
  afterAll(() => dropSchema(dbUrl, schema));

  it('starts once both answer, after retrying', { timeout: 90_000 }, async () => {
    const db = new URL(dbUrl);
    const redis = new URL(redisUrl);
    const pgProxy = new CuttableProxy(db.hostname, Number(db.port || 5432));
    const redisProxy = new CuttableProxy(redis.hostname, Number(redis.port || 6379));
    // take a port for each, then close it: serve starts with neither service reachable
    await pgProxy.open();
    await redisProxy.open();
    await pgProxy.cut();
    await redisProxy.cut();
    db.host = `127.0.0.1:${pgProxy.port}`;
    redis.host = `127.0.0.1:${redisProxy.port}`;
    const seen: string[] = [];
    const serve = await startServe({
      env: { ...base, INBOXD_DATABASE_URL: db.toString(), INBOXD_DATABASE_SCHEMA: schema, INBOXD_REDIS_URL: redis.toString(), INBOXD_STARTUP_RETRY: '60', INBOXD_LOG_LEVEL: 'info' },
      startTimeoutMs: 80_000,
      onLine: (line) => {
        if (line.includes('PostgreSQL is not reachable yet') && seen.push('postgres') === 1) void pgProxy.open();
        if (line.includes('Redis is not reachable yet') && !seen.includes('redis')) {
          seen.push('redis');
          void redisProxy.open();
        }
      },
    });
    try {
      expect(seen[0]).toBe('postgres');
      const health = await fetch(`${serve.http}/health`);
      expect(health.status).toBe(200);
    } finally {
      await serve.stop();
      await pgProxy.cut();
      await redisProxy.cut();
    }
  });
});
