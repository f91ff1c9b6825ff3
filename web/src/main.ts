/**
 * Inboxd's web inbox. Routes live in the hash, so the server serves one page:
 *   #/                      home
 *   #/m/{address}           an inbox
 *   #/m/{address}/{id}      an inbox with a message open
 *   #/all                   All mail: what catch-all caught, live
 *   #/search/{query}        search every mailbox this browser can read
 */
import './style.css';
import { h, replace } from './dom';
import { AllMail, NO_CREDENTIALS, openCaught } from './all-mail';
import { render as renderHome } from './home';
import { SEARCH_HELP, SearchView } from './search';
import { credFor, Inbox } from './inbox';
import { timeLeft, timeLeftWords } from './util';

const view = document.getElementById('view') as HTMLElement;
let inbox: Inbox | null = null;
let allMail: AllMail | null = null;
let search: SearchView | null = null;
const searchForm = document.getElementById('search-form') as HTMLFormElement;
const searchInput = document.getElementById('search-input') as HTMLInputElement;

function parseRoute(): { address: string | null; id: string | null } {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  if (parts[0] === 'm' && parts[1]) return { address: parts[1].toLowerCase(), id: parts[2] ?? null };
  return { address: null, id: null };
}

function route(): void {
  // the skip link and other in-page anchors are not routes
  if (location.hash && !location.hash.startsWith('#/')) return;
  allMail?.dispose();
  allMail = null;
  search?.dispose();
  search = null;
  if (location.hash.startsWith('#/search/')) {
    inbox?.dispose();
    inbox = null;
    let query = '';
    try {
      query = decodeURIComponent(location.hash.slice('#/search/'.length));
    } catch {
      // a hand-typed hash that is not valid percent-encoding searches for nothing
    }
    searchInput.value = query;
    document.title = `${query} · Search · Inboxd`;
    search = new SearchView(query);
    search.mount(view);
    focusTitle();
    return;
  }
  if (location.hash === '#/all') {
    inbox?.dispose();
    inbox = null;
    document.title = 'All mail · Inboxd';
    allMail = new AllMail();
    allMail.mount(view);
    focusTitle();
    return;
  }
  const { address, id } = parseRoute();
  if (!address) {
    inbox?.dispose();
    inbox = null;
    document.title = 'Inboxd';
    renderHome(view);
    focusTitle();
    return;
  }
  if (!inbox || inbox.address !== address) {
    inbox?.dispose();
    inbox = null;
    const cred = credFor(address) ?? (openCaught(address) ? NO_CREDENTIALS : null);
    if (!cred) {
      replace(
        view,
        h(
          'section',
          { class: 'card' },
          h('h1', { class: 'view-title', tabindex: -1 }, 'No access'),
          h('p', {}, `This browser holds no session token for ${address}, and no API key is set.`),
          h('a', { class: 'btn', href: '#/' }, 'Home'),
        ),
      );
      focusTitle();
      return;
    }
    inbox = new Inbox(address, cred);
    inbox.mount(view);
    focusTitle();
  }
  inbox.show(id);
}

function focusTitle(): void {
  view.querySelector<HTMLElement>('.view-title')?.focus({ preventScroll: true });
}

// one ticker for every countdown on screen
window.setInterval(() => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-expires-at]')) {
    const left = Number(el.dataset.expiresAt) - Date.now();
    el.textContent = timeLeft(left);
    el.title = timeLeftWords(left);
    el.classList.toggle('soon', left < 5 * 60_000);
  }
}, 1000);

document.querySelector('.skip')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  view.focus();
});
searchInput.title = SEARCH_HELP;
searchForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = searchInput.value.trim();
  const target = `#/search/${encodeURIComponent(q)}`;
  // the same search again runs again
  if (location.hash === target) route();
  else location.hash = target;
});
window.addEventListener('hashchange', route);
route();
