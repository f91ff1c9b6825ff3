/**
 * Plan limits as pure functions: TTL clamping and per-message checks. -1 means unlimited.
 */
import type { CoreSettings } from './context.js';
import { DomainError } from './errors.js';
import type { Plan } from './types.js';

/**
 * the TTL a request gets: the plan default when none is asked, clamped to [1, plan max] and the
 * operator-wide ceiling.
 * @throws DomainError invalid_input when the request is not a positive integer.
 */
export function clampTtlMinutes(requested: number | undefined, plan: Plan, settings: Pick<CoreSettings, 'defaultTtlMinutes' | 'maxTtlMinutes'>): number {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new DomainError('invalid_input', 'ttl_minutes must be a positive integer');
  }
  const fallback = plan.defaultTtlMinutes > 0 ? plan.defaultTtlMinutes : settings.defaultTtlMinutes;
  const ceiling = Math.min(plan.maxTtlMinutes > 0 ? plan.maxTtlMinutes : Infinity, settings.maxTtlMinutes);
  return Math.max(1, Math.min(requested ?? fallback, ceiling));
}

/** the largest message a mailbox on this plan takes. */
export function maxMessageBytes(plan: Plan, settings: Pick<CoreSettings, 'maxMessageBytes'>): number {
  return plan.maxMessageBytes > 0 ? Math.min(plan.maxMessageBytes, settings.maxMessageBytes) : settings.maxMessageBytes;
}

/** @throws DomainError message_too_large */
export function checkMessageSize(size: number, plan: Plan, settings: Pick<CoreSettings, 'maxMessageBytes'>): void {
  const limit = maxMessageBytes(plan, settings);
  if (size > limit) throw new DomainError('message_too_large', `message exceeds the ${limit}-byte limit`, { limit });
}

/** @throws DomainError quota_exceeded when the mailbox already holds its plan's share. */
export function checkMessageQuota(messageCount: number, plan: Plan): void {
  if (plan.maxMessagesPerMailbox >= 0 && messageCount >= plan.maxMessagesPerMailbox) {
    throw new DomainError('quota_exceeded', `mailbox holds its limit of ${plan.maxMessagesPerMailbox} messages`, { limit: plan.maxMessagesPerMailbox });
  }
}
