/**
 * @inboxd/sdk — the client for Inboxd, programmable temporary email. The public surface is
 * exactly what is listed here (explicit named exports, never `export *`).
 *
 * @example
 * import { Inboxd } from '@inboxd/sdk';
 * const inboxd = new Inboxd({ baseUrl: 'http://127.0.0.1:8025' });
 * const mailbox = await inboxd.createMailbox({ ttlMinutes: 10 });
 * const message = await mailbox.waitForMessage({ subject: 'Verify' }); // message.codes[0]?.value, message.links[0]?.url
 */
export { createClient, DEFAULT_BASE_URL, Inboxd } from './client.js';
export type { CreateMailboxOptions, InboxdOptions, ListMailboxesOptions, MailboxHandleOptions, SearchOptions } from './client.js';
export { ERROR_CODES, InboxdError, isInboxdError } from './errors.js';
export type { ClientErrorCode, ErrorCode, InboxdErrorCode } from './errors.js';
export type { ConnectionState, EventsOptions, ReconnectOptions, WebSocketConstructor } from './events.js';
export { Mailbox } from './mailbox.js';
export { Webhooks } from './webhooks.js';
export type { WebhookOptions } from './webhooks.js';
export type { ExpectNoMessageOptions, ListMessagesOptions, MessageFilters, WaitOptions } from './mailbox.js';
export type {
  ApiKeyInfo,
  Attachment,
  CreatedApiKey,
  CreatedWebhook,
  AttachmentInfo,
  DeletedGroup,
  DeliveryAttempt,
  DomainList,
  ExportFormat,
  FaultRule,
  FaultRuleInfo,
  FaultScript,
  FaultStage,
  MailboxDeletedEvent,
  MailboxEvent,
  MailboxExpiredEvent,
  MailboxInfo,
  Message,
  MessageDeletedEvent,
  MessageHeader,
  MessageLink,
  MessageSummary,
  NearMiss,
  NewMessageEvent,
  OwnerType,
  SearchResult,
  VerificationCode,
  WebhookAttempt,
  WebhookInfo,
} from './types.js';
