/**
 * Turns a message's HTML into the `srcdoc` of a sandboxed iframe. Four layers, each meant to be
 * enough on its own to stop script:
 *  1. the iframe's sandbox has neither allow-scripts nor allow-same-origin (see message.ts);
 *  2. the document starts with its own Content-Security-Policy: `default-src 'none'`, inline
 *     styles, images only from data: until the reader asks for remote content;
 *  3. DOMPurify, a well-kept sanitiser, goes first: it knows the mutation-XSS tricks (markup that
 *     turns into a live element when parsed again: <svg>/<math> namespace confusion, <style> and
 *     comments read in another namespace) that a hand-written walk of one parse misses (#14);
 *  4. this cleaner then drops scripts, frames, plug-ins, <base>, <meta> (refresh), event-handler
 *     attributes and javascript:/data: links, and parks remote image URLs until consent (what
 *     DOMPurify does not decide: it allows remote images and knows nothing of cid: parts).
 * The HTML is parsed with DOMParser, which builds an inert document: nothing in it runs or loads.
 */
import DOMPurify from 'dompurify';

export interface FrameContent {
  srcdoc: string;
  /** remote resources (images, backgrounds, stylesheets) held back; 0 when none or allowed. */
  blockedRemote: number;
}

export interface FrameOptions {
  allowRemote: boolean;
  /** content-id (without <>) → data: URL of that inline attachment. */
  inline: Map<string, string>;
}

const DROP = new Set([
  'script', 'noscript', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'portal',
  'template', 'slot', 'dialog', 'title', 'param', 'audio', 'video', 'source', 'track', 'canvas', 'set', 'animate',
  'animatemotion', 'animatetransform', 'handler', 'listener', 'foreignobject',
]);

/** attributes whose value is a URL that a browser may fetch or follow. */
const URL_ATTRS = new Set(['href', 'src', 'xlink:href', 'action', 'formaction', 'background', 'poster', 'data', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'codebase', 'ping', 'manifest', 'usemap', 'srcset', 'imagesrcset']);

const REMOTE = /^(?:https?:)?\/\//i;
const CSS_URL = /url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3/gi;

/** the scheme of a URL as a browser would see it: controls and blanks inside are ignored. */
function scheme(url: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const m = /^([a-z][a-z0-9+.-]*):/.exec(cleaned);
  return m ? m[1]! : '';
}

function cleanCss(css: string, opts: FrameOptions, counter: { n: number }): string {
  return css.replace(CSS_URL, (whole, _q, url: string | undefined, _q2, imp: string | undefined) => {
    const target = (url ?? imp ?? '').trim();
    if (imp !== undefined) {
      counter.n++;
      return '';
    }
    if (target.toLowerCase().startsWith('cid:')) {
      const data = opts.inline.get(target.slice(4).replace(/^<|>$/g, ''));
      return data ? `url("${data}")` : 'none';
    }
    const s = scheme(target);
    if (s === 'data') return whole;
    if ((s === 'http' || s === 'https' || REMOTE.test(target)) && opts.allowRemote) return whole;
    if (s === 'http' || s === 'https' || REMOTE.test(target)) counter.n++;
    return 'none';
  });
}

function cleanSrcset(value: string, opts: FrameOptions, counter: { n: number }): string | null {
  const kept: string[] = [];
  for (const part of value.split(',')) {
    const url = part.trim().split(/\s+/)[0] ?? '';
    const s = scheme(url);
    if (s === 'data') kept.push(part.trim());
    else if (s === 'http' || s === 'https' || REMOTE.test(url)) {
      if (opts.allowRemote) kept.push(part.trim());
      else counter.n++;
    }
  }
  return kept.length ? kept.join(', ') : null;
}

function cleanElement(el: Element, opts: FrameOptions, counter: { n: number }): void {
  const tag = el.localName.toLowerCase();
  for (const attr of [...el.attributes]) {
    const name = attr.name.toLowerCase();
    const value = attr.value;
    if (name.startsWith('on') || name === 'formaction' || name === 'srcdoc' || name === 'is' || name === 'autofocus' || name === 'ping') {
      el.removeAttribute(attr.name);
      continue;
    }
    if (name === 'style') {
      el.setAttribute('style', cleanCss(value, opts, counter));
      continue;
    }
    if (name === 'srcset' || name === 'imagesrcset') {
      const v = cleanSrcset(value, opts, counter);
      if (v === null) el.removeAttribute(attr.name);
      else el.setAttribute(attr.name, v);
      continue;
    }
    if (!URL_ATTRS.has(name)) continue;
    const s = scheme(value);
    const isLink = name === 'href' || name === 'xlink:href';
    if (isLink && (tag === 'a' || tag === 'area')) {
      // followable links open in a new tab with no opener and no referrer; the rest are inert
      if (s === 'http' || s === 'https' || s === 'mailto' || s === 'tel') {
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer');
      } else if (!(value.startsWith('#') && s === '')) {
        el.removeAttribute(attr.name);
      }
      continue;
    }
    if (s === 'cid' && (name === 'src' || name === 'background')) {
      const data = opts.inline.get(value.trim().slice(4).replace(/^<|>$/g, ''));
      if (data) el.setAttribute(attr.name, data);
      else el.removeAttribute(attr.name);
      continue;
    }
    if (s === 'data' && tag === 'img' && name === 'src' && /^\s*data:image\//i.test(value)) continue;
    if ((s === 'http' || s === 'https' || (s === '' && REMOTE.test(value.trim()))) && (name === 'src' || name === 'background' || name === 'poster')) {
      if (opts.allowRemote) continue;
      counter.n++;
      el.removeAttribute(attr.name);
      el.setAttribute('data-inboxd-blocked', '');
      continue;
    }
    // anything else (relative URLs would resolve against the app's origin, javascript:, form targets…)
    el.removeAttribute(attr.name);
  }
}

export function buildFrame(html: string, opts: FrameOptions): FrameContent {
  // the whole document, so <style> in <head> survives; what DROP names goes with its content
  const purified = DOMPurify.sanitize(html, { WHOLE_DOCUMENT: true, FORBID_TAGS: [...DROP] });
  const doc = new DOMParser().parseFromString(purified, 'text/html');
  const counter = { n: 0 };
  for (const el of [...doc.querySelectorAll('*')]) {
    if (DROP.has(el.localName.toLowerCase())) el.remove();
  }
  for (const el of doc.querySelectorAll('*')) cleanElement(el, opts, counter);
  for (const style of doc.querySelectorAll('style')) style.textContent = cleanCss(style.textContent ?? '', opts, counter);

  const img = opts.allowRemote ? 'data: https: http:' : 'data:';
  const csp = `default-src 'none'; img-src ${img}; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'`;
  const headStyles = [...doc.head.querySelectorAll('style')].map((s) => s.outerHTML).join('');
  const srcdoc =
    '<!doctype html><html><head>' +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    '<meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light">' +
    '<style>html{background:#fff;color:#111}body{margin:12px;font:15px/1.5 system-ui,sans-serif;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>' +
    headStyles +
    '</head>' +
    doc.body.outerHTML +
    '</html>';
  return { srcdoc, blockedRemote: opts.allowRemote ? 0 : counter.n };
}
