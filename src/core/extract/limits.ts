/**
 * The caps every extractor honours: input is whatever a stranger chose to send, so each scan
 * looks at a bounded prefix and each result list is bounded.
 */

/** how much of each body (in UTF-16 code units) the extractors look at. */
export const MAX_SCAN_CHARS = 1024 * 1024;
/** most codes returned for one message. */
export const MAX_CODES = 20;
/** most links returned for one message. */
export const MAX_LINKS = 200;
