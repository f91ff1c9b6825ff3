/**
 * One message: who and when, the codes found in it, attachments, and tabs for the HTML (in a
 * sandboxed iframe, remote content held back until asked for), the text, the headers and the
 * raw source.
 */
import { api, type AttachmentJson, type Cred, type MessageJson } from './api';
import { h, replace } from './dom';
import { buildFrame } from './mail-html';
import { bytes, copyText, errorText, toast, when } from './util';

export interface MessageCallbacks {
  onDeleted(): void;
}

/** each render gets a token; a slow fetch for a message no longer shown must not draw over the new one. */
let generation = 0;

export function renderMessage(pane: HTMLElement, address: string, id: string, cred: Cred, cb: MessageCallbacks): void {
  const mine = ++generation;
  replace(pane, h('p', { class: 'muted pane-empty' }, 'Loading…'));
  api.getMessage(address, id, cred).then(
    (m) => {
      if (mine === generation) draw(pane, address, m, cred, cb);
    },
    (err) => {
      if (mine === generation) replace(pane, h('p', { class: 'error' }, `Could not open the message: ${errorText(err)}`), h('a', { class: 'btn', href: `#/m/${encodeURIComponent(address)}` }, 'Back to the inbox'));
    },
  );
}

/** plain text with http(s) URLs made into links that open in a new tab; everything else stays text. */
function linkify(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  const re = /\bhttps?:\/\/[^\s<>"')\]]+/gi;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(text.slice(last, m.index));
    out.push(h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer' }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

async function download(address: string, id: string, a: AttachmentJson, cred: Cred): Promise<void> {
  const blob = await api.attachment(address, id, a.index, cred);
  // an object URL of an octet-stream: saved as a file, never rendered in our origin
  const url = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
  const link = h('a', { href: url, download: a.filename || `attachment-${a.index}`, class: 'offscreen' });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** inline images (cid:) become data: URLs, which the message's policy allows. */
async function inlineImages(address: string, m: MessageJson, cred: Cred): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const wanted = m.attachments.filter((a) => a.content_id && /^image\/(png|jpe?g|gif|webp|bmp)$/i.test(a.content_type) && a.size <= 5 * 1024 * 1024);
  await Promise.all(
    wanted.map(async (a) => {
      try {
        const blob = await api.attachment(address, m.id, a.index, cred);
        const data = await blobToDataUrl(new Blob([blob], { type: a.content_type.toLowerCase() }));
        map.set(a.content_id!.replace(/^<|>$/g, ''), data);
      } catch {
        // a missing inline image is shown as missing
      }
    }),
  );
  return map;
}

function htmlPanel(address: string, m: MessageJson, cred: Cred): HTMLElement {
  const panel = h('div', { class: 'html-panel' }, h('p', { class: 'muted' }, 'Loading…'));
  const frame = h('iframe', {
    class: 'mail-frame',
    title: `Message: ${m.subject ?? '(no subject)'}`,
    // no allow-scripts, no allow-same-origin: an opaque origin where nothing runs;
    // popups only so links can open (noopener) in a new tab
    sandbox: 'allow-popups allow-popups-to-escape-sandbox',
    referrerpolicy: 'no-referrer',
  });
  void inlineImages(address, m, cred).then((inline) => {
    const draw = (allowRemote: boolean) => {
      const { srcdoc, blockedRemote } = buildFrame(m.body_html ?? '', { allowRemote, inline });
      frame.srcdoc = srcdoc;
      const bar =
        blockedRemote > 0
          ? h(
              'div',
              { class: 'remote-bar', role: 'note' },
              h('span', {}, `Remote content blocked (${blockedRemote} item${blockedRemote === 1 ? '' : 's'}): loading it tells the sender you opened this.`),
              h('button', { class: 'btn small', type: 'button', id: 'load-remote', onclick: () => draw(true) }, 'Load remote content'),
            )
          : allowRemote
            ? h('div', { class: 'remote-bar ok', role: 'note' }, 'Remote content loaded.')
            : null;
      replace(panel, bar, frame);
    };
    draw(false);
  });
  return panel;
}

function tabs(defs: { id: string; label: string; render: () => HTMLElement }[], initial: string): HTMLElement {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Message views' });
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel', tabindex: 0 });
  const buttons: HTMLButtonElement[] = [];
  const cache = new Map<string, HTMLElement>();
  const select = (id: string, focus: boolean) => {
    for (const b of buttons) {
      const on = b.dataset.tab === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on) {
        panel.setAttribute('aria-labelledby', b.id);
        if (focus) b.focus();
      }
    }
    const def = defs.find((d) => d.id === id)!;
    if (!cache.has(id)) cache.set(id, def.render());
    replace(panel, cache.get(id)!);
  };
  for (const d of defs) {
    const b = h('button', { role: 'tab', type: 'button', id: `tab-${d.id}`, 'data-tab': d.id, 'aria-controls': 'message-tabpanel' }, d.label);
    b.addEventListener('click', () => select(d.id, false));
    // WAI-ARIA tabs: arrows move between tabs, Home/End jump to the ends
    b.addEventListener('keydown', (ev) => {
      const i = buttons.indexOf(b);
      const next = ev.key === 'ArrowRight' ? i + 1 : ev.key === 'ArrowLeft' ? i - 1 : ev.key === 'Home' ? 0 : ev.key === 'End' ? buttons.length - 1 : null;
      if (next === null) return;
      ev.preventDefault();
      select(buttons[(next + buttons.length) % buttons.length]!.dataset.tab!, true);
    });
    buttons.push(b);
    list.append(b);
  }
  panel.id = 'message-tabpanel';
  select(initial, false);
  return h('div', { class: 'tabbed' }, list, panel);
}

function draw(pane: HTMLElement, address: string, m: MessageJson, cred: Cred, cb: MessageCallbacks): void {
  const del = h('button', { class: 'btn danger', type: 'button' }, 'Delete');
  del.addEventListener('click', async () => {
    try {
      await api.deleteMessage(address, m.id, cred);
      toast('Message deleted');
      cb.onDeleted();
    } catch (err) {
      toast(`Could not delete: ${errorText(err)}`, 'error');
    }
  });
  const from = m.from_name && m.from ? `${m.from_name} <${m.from}>` : (m.from ?? '(unknown)');
  const title = h('h2', { class: 'msg-subject', tabindex: -1 }, m.subject || '(no subject)');

  const codes = m.codes.length
    ? h(
        'section',
        { class: 'codes', 'aria-label': 'Codes found in this message' },
        m.codes.map((c) =>
          h(
            'div',
            { class: 'code-box', title: c.context },
            h('span', { class: 'label' }, c.source === 'subject' ? 'Code (subject)' : 'Code'),
            h('code', { class: 'code-value' }, c.value),
            h('button', { class: 'btn small', type: 'button', 'aria-label': `Copy code ${c.value}`, onclick: () => void copyText(c.value, 'Code copied') }, 'Copy'),
          ),
        ),
      )
    : null;

  const attachments = m.attachments.length
    ? h(
        'section',
        { class: 'attachments', 'aria-label': 'Attachments' },
        h('h3', {}, `Attachments (${m.attachments.length})`),
        h(
          'ul',
          {},
          m.attachments.map((a) => {
            const name = a.filename || `attachment-${a.index}`;
            const b = h('button', { class: 'btn small', type: 'button', 'aria-label': `Download ${name}` }, 'Download');
            b.addEventListener('click', () => void download(address, m.id, a, cred).catch((err) => toast(`Download failed: ${errorText(err)}`, 'error')));
            return h('li', {}, h('span', { class: 'att-name' }, name), h('span', { class: 'muted small' }, `${a.content_type}, ${bytes(a.size)}`), b);
          }),
        ),
      )
    : null;

  const defs = [
    ...(m.body_html ? [{ id: 'html', label: 'HTML', render: () => htmlPanel(address, m, cred) }] : []),
    { id: 'text', label: 'Text', render: () => h('pre', { class: 'body-text' }, m.body_text ? linkify(m.body_text) : h('span', { class: 'muted' }, '(no text part)')) },
    {
      id: 'headers',
      label: 'Headers',
      render: () =>
        h(
          'div',
          { class: 'table-wrap' },
          h('table', { class: 'headers' }, h('tbody', {}, m.headers.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.name), h('td', {}, x.value))))),
        ),
    },
    {
      id: 'raw',
      label: 'Raw',
      render: () => {
        const pre = h('pre', { class: 'raw' }, 'Loading…');
        api.rawSource(address, m.id, cred).then(
          (raw) => (pre.textContent = raw),
          (err) => (pre.textContent = `Could not load the source: ${errorText(err)}`),
        );
        return pre;
      },
    },
  ];

  replace(
    pane,
    h(
      'article',
      { class: 'message', 'aria-labelledby': 'msg-subject' },
      h('div', { class: 'msg-actions' }, h('a', { class: 'btn ghost back', href: `#/m/${encodeURIComponent(address)}` }, '← Inbox'), del),
      title,
      h(
        'dl',
        { class: 'meta' },
        h('dt', {}, 'From'),
        h('dd', {}, from),
        h('dt', {}, 'To'),
        h('dd', {}, [...m.to, ...m.cc].join(', ') || address),
        h('dt', {}, 'Date'),
        h('dd', {}, h('time', { datetime: m.received_at }, when(m.date ?? m.received_at))),
      ),
      m.parse_error ? h('p', { class: 'notice' }, `This message could not be fully parsed (${m.parse_error}); its raw source is kept.`) : null,
      codes,
      attachments,
      tabs(defs, m.body_html ? 'html' : 'text'),
    ),
  );
  title.id = 'msg-subject';
  title.focus({ preventScroll: true });
}
