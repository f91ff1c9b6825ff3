/**
 * The content of a message nothing could be parsed from: the shape of every parse failure. Its
 * own module so the worker does not load piscina and the pool does not load the parser.
 */
import type { MessageContent } from '../core/types.js';

export function emptyContent(parseError: string | null): MessageContent {
  return {
    from: null,
    to: [],
    cc: [],
    subject: null,
    messageIdHeader: null,
    date: null,
    bodyText: null,
    bodyHtml: null,
    headers: [],
    attachments: [],
    codes: [],
    links: [],
    parseError,
  };
}
