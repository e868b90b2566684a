-- Delivery into the authority's E-Akte (server/src/delivery/), the
-- confirmation that filed it, and the deletion of personal data after the
-- form's retention period. Times as in 0002 (UTC text, 24 characters).

-- What the submission needs after the draft is gone, personal: the
-- "check your answers" rows in German and English (for the receipt), the
-- citizen's language and contact address. Emptied ('{}') when the personal
-- data are deleted.
ALTER TABLE submissions ADD COLUMN details TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(details) AND json_type(details) = 'object');
-- The package in the authority's drop folder / sent by HTTP or SMTP.
ALTER TABLE submissions ADD COLUMN delivered_at TEXT
    CHECK (delivered_at IS NULL OR length(delivered_at) = 24);
-- The E-Akte's import confirmation (FVDaten.ImportBestaetigen.0630).
ALTER TABLE submissions ADD COLUMN filed_at TEXT
    CHECK (filed_at IS NULL OR length(filed_at) = 24);
-- The e-file's id of the filed object and its Aktenzeichen, if it gave them.
ALTER TABLE submissions ADD COLUMN efile_id TEXT;
ALTER TABLE submissions ADD COLUMN efile_reference TEXT;
-- Why the E-Akte refused the import (status 'failed'), from its 0630.
ALTER TABLE submissions ADD COLUMN failure_reason TEXT;
-- The package's file name and the SHA-256 of every file delivered
-- ({"package": …, "files": [{"kind", "sha256", "size"}]}): the audit that
-- stays when the personal data are deleted.
ALTER TABLE submissions ADD COLUMN package_name TEXT;
ALTER TABLE submissions ADD COLUMN delivered_hashes TEXT
    CHECK (delivered_hashes IS NULL OR json_valid(delivered_hashes));
-- When the personal data are to be deleted (filed_at + the form's
-- retention_days), and when they were.
ALTER TABLE submissions ADD COLUMN purge_after TEXT
    CHECK (purge_after IS NULL OR length(purge_after) = 24);
ALTER TABLE submissions ADD COLUMN purged_at TEXT
    CHECK (purged_at IS NULL OR length(purged_at) = 24);

CREATE INDEX submissions_to_purge ON submissions (purge_after)
    WHERE purge_after IS NOT NULL AND purged_at IS NULL;

-- A lease belongs to one worker: only the holder of the token may finish
-- the job, so a worker whose lease ran out cannot overwrite the result of
-- the worker that took the job over.
ALTER TABLE outbox ADD COLUMN lease_token TEXT;
ALTER TABLE outbox ADD COLUMN done_at TEXT CHECK (done_at IS NULL OR length(done_at) = 24);
