-- Core schema: reference data, people, complaints and their append-only event log.
-- Runs identically on PGlite and on a PostgreSQL server (15 or newer).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE districts (
  code text PRIMARY KEY,              -- Kemendagri code, e.g. 33.13.01
  name text NOT NULL
);

CREATE TABLE villages (
  code text PRIMARY KEY,              -- Kemendagri code, e.g. 33.13.01.2001
  district_code text NOT NULL REFERENCES districts(code),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('desa', 'kelurahan'))
);
CREATE INDEX villages_district_idx ON villages (district_code);

CREATE TABLE holidays (
  date date PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('national', 'collective_leave')),
  name text NOT NULL,
  basis text,
  note text
);

-- Years whose holiday list is known to be complete. A deadline that crosses a
-- year outside this table is flagged instead of guessed.
CREATE TABLE calendar_years (
  year integer PRIMARY KEY
);

CREATE TABLE agencies (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'dinas',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  name_en text,
  agency_id integer REFERENCES agencies(id),
  oversight boolean NOT NULL DEFAULT false,
  complexity text NOT NULL DEFAULT 'medium' CHECK (complexity IN ('simple', 'medium', 'complex')),
  verify_days integer NOT NULL DEFAULT 3 CHECK (verify_days BETWEEN 0 AND 365),
  first_follow_up_days integer NOT NULL DEFAULT 5 CHECK (first_follow_up_days BETWEEN 0 AND 365),
  resolution_days_simple integer NOT NULL DEFAULT 5 CHECK (resolution_days_simple BETWEEN 0 AND 365),
  resolution_days_medium integer NOT NULL DEFAULT 14 CHECK (resolution_days_medium BETWEEN 0 AND 365),
  resolution_days_complex integer NOT NULL DEFAULT 60 CHECK (resolution_days_complex BETWEEN 0 AND 365),
  auto_close_days integer NOT NULL DEFAULT 10 CHECK (auto_close_days BETWEEN 0 AND 365),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'complaint_officer', 'agency_officer', 'leader')),
  agency_id integer REFERENCES agencies(id),
  password_hash text,
  active boolean NOT NULL DEFAULT true,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  locale text NOT NULL DEFAULT 'id',
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (role <> 'agency_officer' OR agency_id IS NOT NULL)
);

CREATE TABLE sessions (
  id text PRIMARY KEY,                -- SHA-256 of the cookie value
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label text NOT NULL,
  token_hash text NOT NULL UNIQUE,    -- SHA-256 hex of the token; the token itself is shown once
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE reporters (
  id bigserial PRIMARY KEY,
  name text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per way to reach a citizen. The value is normalised (E.164 for
-- phones, lower case for e-mail) so every form of a number matches one row.
CREATE TABLE contacts (
  id bigserial PRIMARY KEY,
  reporter_id bigint NOT NULL REFERENCES reporters(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('phone', 'whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email')),
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, value)
);
CREATE INDEX contacts_reporter_idx ON contacts (reporter_id);

CREATE TABLE complaints (
  id bigserial PRIMARY KEY,
  tracking_code text NOT NULL UNIQUE,
  type text CHECK (type IN ('pengaduan', 'aspirasi', 'permintaan_informasi')),
  category_id integer REFERENCES categories(id),
  description text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('web', 'api', 'walk_in', 'phone', 'whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms', 'lapor', 'import')),
  received_at timestamptz NOT NULL,
  reporter_id bigint REFERENCES reporters(id) ON DELETE SET NULL,
  privacy text NOT NULL DEFAULT 'anonymous' CHECK (privacy IN ('public', 'anonymous', 'confidential')),
  oversight boolean NOT NULL DEFAULT false,
  district_code text REFERENCES districts(code),
  village_code text REFERENCES villages(code),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  agency_id integer REFERENCES agencies(id),
  complexity text CHECK (complexity IN ('simple', 'medium', 'complex')),
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'verified', 'dispatched', 'in_progress', 'on_hold', 'resolved', 'closed', 'out_of_scope', 'archived')),
  status_before_hold text,
  external_source text,
  external_id text,
  merged_into_id bigint REFERENCES complaints(id),
  forwarded_to text,
  first_response_at timestamptz,
  resolved_at timestamptz,
  rating smallint CHECK (rating BETWEEN 1 AND 5),
  created_by_user_id integer REFERENCES users(id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('indonesian'::regconfig, description)) STORED,
  UNIQUE (external_source, external_id)
);
-- The inbox sorts by received_at and filters by status and agency; these
-- composite indexes serve the common filter combinations without a sort.
CREATE INDEX complaints_received_idx ON complaints (received_at DESC, id DESC);
CREATE INDEX complaints_status_received_idx ON complaints (status, received_at DESC);
CREATE INDEX complaints_agency_received_idx ON complaints (agency_id, received_at DESC);
CREATE INDEX complaints_category_idx ON complaints (category_id);
CREATE INDEX complaints_district_idx ON complaints (district_code);
CREATE INDEX complaints_reporter_idx ON complaints (reporter_id);
CREATE INDEX complaints_search_idx ON complaints USING gin (search);
CREATE INDEX complaints_description_trgm_idx ON complaints USING gin (description gin_trgm_ops);

-- Append-only: every change of state, assignment, answer and note.
CREATE TABLE complaint_events (
  id bigserial PRIMARY KEY,
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  type text NOT NULL,
  at timestamptz NOT NULL,
  actor_kind text NOT NULL CHECK (actor_kind IN ('citizen', 'staff', 'system')),
  actor_user_id integer REFERENCES users(id),
  agency_id integer REFERENCES agencies(id),
  visibility text NOT NULL DEFAULT 'internal' CHECK (visibility IN ('public', 'internal')),
  body text,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaint_events_complaint_idx ON complaint_events (complaint_id, at, id);
CREATE INDEX complaint_events_type_at_idx ON complaint_events (type, at);

CREATE OR REPLACE FUNCTION complaint_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'complaint_events is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events
  FOR EACH ROW EXECUTE FUNCTION complaint_events_append_only();

-- SLA clocks, derived from the event log and rewritten in the same
-- transaction as every event, so overdue filters can use an index.
CREATE TABLE complaint_deadlines (
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  clock text NOT NULL CHECK (clock IN ('verification', 'first_follow_up', 'resolution', 'auto_close')),
  started_at timestamptz,
  due_date date,
  due_at timestamptz,
  stopped_at timestamptz,
  status text NOT NULL CHECK (status IN ('not_started', 'running', 'paused', 'met', 'breached')),
  calendar_missing boolean NOT NULL DEFAULT false,
  breach_recorded boolean NOT NULL DEFAULT false,
  reminder_sent boolean NOT NULL DEFAULT false,
  PRIMARY KEY (complaint_id, clock)
);
CREATE INDEX complaint_deadlines_due_idx ON complaint_deadlines (due_at) WHERE status = 'running';

CREATE TABLE attachments (
  id bigserial PRIMARY KEY,
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  event_id bigint REFERENCES complaint_events(id),
  file_name text NOT NULL,
  mime_type text NOT NULL,
  size_bytes integer NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  public_approved boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_complaint_idx ON attachments (complaint_id);

-- Who looked at a reporter's identity, and when.
CREATE TABLE identity_views (
  id bigserial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id),
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now()
);
