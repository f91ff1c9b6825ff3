-- SMTP fault scripts (#16 item 1): ordered rules per mailbox, or per an owner's run group, each
-- spent one use at a time by an atomic UPDATE (used < times), so the count is exact.
-- A mailbox's rules go with its row (purge); a group's stay until deleted.
CREATE TABLE fault_rules (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT REFERENCES mailboxes(id) ON DELETE CASCADE,
  owner_id TEXT,
  group_label TEXT,
  position INTEGER NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('rcpt', 'data')),
  reply TEXT,
  delay_ms INTEGER,
  disconnect INTEGER NOT NULL DEFAULT 0,
  times INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  CHECK ((mailbox_id IS NOT NULL) <> (owner_id IS NOT NULL AND group_label IS NOT NULL))
);
CREATE INDEX fault_rules_mailbox ON fault_rules(mailbox_id, stage, position) WHERE mailbox_id IS NOT NULL;
CREATE INDEX fault_rules_group ON fault_rules(owner_id, group_label, stage, position) WHERE owner_id IS NOT NULL;

-- The timeline shows a fault as its own outcome, with the rule that answered. SQLite cannot
-- change a column's CHECK in place, so the table is rebuilt (it holds diagnostic rows only).
CREATE TABLE deliveries_new (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'refused', 'fault')),
  reason TEXT,
  response TEXT NOT NULL,
  source TEXT NOT NULL,
  client_address TEXT,
  envelope_from TEXT,
  size INTEGER,
  duration_ms INTEGER,
  message_id TEXT,
  error_code TEXT,
  smtp_code INTEGER,
  enhanced_code TEXT,
  fault_json TEXT
);
INSERT INTO deliveries_new (id, address, at, outcome, reason, response, source, client_address, envelope_from, size, duration_ms, message_id, error_code, smtp_code, enhanced_code)
  SELECT id, address, at, outcome, reason, response, source, client_address, envelope_from, size, duration_ms, message_id, error_code, smtp_code, enhanced_code FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_address_at ON deliveries(address, at);
CREATE INDEX deliveries_at ON deliveries(at);
