//! The one error type of the xdomea module. `Display` is English (for the
//! log); [`Error::message_de`] is the German text for staff, e.g. in the
//! back-office's delivery status. Neither ever contains file contents;
//! values quoted from a message are cut short.
//!
//! This file owns the wording; it must not decide what a caller does with
//! an error (retry, alert, mark failed).

use thiserror::Error as ThisError;
use uuid::Uuid;

/// What went wrong building or reading an xdomea message or package.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum Error {
    /// The input is larger than this reader accepts.
    #[error("the input has {size} bytes, more than the {limit} bytes allowed")]
    TooLarge { size: u64, limit: u64 },
    /// Not well-formed UTF-8 XML.
    #[error("the input is not well-formed UTF-8 XML: {detail}")]
    NotXml { detail: String },
    /// Elements nested deeper than the reader follows.
    #[error("the XML nests elements deeper than {limit} levels")]
    TooDeep { limit: usize },
    /// More elements than the reader keeps.
    #[error("the XML has more than {limit} elements")]
    TooManyElements { limit: usize },
    /// A `<!DOCTYPE …>`: xdomea messages have none, and entity definitions
    /// are a classic attack on XML readers.
    #[error("the XML has a document type declaration, which xdomea messages must not have")]
    DoctypeNotAllowed,
    /// The root element is not the expected message.
    #[error("the message is {found}, expected {expected} in the xdomea 3.0.0 namespace")]
    WrongMessage {
        expected: &'static str,
        found: String,
    },
    /// `Kopf/Nachrichtentyp/code` does not match the root element.
    #[error("the message type code is {found:?}, expected {expected}")]
    WrongMessageType {
        expected: &'static str,
        found: String,
    },
    /// A required element is absent or empty.
    #[error("the required element {path} is missing")]
    Missing { path: String },
    /// An element has a value its type does not allow.
    #[error("{path} has the invalid value {value:?}: {reason}")]
    Invalid {
        path: String,
        value: String,
        reason: &'static str,
    },
    /// A negative import confirmation without any reason.
    #[error("the import confirmation reports a failure but gives no reason")]
    MissingReason,
    /// Two documents of one filing share an id.
    #[error("two documents of the filing have the same id {id}")]
    DuplicateDocument { id: Uuid },
    /// A time outside the years 1–9999, which xs:dateTime cannot carry
    /// here.
    #[error("the {what} is outside the years 1 to 9999")]
    TimeOutOfRange { what: &'static str },
    /// The package was asked for without the content of a document.
    #[error("no content was given for document {id} ({file_name})")]
    MissingContent { id: Uuid, file_name: String },
    /// Content was given for a document the filing does not list.
    #[error("content was given for {id}, which is not a document of the filing")]
    UnknownContent { id: Uuid },
    /// A file's bytes differ from what the filing or message says of them.
    #[error("the content of {file_name} does not match the message: {detail}")]
    ContentMismatch { file_name: String, detail: String },
    /// The package is not a ZIP file this reader can open.
    #[error("the package is not a readable ZIP file: {detail}")]
    NotZip { detail: String },
    /// The package has no (or more than one) message file.
    #[error(
        "the package must hold exactly one file named {{UUID}}_{expected}.xml, it holds {found}"
    )]
    MessageFile {
        expected: &'static str,
        found: usize,
    },
    /// A file the message references is not in the package.
    #[error("the package lacks {file_name}, which the message references")]
    MissingFile { file_name: String },
    /// The package holds a file the message does not reference.
    #[error("the package holds {file_name}, which the message does not reference")]
    UnexpectedFile { file_name: String },
    /// Writing the XML or the ZIP, or reading a document's content, failed.
    #[error("writing failed: {detail}")]
    Io { detail: String },
}

impl Error {
    /// The English text (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The German text, for staff.
    pub fn message_de(&self) -> String {
        match self {
            Error::TooLarge { size, limit } => {
                format!("Die Eingabe hat {size} Bytes, erlaubt sind höchstens {limit} Bytes.")
            }
            Error::NotXml { detail } => {
                format!("Die Eingabe ist kein wohlgeformtes XML in UTF-8: {detail}")
            }
            Error::TooDeep { limit } => {
                format!("Das XML verschachtelt Elemente tiefer als {limit} Ebenen.")
            }
            Error::TooManyElements { limit } => {
                format!("Das XML hat mehr als {limit} Elemente.")
            }
            Error::DoctypeNotAllowed => {
                "Das XML enthält eine Dokumenttyp-Deklaration (DOCTYPE); xdomea-Nachrichten haben keine."
                    .to_owned()
            }
            Error::WrongMessage { expected, found } => format!(
                "Die Nachricht ist {found}, erwartet wurde {expected} im Namensraum von xdomea 3.0.0."
            ),
            Error::WrongMessageType { expected, found } => {
                format!("Der Nachrichtentyp ist {found:?}, erwartet wurde {expected}.")
            }
            Error::Missing { path } => format!("Das Pflichtelement {path} fehlt."),
            Error::Invalid {
                path,
                value,
                reason,
            } => format!(
                "{path} hat den ungültigen Wert {value:?} ({}).",
                reason_de(reason)
            ),
            Error::MissingReason => {
                "Die Importbestätigung meldet einen Fehler, nennt aber keinen Grund.".to_owned()
            }
            Error::DuplicateDocument { id } => {
                format!("Zwei Dokumente der Ablage haben dieselbe ID {id}.")
            }
            Error::TimeOutOfRange { what } => {
                format!("Der Zeitpunkt ({}) liegt nicht in den Jahren 1 bis 9999.", what_de(what))
            }
            Error::MissingContent { id, file_name } => {
                format!("Für das Dokument {id} ({file_name}) fehlt der Inhalt.")
            }
            Error::UnknownContent { id } => {
                format!("Für {id} wurde Inhalt übergeben, aber es ist kein Dokument der Ablage.")
            }
            Error::ContentMismatch { file_name, detail } => {
                format!("Der Inhalt von {file_name} passt nicht zur Nachricht: {detail}")
            }
            Error::NotZip { detail } => {
                format!("Das Paket ist keine lesbare ZIP-Datei: {detail}")
            }
            Error::MessageFile { expected, found } => format!(
                "Das Paket muss genau eine Datei {{UUID}}_{expected}.xml enthalten, es enthält {found}."
            ),
            Error::MissingFile { file_name } => {
                format!("Im Paket fehlt {file_name}, auf das die Nachricht verweist.")
            }
            Error::UnexpectedFile { file_name } => {
                format!("Das Paket enthält {file_name}, auf das die Nachricht nicht verweist.")
            }
            Error::Io { detail } => format!("Schreiben fehlgeschlagen: {detail}"),
        }
    }

    /// An [`Error::Invalid`] whose quoted value is cut to a readable
    /// length (a hostile message must not blow up the log).
    pub(crate) fn invalid(path: impl Into<String>, value: &str, reason: &'static str) -> Error {
        const SHOWN: usize = 80;
        let value = match value.char_indices().nth(SHOWN) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_owned(),
        };
        Error::Invalid {
            path: path.into(),
            value,
            reason,
        }
    }

    pub(crate) fn missing(path: impl Into<String>) -> Error {
        Error::Missing { path: path.into() }
    }

    pub(crate) fn io(error: impl std::fmt::Display) -> Error {
        Error::Io {
            detail: error.to_string(),
        }
    }
}

/// The reasons of [`Error::Invalid`] are a closed set of English phrases;
/// this gives their German wording.
fn reason_de(reason: &str) -> &'static str {
    match reason {
        REASON_UUID => "keine UUID",
        REASON_BOOLEAN => "kein Wahrheitswert (0, 1, false, true)",
        REASON_DATE_TIME => "kein Zeitpunkt (xs:dateTime)",
        REASON_NUMBER => "keine Zahl im erlaubten Bereich",
        REASON_FILE_NAME => "kein Dateiname der Form UUID_Name ohne Pfad",
        REASON_HEX => "keine SHA-256-Prüfsumme (64 Hexadezimalziffern)",
        REASON_RECORD => "Amtsweg liest nur Vorgänge",
        REASON_ENCODING => "nur UTF-8 ist erlaubt",
        _ => "ungültig",
    }
}

fn what_de(what: &str) -> &'static str {
    match what {
        WHAT_CREATED => "Erstellungszeitpunkt",
        WHAT_SUBMITTED => "Eingangszeitpunkt",
        WHAT_PAID => "Bezahlzeitpunkt",
        WHAT_DOCUMENT => "Zeitpunkt eines Dokuments",
        _ => "Zeitpunkt",
    }
}

pub(crate) const REASON_UUID: &str = "not a UUID";
pub(crate) const REASON_BOOLEAN: &str = "not a boolean (0, 1, false, true)";
pub(crate) const REASON_DATE_TIME: &str = "not an xs:dateTime";
pub(crate) const REASON_NUMBER: &str = "not a number in range";
pub(crate) const REASON_FILE_NAME: &str = "not a file name of the form UUID_name without a path";
pub(crate) const REASON_HEX: &str = "not a SHA-256 checksum (64 hex digits)";
pub(crate) const REASON_RECORD: &str = "Amtsweg reads only a Vorgang";
pub(crate) const REASON_ENCODING: &str = "only UTF-8 is allowed";

pub(crate) const WHAT_CREATED: &str = "message creation time";
pub(crate) const WHAT_SUBMITTED: &str = "submission time";
pub(crate) const WHAT_PAID: &str = "payment time";
pub(crate) const WHAT_DOCUMENT: &str = "document time";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdomea_errors_speak_german_and_english() {
        let e = Error::invalid("Kopf/ProzessID", &"x".repeat(200), REASON_UUID);
        assert!(e.message_en().contains("not a UUID"));
        assert!(e.message_de().contains("keine UUID"));
        // The quoted value is cut.
        assert!(e.message_en().len() < 150, "{}", e.message_en());
        let t = Error::TimeOutOfRange { what: WHAT_PAID };
        assert!(t.message_de().contains("Bezahlzeitpunkt"));
    }
}
