/**
 * A forgiving, single-pass HTML walker for mail templates: reports visible text (entities
 * decoded) and visible tags to handlers, skipping what a mail client never shows (head, scripts,
 * styles, comments, hidden elements, camouflaged text). Several handlers can share one walk
 * ({@link walkHtml} takes a list), so a large body is tokenised once per message. Linear on any
 * input.
 */
import { backgroundOf, camouflaged, type Colour, declarations, foregroundOf, stylesheetPaints } from './colours.js';
import { decodeEntities } from './entities.js';

// Content of these is never shown by a mail client.
const DROPPED = new Set(['head', 'title', 'template', 'script', 'style']);
// Raw-text elements: their content is not markup, so it is skipped to the matching end tag.
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
// Elements that end the line they are on; the value is how many line breaks they stand for.
export const BLOCK = new Map<string, number>([
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'ul', 'ol', 'pre', 'hr'].map(
    (t): [string, number] => [t, 2],
  ),
  ...['div', 'tr', 'li', 'dt', 'dd', 'dl', 'section', 'article', 'header', 'footer', 'center', 'address', 'form',
    'tbody', 'thead', 'tfoot', 'caption', 'nav', 'main', 'aside', 'figure', 'figcaption', 'body', 'html'].map(
    (t): [string, number] => [t, 1],
  ),
]);
export const CELL = new Set(['td', 'th']);
// Start tags that implicitly close an open sibling of the same kind (<li>a<li>b, <td>a<td>b).
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'td', 'th', 'tr', 'dt', 'dd', 'option']);
const MAX_ATTRIBUTES = 64;

// A whitespace-stripped, lower-cased style attribute hides its element when it says any of these.
// `font-size:0` is matched with an explicit end so `font-size:0.9em` or `font-size:08px` is not.
const HIDING_STYLE = /(?:^|[;{"'])(?:display:none|visibility:hidden|mso-hide:all|(?:font-size|opacity):0+(?:\.0+)?(?:px|pt|em|rem|%)?(?:!important)?(?:;|$))/;
// A box clipped to nothing (the preheader trick `max-height:0;overflow:hidden`) or pushed far off
// screen hides its text as surely as display:none.
const ZERO_BOX = /(?:^|;)(?:max-)?(?:height|width):0+(?:px)?(?:!important)?(?:;|$)/;
const PAINTS = /color|background/i;
const MAY_HIDE = /none|hidden|mso|0|-/i;
const OFF_SCREEN = /(?:^|;)(?:text-indent|left|top|margin-left|margin-top):-\d{3,}/;

export interface Tag {
  name: string;
  end: boolean;
  selfClosing: boolean;
  attrs: Map<string, string>;
}

export interface WalkHandlers {
  /** visible text, entities already decoded, whitespace as written. */
  text(s: string, pre: boolean): void;
  /** a visible start or end tag. */
  tag(tag: Tag): void;
}

function isHidden(attrs: Map<string, string>): boolean {
  if (attrs.has('hidden')) return true;
  const style = attrs.get('style');
  // every hiding rule says none, hidden, mso-hide, a zero or a negative offset: most styles say none of these
  if (!style || !MAY_HIDE.test(style)) return false;
  const s = style.toLowerCase().replace(/\s+/g, '');
  if (HIDING_STYLE.test(s) || OFF_SCREEN.test(s)) return true;
  return s.includes('overflow:hidden') && ZERO_BOX.test(s);
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

/**
 * A forgiving, single-pass HTML walker: good enough for mail templates, linear on anything.
 * Tracks an element stack only to know what is hidden; an end tag with no open element of that
 * name is ignored, and counts per name keep that check O(1) so deep nesting stays linear.
 */
export function walkHtml(html: string, on: WalkHandlers): void {
  const stack: { name: string; hidden: boolean; fg: Colour; bg: Colour }[] = [];
  const open = new Map<string, number>();
  let hiddenDepth = 0;
  let preDepth = 0;
  const len = html.length;
  let pos = 0;
  // a mail client paints black on white unless told otherwise; a stylesheet that sets
  // backgrounds or colours makes classed elements' colours unknown (see backgroundOf)
  const styled = stylesheetPaints(html);
  const colours = (): { fg: Colour; bg: Colour } => stack[stack.length - 1] ?? { fg: 0x000000, bg: 0xffffff };
  const showText = (): boolean => hiddenDepth === 0 && !camouflaged(colours().fg, colours().bg);

  const push = (name: string, hidden: boolean, attrs?: Map<string, string>): void => {
    const parent = colours();
    let fg = parent.fg;
    let bg = parent.bg;
    if (attrs && attrs.size > 0) {
      const style = attrs.get('style');
      // only colours matter here; a style that names none (padding, fonts) is not parsed
      const decls = style && PAINTS.test(style) ? declarations(style) : null;
      bg = backgroundOf(attrs, decls, parent.bg, styled);
      fg = foregroundOf(name, attrs, decls, parent.fg, styled);
    }
    stack.push({ name, hidden, fg, bg });
    open.set(name, (open.get(name) ?? 0) + 1);
    if (hidden) hiddenDepth++;
    if (name === 'pre') preDepth++;
  };
  const pop = (): void => {
    const top = stack.pop();
    if (!top) return;
    open.set(top.name, (open.get(top.name) ?? 1) - 1);
    if (top.hidden) hiddenDepth--;
    if (top.name === 'pre') preDepth--;
  };
  const closeTo = (name: string): void => {
    if (!open.get(name)) return;
    for (;;) {
      const top = stack[stack.length - 1];
      pop();
      if (!top || top.name === name) return;
    }
  };

  while (pos < len) {
    const lt = html.indexOf('<', pos);
    const textEnd = lt < 0 ? len : lt;
    if (textEnd > pos) {
      if (showText()) on.text(decodeEntities(html.slice(pos, textEnd)), preDepth > 0);
      pos = textEnd;
      if (lt < 0) break;
    }
    // pos is at '<'
    if (html.startsWith('<!--', pos)) {
      const close = html.indexOf('-->', pos + 4);
      pos = close < 0 ? len : close + 3;
      continue;
    }
    const next = html.charCodeAt(pos + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      const close = html.indexOf('>', pos + 2);
      pos = close < 0 ? len : close + 1;
      continue;
    }
    const isEnd = next === 0x2f; /* / */
    const nameStart = pos + (isEnd ? 2 : 1);
    if (!isNameStart(html.charCodeAt(nameStart))) {
      // a lone '<' is text
      if (showText()) on.text('<', preDepth > 0);
      pos++;
      continue;
    }
    const tag = readTag(html, nameStart, isEnd);
    pos = tag.next;

    if (tag.end) {
      if (VOID.has(tag.name)) {
        // `</br>` is treated as `<br>` by browsers
        if (hiddenDepth === 0 && tag.name === 'br') on.tag({ ...tag, end: false });
        continue;
      }
      const visible = hiddenDepth === 0;
      closeTo(tag.name);
      if (visible) on.tag(tag);
      continue;
    }

    // <body> implies </head>, which many templates never write
    if (tag.name === 'body') closeTo('head');
    if (SELF_CLOSING_SIBLINGS.has(tag.name)) {
      const top = stack[stack.length - 1];
      if (top && (top.name === tag.name || (CELL.has(tag.name) && CELL.has(top.name)))) pop();
    }

    const hidden = DROPPED.has(tag.name) || isHidden(tag.attrs);
    if (hiddenDepth === 0 && !hidden) on.tag(tag);

    if (RAW_TEXT.has(tag.name) && !tag.selfClosing) {
      // skip raw text up to the matching end tag, whatever it contains
      const endRe = rawTextEnd(tag.name);
      endRe.lastIndex = pos;
      const m = endRe.exec(html);
      const rawEnd = m ? m.index : len;
      if (!hidden && showText()) on.text(decodeEntities(html.slice(pos, rawEnd)), false);
      if (!m) break;
      const gt = html.indexOf('>', rawEnd);
      pos = gt < 0 ? len : gt + 1;
      continue;
    }
    if (!VOID.has(tag.name) && !tag.selfClosing) push(tag.name, hidden, tag.attrs);
  }
}

const rawTextEnds = new Map<string, RegExp>();
function rawTextEnd(name: string): RegExp {
  let re = rawTextEnds.get(name);
  if (!re) {
    re = new RegExp(`</${name}[\\s/>]`, 'gi');
    rawTextEnds.set(name, re);
  }
  return re;
}

/** reads a tag whose name starts at `start`; returns it and the position after its `>`. */
function readTag(html: string, start: number, end: boolean): Tag & { next: number } {
  const len = html.length;
  let p = start;
  while (p < len) {
    const c = html.charCodeAt(p);
    if (isSpace(c) || c === 0x2f || c === 0x3e) break;
    p++;
  }
  const name = html.slice(start, p).toLowerCase();
  const attrs = new Map<string, string>();
  let selfClosing = false;
  while (p < len) {
    let c = html.charCodeAt(p);
    if (c === 0x3e /* > */) {
      p++;
      return { name, end, selfClosing, attrs, next: p };
    }
    if (isSpace(c)) {
      p++;
      continue;
    }
    if (c === 0x2f /* / */) {
      selfClosing = html.charCodeAt(p + 1) === 0x3e;
      p++;
      continue;
    }
    // attribute name
    const an = p;
    while (p < len) {
      c = html.charCodeAt(p);
      if (isSpace(c) || c === 0x3d || c === 0x3e || (c === 0x2f && p > an)) break;
      p++;
    }
    if (p === an) p++; // a stray character such as '=' or a quote: step over it
    const attrName = html.slice(an, p).toLowerCase();
    while (p < len && isSpace(html.charCodeAt(p))) p++;
    let value = '';
    if (html.charCodeAt(p) === 0x3d /* = */) {
      p++;
      while (p < len && isSpace(html.charCodeAt(p))) p++;
      const q = html.charCodeAt(p);
      if (q === 0x22 || q === 0x27) {
        const close = html.indexOf(q === 0x22 ? '"' : "'", p + 1);
        const vEnd = close < 0 ? len : close;
        value = html.slice(p + 1, vEnd);
        p = close < 0 ? len : close + 1;
      } else {
        const vs = p;
        while (p < len) {
          c = html.charCodeAt(p);
          if (isSpace(c) || c === 0x3e) break;
          p++;
        }
        value = html.slice(vs, p);
      }
    }
    if (attrName && attrs.size < MAX_ATTRIBUTES && !attrs.has(attrName)) {
      attrs.set(attrName, decodeEntities(value, true));
    }
  }
  return { name, end, selfClosing, attrs, next: len };
}
