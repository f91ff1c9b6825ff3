/**
 * Tool arguments are checked strictly: an argument a tool does not know (`timeout` for
 * `timeout_seconds`) is a tool error naming the known ones, never dropped so that the call runs
 * with a default the caller did not choose.
 */
import { z } from 'zod';

export function strictArgs<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; known: ${known.join(', ') || 'none (call it with {})'}`
        : undefined,
  });
}
