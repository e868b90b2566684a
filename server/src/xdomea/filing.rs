//! The `FVDaten.SGOAblegen.0605` message: what a [`Filing`] is, how it
//! becomes the XML ([`build_filing_message`]), and how such XML reads back
//! into the summary a receiver needs ([`parse_filing_message`]).
//!
//! What goes where (docs/architecture.md says why):
//! - the application is one *Vorgang*; each file (receipt PDF, data JSON,
//!   every attachment) is one *Dokument* in it with one *Primaerdokument*;
//! - the submission UUID is `Kopf/ProzessID`, `FachverfahrenObjektID` and
//!   the Vorgang's `Identifikation/ID`; each document has its own UUID,
//!   which also starts its file name in the package;
//! - the Vorgang's `Betreff` is "form title – reference number"; the
//!   reference number is every Dokument's `FremdesGeschaeftszeichen` (the
//!   schema's place for the sender's reference) and a field of the
//!   Vorgang's *AnwendungsspezifischeErweiterung* `amtsweg.antrag`;
//! - retention is `ArchivspezifischeMetadaten/Aufbewahrungsdauer`;
//! - the payment is a German sentence in the Vorgang's `Bemerkung` (every
//!   DMS shows it) and a field group `Bezahlung` of the extension (machine
//!   readable);
//! - size, SHA-256 and MIME type of a file have no element in xdomea 3.0.0,
//!   so they are fields of the Dokument's extension `amtsweg.datei`.
//!
//! This file must not read files, compute hashes or touch the ZIP: that is
//! `package.rs`.

use serde::{Deserialize, Serialize};
use time::{
    Date, OffsetDateTime, PrimitiveDateTime, UtcOffset, format_description::well_known::Rfc3339,
    macros::format_description,
};
use uuid::Uuid;

use super::{
    FILING_MESSAGE, NAMESPACE,
    codes::{self, DATEIFORMAT, DATENTYP, Dateiformat, MEDIUM, MEDIUM_ELECTRONIC, NACHRICHTENTYP},
    error::{self, Error},
    text::safe_file_name,
    xml::{self, Element, Limits, XmlWriter},
};

/// The product name in `Kopf/SendendesSystem`.
pub const PRODUCT_NAME: &str = "Amtsweg";

/// `Kennung` of the extension on the Vorgang.
pub(crate) const EXTENSION_APPLICATION: &str = "amtsweg.antrag";

/// `Kennung` of the extension on each Dokument.
pub(crate) const EXTENSION_FILE: &str = "amtsweg.datei";

/// The largest 0605 message [`parse_filing_message`] reads. The message
/// carries metadata only (the files are beside it), so even hundreds of
/// attachments stay far below this.
pub const MAX_FILING_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

const FILING_LIMITS: Limits = Limits {
    max_bytes: MAX_FILING_MESSAGE_BYTES,
    max_depth: 64,
    max_elements: 500_000,
};

/// One submitted application to file, with everything the 0605 says
/// about it. Plain data: the caller fills it from the submission, the form
/// definition and the configuration.
///
/// For a byte-identical redelivery pass the same values again, in
/// particular a stored `created_at` (not the current time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    /// The submission's UUID: `ProzessID`, `FachverfahrenObjektID` and the
    /// Vorgang's ID, and the package's name.
    pub id: Uuid,
    /// When the message was made (`Erstellungszeitpunkt`; also the ZIP
    /// entries' time).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the citizen submitted. Its date, in the offset given, is the
    /// documents' `Posteingangsdatum` and the Vorgang's start: pass it in
    /// German local time for the dates to be German dates.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// The portal (`Kopf/Absender`).
    pub sender: Party,
    /// The receiving authority (`Kopf/Empfaenger`).
    pub receiver: Party,
    /// `Kopf/Erstellerkennung`: the portal's user id at the DMS (required
    /// by the schema; e.g. a technical account name from configuration).
    pub creator_id: String,
    /// `Kopf/SendendesSystem/Version`, e.g. the crate version. Part of
    /// the input (not read here) so that the output depends on the input
    /// only.
    pub software_version: Option<String>,
    /// `IDContainer`: the DMS's id of the Akte to file into, if the
    /// authority configured one; else the DMS files by its own rules.
    pub container_id: Option<String>,
    /// `Ablageort`: only for DMS set up to fetch the files from a
    /// directory or URL; the package carries the files itself, so usually
    /// `None`.
    pub location: Option<String>,
    /// The form the application was made with.
    pub form: FormInfo,
    /// The reference number, e.g. `AW-2026-000123`.
    pub reference: String,
    /// `Aufbewahrungsdauer` of the Vorgang, if the authority set one.
    pub retention: Option<Retention>,
    /// The fee paid, if any.
    pub payment: Option<Payment>,
    /// The files, in the order the E-Akte should show them (the receipt
    /// first).
    pub documents: Vec<PrimaryDocument>,
}

/// The form an application was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormInfo {
    pub id: String,
    pub version: Option<String>,
    /// The German title, the first part of the Vorgang's `Betreff`.
    pub title: String,
}

/// A sender or receiver (xdomea `KontaktType`, the parts Amtsweg uses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// `Institution/Name`: e.g. "Stadtverwaltung Erfurt".
    pub name: String,
    /// `Institution/Kurzbezeichnung`.
    pub short_name: Option<String>,
    /// `Behoerdenkennung`: the DVDV authority key, an ARS/AGS with its
    /// prefix, or another code the DMS knows the party by.
    pub authority_id: Option<AuthorityId>,
    /// `Organisationseinheit/Name`: e.g. "Wohngeldstelle".
    pub unit: Option<String>,
    /// `Anschrift`.
    pub address: Option<Address>,
}

/// `BehoerdenkennungType`: a key (`Behoerdenschluessel`) and the class it
/// belongs to (`Praefix`, e.g. `ags:` or `dbs:` in the DVDV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityId {
    pub key: Code,
    pub prefix: Option<Code>,
}

/// A value of a code list (`xoev-code:Code`) that configuration gives:
/// the code, and the list's URI and version if known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    pub list_uri: Option<String>,
    pub list_version: Option<String>,
}

impl Code {
    /// A code without list attributes.
    pub fn new(code: impl Into<String>) -> Code {
        Code {
            code: code.into(),
            list_uri: None,
            list_version: None,
        }
    }
}

/// `AnschriftType`, the parts a postal address of an authority has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub po_box: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub addition: Option<String>,
}

/// `AufbewahrungsdauerType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Retention {
    /// Kept this many years after the Vorgang is closed.
    Years(u16),
    /// Kept without limit.
    Unlimited,
}

/// A fee paid online, in euro.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub amount_cents: u64,
    /// The purpose (Verwendungszweck) as the payment provider got it.
    pub purpose: String,
    /// The payment provider's transaction id.
    pub transaction_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
}

/// What a file is to the application; it becomes the Dokument's `Typ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentKind {
    /// The receipt PDF/A: the application as the citizen saw it
    /// (`Typ` "Antrag").
    Receipt,
    /// The machine-readable data (`Typ` "Antragsdaten").
    Data,
    /// A file the citizen uploaded (`Typ` "Anlage").
    Attachment,
}

impl DocumentKind {
    fn type_name(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "Antrag",
            DocumentKind::Data => "Antragsdaten",
            DocumentKind::Attachment => "Anlage",
        }
    }
}

/// One file of the application: a Dokument with one Primaerdokument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryDocument {
    /// The document's own UUID (`Identifikation/ID`, and the start of its
    /// file name in the package).
    pub id: Uuid,
    pub kind: DocumentKind,
    /// The Dokument's `Betreff`, e.g. "Antrag (PDF)" or the label of the
    /// upload field.
    pub title: String,
    /// The name the citizen's file had (`DateinameOriginal`), or the name
    /// the portal gave a generated file.
    pub original_name: String,
    /// The MIME type; it selects the `Dateiformat` code.
    pub mime_type: String,
    /// `Format/Version` (required by the schema), e.g. "1.7" for a PDF;
    /// "unbekannt" is written when `None`.
    pub format_version: Option<String>,
    /// The size in bytes; [`crate::xdomea::write_package`] checks it.
    pub size: u64,
    /// The SHA-256 of the content; [`crate::xdomea::write_package`]
    /// checks it.
    pub sha256: [u8; 32],
    /// When the file was made or uploaded (`DatumUhrzeit`); the
    /// submission time when `None`.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub created_at: Option<OffsetDateTime>,
}

impl PrimaryDocument {
    /// The name of the file in the package and in `Dateiname`:
    /// `{UUID}_{cleaned original name}`. The schema requires the UUID at
    /// the start (`stringDateinameType`); the cleaning keeps names safe for
    /// any ZIP tool and file store (see `text::safe_file_name`).
    pub fn file_name(&self) -> String {
        format!(
            "{}_{}",
            self.id.hyphenated(),
            safe_file_name(&self.original_name)
        )
    }

    /// The SHA-256 as 64 lower-case hex digits.
    pub fn sha256_hex(&self) -> String {
        to_hex(&self.sha256)
    }

    /// The `Dateiformat` code list value. The receipt is PDF/A, which the
    /// list has its own code for; everything else goes by MIME type.
    pub fn format(&self) -> Dateiformat {
        let format = Dateiformat::from_mime(&self.mime_type, &self.original_name);
        if self.kind == DocumentKind::Receipt && format.code == Dateiformat::PDF {
            Dateiformat {
                code: Dateiformat::PDF_A,
                other_name: None,
            }
        } else {
            format
        }
    }
}

impl Filing {
    /// The Vorgang's `Betreff`: "form title – reference number".
    pub fn subject(&self) -> String {
        let title = self.form.title.trim();
        if title.is_empty() {
            self.reference.clone()
        } else {
            format!("{title} – {}", self.reference)
        }
    }

    /// The German sentence about the payment in the Vorgang's `Bemerkung`.
    fn payment_remark(payment: &Payment, paid_at: &str) -> String {
        format!(
            "Gebühr online bezahlt: {} EUR am {paid_at}; Verwendungszweck: {}; Transaktions-ID: {}",
            euro_de(payment.amount_cents),
            payment.purpose,
            payment.transaction_id
        )
    }
}

/// Builds the `FVDaten.SGOAblegen.0605` message for `filing`: UTF-8 XML,
/// valid against the xdomea 3.0.0 schema. Every text is escaped, and
/// characters XML 1.0 forbids are replaced by U+FFFD.
///
/// Fails only on input no message can carry: two documents with one id,
/// or a time outside the years 1–9999.
pub fn build_filing_message(filing: &Filing) -> Result<Vec<u8>, Error> {
    for (i, doc) in filing.documents.iter().enumerate() {
        if filing.documents[..i].iter().any(|d| d.id == doc.id) {
            return Err(Error::DuplicateDocument { id: doc.id });
        }
    }
    let created = date_time(filing.created_at, error::WHAT_CREATED)?;
    let submitted = date_time(filing.submitted_at, error::WHAT_SUBMITTED)?;
    let submitted_date = date(filing.submitted_at, error::WHAT_SUBMITTED)?;
    let id = filing.id.hyphenated().to_string();

    let mut w = XmlWriter::new(4096 + 2048 * filing.documents.len())?;
    w.root(FILING_MESSAGE)?;

    // Kopf (NkKeineRueckmeldungFVDatenType): the NkBasisType part, then
    // the 0605 flags.
    w.start("Kopf")?;
    w.text("ProzessID", &id)?;
    w.code(
        "Nachrichtentyp",
        Some(NACHRICHTENTYP),
        codes::MESSAGE_TYPE_FILE,
    )?;
    w.text("Erstellungszeitpunkt", &created)?;
    write_party(&mut w, "Absender", &filing.sender)?;
    write_party(&mut w, "Empfaenger", &filing.receiver)?;
    w.start("SendendesSystem")?;
    w.text("Produktname", PRODUCT_NAME)?;
    w.opt_text("Version", filing.software_version.as_deref())?;
    w.end("SendendesSystem")?;
    // No receipt confirmation, but the import confirmation (fixed to 1 by
    // the schema): the 0630 is what marks a submission filed.
    w.text("Empfangsbestaetigung", "0")?;
    w.text("Importbestaetigung", "1")?;
    w.text("Erstellerkennung", &filing.creator_id)?;
    // One object per message: a redelivery or a rejection concerns exactly
    // one application.
    w.text("Stapel", "0")?;
    w.end("Kopf")?;

    w.start("SchriftgutobjektZumAblegen")?;
    w.text("FachverfahrenObjektID", &id)?;
    w.opt_text("IDContainer", filing.container_id.as_deref())?;
    w.start("Schriftgutobjekt")?;
    w.start("Vorgang")?;
    w.start("Identifikation")?;
    w.text("ID", &id)?;
    w.end("Identifikation")?;

    w.start("AllgemeineMetadaten")?;
    w.text("Betreff", &filing.subject())?;
    let paid_at = match &filing.payment {
        Some(p) => Some(date_time(p.paid_at, error::WHAT_PAID)?),
        None => None,
    };
    if let (Some(payment), Some(paid_at)) = (&filing.payment, &paid_at) {
        w.text("Bemerkung", &Filing::payment_remark(payment, paid_at))?;
    }
    w.code("Medium", Some(MEDIUM), MEDIUM_ELECTRONIC)?;
    w.end("AllgemeineMetadaten")?;

    if let Some(retention) = filing.retention {
        w.start("ArchivspezifischeMetadaten")?;
        w.start("Aufbewahrungsdauer")?;
        match retention {
            Retention::Years(years) => w.text("AnzahlJahre", &years.to_string())?,
            Retention::Unlimited => w.text("Unbefristet", "1")?,
        }
        w.end("Aufbewahrungsdauer")?;
        w.end("ArchivspezifischeMetadaten")?;
    }
    w.start("Laufzeit")?;
    w.text("Beginn", &submitted_date)?;
    w.end("Laufzeit")?;

    for (number, doc) in filing.documents.iter().enumerate() {
        write_document(&mut w, filing, doc, number + 1, &submitted_date, &submitted)?;
    }

    w.start("AnwendungsspezifischeErweiterung")?;
    w.text("Kennung", EXTENSION_APPLICATION)?;
    w.text("Name", "Amtsweg: Angaben zum Antrag")?;
    w.text(
        "Beschreibung",
        "Angaben des Antragsportals Amtsweg zum Antrag, die xdomea kein eigenes Element gibt",
    )?;
    w.text("Versionsnummer", "1")?;
    if let (Some(payment), Some(paid_at)) = (&filing.payment, &paid_at) {
        w.start("Feldgruppe")?;
        w.text("Name", "Bezahlung")?;
        w.text("Beschreibung", "Die online bezahlte Gebühr")?;
        field(
            &mut w,
            "Betrag",
            "Betrag in Euro",
            codes::datentyp::DECIMAL,
            &euro_decimal(payment.amount_cents),
        )?;
        field(
            &mut w,
            "Waehrung",
            "ISO 4217",
            codes::datentyp::STRING,
            "EUR",
        )?;
        field(
            &mut w,
            "Verwendungszweck",
            "Verwendungszweck der Zahlung",
            codes::datentyp::STRING,
            &payment.purpose,
        )?;
        field(
            &mut w,
            "TransaktionsID",
            "Transaktions-ID des Bezahldienstes",
            codes::datentyp::STRING,
            &payment.transaction_id,
        )?;
        field(
            &mut w,
            "Bezahlzeitpunkt",
            "Zeitpunkt der Zahlung",
            codes::datentyp::DATE_TIME,
            paid_at,
        )?;
        w.end("Feldgruppe")?;
    }
    field(
        &mut w,
        "Referenznummer",
        "Referenznummer des Antrags im Antragsportal",
        codes::datentyp::STRING,
        &filing.reference,
    )?;
    field(
        &mut w,
        "FormularID",
        "Kennung des Formulars",
        codes::datentyp::STRING,
        &filing.form.id,
    )?;
    if let Some(version) = &filing.form.version {
        field(
            &mut w,
            "Formularversion",
            "Version des Formulars",
            codes::datentyp::STRING,
            version,
        )?;
    }
    field(
        &mut w,
        "Eingangszeitpunkt",
        "Zeitpunkt der Einreichung",
        codes::datentyp::DATE_TIME,
        &submitted,
    )?;
    w.end("AnwendungsspezifischeErweiterung")?;

    w.end("Vorgang")?;
    w.end("Schriftgutobjekt")?;
    w.opt_text("Ablageort", filing.location.as_deref())?;
    w.end("SchriftgutobjektZumAblegen")?;
    w.finish(FILING_MESSAGE)
}

fn write_document(
    w: &mut XmlWriter,
    filing: &Filing,
    doc: &PrimaryDocument,
    number: usize,
    submitted_date: &str,
    submitted: &str,
) -> Result<(), Error> {
    let created = match doc.created_at {
        Some(t) => date_time(t, error::WHAT_DOCUMENT)?,
        None => submitted.to_owned(),
    };
    let format = doc.format();
    w.start("Dokument")?;
    w.start("Identifikation")?;
    w.text("ID", &doc.id.hyphenated().to_string())?;
    // Numbered all or none (the schema's rule); all, so the E-Akte keeps
    // the order.
    w.text("NummerImUebergeordnetenContainer", &number.to_string())?;
    w.end("Identifikation")?;
    w.start("AllgemeineMetadaten")?;
    w.text("Betreff", &doc.title)?;
    w.code("Medium", Some(MEDIUM), MEDIUM_ELECTRONIC)?;
    w.end("AllgemeineMetadaten")?;
    w.text("FremdesGeschaeftszeichen", &filing.reference)?;
    // For the authority every file is incoming mail of the submission day.
    w.text("Posteingangsdatum", submitted_date)?;
    w.text("Typ", doc.kind.type_name())?;
    w.start("Version")?;
    w.text("Nummer", "1")?;
    w.start("Format")?;
    w.code("Name", Some(DATEIFORMAT), format.code)?;
    w.opt_text("SonstigerName", format.other_name.as_deref())?;
    w.text(
        "Version",
        doc.format_version.as_deref().unwrap_or("unbekannt"),
    )?;
    w.start("Primaerdokument")?;
    w.text("Dateiname", &doc.file_name())?;
    w.text("DateinameOriginal", &doc.original_name)?;
    if doc.kind != DocumentKind::Attachment {
        // The portal made this file; an upload's author is the citizen,
        // whose name stays in the application's data.
        w.text("Ersteller", PRODUCT_NAME)?;
    }
    w.text("DatumUhrzeit", &created)?;
    w.end("Primaerdokument")?;
    w.end("Format")?;
    w.end("Version")?;
    w.start("AnwendungsspezifischeErweiterung")?;
    w.text("Kennung", EXTENSION_FILE)?;
    w.text("Name", "Amtsweg: Angaben zur Datei")?;
    w.text(
        "Beschreibung",
        "Größe, Prüfsumme und MIME-Typ der Datei, für die xdomea kein Element hat",
    )?;
    w.text("Versionsnummer", "1")?;
    field(
        w,
        FIELD_SIZE,
        "Größe der Datei in Bytes",
        codes::datentyp::UNSIGNED_LONG,
        &doc.size.to_string(),
    )?;
    field(
        w,
        FIELD_SHA256,
        "SHA-256-Prüfsumme der Datei",
        codes::datentyp::HEX_BINARY,
        &doc.sha256_hex(),
    )?;
    field(
        w,
        FIELD_MIME,
        "MIME-Typ der Datei",
        codes::datentyp::STRING,
        &doc.mime_type,
    )?;
    w.end("AnwendungsspezifischeErweiterung")?;
    w.end("Dokument")
}

const FIELD_SIZE: &str = "Dateigroesse";
const FIELD_SHA256: &str = "SHA-256";
const FIELD_MIME: &str = "MIME-Typ";
const FIELD_REFERENCE: &str = "Referenznummer";

/// A `FeldType` of an extension.
fn field(
    w: &mut XmlWriter,
    name: &str,
    description: &str,
    datentyp: &str,
    value: &str,
) -> Result<(), Error> {
    w.start("Feld")?;
    w.text("Name", name)?;
    w.text("Beschreibung", description)?;
    w.code("Datentyp", Some(DATENTYP), datentyp)?;
    w.text("Wert", value)?;
    w.end("Feld")
}

/// A `KontaktType` element called `name`.
pub(crate) fn write_party(w: &mut XmlWriter, name: &str, party: &Party) -> Result<(), Error> {
    w.start(name)?;
    if let Some(id) = &party.authority_id {
        w.start("Behoerdenkennung")?;
        write_code(w, "Behoerdenschluessel", &id.key)?;
        if let Some(prefix) = &id.prefix {
            write_code(w, "Praefix", prefix)?;
        }
        w.end("Behoerdenkennung")?;
    }
    w.start("Institution")?;
    w.text("Name", &party.name)?;
    w.opt_text("Kurzbezeichnung", party.short_name.as_deref())?;
    w.end("Institution")?;
    if let Some(unit) = &party.unit {
        w.start("Organisationseinheit")?;
        w.text("Name", unit)?;
        w.end("Organisationseinheit")?;
    }
    if let Some(a) = &party.address {
        w.start("Anschrift")?;
        w.opt_text("Strasse", a.street.as_deref())?;
        w.opt_text("Hausnummer", a.house_number.as_deref())?;
        w.opt_text("Postfach", a.po_box.as_deref())?;
        w.opt_text("Postleitzahl", a.postal_code.as_deref())?;
        w.opt_text("Ort", a.city.as_deref())?;
        w.opt_text("Zusatz", a.addition.as_deref())?;
        w.end("Anschrift")?;
    }
    w.end(name)
}

fn write_code(w: &mut XmlWriter, name: &str, code: &Code) -> Result<(), Error> {
    w.code_with(
        name,
        code.list_uri.as_deref(),
        code.list_version.as_deref(),
        &code.code,
    )
}

/// Reads a `KontaktType` element (the parts [`Party`] has).
pub(crate) fn read_party(element: Option<&Element>) -> Party {
    let Some(e) = element else {
        return Party::default();
    };
    let read_code = |c: &Element| {
        c.child_text("code").map(|code| Code {
            code: code.to_owned(),
            list_uri: c.attribute("listURI").map(str::to_owned),
            list_version: c.attribute("listVersionID").map(str::to_owned),
        })
    };
    let authority_id = e.child("Behoerdenkennung").and_then(|b| {
        let key = b.child("Behoerdenschluessel").and_then(read_code)?;
        Some(AuthorityId {
            key,
            prefix: b.child("Praefix").and_then(read_code),
        })
    });
    let institution = e.child("Institution");
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Party {
        name: institution
            .and_then(|i| i.child("Name"))
            .map(|n| n.text.clone())
            .unwrap_or_default(),
        short_name: owned(institution.and_then(|i| i.child_text("Kurzbezeichnung"))),
        authority_id,
        unit: owned(
            e.child("Organisationseinheit")
                .and_then(|o| o.child_text("Name")),
        ),
        address: e.child("Anschrift").map(|a| Address {
            street: owned(a.child_text("Strasse")),
            house_number: owned(a.child_text("Hausnummer")),
            po_box: owned(a.child_text("Postfach")),
            postal_code: owned(a.child_text("Postleitzahl")),
            city: owned(a.child_text("Ort")),
            addition: owned(a.child_text("Zusatz")),
        }),
    }
}

/// What a receiver learns from a 0605 message: enough to file it (the E-Akte
/// test double) and to check the package (`read_package`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingMessage {
    /// `Kopf/ProzessID`: the identity a 0630 must refer to.
    pub process_id: Uuid,
    pub created_at: OffsetDateTime,
    pub sender: Party,
    pub receiver: Party,
    /// `FachverfahrenObjektID`.
    pub object_id: String,
    /// `IDContainer`.
    pub container_id: Option<String>,
    /// The Vorgang's `Identifikation/ID`.
    pub record_id: Uuid,
    /// The Vorgang's `Betreff` (as written, untrimmed).
    pub subject: Option<String>,
    /// The sender's reference number: the `Referenznummer` field of the
    /// `amtsweg.antrag` extension, else the first document's
    /// `FremdesGeschaeftszeichen`.
    pub reference: Option<String>,
    /// The Vorgang's `Bemerkung`.
    pub remark: Option<String>,
    /// One entry per Primaerdokument, in message order.
    pub documents: Vec<FiledDocument>,
}

/// One Primaerdokument of a 0605.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledDocument {
    /// The Dokument's `Identifikation/ID`.
    pub id: Uuid,
    /// The Dokument's `Betreff` (as written, untrimmed).
    pub title: Option<String>,
    /// The Dokument's `Typ`.
    pub document_type: Option<String>,
    /// `Dateiname`: the file's name in the package.
    pub file_name: String,
    /// `DateinameOriginal` (as written, untrimmed).
    pub original_name: Option<String>,
    /// `Format/Name/code` (`Dateiformat` code list).
    pub format_code: String,
    /// `Format/SonstigerName`.
    pub format_other_name: Option<String>,
    /// From the `amtsweg.datei` extension, when the message has it.
    pub size: Option<u64>,
    pub sha256: Option<[u8; 32]>,
    pub mime_type: Option<String>,
}

/// Reads a `FVDaten.SGOAblegen.0605` message (at most
/// [`MAX_FILING_MESSAGE_BYTES`]). Checks the root, the message type, the
/// identities and that every file name is a plain `UUID_name` (no path),
/// so that a receiver can use the names safely. Reads a Vorgang only,
/// which is all Amtsweg sends.
pub fn parse_filing_message(bytes: &[u8]) -> Result<FilingMessage, Error> {
    let root = xml::parse(bytes, FILING_LIMITS)?;
    check_root(&root, FILING_MESSAGE)?;
    let kopf = root.required(FILING_MESSAGE, "Kopf")?;
    let kopf_path = format!("{FILING_MESSAGE}/Kopf");
    let (process_id, created_at) = read_head(kopf, &kopf_path, codes::MESSAGE_TYPE_FILE)?;

    let sgo_path = format!("{FILING_MESSAGE}/SchriftgutobjektZumAblegen");
    let sgo = root.required(FILING_MESSAGE, "SchriftgutobjektZumAblegen")?;
    let object_id = sgo
        .required_text(&sgo_path, "FachverfahrenObjektID")?
        .to_owned();
    let holder = sgo.required(&sgo_path, "Schriftgutobjekt")?;
    let holder_path = format!("{sgo_path}/Schriftgutobjekt");
    let Some(vorgang) = holder.child("Vorgang") else {
        let found = holder
            .children
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        return match found.as_str() {
            "" => Err(Error::missing(format!("{holder_path}/Vorgang"))),
            _ => Err(Error::invalid(holder_path, &found, error::REASON_RECORD)),
        };
    };
    let vorgang_path = format!("{holder_path}/Vorgang");
    let record_id = uuid_at(
        vorgang.required(&vorgang_path, "Identifikation")?,
        &format!("{vorgang_path}/Identifikation"),
        "ID",
    )?;
    let metadata = vorgang.child("AllgemeineMetadaten");
    let extension_field = |name: &str| {
        extension(vorgang, EXTENSION_APPLICATION)
            .and_then(|x| field_value(x, name))
            .map(str::to_owned)
    };

    let mut documents = Vec::new();
    let mut first_reference = None;
    for (i, dokument) in vorgang.children("Dokument").enumerate() {
        let path = format!("{vorgang_path}/Dokument[{}]", i + 1);
        let id = uuid_at(
            dokument.required(&path, "Identifikation")?,
            &format!("{path}/Identifikation"),
            "ID",
        )?;
        if first_reference.is_none() {
            first_reference = dokument
                .child_text("FremdesGeschaeftszeichen")
                .map(str::to_owned);
        }
        let file_extension = extension(dokument, EXTENSION_FILE);
        let mut formats = Vec::new();
        for (v, version) in dokument.children("Version").enumerate() {
            for (f, format) in version.children("Format").enumerate() {
                formats.push((
                    format!("{path}/Version[{}]/Format[{}]", v + 1, f + 1),
                    format,
                ));
            }
        }
        let single = formats.len() == 1;
        for (format_path, format) in formats {
            let primaer = format.required(&format_path, "Primaerdokument")?;
            let primaer_path = format!("{format_path}/Primaerdokument");
            let file_name = primaer.required_text(&primaer_path, "Dateiname")?;
            check_file_name(&format!("{primaer_path}/Dateiname"), file_name)?;
            let format_code = format
                .required(&format_path, "Name")?
                .required_text(&format!("{format_path}/Name"), "code")?;
            // The file extension describes the Dokument; it is only
            // unambiguous when the Dokument has one file.
            let ext = file_extension.filter(|_| single);
            let size = match ext.and_then(|x| field_value(x, FIELD_SIZE)) {
                Some(s) => Some(s.parse::<u64>().map_err(|_| {
                    Error::invalid(format!("{path}/…/{FIELD_SIZE}"), s, error::REASON_NUMBER)
                })?),
                None => None,
            };
            let sha256 = match ext.and_then(|x| field_value(x, FIELD_SHA256)) {
                Some(s) => Some(from_hex(s).ok_or_else(|| {
                    Error::invalid(format!("{path}/…/{FIELD_SHA256}"), s, error::REASON_HEX)
                })?),
                None => None,
            };
            documents.push(FiledDocument {
                id,
                title: dokument
                    .child("AllgemeineMetadaten")
                    .and_then(|m| m.child("Betreff"))
                    .map(|b| b.text.clone()),
                document_type: dokument.child_text("Typ").map(str::to_owned),
                file_name: file_name.to_owned(),
                original_name: primaer.child("DateinameOriginal").map(|d| d.text.clone()),
                format_code: format_code.to_owned(),
                format_other_name: format.child_text("SonstigerName").map(str::to_owned),
                size,
                sha256,
                mime_type: ext
                    .and_then(|x| field_value(x, FIELD_MIME))
                    .map(str::to_owned),
            });
        }
    }

    Ok(FilingMessage {
        process_id,
        created_at,
        sender: read_party(kopf.child("Absender")),
        receiver: read_party(kopf.child("Empfaenger")),
        object_id,
        container_id: sgo.child_text("IDContainer").map(str::to_owned),
        record_id,
        subject: metadata
            .and_then(|m| m.child("Betreff"))
            .map(|b| b.text.clone()),
        reference: extension_field(FIELD_REFERENCE).or(first_reference),
        remark: metadata
            .and_then(|m| m.child("Bemerkung"))
            .map(|b| b.text.clone()),
        documents,
    })
}

/// The extension with `Kennung` `kennung` among `element`'s children.
fn extension<'a>(element: &'a Element, kennung: &str) -> Option<&'a Element> {
    element
        .children("AnwendungsspezifischeErweiterung")
        .find(|x| x.child_text("Kennung") == Some(kennung))
}

/// The `Wert` of the extension's field `name` (directly in the extension
/// or in one of its field groups).
fn field_value<'a>(extension: &'a Element, name: &str) -> Option<&'a str> {
    let direct = extension.children("Feld");
    let grouped = extension
        .children("Feldgruppe")
        .flat_map(|g| g.children("Feld"));
    direct
        .chain(grouped)
        .find(|f| f.child_text("Name") == Some(name))
        .and_then(|f| f.child("Wert"))
        .map(|w| w.text.as_str())
}

/// Checks that `root` is the xdomea message `name`.
pub(crate) fn check_root(root: &Element, name: &'static str) -> Result<(), Error> {
    if root.name != name || !root.in_xdomea {
        return Err(Error::WrongMessage {
            expected: name,
            found: if root.in_xdomea {
                root.name.clone()
            } else {
                format!("{} (not in {NAMESPACE})", root.name)
            },
        });
    }
    Ok(())
}

/// Reads `ProzessID`, checks `Nachrichtentyp`, and reads
/// `Erstellungszeitpunkt` of a message head.
pub(crate) fn read_head(
    kopf: &Element,
    path: &str,
    message_type: &'static str,
) -> Result<(Uuid, OffsetDateTime), Error> {
    let process_id = uuid_at(kopf, path, "ProzessID")?;
    let code = kopf
        .required(path, "Nachrichtentyp")?
        .required_text(&format!("{path}/Nachrichtentyp"), "code")?;
    if code != message_type {
        return Err(Error::WrongMessageType {
            expected: message_type,
            found: code.to_owned(),
        });
    }
    let created_path = format!("{path}/Erstellungszeitpunkt");
    let created = kopf.required_text(path, "Erstellungszeitpunkt")?;
    let created_at = parse_date_time(created)
        .ok_or_else(|| Error::invalid(created_path, created, error::REASON_DATE_TIME))?;
    Ok((process_id, created_at))
}

/// The UUID in the child `name` of `element`.
pub(crate) fn uuid_at(element: &Element, path: &str, name: &str) -> Result<Uuid, Error> {
    let text = element.required_text(path, name)?;
    parse_uuid(text)
        .ok_or_else(|| Error::invalid(format!("{path}/{name}"), text, error::REASON_UUID))
}

/// A UUID in the schema's form (`stringUUIDType`: hyphenated, 36
/// characters); braces, URNs and the simple form are not xdomea.
pub(crate) fn parse_uuid(text: &str) -> Option<Uuid> {
    (text.len() == 36)
        .then(|| Uuid::try_parse(text).ok())
        .flatten()
}

/// A `stringDateinameType` file name that is safe to use as a ZIP entry
/// name: the UUID first, then nothing that names a directory.
fn check_file_name(path: &str, name: &str) -> Result<(), Error> {
    let uuid_ok = name.get(..36).and_then(parse_uuid).is_some();
    let plain = !name.contains(['/', '\\', '\0']) && !name.contains("..");
    if uuid_ok && plain {
        Ok(())
    } else {
        Err(Error::invalid(path, name, error::REASON_FILE_NAME))
    }
}

/// `t` as xs:dateTime in UTC, whole seconds (`2026-03-01T09:30:00Z`).
pub(crate) fn date_time(t: OffsetDateTime, what: &'static str) -> Result<String, Error> {
    let out_of_range = || Error::TimeOutOfRange { what };
    let utc = t
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(out_of_range)?;
    if !(1..=9999).contains(&utc.year()) {
        return Err(out_of_range());
    }
    utc.replace_nanosecond(0)
        .map_err(|_| out_of_range())?
        .format(&Rfc3339)
        .map_err(|_| out_of_range())
}

/// The date of `t` in its own offset, as xs:date.
fn date(t: OffsetDateTime, what: &'static str) -> Result<String, Error> {
    let d: Date = t.date();
    if !(1..=9999).contains(&d.year()) {
        return Err(Error::TimeOutOfRange { what });
    }
    d.format(format_description!("[year]-[month]-[day]"))
        .map_err(|_| Error::TimeOutOfRange { what })
}

/// An xs:dateTime: RFC 3339, or without a zone (then read as UTC, the
/// schema leaves it open).
pub(crate) fn parse_date_time(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let local = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(text, local)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// `1234` cents as `12.34` (xs:decimal).
fn euro_decimal(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `1234` cents as `12,34` (German).
fn euro_de(cents: u64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn from_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.as_bytes();
    if text.len() != 64 {
        return None;
    }
    let nibble = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = [0u8; 32];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdomea_hex_round_trips() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn xdomea_times_and_amounts() {
        let t = time::macros::datetime!(2026-03-01 23:30:15.5 +01:00);
        assert_eq!(date_time(t, "x").as_deref(), Ok("2026-03-01T22:30:15Z"));
        assert_eq!(date(t, "x").as_deref(), Ok("2026-03-01"));
        let far = time::macros::datetime!(-0001-01-01 00:00 UTC);
        assert!(date_time(far, "x").is_err());
        assert_eq!(euro_decimal(1234), "12.34");
        assert_eq!(euro_decimal(5), "0.05");
        assert_eq!(euro_de(100_000), "1000,00");
        assert_eq!(
            parse_date_time("2026-03-01T10:00:00"),
            Some(time::macros::datetime!(2026-03-01 10:00 UTC))
        );
        assert_eq!(
            parse_date_time("2026-03-01T10:00:00.25+02:00"),
            Some(time::macros::datetime!(2026-03-01 10:00:00.25 +02:00))
        );
        assert_eq!(parse_date_time("gestern"), None);
    }

    #[test]
    fn xdomea_uuids_and_file_names() {
        assert!(parse_uuid("0b6c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b").is_some());
        assert!(parse_uuid("0b6c3f0e1c2d4e5f8a9b0c1d2e3f4a5b").is_none());
        assert!(parse_uuid("{0b6c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b}").is_none());
        let ok = "0b6c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b_a.pdf";
        assert!(check_file_name("p", ok).is_ok());
        for bad in [
            "a.pdf",
            "0b6c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/../../x",
            "0b6c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b_a\\b",
            "ü",
        ] {
            assert!(check_file_name("p", bad).is_err(), "{bad}");
        }
    }
}
