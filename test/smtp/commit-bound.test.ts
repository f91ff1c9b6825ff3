// The bound on a delivery's commit (#14 item 1), on the pair under test: while the store cannot
// commit (embedded: another process holds the SQLite write lock; scale: another session holds the
// mailbox's row lock, so PostgreSQL stalls the insert), SMTP answers 451 4.3.0 within
// store_commit_timeout, never a 250 later; /health answers meanwhile and reports the commits check
// degraded; once the store commits again nothing is lost (a commit that finished after its 451 is
// kept, and the sender's retry adds a duplicate: our chosen trade, never a loss).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/fault-tools.js';
import { rawSmtp, startTestServer, testPair, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ store_commit_timeout: 300, sqlite_busy_timeout: 2000 });
});
afterAll(async () => {
  await s.close();
});

/** holds the write path the way an outside process would, until release(). */
async function holdWrites(address: string): Promise<{ release(): Promise<void> }> {
  if (testPair() === 'embedded') {
    const locker = new Database(join(s.dataDir, 'inboxd.db'));
    locker.exec('BEGIN EXCLUSIVE');
    return {
      release: async () => {
        locker.exec('ROLLBACK');
        locker.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: s.inboxd.config.database_url });
  await client.connect();
  await client.query(`SET search_path TO "${s.inboxd.config.database_schema}"`);
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM mailboxes WHERE address = $1 FOR UPDATE', [address]);
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

const commitsCheck = async () => {
  const res = await s.api('GET', '/health');
  return { status: res.status, commits: res.body.checks.find((c: { name: string }) => c.name === 'commits') };
};

describe('a commit that cannot finish', () => {
  it('is answered 451 4.3.0 within the bound, /health says degraded meanwhile, and nothing is lost', async () => {
    const { address, token } = await s.anonymousMailbox();
    expect((await commitsCheck()).commits).toEqual({ name: 'commits', status: 'ok' });
    const hold = await holdWrites(address);
    let released = false;
    try {
      const c = await rawSmtp(s.smtpPort);
      await c.reply();
      await c.cmd('EHLO x');
      await c.cmd('MAIL FROM:<a@example.com>');
      expect(await c.cmd(`RCPT TO:<${address}>`)).toMatch(/^250/);
      expect(await c.cmd('DATA')).toMatch(/^354/);
      c.write(`From: a@example.com\r\nTo: ${address}\r\nSubject: retry me\r\n\r\nbody\r\n`);
      expect(await c.cmd('.')).toBe('451 4.3.0 Temporary storage failure, try again later');
      c.close();
      expect(s.inboxd.core.metrics.value('inboxd_commits_timed_out_total')).toBe(1);

      // the process still answers, and says why mail is being deferred
      const health = await commitsCheck();
      expect(health.status).toBe(503);
      expect(health.commits).toMatchObject({ status: 'degraded', message: expect.stringContaining('451 4.3.0') });

      await hold.release();
      released = true;
    } finally {
      if (!released) await hold.release();
    }
    // the sender retries; a commit that finished after the 451 is kept as well (a duplicate)
    expect((await s.send({ to: address, subject: 'retry me', text: 'body' })).response).toMatch(/^250 /);
    const list = (await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token })).body;
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list.length).toBe(1 + s.inboxd.core.metrics.value('inboxd_commits_late_total'));
    expect(list.every((m: { subject: string }) => m.subject === 'retry me')).toBe(true);
    expect(await eventually(async () => (await commitsCheck()).commits.status === 'ok')).toBe(true);
    expect((await s.api('GET', '/health')).status).toBe(200);
  });
});
