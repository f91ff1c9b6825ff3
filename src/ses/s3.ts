/**
 * Reads the raw message SES stored in S3 (its S3 action: every size, where the SNS action inlines
 * at most 150 KB). `S3Reader` is the boundary: the AWS SDK is imported here only, lazily, on the
 * first large message, so a node that never sees one never loads it. Credentials come from the
 * SDK's default chain (the ECS task role in production); `endpoint` points at an S3-compatible
 * store with path-style addressing (tests use a local one).
 */
import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DomainError } from '../core/errors.js';

export interface S3Reader {
  /**
   * the object's bytes.
   * @throws DomainError message_too_large (over `maxBytes`) | storage_unavailable (S3 could not be read: worth a retry)
   */
  get(bucket: string, key: string, maxBytes: number): Promise<Buffer>;
}

export function createS3Reader(opts: { region?: string | undefined; endpoint?: string | undefined }): S3Reader {
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

  return {
    async get(bucket, key, maxBytes) {
      const { s3, GetObjectCommand: Get } = await load();
      let res;
      try {
        res = await s3.send(new Get({ Bucket: bucket, Key: key }));
      } catch (err) {
        throw new DomainError('storage_unavailable', `s3://${bucket}/${key} could not be read: ${(err as Error).name}`);
      }
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
    },
  };
}

function discard(body: unknown): void {
  const stream = body as { destroy?: () => void } | undefined;
  stream?.destroy?.();
}
