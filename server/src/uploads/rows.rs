//! The `uploads` table, each query once per backend, side by side (as in
//! `db.rs`). Ids travel as hyphenated UUID text.

use sqlx::Row;

use crate::db::Db;

/// One stored upload as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub id: String,
    pub draft_id: Option<String>,
    pub field_id: String,
    /// Sanitized display name.
    pub original_name: String,
    pub size: u64,
    /// The detected media type.
    pub content_type: String,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

fn size_i64(size: u64) -> Result<i64, sqlx::Error> {
    i64::try_from(size).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

pub(super) async fn insert(db: &Db, r: &UploadRecord) -> Result<(), sqlx::Error> {
    let size = size_i64(r.size)?;
    match db {
        Db::Sqlite(pool) => sqlx::query(
            "INSERT INTO uploads (id, draft_id, field_id, original_name, size_bytes, content_type, sha256, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        )
        .bind(&r.id)
        .bind(&r.draft_id)
        .bind(&r.field_id)
        .bind(&r.original_name)
        .bind(size)
        .bind(&r.content_type)
        .bind(&r.sha256)
        .execute(pool)
        .await
        .map(drop),
        Db::Postgres(pool) => sqlx::query(
            "INSERT INTO uploads (id, draft_id, field_id, original_name, size_bytes, content_type, sha256)
             VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7)",
        )
        .bind(&r.id)
        .bind(&r.draft_id)
        .bind(&r.field_id)
        .bind(&r.original_name)
        .bind(size)
        .bind(&r.content_type)
        .bind(&r.sha256)
        .execute(pool)
        .await
        .map(drop),
    }
}

pub(super) async fn get(db: &Db, id: &str) -> Result<Option<UploadRecord>, sqlx::Error> {
    const COLUMNS: &str = "field_id, original_name, size_bytes, content_type, sha256";
    let record = |id: String, draft_id: Option<String>, row: &dyn RowAccess| {
        Ok::<_, sqlx::Error>(UploadRecord {
            id,
            draft_id,
            field_id: row.text("field_id")?,
            original_name: row.text("original_name")?,
            size: u64::try_from(row.int("size_bytes")?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            content_type: row.text("content_type")?,
            sha256: row.text("sha256")?,
        })
    };
    match db {
        Db::Sqlite(pool) => {
            let row = sqlx::query(&format!(
                "SELECT id, draft_id, {COLUMNS} FROM uploads WHERE id = ?1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?;
            row.map(|row| record(row.try_get("id")?, row.try_get("draft_id")?, &row))
                .transpose()
        }
        Db::Postgres(pool) => {
            let row = sqlx::query(&format!(
                "SELECT id::text AS id, draft_id::text AS draft_id, {COLUMNS} FROM uploads WHERE id = $1::uuid"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?;
            row.map(|row| record(row.try_get("id")?, row.try_get("draft_id")?, &row))
                .transpose()
        }
    }
}

/// The uploads recorded for `draft_id` (hyphenated UUID), oldest first.
pub(super) async fn for_draft(db: &Db, draft_id: &str) -> Result<Vec<UploadRecord>, sqlx::Error> {
    const COLUMNS: &str = "field_id, original_name, size_bytes, content_type, sha256";
    let record = |row: &dyn RowAccess| {
        Ok::<_, sqlx::Error>(UploadRecord {
            id: row.text("id")?,
            draft_id: Some(row.text("draft_id")?),
            field_id: row.text("field_id")?,
            original_name: row.text("original_name")?,
            size: u64::try_from(row.int("size_bytes")?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            content_type: row.text("content_type")?,
            sha256: row.text("sha256")?,
        })
    };
    match db {
        Db::Sqlite(pool) => sqlx::query(&format!(
            "SELECT id, draft_id, {COLUMNS} FROM uploads WHERE draft_id = ?1
             ORDER BY created_at, id"
        ))
        .bind(draft_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| record(row))
        .collect(),
        Db::Postgres(pool) => sqlx::query(&format!(
            "SELECT id::text AS id, draft_id::text AS draft_id, {COLUMNS} FROM uploads
             WHERE draft_id = $1::uuid ORDER BY created_at, id"
        ))
        .bind(draft_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| record(row))
        .collect(),
    }
}

pub(super) async fn delete(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let deleted = match db {
        Db::Sqlite(pool) => sqlx::query("DELETE FROM uploads WHERE id = ?1")
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
        Db::Postgres(pool) => sqlx::query("DELETE FROM uploads WHERE id = $1::uuid")
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected(),
    };
    Ok(deleted > 0)
}

/// The two row types read alike for these columns.
trait RowAccess {
    fn text(&self, column: &str) -> Result<String, sqlx::Error>;
    fn int(&self, column: &str) -> Result<i64, sqlx::Error>;
}

impl RowAccess for sqlx::sqlite::SqliteRow {
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }
    fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        self.try_get(column)
    }
}

impl RowAccess for sqlx::postgres::PgRow {
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }
    fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        self.try_get(column)
    }
}
