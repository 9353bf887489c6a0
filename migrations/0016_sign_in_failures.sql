-- Failed sign-ins for e-mail addresses that have no active account with a
-- password. Staff accounts count their failures on the users row. Counting
-- unknown addresses the same way makes them lock after the same number of
-- failures, so a lockout no longer tells that an address belongs to staff.
CREATE TABLE sign_in_failures (
  -- SHA-256 of the trimmed, lower-cased address, hex: no address is stored.
  email_hash text PRIMARY KEY,
  failed integer NOT NULL,
  locked_until timestamptz,
  last_failed_at timestamptz NOT NULL
);
-- Serves the removal of rows whose last failure is older than a day.
CREATE INDEX sign_in_failures_last_failed_idx ON sign_in_failures (last_failed_at);
