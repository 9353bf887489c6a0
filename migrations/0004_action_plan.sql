-- The regency's action plan for complaint handling (rencana aksi): per year,
-- objectives (sasaran) with performance indicators (indikator kinerja) and
-- scheduled activities (jadwal kegiatan); manual realisation values with
-- their evidence; and the stored monthly recap reports.

CREATE TABLE action_plans (
  id serial PRIMARY KEY,
  year integer NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
  title text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE action_plan_objectives (
  id serial PRIMARY KEY,
  plan_id integer NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  title text NOT NULL
);
CREATE INDEX action_plan_objectives_plan_idx ON action_plan_objectives (plan_id, position);

-- An indicator is measured either by a formula (one computed indicator code
-- of the complaint data, optionally limited to a slice such as one agency)
-- or by a value that its owner enters per month with evidence.
-- The owner (penanggung jawab) is an agency, a role, or both.
CREATE TABLE action_plan_indicators (
  id serial PRIMARY KEY,
  objective_id integer NOT NULL REFERENCES action_plan_objectives(id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  name text NOT NULL,
  target_value double precision NOT NULL,
  unit text NOT NULL CHECK (unit IN ('percent', 'days', 'working_hours', 'rating', 'count', 'day_of_month')),
  comparison text NOT NULL CHECK (comparison IN ('gte', 'lte')),
  period text NOT NULL CHECK (period IN ('monthly', 'quarterly', 'yearly')),
  source text NOT NULL CHECK (source IN ('formula', 'manual')),
  formula_code text,
  slice jsonb NOT NULL DEFAULT '{}'::jsonb,
  manual_aggregate text NOT NULL DEFAULT 'last' CHECK (manual_aggregate IN ('sum', 'mean', 'last')),
  owner_agency_id integer REFERENCES agencies(id),
  owner_role text CHECK (owner_role IN ('admin', 'complaint_officer', 'agency_officer', 'leader')),
  CHECK ((source = 'formula') = (formula_code IS NOT NULL)),
  CHECK (owner_agency_id IS NOT NULL OR owner_role IS NOT NULL)
);
CREATE INDEX action_plan_indicators_objective_idx ON action_plan_indicators (objective_id, position);

-- Evidence files, checked and cleaned like complaint attachments.
CREATE TABLE action_plan_files (
  id bigserial PRIMARY KEY,
  file_name text NOT NULL,
  mime_type text NOT NULL,
  size_bytes integer NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  uploaded_by_user_id integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Manual realisation of an indicator for one month of the plan's year.
CREATE TABLE action_plan_actuals (
  indicator_id integer NOT NULL REFERENCES action_plan_indicators(id) ON DELETE CASCADE,
  month integer NOT NULL CHECK (month BETWEEN 1 AND 12),
  value double precision NOT NULL,
  evidence_url text,
  evidence_file_id bigint REFERENCES action_plan_files(id),
  note text,
  recorded_by_user_id integer REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (indicator_id, month),
  CHECK (evidence_url IS NOT NULL OR evidence_file_id IS NOT NULL)
);

CREATE TABLE action_plan_activities (
  id serial PRIMARY KEY,
  objective_id integer NOT NULL REFERENCES action_plan_objectives(id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  name text NOT NULL,
  -- Months 1–12 of the plan's year in which the activity is due.
  planned_months integer[] NOT NULL CHECK (cardinality(planned_months) > 0 AND planned_months <@ ARRAY[1,2,3,4,5,6,7,8,9,10,11,12]),
  owner_agency_id integer REFERENCES agencies(id),
  owner_role text CHECK (owner_role IN ('admin', 'complaint_officer', 'agency_officer', 'leader')),
  CHECK (owner_agency_id IS NOT NULL OR owner_role IS NOT NULL)
);
CREATE INDEX action_plan_activities_objective_idx ON action_plan_activities (objective_id, position);

-- One planned month of an activity, ticked off with the date it was done.
CREATE TABLE action_plan_activity_completions (
  activity_id integer NOT NULL REFERENCES action_plan_activities(id) ON DELETE CASCADE,
  month integer NOT NULL CHECK (month BETWEEN 1 AND 12),
  done_on date NOT NULL,
  evidence_url text,
  evidence_file_id bigint REFERENCES action_plan_files(id),
  note text,
  recorded_by_user_id integer REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (activity_id, month),
  CHECK (evidence_url IS NOT NULL OR evidence_file_id IS NOT NULL)
);

-- Append-only log of every change to a plan: who, when, what.
CREATE TABLE action_plan_changes (
  id bigserial PRIMARY KEY,
  plan_id integer NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer REFERENCES users(id),
  action text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX action_plan_changes_plan_idx ON action_plan_changes (plan_id, at);

CREATE OR REPLACE FUNCTION action_plan_changes_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'action_plan_changes is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER action_plan_changes_no_update BEFORE UPDATE ON action_plan_changes
  FOR EACH ROW EXECUTE FUNCTION action_plan_changes_append_only();

-- Monthly recap reports, generated in the background and kept for download.
-- `agency_id` NULL is the regency-wide report. A pending row whose claim has
-- expired is picked up again, so a crashed generator never blocks a report.
CREATE TABLE monthly_reports (
  id bigserial PRIMARY KEY,
  month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  agency_id integer REFERENCES agencies(id),
  format text NOT NULL CHECK (format IN ('xlsx', 'pdf')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
  file_name text,
  content bytea,
  size_bytes integer,
  error text,
  requested_by_user_id integer REFERENCES users(id),
  scheduled boolean NOT NULL DEFAULT false,
  claimed_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  generated_at timestamptz
);
CREATE UNIQUE INDEX monthly_reports_scope_idx ON monthly_reports (month, coalesce(agency_id, 0), format);
CREATE INDEX monthly_reports_pending_idx ON monthly_reports (created_at) WHERE status = 'pending';
