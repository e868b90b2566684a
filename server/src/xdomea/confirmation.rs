//! The `FVDaten.ImportBestaetigen.0630` message: the DMS's answer to a
//! 0605, read by [`ImportConfirmation::parse`] and written by
//! [`ImportConfirmation::to_xml`] (for the E-Akte test double and the
//! tests).
//!
//! The schema has no element for the Fachverfahren's object id in a 0630:
//! the answer refers to the 0605 by `Kopf/ProzessID`, and since Amtsweg
//! sends one object per message (`Stapel` 0) every `Rueckgabeparameter`
//! concerns that object, i.e. the submission with that UUID. What the DMS
//! gave the object is read from the `Rueckgabeparameter`: `IDSGO` (its
//! UUID for the object), a general parameter named `Kennzeichen` (or
//! `Aktenzeichen`, `Vorgangszeichen`, `Geschaeftszeichen`) for the file
//! reference, and `Ablageort`.
//!
//! This file must not decide what the worker does with an outcome; it
//! only guarantees that a negative outcome always comes with a reason.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    CONFIRMATION_MESSAGE,
    codes::{
        self, ALLGEMEINE_RUECKMELDUNG, AllgemeineRueckmeldung, NACHRICHTENTYP,
        SPEZIFISCHE_FEHLERMELDUNG_0605, SpezifischeFehlermeldung0605,
    },
    error::{self, Error},
    filing::{
        FilingMessage, Party, check_root, date_time, parse_uuid, read_head, read_party, write_party,
    },
    xml::{self, Element, Limits, XmlWriter},
};

/// The largest 0630 [`ImportConfirmation::parse`] reads. A confirmation
/// of one object is a few kilobytes; anything near this is not one.
pub const MAX_CONFIRMATION_BYTES: usize = 1024 * 1024;

const CONFIRMATION_LIMITS: Limits = Limits {
    max_bytes: MAX_CONFIRMATION_BYTES,
    max_depth: 32,
    max_elements: 20_000,
};

/// The names of a general return parameter that carry the file reference
/// the DMS gave the object. `Kennzeichen` is xdomea's own word (in
/// `AllgemeineMetadaten`) and what [`ImportConfirmation::filed`] writes.
const REFERENCE_FIELDS: [&str; 4] = [
    "Kennzeichen",
    "Aktenzeichen",
    "Vorgangszeichen",
    "Geschaeftszeichen",
];

/// The name of the general return parameter that [`ImportConfirmation::rejected`]
/// uses to name the rejected object.
const OBJECT_ID_FIELD: &str = "FachverfahrenObjektID";

/// The message types that have a `SpezifischeFehlermeldung` element.
const SPECIFIC_TYPES: [&str; 30] = [
    "0601", "0602", "0603", "0604", "0605", "0606", "0607", "0608", "0609", "0610", "0611", "0612",
    "0613", "0614", "0615", "0616", "0617", "0618", "0619", "0620", "0621", "0622", "0623", "0624",
    "0625", "0626", "0627", "0628", "0631", "0632",
];

/// A `FVDaten.ImportBestaetigen.0630` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportConfirmation {
    /// `Kopf/ProzessID`: the 0605's, i.e. the submission's UUID.
    pub process_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The DMS's side (`Kopf/Absender`).
    pub sender: Party,
    /// The portal (`Kopf/Empfaenger`).
    pub receiver: Party,
    /// `Kopf/FVSessionID` (required by the schema; Amtsweg has no
    /// sessions with a DMS and writes it empty).
    pub fv_session_id: String,
    /// `ErfolgOderMisserfolg/Rueckmeldung`: at least one.
    pub message_feedback: Vec<Feedback>,
    /// `ErfolgOderMisserfolg/Rueckgabeparameter`.
    pub objects: Vec<ImportedObject>,
}

/// One `Rueckgabeparameter`: what the DMS says about an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedObject {
    /// `NummerImStapel` (Amtsweg does not batch, so normally `None`).
    pub number_in_batch: Option<u32>,
    /// `IDSGO`: the DMS's UUID of the object.
    pub dms_id: Option<Uuid>,
    pub parameter: ReturnParameter,
    /// `Erfolgreich`.
    pub success: bool,
    /// `Rueckmeldung`: why it failed (or notes).
    pub feedback: Vec<Feedback>,
}

/// `Rueckgabeparameter/Parameter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReturnParameter {
    /// `AllgemeinerRueckgabeparameter` (`FeldType`).
    Field {
        name: String,
        description: Option<String>,
        value: Option<String>,
    },
    /// `Ablageort`.
    Location(String),
    /// `ZumLoeschenMarkiert`.
    MarkedForDeletion(bool),
    /// Another choice (`Vertretungsstatus`), kept by element name only;
    /// written back as a general parameter of that name.
    Other(String),
}

/// One `Rueckmeldung`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Feedback {
    /// `AllgemeineRueckmeldung`, a code of `AllgemeineRueckmeldung_1.1.xml`
    /// (only at message level).
    General { code: String },
    /// `SpezifischeFehlermeldung{message_type}`, a code of that message's
    /// list (e.g. `0605.SpezifischeFehlermeldung_1.0.xml`).
    Specific { message_type: String, code: String },
    /// `SonstigeFehlermeldung`: free text.
    Text(String),
    /// `SonstigeFehlermeldungCode`: a code of a list outside xdomea.
    OtherCode {
        code: String,
        name: Option<String>,
        list_uri: String,
        list_version: String,
    },
}

impl Feedback {
    /// `AllgemeineRueckmeldung` 0000000, "Ausführung wurde erfolgreich
    /// beendet".
    pub fn success() -> Feedback {
        Feedback::General {
            code: AllgemeineRueckmeldung::SUCCESS.to_owned(),
        }
    }

    /// Whether this reports success rather than a problem.
    pub fn is_success(&self) -> bool {
        matches!(self, Feedback::General { code } if code == AllgemeineRueckmeldung::SUCCESS)
    }

    /// The feedback in German for staff: the code list's description
    /// where Amtsweg ships it, else the code or the text.
    pub fn text_de(&self) -> String {
        match self {
            Feedback::General { code } => match AllgemeineRueckmeldung::description(code) {
                Some(text) => format!("{text} ({code})"),
                None => format!("Allgemeine Rückmeldung {code}"),
            },
            Feedback::Specific { message_type, code } => {
                match (
                    message_type.as_str(),
                    SpezifischeFehlermeldung0605::description(code),
                ) {
                    (codes::MESSAGE_TYPE_FILE, Some(text)) => format!("{text} ({code})"),
                    _ => format!("Fehler {code} zur Nachricht {message_type}"),
                }
            }
            Feedback::Text(text) => text.trim().to_owned(),
            Feedback::OtherCode { code, name, .. } => match name {
                Some(name) => format!("{name} ({code})"),
                None => format!("Fehler {code}"),
            },
        }
    }
}

/// What a confirmation means for the submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    /// The DMS filed it.
    Filed {
        /// The submission's UUID (the confirmation's `ProzessID`).
        object_id: Uuid,
        /// `IDSGO`: the DMS's UUID of the filed object.
        dms_id: Option<Uuid>,
        /// The file reference (Aktenzeichen) the DMS gave it.
        file_reference: Option<String>,
        /// `Ablageort`.
        location: Option<String>,
    },
    /// The DMS did not file it.
    Rejected {
        object_id: Uuid,
        /// Never empty for a parsed confirmation.
        reasons: Vec<Feedback>,
    },
}

impl ImportOutcome {
    /// The reasons of a rejection in German, joined; `None` when filed.
    pub fn reason_de(&self) -> Option<String> {
        match self {
            ImportOutcome::Filed { .. } => None,
            ImportOutcome::Rejected { reasons, .. } => Some(
                reasons
                    .iter()
                    .map(Feedback::text_de)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    }
}

impl ImportConfirmation {
    /// A positive confirmation of `message`, as the DMS would send it: the
    /// receiver answers the sender, with `dms_id` and `file_reference` as
    /// what it gave the Vorgang.
    pub fn filed(
        message: &FilingMessage,
        created_at: OffsetDateTime,
        dms_id: Option<Uuid>,
        file_reference: Option<String>,
    ) -> ImportConfirmation {
        let parameter = match file_reference {
            Some(reference) => ReturnParameter::Field {
                name: REFERENCE_FIELDS[0].to_owned(),
                description: Some("Kennzeichen des abgelegten Vorgangs".to_owned()),
                value: Some(reference),
            },
            None => object_id_parameter(message.process_id),
        };
        ImportConfirmation {
            process_id: message.process_id,
            created_at,
            sender: message.receiver.clone(),
            receiver: message.sender.clone(),
            fv_session_id: String::new(),
            message_feedback: vec![Feedback::success()],
            objects: vec![ImportedObject {
                number_in_batch: None,
                dms_id,
                parameter,
                success: true,
                feedback: Vec::new(),
            }],
        }
    }

    /// A negative confirmation of `message` for `reasons` (which must not
    /// be empty: the schema needs at least one `Rueckmeldung`, and Amtsweg
    /// a reason). General feedback goes to the message level only, where
    /// the schema allows it; the rest to both levels.
    pub fn rejected(
        message: &FilingMessage,
        created_at: OffsetDateTime,
        reasons: Vec<Feedback>,
    ) -> ImportConfirmation {
        let object_feedback = reasons
            .iter()
            .filter(|r| !matches!(r, Feedback::General { .. }))
            .cloned()
            .collect();
        ImportConfirmation {
            process_id: message.process_id,
            created_at,
            sender: message.receiver.clone(),
            receiver: message.sender.clone(),
            fv_session_id: String::new(),
            message_feedback: reasons,
            objects: vec![ImportedObject {
                number_in_batch: None,
                dms_id: None,
                parameter: object_id_parameter(message.process_id),
                success: false,
                feedback: object_feedback,
            }],
        }
    }

    /// The name a DMS gives this message's file.
    pub fn file_name(&self) -> String {
        super::confirmation_file_name(self.process_id)
    }

    /// What the confirmation means: rejected if the message level reports
    /// any problem or any object failed, filed otherwise.
    pub fn outcome(&self) -> ImportOutcome {
        let failed = self.objects.iter().any(|o| !o.success)
            || self.message_feedback.iter().any(|f| !f.is_success());
        if failed {
            let mut reasons: Vec<Feedback> = Vec::new();
            let all = self
                .message_feedback
                .iter()
                .chain(self.objects.iter().flat_map(|o| o.feedback.iter()));
            for reason in all.filter(|f| !f.is_success()) {
                if !reasons.contains(reason) {
                    reasons.push(reason.clone());
                }
            }
            return ImportOutcome::Rejected {
                object_id: self.process_id,
                reasons,
            };
        }
        let file_reference = self.objects.iter().find_map(|o| match &o.parameter {
            ReturnParameter::Field {
                name,
                value: Some(value),
                ..
            } if REFERENCE_FIELDS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(name.trim()))
                && !value.trim().is_empty() =>
            {
                Some(value.trim().to_owned())
            }
            _ => None,
        });
        ImportOutcome::Filed {
            object_id: self.process_id,
            dms_id: self.objects.iter().find_map(|o| o.dms_id),
            file_reference,
            location: self.objects.iter().find_map(|o| match &o.parameter {
                ReturnParameter::Location(l) if !l.trim().is_empty() => Some(l.trim().to_owned()),
                _ => None,
            }),
        }
    }

    /// Reads a 0630 (at most [`MAX_CONFIRMATION_BYTES`]). Every problem is
    /// an [`Error`] naming the element; a negative confirmation without a
    /// reason is [`Error::MissingReason`].
    pub fn parse(bytes: &[u8]) -> Result<ImportConfirmation, Error> {
        let root = xml::parse(bytes, CONFIRMATION_LIMITS)?;
        check_root(&root, CONFIRMATION_MESSAGE)?;
        let kopf_path = format!("{CONFIRMATION_MESSAGE}/Kopf");
        let kopf = root.required(CONFIRMATION_MESSAGE, "Kopf")?;
        let (process_id, created_at) =
            read_head(kopf, &kopf_path, codes::MESSAGE_TYPE_IMPORT_CONFIRMATION)?;
        let path = format!("{CONFIRMATION_MESSAGE}/ErfolgOderMisserfolg");
        let result = root.required(CONFIRMATION_MESSAGE, "ErfolgOderMisserfolg")?;
        let message_feedback = result
            .children("Rueckmeldung")
            .enumerate()
            .map(|(i, r)| read_feedback(r, &format!("{path}/Rueckmeldung[{}]", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        if message_feedback.is_empty() {
            return Err(Error::missing(format!("{path}/Rueckmeldung")));
        }
        let objects = result
            .children("Rueckgabeparameter")
            .enumerate()
            .map(|(i, p)| read_object(p, &format!("{path}/Rueckgabeparameter[{}]", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        let confirmation = ImportConfirmation {
            process_id,
            created_at,
            sender: read_party(kopf.child("Absender")),
            receiver: read_party(kopf.child("Empfaenger")),
            fv_session_id: kopf
                .child("FVSessionID")
                .map(|s| s.text.clone())
                .unwrap_or_default(),
            message_feedback,
            objects,
        };
        if let ImportOutcome::Rejected { reasons, .. } = confirmation.outcome()
            && reasons.is_empty()
        {
            return Err(Error::MissingReason);
        }
        Ok(confirmation)
    }

    /// Writes the 0630 as UTF-8 XML, valid against the xdomea 3.0.0
    /// schema as long as the codes come from their lists. Fails when the
    /// schema cannot carry the value: no message-level feedback, general
    /// feedback on an object, a message type without specific error codes,
    /// or a time outside the years 1–9999.
    pub fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let path = format!("{CONFIRMATION_MESSAGE}/ErfolgOderMisserfolg");
        if self.message_feedback.is_empty() {
            return Err(Error::missing(format!("{path}/Rueckmeldung")));
        }
        let created = date_time(self.created_at, error::WHAT_CREATED)?;
        let mut w = XmlWriter::new(2048)?;
        w.root(CONFIRMATION_MESSAGE)?;
        w.start("Kopf")?;
        w.text("ProzessID", &self.process_id.hyphenated().to_string())?;
        w.code(
            "Nachrichtentyp",
            Some(NACHRICHTENTYP),
            codes::MESSAGE_TYPE_IMPORT_CONFIRMATION,
        )?;
        w.text("Erstellungszeitpunkt", &created)?;
        write_party(&mut w, "Absender", &self.sender)?;
        write_party(&mut w, "Empfaenger", &self.receiver)?;
        w.text("FVSessionID", &self.fv_session_id)?;
        w.end("Kopf")?;
        w.start("ErfolgOderMisserfolg")?;
        for (i, feedback) in self.message_feedback.iter().enumerate() {
            write_feedback(&mut w, feedback, &format!("{path}/Rueckmeldung[{}]", i + 1))?;
        }
        for (i, object) in self.objects.iter().enumerate() {
            let object_path = format!("{path}/Rueckgabeparameter[{}]", i + 1);
            w.start("Rueckgabeparameter")?;
            if let Some(number) = object.number_in_batch {
                w.text("NummerImStapel", &number.to_string())?;
            }
            if let Some(id) = object.dms_id {
                w.text("IDSGO", &id.hyphenated().to_string())?;
            }
            w.start("Parameter")?;
            match &object.parameter {
                ReturnParameter::Field {
                    name,
                    description,
                    value,
                } => write_field(&mut w, name, description.as_deref(), value.as_deref())?,
                ReturnParameter::Other(name) => write_field(&mut w, name, None, None)?,
                ReturnParameter::Location(location) => w.text("Ablageort", location)?,
                ReturnParameter::MarkedForDeletion(marked) => {
                    w.text("ZumLoeschenMarkiert", if *marked { "1" } else { "0" })?
                }
            }
            w.end("Parameter")?;
            w.text("Erfolgreich", if object.success { "1" } else { "0" })?;
            for (j, feedback) in object.feedback.iter().enumerate() {
                let feedback_path = format!("{object_path}/Rueckmeldung[{}]", j + 1);
                if let Feedback::General { code } = feedback {
                    return Err(Error::invalid(
                        feedback_path,
                        code,
                        REASON_GENERAL_ON_OBJECT,
                    ));
                }
                write_feedback(&mut w, feedback, &feedback_path)?;
            }
            w.end("Rueckgabeparameter")?;
        }
        w.end("ErfolgOderMisserfolg")?;
        w.finish(CONFIRMATION_MESSAGE)
    }
}

const REASON_GENERAL_ON_OBJECT: &str =
    "the schema allows AllgemeineRueckmeldung only at message level";
const REASON_SPECIFIC_TYPE: &str = "no message type with specific error codes";
const REASON_FEEDBACK: &str = "not a kind of Rueckmeldung";
const REASON_PARAMETER: &str = "not a kind of Parameter";

fn object_id_parameter(process_id: Uuid) -> ReturnParameter {
    ReturnParameter::Field {
        name: OBJECT_ID_FIELD.to_owned(),
        description: Some("ID des Schriftgutobjekts im Fachverfahren".to_owned()),
        value: Some(process_id.hyphenated().to_string()),
    }
}

fn write_field(
    w: &mut XmlWriter,
    name: &str,
    description: Option<&str>,
    value: Option<&str>,
) -> Result<(), Error> {
    w.start("AllgemeinerRueckgabeparameter")?;
    w.text("Name", name)?;
    w.opt_text("Beschreibung", description)?;
    w.opt_text("Wert", value)?;
    w.end("AllgemeinerRueckgabeparameter")
}

fn write_feedback(w: &mut XmlWriter, feedback: &Feedback, path: &str) -> Result<(), Error> {
    w.start("Rueckmeldung")?;
    match feedback {
        Feedback::General { code } => w.code(
            "AllgemeineRueckmeldung",
            Some(ALLGEMEINE_RUECKMELDUNG),
            code,
        )?,
        Feedback::Specific { message_type, code } => {
            if !SPECIFIC_TYPES.contains(&message_type.as_str()) {
                return Err(Error::invalid(path, message_type, REASON_SPECIFIC_TYPE));
            }
            // Only the 0605 list's attributes are known here; they are
            // optional, so the other lists go without.
            let list = (message_type == codes::MESSAGE_TYPE_FILE)
                .then_some(SPEZIFISCHE_FEHLERMELDUNG_0605);
            w.code(
                &format!("SpezifischeFehlermeldung{message_type}"),
                list,
                code,
            )?
        }
        Feedback::Text(text) => w.text("SonstigeFehlermeldung", text)?,
        Feedback::OtherCode {
            code,
            name,
            list_uri,
            list_version,
        } => {
            // The schema requires both list attributes here, and allows a
            // `name` beside the code, which `XmlWriter::code_with` does not
            // write; so this one is spelled out.
            w.start_code(
                "SonstigeFehlermeldungCode",
                Some(list_uri),
                Some(list_version),
            )?;
            w.raw_code(code, name.as_deref())?;
            w.end("SonstigeFehlermeldungCode")?
        }
    }
    w.end("Rueckmeldung")
}

fn read_feedback(element: &Element, path: &str) -> Result<Feedback, Error> {
    let Some(choice) = element.children.first() else {
        return Err(Error::missing(format!("{path}/AllgemeineRueckmeldung")));
    };
    let choice_path = format!("{path}/{}", choice.name);
    let code = || {
        choice
            .required_text(&choice_path, "code")
            .map(str::to_owned)
    };
    if choice.name == "AllgemeineRueckmeldung" {
        return Ok(Feedback::General { code: code()? });
    }
    if let Some(message_type) = choice.name.strip_prefix("SpezifischeFehlermeldung")
        && SPECIFIC_TYPES.contains(&message_type)
    {
        return Ok(Feedback::Specific {
            message_type: message_type.to_owned(),
            code: code()?,
        });
    }
    match choice.name.as_str() {
        "SonstigeFehlermeldung" if !choice.text.trim().is_empty() => {
            Ok(Feedback::Text(choice.text.clone()))
        }
        "SonstigeFehlermeldung" => Err(Error::missing(choice_path)),
        "SonstigeFehlermeldungCode" => Ok(Feedback::OtherCode {
            code: code()?,
            name: choice.child_text("name").map(str::to_owned),
            list_uri: choice.attribute("listURI").unwrap_or_default().to_owned(),
            list_version: choice
                .attribute("listVersionID")
                .unwrap_or_default()
                .to_owned(),
        }),
        other => Err(Error::invalid(path, other, REASON_FEEDBACK)),
    }
}

fn read_object(element: &Element, path: &str) -> Result<ImportedObject, Error> {
    let number_in_batch = match element.child_text("NummerImStapel") {
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            Error::invalid(format!("{path}/NummerImStapel"), n, error::REASON_NUMBER)
        })?),
        None => None,
    };
    let dms_id = match element.child_text("IDSGO") {
        Some(id) => Some(
            parse_uuid(id)
                .ok_or_else(|| Error::invalid(format!("{path}/IDSGO"), id, error::REASON_UUID))?,
        ),
        None => None,
    };
    let parameter_path = format!("{path}/Parameter");
    let parameter = element.required(path, "Parameter")?;
    let Some(choice) = parameter.children.first() else {
        return Err(Error::missing(format!(
            "{parameter_path}/AllgemeinerRueckgabeparameter"
        )));
    };
    let choice_path = format!("{parameter_path}/{}", choice.name);
    let parameter = match choice.name.as_str() {
        "AllgemeinerRueckgabeparameter" => ReturnParameter::Field {
            name: choice.required_text(&choice_path, "Name")?.to_owned(),
            description: choice.child("Beschreibung").map(|d| d.text.clone()),
            value: choice.child("Wert").map(|v| v.text.clone()),
        },
        "Ablageort" => ReturnParameter::Location(choice.text.clone()),
        "ZumLoeschenMarkiert" => {
            ReturnParameter::MarkedForDeletion(parse_bool(&choice_path, &choice.text)?)
        }
        "Vertretungsstatus" => ReturnParameter::Other(choice.name.clone()),
        other => return Err(Error::invalid(parameter_path, other, REASON_PARAMETER)),
    };
    let success_path = format!("{path}/Erfolgreich");
    let success = parse_bool(&success_path, element.required_text(path, "Erfolgreich")?)?;
    let feedback = element
        .children("Rueckmeldung")
        .enumerate()
        .map(|(i, r)| read_feedback(r, &format!("{path}/Rueckmeldung[{}]", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ImportedObject {
        number_in_batch,
        dms_id,
        parameter,
        success,
        feedback,
    })
}

/// xs:boolean.
fn parse_bool(path: &str, text: &str) -> Result<bool, Error> {
    match text.trim() {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        other => Err(Error::invalid(path, other, error::REASON_BOOLEAN)),
    }
}
