//! Deletion periods: once a submission is filed in the e-file, the portal
//! keeps its personal data only for the form's `retention_days` (default
//! 7), so the citizen can still download the receipt and the authority can
//! ask for a redelivery. Then [`purge_due`] deletes, in this order, the
//! uploaded files (file, then row), the package file, and in one
//! transaction the answers, the details (receipt rows, contact address)
//! and the draft row. What stays is the audit row: reference number, form
//! and version, times, status, the e-file's ids and the SHA-256 of every
//! file that was delivered.
//!
//! A failure stops the run for that submission before its database part,
//! so the next run finds it again; nothing personal is left that no query
//! reaches. Drafts that were never submitted are deleted when they expire
//! (`crate::cleanup`).

use time::OffsetDateTime;

use super::{DeliveryContext, package::packages_dir};
use crate::{store::StoreError, uploads};

/// Why a run stopped; the text holds no personal data.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("uploads: {0}")]
    Uploads(#[from] uploads::UploadError),
    #[error("deleting the package file failed: {0}")]
    Package(std::io::Error),
}

/// Deletes the personal data of every submission due at `now`; returns
/// how many.
pub async fn purge_due(
    ctx: &DeliveryContext,
    now: OffsetDateTime,
) -> Result<usize, RetentionError> {
    let due = ctx.db.submissions_to_purge(now).await?;
    for id in &due {
        let record = ctx.db.delivery_record(*id).await?;
        uploads::delete_draft_uploads(&ctx.uploads, record.submission.draft_id).await?;
        if let Some(name) = &record.package_name {
            match tokio::fs::remove_file(packages_dir(&ctx.data_dir).join(name)).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(RetentionError::Package(e)),
            }
        }
        ctx.db.purge_submission(*id, now).await?;
    }
    Ok(due.len())
}
