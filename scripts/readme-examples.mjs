// Runs the README's shell examples in order, as written, against a real `inboxd serve` (#17.5):
// every ```sh block, one bash session (variables carry from block to block), in a scratch folder,
// with 127.0.0.1:8025 / :2525 pointed at free ports. A block preceded by
// `<!-- readme-examples: skip: why -->` is left out (a deployment, another tool, CI's own steps).
// curl gets --fail-with-body unless the example prints the status itself (-w) or streams (-N),
// so an example answered 4xx/5xx (a wait that never matches, a deleted mailbox) fails the run.
// Needs `npm run build` first (dist/main.js) and curl. Run by .ci/run.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { error, log } from 'node:console';
import { get } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const lines = readFileSync(join(repo, 'README.md'), 'utf8').split('\n');

/** the ```sh blocks to run: [line number of the fence, text]. */
const blocks = [];
for (let i = 0; i < lines.length; i++) {
  if (lines[i] !== '```sh') continue;
  let prev = i - 1;
  while (prev >= 0 && lines[prev].trim() === '') prev--;
  const skip = prev >= 0 && /^<!-- readme-examples: skip: .+ -->$/.test(lines[prev]);
  const start = i + 1;
  while (i + 1 < lines.length && lines[i + 1] !== '```') i++;
  if (!skip) blocks.push([start, lines.slice(start, i + 1).join('\n')]);
}

const freePort = () =>
  new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
const [httpPort, smtpPort] = [await freePort(), await freePort()];
const url = `http://127.0.0.1:${httpPort}`;

const work = mkdtempSync(join(tmpdir(), 'inboxd-readme-'));
const binDir = join(work, 'bin');
mkdirSync(binDir);
mkdirSync(join(work, 'cwd'));
// `inboxd` as an installed package would put it on PATH
writeFileSync(join(binDir, 'inboxd'), `#!/bin/sh\nexec "${process.execPath}" "${join(repo, 'bin/inboxd.js')}" "$@"\n`);
chmodSync(join(binDir, 'inboxd'), 0o755);

const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('INBOXD_')) delete env[k];
Object.assign(env, {
  INBOXD_ENV: 'development',
  INBOXD_HTTP_PORT: String(httpPort),
  INBOXD_SMTP_PORT: String(smtpPort),
  INBOXD_DATA_DIR: join(work, 'data'),
  INBOXD_LOG_LEVEL: 'warn',
});

const server = spawn(process.execPath, [join(repo, 'dist/main.js'), 'serve'], { cwd: repo, env, stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
process.on('exit', () => {
  stop();
  rmSync(work, { recursive: true, force: true });
});

const deadline = Date.now() + 30_000;
for (;;) {
  const up = await new Promise((ok) => get(`${url}/health`, (res) => ok(res.statusCode === 200) || res.resume()).on('error', () => ok(false)));
  if (up) break;
  if (server.exitCode !== null || Date.now() > deadline) {
    error(`readme-examples: inboxd serve did not come up on ${url}`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

const prelude = `set -eo pipefail
PS4='+ '
set -x
npm() { command npm --prefix "$README_EXAMPLES_REPO" "$@"; }
curl() {
  case " $* " in
    *" -w "*|*" -N "*) command curl "$@" ;;
    *) command curl --fail-with-body --max-time 60 "$@" ;;
  esac
}
`;
const script =
  prelude +
  blocks
    .map(([line, text]) => `echo; echo "== README.md:${line}"\n` + text.replace(/(127\.0\.0\.1|localhost):8025/g, `127.0.0.1:${httpPort}`).replace(/127\.0\.0\.1:2525/g, `127.0.0.1:${smtpPort}`))
    .join('\n') +
  '\nkill $(jobs -p) 2>/dev/null || true\n';

log(`readme-examples: ${blocks.length} blocks against ${url} (SMTP ${smtpPort})`);
const bash = spawn('bash', ['-c', script], {
  cwd: join(work, 'cwd'),
  env: {
    ...env,
    PATH: `${binDir}:${env.PATH}`,
    README_EXAMPLES_REPO: repo,
    INBOXD_URL: url,
    XDG_CONFIG_HOME: join(work, 'config'),
    GITHUB_RUN_ID: env.GITHUB_RUN_ID ?? `local-${process.pid}`,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const timer = setTimeout(() => bash.kill('SIGKILL'), 300_000);
const code = await new Promise((r) => bash.on('exit', (c) => r(c ?? 1)));
clearTimeout(timer);
if (code !== 0) {
  error(`\nreadme-examples: FAILED (exit ${code}): the last "== README.md:N" above is the block that failed`);
  process.exit(1);
}
log('\nreadme-examples: every example ran');
process.exit(0);
