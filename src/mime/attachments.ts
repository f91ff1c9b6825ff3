/**
 * Reads one attachment's bytes back out of a stored raw message. Parsed content keeps only
 * attachment metadata (bytes would double what is stored), so `GET …/attachments/{n}` re-parses
 * the source on demand. It runs in a parser worker (`pool.attachment`), off the event loop and
 * under the same deadline and heap cap as a parse.
 */
import PostalMime from 'postal-mime';
import { checkMimeLimits, PARSER_OPTIONS, withHeaderBlock } from './limits.js';

import type { AttachmentData } from '../core/types.js';

/** one attachment's bytes and how to label them. */
export type AttachmentContent = AttachmentData;

/**
 * Returns attachment `index` (0-based, the same numbering as `MessageContent.attachments`) of
 * the raw message, or null when there is no such attachment or the message cannot be parsed.
 */
export async function extractAttachment(raw: Uint8Array, index: number): Promise<AttachmentContent | null> {
  if (!Number.isInteger(index) || index < 0) return null;
  // the same bytes the parse worker saw, so indexes line up
  raw = withHeaderBlock(raw);
  // the worker refused to parse such a message, so it listed no attachments to ask for
  if (checkMimeLimits(raw)) return null;
  let attachments;
  try {
    ({ attachments } = await PostalMime.parse(raw, PARSER_OPTIONS));
  } catch {
    return null;
  }
  const found = attachments[index];
  if (!found) return null;
  const content =
    typeof found.content === 'string'
      ? new TextEncoder().encode(found.content)
      : found.content instanceof Uint8Array
        ? found.content
        : new Uint8Array(found.content);
  return {
    filename: found.filename,
    contentType: (found.mimeType || 'application/octet-stream').toLowerCase(),
    content,
  };
}
