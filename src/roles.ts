/**
 * Puts the parts together and starts the roles the config asks for (api, smtp, sweeper), in one
 * process. `inboxd serve`, the tests and the benchmarks all start Inboxd through here. Shutdown
 * runs in a fixed order: stop accepting, let deliveries in flight finish, close the bus, close
 * the store.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { type Clock, systemClock } from './core/clock.js';
import { userForApiKey } from './core/auth.js';
import type { CoreDeps, CoreSettings } from './core/context.js';
import { createDelivery, type Delivery } from './core/delivery.js';
import { createMetrics } from './core/metrics.js';
import { createPrometheus } from './prometheus.js';
import { createTimeline, type Timeline } from './core/timeline.js';
import type { Bus } from './core/events.js';
import type { Logger } from './core/log.js';
import { createLogger } from './log.js';
import { sesSettings } from './ses/settings.js';
import { createParserPool } from './mime/pool.js';
import type { Store } from './core/store.js';
import type { SmtpHandle } from './smtp/server.js';
import type { Sweeper } from './sweeper/sweeper.js';
import type { Dispatcher } from './core/webhooks/dispatcher.js';
import { listenError, openBus, openStore, settingName, StartupError, startupDeadline } from './startup.js';

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** give your own store/bus (tests of the scale pair); otherwise chosen from config. */
  store?: Store;
  bus?: Bus;
}

export interface Inboxd {
  config: Config;
  core: CoreDeps;
  delivery: Delivery;
  /** the delivery timeline writer (tests flush it instead of polling). */
  timeline: Timeline;
  /** set when the api role runs. */
  http: { app: FastifyInstance; port: number; url: string } | null;
  /** set when the smtp role runs. */
  smtp: { server: SmtpHandle; port: number; /** the implicit-TLS port, when configured. */ securePort: number | null } | null;
  sweeper: Sweeper | null;
  /** set when the webhooks role runs: sends queued webhook events. */
  webhooks: Dispatcher | null;
  close(): Promise<void>;
}

export function coreSettings(config: Config): CoreSettings {
  return {
    domains: config.domains,
    anonymousPlan: config.anonymous_plan,
    defaultTtlMinutes: config.ttl_default_minutes,
    maxTtlMinutes: config.ttl_max_minutes,
    quarantineMs: config.quarantine_days * 86_400_000,
    maxMessageBytes: config.smtp_max_message_bytes,
    catchAll: {
      mode: config.catch_all,
      ownerEmail: config.catch_all_owner ?? null,
      ttlMinutes: config.catch_all_ttl_minutes,
      openToLoopback: config.env === 'development' && config.catch_all !== 'off' && !config.catch_all_owner,
    },
    anonymousLoopbackUncapped: config.anonymous_loopback_uncapped,
    commitTimeoutMs: config.store_commit_timeout,
    feedReadConcurrency: config.feed_read_concurrency,
    faultMaxDelayMs: config.smtp_fault_max_delay,
  };
}

export async function startInboxd(config: Config, options: StartOptions = {}): Promise<Inboxd> {
  const log = (options.logger ?? (createLogger(config.log_level) as unknown as Logger));
  const clock = options.clock ?? systemClock;
  const deadline = startupDeadline(config);
  const store = options.store ?? (await openStore(config, log, deadline));
  if (config.migrate) await store.migrate();
  else {
    const pending = await store.pendingMigrations();
    if (pending.length > 0) {
      await store.close();
      throw new StartupError(
        `the database schema is older than this version of Inboxd (pending: ${pending.join(', ')}); run \`inboxd migrate\` or set ${settingName('migrate')} to true`,
      );
    }
  }
  let bus: Bus;
  try {
    bus = options.bus ?? (await openBus(config, log, deadline));
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const parser = createParserPool({ workers: config.parse_workers, timeoutMs: config.parse_timeout, memoryMb: config.parse_memory_mb });
  const mime = { parse: (raw: Buffer) => parser.parse(raw), attachment: (raw: Buffer, index: number) => parser.attachment(raw, index) };
  const metrics = createMetrics();
  const prometheus = createPrometheus(metrics);
  metrics.gauge('inboxd_parser_queue_depth', 'MIME parses waiting for a free worker', () => parser.queueDepth());
  metrics.gauge('inboxd_parser_threads', 'MIME parser worker threads alive', () => parser.threads());
  const core: CoreDeps = { store, bus, clock, log, mime, metrics, settings: coreSettings(config) };
  const timeline = createTimeline(core);
  core.timeline = timeline;
  const delivery = createDelivery(core, timeline);
  const roles = new Set(config.roles);

  let http: Inboxd['http'] = null;
  let smtp: Inboxd['smtp'] = null;
  let sweeper: Sweeper | null = null;
  let webhooks: Dispatcher | null = null;
  try {
    if (roles.has('api')) {
      const { buildApp } = await import('./http/app.js');
      const app = await buildApp({
        core,
        delivery,
        ses: sesSettings(config),
        logger: log,
        mcp: (await import('./mcp/http-handler.js')).createMcpHttpHandler(core, { maxWaitSeconds: config.wait_max_timeout, keyRecheckMs: config.ws_ping_interval * 1000 }),
        prometheus,
        healthChecks: [
          delivery.health,
          ...(config.database_url
            ? []
            : [(await import('./store/sqlite/disk-check.js')).diskCheck({ dir: config.data_dir, minFreeBytes: config.disk_min_free_mb * 1_048_576, settingName: settingName('disk_min_free_mb') })]),
        ],
        settings: {
          bodyLimit: config.http_body_limit,
          trustedProxies: config.trusted_proxies,
          allowedOrigins: config.allowed_origins,
          anonymousRatePerMinute: config.anonymous_rate,
          pingIntervalMs: config.ws_ping_interval * 1000,
          maxBufferedBytes: config.ws_max_buffered_bytes,
          waitMaxTimeoutSeconds: config.wait_max_timeout,
          docs: config.docs ?? config.env !== 'production',
          metricsToken: config.metrics_token,
          webhookAllowPrivate: config.webhook_allow_private,
        },
      });
      await app.listen({ port: config.http_port, host: config.http_host }).catch((err: unknown) => {
        throw listenError(err, 'HTTP', config.http_host, config.http_port);
      });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.http_port;
      const host = config.http_host.includes(':') ? `[${config.http_host}]` : config.http_host;
      http = { app, port, url: `http://${host}:${port}` };
    }
    if (roles.has('smtp')) {
      const { createSmtpServer } = await import('./smtp/server.js');
      const server = createSmtpServer({
        delivery,
        log,
        clock,
        metrics,
        userForKey: (secret) => userForApiKey(core, secret),
        settings: {
          auth: config.smtp_auth,
          authRequired: config.smtp_auth_required,
          authFailuresPerMinute: config.smtp_auth_failures_per_minute,
          hostname: config.smtp_hostname,
          maxMessageBytes: config.smtp_max_message_bytes,
          maxRecipients: config.smtp_max_recipients,
          maxClients: config.smtp_max_clients,
          maxClientsPerIp: config.smtp_max_clients_per_ip,
          idleTimeoutMs: config.smtp_idle_timeout * 1000,
          sessionTimeoutMs: config.smtp_session_timeout * 1000,
          greetingDelayMs: config.smtp_greeting_delay,
          maxBufferedBytes: config.smtp_max_buffered_bytes,
          guess: {
            limit: config.smtp_guess_limit,
            windowMs: config.smtp_guess_window * 1000,
            blockMs: config.smtp_guess_block * 1000,
            delayMs: config.smtp_guess_delay,
            exemptLoopback: config.smtp_guess_exempt_loopback,
          },
          tls: config.smtp_tls_key && config.smtp_tls_cert ? { key: readFileSync(config.smtp_tls_key), cert: readFileSync(config.smtp_tls_cert) } : undefined,
        },
      });
      try {
        const { port } = await server.listen(config.smtp_port, config.smtp_host).catch((err: unknown) => {
          throw listenError(err, 'SMTP', config.smtp_host, config.smtp_port);
        });
        const smtpsPort = config.smtps_port;
        const securePort =
          smtpsPort !== undefined
            ? (
                await server.listenSecure(smtpsPort, config.smtp_host).catch((err: unknown) => {
                  throw listenError(err, 'SMTPS', config.smtp_host, smtpsPort);
                })
              ).port
            : null;
        smtp = { server, port, securePort };
        metrics.gauge('inboxd_smtp_sessions', 'SMTP connections open right now', () => server.connections());
      } catch (err) {
        await server.close().catch(() => undefined);
        throw err;
      }
    }
    if (roles.has('sweeper')) {
      const { startSweeper } = await import('./sweeper/sweeper.js');
      sweeper = startSweeper(core, {
        intervalMs: config.sweep_interval * 1000,
        retentionMs: config.retention * 1000,
        quarantineMs: config.quarantine_days * 86_400_000,
        deliveriesMaxAgeMs: config.deliveries_max_age * 1000,
        deliveriesPerAddress: config.deliveries_per_address,
        clock: config.sweep_clock,
        webhookAttemptsMaxAgeMs: config.webhook_attempts_max_age * 1000,
      });
    }
    if (roles.has('webhooks')) {
      const { startWebhookDispatcher } = await import('./core/webhooks/dispatcher.js');
      const { createWebhookTransport } = await import('./webhooks/sender.js');
      const transport = createWebhookTransport({
        allowPrivate: config.webhook_allow_private,
        connectTimeoutMs: config.webhook_connect_timeout,
        timeoutMs: config.webhook_timeout,
      });
      webhooks = startWebhookDispatcher(core, transport, {
        concurrency: config.webhook_concurrency,
        pollMs: config.webhook_poll_interval,
        // a row taken by a node that died is sent by another after this; well above one attempt
        leaseMs: config.webhook_timeout * 2 + 5000,
      });
      const dispatcher = webhooks;
      core.outbox = { ring: () => dispatcher.ring() };
    }
  } catch (err) {
    await http?.app.close().catch(() => undefined);
    await smtp?.server.close().catch(() => undefined);
    await sweeper?.stop().catch(() => undefined);
    await webhooks?.stop().catch(() => undefined);
    await parser.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    config,
    core,
    delivery,
    timeline,
    http,
    smtp,
    sweeper,
    webhooks,
    close() {
      closing ??= (async () => {
        // 1. stop accepting (SMTP finishes sessions in flight, so their deliveries complete)
        await Promise.all([smtp?.server.close(), http?.app.close(), sweeper?.stop(), webhooks?.stop()]);
        await parser.close();
        await timeline.close();
        // 2. then the bus, 3. then the store
        await bus.close();
        await store.close();
      })();
      return closing;
    },
  };
}
