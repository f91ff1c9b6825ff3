// GET /health names every part (#14 item 9: it said "ok" while the disk was full): db, bus, and on
// the SQLite store the data disk — degraded (503) below INBOXD_DISK_MIN_FREE_MB, down when a
// write probe fails. The floor is raised past any real disk's free space instead of filling one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, testPair } from '../support/harness.js';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});
const freshDir = () => mkdtempSync(join(tmpdir(), 'inboxd-health-'));

describe('GET /health', () => {
  it('lists db and bus as checks on the pair under test, the commits bound, and the disk only where the store is the SQLite file', async () => {
    s = await startTestServer();
    const res = await s.api('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', db: 'ok', bus: 'ok' });
    const names = res.body.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(testPair() === 'scale' ? ['db', 'bus', 'commits'] : ['db', 'bus', 'commits', 'disk']);
  });

  it('reports the SQLite data disk ok with its free bytes', async () => {
    s = await startTestServer({ data_dir: freshDir() });
    const res = await s.api('GET', '/health');
    expect(res.status).toBe(200);
    const disk = res.body.checks.find((c: { name: string }) => c.name === 'disk');
    expect(disk).toMatchObject({ name: 'disk', status: 'ok' });
    expect(disk.free_bytes).toBeGreaterThan(0);
  });

  it('answers 503 degraded, naming the setting, when free space is under INBOXD_DISK_MIN_FREE_MB', async () => {
    // a floor of 1 EB: every real disk is "nearly full" against it
    s = await startTestServer({ data_dir: freshDir(), disk_min_free_mb: 2 ** 40 });
    const res = await s.api('GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'degraded', db: 'ok', bus: 'ok' });
    const disk = res.body.checks.find((c: { name: string }) => c.name === 'disk');
    expect(disk.status).toBe('degraded');
    expect(disk.message).toMatch(/MB free in .*, below \d+ MB \(INBOXD_DISK_MIN_FREE_MB \(--disk-min-free-mb\)\); free space before deliveries fail/);
  });

  it('answers 503 with the disk down when a write in the data directory fails', async () => {
    const dir = freshDir();
    s = await startTestServer({ data_dir: dir });
    expect((await s.api('GET', '/health')).status).toBe(200);
    // the open database file lives on, but nothing new can be written in its folder
    rmSync(dir, { recursive: true, force: true });
    const res = await s.api('GET', '/health');
    expect(res.status).toBe(503);
    const disk = res.body.checks.find((c: { name: string }) => c.name === 'disk');
    expect(disk).toMatchObject({ status: 'down' });
    expect(disk.message).toMatch(/^cannot write to the data directory .* \(ENOENT\)/);
  });
});
