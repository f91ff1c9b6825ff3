/**
 * "All mail" (#/all): every message catch-all caught, newest first, live — the Mailpit view for
 * an app pointed at Inboxd's SMTP port. With an API key it shows the key owner's caught mail; on
 * a development server without a catch-all owner, this machine's browser sees the unowned
 * catches without credentials. A message opens in the ordinary inbox view.
 */
import { ApiError, type Cred, type MailboxJson, type SummaryJson } from './api';
import { h, replace } from './dom';
import { saved } from './storage';
import { errorText, when } from './util';

type Row = { address: string; id: string; from: string | null; subject: string | null; receivedAt: string };

const OPEN = 'inboxd.openCaught';

/** caught mailboxes this tab may open without credentials (seen in the unowned list). */
export function openCaught(address: string): boolean {
  try {
    return (JSON.parse(sessionStorage.getItem(OPEN) ?? '[]') as string[]).includes(address);
  } catch {
    return false;
  }
}

/** marks caught mailboxes as openable without credentials in this tab (listed by All mail or search). */
export function rememberOpen(addresses: string[]): void {
  try {
    const known = new Set<string>(JSON.parse(sessionStorage.getItem(OPEN) ?? '[]') as string[]);
    for (const a of addresses) known.add(a);
    sessionStorage.setItem(OPEN, JSON.stringify([...known]));
  } catch {
    // private mode: opening needs the list again, nothing else breaks
  }
}

async function getJson<T>(path: string, key: string | null): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) }, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) {
    const j = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    throw new ApiError(res.status, j.error ?? `http_${res.status}`, j.message ?? res.statusText);
  }
  return (await res.json()) as T;
}

/** the credential the inbox view uses for a caught mailbox opened from here. */
export const NO_CREDENTIALS: Cred = { kind: 'none' };

export class AllMail {
  private rows: Row[] = [];
  private source: EventSource | null = null;
  private readonly key = saved.apiKey();
  private readonly list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  private readonly state = h('span', { class: 'muted small', id: 'all-mail-state' }, 'connecting…');

  mount(view: HTMLElement): void {
    replace(
      view,
      h(
        'section',
        { class: 'card' },
        h('div', { class: 'inline spread' }, h('h1', { class: 'view-title', tabindex: -1 }, 'All mail'), this.state),
        h(
          'p',
          { class: 'muted small' },
          'Mail caught for addresses nobody created first (INBOXD_CATCH_ALL). ',
          this.key ? 'Showing the caught mail of the API key in this browser.' : 'No API key in this browser: showing unowned caught mail (a development server, from this machine).',
        ),
        this.list,
      ),
    );
    void this.load();
  }

  dispose(): void {
    this.source?.close();
    this.source = null;
  }

  private async load(): Promise<void> {
    try {
      const boxes = await getJson<MailboxJson[]>('/api/v1/mailboxes?group=catch-all', this.key);
      if (!this.key) rememberOpen(boxes.map((b) => b.address));
      const lists = await Promise.all(boxes.map((b) => getJson<SummaryJson[]>(`/api/v1/mailboxes/${encodeURIComponent(b.address)}/messages?limit=50`, this.key)));
      const seen = new Set(this.rows.map((r) => r.id));
      boxes.forEach((b, i) => {
        for (const m of lists[i]!) if (!seen.has(m.id)) this.rows.push({ address: b.address, id: m.id, from: m.from, subject: m.subject, receivedAt: m.received_at });
      });
      this.render();
      this.follow();
    } catch (err) {
      this.state.textContent = 'offline';
      replace(
        this.list,
        h('p', { class: 'error' }, err instanceof ApiError && err.status === 401 ? 'Caught mail needs an API key here: paste one on the home page.' : `Could not list caught mail: ${errorText(err)}`),
      );
    }
  }

  private follow(): void {
    const q = this.key ? `?${new URLSearchParams({ api_key: this.key })}` : '';
    const es = new EventSource(`/api/v1/catch-all/events${q}`);
    this.source = es;
    es.onopen = () => {
      this.state.textContent = 'live';
    };
    es.onerror = () => {
      this.state.textContent = 'reconnecting…';
    };
    es.addEventListener('new_message', (m) => {
      const ev = JSON.parse((m as MessageEvent<string>).data) as { message_id: string; address: string; from: string | null; subject: string | null; received_at: string };
      if (this.rows.some((r) => r.id === ev.message_id)) return;
      if (!this.key) rememberOpen([ev.address]);
      this.rows.push({ address: ev.address, id: ev.message_id, from: ev.from, subject: ev.subject, receivedAt: ev.received_at });
      this.render();
    });
  }

  private render(): void {
    if (this.rows.length === 0) {
      replace(this.list, h('p', { class: 'muted' }, 'Nothing caught yet. Point your app at this server’s SMTP port (any user and password) and send to any address.'));
      return;
    }
    this.rows.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id));
    const ul = h('ul', { class: 'rows', id: 'all-mail-list' });
    for (const r of this.rows) {
      ul.append(
        h(
          'li',
          { class: 'row' },
          h('a', { class: 'addr-link', href: `#/m/${encodeURIComponent(r.address)}/${encodeURIComponent(r.id)}` }, r.subject || '(no subject)'),
          h('span', { class: 'mono small' }, r.address),
          h('span', { class: 'muted small' }, r.from ?? ''),
          h('span', { class: 'muted small' }, when(r.receivedAt)),
        ),
      );
    }
    replace(this.list, ul);
  }
}
