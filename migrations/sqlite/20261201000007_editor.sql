-- The form editor's change history (`/redaktion`): one row per change
-- of a form (created, saved, published, retired, restored), with who made
-- it (the login's account key and display name) and the definition as it
-- was after the change, so an earlier draft state can be restored.
CREATE TABLE editor_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    form_id     TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 0),
    action      TEXT    NOT NULL
                        CHECK (action IN ('created', 'saved', 'published', 'retired', 'restored')),
    actor_key   TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    definition  TEXT    CHECK (definition IS NULL OR json_valid(definition))
);

CREATE INDEX editor_changes_by_form ON editor_changes (form_id, id);
