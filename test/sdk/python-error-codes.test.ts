// The Python package's ERROR_CODES (clients/python/src/inboxd/errors.py) is the server's list
// too. Its own pytest pins it as well, but that suite runs only in .ci/run: this check fails in
// `npm test`, where whoever adds a code to src/core/errors.ts looks first.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';

const source = readFileSync(new URL('../../clients/python/src/inboxd/errors.py', import.meta.url), 'utf8');
const block = /^ERROR_CODES: tuple\[str, \.\.\.\] = \(\n([\s\S]*?)\n\)/m.exec(source);

describe('Python package error codes', () => {
  it('lists exactly the server registry, in its order (add new codes to clients/python/src/inboxd/errors.py)', () => {
    expect(block, 'ERROR_CODES tuple not found in errors.py').not.toBeNull();
    expect([...block![1]!.matchAll(/"([a-z_]+)"/g)].map((m) => m[1])).toEqual([...ERROR_CODES]);
  });
});
