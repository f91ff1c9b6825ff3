/**
 * The REST client the UI uses: the SDK (`sdk/`), with the same credentials any client has (an
 * anonymous mailbox's session token, or an API key). Its errors become `ApiError`s, which the
 * views match on.
 */
import { Inboxd, isInboxdError, type Mailbox } from '../../sdk/src/index';
import type {
  AttachmentInfo as AttachmentJson,
  DeliveryAttempt as AttemptJson,
  SearchResult as SearchResultJson,
  MailboxInfo as MailboxJson,
  Message as MessageJson,
  MessageSummary as SummaryJson,
  VerificationCode as Code,
} from '../../sdk/src/index';

export type { AttachmentJson, AttemptJson, Code, MailboxJson, MessageJson, SearchResultJson, SummaryJson };

/** `none`: a caught mailbox a development server shows this machine without credentials. */
export type Cred = { kind: 'token'; value: string } | { kind: 'key'; value: string } | { kind: 'none' };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// no cookies exist to send, and a browser cache must never answer for a mailbox
const noStore: typeof fetch = (input, init) => fetch(input, { ...init, credentials: 'omit', cache: 'no-store' });

function client(key: string | null): Inboxd {
  return new Inboxd({ baseUrl: location.origin, apiKey: key ?? undefined, fetch: noStore });
}

/** the SDK's handle on a mailbox, with the credential the UI holds for it. */
export function mailboxHandle(address: string, cred: Cred): Mailbox {
  return client(cred.kind === 'key' ? cred.value : null).mailbox(address, { sessionToken: cred.kind === 'token' ? cred.value : undefined });
}

async function via<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isInboxdError(err)) throw err;
    if (err.code === 'network_error') throw new ApiError(0, 'network', 'The server could not be reached.');
    throw new ApiError(err.status, err.code, err.message);
  }
}

export const api = {
  createMailbox: (key: string | null): Promise<MailboxJson> =>
    via(async () => {
      const created = await client(key).createMailbox();
      return created.info ?? (await created.refresh());
    }),
  listMailboxes: (key: string): Promise<MailboxJson[]> => via(() => client(key).listMailboxes()),
  getMailbox: (address: string, cred: Cred): Promise<MailboxJson> => via(() => mailboxHandle(address, cred).refresh()),
  extendMailbox: (address: string, cred: Cred, ttlMinutes: number): Promise<MailboxJson> => via(() => mailboxHandle(address, cred).extend(ttlMinutes)),
  deleteMailbox: (address: string, cred: Cred): Promise<void> => via(() => mailboxHandle(address, cred).deleteMailbox()),
  listMessages: (address: string, cred: Cred): Promise<SummaryJson[]> => via(() => mailboxHandle(address, cred).listMessages({ limit: 200 })),
  getMessage: (address: string, id: string, cred: Cred): Promise<MessageJson> => via(() => mailboxHandle(address, cred).getMessage(id)),
  rawSource: (address: string, id: string, cred: Cred): Promise<string> => via(async () => new TextDecoder().decode(await mailboxHandle(address, cred).raw(id))),
  attachment: (address: string, id: string, index: number, cred: Cred): Promise<Blob> =>
    via(async () => {
      const a = await mailboxHandle(address, cred).attachment(id, index);
      return new Blob([a.bytes as BlobPart], { type: a.contentType });
    }),
  deleteMessage: (address: string, id: string, cred: Cred): Promise<void> => via(() => mailboxHandle(address, cred).deleteMessage(id)),
  deliveries: (address: string, cred: Cred): Promise<AttemptJson[]> => via(() => mailboxHandle(address, cred).deliveries(50)),
  /** one credential's reach: an API key's mailboxes, a session token's mailbox, or (none) a development server's unowned catches. */
  search: (query: string, cred: Cred): Promise<SearchResultJson[]> =>
    via(() => client(cred.kind === 'key' ? cred.value : null).search(query, { limit: 50, sessionToken: cred.kind === 'token' ? cred.value : undefined })),
};
