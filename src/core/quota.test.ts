import { describe, expect, it } from 'vitest';
import { checkMessageQuota, checkMessageSize, clampTtlMinutes } from './quota.js';

const plan = { name: 'p', maxMailboxes: 1, maxMessagesPerMailbox: 2, defaultTtlMinutes: 60, maxTtlMinutes: 1440, maxMessageBytes: 1000 };
const settings = { defaultTtlMinutes: 30, maxTtlMinutes: 720, maxMessageBytes: 5000 };

describe('plan limits', () => {
  it('clamps the TTL to the plan and the operator ceiling', () => {
    expect(clampTtlMinutes(undefined, plan, settings)).toBe(60);
    expect(clampTtlMinutes(5, plan, settings)).toBe(5);
    expect(clampTtlMinutes(100_000, plan, settings)).toBe(720);
    expect(clampTtlMinutes(100_000, { ...plan, maxTtlMinutes: -1 }, { ...settings, maxTtlMinutes: 99_999 })).toBe(99_999);
    expect(clampTtlMinutes(undefined, { ...plan, defaultTtlMinutes: -1 }, settings)).toBe(30);
    expect(() => clampTtlMinutes(0, plan, settings)).toThrow(/positive integer/);
    expect(() => clampTtlMinutes(1.5, plan, settings)).toThrow(/positive integer/);
  });

  it('checks message count and size, -1 meaning unlimited', () => {
    expect(() => checkMessageQuota(1, plan)).not.toThrow();
    expect(() => checkMessageQuota(2, plan)).toThrow(expect.objectContaining({ code: 'quota_exceeded' }));
    expect(() => checkMessageQuota(10 ** 6, { ...plan, maxMessagesPerMailbox: -1 })).not.toThrow();
    expect(() => checkMessageSize(1000, plan, settings)).not.toThrow();
    expect(() => checkMessageSize(1001, plan, settings)).toThrow(expect.objectContaining({ code: 'message_too_large' }));
    expect(() => checkMessageSize(5001, { ...plan, maxMessageBytes: -1 }, settings)).toThrow(expect.objectContaining({ code: 'message_too_large' }));
  });
});
