/** Home: one click to a new mailbox, the mailboxes this browser keeps, and API-key mode. */
import { api, ApiError, type MailboxJson } from './api';
import { h, replace } from './dom';
import { saved } from './storage';
import { errorText, timeLeft, toast } from './util';

function remember(m: MailboxJson, token: string | null): void {
  saved.put({ address: m.address, token, expiresAt: Date.now() + m.expires_in * 1000 });
}

function ttlCell(expiresAt: number) {
  return h('span', { class: 'ttl', 'data-expires-at': expiresAt }, timeLeft(expiresAt - Date.now()));
}

async function createAnonymous(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    // with an API key in this browser the mailbox is the key owner's (its plan, no anonymous cap)
    const key = saved.apiKey();
    const m = await api.createMailbox(key);
    if (!key) remember(m, m.session_token ?? null);
    location.hash = `#/m/${encodeURIComponent(m.address)}`;
  } catch (err) {
    toast(err instanceof ApiError && err.status === 429 ? `Too many mailboxes: ${err.message}` : `Could not create a mailbox: ${errorText(err)}`, 'error');
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

function savedSection(): HTMLElement {
  const list = saved.mailboxes().filter((m) => m.token !== null);
  const section = h('section', { class: 'card', 'aria-labelledby': 'saved-h' }, h('h2', { id: 'saved-h' }, 'Mailboxes in this browser'));
  if (list.length === 0) {
    section.append(h('p', { class: 'muted' }, 'None yet. The mailboxes you create here are kept in this browser until you forget them.'));
    return section;
  }
  const ul = h('ul', { class: 'rows' });
  for (const m of list) {
    const li = h(
      'li',
      { class: 'row' },
      h('a', { class: 'addr-link mono', href: `#/m/${encodeURIComponent(m.address)}` }, m.address),
      ttlCell(m.expiresAt),
      h(
        'button',
        {
          class: 'btn ghost small',
          type: 'button',
          'aria-label': `Forget ${m.address} in this browser`,
          onclick: () => {
            saved.remove(m.address);
            li.remove();
            toast(`Forgot ${m.address}`);
          },
        },
        'Forget',
      ),
    );
    ul.append(li);
  }
  section.append(ul);
  return section;
}

function keySection(): HTMLElement {
  const section = h('section', { class: 'card', 'aria-labelledby': 'key-h' }, h('h2', { id: 'key-h' }, 'API key'));
  const key = saved.apiKey();
  if (!key) {
    const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'ibx_…' });
    const form = h(
      'form',
      {
        class: 'key-form',
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          const v = input.value.trim();
          if (!v) return;
          saved.setApiKey(v);
          toast('API key saved in this browser');
          render(document.getElementById('view')!);
        },
      },
      h('label', { for: 'api-key' }, 'Paste a key to see and manage its mailboxes'),
      h('div', { class: 'inline' }, input, h('button', { class: 'btn', type: 'submit' }, 'Use key')),
    );
    section.append(form, h('p', { class: 'muted small' }, 'The key stays in this browser (localStorage) and is sent only to this server.'));
    return section;
  }
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const createBtn = h('button', { class: 'btn', type: 'button' }, 'New mailbox on this key');
  createBtn.addEventListener('click', async () => {
    createBtn.disabled = true;
    try {
      const m = await api.createMailbox(key);
      location.hash = `#/m/${encodeURIComponent(m.address)}`;
    } catch (err) {
      toast(`Could not create a mailbox: ${errorText(err)}`, 'error');
    } finally {
      createBtn.disabled = false;
    }
  });
  section.append(
    h(
      'div',
      { class: 'inline spread' },
      h('p', { class: 'muted' }, 'Using key ', h('code', {}, key.slice(0, 10) + '…')),
      h('div', { class: 'inline' }, createBtn, h('button', { class: 'btn ghost', type: 'button', onclick: () => { saved.setApiKey(null); toast('API key forgotten'); render(document.getElementById('view')!); } }, 'Forget key')),
    ),
    list,
  );
  void api.listMailboxes(key).then(
    (boxes) => {
      if (boxes.length === 0) return replace(list, h('p', { class: 'muted' }, 'This key has no active mailboxes.'));
      const ul = h('ul', { class: 'rows' });
      for (const m of boxes) {
        const expiresAt = Date.now() + m.expires_in * 1000;
        ul.append(
          h(
            'li',
            { class: 'row' },
            h('a', { class: 'addr-link mono', href: `#/m/${encodeURIComponent(m.address)}` }, m.address),
            h('span', { class: 'muted small' }, `${m.message_count} message${m.message_count === 1 ? '' : 's'}`),
            ttlCell(expiresAt),
          ),
        );
      }
      replace(list, ul);
    },
    (err) => replace(list, h('p', { class: 'error' }, err instanceof ApiError && err.status === 401 ? 'This key was refused: check it, or forget it.' : `Could not list mailboxes: ${errorText(err)}`)),
  );
  return section;
}

export function render(view: HTMLElement): void {
  const create = h('button', { class: 'btn primary big', type: 'button', id: 'create-mailbox' }, 'Create a mailbox');
  create.addEventListener('click', () => void createAnonymous(create));
  replace(
    view,
    h(
      'section',
      { class: 'hero' },
      h('h1', { tabindex: -1, class: 'view-title' }, 'A mailbox in one click'),
      h('p', { class: 'lead' }, 'A real address that receives email over SMTP, shows it here the moment it lands, and expires on its own.'),
      create,
    ),
    savedSection(),
    keySection(),
  );
}
