/**
 * `inboxd create | wait | read | ls | rm | search | keys | webhooks`: a client for shell scripts and CI, over the SDK only
 * (it never touches core/ or store/, so it works against any Inboxd URL). The server commands
 * (serve, migrate, admin) live in their own files.
 *
 * Settings: INBOXD_URL (default http://127.0.0.1:8025), INBOXD_API_KEY, INBOXD_TOKEN, and the
 * token file (INBOXD_TOKEN_FILE, default ~/.config/inboxd/tokens.json, mode 0600) where `create`
 * keeps each anonymous mailbox's session token so later commands on that address find it.
 *
 * Exit codes: 0 done; 1 nothing found (a wait timed out, an empty mailbox); 2 usage error;
 * 3 any other API or network error (its code is printed).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TokenFile, tokenFilePath } from './token-file.js';
import { type ApiKeyInfo, type WebhookAttempt, type WebhookInfo, DEFAULT_BASE_URL, type FaultRule, type FaultScript, Inboxd, type InboxdError, isInboxdError, type Mailbox, type MailboxInfo, type Message, type MessageSummary, type SearchResult } from '@inboxd/sdk';

export const CLIENT_COMMANDS = ['create', 'wait', 'read', 'ls', 'rm', 'search', 'keys', 'webhooks', 'export', 'faults'] as const;

export const CLIENT_HELP = `  inboxd create [--ttl MIN] [--local-part X] [--domain D] [--group G]              create a mailbox; prints its address
  inboxd wait ADDRESS [--from S] [--subject S] [--body S] [--pattern RE2] [--after-seq N]
              [--timeout SEC] [--code | --link]                                  wait for a message (exit 1 on timeout)
  inboxd read ADDRESS [ID | --latest] [--raw]                                      show a message (the newest by default)
  inboxd ls [ADDRESS] [--group G]                                                  list mailboxes, or one mailbox's messages
  inboxd rm ADDRESS [ID] | rm --group G                                            delete a mailbox, a message, or a group
  inboxd search QUERY [--limit N] [--offset N]                                     search your mailboxes, newest first (exit 1: no match);
              QUERY: words (word* for a prefix), "phrases", from:, to:, subject:, has:attachment, is:read, is:unread,
              after:/before: (2026-11-30 or 2h, 3d), -term to negate
  inboxd keys ls | keys create [--name N] | keys rm ID                             your API keys (a new key is printed once)
  inboxd webhooks ls | create URL [--mailbox A] [--group G] [--include-message] | rm ID | enable ID | disable ID
              | attempts ID [--limit N] | test ID | replay ID --mailbox A [--since-seq N]
                                                                                   signed webhooks (the secret is printed once)
  inboxd export [ADDRESS | --group G] [--format mbox|zip] [-o FILE]                 every message as an mbox or a zip of .eml files
              (no ADDRESS: all your mailboxes); to FILE, or to standard output
  inboxd faults ADDRESS | faults set ADDRESS RULES | faults rm ADDRESS                SMTP fault script of a mailbox (or --group G instead
              RULES: JSON, e.g. '[{"stage":"rcpt","reply":"451 4.3.0 Try again later","times":2}]'   of ADDRESS: a run group's)
  client settings: INBOXD_URL, INBOXD_API_KEY, INBOXD_TOKEN (or --url, --api-key, --token); --json for scripts`;

const EXIT = { ok: 0, notFound: 1, usage: 2, api: 3 } as const;

/** a problem with the command line: exit 2. */
class UsageError extends Error {}

/** nothing to show (a wait timed out, an empty mailbox): exit 1. */
class NothingFound extends Error {}

const COMMON = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const OPTIONS = {
  create: { ...COMMON, ttl: { type: 'string' }, 'local-part': { type: 'string' }, domain: { type: 'string' }, group: { type: 'string' } },
  wait: {
    ...COMMON,
    from: { type: 'string' },
    subject: { type: 'string' },
    body: { type: 'string' },
    pattern: { type: 'string' },
    'after-seq': { type: 'string' },
    timeout: { type: 'string' },
    code: { type: 'boolean' },
    link: { type: 'boolean' },
  },
  read: { ...COMMON, latest: { type: 'boolean' }, raw: { type: 'boolean' } },
  ls: { ...COMMON, group: { type: 'string' }, limit: { type: 'string' }, unread: { type: 'boolean' }, from: { type: 'string' }, subject: { type: 'string' }, 'after-seq': { type: 'string' } },
  rm: { ...COMMON, group: { type: 'string' } },
  search: { ...COMMON, limit: { type: 'string' }, offset: { type: 'string' } },
  keys: { ...COMMON, name: { type: 'string' } },
  faults: { ...COMMON, group: { type: 'string' } },
  webhooks: { ...COMMON, mailbox: { type: 'string' }, group: { type: 'string' }, 'include-message': { type: 'boolean' }, limit: { type: 'string' }, 'since-seq': { type: 'string' } },
  export: { ...COMMON, group: { type: 'string' }, format: { type: 'string' }, output: { type: 'string', short: 'o' } },
} as const satisfies Record<(typeof CLIENT_COMMANDS)[number], ParseArgsConfig['options']>;

type Values = Record<string, string | boolean | undefined>;

interface Context {
  inboxd: Inboxd;
  url: string;
  apiKey: string | undefined;
  values: Values;
  json: boolean;
  tokens: TokenFile;
}

/**
 * runs one client command.
 *
 * @returns the exit code
 */
export async function client(command: (typeof CLIENT_COMMANDS)[number], argv: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    const options: ParseArgsConfig['options'] = OPTIONS[command];
    const args = command === 'search' ? queryAfterOptions(argv) : argv;
    ({ values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] });
  } catch (err) {
    return usage(command, (err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`usage:\n${CLIENT_HELP}\n`);
    return EXIT.ok;
  }
  const url = str(values.url) ?? (process.env.INBOXD_URL || DEFAULT_BASE_URL);
  const apiKey = str(values['api-key']) ?? (process.env.INBOXD_API_KEY || undefined);
  const ctx: Context = { inboxd: new Inboxd({ baseUrl: url, apiKey }), url, apiKey, values, json: values.json === true, tokens: new TokenFile(tokenFilePath()) };
  try {
    switch (command) {
      case 'create':
        await create(ctx, positionals);
        break;
      case 'wait':
        await wait(ctx, positionals);
        break;
      case 'read':
        await read(ctx, positionals);
        break;
      case 'ls':
        await ls(ctx, positionals);
        break;
      case 'rm':
        await rm(ctx, positionals);
        break;
      case 'search':
        await search(ctx, positionals);
        break;
      case 'keys':
        await keys(ctx, positionals);
        break;
      case 'webhooks':
        await webhooks(ctx, positionals);
        break;
      case 'export':
        await exportMail(ctx, positionals);
        break;
      case 'faults':
        await faults(ctx, positionals);
        break;
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) return usage(command, err.message);
    if (err instanceof NothingFound) {
      process.stderr.write(`inboxd ${command}: ${err.message}\n`);
      return EXIT.notFound;
    }
    if (isInboxdError(err)) {
      process.stderr.write(`inboxd ${command}: ${describeError(err, url)}\n`);
      return EXIT.api;
    }
    throw err;
  }
}

/**
 * `inboxd search from:shop -receipt`: a negated term (`-receipt`) is a query word, not an unknown
 * short option, so search's argv is split by hand: the options it knows (and their values), then
 * `--`, then every query word in order.
 */
function queryAfterOptions(argv: string[]): string[] {
  const withValue = new Set(['--url', '--api-key', '--token', '--limit', '--offset']);
  const options: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') || a === '-h') {
      options.push(a);
      if (withValue.has(a) && i + 1 < argv.length) options.push(argv[++i]!);
    } else words.push(a);
  }
  return [...options, '--', ...words];
}

function usage(command: string, message: string): number {
  process.stderr.write(`inboxd ${command}: ${message}\n\nusage:\n${CLIENT_HELP}\n`);
  return EXIT.usage;
}

function describeError(err: InboxdError, url: string): string {
  if (err.code === 'network_error') return `network_error: cannot reach Inboxd at ${url} (${err.message}); set INBOXD_URL`;
  const hint = err.code === 'unauthorized' || err.code === 'forbidden' ? ' (anonymous mailbox: pass --token or INBOXD_TOKEN; owned mailbox: set INBOXD_API_KEY)' : '';
  return `${err.code}: ${err.message}${hint}`;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function int(values: Values, name: string, min: number): number | undefined {
  const v = str(values[name]);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer of at least ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function onePositional(positionals: string[], what: string, max = 1): string {
  if (positionals.length === 0) throw new UsageError(`${what} is required`);
  if (positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`);
  return positionals[0]!;
}

/** the handle for an address, with the best credential known for it. */
function mailboxFor(ctx: Context, address: string): Mailbox {
  const token = str(ctx.values.token) ?? (process.env.INBOXD_TOKEN || undefined) ?? ctx.tokens.get(address);
  return ctx.inboxd.mailbox(address, { sessionToken: token });
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

function minutesLeft(info: MailboxInfo): string {
  const m = Math.round(info.expires_in / 60);
  return m >= 120 ? `${Math.round(m / 60)} h` : `${m} min`;
}

async function create(ctx: Context, positionals: string[]): Promise<void> {
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const v = ctx.values;
  const mailbox = await ctx.inboxd.createMailbox({ ttlMinutes: int(v, 'ttl', 1), localPart: str(v['local-part']), domain: str(v.domain), group: str(v.group) });
  const info = mailbox.info!;
  let saved: string | undefined;
  if (mailbox.sessionToken) saved = ctx.tokens.set(mailbox.address, { token: mailbox.sessionToken, expires_at: info.expires_at, url: ctx.url });
  if (ctx.json) return out(json(info));
  // the address alone on stdout, so ADDR=$(inboxd create) works; the rest is for the person
  out(mailbox.address);
  process.stderr.write(`expires in ${minutesLeft(info)} (${info.expires_at})${info.group ? `, group ${info.group}` : ''}\n`);
  if (mailbox.sessionToken) process.stderr.write(`session token: ${mailbox.sessionToken}${saved ? ` (saved to ${saved})` : ''}\n`);
}

async function wait(ctx: Context, positionals: string[]): Promise<void> {
  const address = onePositional(positionals, 'ADDRESS');
  const v = ctx.values;
  if (v.code && v.link) throw new UsageError('--code and --link exclude each other');
  const timeoutRaw = str(v.timeout);
  const timeoutS = timeoutRaw === undefined ? 30 : Number(timeoutRaw);
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new UsageError(`--timeout must be a number of seconds, got ${JSON.stringify(timeoutRaw)}`);
  const mailbox = mailboxFor(ctx, address);
  let message: Message;
  try {
    message = await mailbox.waitForMessage({
      from: str(v.from),
      subject: str(v.subject),
      body: str(v.body),
      pattern: str(v.pattern),
      afterSeq: int(v, 'after-seq', 0),
      timeoutMs: timeoutS * 1000,
    });
  } catch (err) {
    if (isInboxdError(err, 'wait_timeout')) throw new NothingFound(`no message matched within ${timeoutS} s${explainTimeout(err)}`);
    throw err;
  }
  if (v.code) {
    const code = message.codes[0]?.value;
    if (code === undefined) throw new NothingFound(`message #${message.seq} (${JSON.stringify(message.subject)}) matched but has no verification code`);
    return out(code);
  }
  if (v.link) {
    const link = message.links[0]?.url;
    if (link === undefined) throw new NothingFound(`message #${message.seq} (${JSON.stringify(message.subject)}) matched but has no link`);
    return out(link);
  }
  out(ctx.json ? json(message) : describeMessage(message, false));
}

async function read(ctx: Context, positionals: string[]): Promise<void> {
  const address = onePositional(positionals, 'ADDRESS', 2);
  const mailbox = mailboxFor(ctx, address);
  let id = positionals[1];
  if (id !== undefined && ctx.values.latest) throw new UsageError('give an ID or --latest, not both');
  if (id === undefined) {
    const [newest] = await mailbox.listMessages({ limit: 1 });
    if (!newest) throw new NothingFound(`${address} has no messages`);
    id = newest.id;
  }
  if (ctx.values.raw) {
    process.stdout.write(await mailbox.raw(id));
    return;
  }
  const message = await mailbox.getMessage(id);
  out(ctx.json ? json(message) : describeMessage(message, true));
}

async function ls(ctx: Context, positionals: string[]): Promise<void> {
  const v = ctx.values;
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const address = positionals[0];
  if (address !== undefined) {
    if (v.group) throw new UsageError('--group lists mailboxes; leave out ADDRESS');
    const messages = await mailboxFor(ctx, address).listMessages({ limit: int(v, 'limit', 1), unread: v.unread === true ? true : undefined, from: str(v.from), subject: str(v.subject), afterSeq: int(v, 'after-seq', 0) });
    if (ctx.json) return out(json(messages));
    if (messages.length === 0) process.stderr.write(`${address} has no messages\n`);
    else out(messages.map(summaryLine).join('\n'));
    return;
  }
  let mailboxes: MailboxInfo[];
  if (ctx.apiKey) mailboxes = await ctx.inboxd.listMailboxes({ group: str(v.group) });
  else {
    // no API key: the anonymous mailboxes this machine created, as far as the server still knows them
    if (v.group) throw new UsageError('--group needs an API key (INBOXD_API_KEY)');
    mailboxes = [];
    for (const [addr, entry] of ctx.tokens.entries()) {
      try {
        mailboxes.push(await ctx.inboxd.mailbox(addr, { sessionToken: entry.token }).refresh());
      } catch (err) {
        if (!isInboxdError(err, 'mailbox_not_found', 'mailbox_expired', 'unauthorized', 'forbidden')) throw err;
        ctx.tokens.delete(addr);
      }
    }
  }
  if (ctx.json) return out(json(mailboxes));
  if (mailboxes.length === 0) process.stderr.write('no mailboxes\n');
  else out(mailboxes.map((m) => `${m.address}  expires in ${minutesLeft(m)}  ${m.message_count} message${m.message_count === 1 ? '' : 's'}${m.group ? `  group ${m.group}` : ''}`).join('\n'));
}

async function rm(ctx: Context, positionals: string[]): Promise<void> {
  const group = str(ctx.values.group);
  if (group !== undefined) {
    if (positionals.length) throw new UsageError('give ADDRESS [ID] or --group, not both');
    const result = await ctx.inboxd.deleteGroup(group);
    for (const a of result.addresses) ctx.tokens.delete(a);
    return out(ctx.json ? json(result) : `deleted ${result.deleted} mailbox${result.deleted === 1 ? '' : 'es'} of group ${group}`);
  }
  const address = onePositional(positionals, 'ADDRESS (or --group G)', 2);
  const mailbox = mailboxFor(ctx, address);
  const id = positionals[1];
  if (id !== undefined) {
    await mailbox.deleteMessage(id);
    return out(ctx.json ? json({ deleted: id }) : `deleted message ${id}`);
  }
  await mailbox.deleteMailbox();
  ctx.tokens.delete(address);
  out(ctx.json ? json({ deleted: address }) : `deleted ${address}`);
}

async function keys(ctx: Context, positionals: string[]): Promise<void> {
  if (!ctx.apiKey) throw new UsageError('managing keys needs an API key (INBOXD_API_KEY or --api-key)');
  const [action, id, extra] = positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const line = (k: ApiKeyInfo) => `${k.id}  ${k.prefix}…  ${k.name}  ${k.active ? 'active' : 'revoked'}  created ${k.created_at}${k.last_used_at ? `  last used ${k.last_used_at}` : ''}`;
  switch (action) {
    case 'ls': {
      if (id !== undefined) throw new UsageError('keys ls takes no argument');
      const list = await ctx.inboxd.listKeys();
      return out(ctx.json ? json(list) : list.map(line).join('\n') || '(no keys)');
    }
    case 'create': {
      if (id !== undefined) throw new UsageError('keys create takes --name, not an argument');
      const made = await ctx.inboxd.createKey({ name: str(ctx.values.name) });
      if (ctx.json) return out(json(made));
      out(made.key);
      process.stderr.write(`(API key ${made.prefix}…, name "${made.name}", id ${made.id}. Shown once: store it now.)\n`);
      return;
    }
    case 'rm': {
      if (id === undefined) throw new UsageError('keys rm needs the key id (inboxd keys ls)');
      const revoked = await ctx.inboxd.revokeKey(id);
      return out(ctx.json ? json(revoked) : `revoked ${revoked.prefix}… (${revoked.name})`);
    }
    default:
      throw new UsageError('keys ls | keys create [--name N] | keys rm ID');
  }
}

/** what a timed-out wait saw: the near misses and the refused attempts, one line each (stderr). */
function explainTimeout(err: InboxdError): string {
  const lines: string[] = [];
  if (err.arrived?.length) {
    lines.push('arrived but did not match (newest first):');
    for (const m of err.arrived) lines.push(`  #${m.seq} ${JSON.stringify(m.subject ?? '')} from ${m.from ?? '(none)'}, ${m.received_at} — failed ${m.failed.join(', ')}`);
  }
  if (err.refused?.length) {
    lines.push('refused or faulted attempts (newest first):');
    for (const a of err.refused) lines.push(`  ${a.at} ${a.outcome}: ${a.response}${a.envelope_from ? ` (from ${a.envelope_from})` : ''}`);
  }
  if (lines.length === 0) lines.push('nothing arrived and nothing was refused');
  return `\n${lines.join('\n')}`;
}

const FAULTS_USAGE = 'faults ADDRESS | faults set ADDRESS RULES_JSON | faults rm ADDRESS (or --group G instead of ADDRESS)';

async function faults(ctx: Context, positionals: string[]): Promise<void> {
  const group = str(ctx.values.group);
  const [first, ...rest] = positionals;
  const action = first === 'set' || first === 'rm' || first === 'get' ? first : 'get';
  const args = action === first ? rest : positionals;
  const target = group ?? args.shift();
  if (target === undefined) throw new UsageError(FAULTS_USAGE);
  let rules: FaultRule[] | undefined;
  if (action === 'set') {
    const raw = args.shift();
    if (raw === undefined) throw new UsageError('faults set needs the rules as JSON, e.g. \'[{"stage":"rcpt","reply":"451 4.3.0 Try again later","times":2}]\'');
    try {
      const parsed = JSON.parse(raw) as unknown;
      rules = (Array.isArray(parsed) ? parsed : (parsed as { rules?: unknown }).rules) as FaultRule[];
    } catch {
      throw new UsageError(`the rules are not JSON: ${raw}`);
    }
  }
  if (args.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args[0])}`);
  if (group !== undefined && !ctx.apiKey) throw new UsageError("a group's fault script needs an API key (INBOXD_API_KEY or --api-key)");
  const mailbox = group === undefined ? mailboxFor(ctx, target) : null;
  let script: FaultScript | null;
  if (action === 'set') script = mailbox ? await mailbox.setFaults(rules!) : await ctx.inboxd.setGroupFaults(target, rules!);
  else if (action === 'rm') {
    if (mailbox) await mailbox.clearFaults();
    else await ctx.inboxd.clearGroupFaults(target);
    script = null;
  } else script = mailbox ? await mailbox.getFaults() : await ctx.inboxd.getGroupFaults(target);
  if (script === null) return out(ctx.json ? json({ deleted: true }) : `fault script of ${target} deleted`);
  if (ctx.json) return out(json(script));
  const rule = (r: FaultScript['rules'][number]) =>
    `${r.stage}  ${r.reply ?? (r.delay_ms !== undefined ? `delay ${r.delay_ms} ms` : 'disconnect')}  used ${r.used}${r.times === null ? ' (until deleted)' : ` of ${r.times}`}`;
  out(script.rules.map(rule).join('\n') || `(no fault script on ${target})`);
}

const WEBHOOKS_USAGE = 'webhooks ls | create URL | rm ID | enable ID | disable ID | attempts ID | test ID | replay ID --mailbox A';

async function webhooks(ctx: Context, positionals: string[]): Promise<void> {
  if (!ctx.apiKey) throw new UsageError('managing webhooks needs an API key (INBOXD_API_KEY or --api-key)');
  const [action, arg, extra] = positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const hooks = ctx.inboxd.webhooks;
  const line = (w: WebhookInfo) =>
    `${w.id}  ${w.url}  ${w.mailbox ?? (w.group ? `group ${w.group}` : 'all mailboxes')}  ${w.enabled ? 'enabled' : `disabled (${w.disabled_reason ?? ''})`}`;
  const attemptLine = (a: WebhookAttempt) =>
    `${a.at}  ${a.event_id}  #${a.attempt}  ${a.status_code ?? a.error}  ${a.latency_ms} ms${a.next_retry_at ? `  next ${a.next_retry_at}` : ''}`;
  const needId = () => {
    if (arg === undefined) throw new UsageError(`webhooks ${action} needs the webhook id (inboxd webhooks ls)`);
    return arg;
  };
  switch (action) {
    case 'ls': {
      if (arg !== undefined) throw new UsageError('webhooks ls takes no argument');
      const list = await hooks.list();
      return out(ctx.json ? json(list) : list.map(line).join('\n') || '(no webhooks)');
    }
    case 'create': {
      if (arg === undefined) throw new UsageError('webhooks create needs the URL to POST to');
      const made = await hooks.create({ url: arg, mailbox: str(ctx.values.mailbox), group: str(ctx.values.group), includeMessage: ctx.values['include-message'] === true });
      if (ctx.json) return out(json(made));
      out(`${made.id} ${made.secret}`);
      process.stderr.write(`(webhook ${made.id} → ${made.url}. The signing secret is shown once: store it now.)\n`);
      return;
    }
    case 'rm': {
      const gone = await hooks.delete(needId());
      return out(ctx.json ? json(gone) : `deleted ${gone.id} (${gone.url})`);
    }
    case 'enable':
    case 'disable': {
      const changed = await hooks.update(needId(), { enabled: action === 'enable' });
      return out(ctx.json ? json(changed) : line(changed));
    }
    case 'attempts': {
      const list = await hooks.attempts(needId(), { limit: int(ctx.values, 'limit', 1) });
      return out(ctx.json ? json(list) : list.map(attemptLine).join('\n') || '(no attempts yet)');
    }
    case 'test': {
      const queued = await hooks.test(needId());
      return out(ctx.json ? json(queued) : `queued test event ${queued.event_id} (see: inboxd webhooks attempts ${arg})`);
    }
    case 'replay': {
      const mailbox = str(ctx.values.mailbox);
      if (mailbox === undefined) throw new UsageError('webhooks replay needs --mailbox ADDRESS');
      const done = await hooks.replay(needId(), { mailbox, sinceSeq: int(ctx.values, 'since-seq', 0) });
      return out(ctx.json ? json(done) : `queued ${done.queued} event(s)`);
    }
    default:
      throw new UsageError(WEBHOOKS_USAGE);
  }
}

/**
 * with an API key: the owner's mailboxes; with --token / INBOXD_TOKEN: that mailbox; with
 * neither: each anonymous mailbox this machine created (the token file), merged newest first.
 */
async function search(ctx: Context, positionals: string[]): Promise<void> {
  const query = positionals.join(' ');
  const limit = int(ctx.values, 'limit', 1);
  const offset = int(ctx.values, 'offset', 0);
  const token = str(ctx.values.token) ?? (process.env.INBOXD_TOKEN || undefined);
  let found: SearchResult[];
  if (ctx.apiKey || token) found = await ctx.inboxd.search(query, { limit, offset, sessionToken: ctx.apiKey ? undefined : token });
  else {
    const each = await Promise.all(
      [...ctx.tokens.entries()].map(async ([address, entry]) => {
        try {
          return await ctx.inboxd.search(query, { limit: (offset ?? 0) + (limit ?? 50), sessionToken: entry.token });
        } catch (err) {
          // a mailbox that ended answers unauthorized once the server forgets its token
          if (!isInboxdError(err, 'unauthorized')) throw err;
          ctx.tokens.delete(address);
          return [];
        }
      }),
    );
    found = each
      .flat()
      .sort((a, b) => b.received_at.localeCompare(a.received_at) || b.id.localeCompare(a.id))
      .slice(offset ?? 0, (offset ?? 0) + (limit ?? 50));
  }
  if (ctx.json) return out(json(found));
  if (found.length === 0) throw new NothingFound(`no message matches ${JSON.stringify(query)}`);
  out(found.map((m) => `${m.address}  ${summaryLine(m)}`).join('\n'));
}

function summaryLine(m: MessageSummary): string {
  const code = m.codes[0] ? `  code ${m.codes[0].value}` : '';
  return `#${m.seq}  ${m.id}  ${m.received_at}  ${m.from ?? '-'}  ${m.subject ?? '(no subject)'}${code}${m.is_read ? '' : '  (unread)'}`;
}

function describeMessage(m: Message, withBody: boolean): string {
  const lines = [
    `#${m.seq} ${m.id}`,
    `From: ${m.from_name ? `${m.from_name} <${m.from ?? ''}>` : (m.from ?? '-')}`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${m.subject ?? ''}`,
    `Received: ${m.received_at}`,
  ];
  if (m.codes[0]) lines.push(`Code: ${m.codes[0].value}`);
  for (const l of m.links.slice(0, withBody ? undefined : 1)) lines.push(`Link: ${l.url}`);
  for (const a of m.attachments) lines.push(`Attachment ${a.index}: ${a.filename ?? '(unnamed)'} (${a.content_type}, ${a.size} bytes)`);
  if (m.parse_error) lines.push(`Parse error: ${m.parse_error}`);
  if (withBody) lines.push('', m.body_text ?? (m.body_html ? '(HTML only: read --json for body_html)' : ''));
  return lines.join('\n');
}

async function exportMail(ctx: Context, positionals: string[]): Promise<void> {
  const v = ctx.values;
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const format = str(v.format) ?? 'mbox';
  if (format !== 'mbox' && format !== 'zip') throw new UsageError(`--format must be mbox or zip, not ${JSON.stringify(format)}`);
  const address = positionals[0];
  if (address !== undefined && v.group) throw new UsageError('give an ADDRESS or --group, not both');
  const bytes = address !== undefined ? await mailboxFor(ctx, address).export(format) : await ctx.inboxd.exportMailboxes({ group: str(v.group), format });
  const file = str(v.output);
  if (file === undefined) {
    process.stdout.write(bytes);
    return;
  }
  writeFileSync(file, bytes);
  process.stderr.write(`wrote ${bytes.byteLength} bytes to ${file}\n`);
}
