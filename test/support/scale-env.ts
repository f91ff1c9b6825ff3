/**
 * The scale suite's gate (STYLE: "never a silent skip"). A suite that needs PostgreSQL or Redis
 * reads its URL from INBOXD_TEST_DATABASE_URL / INBOXD_TEST_REDIS_URL:
 * - set and reachable: the suite runs;
 * - set but unreachable: the suite FAILS, saying which URL could not be reached;
 * - unset with CI=true (`.ci/run` sets both URLs): the suite FAILS;
 * - unset elsewhere (a fresh laptop): one passing test named "scale suite NOT RUN: …" and a loud
 *   warning on stderr, so the output says plainly what did not run.
 * Also the per-file isolation helpers: a fresh PostgreSQL schema, a fresh Redis key prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export type ScaleVar = 'INBOXD_TEST_DATABASE_URL' | 'INBOXD_TEST_REDIS_URL';

const PROBE_TIMEOUT_MS = 5000;

/**
 * registers `title`: `body(url)` when the variable is set (after checking the service answers),
 * otherwise the loud not-run marker, or a failure in CI.
 */
export function describeScale(vars: ScaleVar | ScaleVar[], title: string, body: (urls: Record<ScaleVar, string>) => void): void {
  const names = Array.isArray(vars) ? vars : [vars];
  const missing = names.filter((v) => !process.env[v]);
  if (missing.length > 0) {
    const list = missing.join(' and ');
    if (process.env.CI === 'true') {
      describe(title, () => {
        it(`scale suite REQUIRED in CI: ${list} is not set`, () => {
          throw new Error(`${list} must be set when CI=true: the scale suite (${title}) cannot be skipped in CI`);
        });
      });
      return;
    }
    describe(title, () => {
      it(`scale suite NOT RUN: ${list} is not set`, () => {
        const line = '!'.repeat(78);
        console.warn(
          `\n${line}\n!! scale suite NOT RUN: ${title}\n!! ${list} is not set, so these tests did not run against real services.\n` +
            `!! Set it (e.g. INBOXD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test,\n` +
            `!! INBOXD_TEST_REDIS_URL=redis://127.0.0.1:6379) to run them; CI always does.\n${line}\n`,
        );
        for (const v of missing) expect(process.env[v]).toBeFalsy();
      });
    });
    return;
  }
  const urls = Object.fromEntries(names.map((v) => [v, process.env[v]!])) as Record<ScaleVar, string>;
  describe(title, () => {
    beforeAll(async () => {
      for (const v of names) await probe(v, urls[v]);
    });
    body(urls);
  });
}

/** fails with a message naming the variable when its service does not answer. */
async function probe(name: ScaleVar, url: string): Promise<void> {
  const shown = redact(url);
  try {
    if (name === 'INBOXD_TEST_DATABASE_URL') {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    } else {
      const redis = new Redis(url, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
      let cause: Error | undefined;
      redis.on('error', (err: Error) => (cause ??= err));
      try {
        await redis.connect().catch((err: unknown) => {
          // ioredis reports "Connection is closed"; the socket error says why
          throw cause ?? err;
        });
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    }
  } catch (err) {
    throw new Error(`${name}=${shown} is set but unreachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** a random name for this file's schema or key prefix. */
export function uniqueName(kind: string): string {
  return `inboxd_${kind}_${randomBytes(5).toString('hex')}`;
}

/**
 * a fresh PostgreSQL schema for this test file, dropped (with everything in it) after the file.
 * Call inside a describeScale body.
 */
export function useFreshSchema(url: string): string {
  const schema = uniqueName('t');
  afterAll(() => dropSchema(url, schema));
  return schema;
}

/** drops a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
