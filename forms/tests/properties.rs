//! Property tests: for arbitrary answers to every shipped form, evaluation
//! never panics, is deterministic, never keeps the answer of a hidden
//! field, and normalizing twice changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use amtsweg_forms::{Answers, Env, FieldType, Form};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn forms() -> &'static Vec<(String, Form, Vec<String>)> {
    static FORMS: OnceLock<Vec<(String, Form, Vec<String>)>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions");
        let mut out = Vec::new();
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let form = Form::load(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let ids = form
                .definition()
                .steps
                .iter()
                .flat_map(|s| s.fields.iter())
                .map(|f| f.id.clone())
                .collect();
            out.push((path.display().to_string(), form, ids));
        }
        assert!(!out.is_empty(), "no shipped definitions in {dir}");
        out
    })
}

fn env() -> Env {
    Env {
        today: time::macros::date!(2026 - 11 - 23),
    }
}

/// Values a browser or a hostile client might send: plausible answers of
/// every type, and junk.
fn raw_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!("ja")),
        Just(json!("nein")),
        Just(json!(true)),
        Just(json!(false)),
        Just(json!("12,50")),
        Just(json!("1.234")),
        Just(json!("2024-02-29")),
        Just(json!("31.12.1999")),
        Just(json!("99084")),
        Just(json!("DE89 3704 0044 0532 0130 00")),
        Just(json!("erika@example.de")),
        Just(json!("+49 361 123456")),
        Just(json!("")),
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z0-9 ,.-]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        Just(json!({"id": "f1", "name": "a.pdf", "size": 1234, "content_type": "application/pdf"})),
        Just(
            json!({"street": "Hauptstraße", "house_number": "1", "postal_code": "99084", "city": "Erfurt"})
        ),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Answers for a form: some of its real field ids (and option values),
/// plus unknown keys.
fn answers_for(ids: &[String], form: &Form) -> impl Strategy<Value = Answers> + use<> {
    let ids = ids.to_vec();
    let options: Vec<Vec<String>> = ids
        .iter()
        .map(|id| form.options(id).iter().map(|o| o.value.clone()).collect())
        .collect();
    let n = ids.len().max(1);
    prop::collection::vec(
        (
            0..n,
            raw_value(),
            any::<bool>(),
            any::<prop::sample::Index>(),
        ),
        0..40,
    )
    .prop_map(move |entries| {
        let mut map = Map::new();
        for (i, value, use_option, pick) in entries {
            let Some(id) = ids.get(i) else { continue };
            let value = if use_option && !options[i].is_empty() {
                Value::String(options[i][pick.index(options[i].len())].clone())
            } else {
                value
            };
            map.insert(id.clone(), value);
        }
        map.insert("not_a_field".into(), json!("x"));
        map
    })
}

fn form_and_answers() -> impl Strategy<Value = (usize, Answers)> {
    (0..forms().len()).prop_flat_map(|i| {
        let (_, form, ids) = &forms()[i];
        (Just(i), answers_for(ids, form))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn evaluation_is_deterministic_and_total((i, answers) in form_and_answers()) {
        let form = &forms()[i].1;
        let first = form.evaluate(&answers, &env());
        let second = form.evaluate(&answers, &env());
        prop_assert_eq!(&first, &second);
        // Every error names a field of the form and a step that applies.
        for e in &first.errors {
            prop_assert!(form.field(&e.field_id).is_some(), "unknown field {}", e.field_id);
            prop_assert!(first.is_applicable(&e.step_id));
            prop_assert!(!e.message.de.is_empty());
        }
    }

    #[test]
    fn normalized_answers_never_contain_hidden_or_unknown_fields((i, answers) in form_and_answers()) {
        let form = &forms()[i].1;
        let eval = form.evaluate(&answers, &env());
        for (id, value) in &eval.answers {
            let field = form.field(id);
            prop_assert!(field.is_some(), "unknown key {id} kept");
            prop_assert!(eval.field(id).visible, "hidden field {id} kept");
            prop_assert!(field.unwrap().kind != FieldType::Info);
            if let Value::Array(items) = value
                && field.unwrap().kind == FieldType::Group
            {
                // Entries whose answers were all invalid are dropped, so the
                // n-th stored entry is the n-th or a later entry as posted.
                for (n, item) in items.iter().enumerate() {
                    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
                    prop_assert!(!keys.is_empty(), "empty entry kept in {id}");
                    let shown_somewhere = (n..n + 64).any(|m| {
                        keys.iter().all(|k| eval.field(&format!("{id}.{m}.{k}")).visible)
                    });
                    prop_assert!(shown_somewhere, "hidden field kept in {id}[{n}]: {keys:?}");
                }
            }
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing((i, answers) in form_and_answers()) {
        let form = &forms()[i].1;
        let once = form.normalize(&answers, &env());
        let twice = form.normalize(&once, &env());
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn any_text_as_a_definition_is_an_error_or_a_form(text in any::<String>()) {
        let _ = Form::load(&text);
    }

    #[test]
    fn mutated_definitions_never_panic((i, path_pick, value) in (0..4usize, any::<prop::sample::Index>(), raw_value())) {
        // Replace one node of a real definition with junk: the checker must
        // answer with errors (or accept), never panic.
        let (_, form, _) = &forms()[i % forms().len()];
        let mut def = serde_json::to_value(form.definition()).unwrap();
        let mut pointers = Vec::new();
        collect_pointers(&def, String::new(), &mut pointers);
        let pointer = &pointers[path_pick.index(pointers.len())];
        if let Some(slot) = def.pointer_mut(pointer) {
            *slot = value;
        }
        let _ = Form::load(&def.to_string());
    }
}

fn collect_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            collect_pointers(
                v,
                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| collect_pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}
