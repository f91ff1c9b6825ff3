/**
 * The error body every HTTP error answers with, defined once (zod). `http/errors.ts` builds it;
 * extra fields (`retry_after`, a wait's `arrived`…) ride beside the two fixed ones.
 */
import { z } from 'zod';

export const errorJson = z
  .object({
    error: z.string().describe('a stable code (docs/errors.md)'),
    message: z.string().describe('what went wrong, for a person'),
    detail: z.string().describe('the same text as message, for clients written for the seed (FastAPI names it detail)'),
  })
  .catchall(z.unknown());

export type ErrorJson = z.infer<typeof errorJson>;
