//! The E-Akte's answers: `FVDaten.ImportBestaetigen.0630` messages, read
//! from a drop folder's `inbox/` ([`scan_inboxes`]) or posted to
//! `POST /eakte/{authority}/bestaetigung` (`crate::delivery::routes`), and
//! what they do ([`apply`]): a positive one marks the submission filed with
//! the e-file's ids and starts its retention period, a negative one marks it
//! failed with the reason. A confirmation for a submission that is filed
//! already changes nothing, so the E-Akte may send one twice.
//!
//! A confirmation is accepted only for a submission of the authority it
//! came from (its folder, or the endpoint's authority with its token).
//!
//! In the folder, the E-Akte writes `*.xml` (the message) or `*.zip` (the
//! xdomea package `{UUID}_FVDaten.ImportBestaetigen.0630.zip`); names
//! starting with `.` or ending in `.part`/`.tmp` are files still being
//! written and are left alone. A processed file moves to
//! `inbox/verarbeitet/`, one that cannot be used to `inbox/abgelehnt/`
//! with a `.fehler.txt` beside it saying why (German and English); when
//! the database is not reachable the file stays for the next scan.

use std::{
    io::{Cursor, Read},
    path::{Path, PathBuf},
};

use time::OffsetDateTime;
use uuid::Uuid;

use super::DeliveryContext;
use crate::{
    store::{Recorded, StoreError},
    xdomea::{self, ImportConfirmation, ImportOutcome, MAX_CONFIRMATION_BYTES},
};

/// What a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Filed {
        submission: Uuid,
    },
    Refused {
        submission: Uuid,
        reason: String,
    },
    /// The submission was filed before; nothing changed.
    AlreadyFiled {
        submission: Uuid,
    },
}

/// Why a confirmation was not used. Except for `Store`, these are the
/// sender's mistakes and are answered (HTTP 400, or `abgelehnt/`).
#[derive(Debug, thiserror::Error)]
pub enum ConfirmationError {
    #[error("{}", .0.message_en())]
    Message(#[from] xdomea::Error),
    #[error("the ZIP holds no FVDaten.ImportBestaetigen.0630 message: {0}")]
    Package(String),
    #[error("the confirmation is larger than {MAX_CONFIRMATION_BYTES} bytes")]
    TooLarge,
    #[error("no submission {0} is known")]
    UnknownSubmission(Uuid),
    #[error("submission {0} was not sent to this authority")]
    WrongAuthority(Uuid),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

impl ConfirmationError {
    /// The German text for the E-Akte's operators.
    pub fn message_de(&self) -> String {
        match self {
            ConfirmationError::Message(e) => e.message_de(),
            ConfirmationError::Package(detail) => format!(
                "Das ZIP enthält keine Nachricht FVDaten.ImportBestaetigen.0630: {detail}"
            ),
            ConfirmationError::TooLarge => format!(
                "Die Bestätigung ist größer als {MAX_CONFIRMATION_BYTES} Bytes."
            ),
            ConfirmationError::UnknownSubmission(id) => {
                format!("Zur ProzessID {id} gibt es keinen Antrag.")
            }
            ConfirmationError::WrongAuthority(id) => {
                format!("Der Antrag {id} wurde nicht an diese Behörde übermittelt.")
            }
            ConfirmationError::Store(_) => {
                "Die Bestätigung konnte gerade nicht gespeichert werden; bitte später erneut senden."
                    .to_owned()
            }
        }
    }

    /// Whether trying the same confirmation later can work.
    pub fn is_temporary(&self) -> bool {
        matches!(self, ConfirmationError::Store(_))
    }
}

/// The 0630 message of `bytes`: the XML itself, or the ZIP that carries it.
pub fn message_bytes(bytes: &[u8]) -> Result<Vec<u8>, ConfirmationError> {
    if !bytes.starts_with(b"PK") {
        if bytes.len() > MAX_CONFIRMATION_BYTES {
            return Err(ConfirmationError::TooLarge);
        }
        return Ok(bytes.to_vec());
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ConfirmationError::Package(e.to_string()))?;
    let suffix = format!("{}.xml", xdomea::CONFIRMATION_MESSAGE);
    let index = (0..zip.len())
        .find(|&i| {
            zip.by_index(i)
                .is_ok_and(|e| e.name().is_ok_and(|n| n.ends_with(&suffix)))
        })
        .ok_or_else(|| ConfirmationError::Package(format!("no *_{suffix} in it")))?;
    let entry = zip
        .by_index(index)
        .map_err(|e| ConfirmationError::Package(e.to_string()))?;
    let mut xml = Vec::new();
    entry
        .take(MAX_CONFIRMATION_BYTES as u64 + 1)
        .read_to_end(&mut xml)
        .map_err(|e| ConfirmationError::Package(e.to_string()))?;
    if xml.len() > MAX_CONFIRMATION_BYTES {
        return Err(ConfirmationError::TooLarge);
    }
    Ok(xml)
}

/// Applies the confirmation in `bytes` that came from `authority_id`.
pub async fn apply(
    ctx: &DeliveryContext,
    authority_id: &str,
    bytes: &[u8],
    now: OffsetDateTime,
) -> Result<Applied, ConfirmationError> {
    let confirmation = ImportConfirmation::parse(&message_bytes(bytes)?)?;
    let outcome = confirmation.outcome();
    let submission_id = match &outcome {
        ImportOutcome::Filed { object_id, .. } | ImportOutcome::Rejected { object_id, .. } => {
            *object_id
        }
    };
    let record = match ctx.db.delivery_record(submission_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return Err(ConfirmationError::UnknownSubmission(submission_id));
        }
        Err(e) => return Err(e.into()),
    };
    let form = ctx
        .form(&record.submission.form_id, record.submission.form_version)
        .await
        .map_err(|_| ConfirmationError::UnknownSubmission(submission_id))?;
    if form.definition().authority.id != authority_id {
        return Err(ConfirmationError::WrongAuthority(submission_id));
    }
    match outcome {
        ImportOutcome::Filed {
            dms_id,
            file_reference,
            ..
        } => {
            let retention = time::Duration::days(i64::from(form.definition().retention_days));
            let recorded = ctx
                .db
                .record_filed(
                    submission_id,
                    now,
                    dms_id.map(|id| id.to_string()).as_deref(),
                    file_reference.as_deref(),
                    now + retention,
                )
                .await?;
            Ok(match recorded {
                Recorded::Changed => {
                    tracing::info!(authority = authority_id, "submission filed in the e-file");
                    Applied::Filed {
                        submission: submission_id,
                    }
                }
                Recorded::AlreadyFiled => Applied::AlreadyFiled {
                    submission: submission_id,
                },
                Recorded::Unknown => {
                    return Err(ConfirmationError::UnknownSubmission(submission_id));
                }
            })
        }
        ImportOutcome::Rejected { .. } => {
            let reason = outcome
                .reason_de()
                .unwrap_or_else(|| "ohne Begründung".to_owned());
            match ctx.db.record_refused(submission_id, &reason).await? {
                Recorded::Changed => {
                    tracing::warn!(authority = authority_id, "the e-file refused a submission");
                    Ok(Applied::Refused {
                        submission: submission_id,
                        reason,
                    })
                }
                Recorded::AlreadyFiled => Ok(Applied::AlreadyFiled {
                    submission: submission_id,
                }),
                Recorded::Unknown => Err(ConfirmationError::UnknownSubmission(submission_id)),
            }
        }
    }
}

/// What one scan of the inboxes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scanned {
    pub applied: usize,
    pub rejected: usize,
}

fn is_in_progress(name: &str) -> bool {
    name.starts_with('.') || name.ends_with(".part") || name.ends_with(".tmp")
}

/// Moves `file` into `inbox/<folder>/`, keeping its name (a name used
/// before gets a suffix: nothing is overwritten).
fn move_into(inbox: &Path, folder: &str, file: &Path) -> std::io::Result<PathBuf> {
    let dir = inbox.join(folder);
    std::fs::create_dir_all(&dir)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = dir.join(&name);
    let mut n = 1;
    while target.exists() {
        target = dir.join(format!("{name}.{n}"));
        n += 1;
    }
    std::fs::rename(file, &target)?;
    Ok(target)
}

/// Reads every finished file in every authority's inbox once.
pub async fn scan_inboxes(ctx: &DeliveryContext, now: OffsetDateTime) -> Scanned {
    let mut scanned = Scanned::default();
    for (authority_id, inbox) in ctx.authorities.inboxes() {
        let Ok(entries) = std::fs::read_dir(&inbox) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                !is_in_progress(&name) && (name.ends_with(".xml") || name.ends_with(".zip"))
            })
            .collect();
        files.sort();
        for file in files {
            let too_large = std::fs::metadata(&file)
                .map(|m| m.len() > 64 * MAX_CONFIRMATION_BYTES as u64)
                .unwrap_or(false);
            let result = if too_large {
                Err(ConfirmationError::TooLarge)
            } else {
                match tokio::fs::read(&file).await {
                    Ok(bytes) => apply(ctx, &authority_id, &bytes, now).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading a confirmation failed");
                        continue;
                    }
                }
            };
            match result {
                Ok(_) => {
                    scanned.applied += 1;
                    if let Err(e) = move_into(&inbox, "verarbeitet", &file) {
                        tracing::error!(error = %e, "moving a processed confirmation failed");
                    }
                }
                Err(e) if e.is_temporary() => {
                    tracing::warn!(error = %e, "confirmation kept for the next scan");
                }
                Err(e) => {
                    scanned.rejected += 1;
                    tracing::warn!(authority = %authority_id, error = %e, "confirmation rejected");
                    match move_into(&inbox, "abgelehnt", &file) {
                        Ok(moved) => {
                            let note = format!("{}\n{}\n", e.message_de(), e);
                            let mut path = moved.into_os_string();
                            path.push(".fehler.txt");
                            let _ = std::fs::write(PathBuf::from(path), note);
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "moving a rejected confirmation failed")
                        }
                    }
                }
            }
        }
    }
    scanned
}
