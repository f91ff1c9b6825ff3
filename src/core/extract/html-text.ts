/**
 * HTML → readable plain text, the rendering codes are read from and the body_text of a message
 * whose sender wrote only HTML. Built on the shared walker; {@link textRenderer} lets one walk
 * feed this and the link extractor together.
 */
import { KIND, walkHtml, type WalkHandlers } from './html-walk.js';

// Outside <pre>, every run of space, tab, CR, LF, FF and NBSP is one space. Only runs that are
// not already a single space are matched: prose is full of those, and replacing each with
// itself costs more than the rest of the rendering.
const RUNS_OF_SPACE = /[ \t\r\n\f\u00a0]{2,}|[\t\r\n\f\u00a0]/g;
// Whitespace (as String#trim and \s see it) that the fast path does not handle: anything but
// the space, tab, CR, LF, FF and NBSP that RUNS_OF_SPACE folds.
const OTHER_SPACE = /[\v\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

// Any white space but a single space: most pieces of prose have none, and need no rewriting.
const NOT_SINGLE_SPACES = /[^\S ]| {2}/;

function isTrimmed(c: number): boolean {
  // exactly the characters String#trim and \s treat as white space
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The rendering, built as it streams in with the same result as joining every piece, collapsing
 * runs of space, tab and NBSP on each line, trimming each line, keeping at most one blank line in
 * a row and trimming the whole: lines are finished as they end instead of being split, mapped
 * and joined again afterwards.
 */
class Lines {
  out = '';
  /** line breaks seen since the last text (only after some text: the start is trimmed). */
  private breaks = 0;
  /** white space after the last text of this line: written only if more text follows. */
  private gap = '';
  /** the gap ends with a space (kept as a flag: asking a long, unflattened gap is quadratic). */
  private gapSpace = false;
  /** no text on the current line yet, so white space here is trimmed. */
  private lineStart = true;

  newline(): void {
    this.gap = '';
    this.gapSpace = false;
    this.lineStart = true;
    if (this.out.length > 0) this.breaks++;
  }

  /** a space, tab or NBSP: runs of them are one space. */
  space(): void {
    if (this.lineStart || this.gapSpace) return;
    this.gap += ' ';
    this.gapSpace = true;
  }

  /** other white space: kept inside a line, trimmed at its ends. */
  otherSpace(ch: string): void {
    if (this.lineStart) return;
    this.gap += ch;
    this.gapSpace = false;
  }

  /** text with no white space at either end, and inside only single spaces or other kept space. */
  word(s: string): void {
    if (this.breaks > 0) {
      this.out += this.breaks >= 2 ? '\n\n' : '\n';
      this.breaks = 0;
    } else if (this.gap.length > 0) this.out += this.gap;
    this.gap = '';
    this.gapSpace = false;
    this.lineStart = false;
    this.out += s;
  }

  /** text whose white space is as written (in <pre>, or unusual space characters). */
  general(s: string, pre: boolean): void {
    const len = s.length;
    let i = 0;
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c === 0x0a) {
        if (pre) this.newline();
        else this.space();
        i++;
      } else if (c === 0x20 || c === 0x09 || c === 0xa0 || (!pre && (c === 0x0d || c === 0x0c))) {
        this.space();
        i++;
      } else if (isTrimmed(c)) {
        this.otherSpace(s[i]!);
        i++;
      } else {
        const from = i;
        while (i < len && !isTrimmed(s.charCodeAt(i))) i++;
        this.word(s.slice(from, i));
      }
    }
  }

  /** text outside <pre>: runs of white space are one space. */
  text(s: string): void {
    let t = s;
    if (NOT_SINGLE_SPACES.test(s)) {
      if (OTHER_SPACE.test(s)) {
        this.general(s, false);
        return;
      }
      t = s.replace(RUNS_OF_SPACE, ' ');
    }
    let from = 0;
    let to = t.length;
    if (t.charCodeAt(0) === 0x20) {
      this.space();
      from = 1;
    }
    const trailing = to > from && t.charCodeAt(to - 1) === 0x20;
    if (trailing) to--;
    if (to > from) this.word(from === 0 && to === t.length ? t : t.slice(from, to));
    if (trailing) this.space();
  }
}

/** walker handlers that collect the text rendering, and `result()` to read it once the walk ends. */
export function textRenderer(): { handlers: WalkHandlers; result(): string } {
  const lines = new Lines();
  return {
    handlers: {
      text(s, pre) {
        if (pre) lines.general(s, true);
        else lines.text(s);
      },
      tag(tag) {
        const kind = tag.kind;
        if (kind === 0) return;
        if (tag.name === 'br') {
          lines.newline();
        } else if (kind & KIND.cell) {
          // cells of a row read left to right on one line
          lines.space();
        } else if (tag.name === 'li' && !tag.end) {
          lines.newline();
          lines.word('-');
          lines.space();
        } else if (kind & KIND.block2) {
          lines.newline();
          lines.newline();
        } else if (kind & KIND.block1) {
          lines.newline();
        }
      },
    },
    result() {
      return lines.out;
    },
  };
}

/**
 * Renders HTML as readable plain text: drops `<head>`, `<script>`, `<style>`, comments, elements
 * hidden with `display:none`, `visibility:hidden`, `opacity:0`, `font-size:0`, a zero-size
 * clipped box, an off-screen offset or the `hidden` attribute (the preheader and tracking junk of
 * mail templates), and text drawn in its background's colour (white on white: text no reader
 * sees, but a model would); decodes entities; turns block elements into line breaks and table
 * cells into spaced columns.
 */
export function htmlToText(html: string): string {
  const r = textRenderer();
  walkHtml(html, r.handlers);
  return r.result();
}
