/**
 * The message's wire shapes (DESIGN "Message JSON"), defined once (zod), and the presenters that
 * fill them. Lists get the summary: no bodies, headers or links. REST's response schemas and
 * OpenAPI (`http/schemas.ts`), the MCP output schemas (`mcp/tools/schemas.ts`) and the SDK's
 * types (pinned by `test/wire/sdk-types.test.ts`) all follow these: a new field goes here first.
 */
import { z } from 'zod';
import type { AddressValue, Message, MessageSummary } from '../core/types.js';
import { count, timestamp } from './wire.js';

export const codeJson = z.object({
  value: z.string(),
  source: z.enum(['subject', 'text', 'html']),
  context: z.string().describe('the text around the code'),
});

export const linkJson = z.object({
  url: z.string(),
  text: z.string().nullable(),
  source: z.enum(['text', 'html']),
});

export const attachmentJson = z.object({
  index: count.describe('the n of …/attachments/{n}'),
  filename: z.string().nullable(),
  content_type: z.string(),
  size: count,
  content_id: z.string().nullable().describe('for inline parts referenced as cid: from the HTML'),
});

export const messageSummaryJson = z.object({
  id: z.string().describe("Inboxd's id of the message (time-sortable)"),
  message_id: z.string().describe('the same as id: Inboxd\'s id, the name events and the delivery timeline use (the Message-ID header is header_message_id)'),
  seq: count.describe('1, 2, 3… within the mailbox: the order of arrival'),
  from: z.string().nullable().describe('the From address'),
  from_name: z.string().nullable().describe('the From display name'),
  from_address: z.string().describe("the From addr-spec, as the seed named it; '' when the message has no From"),
  to: z.array(z.string()).describe('the To header addresses'),
  to_address: z.string().describe("the mailbox's address (the recipient this copy was delivered to), as the seed named it"),
  cc: z.array(z.string()),
  subject: z.string().nullable(),
  received_at: timestamp,
  size: count.describe('bytes of the raw source'),
  is_read: z.boolean(),
  tag: z.string().nullable().describe('the +tag of the recipient address'),
  source: z.enum(['smtp', 'ses']),
  has_attachments: z.boolean(),
  codes: z.array(codeJson).describe('verification codes, most likely first'),
  parse_error: z.string().nullable().describe('set when the MIME could not be parsed; the raw source is kept'),
});

export const messageJson = messageSummaryJson.extend({
  header_message_id: z.string().nullable().describe('the Message-ID header (named message_id before; message_id is now Inboxd\'s id)'),
  date: z.string().nullable().describe('the Date header as sent'),
  envelope_from: z.string().nullable().describe('the SMTP envelope sender (MAIL FROM)'),
  body_text: z.string().nullable(),
  body_html: z.string().nullable(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).describe('header lines in order, as received'),
  attachments: z.array(attachmentJson),
  links: z.array(linkJson).describe('links found in the message; Inboxd never requests them'),
  verdicts: z.record(z.string(), z.string()).nullable().describe('spam/virus verdicts when the carrier (SES) gave them'),
});

/** one answer of a search across mailboxes: the summary, and which mailbox holds it. */
export const searchResultJson = messageSummaryJson.extend({
  address: z.string().describe('the mailbox that holds the message (read it at /api/v1/mailboxes/{address}/messages/{id})'),
});

export type MessageSummaryJson = z.infer<typeof messageSummaryJson>;
export type SearchResultJson = z.infer<typeof searchResultJson>;
export type MessageJson = z.infer<typeof messageJson>;

const addr = (a: AddressValue) => a.address;

export function presentSummary(m: MessageSummary): MessageSummaryJson {
  return {
    id: m.id,
    message_id: m.id,
    seq: m.seq,
    from: m.from?.address ?? null,
    from_name: m.from?.name || null,
    from_address: m.from?.address ?? '',
    to: m.to.map(addr),
    to_address: m.address,
    cc: m.cc.map(addr),
    subject: m.subject,
    received_at: new Date(m.receivedAt).toISOString(),
    size: m.size,
    is_read: m.isRead,
    tag: m.tag,
    source: m.source,
    has_attachments: m.attachments.length > 0,
    codes: m.codes.map((c) => ({ value: c.value, source: c.source, context: c.context })),
    parse_error: m.parseError,
  };
}

export function presentSearchResult(m: MessageSummary): SearchResultJson {
  return { ...presentSummary(m), address: m.address };
}

export function presentMessage(m: Message): MessageJson {
  return {
    ...presentSummary(m),
    header_message_id: m.messageIdHeader,
    date: m.date,
    envelope_from: m.envelopeFrom,
    body_text: m.bodyText,
    body_html: m.bodyHtml,
    headers: m.headers,
    attachments: m.attachments.map((a) => ({
      index: a.index,
      filename: a.filename,
      content_type: a.contentType,
      size: a.size,
      content_id: a.contentId,
    })),
    links: m.links.map((l) => ({ url: l.url, text: l.text, source: l.source })),
    verdicts: m.verdicts,
  };
}
