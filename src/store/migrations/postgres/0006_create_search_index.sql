-- The search index of GET /api/v1/messages?query=… (issue #16 item 3): one tsvector per message
-- in its own table (so `SELECT m.*` never carries it), with a GIN index. Rows are written by the
-- same statement that inserts the messages (store.ts insertStatement) and leave with them
-- (ON DELETE CASCADE: delete, purge, a mailbox's removal).
-- search_doc() is the one definition of what is indexed, weighted by field so one index serves
-- from:/to:/subject: too: A subject, B sender, C To and Cc, D the text body (first 100,000
-- characters). ASCII punctuation becomes a space first, so `shop@example.com` is the tokens
-- shop, example, com, as SQLite's FTS5 and core/search-query.ts cut it. The 'simple'
-- configuration lower-cases and neither stems nor drops stop words: mail is in any language,
-- and codes and names are not English words.

CREATE FUNCTION search_text(t TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN translate(coalesce(t, ''), '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', repeat(' ', 32));

-- the JSON of addresses ({"name":…,"address":…}) without its key names
CREATE FUNCTION search_addresses(j TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN search_text(replace(replace(coalesce(j, ''), '"name":', ' '), '"address":', ' '));

CREATE FUNCTION search_doc(subject TEXT, body TEXT, sender TEXT, recipients TEXT, copies TEXT) RETURNS tsvector
  LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('simple'::regconfig, search_text(subject)), 'A')
    || setweight(to_tsvector('simple'::regconfig, search_addresses(sender)), 'B')
    || setweight(to_tsvector('simple'::regconfig, search_addresses(recipients) || ' ' || search_addresses(copies)), 'C')
    || setweight(to_tsvector('simple'::regconfig, search_text(left(body, 100000))), 'D');

CREATE TABLE message_search (
  message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  doc tsvector NOT NULL
);

-- the messages stored before this migration
INSERT INTO message_search (message_id, doc)
SELECT id, search_doc(subject, body_text, from_json, to_json, cc_json) FROM messages;

CREATE INDEX message_search_doc ON message_search USING GIN (doc);
