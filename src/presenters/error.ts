/**
 * The error body every HTTP error answers with, defined once (zod). `http/errors.ts` builds it;
 * extra fields (`retry_after`, a wait's `arrived`…) ride beside the two fixed ones. A failed
 * wait's explanation (core/wait.ts `details.explain`) is presented here, once, for every edge.
 */
import { z } from 'zod';
import type { WaitExplanation } from '../core/wait.js';
import { deliveryAttemptJson, presentAttempt } from './delivery.js';
import { messageSummaryJson, presentSummary } from './message.js';

/** a message that arrived during or before a wait but did not match it, with the filters it failed. */
export const nearMissJson = messageSummaryJson.extend({
  failed: z.array(z.enum(['from', 'subject', 'body', 'pattern'])).describe('the wait filters this message did not match'),
});

export const errorJson = z
  .object({
    error: z.string().describe('a stable code (docs/errors.md)'),
    message: z.string().describe('what went wrong, for a person'),
    detail: z.string().describe('the same text as message, for clients written for the seed (FastAPI names it detail)'),
    arrived: z
      .array(nearMissJson)
      .optional()
      .describe('wait_timeout: messages that arrived (after after_seq) during or before the wait but did not match its filters, newest first, at most 10'),
    refused: z.array(deliveryAttemptJson).optional().describe("wait_timeout: the mailbox's refused or faulted delivery attempts, newest first, at most 10"),
    unexpected: messageSummaryJson.optional().describe('unexpected_message (expect=none): the message that arrived'),
  })
  .catchall(z.unknown());

export type ErrorJson = z.infer<typeof errorJson>;
export type NearMissJson = z.infer<typeof nearMissJson>;

/** an error's details as the wire carries them: a wait's explanation becomes `arrived`, `refused`, `unexpected`. */
export function presentErrorDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details || details.explain === undefined) return details;
  const { explain, ...rest } = details;
  const e = explain as WaitExplanation;
  if (e.unexpected) return { ...rest, unexpected: presentSummary(e.unexpected) };
  return {
    ...rest,
    arrived: e.arrived.map((m): NearMissJson => ({ ...presentSummary(m.message), failed: m.failed })),
    refused: e.refused.map(presentAttempt),
  };
}
