/**
 * The parser worker's Blob: reads back exactly the bytes of its chunks, in order, and stays a
 * Blob to anyone who checks.
 */
import { describe, expect, it } from 'vitest';
import { ByteBlob } from './byte-blob.js';

describe('ByteBlob', () => {
  it('concatenates byte, ArrayBuffer and string chunks once, in order', async () => {
    const blob = new ByteBlob([Uint8Array.of(1, 2), Uint8Array.of(3).buffer, '\n', 'é'], { type: 'application/octet-stream' });
    expect(blob.size).toBe(6);
    expect(blob.type).toBe('application/octet-stream');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3, 0x0a, 0xc3, 0xa9]);
    expect(await new ByteBlob(['a', 'b']).text()).toBe('ab');
    expect(Object.prototype.toString.call(blob)).toBe('[object Blob]');
  });

  it('slices like a Blob', async () => {
    const blob = new ByteBlob(['hello ', 'world']);
    expect(await blob.slice(3, 8).text()).toBe('lo wo');
  });
});
