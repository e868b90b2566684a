//! Payments of fees: one `payments` row per attempt at the provider, and
//! the submission's `payment_status` (`none`, `open`, `paid`).
//!
//! - [`Db::new_payment_attempt`] adds the next attempt — or reuses the
//!   last one while it may still be paid (never two payable transactions
//!   for one fee) — and refuses when the fee is paid already.
//! - [`Db::record_payment_created`] stores the provider's transaction id
//!   *before* the citizen is redirected, so the worker can always ask for
//!   the outcome.
//! - [`Db::record_paid`] is one transaction: the attempt paid, the
//!   submission paid, its `deliver` (and, with a contact address,
//!   `confirm`) outbox jobs added and its `payment` job done. Idempotent:
//!   a second "paid" for the same submission changes nothing and adds no
//!   job, and at most one attempt of a submission can be paid (a unique
//!   index), so nothing is ever counted or delivered twice.
//!
//! The outcome stored here is only ever what the provider answered to a
//! status request (`crate::payment_journey` asks); a citizen's return to
//! the portal proves nothing.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    StoreError, parse_sqlite_time, parse_uuid, sqlite_time,
    submissions::{CONFIRM, DELIVER, PAYMENT},
    to_millis,
};
use crate::{db::Db, payment::PaymentStatus};

/// The namespace of attempt ids: `v5(NAMESPACE, "<submission>/<attempt>")`.
const ATTEMPT_NAMESPACE: Uuid = Uuid::from_u128(0x6d2c_4f3e_9a1b_4c7d_8e5f_a0b1_c2d3_e4f5);

/// The id (and idempotency key at the provider) of attempt `attempt` of a
/// submission's payment.
pub fn attempt_id(submission_id: Uuid, attempt: u32) -> Uuid {
    Uuid::new_v5(
        &ATTEMPT_NAMESPACE,
        format!("{submission_id}/{attempt}").as_bytes(),
    )
}

/// Where a submission's fee stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionPayment {
    /// No fee.
    None,
    /// A fee, not paid: the application is stored but not delivered.
    Open,
    Paid,
}

impl SubmissionPayment {
    fn from_db(text: &str) -> Result<Self, StoreError> {
        match text {
            "none" => Ok(SubmissionPayment::None),
            "open" => Ok(SubmissionPayment::Open),
            "paid" => Ok(SubmissionPayment::Paid),
            other => Err(StoreError::corrupt("payment status", other)),
        }
    }
}

/// One attempt to pay a submission's fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAttempt {
    pub id: Uuid,
    pub submission_id: Uuid,
    /// 1 for the first.
    pub attempt: u32,
    /// The provider's name (`xbezahldienste`, `demo`).
    pub provider: String,
    /// Set once the provider created the transaction.
    pub transaction_id: Option<String>,
    /// The provider's page for this transaction.
    pub redirect_url: Option<String>,
    pub amount_cents: u64,
    pub purpose: String,
    pub status: PaymentStatus,
    pub payment_method: Option<String>,
    pub created_at: OffsetDateTime,
    pub paid_at: Option<OffsetDateTime>,
    pub checked_at: Option<OffsetDateTime>,
}

/// A submission's fee and its attempts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOverview {
    pub status: SubmissionPayment,
    pub fee_cents: u64,
    pub attempts: Vec<PaymentAttempt>,
}

impl PaymentOverview {
    /// The latest attempt, if any.
    pub fn latest(&self) -> Option<&PaymentAttempt> {
        self.attempts.last()
    }

    /// The paid attempt, if any.
    pub fn paid(&self) -> Option<&PaymentAttempt> {
        self.attempts
            .iter()
            .find(|a| a.status == PaymentStatus::Paid)
    }
}

/// What [`Db::new_payment_attempt`] came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewAttempt {
    /// An attempt to send to the provider: a new one, or the last one
    /// again while it is not known to be finished.
    Attempt(Box<PaymentAttempt>),
    /// The fee is paid already: no new attempt, never a second charge.
    AlreadyPaid,
    /// The submission has no fee to pay.
    NoFee,
}

fn status_to_db(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Initial => "INITIAL",
        PaymentStatus::Paid => "PAYED",
        PaymentStatus::Canceled => "CANCELED",
        PaymentStatus::Failed => "FAILED",
    }
}

fn status_from_db(text: &str) -> Result<PaymentStatus, StoreError> {
    match text {
        "INITIAL" => Ok(PaymentStatus::Initial),
        "PAYED" => Ok(PaymentStatus::Paid),
        "CANCELED" => Ok(PaymentStatus::Canceled),
        "FAILED" => Ok(PaymentStatus::Failed),
        other => Err(StoreError::corrupt("payment attempt status", other)),
    }
}

fn u32_from_db(what: &'static str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| StoreError::corrupt(what, e))
}

fn u64_from_db(what: &'static str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|e| StoreError::corrupt(what, e))
}

fn cents_to_db(cents: u64) -> Result<i64, StoreError> {
    i64::try_from(cents).map_err(|e| StoreError::corrupt("payment amount", e))
}

const ATTEMPT_COLUMNS: &str = "id, submission_id, attempt, provider, transaction_id, redirect_url, \
     amount_cents, purpose, status, payment_method, created_at, paid_at, checked_at";

fn attempt_from_sqlite(row: &sqlx::sqlite::SqliteRow) -> Result<PaymentAttempt, StoreError> {
    let time = |name: &str| -> Result<Option<OffsetDateTime>, StoreError> {
        let text: Option<String> = row.try_get(name)?;
        text.as_deref().map(parse_sqlite_time).transpose()
    };
    Ok(PaymentAttempt {
        id: parse_uuid(row.try_get("id")?)?,
        submission_id: parse_uuid(row.try_get("submission_id")?)?,
        attempt: u32_from_db("payment attempt", row.try_get("attempt")?)?,
        provider: row.try_get("provider")?,
        transaction_id: row.try_get("transaction_id")?,
        redirect_url: row.try_get("redirect_url")?,
        amount_cents: u64_from_db("payment amount", row.try_get("amount_cents")?)?,
        purpose: row.try_get("purpose")?,
        status: status_from_db(row.try_get("status")?)?,
        payment_method: row.try_get("payment_method")?,
        created_at: parse_sqlite_time(row.try_get("created_at")?)?,
        paid_at: time("paid_at")?,
        checked_at: time("checked_at")?,
    })
}

fn attempt_from_postgres(row: &sqlx::postgres::PgRow) -> Result<PaymentAttempt, StoreError> {
    Ok(PaymentAttempt {
        id: row.try_get("id")?,
        submission_id: row.try_get("submission_id")?,
        attempt: u32_from_db(
            "payment attempt",
            i64::from(row.try_get::<i32, _>("attempt")?),
        )?,
        provider: row.try_get("provider")?,
        transaction_id: row.try_get("transaction_id")?,
        redirect_url: row.try_get("redirect_url")?,
        amount_cents: u64_from_db("payment amount", row.try_get("amount_cents")?)?,
        purpose: row.try_get("purpose")?,
        status: status_from_db(row.try_get("status")?)?,
        payment_method: row.try_get("payment_method")?,
        created_at: row.try_get("created_at")?,
        paid_at: row.try_get("paid_at")?,
        checked_at: row.try_get("checked_at")?,
    })
}

/// Marks the submission paid, adds its jobs and finishes its `payment`
/// job; SQLite. `true` when it was not paid before.
const PAID_SUBMISSION_SQLITE: &str = "
UPDATE submissions SET payment_status = 'paid'
WHERE id = ?1 AND payment_status = 'open'";
const PAID_JOBS_SQLITE: &str = "
INSERT INTO outbox (submission_id, kind, status, attempts, next_attempt_at, created_at)
SELECT id, ?2, 'pending', 0, ?3, ?3 FROM submissions
WHERE id = ?1 AND (?2 <> ?4 OR json_extract(details, '$.contact_email') IS NOT NULL)
ON CONFLICT (submission_id, kind) DO NOTHING";
const PAYMENT_JOB_DONE_SQLITE: &str = "
UPDATE outbox SET status = 'done', done_at = ?2, lease_until = NULL, lease_token = NULL,
                  last_error = NULL
WHERE submission_id = ?1 AND kind = ?3 AND status <> 'done'";

const PAID_SUBMISSION_POSTGRES: &str = "
UPDATE submissions SET payment_status = 'paid'
WHERE id = $1 AND payment_status = 'open'";
const PAID_JOBS_POSTGRES: &str = "
INSERT INTO outbox (submission_id, kind, status, attempts, next_attempt_at, created_at)
SELECT id, $2, 'pending', 0, $3, $3 FROM submissions
WHERE id = $1 AND ($2 <> $4 OR details->>'contact_email' IS NOT NULL)
ON CONFLICT (submission_id, kind) DO NOTHING";
const PAYMENT_JOB_DONE_POSTGRES: &str = "
UPDATE outbox SET status = 'done', done_at = $2, lease_until = NULL, lease_token = NULL,
                  last_error = NULL
WHERE submission_id = $1 AND kind = $3 AND status <> 'done'";

impl Db {
    /// The paid attempt of submission `id`'s fee, if any.
    pub async fn paid_attempt(&self, id: Uuid) -> Result<Option<PaymentAttempt>, StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(&format!(
                "SELECT {ATTEMPT_COLUMNS} FROM payments WHERE submission_id = ?1 AND status = 'PAYED'"
            ))
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(attempt_from_sqlite)
            .transpose(),
            Db::Postgres(pool) => sqlx::query(&format!(
                "SELECT {ATTEMPT_COLUMNS} FROM payments WHERE submission_id = $1 AND status = 'PAYED'"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(attempt_from_postgres)
            .transpose(),
        }
    }

    /// The fee of submission `id` and its attempts; `NotFound` for an
    /// unknown submission.
    pub async fn payment_overview(&self, id: Uuid) -> Result<PaymentOverview, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                let row =
                    sqlx::query("SELECT payment_status, fee_cents FROM submissions WHERE id = ?1")
                        .bind(id.to_string())
                        .fetch_optional(pool)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                let attempts = sqlx::query(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM payments WHERE submission_id = ?1 ORDER BY attempt"
                ))
                .bind(id.to_string())
                .fetch_all(pool)
                .await?
                .iter()
                .map(attempt_from_sqlite)
                .collect::<Result<_, _>>()?;
                Ok(PaymentOverview {
                    status: SubmissionPayment::from_db(row.try_get("payment_status")?)?,
                    fee_cents: u64_from_db("fee", row.try_get("fee_cents")?)?,
                    attempts,
                })
            }
            Db::Postgres(pool) => {
                let row =
                    sqlx::query("SELECT payment_status, fee_cents FROM submissions WHERE id = $1")
                        .bind(id)
                        .fetch_optional(pool)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                let attempts = sqlx::query(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM payments WHERE submission_id = $1 ORDER BY attempt"
                ))
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(attempt_from_postgres)
                .collect::<Result<_, _>>()?;
                Ok(PaymentOverview {
                    status: SubmissionPayment::from_db(row.try_get("payment_status")?)?,
                    fee_cents: u64_from_db("fee", row.try_get("fee_cents")?)?,
                    attempts,
                })
            }
        }
    }

    /// The attempt to send the citizen to: the last one while it is not
    /// known to be finished (`INITIAL`), else a new one with the next
    /// number at `provider` for the submission's fee. Refused when the
    /// fee is paid ([`NewAttempt::AlreadyPaid`]). Two concurrent calls
    /// cannot both add attempt `n`: the second meets the unique
    /// (submission, attempt) and reads the first's.
    pub async fn new_payment_attempt(
        &self,
        submission_id: Uuid,
        provider: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<NewAttempt, StoreError> {
        let now = to_millis(now);
        for _ in 0..3 {
            let overview = self.payment_overview(submission_id).await?;
            match overview.status {
                SubmissionPayment::Paid => return Ok(NewAttempt::AlreadyPaid),
                SubmissionPayment::None => return Ok(NewAttempt::NoFee),
                SubmissionPayment::Open => {}
            }
            let next = match overview.latest() {
                Some(last) if last.status == PaymentStatus::Initial => {
                    return Ok(NewAttempt::Attempt(Box::new(last.clone())));
                }
                Some(last) => last.attempt.saturating_add(1),
                None => 1,
            };
            let attempt = PaymentAttempt {
                id: attempt_id(submission_id, next),
                submission_id,
                attempt: next,
                provider: provider.to_owned(),
                transaction_id: None,
                redirect_url: None,
                amount_cents: overview.fee_cents,
                purpose: purpose.to_owned(),
                status: PaymentStatus::Initial,
                payment_method: None,
                created_at: now,
                paid_at: None,
                checked_at: None,
            };
            let inserted = match self {
                Db::Sqlite(pool) => sqlx::query(
                    "INSERT INTO payments (id, submission_id, attempt, provider, amount_cents,
                                           purpose, status, created_at)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, 'INITIAL', ?7
                     WHERE EXISTS (SELECT 1 FROM submissions
                                   WHERE id = ?2 AND payment_status = 'open')
                     ON CONFLICT DO NOTHING",
                )
                .bind(attempt.id.to_string())
                .bind(submission_id.to_string())
                .bind(i64::from(next))
                .bind(provider)
                .bind(cents_to_db(attempt.amount_cents)?)
                .bind(purpose)
                .bind(sqlite_time(now)?)
                .execute(pool)
                .await?
                .rows_affected(),
                Db::Postgres(pool) => sqlx::query(
                    "INSERT INTO payments (id, submission_id, attempt, provider, amount_cents,
                                           purpose, status, created_at)
                     SELECT $1, $2, $3, $4, $5, $6, 'INITIAL', $7
                     WHERE EXISTS (SELECT 1 FROM submissions
                                   WHERE id = $2 AND payment_status = 'open')
                     ON CONFLICT DO NOTHING",
                )
                .bind(attempt.id)
                .bind(submission_id)
                .bind(i32::try_from(next).map_err(|e| StoreError::corrupt("attempt", e))?)
                .bind(provider)
                .bind(cents_to_db(attempt.amount_cents)?)
                .bind(purpose)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected(),
            };
            if inserted == 1 {
                return Ok(NewAttempt::Attempt(Box::new(attempt)));
            }
            // Paid meanwhile, or another request added this attempt: look again.
        }
        Err(StoreError::corrupt(
            "payment attempts",
            "no attempt could be added",
        ))
    }

    /// Stores the provider's transaction id and page of attempt `id`,
    /// before the citizen is sent there. The first id stays: a repeated
    /// create of the same attempt answers the same transaction. `false`
    /// when the attempt is no longer open (a concurrent request gave it up
    /// with [`Db::give_up_uncreated_attempt`]): then nobody may be sent
    /// there. One statement, so the two cannot both succeed.
    pub async fn record_payment_created(
        &self,
        id: Uuid,
        transaction_id: &str,
        redirect_url: &str,
    ) -> Result<bool, StoreError> {
        let done = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE payments SET transaction_id = coalesce(transaction_id, ?2),
                                         redirect_url = ?3
                     WHERE id = ?1 AND status = 'INITIAL'",
            )
            .bind(id.to_string())
            .bind(transaction_id)
            .bind(redirect_url)
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE payments SET transaction_id = coalesce(transaction_id, $2),
                                         redirect_url = $3
                     WHERE id = $1 AND status = 'INITIAL'",
            )
            .bind(id)
            .bind(transaction_id)
            .bind(redirect_url)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(done == 1)
    }

    /// Gives up attempt `id` (marks it `FAILED`) only while it is open and
    /// no transaction id is stored for it: the provider holds a
    /// transaction for it whose answer was lost, so nobody was sent there.
    /// `false` when a concurrent request has stored its transaction
    /// meanwhile (send the citizen there instead) or it is finished.
    pub async fn give_up_uncreated_attempt(
        &self,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let now = to_millis(now);
        let done = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE payments SET status = 'FAILED', checked_at = ?2
                     WHERE id = ?1 AND status = 'INITIAL' AND transaction_id IS NULL",
            )
            .bind(id.to_string())
            .bind(sqlite_time(now)?)
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE payments SET status = 'FAILED', checked_at = $2
                     WHERE id = $1 AND status = 'INITIAL' AND transaction_id IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(done == 1)
    }

    /// Records what the provider answered for an attempt that is not paid:
    /// still `INITIAL` (only `checked_at` changes), `CANCELED` or
    /// `FAILED`. Only an `INITIAL` attempt changes; a paid one stays paid.
    pub async fn record_payment_unpaid(
        &self,
        id: Uuid,
        status: PaymentStatus,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if status == PaymentStatus::Paid {
            return Err(StoreError::corrupt(
                "payment status",
                "a paid attempt is recorded with record_paid",
            ));
        }
        let now = to_millis(now);
        match self {
            Db::Sqlite(pool) => {
                sqlx::query(
                    "UPDATE payments SET status = ?2, checked_at = ?3
                     WHERE id = ?1 AND status = 'INITIAL'",
                )
                .bind(id.to_string())
                .bind(status_to_db(status))
                .bind(sqlite_time(now)?)
                .execute(pool)
                .await?;
            }
            Db::Postgres(pool) => {
                sqlx::query(
                    "UPDATE payments SET status = $2, checked_at = $3
                     WHERE id = $1 AND status = 'INITIAL'",
                )
                .bind(id)
                .bind(status_to_db(status))
                .bind(now)
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Attempt `id` is paid (the provider said so): in one transaction the
    /// attempt, the submission, its `deliver` and `confirm` jobs and its
    /// finished `payment` job. `true` when this call made the submission
    /// paid; `false` when it was paid before (nothing changes, no job is
    /// added).
    pub async fn record_paid(
        &self,
        id: Uuid,
        paid_at: OffsetDateTime,
        payment_method: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let now = to_millis(now);
        let paid_at = to_millis(paid_at);
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let row = sqlx::query(
                    "UPDATE payments SET status = 'PAYED', paid_at = ?2, payment_method = ?3,
                                         checked_at = ?4
                     WHERE id = ?1 AND status = 'INITIAL'
                       AND NOT EXISTS (SELECT 1 FROM payments p
                                       WHERE p.submission_id = payments.submission_id
                                         AND p.status = 'PAYED')
                     RETURNING submission_id",
                )
                .bind(id.to_string())
                .bind(sqlite_time(paid_at)?)
                .bind(payment_method)
                .bind(sqlite_time(now)?)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(false);
                };
                let submission: String = row.try_get("submission_id")?;
                let changed = sqlx::query(PAID_SUBMISSION_SQLITE)
                    .bind(&submission)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed == 1 {
                    let at = sqlite_time(now)?;
                    for kind in [DELIVER, CONFIRM] {
                        sqlx::query(PAID_JOBS_SQLITE)
                            .bind(&submission)
                            .bind(kind)
                            .bind(&at)
                            .bind(CONFIRM)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query(PAYMENT_JOB_DONE_SQLITE)
                        .bind(&submission)
                        .bind(&at)
                        .bind(PAYMENT)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(changed == 1)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // The submission row first: concurrent calls for one
                // submission pass here one at a time.
                let locked: Option<(String,)> = sqlx::query_as(
                    "SELECT s.payment_status FROM submissions s
                     JOIN payments p ON p.submission_id = s.id
                     WHERE p.id = $1 FOR UPDATE OF s",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                if !matches!(locked.as_ref().map(|(s,)| s.as_str()), Some("open")) {
                    return Ok(false);
                }
                let row = sqlx::query(
                    "UPDATE payments SET status = 'PAYED', paid_at = $2, payment_method = $3,
                                         checked_at = $4
                     WHERE id = $1 AND status = 'INITIAL'
                     RETURNING submission_id",
                )
                .bind(id)
                .bind(paid_at)
                .bind(payment_method)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(false);
                };
                let submission: Uuid = row.try_get("submission_id")?;
                let changed = sqlx::query(PAID_SUBMISSION_POSTGRES)
                    .bind(submission)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed == 1 {
                    for kind in [DELIVER, CONFIRM] {
                        sqlx::query(PAID_JOBS_POSTGRES)
                            .bind(submission)
                            .bind(kind)
                            .bind(now)
                            .bind(CONFIRM)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query(PAYMENT_JOB_DONE_POSTGRES)
                        .bind(submission)
                        .bind(now)
                        .bind(PAYMENT)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(changed == 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_ids_are_stable_and_distinct() {
        let s = Uuid::from_u128(42);
        assert_eq!(attempt_id(s, 1), attempt_id(s, 1));
        assert_ne!(attempt_id(s, 1), attempt_id(s, 2));
        assert_ne!(attempt_id(s, 1), attempt_id(Uuid::from_u128(43), 1));
    }

    #[test]
    fn status_names_round_trip() {
        for status in [
            PaymentStatus::Initial,
            PaymentStatus::Paid,
            PaymentStatus::Canceled,
            PaymentStatus::Failed,
        ] {
            assert_eq!(status_from_db(status_to_db(status)).ok(), Some(status));
        }
        assert!(status_from_db("paid").is_err());
    }
}
