/**
 * Verification codes and links pulled out of a message (DESIGN "Delivery rules" 4), plus the
 * HTML-to-text rendering they are read from. Pure and synchronous: it runs inside the parser
 * worker, never fetches anything (Inboxd never requests a link it extracts), and every scan is
 * linear in its input — hand-written tokenizers and regexes without nested quantifiers — because
 * the input is whatever a stranger chose to send. Inputs are capped at {@link MAX_SCAN_CHARS}
 * per body and outputs at {@link MAX_CODES} / {@link MAX_LINKS}.
 */
import type { ContentSource, ExtractedCode, ExtractedLink } from './types.js';

/** how much of each body (in UTF-16 code units) the extractors look at. */
export const MAX_SCAN_CHARS = 1024 * 1024;
/** most codes returned for one message. */
export const MAX_CODES = 20;
/** most links returned for one message. */
export const MAX_LINKS = 200;

// ---------------------------------------------------------------------------------------------
// HTML entities
// ---------------------------------------------------------------------------------------------

// The HTML 4 Latin-1 entities, in code point order from U+00A0: compact, and it covers what mail
// templates actually use. Anything unknown is left as written, which is still readable.
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn ' +
  'sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave ' +
  'Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN ' +
  'szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute ' +
  'icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml';

const ENTITIES = new Map<string, string>([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['hellip', '\u2026'],
  ['mdash', '\u2014'],
  ['ndash', '\u2013'],
  ['lsquo', '\u2018'],
  ['rsquo', '\u2019'],
  ['sbquo', '\u201a'],
  ['ldquo', '\u201c'],
  ['rdquo', '\u201d'],
  ['bdquo', '\u201e'],
  ['lsaquo', '\u2039'],
  ['rsaquo', '\u203a'],
  ['bull', '\u2022'],
  ['euro', '\u20ac'],
  ['trade', '\u2122'],
  ['dagger', '\u2020'],
  ['Dagger', '\u2021'],
  ['permil', '\u2030'],
  ['prime', '\u2032'],
  ['Prime', '\u2033'],
  ['OElig', '\u0152'],
  ['oelig', '\u0153'],
  ['Scaron', '\u0160'],
  ['scaron', '\u0161'],
  ['Yuml', '\u0178'],
  ['fnof', '\u0192'],
  ['circ', '\u02c6'],
  ['tilde', '\u02dc'],
  ['ensp', '\u2002'],
  ['emsp', '\u2003'],
  ['thinsp', '\u2009'],
  ['zwnj', '\u200c'],
  ['zwj', '\u200d'],
  ['lrm', '\u200e'],
  ['rlm', '\u200f'],
  ['larr', '\u2190'],
  ['uarr', '\u2191'],
  ['rarr', '\u2192'],
  ['darr', '\u2193'],
  ['harr', '\u2194'],
  ['check', '\u2713'],
  ...LATIN1_NAMES.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
]);

// Browsers also accept these without the semicolon (legacy references); senders rely on it.
const LEGACY_NO_SEMICOLON = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg', 'AMP', 'LT', 'GT', 'QUOT']);

// Bounded repetitions only, so the engine never backtracks more than a few dozen characters.
const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}))(;?)/g;

/** decodes HTML character references; unknown names stay as written. */
function decodeEntities(s: string, inAttribute = false): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined, semi: string) => {
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
      // WHATWG: NUL, surrogates and out-of-range code points become U+FFFD
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    }
    if (!semi && (inAttribute || !LEGACY_NO_SEMICOLON.has(name!))) return whole;
    const ch = ENTITIES.get(name!) ?? ENTITIES.get(name!.toLowerCase());
    return ch ?? whole;
  });
}

// ---------------------------------------------------------------------------------------------
// HTML walking (shared by htmlToText and link extraction)
// ---------------------------------------------------------------------------------------------

// Content of these is never shown by a mail client.
const DROPPED = new Set(['head', 'title', 'template', 'script', 'style']);
// Raw-text elements: their content is not markup, so it is skipped to the matching end tag.
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
// Elements that end the line they are on; the value is how many line breaks they stand for.
const BLOCK = new Map<string, number>([
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'ul', 'ol', 'pre', 'hr'].map(
    (t): [string, number] => [t, 2],
  ),
  ...['div', 'tr', 'li', 'dt', 'dd', 'dl', 'section', 'article', 'header', 'footer', 'center', 'address', 'form',
    'tbody', 'thead', 'tfoot', 'caption', 'nav', 'main', 'aside', 'figure', 'figcaption', 'body', 'html'].map(
    (t): [string, number] => [t, 1],
  ),
]);
const CELL = new Set(['td', 'th']);
// Start tags that implicitly close an open sibling of the same kind (<li>a<li>b, <td>a<td>b).
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'td', 'th', 'tr', 'dt', 'dd', 'option']);
const MAX_ATTRIBUTES = 64;

// A whitespace-stripped, lower-cased style attribute hides its element when it says any of these.
// `font-size:0` is matched with an explicit end so `font-size:0.9em` or `font-size:08px` is not.
const HIDING_STYLE = /(?:^|[;{"'])(?:display:none|visibility:hidden|mso-hide:all|(?:font-size|opacity):0+(?:\.0+)?(?:px|pt|em|rem|%)?(?:!important)?(?:;|$))/;
// A box clipped to nothing (the preheader trick `max-height:0;overflow:hidden`) or pushed far off
// screen hides its text as surely as display:none.
const ZERO_BOX = /(?:^|;)(?:max-)?(?:height|width):0+(?:px)?(?:!important)?(?:;|$)/;
const OFF_SCREEN = /(?:^|;)(?:text-indent|left|top|margin-left|margin-top):-\d{3,}/;

interface Tag {
  name: string;
  end: boolean;
  selfClosing: boolean;
  attrs: Map<string, string>;
}

interface WalkHandlers {
  /** visible text, entities already decoded, whitespace as written. */
  text(s: string, pre: boolean): void;
  /** a visible start or end tag. */
  tag(tag: Tag): void;
}

function isHidden(attrs: Map<string, string>): boolean {
  if (attrs.has('hidden')) return true;
  const style = attrs.get('style');
  if (!style) return false;
  const s = style.toLowerCase().replace(/\s+/g, '');
  if (HIDING_STYLE.test(s) || OFF_SCREEN.test(s)) return true;
  return s.includes('overflow:hidden') && ZERO_BOX.test(s);
}

// ---------------------------------------------------------------------------------------------
// Colours: text drawn in (nearly) the colour of its background is invisible to a reader, the
// classic hiding place for instructions aimed at a model reading the mail (white on white).
// Only inline colours are known (style, bgcolor, <font color>); anything else is "unknown" and
// never hides text, so a template styled by a stylesheet keeps its text.
// ---------------------------------------------------------------------------------------------

/** 0xRRGGBB; UNKNOWN when it cannot be told from inline markup; TRANSPARENT for invisible ink. */
type Colour = number;
const UNKNOWN = -1;
const TRANSPARENT = -2;

const NAMED_COLOURS = new Map<string, number>([
  ['white', 0xffffff], ['black', 0x000000], ['snow', 0xfffafa], ['ivory', 0xfffff0], ['whitesmoke', 0xf5f5f5],
  ['ghostwhite', 0xf8f8ff], ['floralwhite', 0xfffaf0], ['seashell', 0xfff5ee], ['mintcream', 0xf5fffa],
  ['azure', 0xf0ffff], ['aliceblue', 0xf0f8ff], ['honeydew', 0xf0fff0], ['linen', 0xfaf0e6], ['oldlace', 0xfdf5e6],
  ['red', 0xff0000], ['green', 0x008000], ['blue', 0x0000ff], ['yellow', 0xffff00], ['gray', 0x808080],
  ['grey', 0x808080], ['silver', 0xc0c0c0], ['navy', 0x000080], ['maroon', 0x800000], ['purple', 0x800080],
  ['teal', 0x008080], ['olive', 0x808000], ['lime', 0x00ff00], ['aqua', 0x00ffff], ['fuchsia', 0xff00ff],
  ['orange', 0xffa500],
]);

/** one CSS colour value; UNKNOWN for anything not understood (currentColor, var(), hsl()). */
function parseColour(value: string): Colour {
  const v = value.trim().toLowerCase().replace(/\s*!important$/, '');
  if (v === 'transparent') return TRANSPARENT;
  const named = NAMED_COLOURS.get(v);
  if (named !== undefined) return named;
  let m = /^#([0-9a-f]{3,8})$/.exec(v);
  if (m) {
    const h = m[1]!;
    if (h.length === 3 || h.length === 4) {
      if (h.length === 4 && h[3] === '0') return TRANSPARENT;
      return Number.parseInt(h[0]! + h[0] + h[1] + h[1] + h[2] + h[2], 16);
    }
    if (h.length === 6) return Number.parseInt(h, 16);
    if (h.length === 8) return h.slice(6) === '00' ? TRANSPARENT : Number.parseInt(h.slice(0, 6), 16);
    return UNKNOWN;
  }
  m = /^rgba?\(\s*(\d{1,3})\s*[,\s]\s*(\d{1,3})\s*[,\s]\s*(\d{1,3})\s*(?:[,/]\s*([\d.]{1,8})(%?)\s*)?\)$/.exec(v);
  if (m) {
    if (m[4] !== undefined && Number(m[4]) === 0) return TRANSPARENT;
    const [r, g, b] = [m[1], m[2], m[3]].map((x) => Math.min(255, Number(x)));
    return (r! << 16) | (g! << 8) | b!;
  }
  return UNKNOWN;
}

/** the declarations of a style attribute, last one winning (bounded by the attribute's length). */
function declarations(style: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of style.split(';')) {
    const colon = part.indexOf(':');
    if (colon > 0) out.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim());
  }
  return out;
}

/** the background an element paints: its own colour, the parent's (transparent), or UNKNOWN (an image). */
function backgroundOf(attrs: Map<string, string>, decls: Map<string, string> | null, parent: Colour, styled: boolean): Colour {
  let bg = parent;
  const attr = attrs.get('bgcolor');
  if (attr !== undefined) {
    const c = parseColour(attr);
    bg = c === TRANSPARENT ? bg : c;
  }
  if (attrs.has('background')) bg = UNKNOWN;
  if (decls) {
    const shorthand = decls.get('background');
    if (shorthand !== undefined) {
      const lower = shorthand.toLowerCase();
      if (/url\(|gradient\(|image-set\(|var\(/.test(lower)) bg = UNKNOWN;
      else {
        // the colour is whichever token of the shorthand parses as one
        const tokens = lower.replace(/\s*!important$/, '').match(/[a-z]+\([^)]{0,80}\)|#[0-9a-f]{3,8}|[a-z]+/g) ?? [];
        for (const t of tokens) {
          const c = parseColour(t);
          if (c !== UNKNOWN) {
            bg = c === TRANSPARENT ? bg : c;
            break;
          }
        }
      }
    }
    const colour = decls.get('background-color');
    if (colour !== undefined) {
      const c = parseColour(colour);
      bg = c === TRANSPARENT ? bg : c;
    }
    if (decls.has('background-image') && !/^none/i.test(decls.get('background-image')!)) bg = UNKNOWN;
  }
  // a stylesheet may paint any classed element: its background is not known from the markup
  if (styled && bg === parent && (attrs.has('class') || attrs.has('id'))) bg = UNKNOWN;
  return bg;
}

function foregroundOf(name: string, attrs: Map<string, string>, decls: Map<string, string> | null, parent: Colour, styled: boolean): Colour {
  let fg = parent;
  const attr = name === 'font' ? attrs.get('color') : name === 'body' ? attrs.get('text') : undefined;
  if (attr !== undefined) fg = parseColour(attr);
  const colour = decls?.get('color');
  if (colour !== undefined) fg = parseColour(colour);
  if (styled && fg === parent && (attrs.has('class') || attrs.has('id'))) fg = UNKNOWN;
  return fg;
}

/** true when a <style> block sets backgrounds or colours (one pass over the document). */
function stylesheetPaints(html: string): boolean {
  const lower = html.slice(0, MAX_SCAN_CHARS).toLowerCase();
  for (let at = lower.indexOf('<style'); at >= 0; ) {
    const end = lower.indexOf('</style', at);
    const css = lower.slice(at, end < 0 ? lower.length : end);
    if (css.includes('background') || css.includes('color')) return true;
    if (end < 0) return false;
    at = lower.indexOf('<style', end);
  }
  return false;
}

function luminance(c: number): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin((c >> 16) & 0xff) + 0.7152 * lin((c >> 8) & 0xff) + 0.0722 * lin(c & 0xff);
}

/** true when text in `fg` on `bg` cannot be read: transparent ink, or a contrast ratio under 1.2. */
function camouflaged(fg: Colour, bg: Colour): boolean {
  if (fg === TRANSPARENT) return true;
  if (fg === UNKNOWN || bg === UNKNOWN) return false;
  const [a, b] = [luminance(fg), luminance(bg)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < 1.2;
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
function walkHtml(html: string, on: WalkHandlers): void {
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
      const decls = style ? declarations(style) : null;
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

/**
 * Renders HTML as readable plain text: drops `<head>`, `<script>`, `<style>`, comments, elements
 * hidden with `display:none`, `visibility:hidden`, `opacity:0`, `font-size:0`, a zero-size
 * clipped box, an off-screen offset or the `hidden` attribute (the preheader and tracking junk of
 * mail templates), and text drawn in its background's colour (white on white: text no reader
 * sees, but a model would); decodes entities; turns block
 * elements into line breaks and table cells into spaced columns.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  walkHtml(html, {
    text(s, pre) {
      out.push(pre ? s : s.replace(/[ \t\r\n\f\u00a0]+/g, ' '));
    },
    tag(tag) {
      if (tag.name === 'br') {
        out.push('\n');
        return;
      }
      if (CELL.has(tag.name)) {
        // cells of a row read left to right on one line
        out.push(' ');
        return;
      }
      if (tag.name === 'li' && !tag.end) {
        out.push('\n- ');
        return;
      }
      const breaks = BLOCK.get(tag.name);
      if (breaks) out.push(breaks === 2 ? '\n\n' : '\n');
    },
  });
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

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

/** the href as a browser would follow it, if it is an absolute http(s) URL; null otherwise. */
function normaliseHref(href: string): string | null {
  // browsers strip tabs and newlines anywhere in a URL, and spaces at either end (WHATWG URL)
  const u = href.replace(/[\t\r\n]/g, '').trim();
  if (!/^https?:\/\//i.test(u) || u.length > 8192) return null;
  return u;
}

/**
 * Extracts http(s) links: bare URLs from the text body (text: null) and `<a href>` targets from
 * the HTML body with their anchor text (or the alt text of an image inside the anchor). Skips
 * non-web schemes (`mailto:`, `javascript:`, `data:`, `cid:`, relative links), image sources
 * (a tracking pixel is not a link) and anything inside hidden elements. One entry per
 * (url, source), in order of appearance, at most {@link MAX_LINKS}. Never fetches anything.
 */
export function extractLinks(input: { text: string | null; html: string | null }): ExtractedLink[] {
  const links: ExtractedLink[] = [];
  const seen = new Map<string, ExtractedLink>();
  const add = (url: string, text: string | null, source: 'text' | 'html'): void => {
    const key = `${source} ${url}`;
    const existing = seen.get(key);
    if (existing) {
      if (existing.text === null && text) existing.text = text;
      return;
    }
    if (links.length >= MAX_LINKS) return;
    const link: ExtractedLink = { url, text, source };
    seen.set(key, link);
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

  if (input.html) {
    let current: { url: string | null; text: string[]; alt: string | null } | null = null;
    const finish = (): void => {
      if (current?.url) {
        const text = current.text.join('').replace(/\s+/g, ' ').trim() || current.alt?.trim() || null;
        add(current.url, text, 'html');
      }
      current = null;
    };
    walkHtml(input.html.slice(0, MAX_SCAN_CHARS), {
      text(s) {
        if (current && current.text.length < 200) current.text.push(s);
      },
      tag(tag) {
        if (tag.name === 'a') {
          finish();
          if (!tag.end) {
            const href = tag.attrs.get('href');
            current = { url: href === undefined ? null : normaliseHref(href), text: [], alt: null };
          }
        } else if (tag.name === 'img' && current && current.alt === null) {
          current.alt = tag.attrs.get('alt') ?? null;
        } else if (current && (tag.name === 'br' || BLOCK.has(tag.name) || CELL.has(tag.name))) {
          current.text.push(' ');
        }
      },
    });
    finish();
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

// Words that announce a code, matched whole (Unicode-aware boundaries) and case-insensitively.
// German and Dutch build compounds, so their common ones are listed outright.
const KEYWORDS = [
  'code', 'codes', 'verification', 'verify', 'verifying', 'otp', 'pin', 'one-time', 'one time', 'passcode',
  'password', 'security code', 'confirm', 'confirmation', 'confirmation code', 'authentication', '2fa',
  'two-factor', 'login code', 'sign-in code', 'access code', 'token',
  // es / pt / fr / it / nl / pl / ru
  'código', 'codigo', 'verificación', 'verificacion', 'verificação', 'verificar', 'contraseña', 'senha',
  'vérification', 'vérifier', 'mot de passe', 'codice', 'verifica', 'verificatiecode', 'kod', 'код',
  'пароль', 'подтверждения',
  // de
  'bestätigungscode', 'sicherheitscode', 'bestätigung', 'bestätigen', 'einmalpasswort', 'einmalcode',
  'verifizierungscode', 'anmeldecode', 'kennwort',
];
// Scripts without spaces between words cannot use word boundaries.
const CJK_KEYWORDS = ['認証コード', '確認コード', 'コード', '認証', '验证码', '驗證碼', '校验码', '動態密碼', '인증번호', '인증 코드'];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Alternation of literals, longest first, bounded by the boundary look-arounds: linear.
const KEYWORD_RE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${[...KEYWORDS].sort((a, b) => b.length - a.length).map(escapeRegex).join('|')})(?![\\p{L}\\p{N}])` +
    `|(?:${CJK_KEYWORDS.map(escapeRegex).join('|')})`,
  'giu',
);
// Maximal runs of letters and digits: each is one candidate token.
const TOKEN_RE = /[\p{L}\p{N}]+/gu;
const ALNUM_CODE = /^[A-Z0-9]{4,10}$/;
// Numbers with a unit or ordinal are measurements, not codes: 100KB, 1080P, 21ST, 10AM.
const UNIT_SUFFIX = /^\d+(?:ST|ND|RD|TH|AM|PM|KB|MB|GB|TB|PX|PT|EM|MS|HZ|KHZ|MHZ|GHZ|KM|CM|MM|KG|MG|ML|P|K|X|D)$/;

/** how far (in characters) a keyword may be from a code for the code to count. */
const KEYWORD_WINDOW = 80;
/** a 4-digit number that looks like a year needs a keyword this close. */
const YEAR_WINDOW = 30;
const CONTEXT_CHARS = 40;
/** stop collecting candidates in one body after this many; the rest is noise. */
const MAX_CANDIDATES = 5000;

interface Candidate {
  value: string;
  source: ContentSource;
  start: number;
  end: number;
  numeric: boolean;
  text: string;
  /** distance to the nearest keyword, or Infinity. */
  distance: number;
  keywordBefore: boolean;
  order: number;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** the whitespace-delimited run around [start, end), looking at most 100 characters each way. */
function surroundingToken(text: string, start: number, end: number): string {
  let a = start;
  const minA = Math.max(0, start - 100);
  while (a > minA && !/\s/.test(text[a - 1]!)) a--;
  let b = end;
  const maxB = Math.min(text.length, end + 100);
  while (b < maxB && !/\s/.test(text[b]!)) b++;
  return text.slice(a, b);
}

/** true when the token at [start, end) sits inside a URL, an email address or a domain name. */
function inAddress(text: string, start: number, end: number): boolean {
  const token = surroundingToken(text, start, end);
  return /:\/\/|^www\.|@|\.(?:com|net|org|io|de|co|uk)\b/i.test(token);
}

/**
 * Why a digit run at [start, end) is not a code, or null when it may be one. Rejects numbers
 * glued to punctuation that makes them something else: decimals and prices (1234.56, $1234),
 * dates (2026-01-05, 05.01.2026), phone groups (555 1234, 0800-123456), references (#1234),
 * percentages, and digits inside URLs and addresses.
 */
function rejectDigits(text: string, start: number, end: number): boolean {
  const prev = text[start - 1];
  const prev2 = text[start - 2];
  const next = text[end];
  const next2 = text[end + 1];
  // Google-style "G-123456": a lone capital and a hyphen in front are a label, not a phone group
  const letterLabel = prev === '-' && prev2 !== undefined && /[A-Z]/.test(prev2) && !isWordChar(text[start - 3]);
  if (prev !== undefined && '#/=?&.@$€£¥+-_\\%'.includes(prev) && !letterLabel) return true;
  if (next !== undefined && '%@/\\_$€£'.includes(next)) return true;
  if ((next === '.' || next === ',' || next === ':' || next === '-') && isDigit(next2)) return true;
  // phone-number groups: another digit group just before or after
  if ((prev === ' ' || prev === '\u00a0') && (isDigit(prev2) || prev2 === ')')) return true;
  if ((next === ' ' || next === '\u00a0') && isDigit(next2)) return true;
  if (prev === ')' || prev === '(' ) return true;
  if (prev2 === '©' || /copyright\s*$/i.test(text.slice(Math.max(0, start - 12), start))) return true;
  return inAddress(text, start, end);
}

function rejectAlnum(text: string, start: number, end: number): boolean {
  const prev = text[start - 1];
  const next = text[end];
  if (prev !== undefined && '#/=?&.@_-:\\%$'.includes(prev)) return true;
  if (next !== undefined && '@/\\_-'.includes(next)) return true;
  if (next === '.' && isWordChar(text[end + 1])) return true;
  return inAddress(text, start, end);
}

/** keyword hits (start, end) in order of appearance. */
function keywordSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  KEYWORD_RE.lastIndex = 0;
  for (let m = KEYWORD_RE.exec(text); m; m = KEYWORD_RE.exec(text)) {
    spans.push([m.index, m.index + m[0].length]);
    if (m[0].length === 0) KEYWORD_RE.lastIndex++;
  }
  return spans;
}

/** distance from [start, end) to the nearest keyword span, and whether that keyword is before. */
function nearestKeyword(spans: [number, number][], start: number, end: number): { distance: number; before: boolean } {
  // binary search for the first span starting at or after the candidate's end
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]![0] < end) lo = mid + 1;
    else hi = mid;
  }
  let best = { distance: Infinity, before: false };
  const prev = spans[lo - 1];
  if (prev) best = { distance: Math.max(0, start - prev[1]), before: true };
  const after = spans[lo];
  if (after && after[0] - end < best.distance) best = { distance: after[0] - end, before: false };
  return best;
}

function candidatesIn(text: string, source: ContentSource, order: { n: number }): Candidate[] {
  const out: Candidate[] = [];
  const spans = keywordSpans(text);
  const push = (value: string, start: number, end: number, numeric: boolean): void => {
    const near = nearestKeyword(spans, start, end);
    out.push({
      value,
      source,
      start,
      end,
      numeric,
      text,
      distance: near.distance,
      keywordBefore: near.before,
      order: order.n++,
    });
  };

  // pending: a 3-digit group that may be the first half of "123 456" / "123-456"
  let pending: { start: number; end: number; value: string } | null = null;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m && out.length < MAX_CANDIDATES; m = TOKEN_RE.exec(text)) {
    const tok = m[0];
    const start = m.index;
    const end = start + tok.length;
    if (tok.length > 10) {
      pending = null;
      continue;
    }
    const allDigits = /^[0-9]+$/.test(tok);

    if (allDigits && tok.length === 3) {
      const sep = text[start - 1];
      if (pending && pending.end === start - 1 && (sep === ' ' || sep === '-')) {
        // a split six-digit code: judge the pair as one number
        const s = pending.start;
        pending = null;
        const prev = text[s - 1];
        const next = text[end];
        const gluedBefore = prev !== undefined && (isWordChar(prev) || '#/=?&.@$€£+-_\\%'.includes(prev) || (prev === ' ' && isDigit(text[s - 2])));
        const gluedAfter = next !== undefined && (isWordChar(next) || ((next === ' ' || next === '-' || next === '.') && isDigit(text[end + 1])));
        if (!gluedBefore && !gluedAfter && !inAddress(text, s, end)) push(text.slice(s, s + 3) + tok, s, end, true);
        continue;
      }
      pending = { start, end, value: tok };
      continue;
    }
    pending = null;

    if (allDigits) {
      if (tok.length < 4 || tok.length > 8) continue;
      if (rejectDigits(text, start, end)) continue;
      const n = Number(tok);
      if (tok.length === 4 && n >= 1900 && n <= 2099) {
        const near = nearestKeyword(spans, start, end);
        if (near.distance > YEAR_WINDOW) continue;
      }
      push(tok, start, end, true);
      continue;
    }

    if (!ALNUM_CODE.test(tok)) continue;
    let digits = 0;
    for (let i = 0; i < tok.length; i++) if (isDigit(tok[i])) digits++;
    const letters = tok.length - digits;
    // two of each keeps out model numbers and units (MP4, 2FA, 1080P)
    if (digits < 2 || letters < 2) continue;
    if (UNIT_SUFFIX.test(tok)) continue;
    if (rejectAlnum(text, start, end)) continue;
    push(tok, start, end, false);
  }
  return out;
}

function contextOf(c: Candidate): string {
  const from = Math.max(0, c.start - CONTEXT_CHARS);
  const to = Math.min(c.text.length, c.end + CONTEXT_CHARS);
  return c.text.slice(from, to).replace(/\s+/g, ' ').trim();
}

function score(c: Candidate): number {
  const distance = Number.isFinite(c.distance) ? c.distance : KEYWORD_WINDOW + 20;
  let s = 1000 - distance * 10;
  // "code: 123456" reads more like a code than "123456 ... code"
  if (c.keywordBefore) s += 50;
  if (c.numeric && c.value.length === 6) s += 30;
  if (c.source === 'subject') s += 20;
  return s;
}

/**
 * Finds verification codes: 4–8 digit numbers (also "123 456"), and upper-case alphanumeric OTPs
 * of 4–10 characters mixing letters and digits (`A7K9QZ`). Years, phone-number groups, prices,
 * dates, hex colours and anything inside URLs or addresses are skipped. A candidate counts only
 * with a keyword (code, verification, OTP, PIN, código, Bestätigungscode, …) within about 80
 * characters — or when the message's only number-shaped candidate is a single 6-digit number —
 * and results are ranked by how close that keyword is, best first. `html` codes are read from
 * the rendered text of the HTML body and reported only when the text body lacks them. One entry
 * per (value, source), at most {@link MAX_CODES}.
 */
export function extractCodes(input: { subject: string | null; text: string | null; html: string | null }): ExtractedCode[] {
  const order = { n: 0 };
  const subject = input.subject ? input.subject.slice(0, 4096) : '';
  const text = input.text ? input.text.slice(0, MAX_SCAN_CHARS) : '';
  const htmlText = input.html ? htmlToText(input.html.slice(0, MAX_SCAN_CHARS)) : '';

  const fromSubject = candidatesIn(subject, 'subject', order);
  const fromText = candidatesIn(text, 'text', order);
  const textValues = new Set(fromText.map((c) => c.value));
  const fromHtml = candidatesIn(htmlText, 'html', order).filter((c) => !textValues.has(c.value));
  const all = [...fromSubject, ...fromText, ...fromHtml];

  const numericValues = new Set(all.filter((c) => c.numeric).map((c) => c.value));
  const loneSixDigit = numericValues.size === 1 && [...numericValues][0]!.length === 6 ? [...numericValues][0] : null;
  // a subject that announces a code vouches for a body with very few candidates
  const subjectAnnounces = keywordSpans(subject).length > 0;
  const bodyValues = new Set(all.filter((c) => c.source !== 'subject').map((c) => c.value));

  const kept = all.filter(
    (c) =>
      c.distance <= KEYWORD_WINDOW ||
      c.value === loneSixDigit ||
      (subjectAnnounces && c.source !== 'subject' && bodyValues.size <= 2),
  );
  kept.sort((a, b) => score(b) - score(a) || a.order - b.order);

  const result: ExtractedCode[] = [];
  const seen = new Set<string>();
  for (const c of kept) {
    const key = `${c.source} ${c.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ value: c.value, source: c.source, context: contextOf(c) });
    if (result.length >= MAX_CODES) break;
  }
  return result;
}
