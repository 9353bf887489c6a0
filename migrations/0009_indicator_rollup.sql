-- Monthly rollup of the indicators, written by the background job so that
-- the dashboard reads a few hundred rows instead of every complaint of the
-- period. See src/reports/indicator-rollup.ts for how it is kept current.

-- One row per WIB month and slice. `dims` names the slice's dimensions
-- ('' for the whole regency, 'agency', 'agency+category', …); a dimension that
-- is not part of the slice is stored as '' so the primary key holds.
-- `figures` holds the counts and the response-time histograms as JSON.
CREATE TABLE indicator_rollup (
  month date NOT NULL,
  dims text NOT NULL,
  agency text NOT NULL DEFAULT '',
  category text NOT NULL DEFAULT '',
  channel text NOT NULL DEFAULT '',
  district text NOT NULL DEFAULT '',
  type text NOT NULL DEFAULT '',
  figures jsonb NOT NULL,
  PRIMARY KEY (dims, month, agency, category, channel, district, type)
);

-- Reports per WIB day, agency and channel, for the weekly chart; agency ''
-- holds the day's reports of all agencies together.
CREATE TABLE indicator_rollup_daily (
  day date NOT NULL,
  agency text NOT NULL,
  channel text NOT NULL,
  received integer NOT NULL,
  PRIMARY KEY (day, agency, channel)
);

-- When each month was last rolled up. A month without a row here has never
-- been rolled up, and the indicators compute it from the complaints instead.
CREATE TABLE indicator_rollup_months (
  month date PRIMARY KEY,
  refreshed_at timestamptz NOT NULL
);

-- Months to roll up again: written by changes that alter past figures
-- without an event (a holiday or a category's clocks recomputed).
CREATE TABLE indicator_rollup_dirty (
  month date PRIMARY KEY
);

-- The highest complaint event id the rollup has seen, and the lower ids
-- that were missing then (a transaction still open, or rolled back); one row.
CREATE TABLE indicator_rollup_state (
  id integer PRIMARY KEY CHECK (id = 1),
  last_event_id bigint NOT NULL,
  missing_ids bigint[] NOT NULL DEFAULT '{}',
  refreshed_at timestamptz NOT NULL
);

-- Figures about "now" (open reports by age, overdue reports by agency),
-- taken at each refresh so that a large dashboard need not count them live.
CREATE TABLE indicator_rollup_now (
  id integer PRIMARY KEY CHECK (id = 1),
  taken_at timestamptz NOT NULL,
  figures jsonb NOT NULL
);
