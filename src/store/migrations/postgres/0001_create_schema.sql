-- Inboxd schema, PostgreSQL dialect; the same tables and columns as migrations/sqlite/0001.
-- Times are milliseconds since the epoch (BIGINT). Flags are BOOLEAN. JSON columns are TEXT
-- holding JSON.stringify output, exactly as in SQLite, so both stores map rows the same way
-- (JSONB would also refuse the \u0000 escapes that mail text can carry).
-- Raw sources live in their own table so listing messages never reads the bytes.
-- Unqualified names: the store's search_path picks the schema.

CREATE TABLE plans (
  name TEXT PRIMARY KEY,
  max_mailboxes INTEGER NOT NULL,
  max_messages_per_mailbox INTEGER NOT NULL,
  default_ttl_minutes INTEGER NOT NULL,
  max_ttl_minutes INTEGER NOT NULL,
  max_message_bytes BIGINT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  plan TEXT NOT NULL REFERENCES plans(name),
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX api_keys_user ON api_keys(user_id);

CREATE TABLE mailboxes (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  domain TEXT NOT NULL,
  owner_type TEXT NOT NULL CHECK (owner_type IN ('anonymous', 'api', 'mcp')),
  owner_id TEXT NOT NULL,
  token_hash TEXT,
  plan TEXT NOT NULL,
  group_label TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  deleted_at BIGINT,
  -- when the mailbox stopped (expiry or delete): retention and quarantine count from here
  ended_at BIGINT,
  last_seq BIGINT NOT NULL DEFAULT 0,
  message_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mailboxes_expiry ON mailboxes(expires_at, active);
CREATE INDEX mailboxes_owner ON mailboxes(owner_id, active);
CREATE UNIQUE INDEX mailboxes_token ON mailboxes(token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX mailboxes_ended ON mailboxes(ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  from_json TEXT,
  to_json TEXT NOT NULL,
  cc_json TEXT NOT NULL,
  subject TEXT,
  message_id_header TEXT,
  date_header TEXT,
  size BIGINT NOT NULL,
  body_text TEXT,
  body_html TEXT,
  headers_json TEXT NOT NULL,
  attachments_json TEXT NOT NULL,
  codes_json TEXT NOT NULL,
  links_json TEXT NOT NULL,
  tag TEXT,
  is_read BOOLEAN NOT NULL DEFAULT FALSE,
  source TEXT NOT NULL,
  envelope_from TEXT,
  verdicts_json TEXT,
  parse_error TEXT
);
CREATE UNIQUE INDEX messages_mailbox_seq ON messages(mailbox_id, seq);

CREATE TABLE raw_sources (
  message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  bytes BYTEA NOT NULL
);

-- Plans are rows, not constants: changing a limit is an UPDATE (inboxd admin plans update).
INSERT INTO plans VALUES ('free', 10, 50, 60, 1440, 10485760);
INSERT INTO plans VALUES ('pro', 1000, 1000, 60, 43200, 26214400);
