/**
 * `Inboxd`: the client. It holds the server URL and the API key (if any), creates mailboxes and
 * hands out `Mailbox` handles (mailbox.ts), and does the calls that are not about one mailbox:
 * list, delete a group, domains.
 */
import type { WebSocketConstructor } from './events.js';
import { seg, send, sendJson, type Transport } from './http.js';
import { Mailbox, type MailboxContext } from './mailbox.js';
import { Webhooks } from './webhooks.js';
import type { ApiKeyInfo, CreatedApiKey, DeletedGroup, DomainList, ExportFormat, FaultRule, FaultScript, MailboxInfo, SearchResult } from './types.js';

/** where the server is and who the client is. */
export interface InboxdOptions {
  /** the server's URL (default `http://127.0.0.1:8025`); a path prefix is kept. */
  baseUrl?: string;
  /** an API key (`ibx_…`): the mailboxes it creates are its owner's, with a chosen address if wanted. Without one, mailboxes are anonymous and each has its own session token. */
  apiKey?: string;
  /** a fetch implementation (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** a WebSocket class for `Mailbox.events()` (default: the global one, else the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /** extra headers for every HTTP request (e.g. a proxy's credentials). */
  headers?: Record<string, string>;
  /**
   * the longest single long-poll request in seconds (default 60); a longer wait is made of
   * several, so proxies and fetch's own timeouts never cut it. Keep it at or under the server's
   * `INBOXD_WAIT_MAX_TIMEOUT`.
   */
  pollSeconds?: number;
}

/** options of `createMailbox`. */
export interface CreateMailboxOptions {
  /** minutes until the mailbox expires (clamped to the plan; the plan default when omitted). */
  ttlMinutes?: number;
  /** the part before `@` (API key only; 409 address_taken if in use). */
  localPart?: string;
  /** a whole address on one of the server's domains (API key only). */
  address?: string;
  /** one of the receiving domains (see `domains()`); the default domain when omitted. */
  domain?: string;
  /** a label for a test run: list or delete the run's mailboxes together. */
  group?: string;
  /** who the key's owner created it through: 'api' (default) or 'mcp' (an agent's tool). API key only. */
  ownerType?: 'api' | 'mcp';
}

/** options of `listMailboxes`. */
export interface ListMailboxesOptions {
  /** only the mailboxes created with this group label. */
  group?: string;
}

/** options of `mailbox()`. */
export interface MailboxHandleOptions {
  /** the anonymous mailbox's session token (omit when the client has the owner's API key). */
  sessionToken?: string;
}

/** the default server URL: the embedded default of `inboxd serve`. */
/** options of `search`. */
export interface SearchOptions {
  /** at most this many (default 50, at most 200). */
  limit?: number;
  /** skip this many first (paging with `limit`). */
  offset?: number;
  /** search one anonymous mailbox with its session token instead of the API key's mailboxes. */
  sessionToken?: string;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8025';

/**
 * the Inboxd client.
 *
 * @example
 * const inboxd = new Inboxd({ baseUrl: 'http://127.0.0.1:8025' });
 * const mailbox = await inboxd.createMailbox({ ttlMinutes: 10 });
 * const { codes, links } = await mailbox.waitForMessage({ subject: 'Verify' });
 */
export class Inboxd {
  /** the server URL in use, without a trailing slash. */
  readonly baseUrl: string;
  readonly #ctx: MailboxContext;

  /**
   * @param options the server URL, the API key and transport choices; all optional
   */
  constructor(options: InboxdOptions = {}) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('no fetch available: Inboxd needs Node 20 or newer, a browser, or the fetch option');
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    // a bare reference to globalThis.fetch must keep its receiver in some browsers
    const bound: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const transport: Transport = { baseUrl: this.baseUrl, fetch: bound, apiKey: options.apiKey || undefined, headers: { ...options.headers } };
    const pollSeconds = options.pollSeconds ?? 60;
    if (!(pollSeconds > 0)) throw new RangeError('pollSeconds must be greater than 0');
    this.#ctx = { transport, WebSocket: options.WebSocket, pollMs: pollSeconds * 1000 };
  }

  /**
   * creates a mailbox. Anonymous (no API key): the handle keeps the session token, also in
   * `mailbox.sessionToken` to hand to another process.
   *
   * @throws InboxdError invalid_input (bad TTL, unknown domain) | forbidden (a chosen address
   *   without an API key) | address_taken | quota_exceeded | rate_limited | unauthorized (a bad key)
   */
  async createMailbox(options: CreateMailboxOptions = {}): Promise<Mailbox> {
    const body = {
      ttl_minutes: options.ttlMinutes,
      local_part: options.localPart,
      address: options.address,
      domain: options.domain,
      group: options.group,
      owner_type: options.ownerType,
    };
    const info = await sendJson<MailboxInfo>(this.#ctx.transport, 'POST', '/api/v1/mailboxes', { body });
    return new Mailbox(this.#ctx, info.address, info.session_token ?? undefined, info);
  }

  /**
   * a handle on an existing mailbox; makes no request.
   *
   * @param address the mailbox's address
   * @param options its session token when it is anonymous
   */
  mailbox(address: string, options: MailboxHandleOptions = {}): Mailbox {
    return new Mailbox(this.#ctx, address, options.sessionToken || undefined);
  }

  /**
   * the API key owner's live mailboxes, optionally one group's.
   *
   * @throws InboxdError unauthorized (no or bad API key)
   */
  listMailboxes(options: ListMailboxesOptions = {}): Promise<MailboxInfo[]> {
    return sendJson(this.#ctx.transport, 'GET', '/api/v1/mailboxes', { query: { group: options.group } });
  }

  /**
   * deletes every live mailbox of the API key owner created with this group label: one call at
   * the end of a CI run.
   *
   * @param group the label given at create
   * @throws InboxdError unauthorized | forbidden (needs an API key) | invalid_input
   */
  deleteGroup(group: string): Promise<DeletedGroup> {
    return sendJson(this.#ctx.transport, 'DELETE', '/api/v1/mailboxes', { query: { group } });
  }

  /**
   * replaces the fault script of the API key owner's run group: it governs every mailbox created
   * with this group label (after each mailbox's own script), with one use count for the group.
   *
   * @throws InboxdError unauthorized | forbidden (needs an API key) | invalid_input
   */
  setGroupFaults(group: string, rules: FaultRule[]): Promise<FaultScript> {
    return sendJson(this.#ctx.transport, 'PUT', `/api/v1/groups/${seg(group)}/faults`, { body: { rules } });
  }

  /** the group's fault script, with use counts. @throws InboxdError unauthorized | forbidden */
  getGroupFaults(group: string): Promise<FaultScript> {
    return sendJson(this.#ctx.transport, 'GET', `/api/v1/groups/${seg(group)}/faults`);
  }

  /** deletes the group's fault script. @throws InboxdError unauthorized | forbidden */
  async clearGroupFaults(group: string): Promise<void> {
    await send(this.#ctx.transport, 'DELETE', `/api/v1/groups/${seg(group)}/faults`);
  }

  /**
   * the API key owner's keys, revoked ones included (never a key or its hash).
   *
   * @throws InboxdError unauthorized (no or bad API key) | forbidden (a session token)
   */
  listKeys(): Promise<ApiKeyInfo[]> {
    return sendJson(this.#ctx.transport, 'GET', '/api/v1/keys');
  }

  /**
   * creates another API key for the owner of the one in use. `key` in the answer is the only
   * time the key is shown: store it now.
   *
   * @param options a name to tell it apart (default "default")
   * @throws InboxdError unauthorized | forbidden | invalid_input (bad name) | quota_exceeded
   */
  createKey(options: { name?: string } = {}): Promise<CreatedApiKey> {
    return sendJson(this.#ctx.transport, 'POST', '/api/v1/keys', { body: { name: options.name } });
  }

  /**
   * revokes one of the owner's keys (the one in use included): it is refused at once, and the
   * WebSocket/SSE streams and MCP sessions it opened close.
   *
   * @param id the key's id (`listKeys`)
   * @throws InboxdError unauthorized | forbidden | not_found (no such key of this owner)
   */
  revokeKey(id: string): Promise<ApiKeyInfo> {
    return sendJson(this.#ctx.transport, 'DELETE', `/api/v1/keys/${seg(id)}`);
  }

  /**
   * searches every live mailbox the caller may read (the API key owner's; with `sessionToken`,
   * that one mailbox), newest first. The query: free words (subject and text; whole words, or
   * `word*` for words that start with it), "quoted phrases", `from:`, `to:`, `subject:`,
   * `has:attachment`, `is:read`, `is:unread`, `after:` / `before:` (`2026-11-30`, an ISO time,
   * or `30m`, `2h`, `3d`, `1w` back from now), and `-` before a term to negate it. Every term must
   * hold; an empty query lists everything in reach.
   *
   * @example
   * const [hit] = await inboxd.search('from:shop@example.com subject:"your code" after:1h');
   * const message = await inboxd.mailbox(hit!.address).getMessage(hit!.id);
   * @throws InboxdError invalid_query (the answer's `details.position` says where) | invalid_input
   *   (limit, offset) | unauthorized (no or bad credentials)
   */
  search(query: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    return sendJson(this.#ctx.transport, 'GET', '/api/v1/messages', {
      query: { query, limit: options.limit, offset: options.offset },
      sessionToken: options.sessionToken,
    });
  }

  /** the API key owner's outbound webhooks: create, list, get, update, delete, attempts, test, replay. */
  get webhooks(): Webhooks {
    return new Webhooks(this.#ctx.transport);
  }

  /**
   * every message of the caller's live mailboxes (one run group with `group`), oldest first per
   * mailbox: an mbox file (mboxrd), or a zip of one `<address>/<seq>-<id>.eml` per message.
   *
   * @throws InboxdError unauthorized (no or bad credentials) | invalid_input
   */
  async exportMailboxes(options: { group?: string; format?: ExportFormat } = {}): Promise<Uint8Array> {
    const res = await send(this.#ctx.transport, 'GET', '/api/v1/mailboxes/export', { query: { group: options.group, format: options.format ?? 'mbox' } });
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * the receiving domains; the first is the default.
   */
  domains(): Promise<DomainList> {
    return sendJson(this.#ctx.transport, 'GET', '/api/v1/domains');
  }
}

/**
 * the same as `new Inboxd(options)`.
 *
 * @param options the server URL, the API key and transport choices; all optional
 */
export function createClient(options: InboxdOptions = {}): Inboxd {
  return new Inboxd(options);
}
