//! A submission's way into the authority's E-Akte, as stored: its details
//! for the receipt, the package that was built, when it was delivered,
//! filed (with the e-file's ids) or refused, and the deletion of its
//! personal data after the retention period. The worker that does all of
//! this is `crate::delivery`; this module only reads and writes rows.
//!
//! Status moves `received → delivered → filed`, or `→ failed` when the
//! E-Akte refuses the import (a later positive confirmation, after an
//! operator sent it again, still files it). Each step is idempotent: a
//! second confirmation of a filed submission changes nothing.

use serde_json::Value;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    StoreError,
    outbox::LeasedJob,
    parse_json, parse_sqlite_time, sqlite_time,
    submissions::{NOTIFY, Submission, SubmissionDetails},
    to_millis,
};
use crate::db::Db;

/// Everything the delivery knows of a submission.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub submission: Submission,
    pub details: SubmissionDetails,
    pub delivered_at: Option<OffsetDateTime>,
    pub filed_at: Option<OffsetDateTime>,
    /// The e-file's id of the filed object (`IDSGO` of the 0630).
    pub efile_id: Option<String>,
    /// The Aktenzeichen / Kennzeichen the e-file gave it.
    pub efile_reference: Option<String>,
    pub failure_reason: Option<String>,
    pub package_name: Option<String>,
    /// `{"package": sha256, "files": [{"kind", "sha256", "size"}]}`.
    pub delivered_hashes: Option<Value>,
    pub purge_after: Option<OffsetDateTime>,
    pub purged_at: Option<OffsetDateTime>,
    /// The paid attempt of its fee, if it had one and it is paid.
    pub payment: Option<super::payments::PaymentAttempt>,
}

/// What a confirmation did to a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The status changed.
    Changed,
    /// It was filed before: nothing changed (a repeated confirmation).
    AlreadyFiled,
    /// No such submission.
    Unknown,
}

const COLUMNS_SQLITE: &str = "id, draft_id, reference, form_id, form_version, answers, fee_cents, \
     submitted_at, status, details, delivered_at, filed_at, efile_id, efile_reference, \
     failure_reason, package_name, delivered_hashes, purge_after, purged_at";
const COLUMNS_POSTGRES: &str = "id, draft_id, reference, form_id, form_version, \
     answers::text AS answers, fee_cents, submitted_at, status, details::text AS details, \
     delivered_at, filed_at, efile_id, efile_reference, failure_reason, package_name, \
     delivered_hashes::text AS delivered_hashes, purge_after, purged_at";

fn opt_sqlite_time(text: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    text.as_deref().map(parse_sqlite_time).transpose()
}

fn opt_json(what: &'static str, text: Option<String>) -> Result<Option<Value>, StoreError> {
    text.as_deref().map(|t| parse_json(what, t)).transpose()
}

impl Db {
    /// The delivery's view of submission `id`.
    pub async fn delivery_record(&self, id: Uuid) -> Result<DeliveryRecord, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                let row = sqlx::query(&format!(
                    "SELECT {COLUMNS_SQLITE} FROM submissions WHERE id = ?1"
                ))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
                Ok(DeliveryRecord {
                    submission: super::submissions::submission_from_sqlite(&row)?,
                    details: parse_json("submission details", row.try_get("details")?)?,
                    delivered_at: opt_sqlite_time(row.try_get("delivered_at")?)?,
                    filed_at: opt_sqlite_time(row.try_get("filed_at")?)?,
                    efile_id: row.try_get("efile_id")?,
                    efile_reference: row.try_get("efile_reference")?,
                    failure_reason: row.try_get("failure_reason")?,
                    package_name: row.try_get("package_name")?,
                    delivered_hashes: opt_json("hashes", row.try_get("delivered_hashes")?)?,
                    purge_after: opt_sqlite_time(row.try_get("purge_after")?)?,
                    purged_at: opt_sqlite_time(row.try_get("purged_at")?)?,
                    payment: self.paid_attempt(id).await?,
                })
            }
            Db::Postgres(pool) => {
                let row = sqlx::query(&format!(
                    "SELECT {COLUMNS_POSTGRES} FROM submissions WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)?;
                Ok(DeliveryRecord {
                    submission: super::submissions::submission_from_postgres(&row)?,
                    details: parse_json("submission details", row.try_get("details")?)?,
                    delivered_at: row.try_get("delivered_at")?,
                    filed_at: row.try_get("filed_at")?,
                    efile_id: row.try_get("efile_id")?,
                    efile_reference: row.try_get("efile_reference")?,
                    failure_reason: row.try_get("failure_reason")?,
                    package_name: row.try_get("package_name")?,
                    delivered_hashes: opt_json("hashes", row.try_get("delivered_hashes")?)?,
                    purge_after: row.try_get("purge_after")?,
                    purged_at: row.try_get("purged_at")?,
                    payment: self.paid_attempt(id).await?,
                })
            }
        }
    }

    /// Notes the package built for submission `id`: its file name and the
    /// hashes of what it holds.
    pub async fn record_package(
        &self,
        id: Uuid,
        package_name: &str,
        hashes: &Value,
    ) -> Result<(), StoreError> {
        let hashes = hashes.to_string();
        match self {
            Db::Sqlite(pool) => {
                sqlx::query(
                    "UPDATE submissions SET package_name = ?1, delivered_hashes = ?2 WHERE id = ?3",
                )
                .bind(package_name)
                .bind(hashes)
                .bind(id.to_string())
                .execute(pool)
                .await?;
            }
            Db::Postgres(pool) => {
                sqlx::query(
                    "UPDATE submissions SET package_name = $1, delivered_hashes = $2::jsonb
                     WHERE id = $3",
                )
                .bind(package_name)
                .bind(hashes)
                .bind(id)
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// One transaction: the deliver `job` is done, its submission is
    /// delivered (unless a confirmation already moved it on), and with
    /// `notify` the authority's notification mail is queued. `false` (and
    /// nothing changed) when the lease was lost.
    pub async fn finish_delivery(
        &self,
        job: &LeasedJob,
        now: OffsetDateTime,
        notify: bool,
    ) -> Result<bool, StoreError> {
        let now = to_millis(now);
        match self {
            Db::Sqlite(pool) => {
                let now = sqlite_time(now)?;
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let done = sqlx::query(super::outbox::COMPLETE_SQLITE)
                    .bind(&now)
                    .bind(job.id)
                    .bind(job.lease_token.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done != 1 {
                    return Ok(false);
                }
                sqlx::query(
                    "UPDATE submissions
                     SET status = CASE WHEN status = 'received' THEN 'delivered' ELSE status END,
                         delivered_at = COALESCE(delivered_at, ?1)
                     WHERE id = ?2",
                )
                .bind(&now)
                .bind(job.submission_id.to_string())
                .execute(&mut *tx)
                .await?;
                if notify {
                    sqlx::query(
                        "INSERT INTO outbox (submission_id, kind, status, attempts,
                                             next_attempt_at, created_at)
                         VALUES (?1, ?2, 'pending', 0, ?3, ?3)
                         ON CONFLICT (submission_id, kind) DO NOTHING",
                    )
                    .bind(job.submission_id.to_string())
                    .bind(NOTIFY)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let done = sqlx::query(super::outbox::COMPLETE_POSTGRES)
                    .bind(now)
                    .bind(job.id)
                    .bind(job.lease_token)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done != 1 {
                    return Ok(false);
                }
                sqlx::query(
                    "UPDATE submissions
                     SET status = CASE WHEN status = 'received' THEN 'delivered' ELSE status END,
                         delivered_at = COALESCE(delivered_at, $1)
                     WHERE id = $2",
                )
                .bind(now)
                .bind(job.submission_id)
                .execute(&mut *tx)
                .await?;
                if notify {
                    sqlx::query(
                        "INSERT INTO outbox (submission_id, kind, status, attempts,
                                             next_attempt_at, created_at)
                         VALUES ($1, $2, 'pending', 0, $3, $3)
                         ON CONFLICT (submission_id, kind) DO NOTHING",
                    )
                    .bind(job.submission_id)
                    .bind(NOTIFY)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }
        }
        Ok(true)
    }

    /// The E-Akte filed submission `id` at `now` (its 0630 said so): status
    /// `filed` with the e-file's ids, and its personal data are due for
    /// deletion at `purge_after`. A submission filed before stays as it
    /// was ([`Recorded::AlreadyFiled`]).
    pub async fn record_filed(
        &self,
        id: Uuid,
        now: OffsetDateTime,
        efile_id: Option<&str>,
        efile_reference: Option<&str>,
        purge_after: OffsetDateTime,
    ) -> Result<Recorded, StoreError> {
        let now = to_millis(now);
        let purge_after = to_millis(purge_after);
        let affected = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE submissions
                 SET status = 'filed', filed_at = ?1, efile_id = ?2, efile_reference = ?3,
                     failure_reason = NULL, purge_after = ?4,
                     delivered_at = COALESCE(delivered_at, ?1)
                 WHERE id = ?5 AND status <> 'filed'",
            )
            .bind(sqlite_time(now)?)
            .bind(efile_id)
            .bind(efile_reference)
            .bind(sqlite_time(purge_after)?)
            .bind(id.to_string())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE submissions
                 SET status = 'filed', filed_at = $1, efile_id = $2, efile_reference = $3,
                     failure_reason = NULL, purge_after = $4,
                     delivered_at = COALESCE(delivered_at, $1)
                 WHERE id = $5 AND status <> 'filed'",
            )
            .bind(now)
            .bind(efile_id)
            .bind(efile_reference)
            .bind(purge_after)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        self.recorded(id, affected).await
    }

    /// The E-Akte refused to file submission `id`, for `reason` (from its
    /// 0630). A filed submission stays filed.
    pub async fn record_refused(&self, id: Uuid, reason: &str) -> Result<Recorded, StoreError> {
        let affected = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE submissions SET status = 'failed', failure_reason = ?1
                 WHERE id = ?2 AND status <> 'filed'",
            )
            .bind(reason)
            .bind(id.to_string())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE submissions SET status = 'failed', failure_reason = $1
                 WHERE id = $2 AND status <> 'filed'",
            )
            .bind(reason)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        self.recorded(id, affected).await
    }

    async fn recorded(&self, id: Uuid, affected: u64) -> Result<Recorded, StoreError> {
        if affected == 1 {
            return Ok(Recorded::Changed);
        }
        match self.submission(id).await {
            Ok(_) => Ok(Recorded::AlreadyFiled),
            Err(StoreError::NotFound) => Ok(Recorded::Unknown),
            Err(e) => Err(e),
        }
    }

    /// Submissions whose personal data are due for deletion at `now`.
    pub async fn submissions_to_purge(&self, now: OffsetDateTime) -> Result<Vec<Uuid>, StoreError> {
        let now = to_millis(now);
        match self {
            Db::Sqlite(pool) => {
                let ids: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM submissions
                     WHERE purge_after IS NOT NULL AND purged_at IS NULL AND purge_after <= ?1
                     ORDER BY purge_after",
                )
                .bind(sqlite_time(now)?)
                .fetch_all(pool)
                .await?;
                ids.iter().map(|(id,)| super::parse_uuid(id)).collect()
            }
            Db::Postgres(pool) => {
                let ids: Vec<(Uuid,)> = sqlx::query_as(
                    "SELECT id FROM submissions
                     WHERE purge_after IS NOT NULL AND purged_at IS NULL AND purge_after <= $1
                     ORDER BY purge_after",
                )
                .bind(now)
                .fetch_all(pool)
                .await?;
                Ok(ids.into_iter().map(|(id,)| id).collect())
            }
        }
    }

    /// Deletes the personal data the database holds of submission `id`:
    /// its answers and details, and its draft row (raw answers, contact
    /// address, resume token). What stays is the audit: reference, form,
    /// times, status, the e-file's ids and the hashes of what was
    /// delivered. The caller deletes the files first (uploads, package).
    pub async fn purge_submission(&self, id: Uuid, now: OffsetDateTime) -> Result<(), StoreError> {
        let now = to_millis(now);
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::query(
                    "DELETE FROM drafts WHERE id = (SELECT draft_id FROM submissions WHERE id = ?1)",
                )
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE submissions SET answers = '{}', details = '{}', purged_at = ?1
                     WHERE id = ?2",
                )
                .bind(sqlite_time(now)?)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "DELETE FROM drafts WHERE id = (SELECT draft_id FROM submissions WHERE id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE submissions SET answers = '{}'::jsonb, details = '{}'::jsonb,
                            purged_at = $1
                     WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}
