-- The delivery timeline keeps its outcome structured (#12 item 4): the refusal's error code and
-- the SMTP reply and enhanced codes the sender was given, so no reader parses them out of text.
-- Rows written before this migration are filled in once from what they recorded.
ALTER TABLE deliveries ADD COLUMN error_code TEXT;
ALTER TABLE deliveries ADD COLUMN smtp_code INTEGER;
ALTER TABLE deliveries ADD COLUMN enhanced_code TEXT;
UPDATE deliveries SET error_code = reason WHERE outcome = 'refused';
UPDATE deliveries SET smtp_code = CAST(substr(response, 1, 3) AS INTEGER)
  WHERE source = 'smtp' AND response GLOB '[2-5][0-9][0-9] *';
UPDATE deliveries SET enhanced_code = substr(response, 5, instr(substr(response, 5), ' ') - 1)
  WHERE source = 'smtp' AND response GLOB '[2-5][0-9][0-9] [2-5].[0-9]*.[0-9]* *';
