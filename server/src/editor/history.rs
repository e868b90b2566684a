//! The "what" of the change history: a short German sentence per change
//! („Feld ‚Name‘ in Schritt ‚Halter‘ hinzugefügt“), made from the
//! structured [`Edit`] and the definition *before* it (steps and fields
//! are addressed by position, so their names are read there), or naming
//! the way a whole definition came in (JSON view, file, FIM import).

use serde_json::Value;

use super::rules::{RuleEdit, Target};
use super::structure::Edit;

/// A save of the whole text: how it came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The expert view's textarea.
    JsonView,
    /// A JSON file.
    JsonFile,
    /// A FIM Stammdatenschema or Datenfeldgruppe.
    Fim,
}

impl Source {
    pub fn summary(self) -> &'static str {
        match self {
            Source::JsonView => "JSON-Ansicht gespeichert",
            Source::JsonFile => "JSON-Datei importiert",
            Source::Fim => "FIM-Import",
        }
    }
}

fn text_de(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(|t| t.get("de").or(Some(t)))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn step_name(definition: &Value, step: usize) -> String {
    let s = definition.pointer(&format!("/steps/{step}"));
    s.and_then(|s| text_de(s, "title"))
        .or_else(|| s.and_then(|s| s.get("id")?.as_str().map(str::to_owned)))
        .unwrap_or_else(|| format!("Nr. {}", step + 1))
}

fn field_name(definition: &Value, step: usize, field: usize) -> String {
    let f = definition.pointer(&format!("/steps/{step}/fields/{field}"));
    f.and_then(|f| text_de(f, "label"))
        .or_else(|| f.and_then(|f| f.get("id")?.as_str().map(str::to_owned)))
        .unwrap_or_else(|| format!("Nr. {}", field + 1))
}

/// A field, or with `inner` the inner field of group `field`:
/// „‚Name‘“ or „‚Name‘ der Gruppe ‚Hunde‘“.
fn field_place(definition: &Value, step: usize, field: usize, inner: Option<usize>) -> String {
    let group = field_name(definition, step, field);
    match inner {
        None => format!("‚{group}‘"),
        Some(inner) => {
            let f = definition.pointer(&format!("/steps/{step}/fields/{field}/fields/{inner}"));
            let name = f
                .and_then(|f| text_de(f, "label"))
                .or_else(|| f.and_then(|f| f.get("id")?.as_str().map(str::to_owned)))
                .unwrap_or_else(|| format!("Nr. {}", inner + 1));
            format!("‚{name}‘ der Gruppe ‚{group}‘")
        }
    }
}

fn computed_name(definition: &Value, index: usize) -> String {
    let c = definition.pointer(&format!("/computed/{index}"));
    c.and_then(|c| text_de(c, "label"))
        .or_else(|| c.and_then(|c| c.get("id")?.as_str().map(str::to_owned)))
        .unwrap_or_else(|| format!("Nr. {}", index + 1))
}

fn fee_name(definition: &Value, fee: usize) -> String {
    let f = definition.pointer(&format!("/fees/{fee}"));
    f.and_then(|f| text_de(f, "purpose"))
        .or_else(|| f.and_then(|f| f.get("id")?.as_str().map(str::to_owned)))
        .unwrap_or_else(|| format!("Nr. {}", fee + 1))
}

fn validation_name(definition: &Value, index: usize) -> String {
    definition
        .pointer(&format!("/validations/{index}/id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Nr. {}", index + 1))
}

fn direction(up: bool) -> &'static str {
    if up { "nach oben" } else { "nach unten" }
}

fn or_id(label: &str, id: &str) -> String {
    if label.trim().is_empty() {
        id.to_owned()
    } else {
        label.trim().to_owned()
    }
}

fn rule_place(definition: &Value, target: &Target) -> String {
    let kind = match target.key {
        "required_if" => "Pflicht wenn",
        "applies_if" => "gilt wenn",
        _ => "angezeigt wenn",
    };
    if let Some(fee) = target.fee {
        return format!("Regel ‚{kind}‘ von Gebühr ‚{}‘", fee_name(definition, fee));
    }
    match target.field {
        Some(field) if target.inner.is_some() => format!(
            "Regel ‚{kind}‘ von Feld {} in Schritt ‚{}‘",
            field_place(definition, target.step, field, target.inner),
            step_name(definition, target.step)
        ),
        Some(field) => format!(
            "Regel ‚{kind}‘ von Feld ‚{}‘ in Schritt ‚{}‘",
            field_name(definition, target.step, field),
            step_name(definition, target.step)
        ),
        None => format!(
            "Regel ‚{kind}‘ von Schritt ‚{}‘",
            step_name(definition, target.step)
        ),
    }
}

fn describe_rule(before: &Value, edit: &RuleEdit) -> String {
    #[allow(unreachable_patterns)]
    match edit {
        RuleEdit::SetTree(target, _) => format!("{} geändert", rule_place(before, target)),
        RuleEdit::SetRaw(target, _) => {
            format!("{} geändert (JSON Logic)", rule_place(before, target))
        }
        RuleEdit::Remove(target) => format!("{} entfernt", rule_place(before, target)),
        RuleEdit::AddFee { id, purpose_de, .. } => {
            format!("Gebühr ‚{}‘ hinzugefügt", or_id(purpose_de, id))
        }
        RuleEdit::EditFee { fee, .. } => format!("Gebühr ‚{}‘ geändert", fee_name(before, *fee)),
        RuleEdit::SetFeeRaw { fee, .. } => format!(
            "Berechnung der Gebühr ‚{}‘ geändert (JSON Logic)",
            fee_name(before, *fee)
        ),
        RuleEdit::DeleteFee { fee, .. } => {
            format!("Gebühr ‚{}‘ gelöscht", fee_name(before, *fee))
        }
        RuleEdit::AddComputed { id, label_de, .. } => {
            format!("Berechneten Wert ‚{}‘ hinzugefügt", or_id(label_de, id))
        }
        RuleEdit::EditComputed { index, .. } => format!(
            "Berechneten Wert ‚{}‘ geändert",
            computed_name(before, *index)
        ),
        RuleEdit::SetComputedRaw { index, .. } => format!(
            "Berechneten Wert ‚{}‘ geändert (JSON Logic)",
            computed_name(before, *index)
        ),
        RuleEdit::DeleteComputed { index, .. } => format!(
            "Berechneten Wert ‚{}‘ gelöscht",
            computed_name(before, *index)
        ),
        RuleEdit::MoveComputed { index, up, .. } => format!(
            "Berechneten Wert ‚{}‘ nach {} verschoben",
            computed_name(before, *index),
            if *up { "oben" } else { "unten" }
        ),
        RuleEdit::MoveValidation { index, up, .. } => format!(
            "Prüfung ‚{}‘ nach {} verschoben",
            validation_name(before, *index),
            if *up { "oben" } else { "unten" }
        ),
        RuleEdit::AddValidation { id, .. } => format!("Prüfung ‚{id}‘ hinzugefügt"),
        RuleEdit::EditValidation { index, .. } => {
            format!("Prüfung ‚{}‘ geändert", validation_name(before, *index))
        }
        RuleEdit::SetValidationRaw { index, .. } => format!(
            "Prüfung ‚{}‘ geändert (JSON Logic)",
            validation_name(before, *index)
        ),
        RuleEdit::DeleteValidation { index } => {
            format!("Prüfung ‚{}‘ gelöscht", validation_name(before, *index))
        }
        // A kind of change added later is still recorded, in general terms.
        _ => "Regel oder Gebühr geändert".to_owned(),
    }
}

/// What `edit` does to `before` (the definition it is applied to), in a
/// short German sentence.
pub fn describe(before: &Value, edit: &Edit) -> String {
    #[allow(unreachable_patterns)]
    match edit {
        Edit::Settings { .. } => "Einstellungen des Formulars geändert".to_owned(),
        Edit::AddStep {
            id,
            title_de,
            field,
            ..
        } => format!(
            "Schritt ‚{}‘ mit Feld ‚{}‘ hinzugefügt",
            or_id(title_de, id),
            or_id(&field.label_de, &field.id)
        ),
        Edit::StepTitle { step, title_de, .. } => {
            let old = step_name(before, *step);
            if title_de.trim().is_empty() || title_de.trim() == old {
                format!("Schritt ‚{old}‘ bearbeitet")
            } else {
                format!("Schritt ‚{old}‘ umbenannt in ‚{}‘", title_de.trim())
            }
        }
        Edit::DeleteStep { step, .. } => format!("Schritt ‚{}‘ gelöscht", step_name(before, *step)),
        Edit::MoveStep { step, up, .. } => format!(
            "Schritt ‚{}‘ {} verschoben",
            step_name(before, *step),
            direction(*up)
        ),
        Edit::AddField {
            step, group, field, ..
        } => match group {
            None => format!(
                "Feld ‚{}‘ in Schritt ‚{}‘ hinzugefügt",
                or_id(&field.label_de, &field.id),
                step_name(before, *step)
            ),
            Some(group) => format!(
                "Feld ‚{}‘ in der Gruppe ‚{}‘ in Schritt ‚{}‘ hinzugefügt",
                or_id(&field.label_de, &field.id),
                field_name(before, *step, *group),
                step_name(before, *step)
            ),
        },
        Edit::EditField {
            step, field, inner, ..
        } => format!(
            "Feld {} in Schritt ‚{}‘ geändert",
            field_place(before, *step, *field, *inner),
            step_name(before, *step)
        ),
        Edit::DeleteField {
            step, field, inner, ..
        } => format!(
            "Feld {} aus Schritt ‚{}‘ gelöscht",
            field_place(before, *step, *field, *inner),
            step_name(before, *step)
        ),
        Edit::MoveField {
            step,
            field,
            inner,
            up,
            ..
        } => format!(
            "Feld {} in Schritt ‚{}‘ {} verschoben",
            field_place(before, *step, *field, *inner),
            step_name(before, *step),
            direction(*up)
        ),
        Edit::AddCodeList { id, .. } => format!("Codeliste ‚{id}‘ hinzugefügt"),
        Edit::EditCodeList { id, new_id, .. } if !new_id.is_empty() && new_id != id => {
            format!("Codeliste ‚{id}‘ in ‚{new_id}‘ umbenannt und geändert")
        }
        Edit::EditCodeList { id, .. } => format!("Codeliste ‚{id}‘ geändert"),
        Edit::DeleteCodeList { id, .. } => format!("Codeliste ‚{id}‘ gelöscht"),
        Edit::Rule(rule) => describe_rule(before, rule),
        // A kind of change added later is still recorded, in general terms.
        _ => "Entwurf im strukturierten Editor geändert".to_owned(),
    }
}

/// A short German overview of a definition for the history's read-only
/// view: title, then each step with its fields (label, type, required,
/// conditional), then the fees.
pub fn outline(definition: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for step in definition
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = step.get("id").and_then(Value::as_str).unwrap_or("");
        let mut title = text_de(step, "title").unwrap_or_else(|| id.to_owned());
        if step.get("visible_if").is_some() {
            title.push_str(" (mit Bedingung)");
        }
        let fields = step
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| {
                let id = f.get("id").and_then(Value::as_str).unwrap_or("");
                let kind = f.get("type").and_then(Value::as_str).unwrap_or("");
                let mut line = format!(
                    "{} ({kind}, {id})",
                    text_de(f, "label").unwrap_or_else(|| id.to_owned())
                );
                if f.get("required").and_then(Value::as_bool) == Some(true) {
                    line.push_str(", Pflicht");
                }
                if f.get("visible_if").is_some() {
                    line.push_str(", mit Bedingung");
                }
                line
            })
            .collect();
        out.push((title, fields));
    }
    let fees: Vec<String> = definition
        .get("fees")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|f| {
            let id = f.get("id").and_then(Value::as_str).unwrap_or("");
            let purpose = text_de(f, "purpose").unwrap_or_else(|| id.to_owned());
            match f.get("amount_cents").and_then(Value::as_i64) {
                Some(cents) => format!("{purpose}: {}", amtsweg_forms::values::format_money(cents)),
                None => format!("{purpose}: berechnet"),
            }
        })
        .collect();
    if !fees.is_empty() {
        out.push(("Gebühren".to_owned(), fees));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn definition() -> Value {
        json!({"steps": [
            {"id": "halter", "title": {"de": "Halter", "en": "Owner"}, "fields": [
                {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}}]},
            {"id": "hund", "title": {"de": "Hund", "en": "Dog"}, "fields": [
                {"id": "rasse", "type": "text", "label": {"de": "Rasse", "en": "Breed"}}]}],
          "fees": [{"id": "g", "purpose": {"de": "Anmeldegebühr", "en": "Fee"}, "amount_cents": 1500}]})
    }

    fn said(pairs: &[(&str, &str)]) -> String {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        describe(
            &definition(),
            &super::super::structure::parse(&pairs).unwrap(),
        )
    }

    #[test]
    fn structured_edits_are_described_with_the_names_before_the_change() {
        assert_eq!(
            said(&[
                ("aktion", "feld_neu"),
                ("step", "0"),
                ("id", "vorname"),
                ("type", "text"),
                ("field_type", "text"),
                ("label_de", "Vorname"),
                ("field_label_de", "Vorname"),
            ]),
            "Feld ‚Vorname‘ in Schritt ‚Halter‘ hinzugefügt"
        );
        assert_eq!(
            said(&[("aktion", "feld_loeschen"), ("step", "1"), ("field", "0")]),
            "Feld ‚Rasse‘ aus Schritt ‚Hund‘ gelöscht"
        );
        assert_eq!(
            said(&[
                ("aktion", "schritt_verschieben"),
                ("step", "1"),
                ("richtung", "hoch")
            ]),
            "Schritt ‚Hund‘ nach oben verschoben"
        );
        assert_eq!(
            said(&[
                ("aktion", "regel_entfernen"),
                ("step", "1"),
                ("field", "0"),
                ("art", "sichtbar")
            ]),
            "Regel ‚angezeigt wenn‘ von Feld ‚Rasse‘ in Schritt ‚Hund‘ entfernt"
        );
        assert_eq!(
            said(&[("aktion", "gebuehr_loeschen"), ("fee", "0")]),
            "Gebühr ‚Anmeldegebühr‘ gelöscht"
        );
    }

    #[test]
    fn inner_fields_are_named_with_their_group() {
        let d = json!({"steps": [{"id": "s", "title": {"de": "Hunde", "en": "Dogs"}, "fields": [
            {"id": "hunde", "type": "group", "label": {"de": "Hund", "en": "Dog"}, "fields": [
                {"id": "rasse", "type": "text", "label": {"de": "Rasse", "en": "Breed"}}]}]}]});
        let edit = Edit::DeleteField {
            step: 0,
            field: 0,
            inner: Some(0),
        };
        assert_eq!(
            describe(&d, &edit),
            "Feld ‚Rasse‘ der Gruppe ‚Hund‘ aus Schritt ‚Hunde‘ gelöscht"
        );
    }

    #[test]
    fn validations_and_inner_rules_are_described() {
        let d = json!({"steps": [{"id": "s", "title": {"de": "Hunde", "en": "Dogs"}, "fields": [
            {"id": "hunde", "type": "group", "label": {"de": "Hund", "en": "Dog"}, "fields": [
                {"id": "rasse", "type": "text", "label": {"de": "Rasse", "en": "Breed"}}]}]}],
            "validations": [{"id": "alter", "rule": {"==": [1, 1]},
                "message": {"de": "M", "en": "M"}, "fields": ["hunde"]}]});
        let said = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            describe(&d, &super::super::structure::parse(&pairs).unwrap())
        };
        assert_eq!(
            said(&[
                ("aktion", "regel_entfernen"),
                ("step", "0"),
                ("field", "0"),
                ("inner", "0"),
                ("art", "pflicht")
            ]),
            "Regel ‚Pflicht wenn‘ von Feld ‚Rasse‘ der Gruppe ‚Hund‘ in Schritt ‚Hunde‘ entfernt"
        );
        assert_eq!(
            said(&[("aktion", "pruefung_neu"), ("id", "neu")]),
            "Prüfung ‚neu‘ hinzugefügt"
        );
        assert_eq!(
            said(&[("aktion", "pruefung_bearbeiten"), ("pruefung", "0")]),
            "Prüfung ‚alter‘ geändert"
        );
        assert_eq!(
            said(&[("aktion", "pruefung_roh"), ("pruefung", "0")]),
            "Prüfung ‚alter‘ geändert (JSON Logic)"
        );
        assert_eq!(
            said(&[("aktion", "pruefung_loeschen"), ("pruefung", "0")]),
            "Prüfung ‚alter‘ gelöscht"
        );
    }

    #[test]
    fn the_outline_lists_steps_fields_and_fees() {
        let outline = outline(&definition());
        assert_eq!(outline[0].0, "Halter");
        assert_eq!(outline[0].1, ["Name (text, name)"]);
        assert_eq!(outline[2].0, "Gebühren");
        assert!(
            outline[2].1[0].starts_with("Anmeldegebühr: 15,00"),
            "{outline:?}"
        );
    }
}
