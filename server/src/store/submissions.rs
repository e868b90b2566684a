//! Submissions: the durable result of submitting a draft. [`Db::submit`]
//! is one transaction — flip the draft to submitted, draw the year's next
//! reference number, insert the submission and its `deliver` outbox job —
//! and is idempotent per draft: a double click, a reload or a replayed POST
//! gets the same submission back.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgPool, Row, Sqlite, Transaction, postgres::PgRow, sqlite::SqliteRow};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    StateText, StoreError, parse_json, parse_sqlite_time, parse_uuid, sqlite_time, to_millis,
    version_from_db,
};
use crate::{
    db::Db,
    reference::{DIGITS, PREFIX, ReferenceNumber, reference_year},
};

/// Submits on SQLite wait here, in the order they came, rather than in
/// SQLite's busy handler, which sleeps 1, 2, 5 … 100 ms between tries:
/// there the write lock sat unused while waiters slept, and an unlucky
/// submit waited over a second under load (docs/benchmarks.md,
/// "Submissions"). One per process, like SQLite's lock is one per file;
/// other writers (draft saves, sessions) still meet it in the busy handler.
static SQLITE_SUBMITS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The outbox job every submission gets: deliver it to the authority.
pub const DELIVER: &str = "deliver";
/// The outbox job of a submission with a contact address: the
/// confirmation mail to the citizen.
pub const CONFIRM: &str = "confirm";
/// The outbox job that a delivery adds when the authority wants a mail
/// about each new application.
pub const NOTIFY: &str = "notify";
/// The outbox job of a submission with a fee, instead of [`DELIVER`] and
/// [`CONFIRM`]: reconcile its payment with the provider. Paying adds the
/// other two ([`crate::store::payments`]).
pub const PAYMENT: &str = "payment";

/// What a submission keeps besides its answers, for the delivery and the
/// mails: the "check your answers" rows in German and English (the
/// receipt shows them exactly so), the citizen's language and contact
/// address. Personal data: emptied with the answers after the retention
/// period. `Debug` shows only whether there is an address.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmissionDetails {
    #[serde(default)]
    pub summary_de: Vec<amtsweg_forms::SummarySection>,
    #[serde(default)]
    pub summary_en: Vec<amtsweg_forms::SummarySection>,
    /// The language the citizen used (`de`, `en`).
    #[serde(default)]
    pub lang: Option<String>,
    /// Where the confirmation mail goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// The fee items as the check page showed them (purpose and amount).
    #[serde(default)]
    pub fees: Vec<amtsweg_forms::FeeLine>,
}

impl fmt::Debug for SubmissionDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmissionDetails")
            .field("sections", &self.summary_de.len())
            .field("lang", &self.lang)
            .field(
                "contact_email",
                &self.contact_email.as_ref().map(|_| "<set>"),
            )
            .finish_non_exhaustive()
    }
}

/// Where a submission is on its way to the authority's e-file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    Received,
    Delivered,
    Filed,
    Failed,
}

impl StateText for SubmissionStatus {
    const WHAT: &'static str = "submission status";
}

/// A submitted application. `id` is the key of everything later
/// (delivery, package, receipt). `Debug` leaves out the answers.
#[derive(Clone, PartialEq, Serialize)]
pub struct Submission {
    pub id: Uuid,
    pub draft_id: Uuid,
    pub reference: ReferenceNumber,
    pub form_id: String,
    pub form_version: u32,
    /// The answers as the form engine normalized them.
    pub answers: Value,
    pub fee_cents: u32,
    pub submitted_at: OffsetDateTime,
    pub status: SubmissionStatus,
}

impl fmt::Debug for Submission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Submission")
            .field("id", &self.id)
            .field("draft_id", &self.draft_id)
            .field("reference", &self.reference.to_string())
            .field("form_id", &self.form_id)
            .field("form_version", &self.form_version)
            .field("fee_cents", &self.fee_cents)
            .field("submitted_at", &self.submitted_at)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// One outbox job, as the delivery worker (issue 4) will see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxJob {
    pub submission_id: Uuid,
    pub kind: String,
    pub status: String,
    pub attempts: u32,
}

const SUBMISSION_COLUMNS_SQLITE: &str = "id, draft_id, reference, form_id, form_version, \
     answers, fee_cents, submitted_at, status";
const SUBMISSION_COLUMNS_POSTGRES: &str = "id, draft_id, reference, form_id, form_version, \
     answers::text AS answers, fee_cents, submitted_at, status";

fn parse_reference(text: &str) -> Result<ReferenceNumber, StoreError> {
    text.parse()
        .map_err(|e| StoreError::corrupt("reference number", e))
}

fn fee_from_db(fee: i64) -> Result<u32, StoreError> {
    u32::try_from(fee).map_err(|e| StoreError::corrupt("fee", e))
}

pub(super) fn submission_from_sqlite(row: &SqliteRow) -> Result<Submission, StoreError> {
    Ok(Submission {
        id: parse_uuid(row.try_get("id")?)?,
        draft_id: parse_uuid(row.try_get("draft_id")?)?,
        reference: parse_reference(row.try_get("reference")?)?,
        form_id: row.try_get("form_id")?,
        form_version: version_from_db(row.try_get("form_version")?)?,
        answers: parse_json("submission answers", row.try_get("answers")?)?,
        fee_cents: fee_from_db(row.try_get("fee_cents")?)?,
        submitted_at: parse_sqlite_time(row.try_get("submitted_at")?)?,
        status: SubmissionStatus::from_db(row.try_get("status")?)?,
    })
}

pub(super) fn submission_from_postgres(row: &PgRow) -> Result<Submission, StoreError> {
    Ok(Submission {
        id: row.try_get("id")?,
        draft_id: row.try_get("draft_id")?,
        reference: parse_reference(row.try_get("reference")?)?,
        form_id: row.try_get("form_id")?,
        form_version: version_from_db(row.try_get("form_version")?)?,
        answers: parse_json("submission answers", row.try_get("answers")?)?,
        fee_cents: fee_from_db(row.try_get("fee_cents")?)?,
        submitted_at: row.try_get("submitted_at")?,
        status: SubmissionStatus::from_db(row.try_get("status")?)?,
    })
}

/// What a submit call inserts, apart from what the draft row provides.
struct NewSubmission<'a> {
    id: Uuid,
    draft_id: Uuid,
    answers: &'a str,
    details: &'a str,
    /// The outbox jobs to add: [`DELIVER`], and [`CONFIRM`] with a contact
    /// address.
    jobs: &'a [&'a str],
    fee_cents: u32,
    now: OffsetDateTime,
}

impl Db {
    /// Submits the draft `draft_id` with the engine's `normalized_answers`
    /// and the fee, at `now`. One transaction; idempotent: if the draft was
    /// already submitted, the existing submission is returned unchanged
    /// (the new answers are ignored). A missing draft is
    /// [`StoreError::NotFound`], an expired open one [`StoreError::Expired`].
    pub async fn submit(
        &self,
        draft_id: Uuid,
        normalized_answers: &Value,
        fee_cents: u32,
        now: OffsetDateTime,
    ) -> Result<Submission, StoreError> {
        let details = SubmissionDetails::default();
        self.submit_with_details(draft_id, normalized_answers, fee_cents, &details, now)
            .await
    }

    /// [`Db::submit`] with the `details` the delivery needs later (the
    /// receipt's rows, the citizen's language and address). With a contact
    /// address the submission also gets its [`CONFIRM`] job.
    pub async fn submit_with_details(
        &self,
        draft_id: Uuid,
        normalized_answers: &Value,
        fee_cents: u32,
        details: &SubmissionDetails,
        now: OffsetDateTime,
    ) -> Result<Submission, StoreError> {
        let now = to_millis(now);
        let answers = normalized_answers.to_string();
        let details_json = serde_json::to_string(details)
            .map_err(|e| StoreError::corrupt("submission details", e))?;
        // A fee: delivered and confirmed only once paid.
        let jobs: &[&str] = if fee_cents > 0 {
            &[PAYMENT]
        } else if details.contact_email.is_some() {
            &[DELIVER, CONFIRM]
        } else {
            &[DELIVER]
        };
        let new = NewSubmission {
            id: Uuid::new_v4(),
            draft_id,
            answers: &answers,
            details: &details_json,
            jobs,
            fee_cents,
            now,
        };
        let created = match self {
            Db::Sqlite(pool) => {
                let _turn = SQLITE_SUBMITS.lock().await;
                // IMMEDIATE takes the write lock first, so a submit that
                // meets another writer (a draft being saved) waits on the
                // busy timeout instead of failing on a read lock that
                // cannot be upgraded.
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let created = submit_sqlite(&mut tx, &new).await?;
                if created.is_some() {
                    tx.commit().await?;
                }
                created
            }
            Db::Postgres(pool) => submit_postgres(pool, &new).await?,
        };
        if let Some(submission) = created {
            return Ok(submission);
        }
        // The draft was not open: submitted before (return that), expired,
        // or missing.
        if let Some(existing) = self.submission_for_draft(draft_id).await? {
            return Ok(existing);
        }
        match self.draft_row(draft_id).await? {
            None => Err(StoreError::NotFound),
            Some(draft) if draft.state == super::DraftState::Open => Err(StoreError::Expired),
            Some(_) => Err(StoreError::corrupt(
                "draft",
                "submitted but without a submission",
            )),
        }
    }

    /// One submission by its id.
    pub async fn submission(&self, id: Uuid) -> Result<Submission, StoreError> {
        let row = match self {
            Db::Sqlite(pool) => sqlx::query(&format!(
                "SELECT {SUBMISSION_COLUMNS_SQLITE} FROM submissions WHERE id = ?1"
            ))
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(submission_from_sqlite)
            .transpose()?,
            Db::Postgres(pool) => sqlx::query(&format!(
                "SELECT {SUBMISSION_COLUMNS_POSTGRES} FROM submissions WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(submission_from_postgres)
            .transpose()?,
        };
        row.ok_or(StoreError::NotFound)
    }

    /// The submission made from a draft, if it was submitted.
    pub async fn submission_for_draft(
        &self,
        draft_id: Uuid,
    ) -> Result<Option<Submission>, StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::query(&format!(
                "SELECT {SUBMISSION_COLUMNS_SQLITE} FROM submissions WHERE draft_id = ?1"
            ))
            .bind(draft_id.to_string())
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(submission_from_sqlite)
            .transpose(),
            Db::Postgres(pool) => sqlx::query(&format!(
                "SELECT {SUBMISSION_COLUMNS_POSTGRES} FROM submissions WHERE draft_id = $1"
            ))
            .bind(draft_id)
            .fetch_optional(pool)
            .await?
            .as_ref()
            .map(submission_from_postgres)
            .transpose(),
        }
    }

    /// The outbox jobs of a submission, oldest first.
    pub async fn outbox_jobs(&self, submission_id: Uuid) -> Result<Vec<OutboxJob>, StoreError> {
        let rows: Vec<(String, String, i64)> = match self {
            Db::Sqlite(pool) => sqlx::query_as(
                "SELECT kind, status, attempts FROM outbox WHERE submission_id = ?1 ORDER BY id",
            )
            .bind(submission_id.to_string())
            .fetch_all(pool)
            .await?,
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT kind, status, attempts::bigint FROM outbox
                     WHERE submission_id = $1 ORDER BY id",
                )
                .bind(submission_id)
                .fetch_all(pool)
                .await?
            }
        };
        rows.into_iter()
            .map(|(kind, status, attempts)| {
                Ok(OutboxJob {
                    submission_id,
                    kind,
                    status,
                    attempts: u32::try_from(attempts)
                        .map_err(|e| StoreError::corrupt("outbox attempts", e))?,
                })
            })
            .collect()
    }
}

/// The submit transaction on SQLite; `None` when the draft is not open
/// (the caller rolls back and finds out why).
async fn submit_sqlite(
    tx: &mut Transaction<'_, Sqlite>,
    new: &NewSubmission<'_>,
) -> Result<Option<Submission>, StoreError> {
    let now = sqlite_time(new.now)?;
    let Some(row) = sqlx::query(
        "UPDATE drafts SET state = 'submitted', updated_at = ?1
         WHERE id = ?2 AND state = 'open' AND expires_at > ?1
         RETURNING form_id, form_version",
    )
    .bind(&now)
    .bind(new.draft_id.to_string())
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let form_id: String = row.try_get("form_id")?;
    let form_version = version_from_db(row.try_get("form_version")?)?;
    let reference = next_reference_sqlite(tx, reference_year(new.now)).await?;
    sqlx::query(
        "INSERT INTO submissions (id, draft_id, reference, form_id, form_version, answers,
                                  fee_cents, submitted_at, status, details, payment_status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'received', ?9,
                 CASE WHEN ?7 > 0 THEN 'open' ELSE 'none' END)",
    )
    .bind(new.id.to_string())
    .bind(new.draft_id.to_string())
    .bind(reference.to_string())
    .bind(&form_id)
    .bind(i64::from(form_version))
    .bind(new.answers)
    .bind(i64::from(new.fee_cents))
    .bind(&now)
    .bind(new.details)
    .execute(&mut **tx)
    .await?;
    for kind in new.jobs {
        sqlx::query(
            "INSERT INTO outbox (submission_id, kind, status, attempts, next_attempt_at, created_at)
             VALUES (?1, ?2, 'pending', 0, ?3, ?3)",
        )
        .bind(new.id.to_string())
        .bind(kind)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Some(submitted(new, reference, form_id, form_version)?))
}

/// The submit on PostgreSQL: one statement, so one transaction in one
/// round trip. Its `WITH` parts flip the draft to submitted (the `UPDATE …
/// WHERE state = 'open'` locks the draft row: a concurrent submit of the
/// same draft waits, then finds it submitted and changes nothing), draw
/// the year's next number, and insert the submission and its outbox job,
/// each only when the part before gave a row. The reference is written
/// as [`ReferenceNumber`] prints it (checked in [`submit_postgres`]).
///
/// Why one statement: the counter row stays locked from the draw to the
/// commit, so submissions pass it one at a time. As separate statements
/// the lock was held across three more round trips to the server; now it
/// is held for the rest of this statement and the commit's WAL flush
/// (docs/benchmarks.md, "Submissions").
const SUBMIT_POSTGRES: &str = "
WITH draft AS (
    UPDATE drafts SET state = 'submitted', updated_at = $1
    WHERE id = $2 AND state = 'open' AND expires_at > $1
    RETURNING form_id, form_version
), counter AS (
    INSERT INTO reference_counters (year, next_value)
    SELECT $3, 2 FROM draft
    ON CONFLICT (year) DO UPDATE SET next_value = reference_counters.next_value + 1
    RETURNING next_value - 1 AS value
), submission AS (
    INSERT INTO submissions (id, draft_id, reference, form_id, form_version, answers,
                             fee_cents, submitted_at, status, details, payment_status)
    SELECT $4, $2,
           $5 || '-' || $3 || '-'
              || lpad(counter.value::text, greatest($6, length(counter.value::text)), '0'),
           draft.form_id, draft.form_version, $7::jsonb, $8, $1, 'received', $10::jsonb,
           CASE WHEN $8 > 0 THEN 'open' ELSE 'none' END
    FROM draft, counter
    RETURNING reference, form_id, form_version
), job AS (
    INSERT INTO outbox (submission_id, kind, status, attempts, next_attempt_at, created_at)
    SELECT $4, kind, 'pending', 0, $1, $1 FROM submission, unnest($9::text[]) AS kind
)
SELECT submission.reference, submission.form_id, submission.form_version, counter.value
FROM submission, counter";

/// Runs [`SUBMIT_POSTGRES`]; `None` when the draft is not open (nothing
/// was changed; the caller finds out why).
async fn submit_postgres(
    pool: &PgPool,
    new: &NewSubmission<'_>,
) -> Result<Option<Submission>, StoreError> {
    let year = reference_year(new.now);
    let digits = i32::try_from(DIGITS).unwrap_or(i32::MAX);
    let Some(row) = sqlx::query(SUBMIT_POSTGRES)
        .bind(new.now)
        .bind(new.draft_id)
        .bind(year)
        .bind(new.id)
        .bind(PREFIX)
        .bind(digits)
        .bind(new.answers)
        .bind(i64::from(new.fee_cents))
        .bind(new.jobs)
        .bind(new.details)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let form_id: String = row.try_get("form_id")?;
    let form_version = version_from_db(row.try_get("form_version")?)?;
    let reference = reference(year, row.try_get("value")?)?;
    let stored: String = row.try_get("reference")?;
    if stored != reference.to_string() {
        return Err(StoreError::corrupt(
            "reference number",
            format!("stored {stored:?}, expected {reference}"),
        ));
    }
    Ok(Some(submitted(new, reference, form_id, form_version)?))
}

/// Draws the next number of `year`. The upsert takes the counter row's
/// write lock, so concurrent transactions get distinct, increasing numbers.
async fn next_reference_sqlite(
    tx: &mut Transaction<'_, Sqlite>,
    year: i32,
) -> Result<ReferenceNumber, StoreError> {
    let (value,): (i64,) = sqlx::query_as(
        "INSERT INTO reference_counters (year, next_value) VALUES (?1, 2)
         ON CONFLICT (year) DO UPDATE SET next_value = reference_counters.next_value + 1
         RETURNING next_value - 1",
    )
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    reference(year, value)
}

fn reference(year: i32, value: i64) -> Result<ReferenceNumber, StoreError> {
    u64::try_from(value)
        .ok()
        .and_then(|number| ReferenceNumber::new(year, number))
        .ok_or_else(|| StoreError::corrupt("reference counter", format!("{year}: {value}")))
}

fn submitted(
    new: &NewSubmission<'_>,
    reference: ReferenceNumber,
    form_id: String,
    form_version: u32,
) -> Result<Submission, StoreError> {
    Ok(Submission {
        id: new.id,
        draft_id: new.draft_id,
        reference,
        form_id,
        form_version,
        answers: parse_json("submission answers", new.answers)?,
        fee_cents: new.fee_cents,
        submitted_at: new.now,
        status: SubmissionStatus::Received,
    })
}
