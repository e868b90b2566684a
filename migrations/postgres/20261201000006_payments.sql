-- Online payment of fees (server/src/store/payments.rs). See the SQLite
-- migration for the columns.

ALTER TABLE submissions ADD COLUMN payment_status text NOT NULL DEFAULT 'none'
    CHECK (payment_status IN ('none', 'open', 'paid'));

CREATE TABLE payments (
    id             uuid        NOT NULL PRIMARY KEY,
    submission_id  uuid        NOT NULL REFERENCES submissions (id),
    attempt        integer     NOT NULL CHECK (attempt >= 1),
    provider       text        NOT NULL CHECK (provider <> ''),
    transaction_id text,
    redirect_url   text,
    amount_cents   bigint      NOT NULL CHECK (amount_cents > 0),
    purpose        text        NOT NULL,
    status         text        NOT NULL DEFAULT 'INITIAL'
                               CHECK (status IN ('INITIAL', 'PAYED', 'CANCELED', 'FAILED')),
    payment_method text,
    created_at     timestamptz NOT NULL,
    paid_at        timestamptz,
    checked_at     timestamptz,
    UNIQUE (submission_id, attempt)
);

CREATE UNIQUE INDEX payments_one_paid ON payments (submission_id) WHERE status = 'PAYED';
