/**
 * buildApp: the Fastify edge, assembled from the parts it is given. It never listens (roles.ts
 * does) so tests and roles put together the same app.
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { CoreDeps } from '../core/context.js';
import { RateLimiter } from '../core/rate-limit.js';
import { errorHandler, sendError } from './errors.js';
import { wsRoutes } from './realtime/ws.js';
import { redactUrl } from './request.js';
import { healthRoutes } from './routes/health.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { messageRoutes } from './routes/messages.js';

export interface HttpSettings {
  bodyLimit: number;
  trustedProxies: readonly string[];
  allowedOrigins: readonly string[];
  anonymousRatePerMinute: number;
  pingIntervalMs: number;
  maxBufferedBytes: number;
}

export interface AppDeps {
  core: CoreDeps;
  settings: HttpSettings;
  /** a pino logger (Fastify's own type); false for none */
  logger: object | false;
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
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', 'no such route'));
  // one log line per request, with query-string credentials redacted
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(websocket, {
    options: {
      // clients only listen; a small maxPayload bounds what a hostile one can make us hold
      maxPayload: 4096,
    },
  });

  const anonymousLimiter = new RateLimiter(settings.anonymousRatePerMinute, core.clock);
  healthRoutes(app, core);
  mailboxRoutes(app, core, anonymousLimiter);
  messageRoutes(app, core);
  wsRoutes(app, core, {
    pingIntervalMs: settings.pingIntervalMs,
    maxBufferedBytes: settings.maxBufferedBytes,
    originAllowed: makeOriginCheck(settings.allowedOrigins),
  });
  return app;
}
