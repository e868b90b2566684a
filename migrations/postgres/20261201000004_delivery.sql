-- Delivery into the authority's E-Akte (server/src/delivery/), the
-- confirmation that filed it, and the deletion of personal data after the
-- form's retention period. See the SQLite migration for the columns.

ALTER TABLE submissions
    ADD COLUMN details          jsonb NOT NULL DEFAULT '{}'::jsonb
                                CHECK (jsonb_typeof(details) = 'object'),
    ADD COLUMN delivered_at     timestamptz,
    ADD COLUMN filed_at         timestamptz,
    ADD COLUMN efile_id         text,
    ADD COLUMN efile_reference  text,
    ADD COLUMN failure_reason   text,
    ADD COLUMN package_name     text,
    ADD COLUMN delivered_hashes jsonb,
    ADD COLUMN purge_after      timestamptz,
    ADD COLUMN purged_at        timestamptz;

CREATE INDEX submissions_to_purge ON submissions (purge_after)
    WHERE purge_after IS NOT NULL AND purged_at IS NULL;

ALTER TABLE outbox
    ADD COLUMN lease_token uuid,
    ADD COLUMN done_at     timestamptz;
