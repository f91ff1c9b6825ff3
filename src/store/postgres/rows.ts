/**
 * What only the PostgreSQL store needs on top of the shared row mapping (`store/rows.ts`).
 */

/**
 * PostgreSQL TEXT cannot hold U+0000, which mail text may carry; it becomes U+FFFD in the
 * parsed columns (the raw source keeps every byte as received).
 */
export function text(v: string | null): string | null {
  return v === null ? null : v.replaceAll('\u0000', '\uFFFD');
}
