//! Housekeeping of expired drafts: every `AMTSWEG_DRAFT_CLEANUP_SECONDS`
//! (default 600) `amtsweg serve` deletes the drafts whose expiry has
//! passed, and with them the files citizens uploaded to them.
//!
//! Order, and why: first the uploads of every expired *open* draft (file,
//! then row: [`uploads::delete_draft_uploads`]), then the expired drafts
//! (open and submitted: a submission keeps its own copy of the answers).
//! When deleting an upload fails, no draft is deleted in that run, so the
//! next run finds the remaining uploads through their draft again; nothing
//! is left that no query reaches. The uploads of a *submitted* draft are
//! its submission's attachments and stay: they are delivered with it and
//! deleted with the submission (deletion periods, issue 4).
//!
//! Logs carry counts only.

use std::time::Duration;

use thiserror::Error;
use time::OffsetDateTime;

use crate::{
    db::Db,
    store::StoreError,
    uploads::{self, UploadError, UploadStorage},
};

/// What one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Drafts deleted (open and submitted).
    pub drafts: u64,
    /// Uploads deleted (files and rows) of expired open drafts.
    pub uploads: usize,
}

/// Why a run stopped. The texts hold no personal data.
#[derive(Debug, Error)]
pub enum CleanupError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("uploads: {0}")]
    Uploads(#[from] UploadError),
}

/// Deletes the uploads of open drafts expired at `now`, then every draft
/// expired at `now`.
pub async fn delete_expired(
    db: &Db,
    storage: &UploadStorage,
    now: OffsetDateTime,
) -> Result<Cleaned, CleanupError> {
    let mut cleaned = Cleaned::default();
    for draft in db.expired_open_drafts(now).await? {
        cleaned.uploads += uploads::delete_draft_uploads(storage, draft).await?;
    }
    cleaned.drafts = db.delete_expired_drafts(now).await?;
    Ok(cleaned)
}

/// Runs [`delete_expired`] every `interval` for as long as the server runs.
pub fn spawn(db: Db, storage: UploadStorage, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match delete_expired(&db, &storage, OffsetDateTime::now_utc()).await {
                Ok(Cleaned {
                    drafts: 0,
                    uploads: 0,
                }) => tracing::debug!("no expired drafts"),
                Ok(Cleaned { drafts, uploads }) => {
                    tracing::info!(drafts, uploads, "expired drafts and their uploads deleted");
                }
                Err(e) => tracing::warn!(error = %e, "deleting expired drafts failed"),
            }
        }
    })
}
