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
import type { MessageContent } from '../core/types.js';
import type { ParseTask } from './parse-worker.js';

/** parses raw messages off the event loop. */
export interface MessageParser {
  /** resolves with the parsed content; never rejects (failures set `parseError`). */
  parse(raw: Buffer): Promise<MessageContent>;
  /** lets running parses finish, then stops the workers; later calls resolve as failures. */
  close(): Promise<void>;
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
export function emptyContent(parseError: string): MessageContent {
  return {
    from: null,
    to: [],
    cc: [],
    subject: null,
    messageIdHeader: null,
    date: null,
    bodyText: null,
    bodyHtml: null,
    headers: [],
    attachments: [],
    codes: [],
    links: [],
    parseError,
  };
}

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
 * Starts a pool of parser workers. At most `workers` parses run at once; others wait in a FIFO
 * here rather than in piscina's queue, so that a parse's deadline starts when it can actually
 * run — a burst of mail must not make queued messages time out. On timeout the worker is
 * terminated (piscina aborts the task) and replaced.
 */
export function createParserPool(opts: ParserPoolOptions): MessageParser {
  const workers = opts.workers > 0 ? opts.workers : os.availableParallelism();
  const { filename, execArgv } = workerEntry();
  const pool = new Piscina<ParseTask, MessageContent>({
    filename,
    ...(execArgv ? { execArgv } : {}),
    minThreads: 1,
    maxThreads: workers,
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
  const waiting: (() => void)[] = [];

  // a slot is handed straight from a finishing parse to the next waiter, so a new caller can
  // never slip in between and push the number running past `workers`
  const acquire = async (): Promise<void> => {
    if (running < workers) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  const runOne = async (raw: Buffer): Promise<MessageContent> => {
    // a fresh ArrayBuffer of exactly the message's size: a Buffer may be a view over a larger
    // (pooled) one, and structured clone would copy all of it. Transferring moves it for free.
    const bytes = new Uint8Array(raw.byteLength);
    bytes.set(raw);
    // Not AbortSignal.timeout(): its timer is unref'd, and a parse whose worker never answers
    // must still settle even when nothing else keeps the process alive (a CLI, a test).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('timeout')), opts.timeoutMs);
    try {
      return await pool.run({ raw: bytes }, { transferList: [bytes.buffer], signal: deadline.signal });
    } catch (err) {
      return emptyContent(describeFailure(err, opts.timeoutMs, deadline.signal.aborted));
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async parse(raw) {
      if (closed) return emptyContent('parser is shut down');
      await acquire();
      try {
        if (closed) return emptyContent('parser is shut down');
        return await runOne(raw);
      } finally {
        release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // queued parses wake, see `closed` and resolve as failures; running ones finish (piscina's
      // close waits for them)
      for (const wake of waiting.splice(0)) {
        running++; // the slot each woken waiter will release
        wake();
      }
      await pool.close();
    },
  };
}
