//! The editor's SQL: form versions in every state (drafts included) and
//! the change history (`editor_changes`), as more methods on [`Db`].
//! Like `db.rs`, every query is written once per backend, side by side.
//! Each change to `form_versions` and its history row are written in one
//! transaction ([`Db::editor_write`]): no change without its record.

use serde_json::Value;
use sqlx::Row;

use crate::db::{Db, DbError};

/// A version's state as the editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionState {
    /// Being edited; citizens never see it.
    Draft,
    /// Live: the newest published version is what new applications use.
    Published,
    /// Retired: hidden from the start page; drafts pinned to it can finish.
    Withdrawn,
}

impl VersionState {
    fn from_db(text: &str) -> Option<VersionState> {
        match text {
            "draft" => Some(VersionState::Draft),
            "published" => Some(VersionState::Published),
            "withdrawn" => Some(VersionState::Withdrawn),
            _ => None,
        }
    }

    /// German and English name.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            VersionState::Draft => ("Entwurf", "draft"),
            VersionState::Published => ("Veröffentlicht", "published"),
            VersionState::Withdrawn => ("Zurückgezogen", "retired"),
        }
    }
}

/// One stored version of a form, in any state.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorVersion {
    pub form_id: String,
    pub version: u32,
    pub title_de: String,
    pub state: VersionState,
    /// The definition's JSON text.
    pub definition: String,
}

/// What a history row says was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    Created,
    Saved,
    Published,
    Retired,
    Restored,
}

impl ChangeAction {
    fn as_db(self) -> &'static str {
        match self {
            ChangeAction::Created => "created",
            ChangeAction::Saved => "saved",
            ChangeAction::Published => "published",
            ChangeAction::Retired => "retired",
            ChangeAction::Restored => "restored",
        }
    }

    fn from_db(text: &str) -> Option<ChangeAction> {
        [
            ChangeAction::Created,
            ChangeAction::Saved,
            ChangeAction::Published,
            ChangeAction::Retired,
            ChangeAction::Restored,
        ]
        .into_iter()
        .find(|a| a.as_db() == text)
    }

    /// German and English name.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ChangeAction::Created => ("Angelegt", "created"),
            ChangeAction::Saved => ("Gespeichert", "saved"),
            ChangeAction::Published => ("Veröffentlicht", "published"),
            ChangeAction::Retired => ("Zurückgezogen", "retired"),
            ChangeAction::Restored => ("Wiederhergestellt", "restored"),
        }
    }
}

/// Who made a change: the login's account key (opaque) and display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub key: String,
    pub name: String,
}

/// One row of the change history.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: i64,
    pub form_id: String,
    pub version: u32,
    pub action: ChangeAction,
    pub actor: Actor,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub at: String,
    /// The definition after the change (drafts' states: created, saved,
    /// restored; also published).
    pub definition: Option<String>,
    /// What was done, in a short German sentence (none in rows written
    /// before the history had it).
    pub summary: Option<String>,
}

/// A change to `form_versions`.
#[derive(Debug, Clone)]
pub enum Write<'a> {
    /// A new draft version (fails quietly if the version exists).
    CreateDraft {
        form_id: &'a str,
        version: u32,
        title_de: &'a str,
        definition: &'a Value,
    },
    /// New content for a draft (nothing if it is no longer a draft).
    SaveDraft {
        form_id: &'a str,
        version: u32,
        title_de: &'a str,
        definition: &'a Value,
    },
    /// The draft becomes an immutable published version.
    Publish { form_id: &'a str, version: u32 },
    /// Every published version of the form is withdrawn.
    Retire { form_id: &'a str },
}

impl Write<'_> {
    fn form_id(&self) -> &str {
        match self {
            Write::CreateDraft { form_id, .. }
            | Write::SaveDraft { form_id, .. }
            | Write::Publish { form_id, .. }
            | Write::Retire { form_id } => form_id,
        }
    }
}

const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const PG_AT_TEXT: &str = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

fn version_of(row_version: i64) -> Result<u32, DbError> {
    u32::try_from(row_version).map_err(|e| {
        DbError::Query(sqlx::Error::ColumnDecode {
            index: "version".into(),
            source: Box::new(e),
        })
    })
}

fn decode_error(what: &str) -> DbError {
    DbError::Query(sqlx::Error::Decode(
        format!("unknown {what} in the editor's tables").into(),
    ))
}

fn editor_version<R>(row: &R) -> Result<EditorVersion, DbError>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get("state")?;
    Ok(EditorVersion {
        form_id: row.try_get("form_id")?,
        version: version_of(row.try_get("version")?)?,
        title_de: row.try_get("title_de")?,
        state: VersionState::from_db(&state).ok_or_else(|| decode_error("state"))?,
        definition: row.try_get("definition")?,
    })
}

fn change<R>(row: &R) -> Result<Change, DbError>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let action: String = row.try_get("action")?;
    Ok(Change {
        id: row.try_get("id")?,
        form_id: row.try_get("form_id")?,
        version: version_of(row.try_get("version")?)?,
        action: ChangeAction::from_db(&action).ok_or_else(|| decode_error("action"))?,
        actor: Actor {
            key: row.try_get("actor_key")?,
            name: row.try_get("actor_name")?,
        },
        at: row.try_get("at")?,
        definition: row.try_get("definition")?,
        summary: row.try_get("summary")?,
    })
}

impl Db {
    /// Every version of every form, by form id, newest version first.
    pub async fn editor_versions(&self) -> Result<Vec<EditorVersion>, DbError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT form_id, version, title_de, state, definition FROM form_versions
                 ORDER BY form_id, version DESC",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(editor_version)
            .collect(),
            Db::Postgres(pool) => sqlx::query(
                "SELECT form_id, version, title_de, state, definition::text AS definition
                 FROM form_versions ORDER BY form_id, version DESC",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(editor_version)
            .collect(),
        }
    }

    /// Every version of one form, newest first.
    pub async fn editor_form_versions(&self, form_id: &str) -> Result<Vec<EditorVersion>, DbError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT form_id, version, title_de, state, definition FROM form_versions
                 WHERE form_id = ?1 ORDER BY version DESC",
            )
            .bind(form_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(editor_version)
            .collect(),
            Db::Postgres(pool) => sqlx::query(
                "SELECT form_id, version, title_de, state, definition::text AS definition
                 FROM form_versions WHERE form_id = $1 ORDER BY version DESC",
            )
            .bind(form_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(editor_version)
            .collect(),
        }
    }

    /// The history of one form, newest first.
    pub async fn editor_changes(&self, form_id: &str) -> Result<Vec<Change>, DbError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT id, form_id, version, action, actor_key, actor_name, at, definition, summary
                 FROM editor_changes WHERE form_id = ?1 ORDER BY id DESC",
            )
            .bind(form_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(change)
            .collect(),
            Db::Postgres(pool) => sqlx::query(&format!(
                "SELECT id, form_id, version, action, actor_key, actor_name, {PG_AT_TEXT} AS at,
                        definition::text AS definition, summary
                 FROM editor_changes WHERE form_id = $1 ORDER BY id DESC"
            ))
            .bind(form_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(change)
            .collect(),
        }
    }

    /// [`Db::editor_write_described`] without a description.
    pub async fn editor_write(
        &self,
        write: Write<'_>,
        action: ChangeAction,
        actor: &Actor,
        version: u32,
        snapshot: Option<&Value>,
    ) -> Result<bool, DbError> {
        self.editor_write_described(write, action, actor, version, snapshot, None)
            .await
    }

    /// Applies `write` and, if it changed a row, records `action` by
    /// `actor` with `snapshot` and the German `summary` of what was done —
    /// in one transaction. Returns whether anything changed.
    pub async fn editor_write_described(
        &self,
        write: Write<'_>,
        action: ChangeAction,
        actor: &Actor,
        version: u32,
        snapshot: Option<&Value>,
        summary: Option<&str>,
    ) -> Result<bool, DbError> {
        let form_id = write.form_id().to_owned();
        let snapshot = snapshot.map(Value::to_string);
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                let changed = match &write {
                    Write::CreateDraft {
                        form_id,
                        version,
                        title_de,
                        definition,
                    } => sqlx::query(
                        "INSERT INTO form_versions (form_id, version, title_de, definition, state, published_at)
                         VALUES (?1, ?2, ?3, ?4, 'draft', NULL)
                         ON CONFLICT (form_id, version) DO NOTHING",
                    )
                    .bind(*form_id)
                    .bind(i64::from(*version))
                    .bind(*title_de)
                    .bind(definition.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    Write::SaveDraft {
                        form_id,
                        version,
                        title_de,
                        definition,
                    } => sqlx::query(
                        "UPDATE form_versions SET title_de = ?3, definition = ?4
                         WHERE form_id = ?1 AND version = ?2 AND state = 'draft'",
                    )
                    .bind(*form_id)
                    .bind(i64::from(*version))
                    .bind(*title_de)
                    .bind(definition.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    Write::Publish { form_id, version } => sqlx::query(&format!(
                        "UPDATE form_versions SET state = 'published', published_at = {SQLITE_NOW}
                         WHERE form_id = ?1 AND version = ?2 AND state = 'draft'"
                    ))
                    .bind(*form_id)
                    .bind(i64::from(*version))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    Write::Retire { form_id } => sqlx::query(
                        "UPDATE form_versions SET state = 'withdrawn'
                         WHERE form_id = ?1 AND state = 'published'",
                    )
                    .bind(*form_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                };
                if changed == 0 {
                    return Ok(false);
                }
                sqlx::query(&format!(
                    "INSERT INTO editor_changes (form_id, version, action, actor_key, actor_name, at, definition, summary)
                     VALUES (?1, ?2, ?3, ?4, ?5, {SQLITE_NOW}, ?6, ?7)"
                ))
                .bind(&form_id)
                .bind(i64::from(version))
                .bind(action.as_db())
                .bind(&actor.key)
                .bind(&actor.name)
                .bind(&snapshot)
                .bind(summary)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let changed = match &write {
                    Write::CreateDraft {
                        form_id,
                        version,
                        title_de,
                        definition,
                    } => sqlx::query(
                        "INSERT INTO form_versions (form_id, version, title_de, definition, state, published_at)
                         VALUES ($1, $2, $3, $4::jsonb, 'draft', NULL)
                         ON CONFLICT (form_id, version) DO NOTHING",
                    )
                    .bind(*form_id)
                    .bind(i64::from(*version))
                    .bind(*title_de)
                    .bind(definition.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    Write::SaveDraft {
                        form_id,
                        version,
                        title_de,
                        definition,
                    } => sqlx::query(
                        "UPDATE form_versions SET title_de = $3, definition = $4::jsonb
                         WHERE form_id = $1 AND version = $2 AND state = 'draft'",
                    )
                    .bind(*form_id)
                    .bind(i64::from(*version))
                    .bind(*title_de)
                    .bind(definition.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    Write::Publish { form_id, version } => sqlx::query(
                        "UPDATE form_versions SET state = 'published', published_at = now()
                         WHERE form_id = $1 AND version = $2 AND state = 'draft'",
                    )
                    .bind(*form_id)
                    .bind(i64::from(*version))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    Write::Retire { form_id } => sqlx::query(
                        "UPDATE form_versions SET state = 'withdrawn'
                         WHERE form_id = $1 AND state = 'published'",
                    )
                    .bind(*form_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                };
                if changed == 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO editor_changes (form_id, version, action, actor_key, actor_name, at, definition, summary)
                     VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb, $7)",
                )
                .bind(&form_id)
                .bind(i64::from(version))
                .bind(action.as_db())
                .bind(&actor.key)
                .bind(&actor.name)
                .bind(&snapshot)
                .bind(summary)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    }
}
