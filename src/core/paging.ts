/**
 * Paging of lists with `limit` and `offset` (the seed's paging; `after_seq` is the stable one for
 * messages). Pure.
 */
import { DomainError } from './errors.js';

/** one page: at most `limit` items after skipping `offset`. */
export interface Page {
  limit?: number | undefined;
  offset?: number | undefined;
}

/**
 * the offset as given, checked.
 * @throws DomainError invalid_input when it is not a non-negative integer
 */
export function checkOffset(offset: number | undefined): number | undefined {
  if (offset !== undefined && (!Number.isInteger(offset) || offset < 0)) throw new DomainError('invalid_input', 'offset must be a non-negative integer');
  return offset;
}

/** the page of `items` that `page` names (all of them when neither bound is given). */
export function slicePage<T>(items: T[], page: Page): T[] {
  const start = checkOffset(page.offset) ?? 0;
  return page.limit === undefined ? items.slice(start) : items.slice(start, start + page.limit);
}
