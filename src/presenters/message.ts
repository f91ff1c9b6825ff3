/**
 * Message → public JSON (DESIGN "Message JSON"), shared by REST, the realtime streams, MCP and
 * the SDK's types. Lists get the summary: no bodies, headers or links.
 */
import type { AddressValue, Message, MessageSummary } from '../core/types.js';

export interface MessageSummaryJson {
  id: string;
  seq: number;
  from: string | null;
  from_name: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  received_at: string;
  size: number;
  is_read: boolean;
  tag: string | null;
  source: string;
  has_attachments: boolean;
  codes: { value: string; source: string; context: string }[];
  parse_error: string | null;
}

export interface MessageJson extends MessageSummaryJson {
  message_id: string | null;
  date: string | null;
  envelope_from: string | null;
  body_text: string | null;
  body_html: string | null;
  headers: { name: string; value: string }[];
  attachments: { index: number; filename: string | null; content_type: string; size: number; content_id: string | null }[];
  links: { url: string; text: string | null; source: string }[];
  verdicts: Record<string, string> | null;
}

const addr = (a: AddressValue) => a.address;

export function presentSummary(m: MessageSummary): MessageSummaryJson {
  return {
    id: m.id,
    seq: m.seq,
    from: m.from?.address ?? null,
    from_name: m.from?.name || null,
    to: m.to.map(addr),
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

export function presentMessage(m: Message): MessageJson {
  return {
    ...presentSummary(m),
    message_id: m.messageIdHeader,
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
