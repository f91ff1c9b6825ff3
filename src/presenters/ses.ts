/**
 * The SES webhook's answer (`POST /api/v1/ses/inbound`), defined once (zod).
 */
import { z } from 'zod';

export const sesOutcomeJson = z.object({
  status: z.enum(['stored', 'refused', 'ignored', 'duplicate', 'confirmed', 'unsubscribed']),
  stored: z.array(z.object({ address: z.string(), message_id: z.string() })),
  refused: z.array(z.object({ address: z.string(), reason: z.string() })),
});

export type SesOutcomeJson = z.infer<typeof sesOutcomeJson>;
