//! xdomea 3.0.0: the messages and the package that deliver a submitted
//! application into the receiving authority's e-file (E-Akte / DMS).
//!
//! This module owns, as pure functions of their input:
//! - the `FVDaten.SGOAblegen.0605` message that files one application as a
//!   *Vorgang* with one *Dokument* per file ([`build_filing_message`], read
//!   back by [`parse_filing_message`]),
//! - the `FVDaten.ImportBestaetigen.0630` confirmation with which the DMS
//!   answers ([`ImportConfirmation::parse`], and [`ImportConfirmation::to_xml`]
//!   for the E-Akte test double and the tests),
//! - the ZIP package `{UUID}_FVDaten.SGOAblegen.0605.zip` that carries the
//!   message and the files ([`write_package`], [`build_package`],
//!   [`read_package`]).
//!
//! It must not touch the database, the network, the clock or the file
//! system, and it depends on nothing else in this crate: the outbox worker
//! and the transports call it with plain values and own everything around
//! it (when to send, where to, retries). Why the message looks the way it
//! does is written down in docs/architecture.md ("xdomea messages and the
//! package").
//!
//! Identities: the submission's UUID is the 0605's `ProzessID`, its
//! `FachverfahrenObjektID` and the filed Vorgang's `Identifikation/ID`, and
//! it names the package; a redelivery is therefore recognisably the same
//! message, and the 0630 refers back to it by the same `ProzessID`.

mod codes;
mod confirmation;
mod error;
mod filing;
mod package;
mod text;
mod xml;

#[cfg(test)]
mod schema_check;
#[cfg(test)]
mod tests;

pub use codes::{
    AllgemeineRueckmeldung, Dateiformat, MESSAGE_TYPE_FILE, MESSAGE_TYPE_IMPORT_CONFIRMATION,
    SpezifischeFehlermeldung0605,
};
pub use confirmation::{
    Feedback, ImportConfirmation, ImportOutcome, ImportedObject, MAX_CONFIRMATION_BYTES,
    ReturnParameter,
};
pub use error::Error;
pub use filing::{
    Address, AuthorityId, Code, DocumentKind, FiledDocument, Filing, FilingMessage, FormInfo,
    MAX_FILING_MESSAGE_BYTES, Party, Payment, PrimaryDocument, Retention, build_filing_message,
    parse_filing_message,
};
pub use package::{
    MAX_PACKAGE_FILE_BYTES, Package, PackageFile, ReceivedPackage, build_package, read_package,
    write_package,
};

use uuid::Uuid;

/// The target namespace of the xdomea 3.0.0 schemas.
pub const NAMESPACE: &str = "urn:xoev-de:xdomea:schema:3.0.0";

/// The root element (and file name part) of the filing message.
pub const FILING_MESSAGE: &str = "FVDaten.SGOAblegen.0605";

/// The root element (and file name part) of the import confirmation.
pub const CONFIRMATION_MESSAGE: &str = "FVDaten.ImportBestaetigen.0630";

/// `{process id}_FVDaten.SGOAblegen.0605.xml`: xdomea names a message file
/// after its `ProzessID` and its message name.
pub fn message_file_name(process_id: Uuid) -> String {
    format!("{}_{FILING_MESSAGE}.xml", process_id.hyphenated())
}

/// `{process id}_FVDaten.SGOAblegen.0605.zip`: the package is named like
/// the message it carries.
pub fn package_file_name(process_id: Uuid) -> String {
    format!("{}_{FILING_MESSAGE}.zip", process_id.hyphenated())
}

/// `{process id}_FVDaten.ImportBestaetigen.0630.xml`, the name under which
/// a DMS drops its confirmation.
pub fn confirmation_file_name(process_id: Uuid) -> String {
    format!("{}_{CONFIRMATION_MESSAGE}.xml", process_id.hyphenated())
}
