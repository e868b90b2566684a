-- Online payment of fees (server/src/store/payments.rs): one row per
-- payment attempt at the provider, and where the submission stands.
-- Times as in 0002 (UTC text, 24 characters).

-- 'none': no fee; 'open': a fee, not paid yet (not delivered); 'paid'.
ALTER TABLE submissions ADD COLUMN payment_status TEXT NOT NULL DEFAULT 'none'
    CHECK (payment_status IN ('none', 'open', 'paid'));

CREATE TABLE payments (
    -- UUID v5 of the submission id and the attempt number: the
    -- idempotency key at the provider, so a repeated create is the same.
    id             TEXT    NOT NULL PRIMARY KEY CHECK (length(id) = 36),
    submission_id  TEXT    NOT NULL REFERENCES submissions (id),
    attempt        INTEGER NOT NULL CHECK (attempt >= 1),
    provider       TEXT    NOT NULL CHECK (provider <> ''),
    -- The provider's id, stored before the citizen is redirected.
    transaction_id TEXT,
    redirect_url   TEXT,
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    purpose        TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'INITIAL'
                           CHECK (status IN ('INITIAL', 'PAYED', 'CANCELED', 'FAILED')),
    payment_method TEXT,
    created_at     TEXT    NOT NULL CHECK (length(created_at) = 24),
    paid_at        TEXT             CHECK (paid_at IS NULL OR length(paid_at) = 24),
    checked_at     TEXT             CHECK (checked_at IS NULL OR length(checked_at) = 24),
    UNIQUE (submission_id, attempt)
);

-- At most one paid attempt per submission: never counted twice.
CREATE UNIQUE INDEX payments_one_paid ON payments (submission_id) WHERE status = 'PAYED';
