-- Response and resolution times in working time, kept on the complaint so the
-- indicator queries can take medians and percentiles in SQL at any size.
-- Working days count as in the SLA clocks: the day of receipt does not count,
-- so an answer on the next working day is 1 and a same-day answer is 0.
ALTER TABLE complaints
  ADD COLUMN first_response_working_hours double precision,
  ADD COLUMN first_response_working_days integer,
  ADD COLUMN resolution_working_hours double precision,
  ADD COLUMN resolution_working_days integer;

CREATE INDEX complaints_received_agency_idx ON complaints (received_at, agency_id);
