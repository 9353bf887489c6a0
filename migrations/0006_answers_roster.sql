-- Fast answers: canned answers (template tanggapan), the public FAQ, the duty
-- roster (jadwal piket) with automatic assignment, and notifications to officers.

-- The officer who currently holds a case; set by the roster or by the officer.
ALTER TABLE complaints ADD COLUMN assigned_user_id integer REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX complaints_assigned_idx ON complaints (assigned_user_id, status) WHERE assigned_user_id IS NOT NULL;
-- The assignment job reads new reports that nobody holds, oldest first.
CREATE INDEX complaints_unassigned_new_idx ON complaints (received_at, id) WHERE assigned_user_id IS NULL AND status = 'new';

-- Settings an administrator changes without a deploy. Exactly one row.
CREATE TABLE answer_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- Open cases an officer may hold before the roster skips them.
  max_open_cases integer NOT NULL DEFAULT 25 CHECK (max_open_cases BETWEEN 1 AND 1000),
  -- Days after its last review that a template is flagged stale.
  template_stale_days integer NOT NULL DEFAULT 180 CHECK (template_stale_days BETWEEN 1 AND 3650),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by_user_id integer REFERENCES users(id) ON DELETE SET NULL
);
INSERT INTO answer_settings DEFAULT VALUES;

-- Canned answers. A template without category or agency applies to every
-- category or agency. Placeholders are filled when an officer inserts it.
CREATE TABLE answer_templates (
  id serial PRIMARY KEY,
  title text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
  body_id text NOT NULL CHECK (length(body_id) BETWEEN 5 AND 5000),
  body_en text CHECK (body_en IS NULL OR length(body_en) <= 5000),
  category_id integer REFERENCES categories(id),
  agency_id integer REFERENCES agencies(id),
  owner_user_id integer NOT NULL REFERENCES users(id),
  -- WIB date of the last review; a template is stale once it is older than answer_settings.template_stale_days.
  last_reviewed_on date NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_by_user_id integer REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('indonesian'::regconfig, title), 'A') || setweight(to_tsvector('indonesian'::regconfig, body_id), 'B')
  ) STORED
);
CREATE INDEX answer_templates_search_idx ON answer_templates USING gin (search);
CREATE INDEX answer_templates_scope_idx ON answer_templates (agency_id, category_id) WHERE active;
-- Template usage is counted from the answer events that name it.
CREATE INDEX complaint_events_template_idx ON complaint_events ((data->>'templateId')) WHERE data ? 'templateId';

-- Public FAQ articles. Only `published` ones reach the portal.
CREATE TABLE faq_articles (
  id serial PRIMARY KEY,
  question text NOT NULL CHECK (length(question) BETWEEN 5 AND 500),
  question_en text CHECK (question_en IS NULL OR length(question_en) <= 500),
  answer text NOT NULL CHECK (length(answer) BETWEEN 5 AND 10000),
  answer_en text CHECK (answer_en IS NULL OR length(answer_en) <= 10000),
  category_id integer REFERENCES categories(id),
  -- The responsible agency; required before publishing.
  agency_id integer REFERENCES agencies(id),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  -- The resolved question the draft was made from; internal only.
  source_complaint_id bigint REFERENCES complaints(id) ON DELETE SET NULL,
  created_by_user_id integer REFERENCES users(id) ON DELETE SET NULL,
  updated_by_user_id integer REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  CHECK (status <> 'published' OR agency_id IS NOT NULL),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('indonesian'::regconfig, question), 'A') || setweight(to_tsvector('indonesian'::regconfig, answer), 'B')
  ) STORED
);
CREATE INDEX faq_articles_search_idx ON faq_articles USING gin (search);
CREATE INDEX faq_articles_status_idx ON faq_articles (status, category_id, agency_id);

-- One row each time a citizen said an article answered their question, so
-- that no report was filed. No personal data: article and time only.
CREATE TABLE faq_self_service_answers (
  id bigserial PRIMARY KEY,
  faq_id integer NOT NULL REFERENCES faq_articles(id) ON DELETE CASCADE,
  answered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX faq_self_service_faq_idx ON faq_self_service_answers (faq_id, answered_at);

-- Duty shifts (piket) by weekday and WIB wall-clock minutes, start < end on
-- one day; a night shift is two rows. Empty `channels` covers every channel.
-- A shift does not run on a holiday unless `on_holidays` is set.
CREATE TABLE duty_shifts (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  weekday smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  start_minute smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
  channels text[] NOT NULL DEFAULT '{}',
  on_holidays boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_minute > start_minute)
);
CREATE INDEX duty_shifts_weekday_idx ON duty_shifts (weekday, start_minute);
CREATE INDEX duty_shifts_user_idx ON duty_shifts (user_id);

-- Days an officer is off (leave, sickness), as inclusive WIB dates.
CREATE TABLE duty_absences (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  note text CHECK (note IS NULL OR length(note) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX duty_absences_user_idx ON duty_absences (user_id, ends_on);

-- Round-robin position: when each officer last got a report from the roster.
CREATE TABLE duty_rotation (
  user_id integer PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  last_assigned_at timestamptz NOT NULL
);

-- Each officer's choice of notification channels.
CREATE TABLE notification_preferences (
  user_id integer PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  email_enabled boolean NOT NULL DEFAULT true,
  -- Telegram chat id of the officer's private chat with the bot.
  telegram_chat_id text CHECK (telegram_chat_id IS NULL OR telegram_chat_id ~ '^-?[0-9]{1,20}$'),
  telegram_enabled boolean NOT NULL DEFAULT false,
  -- WhatsApp number in E.164.
  whatsapp_number text CHECK (whatsapp_number IS NULL OR whatsapp_number ~ '^\+[0-9]{8,15}$'),
  whatsapp_enabled boolean NOT NULL DEFAULT false,
  -- One message a day at the start of working hours instead of one per event; breaches are always sent at once.
  daily_digest boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per notification: event, officer and channel. The UNIQUE key makes
-- a repeated scan queue nothing twice. The send job claims due rows like the
-- citizen delivery job does, and retries failures with backoff.
CREATE TABLE officer_notifications (
  id bigserial PRIMARY KEY,
  event_id bigint NOT NULL REFERENCES complaint_events(id) ON DELETE CASCADE,
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'telegram', 'whatsapp')),
  kind text NOT NULL CHECK (kind IN ('dispatched', 'citizen_replied', 'deadline_reminder', 'deadline_breached')),
  -- Single messages go out one by one; digest rows are collected into one daily message.
  delivery text NOT NULL CHECK (delivery IN ('single', 'digest')),
  -- Composed when queued for this officer's role: masked text, never the reporter's identity.
  subject text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  claimed_until timestamptz,
  provider_message_id text,
  last_error_code text,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  updated_at timestamptz NOT NULL,
  UNIQUE (event_id, user_id, channel)
);
CREATE INDEX officer_notifications_due_idx ON officer_notifications (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX officer_notifications_user_idx ON officer_notifications (user_id, created_at DESC);

-- Events whose notifications are queued, so a scan reads each event once
-- even when transactions commit out of id order.
CREATE TABLE notification_scanned_events (
  event_id bigint PRIMARY KEY REFERENCES complaint_events(id) ON DELETE CASCADE,
  scanned_at timestamptz NOT NULL
);
