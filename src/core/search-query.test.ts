import { describe, expect, it } from 'vitest';
import { isDomainError } from './errors.js';
import { parseSearchQuery, searchTokens } from './search-query.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const parse = (q: string) => parseSearchQuery(q, NOW).terms;

function refusal(q: string): { message: string; position: unknown } {
  try {
    parseSearchQuery(q, NOW);
  } catch (err) {
    if (isDomainError(err, 'invalid_query')) return { message: err.message, position: err.details?.position };
    throw err;
  }
  throw new Error(`${q} was accepted`);
}

describe('parseSearchQuery', () => {
  it('reads free words as whole words over subject and text, and word* as a prefix', () => {
    expect(parse('welc* "your co"* -spam*')).toEqual([
      { kind: 'text', field: 'text', tokens: ['welc'], prefix: true, negated: false },
      { kind: 'text', field: 'text', tokens: ['your', 'co'], prefix: true, negated: false },
      { kind: 'text', field: 'text', tokens: ['spam'], prefix: true, negated: true },
    ]);
    expect(parse('Welcome  back')).toEqual([
      { kind: 'text', field: 'text', tokens: ['welcome'], prefix: false, negated: false },
      { kind: 'text', field: 'text', tokens: ['back'], prefix: false, negated: false },
    ]);
  });

  it('reads quoted phrases as exact token runs', () => {
    expect(parse('"Your code is"')).toEqual([{ kind: 'text', field: 'text', tokens: ['your', 'code', 'is'], prefix: false, negated: false }]);
  });

  it('reads from:, to: and subject:, with quoted values and any case', () => {
    expect(parse('FROM:shop@example.com to:"Ann Lee" subject:reset')).toEqual([
      { kind: 'text', field: 'from', tokens: ['shop', 'example', 'com'], prefix: false, negated: false },
      { kind: 'text', field: 'to', tokens: ['ann', 'lee'], prefix: false, negated: false },
      { kind: 'text', field: 'subject', tokens: ['reset'], prefix: false, negated: false },
    ]);
  });

  it('negates any term with a leading -', () => {
    expect(parse('-from:spam -"weekly digest" -has:attachment -is:read')).toEqual([
      { kind: 'text', field: 'from', tokens: ['spam'], prefix: false, negated: true },
      { kind: 'text', field: 'text', tokens: ['weekly', 'digest'], prefix: false, negated: true },
      { kind: 'has_attachment', negated: true },
      { kind: 'read', read: true, negated: true },
    ]);
  });

  it('reads has:attachment, is:read and is:unread', () => {
    expect(parse('has:attachments is:UNREAD')).toEqual([
      { kind: 'has_attachment', negated: false },
      { kind: 'read', read: false, negated: false },
    ]);
  });

  it('reads after: and before: as dates, date-times and durations', () => {
    expect(parse('after:2h before:2026-11-30 after:2026-11-29T10:30:00+01:00 before:2026-11-29T10:30')).toEqual([
      { kind: 'received', op: 'after', at: NOW - 2 * 3_600_000, negated: false },
      { kind: 'received', op: 'before', at: Date.parse('2026-11-30T00:00:00Z'), negated: false },
      { kind: 'received', op: 'after', at: Date.parse('2026-11-29T09:30:00Z'), negated: false },
      { kind: 'received', op: 'before', at: Date.parse('2026-11-29T10:30:00Z'), negated: false },
    ]);
    expect(parse('after:3d after:1w after:30m after:45s').map((t) => (t.kind === 'received' ? NOW - t.at : 0))).toEqual([
      3 * 86_400_000,
      7 * 86_400_000,
      30 * 60_000,
      45_000,
    ]);
  });

  it('treats an unknown word:value as text, and skips punctuation-only words', () => {
    expect(parse('https://example.com/x - 10:30')).toEqual([
      { kind: 'text', field: 'text', tokens: ['https', 'example', 'com', 'x'], prefix: false, negated: false },
      { kind: 'text', field: 'text', tokens: ['10', '30'], prefix: false, negated: false },
    ]);
  });

  it('keeps letters of every script and lower-cases them', () => {
    expect(searchTokens('Zürich ÉTÉ 東京 code:123-456')).toEqual(['zürich', 'été', '東京', 'code', '123', '456']);
  });

  it('answers an empty query with no terms (everything in reach)', () => {
    expect(parse('   ')).toEqual([]);
  });

  it('refuses malformed queries with invalid_query and where', () => {
    expect(refusal('hello "unclosed')).toMatchObject({ message: 'a quote is not closed', position: 6 });
    expect(refusal('from:')).toMatchObject({ message: 'from: needs a value', position: 0 });
    expect(refusal('has:pdf').message).toMatch(/has:pdf is unknown/);
    expect(refusal('is:starred').message).toMatch(/is:starred is unknown/);
    expect(refusal('after:yesterday').message).toMatch(/not a date/);
    expect(refusal('before:2026-02-31').message).toMatch(/not a date/);
    expect(refusal('after:5y').message).toMatch(/not a date/);
    expect(refusal('from:@@').message).toMatch(/no letter or digit/);
    expect(refusal('x'.repeat(1001)).message).toMatch(/at most 1000 characters/);
    expect(refusal(Array.from({ length: 21 }, (_, i) => `w${i}`).join(' ')).message).toMatch(/at most 20 terms/);
  });
});
