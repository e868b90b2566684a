//! The quality check before publishing, one test per kind of problem, and
//! the JSON import/export of definitions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amtsweg_forms::{FormDefinition, json, quality};
use serde_json::{Value, json as j};

/// A small definition with no quality problem: two steps, a conditional
/// step, a pattern message, a cross-field check and a fee.
fn good() -> Value {
    j!({
        "id": "beispiel", "version": 1,
        "title": {"de": "Beispiel", "en": "Example"},
        "summary": {"de": "Ein Beispiel", "en": "An example"},
        "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
        "steps": [
            {"id": "person", "title": {"de": "Person", "en": "Person"}, "fields": [
                {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true,
                 "pattern": "[A-Z].*",
                 "pattern_message": {"de": "Der Name beginnt mit einem Großbuchstaben.", "en": "The name starts with a capital letter."}},
                {"id": "hund", "type": "yes_no", "label": {"de": "Haben Sie einen Hund?", "en": "Do you have a dog?"}},
                {"id": "von", "type": "date", "label": {"de": "Beginn", "en": "Start"}},
                {"id": "bis", "type": "date", "label": {"de": "Ende", "en": "End"}}
            ]},
            {"id": "hund_angaben", "title": {"de": "Hund", "en": "Dog"},
             "visible_if": {"==": [{"var": "hund"}, true]},
             "fields": [
                {"id": "rasse", "type": "select", "label": {"de": "Rasse", "en": "Breed"},
                 "options": [{"value": "dackel", "label": {"de": "Dackel", "en": "Dachshund"}}]}
             ]}
        ],
        "validations": [
            {"id": "ende_nach_beginn", "rule": {">=": [{"var": "bis"}, {"var": "von"}]},
             "message": {"de": "Das Ende liegt vor dem Beginn.", "en": "The end is before the start."},
             "fields": ["bis", "von"]}
        ],
        "fees": [{"id": "gebuehr", "purpose": {"de": "Hundesteuer", "en": "Dog tax"}, "amount_cents": 1000}]
    })
}

fn problems(v: &Value) -> Vec<quality::Problem> {
    let d: FormDefinition = serde_json::from_value(v.clone()).unwrap();
    quality::check(&d)
}

fn codes(v: &Value) -> Vec<(&'static str, String)> {
    problems(v)
        .into_iter()
        .map(|p| (p.code, p.location.pointer))
        .collect()
}

#[test]
fn a_complete_definition_has_no_quality_problem() {
    let v = good();
    let d: FormDefinition = serde_json::from_value(v.clone()).unwrap();
    assert!(amtsweg_forms::Form::from_definition(d).is_ok());
    assert_eq!(codes(&v), []);
}

#[test]
fn shipped_example_definitions_pass_the_quality_check() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let form = amtsweg_forms::Form::load(&text).unwrap();
        let found = quality::check(form.definition());
        let lines: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            found.is_empty(),
            "{}:\n{}",
            path.display(),
            lines.join("\n")
        );
        count += 1;
    }
    assert!(count >= 6);
}

#[test]
fn a_field_without_english_label_is_named_with_its_place() {
    let mut v = good();
    v["steps"][1]["fields"][0]["label"] = j!({"de": "Rasse"});
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "field_label_missing");
    assert_eq!(p[0].location.step.as_deref(), Some("hund_angaben"));
    assert_eq!(p[0].location.field.as_deref(), Some("rasse"));
    assert_eq!(p[0].location.pointer, "/steps/1/fields/0/label/en");
    assert!(p[0].message.de.contains("„rasse“"));
    assert!(p[0].message.en.as_deref().unwrap().contains("English"));
}

#[test]
fn a_blank_german_label_is_reported_too() {
    let mut v = good();
    v["steps"][0]["fields"][1]["label"] = j!({"de": " ", "en": "Dog?"});
    assert_eq!(
        codes(&v),
        [(
            "field_label_missing",
            "/steps/0/fields/1/label/de".to_owned()
        )]
    );
}

#[test]
fn a_pattern_message_that_does_not_name_its_field_is_reported() {
    let mut v = good();
    v["steps"][0]["fields"][0]["pattern_message"] =
        j!({"de": "Bitte mit Großbuchstaben beginnen.", "en": "The name starts with a capital."});
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "message_does_not_name_field");
    assert_eq!(p[0].location.field.as_deref(), Some("name"));
    assert_eq!(
        p[0].location.pointer,
        "/steps/0/fields/0/pattern_message/de"
    );
}

#[test]
fn a_cross_field_message_must_name_the_field_it_is_shown_at() {
    let mut v = good();
    v["validations"][0]["message"] =
        j!({"de": "Das passt nicht.", "en": "The end is before the start."});
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "message_does_not_name_field");
    assert_eq!(p[0].location.field.as_deref(), Some("bis"));
    assert_eq!(p[0].location.step.as_deref(), Some("person"));
    assert_eq!(p[0].location.pointer, "/validations/0/message/de");
}

#[test]
fn missing_english_texts_are_listed_one_by_one() {
    let mut v = good();
    v["summary"] = j!({"de": "Ein Beispiel"});
    v["steps"][1]["title"] = j!({"de": "Hund", "en": ""});
    v["steps"][1]["fields"][0]["options"][0]["label"] = j!({"de": "Dackel"});
    assert_eq!(
        codes(&v),
        [
            ("english_missing", "/summary/en".to_owned()),
            ("english_missing", "/steps/1/title/en".to_owned()),
            (
                "english_missing",
                "/steps/1/fields/0/options/0/label/en".to_owned()
            ),
        ]
    );
}

#[test]
fn a_rule_reading_a_missing_field_is_reported() {
    let mut v = good();
    v["fees"][0]["applies_if"] = j!({"var": "katze"});
    v["validations"][0]["fields"] = j!(["bis", "gibt_es_nicht"]);
    let p = problems(&v);
    let found: Vec<_> = p
        .iter()
        .map(|p| (p.code, p.location.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("rule_reads_missing_field", "/validations/0/fields/1"),
            ("rule_reads_missing_field", "/fees/0/applies_if"),
        ]
    );
    assert!(p[1].message.de.contains("„katze“"));
}

#[test]
fn a_step_whose_rule_is_always_false_is_unreachable() {
    let mut v = good();
    v["steps"][1]["visible_if"] = j!({"==": [1, 2]});
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "step_unreachable");
    assert_eq!(p[0].location.step.as_deref(), Some("hund_angaben"));
    assert_eq!(p[0].location.pointer, "/steps/1/visible_if");
    assert!(p[0].message.de.contains("immer falsch"));
}

#[test]
fn a_step_whose_rule_reads_only_its_own_or_later_fields_is_unreachable() {
    let mut v = good();
    v["steps"][1]["visible_if"] = j!({"==": [{"var": "rasse"}, "dackel"]});
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "step_unreachable");
    assert!(
        p[0].message
            .en
            .as_deref()
            .unwrap()
            .contains("on it or later")
    );
}

#[test]
fn a_field_that_is_never_shown_is_reported() {
    let mut v = good();
    v["steps"][0]["fields"][1]["visible_if"] = j!(false);
    assert_eq!(
        codes(&v),
        [(
            "field_unreachable",
            "/steps/0/fields/1/visible_if".to_owned()
        )]
    );
}

#[test]
fn a_fee_without_purpose_is_reported() {
    let mut v = good();
    v["fees"][0]["purpose"] = j!({"de": "Hundesteuer"});
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].code, "fee_purpose_missing");
    assert_eq!(p[0].location.pointer, "/fees/0/purpose/en");
    assert!(p[0].message.de.contains("„gebuehr“"));
}

#[test]
fn export_is_canonical_and_imports_to_the_same_definition() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let form = json::import(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let exported = json::export(form.definition());
        assert!(exported.ends_with("}\n"));
        let again = json::import(&exported).unwrap();
        assert_eq!(again.definition(), form.definition(), "{}", path.display());
        // The same definition always gives the same bytes.
        assert_eq!(json::export(again.definition()), exported);
    }
}

#[test]
fn json_import_names_the_place_of_each_problem_as_a_pointer() {
    let mut v = good();
    v["steps"][0]["fields"][0]["colour"] = j!("rot");
    let e = json::import(&v.to_string()).err().unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].pointer, "/steps/0/fields/0/colour");
    assert!(
        e[0].message.de.starts_with("Unbekannter Schlüssel"),
        "{}",
        e[0]
    );
    assert!(
        e[0].message
            .en
            .as_deref()
            .unwrap()
            .contains("unknown field `colour`")
    );

    let mut v = good();
    v["version"] = j!("eins");
    let e = json::import(&v.to_string()).err().unwrap();
    assert_eq!(e[0].pointer, "/version");
    assert!(e[0].message.de.starts_with("Falscher Typ"), "{}", e[0]);

    // Semantic problems come from the definition check, with pointers.
    let mut v = good();
    v["steps"][1]["fields"][0]["options"] = j!([]);
    v["steps"][0]["fields"][2]["id"] = j!("name");
    let e = json::import(&v.to_string()).err().unwrap();
    let pointers: Vec<&str> = e.iter().map(|p| p.pointer.as_str()).collect();
    assert!(pointers.contains(&"/steps/0/fields/2/id"), "{pointers:?}");
    assert!(
        pointers.contains(&"/steps/1/fields/0/options"),
        "{pointers:?}"
    );
    assert!(
        e.iter()
            .all(|p| p.message.de.starts_with("Die Definitionsprüfung meldet"))
    );

    let e = json::import("{ nicht json").err().unwrap();
    assert_eq!(e[0].pointer, "");
    assert!(
        e[0].message.de.starts_with("Kein gültiges JSON"),
        "{}",
        e[0]
    );
    assert!(e[0].to_string().starts_with("/: "));
}
