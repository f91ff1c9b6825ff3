/**
 * GET /api/v1/messages?query=…: search every mailbox the caller may read (issue #16 item 3).
 * The language and the rules live in core (`search-query.ts`, `search.ts`); this only reads the
 * parameters and presents the answers.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import { MAX_LIST_LIMIT } from '../../core/messages.js';
import { MAX_QUERY_LENGTH, MAX_QUERY_TERMS } from '../../core/search-query.js';
import { searchMessages } from '../../core/search.js';
import { presentSearchResult } from '../../presenters/message.js';
import { authErrors, listOf } from '../schemas.js';

interface SearchQs {
  query?: string;
  limit?: number;
  offset?: number;
}

export function searchRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get<{ Querystring: SearchQs }>(
    '/api/v1/messages',
    {
      schema: {
        summary: 'Search messages across mailboxes (newest first)',
        description:
          'Every live mailbox the caller may read: an API key searches its owner\'s mailboxes, a session token its own mailbox. ' +
          'The query: free words (subject and text; whole words, case-insensitive; word* for words that start with it), "quoted phrases", ' +
          'from:, to:, subject: (a word or a "phrase"), has:attachment, is:read, is:unread, after: and before: (2026-11-30, ' +
          '2026-11-30T14:00:00Z, or a duration back from now: 30m, 2h, 3d, 1w), and - before any term to negate it; every term must hold. ' +
          'An empty query lists every message in reach. A query that cannot be read answers 400 invalid_query with its position.',
        tags: ['messages'],
        querystring: {
          type: 'object',
          properties: {
            // no maxLength here: a query too long is invalid_query (core), like every other unreadable one
            query: { type: 'string', description: `the search (see above), at most ${MAX_QUERY_LENGTH} characters and ${MAX_QUERY_TERMS} terms; empty or absent: everything in reach` },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, description: 'at most this many (default 50)' },
            offset: { type: 'integer', minimum: 0, description: 'skip this many first (paging with limit)' },
          },
        },
        response: { 200: listOf('SearchResult'), ...authErrors },
      },
    },
    async (request) => {
      const q = request.query;
      const found = await searchMessages(deps, request.principal, { query: q.query, limit: q.limit, offset: q.offset });
      return found.map(presentSearchResult);
    },
  );
}
