/**
 * A lean SMTP sender over one reused plain socket, for load: the fault tests (16 connections
 * ingesting while the server is SIGKILLed) and the benchmarks (thousands of messages per second
 * from one core, where nodemailer's per-message overhead would measure the client, not the
 * server). MAIL, RCPT and DATA go out in one write (PIPELINING, RFC 2920 §3.1: DATA ends the
 * group), then the body after the 354: two round trips per message, as a real MTA does.
 */
import { connect, type Socket } from 'node:net';

export interface SendResult {
  /** the final reply code: 250 when stored; a RCPT or DATA refusal code otherwise. */
  code: number;
  reply: string;
  /** milliseconds from writing the final "." to reading the final reply (NaN when no DATA). */
  ackMs: number;
  /** performance.now() when the final "." was written (NaN when no DATA). */
  dotAt: number;
}

export interface SmtpSender {
  /** milliseconds from starting the TCP connect to the 220 greeting. */
  greetingMs: number;
  /** sends one message; `body` is the RFC 5322 message, CRLF line ends, ending with CRLF. */
  send(from: string, to: string[], body: Buffer): Promise<SendResult>;
  quit(): Promise<void>;
  /** drops the connection without QUIT. */
  destroy(): void;
  socket: Socket;
}

/** dot-stuffing (RFC 5321 §4.5.2), only when needed: generated bodies rarely need it. */
function stuff(body: Buffer): Buffer {
  if (body[0] !== 0x2e && body.indexOf('\n.') < 0) return body;
  return Buffer.from(body.toString('latin1').replace(/^\./, '..').replace(/\n\./g, '\n..'), 'latin1');
}

const DOT = Buffer.from('.\r\n');

/** connects, waits for the greeting and says EHLO. Rejects when the server is not there. */
export function openSender(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<SmtpSender> {
  const started = performance.now();
  const socket = connect(port, host);
  socket.setNoDelay(true);
  let buf = '';
  let current: string[] = [];
  const waiters: { resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  const early: string[] = [];
  let failure: Error | null = null;

  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiters.splice(0)) w.reject(failure);
  };
  socket.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      current.push(line);
      if (line.length === 3 || line[3] === ' ') {
        const r = current.join('\n');
        current = [];
        const w = waiters.shift();
        if (w) w.resolve(r);
        else early.push(r);
      }
    }
  });
  socket.on('error', (err) => fail(err));
  socket.on('close', () => fail(new Error('connection closed')));

  const reply = (): Promise<string> => {
    const r = early.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
  const code = (r: string) => Number(r.slice(0, 3));

  return new Promise<SmtpSender>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no SMTP greeting in time'));
    }, timeoutMs);
    (async () => {
      const greeting = await reply();
      const greetingMs = performance.now() - started;
      if (code(greeting) !== 220) throw new Error(`greeting: ${greeting}`);
      socket.write('EHLO load.example\r\n');
      const ehlo = await reply();
      if (code(ehlo) !== 250) throw new Error(`EHLO: ${ehlo}`);
      const sender: SmtpSender = {
        greetingMs,
        socket,
        async send(from, to, body) {
          socket.write(`MAIL FROM:<${from}>\r\n${to.map((t) => `RCPT TO:<${t}>\r\n`).join('')}DATA\r\n`);
          const envelope: string[] = [];
          for (let i = 0; i < to.length + 2; i++) envelope.push(await reply());
          const data = envelope[envelope.length - 1]!;
          if (code(data) !== 354) {
            const refused = envelope.find((r) => code(r) >= 400) ?? data;
            return { code: code(refused), reply: refused, ackMs: NaN, dotAt: NaN };
          }
          socket.write(stuff(body));
          const t0 = performance.now();
          socket.write(DOT);
          const final = await reply();
          return { code: code(final), reply: final, ackMs: performance.now() - t0, dotAt: t0 };
        },
        async quit() {
          if (socket.destroyed) return;
          socket.write('QUIT\r\n');
          await reply().catch(() => undefined);
          socket.destroy();
        },
        destroy() {
          socket.destroy();
        },
      };
      return sender;
    })().then(
      (s) => {
        clearTimeout(timer);
        resolve(s);
      },
      (err: unknown) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** a message of about `size` bytes, unique by `id` (in Subject and X-Load-Id), CRLF throughout. */
export function makeMessage(id: string, to: string, size: number): Buffer {
  const head =
    `From: load@example.com\r\nTo: ${to}\r\nSubject: load ${id}\r\nX-Load-Id: ${id}\r\n` +
    `Message-ID: <${id}@load.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Your code is ${String(100000 + (Number.parseInt(id.replace(/\D/g, '').slice(-6) || '0', 10) % 900000))}.\r\n`;
  const line = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt\r\n';
  let body = head;
  while (body.length + line.length <= size) body += line;
  return Buffer.from(body, 'utf8');
}
