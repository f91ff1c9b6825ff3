/**
 * `GET /health`'s wire shape, defined once (zod): each part named, so an operator sees which is
 * down. `db` and `bus` are the original fields; `checks` lists every part (db, bus, the data disk,
 * and any check added later) with its own status and what to do.
 */
import { z } from 'zod';
import { count } from './wire.js';

export const healthCheckJson = z.object({
  name: z.string(),
  status: z.enum(['ok', 'degraded', 'down']),
  message: z.string().optional(),
  free_bytes: count.optional(),
});

export const healthJson = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'down']),
  bus: z.enum(['ok', 'down']),
  checks: z.array(healthCheckJson),
});

export type HealthJson = z.infer<typeof healthJson>;
