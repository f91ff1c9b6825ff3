/**
 * buildApp: the Fastify edge, assembled from the parts it is given. It never listens (roles.ts
 * does) so tests and roles put together the same app.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import type { CoreDeps } from '../core/context.js';
import type { Delivery } from '../core/delivery.js';
import type { HealthCheck } from '../core/health.js';
import type { Prometheus } from '../prometheus.js';
import { RateLimiter } from '../core/rate-limit.js';
import type { SesSettings } from '../ses/settings.js';
import { authenticateRoutes } from './auth.js';
import { installDrain } from './drain.js';
import { errorHandler, sendError } from './errors.js';
import { hostAllowed } from './host-check.js';
import { readInputStrictly } from './input.js';
import { sseRoutes } from './realtime/sse.js';
import { catchAllRoutes } from './routes/catch-all.js';
import { wsRoutes } from './realtime/ws.js';
import { redactUrl } from './request.js';
import { addWireSchemas } from './schemas.js';
import { faultRoutes } from './routes/faults.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { domainRoutes } from './routes/domains.js';
import { exportRoutes } from './routes/export.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { type McpEndpoint, mcpRoutes } from './routes/mcp.js';
import { metricsRoutes } from './routes/metrics.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { messageRoutes } from './routes/messages.js';
import { searchRoutes } from './routes/search.js';
import { sesRoutes } from './routes/ses.js';
import { waitRoutes } from './routes/wait.js';
import { webhookRoutes } from './routes/webhooks.js';
import { defaultWebDistDir, webRoutes } from './routes/web.js';

export interface HttpSettings {
  bodyLimit: number;
  trustedProxies: readonly string[];
  allowedOrigins: readonly string[];
  anonymousRatePerMinute: number;
  pingIntervalMs: number;
  maxBufferedBytes: number;
  waitMaxTimeoutSeconds: number;
  /** serve /openapi.json and the /docs viewer */
  docs: boolean;
  metricsToken?: string | undefined;
  /** webhook targets may resolve to private addresses (INBOXD_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate?: boolean;
}

export interface AppDeps {
  core: CoreDeps;
  settings: HttpSettings;
  /** the ingest path, for the SES webhook (POST /api/v1/ses/inbound): registered when given with `ses`. */
  delivery?: Delivery;
  ses?: SesSettings;
  /** a pino logger (Fastify's own type); false for none */
  logger: object | false;
  /** the MCP server behind /mcp (mcp/http-handler.ts, given by roles.ts); none: no /mcp route */
  mcp?: McpEndpoint;
  /** more parts for /health to report (the SQLite data disk); db and bus are always there. */
  healthChecks?: readonly HealthCheck[];
  /** HTTP request metrics and the prom-client part of /metrics (src/prometheus.ts); none: core's counters only. */
  prometheus?: Prometheus;
}

/** same-origin is always allowed; others only when listed. A request with no Origin is not from a browser. */
export function makeOriginCheck(allowed: readonly string[]) {
  const set = new Set(allowed.map((o) => o.toLowerCase().replace(/\/$/, '')));
  return (origin: string | undefined, host: string | undefined): boolean => {
    if (!origin) return true;
    const o = origin.toLowerCase();
    if (set.has('*') || set.has(o)) return true;
    try {
      return host !== undefined && new URL(o).host === host.toLowerCase();
    } catch {
      return false;
    }
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { core, settings } = deps;
  const app = Fastify({
    loggerInstance: deps.logger === false ? undefined : (deps.logger as never),
    logger: deps.logger === false ? false : undefined,
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustedProxies.length > 0 ? [...settings.trustedProxies] : false,
    // our own onResponse line replaces Fastify's, so query-string tokens never reach a log
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 300 },
    // drain.ts answers requests during shutdown with our own 503 shutting_down
    return503OnClosing: false,
    // an unknown field is refused (input.ts, errors.ts), never dropped without a word
    ajv: { customOptions: { removeAdditional: false } },
  });
  readInputStrictly(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', 'no such route'));
  const draining = installDrain(app);
  // one log line per request, with query-string credentials redacted
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.prometheus?.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // health probes and the web UI's files would drown the API's lines: debug only
    const quiet = route === '/health' || (reply.statusCode < 400 && request.method === 'GET' && !/^\/(api|ws|mcp|metrics|docs|openapi\.json)(\/|$)/.test(route));
    request.log[quiet ? 'debug' : 'info']({ method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  // CORS is an explicit list (DESIGN "Security defaults"): no list, no cross-origin API access
  const corsOrigins = settings.allowedOrigins.filter((o) => o !== '*');
  if (corsOrigins.length > 0) {
    await app.register(cors, {
      origin: corsOrigins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Session-Token', 'Last-Event-ID'],
      maxAge: 600,
    });
  }

  await app.register(websocket, {
    options: {
      // clients only listen; a small maxPayload bounds what a hostile one can make us hold
      maxPayload: 4096,
    },
  });

  // the OpenAPI document is generated from the route schemas registered below
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Inboxd API', version: '1', description: 'Programmable temporary email: mailboxes with a TTL, messages as JSON, events pushed.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'an API key (ibx_…)' },
          sessionToken: { type: 'apiKey', in: 'header', name: 'X-Session-Token', description: 'the session_token of an anonymous mailbox' },
        },
      },
      security: [{ apiKey: [] }, { sessionToken: [] }],
    },
    // components/schemas named as presenters/ names them (http/schemas.ts), not def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  addWireSchemas(app);
  if (settings.docs) {
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  const realtime = {
    pingIntervalMs: settings.pingIntervalMs,
    maxBufferedBytes: settings.maxBufferedBytes,
    originAllowed: makeOriginCheck(settings.allowedOrigins),
    hostAllowed: (request: FastifyRequest) => hostAllowed(request, settings.allowedOrigins),
    draining,
  };
  const anonymousLimiter = new RateLimiter(settings.anonymousRatePerMinute, core.clock);
  healthRoutes(app, core, deps.healthChecks);
  metricsRoutes(app, core, settings.metricsToken, deps.prometheus);
  domainRoutes(app, core);
  // the REST routes on mailboxes and messages: one scope, one authentication hook (auth.ts)
  await app.register(async (api) => {
    authenticateRoutes(api, core);
    mailboxRoutes(api, core, anonymousLimiter);
    waitRoutes(api, core, settings.waitMaxTimeoutSeconds, draining);
    messageRoutes(api, core);
    deliveryRoutes(api, core);
    faultRoutes(api, core);
    searchRoutes(api, core);
    webhookRoutes(api, core, { allowPrivate: settings.webhookAllowPrivate ?? false });
    exportRoutes(api, core);
    sseRoutes(api, core, realtime);
  });
  keyRoutes(app, core);
  if (deps.delivery && deps.ses) await app.register(sesRoutes({ core, delivery: deps.delivery, settings: deps.ses }));
  catchAllRoutes(app, core, realtime);
  wsRoutes(app, core, realtime);
  mcpRoutes(app, core, deps.mcp, settings.allowedOrigins);
  webRoutes(app, { distDir: defaultWebDistDir() });
  return app;
}
