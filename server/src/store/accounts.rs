//! Drafts and submissions of a Servicekonto account ("Meine Anträge"):
//! the `account_key` columns of `drafts` and `submissions` (migration
//! `20261201000005_accounts`). The key is an opaque hash the caller makes
//! (`crate::auth::accounts::account_key`); this module never sees a name.
//!
//! A draft gets its key when a logged-in citizen starts it, or when a
//! session's anonymous drafts are taken over at login; a submission takes
//! its draft's key at insert (a trigger in the migration), so every way of
//! submitting keeps it.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    StateText, StoreError, SubmissionStatus, parse_sqlite_time, parse_uuid, sqlite_time,
    version_from_db,
};
use crate::db::Db;

/// An open draft in an account's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDraft {
    pub id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    pub updated_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A submission in an account's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSubmission {
    pub id: Uuid,
    pub reference: String,
    pub form_id: String,
    pub form_version: u32,
    pub submitted_at: OffsetDateTime,
    pub status: SubmissionStatus,
}

impl Db {
    /// Gives the drafts `ids` that belong to no account yet to `account`,
    /// with the submissions made from them; returns how many drafts. A
    /// draft of another account stays where it is.
    pub async fn adopt_drafts(&self, ids: &[Uuid], account: &str) -> Result<u64, StoreError> {
        let mut adopted = 0;
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for id in ids {
                    adopted += sqlx::query(
                        "UPDATE drafts SET account_key = ?1 WHERE id = ?2 AND account_key IS NULL",
                    )
                    .bind(account)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    sqlx::query(
                        "UPDATE submissions SET account_key = ?1
                         WHERE draft_id = ?2 AND account_key IS NULL",
                    )
                    .bind(account)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                adopted = sqlx::query(
                    "UPDATE drafts SET account_key = $1
                     WHERE id = ANY($2) AND account_key IS NULL",
                )
                .bind(account)
                .bind(ids)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query(
                    "UPDATE submissions SET account_key = $1
                     WHERE draft_id = ANY($2) AND account_key IS NULL",
                )
                .bind(account)
                .bind(ids)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
        }
        Ok(adopted)
    }

    /// The account's open drafts that have not expired at `now`, the
    /// latest saved first.
    pub async fn account_drafts(
        &self,
        account: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<AccountDraft>, StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT id, form_id, form_version, updated_at, expires_at FROM drafts
                 WHERE account_key = ?1 AND state = 'open' AND expires_at > ?2
                 ORDER BY updated_at DESC, id",
            )
            .bind(account)
            .bind(sqlite_time(now)?)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AccountDraft {
                    id: parse_uuid(row.try_get("id")?)?,
                    form_id: row.try_get("form_id")?,
                    form_version: version_from_db(row.try_get("form_version")?)?,
                    updated_at: parse_sqlite_time(row.try_get("updated_at")?)?,
                    expires_at: parse_sqlite_time(row.try_get("expires_at")?)?,
                })
            })
            .collect(),
            Db::Postgres(pool) => sqlx::query(
                "SELECT id, form_id, form_version, updated_at, expires_at FROM drafts
                 WHERE account_key = $1 AND state = 'open' AND expires_at > $2
                 ORDER BY updated_at DESC, id",
            )
            .bind(account)
            .bind(now)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AccountDraft {
                    id: row.try_get("id")?,
                    form_id: row.try_get("form_id")?,
                    form_version: version_from_db(row.try_get("form_version")?)?,
                    updated_at: row.try_get("updated_at")?,
                    expires_at: row.try_get("expires_at")?,
                })
            })
            .collect(),
        }
    }

    /// The account's submissions, the latest first.
    pub async fn account_submissions(
        &self,
        account: &str,
    ) -> Result<Vec<AccountSubmission>, StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT id, reference, form_id, form_version, submitted_at, status
                 FROM submissions WHERE account_key = ?1
                 ORDER BY submitted_at DESC, id",
            )
            .bind(account)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AccountSubmission {
                    id: parse_uuid(row.try_get("id")?)?,
                    reference: row.try_get("reference")?,
                    form_id: row.try_get("form_id")?,
                    form_version: version_from_db(row.try_get("form_version")?)?,
                    submitted_at: parse_sqlite_time(row.try_get("submitted_at")?)?,
                    status: SubmissionStatus::from_db(row.try_get("status")?)?,
                })
            })
            .collect(),
            Db::Postgres(pool) => sqlx::query(
                "SELECT id, reference, form_id, form_version, submitted_at, status
                 FROM submissions WHERE account_key = $1
                 ORDER BY submitted_at DESC, id",
            )
            .bind(account)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(AccountSubmission {
                    id: row.try_get("id")?,
                    reference: row.try_get("reference")?,
                    form_id: row.try_get("form_id")?,
                    form_version: version_from_db(row.try_get("form_version")?)?,
                    submitted_at: row.try_get("submitted_at")?,
                    status: SubmissionStatus::from_db(row.try_get("status")?)?,
                })
            })
            .collect(),
        }
    }

    /// The open draft `id` if it belongs to `account` and has not expired.
    pub async fn account_draft(
        &self,
        account: &str,
        id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Option<AccountDraft>, StoreError> {
        Ok(self
            .account_drafts(account, now)
            .await?
            .into_iter()
            .find(|d| d.id == id))
    }

    /// Deletes the open draft `id` of `account`; `false` when there is no
    /// such draft (another account's, submitted or gone). Its uploads are
    /// the caller's to delete first.
    pub async fn delete_account_draft(&self, account: &str, id: Uuid) -> Result<bool, StoreError> {
        let deleted = match self {
            Db::Sqlite(pool) => sqlx::query(
                "DELETE FROM drafts WHERE id = ?1 AND account_key = ?2 AND state = 'open'",
            )
            .bind(id.to_string())
            .bind(account)
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "DELETE FROM drafts WHERE id = $1 AND account_key = $2 AND state = 'open'",
            )
            .bind(id)
            .bind(account)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(deleted == 1)
    }
}
