/**
 * What every bench shares: the servers under test as separate processes pinned to core 0 (Inboxd
 * on the embedded pair or on PostgreSQL + Redis, the bare smtp-server floor, MailDev 3), the load
 * client pinned to core 1, percentiles, a printed table and bench/results/<name>.json.
 * Loopback only; only processes started here are ended, by their pid (MailDev by its own process
 * group, which it was started in).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { createPostgresStore } from '../src/store/postgres/store.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/core/store.js';
import { freePort } from '../test/support/fault-tools.js';
import { dropSchema, uniqueName } from '../test/support/scale-env.js';
import { openSender } from '../test/support/smtp-load.js';
import { repoRoot, type ServeProcess, startServe } from '../test/support/serve-process.js';

/** the core(s) servers under test run on: 0, or BENCH_SERVER_CPUS (`--server-cpus 0,1` sets it). */
export const serverCpus = (): string => process.env.BENCH_SERVER_CPUS ?? '0';
export const CLIENT_CPU = '1';

/** pins this process (every thread) to the client core, when the machine has two or more. */
export function pinClient(): string {
  if (os.availableParallelism() < 2 || !existsSync('/usr/bin/taskset')) return 'not pinned (one core or no taskset)';
  execFileSync('/usr/bin/taskset', ['-a', '-p', '-c', CLIENT_CPU, String(process.pid)], { stdio: 'ignore' });
  return `client on cpu ${CLIENT_CPU}, servers on cpu ${serverCpus()}`;
}

// ── statistics and output ──────────────────────────────────────────────────────────────────────

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? NaN) };
}

export const round = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export function printTable(title: string, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(round(v)) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i]!)).join('  ');
  console.log(`\n${title}\n${line(cols)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
}

export function machine(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: os.availableParallelism(),
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: round(os.totalmem() / 2 ** 30, 1),
    loadavg_at_start: os.loadavg().map((l) => round(l, 2)),
  };
}

export function writeResults(name: string, data: Record<string, unknown>): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ bench: name, machine: machine(), ...data }, null, 2) + '\n');
  return file;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { freePort };

/** resident set size of a process, from /proc (bytes). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

// ── servers under test ─────────────────────────────────────────────────────────────────────────

export interface Target {
  name: string;
  smtpPort: number;
  /** Inboxd only. */
  http?: string;
  pid: number;
  /** addresses mail may go to (Inboxd: live mailboxes with their session tokens). */
  boxes: { address: string; token: string }[];
  stop(): Promise<void>;
}

export type Pair = 'embedded' | 'scale';

/** the scale pair's URLs, from INBOXD_BENCH_* or the test suite's INBOXD_TEST_*; null when unset. */
export function scaleUrls(): { db: string; redis: string } | null {
  const db = process.env.INBOXD_BENCH_DATABASE_URL ?? process.env.INBOXD_TEST_DATABASE_URL;
  const redis = process.env.INBOXD_BENCH_REDIS_URL ?? process.env.INBOXD_TEST_REDIS_URL;
  return db && redis ? { db, redis } : null;
}

export interface InboxdOptions {
  pair: Pair;
  mailboxes?: number;
  env?: Record<string, string>;
  /** an existing data directory / schema to serve (growth bench); otherwise a fresh one. */
  dataDir?: string;
  schema?: string;
  nodeArgs?: string[];
}

/** lifts the seeded free plan's caps (up to 64 MB messages): the bench measures speed, not quotas. */
async function lift(store: Store): Promise<void> {
  await store.migrate();
  await store.updatePlan('free', { maxMailboxes: -1, maxMessagesPerMailbox: -1, maxMessageBytes: 64 * 1024 * 1024 });
}

export function openStore(pair: Pair, where: { dataDir?: string; schema?: string }): Promise<Store> {
  if (pair === 'embedded') return Promise.resolve(new SqliteStore({ file: join(where.dataDir!, 'inboxd.db'), synchronous: 'full' }));
  return createPostgresStore({ url: scaleUrls()!.db, poolSize: 4, schema: where.schema! });
}

/** `inboxd serve` from dist/ (run `npm run build` first), pinned to the server core. */
export async function startInboxdTarget(opts: InboxdOptions): Promise<Target & { proc: ServeProcess; dataDir?: string; schema?: string }> {
  if (!existsSync(join(repoRoot, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first');
  const ownDir = opts.pair === 'embedded' && !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(os.tmpdir(), 'inboxd-bench-'));
  const ownSchema = opts.pair === 'scale' && !opts.schema;
  const schema = opts.schema ?? uniqueName('bench');
  const store = await openStore(opts.pair, { dataDir, schema });
  await lift(store);
  await store.close();
  const urls = scaleUrls();
  const pairEnv: Record<string, string> =
    opts.pair === 'embedded'
      ? { INBOXD_DATA_DIR: dataDir }
      : {
          INBOXD_DATABASE_URL: urls!.db,
          INBOXD_DATABASE_SCHEMA: schema,
          INBOXD_DATABASE_POOL_SIZE: '16',
          INBOXD_REDIS_URL: urls!.redis,
          INBOXD_REDIS_KEY_PREFIX: `${schema}:`,
        };
  const proc = await startServe({
    compiled: true,
    cpus: serverCpus(),
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server, written when it stops
    nodeArgs: [...(opts.nodeArgs ?? []), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: {
      INBOXD_LOG_LEVEL: 'info',
      INBOXD_SWEEP_INTERVAL: '3600',
      INBOXD_SMTP_MAX_CLIENTS_PER_IP: '1000',
      INBOXD_SMTP_MAX_CLIENTS: '2000',
      INBOXD_DOCS: 'false',
      ...pairEnv,
      ...opts.env,
    },
  });
  const boxes: Target['boxes'] = [];
  for (let i = 0; i < (opts.mailboxes ?? 16); i++) {
    const res = await fetch(`${proc.http}/api/v1/mailboxes?ttl_minutes=600`, { method: 'POST' });
    if (res.status !== 201) throw new Error(`create mailbox: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { address: string; session_token: string };
    boxes.push({ address: body.address, token: body.session_token });
  }
  return {
    name: opts.pair === 'embedded' ? 'inboxd sqlite' : 'inboxd pg+redis',
    smtpPort: proc.smtpPort,
    http: proc.http,
    pid: proc.pid,
    boxes,
    proc,
    dataDir,
    schema,
    async stop() {
      await proc.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      if (ownSchema) await dropSchema(urls!.db, schema).catch(() => undefined);
    },
  };
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${out.slice(-2000)}`));
    });
  });
}

async function stopChild(child: ChildProcess, group = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const signal = (s: NodeJS.Signals) => (group ? process.kill(-child.pid!, s) : child.kill(s));
  signal('SIGTERM');
  const t = setTimeout(() => {
    try {
      signal('SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(t);
}

/** the floor: a bare smtp-server that reads and discards every message (bench/floor-server.ts). */
export async function startFloor(): Promise<Target> {
  const child = spawn('/usr/bin/taskset', ['-c', serverCpus(), process.execPath, '--import', 'tsx', 'bench/floor-server.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const m = await waitForLine(child, /floor listening on (\d+)/, 30_000, 'the floor server');
  return {
    name: 'floor (bare smtp-server)',
    smtpPort: Number(m[1]),
    pid: child.pid!,
    boxes: Array.from({ length: 16 }, (_, i) => ({ address: `floor${i}@floor.test`, token: '' })),
    stop: () => stopChild(child),
  };
}

/**
 * MailDev 3 through `npx --yes maildev@3` (installed from the npm registry on first use), in its
 * own process group so npx and the node it starts are ended together. Null when it cannot run.
 */
export async function startMaildev(): Promise<Target | { error: string }> {
  const [smtp, web] = [await freePort(), await freePort()];
  const child = spawn('/usr/bin/taskset', ['-c', serverCpus(), 'npx', '--yes', 'maildev@3', '--smtp', String(smtp), '--web', String(web), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1'], {
    cwd: os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  try {
    await waitForLine(child, /SMTP Server[\s\S]*Port:|SMTP server running/i, 120_000, 'MailDev');
    // it may print the webapp line first: wait until the SMTP port greets
    for (let i = 0; i < 100; i++) {
      const sender = await openSender(smtp, '127.0.0.1', 2000).catch(() => null);
      if (sender) {
        await sender.quit();
        break;
      }
      await sleep(100);
    }
  } catch (err) {
    await stopChild(child, true).catch(() => undefined);
    return { error: err instanceof Error ? err.message : String(err) };
  }
  return {
    name: 'MailDev 3',
    smtpPort: smtp,
    pid: child.pid!,
    boxes: Array.from({ length: 16 }, (_, i) => ({ address: `peer${i}@maildev.test`, token: '' })),
    stop: () => stopChild(child, true),
  };
}

/** parses `--key value` / `--key=value` options after the bench name. */
export function options(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else out[a.slice(2)] = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true';
  }
  return out;
}
