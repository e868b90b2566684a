//! Storage of the citizen journey: drafts ([`drafts`]), submissions with
//! their reference number and outbox jobs ([`submissions`]), the outbox's
//! leases ([`outbox`]), fee payments ([`payments`]) and the way into the
//! E-Akte ([`delivery`]), the back-office's list ([`backoffice`]), as more
//! methods on [`Db`](crate::db::Db). Like `db.rs`, every query is written
//! once per backend, side by side; multi-step writes run in one
//! transaction and their steps take a `&mut Transaction`.
//!
//! This module owns the journey's SQL and its types. It does not know
//! about HTTP, sessions or form rules: callers pass the answers (raw for a
//! draft, normalized by the form engine for a submission) as JSON.
//!
//! Stored data is never trusted to be well-formed: a column that does not
//! decode is [`StoreError::Corrupt`], not a panic.

pub mod accounts;
pub mod backoffice;
pub mod delivery;
pub mod drafts;
pub mod outbox;
pub mod payments;
pub mod submissions;

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;
use time::{
    OffsetDateTime, PrimitiveDateTime, UtcOffset, format_description::BorrowedFormatItem,
    macros::format_description,
};

pub use accounts::{AccountDraft, AccountSubmission};
pub use delivery::{DeliveryRecord, Recorded};
pub use drafts::{Draft, DraftState};
pub use outbox::{JobFilter, JobInfo, LeasedJob};
pub use submissions::{OutboxJob, Submission, SubmissionDetails, SubmissionStatus};

/// What went wrong with a draft or a submission. `NotFound`, `Expired` and
/// `AlreadySubmitted` are ordinary outcomes a page answers; `Corrupt` and
/// `Db` are failures for the log (their texts hold no personal data).
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the draft has expired")]
    Expired,
    #[error("the draft has already been submitted")]
    AlreadySubmitted,
    #[error("stored {what} cannot be read: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("database query failed: {0}")]
    Db(#[from] sqlx::Error),
}

impl StoreError {
    fn corrupt(what: &'static str, detail: impl fmt::Display) -> StoreError {
        StoreError::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }
}

/// The secret of a resume link. 32 random bytes, base64url without
/// padding (43 characters). Only its SHA-256 is stored; the token itself
/// exists in the link the citizen gets and nowhere else, and `Debug` does
/// not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct ResumeToken(String);

impl ResumeToken {
    /// A fresh random token.
    pub fn generate() -> ResumeToken {
        ResumeToken(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
    }

    /// A token as it came back in a link; `None` if it cannot be one
    /// (so garbage never reaches the database).
    pub fn parse(text: &str) -> Option<ResumeToken> {
        let text = text.trim();
        let ok = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| ResumeToken(text.to_owned()))
    }

    /// The token, for building the link.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token, hex: what the database stores and looks up.
    /// Looking up the hash instead of comparing tokens means no comparison
    /// of the secret itself can leak through timing.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for ResumeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumeToken(<redacted>)")
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A timestamp cut to milliseconds, the precision both backends keep.
pub fn to_millis(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(UtcOffset::UTC);
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(t)
}

/// SQLite's timestamp text: UTC, fixed width, so text order is time order.
const SQLITE_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

fn sqlite_time(t: OffsetDateTime) -> Result<String, StoreError> {
    t.to_offset(UtcOffset::UTC)
        .format(SQLITE_TIME)
        .map_err(|e| StoreError::corrupt("timestamp", e))
}

fn parse_sqlite_time(text: &str) -> Result<OffsetDateTime, StoreError> {
    PrimitiveDateTime::parse(text, SQLITE_TIME)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|e| StoreError::corrupt("timestamp", e))
}

fn parse_uuid(text: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(text).map_err(|e| StoreError::corrupt("id", e))
}

fn parse_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}

fn version_from_db(version: i64) -> Result<u32, StoreError> {
    u32::try_from(version).map_err(|e| StoreError::corrupt("form version", e))
}

/// Whether `error` is a foreign-key violation (e.g. an unknown form
/// version).
fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_foreign_key_violation())
}

/// A state column's text as an enum, or `Corrupt`.
trait StateText: Sized + Serialize + for<'de> Deserialize<'de> {
    const WHAT: &'static str;

    fn from_db(text: &str) -> Result<Self, StoreError> {
        serde_json::from_value(serde_json::Value::String(text.to_owned()))
            .map_err(|e| StoreError::corrupt(Self::WHAT, e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use time::macros::datetime;

    use super::*;

    #[test]
    fn resume_tokens_are_random_and_hashed() {
        let a = ResumeToken::generate();
        let b = ResumeToken::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 43);
        assert_eq!(ResumeToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), b.hash());
        assert!(!format!("{a:?}").contains(a.as_str()));
        assert_eq!(ResumeToken::parse("short"), None);
        assert_eq!(ResumeToken::parse(&"é".repeat(43)), None);
    }

    #[test]
    fn sqlite_time_round_trips_and_sorts() {
        let t = datetime!(2026-01-02 03:04:05.678 UTC);
        let text = sqlite_time(t).unwrap();
        assert_eq!(text, "2026-01-02T03:04:05.678Z");
        assert_eq!(parse_sqlite_time(&text).unwrap(), t);
        assert!(sqlite_time(datetime!(2026-01-02 03:04:05.9 UTC)).unwrap() > text);
        assert!(parse_sqlite_time("yesterday").is_err());
    }
}
