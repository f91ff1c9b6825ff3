import { describe, expect, it } from 'vitest';
import { clientKey, redactUrl } from './request.js';

describe('client keys and log redaction', () => {
  it('reduces IPv6 to its /64 and unwraps IPv4-mapped addresses', () => {
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff::9')).toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
  });

  it('redacts credentials in query strings', () => {
    expect(redactUrl('/ws/inbox/a@b.test?token=abc&since=3')).toBe('/ws/inbox/a@b.test?token=[redacted]&since=3');
    expect(redactUrl('/ws/inbox/a@b.test?since=3&api_key=ibx_x')).toBe('/ws/inbox/a@b.test?since=3&api_key=[redacted]');
  });
});
