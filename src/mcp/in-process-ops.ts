/**
 * MailOps in-process, over `core/` with the caller's Principal: the backend of /mcp. Mailboxes it
 * creates are owned by the key's user with owner_type `mcp`. Its sibling `remote-ops.ts` does the
 * same through an Inboxd URL.
 */
import { openMailbox, type Principal } from '../core/auth.js';
import type { CoreDeps } from '../core/context.js';
import { openFeed } from '../core/feed.js';
import { createMailbox, deleteMailbox, listMailboxes } from '../core/mailboxes.js';
import { listMessages, readMessage } from '../core/messages.js';
import { searchMessages } from '../core/search.js';
import { setMailboxFaults } from '../core/faults.js';
import { presentFaultScript } from '../presenters/fault.js';
import { waitForMessages } from '../core/wait.js';
import { presentMailbox } from '../presenters/mailbox.js';
import { presentMessage, presentSearchResult, presentSummary } from '../presenters/message.js';
import type { MailOps } from './ops.js';

/**
 * @param principal read at every call, so a session follows its key (revocation, plan changes).
 * @param clientKey the caller's address key, recorded like REST's.
 */
export function createInProcessOps(deps: CoreDeps, principal: () => Principal, clientKey: () => string): MailOps {
  const now = () => deps.clock.now();
  return {
    async createMailbox(args) {
      const created = await createMailbox(deps, principal(), { ttlMinutes: args.ttlMinutes, localPart: args.localPart, domain: args.domain }, clientKey(), 'mcp');
      return presentMailbox(created.mailbox, now(), created.sessionToken);
    },
    async listMailboxes() {
      return (await listMailboxes(deps, principal())).map((m) => presentMailbox(m, now()));
    },
    async getMailbox(address) {
      return presentMailbox(await openMailbox(deps, principal(), address), now());
    },
    async getMessages(address, args) {
      const { messages } = await listMessages(deps, principal(), address, { limit: args.limit, unread: args.unreadOnly || undefined });
      return messages.map(presentSummary);
    },
    async searchMessages(query, args) {
      return (await searchMessages(deps, principal(), { query, limit: args.limit, offset: args.offset })).map(presentSearchResult);
    },
    async readMessage(address, messageId) {
      return presentMessage(await readMessage(deps, principal(), address, messageId));
    },
    async deleteMailbox(address) {
      await deleteMailbox(deps, principal(), address);
    },
    async waitForMessage(address, args, signal) {
      const outcome = await waitForMessages(
        deps,
        principal(),
        address,
        { from: args.from, subject: args.subject, pattern: args.pattern, afterSeq: args.afterSeq, timeoutMs: Math.round(args.timeoutSeconds * 1000) },
        signal,
      );
      // count is 1 and expectNone is unset, so a found outcome holds exactly one message
      if (outcome.kind !== 'found') throw new Error('unexpected quiet outcome');
      return presentMessage(outcome.messages[0]!);
    },
    async setFaults(address, rules) {
      const set = await setMailboxFaults(deps, principal(), address, { rules });
      return presentFaultScript({ address: set.mailbox.address }, set.rules);
    },
    async subscribe(address, onNewMessage) {
      const mailbox = await openMailbox(deps, principal(), address);
      // the feed, like every reader: a message published while the bus was away still comes
      const feed = await openFeed(deps, mailbox, {
        consumer: 'mcp',
        onEvent: (event) => {
          if (event.event === 'new_message') onNewMessage(event);
        },
        onError: (err) => deps.log.warn({ component: 'mcp', err, address: mailbox.address }, 'resource subscription ended: the store could not be read'),
      });
      return () => feed.close();
    },
  };
}
