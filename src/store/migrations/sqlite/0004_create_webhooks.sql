-- Outbound webhooks (#15): an owner's endpoints, the outbox (one row per event and endpoint,
-- written in the transaction that stores the message, so a 250 always has its webhook), and
-- the attempts made to deliver it (pruned by age, like the delivery timeline).
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  mailbox TEXT,
  group_label TEXT,
  include_message INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_success_at INTEGER
);
CREATE INDEX webhooks_owner ON webhooks(owner_id, enabled);

CREATE TABLE webhook_outbox (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  mailbox_id TEXT,
  message_id TEXT,
  seq INTEGER,
  event_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER
);
CREATE INDEX webhook_outbox_due ON webhook_outbox(state, next_at);
CREATE INDEX webhook_outbox_finished ON webhook_outbox(finished_at);
CREATE UNIQUE INDEX webhook_outbox_message ON webhook_outbox(webhook_id, message_id);

CREATE TABLE webhook_attempts (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  latency_ms INTEGER NOT NULL,
  next_retry_at INTEGER
);
CREATE INDEX webhook_attempts_hook_at ON webhook_attempts(webhook_id, at);
CREATE INDEX webhook_attempts_at ON webhook_attempts(at);
