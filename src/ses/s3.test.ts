import { describe, expect, it } from 'vitest';
import { s3ObjectRefusal } from './s3.js';

describe('s3ObjectRefusal', () => {
  const allowed = { bucket: 'inboxd-mail', keyPrefix: 'inbound/' };

  it('allows keys under the prefix in the configured bucket', () => {
    expect(s3ObjectRefusal('inboxd-mail', 'inbound/abc123', allowed)).toBeNull();
    expect(s3ObjectRefusal('inboxd-mail', 'anything', { ...allowed, keyPrefix: '' })).toBeNull();
  });

  it('refuses every object when no bucket is configured (the default)', () => {
    expect(s3ObjectRefusal('inboxd-mail', 'inbound/abc', { bucket: undefined, keyPrefix: '' })).toMatch(/INBOXD_SES_S3_BUCKET is not set/);
  });

  it('refuses another bucket, another prefix, dot segments and control characters', () => {
    for (const [bucket, key] of [
      ['other', 'inbound/a'],
      ['inboxd-mail2', 'inbound/a'],
      ['inboxd-mail', 'outbound/a'],
      ['inboxd-mail', 'inbound'],
      ['inboxd-mail', 'inbound/../secret'],
      ['inboxd-mail', 'inbound/./a'],
      ['inboxd-mail', 'inbound/a\nb'],
      ['inboxd-mail', `inbound/${'a'.repeat(1100)}`],
    ] as const) {
      expect(s3ObjectRefusal(bucket, key, allowed), `${bucket}/${key}`).not.toBeNull();
    }
  });
});
