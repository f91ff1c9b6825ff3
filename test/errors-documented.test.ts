// Every ErrorCode is documented in docs/errors.md with the status and reply the edges really
// give, and nothing extra is documented (the Fastify "documented and typed" pattern).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/errors.js';
import { HTTP_STATUS } from '../src/http/errors.js';
import { SMTP_REPLIES } from '../src/smtp/replies.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const rows = new Map(
  [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (\d{3} \d\.\d{1,3}\.\d{1,3}) \|/gm)].map((m) => [m[1]!, { http: Number(m[2]), smtp: m[3]! }]),
);

describe('error registry', () => {
  it('documents exactly the codes in the registry', () => {
    expect([...rows.keys()].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('documents the HTTP status and SMTP reply each edge gives', () => {
    for (const code of ERROR_CODES) {
      const r = SMTP_REPLIES[code];
      expect(rows.get(code), code).toEqual({ http: HTTP_STATUS[code], smtp: `${r.code} ${r.enhanced}` });
    }
  });
});
