//! Form definition files: checking them (`amtsweg check-definition`) and
//! publishing a directory of them into the database at start.
//!
//! Checking is the engine's [`Form::load`]; this module adds files,
//! reporting, and the idempotent publish of each `(id, version)`.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use amtsweg_forms::Form;
use serde_json::Value;
use thiserror::Error;

use crate::db::{Db, DbError, Published};

/// Why a definitions directory could not be published.
#[derive(Debug, Error)]
pub enum PublishError {
    #[error("cannot read the definitions directory {dir}: {source}")]
    ReadDir { dir: String, source: std::io::Error },
    #[error("cannot read {file}: {source}")]
    ReadFile {
        file: String,
        source: std::io::Error,
    },
    #[error("{file} is not a valid form definition:\n{problems}")]
    Invalid { file: String, problems: String },
    #[error("{file}: {source}")]
    Store { file: String, source: DbError },
}

/// What publishing a directory did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PublishReport {
    /// Versions published now.
    pub new: Vec<(String, u32)>,
    /// Versions that were already published with the same content.
    pub unchanged: Vec<(String, u32)>,
}

/// The definition files of `dir`: `*.json`, sorted by name, without JSON
/// Schema files (`*.schema.json`).
pub fn definition_files(dir: &Path) -> Result<Vec<PathBuf>, PublishError> {
    let read_dir_error = |source| PublishError::ReadDir {
        dir: dir.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_dir_error)? {
        let path = entry.map_err(read_dir_error)?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_file() && name.ends_with(".json") && !name.ends_with(".schema.json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Checks and publishes every definition in `dir`. Stops at the first
/// invalid file or conflicting version: a portal must not start with a
/// definition it cannot serve.
pub async fn publish_dir(db: &Db, dir: &Path) -> Result<PublishReport, PublishError> {
    let mut report = PublishReport::default();
    for path in definition_files(dir)? {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| PublishError::ReadFile {
            file: file.clone(),
            source,
        })?;
        let form = Form::load(&text).map_err(|errors| PublishError::Invalid {
            file: file.clone(),
            problems: errors.to_string(),
        })?;
        // Store the file's JSON as written (not re-serialized from the
        // model), so a change in the engine's defaults does not make an
        // unchanged file look like different content.
        let raw: Value = serde_json::from_str(&text).map_err(|e| PublishError::Invalid {
            file: file.clone(),
            problems: e.to_string(),
        })?;
        let definition = form.definition();
        let outcome = db
            .publish_form_version(
                &definition.id,
                definition.version,
                &definition.title.de,
                &raw,
            )
            .await
            .map_err(|source| PublishError::Store {
                file: file.clone(),
                source,
            })?;
        let key = (definition.id.clone(), definition.version);
        match outcome {
            Published::New => report.new.push(key),
            Published::Unchanged => report.unchanged.push(key),
        }
    }
    Ok(report)
}

/// Exit status of `check-definition`: all files are valid.
pub const CHECK_OK: i32 = 0;
/// Exit status of `check-definition`: a file has problems.
pub const CHECK_INVALID: i32 = 1;
/// Exit status of `check-definition`: a file could not be read.
pub const CHECK_UNREADABLE: i32 = 2;

/// Checks each file and writes `FILE: ok` or one line per problem
/// (`FILE: $.path: message`) to `out`. Returns the exit status: 2 if a
/// file could not be read, else 1 if a file has problems, else 0.
pub fn check_files(files: &[PathBuf], out: &mut impl Write) -> std::io::Result<i32> {
    let mut status = CHECK_OK;
    for path in files {
        let file = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                writeln!(out, "{file}: cannot read the file: {e}")?;
                status = CHECK_UNREADABLE;
                continue;
            }
        };
        match Form::load(&text) {
            Ok(_) => writeln!(out, "{file}: ok")?,
            Err(errors) => {
                for error in &errors.0 {
                    writeln!(out, "{file}: {}: {}", error.path, error.message)?;
                }
                if errors.0.is_empty() {
                    writeln!(out, "{file}: invalid")?;
                }
                if status == CHECK_OK {
                    status = CHECK_INVALID;
                }
            }
        }
    }
    Ok(status)
}
