//! Structured editing of a draft's definition (the editor's plain HTML
//! forms beside the JSON view): one [`Edit`] read from the posted form
//! fields, applied to the definition's JSON value. The result is saved
//! through the same path as the JSON view, so the engine's check
//! (`Form::load`) decides whether it is stored.

use amtsweg_forms::{AccountClaim, DefinitionError, FieldType, values};
use serde_json::{Map, Value, json};

/// Every field type the engine knows, as written in a definition, with
/// its German and English name.
pub const FIELD_TYPES: &[(&str, &str, &str)] = &[
    ("text", "Text, einzeilig", "text, one line"),
    ("textarea", "Text, mehrzeilig", "text, several lines"),
    ("number", "Zahl", "number"),
    ("money", "Geldbetrag", "amount of money"),
    ("date", "Datum", "date"),
    ("email", "E-Mail-Adresse", "e-mail address"),
    ("phone", "Telefonnummer", "telephone number"),
    ("iban", "IBAN", "IBAN"),
    ("postal_code", "Postleitzahl", "postal code"),
    ("address", "Anschrift", "postal address"),
    ("radio", "Auswahl (Optionsfelder)", "choice (radio buttons)"),
    ("select", "Auswahl (Liste)", "choice (drop-down)"),
    ("checkboxes", "Mehrfachauswahl", "multiple choice"),
    ("yes_no", "Ja/Nein", "yes/no"),
    ("file", "Datei-Upload", "file upload"),
    (
        "info",
        "Information (keine Eingabe)",
        "information (no input)",
    ),
    ("declaration", "Erklärung", "declaration"),
    ("group", "Wiederholbare Gruppe", "repeatable group"),
];

/// Types the structured forms can create: every type on a step; inside
/// a repeatable group neither a group (groups do not nest) nor a file
/// upload (the engine refuses both there).
pub fn can_add(kind: &str, in_group: bool) -> bool {
    !in_group || !matches!(kind, "group" | "file")
}

/// The kinds of service account a form with login can be limited to,
/// as in the definition, with their German and English name.
pub const ACCOUNT_TYPES: &[(&str, &str, &str)] = &[
    (
        "citizen",
        "Bürgerkonto (BundID, Servicekonto)",
        "citizen account",
    ),
    ("business", "Unternehmenskonto", "business account"),
];

/// Types whose `text` (the information shown, the wording declared) is
/// edited with the field.
pub fn has_text(kind: &str) -> bool {
    matches!(kind, "info" | "declaration")
}

/// Types with choice options.
pub fn is_choice(kind: &str) -> bool {
    matches!(kind, "radio" | "select" | "checkboxes")
}

/// Types that take free text: lengths and a pattern apply (as in the
/// engine: text, textarea, e-mail, telephone).
pub fn is_textual(kind: &str) -> bool {
    matches!(kind, "text" | "textarea" | "email" | "phone")
}

/// Types whose citizen's input carries an `autocomplete` token (the
/// inputs, text areas and drop-down lists of the citizen's pages; for an
/// address it switches on the tokens of its parts).
pub fn has_autocomplete(kind: &str) -> bool {
    matches!(
        kind,
        "text"
            | "textarea"
            | "number"
            | "money"
            | "date"
            | "email"
            | "phone"
            | "iban"
            | "postal_code"
            | "address"
            | "select"
    )
}

/// The account attributes a field can be filled from, with their German
/// and English name.
pub const CLAIMS: &[(AccountClaim, &str, &str)] = &[
    (AccountClaim::GivenName, "Vorname", "given name"),
    (AccountClaim::FamilyName, "Familienname", "family name"),
    (AccountClaim::Birthdate, "Geburtsdatum", "date of birth"),
    (AccountClaim::Email, "E-Mail-Adresse", "e-mail address"),
    (AccountClaim::Address, "Anschrift", "postal address"),
    (
        AccountClaim::StreetAddress,
        "Straße und Hausnummer",
        "street and house number",
    ),
    (AccountClaim::PostalCode, "Postleitzahl", "postal code"),
    (AccountClaim::Locality, "Ort", "city"),
    (AccountClaim::Country, "Staat", "country"),
    (
        AccountClaim::Organization,
        "Name des Unternehmens",
        "company name",
    ),
];

/// The account attributes that can fill a field of `kind` (the engine's
/// [`AccountClaim::fits`]).
pub fn claims_for(kind: &str) -> Vec<&'static (AccountClaim, &'static str, &'static str)> {
    let Ok(kind) = serde_json::from_value::<FieldType>(json!(kind)) else {
        return Vec::new();
    };
    CLAIMS.iter().filter(|(c, _, _)| c.fits(kind)).collect()
}

/// Whether the edit form of a field of `kind` sets `key` (the engine's
/// rule which options apply to which type; `prefill` and `autocomplete`
/// only where they do something). Options and code lists are set
/// together, see [`apply`].
pub fn applies(key: &str, kind: &str) -> bool {
    match key {
        "min_length" | "max_length" | "pattern" | "pattern_message" => is_textual(kind),
        "min" | "max" | "decimals" | "unit" => kind == "number",
        "min_cents" | "max_cents" => kind == "money",
        "min_date" | "max_date" => kind == "date",
        "min_selected" | "max_selected" => kind == "checkboxes",
        "accept" | "max_size_bytes" | "max_files" => kind == "file",
        "min_items" | "max_items" | "item_label" => kind == "group",
        "autocomplete" => has_autocomplete(kind),
        "prefill" => !claims_for(kind).is_empty(),
        _ => false,
    }
}

/// What a new file field accepts until the editor sets it (the engine
/// wants both): PDF, JPEG and PNG, 10 MB, as the FIM import assumes.
const NEW_FILE_ACCEPT: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];
const NEW_FILE_MAX_BYTES: u64 = 10 * MEGABYTE;

/// One megabyte as the engine counts it (its limit "100 MB" is
/// 100 × 1024 × 1024 bytes).
const MEGABYTE: u64 = 1024 * 1024;

/// Keys of the definition as posted: the JSON value to store, or `None`
/// to remove the key. Only inputs that were posted give a key, so a form
/// without some input leaves that key as it is.
pub type Keys = Vec<(&'static str, Option<Value>)>;

/// Reads the posted inputs into [`Keys`], collecting every input that
/// cannot be read (each problem names its input in German and English).
struct Reader<'a> {
    pairs: &'a [(String, String)],
    keys: Keys,
    errors: Vec<DefinitionError>,
}

impl<'a> Reader<'a> {
    fn new(pairs: &'a [(String, String)]) -> Self {
        Reader {
            pairs,
            keys: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn posted(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed input `name`, if posted; `Some("")` when empty.
    fn trimmed(&self, name: &str) -> Option<&'a str> {
        self.posted(name).map(str::trim)
    }

    fn fail(&mut self, name: &str, message: String) {
        self.errors.push(problem(name, &message));
    }

    /// Reads input `name` with `read` (`None`: empty, remove the key).
    fn read(
        &mut self,
        key: &'static str,
        name: &str,
        read: impl FnOnce(&str) -> Result<Value, String>,
    ) {
        let Some(text) = self.trimmed(name) else {
            return;
        };
        if text.is_empty() {
            self.keys.push((key, None));
            return;
        }
        match read(text) {
            Ok(value) => self.keys.push((key, Some(value))),
            Err(message) => self.fail(name, message),
        }
    }

    /// A whole number of type `T` (0 or more).
    fn integer<T: std::str::FromStr + Into<Value>>(
        &mut self,
        key: &'static str,
        name: &str,
        what: &str,
    ) {
        self.read(key, name, |text| {
            text.parse::<T>().map(Into::into).map_err(|_| {
                format!(
                    "{what}: keine gültige Zahl, bitte eine ganze Zahl wie 10 / not a valid number, please a whole number like 10"
                )
            })
        });
    }

    /// A number, with a decimal comma or point.
    fn decimal(&mut self, key: &'static str, name: &str, what: &str) {
        self.read(key, name, |text| {
            decimal(text)
                .map(|v| json!(v))
                .ok_or_else(|| format!("{what}: keine gültige Zahl / not a valid number"))
        });
    }

    /// An amount in euros ("12,50", "-5") as cents.
    fn money(&mut self, key: &'static str, name: &str, what: &str) {
        self.read(key, name, |text| {
            amount_cents(text).map(|c| json!(c)).ok_or_else(|| {
                format!(
                    "{what}: kein gültiger Betrag, bitte in Euro wie „12,50“ / not a valid amount, please in euros like \"12,50\""
                )
            })
        });
    }

    /// A date limit: a fixed date (`2024-05-01`, `01.05.2024`) or one
    /// relative to the day of the answer (`today`, `today-18y`, German
    /// `heute-18j`).
    fn date(&mut self, key: &'static str, name: &str, what: &str) {
        self.read(key, name, |text| {
            date_bound(text).map(|d| json!(d)).ok_or_else(|| {
                format!(
                    "{what}: kein gültiges Datum, bitte 2024-05-01, 01.05.2024, today (heute) oder today-18y, today+30d, today-6m / not a valid date, please 2024-05-01, today or today-18y, today+30d, today-6m"
                )
            })
        });
    }

    /// A size in megabytes ("10", "0,5") as bytes.
    fn megabytes(&mut self, key: &'static str, name: &str, what: &str) {
        self.read(key, name, |text| {
            decimal(text)
                .filter(|mb| *mb > 0.0)
                .map(|mb| (mb * MEGABYTE as f64).round())
                .filter(|bytes| *bytes >= 1.0 && *bytes <= u64::MAX as f64)
                .map(|bytes| json!(bytes as u64))
                .ok_or_else(|| {
                    format!(
                        "{what}: keine gültige Größe, bitte Megabyte wie 10 oder 0,5 / not a valid size, please megabytes like 10 or 0.5"
                    )
                })
        });
    }

    /// A list separated by commas (media types).
    fn list(&mut self, key: &'static str, name: &str) {
        self.read(key, name, |text| {
            Ok(Value::Array(
                text.split([',', '\n'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| json!(t))
                    .collect(),
            ))
        });
    }

    /// A text stored as entered (trimmed); empty removes the key.
    fn string(&mut self, key: &'static str, name: &str) {
        self.read(key, name, |text| Ok(json!(text)));
    }

    /// A regular expression: stored as entered (only an empty input is
    /// "none"); the engine's check compiles it.
    fn pattern(&mut self, key: &'static str, name: &str) {
        let Some(text) = self.posted(name) else {
            return;
        };
        let value = (!text.trim().is_empty()).then(|| json!(text));
        self.keys.push((key, value));
    }

    /// A German and English text from `{prefix}de` and `{prefix}en`;
    /// both empty removes the key.
    fn text(&mut self, key: &'static str, prefix: &str) {
        let (de, en) = (format!("{prefix}de"), format!("{prefix}en"));
        if self.posted(&de).is_none() && self.posted(&en).is_none() {
            return;
        }
        let de = self.posted(&de).unwrap_or("");
        let en = self.posted(&en).unwrap_or("");
        let value = (!de.trim().is_empty() || !en.trim().is_empty()).then(|| text(de, en));
        self.keys.push((key, value));
    }

    /// Like [`Reader::text`] for a text the definition must have: it is
    /// always stored (the engine's check reports an empty German text).
    fn required_text(&mut self, key: &'static str, prefix: &str) {
        let (de, en) = (format!("{prefix}de"), format!("{prefix}en"));
        if self.posted(&de).is_none() && self.posted(&en).is_none() {
            return;
        }
        let value = text(
            self.posted(&de).unwrap_or(""),
            self.posted(&en).unwrap_or(""),
        );
        self.keys.push((key, Some(value)));
    }

    /// Texts one a line, `Deutsch|English` (the requirements).
    fn text_lines(&mut self, key: &'static str, name: &str, what: &str) {
        let Some(lines) = self.posted(name) else {
            return;
        };
        let mut list = Vec::new();
        for (n, line) in lines.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match line.split('|').collect::<Vec<_>>().as_slice() {
                [de] if !de.trim().is_empty() => list.push(text(de, "")),
                [de, en] if !de.trim().is_empty() => list.push(text(de, en)),
                _ => {
                    let n = n + 1;
                    return self.fail(
                        name,
                        format!(
                            "{what}, Zeile {n}: bitte „Deutsch|English“ / line {n}: please \"German|English\""
                        ),
                    );
                }
            }
        }
        let value = (!list.is_empty()).then_some(Value::Array(list));
        self.keys.push((key, value));
    }

    /// The prefill from `prefill_claim` (empty: none) and
    /// `prefill_editable=ja`.
    fn prefill(&mut self) {
        let Some(claim) = self.trimmed("prefill_claim") else {
            return;
        };
        if claim.is_empty() {
            self.keys.push(("prefill", None));
            return;
        }
        if !CLAIMS.iter().any(|(c, _, _)| c.name() == claim) {
            return self.fail(
                "prefill_claim",
                "Vorbelegung: unbekanntes Merkmal des Servicekontos / prefill: unknown attribute of the service account".to_owned(),
            );
        }
        let mut prefill = json!({"claim": claim});
        if self.posted("prefill_editable") == Some("ja") {
            prefill["editable"] = json!(true);
        }
        self.keys.push(("prefill", Some(prefill)));
    }

    fn finish(self) -> Result<Keys, Vec<DefinitionError>> {
        if self.errors.is_empty() {
            Ok(self.keys)
        } else {
            Err(self.errors)
        }
    }
}

/// A number with a decimal comma or point; not NaN or infinite.
fn decimal(text: &str) -> Option<f64> {
    let text = text.trim().replace(',', ".");
    let digits = text.strip_prefix('-').unwrap_or(&text);
    // Only digits and one point: no "inf", "NaN" or "1e5".
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An amount in euros as cents: "12,50", "12.5", "1.234,50", "-5", "7 €".
pub fn amount_cents(text: &str) -> Option<i64> {
    let text = text.trim().trim_end_matches('€').trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    // With a decimal comma, points group the thousands.
    let text = if text.contains(',') {
        text.replace('.', "")
    } else {
        text.to_owned()
    };
    let cents = super::rules::cents(&text).ok()?;
    Some(if negative { -cents } else { cents })
}

/// Bytes as megabytes the way the form shows them ("10", "0,5"), exact
/// enough that saving the shown value gives the same bytes.
pub fn megabytes(bytes: u64) -> String {
    let text = format!("{:.7}", bytes as f64 / MEGABYTE as f64);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

/// A date limit as the engine reads it: a fixed date as `YYYY-MM-DD`
/// (also from `DD.MM.YYYY`), or `today`, `today±N(d|m|y)` (also German:
/// `heute`, `heute±N(t|m|j)`).
pub fn date_bound(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    let probe = time::Date::from_calendar_date(2000, time::Month::January, 1).ok()?;
    let relative = if let Some(rest) = text.strip_prefix("heute") {
        let rest = match rest.strip_suffix('j') {
            Some(n) => format!("{n}y"),
            None => match rest.strip_suffix('t') {
                Some(n) => format!("{n}d"),
                None => rest.to_owned(),
            },
        };
        Some(format!("today{rest}"))
    } else {
        text.starts_with("today").then(|| text.clone())
    };
    match relative {
        Some(bound) => values::resolve_date_bound(&bound, probe).map(|_| bound),
        None => values::resolve_date_bound(&text, probe).map(values::iso_date),
    }
}

/// A field to add: id, type and label.
#[derive(Debug, Clone, PartialEq)]
pub struct NewField {
    /// A repeatable group: its first inner field (a group needs one), read
    /// from the inputs `{prefix}inner_…`.
    pub inner: Option<Box<NewField>>,
    pub id: String,
    pub kind: String,
    pub label_de: String,
    pub label_en: String,
    /// Choice fields: `value|Deutsch|English` lines.
    pub options: String,
    /// Information and declaration fields: their text.
    pub text_de: String,
    pub text_en: String,
}

impl NewField {
    fn from(get: &dyn Fn(&str) -> String, prefix: &str) -> Self {
        let kind = get(&format!("{prefix}type"));
        let inner =
            (kind == "group").then(|| Box::new(NewField::from(get, &format!("{prefix}inner_"))));
        NewField {
            inner,
            id: get(&format!("{prefix}id")).trim().to_owned(),
            kind,
            label_de: get(&format!("{prefix}label_de")),
            label_en: get(&format!("{prefix}label_en")),
            options: get(&format!("{prefix}options")),
            text_de: get(&format!("{prefix}text_de")),
            text_en: get(&format!("{prefix}text_en")),
        }
    }

    /// The field's JSON; `in_group`: it goes into a repeatable group.
    fn to_json(&self, in_group: bool) -> Result<Value, DefinitionError> {
        if !FIELD_TYPES.iter().any(|(k, _, _)| *k == self.kind) {
            return Err(problem("type", "unbekannter Feldtyp / unknown field type"));
        }
        if !can_add(&self.kind, in_group) {
            return Err(problem(
                "type",
                "In einer wiederholbaren Gruppe sind weder Gruppen noch Datei-Uploads möglich / a repeatable group cannot contain a group or a file upload",
            ));
        }
        let mut field = json!({"id": self.id, "type": self.kind, "label": text(&self.label_de, &self.label_en)});
        if has_text(&self.kind) {
            if self.text_de.trim().is_empty() && self.text_en.trim().is_empty() {
                return Err(problem(
                    "text_de",
                    "Information und Erklärung brauchen einen Text (Deutsch und Englisch) / information and declaration fields need a text (German and English)",
                ));
            }
            field["text"] = text(&self.text_de, &self.text_en);
        }
        if is_choice(&self.kind) {
            field["options"] = Value::Array(parse_options(&self.options, "options")?);
        }
        if self.kind == "file" {
            field["accept"] = json!(NEW_FILE_ACCEPT);
            field["max_size_bytes"] = json!(NEW_FILE_MAX_BYTES);
        }
        if self.kind == "group" {
            let inner = self
                .inner
                .as_deref()
                .filter(|f| !f.id.is_empty() || !f.kind.is_empty())
                .ok_or_else(|| {
                    problem(
                        "inner_id",
                        "Eine wiederholbare Gruppe braucht ihr erstes Feld: bitte Kennung, Typ und Beschriftung des ersten Felds der Gruppe / a repeatable group needs its first field: please the id, type and label of the group's first field",
                    )
                })?;
            field["fields"] = json!([inner.to_json(true).map_err(|e| DefinitionError {
                path: format!("inner_{}", e.path),
                message: format!(
                    "Erstes Feld der Gruppe / first field of the group: {}",
                    e.message
                ),
            })?]);
        }
        Ok(field)
    }
}

/// One change to the definition.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Title, description, authority, retention and access; the other
    /// texts and numbers of the form as [`Keys`] (summary, requirements,
    /// privacy notice, duration, draft expiry).
    Settings {
        title_de: String,
        title_en: String,
        description_de: String,
        description_en: String,
        authority_id: String,
        authority_de: String,
        authority_en: String,
        retention_days: u32,
        /// `None`: anonymous; otherwise login with this trust level.
        login: Option<String>,
        /// The kinds of account that may apply with login (empty: all),
        /// when the form had the checkboxes; `None` keeps them.
        account_types: Option<Vec<String>>,
        keys: Keys,
    },
    /// A new last step with its first field (the engine wants at least
    /// one field on every step).
    AddStep {
        id: String,
        title_de: String,
        title_en: String,
        field: NewField,
    },
    /// The title and (as [`Keys`]) the description of a step.
    StepTitle {
        step: usize,
        title_de: String,
        title_en: String,
        keys: Keys,
    },
    DeleteStep {
        step: usize,
    },
    MoveStep {
        step: usize,
        up: bool,
    },
    /// A new last field of a step, or (`group`: the group's position) of
    /// a repeatable group on it.
    AddField {
        step: usize,
        group: Option<usize>,
        field: NewField,
    },
    /// Field `field` of the step, or with `inner` the inner field at that
    /// position of the group `field` (the same for delete and move).
    EditField {
        step: usize,
        field: usize,
        inner: Option<usize>,
        label_de: String,
        label_en: String,
        hint_de: String,
        hint_en: String,
        required: bool,
        /// The settings of the field's type (limits, pattern, unit, file
        /// types, autocomplete, prefill, …); set only where [`applies`].
        keys: Keys,
        /// The chosen code list (empty: none), when the form had the input.
        code_list: Option<String>,
        /// The options text, one `value|Deutsch|English` a line (choice
        /// fields only).
        options: Option<String>,
        /// The text of an information or declaration field (German,
        /// English), when the form had these inputs.
        text: Option<(String, String)>,
    },
    DeleteField {
        step: usize,
        field: usize,
        inner: Option<usize>,
    },
    MoveField {
        step: usize,
        field: usize,
        inner: Option<usize>,
        up: bool,
    },
    /// A new code list with its codes (`value|Deutsch|English` lines).
    AddCodeList {
        id: String,
        uri: String,
        version: String,
        codes: Vec<Value>,
    },
    /// URI, version and codes of code list `id`; with `new_id` (not
    /// empty, not `id`) also its id, in every field that chooses it.
    EditCodeList {
        id: String,
        new_id: String,
        uri: String,
        version: String,
        codes: Vec<Value>,
    },
    /// Removes code list `id` (refused while a field chooses it).
    DeleteCodeList {
        id: String,
    },
    /// A rule or a fee (see [`super::rules`]).
    Rule(super::rules::RuleEdit),
}

fn problem(path: &str, message: &str) -> DefinitionError {
    DefinitionError {
        path: path.into(),
        message: message.into(),
    }
}

fn index(get: &dyn Fn(&str) -> String, name: &str) -> Result<usize, DefinitionError> {
    get(name)
        .trim()
        .parse()
        .map_err(|_| problem(name, "keine gültige Position / not a valid position"))
}

/// An optional position (`inner`, `group`): empty or not posted is none.
fn optional_index(
    get: &dyn Fn(&str) -> String,
    name: &str,
) -> Result<Option<usize>, DefinitionError> {
    if get(name).trim().is_empty() {
        Ok(None)
    } else {
        index(get, name).map(Some)
    }
}

/// Whether `id` can name a new code list: lower-case letters, digits,
/// `_` and `-` (as the FIM import names them), starting with a letter.
fn valid_code_list_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// The code list inputs `uri`, `version` and `codes` (one
/// `value|Deutsch|English` a line, at least one).
fn code_list_inputs(
    get: &dyn Fn(&str) -> String,
) -> Result<(String, String, Vec<Value>), DefinitionError> {
    let codes = parse_options(&get("codes"), "codes").map_err(|e| DefinitionError {
        path: e.path,
        message: format!(
            "Codes der Codeliste / codes of the code list, {}",
            e.message
        ),
    })?;
    if codes.is_empty() {
        return Err(problem(
            "codes",
            "Codes der Codeliste: bitte mindestens einen Code, einen je Zeile: Wert|Deutsch|English / codes of the code list: please at least one code, one a line: value|German|English",
        ));
    }
    Ok((
        get("uri").trim().to_owned(),
        get("version").trim().to_owned(),
        codes,
    ))
}

/// The edit the posted form fields describe (`aktion` names it).
pub fn parse(pairs: &[(String, String)]) -> Result<Edit, Vec<DefinitionError>> {
    let get = |name: &str| -> String {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let up = get("richtung") == "hoch";
    let edit = match get("aktion").as_str() {
        "einstellungen" => {
            // Empty: the engine's default, as a definition without the key.
            let retention = get("retention_days");
            let retention = match retention.trim() {
                "" => amtsweg_forms::model::DEFAULT_RETENTION_DAYS.to_string(),
                other => other.to_owned(),
            };
            let retention_days = retention.parse().map_err(|_| {
                vec![problem(
                    "retention_days",
                    "Aufbewahrung: bitte eine ganze Zahl von Tagen / retention: please a whole number of days",
                )]
            })?;
            let login = match get("access").as_str() {
                "anonymous" => None,
                "service_account" => Some(get("min_trust_level")),
                _ => {
                    return Err(vec![problem(
                        "access",
                        "Zugang: anonym oder Anmeldung / access: anonymous or login",
                    )]);
                }
            };
            let account_types = if get("account_types_form") == "ja" {
                let mut types = Vec::new();
                for (_, value) in pairs.iter().filter(|(n, _)| n == "account_types") {
                    let value = value.trim();
                    if !ACCOUNT_TYPES.iter().any(|(t, _, _)| *t == value) {
                        return Err(vec![problem(
                            "account_types",
                            "Kontoarten: nur Bürgerkonto (citizen) oder Unternehmenskonto (business) / account types: only citizen or business",
                        )]);
                    }
                    if !types.iter().any(|t| t == value) {
                        types.push(value.to_owned());
                    }
                }
                Some(types)
            } else {
                None
            };
            let mut r = Reader::new(pairs);
            r.required_text("summary", "summary_");
            r.text_lines(
                "requirements",
                "requirements",
                "Was bereitzuhalten ist / requirements",
            );
            r.text("privacy_notice", "privacy_notice_");
            r.integer::<u32>(
                "duration_minutes",
                "duration_minutes",
                "Dauer in Minuten / duration in minutes",
            );
            r.integer::<u32>(
                "draft_expiry_days",
                "draft_expiry_days",
                "Entwürfe löschen nach Tagen / draft expiry in days",
            );
            let keys = r.finish()?;
            Edit::Settings {
                title_de: get("title_de"),
                title_en: get("title_en"),
                description_de: get("description_de"),
                description_en: get("description_en"),
                authority_id: get("authority_id").trim().to_owned(),
                authority_de: get("authority_de"),
                authority_en: get("authority_en"),
                retention_days,
                login,
                account_types,
                keys,
            }
        }
        "schritt_neu" => Edit::AddStep {
            id: get("id").trim().to_owned(),
            title_de: get("title_de"),
            title_en: get("title_en"),
            field: NewField::from(&get, "field_"),
        },
        "schritt_titel" => {
            let mut r = Reader::new(pairs);
            r.text("description", "description_");
            Edit::StepTitle {
                step: index(&get, "step").map_err(|e| vec![e])?,
                title_de: get("title_de"),
                title_en: get("title_en"),
                keys: r.finish()?,
            }
        }
        "schritt_loeschen" => Edit::DeleteStep {
            step: index(&get, "step").map_err(|e| vec![e])?,
        },
        "schritt_verschieben" => Edit::MoveStep {
            step: index(&get, "step").map_err(|e| vec![e])?,
            up,
        },
        "feld_neu" => Edit::AddField {
            step: index(&get, "step").map_err(|e| vec![e])?,
            group: optional_index(&get, "group").map_err(|e| vec![e])?,
            field: NewField::from(&get, ""),
        },
        "feld_bearbeiten" => {
            let mut errors = Vec::new();
            let step = index(&get, "step").map_err(|e| errors.push(e)).ok();
            let field = index(&get, "field").map_err(|e| errors.push(e)).ok();
            let inner = optional_index(&get, "inner")
                .map_err(|e| errors.push(e))
                .ok();
            let keys = field_keys(pairs).map_err(|e| errors.extend(e)).ok();
            let (Some(step), Some(field), Some(inner), Some(keys)) = (step, field, inner, keys)
            else {
                return Err(errors);
            };
            let posted = |name: &str| pairs.iter().any(|(n, _)| n == name);
            Edit::EditField {
                step,
                field,
                inner,
                label_de: get("label_de"),
                label_en: get("label_en"),
                hint_de: get("hint_de"),
                hint_en: get("hint_en"),
                required: get("required") == "ja",
                keys,
                code_list: posted("code_list").then(|| get("code_list").trim().to_owned()),
                options: posted("options").then(|| get("options")),
                text: posted("text_de").then(|| (get("text_de"), get("text_en"))),
            }
        }
        "feld_loeschen" => Edit::DeleteField {
            step: index(&get, "step").map_err(|e| vec![e])?,
            field: index(&get, "field").map_err(|e| vec![e])?,
            inner: optional_index(&get, "inner").map_err(|e| vec![e])?,
        },
        "feld_verschieben" => Edit::MoveField {
            step: index(&get, "step").map_err(|e| vec![e])?,
            field: index(&get, "field").map_err(|e| vec![e])?,
            inner: optional_index(&get, "inner").map_err(|e| vec![e])?,
            up,
        },
        "codeliste_neu" => {
            let id = get("id").trim().to_owned();
            if !valid_code_list_id(&id) {
                return Err(vec![problem(
                    "id",
                    "Kennung der Codeliste: bitte Kleinbuchstaben, Ziffern, _ oder -, beginnend mit einem Buchstaben / code list id: please lower-case letters, digits, _ or -, starting with a letter",
                )]);
            }
            let (uri, version, codes) = code_list_inputs(&get).map_err(|e| vec![e])?;
            Edit::AddCodeList {
                id,
                uri,
                version,
                codes,
            }
        }
        "codeliste_bearbeiten" => {
            let id = get("code_list");
            let new_id = get("new_id").trim().to_owned();
            if !new_id.is_empty() && new_id != id && !valid_code_list_id(&new_id) {
                return Err(vec![problem(
                    "new_id",
                    "Kennung der Codeliste: bitte Kleinbuchstaben, Ziffern, _ oder -, beginnend mit einem Buchstaben / code list id: please lower-case letters, digits, _ or -, starting with a letter",
                )]);
            }
            let (uri, version, codes) = code_list_inputs(&get).map_err(|e| vec![e])?;
            Edit::EditCodeList {
                id,
                new_id,
                uri,
                version,
                codes,
            }
        }
        "codeliste_loeschen" => Edit::DeleteCodeList {
            id: get("code_list"),
        },
        other => match super::rules::parse(other, &get) {
            Some(rule) => Edit::Rule(rule.map_err(|e| vec![e])?),
            None => {
                return Err(vec![problem(
                    "aktion",
                    "unbekannte Änderung / unknown change",
                )]);
            }
        },
    };
    Ok(edit)
}

/// The type settings of a field's edit form (every posted one; [`apply`]
/// keeps those that apply to the field's type).
fn field_keys(pairs: &[(String, String)]) -> Result<Keys, Vec<DefinitionError>> {
    let mut r = Reader::new(pairs);
    r.integer::<u32>("min_length", "min_length", "Mindestlänge / min length");
    r.integer::<u32>("max_length", "max_length", "Höchstlänge / max length");
    r.pattern("pattern", "pattern");
    r.text("pattern_message", "pattern_message_");
    r.decimal("min", "min", "Kleinster Wert / minimum");
    r.decimal("max", "max", "Größter Wert / maximum");
    r.integer::<u8>("decimals", "decimals", "Nachkommastellen / decimal places");
    r.text("unit", "unit_");
    r.money(
        "min_cents",
        "min_amount",
        "Kleinster Betrag / minimum amount",
    );
    r.money("max_cents", "max_amount", "Größter Betrag / maximum amount");
    r.date("min_date", "min_date", "Frühestes Datum / earliest date");
    r.date("max_date", "max_date", "Spätestes Datum / latest date");
    r.integer::<u32>(
        "min_selected",
        "min_selected",
        "Mindestens auszuwählen / least to choose",
    );
    r.integer::<u32>(
        "max_selected",
        "max_selected",
        "Höchstens auszuwählen / most to choose",
    );
    r.list("accept", "accept");
    r.megabytes(
        "max_size_bytes",
        "max_size_mb",
        "Größte Datei in MB / largest file in MB",
    );
    r.integer::<u32>("max_files", "max_files", "Höchstzahl Dateien / most files");
    r.integer::<u32>(
        "min_items",
        "min_items",
        "Mindestzahl Einträge / least entries",
    );
    r.integer::<u32>(
        "max_items",
        "max_items",
        "Höchstzahl Einträge / most entries",
    );
    r.text("item_label", "item_label_");
    r.string("autocomplete", "autocomplete");
    r.prefill();
    r.finish()
}

fn text(de: &str, en: &str) -> Value {
    json!({"de": de.trim(), "en": en.trim()})
}

/// Sets `key` to the text, or removes it when both languages are empty.
fn set_optional_text(object: &mut Map<String, Value>, key: &str, de: &str, en: &str) {
    if de.trim().is_empty() && en.trim().is_empty() {
        object.remove(key);
    } else {
        object.insert(key.into(), text(de, en));
    }
}

fn set_optional(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    match value {
        Some(v) => object.insert(key.into(), v),
        None => object.remove(key),
    };
}

/// Sets (or removes) each of `keys` that `applies`.
fn set_keys(object: &mut Map<String, Value>, keys: &Keys, applies: impl Fn(&str) -> bool) {
    for (key, value) in keys {
        if applies(key) {
            set_optional(object, key, value.clone());
        }
    }
}

/// The options or the code list of a choice field. A chosen code list
/// with options beside it is refused (the engine takes one or the
/// other); without a code list input, an empty options list keeps a
/// code list reference as it is.
fn choices(
    object: &mut Map<String, Value>,
    options: Option<Vec<Value>>,
    code_list: Option<&str>,
    code_lists: &[String],
    path: &str,
) -> Result<(), DefinitionError> {
    match code_list {
        Some("") => {
            object.remove("code_list");
        }
        Some(id) => {
            if !code_lists.iter().any(|known| known == id) {
                return Err(problem(
                    &format!("{path}.code_list"),
                    &format!(
                        "Codeliste: die Definition hat keine Codeliste „{id}“ / code list: the definition has no code list \"{id}\""
                    ),
                ));
            }
            if options.as_ref().is_some_and(|o| !o.is_empty()) {
                return Err(problem(
                    &format!("{path}.code_list"),
                    "Entweder Optionen oder eine Codeliste: leeren Sie die Optionen, um die Codeliste zu verwenden / either options or a code list: clear the options to use the code list",
                ));
            }
            object.insert("code_list".into(), json!(id));
            object.remove("options");
            return Ok(());
        }
        None => {}
    }
    if let Some(options) = options {
        if !options.is_empty() {
            object.insert("options".into(), Value::Array(options));
        } else if object.contains_key("code_list") {
            object.remove("options");
        } else {
            return Err(problem(
                &format!("{path}.options"),
                "Auswahlfeld: bitte Optionen (eine je Zeile) oder eine Codeliste / choice field: please options (one a line) or a code list",
            ));
        }
    }
    Ok(())
}

fn steps(definition: &mut Value) -> Result<&mut Vec<Value>, DefinitionError> {
    definition
        .get_mut("steps")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| problem("$.steps", "die Definition hat keine Schritte / no steps"))
}

fn step_at(
    definition: &mut Value,
    step: usize,
) -> Result<&mut Map<String, Value>, DefinitionError> {
    steps(definition)?
        .get_mut(step)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            problem(
                &format!("$.steps[{step}]"),
                "diesen Schritt gibt es nicht (mehr) / this step does not exist",
            )
        })
}

/// The list under `key` of `object` (created empty when missing); `path`
/// and `what` (German / English) name it when it is not a list.
pub(super) fn list_in<'a>(
    object: &'a mut Map<String, Value>,
    key: &str,
    path: &str,
    what: &str,
) -> Result<&'a mut Vec<Value>, DefinitionError> {
    object
        .entry(key)
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| problem(path, &format!("{what}: keine Liste / not a list")))
}

fn fields_of(definition: &mut Value, step: usize) -> Result<&mut Vec<Value>, DefinitionError> {
    list_in(
        step_at(definition, step)?,
        "fields",
        &format!("$.steps[{step}].fields"),
        "die Felder / the fields",
    )
}

/// The fields of step `step`, or of its repeatable group at position
/// `group`.
fn field_list(
    definition: &mut Value,
    step: usize,
    group: Option<usize>,
) -> Result<&mut Vec<Value>, DefinitionError> {
    let fields = fields_of(definition, step)?;
    let Some(g) = group else {
        return Ok(fields);
    };
    let path = format!("$.steps[{step}].fields[{g}]");
    let object = fields
        .get_mut(g)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            problem(
                &path,
                "diese Gruppe gibt es nicht (mehr) / this group does not exist",
            )
        })?;
    if object.get("type").and_then(Value::as_str) != Some("group") {
        return Err(problem(
            &path,
            "dieses Feld ist keine wiederholbare Gruppe / this field is not a repeatable group",
        ));
    }
    list_in(
        object,
        "fields",
        &format!("{path}.fields"),
        "die Felder / the fields",
    )
}

/// The group (if any) and the position in its list of a field addressed
/// by `field` and `inner`.
fn group_and_position(field: usize, inner: Option<usize>) -> (Option<usize>, usize) {
    match inner {
        Some(k) => (Some(field), k),
        None => (None, field),
    }
}

fn field_path(step: usize, field: usize, inner: Option<usize>) -> String {
    match inner {
        Some(k) => format!("$.steps[{step}].fields[{field}].fields[{k}]"),
        None => format!("$.steps[{step}].fields[{field}]"),
    }
}

/// The definition's code lists (created when it has none).
fn code_lists(definition: &mut Value) -> Result<&mut Map<String, Value>, DefinitionError> {
    definition
        .as_object_mut()
        .ok_or_else(|| problem("$", "keine Definition / not a definition"))?
        .entry("code_lists")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| {
            problem(
                "$.code_lists",
                "die Codelisten sind kein Objekt / the code lists are not an object",
            )
        })
}

fn no_code_list(id: &str) -> DefinitionError {
    problem(
        "code_list",
        &format!(
            "die Codeliste „{id}“ gibt es nicht (mehr) / the code list \"{id}\" does not exist"
        ),
    )
}

fn code_list_json(uri: &str, version: &str, codes: &[Value]) -> Value {
    let mut list = json!({"options": codes});
    if !uri.is_empty() {
        list["uri"] = json!(uri);
    }
    if !version.is_empty() {
        list["version"] = json!(version);
    }
    list
}

/// The ids of the fields (also inside groups) that choose code list `id`.
/// Gives code list `id` the id `new_id`, in `code_lists` and in every field
/// (inner fields of groups too) that chooses it.
fn rename_code_list(definition: &mut Value, id: &str, new_id: &str) -> Result<(), DefinitionError> {
    fn walk(fields: &mut [Value], id: &str, new_id: &str) {
        for f in fields {
            if f.get("code_list").and_then(Value::as_str) == Some(id)
                && let Some(object) = f.as_object_mut()
            {
                object.insert("code_list".to_owned(), Value::String(new_id.to_owned()));
            }
            if let Some(inner) = f.get_mut("fields").and_then(Value::as_array_mut) {
                walk(inner, id, new_id);
            }
        }
    }
    let lists = code_lists(definition)?;
    if lists.contains_key(new_id) {
        return Err(problem(
            "new_id",
            &format!(
                "Kennung der Codeliste: „{new_id}“ gibt es schon / code list id: \"{new_id}\" exists already"
            ),
        ));
    }
    let list = lists.remove(id).ok_or_else(|| no_code_list(id))?;
    lists.insert(new_id.to_owned(), list);
    for step in definition
        .get_mut("steps")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(fields) = step.get_mut("fields").and_then(Value::as_array_mut) {
            walk(fields, id, new_id);
        }
    }
    Ok(())
}

pub fn choosers(definition: &Value, id: &str) -> Vec<String> {
    fn walk(fields: &[Value], id: &str, out: &mut Vec<String>) {
        for f in fields {
            if f.get("code_list").and_then(Value::as_str) == Some(id) {
                out.push(f.get("id").and_then(Value::as_str).unwrap_or("").to_owned());
            }
            if let Some(inner) = f.get("fields").and_then(Value::as_array) {
                walk(inner, id, out);
            }
        }
    }
    let mut out = Vec::new();
    for step in definition
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(fields) = step.get("fields").and_then(Value::as_array) {
            walk(fields, id, &mut out);
        }
    }
    out
}

/// Swaps entry `at` of `list` with its neighbour above (`up`) or below;
/// refused when there is none.
pub(super) fn swap(
    list: &mut [Value],
    at: usize,
    up: bool,
    path: &str,
) -> Result<(), DefinitionError> {
    let other = if up {
        at.checked_sub(1)
    } else {
        at.checked_add(1)
    };
    match other {
        Some(other) if at < list.len() && other < list.len() => {
            list.swap(at, other);
            Ok(())
        }
        _ => Err(problem(
            path,
            if up {
                "steht schon ganz oben / is at the top already"
            } else {
                "steht schon ganz unten / is at the bottom already"
            },
        )),
    }
}

/// The options of a choice field from `value|Deutsch|English` lines.
pub fn parse_options(text: &str, path: &str) -> Result<Vec<Value>, DefinitionError> {
    let mut options = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        match parts.as_slice() {
            [value, de, en] if !value.is_empty() => {
                options.push(json!({"value": value, "label": {"de": de, "en": en}}));
            }
            _ => {
                return Err(problem(
                    path,
                    &format!(
                        "Zeile {}: bitte „Wert|Deutsch|English“ / line {}: please \"value|German|English\"",
                        n + 1,
                        n + 1
                    ),
                ));
            }
        }
    }
    Ok(options)
}

/// The options of a field as `value|Deutsch|English` lines.
pub fn options_text(field: &Value) -> String {
    field
        .get("options")
        .and_then(Value::as_array)
        .map(|options| {
            options
                .iter()
                .map(|o| {
                    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
                    format!(
                        "{}|{}|{}",
                        s(o.get("value")),
                        s(o.pointer("/label/de")),
                        s(o.pointer("/label/en"))
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Applies `edit` to `definition`. Only the shape is checked here; the
/// engine's check on saving decides whether the result is valid.
pub fn apply(definition: &mut Value, edit: &Edit) -> Result<(), DefinitionError> {
    match edit {
        Edit::Settings {
            title_de,
            title_en,
            description_de,
            description_en,
            authority_id,
            authority_de,
            authority_en,
            retention_days,
            login,
            account_types,
            keys,
        } => {
            // Without the checkboxes the stored kinds stay; only a form
            // with login has them.
            let types = match account_types {
                Some(types) => (!types.is_empty()).then(|| json!(types)),
                None => definition.pointer("/access/account_types").cloned(),
            }
            .filter(|_| login.is_some());
            let object = definition
                .as_object_mut()
                .ok_or_else(|| problem("$", "keine Definition / not a definition"))?;
            object.insert("title".into(), text(title_de, title_en));
            set_optional_text(object, "description", description_de, description_en);
            object.insert(
                "authority".into(),
                json!({"id": authority_id, "name": text(authority_de, authority_en)}),
            );
            object.insert("retention_days".into(), json!(retention_days));
            let access = match login {
                None => json!({"kind": "anonymous"}),
                Some(level) => {
                    let mut access = json!({"kind": "service_account", "min_trust_level": level});
                    if let (Some(types), Some(a)) = (types, access.as_object_mut()) {
                        a.insert("account_types".into(), types);
                    }
                    access
                }
            };
            object.insert("access".into(), access);
            set_keys(object, keys, |_| true);
        }
        Edit::AddStep {
            id,
            title_de,
            title_en,
            field,
        } => {
            let field = field.to_json(false)?;
            steps(definition)?.push(json!({
                "id": id, "title": text(title_de, title_en), "fields": [field]
            }));
        }
        Edit::StepTitle {
            step,
            title_de,
            title_en,
            keys,
        } => {
            let object = step_at(definition, *step)?;
            object.insert("title".into(), text(title_de, title_en));
            set_keys(object, keys, |_| true);
        }
        Edit::DeleteStep { step } => {
            step_at(definition, *step)?;
            steps(definition)?.remove(*step);
        }
        Edit::MoveStep { step, up } => {
            swap(steps(definition)?, *step, *up, &format!("$.steps[{step}]"))?;
        }
        Edit::AddField { step, group, field } => {
            let field = field.to_json(group.is_some())?;
            field_list(definition, *step, *group)?.push(field);
        }
        Edit::EditField {
            step,
            field,
            inner,
            label_de,
            label_en,
            hint_de,
            hint_en,
            required,
            keys,
            code_list,
            options,
            text: field_text,
        } => {
            let path = field_path(*step, *field, *inner);
            let options = options
                .as_deref()
                .map(|t| parse_options(t, &format!("{path}.options")))
                .transpose()?;
            let code_lists: Vec<String> = definition
                .get("code_lists")
                .and_then(Value::as_object)
                .map(|lists| lists.keys().cloned().collect())
                .unwrap_or_default();
            let (group, at) = group_and_position(*field, *inner);
            let object = field_list(definition, *step, group)?
                .get_mut(at)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| {
                    problem(
                        &path,
                        "dieses Feld gibt es nicht (mehr) / this field does not exist",
                    )
                })?;
            let kind = object
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            object.insert("label".into(), text(label_de, label_en));
            set_optional_text(object, "hint", hint_de, hint_en);
            if *required {
                object.insert("required".into(), json!(true));
            } else {
                object.remove("required");
            }
            // A field in a group cannot be prefilled (the engine's rule):
            // its form has no prefill, and a posted one is ignored.
            let applies = |key: &str| applies(key, &kind) && !(inner.is_some() && key == "prefill");
            if let Some(claim) = keys
                .iter()
                .filter(|(key, _)| *key == "prefill" && applies(key))
                .find_map(|(_, v)| v.as_ref()?.get("claim")?.as_str())
                && !claims_for(&kind).iter().any(|(c, _, _)| c.name() == claim)
            {
                return Err(problem(
                    "prefill_claim",
                    "Vorbelegung: dieses Merkmal des Servicekontos passt nicht zum Feldtyp / prefill: this attribute of the service account does not fit the field's type",
                ));
            }
            set_keys(object, keys, applies);
            if let Some((de, en)) = field_text.as_ref().filter(|_| has_text(&kind)) {
                object.insert("text".into(), text(de, en));
            }
            if is_choice(&kind) {
                choices(object, options, code_list.as_deref(), &code_lists, &path)?;
            }
        }
        Edit::DeleteField { step, field, inner } => {
            let path = field_path(*step, *field, *inner);
            let (group, at) = group_and_position(*field, *inner);
            let fields = field_list(definition, *step, group)?;
            if at >= fields.len() {
                return Err(problem(
                    &path,
                    "dieses Feld gibt es nicht (mehr) / this field does not exist",
                ));
            }
            if group.is_some() && fields.len() == 1 {
                return Err(problem(
                    &path,
                    "Eine wiederholbare Gruppe braucht mindestens ein Feld: löschen Sie stattdessen die Gruppe / a repeatable group needs at least one field: delete the group instead",
                ));
            }
            fields.remove(at);
        }
        Edit::MoveField {
            step,
            field,
            inner,
            up,
        } => {
            let path = field_path(*step, *field, *inner);
            let (group, at) = group_and_position(*field, *inner);
            swap(field_list(definition, *step, group)?, at, *up, &path)?;
        }
        Edit::AddCodeList {
            id,
            uri,
            version,
            codes,
        } => {
            let lists = code_lists(definition)?;
            if lists.contains_key(id) {
                return Err(problem(
                    "id",
                    &format!(
                        "Kennung der Codeliste: „{id}“ gibt es schon / code list id: \"{id}\" exists already"
                    ),
                ));
            }
            lists.insert(id.clone(), code_list_json(uri, version, codes));
        }
        Edit::EditCodeList {
            id,
            new_id,
            uri,
            version,
            codes,
        } => {
            let id = if new_id.is_empty() || new_id == id {
                id
            } else {
                rename_code_list(definition, id, new_id)?;
                new_id
            };
            let list = code_lists(definition)?
                .get_mut(id)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| no_code_list(id))?;
            // Keys the form does not edit stay.
            for (key, value) in code_list_json(uri, version, codes)
                .as_object()
                .into_iter()
                .flatten()
            {
                list.insert(key.clone(), value.clone());
            }
            for (key, value) in [("uri", uri), ("version", version)] {
                if value.is_empty() {
                    list.remove(key);
                }
            }
        }
        Edit::DeleteCodeList { id } => {
            if let Some(user) = choosers(definition, id).first() {
                return Err(problem(
                    "code_list",
                    &format!(
                        "Die Codeliste „{id}“ wählt noch das Feld „{user}“: wählen Sie dort zuerst eigene Optionen / the code list \"{id}\" is still chosen by the field \"{user}\": give it its own options first"
                    ),
                ));
            }
            let lists = code_lists(definition)?;
            if lists.remove(id).is_none() {
                return Err(no_code_list(id));
            }
            if lists.is_empty()
                && let Some(object) = definition.as_object_mut()
            {
                object.remove("code_lists");
            }
        }
        Edit::Rule(rule) => super::rules::apply(definition, rule)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    fn definition() -> Value {
        json!({
            "id": "x", "version": 1,
            "title": {"de": "Alt", "en": "Old"},
            "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
            "steps": [
                {"id": "a", "title": {"de": "A", "en": "A"}, "fields": [
                    {"id": "f1", "type": "text", "label": {"de": "F1", "en": "F1"}},
                    {"id": "f2", "type": "radio", "label": {"de": "F2", "en": "F2"},
                     "options": [{"value": "j", "label": {"de": "Ja", "en": "Yes"}}]}]},
                {"id": "b", "title": {"de": "B", "en": "B"}, "fields": []}
            ]
        })
    }

    fn run(list: &[(&str, &str)]) -> Result<Value, Vec<DefinitionError>> {
        let edit = parse(&pairs(list))?;
        let mut d = definition();
        apply(&mut d, &edit).map_err(|e| vec![e])?;
        Ok(d)
    }

    #[test]
    fn settings_set_texts_authority_retention_and_access() {
        let d = run(&[
            ("aktion", "einstellungen"),
            ("title_de", "Neu"),
            ("title_en", "New"),
            ("description_de", ""),
            ("description_en", ""),
            ("authority_id", "stadt"),
            ("authority_de", "Stadt"),
            ("authority_en", "City"),
            ("retention_days", "30"),
            ("access", "service_account"),
            ("min_trust_level", "hoch"),
        ])
        .unwrap();
        assert_eq!(d["title"], json!({"de": "Neu", "en": "New"}));
        assert!(d.get("description").is_none());
        assert_eq!(d["authority"]["id"], "stadt");
        assert_eq!(d["retention_days"], 30);
        assert_eq!(d["access"]["min_trust_level"], "hoch");
        let bad = run(&[("aktion", "einstellungen"), ("retention_days", "viele")]);
        assert!(bad.unwrap_err()[0].message.contains("ganze Zahl"));
    }

    #[test]
    fn steps_are_added_renamed_moved_and_deleted() {
        let d = run(&[
            ("aktion", "schritt_neu"),
            ("id", "c"),
            ("title_de", "C"),
            ("field_type", "info"),
            ("field_text_de", "Gut zu wissen"),
        ])
        .unwrap();
        assert_eq!(d["steps"][2]["id"], "c");
        assert_eq!(d["steps"][2]["fields"][0]["text"]["de"], "Gut zu wissen");
        let no_text = run(&[
            ("aktion", "schritt_neu"),
            ("id", "c"),
            ("title_de", "C"),
            ("field_type", "declaration"),
        ]);
        assert!(
            no_text.unwrap_err()[0]
                .message
                .contains("brauchen einen Text")
        );
        let group = run(&[
            ("aktion", "schritt_neu"),
            ("id", "c"),
            ("title_de", "C"),
            ("field_type", "group"),
        ]);
        assert!(group.unwrap_err()[0].message.contains("erstes Feld"));
        let d = run(&[
            ("aktion", "schritt_neu"),
            ("id", "c"),
            ("title_de", "C"),
            ("field_id", "kinder"),
            ("field_type", "group"),
            ("field_label_de", "Kinder"),
            ("field_inner_id", "kind_name"),
            ("field_inner_type", "text"),
            ("field_inner_label_de", "Name"),
        ])
        .unwrap();
        assert_eq!(d["steps"][2]["fields"][0]["fields"][0]["id"], "kind_name");
        let d = run(&[
            ("aktion", "schritt_verschieben"),
            ("step", "1"),
            ("richtung", "hoch"),
        ])
        .unwrap();
        assert_eq!(d["steps"][0]["id"], "b");
        let top = run(&[
            ("aktion", "schritt_verschieben"),
            ("step", "0"),
            ("richtung", "hoch"),
        ]);
        assert!(top.unwrap_err()[0].message.contains("ganz oben"));
        let d = run(&[("aktion", "schritt_loeschen"), ("step", "0")]).unwrap();
        assert_eq!(d["steps"].as_array().unwrap().len(), 1);
        let d = run(&[
            ("aktion", "schritt_titel"),
            ("step", "1"),
            ("title_de", "Bee"),
            ("title_en", "Bee"),
        ])
        .unwrap();
        assert_eq!(d["steps"][1]["title"]["de"], "Bee");
        assert!(run(&[("aktion", "schritt_loeschen"), ("step", "7")]).is_err());
    }

    #[test]
    fn fields_are_added_edited_moved_and_deleted() {
        let d = run(&[
            ("aktion", "feld_neu"),
            ("step", "1"),
            ("id", "n"),
            ("type", "number"),
            ("label_de", "Zahl"),
        ])
        .unwrap();
        assert_eq!(d["steps"][1]["fields"][0]["type"], "number");
        assert!(run(&[("aktion", "feld_neu"), ("step", "1"), ("type", "telepathy")]).is_err());

        let d = run(&[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "0"),
            ("label_de", "Name"),
            ("label_en", "Name"),
            ("hint_de", "Wie im Ausweis"),
            ("required", "ja"),
            ("max_length", "40"),
        ])
        .unwrap();
        let f = &d["steps"][0]["fields"][0];
        assert_eq!(f["required"], true);
        assert_eq!(f["max_length"], 40);
        assert_eq!(f["hint"]["de"], "Wie im Ausweis");
        let bad = run(&[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "0"),
            ("max_length", "lang"),
        ]);
        assert!(bad.unwrap_err()[0].message.contains("keine gültige Zahl"));

        let d = run(&[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "1"),
            ("label_de", "F2"),
            ("options", "a|Eins|One\n\nb|Zwei|Two"),
        ])
        .unwrap();
        assert_eq!(
            d["steps"][0]["fields"][1]["options"][1]["label"]["en"],
            "Two"
        );
        assert_eq!(
            options_text(&d["steps"][0]["fields"][1]),
            "a|Eins|One\nb|Zwei|Two"
        );
        let bad = run(&[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "1"),
            ("options", "nur-ein-teil"),
        ]);
        assert!(bad.unwrap_err()[0].message.contains("Zeile 1"));

        let d = run(&[
            ("aktion", "feld_verschieben"),
            ("step", "0"),
            ("field", "0"),
        ])
        .unwrap();
        assert_eq!(d["steps"][0]["fields"][1]["id"], "f1");
        let d = run(&[("aktion", "feld_loeschen"), ("step", "0"), ("field", "1")]).unwrap();
        assert_eq!(d["steps"][0]["fields"].as_array().unwrap().len(), 1);
        assert!(run(&[("aktion", "was")]).is_err());
    }

    #[test]
    fn inputs_are_read_as_the_engine_stores_them() {
        assert_eq!(date_bound("01.05.2024").as_deref(), Some("2024-05-01"));
        assert_eq!(date_bound(" 2024-05-01 ").as_deref(), Some("2024-05-01"));
        assert_eq!(date_bound("Today").as_deref(), Some("today"));
        assert_eq!(date_bound("heute-18j").as_deref(), Some("today-18y"));
        assert_eq!(date_bound("heute+30t").as_deref(), Some("today+30d"));
        assert_eq!(date_bound("today-6m").as_deref(), Some("today-6m"));
        for bad in ["gestern", "31.02.2024", "today*3d", "heute-"] {
            assert_eq!(date_bound(bad), None, "{bad}");
        }
        assert_eq!(amount_cents("12,50"), Some(1250));
        assert_eq!(amount_cents("-5"), Some(-500));
        assert_eq!(amount_cents("1.234,50"), Some(123_450));
        assert_eq!(amount_cents("7 €"), Some(700));
        for bad in ["abc", "1,234", "--5", ""] {
            assert_eq!(amount_cents(bad), None, "{bad}");
        }
        assert_eq!(decimal("-1,5"), Some(-1.5));
        for bad in ["inf", "NaN", "1e5", "-", "1,2,3"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        assert_eq!(megabytes(10 * MEGABYTE), "10");
        assert_eq!(megabytes(MEGABYTE / 2), "0,5");
        // What is shown gives the same bytes again.
        for bytes in [500_000, 1, 104_857_599] {
            let mb = decimal(&megabytes(bytes)).unwrap();
            assert_eq!((mb * MEGABYTE as f64).round() as u64, bytes, "{bytes}");
        }
        for (claim, _, _) in CLAIMS {
            let read: AccountClaim = serde_json::from_value(json!(claim.name())).unwrap();
            assert_eq!(read, *claim);
        }
        let names = |kind| {
            claims_for(kind)
                .iter()
                .map(|(c, _, _)| c.name())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("date"), ["birthdate"]);
        assert!(names("text").contains(&"family_name"));
        assert!(names("number").is_empty());
        assert!(applies("prefill", "email") && !applies("prefill", "number"));
        assert!(applies("pattern", "phone") && !applies("pattern", "iban"));
    }

    #[test]
    fn field_settings_are_set_removed_and_kept_by_type() {
        let edit = |extra: &[(&str, &str)]| {
            let mut list = vec![
                ("aktion", "feld_bearbeiten"),
                ("step", "0"),
                ("field", "0"),
                ("label_de", "F1"),
                ("label_en", "F1"),
            ];
            list.extend_from_slice(extra);
            run(&list)
        };
        let d = edit(&[
            ("min_length", "2"),
            ("pattern", "[A-Z]{2}[0-9]+"),
            ("pattern_message_de", "„F1“: zwei Buchstaben, dann Ziffern"),
            ("pattern_message_en", "“F1”: two letters, then digits"),
            ("autocomplete", " off "),
            ("prefill_claim", "family_name"),
            ("prefill_editable", "ja"),
            // Not for a text field: ignored.
            ("min_amount", "5"),
            ("max_size_mb", "3"),
        ])
        .unwrap();
        let f = &d["steps"][0]["fields"][0];
        assert_eq!(f["min_length"], 2);
        assert_eq!(f["pattern"], "[A-Z]{2}[0-9]+");
        assert_eq!(f["pattern_message"]["en"], "“F1”: two letters, then digits");
        assert_eq!(f["autocomplete"], "off");
        assert_eq!(
            f["prefill"],
            json!({"claim": "family_name", "editable": true})
        );
        assert!(f.get("min_cents").is_none() && f.get("max_size_bytes").is_none());

        // Empty inputs remove the keys; inputs not posted keep theirs.
        let mut d2 = d.clone();
        let cleared = parse(&pairs(&[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "0"),
            ("label_de", "F1"),
            ("min_length", ""),
            ("pattern", " "),
            ("pattern_message_de", ""),
            ("pattern_message_en", ""),
            ("prefill_claim", ""),
        ]))
        .unwrap();
        apply(&mut d2, &cleared).unwrap();
        let f = &d2["steps"][0]["fields"][0];
        for key in ["min_length", "pattern", "pattern_message", "prefill"] {
            assert!(f.get(key).is_none(), "{key}: {f}");
        }
        assert_eq!(f["autocomplete"], "off", "not posted: kept");

        // Every unreadable input is named, in German and English.
        let errors = edit(&[
            ("min_length", "zwei"),
            ("min_amount", "12,3x"),
            ("min_date", "gestern"),
            ("max_size_mb", "-1"),
            ("prefill_claim", "shoe_size"),
        ])
        .unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "min_length",
                "min_amount",
                "min_date",
                "max_size_mb",
                "prefill_claim"
            ]
        );
        assert!(
            errors[0]
                .message
                .starts_with("Mindestlänge / min length: keine gültige Zahl")
        );
        assert!(errors[1].message.contains("in Euro wie „12,50“"));
        // A claim that does not fit the type.
        let wrong = run(&[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "0"),
            ("label_de", "F1"),
            ("prefill_claim", "birthdate"),
        ]);
        assert!(
            wrong.unwrap_err()[0]
                .message
                .contains("passt nicht zum Feldtyp")
        );
    }

    #[test]
    fn a_choice_takes_options_or_a_code_list() {
        let mut d = definition();
        d["code_lists"] =
            json!({"staaten": {"options": [{"value": "de", "label": {"de": "Deutschland"}}]}});
        let choose = |d: &mut Value, list: &[(&str, &str)]| {
            let mut all = vec![
                ("aktion", "feld_bearbeiten"),
                ("step", "0"),
                ("field", "1"),
                ("label_de", "F2"),
            ];
            all.extend_from_slice(list);
            let edit = parse(&pairs(&all)).map_err(|e| e[0].message.clone())?;
            apply(d, &edit).map_err(|e| e.message)
        };
        let both = choose(&mut d, &[("code_list", "staaten"), ("options", "j|Ja|Yes")]);
        assert!(both.unwrap_err().contains("leeren Sie die Optionen"));
        let unknown = choose(&mut d, &[("code_list", "laender"), ("options", "")]);
        assert!(unknown.unwrap_err().contains("keine Codeliste „laender“"));
        choose(&mut d, &[("code_list", "staaten"), ("options", "")]).unwrap();
        let f = &d["steps"][0]["fields"][1];
        assert_eq!(f["code_list"], "staaten");
        assert!(f.get("options").is_none());
        // Without the code list input the reference stays.
        choose(&mut d, &[("options", "")]).unwrap();
        assert_eq!(d["steps"][0]["fields"][1]["code_list"], "staaten");
        let neither = choose(&mut d, &[("code_list", ""), ("options", "")]);
        assert!(
            neither
                .unwrap_err()
                .contains("Optionen (eine je Zeile) oder eine Codeliste")
        );
        choose(&mut d, &[("code_list", ""), ("options", "a|A|A")]).unwrap();
        let f = &d["steps"][0]["fields"][1];
        assert!(f.get("code_list").is_none());
        assert_eq!(f["options"][0]["value"], "a");
    }

    #[test]
    fn settings_and_step_texts_are_set_and_removed() {
        let d = run(&[
            ("aktion", "einstellungen"),
            ("title_de", "T"),
            ("authority_id", "amt"),
            ("retention_days", "7"),
            ("access", "anonymous"),
            ("summary_de", "Kurz"),
            ("summary_en", "Short"),
            ("requirements", "Personalausweis|Identity card\n\nFoto"),
            ("privacy_notice_de", "Wir speichern …"),
            ("privacy_notice_en", ""),
            ("duration_minutes", "15"),
            ("draft_expiry_days", ""),
        ])
        .unwrap();
        assert_eq!(d["summary"], json!({"de": "Kurz", "en": "Short"}));
        assert_eq!(
            d["requirements"],
            json!([{"de": "Personalausweis", "en": "Identity card"}, {"de": "Foto", "en": ""}])
        );
        assert_eq!(d["privacy_notice"]["de"], "Wir speichern …");
        assert_eq!(d["duration_minutes"], 15);
        assert!(d.get("draft_expiry_days").is_none());
        let bad = run(&[
            ("aktion", "einstellungen"),
            ("retention_days", "7"),
            ("access", "anonymous"),
            ("requirements", "a|b|c"),
            ("duration_minutes", "eine Viertelstunde"),
        ])
        .unwrap_err();
        assert!(bad[0].message.contains("Zeile 1"), "{bad:?}");
        assert!(bad[1].message.starts_with("Dauer in Minuten"), "{bad:?}");

        let d = run(&[
            ("aktion", "schritt_titel"),
            ("step", "0"),
            ("title_de", "A"),
            ("description_de", "Bitte genau"),
            ("description_en", "Please be exact"),
        ])
        .unwrap();
        assert_eq!(d["steps"][0]["description"]["en"], "Please be exact");
        let mut d2 = d.clone();
        let clear = parse(&pairs(&[
            ("aktion", "schritt_titel"),
            ("step", "0"),
            ("title_de", "A"),
            ("description_de", ""),
            ("description_en", " "),
        ]))
        .unwrap();
        apply(&mut d2, &clear).unwrap();
        assert!(d2["steps"][0].get("description").is_none());
    }

    #[test]
    fn a_new_file_field_gets_types_and_a_size() {
        let d = run(&[
            ("aktion", "feld_neu"),
            ("step", "1"),
            ("id", "beleg"),
            ("type", "file"),
            ("label_de", "Beleg"),
        ])
        .unwrap();
        let f = &d["steps"][1]["fields"][0];
        assert_eq!(
            f["accept"],
            json!(["application/pdf", "image/jpeg", "image/png"])
        );
        assert_eq!(f["max_size_bytes"], 10 * 1024 * 1024);
    }

    #[test]
    fn a_group_is_created_with_its_first_field_and_its_fields_are_edited() {
        let group = [
            ("aktion", "feld_neu"),
            ("step", "1"),
            ("id", "personen"),
            ("type", "group"),
            ("label_de", "Personen"),
            ("inner_id", "vorname"),
            ("inner_type", "text"),
            ("inner_label_de", "Vorname"),
            ("inner_label_en", "First name"),
        ];
        let mut d = run(&group).unwrap();
        let g = &d["steps"][1]["fields"][0];
        assert_eq!(g["type"], "group");
        assert_eq!(
            g["fields"],
            json!([{"id": "vorname", "type": "text", "label": {"de": "Vorname", "en": "First name"}}])
        );
        // No first field; a group or a file inside: refused, named.
        let mut without = group.to_vec();
        without.retain(|(n, _)| !n.starts_with("inner_"));
        let e = run(&without).unwrap_err();
        assert_eq!(e[0].path, "inner_id");
        for kind in ["group", "file"] {
            let mut nested = group.to_vec();
            nested[6] = ("inner_type", kind);
            let e = run(&nested).unwrap_err();
            assert_eq!(e[0].path, "inner_type", "{kind}");
            assert!(e[0].message.contains("weder Gruppen noch Datei"), "{e:?}");
        }
        let step = |d: &mut Value, list: &[(&str, &str)]| {
            let edit = parse(&pairs(list)).map_err(|e| e[0].message.clone())?;
            apply(d, &edit).map_err(|e| e.message)
        };
        // A second inner field, a choice.
        step(
            &mut d,
            &[
                ("aktion", "feld_neu"),
                ("step", "1"),
                ("group", "0"),
                ("id", "rolle"),
                ("type", "radio"),
                ("label_de", "Rolle"),
                ("options", "k|Kind|Child\ne|Elternteil|Parent"),
            ],
        )
        .unwrap();
        assert_eq!(
            d["steps"][1]["fields"][0]["fields"][1]["options"][1]["value"],
            "e"
        );
        // Not into a field that is no group, not a group into a group.
        let no_group = step(
            &mut d,
            &[
                ("aktion", "feld_neu"),
                ("step", "0"),
                ("group", "0"),
                ("id", "x"),
                ("type", "text"),
            ],
        );
        assert!(no_group.unwrap_err().contains("keine wiederholbare Gruppe"));
        let nested = step(
            &mut d,
            &[
                ("aktion", "feld_neu"),
                ("step", "1"),
                ("group", "0"),
                ("id", "x"),
                ("type", "group"),
            ],
        );
        assert!(nested.unwrap_err().contains("weder Gruppen"));
        // Edited with the settings of its type; prefill is ignored inside.
        step(
            &mut d,
            &[
                ("aktion", "feld_bearbeiten"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "0"),
                ("label_de", "Vorname der Person"),
                ("label_en", "First name"),
                ("required", "ja"),
                ("max_length", "30"),
                ("prefill_claim", "given_name"),
            ],
        )
        .unwrap();
        let inner = &d["steps"][1]["fields"][0]["fields"][0];
        assert_eq!(inner["label"]["de"], "Vorname der Person");
        assert_eq!(inner["required"], true);
        assert_eq!(inner["max_length"], 30);
        assert!(inner.get("prefill").is_none());
        let bad = step(
            &mut d,
            &[
                ("aktion", "feld_bearbeiten"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "eins"),
            ],
        );
        assert!(bad.unwrap_err().contains("keine gültige Position"));
        let gone = step(
            &mut d,
            &[
                ("aktion", "feld_bearbeiten"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "5"),
            ],
        );
        assert!(gone.unwrap_err().contains("gibt es nicht"));
        // Moved and deleted; the last one stays.
        step(
            &mut d,
            &[
                ("aktion", "feld_verschieben"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "1"),
                ("richtung", "hoch"),
            ],
        )
        .unwrap();
        assert_eq!(d["steps"][1]["fields"][0]["fields"][0]["id"], "rolle");
        let top = step(
            &mut d,
            &[
                ("aktion", "feld_verschieben"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "0"),
                ("richtung", "hoch"),
            ],
        );
        assert!(top.unwrap_err().contains("ganz oben"));
        step(
            &mut d,
            &[
                ("aktion", "feld_loeschen"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "0"),
            ],
        )
        .unwrap();
        assert_eq!(d["steps"][1]["fields"][0]["fields"][0]["id"], "vorname");
        let last = step(
            &mut d,
            &[
                ("aktion", "feld_loeschen"),
                ("step", "1"),
                ("field", "0"),
                ("inner", "0"),
            ],
        );
        assert!(last.unwrap_err().contains("mindestens ein Feld"));
        // Without `inner` the group itself is meant.
        step(
            &mut d,
            &[
                ("aktion", "feld_loeschen"),
                ("step", "1"),
                ("field", "0"),
                ("inner", ""),
            ],
        )
        .unwrap();
        assert_eq!(d["steps"][1]["fields"], json!([]));
    }

    #[test]
    fn account_types_are_chosen_with_login_only() {
        let settings = |extra: &[(&str, &str)]| {
            let mut list = vec![
                ("aktion", "einstellungen"),
                ("title_de", "T"),
                ("retention_days", "7"),
                ("access", "service_account"),
                ("min_trust_level", "substanziell"),
            ];
            list.extend_from_slice(extra);
            run(&list)
        };
        let d = settings(&[("account_types_form", "ja"), ("account_types", "business")]).unwrap();
        assert_eq!(
            d["access"],
            json!({"kind": "service_account", "min_trust_level": "substanziell", "account_types": ["business"]})
        );
        let both = [
            ("account_types_form", "ja"),
            ("account_types", "citizen"),
            ("account_types", "business"),
        ];
        assert_eq!(
            settings(&both).unwrap()["access"]["account_types"],
            json!(["citizen", "business"])
        );
        // None checked: every kind (the key is left out).
        let all = settings(&[("account_types_form", "ja")]).unwrap();
        assert!(all["access"].get("account_types").is_none());
        let bad =
            settings(&[("account_types_form", "ja"), ("account_types", "robot")]).unwrap_err();
        assert_eq!(bad[0].path, "account_types");
        assert!(bad[0].message.contains("Kontoarten"));
        // Without the checkboxes the stored kinds stay; anonymous drops them.
        let mut d2 = d.clone();
        let keep = parse(&pairs(&[
            ("aktion", "einstellungen"),
            ("title_de", "T"),
            ("retention_days", "7"),
            ("access", "service_account"),
            ("min_trust_level", "hoch"),
        ]))
        .unwrap();
        apply(&mut d2, &keep).unwrap();
        assert_eq!(d2["access"]["account_types"], json!(["business"]));
        let anonymous = parse(&pairs(&[
            ("aktion", "einstellungen"),
            ("title_de", "T"),
            ("retention_days", "7"),
            ("access", "anonymous"),
            ("account_types_form", "ja"),
            ("account_types", "citizen"),
        ]))
        .unwrap();
        apply(&mut d2, &anonymous).unwrap();
        assert_eq!(d2["access"], json!({"kind": "anonymous"}));
    }

    #[test]
    fn a_code_list_is_renamed_with_every_field_that_chooses_it() {
        let mut d = definition();
        d["code_lists"] = json!({
            "staaten": {"options": [{"value": "de", "label": {"de": "Deutschland", "en": "Germany"}}]},
            "sprachen": {"options": [{"value": "de", "label": {"de": "Deutsch", "en": "German"}}]}
        });
        d["steps"][0]["fields"][1]["code_list"] = json!("staaten");
        d["steps"][1]["fields"] = json!([{"id": "g", "type": "group", "label": {"de": "G", "en": "G"},
            "fields": [{"id": "i", "type": "select", "label": {"de": "I", "en": "I"}, "code_list": "staaten"},
                       {"id": "k", "type": "select", "label": {"de": "K", "en": "K"}, "code_list": "sprachen"}]}]);
        let rename = |d: &mut Value, new_id: &str| {
            let edit = parse(&pairs(&[
                ("aktion", "codeliste_bearbeiten"),
                ("code_list", "staaten"),
                ("new_id", new_id),
                ("uri", ""),
                ("version", ""),
                ("codes", "de|Deutschland|Germany"),
            ]))
            .map_err(|e| e[0].clone())?;
            apply(d, &edit)
        };
        // Taken, or not an id: refused, nothing changed.
        let taken = rename(&mut d, "sprachen").unwrap_err();
        assert_eq!(taken.path, "new_id");
        assert!(taken.message.contains("gibt es schon"), "{taken:?}");
        assert_eq!(rename(&mut d, "Länder!").unwrap_err().path, "new_id");
        assert_eq!(d["steps"][0]["fields"][1]["code_list"], "staaten");
        // Renamed: the list and both fields that chose it, not the other.
        rename(&mut d, "laender").unwrap();
        assert!(d["code_lists"].get("staaten").is_none());
        assert_eq!(
            d["code_lists"]["laender"]["options"][0]["value"],
            json!("de")
        );
        assert_eq!(d["steps"][0]["fields"][1]["code_list"], "laender");
        assert_eq!(
            d["steps"][1]["fields"][0]["fields"][0]["code_list"],
            "laender"
        );
        assert_eq!(
            d["steps"][1]["fields"][0]["fields"][1]["code_list"],
            "sprachen"
        );
        assert!(choosers(&d, "staaten").is_empty());
        assert_eq!(choosers(&d, "laender"), ["f2", "i"]);
    }

    #[test]
    fn code_lists_are_created_edited_and_deleted() {
        let step = |d: &mut Value, list: &[(&str, &str)]| {
            let edit = parse(&pairs(list)).map_err(|e| e[0].clone())?;
            apply(d, &edit)
        };
        let mut d = definition();
        step(
            &mut d,
            &[
                ("aktion", "codeliste_neu"),
                ("id", "staaten"),
                ("uri", "urn:xoev-de:kosit:codeliste:staaten"),
                ("version", ""),
                ("codes", "de|Deutschland|Germany\n\nat|Österreich|Austria"),
            ],
        )
        .unwrap();
        assert_eq!(
            d["code_lists"]["staaten"],
            json!({"uri": "urn:xoev-de:kosit:codeliste:staaten", "options": [
                {"value": "de", "label": {"de": "Deutschland", "en": "Germany"}},
                {"value": "at", "label": {"de": "Österreich", "en": "Austria"}}]})
        );
        let again = step(
            &mut d,
            &[
                ("aktion", "codeliste_neu"),
                ("id", "staaten"),
                ("codes", "x|X|X"),
            ],
        );
        assert!(again.unwrap_err().message.contains("gibt es schon"));
        for (id, codes, path) in [
            ("Staaten!", "x|X|X", "id"),
            ("", "x|X|X", "id"),
            ("laender", "", "codes"),
            ("laender", "de|Deutschland", "codes"),
        ] {
            let e = step(
                &mut d,
                &[("aktion", "codeliste_neu"), ("id", id), ("codes", codes)],
            )
            .unwrap_err();
            assert_eq!(e.path, path, "{id} {codes}: {e:?}");
            assert!(e.message.contains(" / "), "{e:?}");
        }
        // Edited: the version set, the URI removed, the codes replaced.
        step(
            &mut d,
            &[
                ("aktion", "codeliste_bearbeiten"),
                ("code_list", "staaten"),
                ("uri", ""),
                ("version", "2024-01-01"),
                ("codes", "fr|Frankreich|France"),
            ],
        )
        .unwrap();
        assert_eq!(
            d["code_lists"]["staaten"],
            json!({"version": "2024-01-01", "options": [{"value": "fr", "label": {"de": "Frankreich", "en": "France"}}]})
        );
        assert_eq!(
            options_text(&d["code_lists"]["staaten"]),
            "fr|Frankreich|France"
        );
        let unknown = step(
            &mut d,
            &[
                ("aktion", "codeliste_bearbeiten"),
                ("code_list", "laender"),
                ("codes", "x|X|X"),
            ],
        );
        assert!(unknown.unwrap_err().message.contains("gibt es nicht"));
        // Chosen by a field, it cannot be deleted.
        d["steps"][0]["fields"][1]["code_list"] = json!("staaten");
        let used = step(
            &mut d,
            &[("aktion", "codeliste_loeschen"), ("code_list", "staaten")],
        );
        assert!(used.unwrap_err().message.contains("„f2“"));
        d["steps"][0]["fields"][1]
            .as_object_mut()
            .unwrap()
            .remove("code_list");
        step(
            &mut d,
            &[("aktion", "codeliste_loeschen"), ("code_list", "staaten")],
        )
        .unwrap();
        assert!(d.get("code_lists").is_none());
    }
}
