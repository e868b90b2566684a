//! Import of a FIM Stammdatenschema (XDatenfelder 2.0,
//! `urn:xoev-de:fim:standard:xdatenfelder_2`, and 3.0.0,
//! `urn:xoev-de:fim:standard:xdatenfelder_3.0.0`) into a draft
//! [`FormDefinition`] plus an [`ImportReport`].
//!
//! Owns the mapping from FIM to the definition format: data field groups
//! become steps (top level) or groups (nested), data fields become fields
//! with their FIM id and version kept ([`crate::FimRef`]), types, lengths,
//! value limits, code lists and cardinalities are mapped, and free-text
//! rules (Regeln) are kept as notes for the editor. Whatever cannot be
//! mapped is listed in the report with its element and FIM id; nothing is
//! dropped silently. A document that is not a well-formed XDatenfelder
//! message (unknown namespace, unexpected or duplicate elements, a missing
//! or empty id, an invalid Freigabestatus) is rejected with a [`FimError`]
//! that names the element, its line and column, in German and English.
//!
//! Pure like the rest of the crate: it reads bytes and returns values; it
//! never fetches code lists or anything else.
//!
//! ```
//! let xml = br#"<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
//!   <xdf:header><xdf:nachrichtID>1</xdf:nachrichtID></xdf:header>
//!   <xdf:stammdatenschema>
//!     <xdf:identifikation><xdf:id>S1</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
//!     <xdf:name>Beispiel</xdf:name>
//!     <xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
//!       <xdf:identifikation><xdf:id>F1</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
//!       <xdf:name>Familienname</xdf:name>
//!       <xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>
//!     </xdf:datenfeld></xdf:enthaelt></xdf:struktur>
//!   </xdf:stammdatenschema>
//! </xdf:xdatenfelder.stammdatenschema.0102>"#;
//! let import = amtsweg_forms::fim::import(xml).unwrap();
//! let field = &import.definition.steps[0].fields[0];
//! assert_eq!(field.id, "familienname");
//! assert_eq!(field.fim.as_ref().unwrap().id, "F1");
//! assert!(field.required);
//! ```

mod convert;
mod parse;
mod xml;

use std::fmt;

use serde::Serialize;

use crate::model::{FormDefinition, Text};
use crate::{DefinitionError, Form};

pub use xml::{MAX_BYTES, MAX_DEPTH, MAX_ELEMENTS};

/// The XDatenfelder namespace of version 2.0.
pub const NS_V2: &str = "urn:xoev-de:fim:standard:xdatenfelder_2";
/// The XDatenfelder namespace of version 3.0.0.
pub const NS_V3: &str = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0";

/// Which XDatenfelder version a document is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Standard {
    /// XDatenfelder 2.0.
    #[serde(rename = "xdatenfelder-2.0")]
    V2,
    /// XDatenfelder 3.0.0.
    #[serde(rename = "xdatenfelder-3.0.0")]
    V3,
}

impl Standard {
    pub fn name(self) -> &'static str {
        match self {
            Standard::V2 => "XDatenfelder 2.0",
            Standard::V3 => "XDatenfelder 3.0.0",
        }
    }
}

/// The result of an import: a draft definition and what the editor must
/// know about it.
#[derive(Debug, Clone)]
pub struct FimImport {
    pub definition: FormDefinition,
    pub report: ImportReport,
}

/// What an import did not (or not fully) map, and whether the draft passes
/// the engine's definition check.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub standard: Standard,
    /// The message element, e.g. `xdatenfelder.stammdatenschema.0102`.
    pub message: String,
    /// FIM id of the Stammdatenschema (or root data field group).
    pub fim_id: String,
    pub fim_version: Option<String>,
    pub name: String,
    /// Counts of what was made.
    pub steps: usize,
    pub fields: usize,
    /// Everything the editor has to look at.
    pub items: Vec<ReportItem>,
    /// The engine's definition check of the draft; empty when it passes.
    pub check_errors: Vec<DefinitionError>,
}

/// How serious a report item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Mapped, but with an assumption the editor should confirm.
    Note,
    /// Kept for the editor (e.g. a rule as a note), not built.
    Kept,
    /// Not supported by the portal: left out or replaced, see the message.
    Unsupported,
}

/// One thing the editor has to look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportItem {
    pub severity: Severity,
    /// A stable code (`rule_kept`, `code_list_values_missing`, …).
    pub code: &'static str,
    /// The XML element it is about (`xdf:datenfeld`, line and column).
    pub element: String,
    pub line: usize,
    /// FIM id (and version) of the element, when it has one.
    pub fim_id: Option<String>,
    /// Where in the draft it ended up (`$.steps[0].fields[1]`), if anywhere.
    pub path: Option<String>,
    pub message: Text,
}

impl ImportReport {
    /// Items with a given code (for tests and the editor's filters).
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a ReportItem> + 'a {
        self.items.iter().filter(move |i| i.code == code)
    }

    /// Whether the draft passes the definition check.
    pub fn passes_check(&self) -> bool {
        self.check_errors.is_empty()
    }
}

impl fmt::Display for ImportReport {
    /// The report as plain text, one item a line, German first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "FIM-Import / FIM import: {} {} {} „{}“ ({})",
            self.standard.name(),
            self.fim_id,
            self.fim_version.as_deref().unwrap_or("-"),
            self.name,
            self.message
        )?;
        writeln!(
            f,
            "{} Schritte, {} Felder / {} steps, {} fields",
            self.steps, self.fields, self.steps, self.fields
        )?;
        for item in &self.items {
            let label = match item.severity {
                Severity::Note => "Hinweis/note",
                Severity::Kept => "übernommen als Notiz/kept as note",
                Severity::Unsupported => "nicht unterstützt/unsupported",
            };
            write!(f, "- [{label}] {} Zeile/line {}", item.element, item.line)?;
            if let Some(id) = &item.fim_id {
                write!(f, " {id}")?;
            }
            if let Some(path) = &item.path {
                write!(f, " → {path}")?;
            }
            writeln!(
                f,
                ": {} / {}",
                item.message.de,
                item.message.en.as_deref().unwrap_or("")
            )?;
        }
        if self.check_errors.is_empty() {
            writeln!(f, "Definitionsprüfung bestanden / definition check passed")?;
        } else {
            writeln!(
                f,
                "Definitionsprüfung nicht bestanden, im Editor zu beheben / definition check failed, to fix in the editor:"
            )?;
            for e in &self.check_errors {
                writeln!(f, "- {}: {}", e.path, e.message)?;
            }
        }
        Ok(())
    }
}

/// Why a document was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    TooLarge {
        size: usize,
        limit: usize,
    },
    NotUtf8 {
        at: usize,
    },
    NotXml {
        detail: String,
    },
    Doctype,
    TooDeep {
        limit: usize,
    },
    TooManyElements {
        limit: usize,
    },
    /// The root element is in a namespace that is not XDatenfelder 2 or 3.
    UnknownNamespace {
        namespace: String,
    },
    /// The root element is not a message the import knows.
    UnknownMessage,
    /// An element that does not belong where it is.
    UnexpectedElement,
    /// An element that may occur once occurs again.
    DuplicateElement,
    /// A required child is missing.
    MissingElement {
        child: String,
    },
    /// A required value is empty.
    EmptyValue,
    /// A code that is not in its code list (e.g. Freigabestatus 10).
    InvalidCode {
        list: &'static str,
        value: String,
    },
    /// A value of the wrong form (cardinality `x:y`, a number).
    InvalidValue {
        value: String,
        expected: &'static str,
    },
}

/// A rejected document: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FimError {
    pub kind: ErrorKind,
    /// The element as written (`xdf:id`); empty for the whole document.
    pub element: String,
    /// 1-based line and column; 0 when the problem is the whole document.
    pub line: usize,
    pub column: usize,
}

impl std::error::Error for FimError {}

impl FimError {
    pub(crate) fn document(kind: ErrorKind) -> FimError {
        FimError {
            kind,
            element: String::new(),
            line: 0,
            column: 0,
        }
    }

    pub(crate) fn at_position(
        line: usize,
        column: usize,
        element: &str,
        kind: ErrorKind,
    ) -> FimError {
        FimError {
            kind,
            element: element.to_owned(),
            line,
            column,
        }
    }

    /// A stable code for the kind of problem.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::TooLarge { .. } => "too_large",
            ErrorKind::NotUtf8 { .. } => "not_utf8",
            ErrorKind::NotXml { .. } => "not_xml",
            ErrorKind::Doctype => "doctype",
            ErrorKind::TooDeep { .. } => "too_deep",
            ErrorKind::TooManyElements { .. } => "too_many_elements",
            ErrorKind::UnknownNamespace { .. } => "unknown_namespace",
            ErrorKind::UnknownMessage => "unknown_message",
            ErrorKind::UnexpectedElement => "unexpected_element",
            ErrorKind::DuplicateElement => "duplicate_element",
            ErrorKind::MissingElement { .. } => "missing_element",
            ErrorKind::EmptyValue => "empty_value",
            ErrorKind::InvalidCode { .. } => "invalid_code",
            ErrorKind::InvalidValue { .. } => "invalid_value",
        }
    }

    /// The message in German and English (without the position).
    pub fn message(&self) -> Text {
        let el = &self.element;
        match &self.kind {
            ErrorKind::TooLarge { size, limit } => Text::new(
                format!(
                    "Die Datei ist zu groß ({size} Bytes, höchstens {} MB).",
                    limit / 1024 / 1024
                ),
                format!(
                    "The file is too large ({size} bytes, at most {} MB).",
                    limit / 1024 / 1024
                ),
            ),
            ErrorKind::NotUtf8 { at } => Text::new(
                format!("Die Datei ist nicht in UTF-8 kodiert (Byte {at})."),
                format!("The file is not UTF-8 (byte {at})."),
            ),
            ErrorKind::NotXml { detail } => Text::new(
                format!("Die Datei ist kein wohlgeformtes XML: {detail}."),
                format!("The file is not well-formed XML: {detail}."),
            ),
            ErrorKind::Doctype => Text::new(
                "Eine DOCTYPE-Deklaration ist nicht erlaubt.",
                "A DOCTYPE declaration is not allowed.",
            ),
            ErrorKind::TooDeep { limit } => Text::new(
                format!("Die Elemente sind tiefer als {limit} Ebenen verschachtelt."),
                format!("The elements are nested deeper than {limit} levels."),
            ),
            ErrorKind::TooManyElements { limit } => Text::new(
                format!("Die Datei hat mehr als {limit} Elemente."),
                format!("The file has more than {limit} elements."),
            ),
            ErrorKind::UnknownNamespace { namespace } => Text::new(
                format!(
                    "Unbekannter Namensraum „{namespace}“ am Element <{el}>: erwartet wird XDatenfelder 2.0 ({NS_V2}) oder 3.0.0 ({NS_V3})."
                ),
                format!(
                    "Unknown namespace \"{namespace}\" on element <{el}>: expected XDatenfelder 2.0 ({NS_V2}) or 3.0.0 ({NS_V3})."
                ),
            ),
            ErrorKind::UnknownMessage => Text::new(
                format!(
                    "<{el}> ist keine bekannte XDatenfelder-Nachricht (erwartet: xdatenfelder.stammdatenschema.0102 oder xdatenfelder.datenfeldgruppe.0103)."
                ),
                format!(
                    "<{el}> is not a known XDatenfelder message (expected xdatenfelder.stammdatenschema.0102 or xdatenfelder.datenfeldgruppe.0103)."
                ),
            ),
            ErrorKind::UnexpectedElement => Text::new(
                format!("Unerwartetes Element <{el}>: es gehört nicht an diese Stelle."),
                format!("Unexpected element <{el}>: it does not belong here."),
            ),
            ErrorKind::DuplicateElement => Text::new(
                format!("Doppeltes Element <{el}>: es darf hier nur einmal vorkommen."),
                format!("Duplicate element <{el}>: it may occur only once here."),
            ),
            ErrorKind::MissingElement { child } => Text::new(
                format!("In <{el}> fehlt das Pflichtelement <{child}>."),
                format!("<{el}> lacks the required element <{child}>."),
            ),
            ErrorKind::EmptyValue => Text::new(
                format!("<{el}> ist leer, braucht aber einen Wert."),
                format!("<{el}> is empty but needs a value."),
            ),
            ErrorKind::InvalidCode { list, value } => Text::new(
                format!("„{value}“ ist kein gültiger Code für {list} in <{el}>."),
                format!("\"{value}\" is not a valid code of {list} in <{el}>."),
            ),
            ErrorKind::InvalidValue { value, expected } => Text::new(
                format!("„{value}“ in <{el}> ist ungültig; erwartet: {expected}."),
                format!("\"{value}\" in <{el}> is invalid; expected: {expected}."),
            ),
        }
    }
}

impl fmt::Display for FimError {
    /// `Zeile 11, Spalte 13: <de> / line 11, column 13: <en>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.message();
        let en = m.en.unwrap_or_default();
        if self.line > 0 {
            write!(
                f,
                "Zeile {}, Spalte {}: {} / line {}, column {}: {}",
                self.line, self.column, m.de, self.line, self.column, en
            )
        } else {
            write!(f, "{} / {}", m.de, en)
        }
    }
}

/// Reads a FIM document (XDatenfelder 2.0 or 3.0.0, a Stammdatenschema or
/// a Datenfeldgruppe message) and makes a draft definition. The draft is
/// run through the definition check; its problems are in
/// [`ImportReport::check_errors`] (typically: code lists whose values the
/// FIM document only references).
pub fn import(xml: &[u8]) -> Result<FimImport, FimError> {
    let root = xml::parse(xml)?;
    let document = parse::document(&root)?;
    let (definition, mut report) = convert::convert(&document);
    if let Err(errors) = Form::from_definition(definition.clone()) {
        report.check_errors = errors.0;
    }
    Ok(FimImport { definition, report })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use super::*;

    #[test]
    fn fim_error_names_position_in_both_languages() {
        let e = FimError::at_position(11, 13, "xdf:id", ErrorKind::DuplicateElement);
        let text = e.to_string();
        assert!(text.starts_with("Zeile 11, Spalte 13: Doppeltes Element <xdf:id>"));
        assert!(text.contains("line 11, column 13: Duplicate element <xdf:id>"));
        assert_eq!(e.code(), "duplicate_element");
    }
}
