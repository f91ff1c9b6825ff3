// The SDK's wire types (sdk/src/types.ts, written by hand: the SDK imports nothing from the
// server) are the server's wire shapes (presenters/, zod). The type assertions are checked by
// `npm run typecheck`; the run-time part reads real answers through the SDK and holds them to the
// zod shapes, strictly (no field the shape does not name).
import {
  type DeletedGroup,
  type DeliveryAttempt,
  type DomainList,
  type FaultScript,
  Inboxd,
  type MailboxInfo,
  type Message,
  type MessageSummary,
  type SearchResult,
  type WebhookAttempt,
  type WebhookInfo,
} from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { DeliveryAttemptJson } from '../../src/presenters/delivery.js';
import type { FaultScriptJson } from '../../src/presenters/fault.js';
import { type DeletedGroupJson, type DomainListJson, mailboxJson, type MailboxJson } from '../../src/presenters/mailbox.js';
import { messageJson, type MessageJson, messageSummaryJson, type MessageSummaryJson, searchResultJson, type SearchResultJson } from '../../src/presenters/message.js';
import { deliveryAttemptJson } from '../../src/presenters/delivery.js';
import type { WebhookAttemptJson, WebhookJson } from '../../src/presenters/webhook.js';
import { startTestServer, type TestServer } from '../support/harness.js';

describe('the SDK speaks the server wire shapes', () => {
  it('has the same types as presenters/ (checked at compile time)', () => {
    expectTypeOf<MailboxInfo>().toEqualTypeOf<MailboxJson>();
    expectTypeOf<MessageSummary>().toEqualTypeOf<MessageSummaryJson>();
    expectTypeOf<Message>().toEqualTypeOf<MessageJson>();
    expectTypeOf<DeliveryAttempt>().toEqualTypeOf<DeliveryAttemptJson>();
    expectTypeOf<DomainList>().toEqualTypeOf<DomainListJson>();
    expectTypeOf<DeletedGroup>().toEqualTypeOf<DeletedGroupJson>();
    expectTypeOf<WebhookInfo>().toEqualTypeOf<WebhookJson>();
    expectTypeOf<WebhookAttempt>().toEqualTypeOf<WebhookAttemptJson>();
    expectTypeOf<SearchResult>().toEqualTypeOf<SearchResultJson>();
    expectTypeOf<FaultScript>().toEqualTypeOf<FaultScriptJson>();
  });

  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('reads answers that match the shapes exactly', async () => {
    const { key } = await server.userWithKey();
    const client = new Inboxd({ baseUrl: server.url, apiKey: key });
    const mailbox = await client.createMailbox({ ttlMinutes: 10 });
    await server.send({ to: mailbox.address, subject: 'Your code is 482913', text: 'hello', attachments: [{ filename: 'a.txt', content: 'x' }] });
    const message = await mailbox.waitForMessage({ timeoutMs: 10_000 });
    const [summary] = await mailbox.listMessages();
    const info = await mailbox.refresh();
    // the timeline is written in batches off the reply path: write what is buffered before reading
    await server.inboxd.timeline.flush();
    const [attempt] = await mailbox.deliveries();
    const [hit] = await client.search('subject:482913');
    expect(messageJson.strict().parse(message)).toEqual(message);
    expect(messageSummaryJson.strict().parse(summary)).toEqual(summary);
    expect(mailboxJson.strict().parse(info)).toEqual(info);
    expect(deliveryAttemptJson.strict().parse(attempt)).toEqual(attempt);
    expect(searchResultJson.strict().parse(hit)).toEqual(hit);
    expect(hit).toMatchObject({ id: message.id, address: mailbox.address });
    expect(message.codes[0]?.value).toBe('482913');
  });
});
