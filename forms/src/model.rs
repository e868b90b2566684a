//! The definition format: the serde types a form definition (JSON) is read
//! into, and from which the committed JSON Schema is generated.
//!
//! These types only describe; they do not check. A value of
//! [`FormDefinition`] may still be inconsistent (a rule naming a field that
//! does not exist, a choice without options); [`crate::Form::load`] checks it
//! and reports every problem with its JSON path.
//!
//! Design decision: a field is one flat struct with a `type` and the options
//! that apply to it, rather than an enum with one variant per type. That
//! keeps `deny_unknown_fields` working (typos in a definition are errors,
//! not silently ignored) and lets the checker report "`options` does not
//! apply to a field of type `text`" with a precise path.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The language a text is shown in. German is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    /// The BCP 47 tag (`de`, `en`) for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// Reads a language tag; anything that is not English is German.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::De
        }
    }
}

/// A text in German and (optionally) English. German is required; a missing
/// English text falls back to German.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// German text (required).
    pub de: String,
    /// English text; German is shown when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// A text in both languages.
    pub fn new(de: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            de: de.into(),
            en: Some(en.into()),
        }
    }

    /// The text in `lang`, falling back to German.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) if !en.trim().is_empty() => en,
            _ => &self.de,
        }
    }

    /// The part of this text a page in `lang` shows: the same
    /// [`get(lang)`](Text::get), and German stays German where `lang` falls
    /// back to it (`get(En) == de`), but the other language is left out.
    /// Pages send their view to the browser for hydration; one language
    /// instead of two keeps that small.
    pub fn in_lang(&self, lang: Lang) -> Text {
        let text = self.get(lang);
        if lang == Lang::En && text != self.de {
            Text {
                de: String::new(),
                en: Some(text.to_owned()),
            }
        } else {
            Text {
                de: text.to_owned(),
                en: None,
            }
        }
    }
}

fn text_in(text: &Option<Text>, lang: Lang) -> Option<Text> {
    text.as_ref().map(|t| t.in_lang(lang))
}

/// A JSON Logic expression (<https://jsonlogic.com>), evaluated with
/// `datalogic-rs`. `{"var": "field_id"}` reads the answer of a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rule(pub serde_json::Value);

impl JsonSchema for Rule {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JsonLogicRule".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A JSON Logic expression (https://jsonlogic.com). {\"var\": \"field_id\"} reads the answer of a field.",
        })
    }
}

/// A complete form definition: one application (e.g. "Hundesteuer
/// anmelden") in one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Optional reference to the JSON Schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable identifier, lower case letters, digits and `-` (used in URLs).
    pub id: String,
    /// Version number; published versions are immutable.
    pub version: u32,
    /// The title citizens see ("Hund zur Hundesteuer anmelden").
    pub title: Text,
    /// One or two sentences for the list of services.
    pub summary: Text,
    /// Longer explanation for the start page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// What the citizen needs at hand (documents, numbers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<Text>,
    /// How long filling in takes, roughly, in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// Privacy notice (Datenschutzhinweis) shown on the start page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_notice: Option<Text>,
    /// The authority that receives the application.
    pub authority: Authority,
    /// Who may fill in the form.
    #[serde(default)]
    pub access: Access,
    /// Days after filing in the E-Akte until the portal deletes the personal
    /// data of a submission.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// Days until an unfinished draft expires and is deleted.
    #[serde(default = "default_draft_expiry_days")]
    pub draft_expiry_days: u32,
    /// The steps, in order. Each is one page for the citizen.
    pub steps: Vec<Step>,
    /// Code lists (e.g. from XRepository) that choice fields refer to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub code_lists: BTreeMap<String, CodeList>,
    /// Checks across fields ("end date after start date").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validations: Vec<CrossFieldRule>,
    /// Values computed from the answers, usable in rules and fees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub computed: Vec<Computed>,
    /// Fees to pay, fixed or computed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    /// The FIM Stammdatenschema (or data field group) this form was
    /// imported from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimRef>,
    /// Notes for editors (e.g. FIM rules in free text that still have to be
    /// built as rules); never shown to citizens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The identity of a FIM element (Stammdatenschema, Datenfeldgruppe,
/// Datenfeld) that a part of the definition was imported from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FimRef {
    /// The FIM id, e.g. `F60000227` or `G60000000088`.
    pub id: String,
    /// The FIM version, e.g. `1.1` or `1.2.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Days the portal keeps a filed submission's personal data when the
/// definition does not say (`retention_days`).
pub const DEFAULT_RETENTION_DAYS: u32 = 7;

fn default_retention_days() -> u32 {
    DEFAULT_RETENTION_DAYS
}

fn default_draft_expiry_days() -> u32 {
    30
}

/// The receiving authority. Its transport (drop folder, HTTP, SMTP) is
/// configured on the server under the same id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// Identifier, matches the server's authority configuration.
    pub id: String,
    /// The authority's name as citizens know it.
    pub name: Text,
}

/// Who may fill in a form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Access {
    /// Everyone, without login.
    #[default]
    Anonymous,
    /// Login with the Servicekonto is required.
    ServiceAccount {
        /// The lowest trust level (eIDAS / TR-03107) accepted.
        min_trust_level: TrustLevel,
        /// Which kinds of account may apply; empty means all.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        account_types: Vec<AccountType>,
    },
}

/// Trust level of an identification (Vertrauensniveau), lowest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TrustLevel {
    Basis,
    Substanziell,
    Hoch,
}

/// Kind of service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    /// A citizen's account (BundID, Servicekonto).
    Citizen,
    /// A business account (Unternehmenskonto).
    Business,
}

/// One page of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier, unique in the form (used in URLs).
    pub id: String,
    /// The page heading.
    pub title: Text,
    /// Text under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The step applies only when this rule is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Rule>,
    /// The fields, in order.
    pub fields: Vec<Field>,
    /// The FIM data field group this step was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimRef>,
    /// Notes for editors; never shown to citizens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The kinds of field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    /// A number, integer unless `decimals` is set.
    Number,
    /// An amount in euro, stored as integer cents.
    Money,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// An e-mail address.
    Email,
    /// A telephone number.
    Phone,
    /// An IBAN, checked by its checksum, stored without spaces.
    Iban,
    /// A German postal code (5 digits).
    PostalCode,
    /// A German postal address: street, house number, postal code, city.
    Address,
    /// Choose one, shown as radio buttons.
    Radio,
    /// Choose one, shown as a drop-down list.
    Select,
    /// Choose any number, shown as checkboxes.
    Checkboxes,
    /// Ja / Nein.
    YesNo,
    /// A file upload.
    File,
    /// Information only, no input.
    Info,
    /// A declaration the citizen confirms with a checkbox.
    Declaration,
    /// A group of fields that can be given several times (e.g. household
    /// members).
    Group,
}

impl FieldType {
    /// The name used in definitions (`postal_code`).
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Number => "number",
            FieldType::Money => "money",
            FieldType::Date => "date",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Iban => "iban",
            FieldType::PostalCode => "postal_code",
            FieldType::Address => "address",
            FieldType::Radio => "radio",
            FieldType::Select => "select",
            FieldType::Checkboxes => "checkboxes",
            FieldType::YesNo => "yes_no",
            FieldType::File => "file",
            FieldType::Info => "info",
            FieldType::Declaration => "declaration",
            FieldType::Group => "group",
        }
    }

    /// Whether the citizen chooses from options.
    pub fn is_choice(self) -> bool {
        matches!(
            self,
            FieldType::Radio | FieldType::Select | FieldType::Checkboxes
        )
    }

    /// Whether the field takes free text (lengths and patterns apply).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone
        )
    }

    /// Whether the field holds an answer at all (info does not).
    pub fn has_value(self) -> bool {
        !matches!(self, FieldType::Info)
    }
}

/// One field of a step (or of a repeatable group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Identifier, unique in the whole form; rules read it with `var`.
    pub id: String,
    /// The kind of field.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The label (for info fields: the heading).
    pub label: Text,
    /// Help text shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// The answer is required (when the field is visible).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The answer is required when this rule is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Rule>,
    /// The field is shown (and its answer kept) only when this rule is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Rule>,
    /// HTML autocomplete token (`given-name`, `email`, …), WCAG 1.3.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Filled from the citizen's service account after login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,

    /// Text fields: minimum length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Text fields: maximum length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Text fields: a regular expression the whole answer must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Text fields: the message when `pattern` does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<Text>,

    /// Number fields: smallest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Number fields: largest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Number fields: decimal places allowed (default 0: whole numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Number fields: unit shown beside the input ("m²").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,

    /// Money fields: smallest allowed amount in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cents: Option<i64>,
    /// Money fields: largest allowed amount in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cents: Option<i64>,

    /// Date fields: earliest date: `YYYY-MM-DD`, `today`, or relative to
    /// today like `today-18y`, `today+30d`, `today-6m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_date: Option<String>,
    /// Date fields: latest date, same forms as `min_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<String>,

    /// Choice fields: the options (or use `code_list`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Choice fields: the id of a code list of the definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_list: Option<String>,
    /// Checkboxes: least number of options to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selected: Option<u32>,
    /// Checkboxes: largest number of options to choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selected: Option<u32>,

    /// File fields: accepted media types (`application/pdf`, `image/jpeg`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// File fields: largest file in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size_bytes: Option<u64>,
    /// File fields: how many files may be uploaded (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u32>,

    /// Info and declaration fields: the body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,

    /// Groups: the fields of one entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// Groups: the least number of entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Groups: the largest number of entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Groups: what one entry is called ("Person"), numbered in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_label: Option<Text>,

    /// The FIM data field (or data field group, for groups) this field was
    /// imported from; its id and version are kept for the receiving
    /// authority's mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimRef>,
    /// Notes for editors (e.g. FIM rules in free text); never shown to
    /// citizens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A field filled from the service account (Servicekonto) of a logged-in
/// citizen: `{"claim": "family_name"}`, or with `"editable": true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prefill {
    /// Which verified account attribute fills the field.
    pub claim: AccountClaim,
    /// The citizen may change the filled-in value. Default `false`: the
    /// verified value is shown read-only and the server keeps it whatever
    /// is posted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub editable: bool,
}

/// The account attributes a field can be filled from. Which field types
/// each fits: [`AccountClaim::fits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountClaim {
    GivenName,
    FamilyName,
    /// The birth date (a date field).
    Birthdate,
    Email,
    /// The postal address (an address field: street and house number,
    /// postal code, city).
    Address,
    /// The street and house number as one text.
    StreetAddress,
    PostalCode,
    /// The city.
    Locality,
    Country,
    /// The company's name (business accounts).
    Organization,
}

impl AccountClaim {
    /// The name in definitions (`family_name`).
    pub fn name(self) -> &'static str {
        match self {
            AccountClaim::GivenName => "given_name",
            AccountClaim::FamilyName => "family_name",
            AccountClaim::Birthdate => "birthdate",
            AccountClaim::Email => "email",
            AccountClaim::Address => "address",
            AccountClaim::StreetAddress => "street_address",
            AccountClaim::PostalCode => "postal_code",
            AccountClaim::Locality => "locality",
            AccountClaim::Country => "country",
            AccountClaim::Organization => "organization",
        }
    }

    /// Whether a field of `kind` can hold this attribute.
    pub fn fits(self, kind: FieldType) -> bool {
        match self {
            AccountClaim::Birthdate => kind == FieldType::Date,
            AccountClaim::Address => kind == FieldType::Address,
            AccountClaim::Email => matches!(kind, FieldType::Email | FieldType::Text),
            AccountClaim::PostalCode => matches!(kind, FieldType::PostalCode | FieldType::Text),
            _ => matches!(kind, FieldType::Text | FieldType::Textarea),
        }
    }
}

impl Step {
    /// This step with every text in `lang` only ([`Text::in_lang`]); ids,
    /// types, limits and rules stay as they are.
    pub fn in_lang(&self, lang: Lang) -> Step {
        Step {
            id: self.id.clone(),
            title: self.title.in_lang(lang),
            description: text_in(&self.description, lang),
            visible_if: self.visible_if.clone(),
            fields: self.fields.iter().map(|f| f.in_lang(lang)).collect(),
            fim: self.fim.clone(),
            // Editor notes are not for citizens' pages.
            notes: Vec::new(),
        }
    }
}

impl ChoiceOption {
    /// This option with its texts in `lang` only ([`Text::in_lang`]).
    pub fn in_lang(&self, lang: Lang) -> ChoiceOption {
        ChoiceOption {
            value: self.value.clone(),
            label: self.label.in_lang(lang),
            hint: text_in(&self.hint, lang),
        }
    }
}

impl Field {
    /// This field (and the fields of a group) with every text in `lang`
    /// only ([`Text::in_lang`]); everything else stays as it is.
    pub fn in_lang(&self, lang: Lang) -> Field {
        Field {
            label: self.label.in_lang(lang),
            hint: text_in(&self.hint, lang),
            pattern_message: text_in(&self.pattern_message, lang),
            unit: text_in(&self.unit, lang),
            options: self.options.iter().map(|o| o.in_lang(lang)).collect(),
            text: text_in(&self.text, lang),
            fields: self.fields.iter().map(|f| f.in_lang(lang)).collect(),
            item_label: text_in(&self.item_label, lang),
            ..self.clone_without_children()
        }
    }

    /// A copy without the texts and lists [`Field::in_lang`] rebuilds,
    /// so they are not cloned only to be replaced.
    fn clone_without_children(&self) -> Field {
        Field {
            id: self.id.clone(),
            kind: self.kind,
            label: Text::default(),
            hint: None,
            required: self.required,
            required_if: self.required_if.clone(),
            visible_if: self.visible_if.clone(),
            autocomplete: self.autocomplete.clone(),
            prefill: self.prefill.clone(),
            min_length: self.min_length,
            max_length: self.max_length,
            pattern: self.pattern.clone(),
            pattern_message: None,
            min: self.min,
            max: self.max,
            decimals: self.decimals,
            unit: None,
            min_cents: self.min_cents,
            max_cents: self.max_cents,
            min_date: self.min_date.clone(),
            max_date: self.max_date.clone(),
            options: Vec::new(),
            code_list: self.code_list.clone(),
            min_selected: self.min_selected,
            max_selected: self.max_selected,
            accept: self.accept.clone(),
            max_size_bytes: self.max_size_bytes,
            max_files: self.max_files,
            text: None,
            fields: Vec::new(),
            min_items: self.min_items,
            max_items: self.max_items,
            item_label: None,
            fim: self.fim.clone(),
            // Editor notes are not for citizens' pages.
            notes: Vec::new(),
        }
    }

    /// A field of `kind` with only the common properties set; the other
    /// options are off. Handy in tests and generators.
    pub fn new(id: impl Into<String>, kind: FieldType, label: Text) -> Field {
        Field {
            id: id.into(),
            kind,
            label,
            hint: None,
            required: false,
            required_if: None,
            visible_if: None,
            autocomplete: None,
            prefill: None,
            min_length: None,
            max_length: None,
            pattern: None,
            pattern_message: None,
            min: None,
            max: None,
            decimals: None,
            unit: None,
            min_cents: None,
            max_cents: None,
            min_date: None,
            max_date: None,
            options: Vec::new(),
            code_list: None,
            min_selected: None,
            max_selected: None,
            accept: Vec::new(),
            max_size_bytes: None,
            max_files: None,
            text: None,
            fields: Vec::new(),
            min_items: None,
            max_items: None,
            item_label: None,
            fim: None,
            notes: Vec::new(),
        }
    }
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// The stored value (a code of the code list).
    pub value: String,
    /// The label citizens see.
    pub label: Text,
    /// Optional hint under the option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

/// A code list, e.g. from XRepository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeList {
    /// The code list's URI (XRepository), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The code list's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The codes and their labels.
    pub options: Vec<ChoiceOption>,
}

/// A check across fields: the rule must be true, otherwise `message` is
/// shown at the first of `fields`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossFieldRule {
    /// Identifier, unique among the validations.
    pub id: String,
    /// JSON Logic that must be true. Evaluated only when every field it
    /// reads has an answer.
    pub rule: Rule,
    /// The message, naming the fields.
    pub message: Text,
    /// The fields the message belongs to; the first gets the message.
    pub fields: Vec<String>,
}

/// A value computed from the answers, e.g. the number of household members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Computed {
    /// Identifier; rules after it read it with `var` like a field.
    pub id: String,
    /// The JSON Logic expression.
    pub expression: Rule,
    /// Label, if the value is shown on "check your answers".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
}

/// A fee: fixed (`amount_cents`) or computed (`amount_rule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Identifier, unique among the fees.
    pub id: String,
    /// What the fee is for ("Gebühr für den Bewohnerparkausweis").
    pub purpose: Text,
    /// A fixed amount in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    /// JSON Logic giving the amount in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_rule: Option<Rule>,
    /// The fee applies only when this rule is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_if: Option<Rule>,
}
