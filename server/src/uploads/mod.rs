//! Uploaded files: receiving, checking, scanning and storing the file a
//! citizen uploads for a file field of a form, and deleting it again.
//!
//! It owns the files under `$AMTSWEG_DATA_DIR/files/` and the `uploads`
//! table. It does not know about HTTP: a step's POST handler passes the
//! body of one multipart field (any `Stream` of `Bytes`, e.g.
//! `axum::extract::multipart::Field`, or an `AsyncRead` through
//! [`store_upload_reader`]) to [`store_upload`] and puts the returned
//! [`StoredFile`] — exactly the engine's answer value of a file,
//! `{"id","name","size","content_type"}` — into the answers. The engine
//! checks size, type and count again when it validates the step.
//!
//! How an upload is stored, and why:
//! - **Streamed, never buffered whole.** Chunks go to
//!   `files/tmp/<uuid>.part` as they arrive; the SHA-256 is computed on the
//!   way. A chunk that would take the file past the limit (the field's
//!   `max_size_bytes`, capped by `AMTSWEG_UPLOAD_MAX_BYTES`, default 20 MB)
//!   is refused before it is written, so no more than the limit ever
//!   reaches the disk. A temp file is removed when the upload fails or its
//!   future is dropped (client gone), and at start (older than an hour, so
//!   that instances sharing a directory do not remove each other's).
//! - **The real type decides.** It is detected from the first 64 KiB
//!   ([`detect`](detect::detect), which documents its rules) as soon as they
//!   have arrived, and must be one the field accepts. The browser's
//!   Content-Type and the extension are not trusted; a declared type that
//!   is not the real one is an error of its own (a renamed file is a
//!   mistake the citizen can fix). Empty files are refused.
//! - **Virus scan, fail closed.** With `AMTSWEG_CLAMD` set, the complete
//!   temp file is sent to clamd (`INSTREAM`) before it is accepted; when
//!   the scanner cannot answer, the upload is refused, never let through.
//! - **Atomic.** Only a checked file is renamed to `files/<2>/<uuid>` (the
//!   first two characters of the UUID spread the files over 256
//!   directories), after an fsync; then the row is written. A file's path
//!   comes from its parsed UUID only, never from a name the client sent.
//! - **Names are for display.** [`sanitize_file_name`] strips path
//!   components, control and bidirectional-override characters and limits
//!   the length.
//! - **Expired drafts.** [`delete_draft_uploads`] removes a draft's files
//!   and rows; [`crate::cleanup`] calls it for every expired open draft
//!   before deleting the drafts.
//! - **No personal data in logs.** Log lines name the field id, sizes and
//!   types, never the file name or content.

mod clamd;
mod detect;
mod error;
mod name;
mod rows;

use std::{
    io,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use amtsweg_forms::{Field, FieldType, Text, media_type_allowed};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWriteExt};
use uuid::Uuid;

pub use clamd::{ClamdAddress, ScanError, Verdict, parse_reply, scan};
pub use detect::{SNIFF_LEN, declared_matches, describe, detect};
pub use error::UploadError;
pub use name::{FALLBACK_NAME, MAX_NAME_CHARS, sanitize_file_name};
pub use rows::UploadRecord;

use crate::{config::Config, db::Db};

/// How long clamd may take for one file unless set otherwise.
pub const DEFAULT_SCAN_TIMEOUT: Duration = Duration::from_secs(60);
/// Temp files older than this are orphans (removed at start).
pub const TEMP_MAX_AGE: Duration = Duration::from_secs(3600);

/// An uploaded file as the form engine stores it in the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// The upload's UUID.
    pub id: String,
    /// Sanitized display name.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// The detected media type.
    pub content_type: String,
}

/// What one upload is, besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewUpload<'a> {
    /// The file name the browser sent (sanitized here).
    pub file_name: &'a str,
    /// The Content-Type the browser sent, if any (checked, not trusted).
    pub declared_type: Option<&'a str>,
    /// The draft it belongs to, a UUID, if there is one yet.
    pub draft_id: Option<&'a str>,
}

/// Limits and the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSettings {
    /// Largest file for every form, in bytes.
    pub max_bytes: u64,
    /// The virus scanner; `None`: files are not scanned.
    pub clamd: Option<ClamdAddress>,
    /// How long one scan may take.
    pub scan_timeout: Duration,
}

impl UploadSettings {
    pub fn from_config(config: &Config) -> UploadSettings {
        UploadSettings {
            max_bytes: config.upload_max_bytes,
            clamd: config.clamd.clone(),
            scan_timeout: DEFAULT_SCAN_TIMEOUT,
        }
    }
}

/// Where uploads go: the files directory, the database and the settings.
/// Cloning is cheap enough for request state.
#[derive(Debug, Clone)]
pub struct UploadStorage {
    db: Db,
    root: PathBuf,
    settings: UploadSettings,
}

impl UploadStorage {
    /// Storage under `files_dir` (created if missing); removes temp files
    /// older than [`TEMP_MAX_AGE`] that an earlier run left behind.
    pub async fn open(
        db: Db,
        files_dir: impl Into<PathBuf>,
        settings: UploadSettings,
    ) -> io::Result<UploadStorage> {
        let storage = UploadStorage {
            db,
            root: files_dir.into(),
            settings,
        };
        tokio::fs::create_dir_all(storage.temp_dir()).await?;
        let removed = storage.cleanup_temp(TEMP_MAX_AGE).await?;
        if removed > 0 {
            tracing::info!(removed, "removed orphaned upload temp files");
        }
        Ok(storage)
    }

    /// Storage under `$AMTSWEG_DATA_DIR/files` with the configured limits.
    pub async fn from_config(db: Db, config: &Config) -> io::Result<UploadStorage> {
        UploadStorage::open(
            db,
            config.data_dir.join("files"),
            UploadSettings::from_config(config),
        )
        .await
    }

    pub fn settings(&self) -> &UploadSettings {
        &self.settings
    }

    /// Where files are received (`files/tmp`).
    pub fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the file of upload `id` is, if `id` is a UUID.
    pub fn file_path(&self, id: &str) -> Option<PathBuf> {
        let id = Uuid::parse_str(id).ok()?.hyphenated().to_string();
        Some(self.root.join(&id[..2]).join(id))
    }

    /// The recorded upload `id`.
    pub async fn record(&self, id: &str) -> Result<Option<UploadRecord>, UploadError> {
        let Ok(id) = Uuid::parse_str(id) else {
            return Ok(None);
        };
        rows::get(&self.db, &id.hyphenated().to_string())
            .await
            .map_err(|e| internal("reading an upload failed", e))
    }

    /// Removes temp files older than `older_than`; returns how many.
    pub async fn cleanup_temp(&self, older_than: Duration) -> io::Result<usize> {
        let mut entries = tokio::fs::read_dir(self.temp_dir()).await?;
        let now = SystemTime::now();
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await? {
            let metadata = entry.metadata().await?;
            let age = metadata
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .unwrap_or_default();
            if metadata.is_file() && age >= older_than {
                tokio::fs::remove_file(entry.path()).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Receives one file for `field` from `body`, checks and scans it, and
/// stores it. See the module documentation for the steps.
pub async fn store_upload<S, E>(
    storage: &UploadStorage,
    field: &Field,
    upload: NewUpload<'_>,
    body: S,
) -> Result<StoredFile, UploadError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    let check = Check::new(storage, field, upload)?;
    let id = Uuid::new_v4().hyphenated().to_string();
    let mut temp = TempFile::create(storage.temp_dir().join(format!("{id}.part"))).await?;
    let received = receive(&check, &mut temp.file, body).await?;
    temp.finish().await?;
    scan_file(storage, &check, &temp.path).await?;
    let record = UploadRecord {
        id,
        draft_id: check.draft_id,
        field_id: field.id.clone(),
        original_name: check.file,
        size: received.size,
        content_type: received.content_type.to_owned(),
        sha256: received.sha256,
    };
    keep(storage, temp, &record).await?;
    tracing::info!(
        field = %record.field_id,
        size = record.size,
        content_type = %record.content_type,
        "upload stored"
    );
    Ok(StoredFile {
        id: record.id,
        name: record.original_name,
        size: record.size,
        content_type: record.content_type,
    })
}

/// [`store_upload`] for a body that is an `AsyncRead`.
pub async fn store_upload_reader<R: AsyncRead>(
    storage: &UploadStorage,
    field: &Field,
    upload: NewUpload<'_>,
    body: R,
) -> Result<StoredFile, UploadError> {
    store_upload(
        storage,
        field,
        upload,
        tokio_util::io::ReaderStream::new(body),
    )
    .await
}

/// Deletes upload `id`: its row, then its file. `false` if there was none.
pub async fn delete_upload(storage: &UploadStorage, id: &str) -> Result<bool, UploadError> {
    let Some(path) = storage.file_path(id) else {
        return Ok(false);
    };
    let Ok(uuid) = Uuid::parse_str(id) else {
        return Ok(false);
    };
    let existed = rows::delete(&storage.db, &uuid.hyphenated().to_string())
        .await
        .map_err(|e| internal("deleting an upload row failed", e))?;
    match tokio::fs::remove_file(&path).await {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(existed),
        Err(e) => Err(internal("deleting an upload file failed", e)),
    }
}

/// The uploads recorded for draft `draft_id`, oldest first.
pub async fn draft_uploads(
    storage: &UploadStorage,
    draft_id: Uuid,
) -> Result<Vec<UploadRecord>, UploadError> {
    rows::for_draft(&storage.db, &draft_id.hyphenated().to_string())
        .await
        .map_err(|e| internal("listing a draft's uploads failed", e))
}

/// Deletes every upload of draft `draft_id`, files and rows; returns how
/// many. For the cleanup of expired drafts: each file goes before its row,
/// so a failure leaves a row that the next run finds again, never a file
/// that nothing points to. The first failure stops and is returned.
pub async fn delete_draft_uploads(
    storage: &UploadStorage,
    draft_id: Uuid,
) -> Result<usize, UploadError> {
    let records = draft_uploads(storage, draft_id).await?;
    for record in &records {
        if let Some(path) = storage.file_path(&record.id) {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(internal("deleting an expired draft's file failed", e)),
            }
        }
        rows::delete(&storage.db, &record.id)
            .await
            .map_err(|e| internal("deleting an expired draft's upload row failed", e))?;
    }
    Ok(records.len())
}

/// Logs an internal failure (never with file names) and hides it.
fn internal(context: &'static str, error: impl std::fmt::Display) -> UploadError {
    tracing::error!(error = %error, "{context}");
    UploadError::Internal
}

/// Everything the checks of one upload need.
struct Check<'a> {
    field: &'a Field,
    label: Text,
    /// Sanitized file name.
    file: String,
    declared: Option<&'a str>,
    draft_id: Option<String>,
    /// Effective size limit in bytes.
    limit: u64,
}

impl<'a> Check<'a> {
    fn new(
        storage: &UploadStorage,
        field: &'a Field,
        upload: NewUpload<'a>,
    ) -> Result<Check<'a>, UploadError> {
        if field.kind != FieldType::File {
            return Err(internal(
                "store_upload called for a field that is not a file field",
                &field.id,
            ));
        }
        let draft_id = match upload.draft_id {
            Some(raw) => Some(
                Uuid::parse_str(raw)
                    .map_err(|e| {
                        internal("store_upload called with a draft id that is no UUID", e)
                    })?
                    .hyphenated()
                    .to_string(),
            ),
            None => None,
        };
        let global = storage.settings.max_bytes;
        Ok(Check {
            field,
            label: field.label.clone(),
            file: sanitize_file_name(upload.file_name),
            declared: upload.declared_type,
            draft_id,
            limit: field.max_size_bytes.map_or(global, |max| max.min(global)),
        })
    }

    fn names(&self) -> (Text, String) {
        (self.label.clone(), self.file.clone())
    }

    fn too_large(&self) -> UploadError {
        let (label, file) = self.names();
        UploadError::TooLarge {
            label,
            file,
            max: self.limit,
        }
    }

    /// The real type of a file starting with `head`, if the field accepts
    /// it and the browser did not claim another.
    fn content_type(&self, head: &[u8]) -> Result<&'static str, UploadError> {
        let detected = detect(head);
        let (label, file) = self.names();
        if !media_type_allowed(detected, &self.field.accept) {
            tracing::info!(field = %self.field.id, detected, "upload of a type the field does not accept");
            return Err(UploadError::WrongType {
                label,
                file,
                accept: self.field.accept.clone(),
                detected,
            });
        }
        if !declared_matches(self.declared, detected) {
            tracing::info!(field = %self.field.id, detected, "upload whose declared type is not its real type");
            return Err(UploadError::TypeMismatch {
                label,
                file,
                declared: self.declared.unwrap_or_default().to_owned(),
                detected,
            });
        }
        Ok(detected)
    }
}

/// What [`receive`] measured.
struct Received {
    size: u64,
    sha256: String,
    content_type: &'static str,
}

/// Writes `body` to `out`, enforcing the limit and the type on the way.
async fn receive<S, E>(
    check: &Check<'_>,
    out: &mut tokio::fs::File,
    body: S,
) -> Result<Received, UploadError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut content_type = None;
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            tracing::info!(field = %check.field.id, error = %e, "upload body broke off");
            let (label, file) = check.names();
            UploadError::Interrupted { label, file }
        })?;
        let length = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        if size.saturating_add(length) > check.limit {
            tracing::info!(field = %check.field.id, limit = check.limit, "upload too large");
            return Err(check.too_large());
        }
        size += length;
        hasher.update(&chunk);
        if content_type.is_none() {
            let wanted = SNIFF_LEN - head.len();
            head.extend_from_slice(&chunk[..chunk.len().min(wanted)]);
            if head.len() == SNIFF_LEN {
                content_type = Some(check.content_type(&head)?);
            }
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| internal("writing an upload failed", e))?;
    }
    if size == 0 {
        let (label, file) = check.names();
        return Err(UploadError::Empty { label, file });
    }
    let content_type = match content_type {
        Some(found) => found,
        None => check.content_type(&head)?,
    };
    Ok(Received {
        size,
        sha256: hex::encode(hasher.finalize()),
        content_type,
    })
}

/// Sends the received file to clamd, if one is configured.
async fn scan_file(
    storage: &UploadStorage,
    check: &Check<'_>,
    path: &Path,
) -> Result<(), UploadError> {
    let Some(address) = &storage.settings.clamd else {
        return Ok(());
    };
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| internal("opening an upload for the scan failed", e))?;
    let (label, name) = check.names();
    match scan(address, file, storage.settings.scan_timeout).await {
        Ok(Verdict::Clean) => Ok(()),
        Ok(Verdict::Infected(signature)) => {
            tracing::warn!(field = %check.field.id, %signature, "upload refused: malware found");
            Err(UploadError::Infected { label, file: name })
        }
        Err(e) => {
            tracing::error!(field = %check.field.id, error = %e, "virus scan failed; upload refused");
            Err(UploadError::ScannerUnavailable { label, file: name })
        }
    }
}

/// Moves the checked temp file to its place and records it.
async fn keep(
    storage: &UploadStorage,
    mut temp: TempFile,
    record: &UploadRecord,
) -> Result<(), UploadError> {
    let path = storage
        .file_path(&record.id)
        .ok_or_else(|| internal("an upload id is not a UUID", &record.id))?;
    let dir = path.parent().unwrap_or(&storage.root).to_path_buf();
    let moved = async {
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::rename(&temp.path, &path).await?;
        temp.keep = true;
        // The rename survives a crash only once the directory is synced.
        tokio::fs::File::open(&dir).await?.sync_all().await
    };
    moved
        .await
        .map_err(|e| internal("moving an upload into place failed", e))?;
    if let Err(e) = rows::insert(&storage.db, record).await {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(internal("recording an upload failed", e));
    }
    Ok(())
}

/// A temp file that is removed when dropped, unless it was kept.
struct TempFile {
    path: PathBuf,
    file: tokio::fs::File,
    keep: bool,
}

impl TempFile {
    async fn create(path: PathBuf) -> Result<TempFile, UploadError> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| internal("creating an upload temp file failed", e))?;
        Ok(TempFile {
            path,
            file,
            keep: false,
        })
    }

    /// Flushes and syncs the content to disk.
    async fn finish(&mut self) -> Result<(), UploadError> {
        let synced = async {
            self.file.flush().await?;
            self.file.sync_all().await
        };
        synced
            .await
            .map_err(|e| internal("syncing an upload failed", e))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            // Runs on drop (also when the request's future is cancelled),
            // so it cannot await; removing one file is quick.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
