//! Why an upload was not stored. Every variant but [`UploadError::Internal`]
//! is the citizen's to fix (or to retry) and has a message in German and
//! English ([`UploadError::message`]) that names the field and the file,
//! as the engine's messages do; size, emptiness and type use the engine's
//! own texts. The internal variant's text is generic: the details go to
//! the log where the error is made, without file names.

use std::fmt;

use amtsweg_forms::{
    Text,
    messages::{self, Name},
};

use super::detect::describe;

/// An upload that was refused or failed. `Display` is the German message.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Larger than the field (or the portal) allows; `max` in bytes.
    TooLarge { label: Text, file: String, max: u64 },
    /// Zero bytes.
    Empty { label: Text, file: String },
    /// The real type is not one the field accepts.
    WrongType {
        label: Text,
        file: String,
        accept: Vec<String>,
        detected: &'static str,
    },
    /// The browser called it something other than what it is.
    TypeMismatch {
        label: Text,
        file: String,
        declared: String,
        detected: &'static str,
    },
    /// The virus scanner found something.
    Infected { label: Text, file: String },
    /// A scanner is configured but could not check the file (fail closed).
    ScannerUnavailable { label: Text, file: String },
    /// The request body broke off (the connection dropped, bad multipart).
    Interrupted { label: Text, file: String },
    /// Storage failed; see the log.
    Internal,
}

fn t(de: String, en: String) -> Text {
    Text::new(de, en)
}

impl UploadError {
    /// The message for the citizen, in German and English.
    pub fn message(&self) -> Text {
        match self {
            UploadError::TooLarge { label, file, max } => {
                messages::file_too_large(&Name::of(label), file, *max)
            }
            UploadError::Empty { label, file } => messages::file_empty(&Name::of(label), file),
            UploadError::WrongType {
                label,
                file,
                accept,
                ..
            } => wrong_type(label, file, accept),
            UploadError::TypeMismatch {
                label,
                file,
                declared,
                detected,
            } => mismatch(label, file, declared, detected),
            UploadError::Infected { label, file } => {
                let n = names(label);
                t(
                    format!(
                        "Die Datei „{file}“ bei „{}“ enthält Schadsoftware und wurde nicht gespeichert.",
                        n.0
                    ),
                    format!(
                        "The file “{file}” for “{}” contains malware and was not stored.",
                        n.1
                    ),
                )
            }
            UploadError::ScannerUnavailable { .. } => t(
                "Die Datei konnte gerade nicht geprüft werden. Bitte versuchen Sie es später erneut."
                    .into(),
                "The file could not be checked just now. Please try again later.".into(),
            ),
            UploadError::Interrupted { label, file } => {
                let n = names(label);
                t(
                    format!(
                        "Die Datei „{file}“ bei „{}“ kam nicht vollständig an. Bitte laden Sie sie erneut hoch.",
                        n.0
                    ),
                    format!(
                        "The file “{file}” for “{}” did not arrive completely. Please upload it again.",
                        n.1
                    ),
                )
            }
            UploadError::Internal => t(
                "Die Datei konnte wegen eines technischen Fehlers nicht gespeichert werden. \
                 Bitte versuchen Sie es später erneut."
                    .into(),
                "The file could not be stored because of a technical error. \
                 Please try again later."
                    .into(),
            ),
        }
    }

    /// Whether the portal, not the citizen's file, is at fault (an HTTP
    /// handler answers 5xx for these).
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            UploadError::Internal | UploadError::ScannerUnavailable { .. }
        )
    }
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().de)
    }
}

/// The label in German and English (German when there is no English).
fn names(label: &Text) -> (&str, &str) {
    (&label.de, label.en.as_deref().unwrap_or(&label.de))
}

fn kinds(accept: &[String], german: bool) -> String {
    let mut words: Vec<String> = accept.iter().map(|a| describe(a, german)).collect();
    words.dedup();
    words.join(", ")
}

fn wrong_type(label: &Text, file: &str, accept: &[String]) -> Text {
    let n = names(label);
    t(
        format!(
            "Die Datei „{file}“ bei „{}“ hat ein nicht erlaubtes Format. Erlaubt: {}.",
            n.0,
            kinds(accept, true)
        ),
        format!(
            "The file “{file}” for “{}” is not an allowed type. Allowed: {}.",
            n.1,
            kinds(accept, false)
        ),
    )
}

fn mismatch(label: &Text, file: &str, declared: &str, detected: &str) -> Text {
    let n = names(label);
    t(
        format!(
            "Die Datei „{file}“ bei „{}“ ist als {} angegeben, ist aber eine {}-Datei. \
             Bitte speichern Sie sie im richtigen Format und laden Sie sie erneut hoch.",
            n.0,
            describe(declared, true),
            describe(detected, true)
        ),
        format!(
            "The file “{file}” for “{}” claims to be {} but is a {} file. \
             Please save it in the right format and upload it again.",
            n.1,
            describe(declared, false),
            describe(detected, false)
        ),
    )
}
