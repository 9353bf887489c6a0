-- Text triage: versioned models, the suggestions each model made, the
-- complaint-or-not score with its low-priority queue, dismissed duplicate
-- proposals, and the settings an administrator changes without a deploy.

-- One row per trained model. `version` is the model's content hash, so
-- training on the same data twice yields the same row. Exactly one model per
-- kind is active; suggestions come from the active one.
CREATE TABLE triage_models (
  id serial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('relevance', 'type', 'category', 'agency')),
  version text NOT NULL,
  -- seed: the hand-written set in seed/triage-seed.csv; verified: this
  -- instance's verified reports (plus the seed set, for relevance).
  source text NOT NULL CHECK (source IN ('seed', 'verified')),
  trained_at timestamptz NOT NULL,
  training_size integer NOT NULL CHECK (training_size >= 2),
  -- Messages in the held-out split that `metrics` was measured on.
  test_size integer NOT NULL CHECK (test_size >= 0),
  label_counts jsonb NOT NULL,
  -- Top-1 and top-3 accuracy, macro-F1 and per-label F1 on the held-out split,
  -- or null when the training set was too small to split.
  metrics jsonb,
  -- The serialised TriageModel (src/domain/triage), as JSON text.
  model text NOT NULL,
  active boolean NOT NULL DEFAULT false,
  activated_at timestamptz,
  activated_by_user_id integer REFERENCES users(id),
  UNIQUE (kind, version)
);
CREATE UNIQUE INDEX triage_models_one_active_idx ON triage_models (kind) WHERE active;

-- Ranked labels for one complaint from one model version, best first (at
-- most three, each with the words that raised its score). Accuracy per
-- version compares `top_label` with the officer's final classification.
CREATE TABLE triage_suggestions (
  id bigserial PRIMARY KEY,
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('relevance', 'type', 'category', 'agency')),
  model_version text NOT NULL,
  top_label text NOT NULL,
  top_score double precision NOT NULL CHECK (top_score BETWEEN 0 AND 1),
  ranking jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (complaint_id, kind, model_version)
);
CREATE INDEX triage_suggestions_version_idx ON triage_suggestions (kind, model_version);

-- The complaint-or-not score of an incoming report and the queue it went to.
-- A report is scored once, after its intake transaction committed; a report
-- whose scoring failed stays in the normal inbox (`relevance_score` null).
CREATE TABLE complaint_triage (
  complaint_id bigint PRIMARY KEY REFERENCES complaints(id) ON DELETE CASCADE,
  -- Probability that the message needs a government response (0 to 1).
  relevance_score double precision CHECK (relevance_score BETWEEN 0 AND 1),
  -- Threshold in force when the report was scored.
  threshold double precision NOT NULL,
  model_version text,
  queue text NOT NULL DEFAULT 'normal' CHECK (queue IN ('normal', 'low_priority')),
  scored_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  -- English, without message text.
  last_error text,
  -- Set when an officer swept the report out of the low-priority queue.
  swept_at timestamptz,
  swept_by_user_id integer REFERENCES users(id),
  sweep_outcome text CHECK (sweep_outcome IN ('archived', 'restored'))
);
CREATE INDEX complaint_triage_low_priority_idx ON complaint_triage (complaint_id) WHERE queue = 'low_priority';

-- Duplicate proposals an officer rejected, stored with the lower id first so
-- that one row covers the pair from either case page.
CREATE TABLE triage_duplicate_dismissals (
  first_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  second_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  user_id integer REFERENCES users(id),
  at timestamptz NOT NULL,
  PRIMARY KEY (first_id, second_id),
  CHECK (first_id < second_id)
);

-- A single row of settings.
CREATE TABLE triage_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- Reports scored below this go to the low-priority queue.
  relevance_threshold double precision NOT NULL DEFAULT 0.4 CHECK (relevance_threshold BETWEEN 0 AND 1),
  -- Days before and after a report in which another report counts as a possible duplicate.
  duplicate_window_days integer NOT NULL DEFAULT 30 CHECK (duplicate_window_days BETWEEN 1 AND 365),
  -- Verified reports needed before the type, category and agency models learn from this instance instead of the seed set.
  min_training_size integer NOT NULL DEFAULT 100 CHECK (min_training_size BETWEEN 10 AND 1000000),
  -- Set by "retrain now"; the scoring job claims it and retrains.
  retrain_requested_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by_user_id integer REFERENCES users(id)
);
INSERT INTO triage_settings DEFAULT VALUES;
