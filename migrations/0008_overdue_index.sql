-- The overdue filter and the deadline scan look for clocks that still run
-- (or already breached) and have not stopped; the index from 0001 covers only
-- `running`, so the planner scanned every clock at a million complaints.
CREATE INDEX complaint_deadlines_open_due_idx ON complaint_deadlines (due_at, complaint_id)
  WHERE stopped_at IS NULL AND status IN ('running', 'breached');
