-- A contact's address on a channel (the send address every send and every webhook reads with the contact) is found by
-- contact, channel and age. With only (contact_id), a plan made while the table was small (or its statistics stale)
-- scanned the unique (org_id, channel, address) index instead: every identity of the org on that channel, filtered by
-- contact, per message (500 buffers a lookup with 500 contacts in bench/messaging; an org of 100,000 would read them all).
-- This index answers `contact_id = ? AND channel = ? ORDER BY created_at LIMIT 1` without a sort, so it wins either way,
-- and still serves the foreign key's ON DELETE CASCADE by its leading column.
CREATE INDEX contact_identities_by_contact ON contact_identities (contact_id, channel, created_at);
DROP INDEX contact_identities_contact;
