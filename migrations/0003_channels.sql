-- Channel pipeline: raw webhook envelopes, normalised inbound messages (the
-- dedupe record) and the outbound messages the delivery job sends.

-- One row per accepted provider request (or fetched e-mail), stored before
-- the provider gets its 200, so that a crash after the answer loses nothing.
-- `source` is the webhook that received it; `meta` carries Facebook, Messenger
-- and Instagram. Processing claims a row by setting `claimed_until` while it
-- stays `pending`; a crashed worker's claim simply expires.
CREATE TABLE channel_envelopes (
  id bigserial PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('whatsapp', 'telegram', 'meta', 'x', 'sms', 'email')),
  raw_body bytea NOT NULL,
  -- A subset of request headers (content type, signature headers); never secret tokens.
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  body_sha256 text NOT NULL,
  received_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'dead', 'ignored')),
  -- Why the envelope is dead, or the ignored reasons; English, without message text.
  error text,
  attempts integer NOT NULL DEFAULT 0,
  claimed_until timestamptz,
  processed_at timestamptz,
  retried_at timestamptz,
  retried_by_user_id integer REFERENCES users(id)
);
CREATE INDEX channel_envelopes_pending_idx ON channel_envelopes (received_at, id) WHERE status = 'pending';
CREATE INDEX channel_envelopes_status_idx ON channel_envelopes (status, received_at DESC);
CREATE INDEX channel_envelopes_source_idx ON channel_envelopes (source, received_at DESC);

-- One row per normalised message. UNIQUE (channel, provider_message_id) is
-- the dedupe key: a repeated, concurrent or replayed delivery inserts nothing
-- (INSERT … ON CONFLICT DO NOTHING) and so threads nothing.
CREATE TABLE inbound_messages (
  id bigserial PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms')),
  provider_message_id text NOT NULL,
  envelope_id bigint REFERENCES channel_envelopes(id) ON DELETE SET NULL,
  conversation_kind text NOT NULL CHECK (conversation_kind IN ('direct', 'comment')),
  sender_kind text NOT NULL,
  sender_value text NOT NULL,
  -- Our account that received it: phone-number id, Page id, bot id, mailbox.
  account text,
  reporter_id bigint REFERENCES reporters(id) ON DELETE SET NULL,
  complaint_id bigint REFERENCES complaints(id) ON DELETE SET NULL,
  event_id bigint REFERENCES complaint_events(id) ON DELETE SET NULL,
  -- created: opened a complaint; replied: citizen_replied on one; event: an
  -- edit or moderation event on one; ignored: stored only, with `reason`.
  outcome text NOT NULL CHECK (outcome IN ('created', 'replied', 'event', 'ignored')),
  reason text,
  post_id text,
  comment_id text,
  original_provider_message_id text,
  email_message_id text,
  email_subject text,
  -- Attachments that could not be fetched or stored: [{ kind, reason }].
  attachment_errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  sent_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  UNIQUE (channel, provider_message_id)
);
CREATE INDEX inbound_messages_complaint_idx ON inbound_messages (complaint_id, sent_at DESC);
CREATE INDEX inbound_messages_comment_idx ON inbound_messages (channel, comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX inbound_messages_post_idx ON inbound_messages (channel, post_id, reporter_id) WHERE post_id IS NOT NULL;
CREATE INDEX inbound_messages_sender_idx ON inbound_messages (channel, sender_value, sent_at DESC);
CREATE INDEX inbound_messages_email_idx ON inbound_messages (email_message_id) WHERE email_message_id IS NOT NULL;
CREATE INDEX inbound_messages_received_idx ON inbound_messages (channel, received_at DESC);

-- Messages to citizens. `idempotency_key` is `<event id>:<channel>`, so one
-- event queues at most one message per channel however often it is queued.
-- The delivery job claims a due row by setting `claimed_until`, sends it,
-- and either stores the provider's id or schedules the next attempt.
CREATE TABLE outbound_messages (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  event_id bigint NOT NULL REFERENCES complaint_events(id) ON DELETE CASCADE,
  event_type text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms')),
  conversation_kind text NOT NULL CHECK (conversation_kind IN ('direct', 'comment')),
  recipient_kind text NOT NULL,
  recipient_value text NOT NULL,
  account text,
  -- The citizen's message to answer: a comment or post id, an e-mail Message-ID.
  reply_to_provider_message_id text,
  email_subject text,
  email_references jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- The officer's text (or none, for an acknowledgement); the delivery job adds the tracking code and link.
  body text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed')),
  -- text, template, public_reply: how it was sent.
  send_mode text,
  template_name text,
  -- Attempts made so far; DELIVERY_MAX_ATTEMPTS bounds them.
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  claimed_until timestamptz,
  provider_message_id text,
  last_error_code text,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  failed_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX outbound_messages_provider_idx ON outbound_messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX outbound_messages_due_idx ON outbound_messages (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbound_messages_complaint_idx ON outbound_messages (complaint_id);
CREATE INDEX outbound_messages_recipient_idx ON outbound_messages (channel, recipient_value, sent_at);
