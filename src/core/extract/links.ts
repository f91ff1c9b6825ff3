/**
 * Links pulled out of a message (DESIGN "Delivery rules" 4): bare http(s) URLs in the text body
 * and `<a href>` targets in the HTML body, with their anchor text. Never fetches anything.
 */
import type { ExtractedLink } from '../types.js';
import { KIND, walkHtml, type WalkHandlers } from './html-walk.js';
import { MAX_LINKS, MAX_SCAN_CHARS } from './limits.js';

// Stops at whitespace, quotes and angle brackets (how URLs are delimited in plain text, RFC 3986
// appendix C); one bounded character class, so linear.
const TEXT_URL = /\bhttps?:\/\/[^\s<>"'`{}|\\^]{1,4096}/gi;

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*', '_', '~']);

/**
 * Trims sentence punctuation and unbalanced closing brackets off a URL found in prose
 * ("(see https://x.example/a)." → https://x.example/a). Bracket counts are taken once and
 * updated as characters are dropped, so this is linear in the URL.
 */
function trimUrl(url: string): string {
  const balance: Record<string, number> = { ')': 0, ']': 0, '}': 0 };
  for (const ch of url) {
    if (ch in CLOSERS) balance[ch]!++;
    else if (ch === '(') balance[')']!--;
    else if (ch === '[') balance[']']!--;
    else if (ch === '{') balance['}']!--;
  }
  let end = url.length;
  while (end > 0) {
    const ch = url[end - 1]!;
    if (TRAILING.has(ch)) end--;
    else if (ch in CLOSERS && balance[ch]! > 0) {
      balance[ch]!--;
      end--;
    } else break;
  }
  return url.slice(0, end);
}

const BREAKS = /[\t\r\n]/;
const BREAKS_ALL = /[\t\r\n]/g;
// runs of white space other than a single space (replacing each space with itself is costly)
const RUNS_OF_SPACE = /\s{2,}|[^\S ]/g;

/** the href as a browser would follow it, if it is an absolute http(s) URL; null otherwise. */
function normaliseHref(href: string): string | null {
  // browsers strip tabs and newlines anywhere in a URL, and spaces at either end (WHATWG URL)
  const u = (BREAKS.test(href) ? href.replace(BREAKS_ALL, '') : href).trim();
  if (!/^https?:\/\//i.test(u) || u.length > 8192) return null;
  return u;
}

/**
 * walker handlers that collect `<a href>` targets of an HTML body with their anchor text, and
 * `result()` to read them once the walk ends (see {@link extractLinks}).
 */
export function linkCollector(): { handlers: WalkHandlers; result(): { url: string; text: string | null }[] } {
  const found: { url: string; text: string | null }[] = [];
  let current: { url: string | null; text: string[]; alt: string | null } | null = null;
  const finish = (): void => {
    if (current?.url) {
      const text = (current.text.length === 1 ? current.text[0]! : current.text.join('')).replace(RUNS_OF_SPACE, ' ').trim() || current.alt?.trim() || null;
      found.push({ url: current.url, text });
    }
    current = null;
  };
  return {
    handlers: {
      text(s) {
        if (current && current.text.length < 200) current.text.push(s);
      },
      tag(tag) {
        if (tag.name === 'a') {
          finish();
          if (!tag.end) {
            const href = tag.attr('href');
            current = { url: href === undefined ? null : normaliseHref(href), text: [], alt: null };
          }
        } else if (tag.name === 'img' && current && current.alt === null) {
          current.alt = tag.attr('alt') ?? null;
        } else if (current && (tag.name === 'br' || tag.kind & (KIND.block1 | KIND.block2 | KIND.cell))) {
          current.text.push(' ');
        }
      },
    },
    result() {
      finish();
      return found;
    },
  };
}

/**
 * Extracts http(s) links: bare URLs from the text body (text: null) and `<a href>` targets from
 * the HTML body with their anchor text (or the alt text of an image inside the anchor). Skips
 * non-web schemes (`mailto:`, `javascript:`, `data:`, `cid:`, relative links), image sources
 * (a tracking pixel is not a link) and anything inside hidden elements. One entry per
 * (url, source), in order of appearance, at most {@link MAX_LINKS}. Never fetches anything.
 * `htmlLinks`, when given, are the anchors a walk already collected ({@link linkCollector}), so
 * the HTML body is not walked again.
 */
export function extractLinks(input: { text: string | null; html: string | null; htmlLinks?: { url: string; text: string | null }[] }): ExtractedLink[] {
  const links: ExtractedLink[] = [];
  // one map per source, keyed by the URL itself (no concatenated key to build and hash)
  const seen = { text: new Map<string, ExtractedLink>(), html: new Map<string, ExtractedLink>() };
  const add = (url: string, text: string | null, source: 'text' | 'html'): void => {
    const existing = seen[source].get(url);
    if (existing) {
      if (existing.text === null && text) existing.text = text;
      return;
    }
    if (links.length >= MAX_LINKS) return;
    const link: ExtractedLink = { url, text, source };
    seen[source].set(url, link);
    links.push(link);
  };

  if (input.text) {
    const text = input.text.slice(0, MAX_SCAN_CHARS);
    TEXT_URL.lastIndex = 0;
    for (let m = TEXT_URL.exec(text); m && links.length < MAX_LINKS; m = TEXT_URL.exec(text)) {
      const url = trimUrl(m[0]);
      if (/^https?:\/\/[^/?#\s]/i.test(url)) add(url, null, 'text');
    }
  }

  let anchors = input.htmlLinks;
  if (!anchors && input.html) {
    const collector = linkCollector();
    walkHtml(input.html.slice(0, MAX_SCAN_CHARS), collector.handlers);
    anchors = collector.result();
  }
  for (const a of anchors ?? []) add(a.url, a.text, 'html');
  return links;
}
