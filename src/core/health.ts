/**
 * The HealthCheck port: one named part of the deployment that `/health` asks about (the data
 * disk, and whatever else an adapter knows about). `/health` lists every check's result, so a new
 * check is one more entry, not a new response shape.
 */

/** one check's verdict: ok; degraded (working, but act soon); down (not working). */
export interface HealthCheckResult {
  name: string;
  status: 'ok' | 'degraded' | 'down';
  /** what is wrong and what to do, for a person. */
  message?: string | undefined;
  /** free bytes on the filesystem, for a disk check. */
  free_bytes?: number | undefined;
}

/** a named check `/health` runs on every request; it must answer quickly and never throw. */
export interface HealthCheck {
  name: string;
  check(): Promise<HealthCheckResult>;
}
