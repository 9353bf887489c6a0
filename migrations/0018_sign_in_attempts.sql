-- Failed sign-ins are counted per address in sign_in_failures for staff
-- accounts too, not on the users row. Two differences let an outsider tell
-- staff addresses apart: an account's count was never forgotten while an
-- unknown address's was after a day, and the two were written by different
-- statements. Each attempt is now also counted before its password is
-- checked, in one atomic statement, so parallel requests cannot check more
-- passwords than the limit allows.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
