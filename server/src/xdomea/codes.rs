//! Values from the xdomea 3.0.0 code lists (`code_lists/` beside the
//! schemas) that Amtsweg writes or reads, each with the list it comes from,
//! and the mapping from a file's MIME type to the *Dateiformat* code.
//!
//! Only codes live here; which element carries them is the business of the
//! message builders. A code that is not in the shipped list must not be
//! added here.

/// A code list: its URI (the `listURI` attribute) and version
/// (`listVersionID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeList {
    pub uri: &'static str,
    pub version: &'static str,
}

/// Code list `Nachrichtentyp_2.0.xml`.
pub(crate) const NACHRICHTENTYP: CodeList = CodeList {
    uri: "urn:xoev-de:xdomea:codeliste:nachrichtentyp",
    version: "2.0",
};

/// `Nachrichtentyp_2.0.xml`: 0605 = FVDaten.SGOAblegen.
pub const MESSAGE_TYPE_FILE: &str = "0605";

/// `Nachrichtentyp_2.0.xml`: 0630 = FVDaten.ImportBestaetigen.
pub const MESSAGE_TYPE_IMPORT_CONFIRMATION: &str = "0630";

/// Code list `Dateiformat_1.0.xml`.
pub(crate) const DATEIFORMAT: CodeList = CodeList {
    uri: "urn:xoev-de:xdomea:codeliste:dateiformat",
    version: "1.0",
};

/// Code list `Medium_1.0.xml`.
pub(crate) const MEDIUM: CodeList = CodeList {
    uri: "urn:xoev-de:xdomea:codeliste:medium",
    version: "1.0",
};

/// `Medium_1.0.xml`: 001 = Elektronisch (the record exists only
/// electronically).
pub(crate) const MEDIUM_ELECTRONIC: &str = "001";

/// Code list `Datentyp_1.1.xml` (the W3C type of an extension field).
pub(crate) const DATENTYP: CodeList = CodeList {
    uri: "urn:xoev-de:xdomea:codeliste:datentyp",
    version: "1.1",
};

/// `Datentyp_1.1.xml` codes used by the extension fields.
pub(crate) mod datentyp {
    /// 006 = dateTime.
    pub const DATE_TIME: &str = "006";
    /// 007 = decimal.
    pub const DECIMAL: &str = "007";
    /// 018 = hexBinary.
    pub const HEX_BINARY: &str = "018";
    /// 038 = string.
    pub const STRING: &str = "038";
    /// 043 = unsignedLong.
    pub const UNSIGNED_LONG: &str = "043";
}

/// Code list `AllgemeineRueckmeldung_1.1.xml`.
pub(crate) const ALLGEMEINE_RUECKMELDUNG: CodeList = CodeList {
    uri: "urn:xoev-de:xdomea:codeliste:allgemeinerueckmeldung",
    version: "1.1",
};

/// Code list `0605.SpezifischeFehlermeldung_1.0.xml`.
pub(crate) const SPEZIFISCHE_FEHLERMELDUNG_0605: CodeList = CodeList {
    uri: "urn:xoev-de:xdomea:codeliste:spezifischefehlermeldung0605",
    version: "1.0",
};

/// The codes of `AllgemeineRueckmeldung_1.1.xml` that Amtsweg names; any
/// other code of the list is read as its number.
pub struct AllgemeineRueckmeldung;

impl AllgemeineRueckmeldung {
    /// 0000000: Ausführung wurde erfolgreich beendet.
    pub const SUCCESS: &'static str = "0000000";
    /// 0000008: the message does not match the schema.
    pub const INVALID_XML: &'static str = "0000008";
    /// 0000009: the message has already been processed.
    pub const ALREADY_PROCESSED: &'static str = "0000009";
    /// 0000018: a file cannot be found.
    pub const FILE_NOT_FOUND: &'static str = "0000018";
    /// 0000499: unknown error (Fachverfahren → DMS).
    pub const UNKNOWN_ERROR: &'static str = "0000499";

    /// The German description the code list gives `code`, if the list has
    /// it.
    pub fn description(code: &str) -> Option<&'static str> {
        ALLGEMEINE_RUECKMELDUNG_TEXTS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, text)| *text)
    }
}

/// `AllgemeineRueckmeldung_1.1.xml`, code → Beschreibung, verbatim.
const ALLGEMEINE_RUECKMELDUNG_TEXTS: &[(&str, &str)] = &[
    ("0000000", "Ausführung wurde erfolgreich beendet."),
    (
        "0000001",
        "Das DMS ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS nicht verfügbar oder antwortet nicht in angemessener Zeit (Time-out).",
    ),
    (
        "0000002",
        "Verbindungsabbruch im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS.",
    ),
    ("0000003", "Die Kennung ist dem DMS nicht bekannt."),
    (
        "0000004",
        "Dem Benutzer bzw. der Rolle fehlen die erforderlichen Rechte zum Aufruf der Nachricht im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS.",
    ),
    (
        "0000005",
        "Die ID des Fachverfahrens ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS unbekannt.",
    ),
    (
        "0000006",
        "Die ID der Verwaltung ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS unbekannt.",
    ),
    (
        "0000007",
        "DMS-Session-ID ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS ungültig bzw. nicht bekannt.",
    ),
    (
        "0000008",
        "Die übergebene XML-Struktur entspricht im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS nicht dem angegebenen Schema und ist nicht valide.",
    ),
    (
        "0000009",
        "Die Nachricht ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS bereits verarbeitet.",
    ),
    (
        "0000010",
        "Die Stapellänge ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS kleiner oder gleich 0.",
    ),
    (
        "0000011",
        "Die Stapellänge ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS größer als 1 und somit in der Dialogverarbeitung unzulässig.",
    ),
    (
        "0000012",
        "Stapellänge ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS kleiner als 1 und somit in der Stapelverarbeitung unzulässig.",
    ),
    (
        "0000013",
        "Die Länge des Stapels stimmt im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS nicht mit der Anzahl der Objekte im Stapel überein.",
    ),
    (
        "0000014",
        "Der Stapel ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS syntaktisch nicht korrekt.",
    ),
    (
        "0000015",
        "Übertragungsfehler im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS.",
    ),
    (
        "0000016",
        "Das Verzeichnis ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS ungültig.",
    ),
    (
        "0000017",
        "Die URL ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS ungültig.",
    ),
    (
        "0000018",
        "Die Datei kann im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS nicht gefunden werden.",
    ),
    (
        "0000019",
        "Die Datenbanktabelle ist im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS nicht zugreifbar.",
    ),
    (
        "0000499",
        "Unbekannter Fehler im Rahmen der Kommunikation vom Fachverfahren in Richtung DMS.",
    ),
    (
        "0000501",
        "Das Fachverfahren ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren nicht verfügbar oder antwortet nicht in angemessener Zeit (Time-out).",
    ),
    (
        "0000502",
        "Verbindungsabbruch im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren.",
    ),
    (
        "0000503",
        "Die Kennung ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren dem System nicht bekannt.",
    ),
    (
        "0000504",
        "Dem Benutzer fehlen im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren die erforderlichen Rechte zum Aufruf der Nachricht.",
    ),
    (
        "0000505",
        "Die ID des Fachverfahrens ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren nicht bekannt.",
    ),
    (
        "0000506",
        "Die ID der Verwaltung ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren nicht bekannt.",
    ),
    (
        "0000507",
        "Die FV-Session-ID ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren ungültig bzw. nicht bekannt.",
    ),
    (
        "0000508",
        "Die übergebene XML-Struktur entspricht im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren nicht dem angegebenen Schema und ist nicht valide.",
    ),
    (
        "0000509",
        "Die Nachricht wurde im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren bereits verarbeitet.",
    ),
    (
        "0000510",
        "Die Stapellänge ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren kleiner oder gleich 0.",
    ),
    (
        "0000511",
        "Die Länge des Stapels stimmt im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren nicht mit der Anzahl der Objekte im Stapel überein.",
    ),
    (
        "0000512",
        "Der Stapel ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren syntaktisch nicht korrekt.",
    ),
    (
        "0000513",
        "Übertragungsfehler im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren.",
    ),
    (
        "0000514",
        "Das Verzeichnis ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren ungültig.",
    ),
    (
        "0000515",
        "Die URL ist im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren ungültig.",
    ),
    (
        "0000516",
        "Die Datei kann im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren nicht gefunden werden.",
    ),
    (
        "0000999",
        "Unbekannter Fehler im Rahmen der Kommunikation vom DMS in Richtung Fachverfahren.",
    ),
];

/// The codes of `0605.SpezifischeFehlermeldung_1.0.xml`: what a DMS
/// reports about a 0605 it could not file.
pub struct SpezifischeFehlermeldung0605;

impl SpezifischeFehlermeldung0605 {
    /// 0605001: the container id is unknown or invalid.
    pub const UNKNOWN_CONTAINER: &'static str = "0605001";
    /// 0605004: a file cannot be found.
    pub const FILE_NOT_FOUND: &'static str = "0605004";
    /// 0605005: a file cannot be filed in the DMS.
    pub const FILE_NOT_STORABLE: &'static str = "0605005";

    /// The German description the code list gives `code`, if the list has
    /// it.
    pub fn description(code: &str) -> Option<&'static str> {
        SPEZIFISCHE_FEHLERMELDUNG_0605_TEXTS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, text)| *text)
    }
}

/// `0605.SpezifischeFehlermeldung_1.0.xml`, code → Beschreibung, verbatim.
const SPEZIFISCHE_FEHLERMELDUNG_0605_TEXTS: &[(&str, &str)] = &[
    (
        "0605001",
        "Die ID des Containers ist im DMS unbekannt/ungültig.",
    ),
    ("0605002", "Das Verzeichnis ist ungültig."),
    ("0605003", "Die URL ist ungültig."),
    ("0605004", "Datei kann nicht gefunden werden."),
    ("0605005", "Datei kann im DMS nicht abgelegt werden."),
    (
        "0605006",
        "Der Name eines Metadatums enthält ungültige Zeichen.",
    ),
    (
        "0605007",
        "Der Wert eines Metadatums enthält ungültige Zeichen.",
    ),
    (
        "0605008",
        "Die Beschreibung eines Metadatums enthält ungültige Zeichen.",
    ),
];

/// A file format from `Dateiformat_1.0.xml`: the code, and for 100
/// (Sonstiges) the name the schema then requires in `SonstigerName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateiformat {
    pub code: &'static str,
    pub other_name: Option<String>,
}

impl Dateiformat {
    /// 044: pdf - Portable Document Format (Archival), i.e. PDF/A.
    pub const PDF_A: &'static str = "044";
    /// 018: pdf - Portable Document Format.
    pub const PDF: &'static str = "018";
    /// 100: Sonstiges.
    pub const OTHER: &'static str = "100";

    /// The format of a file with MIME type `mime` and name `file_name`.
    /// The list distinguishes some formats only by extension (jpg/jpeg,
    /// tif/tiff, Office templates), so the extension refines the MIME
    /// type. Anything the list lacks (JSON among it) is 100 (Sonstiges)
    /// with the extension, or else the MIME type, as its name.
    pub fn from_mime(mime: &str, file_name: &str) -> Dateiformat {
        let mime = mime
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let ext = extension(file_name);
        let code = match (mime.as_str(), ext.as_str()) {
            ("image/bmp" | "image/x-ms-bmp", _) => Some("001"),
            ("text/csv", _) => Some("002"),
            ("application/msword", "dot") => Some("032"),
            ("application/msword", _) => Some("003"),
            ("message/rfc822", _) => Some("006"),
            ("text/html", "htm") => Some("007"),
            ("text/html", _) => Some("008"),
            ("image/jpeg", "jpe") => Some("009"),
            ("image/jpeg", "jpeg") => Some("010"),
            ("image/jpeg", _) => Some("011"),
            ("application/vnd.ms-outlook", _) => Some("012"),
            ("application/vnd.oasis.opendocument.presentation", _) => Some("013"),
            ("application/vnd.oasis.opendocument.spreadsheet", _) => Some("014"),
            ("application/vnd.oasis.opendocument.text", _) => Some("015"),
            ("application/vnd.oasis.opendocument.presentation-template", _) => Some("016"),
            ("application/vnd.oasis.opendocument.spreadsheet-template", _) => Some("017"),
            ("application/vnd.oasis.opendocument.text-template", _) => Some("043"),
            ("application/pdf", _) => Some(Self::PDF),
            ("image/png", _) => Some("019"),
            ("application/vnd.ms-powerpoint", "pot") => Some("033"),
            ("application/vnd.ms-powerpoint", _) => Some("020"),
            ("application/postscript", _) => Some("021"),
            ("application/rtf" | "text/rtf", _) => Some("022"),
            ("image/tiff", "tif") => Some("023"),
            ("image/tiff", _) => Some("024"),
            ("application/vnd.ms-works", _) => Some("025"),
            ("application/vnd.ms-excel", "xlc") => Some("026"),
            ("application/vnd.ms-excel", "xlm") => Some("027"),
            ("application/vnd.ms-excel", "xlw") => Some("029"),
            ("application/vnd.ms-excel", "xlt") => Some("034"),
            ("application/vnd.ms-excel", _) => Some("028"),
            ("application/xml" | "text/xml", "xsd") => Some("031"),
            ("application/xml-dtd", _) => Some("041"),
            ("application/xml" | "text/xml", _) => Some("030"),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _) => {
                Some("035")
            }
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _) => Some("036"),
            ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _) => {
                Some("037")
            }
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.template", _) => {
                Some("038")
            }
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.template", _) => {
                Some("039")
            }
            ("application/vnd.openxmlformats-officedocument.presentationml.template", _) => {
                Some("040")
            }
            ("application/vnd.ms-project", _) => Some("042"),
            ("text/plain", _) => Some("045"),
            _ => None,
        };
        match code {
            Some(code) => Dateiformat {
                code,
                other_name: None,
            },
            None => Dateiformat {
                code: Self::OTHER,
                other_name: Some(if ext.is_empty() {
                    if mime.is_empty() {
                        "unbekannt".to_owned()
                    } else {
                        mime
                    }
                } else {
                    ext
                }),
            },
        }
    }
}

/// The lower-case extension of `file_name` (without the dot), or "".
fn extension(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty() && !ext.is_empty() && ext.len() <= 10 && ext.is_ascii() =>
        {
            ext.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdomea_formats_follow_the_code_list() {
        assert_eq!(
            Dateiformat::from_mime("application/pdf", "a.pdf").code,
            "018"
        );
        assert_eq!(Dateiformat::from_mime("image/jpeg", "a.JPEG").code, "010");
        assert_eq!(Dateiformat::from_mime("image/jpeg", "a.jpg").code, "011");
        assert_eq!(
            Dateiformat::from_mime("text/plain; charset=utf-8", "a").code,
            "045"
        );
        let json = Dateiformat::from_mime("application/json", "daten.json");
        assert_eq!(json.code, "100");
        assert_eq!(json.other_name.as_deref(), Some("json"));
        let unknown = Dateiformat::from_mime("application/x-thing", "noext");
        assert_eq!(unknown.other_name.as_deref(), Some("application/x-thing"));
        assert_eq!(
            Dateiformat::from_mime("", "").other_name.as_deref(),
            Some("unbekannt")
        );
    }

    #[test]
    fn xdomea_code_texts_come_from_the_lists() {
        assert_eq!(
            AllgemeineRueckmeldung::description("0000000"),
            Some("Ausführung wurde erfolgreich beendet.")
        );
        assert_eq!(AllgemeineRueckmeldung::description("1234567"), None);
        assert_eq!(
            SpezifischeFehlermeldung0605::description("0605004"),
            Some("Datei kann nicht gefunden werden.")
        );
    }
}
