-- The citizen journey: drafts, submissions, the delivery outbox and the
-- yearly reference-number counters. Timestamps are UTC text in one fixed
-- format (YYYY-MM-DDTHH:MM:SS.mmmZ, 24 characters), so comparing them as
-- text compares them as times. Ids are UUIDs in their hyphenated text form.

CREATE TABLE drafts (
    id                TEXT    NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    form_id           TEXT    NOT NULL,
    form_version      INTEGER NOT NULL,
    -- The answers as the citizen entered them, invalid values included.
    answers           TEXT    NOT NULL DEFAULT '{}'
                              CHECK (json_valid(answers) AND json_type(answers) = 'object'),
    -- Steps whose POST had errors, so that their GET shows the errors.
    attempted_steps   TEXT    NOT NULL DEFAULT '[]'
                              CHECK (json_valid(attempted_steps) AND json_type(attempted_steps) = 'array'),
    contact_email     TEXT,
    -- SHA-256 of the resume token (hex); the token itself is never stored.
    resume_token_hash TEXT    NOT NULL UNIQUE CHECK (length(resume_token_hash) = 64),
    created_at        TEXT    NOT NULL CHECK (length(created_at) = 24 AND created_at GLOB '[0-9][0-9][0-9][0-9]-*Z'),
    updated_at        TEXT    NOT NULL CHECK (length(updated_at) = 24 AND updated_at GLOB '[0-9][0-9][0-9][0-9]-*Z'),
    expires_at        TEXT    NOT NULL CHECK (length(expires_at) = 24 AND expires_at GLOB '[0-9][0-9][0-9][0-9]-*Z'),
    state             TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted')),
    FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version)
);

CREATE INDEX drafts_open_by_expiry ON drafts (expires_at) WHERE state = 'open';

CREATE TABLE submissions (
    -- The key of everything later: delivery, the xdomea package, receipts.
    id           TEXT    NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    -- UNIQUE: one draft gives at most one submission (idempotent submit).
    draft_id     TEXT    NOT NULL UNIQUE,
    reference    TEXT    NOT NULL UNIQUE,
    form_id      TEXT    NOT NULL,
    form_version INTEGER NOT NULL,
    answers      TEXT    NOT NULL CHECK (json_valid(answers)),
    fee_cents    INTEGER NOT NULL DEFAULT 0 CHECK (fee_cents >= 0),
    submitted_at TEXT    NOT NULL CHECK (length(submitted_at) = 24 AND submitted_at GLOB '[0-9][0-9][0-9][0-9]-*Z'),
    status       TEXT    NOT NULL DEFAULT 'received'
                         CHECK (status IN ('received', 'delivered', 'filed', 'failed')),
    FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version)
);

CREATE TABLE outbox (
    id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    submission_id   TEXT    NOT NULL REFERENCES submissions (id),
    kind            TEXT    NOT NULL CHECK (kind <> ''),
    status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'leased', 'done', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL CHECK (length(next_attempt_at) = 24),
    lease_until     TEXT             CHECK (lease_until IS NULL OR length(lease_until) = 24),
    last_error      TEXT,
    created_at      TEXT    NOT NULL CHECK (length(created_at) = 24),
    UNIQUE (submission_id, kind)
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'leased');

-- The next reference number of each year (AW-<year>-<value>).
CREATE TABLE reference_counters (
    year       INTEGER NOT NULL PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    next_value INTEGER NOT NULL CHECK (next_value >= 1)
);
