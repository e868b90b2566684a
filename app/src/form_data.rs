//! What a step's HTML form sends, as the engine's raw answers: the
//! name/value pairs of `<form method="post">` (urlencoded or `FormData`)
//! become nested answers, and the answers of one step are merged into a
//! draft's answers.
//!
//! Pure functions, used in the browser by the live checks
//! ([`crate::live`]) so that they see the answers exactly as the server
//! will after the POST. Names:
//! - dotted names become nested objects (`anschrift.street`),
//! - numeric segments array entries (`haushalt.0.vorname`),
//! - repeated names arrays (checkboxes),
//! - names starting with `_` are controls (`_csrf`, `_action`) and skipped.
//!
//! Names are untrusted: at most [`MAX_DEPTH`] segments, indexes below
//! [`MAX_INDEX`]; anything else is ignored.
//!
//! The POST handler (`server::journey_routes::parse_form`, `merge_step`)
//! uses this module too, so both read a posted step alike.

use amtsweg_forms::{Answers, FieldType, Step};
use serde_json::{Map, Value};

/// Most segments a name may have (`group.0.address.street`).
pub const MAX_DEPTH: usize = 4;
/// Indexes of group entries must be below this.
pub const MAX_INDEX: usize = 100;

/// The raw answers of name/value pairs (controls starting with `_` and
/// empty names left out).
pub fn answers_from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Answers {
    let mut tree = Map::new();
    for (name, value) in pairs {
        if name.is_empty() || name.starts_with('_') {
            continue;
        }
        insert(&mut tree, name, value);
    }
    tree.into_iter().map(|(k, v)| (k, arrays(v))).collect()
}

fn insert(tree: &mut Map<String, Value>, name: &str, value: &str) {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > MAX_DEPTH || parts.iter().any(|p| p.is_empty()) {
        return;
    }
    if parts
        .iter()
        .any(|p| p.parse::<usize>().is_ok_and(|i| i >= MAX_INDEX))
    {
        return;
    }
    let mut node = tree;
    for part in &parts[..parts.len() - 1] {
        let entry = node
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            // `a=1&a.b=2`: the scalar loses; keep the structure.
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else {
            return;
        };
        node = next;
    }
    let Some(last) = parts.last() else {
        return;
    };
    let new = Value::String(value.to_owned());
    match node.get_mut(*last) {
        None => {
            node.insert((*last).to_owned(), new);
        }
        Some(Value::Array(items)) => items.push(new),
        Some(Value::Object(_)) => {}
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, new]);
        }
    }
}

/// Objects whose keys are all indexes become arrays, in index order.
fn arrays(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let numeric = !map.is_empty() && map.keys().all(|k| k.parse::<usize>().is_ok());
            if numeric {
                let mut entries: Vec<(usize, Value)> = map
                    .into_iter()
                    .filter_map(|(k, v)| k.parse().ok().map(|i| (i, arrays(v))))
                    .collect();
                entries.sort_by_key(|(i, _)| *i);
                Value::Array(entries.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, arrays(v))).collect())
            }
        }
        other => other,
    }
}

/// Puts the posted answers of `step`'s fields into `raw`, leaving every
/// other answer alone. Checkboxes become arrays (nothing ticked: `[]`), a
/// field that was not posted loses its answer (an unticked declaration),
/// except fields that were not on the page (`not_shown`: hidden by a rule
/// on an earlier step) and files (they come from the upload endpoint).
/// Empty group entries are dropped unless `keep_empty` (after "add").
pub fn merge_step(
    raw: &mut Answers,
    step: &Step,
    posted: &Answers,
    not_shown: &[String],
    keep_empty: bool,
) {
    for field in &step.fields {
        let id = &field.id;
        match field.kind {
            FieldType::Info | FieldType::File => continue,
            _ if not_shown.contains(id) && !posted.contains_key(id) => continue,
            FieldType::Group => {
                let entries: Vec<Value> = match posted.get(id) {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|item| match item {
                            Value::Object(entry) => {
                                let mut entry = entry.clone();
                                for child in &field.fields {
                                    if child.kind == FieldType::Checkboxes {
                                        let v = as_list(entry.remove(&child.id));
                                        entry.insert(child.id.clone(), v);
                                    }
                                }
                                let empty = entry.values().all(is_blank);
                                (keep_empty || !empty).then_some(Value::Object(entry))
                            }
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                raw.insert(id.clone(), Value::Array(entries));
            }
            FieldType::Checkboxes => {
                raw.insert(id.clone(), as_list(posted.get(id).cloned()));
            }
            _ => match posted.get(id) {
                Some(v) => {
                    raw.insert(id.clone(), v.clone());
                }
                None => {
                    raw.remove(id);
                }
            },
        }
    }
}

fn as_list(value: Option<Value>) -> Value {
    match value {
        Some(Value::Array(items)) => Value::Array(items),
        Some(Value::String(s)) if s.is_empty() => Value::Array(Vec::new()),
        Some(v @ Value::String(_)) => Value::Array(vec![v]),
        _ => Value::Array(Vec::new()),
    }
}

/// Whether an answer holds nothing but blanks.
pub fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.iter().all(is_blank),
        Value::Object(map) => map.values().all(is_blank),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]
    use serde_json::json;

    use super::*;

    fn answers(value: Value) -> Answers {
        match value {
            Value::Object(map) => map,
            _ => Answers::new(),
        }
    }

    #[test]
    fn dotted_names_become_objects_arrays_and_lists() {
        let got = answers_from_pairs([
            ("_csrf", "token"),
            ("name", "Erika"),
            ("anschrift.street", "Marktstraße"),
            ("anschrift.postal_code", "99423"),
            ("hunde.1.name", "Rex"),
            ("hunde.0.name", "Bello"),
            ("grund", "a"),
            ("grund", "b"),
        ]);
        assert_eq!(
            Value::Object(got),
            json!({
                "name": "Erika",
                "anschrift": {"street": "Marktstraße", "postal_code": "99423"},
                "hunde": [{"name": "Bello"}, {"name": "Rex"}],
                "grund": ["a", "b"],
            })
        );
    }

    #[test]
    fn hostile_names_are_ignored() {
        let got = answers_from_pairs([
            ("a.b.c.d.e", "too deep"),
            ("g.100.x", "index too high"),
            ("x..y", "empty segment"),
            ("", "no name"),
            ("_action", "continue"),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    fn step() -> Step {
        serde_json::from_value(json!({
            "id": "s",
            "title": {"de": "S"},
            "fields": [
                {"id": "name", "type": "text", "label": {"de": "Name"}},
                {"id": "zustimmung", "type": "declaration", "label": {"de": "Z"}},
                {"id": "arten", "type": "checkboxes", "label": {"de": "A"},
                 "options": [{"value": "a", "label": {"de": "A"}}]},
                {"id": "nachweis", "type": "file", "label": {"de": "N"}},
                {"id": "spaeter", "type": "text", "label": {"de": "S"}},
                {"id": "hunde", "type": "group", "label": {"de": "Hunde"}, "fields": [
                    {"id": "hund", "type": "text", "label": {"de": "Hund"}}
                ]}
            ]
        }))
        .unwrap_or_else(|e| panic!("test step: {e}"))
    }

    #[test]
    fn merge_replaces_only_the_steps_fields() {
        let mut raw = answers(json!({
            "name": "alt",
            "zustimmung": "true",
            "arten": ["a"],
            "nachweis": [{"id": "f"}],
            "spaeter": "kept (not shown)",
            "anderer_schritt": "kept",
        }));
        let posted = answers_from_pairs([("name", "neu"), ("hunde.0.hund", "")]);
        merge_step(&mut raw, &step(), &posted, &["spaeter".to_owned()], false);
        assert_eq!(
            Value::Object(raw),
            json!({
                "name": "neu",
                "arten": [],
                "nachweis": [{"id": "f"}],
                "spaeter": "kept (not shown)",
                "anderer_schritt": "kept",
                "hunde": [],
            })
        );
    }

    #[test]
    fn merge_keeps_empty_entries_when_asked() {
        let mut raw = Answers::new();
        let posted = answers_from_pairs([("hunde.0.hund", ""), ("hunde.1.hund", "Rex")]);
        merge_step(&mut raw, &step(), &posted, &[], true);
        assert_eq!(raw["hunde"], json!([{"hund": ""}, {"hund": "Rex"}]));
    }
}
