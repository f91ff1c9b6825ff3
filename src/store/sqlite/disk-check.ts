/**
 * The SQLite store's disk, as `/health` sees it: free space on the data directory's filesystem
 * against a floor, and a small write + fsync probe, so a full or read-only disk shows as
 * degraded/down before SMTP starts answering 451 for every message.
 */
import { open, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { HealthCheck, HealthCheckResult } from '../../core/health.js';

export interface DiskCheckOptions {
  dir: string;
  /** below this many free bytes the disk is reported degraded. */
  minFreeBytes: number;
  /** how the setting is named to an operator, e.g. `INBOXD_DISK_MIN_FREE_MB (--disk-min-free-mb)`. */
  settingName: string;
}

export function diskCheck(options: DiskCheckOptions): HealthCheck {
  const name = 'disk';
  const probe = join(options.dir, '.inboxd-health-probe');
  return {
    name,
    async check(): Promise<HealthCheckResult> {
      try {
        const file = await open(probe, 'w');
        try {
          await file.write(new Date().toISOString());
          await file.sync();
        } finally {
          await file.close();
        }
        await unlink(probe);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        return { name, status: 'down', message: `cannot write to the data directory ${options.dir} (${code}); free space or fix its permissions` };
      }
      const fs = await statfs(options.dir).catch(() => null);
      if (!fs) return { name, status: 'down', message: `cannot read the filesystem of the data directory ${options.dir}` };
      const free = fs.bavail * fs.bsize;
      if (free < options.minFreeBytes) {
        const mb = (n: number) => `${Math.floor(n / 1_048_576)} MB`;
        return { name, status: 'degraded', free_bytes: free, message: `${mb(free)} free in ${options.dir}, below ${mb(options.minFreeBytes)} (${options.settingName}); free space before deliveries fail` };
      }
      return { name, status: 'ok', free_bytes: free };
    },
  };
}
