// API key management through the SDK against a real Inboxd: list, create (the key in that answer
// only), revoke; the revoked key is refused at once with a typed error.
import { Inboxd, isInboxdError } from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('Inboxd keys', () => {
  it('lists, creates and revokes the owner\'s keys; a revoked key gets unauthorized', async () => {
    const user = await s.userWithKey('pro');
    const inboxd = new Inboxd({ baseUrl: s.url, apiKey: user.key });
    const made = await inboxd.createKey({ name: 'laptop' });
    expect(made).toMatchObject({ name: 'laptop', active: true, key: expect.stringMatching(/^ibx_/) });
    const second = new Inboxd({ baseUrl: s.url, apiKey: made.key });
    const listed = await second.listKeys();
    expect(listed.map((k) => k.name)).toEqual(['test', 'laptop']);
    expect(listed.some((k) => 'key' in k)).toBe(false);
    expect(await inboxd.revokeKey(made.id)).toMatchObject({ id: made.id, active: false });
    const refused = await second.listKeys().catch((err: unknown) => err);
    expect(isInboxdError(refused, 'unauthorized')).toBe(true);
    const missing = await inboxd.revokeKey('no-such-key').catch((err: unknown) => err);
    expect(isInboxdError(missing, 'not_found')).toBe(true);
  });
});
