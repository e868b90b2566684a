-- Uploaded files (server/src/uploads/). The bytes live in
-- $AMTSWEG_DATA_DIR/files/<first two characters of id>/<id>; this row says
-- what they are. draft_id is NULL until the upload belongs to a draft; there
-- is no foreign key yet, so that deleting a draft can delete the files too.
CREATE TABLE uploads (
    id            TEXT    NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    draft_id      TEXT             CHECK (draft_id IS NULL OR length(draft_id) = 36),
    field_id      TEXT    NOT NULL,
    -- Sanitized for display; never used as a path.
    original_name TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL CHECK (size_bytes > 0),
    -- Detected from the file's first bytes, not the browser's claim.
    content_type  TEXT    NOT NULL,
    -- SHA-256 of the content, lower-case hex.
    sha256        TEXT    NOT NULL CHECK (length(sha256) = 64),
    created_at    TEXT    NOT NULL CHECK (length(created_at) = 24 AND created_at GLOB '[0-9][0-9][0-9][0-9]-*Z')
);

CREATE INDEX uploads_by_draft ON uploads (draft_id);
