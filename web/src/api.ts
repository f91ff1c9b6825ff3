/**
 * The REST client the UI uses: the public API only, with the same credentials any client has
 * (an anonymous mailbox's session token, or an API key).
 */

/** `none`: a caught mailbox a development server shows this machine without credentials. */
export type Cred = { kind: 'token'; value: string } | { kind: 'key'; value: string } | { kind: 'none' };

// the wire shapes are the SDK's (STYLE: the UI knows the server through sdk/); types only, so
// nothing of the SDK is bundled
import type {
  AttachmentInfo as AttachmentJson,
  MailboxInfo as MailboxJson,
  Message as MessageJson,
  MessageSummary as SummaryJson,
  VerificationCode as Code,
} from '../../sdk/src/types';

export type { AttachmentJson, Code, MailboxJson, MessageJson, SummaryJson };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function authHeaders(cred: Cred | null): Record<string, string> {
  if (!cred || cred.kind === 'none') return {};
  return cred.kind === 'token' ? { 'X-Session-Token': cred.value } : { Authorization: `Bearer ${cred.value}` };
}

async function call(method: string, path: string, cred: Cred | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { ...authHeaders(cred), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (!res.ok) {
    let code = 'http_' + res.status;
    let message = res.statusText || 'request failed';
    try {
      const j = (await res.json()) as { error?: string; message?: string };
      code = j.error ?? code;
      message = j.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

const mb = (address: string) => `/api/v1/mailboxes/${encodeURIComponent(address)}`;
const msg = (address: string, id: string) => `${mb(address)}/messages/${encodeURIComponent(id)}`;

export const api = {
  async createMailbox(key: string | null): Promise<MailboxJson> {
    return (await call('POST', '/api/v1/mailboxes', key ? { kind: 'key', value: key } : null, {})).json();
  },
  async listMailboxes(key: string): Promise<MailboxJson[]> {
    return (await call('GET', '/api/v1/mailboxes', { kind: 'key', value: key })).json();
  },
  async getMailbox(address: string, cred: Cred): Promise<MailboxJson> {
    return (await call('GET', mb(address), cred)).json();
  },
  async extendMailbox(address: string, cred: Cred, ttlMinutes: number): Promise<MailboxJson> {
    return (await call('PATCH', mb(address), cred, { ttl_minutes: ttlMinutes })).json();
  },
  async deleteMailbox(address: string, cred: Cred): Promise<void> {
    await call('DELETE', mb(address), cred);
  },
  async listMessages(address: string, cred: Cred): Promise<SummaryJson[]> {
    return (await call('GET', `${mb(address)}/messages?limit=200`, cred)).json();
  },
  async getMessage(address: string, id: string, cred: Cred): Promise<MessageJson> {
    return (await call('GET', msg(address, id), cred)).json();
  },
  async rawSource(address: string, id: string, cred: Cred): Promise<string> {
    return (await call('GET', `${msg(address, id)}/raw`, cred)).text();
  },
  async attachment(address: string, id: string, index: number, cred: Cred): Promise<Blob> {
    return (await call('GET', `${msg(address, id)}/attachments/${index}`, cred)).blob();
  },
  async deleteMessage(address: string, id: string, cred: Cred): Promise<void> {
    await call('DELETE', msg(address, id), cred);
  },
};
