/**
 * Moves the SQLite store's WAL checkpoints off the event loop. SQLite's automatic checkpoint
 * runs inside the commit that crosses 1,000 WAL pages: it copies the WAL into the database file
 * and syncs both on the main thread (at 50 KB a message that was a fifth of the insert's CPU, and
 * the occasional slow commit behind the "." → event p99). Instead the store turns the automatic
 * checkpoint off and this runs PASSIVE checkpoints from a second connection in a worker thread:
 * after group commits (at most one in flight, at most one begun per MIN_GAP_MS) and on an idle timer for the other
 * writes. SQLite keeps them safe together (a checkpoint never blocks the writer; a SIGKILL in the
 * middle leaves the WAL to replay).
 * The WAL stays bounded: it restarts from its start at the first write after a checkpoint that
 * caught up; under steady writes the worker may never quite catch up, so when it reports more
 * than `maxWalFrames` (MAX_WAL_FRAMES) the store checkpoints once on its own connection (the remainder is small).
 * If the worker fails, the store goes back to SQLite's automatic checkpoint.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL pages beyond which the store catches up itself (~16 MB at 4 KB pages; SQLite's own
 * automatic checkpoint is at 1,000). Each catch-up copies only what the worker's running pass
 * has not, so the larger this, the less of the checkpoint work lands on the event loop when
 * writes outpace the worker: at 2,048 that was a quarter of the main thread's time at 50 KB a
 * message written flat out, at 4,096 little.
 */
export const MAX_WAL_FRAMES = 4096;
/** how often the worker is asked when nothing is committed (writes other than inserts). */
const IDLE_KICK_MS = 1000;
/**
 * the least time between two passes asked for by commits. A pass copies every page written since
 * the last one and syncs the database file; the pages every commit rewrites (the mailbox row,
 * b-tree and index interiors) were copied and synced once per commit when each commit asked, which
 * at small commits cost the worker 15% of the core at 2 KB a message. SQLite's own automatic
 * checkpoint waits for 1,000 pages; this waits a quarter of a second.
 */
const MIN_GAP_MS = 250;
/** how long close waits for the worker to close its connection. */
const CLOSE_WAIT_MS = 2000;

/** the checkpoint's result, as `PRAGMA wal_checkpoint` reports it. */
export interface CheckpointReport {
  busy: number;
  /** pages in the WAL. */
  log: number;
  /** pages of it copied into the database file. */
  checkpointed: number;
}

// plain CommonJS run with `eval`: the same code from source (vitest, tsx) and from dist, and the
// thread loads nothing but the driver
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
db.pragma('synchronous = ' + workerData.synchronous);
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
});
`;

export interface CheckpointerOptions {
  file: string;
  /** MAX_WAL_FRAMES unless a test wants the bound reached sooner. */
  maxWalFrames?: number;
  synchronous: 'FULL' | 'NORMAL';
  /** the WAL went past MAX_WAL_FRAMES: checkpoint on the store's own connection now. */
  catchUp: () => void;
  /** the worker failed: the store turns SQLite's automatic checkpoint back on. */
  failed: (err: unknown) => void;
}

export class Checkpointer {
  private readonly worker: Worker;
  private inFlight = false;
  private again = false;
  private paused = false;
  private closed = false;
  private readonly idle: NodeJS.Timeout;
  private settle: (() => void) | null = null;
  private lastPassAt = 0;
  private deferred: NodeJS.Timeout | null = null;
  /** about how many bytes commits wrote to the WAL since the last pass began. */
  private written = 0;

  constructor(private readonly options: CheckpointerOptions) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: options.file, synchronous: options.synchronous, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    this.worker.unref();
    this.worker.on('message', (r: CheckpointReport | { error: string }) => this.done(r));
    this.worker.on('error', (err) => this.fail(err));
    this.idle = setInterval(() => this.kick(), IDLE_KICK_MS);
    this.idle.unref();
  }

  /**
   * a group commit of about `bytes` is on disk: a pass now, or at most MIN_GAP_MS after the last
   * one began; at once when a quarter of the WAL bound was written since (a burst must not carry
   * the WAL past its bound before the next pass reports it).
   */
  committed(bytes: number): void {
    if (this.closed) return;
    this.written += bytes;
    const wait = this.lastPassAt + MIN_GAP_MS - Date.now();
    if (wait <= 0 || this.written * 4 >= (this.options.maxWalFrames ?? MAX_WAL_FRAMES) * 4096) return this.kick();
    if (this.deferred) return;
    this.deferred = setTimeout(() => {
      this.deferred = null;
      this.kick();
    }, wait);
    this.deferred.unref();
  }

  /** asks for a checkpoint: now if none is running, else right after the running one. */
  kick(): void {
    if (this.closed) return;
    if (this.inFlight || this.paused) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.again = false;
    this.lastPassAt = Date.now();
    this.written = 0;
    if (this.deferred) clearTimeout(this.deferred);
    this.deferred = null;
    this.worker.postMessage('checkpoint');
  }

  private done(r: CheckpointReport | { error: string }): void {
    this.inFlight = false;
    if ('error' in r) {
      this.fail(new Error(r.error));
      return;
    }
    if (r.log > (this.options.maxWalFrames ?? MAX_WAL_FRAMES)) this.options.catchUp();
    this.settle?.();
    if (this.again && !this.paused) this.kick();
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.idle);
    if (this.deferred) clearTimeout(this.deferred);
    this.settle?.();
    void this.worker.terminate();
    this.options.failed(err);
  }

  /** runs `fn` with no checkpoint of the worker running (a TRUNCATE must not find it busy). */
  async whileIdle<T>(fn: () => T): Promise<T> {
    this.paused = true;
    try {
      while (this.inFlight && !this.closed) await new Promise<void>((resolve) => (this.settle = resolve));
      return fn();
    } finally {
      this.settle = null;
      this.paused = false;
      if (this.again) this.kick();
    }
  }

  /** closes the worker's connection before the store closes its own (the last one out removes the WAL). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.idle);
    if (this.deferred) clearTimeout(this.deferred);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }
}
