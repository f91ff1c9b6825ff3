// Builds only what is missing or older than its sources, so `npm start` (prestart) and `npm test`
// (pretest) start at once on a built checkout and still build a fresh clone. Three parts, each an
// output file that the part's build rewrites, against the newest of its inputs:
//   sdk    sdk/dist/index.js      ← sdk/src, sdk/package.json, sdk/tsconfig.json
//   server dist/main.js           ← src (migrations included), tsconfig.json, package.json, the SDK's sources
//   web    web/dist/index.html    ← web/src, web/public, web/index.html, web/vite.config.ts, web/tsconfig.json, the SDK's sources
// A stale SDK rebuilds everything after it. `--dry-run` prints the plan without building;
// `--root DIR` looks at another tree (the test's).
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { log } from 'node:console';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? args[rootAt + 1] : process.cwd();

/** the newest file under `paths` (files or folders): [mtime, path], or [0, null] when there is none. */
function newest(paths) {
  let best = [0, null];
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules' && e !== 'dist') visit(join(p, e));
    } else if (st.mtimeMs > best[0]) best = [st.mtimeMs, p];
  };
  for (const p of paths) visit(join(root, p));
  return best;
}

const sdkSources = ['sdk/src', 'sdk/package.json', 'sdk/tsconfig.json'];
const parts = [
  { name: 'sdk', output: 'sdk/dist/index.js', inputs: sdkSources, command: 'npm run build:sdk' },
  { name: 'server', output: 'dist/main.js', inputs: ['src', 'tsconfig.json', 'package.json', ...sdkSources], command: 'npx tsc -p tsconfig.json && node scripts/copy-assets.mjs' },
  { name: 'web', output: 'web/dist/index.html', inputs: ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', ...sdkSources], command: 'npm run build:web' },
];

const plan = [];
for (const part of parts) {
  const out = join(root, part.output);
  if (plan.some((p) => p.name === 'sdk')) {
    plan.push({ ...part, why: 'the SDK is rebuilt' });
    continue;
  }
  if (!existsSync(out)) {
    plan.push({ ...part, why: `${part.output} is missing` });
    continue;
  }
  const [mtime, file] = newest(part.inputs);
  if (mtime > statSync(out).mtimeMs) plan.push({ ...part, why: `${relative(root, file)} is newer than ${part.output}` });
}

if (plan.length === 0) {
  log('build: up to date (sdk, server and web UI are newer than their sources)');
  process.exit(0);
}
for (const part of plan) {
  log(`build: ${part.name}: ${part.why}${dryRun ? '' : ` → ${part.command}`}`);
  if (!dryRun) execSync(part.command, { cwd: root, stdio: 'inherit' });
}
