/**
 * The SQLite store's group commit: inserts that arrive in the same event-loop turn are handed
 * to one `commit` call, so N deliveries pay one transaction and one fsync (DESIGN rule 6 keeps
 * synchronous=FULL, so the sync is the expensive part). Each job still succeeds or fails on its
 * own; `commit` reports one outcome per job, in order.
 * Not here: SQL (the store's `commit` callback does that).
 */

/** one job's outcome: its result, or the error it alone failed with. */
export type JobOutcome<R> = { ok: R } | { err: unknown };

interface Pending<J, R> {
  job: J;
  /** when it was submitted (Date.now()), for the retry budget. */
  at: number;
  resolve: (v: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects jobs until the next turn of the event loop (setImmediate), then commits them together.
 * `commit` returns one outcome per job or throws, which fails every job of the group with
 * `failAll(err)`.
 */
export class GroupCommit<J, R> {
  private pending: Pending<J, R>[] = [];
  private scheduled = false;

  /**
   * @param retryAfter when `commit` threw: milliseconds to wait before the group is tried again
   *   (with whatever joined it meanwhile), or null to fail it. Waiting here, not in the driver,
   *   keeps the event loop free while another process holds the database's write lock.
   */
  constructor(
    private readonly commit: (jobs: J[]) => JobOutcome<R>[],
    private readonly failAll: (err: unknown) => unknown,
    private readonly retryAfter?: (err: unknown, oldestAt: number) => number | null,
  ) {}

  /** queues `job` for the next group; resolves after the group's transaction has committed. */
  submit(job: J): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, at: Date.now(), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** commits whatever is queued now (also called on close, so nothing queued is dropped). */
  flush(): void {
    this.scheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    let outcomes: JobOutcome<R>[];
    try {
      outcomes = this.commit(group.map((p) => p.job));
    } catch (err) {
      const wait = this.retryAfter?.(err, group[0]!.at) ?? null;
      if (wait !== null) {
        this.pending = group.concat(this.pending);
        this.scheduled = true;
        setTimeout(() => this.flush(), wait);
        return;
      }
      const e = this.failAll(err);
      for (const p of group) p.reject(e);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i]!;
      if ('ok' in o) p.resolve(o.ok);
      else p.reject(o.err);
    });
  }
}
