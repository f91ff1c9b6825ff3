/**
 * Search (#/search/{query}, issue #16 item 3): the header's search box asks the server with
 * every credential this browser holds — the API key (its owner's mailboxes), each saved anonymous
 * mailbox's session token (that mailbox), and none at all (a development server's unowned
 * catches, from this machine) — and shows the matches newest first. A match opens in the inbox.
 */
import { api, ApiError, type Cred, type SearchResultJson } from './api';
import { rememberOpen } from './all-mail';
import { h, replace } from './dom';
import { saved } from './storage';
import { errorText, when } from './util';

const SHOWN = 50;

export const SEARCH_HELP = 'words, word*, "phrases", from:, to:, subject:, has:attachment, is:unread, after:2h, before:2026-11-30, -word';

function credentials(): Cred[] {
  const key = saved.apiKey();
  const creds: Cred[] = key ? [{ kind: 'key', value: key }] : [];
  for (const m of saved.mailboxes()) if (m.token) creds.push({ kind: 'token', value: m.token });
  if (!key) creds.push({ kind: 'none' });
  return creds;
}

export class SearchView {
  private readonly results = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Searching…'));
  private disposed = false;

  constructor(private readonly query: string) {}

  mount(view: HTMLElement): void {
    replace(
      view,
      h(
        'section',
        { class: 'card' },
        h('h1', { class: 'view-title', tabindex: -1 }, 'Search'),
        h('p', { class: 'muted small' }, 'Every mailbox this browser can read. ', h('span', { class: 'mono' }, SEARCH_HELP)),
        this.results,
      ),
    );
    void this.run();
  }

  dispose(): void {
    this.disposed = true;
  }

  private async run(): Promise<void> {
    const answers = await Promise.allSettled(credentials().map((c) => api.search(this.query, c).then((found) => ({ c, found }))));
    if (this.disposed) return;
    const bad = answers.find((a) => a.status === 'rejected' && a.reason instanceof ApiError && a.reason.code === 'invalid_query');
    if (bad && bad.status === 'rejected') {
      replace(this.results, h('p', { class: 'error', id: 'search-error' }, `This search cannot be read: ${errorText(bad.reason)}`));
      return;
    }
    const byId = new Map<string, SearchResultJson>();
    for (const a of answers) {
      if (a.status !== 'fulfilled') continue;
      // a caught mailbox found without credentials opens the same way the All mail view opens it
      if (a.value.c.kind === 'none') rememberOpen(a.value.found.map((m) => m.address));
      for (const m of a.value.found) byId.set(m.id, m);
    }
    const found = [...byId.values()].sort((a, b) => b.received_at.localeCompare(a.received_at) || b.id.localeCompare(a.id)).slice(0, SHOWN);
    if (found.length === 0) {
      const failed = answers.find((a) => a.status === 'rejected' && !(a.reason instanceof ApiError && a.reason.status === 401));
      replace(
        this.results,
        failed && failed.status === 'rejected'
          ? h('p', { class: 'error' }, `Could not search: ${errorText(failed.reason)}`)
          : h('p', { class: 'muted', id: 'search-empty' }, 'No message matches.'),
      );
      return;
    }
    const ul = h('ul', { class: 'rows', id: 'search-results' });
    for (const m of found) {
      ul.append(
        h(
          'li',
          { class: `row${m.is_read ? '' : ' unread'}` },
          h('a', { class: 'addr-link', href: `#/m/${encodeURIComponent(m.address)}/${encodeURIComponent(m.id)}` }, m.subject || '(no subject)'),
          h('span', { class: 'mono small' }, m.address),
          h('span', { class: 'muted small' }, m.from_name || m.from || ''),
          h('span', { class: 'muted small' }, when(m.received_at)),
          m.codes[0] ? h('span', { class: 'chip code' }, m.codes[0].value) : null,
        ),
      );
    }
    replace(this.results, ul);
  }
}
