/**
 * Reads the raw message SES stored in S3 (its S3 action: every size, where the SNS action inlines
 * at most 150 KB). `S3Reader` is the boundary: the AWS SDK is imported here only, lazily, on the
 * first large message, so a node that never sees one never loads it. Credentials come from the
 * SDK's default chain (the ECS task role in production); `endpoint` points at an S3-compatible
 * store with path-style addressing (tests use a local one). A signed notification is not enough
 * to read an object: anyone allowed to publish to the topic can name any bucket and key the task
 * role can read, so only the configured bucket and key prefix are read, each within a total deadline.
 */
import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DomainError } from '../core/errors.js';
import type { S3Settings } from './settings.js';

export interface S3Reader {
  /**
   * the object's bytes.
   * @throws DomainError forbidden (not the allowed bucket and prefix: nothing is requested) | message_too_large (over `maxBytes`) | storage_unavailable (S3 could not be read in time: worth a retry)
   */
  get(bucket: string, key: string, maxBytes: number): Promise<Buffer>;
}

/** why `bucket`/`key` may not be read, or null when it may. */
export function s3ObjectRefusal(bucket: string, key: string, allowed: Pick<S3Settings, 'bucket' | 'keyPrefix'>): string | null {
  if (allowed.bucket === undefined) return 'S3-action mail is not accepted here (INBOXD_SES_S3_BUCKET is not set)';
  if (bucket !== allowed.bucket) return `bucket ${bucket} is not INBOXD_SES_S3_BUCKET`;
  if (!key.startsWith(allowed.keyPrefix) || key.length > 1024) return `the object key is not under INBOXD_SES_S3_KEY_PREFIX`;
  // S3 keys are literal, but a proxy or an endpoint on the way may resolve dot segments
  // eslint-disable-next-line no-control-regex
  if (key.split('/').some((seg) => seg === '.' || seg === '..') || /[\u0000-\u001f\u007f]/.test(key)) return 'the object key has dot segments or control characters';
  return null;
}

export function createS3Reader(opts: S3Settings & { timeoutMs: number }): S3Reader {
  let sdk: Promise<{ s3: S3Client; GetObjectCommand: typeof GetObjectCommand }> | null = null;

  function load() {
    sdk ??= import('@aws-sdk/client-s3').then((m) => ({
      s3: new m.S3Client({
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
        maxAttempts: 2,
      }),
      GetObjectCommand: m.GetObjectCommand,
    }));
    return sdk;
  }

  async function read(sdk: Awaited<ReturnType<typeof load>>, bucket: string, key: string, maxBytes: number, abort: AbortController, hold: { body?: unknown }): Promise<Buffer> {
    const { s3, GetObjectCommand: Get } = sdk;
    let res;
    try {
      res = await s3.send(new Get({ Bucket: bucket, Key: key }), { abortSignal: abort.signal });
    } catch (err) {
      throw new DomainError('storage_unavailable', `s3://${bucket}/${key} could not be read: ${(err as Error).name}`);
    }
    hold.body = res.Body;
    if (abort.signal.aborted) discard(res.Body);
    if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
      discard(res.Body);
      throw new DomainError('message_too_large', `the message is ${res.ContentLength} bytes; the limit is ${maxBytes}`);
    }
    const body = res.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body || typeof body[Symbol.asyncIterator] !== 'function') throw new DomainError('storage_unavailable', `s3://${bucket}/${key} has no body`);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxBytes) {
          discard(body);
          throw new DomainError('message_too_large', `the message is over the limit of ${maxBytes} bytes`);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError('storage_unavailable', `s3://${bucket}/${key} could not be read to the end`);
    }
    return Buffer.concat(chunks);
  }

  return {
    async get(bucket, key, maxBytes) {
      const refusal = s3ObjectRefusal(bucket, key, opts);
      if (refusal) throw new DomainError('forbidden', refusal);
      // loading the SDK (once, slow on a cold node) is not the peer's time: the deadline starts after
      const loaded = await load();
      const abort = new AbortController();
      const hold: { body?: unknown } = {};
      let timer: NodeJS.Timeout | undefined;
      // a total deadline over request and body: the SDK's own timeouts are per socket read, so an
      // endpoint that trickles bytes would otherwise hold the webhook request for ever
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          discard(hold.body);
          reject(new DomainError('storage_unavailable', `s3://${bucket}/${key} was not read within ${opts.timeoutMs} ms`));
        }, opts.timeoutMs);
      });
      try {
        return await Promise.race([read(loaded, bucket, key, maxBytes, abort, hold), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function discard(body: unknown): void {
  const stream = body as { destroy?: () => void } | undefined;
  stream?.destroy?.();
}
