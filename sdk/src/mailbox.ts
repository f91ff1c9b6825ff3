/**
 * `Mailbox`: a handle on one address that remembers its credential (an anonymous mailbox's
 * session token, or the client's API key) and offers everything a test does with it: wait, read,
 * list, raw source, attachments, extend, delete, the delivery timeline and the event stream.
 * The client that makes handles is client.ts.
 */
import { InboxdError, isInboxdError } from './errors.js';
import { type EventsOptions, streamEvents, type WebSocketConstructor } from './events.js';
import { type RequestOptions, seg, send, sendJson, type Transport } from './http.js';
import type { Attachment, DeliveryAttempt, ExportFormat, FaultRule, FaultScript, MailboxEvent, MailboxInfo, Message, MessageSummary } from './types.js';

/** which messages a wait or a list considers. Text filters are case-insensitive "contains". */
export interface MessageFilters {
  /** the sender's address or name contains this. */
  from?: string;
  /** the subject contains this. */
  subject?: string;
  /** the text or HTML body contains this (waits only). */
  body?: string;
  /** an RE2 regular expression over the subject and text body (waits only; linear time on the server). */
  pattern?: string;
  /** only messages with a greater seq: pass a mailbox's `last_seq` or a previous message's `seq` to ignore older mail. */
  afterSeq?: number;
}

/** options of `waitForMessage` and `waitForMessages`. */
export interface WaitOptions extends MessageFilters {
  /** give up after this many ms with an `InboxdError` `wait_timeout` (default 30 000). */
  timeoutMs?: number;
  /** abort the wait (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** options of `expectNoMessage`. */
export interface ExpectNoMessageOptions extends MessageFilters {
  /** how long nothing matching must arrive, in ms. */
  withinMs: number;
  /** abort the wait (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** options of `listMessages`. */
export interface ListMessagesOptions {
  /** only messages with a greater seq. */
  afterSeq?: number;
  /** at most this many (the server caps it). */
  limit?: number;
  /** only unread messages. */
  unread?: boolean;
  /** the sender contains this (case-insensitive). */
  from?: string;
  /** the subject contains this (case-insensitive). */
  subject?: string;
  /** newest first (`desc`, the default) or oldest first (`asc`). */
  order?: 'asc' | 'desc';
}

/** what a mailbox handle shares with its client. */
export interface MailboxContext {
  transport: Transport;
  WebSocket: WebSocketConstructor | undefined;
  /** the longest single long-poll request, in ms; longer waits are several requests. */
  pollMs: number;
}

const DEFAULT_WAIT_MS = 30_000;
/** how much longer than the server's own timeout the client waits for its answer. */
const ANSWER_GRACE_MS = 15_000;

/**
 * a handle on one mailbox. Get one from `Inboxd.createMailbox()` or, for an existing address,
 * `Inboxd.mailbox(address, { sessionToken })`.
 *
 * @example
 * const mailbox = await inboxd.createMailbox({ ttlMinutes: 10 });
 * const message = await mailbox.waitForMessage({ subject: 'Verify' });
 * console.log(message.codes[0]?.value, message.links[0]?.url);
 */
export class Mailbox {
  /** the address, e.g. `brave-otter-1234@inboxd.test`. */
  readonly address: string;
  /** the session token of an anonymous mailbox (undefined when the client's API key is used). */
  readonly sessionToken: string | undefined;
  /** the mailbox as last seen from the server (after create, `refresh()` or `extend()`). */
  info: MailboxInfo | undefined;
  readonly #ctx: MailboxContext;

  /**
   * @param ctx the client's transport (use `Inboxd.mailbox()` rather than this constructor)
   * @param address the mailbox's address
   * @param sessionToken the anonymous mailbox's session token, if any
   * @param info what the server said about it, if known
   */
  constructor(ctx: MailboxContext, address: string, sessionToken?: string, info?: MailboxInfo) {
    this.#ctx = ctx;
    this.address = address;
    this.sessionToken = sessionToken;
    this.info = info;
  }

  /** when the mailbox expires, as last seen (undefined before the first answer). */
  get expiresAt(): Date | undefined {
    return this.info ? new Date(this.info.expires_at) : undefined;
  }

  /** `address`, so a handle can be used where a string is expected (e.g. a form fill). */
  toString(): string {
    return this.address;
  }

  /**
   * fetches the mailbox (expiry, `last_seq`, message count) and stores it in `info`.
   *
   * @throws InboxdError unauthorized | forbidden | mailbox_not_found | mailbox_expired
   */
  async refresh(): Promise<MailboxInfo> {
    this.info = await this.#json<MailboxInfo>('GET', '');
    return this.info;
  }

  /**
   * lists messages (summaries, without bodies), newest first unless `order: 'asc'`.
   *
   * @throws InboxdError unauthorized | forbidden | mailbox_not_found | mailbox_expired | invalid_input
   */
  listMessages(o: ListMessagesOptions = {}): Promise<MessageSummary[]> {
    return this.#json('GET', '/messages', {
      query: { after_seq: o.afterSeq, limit: o.limit, unread: o.unread, from: o.from, subject: o.subject, order: o.order },
    });
  }

  /**
   * reads one whole message (bodies, headers, attachments, codes, links) and marks it read.
   *
   * @param id the message id
   * @throws InboxdError message_not_found, and as `refresh()`
   */
  getMessage(id: string): Promise<Message> {
    return this.#json('GET', `/messages/${seg(id)}`);
  }

  /**
   * deletes one message.
   *
   * @param id the message id
   * @throws InboxdError message_not_found, and as `refresh()`
   */
  async deleteMessage(id: string): Promise<void> {
    await this.#send('DELETE', `/messages/${seg(id)}`);
  }

  /**
   * the message's source exactly as received (RFC 5322 bytes, an `.eml` file).
   *
   * @param id the message id
   * @throws InboxdError message_not_found, and as `refresh()`
   */
  async raw(id: string): Promise<Uint8Array> {
    const res = await this.#send('GET', `/messages/${seg(id)}/raw`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * every message of this mailbox, oldest first: an mbox file (mboxrd), or a zip of one
   * `<address>/<seq>-<id>.eml` per message, byte-exact.
   *
   * @throws InboxdError as `refresh()`
   */
  async export(format: ExportFormat = 'mbox'): Promise<Uint8Array> {
    const res = await this.#send('GET', '/export', { query: { format } });
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * one attachment's bytes, with its file name and type.
   *
   * @param id the message id
   * @param index the attachment's `index` in `message.attachments`
   * @throws InboxdError message_not_found (also for an index past the last), and as `refresh()`
   */
  async attachment(id: string, index: number): Promise<Attachment> {
    const res = await this.#send('GET', `/messages/${seg(id)}/attachments/${seg(index)}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const contentType = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
    return { filename: filenameFrom(res.headers.get('content-disposition')), contentType, bytes };
  }

  /**
   * waits until a message matching the filters is there and returns it (at once if one already
   * is). Nothing is missed between the create and the wait: the server checks stored mail first.
   *
   * @throws InboxdError wait_timeout when nothing matched within `timeoutMs`; mailbox_expired
   *   (410, also when the mailbox was deleted while waiting), invalid_input (bad pattern), and as `refresh()`
   */
  async waitForMessage(o: WaitOptions = {}): Promise<Message> {
    const [message] = await this.#wait(1, o);
    return message!;
  }

  /**
   * waits until `count` messages match the filters and returns them, oldest first.
   *
   * @param count how many (1-100)
   * @throws InboxdError as `waitForMessage`
   */
  waitForMessages(count: number, o: WaitOptions = {}): Promise<Message[]> {
    return this.#wait(count, o);
  }

  /**
   * resolves when no message matching the filters arrives within `withinMs`. Messages already
   * stored count too, so pass `afterSeq` (e.g. `info.last_seq`) to look only at new mail.
   *
   * @throws InboxdError unexpected_message (its `details` name the message: `message_id`, `seq`,
   *   `subject`), and as `waitForMessage`
   */
  async expectNoMessage(o: ExpectNoMessageOptions): Promise<void> {
    const deadline = Date.now() + o.withinMs;
    for (;;) {
      const left = deadline - Date.now();
      const chunk = Math.max(0, Math.min(left, this.#ctx.pollMs));
      await this.#send('GET', '/messages/wait', {
        query: { ...filterQuery(o), expect: 'none', timeout: chunk / 1000 },
        signal: o.signal,
        timeoutMs: chunk + ANSWER_GRACE_MS,
      });
      if (deadline - Date.now() <= 0) return;
    }
  }

  /**
   * the first verification code of the newest message, or null when there is none.
   *
   * @throws InboxdError as `listMessages`
   */
  async latestCode(): Promise<string | null> {
    const [newest] = await this.listMessages({ limit: 1 });
    return newest?.codes[0]?.value ?? null;
  }

  /**
   * sets the mailbox to expire `ttlMinutes` from now (clamped to the plan maximum; the plan
   * default when omitted).
   *
   * @throws InboxdError invalid_input, and as `refresh()`
   */
  async extend(ttlMinutes?: number): Promise<MailboxInfo> {
    this.info = await this.#json<MailboxInfo>('PATCH', '', { body: ttlMinutes === undefined ? {} : { ttl_minutes: ttlMinutes } });
    return this.info;
  }

  /**
   * deletes the mailbox and its messages; its address is not handed to anyone else for a while.
   *
   * @throws InboxdError as `refresh()`
   */
  async deleteMailbox(): Promise<void> {
    await this.#send('DELETE', '');
  }

  /**
   * recent delivery attempts to this address, accepted or refused, newest first: the answer to
   * "my email never arrived".
   *
   * @param limit at most this many (1-200, default 50)
   * @throws InboxdError as `refresh()`
   */
  deliveries(limit?: number): Promise<DeliveryAttempt[]> {
    return this.#json('GET', '/deliveries', { query: { limit } });
  }

  /**
   * replaces this mailbox's SMTP fault script: deterministic replies, delays or disconnects at RCPT
   * or DATA for the next `times` attempts, then normal delivery. Other mailboxes are untouched.
   *
   * @example
   * await mailbox.setFaults([{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 2 }]);
   * @throws InboxdError invalid_input (the body's `field` names the rule), and as `refresh()`
   */
  setFaults(rules: FaultRule[]): Promise<FaultScript> {
    return this.#json('PUT', '/faults', { body: { rules } });
  }

  /** this mailbox's fault script, with each rule's use count. @throws InboxdError as `refresh()` */
  getFaults(): Promise<FaultScript> {
    return this.#json('GET', '/faults');
  }

  /** deletes this mailbox's fault script. @throws InboxdError as `refresh()` */
  async clearFaults(): Promise<void> {
    await this.#send('DELETE', '/faults');
  }

  /**
   * the mailbox's events as an async iterator over the WebSocket stream. It reconnects by itself
   * (with backoff) and resumes after the last seq it yielded, so no message is missed and none
   * is yielded twice. It ends after `mailbox_deleted` / `mailbox_expired`, on `signal`, or when
   * the loop breaks.
   *
   * @example
   * for await (const ev of mailbox.events()) if (ev.event === 'new_message') console.log(ev.seq, ev.subject);
   * @throws InboxdError when the server refuses the stream (unauthorized, forbidden,
   *   mailbox_not_found, mailbox_expired), or network_error after `reconnect.maxAttempts`
   */
  events(o: EventsOptions = {}): AsyncGenerator<MailboxEvent, void, undefined> {
    return streamEvents(
      {
        transport: this.#ctx.transport,
        address: this.address,
        sessionToken: this.sessionToken,
        WebSocket: this.#ctx.WebSocket,
        lastSeq: async (signal) => (await this.#json<MailboxInfo>('GET', '', { signal })).last_seq,
      },
      o,
    );
  }

  async #wait(count: number, o: WaitOptions): Promise<Message[]> {
    const total = o.timeoutMs ?? DEFAULT_WAIT_MS;
    const deadline = Date.now() + total;
    for (;;) {
      const left = deadline - Date.now();
      const chunk = Math.max(0, Math.min(left, this.#ctx.pollMs));
      try {
        const found = await this.#json<Message | { messages: Message[] }>('GET', '/messages/wait', {
          query: { ...filterQuery(o), timeout: chunk / 1000, count: count === 1 ? undefined : count },
          signal: o.signal,
          timeoutMs: chunk + ANSWER_GRACE_MS,
        });
        return 'messages' in found ? found.messages : [found];
      } catch (err) {
        if (!isInboxdError(err, 'wait_timeout')) throw err;
        // a long wait is several requests (proxies and fetch cut idle requests); the server re-checks stored mail each time
        if (deadline - Date.now() > 0) continue;
        const what = count === 1 ? 'no matching message' : `fewer than ${count} matching messages`;
        throw new InboxdError('wait_timeout', err.status, `${what} arrived at ${this.address} within ${formatSeconds(total)}`, err.details);
      }
    }
  }

  #path(suffix: string): string {
    return `/api/v1/mailboxes/${seg(this.address)}${suffix}`;
  }

  #send(method: string, suffix: string, o: RequestOptions = {}): Promise<Response> {
    return send(this.#ctx.transport, method, this.#path(suffix), { ...o, sessionToken: this.sessionToken });
  }

  #json<T>(method: string, suffix: string, o: RequestOptions = {}): Promise<T> {
    return sendJson<T>(this.#ctx.transport, method, this.#path(suffix), { ...o, sessionToken: this.sessionToken });
  }
}

function filterQuery(f: MessageFilters): Record<string, string | number | undefined> {
  return { from: f.from, subject: f.subject, body: f.body, pattern: f.pattern, after_seq: f.afterSeq };
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** the file name from `Content-Disposition` (RFC 6266), preferring the UTF-8 `filename*`. */
function filenameFrom(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // a malformed escape: fall back to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? (plain[1] ?? plain[2]!.trim()).replace(/\\(.)/g, '$1') : null;
}
