-- The inbox's status filter counts its matches up to a cap. With the index
-- on (status, received_at DESC), PostgreSQL read the matching rows from the
-- table to get their ids: for dispatched and in_progress at 1M seeded
-- complaints, 44,827 table pages and 250 ms when they were not cached. With
-- the id in the index the count reads the index alone, 10 ms, and the list
-- of one status is in the index's order. The new index replaces the old.
CREATE INDEX IF NOT EXISTS complaints_status_received_id_idx ON complaints (status, received_at DESC, id DESC);
DROP INDEX IF EXISTS complaints_status_received_idx;
