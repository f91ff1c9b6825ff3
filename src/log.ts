/**
 * The process logger: pino, JSON lines on stdout (or stderr for commands whose stdout is their
 * output), with credentials redacted wherever they could appear in a structured field.
 */
import { pino } from 'pino';

/** @param fd 1: stdout, the server's log; 2: stderr, for `migrate` and `admin`. */
export function createLogger(level: string, fd: 1 | 2 = 1) {
  const options = {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-session-token"]', 'authorization', 'token', 'api_key', 'session_token', 'key', 'secret'],
      censor: '[redacted]',
    },
  };
  return pino(options, pino.destination({ fd, sync: true }));
}
