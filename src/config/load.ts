/**
 * loadConfig: schema defaults < INBOXD_* env < flags, validated synchronously, frozen. Pure: it
 * reads only what it is given, so tests build configs without touching process.env.
 */
import { z } from 'zod';
import { type Config, envName, flagName, type SettingKey, settings } from './schema.js';

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
  if (problems.length === 0) problems.push(...productionProblems(out as Config));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
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
