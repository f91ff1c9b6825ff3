// `npm start` and `npm test` build only what is missing or older than its sources (#17.5):
// scripts/build-if-stale.mjs (their pre-scripts) looked at in a scratch tree with --dry-run, file
// times set by hand.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts/build-if-stale.mjs');
const root = mkdtempSync(join(tmpdir(), 'inboxd-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** writes `path` in the scratch tree with its mtime `at` seconds after an epoch of our choosing. */
function file(path: string, at: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, 'x');
  const t = 1_700_000_000 + at;
  utimesSync(full, t, t);
}

const plan = () => execFileSync(process.execPath, [SCRIPT, '--dry-run', '--root', root], { encoding: 'utf8' });

describe('build-if-stale', () => {
  it('is what npm start and npm test run first', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
    expect(scripts.prestart).toBe('node scripts/build-if-stale.mjs');
    expect(scripts.pretest).toBe('node scripts/build-if-stale.mjs');
  });

  it('builds everything in a fresh clone, nothing when built, then only the part whose sources changed', () => {
    for (const src of ['sdk/src/index.ts', 'src/main.ts', 'src/store/migrations/sqlite/0001_init.sql', 'web/src/main.ts', 'web/index.html', 'package.json', 'tsconfig.json']) file(src, 0);
    expect(plan()).toMatch(/^build: sdk: sdk\/dist\/index.js is missing\nbuild: server: the SDK is rebuilt\nbuild: web: the SDK is rebuilt\n$/);

    for (const out of ['sdk/dist/index.js', 'dist/main.js', 'web/dist/index.html']) file(out, 10);
    expect(plan()).toBe('build: up to date (sdk, server and web UI are newer than their sources)\n');

    file('web/src/mail-html.ts', 20);
    expect(plan()).toBe('build: web: web/src/mail-html.ts is newer than web/dist/index.html\n');
    file('web/dist/index.html', 30);
    file('src/store/migrations/sqlite/0007_x.sql', 40);
    expect(plan()).toBe('build: server: src/store/migrations/sqlite/0007_x.sql is newer than dist/main.js\n');
    file('dist/main.js', 50);
    file('sdk/src/client.ts', 60);
    expect(plan()).toContain('build: sdk: sdk/src/client.ts is newer than sdk/dist/index.js\nbuild: server: the SDK is rebuilt\nbuild: web: the SDK is rebuilt');
  });
});
