/**
 * A webhook's body (#15 item 2): the event JSON exactly as WebSocket and SSE send it (the bytes
 * core/events.ts built, seq included), with the message added as `message`: its summary, or the
 * whole message when the endpoint asked for it; null when the message was deleted before the
 * event left. Events about no message (webhook_test) go as they are.
 */
import type { Message } from '../core/types.js';
import { presentMessage, presentSummary } from '../presenters/message.js';

export function webhookBody(eventJson: string, message: Message | null | undefined, includeMessage: boolean): string {
  if (message === undefined) return eventJson;
  const shown = message === null ? null : includeMessage ? presentMessage(message) : presentSummary(message);
  // appended to the event's own bytes, so the event part is byte for byte what the streams send
  return `${eventJson.slice(0, -1)},"message":${JSON.stringify(shown)}}`;
}
