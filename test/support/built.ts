/**
 * Tests that run Inboxd the way users do (the package by its own name, the GitHub Action's
 * scripts) need the compiled server in dist/. CI builds before testing; `npm test` on a fresh
 * clone has not, so this compiles it once when dist/ is missing or older than src/.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repoRoot = join(import.meta.dirname, '../..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * compiles src/ to dist/ and copies its SQL migrations (the server half of `npm run build`) unless
 * dist/main.js is newer than every source file.
 */
export async function ensureServerBuilt(): Promise<void> {
  const main = join(repoRoot, 'dist/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource(join(repoRoot, 'src'))) return;
  const run = promisify(execFile);
  await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repoRoot, timeout: 150_000 });
  await run(process.execPath, [join(repoRoot, 'scripts/copy-assets.mjs')], { cwd: repoRoot });
}
