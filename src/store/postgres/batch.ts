/**
 * The PostgreSQL store's group commit: deliveries that arrive while earlier batches are being
 * written are taken together as the next batch, so under load N deliveries share one transaction
 * and two round trips instead of six each; an idle store starts what arrived in one event-loop
 * turn on the next (no gathering delay beyond that). Each job still succeeds or fails on its own: `write` reports one outcome
 * per job, in order, or throws, which fails the whole batch.
 * Not here: SQL (the store's `write` does that).
 */

/** one job's outcome: its result, or the error it alone failed with. */
export type JobOutcome<R> = { ok: R } | { err: unknown };

interface Pending<J, R> {
  job: J;
  bytes: number;
  resolve: (v: R) => void;
  reject: (e: unknown) => void;
}

export interface BatchLimits {
  /** batches written at once (each holds one pooled connection). */
  inFlight: number;
  /** most jobs in one batch. */
  jobs: number;
  /** a batch stops growing past this many payload bytes (one larger job still goes alone). */
  bytes: number;
}

export class BatchWriter<J, R> {
  private readonly queue: Pending<J, R>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly write: (jobs: J[]) => Promise<JobOutcome<R>[]>,
    private readonly limits: BatchLimits,
  ) {}

  /** queues `job` (of `bytes` payload); resolves after the batch holding it has committed. */
  submit(job: J, bytes: number): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, bytes, resolve, reject });
      // deliveries whose data ended in the same event-loop turn start together
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.running < this.limits.inFlight && this.queue.length > 0) {
      const batch: Pending<J, R>[] = [this.queue.shift()!];
      let bytes = batch[0]!.bytes;
      while (this.queue.length > 0 && batch.length < this.limits.jobs && bytes + this.queue[0]!.bytes <= this.limits.bytes) {
        const next = this.queue.shift()!;
        bytes += next.bytes;
        batch.push(next);
      }
      this.running++;
      this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending<J, R>[]): Promise<void> {
    let outcomes: JobOutcome<R>[];
    try {
      outcomes = await this.write(batch.map((p) => p.job));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if ('ok' in o) p.resolve(o.ok);
      else p.reject(o.err);
    });
  }
}
