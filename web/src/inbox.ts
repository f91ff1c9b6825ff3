/**
 * Inbox: one mailbox, its time left (extendable), and its messages, kept live over the
 * WebSocket, with its delivery timeline beside them (`timeline.ts`). The controller lives as long as the address is on screen, so opening a message
 * does not drop the stream.
 */
import { api, ApiError, type Cred, type SummaryJson } from './api';
import { h, replace } from './dom';
import { type LiveEvent, type LiveState, openLive } from './live';
import { renderMessage } from './message';
import { saved } from './storage';
import { DeliveryTimeline } from './timeline';
import { copyText, errorText, timeLeft, timeLeftWords, toast, when } from './util';

/** how often the timeline is read again while the inbox is open: refusals raise no event. */
const TIMELINE_POLL_MS = 15_000;

const EXTEND_CHOICES: [number, string][] = [
  [10, '10 minutes'],
  [60, '1 hour'],
  [24 * 60, '1 day'],
  [7 * 24 * 60, '7 days'],
  [30 * 24 * 60, '30 days'],
];

export function credFor(address: string): Cred | null {
  const m = saved.find(address);
  if (m?.token) return { kind: 'token', value: m.token };
  const key = saved.apiKey();
  return key ? { kind: 'key', value: key } : null;
}

export class Inbox {
  private messages: SummaryJson[] = [];
  private lastSeq = 0;
  private expiresAt = 0;
  private ended: string | null = null;
  private live: { close(): void } | null = null;
  private refreshTimer: number | undefined;
  private timelineTimer: number | undefined;
  private readonly timeline: DeliveryTimeline;
  private openId: string | null = null;
  private readonly list = h('ul', { class: 'messages', id: 'message-list' });
  private readonly listPane = h('section', { class: 'list-pane', 'aria-labelledby': 'list-h' });
  private readonly messagePane = h('section', { class: 'message-pane', 'aria-label': 'Message' });
  private readonly panes = h('div', { class: 'panes' }, this.listPane, this.messagePane);
  private readonly ttl = h('span', { class: 'ttl-value' });
  private readonly liveBadge = h('span', { class: 'live', role: 'status' }, 'Connecting…');
  private readonly notice = h('div', { class: 'notice', hidden: true, role: 'alert' });

  constructor(
    readonly address: string,
    private readonly cred: Cred,
  ) {
    this.timeline = new DeliveryTimeline(address, cred);
  }

  mount(view: HTMLElement): void {
    replace(view, this.header(), this.notice, this.panes);
    this.listPane.append(h('h2', { id: 'list-h', class: 'visually-hidden' }, 'Messages'), this.list, this.timeline.element);
    this.renderList();
    void this.start();
  }

  dispose(): void {
    this.live?.close();
    this.live = null;
    window.clearTimeout(this.refreshTimer);
    window.clearInterval(this.timelineTimer);
  }

  /** shows a message (or none) next to the list; on narrow screens it replaces the list. */
  show(id: string | null): void {
    this.openId = id;
    this.panes.classList.toggle('has-message', id !== null);
    if (id === null) {
      replace(this.messagePane, h('p', { class: 'muted pane-empty' }, 'Select a message to read it.'));
    } else {
      const m = this.messages.find((x) => x.id === id);
      if (m) m.is_read = true;
      renderMessage(this.messagePane, this.address, id, this.cred, {
        onDeleted: () => {
          this.drop(id);
          location.hash = `#/m/${encodeURIComponent(this.address)}`;
        },
      });
    }
    this.renderList();
  }

  private header(): HTMLElement {
    const select = h('select', { id: 'extend-ttl' }, EXTEND_CHOICES.map(([v, label]) => h('option', { value: v, selected: v === 60 }, label)));
    const extend = h('button', { class: 'btn', type: 'button' }, 'Extend');
    extend.addEventListener('click', async () => {
      extend.disabled = true;
      const asked = Number(select.value);
      try {
        const m = await api.extendMailbox(this.address, this.cred, asked);
        this.setExpiry(m.expires_in);
        const clamped = m.expires_in < asked * 60 - 5;
        toast(clamped ? `Extended to the plan's limit: ${timeLeftWords(m.expires_in * 1000)}` : `Extended: ${timeLeftWords(m.expires_in * 1000)}`);
      } catch (err) {
        toast(`Could not extend: ${errorText(err)}`, 'error');
      } finally {
        extend.disabled = false;
      }
    });
    const del = h('button', { class: 'btn danger', type: 'button' }, 'Delete mailbox');
    del.addEventListener('click', async () => {
      if (!confirm(`Delete ${this.address} and all its messages?`)) return;
      try {
        await api.deleteMailbox(this.address, this.cred);
        this.gone('Mailbox deleted');
      } catch (err) {
        toast(`Could not delete: ${errorText(err)}`, 'error');
      }
    });
    return h(
      'section',
      { class: 'card mailbox-card', 'aria-labelledby': 'addr-h' },
      h(
        'div',
        { class: 'addr-row' },
        h('h1', { id: 'addr-h', class: 'addr mono view-title', tabindex: -1 }, this.address),
        h('button', { class: 'btn', type: 'button', id: 'copy-address', onclick: () => void copyText(this.address, 'Address copied') }, 'Copy'),
      ),
      h(
        'div',
        { class: 'mailbox-meta' },
        h('span', { class: 'ttl' }, 'Expires in ', this.ttl),
        h('span', { class: 'extend' }, h('label', { for: 'extend-ttl' }, 'Keep for'), select, extend),
        this.liveBadge,
        del,
      ),
    );
  }

  private setExpiry(expiresIn: number): void {
    this.expiresAt = Date.now() + expiresIn * 1000;
    this.ttl.dataset.expiresAt = String(this.expiresAt);
    this.ttl.textContent = timeLeft(this.expiresAt - Date.now());
    this.ttl.title = timeLeftWords(this.expiresAt - Date.now());
    const s = saved.find(this.address);
    if (s) saved.put({ ...s, expiresAt: this.expiresAt });
  }

  private async start(): Promise<void> {
    try {
      const [mailbox, messages] = await Promise.all([api.getMailbox(this.address, this.cred), api.listMessages(this.address, this.cred)]);
      this.setExpiry(mailbox.expires_in);
      this.messages = messages;
      this.lastSeq = Math.max(0, ...messages.map((m) => m.seq));
      this.renderList();
    } catch (err) {
      return this.failed(err);
    }
    void this.timeline.refresh();
    this.timelineTimer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void this.timeline.refresh();
    }, TIMELINE_POLL_MS);
    this.live = openLive({
      address: this.address,
      cred: this.cred,
      since: () => this.lastSeq,
      onEvent: (ev) => this.onEvent(ev),
      onState: (st) => this.onLiveState(st),
    });
  }

  private failed(err: unknown): void {
    this.dispose();
    if (err instanceof ApiError && err.status === 410) return this.expired();
    if (err instanceof ApiError && (err.status === 404 || err.status === 401 || err.status === 403)) {
      this.showNotice(err.status === 404 ? 'This mailbox does not exist any more.' : 'This browser has no access to this mailbox.', true);
      return;
    }
    this.showNotice(`Could not load the mailbox: ${errorText(err)}`, false);
  }

  private showNotice(text: string, offerForget: boolean): void {
    replace(
      this.notice,
      h('p', {}, text),
      offerForget && saved.find(this.address)
        ? h('button', { class: 'btn', type: 'button', onclick: () => { saved.remove(this.address); location.hash = '#/'; } }, 'Forget it and go home')
        : h('a', { class: 'btn', href: '#/' }, 'Home'),
    );
    this.notice.hidden = false;
  }

  private expired(): void {
    this.ended = 'expired';
    this.ttl.removeAttribute('data-expires-at');
    this.ttl.textContent = 'expired';
    this.liveBadge.textContent = 'Expired';
    this.liveBadge.dataset.state = 'ended';
    this.showNotice('This mailbox has expired: it no longer receives mail.', true);
  }

  private gone(text: string): void {
    this.dispose();
    saved.remove(this.address);
    toast(text);
    location.hash = '#/';
  }

  private onLiveState(st: LiveState): void {
    this.liveBadge.dataset.state = st.kind;
    if (st.kind === 'live') this.liveBadge.textContent = 'Live';
    else if (st.kind === 'connecting') this.liveBadge.textContent = 'Connecting…';
    else if (st.kind === 'waiting') this.liveBadge.textContent = `Offline, retrying in ${Math.ceil(st.retryInMs / 1000)} s`;
    else if (st.reason === 'mailbox_expired') this.expired();
    else if (st.reason === 'mailbox_deleted') this.liveBadge.textContent = 'Deleted';
    else this.liveBadge.textContent = 'Not live';
  }

  private onEvent(ev: LiveEvent): void {
    switch (ev.event) {
      case 'new_message': {
        this.lastSeq = Math.max(this.lastSeq, ev.seq);
        if (this.messages.some((m) => m.id === ev.message_id)) return;
        this.messages.unshift({
          id: ev.message_id,
          message_id: ev.message_id,
          seq: ev.seq,
          from: ev.from,
          from_name: null,
          from_address: ev.from ?? '',
          to: [this.address],
          to_address: this.address,
          cc: [],
          subject: ev.subject,
          received_at: ev.received_at,
          size: 0,
          is_read: false,
          tag: null,
          has_attachments: false,
          codes: [],
          parse_error: null,
          // the event does not say; the list never shows it, and opening the message reads it whole
          source: 'smtp',
        });
        this.messages.sort((a, b) => b.seq - a.seq);
        this.renderList();
        toast(`New message${ev.from ? ` from ${ev.from}` : ''}`);
        // the event carries no codes or attachment flag: fetch the summaries once things settle
        window.clearTimeout(this.refreshTimer);
        this.refreshTimer = window.setTimeout(() => void this.refresh(), 300);
        return;
      }
      case 'message_deleted':
        this.drop(ev.message_id);
        if (this.openId === ev.message_id) location.hash = `#/m/${encodeURIComponent(this.address)}`;
        return;
      case 'mailbox_expired':
        return this.expired();
      case 'mailbox_deleted':
        return this.gone('Mailbox deleted');
      default:
        return;
    }
  }

  private async refresh(): Promise<void> {
    try {
      void this.timeline.refresh();
      const fresh = await api.listMessages(this.address, this.cred);
      const read = new Set(this.messages.filter((m) => m.is_read).map((m) => m.id));
      this.messages = fresh.map((m) => (read.has(m.id) ? { ...m, is_read: true } : m));
      this.renderList();
    } catch {
      // the list from the events stays; the next event tries again
    }
  }

  private drop(id: string): void {
    this.messages = this.messages.filter((m) => m.id !== id);
    this.renderList();
  }

  private renderList(): void {
    const unread = this.messages.filter((m) => !m.is_read).length;
    document.title = `${unread ? `(${unread}) ` : ''}${this.address} · Inboxd`;
    if (this.messages.length === 0) {
      replace(
        this.list,
        h(
          'li',
          { class: 'empty' },
          h('span', { class: 'pulse', 'aria-hidden': 'true' }),
          h('p', {}, this.ended ? 'No messages.' : 'Waiting for mail…'),
          this.ended ? null : h('p', { class: 'muted small' }, 'Anything sent to ', h('span', { class: 'mono' }, this.address), ' shows up here at once.'),
        ),
      );
      return;
    }
    replace(
      this.list,
      this.messages.map((m) => {
        const href = `#/m/${encodeURIComponent(this.address)}/${encodeURIComponent(m.id)}`;
        const current = m.id === this.openId;
        return h(
          'li',
          { class: `msg${m.is_read ? '' : ' unread'}${current ? ' current' : ''}`, 'data-id': m.id },
          h(
            'a',
            { href, 'aria-current': current ? 'true' : null },
            h('span', { class: 'from' }, m.is_read ? null : h('span', { class: 'dot', 'aria-hidden': 'true' }), m.from_name || m.from || '(unknown sender)', m.is_read ? null : h('span', { class: 'visually-hidden' }, ' (unread)')),
            h('time', { class: 'when', datetime: m.received_at }, when(m.received_at)),
            h('span', { class: 'subject' }, m.subject || '(no subject)'),
            m.codes.length || m.has_attachments
              ? h('span', { class: 'chips' }, m.codes.slice(0, 1).map((c) => h('span', { class: 'chip code' }, c.value)), m.has_attachments ? h('span', { class: 'chip' }, 'attachment') : null)
              : null,
          ),
        );
      }),
    );
  }
}
