-- Published form definitions. A (form_id, version) is immutable once
-- published: the server republishes the same content idempotently and
-- refuses different content under the same version.
CREATE TABLE form_versions (
    form_id      text        NOT NULL,
    version      bigint      NOT NULL CHECK (version >= 0),
    title_de     text        NOT NULL,
    definition   jsonb       NOT NULL,
    state        text        NOT NULL DEFAULT 'published'
                             CHECK (state IN ('draft', 'published', 'withdrawn')),
    published_at timestamptz,
    PRIMARY KEY (form_id, version),
    CHECK ((state = 'draft') = (published_at IS NULL))
);

CREATE INDEX form_versions_by_state ON form_versions (state, form_id, version);
