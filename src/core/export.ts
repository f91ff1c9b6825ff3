/**
 * Export: every message of one mailbox, or of all the caller's mailboxes (optionally one group),
 * with its raw bytes, oldest first per mailbox. It is an async iterator so a large export streams:
 * one raw source is held at a time, never the whole mailbox.
 */
import { openMailbox, type Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { listMailboxes } from './mailboxes.js';
import type { Mailbox, MessageSummary } from './types.js';

export interface ExportedMessage {
  address: string;
  summary: MessageSummary;
  /** the verbatim bytes as received. */
  raw: Buffer;
}

/** messages read per store call while walking a mailbox. */
const PAGE = 100;

/** what an export covers: one mailbox by address, or the caller's live mailboxes (one group, or all). */
export type ExportScope = { address: string } | { group?: string | undefined };

/**
 * resolves the scope first (so access errors surface before any byte is sent), then yields.
 * @throws DomainError as openMailbox (one address) or listMailboxes (a group)
 */
export async function exportMessages(deps: CoreDeps, principal: Principal, scope: ExportScope): Promise<AsyncIterable<ExportedMessage>> {
  const mailboxes = 'address' in scope ? [await openMailbox(deps, principal, scope.address)] : await listMailboxes(deps, principal, scope.group);
  return walk(deps, mailboxes);
}

async function* walk(deps: CoreDeps, mailboxes: Mailbox[]): AsyncIterable<ExportedMessage> {
  for (const mailbox of mailboxes) {
    let afterSeq = 0;
    for (;;) {
      const page = await deps.store.listMessages(mailbox.id, { afterSeq, order: 'asc', limit: PAGE });
      for (const summary of page) {
        // a message deleted while the export runs is simply not in it
        const raw = await deps.store.getRawSource(mailbox.id, summary.id);
        if (raw) yield { address: mailbox.address, summary, raw };
      }
      if (page.length < PAGE) break;
      afterSeq = page[page.length - 1]!.seq;
    }
  }
}
