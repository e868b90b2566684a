//! Drafts: the answers of an application in progress, saved after every
//! step, pinned to the form version the citizen started with, resumable
//! by a secret link until they expire.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Row, postgres::PgRow, sqlite::SqliteRow};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ResumeToken, StateText, StoreError, is_foreign_key_violation, parse_json, parse_sqlite_time,
    parse_uuid, sqlite_time, to_millis, version_from_db,
};
use crate::db::Db;

/// Whether a draft can still be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftState {
    Open,
    Submitted,
}

impl StateText for DraftState {
    const WHAT: &'static str = "draft state";
}

/// An application in progress. `Debug` leaves out the answers and the
/// e-mail address (personal data).
#[derive(Clone, PartialEq, Serialize)]
pub struct Draft {
    pub id: Uuid,
    pub form_id: String,
    /// The version the citizen started with; the draft stays on it.
    pub form_version: u32,
    /// The answers as entered, invalid values included (a JSON object).
    pub answers: Value,
    /// Steps whose POST had errors, so that their GET shows the errors.
    pub attempted_steps: Vec<String>,
    /// Where to mail the resume link and the receipt, if given.
    pub contact_email: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub state: DraftState,
}

impl Draft {
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at <= now
    }
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("id", &self.id)
            .field("form_id", &self.form_id)
            .field("form_version", &self.form_version)
            .field("attempted_steps", &self.attempted_steps)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("expires_at", &self.expires_at)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

const DRAFT_COLUMNS_SQLITE: &str = "id, form_id, form_version, answers, attempted_steps, \
     contact_email, created_at, updated_at, expires_at, state";
const DRAFT_COLUMNS_POSTGRES: &str = "id, form_id, form_version, answers::text AS answers, \
     attempted_steps::text AS attempted_steps, contact_email, created_at, updated_at, expires_at, state";

fn draft_from_sqlite(row: &SqliteRow) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: parse_uuid(row.try_get("id")?)?,
        form_id: row.try_get("form_id")?,
        form_version: version_from_db(row.try_get("form_version")?)?,
        answers: parse_json("draft answers", row.try_get("answers")?)?,
        attempted_steps: parse_json("attempted steps", row.try_get("attempted_steps")?)?,
        contact_email: row.try_get("contact_email")?,
        created_at: parse_sqlite_time(row.try_get("created_at")?)?,
        updated_at: parse_sqlite_time(row.try_get("updated_at")?)?,
        expires_at: parse_sqlite_time(row.try_get("expires_at")?)?,
        state: DraftState::from_db(row.try_get("state")?)?,
    })
}

fn draft_from_postgres(row: &PgRow) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: row.try_get("id")?,
        form_id: row.try_get("form_id")?,
        form_version: version_from_db(row.try_get("form_version")?)?,
        answers: parse_json("draft answers", row.try_get("answers")?)?,
        attempted_steps: parse_json("attempted steps", row.try_get("attempted_steps")?)?,
        contact_email: row.try_get("contact_email")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        expires_at: row.try_get("expires_at")?,
        state: DraftState::from_db(row.try_get("state")?)?,
    })
}

impl Db {
    /// Starts an empty draft of `form_id` in `version`, open until
    /// `expires_at`. Returns the draft and its resume token — the only time
    /// the token is known; [`Db::new_resume_token`] issues a new one.
    /// An unknown form version is [`StoreError::NotFound`].
    pub async fn create_draft(
        &self,
        form_id: &str,
        version: u32,
        expires_at: OffsetDateTime,
    ) -> Result<(Draft, ResumeToken), StoreError> {
        let now = to_millis(OffsetDateTime::now_utc());
        let token = ResumeToken::generate();
        let draft = Draft {
            id: Uuid::new_v4(),
            form_id: form_id.to_owned(),
            form_version: version,
            answers: Value::Object(serde_json::Map::new()),
            attempted_steps: Vec::new(),
            contact_email: None,
            created_at: now,
            updated_at: now,
            expires_at: to_millis(expires_at),
            state: DraftState::Open,
        };
        let result = match self {
            Db::Sqlite(pool) => sqlx::query(
                "INSERT INTO drafts (id, form_id, form_version, resume_token_hash,
                                         created_at, updated_at, expires_at, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 'open')",
            )
            .bind(draft.id.to_string())
            .bind(form_id)
            .bind(i64::from(version))
            .bind(token.hash())
            .bind(sqlite_time(now)?)
            .bind(sqlite_time(draft.expires_at)?)
            .execute(pool)
            .await
            .map(drop),
            Db::Postgres(pool) => sqlx::query(
                "INSERT INTO drafts (id, form_id, form_version, resume_token_hash,
                                         created_at, updated_at, expires_at, state)
                     VALUES ($1, $2, $3, $4, $5, $5, $6, 'open')",
            )
            .bind(draft.id)
            .bind(form_id)
            .bind(i64::from(version))
            .bind(token.hash())
            .bind(now)
            .bind(draft.expires_at)
            .execute(pool)
            .await
            .map(drop),
        };
        match result {
            Ok(_) => Ok((draft, token)),
            Err(e) if is_foreign_key_violation(&e) => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// A draft, open or submitted. Missing is [`StoreError::NotFound`]; an
    /// open draft past its expiry is [`StoreError::Expired`] (it is deleted
    /// by the next cleanup).
    pub async fn draft(&self, id: Uuid) -> Result<Draft, StoreError> {
        let draft = self.draft_row(id).await?.ok_or(StoreError::NotFound)?;
        if draft.is_expired(OffsetDateTime::now_utc()) {
            return Err(StoreError::Expired);
        }
        Ok(draft)
    }

    pub(crate) async fn draft_row(&self, id: Uuid) -> Result<Option<Draft>, StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(&format!(
                "SELECT {DRAFT_COLUMNS_SQLITE} FROM drafts WHERE id = ?1"
            ))
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(draft_from_sqlite)
            .transpose(),
            Db::Postgres(pool) => sqlx::query(&format!(
                "SELECT {DRAFT_COLUMNS_POSTGRES} FROM drafts WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(draft_from_postgres)
            .transpose(),
        }
    }

    /// Saves what the citizen entered: the raw answers (a JSON object), the
    /// steps that had errors, and the contact address (`None` removes it).
    /// A submitted draft is [`StoreError::AlreadySubmitted`], an expired
    /// one [`StoreError::Expired`].
    pub async fn save_draft(
        &self,
        id: Uuid,
        raw_answers: &Value,
        attempted_steps: &[String],
        contact_email: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = to_millis(OffsetDateTime::now_utc());
        let answers = raw_answers.to_string();
        let steps = serde_json::to_string(attempted_steps)
            .map_err(|e| StoreError::corrupt("attempted steps", e))?;
        let updated = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE drafts SET answers = ?1, attempted_steps = ?2, contact_email = ?3,
                                   updated_at = ?4
                 WHERE id = ?5 AND state = 'open' AND expires_at > ?4",
            )
            .bind(&answers)
            .bind(&steps)
            .bind(contact_email)
            .bind(sqlite_time(now)?)
            .bind(id.to_string())
            .execute(pool)
            .await
            .map_err(answers_not_object)?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE drafts SET answers = $1::jsonb, attempted_steps = $2::jsonb,
                                   contact_email = $3, updated_at = $4
                 WHERE id = $5 AND state = 'open' AND expires_at > $4",
            )
            .bind(&answers)
            .bind(&steps)
            .bind(contact_email)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map_err(answers_not_object)?
            .rows_affected(),
        };
        if updated == 1 {
            Ok(())
        } else {
            Err(self.why_not_open(id, now).await)
        }
    }

    /// Why the open, unexpired draft `id` was not there.
    async fn why_not_open(&self, id: Uuid, now: OffsetDateTime) -> StoreError {
        match self.draft_row(id).await {
            Ok(None) => StoreError::NotFound,
            Ok(Some(draft)) if draft.state == DraftState::Submitted => StoreError::AlreadySubmitted,
            Ok(Some(draft)) if draft.is_expired(now) => StoreError::Expired,
            // Changed between the two queries (e.g. submitted meanwhile).
            Ok(Some(_)) => StoreError::AlreadySubmitted,
            Err(e) => e,
        }
    }

    /// The draft a resume link points to, if the token is known and the
    /// draft has not expired. The token is looked up by its hash.
    pub async fn draft_by_resume_token(
        &self,
        token: &ResumeToken,
    ) -> Result<Option<Draft>, StoreError> {
        let now = to_millis(OffsetDateTime::now_utc());
        match self {
            Db::Sqlite(pool) => sqlx::query(&format!(
                "SELECT {DRAFT_COLUMNS_SQLITE} FROM drafts
                 WHERE resume_token_hash = ?1 AND expires_at > ?2"
            ))
            .bind(token.hash())
            .bind(sqlite_time(now)?)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(draft_from_sqlite)
            .transpose(),
            Db::Postgres(pool) => sqlx::query(&format!(
                "SELECT {DRAFT_COLUMNS_POSTGRES} FROM drafts
                 WHERE resume_token_hash = $1 AND expires_at > $2"
            ))
            .bind(token.hash())
            .bind(now)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(draft_from_postgres)
            .transpose(),
        }
    }

    /// Issues a new resume token for an open draft; the old link stops
    /// working. For "save and continue later" after the first step.
    pub async fn new_resume_token(&self, id: Uuid) -> Result<ResumeToken, StoreError> {
        let now = to_millis(OffsetDateTime::now_utc());
        let token = ResumeToken::generate();
        let updated = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE drafts SET resume_token_hash = ?1, updated_at = ?2
                 WHERE id = ?3 AND state = 'open' AND expires_at > ?2",
            )
            .bind(token.hash())
            .bind(sqlite_time(now)?)
            .bind(id.to_string())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE drafts SET resume_token_hash = $1, updated_at = $2
                 WHERE id = $3 AND state = 'open' AND expires_at > $2",
            )
            .bind(token.hash())
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        if updated == 1 {
            Ok(token)
        } else {
            Err(self.why_not_open(id, now).await)
        }
    }

    /// "Save and continue later": issues a new resume token for an open
    /// draft (the old link stops working) and moves its expiry to
    /// `expires_at` unless it already lasts longer, so the link shown now
    /// is valid for the form's full draft period. Returns the token and the
    /// expiry that applies.
    pub async fn renew_resume_token(
        &self,
        id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<(ResumeToken, OffsetDateTime), StoreError> {
        let now = to_millis(OffsetDateTime::now_utc());
        let wanted = to_millis(expires_at);
        let token = ResumeToken::generate();
        let expiry = match self {
            // Fixed-width UTC text: max() of the texts is the later time.
            Db::Sqlite(pool) => sqlx::query_scalar::<_, String>(
                "UPDATE drafts SET resume_token_hash = ?1, updated_at = ?2,
                                   expires_at = max(expires_at, ?3)
                 WHERE id = ?4 AND state = 'open' AND expires_at > ?2
                 RETURNING expires_at",
            )
            .bind(token.hash())
            .bind(sqlite_time(now)?)
            .bind(sqlite_time(wanted)?)
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
            .map(|text| parse_sqlite_time(&text))
            .transpose()?,
            Db::Postgres(pool) => {
                sqlx::query_scalar::<_, OffsetDateTime>(
                    "UPDATE drafts SET resume_token_hash = $1, updated_at = $2,
                                   expires_at = GREATEST(expires_at, $3)
                 WHERE id = $4 AND state = 'open' AND expires_at > $2
                 RETURNING expires_at",
                )
                .bind(token.hash())
                .bind(now)
                .bind(wanted)
                .bind(id)
                .fetch_optional(pool)
                .await?
            }
        };
        match expiry {
            Some(expiry) => Ok((token, expiry)),
            None => Err(self.why_not_open(id, now).await),
        }
    }

    /// Sets (or with `None` removes) the contact address of an open draft,
    /// leaving its answers alone.
    pub async fn set_contact_email(&self, id: Uuid, email: Option<&str>) -> Result<(), StoreError> {
        let now = to_millis(OffsetDateTime::now_utc());
        let updated = match self {
            Db::Sqlite(pool) => sqlx::query(
                "UPDATE drafts SET contact_email = ?1, updated_at = ?2
                 WHERE id = ?3 AND state = 'open' AND expires_at > ?2",
            )
            .bind(email)
            .bind(sqlite_time(now)?)
            .bind(id.to_string())
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "UPDATE drafts SET contact_email = $1, updated_at = $2
                 WHERE id = $3 AND state = 'open' AND expires_at > $2",
            )
            .bind(email)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        if updated == 1 {
            Ok(())
        } else {
            Err(self.why_not_open(id, now).await)
        }
    }

    /// The ids of open drafts whose expiry is at or before `now`: the
    /// drafts whose uploads the cleanup deletes before the drafts
    /// themselves (a submitted draft's files belong to its submission).
    pub async fn expired_open_drafts(&self, now: OffsetDateTime) -> Result<Vec<Uuid>, StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar::<_, String>(
                "SELECT id FROM drafts WHERE state = 'open' AND expires_at <= ?1 ORDER BY id",
            )
            .bind(sqlite_time(now)?)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|id| parse_uuid(id))
            .collect(),
            Db::Postgres(pool) => Ok(sqlx::query_scalar::<_, Uuid>(
                "SELECT id FROM drafts WHERE state = 'open' AND expires_at <= $1 ORDER BY id",
            )
            .bind(now)
            .fetch_all(pool)
            .await?),
        }
    }

    /// Deletes every draft (open or submitted) whose expiry is at or before
    /// `now`; returns how many. A submission keeps its own copy of the
    /// answers, so deleting its draft loses nothing.
    pub async fn delete_expired_drafts(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let deleted = match self {
            Db::Sqlite(pool) => sqlx::query("DELETE FROM drafts WHERE expires_at <= ?1")
                .bind(sqlite_time(now)?)
                .execute(pool)
                .await?
                .rows_affected(),
            Db::Postgres(pool) => sqlx::query("DELETE FROM drafts WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected(),
        };
        Ok(deleted)
    }
}

/// A CHECK violation on save means the answers were not a JSON object or
/// the steps not an array: a caller bug, reported without the content.
fn answers_not_object(error: sqlx::Error) -> StoreError {
    let is_check = error
        .as_database_error()
        .is_some_and(|e| e.is_check_violation());
    if is_check {
        StoreError::corrupt("draft answers", "must be a JSON object")
    } else {
        error.into()
    }
}
