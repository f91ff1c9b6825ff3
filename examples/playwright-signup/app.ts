/**
 * The application under test: a tiny sign-up site. Submitting the form emails a verification
 * link (and a code) over SMTP to the address typed in; opening the link shows "verified". It is
 * what a real product would do, shrunk to one file, so the test next to it (signup.ts) has
 * something real to drive. Nothing here knows about Inboxd: it just sends mail to an SMTP server.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';

export interface SignupAppOptions {
  /** where the app sends its mail (an Inboxd SMTP listener in the test). */
  smtp: { host: string; port: number };
  /** the HTTP port to listen on (0 = any free port). */
  port?: number;
}

export interface SignupApp {
  /** the app's origin, e.g. http://127.0.0.1:41234 */
  url: string;
  /** the addresses that opened their verification link. */
  verified: Set<string>;
  close(): Promise<void>;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${body}</body></html>`;

const FORM = page(
  'Sign up',
  `<h1>Create your account</h1>
<form method="post" action="/signup">
  <label>Email <input id="email" name="email" type="email" required autocomplete="email"></label>
  <button id="signup" type="submit">Sign up</button>
</form>`,
);

function readBody(req: IncomingMessage, limit = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limit) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** starts the sign-up app on 127.0.0.1. */
export async function startSignupApp(options: SignupAppOptions): Promise<SignupApp> {
  const pending = new Map<string, string>();
  const verified = new Set<string>();
  const transport = nodemailer.createTransport({ host: options.smtp.host, port: options.smtp.port, secure: false, ignoreTLS: true });
  let origin = '';

  const send = (res: ServerResponse, status: number, html: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, FORM);
      if (req.method === 'POST' && url.pathname === '/signup') {
        const email = (new URLSearchParams(await readBody(req)).get('email') ?? '').trim().toLowerCase();
        if (!/^[^\s@]+@[^\s@]+$/.test(email)) return send(res, 400, page('Sign up', '<p id="status">That is not an email address.</p>'));
        const token = randomBytes(16).toString('hex');
        const code = String(randomInt(100_000, 1_000_000));
        pending.set(token, email);
        const link = `${origin}/verify?token=${token}`;
        try {
          await transport.sendMail({
            from: 'Acme <no-reply@acme.example>',
            to: email,
            subject: 'Confirm your email',
            text: `Welcome to Acme!\n\nConfirm your email by opening ${link}\n\nOr enter the code ${code}.\n`,
            html: `<p>Welcome to Acme!</p><p><a href="${link}">Confirm my email</a></p><p>Or enter the code <b>${code}</b>.</p>`,
          });
        } catch (err) {
          return send(res, 502, page('Sign up', `<p id="status">We could not send the email: ${escape((err as Error).message)}</p>`));
        }
        return send(res, 200, page('Check your inbox', `<p id="status">Check your inbox at ${escape(email)}.</p>`));
      }
      if (req.method === 'GET' && url.pathname === '/verify') {
        const email = pending.get(url.searchParams.get('token') ?? '');
        if (!email) return send(res, 400, page('Verify', '<h1 id="status">invalid link</h1>'));
        pending.delete(url.searchParams.get('token')!);
        verified.add(email);
        return send(res, 200, page('Verified', `<h1 id="status">verified</h1><p>${escape(email)} is confirmed. Welcome!</p>`));
      }
      send(res, 404, page('Not found', '<h1>not found</h1>'));
    })().catch((err: unknown) => send(res, 500, page('Error', escape(String(err)))));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    verified,
    close: () =>
      new Promise<void>((resolve) => {
        transport.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
