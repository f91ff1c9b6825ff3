/**
 * C0 controls out of parsed text (issue #14 item 2): NUL and the other C0 control characters
 * except tab, CR and LF never reach a stored text field (subject, names, addresses, bodies,
 * header values, filenames, codes' context). PostgreSQL TEXT cannot hold U+0000 at all, and the
 * rest only ever garble a terminal or a JSON consumer. Each becomes U+FFFD, so a reader can see
 * that something was there; the raw source keeps every byte as received.
 */
import type { AddressValue, MessageContent } from '../core/types.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const C0 = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** `s` with every C0 control but tab, CR and LF replaced by U+FFFD. */
export function cleanText(s: string): string;
export function cleanText(s: string | null): string | null;
export function cleanText(s: string | null): string | null {
  if (s === null) return null;
  C0.lastIndex = 0;
  if (!C0.test(s)) return s;
  return s.replace(C0, '\ufffd');
}

const cleanAddress = (a: AddressValue): AddressValue => ({ address: cleanText(a.address), name: cleanText(a.name) });

/** every text field of parsed content, cleaned (one test per string when there is nothing to clean). */
export function cleanContent(c: MessageContent): MessageContent {
  return {
    ...c,
    from: c.from ? cleanAddress(c.from) : null,
    to: c.to.map(cleanAddress),
    cc: c.cc.map(cleanAddress),
    subject: cleanText(c.subject),
    messageIdHeader: cleanText(c.messageIdHeader),
    date: cleanText(c.date),
    bodyText: cleanText(c.bodyText),
    bodyHtml: cleanText(c.bodyHtml),
    headers: c.headers.map((h) => ({ name: cleanText(h.name), value: cleanText(h.value) })),
    attachments: c.attachments.map((a) => ({ ...a, filename: cleanText(a.filename), contentType: cleanText(a.contentType), contentId: cleanText(a.contentId) })),
    codes: c.codes.map((k) => ({ ...k, value: cleanText(k.value), context: cleanText(k.context) })),
    links: c.links.map((l) => ({ ...l, url: cleanText(l.url), text: cleanText(l.text) })),
  };
}
