//! Storage: one [`Db`] type over two backends, SQLite (the embedded
//! default, a file under the data dir) and PostgreSQL (chosen by a
//! `postgres://` URL), with the migrations of `migrations/<backend>/`.
//!
//! Every query exists once per backend, side by side, so a change to one
//! is seen next to the other. Callers never see which backend they use.
//! This module owns SQL; it does not know about HTTP or form rules.

use std::{path::Path, str::FromStr, time::Duration};

use serde_json::Value;
use sqlx::{
    Row,
    postgres::{PgPool, PgPoolOptions},
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};
use thiserror::Error;

use crate::config::redact_url;

/// A storage failure. The texts are for operators and logs.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot create the database directory {dir}: {source}")]
    CreateDir { dir: String, source: std::io::Error },
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("the database did not answer within {0:?}")]
    Timeout(Duration),
    #[error(
        "form {form_id:?} version {version} is already published with different content; \
         published versions are immutable: give the changed definition a new version"
    )]
    Immutable { form_id: String, version: u32 },
    #[error("stored definition of form {form_id:?} version {version} is not valid JSON: {source}")]
    Corrupt {
        form_id: String,
        version: u32,
        source: serde_json::Error,
    },
}

/// The database: SQLite or PostgreSQL. Cloning is cheap (a pool handle).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What publishing a form version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// The version was new and is now published.
    New,
    /// The same content was already published under this version.
    Unchanged,
}

/// One stored form version as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFormVersion {
    pub form_id: String,
    pub version: u32,
    /// The definition's JSON, as published.
    pub definition: String,
}

const PING_TIMEOUT: Duration = Duration::from_secs(2);

impl Db {
    /// Opens the database at `url` (`sqlite://FILE` is created if missing,
    /// with its directory; `postgres://…` must exist).
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        let connect_error = |source| DbError::Connect {
            url: redact_url(url),
            source,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await
                .map_err(connect_error)?;
            return Ok(Db::Postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Each commit is on disk before its answer is sent: a citizen
            // who saw a reference number keeps it through a crash of the
            // process or a power cut (NORMAL would survive only the
            // former). It costs a WAL fsync per commit; measured in
            // docs/benchmarks.md, "Submissions".
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(dir) = Path::new(options.get_filename()).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                dir: dir.display().to_string(),
                source,
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        Ok(Db::Sqlite(pool))
    }

    /// The backend's name, for logs and metrics.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Applies the pending migrations of this backend, and creates the
    /// session store's table ([`crate::session::migrate`]).
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        crate::session::migrate(self).await?;
        Ok(())
    }

    /// `SELECT 1`, with a short timeout: is the database there?
    pub async fn ping(&self) -> Result<(), DbError> {
        let query = async {
            match self {
                Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
                Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            }
        };
        tokio::time::timeout(PING_TIMEOUT, query)
            .await
            .map_err(|_| DbError::Timeout(PING_TIMEOUT))??;
        Ok(())
    }

    /// Closes the pool; later queries fail.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Publishes `definition` as `form_id` in `version`. Idempotent for the
    /// same content (compared as JSON values, so formatting does not
    /// matter); different content under a published version is
    /// [`DbError::Immutable`].
    pub async fn publish_form_version(
        &self,
        form_id: &str,
        version: u32,
        title_de: &str,
        definition: &Value,
    ) -> Result<Published, DbError> {
        let json = definition.to_string();
        let inserted = match self {
            Db::Sqlite(pool) => sqlx::query(
                "INSERT INTO form_versions (form_id, version, title_de, definition, state, published_at)
                 VALUES (?1, ?2, ?3, ?4, 'published', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 ON CONFLICT (form_id, version) DO NOTHING",
            )
            .bind(form_id)
            .bind(i64::from(version))
            .bind(title_de)
            .bind(&json)
            .execute(pool)
            .await?
            .rows_affected(),
            Db::Postgres(pool) => sqlx::query(
                "INSERT INTO form_versions (form_id, version, title_de, definition, state, published_at)
                 VALUES ($1, $2, $3, $4::jsonb, 'published', now())
                 ON CONFLICT (form_id, version) DO NOTHING",
            )
            .bind(form_id)
            .bind(i64::from(version))
            .bind(title_de)
            .bind(&json)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        if inserted == 1 {
            return Ok(Published::New);
        }
        let existing = self.form_version(form_id, version).await?;
        let same = match &existing {
            Some(stored) => {
                let stored_value: Value =
                    serde_json::from_str(&stored.definition).map_err(|source| {
                        DbError::Corrupt {
                            form_id: form_id.to_owned(),
                            version,
                            source,
                        }
                    })?;
                &stored_value == definition
            }
            None => false,
        };
        if same {
            Ok(Published::Unchanged)
        } else {
            Err(DbError::Immutable {
                form_id: form_id.to_owned(),
                version,
            })
        }
    }

    /// One version of a form, in whatever state.
    pub async fn form_version(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<StoredFormVersion>, DbError> {
        let row = match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT form_id, version, definition FROM form_versions
                 WHERE form_id = ?1 AND version = ?2",
            )
            .bind(form_id)
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await?
            .map(|row| stored(&row))
            .transpose()?,
            Db::Postgres(pool) => sqlx::query(
                "SELECT form_id, version, definition::text AS definition FROM form_versions
                 WHERE form_id = $1 AND version = $2",
            )
            .bind(form_id)
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await?
            .map(|row| stored(&row))
            .transpose()?,
        };
        Ok(row)
    }

    /// One version of a form that citizens may see: published or
    /// withdrawn (drafts may still be pinned to it), never an editor's
    /// unpublished draft.
    pub async fn released_form_version(
        &self,
        form_id: &str,
        version: u32,
    ) -> Result<Option<StoredFormVersion>, DbError> {
        let row = match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT form_id, version, definition FROM form_versions
                 WHERE form_id = ?1 AND version = ?2 AND state <> 'draft'",
            )
            .bind(form_id)
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await?
            .map(|row| stored(&row))
            .transpose()?,
            Db::Postgres(pool) => sqlx::query(
                "SELECT form_id, version, definition::text AS definition FROM form_versions
                 WHERE form_id = $1 AND version = $2 AND state <> 'draft'",
            )
            .bind(form_id)
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await?
            .map(|row| stored(&row))
            .transpose()?,
        };
        Ok(row)
    }

    /// The latest published version of every form, in no particular order.
    pub async fn published_form_versions(&self) -> Result<Vec<StoredFormVersion>, DbError> {
        let rows = match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT f.form_id, f.version, f.definition FROM form_versions f
                 WHERE f.state = 'published'
                   AND f.version = (SELECT MAX(g.version) FROM form_versions g
                                    WHERE g.form_id = f.form_id AND g.state = 'published')",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(stored)
            .collect::<Result<Vec<_>, _>>()?,
            Db::Postgres(pool) => sqlx::query(
                "SELECT f.form_id, f.version, f.definition::text AS definition FROM form_versions f
                 WHERE f.state = 'published'
                   AND f.version = (SELECT MAX(g.version) FROM form_versions g
                                    WHERE g.form_id = f.form_id AND g.state = 'published')",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(stored)
            .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(rows)
    }

    /// The id and latest published version of every published form,
    /// without the definitions (the journey keeps loaded forms in memory).
    pub async fn published_versions(&self) -> Result<Vec<(String, u32)>, DbError> {
        const SQL: &str = "SELECT form_id, MAX(version) AS version FROM form_versions
                           WHERE state = 'published' GROUP BY form_id";
        let rows: Vec<(String, i64)> = match self {
            Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await?,
            Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await?,
        };
        Ok(rows
            .into_iter()
            .filter_map(|(id, version)| Some((id, u32::try_from(version).ok()?)))
            .collect())
    }

    /// The latest published version number of one form.
    pub async fn latest_published_version(&self, form_id: &str) -> Result<Option<u32>, DbError> {
        let version: Option<i64> = match self {
            Db::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT MAX(version) FROM form_versions
                     WHERE form_id = ?1 AND state = 'published'",
                )
                .bind(form_id)
                .fetch_one(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT MAX(version)::bigint FROM form_versions
                     WHERE form_id = $1 AND state = 'published'",
                )
                .bind(form_id)
                .fetch_one(pool)
                .await?
            }
        };
        Ok(version.and_then(|v| u32::try_from(v).ok()))
    }

    /// The latest published version of one form.
    pub async fn published_form_version(
        &self,
        form_id: &str,
    ) -> Result<Option<StoredFormVersion>, DbError> {
        let row = match self {
            Db::Sqlite(pool) => sqlx::query(
                "SELECT form_id, version, definition FROM form_versions
                 WHERE form_id = ?1 AND state = 'published'
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(form_id)
            .fetch_optional(pool)
            .await?
            .map(|row| stored(&row))
            .transpose()?,
            Db::Postgres(pool) => sqlx::query(
                "SELECT form_id, version, definition::text AS definition FROM form_versions
                 WHERE form_id = $1 AND state = 'published'
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(form_id)
            .fetch_optional(pool)
            .await?
            .map(|row| stored(&row))
            .transpose()?,
        };
        Ok(row)
    }
}

/// Reads the common columns from a row of either backend.
fn stored<R>(row: &R) -> Result<StoredFormVersion, sqlx::Error>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let version: i64 = row.try_get("version")?;
    Ok(StoredFormVersion {
        form_id: row.try_get("form_id")?,
        version: u32::try_from(version).map_err(|e| sqlx::Error::ColumnDecode {
            index: "version".into(),
            source: Box::new(e),
        })?,
        definition: row.try_get("definition")?,
    })
}
