/**
 * The web UI: the files Vite built into web/dist, served at `/` with strict headers. The UI is
 * only a client of the public API (REST + WebSocket); nothing here reads the store.
 *
 * When web/dist is missing (a checkout that was never built) `/` answers 503 with how to fix
 * it, instead of failing start-up: the API works without the UI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebOptions {
  /** the folder holding index.html and assets/ (web/dist). */
  distDir: string;
}

/**
 * web/dist relative to the package root. This file is src/http/routes/web.ts under vitest and
 * dist/http/routes/web.js at run time: both are three folders below the root.
 */
export function defaultWebDistDir(): string {
  return fileURLToPath(new URL('../../../web/dist/', import.meta.url));
}

/**
 * The app's policy. A message's HTML is shown in a sandboxed `srcdoc` iframe, and a srcdoc
 * document inherits this policy on top of its own <meta> one (CSP3 policy containers), so two
 * sources exist only for it: inline styles (mail is styled inline) and remote images, which the
 * message's own policy allows only after the reader asks for them. No script runs there
 * (sandbox without allow-scripts), and the app itself never puts mail HTML into its own DOM.
 */
function contentSecurityPolicy(host: string | undefined): string {
  // CSP3 lets 'self' match ws(s) of the same host, but older engines do not: name it exactly
  const sameHostSockets = host && /^[a-z0-9.\-:[\]]+$/i.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    `connect-src 'self'${sameHostSockets}`,
    "frame-src 'self' about:",
    "media-src 'none'",
    "object-src 'none'",
    "worker-src 'none'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('Content-Security-Policy', contentSecurityPolicy(request.headers.host));
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

export function webRoutes(app: FastifyInstance, opts: WebOptions): void {
  const indexPath = join(opts.distDir, 'index.html');
  if (!existsSync(indexPath)) {
    app.get('/', async (_request, reply) => {
      const message = `web UI not built: run npm run build (looked for ${indexPath})`;
      return reply.code(503).header('Retry-After', '60').type('application/json; charset=utf-8').send({ error: 'web_ui_not_built', message, detail: message });
    });
    return;
  }
  // read once: the page is tiny and its asset names are content hashes, fixed per build
  const indexHtml = readFileSync(indexPath);

  // encapsulated, so the headers below apply to the UI's files and not to the API
  void app.register(async (scope) => {
    scope.addHook('onSend', async (request, reply, payload) => {
      securityHeaders(request, reply);
      return payload;
    });
    scope.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(indexHtml));
    await scope.register(fastifyStatic, {
      root: opts.distDir,
      prefix: '/',
      // one route per built file, listed at start-up: no catch-all that would shadow the API's 404s
      wildcard: false,
      index: false,
      dotfiles: 'deny',
      // set below, per file
      cacheControl: false,
      globIgnore: ['index.html'],
      setHeaders(res, path) {
        // Vite names assets by content hash: they never change under the same name
        if (path.startsWith(join(opts.distDir, 'assets'))) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        else res.setHeader('Cache-Control', 'no-cache');
      },
    });
  });
}
