/**
 * The process logger: pino, JSON lines on stdout, with credentials redacted wherever they could
 * appear in a structured field.
 */
import { pino } from 'pino';

export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-session-token"]', 'authorization', 'token', 'api_key', 'session_token', 'key'],
      censor: '[redacted]',
    },
  });
}
