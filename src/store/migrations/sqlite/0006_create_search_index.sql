-- The search index of GET /api/v1/messages?query=… (issue #16 item 3): an FTS5 table with no
-- copy of the text (contentless; rowid = the message row's rowid), kept in step with `messages`
-- by triggers, so the insert, the delete, the purge and the cascade from a mailbox all change it
-- in their own transaction.
-- Columns: subject; body (the text part, its first 32,000 characters: the index write per
-- message stays bounded whatever the message's size); sender (From name and address);
-- recipients (To and Cc names and addresses); scope: the tokens `m<mailbox id>` and
-- `o<hex of the owner id>`, so a search starts from the caller's own messages (an AND with a
-- rare token) and reads them newest first (rowid order) instead of every owner's matches.
-- Tokens: runs of letters and digits, lower-cased, accents kept (core/search-query.ts cuts
-- queries the same way).
-- secure-delete: a deleted message's tokens leave the index at once instead of waiting for a
-- merge, so purged mail is not left readable in the index (#14 item 9).
-- messages has no INTEGER PRIMARY KEY, so its rowid would change under VACUUM: never VACUUM
-- this database without rebuilding this table.

CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, body, sender, recipients, scope,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, subject, body, sender, recipients, scope) VALUES (
    new.rowid,
    new.subject,
    substr(new.body_text, 1, 32000),
    CASE WHEN new.from_json IS NULL THEN NULL
      ELSE coalesce(json_extract(new.from_json, '$.name'), '') || ' ' || coalesce(json_extract(new.from_json, '$.address'), '') END,
    (SELECT group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' ')
       FROM (SELECT value FROM json_each(new.to_json) UNION ALL SELECT value FROM json_each(new.cc_json))),
    (SELECT 'm' || b.id || ' o' || hex(b.owner_id) FROM mailboxes b WHERE b.id = new.mailbox_id)
  );
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  DELETE FROM messages_fts WHERE rowid = old.rowid;
END;

-- the messages stored before this migration
INSERT INTO messages_fts (rowid, subject, body, sender, recipients, scope)
SELECT m.rowid, m.subject, substr(m.body_text, 1, 32000),
  CASE WHEN m.from_json IS NULL THEN NULL
    ELSE coalesce(json_extract(m.from_json, '$.name'), '') || ' ' || coalesce(json_extract(m.from_json, '$.address'), '') END,
  (SELECT group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' ')
     FROM (SELECT value FROM json_each(m.to_json) UNION ALL SELECT value FROM json_each(m.cc_json))),
  'm' || b.id || ' o' || hex(b.owner_id)
FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id;
