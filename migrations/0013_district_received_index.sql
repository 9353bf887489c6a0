-- The duplicate search on the case page reads, for one kecamatan and for
-- reports without one, the open reports closest in time to a report, in
-- received_at order with a limit. An index on the kecamatan alone made
-- PostgreSQL fetch every report of the window first: 16,600 buffers for one
-- report at 1M seeded complaints. The new index serves what the old one did,
-- since district_code leads it, so the number of indexes stays the same.
CREATE INDEX IF NOT EXISTS complaints_district_received_idx ON complaints (district_code, received_at);
DROP INDEX IF EXISTS complaints_district_idx;
