/**
 * The bound on a delivery's commit (#14 item 1): a commit that has not finished within
 * `commitTimeoutMs` is answered storage_unavailable (SMTP 451 4.3.0, the sender retries) instead
 * of a 250 much later, and `/health` reports the commits check degraded until a commit (or a
 * commit probe) succeeds again.
 *
 * What a late commit means: the store may still finish it after the 451 was sent (a PostgreSQL
 * COMMIT cannot be called back once sent). The message is then stored and announced, and the
 * sender's retry stores it a second time: a duplicate, never a loss. Counted in
 * `inboxd_commits_late_total`.
 */
import type { CoreDeps } from './context.js';
import { DomainError, isDomainError } from './errors.js';
import type { HealthCheck, HealthCheckResult } from './health.js';

export interface CommitWatch {
  /**
   * runs `commit` under the bound.
   * @param onLate called with the result when the commit finished after the bound had answered.
   * @throws DomainError storage_unavailable when the bound passes first, or as `commit` throws
   */
  run<T>(commit: () => Promise<T>, onLate: (result: T) => void): Promise<T>;
  /** the `commits` entry of /health. */
  health: HealthCheck;
}

export function createCommitWatch(deps: Pick<CoreDeps, 'store' | 'clock' | 'log' | 'metrics'>, commitTimeoutMs: number, settingName = 'INBOXD_STORE_COMMIT_TIMEOUT'): CommitWatch {
  deps.metrics.counter('inboxd_commits_late_total', 'commits that finished after the sender was answered 451 (stored; the retry makes a duplicate)');
  deps.metrics.counter('inboxd_commits_timed_out_total', 'deliveries answered 451 because the store did not commit within the bound');
  let failingSince: number | null = null;
  let lastError = '';
  // start times (real time, as the bound is) of commits still running
  const inFlight = new Set<{ at: number }>();
  const overdue = () => {
    const now = Date.now();
    for (const c of inFlight) if (now - c.at >= commitTimeoutMs) return true;
    return false;
  };

  const failed = (message: string) => {
    failingSince ??= deps.clock.now();
    lastError = message;
  };

  async function run<T>(commit: () => Promise<T>, onLate: (result: T) => void): Promise<T> {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const flight = { at: Date.now() };
    inFlight.add(flight);
    const work = commit();
    work.then(
      () => inFlight.delete(flight),
      () => inFlight.delete(flight),
    );
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new DomainError('storage_unavailable', `the store did not commit within ${commitTimeoutMs} ms`));
      }, commitTimeoutMs);
      timer.unref();
    });
    work.then(
      (result) => {
        if (!timedOut) return;
        deps.metrics.inc('inboxd_commits_late_total');
        deps.log.warn({ component: 'delivery' }, 'a commit finished after its sender was answered 451; the retry will store a duplicate');
        onLate(result);
      },
      () => undefined,
    );
    try {
      const result = await Promise.race([work, bound]);
      failingSince = null;
      return result;
    } catch (err) {
      if (timedOut) {
        deps.metrics.inc('inboxd_commits_timed_out_total');
        failed(`no commit within ${commitTimeoutMs} ms`);
      } else if (isDomainError(err, 'storage_unavailable')) {
        failed(err.message);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  const health: HealthCheck = {
    name: 'commits',
    async check(): Promise<HealthCheckResult> {
      // a commit still running past the bound (a held lock, a stalled PostgreSQL) is degraded now
      const stuck = overdue();
      if (stuck) failed(`a commit has been running for more than ${commitTimeoutMs} ms`);
      if (failingSince === null) return { name: 'commits', status: 'ok' };
      // no delivery may come to prove the store healthy again: ask it directly, boundedly
      if (deps.store.probeCommit) {
        const probed = await Promise.race([
          deps.store.probeCommit().then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), Math.min(commitTimeoutMs, 1000)).unref()),
        ]);
        if (probed && !stuck) {
          failingSince = null;
          return { name: 'commits', status: 'ok' };
        }
      }
      return {
        name: 'commits',
        status: 'degraded',
        message: `deliveries cannot commit since ${new Date(failingSince).toISOString()} (${lastError}); SMTP answers 451 4.3.0 meanwhile and senders retry. Check what holds the database (another process with the SQLite file open for writing, a stalled PostgreSQL); the bound is ${settingName}`,
      };
    },
  };

  return { run, health };
}
