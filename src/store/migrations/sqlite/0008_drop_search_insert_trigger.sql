-- The search index's insert trigger (0006) is replaced by the store's own write
-- (store/sqlite/search-index.ts): FTS5 flushes its pending rows to a new segment at every
-- statement savepoint, so a row per message from a trigger cost a segment and its merges per
-- message; the store writes one group's rows in one statement after the messages instead. The
-- rows hold the same columns as the trigger's. The delete trigger stays.
DROP TRIGGER IF EXISTS messages_fts_insert;
