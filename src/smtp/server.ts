/**
 * The SMTP edge: smtp-server hooks → core/delivery. It judges recipients at RCPT, collects DATA
 * within the size limit and answers 250 only after delivery() has committed. Every limit of
 * DESIGN "Limits and hardening" is set here, never left at the library's default.
 * Not here: MIME, storage, events (core/delivery) or the error table (replies.ts).
 */
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { type Clock, systemClock } from '../core/clock.js';
import type { Delivery, Recipient } from '../core/delivery.js';
import { clientKey, isLoopback } from '../core/client-key.js';
import { isDomainError } from '../core/errors.js';
import { isScriptedFault, type ScriptedFault } from '../core/faults.js';
import { GuessThrottle, type GuessThrottleSettings } from '../core/guess-throttle.js';
import type { Metrics } from '../core/metrics.js';
import type { Logger } from '../core/log.js';
import { type GuardedConnection, guardConnection } from './connection-guards.js';
import { attemptReply, smtpError } from './replies.js';
import { RateLimiter } from '../core/rate-limit.js';
import type { User } from '../core/types.js';
import { acceptRepeatedParams } from './params.js';
import { DataBuffer } from './data-buffer.js';

export interface SmtpSettings {
  hostname: string;
  maxMessageBytes: number;
  maxRecipients: number;
  maxClients: number;
  maxClientsPerIp: number;
  idleTimeoutMs: number;
  sessionTimeoutMs: number;
  greetingDelayMs: number;
  /** PEM key and certificate: STARTTLS is offered only when both are set. */
  tls?: { key: Buffer; cert: Buffer } | undefined;
  /** SMTP AUTH: off, any (any user and password) or keys (the password is an API key). */
  auth: 'off' | 'any' | 'keys';
  /** refuse MAIL from a session that did not authenticate. */
  authRequired: boolean;
  /** failed AUTH attempts per client address per minute before 421. */
  authFailuresPerMinute: number;
  /** message bytes all sessions together may hold; past it, 451 4.3.0 (server_busy). */
  maxBufferedBytes: number;
  /** the recipient-guessing throttle (core/guess-throttle.ts) and the delay of a slowed refusal. */
  guess: GuessThrottleSettings & { delayMs: number; exemptLoopback: boolean };
}

export interface SmtpDeps {
  delivery: Delivery;
  log: Logger;
  settings: SmtpSettings;
  /** the active API key's owner, or null (core/auth); needed when settings.auth is not off. */
  userForKey?: (secret: string) => Promise<User | null>;
  clock?: Clock;
  metrics?: Metrics;
}

/** what a successful AUTH leaves on the session: the name given and, with a key, its owner. */
interface SessionUser {
  username: string;
  owner: User | null;
}

export interface SmtpHandle {
  listen(port: number, host: string): Promise<{ port: number }>;
  /** the implicit-TLS listener (SMTPS, usually 465); needs settings.tls. */
  listenSecure(port: number, host: string): Promise<{ port: number }>;
  /** stops accepting, lets sessions in flight finish (up to the close timeout) and resolves. */
  close(): Promise<void>;
  /** connections open right now. */
  connections(): number;
}

type Connection = { connectionReady(next?: () => void): void; _closing?: boolean; _closed?: boolean };

/**
 * smtp-server holds every greeting for a hard-coded 100 ms to catch early talkers, which caps a
 * connection-per-message client at ~10 msg/s. We take that decision back: the library's own
 * timer is ignored and our timer, `greetingDelayMs` long, greets. If a future version drops
 * `connectionReady`, the library's delay stays and test/smtp/greeting.test.ts fails to say so.
 */
class InboxdSmtpServer extends SMTPServer {
  greetingDelayMs = 0;

  override connect(socket: Socket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
    super.connect(socket, socketOptions);
    const conn = [...this.connections].at(-1) as unknown as Connection | undefined;
    if (conn) guardConnection(conn as unknown as GuardedConnection);
    if (!conn || typeof conn.connectionReady !== 'function') return;
    const ready = conn.connectionReady.bind(conn);
    let greeted = false;
    conn.connectionReady = () => undefined;
    acceptRepeatedParams(conn);
    const timer = setTimeout(() => {
      if (greeted || conn._closing || conn._closed) return;
      greeted = true;
      ready();
    }, this.greetingDelayMs);
    timer.unref();
  }
}

export function createSmtpServer(deps: SmtpDeps): SmtpHandle {
  const { delivery, settings } = deps;
  const log = deps.log.child({ component: 'smtp' });
  // recipients judged at RCPT, keyed by the transaction's envelope object: smtp-server makes a new
  // envelope on RSET and on every new transaction, so an abandoned one is simply garbage-collected
  const accepted = new WeakMap<object, Recipient[]>();
  const perIp = new Map<string, number>();
  const counted = new WeakSet<SMTPServerSession>();
  const authFailures = new RateLimiter(settings.authFailuresPerMinute, deps.clock ?? systemClock);
  const authOn = settings.auth !== 'off';
  const guesses = new GuessThrottle(settings.guess, deps.clock ?? systemClock);
  const guarded = (ip: string) => settings.guess.limit > 0 && !(settings.guess.exemptLoopback && isLoopback(ip));
  // bytes of DATA held by every session together (#14 item 8): concurrent large messages must
  // not take the process out of memory, so a message that would pass the bound is refused
  let buffered = 0;
  const metrics = deps.metrics;
  metrics?.counter('inboxd_smtp_recipient_guessing_total', 'unknown-recipient refusals slowed, and RCPTs refused while a client is blocked, by action');
  metrics?.gauge('inboxd_smtp_clients_throttled', 'clients answered 421 4.7.0 for recipient guessing right now', () => guesses.blocked());
  metrics?.gauge('inboxd_smtp_buffered_bytes', 'message bytes held in memory by SMTP sessions right now', () => buffered);
  const disabledCommands = [...(authOn ? [] : ['AUTH']), ...(settings.tls ? [] : ['STARTTLS'])];

  const options: SMTPServerOptions = {
    name: settings.hostname,
    banner: 'Inboxd ESMTP',
    size: settings.maxMessageBytes,
    maxClients: settings.maxClients,
    socketTimeout: settings.idleTimeoutMs,
    closeTimeout: 5_000,
    disableReverseLookup: true,
    // AUTH is offered for apps configured with SMTP credentials (#13.2) and required only by
    // setting (checked at MAIL, so the answer is ours); STARTTLS only with a configured
    // certificate, never with the library's built-in one (its private key is public)
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    // the TLS rule is ours (onAuth): plain-text AUTH is fine on loopback, refused from elsewhere
    allowInsecureAuth: true,
    disabledCommands,
    hideSTARTTLS: !settings.tls,
    ...(settings.tls ? { key: settings.tls.key, cert: settings.tls.cert } : {}),
    useProxy: false,
    useXClient: false,
    useXForward: false,
    logger: false,
    onConnect(session, callback) {
      const ip = session.remoteAddress;
      const n = perIp.get(ip) ?? 0;
      if (n >= settings.maxClientsPerIp) {
        const err = smtpError('rate_limited');
        return callback(err);
      }
      perIp.set(ip, n + 1);
      counted.add(session);
      callback();
    },
    onClose(session) {
      if (!counted.has(session)) return;
      counted.delete(session);
      const n = (perIp.get(session.remoteAddress) ?? 1) - 1;
      if (n <= 0) perIp.delete(session.remoteAddress);
      else perIp.set(session.remoteAddress, n);
    },
    onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, callback) {
      const ip = session.remoteAddress;
      if (authFailures.blocked(ip)) return callback(smtpError('auth_throttled'));
      if (!session.secure && !isLoopback(ip)) return callback(smtpError('encryption_required'));
      const password = auth.password ?? '';
      const lookup = deps.userForKey ? deps.userForKey(password) : Promise.resolve(null);
      lookup.then(
        (owner) => {
          if (owner || settings.auth === 'any') return callback(null, { user: { username: auth.username ?? '', owner } satisfies SessionUser });
          try {
            authFailures.take(ip);
          } catch {
            return callback(smtpError('auth_throttled'));
          }
          callback(smtpError('auth_failed'));
        },
        (err: unknown) => callback(replyFor(err, 'auth')),
      );
    },
    onMailFrom(_address, session, callback) {
      if (settings.authRequired && !session.user) return callback(smtpError('auth_required'));
      callback();
    },
    onRcptTo(address, session, callback) {
      const envelope = session.envelope;
      const list = accepted.get(envelope) ?? [];
      if (list.length >= settings.maxRecipients) return callback(smtpError('too_many_recipients'));
      const declared = declaredSize(session);
      const ctx = {
        source: 'smtp' as const,
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
        remoteAddress: session.remoteAddress,
        replyFor: attemptReply,
        sessionUser: (session.user as SessionUser | undefined)?.owner ?? null,
      };
      const client = guarded(session.remoteAddress) ? clientKey(session.remoteAddress) : null;
      if (client !== null && guesses.state(client) === 'blocked') {
        metrics?.inc('inboxd_smtp_recipient_guessing_total', { action: 'refused' });
        // timelined when the address has a mailbox, so its owner sees why mail did not come
        void delivery.refuseRecipient(address.address, 'too_many_unknown_recipients', ctx).finally(() => callback(smtpError('too_many_unknown_recipients')));
        return;
      }
      delivery.resolveRecipient(address.address, declared || undefined, ctx).then(
        (recipient) => {
          // one copy per mailbox: name+a@ and name+b@ in one message reach one mailbox once
          if (!list.some((r) => r.mailbox.id === recipient.mailbox.id)) list.push(recipient);
          accepted.set(envelope, list);
          callback();
        },
        (err: unknown) => {
          if (isScriptedFault(err)) return answerFault(err, session, callback);
          const reply = replyFor(err, 'rcpt');
          if (client === null || !isDomainError(err, 'mailbox_not_found') || guesses.strike(client) === 'ok' || settings.guess.delayMs === 0) return callback(reply);
          metrics?.inc('inboxd_smtp_recipient_guessing_total', { action: 'slowed' });
          setTimeout(() => callback(reply), settings.guess.delayMs).unref();
        },
      );
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const startedAt = Date.now();
      // the message streams into shared memory as it arrives (data-buffer.ts): held once
      const data = new DataBuffer(Math.min(settings.maxMessageBytes, settings.maxBufferedBytes), declaredSize(session));
      let size = 0;
      let held = 0;
      let busy = false;
      const release = () => {
        buffered -= held;
        held = 0;
      };
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // past a limit we keep reading (draining) so the client gets its answer, but keep nothing
        if (busy) return;
        if (size > settings.maxMessageBytes) {
          data.drop();
          return release();
        }
        if (buffered + chunk.length > settings.maxBufferedBytes) {
          busy = true;
          data.drop();
          return release();
        }
        buffered += chunk.length;
        held += chunk.length;
        data.append(chunk);
      });
      let ended = false;
      // a client gone mid-DATA leaves no 'end'; its bytes are released all the same
      stream.once('close', () => {
        if (ended) return;
        data.drop();
        release();
      });
      stream.on('end', () => {
        ended = true;
        const recipients = accepted.get(session.envelope) ?? [];
        accepted.delete(session.envelope);
        const mailFrom = session.envelope.mailFrom;
        const meta = { source: 'smtp' as const, envelopeFrom: mailFrom ? mailFrom.address || null : null, remoteAddress: session.remoteAddress, replyFor: attemptReply, startedAt };
        if (stream.sizeExceeded || size > settings.maxMessageBytes) {
          data.drop();
          release();
          delivery.refuse(recipients, 'message_too_large', { ...meta, size });
          return callback(smtpError('message_too_large'));
        }
        if (busy) {
          delivery.refuse(recipients, 'server_busy', { ...meta, size });
          return callback(smtpError('server_busy'));
        }
        // memory the parser worker reads in place and the store binds as it is: no copy to hand over
        const raw = data.take();
        delivery
          .deliver(raw, recipients, meta)
          .finally(release)
          .then(
            // Postfix and Mailpit name the stored ids, so a sender's log leads to the message
            (stored) => callback(null, queuedAs(stored.map((m) => m.id))),
            (err: unknown) => (isScriptedFault(err) ? answerFault(err, session, callback) : callback(replyFor(err, 'data'))),
          );
      });
    },
  };

  function makeServer(secure: boolean): InboxdSmtpServer {
    const s = new InboxdSmtpServer({ ...options, secure });
    s.greetingDelayMs = settings.greetingDelayMs;
    s.on('error', (err) => log.warn({ err }, 'smtp connection error'));
    // an absolute deadline per session: the idle timeout alone lets a client that drips one byte
    // at a time hold a connection forever
    s.server.on('connection', (socket: Socket) => {
      const deadline = setTimeout(() => {
        if (!socket.destroyed) socket.end('421 4.4.2 Session time limit exceeded\r\n', () => socket.destroy());
        setTimeout(() => socket.destroy(), 1_000).unref();
      }, settings.sessionTimeoutMs);
      deadline.unref();
      socket.once('close', () => clearTimeout(deadline));
    });
    return s;
  }

  const server = makeServer(false);
  let secureServer: InboxdSmtpServer | null = null;

  /**
   * a fault script's answer: its reply as written, or the connection closed with no reply (the
   * sender sees what a crashed or cut-off server looks like); the callback is then never called.
   */
  function answerFault(fault: ScriptedFault, session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    if (fault.code !== null) return callback(Object.assign(new Error(fault.text), { responseCode: fault.code }));
    for (const s of [server, secureServer]) {
      for (const conn of s?.connections ?? []) {
        const c = conn as unknown as { id?: string; close(): void };
        if (c.id === session.id) return c.close();
      }
    }
  }

  function replyFor(err: unknown, stage: string): Error {
    if (isDomainError(err)) return smtpError(err.code);
    log.error({ err, stage }, 'unexpected error; answering 451 so the sender retries');
    return smtpError('storage_unavailable');
  }

  function listenOn(s: InboxdSmtpServer, port: number, host: string): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, host, () => {
        s.server.off('error', reject);
        const addr = s.server.address();
        resolve({ port: typeof addr === 'object' && addr ? addr.port : port });
      });
    });
  }

  return {
    listen(port, host) {
      return listenOn(server, port, host);
    },
    listenSecure(port, host) {
      if (!settings.tls) return Promise.reject(new Error('implicit TLS needs a configured certificate (INBOXD_SMTP_TLS_KEY, INBOXD_SMTP_TLS_CERT)'));
      secureServer ??= makeServer(true);
      return listenOn(secureServer, port, host);
    },
    async close() {
      await Promise.all([server, secureServer].map((s) => (s ? new Promise<void>((resolve) => s.close(() => resolve())) : undefined)));
    },
    connections() {
      return server.connections.size + (secureServer?.connections.size ?? 0);
    },
  };
}

/** the SIZE= a client declared on MAIL FROM (RFC 1870), or 0. */
function declaredSize(session: SMTPServerSession): number {
  const args = session.envelope.mailFrom ? (session.envelope.mailFrom.args as Record<string, string> | false | undefined) : undefined;
  const n = Number((args && args.SIZE) || 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** `2.0.0 Ok: queued as <id>[, <id>…]`: the reply after DATA names what was stored. */
export function queuedAs(ids: string[]): string {
  return `2.0.0 Ok: queued as ${ids.join(', ')}`;
}
