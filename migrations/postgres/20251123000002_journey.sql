-- The citizen journey: drafts, submissions, the delivery outbox and the
-- yearly reference-number counters.

CREATE TABLE drafts (
    id                uuid        NOT NULL PRIMARY KEY,
    form_id           text        NOT NULL,
    form_version      bigint      NOT NULL,
    -- The answers as the citizen entered them, invalid values included.
    answers           jsonb       NOT NULL DEFAULT '{}'::jsonb
                                  CHECK (jsonb_typeof(answers) = 'object'),
    -- Steps whose POST had errors, so that their GET shows the errors.
    attempted_steps   jsonb       NOT NULL DEFAULT '[]'::jsonb
                                  CHECK (jsonb_typeof(attempted_steps) = 'array'),
    contact_email     text,
    -- SHA-256 of the resume token (hex); the token itself is never stored.
    resume_token_hash text        NOT NULL UNIQUE CHECK (length(resume_token_hash) = 64),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    state             text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted')),
    FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version)
);

CREATE INDEX drafts_open_by_expiry ON drafts (expires_at) WHERE state = 'open';

CREATE TABLE submissions (
    -- The key of everything later: delivery, the xdomea package, receipts.
    id           uuid        NOT NULL PRIMARY KEY,
    -- UNIQUE: one draft gives at most one submission (idempotent submit).
    draft_id     uuid        NOT NULL UNIQUE,
    reference    text        NOT NULL UNIQUE,
    form_id      text        NOT NULL,
    form_version bigint      NOT NULL,
    answers      jsonb       NOT NULL,
    fee_cents    bigint      NOT NULL DEFAULT 0 CHECK (fee_cents >= 0),
    submitted_at timestamptz NOT NULL,
    status       text        NOT NULL DEFAULT 'received'
                             CHECK (status IN ('received', 'delivered', 'filed', 'failed')),
    FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version)
);

CREATE TABLE outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id   uuid        NOT NULL REFERENCES submissions (id),
    kind            text        NOT NULL CHECK (kind <> ''),
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'leased', 'done', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    UNIQUE (submission_id, kind)
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'leased');

-- The next reference number of each year (AW-<year>-<value>).
CREATE TABLE reference_counters (
    year       integer NOT NULL PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    next_value bigint  NOT NULL CHECK (next_value >= 1)
);
