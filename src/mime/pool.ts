/**
 * The MIME parser pool (DESIGN "Delivery rules" 7): parsing runs in piscina worker threads, each
 * with a heap cap, and every task has a deadline. A message that times out, exhausts a worker's
 * memory or crashes it still yields a `MessageContent` — empty, with `parseError` saying why —
 * so delivery stores the raw bytes and acknowledges instead of dropping the message.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { AttachmentData, MessageContent } from '../core/types.js';
import type { ParseTask } from './parse-worker.js';
import { emptyContent } from './empty.js';

/** parses raw messages off the event loop. */
export interface MessageParser {
  /** resolves with the parsed content; never rejects (failures set `parseError`). */
  parse(raw: Buffer): Promise<MessageContent>;
  /** attachment `index` of a raw message, read in a worker; null when there is none. */
  attachment(raw: Buffer, index: number): Promise<AttachmentData | null>;
  /** lets running parses finish, then stops the workers; later calls resolve as failures. */
  close(): Promise<void>;
  /** parses waiting for a free worker right now (for /metrics). */
  queueDepth(): number;
  /** worker threads alive right now (for /metrics). */
  threads(): number;
}

/** options for {@link createParserPool}. */
export interface ParserPoolOptions {
  /** worker threads; 0 means one per available CPU. */
  workers: number;
  /** deadline for one parse, counted from when a worker is free to take it. */
  timeoutMs: number;
  /** old-generation heap cap of each worker, in MB. */
  memoryMb: number;
}

/** a content object with nothing parsed and `parseError` set: the result of every failure. */
export { emptyContent };

/**
 * Where the worker lives and how to start it. Compiled, this file is dist/mime/pool.js and the
 * worker dist/mime/parse-worker.js. Run from source (vitest, tsx), this file is a .ts and the
 * worker thread needs tsx's loader to import parse-worker.ts: worker threads inherit
 * process.execArgv, but vitest runs tests without tsx, so it is added explicitly (by absolute
 * path, so it resolves wherever the process was started from).
 */
function workerEntry(): { filename: string; execArgv: string[] | undefined } {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) {
    return { filename: fileURLToPath(new URL('./parse-worker.js', self)), execArgv: undefined };
  }
  const filename = fileURLToPath(new URL('./parse-worker.ts', self));
  const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
  if (hasTsx) return { filename, execArgv: [...process.execArgv] };
  const tsx = pathToFileURL(createRequire(self).resolve('tsx')).href;
  return { filename, execArgv: [...process.execArgv, '--import', tsx] };
}

function describeFailure(err: unknown, timeoutMs: number, timedOut: boolean): string {
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (timedOut) return `parse timed out after ${timeoutMs} ms`;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'parser ran out of memory';
  const message = e?.message || String(err);
  return `parser failed: ${message}`;
}

/**
 * Parses that queue up while every worker is busy are handed over in batches of small messages:
 * one task (one postMessage, one wake-up of the worker) for up to BATCH_MAX messages of at most
 * BATCH_SMALL_BYTES each. Under load this took the pool's per-message overhead (piscina's
 * postTask was 13% of the ingest profile) off the event loop, and it lets the results of a burst
 * land together, so the store's group commit pays one sync for all of them. An idle pool still
 * gets single tasks, so a lone message waits for no one.
 */
const BATCH_MAX = 32;
const BATCH_SMALL_BYTES = 64 * 1024;

interface Job {
  raw: Buffer;
  resolve: (c: MessageContent) => void;
}

/**
 * Starts a pool of parser workers. At most `workers` tasks run at once; parses waiting for one
 * queue here rather than in piscina's queue, so that a task's deadline starts when it can
 * actually run — a burst of mail must not make queued messages time out. On timeout the worker
 * is terminated (piscina aborts the task) and replaced. A batch that fails as a whole (its
 * deadline, a worker out of memory or crashed) is parsed again one message at a time, each with
 * its own deadline, so only the message that caused it ends up with `parseError`.
 */
export function createParserPool(opts: ParserPoolOptions): MessageParser {
  const workers = opts.workers > 0 ? opts.workers : os.availableParallelism();
  const { filename, execArgv } = workerEntry();
  const pool = new Piscina<ParseTask, MessageContent | MessageContent[]>({
    filename,
    ...(execArgv ? { execArgv } : {}),
    minThreads: 1,
    maxThreads: workers,
    // piscina ends a thread above minThreads as soon as it is idle (idleTimeout 0), so on more than
    // one core a burst started a second worker, ended it between messages and started it again:
    // each start loads the parser, and with two cores ingest ran at a fifth of its one-core rate.
    // Threads started for a burst now stay while mail keeps coming.
    idleTimeout: 30_000,
    concurrentTasksPerWorker: 1,
    resourceLimits: {
      maxOldGenerationSizeMb: opts.memoryMb,
      // the young generation is where a parse's short-lived strings churn; a fixed, modest cap
      // keeps the total per worker close to memoryMb
      maxYoungGenerationSizeMb: 32,
    },
  });
  // piscina emits 'error' for failures outside any task (a worker that cannot start); tasks
  // see their own errors, so this only keeps an unhandled 'error' from killing the process
  pool.on('error', () => {});

  let running = 0;
  let closed = false;
  const queue: Job[] = [];

  // Bytes in shared memory (what the SMTP edge hands over) go to the worker as they are: both
  // threads read the same memory and nothing is copied, and if the worker dies the bytes are
  // still here to be stored. Anything else is copied into a fresh ArrayBuffer of exactly the
  // message's size (a Buffer may be a view over a larger, pooled one, and structured clone would
  // copy all of it) and transferred, which moves it for free.
  const own = (raw: Buffer): { bytes: Uint8Array; transfer: ArrayBuffer[] } => {
    if (raw.buffer instanceof SharedArrayBuffer) return { bytes: raw, transfer: [] };
    const bytes = new Uint8Array(raw.byteLength);
    bytes.set(raw);
    return { bytes, transfer: [bytes.buffer] };
  };

  /** one task with its deadline; null when it failed (the reason in `failure`). */
  const runTask = async (task: ParseTask, transfer: ArrayBuffer[]): Promise<{ ok: MessageContent | MessageContent[] } | { failure: string }> => {
    // Not AbortSignal.timeout(): its timer is unref'd, and a parse whose worker never answers
    // must still settle even when nothing else keeps the process alive (a CLI, a test).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('timeout')), opts.timeoutMs);
    try {
      return { ok: await pool.run(task, { transferList: transfer, signal: deadline.signal }) };
    } catch (err) {
      return { failure: describeFailure(err, opts.timeoutMs, deadline.signal.aborted) };
    } finally {
      clearTimeout(timer);
    }
  };

  const runOne = async (job: Job): Promise<void> => {
    const { bytes, transfer } = own(job.raw);
    const r = await runTask({ raw: bytes }, transfer);
    job.resolve('ok' in r ? (r.ok as MessageContent) : emptyContent(r.failure));
  };

  const runBatch = async (jobs: Job[]): Promise<void> => {
    if (jobs.length === 1) return runOne(jobs[0]!);
    const owned = jobs.map((j) => own(j.raw));
    const r = await runTask({ raws: owned.map((o) => o.bytes) }, owned.flatMap((o) => o.transfer));
    if ('ok' in r && Array.isArray(r.ok) && r.ok.length === jobs.length) {
      jobs.forEach((j, i) => j.resolve((r.ok as MessageContent[])[i]!));
      return;
    }
    // the batch failed as a whole: find the culprit by giving each message its own task
    for (const j of jobs) {
      if (closed) j.resolve(emptyContent('parser is shut down'));
      else await runOne(j);
    }
  };

  /** the next task: the first waiting message, and more small ones behind it when it is small. */
  const take = (): Job[] => {
    const first = queue.shift()!;
    if (first.raw.byteLength > BATCH_SMALL_BYTES) return [first];
    const batch = [first];
    for (let i = 0; i < queue.length && batch.length < BATCH_MAX; ) {
      if (queue[i]!.raw.byteLength <= BATCH_SMALL_BYTES) batch.push(queue.splice(i, 1)[0]!);
      else i++;
    }
    return batch;
  };

  const pump = (): void => {
    while (running < workers && queue.length > 0) {
      const batch = take();
      running++;
      runBatch(batch)
        .catch((err: unknown) => {
          for (const j of batch) j.resolve(emptyContent(describeFailure(err, opts.timeoutMs, false)));
        })
        .finally(() => {
          running--;
          pump();
        });
    }
  };

  // Messages whose DATA ended in the same turn of the event loop (one poll phase reads many
  // sockets) go to the worker together: a parse of a small message costs less than waking the
  // worker for it, so one wake-up per turn instead of one per message. A lone message waits for
  // the end of the current turn only.
  let pumpScheduled = false;
  const schedulePump = (): void => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  };

  return {
    queueDepth: () => queue.length,
    threads: () => pool.threads.length,
    parse(raw) {
      if (closed) return Promise.resolve(emptyContent('parser is shut down'));
      return new Promise<MessageContent>((resolve) => {
        queue.push({ raw, resolve });
        schedulePump();
      });
    },
    async attachment(raw, index) {
      if (closed) throw new Error('parser is shut down');
      const { bytes, transfer } = own(raw);
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new Error('timeout')), opts.timeoutMs);
      try {
        // a read path, rare and user-driven: it goes straight to piscina, past the parse queue
        const found: unknown = await pool.run({ raw: bytes, index } as never, { name: 'attachment', transferList: transfer, signal: deadline.signal });
        return found as AttachmentData | null;
      } catch (err) {
        throw new Error(describeFailure(err, opts.timeoutMs, deadline.signal.aborted), { cause: err });
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // queued parses resolve as failures; running ones finish (piscina's close waits for them)
      for (const job of queue.splice(0)) job.resolve(emptyContent('parser is shut down'));
      await pool.close();
    },
  };
}
