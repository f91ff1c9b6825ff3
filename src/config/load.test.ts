import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseFlags, redactConfig, unknownEnvWarnings } from './load.js';

describe('loadConfig', () => {
  it('has working laptop defaults (DESIGN "Processes")', () => {
    const c = loadConfig();
    expect(c).toMatchObject({ http_host: '127.0.0.1', http_port: 8025, smtp_host: '127.0.0.1', smtp_port: 2525, data_dir: './data', domains: ['inboxd.test'], sweep_interval: 60, smtp_greeting_delay: 0 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes env over defaults and flags over env', () => {
    const env = { INBOXD_HTTP_PORT: '9000', INBOXD_DOMAINS: 'A.test, b.test', INBOXD_SMTP_PORT: '2600' };
    const { flags } = parseFlags(['--http-port', '9100', '--sweep-interval=5']);
    const c = loadConfig({ env, flags });
    expect(c.http_port).toBe(9100);
    expect(c.smtp_port).toBe(2600);
    expect(c.sweep_interval).toBe(5);
    expect(c.domains).toEqual(['a.test', 'b.test']);
  });

  it('lists every bad value, naming the variable and the flag', () => {
    try {
      loadConfig({ env: { INBOXD_SMTP_PORT: 'abc', INBOXD_SWEEP_INTERVAL: '0', INBOXD_ENV: 'staging' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/INBOXD_SMTP_PORT \(--smtp-port\).*"abc"/);
      expect(problems).toMatch(/INBOXD_SWEEP_INTERVAL \(--sweep-interval\)/);
      expect(problems).toMatch(/INBOXD_ENV \(--env\)/);
    }
  });

  it('refuses a flag without a value and leaves unknown arguments alone', () => {
    expect(() => parseFlags(['--http-port'])).toThrow(ConfigError);
    expect(parseFlags(['users', 'create', '--email', 'x@y.z', '--data-dir', '/tmp/d'])).toEqual({ flags: { data_dir: '/tmp/d' }, rest: ['users', 'create', '--email', 'x@y.z'] });
  });

  it('redacts passwords in URLs when printing', () => {
    const c = loadConfig({ env: { INBOXD_DATABASE_URL: 'postgres://u:secret@db:5432/x' } });
    expect(JSON.stringify(redactConfig(c))).not.toContain('secret');
  });

  it('warns about an INBOXD_* variable no setting reads, naming the nearest known one', () => {
    const warnings = unknownEnvWarnings({ INBOXD_SMTP_PROT: '25', INBOXD_HTTP_PORT: '1', INBOXD_DATABSE_URL: 'x', INBOXD_APIKEY: 'k', INBOXD_ZZZZZZZZZZZZZ: '1', HOME: '/root' });
    expect(warnings).toEqual([
      'INBOXD_APIKEY is not an Inboxd setting and is ignored; did you mean INBOXD_API_KEY?',
      'INBOXD_DATABSE_URL is not an Inboxd setting and is ignored; did you mean INBOXD_DATABASE_URL?',
      'INBOXD_SMTP_PROT is not an Inboxd setting and is ignored; did you mean INBOXD_SMTP_PORT?',
      'INBOXD_ZZZZZZZZZZZZZ is not an Inboxd setting and is ignored (docs/config.md lists every setting)',
    ]);
    // the client's variables and the test suite's own are not settings, but not typos either
    expect(unknownEnvWarnings({ INBOXD_URL: 'x', INBOXD_TOKEN_FILE: 'f', INBOXD_TEST_PAIR: 'scale', INBOXD_BENCH_REDIS_URL: 'r', INBOXD_REQUIRE_BROWSER: '1', INBOXD_ACTION_PID: '42' })).toEqual([]);
  });

  it('pins the development defaults open and the test and production defaults closed (#13)', () => {
    expect(loadConfig()).toMatchObject({ env: 'development', catch_all: 'any', smtp_auth: 'any', smtp_auth_required: false, anonymous_loopback_uncapped: true, catch_all_ttl_minutes: 1440 });
    expect(loadConfig({ env: { INBOXD_ENV: 'test' } })).toMatchObject({ catch_all: 'off', smtp_auth: 'off', anonymous_loopback_uncapped: false });
    const prod = loadConfig({ env: { INBOXD_ENV: 'production', INBOXD_SES_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:t' } });
    expect(prod).toMatchObject({ catch_all: 'off', smtp_auth: 'off', smtp_auth_required: false, anonymous_loopback_uncapped: false });
    expect(prod.smtps_port).toBeUndefined();
    expect(loadConfig({ env: { INBOXD_CATCH_ALL: 'domains' }, flags: { smtp_auth: 'keys' } })).toMatchObject({ catch_all: 'domains', smtp_auth: 'keys' });
  });

  it('refuses catch-all without an owner in production, SMTPS without a certificate, and AUTH required with AUTH off', () => {
    const prod = { INBOXD_ENV: 'production', INBOXD_SES_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:t' };
    expect(() => loadConfig({ env: { ...prod, INBOXD_CATCH_ALL: 'any' } })).toThrow(/INBOXD_CATCH_ALL \(--catch-all\): any needs an owner.*INBOXD_CATCH_ALL_OWNER/);
    expect(loadConfig({ env: { ...prod, INBOXD_CATCH_ALL: 'any', INBOXD_CATCH_ALL_OWNER: 'ops@example.com' } }).catch_all).toBe('any');
    expect(loadConfig({ env: { ...prod, INBOXD_CATCH_ALL: 'domains', INBOXD_SMTP_AUTH: 'keys', INBOXD_SMTP_AUTH_REQUIRED: 'true' } }).catch_all).toBe('domains');
    expect(() => loadConfig({ env: { INBOXD_SMTPS_PORT: '465' } })).toThrow(/INBOXD_SMTPS_PORT \(--smtps-port\): needs INBOXD_SMTP_TLS_KEY/);
    expect(() => loadConfig({ env: { INBOXD_ENV: 'test', INBOXD_SMTP_AUTH_REQUIRED: 'true' } })).toThrow(/INBOXD_SMTP_AUTH_REQUIRED/);
  });
});
