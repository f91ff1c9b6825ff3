/**
 * ErrorCode → SMTP reply: the only place SMTP answers are decided. smtp-server is run with
 * enhanced status codes hidden (its default) and we write the enhanced code into the text
 * ourselves, because its own derivation maps 552 to 5.2.2 where DESIGN wants 5.3.4.
 */
import type { AttemptReply } from '../core/delivery.js';
import type { ErrorCode } from '../core/errors.js';

export interface SmtpReply {
  code: number;
  enhanced: string;
  text: string;
}

/** exhaustive: adding an ErrorCode without an SMTP answer fails to compile. */
export const SMTP_REPLIES = {
  invalid_input: { code: 501, enhanced: '5.5.4', text: 'Invalid input' },
  unauthorized: { code: 530, enhanced: '5.7.0', text: 'Not authorised' },
  forbidden: { code: 550, enhanced: '5.7.1', text: 'Not allowed' },
  not_found: { code: 550, enhanced: '5.1.1', text: 'Not found' },
  method_not_allowed: { code: 502, enhanced: '5.5.1', text: 'Command not implemented' },
  mailbox_not_found: { code: 550, enhanced: '5.1.1', text: 'Mailbox unavailable' },
  message_not_found: { code: 550, enhanced: '5.1.1', text: 'Not found' },
  mailbox_expired: { code: 550, enhanced: '5.1.1', text: 'Mailbox unavailable (expired)' },
  address_taken: { code: 550, enhanced: '5.1.1', text: 'Mailbox unavailable' },
  already_exists: { code: 451, enhanced: '4.3.0', text: 'Temporary local problem, try again later' },
  address_unavailable: { code: 451, enhanced: '4.3.0', text: 'Try again later' },
  message_too_large: { code: 552, enhanced: '5.3.4', text: 'Message too large' },
  message_rejected: { code: 554, enhanced: '5.7.1', text: 'Message rejected (virus or spam)' },
  too_many_recipients: { code: 452, enhanced: '4.5.3', text: 'Too many recipients' },
  quota_exceeded: { code: 452, enhanced: '4.2.2', text: 'Mailbox full' },
  rate_limited: { code: 421, enhanced: '4.7.0', text: 'Too many connections, try again later' },
  wait_timeout: { code: 451, enhanced: '4.4.2', text: 'Timed out' },
  unexpected_message: { code: 550, enhanced: '5.7.1', text: 'Not allowed' },
  invalid_signature: { code: 550, enhanced: '5.7.1', text: 'Not allowed' },
  storage_unavailable: { code: 451, enhanced: '4.3.0', text: 'Temporary storage failure, try again later' },
  // RFC 4954 §6 for the AUTH answers
  auth_required: { code: 530, enhanced: '5.7.0', text: 'Authentication required' },
  auth_failed: { code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  auth_throttled: { code: 421, enhanced: '4.7.0', text: 'Too many failed authentications, try again later' },
  encryption_required: { code: 538, enhanced: '5.7.11', text: 'Encryption required for requested authentication mechanism' },
  address_reserved: { code: 550, enhanced: '5.1.1', text: 'Mailbox unavailable' },
  too_many_unknown_recipients: { code: 421, enhanced: '4.7.0', text: 'Too many unknown recipients, try again later' },
  server_busy: { code: 451, enhanced: '4.3.0', text: 'Server busy, try again later' },
  // RFC 3463 X.3.2: system not accepting network messages
  shutting_down: { code: 421, enhanced: '4.3.2', text: 'Service shutting down, try again later' },
  invalid_query: { code: 501, enhanced: '5.5.4', text: 'Invalid input' },
} as const satisfies Record<ErrorCode, SmtpReply>;

/** the Error smtp-server turns into a reply line: `<code> <enhanced> <text>`. */
export function smtpError(code: ErrorCode): Error & { responseCode: number } {
  const r = SMTP_REPLIES[code];
  return Object.assign(new Error(`${r.enhanced} ${r.text}`), { responseCode: r.code });
}

const ACCEPTED: SmtpReply = { code: 250, enhanced: '2.0.0', text: 'Ok' };

/** the answer for an outcome (null = accepted), structured for the delivery timeline. */
export function attemptReply(code: ErrorCode | null): AttemptReply {
  const r = code === null ? ACCEPTED : SMTP_REPLIES[code];
  return { smtpCode: r.code, enhancedCode: r.enhanced, text: `${r.code} ${r.enhanced} ${r.text}` };
}
