-- Recomputations of SLA deadlines after a holiday calendar change. A run
-- walks the affected complaints in id order, one short transaction per
-- batch, and stores its cursor (after_id) in that transaction, so a run
-- that stops half-way resumes where it stopped. changed_from and changed_to
-- bound the calendar days whose working-day status changed; NULL means
-- every open complaint. error holds the last failure of a batch, which the
-- next attempt retries from the cursor.
CREATE TABLE deadline_recomputes (
  id bigserial PRIMARY KEY,
  reason text NOT NULL CHECK (reason IN ('holiday_added', 'holiday_removed', 'calendar_year')),
  changed_from date,
  changed_to date,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done')),
  total integer,
  processed integer NOT NULL DEFAULT 0,
  changed integer NOT NULL DEFAULT 0,
  after_id bigint NOT NULL DEFAULT 0,
  requested_by bigint REFERENCES users(id),
  requested_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  error text
);
CREATE INDEX deadline_recomputes_unfinished_idx ON deadline_recomputes (id) WHERE status <> 'done';
