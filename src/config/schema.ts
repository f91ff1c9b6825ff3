/**
 * Every setting Inboxd reads, in one table. Each leaf names its env variable and flag
 * mechanically: setting `smtp_port` ↔ `INBOXD_SMTP_PORT` ↔ `--smtp-port`. `load.ts` turns
 * defaults < env < flags into one frozen, validated `Config`; nothing else reads process.env.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const nonNegInt = z.coerce.number().int().min(0);
const posInt = z.coerce.number().int().min(1);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const list = z.union([z.array(z.string()), z.string()]).transform((v) =>
  (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0),
);
const domainList = list.pipe(
  z.array(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'a domain name such as inboxd.test').transform((d) => d.toLowerCase())).min(1),
);

function isRegExp(v: string): boolean {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
}

/** the settings table: key → schema with its default and description. */
export const settings = {
  env: z.enum(['development', 'test', 'production']).default('development').describe('development, test or production; production turns the docs off, requires INBOXD_SES_TOPIC_ARNS and refuses the test-only SES settings'),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level'),
  http_host: z.string().min(1).default('127.0.0.1').describe('HTTP listen address'),
  http_port: port.default(8025).describe('HTTP listen port (0 = any free port)'),
  http_body_limit: posInt.default(1_048_576).describe('largest HTTP request body accepted, in bytes'),
  trusted_proxies: list.default([]).describe('addresses whose X-Forwarded-For is trusted, comma-separated'),
  allowed_origins: list.default([]).describe('browser origins allowed to open WebSockets and call the API, comma-separated (same-origin is always allowed)'),
  smtp_host: z.string().min(1).default('127.0.0.1').describe('SMTP listen address'),
  smtp_port: port.default(2525).describe('SMTP listen port (0 = any free port)'),
  smtp_max_message_bytes: posInt.default(26_214_400).describe('SIZE advertised over SMTP; larger messages are refused with 552 5.3.4 (plans may set lower limits)'),
  smtp_max_recipients: posInt.default(100).describe('recipients accepted per message'),
  smtp_max_clients: posInt.default(1000).describe('concurrent SMTP connections in all'),
  smtp_max_clients_per_ip: posInt.default(50).describe('concurrent SMTP connections from one client address'),
  smtp_idle_timeout: posInt.default(60).describe('seconds an SMTP client may stay silent'),
  smtp_session_timeout: posInt.default(600).describe('seconds an SMTP session may last in all, however busy'),
  smtp_max_buffered_bytes: posInt.default(268_435_456).describe('message bytes all SMTP sessions together may hold in memory; a message that would pass it is refused with 451 4.3.0 (server_busy) and the sender retries'),
  smtp_guess_limit: nonNegInt.default(20).describe('unknown-recipient refusals one client (IPv6: its /64) may collect within smtp_guess_window before it is answered 421 4.7.0 for smtp_guess_block; from half of it on, its refusals are slowed by smtp_guess_delay (0 = no throttle)'),
  smtp_guess_window: posInt.default(600).describe('seconds over which unknown-recipient refusals are counted for smtp_guess_limit'),
  smtp_guess_block: posInt.default(900).describe('seconds a client that reached smtp_guess_limit is answered 421 4.7.0 at RCPT'),
  smtp_guess_delay: nonNegInt.default(1000).describe('milliseconds each unknown-recipient refusal is held back once a client is past half of smtp_guess_limit'),
  smtp_guess_exempt_loopback: bool.optional().describe('loopback clients are not throttled for unknown recipients (a test suite on a laptop)'),
  smtp_fault_max_delay: posInt.default(60_000).describe('the longest delay_ms a fault script (PUT …/faults) may ask for, in milliseconds; keep it below the SMTP idle timeout so the delayed session is not cut off'),
  smtp_greeting_delay: nonNegInt.default(0).describe('milliseconds before the 220 greeting (raise it on an internet-facing MX to catch early talkers)'),
  smtp_tls_key: z.string().min(1).optional().describe('PEM private key file: with smtp_tls_cert, turns STARTTLS on'),
  smtp_tls_cert: z.string().min(1).optional().describe('PEM certificate (chain) file for STARTTLS'),
  smtps_port: port.optional().describe('implicit-TLS SMTP listen port (usually 465); needs smtp_tls_key and smtp_tls_cert, same rules as STARTTLS'),
  smtp_auth: z.enum(['off', 'any', 'keys']).optional().describe('SMTP AUTH (PLAIN, LOGIN; without TLS only from loopback): off, any (any user and password) or keys (the password is an active API key; its owner owns what the session catches)'),
  smtp_auth_required: bool.default(false).describe('refuse MAIL from senders that did not authenticate (530 5.7.0); off: AUTH is optional, even with smtp_auth on'),
  smtp_auth_failures_per_minute: posInt.default(5).describe('failed AUTH attempts allowed per client address per minute; beyond it AUTH answers 421 4.7.0 and the connection closes'),
  catch_all: z.enum(['off', 'domains', 'any']).optional().describe('a recipient with no mailbox gets one on first delivery: off, domains (any local part at our domains) or any (any recipient at any domain)'),
  catch_all_owner: z.string().min(3).optional().describe('email of the user who owns caught mailboxes when the SMTP session did not authenticate with a key (created when missing); without it, caught mailboxes are readable by loopback clients without credentials in development only'),
  catch_all_ttl_minutes: posInt.default(1440).describe('TTL of a caught mailbox, in minutes (clamped by the owner\'s plan)'),
  smtp_hostname: z.string().min(1).default('inboxd.local').describe('name the SMTP server gives in its greeting'),
  domains: domainList.default(['inboxd.test']).describe('receiving domains, comma-separated; the first is the default'),
  data_dir: z.string().min(1).default('./data').describe('folder of the SQLite file'),
  disk_min_free_mb: nonNegInt.default(100).describe('free space (MB) the data directory\'s filesystem must keep with the SQLite store; below it /health reports the disk degraded (503), as it does when a write probe fails'),
  sqlite_synchronous: z.enum(['full', 'normal']).default('full').describe('SQLite synchronous mode: full makes every 250 durable on power loss; normal trades that for speed'),
  store_commit_timeout: posInt.default(5000).describe('milliseconds a delivery\'s commit may take; past it SMTP answers 451 4.3.0 (the sender retries) and /health reports the commits check degraded until the store commits again'),
  sqlite_busy_timeout: nonNegInt.default(5000).describe('milliseconds a SQLite writer waits for a lock before answering storage_unavailable (SMTP 451 4.3.0)'),
  database_url: z.string().url().optional().describe('PostgreSQL URL: chooses the PostgreSQL store'),
  database_pool_size: z.coerce.number().int().min(2).max(1000).default(10).describe('PostgreSQL connections per node (at least 2: the sweeper lock holds one while its work uses another)'),
  database_connect_timeout: posInt.default(5000).describe('milliseconds a PostgreSQL query may wait for a pooled connection (or a new one) before it is answered storage_unavailable'),
  database_schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain identifier').optional().describe('PostgreSQL schema to use (created when missing); default: the server\'s search_path'),
  redis_url: z.string().url().optional().describe('Redis URL: chooses the Redis bus (rediss:// for TLS)'),
  redis_key_prefix: z.string().regex(/^[A-Za-z0-9_.:-]*$/, 'letters, digits and _ . : - only').default('').describe('prefix inside Redis channel names (inboxd:<prefix>mailbox:<address>), so several deployments can share one Redis'),
  sweep_interval: posInt.default(60).describe('seconds between expiry sweeps'),
  sweep_clock: z.enum(['database', 'node']).default('database').describe('whose clock the sweeper ends mailboxes and purges by: database (the store\'s clock, one for every node, so a node whose clock runs fast cannot end mailboxes early; SQLite: this machine\'s) or node (this process\'s clock)'),
  retention: nonNegInt.default(86_400).describe('seconds message content is kept after its mailbox expires or is deleted'),
  deliveries_max_age: posInt.default(604_800).describe('seconds a delivery attempt stays in the timeline'),
  deliveries_per_address: posInt.default(200).describe('delivery attempts kept per address in the timeline'),
  quarantine_days: nonNegInt.default(30).describe('days an ended address is kept from other owners'),
  ttl_default_minutes: posInt.default(60).describe('TTL for a mailbox whose plan sets no default'),
  ttl_max_minutes: posInt.default(43_200).describe('ceiling on any TTL, over every plan'),
  anonymous_plan: z.string().min(1).default('free').describe('plan used for anonymous mailboxes'),
  anonymous_loopback_uncapped: bool.optional().describe('anonymous mailboxes created from loopback clients are not held to the plan\'s active-mailbox cap (a test suite on a laptop); other clients keep the cap'),
  anonymous_rate: nonNegInt.default(0).describe('anonymous creations per client address per minute (0 = no rate limit)'),
  wait_max_timeout: posInt.default(300).describe('longest long-poll wait a client may ask for, in seconds'),
  docs: bool.optional().describe('serve /openapi.json and the /docs viewer (default: on, except in production)'),
  metrics_token: z.string().min(16).optional().describe('bearer token for /metrics; without it, /metrics answers only loopback clients'),
  feed_read_concurrency: posInt.default(4).describe('store reads the event streams of one node run at once (replay after since=, catch-up after a Redis outage, gaps); more streams queue instead of exhausting the PostgreSQL pool. Keep it below database_pool_size so deliveries keep connections'),
  ws_ping_interval: posInt.default(30).describe('seconds between ping events on WebSocket and SSE streams'),
  ws_max_buffered_bytes: posInt.default(4_194_304).describe('output a slow WebSocket may have queued before it is dropped'),
  parse_timeout: posInt.default(10_000).describe('milliseconds a MIME parse may take before the message is stored unparsed'),
  parse_memory_mb: z.coerce.number().int().min(32).default(256).describe('heap limit of a MIME parser worker'),
  parse_workers: nonNegInt.default(0).describe('MIME parser worker threads (0 = one per core, at least 1)'),
  shutdown_timeout: posInt.default(30).describe('seconds serve drains on SIGTERM (open waits answered 503, streams closed, SMTP sessions and deliveries in flight finished) before it exits anyway; keep the deployment\'s stop timeout above it'),
  startup_retry: nonNegInt.default(30).describe('seconds serve, migrate and admin keep retrying an unreachable PostgreSQL or Redis at start-up (with backoff) before giving up with a one-line error (0 = one try)'),
  migrate: bool.default(true).describe('apply schema migrations when serve starts'),
  ses_topic_arns: list
    .pipe(z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:inboxd-inbound')))
    .default([])
    .describe('SNS topics whose SES notifications POST /api/v1/ses/inbound accepts, comma-separated (required in production when the api role runs; empty = the webhook refuses every message)'),
  ses_cert_host_pattern: z
    .string()
    .min(1)
    .refine((v) => isRegExp(v), 'a valid regular expression')
    .optional()
    .describe('test mode only, refused in production: regex that the host[:port] of a SigningCertURL or SubscribeURL must match instead of sns.<region>.amazonaws.com'),
  ses_cert_ca_file: z.string().min(1).optional().describe('test mode only, refused in production: PEM file of a CA trusted (besides the system ones) when fetching SNS signing certificates and SubscribeURLs'),
  ses_s3_region: z.string().regex(/^[a-z0-9-]+$/, 'an AWS region such as us-east-1').optional().describe('AWS region of the bucket SES writes large messages to (default: the SDK\'s, e.g. AWS_REGION)'),
  ses_s3_endpoint: z.string().url().optional().describe('S3 endpoint URL for an S3-compatible store (path-style addressing); default: AWS S3'),
  ses_s3_bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name such as inboxd-inbound-mail')
    .optional()
    .describe('the only bucket the SES webhook reads S3-action mail from; without it, S3-action notifications are refused (403)'),
  ses_s3_key_prefix: z.string().max(1024).default('').describe('object keys the SES webhook may read from ses_s3_bucket must start with this (the receipt rule\'s objectKeyPrefix); keys with "." or ".." segments are refused'),
  ses_refuse_spam: bool.default(false).describe('refuse SES mail whose spam verdict is FAIL (shown in the delivery timeline as reason spam); off by default, since test mail often looks like spam. A virus is always refused'),
  ses_max_age: z.coerce.number().int().min(60).max(86_400).default(3600).describe('seconds an SNS message stays acceptable after its Timestamp; older ones are refused (403) as replays. Raise it only with an SNS delivery policy that retries for longer'),
  ses_fetch_timeout: z.coerce.number().int().min(100).max(60_000).default(5000).describe('total milliseconds allowed for each outbound fetch of the SES webhook (signing certificate, SubscribeURL, S3 object), however slowly the host answers'),
  webhook_allow_private: bool.optional().describe('webhooks may call hosts that resolve to loopback, private, link-local or metadata addresses (default: true in development and test, false in production)'),
  webhook_connect_timeout: posInt.default(3000).describe('milliseconds a webhook request may take to connect (TLS included) before the attempt fails'),
  webhook_timeout: posInt.default(10_000).describe('milliseconds a webhook request may take in all, from connect to the end of the answer'),
  webhook_concurrency: posInt.default(4).describe('webhook requests in flight per endpoint (one mailbox\'s events go to an endpoint one at a time, in seq order)'),
  webhook_poll_interval: posInt.default(1000).describe('milliseconds between looks at the webhook outbox for retries that fell due and rows other nodes left (events queued on this node leave at once)'),
  webhook_attempts_max_age: posInt.default(604_800).describe('seconds a webhook attempt (and a finished outbox row) is kept'),
  roles: list.pipe(z.array(z.enum(['api', 'smtp', 'sweeper', 'webhooks']))).default(['api', 'smtp', 'sweeper', 'webhooks']).describe('roles this process runs: api, smtp, sweeper, webhooks (sends queued webhook events)'),
} as const;

export type SettingKey = keyof typeof settings;

/**
 * defaults that depend on INBOXD_ENV: friendly on a laptop, closed in test and production
 * (the suite runs as `test`, so its expectations are production's).
 */
export const envDefaults = {
  catch_all: { development: 'any', test: 'off', production: 'off' },
  smtp_auth: { development: 'any', test: 'off', production: 'off' },
  anonymous_loopback_uncapped: { development: true, test: false, production: false },
  smtp_guess_exempt_loopback: { development: true, test: false, production: false },
  webhook_allow_private: { development: true, test: true, production: false },
} as const satisfies Partial<Record<SettingKey, Record<'development' | 'test' | 'production', unknown>>>;

type EnvDefaulted = keyof typeof envDefaults;

export type Config = Readonly<{ [K in SettingKey]: K extends EnvDefaulted ? NonNullable<z.output<(typeof settings)[K]>> : z.output<(typeof settings)[K]> }>;

/** `smtp_port` → `INBOXD_SMTP_PORT`. */
export function envName(key: string): string {
  return `INBOXD_${key.toUpperCase()}`;
}

/** `smtp_port` → `--smtp-port`. */
export function flagName(key: string): string {
  return `--${key.replace(/_/g, '-')}`;
}
