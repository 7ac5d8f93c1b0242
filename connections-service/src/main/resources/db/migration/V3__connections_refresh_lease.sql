-- A due token refresh is claimed by one replica at a time: the claim moves this lease ahead in the
-- same statement that selects the due rows (FOR UPDATE SKIP LOCKED). A refresh that failed, or
-- whose replica died, is claimed again once the lease has passed.
ALTER TABLE connections ADD COLUMN refresh_leased_until timestamptz;
