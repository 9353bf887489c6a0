-- A contact typed into a form is a claim: anyone can type someone else's
-- phone number. Only contacts proven by a channel (the WhatsApp sender, the
-- Telegram or Meta account, the e-mail sender) identify a reporter and stay
-- unique; typed ones are stored with the report that claimed them.
ALTER TABLE contacts ADD COLUMN verified boolean NOT NULL DEFAULT true;
ALTER TABLE contacts DROP CONSTRAINT contacts_kind_value_key;
CREATE UNIQUE INDEX contacts_verified_kind_value_key ON contacts (kind, value) WHERE verified;
CREATE INDEX contacts_kind_value_idx ON contacts (kind, value);
