// The GitHub Action's scripts (action.yml → scripts/action/start.sh, collect.sh) as the runner
// runs them: start Inboxd from this checkout, read where it is from GITHUB_ENV/GITHUB_OUTPUT,
// send to any address over SMTP, collect the caught mail as a zip, and find the server stopped.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServerBuilt, repoRoot as root } from '../support/built.js';

const run = promisify(execFile);
const temp = mkdtempSync(join(tmpdir(), 'inboxd-action-'));
let pid: number | undefined;

beforeAll(ensureServerBuilt, 160_000);

afterAll(() => {
  if (pid) {
    try {
      process.kill(pid);
    } catch {
      // already stopped by collect.sh
    }
  }
  rmSync(temp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** KEY=value lines, as GitHub writes GITHUB_ENV and GITHUB_OUTPUT. */
const parseEnvFile = (file: string) => Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

describe('the GitHub Action (action.yml)', () => {
  it('starts Inboxd with catch-all, exports where it is, then uploads the caught mail and stops it', { timeout: 90_000 }, async () => {
    const [httpPort, smtpPort] = [await freePort(), await freePort()];
    const githubEnv = join(temp, 'env');
    const githubOutput = join(temp, 'output');
    writeFileSync(githubEnv, '');
    writeFileSync(githubOutput, '');
    const runner: NodeJS.ProcessEnv = { ...process.env, RUNNER_TEMP: temp, GITHUB_ENV: githubEnv, GITHUB_OUTPUT: githubOutput };
    for (const k of Object.keys(runner)) if (k.startsWith('INBOXD_')) delete runner[k];

    await run('bash', [join(root, 'scripts/action/start.sh')], { env: { ...runner, INBOXD_ACTION_HTTP_PORT: String(httpPort), INBOXD_ACTION_SMTP_PORT: String(smtpPort) }, timeout: 80_000 });
    const env = parseEnvFile(githubEnv);
    pid = Number(env.INBOXD_ACTION_PID);
    expect(env).toMatchObject({ INBOXD_URL: `http://127.0.0.1:${httpPort}`, INBOXD_SMTP_HOST: '127.0.0.1', INBOXD_SMTP_PORT: String(smtpPort) });
    expect(parseEnvFile(githubOutput)).toMatchObject({ url: env.INBOXD_URL, 'smtp-host': '127.0.0.1', 'smtp-port': String(smtpPort) });

    // the job's tests: mail to any address at any domain is caught
    const smtp = nodemailer.createTransport({ host: env.INBOXD_SMTP_HOST, port: Number(env.INBOXD_SMTP_PORT) });
    for (const to of ['alice@app.example', 'bob@other.example']) {
      const info = await smtp.sendMail({ from: 'ci@example.com', to, subject: `for ${to}`, text: 'Your code is 482913.' });
      expect(info.response).toMatch(/^250 /);
    }

    writeFileSync(githubOutput, '');
    await run('bash', [join(root, 'scripts/action/collect.sh')], { env: { ...runner, ...env }, timeout: 60_000 });
    const { path } = parseEnvFile(githubOutput);
    const zip = join(path!, 'inboxd-mail.zip');
    const names: string[] = JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' }));
    expect(names.map((n) => n.split('/')[0]).sort()).toEqual(['alice@app.example', 'bob@other.example']);
    expect(existsSync(join(path!, 'serve.log'))).toBe(true);
    // the server is gone
    expect(() => process.kill(pid!, 0)).toThrow();
    await expect(fetch(`${env.INBOXD_URL}/health`)).rejects.toThrow();
  });

  it('action.yml runs these scripts and uploads the collected folder; the CI workflow uses the action on itself', () => {
    const action = readFileSync(join(root, 'action.yml'), 'utf8');
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/scripts/action/start.sh"');
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/scripts/action/collect.sh"');
    expect(action).toMatch(/uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: \$\{\{ inputs\.artifact-name \}\}\n\s+path: \$\{\{ steps\.collect\.outputs\.path \}\}/);
    const ci = readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8');
    expect(ci).toMatch(/- id: inboxd\n\s+uses: \.\/\n/);
    expect(ci).toMatch(/- uses: \.\/\n\s+if: always\(\)\n\s+with:\n\s+collect: true/);
  });
});
