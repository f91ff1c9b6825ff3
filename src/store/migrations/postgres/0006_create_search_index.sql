-- The search index of GET /api/v1/messages?query=… (issue #16 item 3): one row per message in its
-- own table (so `SELECT m.*` never carries it): the tsvector with a GIN index, and the scope and
-- time of the message with b-tree indexes (a search with no word walks the caller's newest
-- messages and stops after a page). The tsvector also holds the scope lexemes `m<mailbox id>`
-- and `o<hex of the owner id>`, and every text search ANDs one of them in: GIN's AND skips
-- through a common word's postings with the rare scope entry, so a search reads the caller's
-- matches, never every owner's. Rows are written by the same statement that
-- inserts the messages (store.ts insertStatement) and leave with them (ON DELETE CASCADE:
-- delete, purge, a mailbox's removal).
-- search_doc() is the one definition of what is indexed, weighted by field so one index serves
-- from:/to:/subject: too: A subject, B sender, C To and Cc, D the text body (its first 32,000
-- characters: the index write per message stays bounded whatever the message's size). ASCII
-- punctuation becomes a space first, so `shop@example.com` is the tokens shop, example, com, as
-- SQLite's FTS5 and core/search-query.ts cut it. The 'simple' configuration lower-cases and
-- neither stems nor drops stop words: mail is in any language, and codes and names are not
-- English words.

CREATE FUNCTION search_text(t TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN translate(coalesce(t, ''), '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', repeat(' ', 32));

-- the JSON of addresses ({"name":…,"address":…}) without its key names
CREATE FUNCTION search_addresses(j TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN search_text(replace(replace(coalesce(j, ''), '"name":', ' '), '"address":', ' '));

-- the scope lexemes of a message (store/postgres/search.ts asks for the same)
CREATE FUNCTION search_scope(mailbox_id TEXT, owner_id TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN 'm' || mailbox_id || ' o' || encode(convert_to(owner_id, 'UTF8'), 'hex');

CREATE FUNCTION search_doc(subject TEXT, body TEXT, sender TEXT, recipients TEXT, copies TEXT, scope TEXT) RETURNS tsvector
  LANGUAGE SQL IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('simple'::regconfig, scope)
    || setweight(to_tsvector('simple'::regconfig, search_text(subject)), 'A')
    || setweight(to_tsvector('simple'::regconfig, search_addresses(sender)), 'B')
    || setweight(to_tsvector('simple'::regconfig, search_addresses(recipients) || ' ' || search_addresses(copies)), 'C')
    || setweight(to_tsvector('simple'::regconfig, search_text(left(body, 32000))), 'D');

CREATE TABLE message_search (
  message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  mailbox_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  doc tsvector NOT NULL
);

-- the messages stored before this migration
INSERT INTO message_search (message_id, mailbox_id, owner_id, received_at, doc)
SELECT m.id, m.mailbox_id, b.owner_id, m.received_at, search_doc(m.subject, m.body_text, m.from_json, m.to_json, m.cc_json, search_scope(m.mailbox_id, b.owner_id))
FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id;

CREATE INDEX message_search_doc ON message_search USING GIN (doc);
CREATE INDEX message_search_mailbox ON message_search (mailbox_id, received_at DESC, message_id DESC);
CREATE INDEX message_search_owner ON message_search (owner_id, received_at DESC, message_id DESC);
