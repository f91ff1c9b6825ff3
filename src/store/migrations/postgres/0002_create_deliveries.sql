-- The delivery timeline: recent attempts to deliver to an address, accepted or refused, so an
-- owner can answer "my email never arrived". Pruned by age and count in the sweeper's purge.
-- Same table as migrations/sqlite/0002.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  at BIGINT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'refused')),
  reason TEXT,
  response TEXT NOT NULL,
  source TEXT NOT NULL,
  client_address TEXT,
  envelope_from TEXT,
  size BIGINT,
  duration_ms BIGINT,
  message_id TEXT
);
CREATE INDEX deliveries_address_at ON deliveries(address, at);
CREATE INDEX deliveries_at ON deliveries(at);
