-- Uploaded files (server/src/uploads/). The bytes live in
-- $AMTSWEG_DATA_DIR/files/<first two characters of id>/<id>; this row says
-- what they are. draft_id is NULL until the upload belongs to a draft; there
-- is no foreign key yet, so that deleting a draft can delete the files too.
CREATE TABLE uploads (
    id            uuid        NOT NULL PRIMARY KEY,
    draft_id      uuid,
    field_id      text        NOT NULL,
    -- Sanitized for display; never used as a path.
    original_name text        NOT NULL,
    size_bytes    bigint      NOT NULL CHECK (size_bytes > 0),
    -- Detected from the file's first bytes, not the browser's claim.
    content_type  text        NOT NULL,
    -- SHA-256 of the content, lower-case hex.
    sha256        text        NOT NULL CHECK (length(sha256) = 64),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX uploads_by_draft ON uploads (draft_id);
