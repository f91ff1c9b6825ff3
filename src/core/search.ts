/**
 * Search across mailboxes (issue #16 item 3): every live mailbox the caller may read, newest
 * first, paged like the message lists (limit with offset). The query language is parsed in
 * `search-query.ts`; the store compiles it into its full-text index. Access follows
 * `listMailboxes`: an API key reaches its owner's mailboxes, a session token its own one.
 */
import type { Principal } from './auth.js';
import { UNOWNED_CATCH_ALL } from './catch-all.js';
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import { MAX_LIST_LIMIT } from './messages.js';
import { checkOffset } from './paging.js';
import { parseSearchQuery, type SearchQuery } from './search-query.js';
import type { SearchScope } from './store.js';
import type { MessageSummary } from './types.js';

export interface SearchRequest {
  query?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** the mailboxes `principal` may search. */
function scopeOf(deps: CoreDeps, principal: Principal): SearchScope {
  if (principal.kind === 'user') return { ownerId: principal.user.id, ownerTypes: ['api', 'mcp'] };
  if (principal.kind === 'session') return { mailboxId: principal.mailboxId };
  // the laptop rule of listMailboxes: a loopback client in development reads unowned caught mail
  if (principal.local === true && deps.settings.catchAll.openToLoopback) return { ownerId: UNOWNED_CATCH_ALL, ownerTypes: ['anonymous'] };
  throw new DomainError('unauthorized', 'an API key or a session token is required');
}

/**
 * the messages the caller may read that match `query`, newest first, without bodies.
 * @throws DomainError unauthorized | invalid_query | invalid_input (limit, offset) | storage_unavailable
 */
export async function searchMessages(deps: CoreDeps, principal: Principal, req: SearchRequest): Promise<MessageSummary[]> {
  const scope = scopeOf(deps, principal);
  const limit = req.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new DomainError('invalid_input', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const now = deps.clock.now();
  const query: SearchQuery = parseSearchQuery(req.query ?? '', now);
  return deps.store.searchMessages(scope, query, { limit, offset: checkOffset(req.offset) ?? 0 }, now);
}
