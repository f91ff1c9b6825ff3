/**
 * A forgiving, single-pass HTML walker for mail templates: reports visible text (entities
 * decoded) and visible tags to handlers, skipping what a mail client never shows (head, scripts,
 * styles, comments, hidden elements, camouflaged text). Several handlers can share one walk, so a
 * large body is tokenised once per message. Linear on any input.
 *
 * It runs for every message in the parser worker, so it is written for speed: text runs and
 * quoted values are found with indexOf, a tag's attributes are recorded as spans and sliced and
 * decoded only when someone asks for one, and one table lookup classifies a tag name.
 */
import { backgroundOf, camouflaged, type Colour, declarations, foregroundOf, stylesheetPaints } from './colours.js';
import { decodeEntities } from './entities.js';

/** What a tag name means to the walker and the renderers, as bits of {@link Tag.kind}. */
export const KIND = {
  /** content never shown by a mail client (head, title, template, script, style). */
  dropped: 1,
  /** raw-text element: its content is not markup, so it is skipped to the matching end tag. */
  raw: 2,
  void: 4,
  /** a start tag that implicitly closes an open sibling of the same kind (<li>a<li>b). */
  sibling: 8,
  /** a table cell: cells of a row read left to right on one line. */
  cell: 16,
  /** a block that ends its line with one line break. */
  block1: 32,
  /** a block that ends its line with a blank line. */
  block2: 64,
} as const;

const KINDS = new Map<string, number>();
const mark = (bit: number, names: string[]): void => {
  for (const n of names) KINDS.set(n, (KINDS.get(n) ?? 0) | bit);
};
mark(KIND.dropped, ['head', 'title', 'template', 'script', 'style']);
mark(KIND.raw, ['script', 'style', 'title', 'textarea', 'xmp']);
mark(KIND.void, ['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
mark(KIND.sibling, ['p', 'li', 'td', 'th', 'tr', 'dt', 'dd', 'option']);
mark(KIND.cell, ['td', 'th']);
mark(KIND.block2, ['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'ul', 'ol', 'pre', 'hr']);
mark(KIND.block1, ['div', 'tr', 'li', 'dt', 'dd', 'dl', 'section', 'article', 'header', 'footer', 'center', 'address', 'form',
  'tbody', 'thead', 'tfoot', 'caption', 'nav', 'main', 'aside', 'figure', 'figcaption', 'body', 'html']);

const MAX_ATTRIBUTES = 64;

/**
 * The names mail templates use most, in a table indexed by a hash of their characters: a name
 * read from the markup that is one of these becomes the constant string (with its KIND bits
 * and its slot), so no slice is allocated and no map hashes a fresh string. Map lookups of
 * fresh slices were a third of the walk's time. Any other name is sliced as usual.
 */
const SLOTS = 1024;
const COMMON_NAMES: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const COMMON_KINDS = new Int32Array(SLOTS);
const COMMON_SLOTS = new Map<string, number>();
const nameHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;
for (const n of [
  ...KINDS.keys(), 'a', 'span', 'b', 'strong', 'i', 'em', 'u', 'font', 'small', 'big', 'sup', 'sub', 's', 'strike', 'label',
  'button', 'o:p', 'style', 'href', 'class', 'id', 'width', 'height', 'align', 'valign', 'border', 'cellpadding',
  'cellspacing', 'bgcolor', 'color', 'src', 'alt', 'target', 'role', 'lang', 'dir', 'name', 'content', 'http-equiv',
  'charset', 'type', 'rel', 'face', 'size', 'hidden', 'background', 'text', 'aria-hidden', 'xmlns', 'colspan',
  'rowspan', 'nowrap', 'value',
]) {
  let h = 0;
  for (let i = 0; i < n.length; i++) h = nameHash(h, n.charCodeAt(i));
  const slot = h & (SLOTS - 1);
  if (COMMON_NAMES[slot] === undefined) {
    COMMON_NAMES[slot] = n;
    COMMON_KINDS[slot] = KINDS.get(n) ?? 0;
    COMMON_SLOTS.set(n, slot);
  }
}

/** the slot of `head`, always a common name. */
const HEAD_SLOT = COMMON_SLOTS.get('head') ?? -1;

/** the slot of the common name at [start, end) of `html` whose characters hash to `h`, or -1. */
function slotOf(html: string, start: number, end: number, h: number): number {
  const slot = h & (SLOTS - 1);
  const known = COMMON_NAMES[slot];
  if (known === undefined || known.length !== end - start) return -1;
  // names are short: comparing here beats a call to startsWith
  for (let i = 0; i < known.length; i++) if (known.charCodeAt(i) !== html.charCodeAt(start + i)) return -1;
  return slot;
}

// A whitespace-stripped, lower-cased style attribute hides its element when it says any of these.
// `font-size:0` is matched with an explicit end so `font-size:0.9em` or `font-size:08px` is not.
const HIDING_STYLE = /(?:^|[;{"'])(?:display:none|visibility:hidden|mso-hide:all|(?:font-size|opacity):0+(?:\.0+)?(?:px|pt|em|rem|%)?(?:!important)?(?:;|$))/;
// A box clipped to nothing (the preheader trick `max-height:0;overflow:hidden`) or pushed far off
// screen hides its text as surely as display:none.
const ZERO_BOX = /(?:^|;)(?:max-)?(?:height|width):0+(?:px)?(?:!important)?(?:;|$)/;
const PAINTS = /color|background/i;
// every hiding rule says none, hidden, mso-hide, a zero or a negative offset (a '-' then, once
// whitespace is gone, digits): most styles (padding, borders, fonts) say none of these
const MAY_HIDE = /none|hidden|mso|0|-\s*\d/i;
const OFF_SCREEN = /(?:^|;)(?:text-indent|left|top|margin-left|margin-top):-\d{3,}/;

/** A start or end tag as the walker reports it; valid only during the handler call. */
export interface Tag {
  /** lower case. */
  name: string;
  /** the {@link KIND} bits of the name; 0 for any other element. */
  kind: number;
  end: boolean;
  selfClosing: boolean;
  /** the entity-decoded value of the attribute `name` (lower case; the first one written wins). */
  attr(name: string): string | undefined;
  /** whether the tag has the attribute `name` (lower case). */
  has(name: string): boolean;
}

export interface WalkHandlers {
  /** visible text, entities already decoded, whitespace as written. */
  text(s: string, pre: boolean): void;
  /** a visible start or end tag. */
  tag(tag: Tag): void;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

/**
 * Reads one tag at a time into itself: name, flags and the spans of up to MAX_ATTRIBUTES distinct
 * attributes (recorded, not sliced: most are never asked for). One per walk, reused for every tag.
 */
class TagReader implements Tag {
  name = '';
  kind = 0;
  end = false;
  selfClosing = false;
  /** where the tag's `>` ends (or the input does). */
  next = 0;
  /** the name's slot among the common names, or -1. */
  slot = -1;
  private count = 0;
  private readonly names: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  constructor(private readonly html: string) {}

  attr(name: string): string | undefined {
    for (let i = 0; i < this.count; i++) {
      if (this.names[i] === name) {
        const s = this.starts[i]!;
        const e = this.ends[i]!;
        return s === e ? '' : decodeEntities(this.html.slice(s, e), true);
      }
    }
    return undefined;
  }

  has(name: string): boolean {
    for (let i = 0; i < this.count; i++) if (this.names[i] === name) return true;
    return false;
  }

  get hasAttributes(): boolean {
    return this.count > 0;
  }

  /** reads the tag whose name starts at `start`; sets `next` to the position after its `>`. */
  read(start: number, end: boolean): void {
    const html = this.html;
    const len = html.length;
    let p = start;
    let upper = false;
    let h = 0;
    while (p < len) {
      const c = html.charCodeAt(p);
      if (isSpace(c) || c === 0x2f || c === 0x3e) break;
      if (c >= 0x41 && (c <= 0x5a || c > 0x7f)) upper = true;
      h = nameHash(h, c);
      p++;
    }
    const slot = upper ? -1 : slotOf(html, start, p, h);
    if (slot >= 0) {
      this.name = COMMON_NAMES[slot]!;
      this.kind = COMMON_KINDS[slot]!;
      this.slot = slot;
    } else {
      const raw = html.slice(start, p);
      this.name = upper ? raw.toLowerCase() : raw;
      this.kind = KINDS.get(this.name) ?? 0;
      // an upper-case spelling of a common name shares its slot
      this.slot = upper ? (COMMON_SLOTS.get(this.name) ?? -1) : -1;
    }
    this.end = end;
    this.selfClosing = false;
    this.count = 0;
    while (p < len) {
      let c = html.charCodeAt(p);
      if (c === 0x3e /* > */) {
        this.next = p + 1;
        return;
      }
      if (isSpace(c)) {
        p++;
        continue;
      }
      if (c === 0x2f /* / */) {
        this.selfClosing = html.charCodeAt(p + 1) === 0x3e;
        p++;
        continue;
      }
      // attribute name
      const an = p;
      upper = false;
      h = 0;
      while (p < len) {
        c = html.charCodeAt(p);
        if (isSpace(c) || c === 0x3d || c === 0x3e || (c === 0x2f && p > an)) break;
        if (c >= 0x41 && (c <= 0x5a || c > 0x7f)) upper = true;
        h = nameHash(h, c);
        p++;
      }
      if (p === an) p++; // a stray '=': step over it (it names an attribute "=")
      const nameEnd = p;
      while (p < len && isSpace(html.charCodeAt(p))) p++;
      // no value reads as '' (an empty span)
      let vs = 0;
      let ve = 0;
      if (html.charCodeAt(p) === 0x3d /* = */) {
        p++;
        while (p < len && isSpace(html.charCodeAt(p))) p++;
        const q = html.charCodeAt(p);
        if (q === 0x22 || q === 0x27) {
          const close = html.indexOf(q === 0x22 ? '"' : "'", p + 1);
          vs = p + 1;
          ve = close < 0 ? len : close;
          p = close < 0 ? len : close + 1;
        } else {
          vs = p;
          while (p < len) {
            c = html.charCodeAt(p);
            if (isSpace(c) || c === 0x3e) break;
            p++;
          }
          ve = p;
        }
      }
      // end tags' attributes are read only to find their end
      if (!end && this.count < MAX_ATTRIBUTES) this.record(upper, h, an, nameEnd, vs, ve);
    }
    this.next = len;
  }

  private record(upper: boolean, h: number, an: number, nameEnd: number, vs: number, ve: number): void {
    const slot = upper ? -1 : slotOf(this.html, an, nameEnd, h);
    let attrName: string;
    if (slot >= 0) attrName = COMMON_NAMES[slot]!;
    else {
      const raw = this.html.slice(an, nameEnd);
      attrName = upper ? raw.toLowerCase() : raw;
    }
    if (!attrName) return;
    for (let i = 0; i < this.count; i++) if (this.names[i] === attrName) return;
    const i = this.count++;
    this.names[i] = attrName;
    this.starts[i] = vs;
    this.ends[i] = ve;
  }
}

function isHidden(tag: TagReader, style: string | undefined): boolean {
  if (tag.has('hidden')) return true;
  if (!style || !MAY_HIDE.test(style)) return false;
  const s = style.toLowerCase().replace(/\s+/g, '');
  if (HIDING_STYLE.test(s) || OFF_SCREEN.test(s)) return true;
  return s.includes('overflow:hidden') && ZERO_BOX.test(s);
}

interface Open {
  name: string;
  /** the name's slot among the common names (counted in an array), or -1 (counted in a map). */
  slot: number;
  hidden: boolean;
  fg: Colour;
  bg: Colour;
  /** text here is drawn in its background's colour. */
  camo: boolean;
}

// a mail client paints black on white unless told otherwise
const PAGE: Open = { name: '', slot: -1, hidden: false, fg: 0x000000, bg: 0xffffff, camo: false };

const rawTextEnds = new Map<string, RegExp>();
function rawTextEnd(name: string): RegExp {
  let re = rawTextEnds.get(name);
  if (!re) {
    re = new RegExp(`</${name}[\\s/>]`, 'gi');
    rawTextEnds.set(name, re);
  }
  return re;
}

/**
 * A forgiving, single-pass HTML walker: good enough for mail templates, linear on anything.
 * Tracks an element stack only to know what is hidden; an end tag with no open element of that
 * name is ignored, and counts per name keep that check O(1) so deep nesting stays linear.
 */
export function walkHtml(html: string, on: WalkHandlers): void {
  const stack: Open[] = [];
  // how many elements of each name are open: common names by slot, others by name
  const openCommon = new Int32Array(SLOTS);
  const open = new Map<string, number>();
  const isOpen = (name: string, slot: number): boolean => (slot >= 0 ? openCommon[slot]! > 0 : (open.get(name) ?? 0) > 0);
  let top: Open = PAGE;
  let hiddenDepth = 0;
  let preDepth = 0;
  const len = html.length;
  let pos = 0;
  // a stylesheet that sets backgrounds or colours makes classed elements' colours unknown (see backgroundOf)
  const styled = stylesheetPaints(html);
  const tag = new TagReader(html);

  const push = (name: string, slot: number, hidden: boolean, style: string | undefined): void => {
    const parent = top;
    let fg = parent.fg;
    let bg = parent.bg;
    if (tag.hasAttributes) {
      // only colours matter here; a style that names none (padding, fonts) is not parsed
      const decls = style && PAINTS.test(style) ? declarations(style) : null;
      bg = backgroundOf(tag, decls, parent.bg, styled);
      fg = foregroundOf(name, tag, decls, parent.fg, styled);
    }
    const camo = fg === parent.fg && bg === parent.bg ? parent.camo : camouflaged(fg, bg);
    top = { name, slot, hidden, fg, bg, camo };
    stack.push(top);
    if (slot >= 0) openCommon[slot]!++;
    else open.set(name, (open.get(name) ?? 0) + 1);
    if (hidden) hiddenDepth++;
    if (name === 'pre') preDepth++;
  };
  const pop = (): void => {
    const gone = stack.pop();
    if (!gone) return;
    top = stack[stack.length - 1] ?? PAGE;
    if (gone.slot >= 0) openCommon[gone.slot]!--;
    else open.set(gone.name, (open.get(gone.name) ?? 1) - 1);
    if (gone.hidden) hiddenDepth--;
    if (gone.name === 'pre') preDepth--;
  };
  const closeTo = (name: string, slot: number): void => {
    if (!isOpen(name, slot)) return;
    for (;;) {
      const was = stack[stack.length - 1];
      pop();
      if (!was || was.name === name) return;
    }
  };

  while (pos < len) {
    const lt = html.indexOf('<', pos);
    const textEnd = lt < 0 ? len : lt;
    if (textEnd > pos) {
      if (hiddenDepth === 0 && !top.camo) on.text(decodeEntities(html.slice(pos, textEnd)), preDepth > 0);
      pos = textEnd;
      if (lt < 0) break;
    }
    // pos is at '<'
    const next = html.charCodeAt(pos + 1);
    if (next === 0x21 /* ! */ && html.startsWith('<!--', pos)) {
      const close = html.indexOf('-->', pos + 4);
      pos = close < 0 ? len : close + 3;
      continue;
    }
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      const close = html.indexOf('>', pos + 2);
      pos = close < 0 ? len : close + 1;
      continue;
    }
    const isEnd = next === 0x2f; /* / */
    const nameStart = pos + (isEnd ? 2 : 1);
    const c = html.charCodeAt(nameStart);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a))) {
      // a lone '<' is text
      if (hiddenDepth === 0 && !top.camo) on.text('<', preDepth > 0);
      pos++;
      continue;
    }
    tag.read(nameStart, isEnd);
    pos = tag.next;
    const name = tag.name;
    const kind = tag.kind;

    if (isEnd) {
      if (kind & KIND.void) {
        // `</br>` is treated as `<br>` by browsers
        if (hiddenDepth === 0 && name === 'br') {
          tag.end = false;
          on.tag(tag);
        }
        continue;
      }
      const visible = hiddenDepth === 0;
      closeTo(name, tag.slot);
      if (visible) on.tag(tag);
      continue;
    }

    // <body> implies </head>, which many templates never write
    if (name === 'body') closeTo('head', HEAD_SLOT);
    if (kind & KIND.sibling && (top.name === name || (kind & KIND.cell && (top.name === 'td' || top.name === 'th')))) pop();

    const style = tag.hasAttributes ? tag.attr('style') : undefined;
    const hidden = (kind & KIND.dropped) !== 0 || (tag.hasAttributes && isHidden(tag, style));
    if (hiddenDepth === 0 && !hidden) on.tag(tag);

    if (kind & KIND.raw && !tag.selfClosing) {
      // skip raw text up to the matching end tag, whatever it contains
      const endRe = rawTextEnd(name);
      endRe.lastIndex = pos;
      const m = endRe.exec(html);
      const rawEnd = m ? m.index : len;
      if (!hidden && hiddenDepth === 0 && !top.camo) on.text(decodeEntities(html.slice(pos, rawEnd)), false);
      if (!m) break;
      const gt = html.indexOf('>', rawEnd);
      pos = gt < 0 ? len : gt + 1;
      continue;
    }
    if (!(kind & KIND.void) && !tag.selfClosing) push(name, tag.slot, hidden, style);
  }
}
