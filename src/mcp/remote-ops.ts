/**
 * MailOps through an Inboxd URL with `@inboxd/sdk`: the backend of `inboxd mcp` (stdio), so an
 * agent's MCP server runs next to the agent and talks to any Inboxd over REST and WebSocket.
 * API errors come back as the same DomainError codes the in-process backend (`in-process-ops.ts`)
 * throws, so the tools answer alike.
 */
import { type FaultRule, Inboxd, isInboxdError } from '@inboxd/sdk';
import type { NewMessageEvent } from '../core/events.js';
import { domainErrorFromApi, UpstreamError } from './errors.js';
import type { MailOps } from './ops.js';

export interface HttpOpsOptions {
  baseUrl: string;
  apiKey: string;
}

/** an SDK failure as the error the tools understand. */
function translate(err: unknown): unknown {
  if (!isInboxdError(err)) return err;
  if (err.code === 'network_error' || err.code === 'unexpected_response') return new UpstreamError(err.code, err.message);
  if (err.code === 'internal_error') return new Error(`Inboxd answered ${err.status}: ${err.message}`);
  return domainErrorFromApi(err.status, { ...err.details, error: err.code, message: err.message });
}

async function via<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw translate(err);
  }
}

export function createRemoteOps(options: HttpOpsOptions): MailOps {
  const client = new Inboxd({ baseUrl: options.baseUrl, apiKey: options.apiKey });
  const box = (address: string) => client.mailbox(address.trim().toLowerCase());
  return {
    createMailbox: (args) =>
      via(async () => {
        const created = await client.createMailbox({ ttlMinutes: args.ttlMinutes, localPart: args.localPart, domain: args.domain, ownerType: 'mcp' });
        return created.info ?? (await created.refresh());
      }),
    listMailboxes: () => via(() => client.listMailboxes()),
    getMailbox: (address) => via(() => box(address).refresh()),
    getMessages: (address, args) => via(() => box(address).listMessages({ limit: args.limit, unread: args.unreadOnly || undefined })),
    searchMessages: (query, args) => via(() => client.search(query, { limit: args.limit, offset: args.offset })),
    readMessage: (address, messageId) => via(() => box(address).getMessage(messageId)),
    deleteMailbox: (address) => via(() => box(address).deleteMailbox()),
    waitForMessage: (address, args, signal) =>
      via(() =>
        box(address).waitForMessage({
          timeoutMs: Math.round(args.timeoutSeconds * 1000),
          from: args.from,
          subject: args.subject,
          pattern: args.pattern,
          afterSeq: args.afterSeq,
          signal,
        }),
      ),
    setFaults: (address, rules) => via(() => box(address).setFaults(rules as FaultRule[])),
    async subscribe(address, onNewMessage) {
      const mailbox = box(address);
      // checks access now (a refusal is the caller's error) and fixes where the stream starts
      const info = await via(() => mailbox.refresh());
      const stop = new AbortController();
      const events = mailbox.events({ since: info.last_seq, signal: stop.signal });
      void (async () => {
        try {
          for await (const ev of events) if (ev.event === 'new_message') onNewMessage(ev as NewMessageEvent);
        } catch {
          // the stream gave up (mailbox gone, key revoked, server away for good): nothing more will come
        }
      })();
      return () => stop.abort();
    },
  };
}

