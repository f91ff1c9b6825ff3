import { describe, expect, it } from 'vitest';
import { createParserPool } from '../../src/mime/pool.js';
describe('smoke', () => {
  it('works', async () => {
    const p = createParserPool({ workers: 1, timeoutMs: 10000, memoryMb: 64 });
    const t = Date.now();
    const c = await p.parse(Buffer.from('Subject: hi\r\n\r\nYour code is 123456\r\n'));
    console.log(Date.now() - t, JSON.stringify(c));
    await p.close();
    expect(c.subject).toBe('hi');
  });
});
