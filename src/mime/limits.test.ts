/**
 * Unit tests for the pre-parse MIME caps: hostile shapes are refused quickly, ordinary mail passes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMimeLimits, DEFAULT_MIME_LIMITS, topLevelHeaderBytes, withHeaderBlock } from './limits.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const fixture = (name: string): Uint8Array =>
  readFileSync(new URL(`../../test/fixtures/mail/${name}`, import.meta.url));

function multipart(parts: number, closing = true): string {
  return (
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' +
    '--b\r\n\r\n'.repeat(parts) +
    (closing ? '--b--\r\n' : '')
  );
}

describe('checkMimeLimits', () => {
  it('accepts ordinary multipart mail', () => {
    expect(checkMimeLimits(fixture('multipart-attachment.eml'))).toBeNull();
    expect(checkMimeLimits(fixture('inline-image-cid.eml'))).toBeNull();
    expect(checkMimeLimits(bytes('Subject: hi\n\nno MIME at all\n'))).toBeNull();
    expect(checkMimeLimits(new Uint8Array(0))).toBeNull();
  });

  // speed is measured in bench/, never asserted here: these check the answers on the big inputs
  it('refuses 300,000 empty MIME parts', () => {
    expect(checkMimeLimits(bytes(multipart(300_000)))).toMatch(/more than 1000 MIME parts/);
  });

  it('counts opening delimiters only, with transport padding, up to the cap', () => {
    expect(checkMimeLimits(bytes(multipart(1000)))).toBeNull();
    expect(checkMimeLimits(bytes(multipart(1001)))).not.toBeNull();
    // trailing whitespace after a delimiter is transport padding (RFC 2046 §5.1.1): still a part
    const padded = 'Content-Type: multipart/mixed; boundary=b\n\n' + '--b \t\n\n'.repeat(1001);
    expect(checkMimeLimits(bytes(padded))).not.toBeNull();
    // 1,001 close delimiters open nothing
    const closes = 'Content-Type: multipart/mixed; boundary=b\n\n' + '--b--\n'.repeat(1001);
    expect(checkMimeLimits(bytes(closes))).toBeNull();
  });

  it('refuses a 1 MB header block', () => {
    const raw = bytes(`Subject: big\r\nX-Pad: ${'a'.repeat(1024 * 1024)}\r\n\r\nbody\r\n`);
    expect(checkMimeLimits(raw)).toMatch(/headers exceed 256 KB/);
  });

  it('measures only the top-level header block, with CRLF or bare LF', () => {
    expect(topLevelHeaderBytes(bytes('A: 1\r\nB: 2\r\n\r\nbody'))).toBe(12);
    expect(topLevelHeaderBytes(bytes('A: 1\nB: 2\n\nbody'))).toBe(10);
    expect(topLevelHeaderBytes(bytes('\r\nbody only'))).toBe(0);
    // a large body after the headers does not count as header bytes
    const big = `A: 1\r\n\r\n${'x: y\r\n'.repeat(100_000)}`;
    expect(checkMimeLimits(bytes(big))).toBeNull();
  });

  it('gives a message without headers an empty header block, so a long bare body is not refused', () => {
    const bare = bytes(`just a body line, no headers\n${'more text\n'.repeat(50_000)}`);
    expect(checkMimeLimits(bare)).toMatch(/headers exceed/);
    const fixed = withHeaderBlock(bare);
    expect(Buffer.from(fixed.subarray(0, 6)).toString('latin1')).toBe('\r\njust');
    expect(checkMimeLimits(fixed)).toBeNull();
    // messages that start with a header (or an empty line) are passed through untouched
    const normal = bytes('Subject: x\r\n\r\nbody');
    expect(withHeaderBlock(normal)).toBe(normal);
    const empty = bytes('\r\nbody');
    expect(withHeaderBlock(empty)).toBe(empty);
  });

  it('refuses more than 100 distinct boundaries (deep nesting)', () => {
    let raw = '';
    for (let i = 0; i <= DEFAULT_MIME_LIMITS.maxDepth; i++) {
      raw += `Content-Type: multipart/mixed; boundary="level-${i}"\r\n\r\n--level-${i}\r\n`;
    }
    expect(checkMimeLimits(bytes(raw))).toMatch(/more than 100 multipart boundaries/);
  });

  it('honours custom limits', () => {
    expect(checkMimeLimits(bytes(multipart(3)), { maxParts: 2, maxDepth: 5, maxHeaderBytes: 1024 })).toMatch(
      /more than 2 MIME parts/,
    );
  });

  it('accepts a 25 MB message with few parts', () => {
    const chunk = Buffer.from(`${'abcdefghij'.repeat(7)}\r\n`);
    const body = Buffer.alloc(25 * 1024 * 1024, chunk);
    const raw = Buffer.concat([bytes(multipart(2, false)), body, bytes('--b--\r\n')]);
    expect(checkMimeLimits(raw)).toBeNull();
  });
});
