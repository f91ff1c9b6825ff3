-- The claim takes only the head of each mailbox's line per endpoint (store/webhook-rows.ts
-- EARLIER_UNTRIED): this index answers "is an earlier event of this mailbox still untried?"
-- from the pending rows alone.
CREATE INDEX webhook_outbox_line ON webhook_outbox(webhook_id, mailbox_id, seq) WHERE state = 'pending' AND attempts = 0;
