//! Structured editing of a draft's definition (the editor's plain HTML
//! forms beside the JSON view): one [`Edit`] read from the posted form
//! fields, applied to the definition's JSON value. The result is saved
//! through the same path as the JSON view, so the engine's check
//! (`Form::load`) decides whether it is stored.

use amtsweg_forms::DefinitionError;
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

/// Types the structured forms can create. A repeatable group needs its
/// inner fields, which only the JSON view edits so far; offering it here
/// would only ever end in a refusal.
pub fn can_add(kind: &str) -> bool {
    kind != "group"
}

/// Types whose `text` (the information shown, the wording declared) is
/// edited with the field.
pub fn has_text(kind: &str) -> bool {
    matches!(kind, "info" | "declaration")
}

/// Types with choice options.
pub fn is_choice(kind: &str) -> bool {
    matches!(kind, "radio" | "select" | "checkboxes")
}

/// Types with a maximum length.
pub fn has_length(kind: &str) -> bool {
    matches!(kind, "text" | "textarea")
}

/// Types with a smallest and largest value.
pub fn has_range(kind: &str) -> bool {
    kind == "number"
}

/// A field to add: id, type and label.
#[derive(Debug, Clone, PartialEq)]
pub struct NewField {
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
        NewField {
            id: get(&format!("{prefix}id")).trim().to_owned(),
            kind: get(&format!("{prefix}type")),
            label_de: get(&format!("{prefix}label_de")),
            label_en: get(&format!("{prefix}label_en")),
            options: get(&format!("{prefix}options")),
            text_de: get(&format!("{prefix}text_de")),
            text_en: get(&format!("{prefix}text_en")),
        }
    }

    fn to_json(&self) -> Result<Value, DefinitionError> {
        if !FIELD_TYPES.iter().any(|(k, _, _)| *k == self.kind) {
            return Err(problem("type", "unbekannter Feldtyp / unknown field type"));
        }
        if !can_add(&self.kind) {
            return Err(problem(
                "type",
                "Eine wiederholbare Gruppe legen Sie bitte in der JSON-Ansicht an (sie braucht ihre inneren Felder) / please create a repeatable group in the JSON view (it needs its inner fields)",
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
        Ok(field)
    }
}

/// One change to the definition.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Title, description, authority, retention and access.
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
    },
    /// A new last step with its first field (the engine wants at least
    /// one field on every step).
    AddStep {
        id: String,
        title_de: String,
        title_en: String,
        field: NewField,
    },
    StepTitle {
        step: usize,
        title_de: String,
        title_en: String,
    },
    DeleteStep {
        step: usize,
    },
    MoveStep {
        step: usize,
        up: bool,
    },
    AddField {
        step: usize,
        field: NewField,
    },
    EditField {
        step: usize,
        field: usize,
        label_de: String,
        label_en: String,
        hint_de: String,
        hint_en: String,
        required: bool,
        max_length: Option<u32>,
        min: Option<f64>,
        max: Option<f64>,
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
    },
    MoveField {
        step: usize,
        field: usize,
        up: bool,
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

fn optional<T: std::str::FromStr>(
    get: &dyn Fn(&str) -> String,
    name: &str,
    what: &str,
) -> Result<Option<T>, DefinitionError> {
    let text = get(name).trim().replace(',', ".");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        problem(
            name,
            &format!("{what}: keine gültige Zahl / not a valid number"),
        )
    })
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
            let retention_days = get("retention_days").trim().parse().map_err(|_| {
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
            }
        }
        "schritt_neu" => Edit::AddStep {
            id: get("id").trim().to_owned(),
            title_de: get("title_de"),
            title_en: get("title_en"),
            field: NewField::from(&get, "field_"),
        },
        "schritt_titel" => Edit::StepTitle {
            step: index(&get, "step").map_err(|e| vec![e])?,
            title_de: get("title_de"),
            title_en: get("title_en"),
        },
        "schritt_loeschen" => Edit::DeleteStep {
            step: index(&get, "step").map_err(|e| vec![e])?,
        },
        "schritt_verschieben" => Edit::MoveStep {
            step: index(&get, "step").map_err(|e| vec![e])?,
            up,
        },
        "feld_neu" => Edit::AddField {
            step: index(&get, "step").map_err(|e| vec![e])?,
            field: NewField::from(&get, ""),
        },
        "feld_bearbeiten" => {
            let mut errors = Vec::new();
            let step = index(&get, "step");
            let field = index(&get, "field");
            let max_length = optional::<u32>(&get, "max_length", "Höchstlänge / max length");
            let min = optional::<f64>(&get, "min", "Kleinster Wert / minimum");
            let max = optional::<f64>(&get, "max", "Größter Wert / maximum");
            let (step, field, max_length, min, max) = match (step, field, max_length, min, max) {
                (Ok(s), Ok(f), Ok(l), Ok(a), Ok(b)) => (s, f, l, a, b),
                (s, f, l, a, b) => {
                    errors.extend(s.err());
                    errors.extend(f.err());
                    errors.extend(l.err());
                    errors.extend(a.err());
                    errors.extend(b.err());
                    return Err(errors);
                }
            };
            let has_options = pairs.iter().any(|(n, _)| n == "options");
            let has_text = pairs.iter().any(|(n, _)| n == "text_de");
            Edit::EditField {
                step,
                field,
                label_de: get("label_de"),
                label_en: get("label_en"),
                hint_de: get("hint_de"),
                hint_en: get("hint_en"),
                required: get("required") == "ja",
                max_length,
                min,
                max,
                options: has_options.then(|| get("options")),
                text: has_text.then(|| (get("text_de"), get("text_en"))),
            }
        }
        "feld_loeschen" => Edit::DeleteField {
            step: index(&get, "step").map_err(|e| vec![e])?,
            field: index(&get, "field").map_err(|e| vec![e])?,
        },
        "feld_verschieben" => Edit::MoveField {
            step: index(&get, "step").map_err(|e| vec![e])?,
            field: index(&get, "field").map_err(|e| vec![e])?,
            up,
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

fn fields_of(definition: &mut Value, step: usize) -> Result<&mut Vec<Value>, DefinitionError> {
    step_at(definition, step)?
        .entry("fields")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| {
            problem(
                &format!("$.steps[{step}].fields"),
                "die Felder sind keine Liste / the fields are not a list",
            )
        })
}

fn swap(list: &mut [Value], at: usize, up: bool, path: &str) -> Result<(), DefinitionError> {
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
        } => {
            let previous_types = definition
                .pointer("/access/account_types")
                .cloned()
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
                    if let (Some(types), Some(a)) = (previous_types, access.as_object_mut()) {
                        a.insert("account_types".into(), types);
                    }
                    access
                }
            };
            object.insert("access".into(), access);
        }
        Edit::AddStep {
            id,
            title_de,
            title_en,
            field,
        } => {
            let field = field.to_json()?;
            steps(definition)?.push(json!({
                "id": id, "title": text(title_de, title_en), "fields": [field]
            }));
        }
        Edit::StepTitle {
            step,
            title_de,
            title_en,
        } => {
            step_at(definition, *step)?.insert("title".into(), text(title_de, title_en));
        }
        Edit::DeleteStep { step } => {
            step_at(definition, *step)?;
            steps(definition)?.remove(*step);
        }
        Edit::MoveStep { step, up } => {
            swap(steps(definition)?, *step, *up, &format!("$.steps[{step}]"))?;
        }
        Edit::AddField { step, field } => {
            let field = field.to_json()?;
            fields_of(definition, *step)?.push(field);
        }
        Edit::EditField {
            step,
            field,
            label_de,
            label_en,
            hint_de,
            hint_en,
            required,
            max_length,
            min,
            max,
            options,
            text: field_text,
        } => {
            let path = format!("$.steps[{step}].fields[{field}]");
            let options = options
                .as_deref()
                .map(|t| parse_options(t, &format!("{path}.options")))
                .transpose()?;
            let object = fields_of(definition, *step)?
                .get_mut(*field)
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
            if has_length(&kind) {
                set_optional(object, "max_length", max_length.map(|v| json!(v)));
            }
            if has_range(&kind) {
                set_optional(object, "min", min.map(|v| json!(v)));
                set_optional(object, "max", max.map(|v| json!(v)));
            }
            if let Some((de, en)) = field_text.as_ref().filter(|_| has_text(&kind)) {
                object.insert("text".into(), text(de, en));
            }
            if let Some(options) = options.filter(|_| is_choice(&kind)) {
                // An empty list keeps a code list reference as it is.
                if options.is_empty() && object.contains_key("code_list") {
                    object.remove("options");
                } else {
                    object.insert("options".into(), Value::Array(options));
                }
            }
        }
        Edit::DeleteField { step, field } => {
            let fields = fields_of(definition, *step)?;
            if *field >= fields.len() {
                return Err(problem(
                    &format!("$.steps[{step}].fields[{field}]"),
                    "dieses Feld gibt es nicht (mehr) / this field does not exist",
                ));
            }
            fields.remove(*field);
        }
        Edit::MoveField { step, field, up } => {
            swap(
                fields_of(definition, *step)?,
                *field,
                *up,
                &format!("$.steps[{step}].fields[{field}]"),
            )?;
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
        assert!(group.unwrap_err()[0].message.contains("JSON-Ansicht"));
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
}
