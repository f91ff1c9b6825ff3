/**
 * Tests that run Inboxd the way users do (the package by its own name, the GitHub Action's
 * scripts) need the compiled server in dist/. `npm test` builds what is stale first (pretest);
 * a single file run with `npx vitest run` may not have, so these tests ask the same script.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repoRoot = join(import.meta.dirname, '../..');

/** builds the parts of dist/ that are missing or older than their sources (scripts/build-if-stale.mjs). */
export async function ensureServerBuilt(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts/build-if-stale.mjs')], { cwd: repoRoot, timeout: 150_000 });
}
