/**
 * loadConfig: schema defaults < INBOXD_* env < flags, validated synchronously, frozen. Pure: it
 * reads only what it is given, so tests build configs without touching process.env.
 */
import { z } from 'zod';
import { type Config, envDefaults, envName, flagName, type SettingKey, settings } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** splits `--key value` / `--key=value` flags; returns what was not a known flag. */
export function parseFlags(argv: string[]): { flags: Partial<Record<SettingKey, string>>; rest: string[] } {
  const byFlag = new Map(Object.keys(settings).map((k) => [flagName(k), k as SettingKey]));
  const flags: Partial<Record<SettingKey, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = byFlag.get(name);
    if (!key) {
      rest.push(arg);
      continue;
    }
    if (eq > 0) flags[key] = arg.slice(eq + 1);
    else if (i + 1 < argv.length) flags[key] = argv[++i]!;
    else throw new ConfigError([`${name}: expects a value`]);
  }
  return { flags, rest };
}

/**
 * builds the one Config object. `overrides` (typed values, for tests and embedding) win over flags.
 * @throws ConfigError naming every bad variable and its flag.
 */
export function loadConfig(input: {
  env?: Record<string, string | undefined>;
  flags?: Partial<Record<SettingKey, string>>;
  overrides?: Partial<{ [K in SettingKey]: unknown }>;
} = {}): Config {
  const env = input.env ?? {};
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(settings) as [SettingKey, z.ZodType][]) {
    let raw: unknown = undefined;
    let from = 'default';
    const envValue = env[envName(key)];
    if (envValue !== undefined && envValue !== '') {
      raw = envValue;
      from = envName(key);
    }
    if (input.flags?.[key] !== undefined) {
      raw = input.flags[key];
      from = flagName(key);
    }
    if (input.overrides && key in input.overrides) {
      raw = input.overrides[key];
      from = key;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else {
      const issue = parsed.error.issues[0];
      const shown = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
      problems.push(`${envName(key)} (${flagName(key)}): ${issue?.message ?? 'invalid'}, got ${shown} (from ${from})`);
    }
  }
  if (problems.length === 0) {
    const env = out.env as Config['env'];
    for (const [key, byEnv] of Object.entries(envDefaults)) if (out[key] === undefined) out[key] = byEnv[env];
    problems.push(...crossProblems(out as Config), ...productionProblems(out as Config));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/** rules across settings that hold in every environment. */
function crossProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.smtps_port !== undefined && !(config.smtp_tls_key && config.smtp_tls_cert)) {
    problems.push(`${envName('smtps_port')} (${flagName('smtps_port')}): needs ${envName('smtp_tls_key')} and ${envName('smtp_tls_cert')} (implicit TLS uses the configured certificate, never a built-in one)`);
  }
  if (config.smtp_auth_required && config.smtp_auth === 'off') {
    problems.push(`${envName('smtp_auth_required')} (${flagName('smtp_auth_required')}): needs ${envName('smtp_auth')} any or keys (no sender could authenticate)`);
  }
  return problems;
}

/**
 * rules across settings for production: the SES webhook must name the topics it trusts, and the
 * settings that let tests stand in for AWS's certificate hosts are refused.
 */
function productionProblems(config: Config): string[] {
  if (config.env !== 'production') return [];
  const problems: string[] = [];
  const why = `${envName('env')}=production`;
  if (config.roles.includes('api') && config.ses_topic_arns.length === 0) {
    problems.push(`${envName('ses_topic_arns')} (${flagName('ses_topic_arns')}): required when ${why} (the SNS topics the SES webhook accepts)`);
  }
  // an ownerless caught mailbox is readable only by loopback clients in development; in
  // production nobody could read it, and any sender could fill the store with them
  const everyCatchOwned = config.smtp_auth === 'keys' && config.smtp_auth_required;
  if (config.catch_all !== 'off' && !config.catch_all_owner && !everyCatchOwned) {
    problems.push(`${envName('catch_all')} (${flagName('catch_all')}): ${config.catch_all} needs an owner when ${why}: set ${envName('catch_all_owner')}, or ${envName('smtp_auth')}=keys with ${envName('smtp_auth_required')}=true`);
  }
  for (const key of ['ses_cert_host_pattern', 'ses_cert_ca_file'] as const) {
    if (config[key] !== undefined) problems.push(`${envName(key)} (${flagName(key)}): test mode only, refused when ${why}`);
  }
  return problems;
}

/** the effective config with secrets redacted, for --print-config and start-up logs. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of ['database_url', 'redis_url'] as const) {
    const v = config[key];
    if (v) {
      try {
        const u = new URL(v);
        if (u.password) u.password = '***';
        out[key] = u.toString();
      } catch {
        out[key] = '***';
      }
    }
  }
  return out;
}

/** INBOXD_* names that are not server settings but are read by the client commands and tools. */
const OTHER_ENV = new Set(['INBOXD_URL', 'INBOXD_API_KEY', 'INBOXD_TOKEN', 'INBOXD_TOKEN_FILE', 'INBOXD_CHROMIUM', 'INBOXD_REQUIRE_BROWSER', 'INBOXD_PYTHON', 'INBOXD_PY_VENV']);
/** prefixes owned by the test suite, the benchmarks and the GitHub Action (their own variables, never settings). */
const OTHER_PREFIXES = ['INBOXD_TEST_', 'INBOXD_BENCH_', 'INBOXD_ACTION_'];

/**
 * one warning per INBOXD_* variable that no setting reads, naming the nearest known one, so a
 * typo (`INBOXD_SMTP_PROT`) is not silently ignored while the default is used instead.
 */
export function unknownEnvWarnings(env: Record<string, string | undefined>): string[] {
  const known = Object.keys(settings).map(envName);
  const candidates = [...known, ...OTHER_ENV];
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('INBOXD_') || known.includes(name) || OTHER_ENV.has(name) || OTHER_PREFIXES.some((p) => name.startsWith(p))) continue;
    const nearest = nearestName(name, candidates);
    warnings.push(`${name} is not an Inboxd setting and is ignored${nearest ? `; did you mean ${nearest}?` : ' (docs/config.md lists every setting)'}`);
  }
  return warnings;
}

/** the candidate with the smallest edit distance, if it is close enough to be a likely typo. */
function nearestName(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  // the INBOXD_ prefix is shared, so judge closeness on the rest of the name
  const rest = Math.max(name.length, best?.length ?? 0) - 'INBOXD_'.length;
  return bestDistance <= Math.max(2, Math.floor(rest / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
