/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com): HMAC-SHA256, keyed with
 * the base64 part of the `whsec_…` secret, over `${id}.${timestamp}.${body}`, sent as
 * `webhook-signature: v1,<base64>`. Receivers verify it with any implementation of the scheme.
 */
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';

/** the three headers of one signed request. */
export function signedHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}
