/**
 * A real `inboxd serve` child process, for what an in-process server cannot show: a SIGKILL (no
 * shutdown hook runs) and a restart on the same data, or a server pinned to its own CPU core
 * for the benchmarks. It resolves once the "inboxd ready" log line names the ports. Only the
 * child started here is ever signalled, by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  http: string;
  smtpPort: number;
  /** everything the process wrote so far (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown runs, as in a crash or an OOM kill. Resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServeOptions {
  /** INBOXD_* settings (ports default to 0, log level to info: the ready line is an info line). */
  env: Record<string, string>;
  /** run `dist/main.js` (after `npm run build`) instead of the TypeScript source through tsx. */
  compiled?: boolean;
  /** pin to these CPUs with taskset (e.g. "0"). */
  cpus?: string;
  /** extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
  /** called with each line written to stdout before the ready line (e.g. start-up retries). */
  onLine?: (line: string) => void;
}

export function startServe(opts: ServeOptions): Promise<ServeProcess> {
  const entry = opts.compiled ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const nodeArgs = [...(opts.nodeArgs ?? []), ...entry, 'serve'];
  const [cmd, args] = opts.cpus !== undefined && existsSync('/usr/bin/taskset')
    ? ['/usr/bin/taskset', ['-c', opts.cpus, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(cmd as string, args as string[], {
    cwd: repoRoot,
    env: { ...process.env, INBOXD_HTTP_PORT: '0', INBOXD_SMTP_PORT: '0', INBOXD_LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`inboxd serve did not start in time: ${err || out}`));
    }, opts.startTimeoutMs ?? 30_000);
    let ready = false;
    let partial = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      // past the ready line only the tail is kept, so a long run cannot grow this without bound
      out = (out + d).slice(-64_000);
      if (ready) return;
      if (opts.onLine) {
        const lines = (partial + d).split('\n');
        partial = lines.pop()!;
        for (const line of lines) opts.onLine(line);
      }
      for (const line of out.split('\n')) {
        if (!line.includes('inboxd ready')) continue;
        const info = JSON.parse(line) as { http: string | null; smtp: string | null };
        ready = true;
        clearTimeout(timer);
        const proc: ServeProcess = {
          child,
          pid: child.pid!,
          http: info.http ?? '',
          smtpPort: info.smtp ? Number(info.smtp.split(':').pop()) : 0,
          output: () => `${out}\n${err}`,
          async kill() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
          async stop(graceMs = 10_000) {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(t);
          },
        };
        resolve(proc);
        return;
      }
    });
    child.once('exit', (code, signal) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`inboxd serve exited (${code ?? signal}) before it was ready: ${err || out}`));
      }
    });
  });
}
