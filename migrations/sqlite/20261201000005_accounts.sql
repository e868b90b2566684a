-- "Meine Anträge": drafts and submissions belong to a Servicekonto account.
-- account_key is the SHA-256 (hex) of the login's issuer and subject
-- (crate::auth::accounts::account_key), never a name or the raw subject.
-- NULL: anonymous (no login when it was started, not taken over since).

ALTER TABLE drafts ADD COLUMN account_key TEXT
    CHECK (account_key IS NULL OR length(account_key) = 64);
ALTER TABLE submissions ADD COLUMN account_key TEXT
    CHECK (account_key IS NULL OR length(account_key) = 64);

CREATE INDEX drafts_by_account ON drafts (account_key) WHERE account_key IS NOT NULL;
CREATE INDEX submissions_by_account ON submissions (account_key) WHERE account_key IS NOT NULL;

-- A submission belongs to whoever its draft belonged to at submit time,
-- whichever code path inserts it.
CREATE TRIGGER submissions_take_draft_account
AFTER INSERT ON submissions
-- Only when the draft has an account: an anonymous submit writes nothing more.
FOR EACH ROW WHEN NEW.account_key IS NULL
    AND (SELECT account_key FROM drafts WHERE id = NEW.draft_id) IS NOT NULL
BEGIN
    UPDATE submissions
       SET account_key = (SELECT account_key FROM drafts WHERE id = NEW.draft_id)
     WHERE id = NEW.id;
END;
