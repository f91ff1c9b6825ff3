-- SMTP fault scripts (#16 item 1): ordered rules per mailbox, or per an owner's run group, each
-- spent one use at a time by an atomic UPDATE (used < times, the row locked), so every node
-- shares one exact count. A mailbox's rules go with its row (purge); a group's stay until deleted.
-- Same change as migrations/sqlite/0005.
CREATE TABLE fault_rules (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT REFERENCES mailboxes(id) ON DELETE CASCADE,
  owner_id TEXT,
  group_label TEXT,
  position INTEGER NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('rcpt', 'data')),
  reply TEXT,
  delay_ms INTEGER,
  disconnect BOOLEAN NOT NULL DEFAULT FALSE,
  times INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  CHECK ((mailbox_id IS NOT NULL) <> (owner_id IS NOT NULL AND group_label IS NOT NULL))
);
CREATE INDEX fault_rules_mailbox ON fault_rules(mailbox_id, stage, position) WHERE mailbox_id IS NOT NULL;
CREATE INDEX fault_rules_group ON fault_rules(owner_id, group_label, stage, position) WHERE owner_id IS NOT NULL;

-- The timeline shows a fault as its own outcome, with the rule that answered.
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_outcome_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_outcome_check CHECK (outcome IN ('accepted', 'refused', 'fault'));
ALTER TABLE deliveries ADD COLUMN fault_json TEXT;
