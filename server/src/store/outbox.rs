//! The outbox: the jobs that carry a submission further after the submit
//! transaction wrote them (deliver to the E-Akte, mail the citizen, mail
//! the authority). The delivery worker (`crate::delivery`) leases one job
//! at a time, runs it, and finishes it with the lease's token.
//!
//! - **Leasing.** A job is due when it is `pending` and its
//!   `next_attempt_at` has come, or `leased` and its lease has run out (its
//!   worker died). Leasing sets a new random `lease_token`, the lease's
//!   end, and counts the attempt, all in one statement: on SQLite writes
//!   are serialised anyway, on PostgreSQL the due row is picked `FOR UPDATE
//!   SKIP LOCKED`, so several workers never lease the same job.
//! - **Finishing** ([`Db::complete_job`], [`Db::retry_job_later`],
//!   [`Db::bury_job`]) only works with the current token: a worker whose
//!   lease ran out and was taken over cannot overwrite the other's result.
//! - **Dead letters.** A job that failed too often (or permanently) is
//!   `dead`; operators list them ([`Db::jobs`]) and send them again
//!   ([`Db::revive_job`], `amtsweg outbox retry`).
//!
//! Error texts stored in `last_error` come from the worker and hold no
//! personal data.

use sqlx::Row;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{StoreError, parse_sqlite_time, parse_uuid, sqlite_time, to_millis};
use crate::db::Db;

/// A job this worker holds until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedJob {
    pub id: i64,
    pub submission_id: Uuid,
    pub kind: String,
    /// Attempts so far, this one included (1 on the first).
    pub attempts: u32,
    pub lease_token: Uuid,
}

/// One outbox row, as operators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    pub id: i64,
    pub submission_id: Uuid,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
}

/// Which jobs [`Db::jobs`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobFilter {
    /// Not done yet: pending, leased and dead.
    Open,
    /// Only the dead letters.
    Dead,
}

fn attempts_from_db(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| StoreError::corrupt("outbox attempts", e))
}

const LEASE_SQLITE: &str = "
UPDATE outbox SET status = 'leased', attempts = attempts + 1, lease_until = ?1, lease_token = ?2
WHERE id = (
    SELECT id FROM outbox
    WHERE status IN ('pending', 'leased')
      AND ((status = 'pending' AND next_attempt_at <= ?3)
           OR (status = 'leased' AND lease_until <= ?3))
    ORDER BY next_attempt_at, id
    LIMIT 1
)
RETURNING id, submission_id, kind, attempts";

const LEASE_POSTGRES: &str = "
UPDATE outbox SET status = 'leased', attempts = attempts + 1, lease_until = $1, lease_token = $2
WHERE id = (
    SELECT id FROM outbox
    WHERE status IN ('pending', 'leased')
      AND ((status = 'pending' AND next_attempt_at <= $3)
           OR (status = 'leased' AND lease_until <= $3))
    ORDER BY next_attempt_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING id, submission_id, kind, attempts::bigint AS attempts";

/// Marks a leased job done, if the token still holds it.
pub(super) const COMPLETE_SQLITE: &str = "
UPDATE outbox SET status = 'done', done_at = ?1, lease_until = NULL, lease_token = NULL,
                  last_error = NULL
WHERE id = ?2 AND lease_token = ?3 AND status = 'leased'";
pub(super) const COMPLETE_POSTGRES: &str = "
UPDATE outbox SET status = 'done', done_at = $1, lease_until = NULL, lease_token = NULL,
                  last_error = NULL
WHERE id = $2 AND lease_token = $3 AND status = 'leased'";

impl Db {
    /// Leases the job that has been due longest, for `lease` from `now`;
    /// `None` when nothing is due.
    pub async fn lease_job(
        &self,
        now: OffsetDateTime,
        lease: Duration,
    ) -> Result<Option<LeasedJob>, StoreError> {
        let now = to_millis(now);
        let token = Uuid::new_v4();
        match self {
            Db::Sqlite(pool) => {
                let row = sqlx::query(LEASE_SQLITE)
                    .bind(sqlite_time(now + lease)?)
                    .bind(token.to_string())
                    .bind(sqlite_time(now)?)
                    .fetch_optional(pool)
                    .await?;
                row.map(|row| {
                    Ok(LeasedJob {
                        id: row.try_get("id")?,
                        submission_id: parse_uuid(row.try_get("submission_id")?)?,
                        kind: row.try_get("kind")?,
                        attempts: attempts_from_db(row.try_get("attempts")?)?,
                        lease_token: token,
                    })
                })
                .transpose()
            }
            Db::Postgres(pool) => {
                let row = sqlx::query(LEASE_POSTGRES)
                    .bind(now + lease)
                    .bind(token)
                    .bind(now)
                    .fetch_optional(pool)
                    .await?;
                row.map(|row| {
                    Ok(LeasedJob {
                        id: row.try_get("id")?,
                        submission_id: row.try_get("submission_id")?,
                        kind: row.try_get("kind")?,
                        attempts: attempts_from_db(row.try_get("attempts")?)?,
                        lease_token: token,
                    })
                })
                .transpose()
            }
        }
    }

    /// Marks `job` done; `false` when the lease was lost (another worker
    /// holds the job now, or it is done already).
    pub async fn complete_job(
        &self,
        job: &LeasedJob,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let now = to_millis(now);
        let affected = match self {
            Db::Sqlite(pool) => sqlx::query(COMPLETE_SQLITE)
                .bind(sqlite_time(now)?)
                .bind(job.id)
                .bind(job.lease_token.to_string())
                .execute(pool)
                .await?
                .rows_affected(),
            Db::Postgres(pool) => sqlx::query(COMPLETE_POSTGRES)
                .bind(now)
                .bind(job.id)
                .bind(job.lease_token)
                .execute(pool)
                .await?
                .rows_affected(),
        };
        Ok(affected == 1)
    }

    /// Keeps `job` leased until `until` (the worker's heartbeat while a job
    /// runs); `false` when the lease was lost.
    pub async fn extend_lease(
        &self,
        job: &LeasedJob,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let until = to_millis(until);
        let affected = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE outbox SET lease_until = ?1
                 WHERE id = ?2 AND lease_token = ?3 AND status = 'leased'",
            )
            .bind(sqlite_time(until)?)
            .bind(job.id)
            .bind(job.lease_token.to_string())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE outbox SET lease_until = $1
                 WHERE id = $2 AND lease_token = $3 AND status = 'leased'",
            )
            .bind(until)
            .bind(job.id)
            .bind(job.lease_token)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(affected == 1)
    }

    /// Gives `job` back to be tried again at `at`, with `error` as its last
    /// error; `false` when the lease was lost.
    pub async fn retry_job_later(
        &self,
        job: &LeasedJob,
        at: OffsetDateTime,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.finish_job(job, "pending", at, error).await
    }

    /// Makes `job` a dead letter with `error`: it is not tried again until
    /// an operator revives it; `false` when the lease was lost.
    pub async fn bury_job(
        &self,
        job: &LeasedJob,
        now: OffsetDateTime,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.finish_job(job, "dead", now, error).await
    }

    async fn finish_job(
        &self,
        job: &LeasedJob,
        status: &str,
        next_attempt_at: OffsetDateTime,
        error: &str,
    ) -> Result<bool, StoreError> {
        let next = to_millis(next_attempt_at);
        let affected = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE outbox SET status = ?1, next_attempt_at = ?2, lease_until = NULL,
                        lease_token = NULL, last_error = ?3
                 WHERE id = ?4 AND lease_token = ?5 AND status = 'leased'",
            )
            .bind(status)
            .bind(sqlite_time(next)?)
            .bind(error)
            .bind(job.id)
            .bind(job.lease_token.to_string())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE outbox SET status = $1, next_attempt_at = $2, lease_until = NULL,
                        lease_token = NULL, last_error = $3
                 WHERE id = $4 AND lease_token = $5 AND status = 'leased'",
            )
            .bind(status)
            .bind(next)
            .bind(error)
            .bind(job.id)
            .bind(job.lease_token)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(affected == 1)
    }

    /// The outbox's jobs that `filter` selects, oldest first.
    pub async fn jobs(&self, filter: JobFilter) -> Result<Vec<JobInfo>, StoreError> {
        let statuses = match filter {
            JobFilter::Open => "('pending', 'leased', 'dead')",
            JobFilter::Dead => "('dead')",
        };
        match self {
            Db::Sqlite(pool) => {
                let rows = sqlx::query(&format!(
                    "SELECT o.id, o.submission_id, s.reference, o.kind, o.status, o.attempts,
                            o.next_attempt_at, o.last_error
                     FROM outbox o JOIN submissions s ON s.id = o.submission_id
                     WHERE o.status IN {statuses} ORDER BY o.id"
                ))
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(JobInfo {
                            id: row.try_get("id")?,
                            submission_id: parse_uuid(row.try_get("submission_id")?)?,
                            reference: row.try_get("reference")?,
                            kind: row.try_get("kind")?,
                            status: row.try_get("status")?,
                            attempts: attempts_from_db(row.try_get("attempts")?)?,
                            next_attempt_at: parse_sqlite_time(row.try_get("next_attempt_at")?)?,
                            last_error: row.try_get("last_error")?,
                        })
                    })
                    .collect()
            }
            Db::Postgres(pool) => {
                let rows = sqlx::query(&format!(
                    "SELECT o.id, o.submission_id, s.reference, o.kind, o.status,
                            o.attempts::bigint AS attempts, o.next_attempt_at, o.last_error
                     FROM outbox o JOIN submissions s ON s.id = o.submission_id
                     WHERE o.status IN {statuses} ORDER BY o.id"
                ))
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(JobInfo {
                            id: row.try_get("id")?,
                            submission_id: row.try_get("submission_id")?,
                            reference: row.try_get("reference")?,
                            kind: row.try_get("kind")?,
                            status: row.try_get("status")?,
                            attempts: attempts_from_db(row.try_get("attempts")?)?,
                            next_attempt_at: row.try_get("next_attempt_at")?,
                            last_error: row.try_get("last_error")?,
                        })
                    })
                    .collect()
            }
        }
    }

    /// Sends the dead job `id` again: pending now, its attempts counted
    /// from zero. `false` when there is no dead job with that id.
    pub async fn revive_job(&self, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
        let now = to_millis(now);
        let affected = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?1
                 WHERE id = ?2 AND status = 'dead'",
            )
            .bind(sqlite_time(now)?)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1
                 WHERE id = $2 AND status = 'dead'",
            )
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(affected == 1)
    }

    /// How many jobs are in each state, for `/metrics`.
    pub async fn job_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let sql = "SELECT kind, status, count(*) FROM outbox GROUP BY kind, status ORDER BY 1, 2";
        Ok(match self {
            Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
            Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        })
    }
}
