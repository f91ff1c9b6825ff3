// The documented global-setup recipes (docs/testing.md) run as a user runs them: Vitest, Jest and
// Playwright Test each as its own process, importing `inboxd/testing`, `inboxd/sdk` and
// `inboxd/playwright` by the package's own name (the package's exports map, built in dist/).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from '../../examples/playwright-signup/signup.js';
import { SKIP_BROWSER, warnBrowserNotRun } from '../support/browser.js';
import { ensureServerBuilt, repoRoot as root } from '../support/built.js';

const run = promisify(execFile);
const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);

/** the child runners see no trace of the Vitest that runs this file. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'TEST') delete env[k];
  return env;
}

async function runner(args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, env: childEnv(), timeout: 150_000, maxBuffer: 8 << 20 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
}

beforeAll(ensureServerBuilt, 160_000);

describe('testing recipes (docs/testing.md)', () => {
  it('Vitest: global setup with inject(), and startInboxd() in one file', { timeout: 160_000 }, async () => {
    const out = await runner([bin('vitest', 'vitest.mjs'), 'run', '--root', 'examples/testing/vitest']);
    expect(out).toMatch(/Tests\s+2 passed/);
  });

  it('Jest: global setup and teardown, native ESM', { timeout: 160_000 }, async () => {
    const out = await runner(['--experimental-vm-modules', bin('jest', 'bin/jest.js'), '-c', 'examples/testing/jest/jest.config.mjs']);
    expect(out).toMatch(/Tests:\s+1 passed, 1 total/);
  });

  it('Playwright Test: the inboxd/playwright `mailbox` fixture drives a sign-up in Chromium', { timeout: 160_000 }, async () => {
    if (SKIP_BROWSER) return warnBrowserNotRun('Playwright Test recipe (examples/testing/playwright)');
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set INBOXD_CHROMIUM)`).toBe(true);
    const out = await runner([bin('@playwright/test', 'cli.js'), 'test', '-c', 'examples/testing/playwright']);
    expect(out).toMatch(/1 passed/);
  });
});
