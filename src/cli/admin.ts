/**
 * `inboxd admin …`: plans, users and API keys, straight against the store. Prints what it
 * creates (a key exactly once: only its SHA-256 is stored); `--json` for scripts.
 */
import { parseArgs } from 'node:util';
import { DomainError, isDomainError } from '../core/errors.js';
import { hashSecret, newApiKey } from '../core/tokens.js';
import type { Plan } from '../core/types.js';
import type { Logger } from '../core/log.js';
import { createLogger } from '../log.js';
import { openStore, startupDeadline } from '../startup.js';
import { createBus } from '../bus/create-bus.js';
import { announceRevocation } from '../core/keys.js';
import type { Store } from '../core/store.js';
import { configFromProcess } from './env-config.js';

const PLAN_LIMITS = {
  'max-mailboxes': 'maxMailboxes',
  'max-messages-per-mailbox': 'maxMessagesPerMailbox',
  'default-ttl-minutes': 'defaultTtlMinutes',
  'max-ttl-minutes': 'maxTtlMinutes',
  'max-message-bytes': 'maxMessageBytes',
} as const;

const OPTIONS = {
  json: { type: 'boolean' },
  email: { type: 'string' },
  plan: { type: 'string' },
  user: { type: 'string' },
  name: { type: 'string' },
  id: { type: 'string' },
  ...Object.fromEntries(Object.keys(PLAN_LIMITS).map((k) => [k, { type: 'string' }])),
} as const;

type Values = { [k: string]: string | boolean | undefined };

/** warnings as one line on stderr, so stdout stays the command's answer (--json included). */
const warnLine = (_obj: object, msg?: string) => void process.stderr.write(`inboxd admin: ${msg ?? 'warning'}\n`);
const stderrLog: Logger = { error: warnLine, warn: warnLine, info: () => undefined, debug: () => undefined, child: () => stderrLog };

function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new DomainError('invalid_input', `--${name} is required`);
  return v.trim();
}

function limitsFrom(values: Values): Partial<Omit<Plan, 'name'>> {
  const out: Partial<Omit<Plan, 'name'>> = {};
  for (const [flag, field] of Object.entries(PLAN_LIMITS)) {
    const v = values[flag];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < -1) throw new DomainError('invalid_input', `--${flag} must be an integer (-1 = unlimited), got ${String(v)}`);
    out[field] = n;
  }
  return out;
}

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write((json ? JSON.stringify(value, null, 2) : human) + '\n');
}

const planLine = (p: Plan) =>
  `${p.name}: max_mailboxes=${p.maxMailboxes} max_messages_per_mailbox=${p.maxMessagesPerMailbox} default_ttl_minutes=${p.defaultTtlMinutes} max_ttl_minutes=${p.maxTtlMinutes} max_message_bytes=${p.maxMessageBytes}`;
const planJson = (p: Plan) => ({
  name: p.name,
  max_mailboxes: p.maxMailboxes,
  max_messages_per_mailbox: p.maxMessagesPerMailbox,
  default_ttl_minutes: p.defaultTtlMinutes,
  max_ttl_minutes: p.maxTtlMinutes,
  max_message_bytes: p.maxMessageBytes,
});

async function run(store: Store, resource: string | undefined, action: string | undefined, values: Values, announce: (keyId: string) => Promise<void>): Promise<void> {
  const json = values.json === true;
  const what = `${resource ?? ''} ${action ?? ''}`.trim();
  switch (what) {
    case 'plans list': {
      const plans = await store.listPlans();
      return print(json, plans.map(planJson), plans.map(planLine).join('\n'));
    }
    case 'plans create': {
      const limits = limitsFrom(values);
      const missing = Object.keys(PLAN_LIMITS).filter((f) => values[f] === undefined);
      if (missing.length) throw new DomainError('invalid_input', `plans create needs --${missing.join(', --')}`);
      const plan = await store.createPlan({ name: required(values, 'name'), ...(limits as Omit<Plan, 'name'>) });
      return print(json, planJson(plan), `created plan ${planLine(plan)}`);
    }
    case 'plans update': {
      const plan = await store.updatePlan(required(values, 'name'), limitsFrom(values));
      return print(json, planJson(plan), `updated plan ${planLine(plan)}`);
    }
    case 'users create': {
      const user = await store.createUser({ email: required(values, 'email').toLowerCase(), plan: typeof values.plan === 'string' ? values.plan : 'free' });
      return print(json, { id: user.id, email: user.email, plan: user.plan }, `created user ${user.email} (plan ${user.plan}, id ${user.id})`);
    }
    case 'users list': {
      const users = await store.listUsers();
      return print(
        json,
        users.map((u) => ({ id: u.id, email: u.email, plan: u.plan, active: u.active })),
        users.map((u) => `${u.email}\t${u.plan}\t${u.active ? 'active' : 'inactive'}\t${u.id}`).join('\n') || '(no users)',
      );
    }
    case 'keys create': {
      const email = required(values, 'user').toLowerCase();
      const user = await store.getUserByEmail(email);
      if (!user) throw new DomainError('not_found', `no user with email ${email}`);
      const { key, prefix } = newApiKey();
      const record = await store.createApiKey({ userId: user.id, name: typeof values.name === 'string' ? values.name : 'default', keyHash: hashSecret(key), prefix });
      return print(
        json,
        { id: record.id, user: user.email, name: record.name, prefix, key },
        `${key}\n(API key for ${user.email}, name "${record.name}". Shown once: only its SHA-256 is stored.)`,
      );
    }
    case 'keys list': {
      const email = required(values, 'user').toLowerCase();
      const user = await store.getUserByEmail(email);
      if (!user) throw new DomainError('not_found', `no user with email ${email}`);
      const keys = await store.listApiKeys(user.id);
      return print(
        json,
        keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, created_at: new Date(k.createdAt).toISOString(), active: k.active })),
        keys.map((k) => `${k.id}\t${k.prefix}…\t${k.name}\t${new Date(k.createdAt).toISOString()}\t${k.active ? 'active' : 'revoked'}`).join('\n') || '(no keys)',
      );
    }
    case 'keys revoke': {
      const key = await store.revokeApiKey(required(values, 'id'));
      if (!key) throw new DomainError('not_found', `no API key with id ${String(values.id)} (inboxd admin keys list --user E shows ids)`);
      await announce(key.id);
      return print(json, { id: key.id, name: key.name, prefix: key.prefix, active: key.active }, `revoked API key ${key.prefix}… (${key.name}, id ${key.id})`);
    }
    default:
      throw new DomainError('invalid_input', `unknown admin command "${what}"; see inboxd --help`);
  }
}

export async function admin(argv: string[]): Promise<number> {
  const { config, rest } = configFromProcess(argv);
  // node's parseArgs reads "-1" as an option; DESIGN's "-1 = unlimited" must work as typed
  const args = rest.flatMap((a, i) => (/^-\d+$/.test(a) && rest[i - 1]?.startsWith('--') ? [] : /^--/.test(a) && /^-\d+$/.test(rest[i + 1] ?? '') ? [`${a}=${rest[i + 1]}`] : [a]));
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`inboxd admin: ${(err as Error).message}\n`);
    return 2;
  }
  const [resource, action] = parsed.positionals;
  const store = await openStore(config, createLogger(config.log_level, 2) as unknown as Logger, startupDeadline(config));
  try {
    if (config.migrate) await store.migrate();
    // the servers hear of a revocation on the bus when they share one with us (Redis); on the
    // embedded pair their streams find out at their next re-check
    const announce = async (keyId: string) => {
      if (!config.redis_url) return;
      const bus = await createBus(config);
      try {
        await announceRevocation({ bus, log: stderrLog }, keyId);
      } finally {
        await bus.close();
      }
    };
    await run(store, resource, action, parsed.values as Values, announce);
    return 0;
  } catch (err) {
    if (isDomainError(err)) {
      process.stderr.write(`inboxd admin: ${err.code}: ${err.message}\n`);
      return err.code === 'invalid_input' ? 2 : 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}
