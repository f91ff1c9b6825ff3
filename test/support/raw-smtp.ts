/**
 * A minimal line-level SMTP client over a plain socket, for tests that must send what a real
 * client library refuses to (bare LF, NULs, dripping bytes, disconnecting mid-DATA).
 */
import { connect, type Socket } from 'node:net';

export interface RawSmtp {
  socket: Socket;
  /** the next complete reply (multi-line replies joined by \n). */
  reply(timeoutMs?: number): Promise<string>;
  /** writes a command line (CRLF added) and returns its reply. */
  cmd(line: string): Promise<string>;
  write(data: string | Buffer): void;
  close(): void;
  closed: Promise<void>;
}

export function rawSmtp(port: number, host = '127.0.0.1'): Promise<RawSmtp> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let buf = '';
    const replies: string[] = [];
    const waiters: ((r: string) => void)[] = [];
    let current: string[] = [];
    const closed = new Promise<void>((res) => socket.once('close', () => res()));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        current.push(line);
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
          const r = current.join('\n');
          current = [];
          const w = waiters.shift();
          if (w) w(r);
          else replies.push(r);
        }
      }
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      const client: RawSmtp = {
        socket,
        closed,
        reply(timeoutMs = 10_000) {
          const r = replies.shift();
          if (r !== undefined) return Promise.resolve(r);
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('no SMTP reply in time')), timeoutMs);
            const done = (x: string) => {
              clearTimeout(t);
              res(x);
            };
            waiters.push(done);
            socket.once('close', () => {
              clearTimeout(t);
              rej(new Error('connection closed'));
            });
          });
        },
        cmd(line) {
          socket.write(line + '\r\n');
          return client.reply();
        },
        write(data) {
          socket.write(data);
        },
        close() {
          socket.destroy();
        },
      };
      resolve(client);
    });
  });
}
