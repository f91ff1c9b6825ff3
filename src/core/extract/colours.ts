/**
 * Colours in inline markup: text drawn in (nearly) the colour of its background is invisible to a
 * reader, the classic hiding place for instructions aimed at a model reading the mail (white on
 * white). Only inline colours are known (style, bgcolor, <font color>); anything else is
 * "unknown" and never hides text, so a template styled by a stylesheet keeps its text.
 */
import { MAX_SCAN_CHARS } from './limits.js';


/** an element's attributes, by lower-case name. */
export interface Attributes {
  attr(name: string): string | undefined;
  has(name: string): boolean;
}

/** 0xRRGGBB; UNKNOWN when it cannot be told from inline markup; TRANSPARENT for invisible ink. */
export type Colour = number;
export const UNKNOWN = -1;
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
export function declarations(style: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of style.split(';')) {
    const colon = part.indexOf(':');
    if (colon > 0) out.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim());
  }
  return out;
}

/** the background an element paints: its own colour, the parent's (transparent), or UNKNOWN (an image). */
export function backgroundOf(attrs: Attributes, decls: Map<string, string> | null, parent: Colour, styled: boolean): Colour {
  let bg = parent;
  const attr = attrs.attr('bgcolor');
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

export function foregroundOf(name: string, attrs: Attributes, decls: Map<string, string> | null, parent: Colour, styled: boolean): Colour {
  let fg = parent;
  const attr = name === 'font' ? attrs.attr('color') : name === 'body' ? attrs.attr('text') : undefined;
  if (attr !== undefined) fg = parseColour(attr);
  const colour = decls?.get('color');
  if (colour !== undefined) fg = parseColour(colour);
  if (styled && fg === parent && (attrs.has('class') || attrs.has('id'))) fg = UNKNOWN;
  return fg;
}

// `<style` and `</style` in any case; no other letters lower-case to these ASCII ones
const STYLE_OPEN = /<style/gi;
const STYLE_CLOSE = /<\/style/gi;

/**
 * true when a <style> block sets backgrounds or colours. Finds the blocks case-insensitively and
 * lower-cases only their content, rather than a lower-cased copy of the whole document.
 */
export function stylesheetPaints(html: string): boolean {
  const scan = html.length > MAX_SCAN_CHARS ? html.slice(0, MAX_SCAN_CHARS) : html;
  STYLE_OPEN.lastIndex = 0;
  for (let m = STYLE_OPEN.exec(scan); m; ) {
    STYLE_CLOSE.lastIndex = m.index;
    const close = STYLE_CLOSE.exec(scan);
    const end = close ? close.index : scan.length;
    const css = scan.slice(m.index, end).toLowerCase();
    if (css.includes('background') || css.includes('color')) return true;
    if (!close) return false;
    STYLE_OPEN.lastIndex = end;
    m = STYLE_OPEN.exec(scan);
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
export function camouflaged(fg: Colour, bg: Colour): boolean {
  if (fg === TRANSPARENT) return true;
  if (fg === UNKNOWN || bg === UNKNOWN) return false;
  const [a, b] = [luminance(fg), luminance(bg)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < 1.2;
}
