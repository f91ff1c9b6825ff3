// docs/config.md is generated from the settings table; this fails when it is stale
// (regenerate with: npx tsx scripts/gen-config-doc.ts).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderConfigDoc } from '../src/config/doc.js';

it('docs/config.md matches the settings table', () => {
  expect(readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8')).toBe(renderConfigDoc());
});
