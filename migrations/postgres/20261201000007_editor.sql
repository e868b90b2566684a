-- The form editor's change history (`/redaktion`): one row per change
-- of a form (created, saved, published, retired, restored), with who made
-- it (the login's account key and display name) and the definition as it
-- was after the change, so an earlier draft state can be restored.
CREATE TABLE editor_changes (
    id          bigserial   PRIMARY KEY,
    form_id     text        NOT NULL,
    version     bigint      NOT NULL CHECK (version >= 0),
    action      text        NOT NULL
                            CHECK (action IN ('created', 'saved', 'published', 'retired', 'restored')),
    actor_key   text        NOT NULL,
    actor_name  text        NOT NULL,
    at          timestamptz NOT NULL,
    definition  jsonb
);

CREATE INDEX editor_changes_by_form ON editor_changes (form_id, id);
