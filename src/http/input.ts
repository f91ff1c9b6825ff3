/**
 * How request input is read, for every route: a JSON body that is empty counts as no body, and
 * the REST routes refuse query parameters they do not know (400 invalid_input naming the known
 * ones, see `errors.ts`) instead of ignoring them. Call before any route is registered.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

/** the streams keep tolerating extras: EventSource and WebSocket clients add their own. */
const TOLERANT = [/^\/api\/v1\/mailboxes\/:address\/events$/, /^\/api\/v1\/ses\//];

function strictQuery(route: RouteOptions): void {
  if (!route.url.startsWith('/api/v1/') || TOLERANT.some((re) => re.test(route.url))) return;
  const schema = (route.schema ??= {});
  const query = (schema.querystring ?? { type: 'object', properties: {} }) as Record<string, unknown>;
  schema.querystring = { ...query, additionalProperties: false };
}

export function readInputStrictly(app: FastifyInstance): void {
  // the official Python MCP SDK ends a session with a bodiless DELETE that still says
  // Content-Type: application/json; Fastify's own parser answers that with 400
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });

  app.addHook('onRoute', strictQuery);

  // `_=<time>` is the cache-buster jQuery and others append: harmless, so never a refusal
  app.addHook('preValidation', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (query && '_' in query) delete query._;
  });
}
