// The SDK's ErrorCode list is the server's: the same codes as src/core/errors.ts and
// docs/errors.md, nothing more, nothing less (the SDK may not import server code, so it keeps its
// own copy and this test keeps the copy honest).
import { readFileSync } from 'node:fs';
import { ERROR_CODES as SDK_CODES, type ErrorCode as SdkErrorCode } from '@inboxd/sdk';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ERROR_CODES as SERVER_CODES, type ErrorCode as ServerErrorCode } from '../../src/core/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `([a-z_]+)` \| \d{3} \|/gm)].map((m) => m[1]!);

describe('SDK error codes', () => {
  it('lists exactly the server registry, in its order', () => {
    expect([...SDK_CODES]).toEqual([...SERVER_CODES]);
  });

  it('lists exactly the documented codes', () => {
    expect([...SDK_CODES].sort()).toEqual([...documented].sort());
  });

  it('has the same ErrorCode union as the server', () => {
    expectTypeOf<SdkErrorCode>().toEqualTypeOf<ServerErrorCode>();
  });
});
