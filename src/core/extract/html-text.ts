/**
 * HTML → readable plain text, the rendering codes are read from and the body_text of a message
 * whose sender wrote only HTML. Built on the shared walker; {@link textRenderer} lets one walk
 * feed this and the link extractor together.
 */
import { BLOCK, CELL, walkHtml, type WalkHandlers } from './html-walk.js';

const RUNS_OF_SPACE = /[ \t\r\n\f\u00a0]+/g;

/** walker handlers that collect the text rendering, and `result()` to read it once the walk ends. */
export function textRenderer(): { handlers: WalkHandlers; result(): string } {
  const out: string[] = [];
  return {
    handlers: {
      text(s, pre) {
        out.push(pre ? s : s.replace(RUNS_OF_SPACE, ' '));
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
    },
    result() {
      return out
        .join('')
        .split('\n')
        .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
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
