-- No query reads the trigram index on complaints.description: the duplicate
-- search finds its candidates through the full-text index and calls pg_trgm's
-- similarity() only on the few it keeps, which needs the extension, not the
-- index. Keeping the index up to date was about half of the cost of writing
-- a complaint row (docs/benchmarks.md, "What bounds an intake now").
DROP INDEX IF EXISTS complaints_description_trgm_idx;
