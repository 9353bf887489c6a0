-- A change to a category's clocks recomputes the deadlines of that
-- category's open and resolved complaints as a recompute run, like a
-- calendar change. Before, the administrator's request recomputed them one
-- complaint at a time, however many there were. category_id names the
-- category of a 'category_changed' run and is NULL for the other reasons.
ALTER TABLE deadline_recomputes ADD COLUMN category_id integer REFERENCES categories(id) ON DELETE CASCADE;
ALTER TABLE deadline_recomputes DROP CONSTRAINT deadline_recomputes_reason_check;
ALTER TABLE deadline_recomputes ADD CONSTRAINT deadline_recomputes_reason_check
  CHECK (reason IN ('holiday_added', 'holiday_removed', 'calendar_year', 'category_changed'));
ALTER TABLE deadline_recomputes ADD CONSTRAINT deadline_recomputes_category_check
  CHECK ((reason = 'category_changed') = (category_id IS NOT NULL));
