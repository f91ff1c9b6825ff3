// Writes docs/config.md from the settings table (src/config/schema.ts). Run: npx tsx scripts/gen-config-doc.ts
// test/config-doc.test.ts fails when the checked-in file is stale.
import { writeFileSync } from 'node:fs';
import { renderConfigDoc } from '../src/config/doc.js';

writeFileSync(new URL('../docs/config.md', import.meta.url), renderConfigDoc());
