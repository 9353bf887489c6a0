-- Duplicate proposals stored when a report is searched, so that the case
-- page reads them instead of searching on every visit. At 1M seeded
-- complaints the search took 22 to 28 ms in PostgreSQL and kept the
-- officer's case page over 50 ms at the 95th percentile.
--
-- A search is run by the triage job for every report that arrives, and by
-- the case page when a report has no search or its place or the window
-- changed since. It stores what it found in both directions: the report's
-- own list, and the report added to each candidate's list, because a
-- report that arrives later is not in the earlier report's search.

-- One row per report searched: what the search depended on.
CREATE TABLE triage_duplicate_searches (
  complaint_id bigint PRIMARY KEY REFERENCES complaints(id) ON DELETE CASCADE,
  searched_at timestamptz NOT NULL,
  -- triage_settings.duplicate_window_days in force at the search.
  window_days integer NOT NULL,
  -- The report's kecamatan, desa and coordinates at the search, joined by '|'.
  place text NOT NULL
);

-- Proposals for complaint_id. Status, place, dismissals and the window are
-- checked again when the list is read, so a closed, merged, moved or
-- dismissed candidate drops out without a new search.
CREATE TABLE triage_duplicate_candidates (
  complaint_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  candidate_id bigint NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
  -- textSimilarity score of the candidate against complaint_id's text (0 to 1).
  score real NOT NULL CHECK (score BETWEEN 0 AND 1),
  -- pg_trgm similarity() of the two descriptions (0 to 1).
  trigram_similarity real NOT NULL,
  -- Content words both texts contain, in the order of complaint_id's text.
  matching_words text[] NOT NULL,
  found_at timestamptz NOT NULL,
  PRIMARY KEY (complaint_id, candidate_id),
  CHECK (complaint_id <> candidate_id)
);
-- Serves the foreign key's cascade from the candidate's side.
CREATE INDEX triage_duplicate_candidates_candidate_idx ON triage_duplicate_candidates (candidate_id);

-- The triage job searches every report with a larger id than this, in id
-- order. Reports stored before this migration are searched when their case
-- page is opened.
CREATE TABLE triage_duplicate_progress (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_complaint_id bigint NOT NULL
);
INSERT INTO triage_duplicate_progress (last_complaint_id) SELECT coalesce(max(id), 0) FROM complaints;
