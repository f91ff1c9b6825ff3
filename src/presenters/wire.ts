/**
 * Building blocks of the wire shapes in this folder (zod). Each shape is defined once here in
 * `presenters/`; `http/schemas.ts` turns them into Fastify/OpenAPI JSON Schemas and `mcp/tools/`
 * uses them (or a `.pick` of them) as output schemas.
 */
import { z } from 'zod';

/** an ISO 8601 instant, as `Date.toISOString()` writes it. */
export const timestamp = z.string().meta({ format: 'date-time' });

/** a non-negative integer: counts, seqs, sizes, seconds. */
export const count = z.number().int().min(0);
