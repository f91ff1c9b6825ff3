/**
 * What Inboxd reads out of a message's bodies (DESIGN "Delivery rules" 4), in one pass over the
 * HTML: the text rendering, the links and the codes. Pure and synchronous: it runs in the parser
 * (a worker for large messages) and never fetches anything. The parts live beside it, one job
 * each: `html-walk` (the tokeniser), `html-text`, `links`, `codes`.
 */
import type { ExtractedCode, ExtractedLink } from '../types.js';
import { extractCodes } from './codes.js';
import { textRenderer } from './html-text.js';
import { walkHtml } from './html-walk.js';
import { extractLinks, linkCollector } from './links.js';
import { MAX_SCAN_CHARS } from './limits.js';

export { extractCodes } from './codes.js';
export { htmlToText } from './html-text.js';
export { extractLinks } from './links.js';
export { MAX_CODES, MAX_LINKS, MAX_SCAN_CHARS } from './limits.js';

/** the derived parts of a message's content. */
export interface Extracted {
  /** the text rendering of `html`; null without HTML. */
  htmlText: string | null;
  codes: ExtractedCode[];
  links: ExtractedLink[];
}

/**
 * Renders the HTML body (if any) and collects its links in a single walk, then reads codes
 * from the subject, the text the sender wrote and that rendering. Same results as calling
 * `htmlToText`, `extractLinks` and `extractCodes` separately, at the cost of one walk.
 */
export function extractAll(input: { subject: string | null; text: string | null; html: string | null }): Extracted {
  let htmlText: string | null = null;
  let htmlLinks: { url: string; text: string | null }[] | undefined;
  if (input.html) {
    const text = textRenderer();
    const links = linkCollector();
    // the rendering is the stored body_text, so it covers the whole body; links (like codes)
    // read only the first MAX_SCAN_CHARS, which takes a second walk past that size only
    const whole = input.html.length <= MAX_SCAN_CHARS;
    walkHtml(input.html, {
      text(s, pre) {
        text.handlers.text(s, pre);
        if (whole) links.handlers.text(s, pre);
      },
      tag(tag) {
        text.handlers.tag(tag);
        if (whole) links.handlers.tag(tag);
      },
    });
    htmlText = text.result();
    if (!whole) walkHtml(input.html.slice(0, MAX_SCAN_CHARS), links.handlers);
    htmlLinks = links.result();
  }
  return {
    htmlText,
    codes: extractCodes({ subject: input.subject, text: input.text, htmlText }),
    links: extractLinks({ text: input.text, html: null, htmlLinks }),
  };
}
