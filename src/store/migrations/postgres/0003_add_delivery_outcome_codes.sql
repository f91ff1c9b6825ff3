-- The delivery timeline keeps its outcome structured (#12 item 4): the refusal's error code and
-- the SMTP reply and enhanced codes the sender was given, so no reader parses them out of text.
-- Rows written before this migration are filled in once from what they recorded.
-- Same change as migrations/sqlite/0003.
ALTER TABLE deliveries ADD COLUMN error_code TEXT;
ALTER TABLE deliveries ADD COLUMN smtp_code INTEGER;
ALTER TABLE deliveries ADD COLUMN enhanced_code TEXT;
UPDATE deliveries SET error_code = reason WHERE outcome = 'refused';
UPDATE deliveries SET smtp_code = substring(response from 1 for 3)::integer
  WHERE source = 'smtp' AND response ~ '^[2-5][0-9]{2} ';
UPDATE deliveries SET enhanced_code = substring(response from '^[2-5][0-9]{2} ([2-5]\.[0-9]{1,3}\.[0-9]{1,3}) ')
  WHERE source = 'smtp' AND response ~ '^[2-5][0-9]{2} [2-5]\.[0-9]{1,3}\.[0-9]{1,3} ';
