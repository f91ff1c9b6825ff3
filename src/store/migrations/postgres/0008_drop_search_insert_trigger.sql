-- Nothing to do on PostgreSQL: the SQLite store's search index lost its insert trigger in 0008
-- (the numbers stay the same in both dialects).
SELECT 1;
