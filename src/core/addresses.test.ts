import { describe, expect, it } from 'vitest';
import { checkLocalPart, parseAddress } from './addresses.js';
import { LOCAL_PART_SPACE, randomLocalPart } from './names.js';

describe('parseAddress', () => {
  it('lower-cases, trims and splits the plus tag', () => {
    expect(parseAddress('  <Brave-Otter-1+Signup@InboxD.Test> ')).toEqual({ address: 'brave-otter-1@inboxd.test', localPart: 'brave-otter-1', domain: 'inboxd.test', tag: 'signup' });
    expect(parseAddress('a@b.test').tag).toBeNull();
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'no-at', '@x.test', 'a@', 'a b@x.test', 'a@x', `${'a'.repeat(65)}@x.test`, '"quoted"@x.test']) {
      expect(() => parseAddress(bad), bad).toThrow(/not an email address/);
    }
  });

  it('takes UTF-8 local parts (RFC 6531) in NFC, and IDN domains in their ASCII form', () => {
    expect(parseAddress('Ünïcode.Ñame@inboxd.test')).toMatchObject({ address: 'ünïcode.ñame@inboxd.test', localPart: 'ünïcode.ñame' });
    expect(parseAddress('u\u0308ser@inboxd.test').address).toBe('\u00fcser@inboxd.test');
    expect(parseAddress('用户@Bücher.example')).toMatchObject({ address: '用户@xn--bcher-kva.example', domain: 'xn--bcher-kva.example' });
    expect(checkLocalPart('José')).toBe('josé');
    for (const bad of ['a\u0085b@x.test', 'a\u00a0b@x.test', `${'é'.repeat(33)}@x.test`]) expect(() => parseAddress(bad), bad).toThrow(/not an email address/);
  });

  it('checks chosen local parts', () => {
    expect(checkLocalPart(' Signup-Test ')).toBe('signup-test');
    expect(() => checkLocalPart('a+b')).toThrow();
    expect(() => checkLocalPart('')).toThrow();
  });
});

describe('generated addresses', () => {
  it('are adjective-noun-number from a space of at least 2^32', () => {
    expect(LOCAL_PART_SPACE).toBeGreaterThanOrEqual(2 ** 32);
    const seen = new Set(Array.from({ length: 200 }, () => randomLocalPart()));
    expect(seen.size).toBeGreaterThan(190);
    for (const l of seen) expect(l).toMatch(/^[a-z]+-[a-z]+-\d{1,6}$/);
  });
});
