/**
 * MCP-native waiting: each mailbox is a resource a client can read and subscribe to.
 * `inbox://{address}` is the mailbox and its message list; `inbox://{address}/latest` is its newest
 * message. `resources/subscribe` listens to the mailbox through `ops.subscribe` (the mailbox's
 * feed, core/feed.ts: in-process on /mcp, through the WebSocket stream over HTTP) and sends `notifications/resources/updated` when
 * mail arrives; unsubscribing, or the session closing, stops listening.
 */
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode as RpcCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { isDomainError } from '../core/errors.js';
import { MCP_HINTS } from './errors.js';
import type { MailOps } from './ops.js';
import { renderMessage, renderSummaries } from './render.js';

const INBOX_URI = /^inbox:\/\/([^/?#]+)(\/latest)?$/;

/** the mailbox address an inbox:// URI names, or null. */
export function addressOf(uri: string): { address: string; latest: boolean } | null {
  const m = INBOX_URI.exec(uri);
  if (!m) return null;
  try {
    return { address: decodeURIComponent(m[1]!).toLowerCase(), latest: m[2] !== undefined };
  } catch {
    return null;
  }
}

/** a DomainError becomes a JSON-RPC error with its code and hint (resources have no isError). */
async function asProtocol<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isDomainError(err)) throw new McpError(RpcCode.InvalidParams, `${err.code}: ${err.message} — ${MCP_HINTS[err.code]}`, { error: err.code });
    throw err;
  }
}

const variable = (v: string | string[] | undefined) => decodeURIComponent(String(Array.isArray(v) ? v[0] : v ?? '')).toLowerCase();

/** registers the inbox resources and the subscribe/unsubscribe handlers; returns the cleanup for session close. */
export function registerInboxResources(server: McpServer, ops: MailOps, onUnexpected: (err: unknown) => void): () => void {
  server.registerResource(
    'mailbox',
    new ResourceTemplate('inbox://{address}', {
      list: async () => ({
        resources: (await ops.listMailboxes()).map((m) => ({
          uri: `inbox://${m.address}`,
          name: m.address,
          description: `${m.message_count} message(s); expires ${m.expires_at}`,
          mimeType: 'text/plain',
        })),
      }),
    }),
    {
      title: 'Mailbox',
      description: 'A mailbox and its messages, newest first (subscribe to be told when mail arrives)',
      mimeType: 'text/plain',
    },
    (uri, vars) =>
      asProtocol(async () => {
        const address = variable(vars.address);
        const mailbox = await ops.getMailbox(address);
        const messages = await ops.getMessages(address, { limit: 50 });
        const head = `Mailbox ${mailbox.address}: ${mailbox.message_count} message(s), last_seq ${mailbox.last_seq}, expires ${mailbox.expires_at}.`;
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: `${head}\n${renderSummaries(mailbox.address, messages)}` }] };
      }),
  );

  server.registerResource(
    'latest-message',
    new ResourceTemplate('inbox://{address}/latest', { list: undefined }),
    {
      title: 'Newest message',
      description: 'The newest message in a mailbox, fenced as untrusted content (subscribe to be told when it changes)',
      mimeType: 'text/plain',
    },
    (uri, vars) =>
      asProtocol(async () => {
        const address = variable(vars.address);
        const [newest] = await ops.getMessages(address, { limit: 1 });
        const text = newest ? renderMessage(address, await ops.readMessage(address, newest.id)).text : `No messages in ${address} yet.`;
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
      }),
  );

  // one listener per subscribed mailbox, shared by its two URIs
  const listening = new Map<string, { uris: Set<string>; stop: Promise<() => void> }>();
  const notify = (address: string) => {
    const entry = listening.get(address);
    if (!entry) return;
    for (const uri of entry.uris) server.server.sendResourceUpdated({ uri }).catch(onUnexpected);
  };

  server.server.setRequestHandler(SubscribeRequestSchema, (request) =>
    asProtocol(async () => {
      const target = addressOf(request.params.uri);
      if (!target) throw new McpError(RpcCode.InvalidParams, `not an Inboxd resource: ${request.params.uri} (expected inbox://{address} or inbox://{address}/latest)`);
      const existing = listening.get(target.address);
      if (existing) {
        existing.uris.add(request.params.uri);
        return {};
      }
      const entry = { uris: new Set([request.params.uri]), stop: ops.subscribe(target.address, () => notify(target.address)) };
      listening.set(target.address, entry);
      try {
        await entry.stop;
      } catch (err) {
        listening.delete(target.address);
        throw err;
      }
      return {};
    }),
  );

  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    const target = addressOf(request.params.uri);
    const entry = target && listening.get(target.address);
    if (entry) {
      entry.uris.delete(request.params.uri);
      if (entry.uris.size === 0) {
        listening.delete(target.address);
        (await entry.stop)();
      }
    }
    return {};
  });

  return () => {
    for (const entry of listening.values()) entry.stop.then((stop) => stop(), () => undefined);
    listening.clear();
  };
}
