/**
 * What the browser keeps between visits, in localStorage: the anonymous mailboxes made here
 * (address + session token, which is the only key to them) and an optional API key.
 */

export interface SavedMailbox {
  address: string;
  /** the session token; null for a mailbox reached through the API key. */
  token: string | null;
  /** expiry as a local clock time (server's expires_in added to our now, so clock skew does not matter). */
  expiresAt: number;
}

const MAILBOXES = 'inboxd.mailboxes';
const API_KEY = 'inboxd.apiKey';

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // private mode or a full quota: the session still works, it is just not kept
  }
}

function valid(m: unknown): m is SavedMailbox {
  const o = m as SavedMailbox;
  return !!o && typeof o.address === 'string' && (o.token === null || typeof o.token === 'string') && typeof o.expiresAt === 'number';
}

export const saved = {
  mailboxes(): SavedMailbox[] {
    const list = read<unknown[]>(MAILBOXES, []);
    return Array.isArray(list) ? list.filter(valid) : [];
  },
  find(address: string): SavedMailbox | undefined {
    return this.mailboxes().find((m) => m.address === address);
  },
  /** adds (newest first) or updates in place. */
  put(m: SavedMailbox): void {
    const list = this.mailboxes();
    const i = list.findIndex((x) => x.address === m.address);
    if (i >= 0) list[i] = m;
    else list.unshift(m);
    write(MAILBOXES, list);
  },
  remove(address: string): void {
    write(MAILBOXES, this.mailboxes().filter((x) => x.address !== address));
  },
  apiKey(): string | null {
    const k = read<unknown>(API_KEY, null);
    return typeof k === 'string' && k ? k : null;
  },
  setApiKey(key: string | null): void {
    write(API_KEY, key);
  },
};
