/**
 * `GET /health`'s wire shape, defined once (zod): each part named, so an operator sees which is down.
 */
import { z } from 'zod';

export const healthJson = z.object({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'down']),
  bus: z.enum(['ok', 'down']),
});

export type HealthJson = z.infer<typeof healthJson>;
