//! File uploads in a step's POST: reading a `multipart/form-data` body,
//! checking its CSRF token before any file is stored, streaming each file
//! through [`uploads::store_upload`], and keeping the results in the
//! draft's raw answers.
//!
//! - **Order.** The step form puts the hidden `_csrf` input before every
//!   file input, so the text parts before the first file part carry the
//!   token; it is verified when the first file part arrives (or at the end
//!   when there is none). A request without a valid token stores nothing.
//! - **Which files.** Only non-empty parts (a file name was sent) whose
//!   name is a top-level file field of the posted step are stored; other
//!   file parts are drained and ignored. A field that already has
//!   `max_files` files refuses more with the engine's message.
//! - **Where they go.** A stored file is appended to the field's array in
//!   the draft's raw answers (`{"id","name","size","content_type"}`); the
//!   engine checks count, size and type again on evaluation.
//! - **Errors.** A refused upload becomes an [`UploadFailure`] (field id +
//!   German/English message from [`UploadError::message`]). The failures of
//!   a step's last POST are kept in the draft's raw answers under
//!   [`UPLOAD_ERRORS_KEY`] (`{"<step>": [{"field", "message"}]}`), replaced
//!   by every POST of that step, so the GET after the redirect shows them
//!   like validation errors. The engine reads only defined fields, so the
//!   key never reaches a submission; posted names starting with `_` are
//!   never merged, so a citizen cannot set it.
//! - **Removing.** `_action=remove-file:<field>:<id>` removes the entry
//!   from the draft (only ids the draft holds, so nobody can delete another
//!   draft's file) and then deletes the stored file with
//!   [`uploads::delete_upload`].
//! - **Too large.** A body over the step route's limit
//!   ([`step_body_limit`]) is answered with a 413 page that explains the
//!   limit in German and English.

use std::collections::HashMap;

use amtsweg_app::journey::UPLOAD_ERRORS_KEY;
use amtsweg_forms::{
    Answers, FieldType, Step, Text,
    messages::{self, Name},
};
use axum::{
    extract::{Multipart, multipart::MultipartError},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;
use tower_sessions::Session;
use uuid::Uuid;

use crate::{
    csrf::{self, CsrfRejection},
    uploads::{self, NewUpload, StoredFile, UploadStorage},
};

/// How many files one step POST may carry at most (the engine's highest
/// `max_files`); with the largest file size this bounds the request body.
pub const MAX_FILES_PER_REQUEST: u64 = 20;
/// Room for the text parts and multipart headers.
pub const BODY_MARGIN: u64 = 1024 * 1024;

/// The body limit of the step route: `AMTSWEG_UPLOAD_MAX_BYTES` ×
/// [`MAX_FILES_PER_REQUEST`] + [`BODY_MARGIN`]. Files are streamed, so the
/// limit bounds abuse, not memory; each file has its own, smaller limit.
pub fn step_body_limit(upload_max_bytes: u64) -> usize {
    let bytes = upload_max_bytes
        .saturating_mul(MAX_FILES_PER_REQUEST)
        .saturating_add(BODY_MARGIN);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// Where the files of one step POST go.
#[derive(Debug, Clone, Copy)]
pub struct UploadTarget<'a> {
    pub storage: &'a UploadStorage,
    pub step: &'a Step,
    pub draft_id: Uuid,
    /// The draft's raw answers before this POST (for `max_files`).
    pub raw: &'a Answers,
}

/// A refused upload, as the step page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadFailure {
    /// The file field's id (also the input's id).
    pub field: String,
    pub message: Text,
}

/// What a multipart step POST carried.
#[derive(Debug, Default)]
pub struct MultipartStep {
    /// The text parts in order, without `_csrf`.
    pub pairs: Vec<(String, String)>,
    /// Stored files by field id, in order.
    pub stored: Vec<(String, StoredFile)>,
    /// Refused files.
    pub failures: Vec<UploadFailure>,
}

/// Why a multipart POST was not read.
#[derive(Debug, Error)]
pub enum MultipartRejection {
    #[error(transparent)]
    Csrf(#[from] CsrfRejection),
    #[error("the request body is larger than the step route allows")]
    TooLarge { limit: u64 },
}

impl IntoResponse for MultipartRejection {
    fn into_response(self) -> Response {
        match self {
            MultipartRejection::Csrf(e) => e.into_response(),
            MultipartRejection::TooLarge { limit } => {
                tracing::info!(limit, "step POST refused: body too large");
                (StatusCode::PAYLOAD_TOO_LARGE, Html(too_large_page(limit))).into_response()
            }
        }
    }
}

fn body_error(error: MultipartError, limit: u64) -> MultipartRejection {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        MultipartRejection::TooLarge { limit }
    } else {
        MultipartRejection::Csrf(CsrfRejection::Body(error.body_text()))
    }
}

/// Reads a multipart step POST: text parts into pairs, CSRF verified
/// before the first file part, files stored for `target` (with `None`,
/// e.g. when there is no draft, files are only drained). `limit` is the
/// route's body limit, for the message when it is exceeded.
pub async fn read_multipart(
    mut multipart: Multipart,
    session: &Session,
    target: Option<UploadTarget<'_>>,
    limit: u64,
) -> Result<MultipartStep, MultipartRejection> {
    let mut out = MultipartStep::default();
    let mut token: Option<String> = None;
    let mut verified = false;
    let mut added: HashMap<String, usize> = HashMap::new();
    let draft_id = target.map(|t| t.draft_id.hyphenated().to_string());
    loop {
        let mut part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(e) => return Err(body_error(e, limit)),
        };
        let name = part.name().unwrap_or_default().to_owned();
        let Some(file_name) = part.file_name().map(str::to_owned) else {
            let text = part.text().await.map_err(|e| body_error(e, limit))?;
            if name == csrf::FIELD {
                token.get_or_insert(text);
            } else {
                out.pairs.push((name, text));
            }
            continue;
        };
        if !verified {
            csrf::verify(session, token.as_deref()).await?;
            verified = true;
        }
        let field = target.and_then(|t| {
            t.step
                .fields
                .iter()
                .find(|f| f.id == name && f.kind == FieldType::File)
                .map(|f| (t, f))
        });
        let Some((target, field)) = field.filter(|_| !file_name.is_empty()) else {
            // No file chosen, or not a file field of this step.
            while part
                .chunk()
                .await
                .map_err(|e| body_error(e, limit))?
                .is_some()
            {}
            continue;
        };
        let max = field.max_files.unwrap_or(1);
        let count = file_count(target.raw, &field.id) + added.get(&field.id).copied().unwrap_or(0);
        if count >= usize::try_from(max).unwrap_or(usize::MAX) {
            while part
                .chunk()
                .await
                .map_err(|e| body_error(e, limit))?
                .is_some()
            {}
            out.failures.push(UploadFailure {
                field: field.id.clone(),
                message: messages::too_many_files(&Name::of(&field.label), max),
            });
            continue;
        }
        let declared = part.content_type().map(str::to_owned);
        let upload = NewUpload {
            file_name: &file_name,
            declared_type: declared.as_deref(),
            draft_id: draft_id.as_deref(),
        };
        match uploads::store_upload(target.storage, field, upload, part).await {
            Ok(stored) => {
                *added.entry(field.id.clone()).or_default() += 1;
                out.stored.push((field.id.clone(), stored));
            }
            Err(e) => out.failures.push(UploadFailure {
                field: field.id.clone(),
                message: e.message(),
            }),
        }
    }
    if !verified {
        csrf::verify(session, token.as_deref()).await?;
    }
    Ok(out)
}

/// How many files the raw answer of `field` holds.
fn file_count(raw: &Answers, field: &str) -> usize {
    match raw.get(field) {
        Some(Value::Array(items)) => items.len(),
        Some(Value::Object(_)) => 1,
        _ => 0,
    }
}

/// Appends stored files to their fields' arrays in the raw answers.
pub fn add_files(raw: &mut Answers, stored: Vec<(String, StoredFile)>) {
    for (field, file) in stored {
        let Ok(value) = serde_json::to_value(&file) else {
            continue;
        };
        let entry = raw.entry(field).or_insert_with(|| Value::Array(Vec::new()));
        match entry {
            Value::Array(items) => items.push(value),
            Value::Object(_) => {
                let first = entry.take();
                *entry = Value::Array(vec![first, value]);
            }
            other => *other = Value::Array(vec![value]),
        }
    }
}

/// Replaces the upload failures kept for `step_id` (none: the key goes).
pub fn set_upload_failures(raw: &mut Answers, step_id: &str, failures: &[UploadFailure]) {
    let all = raw
        .entry(UPLOAD_ERRORS_KEY.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !all.is_object() {
        *all = Value::Object(Map::new());
    }
    if let Value::Object(steps) = all {
        steps.remove(step_id);
        if !failures.is_empty()
            && let Ok(list) = serde_json::to_value(failures)
        {
            steps.insert(step_id.to_owned(), list);
        }
        if steps.is_empty() {
            raw.remove(UPLOAD_ERRORS_KEY);
        }
    }
}

/// Removes the file `id` from `field`'s answer; `true` when the draft
/// held it (only then may the stored file be deleted).
pub fn remove_file_answer(raw: &mut Answers, field: &str, id: &str) -> bool {
    match raw.get_mut(field) {
        Some(Value::Array(items)) => {
            let before = items.len();
            items.retain(|f| f.get("id").and_then(Value::as_str) != Some(id));
            items.len() != before
        }
        Some(Value::Object(file)) if file.get("id").and_then(Value::as_str) == Some(id) => {
            raw.insert(field.to_owned(), Value::Array(Vec::new()));
            true
        }
        _ => false,
    }
}

/// Deletes a stored file after the draft no longer refers to it; a
/// failure leaves an orphan that is logged (no file names).
pub async fn delete_file(storage: &UploadStorage, id: &str) {
    if let Err(e) = uploads::delete_upload(storage, id).await {
        tracing::error!(error = %e, "deleting a removed upload failed");
    }
}

fn too_large_page(limit: u64) -> String {
    let mb = limit.div_ceil(1024 * 1024);
    format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dateien zu groß – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main">
<h1>Die Dateien sind zu groß</h1>
<p>Zusammen dürfen die Dateien eines Schritts höchstens {mb} MB groß sein. Ihre Angaben dieses Schritts wurden nicht gespeichert. Bitte gehen Sie im Browser zurück und laden Sie weniger oder kleinere Dateien hoch.</p>
<section lang="en">
<h2>The files are too large</h2>
<p>The files of one step may be at most {mb} MB together. Your answers on this step were not saved. Please go back in your browser and upload fewer or smaller files.</p>
</section>
</main>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn file(id: &str) -> StoredFile {
        StoredFile {
            id: id.into(),
            name: format!("{id}.pdf"),
            size: 10,
            content_type: "application/pdf".into(),
        }
    }

    #[test]
    fn files_are_appended_and_removed() {
        let mut raw = json!({"beleg": [{"id": "a"}]}).as_object().unwrap().clone();
        add_files(
            &mut raw,
            vec![("beleg".into(), file("b")), ("neu".into(), file("c"))],
        );
        assert_eq!(raw["beleg"].as_array().unwrap().len(), 2);
        assert_eq!(raw["neu"][0]["id"], "c");
        assert!(remove_file_answer(&mut raw, "beleg", "a"));
        assert!(!remove_file_answer(&mut raw, "beleg", "a"));
        assert!(!remove_file_answer(&mut raw, "fremd", "b"));
        assert_eq!(
            raw["beleg"],
            json!([serde_json::to_value(file("b")).unwrap()])
        );
    }

    #[test]
    fn failures_are_kept_per_step_and_cleared() {
        let mut raw = Map::new();
        let failure = UploadFailure {
            field: "beleg".into(),
            message: Text::new("de", "en"),
        };
        set_upload_failures(&mut raw, "s", std::slice::from_ref(&failure));
        assert_eq!(
            raw[UPLOAD_ERRORS_KEY],
            json!({"s": [{"field": "beleg", "message": {"de": "de", "en": "en"}}]})
        );
        set_upload_failures(&mut raw, "s", &[]);
        assert!(!raw.contains_key(UPLOAD_ERRORS_KEY));
    }

    #[test]
    fn the_limit_fits_twenty_files() {
        assert_eq!(step_body_limit(10), 200 + 1024 * 1024);
        assert_eq!(step_body_limit(u64::MAX), usize::MAX);
    }
}
