// Operator safety from outside (#14 item 5): every command answers --help with its help, exit 0,
// and does nothing else (no database file, no user, no mailbox); --version; serve --help lists
// every setting's flag and variable, generated from the schema; a mistyped INBOXD_* variable is
// warned about with the nearest known name.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envName, flagName, settings } from '../../src/config/schema.js';
import { runInboxd } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inboxd-help-'));
// nothing may be listening here: a client command that ignored --help would fail, not succeed
const env = { INBOXD_DATA_DIR: join(dir, 'data'), INBOXD_URL: 'http://127.0.0.1:9', INBOXD_TOKEN_FILE: join(dir, 'tokens.json'), INBOXD_DATABASE_URL: '', INBOXD_REDIS_URL: '' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = [
  ['serve', '--help'],
  ['serve', '--http-port', '0', '-h'],
  ['migrate', '--help'],
  ['admin', 'users', 'create', '--email', 'help@example.com', '--help'],
  ['config', '--help'],
  ['mcp', '--help'],
  ['create', '--help'],
  ['wait', 'someone@inboxd.test', '--help'],
  ['read', 'someone@inboxd.test', '-h'],
  ['ls', '--help'],
  ['rm', 'someone@inboxd.test', '--help'],
];

describe('inboxd --help and --version', { timeout: 240_000 }, () => {
  it('answers --help on every command with usage on stdout, exit 0, and changes nothing', async () => {
    for (const args of COMMANDS) {
      const r = await runInboxd(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/^usage/);
      expect(r.stderr, args.join(' ')).toBe('');
    }
    // migrate --help used to apply the migrations: no database (or data folder) may exist now
    expect(existsSync(env.INBOXD_DATA_DIR)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('serve --help lists every setting as a flag with its variable and description', async () => {
    const r = await runInboxd(['serve', '--help'], env);
    expect(r.code).toBe(0);
    for (const [key, schema] of Object.entries(settings)) {
      expect(r.stdout).toContain(`  ${flagName(key)} VALUE\n      ${envName(key)}`);
      expect(r.stdout).toContain(schema.description);
    }
    expect(r.stdout).toContain('INBOXD_HTTP_PORT, default 8025');
  });

  it('prints the version with --version, and the main help with help', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const v = await runInboxd(['--version'], env);
    expect(v).toMatchObject({ code: 0, stdout: `inboxd ${pkg.version}\n` });
    const h = await runInboxd(['help'], env);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('inboxd migrate');
    const unknown = await runInboxd(['frobnicate', '--help'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('warns about an INBOXD_* variable no setting reads, naming the nearest one, and goes on', async () => {
    const r = await runInboxd(['config'], { ...env, INBOXD_SMTP_PROT: '2626' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('inboxd: warning: INBOXD_SMTP_PROT is not an Inboxd setting and is ignored; did you mean INBOXD_SMTP_PORT?\n');
    expect(JSON.parse(r.stdout).smtp_port).toBe(2525);
  });
});
