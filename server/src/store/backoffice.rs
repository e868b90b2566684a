//! The back-office's view of the submissions (`/verwaltung/antraege`):
//! one page of submissions, newest first, with the receiving authority
//! and form title read from the published definition they are pinned to,
//! their delivery status (the `deliver` job's dead letter included) and
//! their deletion date; and the dead `deliver` job of one submission, for
//! a retry.
//!
//! Only metadata leave this module: reference number, form, authority,
//! times, status, the e-file's id, the attempts and last error of a dead
//! letter (worker texts without personal data). Never the answers, the
//! details or the draft. Which authorities a staff member may see is the
//! caller's decision ([`SubmissionScope`]); this module only applies it.

use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{StoreError, parse_sqlite_time, parse_uuid, version_from_db};
use crate::db::Db;

/// Which authorities' submissions a query may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionScope {
    /// Every authority (an administrator).
    All,
    /// Only these authorities (their ids); empty means none.
    Authorities(Vec<String>),
}

/// The delivery states the list can be filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Stored, not yet delivered (and no fee open, no dead letter).
    Received,
    /// A fee is still to be paid.
    AwaitingPayment,
    /// In the E-Akte's inbox, not yet confirmed.
    Delivered,
    /// Filed in the e-file (whether or not its personal data are deleted).
    Filed,
    /// The E-Akte refused it.
    Refused,
    /// Its delivery gave up: a dead letter, to be retried.
    DeadLetter,
}

impl StatusFilter {
    /// Every filter, in the order a list offers them.
    pub const ALL: [StatusFilter; 6] = [
        StatusFilter::Received,
        StatusFilter::AwaitingPayment,
        StatusFilter::Delivered,
        StatusFilter::Filed,
        StatusFilter::Refused,
        StatusFilter::DeadLetter,
    ];

    /// The value in a URL (`?status=…`).
    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::Received => "received",
            StatusFilter::AwaitingPayment => "payment",
            StatusFilter::Delivered => "delivered",
            StatusFilter::Filed => "filed",
            StatusFilter::Refused => "refused",
            StatusFilter::DeadLetter => "dead",
        }
    }

    /// The filter for a URL value; `None` for anything else.
    pub fn from_key(key: &str) -> Option<StatusFilter> {
        StatusFilter::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The condition, on `s` (submissions) and `d` (the dead `deliver` job
    /// or NULLs). Fixed text: nothing from the request goes in here.
    fn condition(self) -> &'static str {
        match self {
            StatusFilter::Received => {
                "s.status = 'received' AND s.payment_status <> 'open' AND d.id IS NULL"
            }
            StatusFilter::AwaitingPayment => {
                "s.status = 'received' AND s.payment_status = 'open' AND d.id IS NULL"
            }
            StatusFilter::Delivered => "s.status = 'delivered' AND d.id IS NULL",
            StatusFilter::Filed => "s.status = 'filed'",
            StatusFilter::Refused => "s.status = 'failed'",
            StatusFilter::DeadLetter => {
                "s.status IN ('received', 'delivered') AND d.id IS NOT NULL"
            }
        }
    }
}

/// What one page of the list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionQuery {
    pub scope: SubmissionScope,
    /// Only this authority (within the scope).
    pub authority: Option<String>,
    pub status: Option<StatusFilter>,
    /// At most this many rows.
    pub limit: u32,
    /// Skipping this many of the newest.
    pub offset: u64,
}

/// Where a submission stands on its way into the e-file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryState {
    Received,
    AwaitingPayment,
    Delivered {
        at: Option<OffsetDateTime>,
    },
    Filed {
        at: Option<OffsetDateTime>,
        efile_id: Option<String>,
    },
    Refused,
    /// Its `deliver` job gave up, or (`payment`) its `payment` job: the
    /// fee was not paid in time or the provider could not be asked.
    DeadLetter {
        job_id: i64,
        attempts: u32,
        last_error: Option<String>,
        payment: bool,
    },
}

/// One row of the back-office list: metadata only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackOfficeSubmission {
    pub id: Uuid,
    pub reference: String,
    pub form_id: String,
    pub form_version: u32,
    pub title_de: String,
    pub title_en: String,
    pub authority_id: String,
    pub authority_de: String,
    pub authority_en: String,
    pub submitted_at: OffsetDateTime,
    pub state: DeliveryState,
    /// The form's `retention_days` (the definition's default when absent).
    pub retention_days: u32,
    /// When its personal data are deleted (set when filed).
    pub purge_after: Option<OffsetDateTime>,
    /// When they were deleted.
    pub purged_at: Option<OffsetDateTime>,
    /// Its xdomea package was built (it may be downloaded until deleted).
    pub has_package: bool,
}

/// A receiving authority as the published definitions name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownAuthority {
    pub id: String,
    pub name_de: String,
    pub name_en: String,
}

/// The dead `deliver` job of a submission and who receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadDelivery {
    pub job_id: i64,
    pub reference: String,
    pub authority_id: String,
}

/// A submission's package for a download from the back-office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageOf {
    pub reference: String,
    pub authority_id: String,
    /// The file's name in the package store; `None` before it was built.
    pub package_name: Option<String>,
    /// When its personal data (the package with them) were deleted.
    pub purged_at: Option<OffsetDateTime>,
}

/// Reference, authority, package name and deletion time, with the time as
/// the backend stores it (`T`).
type PackageRow<T> = (String, Option<String>, Option<String>, Option<T>);

/// The JSON paths the queries read from a definition, per backend.
struct Dialect {
    authority_id: &'static str,
    authority_de: &'static str,
    authority_en: &'static str,
    title_de: &'static str,
    title_en: &'static str,
    retention: &'static str,
    attempts: &'static str,
    placeholder: fn(usize) -> String,
}

const SQLITE: Dialect = Dialect {
    authority_id: "json_extract(f.definition, '$.authority.id')",
    authority_de: "json_extract(f.definition, '$.authority.name.de')",
    authority_en: "json_extract(f.definition, '$.authority.name.en')",
    title_de: "json_extract(f.definition, '$.title.de')",
    title_en: "json_extract(f.definition, '$.title.en')",
    retention: "CAST(json_extract(f.definition, '$.retention_days') AS INTEGER)",
    attempts: "d.attempts",
    placeholder: |n| format!("?{n}"),
};

const POSTGRES: Dialect = Dialect {
    authority_id: "(f.definition -> 'authority' ->> 'id')",
    authority_de: "(f.definition -> 'authority' -> 'name' ->> 'de')",
    authority_en: "(f.definition -> 'authority' -> 'name' ->> 'en')",
    title_de: "(f.definition -> 'title' ->> 'de')",
    title_en: "(f.definition -> 'title' ->> 'en')",
    retention: "(f.definition ->> 'retention_days')::bigint",
    attempts: "d.attempts::bigint",
    placeholder: |n| format!("${n}"),
};

/// The dead `deliver` job of `s`, if any, joined as `d`.
/// (A submission has at most one of them dead: its `deliver` job is only
/// added once the fee is paid, which completes the `payment` job.)
const DEAD_JOIN: &str = "LEFT JOIN outbox d ON d.submission_id = s.id \
                         AND d.kind IN ('deliver', 'payment') \
                         AND d.status = 'dead'";

/// The list's SQL and the values to bind, in order (authority ids, then
/// limit and offset).
fn list_sql(dialect: &Dialect, query: &SubmissionQuery) -> Option<(String, Vec<String>)> {
    let mut authorities: Vec<String> = match &query.scope {
        SubmissionScope::All => Vec::new(),
        SubmissionScope::Authorities(ids) => ids.clone(),
    };
    if let Some(only) = &query.authority {
        if matches!(query.scope, SubmissionScope::All) || authorities.contains(only) {
            authorities = vec![only.clone()];
        } else {
            return None;
        }
    } else if !matches!(query.scope, SubmissionScope::All) && authorities.is_empty() {
        return None;
    }
    // The definitions' JSON is read once per form version (a definition
    // can be hundreds of KB), not once per submission: the CTE is
    // materialized first, then joined.
    let forms_filter = if authorities.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = (1..=authorities.len())
            .map(|n| (dialect.placeholder)(n))
            .collect();
        format!("WHERE {} IN ({})", dialect.authority_id, list.join(", "))
    };
    let filter = query
        .status
        .map(|status| format!("WHERE {}", status.condition()))
        .unwrap_or_default();
    let limit = (dialect.placeholder)(authorities.len() + 1);
    let offset = (dialect.placeholder)(authorities.len() + 2);
    let sql = format!(
        "WITH forms AS MATERIALIZED (
             SELECT f.form_id, f.version, {authority_id} AS authority_id,
                    {authority_de} AS authority_de, {authority_en} AS authority_en,
                    {title_de} AS title_de, {title_en} AS title_en,
                    {retention} AS retention_days
             FROM form_versions f
             {forms_filter}
         )
         SELECT s.id, s.reference, s.form_id, s.form_version, s.submitted_at, s.status,
                s.payment_status, s.delivered_at, s.filed_at, s.efile_id, s.purge_after,
                s.purged_at, s.package_name, f.authority_id, f.authority_de, f.authority_en, f.title_de,
                f.title_en, f.retention_days,
                d.id AS dead_id, {attempts} AS dead_attempts, d.last_error AS dead_error,
                d.kind AS dead_kind
         FROM submissions s
         JOIN forms f ON f.form_id = s.form_id AND f.version = s.form_version
         {DEAD_JOIN}
         {filter}
         ORDER BY s.submitted_at DESC, s.reference DESC
         LIMIT {limit} OFFSET {offset}",
        authority_id = dialect.authority_id,
        authority_de = dialect.authority_de,
        authority_en = dialect.authority_en,
        title_de = dialect.title_de,
        title_en = dialect.title_en,
        retention = dialect.retention,
        attempts = dialect.attempts,
    );
    Some((sql, authorities))
}

/// The columns both backends read the same way.
struct Common {
    reference: String,
    form_id: String,
    form_version: u32,
    status: String,
    payment_status: String,
    efile_id: Option<String>,
    authority_id: Option<String>,
    authority_de: Option<String>,
    authority_en: Option<String>,
    title_de: Option<String>,
    title_en: Option<String>,
    retention_days: Option<i64>,
    dead_id: Option<i64>,
    dead_attempts: Option<i64>,
    dead_error: Option<String>,
    dead_kind: Option<String>,
    package_name: Option<String>,
}

fn common<R>(row: &R) -> Result<Common, StoreError>
where
    R: Row,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Common {
        reference: row.try_get("reference")?,
        form_id: row.try_get("form_id")?,
        form_version: version_from_db(row.try_get("form_version")?)?,
        status: row.try_get("status")?,
        payment_status: row.try_get("payment_status")?,
        efile_id: row.try_get("efile_id")?,
        authority_id: row.try_get("authority_id")?,
        authority_de: row.try_get("authority_de")?,
        authority_en: row.try_get("authority_en")?,
        title_de: row.try_get("title_de")?,
        title_en: row.try_get("title_en")?,
        retention_days: row.try_get("retention_days")?,
        dead_id: row.try_get("dead_id")?,
        dead_attempts: row.try_get("dead_attempts")?,
        dead_error: row.try_get("dead_error")?,
        dead_kind: row.try_get("dead_kind")?,
        package_name: row.try_get("package_name")?,
    })
}

/// The times of a row, however the backend stores them.
struct Times {
    submitted_at: OffsetDateTime,
    delivered_at: Option<OffsetDateTime>,
    filed_at: Option<OffsetDateTime>,
    purge_after: Option<OffsetDateTime>,
    purged_at: Option<OffsetDateTime>,
}

fn assemble(id: Uuid, c: Common, t: Times) -> Result<BackOfficeSubmission, StoreError> {
    let state = match (c.status.as_str(), c.dead_id) {
        ("filed", _) => DeliveryState::Filed {
            at: t.filed_at,
            efile_id: c.efile_id,
        },
        ("failed", _) => DeliveryState::Refused,
        ("received" | "delivered", Some(job_id)) => DeliveryState::DeadLetter {
            job_id,
            attempts: u32::try_from(c.dead_attempts.unwrap_or(0))
                .map_err(|e| StoreError::corrupt("outbox attempts", e))?,
            last_error: c.dead_error,
            payment: c.dead_kind.as_deref() == Some(super::submissions::PAYMENT),
        },
        ("delivered", None) => DeliveryState::Delivered { at: t.delivered_at },
        ("received", None) if c.payment_status == "open" => DeliveryState::AwaitingPayment,
        ("received", None) => DeliveryState::Received,
        (other, _) => return Err(StoreError::corrupt("submission status", other)),
    };
    let authority_id = c.authority_id.unwrap_or_default();
    let authority_de = c.authority_de.unwrap_or_else(|| authority_id.clone());
    let authority_en = c.authority_en.unwrap_or_else(|| authority_de.clone());
    let title_de = c.title_de.unwrap_or_else(|| c.form_id.clone());
    let title_en = c.title_en.unwrap_or_else(|| title_de.clone());
    let retention_days = match c.retention_days {
        Some(days) => {
            u32::try_from(days).map_err(|e| StoreError::corrupt("form retention_days", e))?
        }
        None => amtsweg_forms::model::DEFAULT_RETENTION_DAYS,
    };
    Ok(BackOfficeSubmission {
        id,
        reference: c.reference,
        form_id: c.form_id,
        form_version: c.form_version,
        title_de,
        title_en,
        authority_id,
        authority_de,
        authority_en,
        submitted_at: t.submitted_at,
        state,
        retention_days,
        purge_after: t.purge_after,
        purged_at: t.purged_at,
        has_package: c.package_name.is_some(),
    })
}

fn opt_time(text: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    text.as_deref().map(parse_sqlite_time).transpose()
}

impl Db {
    /// One page of submissions as `query` selects them, newest first.
    /// Nothing when the scope allows no authority (or not the one asked
    /// for).
    pub async fn backoffice_submissions(
        &self,
        query: &SubmissionQuery,
    ) -> Result<Vec<BackOfficeSubmission>, StoreError> {
        let dialect = match self {
            Db::Sqlite(_) => &SQLITE,
            Db::Postgres(_) => &POSTGRES,
        };
        let Some((sql, authorities)) = list_sql(dialect, query) else {
            return Ok(Vec::new());
        };
        let limit = i64::from(query.limit);
        let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
        match self {
            Db::Sqlite(pool) => {
                let mut q = sqlx::query(&sql);
                for a in &authorities {
                    q = q.bind(a);
                }
                let rows = q.bind(limit).bind(offset).fetch_all(pool).await?;
                rows.iter()
                    .map(|row| {
                        let times = Times {
                            submitted_at: parse_sqlite_time(row.try_get("submitted_at")?)?,
                            delivered_at: opt_time(row.try_get("delivered_at")?)?,
                            filed_at: opt_time(row.try_get("filed_at")?)?,
                            purge_after: opt_time(row.try_get("purge_after")?)?,
                            purged_at: opt_time(row.try_get("purged_at")?)?,
                        };
                        assemble(parse_uuid(row.try_get("id")?)?, common(row)?, times)
                    })
                    .collect()
            }
            Db::Postgres(pool) => {
                let mut q = sqlx::query(&sql);
                for a in &authorities {
                    q = q.bind(a);
                }
                let rows = q.bind(limit).bind(offset).fetch_all(pool).await?;
                rows.iter()
                    .map(|row| {
                        let times = Times {
                            submitted_at: row.try_get("submitted_at")?,
                            delivered_at: row.try_get("delivered_at")?,
                            filed_at: row.try_get("filed_at")?,
                            purge_after: row.try_get("purge_after")?,
                            purged_at: row.try_get("purged_at")?,
                        };
                        assemble(row.try_get("id")?, common(row)?, times)
                    })
                    .collect()
            }
        }
    }

    /// Every authority a released form version names, by id (the latest
    /// version's names win), sorted by id.
    pub async fn backoffice_authorities(&self) -> Result<Vec<KnownAuthority>, StoreError> {
        let dialect = match self {
            Db::Sqlite(_) => &SQLITE,
            Db::Postgres(_) => &POSTGRES,
        };
        let sql = format!(
            "SELECT {} AS id, {} AS name_de, {} AS name_en FROM form_versions f
             WHERE f.state <> 'draft' ORDER BY f.form_id, f.version",
            dialect.authority_id, dialect.authority_de, dialect.authority_en
        );
        type Found = (Option<String>, Option<String>, Option<String>);
        let rows: Vec<Found> = match self {
            Db::Sqlite(pool) => sqlx::query_as(&sql).fetch_all(pool).await?,
            Db::Postgres(pool) => sqlx::query_as(&sql).fetch_all(pool).await?,
        };
        let mut known = std::collections::BTreeMap::new();
        for (id, de, en) in rows {
            let Some(id) = id else { continue };
            let name_de = de.unwrap_or_else(|| id.clone());
            let name_en = en.unwrap_or_else(|| name_de.clone());
            known.insert(
                id.clone(),
                KnownAuthority {
                    id,
                    name_de,
                    name_en,
                },
            );
        }
        Ok(known.into_values().collect())
    }

    /// The dead `deliver` (or `payment`) job of submission `id` with its authority;
    /// `None` when it has none (delivered, pending, or no such
    /// submission).
    pub async fn dead_delivery(&self, id: Uuid) -> Result<Option<DeadDelivery>, StoreError> {
        let dialect = match self {
            Db::Sqlite(_) => &SQLITE,
            Db::Postgres(_) => &POSTGRES,
        };
        let sql = format!(
            "SELECT d.id AS job_id, s.reference, {} AS authority_id
             FROM submissions s
             JOIN form_versions f ON f.form_id = s.form_id AND f.version = s.form_version
             JOIN outbox d ON d.submission_id = s.id AND d.kind IN ('deliver', 'payment')
                  AND d.status = 'dead'
             WHERE s.id = {}",
            dialect.authority_id,
            (dialect.placeholder)(1)
        );
        type Found = (i64, String, Option<String>);
        let row: Option<Found> = match self {
            Db::Sqlite(pool) => {
                sqlx::query_as(&sql)
                    .bind(id.to_string())
                    .fetch_optional(pool)
                    .await?
            }
            Db::Postgres(pool) => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?,
        };
        Ok(row.map(|(job_id, reference, authority)| DeadDelivery {
            job_id,
            reference,
            authority_id: authority.unwrap_or_default(),
        }))
    }
}

impl Db {
    /// The package of submission `id` with its authority; `None` when
    /// there is no such submission.
    pub async fn package_of(&self, id: Uuid) -> Result<Option<PackageOf>, StoreError> {
        let dialect = match self {
            Db::Sqlite(_) => &SQLITE,
            Db::Postgres(_) => &POSTGRES,
        };
        let sql = format!(
            "SELECT s.reference, {} AS authority_id, s.package_name, s.purged_at
             FROM submissions s
             JOIN form_versions f ON f.form_id = s.form_id AND f.version = s.form_version
             WHERE s.id = {}",
            dialect.authority_id,
            (dialect.placeholder)(1)
        );
        match self {
            Db::Sqlite(pool) => {
                let row: Option<PackageRow<String>> = sqlx::query_as(&sql)
                    .bind(id.to_string())
                    .fetch_optional(pool)
                    .await?;
                row.map(|(reference, authority, package_name, purged_at)| {
                    Ok(PackageOf {
                        reference,
                        authority_id: authority.unwrap_or_default(),
                        package_name,
                        purged_at: opt_time(purged_at)?,
                    })
                })
                .transpose()
            }
            Db::Postgres(pool) => {
                let row: Option<PackageRow<OffsetDateTime>> =
                    sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
                Ok(row.map(
                    |(reference, authority, package_name, purged_at)| PackageOf {
                        reference,
                        authority_id: authority.unwrap_or_default(),
                        package_name,
                        purged_at,
                    },
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(scope: SubmissionScope, authority: Option<&str>) -> SubmissionQuery {
        SubmissionQuery {
            scope,
            authority: authority.map(str::to_owned),
            status: Some(StatusFilter::DeadLetter),
            limit: 50,
            offset: 0,
        }
    }

    #[test]
    fn the_scope_limits_the_authorities() {
        let own = SubmissionScope::Authorities(vec!["a".into(), "b".into()]);
        let (sql, binds) = list_sql(&SQLITE, &query(own.clone(), None)).unwrap_or_default();
        assert_eq!(binds, ["a", "b"]);
        assert!(sql.contains("IN (?1, ?2)") && sql.contains("LIMIT ?3 OFFSET ?4"));
        assert!(sql.contains("d.id IS NOT NULL"));
        let (_, binds) = list_sql(&POSTGRES, &query(own.clone(), Some("b"))).unwrap_or_default();
        assert_eq!(binds, ["b"]);
        // Another authority, or none at all: nothing to ask.
        assert!(list_sql(&SQLITE, &query(own, Some("c"))).is_none());
        let none = SubmissionScope::Authorities(Vec::new());
        assert!(list_sql(&SQLITE, &query(none, None)).is_none());
        let (sql, binds) =
            list_sql(&POSTGRES, &query(SubmissionScope::All, None)).unwrap_or_default();
        assert!(binds.is_empty() && sql.contains("LIMIT $1 OFFSET $2"));
    }

    #[test]
    fn status_keys_round_trip() {
        for f in StatusFilter::ALL {
            assert_eq!(StatusFilter::from_key(f.key()), Some(f));
        }
        assert_eq!(StatusFilter::from_key("x' OR 1=1"), None);
    }
}
