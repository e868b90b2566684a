//! The engine as a citizen and a form editor meet it: what is shown, what is
//! asked, what is wrong (and how the message says so), what is stored, what
//! it costs, and how a broken definition is reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amtsweg_forms::{Answers, Env, Form, Lang};
use serde_json::{Value, json};

fn env() -> Env {
    Env {
        today: time::macros::date!(2026 - 11 - 23),
    }
}

fn answers(v: Value) -> Answers {
    v.as_object().unwrap().clone()
}

fn load(v: Value) -> Form {
    match Form::load(&v.to_string()) {
        Ok(f) => f,
        Err(e) => panic!("definition rejected:\n{e}"),
    }
}

fn definition(steps: Value) -> Value {
    json!({
        "id": "test", "version": 1,
        "title": {"de": "Test", "en": "Test"},
        "summary": {"de": "Kurz", "en": "Short"},
        "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
        "steps": steps
    })
}

fn errors_de(form: &Form, a: Value) -> Vec<(String, String)> {
    form.evaluate(&answers(a), &env())
        .errors
        .into_iter()
        .map(|e| (e.path, e.message.de))
        .collect()
}

fn parking() -> Form {
    load(json!({
        "id": "parken", "version": 1,
        "title": {"de": "Bewohnerparkausweis", "en": "Residents' parking permit"},
        "summary": {"de": "Parken", "en": "Parking"},
        "authority": {"id": "stadt", "name": {"de": "Stadt", "en": "City"}},
        "steps": [
            {"id": "person", "title": {"de": "Person", "en": "Person"}, "fields": [
                {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true, "max_length": 20},
                {"id": "halter", "type": "yes_no", "label": {"de": "Sind Sie Halter?", "en": "Are you the keeper?"}, "required": true},
                {"id": "nachweis", "type": "file", "label": {"de": "Nutzungsnachweis", "en": "Proof of use"},
                 "accept": ["application/pdf", "image/*"], "max_size_bytes": 1000,
                 "visible_if": {"==": [{"var": "halter"}, false]}, "required": true}
            ]},
            {"id": "firma", "title": {"de": "Firma", "en": "Company"},
             "visible_if": {"==": [{"var": "halter"}, false]},
             "fields": [
                {"id": "firmenname", "type": "text", "label": {"de": "Firmenname", "en": "Company name"}, "required": true}
             ]},
            {"id": "dauer", "title": {"de": "Dauer", "en": "Duration"}, "fields": [
                {"id": "jahre", "type": "radio", "label": {"de": "Gültigkeit", "en": "Validity"}, "required": true,
                 "options": [
                    {"value": "1", "label": {"de": "1 Jahr", "en": "1 year"}},
                    {"value": "2", "label": {"de": "2 Jahre", "en": "2 years"}}
                 ]},
                {"id": "bemerkung", "type": "textarea", "label": {"de": "Bemerkung", "en": "Remark"},
                 "required_if": {"==": [{"var": "jahre"}, "2"]}}
            ]}
        ],
        "fees": [
            {"id": "gebuehr", "purpose": {"de": "Gebühr", "en": "Fee"},
             "amount_rule": {"if": [{"==": [{"var": "jahre"}, "2"]}, 6000, 3000]}},
            {"id": "zuschlag", "purpose": {"de": "Zuschlag", "en": "Surcharge"}, "amount_cents": 500,
             "applies_if": {"==": [{"var": "halter"}, false]}}
        ]
    }))
}

#[test]
fn a_hidden_field_is_not_asked_and_its_answer_is_dropped() {
    let form = parking();
    let eval = form.evaluate(
        &answers(json!({
            "name": "Erika Mustermann", "halter": "ja", "jahre": "1",
            "nachweis": [{"id": "f1", "name": "x.pdf", "size": 10, "content_type": "application/pdf"}],
            "firmenname": "ACME"
        })),
        &env(),
    );
    assert!(eval.is_complete(), "{:?}", eval.errors);
    assert!(!eval.field("nachweis").visible);
    assert!(!eval.answers.contains_key("nachweis"));
    assert!(!eval.answers.contains_key("firmenname"));
    assert_eq!(eval.answers["halter"], json!(true));
    let steps: Vec<&str> = eval.applicable_steps().collect();
    assert_eq!(steps, vec!["person", "dauer"]);
    assert_eq!(eval.next_step("person"), Some("dauer"));
    assert_eq!(eval.previous_step("dauer"), Some("person"));
    assert_eq!(eval.next_step("dauer"), None);
}

#[test]
fn a_visible_required_field_must_be_answered() {
    let form = parking();
    let eval = form.evaluate(
        &answers(json!({"name": "Erika", "halter": "nein", "jahre": "2"})),
        &env(),
    );
    let steps: Vec<&str> = eval.applicable_steps().collect();
    assert_eq!(steps, vec!["person", "firma", "dauer"]);
    let errs: Vec<(&str, &str, &str)> = eval
        .errors
        .iter()
        .map(|e| (e.step_id.as_str(), e.path.as_str(), e.message.de.as_str()))
        .collect();
    assert_eq!(
        errs,
        vec![
            ("person", "nachweis", "Laden Sie „Nutzungsnachweis“ hoch."),
            ("firma", "firmenname", "Geben Sie „Firmenname“ an."),
            ("dauer", "bemerkung", "Geben Sie „Bemerkung“ an."),
        ]
    );
    assert_eq!(
        eval.errors[0].message.en.as_deref(),
        Some("Upload “Proof of use”.")
    );
    assert_eq!(eval.first_step_with_errors(), Some("person"));
    assert_eq!(
        form.validate_step("dauer", &answers(json!({"jahre": "1"})), &env())
            .len(),
        0
    );
}

#[test]
fn a_follow_up_of_no_waits_for_the_answer() {
    // `"halter" == false` must not hold while "halter" is unanswered (null).
    let form = parking();
    let eval = form.evaluate(&answers(json!({"name": "Erika"})), &env());
    assert!(!eval.field("nachweis").visible);
    let steps: Vec<&str> = eval.applicable_steps().collect();
    assert_eq!(steps, vec!["person", "dauer"]);
    let errors = errors_de(&form, json!({"name": "Erika"}));
    assert!(
        errors.iter().any(|(path, _)| path == "halter"),
        "{errors:?}"
    );
    assert!(
        errors.iter().all(|(path, _)| path != "nachweis"),
        "{errors:?}"
    );
}

#[test]
fn fees_fixed_computed_and_conditional() {
    let form = parking();
    let one = form.fees(&answers(json!({"halter": "ja", "jahre": "1"})), &env());
    assert_eq!(
        one.iter().map(|f| f.amount_cents).collect::<Vec<_>>(),
        vec![3000]
    );
    let eval = form.evaluate(&answers(json!({"halter": "nein", "jahre": "2"})), &env());
    assert_eq!(eval.fee_total_cents(), 6500);
    assert_eq!(eval.fees[1].purpose.de, "Zuschlag");
}

#[test]
fn values_already_entered_are_kept_when_another_is_wrong() {
    let form = parking();
    let eval = form.evaluate(
        &answers(json!({"name": "Ein sehr sehr sehr langer Name", "halter": "ja"})),
        &env(),
    );
    assert_eq!(
        eval.errors[0].message.de,
        "„Name“ darf höchstens 20 Zeichen lang sein."
    );
    assert_eq!(eval.answers["halter"], json!(true));
    assert!(!eval.answers.contains_key("name"));
}

#[test]
fn summary_rows_read_like_the_answers() {
    let form = parking();
    let eval = form.evaluate(
        &answers(json!({"name": "Erika", "halter": "ja", "jahre": "2", "bemerkung": "Zweitwagen"})),
        &env(),
    );
    let summary = form.summary(&eval, Lang::De);
    let rows: Vec<(String, String, String)> = summary
        .iter()
        .flat_map(|s| {
            s.rows
                .iter()
                .map(|r| (s.step_id.clone(), r.label.clone(), r.value.clone()))
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("person".into(), "Name".into(), "Erika".into()),
            ("person".into(), "Sind Sie Halter?".into(), "Ja".into()),
            ("dauer".into(), "Gültigkeit".into(), "2 Jahre".into()),
            ("dauer".into(), "Bemerkung".into(), "Zweitwagen".into()),
        ]
    );
    let en = form.summary(&eval, Lang::En);
    assert_eq!(en[1].rows[0].value, "2 years");
    assert_eq!(en[0].title, "Person");
}

fn all_types() -> Form {
    load(definition(json!([{
        "id": "alles", "title": {"de": "Alles"}, "fields": [
            {"id": "zahl", "type": "number", "label": {"de": "Anzahl", "en": "Number"}, "min": 1, "max": 10},
            {"id": "flaeche", "type": "number", "label": {"de": "Fläche"}, "decimals": 2, "unit": {"de": "m²"}},
            {"id": "betrag", "type": "money", "label": {"de": "Miete"}, "max_cents": 200000},
            {"id": "geburt", "type": "date", "label": {"de": "Geburtsdatum"}, "max_date": "today-18y"},
            {"id": "mail", "type": "email", "label": {"de": "E-Mail"}},
            {"id": "tel", "type": "phone", "label": {"de": "Telefon"}},
            {"id": "iban", "type": "iban", "label": {"de": "IBAN"}},
            {"id": "plz", "type": "postal_code", "label": {"de": "PLZ"}},
            {"id": "anschrift", "type": "address", "label": {"de": "Anschrift"}},
            {"id": "art", "type": "select", "label": {"de": "Art"}, "code_list": "arten"},
            {"id": "hobbys", "type": "checkboxes", "label": {"de": "Hobbys"}, "max_selected": 2,
             "options": [{"value": "a", "label": {"de": "A"}}, {"value": "b", "label": {"de": "B"}}, {"value": "c", "label": {"de": "C"}}]},
            {"id": "kz", "type": "text", "label": {"de": "Kennzeichen"}, "pattern": "[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} [1-9][0-9]{0,3}",
             "pattern_message": {"de": "Geben Sie das Kennzeichen wie EF-AB 123 ein."}},
            {"id": "info", "type": "info", "label": {"de": "Hinweis"}, "text": {"de": "Nur zur Info"}},
            {"id": "ok", "type": "declaration", "label": {"de": "Richtigkeit"}, "text": {"de": "Alles ist wahr."}, "required": true}
        ]}]))
        .as_object()
        .map(|o| {
            let mut o = o.clone();
            o.insert("code_lists".into(), json!({"arten": {"uri": "urn:de:test", "version": "1", "options": [
                {"value": "x", "label": {"de": "Iks"}}
            ]}}));
            Value::Object(o)
        })
        .unwrap())
}

#[test]
fn every_type_normalizes_valid_answers() {
    let form = all_types();
    let eval = form.evaluate(
        &answers(json!({
            "zahl": "3", "flaeche": "72,5", "betrag": "1.234,50", "geburt": "01.05.1990",
            "mail": " erika@example.de ", "tel": "0361 123456", "iban": "de89 3704 0044 0532 0130 00",
            "plz": "99084", "anschrift": {"street": "Hauptstraße", "house_number": "1a", "postal_code": "99084", "city": "Erfurt"},
            "art": "x", "hobbys": ["c", "a"], "kz": "EF-AB 123", "info": "ignored", "ok": "on",
            "unbekannt": "wird verworfen"
        })),
        &env(),
    );
    assert!(eval.errors.is_empty(), "{:?}", eval.errors);
    let a = &eval.answers;
    assert_eq!(a["zahl"], json!(3));
    assert_eq!(a["flaeche"], json!(72.5));
    assert_eq!(a["betrag"], json!(123450));
    assert_eq!(a["geburt"], json!("1990-05-01"));
    assert_eq!(a["mail"], json!("erika@example.de"));
    assert_eq!(a["iban"], json!("DE89370400440532013000"));
    assert_eq!(a["anschrift"]["city"], json!("Erfurt"));
    assert_eq!(a["hobbys"], json!(["a", "c"]));
    assert_eq!(a["ok"], json!(true));
    assert!(!a.contains_key("info"));
    assert!(!a.contains_key("unbekannt"));
    let rows = &form.summary(&eval, Lang::De)[0].rows;
    let value = |label: &str| {
        rows.iter()
            .find(|r| r.label == label)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(value("Miete"), "1.234,50 €");
    assert_eq!(value("Fläche"), "72,5 m²");
    assert_eq!(value("Geburtsdatum"), "01.05.1990");
    assert_eq!(value("IBAN"), "DE89 3704 0044 0532 0130 00");
    assert_eq!(value("Anschrift"), "Hauptstraße 1a\n99084 Erfurt");
    assert_eq!(value("Art"), "Iks");
    assert_eq!(value("Hobbys"), "A\nC");
}

#[test]
fn every_type_explains_a_wrong_answer() {
    let form = all_types();
    let errs = errors_de(
        &form,
        json!({
            "zahl": "11", "flaeche": "72,555", "betrag": "2500", "geburt": "01.05.2020",
            "mail": "erika(at)example.de", "tel": "ruf mich an", "iban": "DE89370400440532013001",
            "plz": "9908", "anschrift": {"street": "Hauptstraße", "postal_code": "990"},
            "art": "y", "hobbys": ["a", "b", "c"], "kz": "EF AB 123"
        }),
    );
    let expected = [
        ("zahl", "„Anzahl“ darf höchstens 10 sein."),
        (
            "flaeche",
            "„Fläche“ muss eine Zahl mit höchstens 2 Nachkommastellen sein, z. B. 72,5.",
        ),
        ("betrag", "„Miete“ darf höchstens 2.000,00 € betragen."),
        (
            "geburt",
            "„Geburtsdatum“ muss am oder vor dem 23.11.2008 liegen.",
        ),
        (
            "mail",
            "„E-Mail“ muss eine E-Mail-Adresse sein, z. B. name@beispiel.de.",
        ),
        (
            "tel",
            "„Telefon“ muss eine Telefonnummer sein, z. B. 0361 123456 oder +49 361 123456.",
        ),
        (
            "iban",
            "„IBAN“ ist keine gültige IBAN. Prüfen Sie die Eingabe, z. B. DE02 1203 0000 0000 2020 51.",
        ),
        ("plz", "„PLZ“ muss eine Postleitzahl mit 5 Ziffern sein."),
        (
            "anschrift.house_number",
            "Anschrift: Geben Sie „Hausnummer“ an.",
        ),
        (
            "anschrift.postal_code",
            "Anschrift: „Postleitzahl“ muss eine Postleitzahl mit 5 Ziffern sein.",
        ),
        ("anschrift.city", "Anschrift: Geben Sie „Ort“ an."),
        (
            "art",
            "Wählen Sie bei „Art“ eine der angebotenen Möglichkeiten.",
        ),
        ("hobbys", "Wählen Sie bei „Hobbys“ höchstens 2 aus."),
        ("kz", "Geben Sie das Kennzeichen wie EF-AB 123 ein."),
        ("ok", "Bestätigen Sie „Richtigkeit“, um fortzufahren."),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(errs, expected);
}

#[test]
fn files_are_checked_for_type_size_and_count() {
    let form = parking();
    let file = |name: &str, size: u64, ct: &str| json!({"id": "f", "name": name, "size": size, "content_type": ct});
    let check = |files: Value| {
        errors_de(
            &form,
            json!({"name": "E", "halter": "nein", "firmenname": "F", "jahre": "1", "nachweis": files}),
        )
    };
    assert!(check(json!([file("a.jpg", 10, "image/jpeg")])).is_empty());
    assert_eq!(
        check(json!([file("a.docx", 10, "application/msword")]))[0].1,
        "Die Datei „a.docx“ bei „Nutzungsnachweis“ hat ein nicht erlaubtes Format. Erlaubt: PDF, Bilder/images."
    );
    assert_eq!(
        check(json!([file("a.pdf", 5000, "application/pdf")]))[0].1,
        "Die Datei „a.pdf“ bei „Nutzungsnachweis“ ist größer als 1 KB."
    );
    assert_eq!(
        check(json!([file("a.pdf", 0, "application/pdf")]))[0].1,
        "Die Datei „a.pdf“ bei „Nutzungsnachweis“ ist leer."
    );
    assert_eq!(
        check(json!([
            file("a.pdf", 1, "application/pdf"),
            file("b.pdf", 1, "application/pdf")
        ]))[0]
            .1,
        "Laden Sie bei „Nutzungsnachweis“ höchstens 1 Dateien hoch."
    );
}

fn household() -> Form {
    load(json!({
        "id": "wohngeld", "version": 3,
        "title": {"de": "Wohngeld"}, "summary": {"de": "Wohngeld"},
        "authority": {"id": "wohngeldstelle", "name": {"de": "Wohngeldstelle"}},
        "steps": [
            {"id": "haushalt", "title": {"de": "Haushalt"}, "fields": [
                {"id": "einzug", "type": "date", "label": {"de": "Einzug"}, "required": true},
                {"id": "mitglieder", "type": "group", "label": {"de": "Haushaltsmitglieder"},
                 "item_label": {"de": "Person", "en": "Person"}, "min_items": 1, "max_items": 3, "fields": [
                    {"id": "vorname", "type": "text", "label": {"de": "Vorname", "en": "First name"}, "required": true},
                    {"id": "hat_einkommen", "type": "yes_no", "label": {"de": "Einkommen?"}, "required": true},
                    {"id": "einkommen", "type": "money", "label": {"de": "Einkommen"}, "required": true,
                     "visible_if": {"==": [{"var": "hat_einkommen"}, true]}}
                 ]},
                {"id": "auszug", "type": "date", "label": {"de": "Auszug"}}
            ]}
        ],
        "computed": [
            {"id": "personen", "expression": {"+": [1, {"reduce": [{"var": "mitglieder"}, {"+": [{"var": "accumulator"}, 1]}, 0]}]},
             "label": {"de": "Personen im Haushalt"}},
            {"id": "einkommen_summe", "expression": {"reduce": [{"var": "mitglieder"}, {"+": [{"var": "accumulator"}, {"var": "current.einkommen"}]}, 0]}}
        ],
        "validations": [
            {"id": "auszug_nach_einzug", "rule": {">": [{"var": "auszug"}, {"var": "einzug"}]},
             "message": {"de": "„Auszug“ muss nach „Einzug“ liegen.", "en": "“Move-out” must be after “move-in”."},
             "fields": ["auszug", "einzug"]}
        ],
        "fees": [{"id": "pauschale", "purpose": {"de": "Pauschale je Person"}, "amount_rule": {"*": [{"var": "personen"}, 100]}}]
    }))
}

#[test]
fn repeatable_groups_validate_each_entry_and_drop_hidden_answers() {
    let form = household();
    let eval = form.evaluate(
        &answers(json!({
            "einzug": "2020-01-01",
            "mitglieder": [
                {"vorname": "Max", "hat_einkommen": "ja", "einkommen": "1.000"},
                {"vorname": "", "hat_einkommen": "nein", "einkommen": "500"},
                {}
            ]
        })),
        &env(),
    );
    let errs: Vec<(&str, &str)> = eval
        .errors
        .iter()
        .map(|e| (e.path.as_str(), e.message.de.as_str()))
        .collect();
    assert_eq!(
        errs,
        vec![("mitglieder.1.vorname", "Person 2: Geben Sie „Vorname“ an.")]
    );
    assert_eq!(
        eval.errors[0].message.en.as_deref(),
        Some("Person 2: Enter “First name”.")
    );
    let members = eval.answers["mitglieder"].as_array().unwrap();
    assert_eq!(members.len(), 2, "the empty entry is dropped");
    assert_eq!(members[0]["einkommen"], json!(100000));
    assert!(
        members[1].get("einkommen").is_none(),
        "hidden answer in an entry is dropped"
    );
    assert!(eval.field("mitglieder.0.einkommen").visible);
    assert!(!eval.field("mitglieder.1.einkommen").visible);
    assert_eq!(eval.computed["personen"], json!(3));
    assert_eq!(eval.computed["einkommen_summe"], json!(100000));
    assert_eq!(eval.fee_total_cents(), 300);
    let rows = &form.summary(&eval, Lang::De)[0].rows;
    assert_eq!(rows[1].label, "Person 1: Vorname");
    assert_eq!(rows[1].path, "mitglieder.0.vorname");
}

#[test]
fn group_limits_and_cross_field_rules() {
    let form = household();
    let member = json!({"vorname": "A", "hat_einkommen": "nein"});
    let errs = errors_de(
        &form,
        json!({"einzug": "2020-01-01", "mitglieder": [member, member, member, member]}),
    );
    assert_eq!(
        errs,
        vec![(
            "mitglieder".to_string(),
            "Geben Sie bei „Haushaltsmitglieder“ höchstens 3 Einträge an.".to_string()
        )]
    );
    let errs = errors_de(&form, json!({"einzug": "2020-01-01"}));
    assert_eq!(
        errs,
        vec![(
            "mitglieder".to_string(),
            "Geben Sie „Haushaltsmitglieder“ an.".to_string()
        )]
    );
    let errs = errors_de(
        &form,
        json!({"einzug": "2020-01-01", "auszug": "2019-12-31", "mitglieder": [member]}),
    );
    assert_eq!(
        errs,
        vec![(
            "auszug".to_string(),
            "„Auszug“ muss nach „Einzug“ liegen.".to_string()
        )]
    );
    assert!(
        errors_de(
            &form,
            json!({"einzug": "2020-01-01", "auszug": "2020-01-02", "mitglieder": [member]})
        )
        .is_empty()
    );
}

#[test]
fn answers_of_the_wrong_shape_are_errors_not_panics() {
    let form = household();
    let errs = errors_de(&form, json!({"einzug": {"a": 1}, "mitglieder": "Max"}));
    assert_eq!(
        errs[0].1,
        "Die Angabe bei „Einzug“ konnte nicht gelesen werden."
    );
    assert_eq!(
        errs[1].1,
        "Die Angabe bei „Haushaltsmitglieder“ konnte nicht gelesen werden."
    );
}

fn problems(v: Value) -> Vec<String> {
    match Form::load(&v.to_string()) {
        Ok(_) => vec![],
        Err(e) => {
            e.0.into_iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect()
        }
    }
}

#[test]
fn a_broken_definition_reports_every_problem_with_its_path() {
    let p = problems(definition(json!([
        {"id": "a", "title": {"de": "A"}, "fields": [
            {"id": "x", "type": "text", "label": {"de": "X"}, "options": [{"value": "1", "label": {"de": "Eins"}}]},
            {"id": "x", "type": "radio", "label": {"de": "X2"}},
            {"id": "y", "type": "text", "label": {"de": ""}, "visible_if": {"==": [{"var": "gibtsnicht"}, 1]}},
            {"id": "z", "type": "text", "label": {"de": "Z"}, "required_if": {"frobnicate": [1]}},
            {"id": "w", "type": "text", "label": {"de": "W"}, "visible_if": {"var": "v"}},
            {"id": "v", "type": "file", "label": {"de": "V"}, "pattern": "(unclosed"}
        ]},
        {"id": "a", "title": {"de": "A2"}, "fields": []}
    ])));
    let expected = [
        "$.steps[0].fields[0].options: \"options\" does not apply to a field of type \"text\"",
        "$.steps[0].fields[1].id: the field id \"x\" is used twice; ids must be unique in the whole form",
        "$.steps[0].fields[1].options: a field of type \"radio\" needs options or a code_list",
        "$.steps[0].fields[2].label.de: the German text is empty",
        "$.steps[0].fields[5].pattern: \"pattern\" does not apply to a field of type \"file\"",
        "$.steps[0].fields[5].pattern: invalid regular expression",
        "$.steps[0].fields[5].accept: a file field needs the accepted media types",
        "$.steps[0].fields[5].max_size_bytes: a file field needs max_size_bytes",
        "$.steps[1].id: the step id \"a\" is used twice",
        "$.steps[1].fields: a step needs at least one field",
        "$.steps[0].fields[2].visible_if: the rule reads \"gibtsnicht\", but there is no field or computed value with that id",
        "$.steps[0].fields[3].required_if: invalid JSON Logic rule: unknown operator \"frobnicate\"",
        "$.steps[0].fields[4].visible_if: the rule reads \"v\", which comes after this field (or is this field); rules can read earlier fields only",
    ];
    assert_eq!(p.len(), expected.len(), "{p:#?}");
    for (got, want) in p.iter().zip(expected) {
        assert!(got.starts_with(want), "got {got}\nwant {want}");
    }
}

#[test]
fn structural_errors_name_the_place() {
    let mut d = definition(json!([{"id": "a", "title": {"de": "A"}, "fields": [
        {"id": "x", "type": "texxt", "label": {"de": "X"}}
    ]}]));
    let p = problems(d.clone());
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("$.steps[0].fields[0].type: unknown variant `texxt`"),
        "{}",
        p[0]
    );
    d["steps"][0]["fields"][0]["type"] = json!("text");
    d["steps"][0]["fields"][0]["lable"] = json!("typo");
    let p = problems(d);
    assert!(
        p[0].starts_with("$.steps[0].fields[0].lable: unknown field `lable`"),
        "{}",
        p[0]
    );
    let p = Form::load("{\"id\": ").unwrap_err();
    assert!(
        p.0[0].message.starts_with("invalid JSON"),
        "{}",
        p.0[0].message
    );
    assert!(Form::load("").is_err());
}

#[test]
fn rules_in_groups_and_steps_are_scoped() {
    let p = problems(definition(json!([
        {"id": "a", "title": {"de": "A"}, "visible_if": {"var": "b1"}, "fields": [
            {"id": "a1", "type": "yes_no", "label": {"de": "A1"}},
            {"id": "g", "type": "group", "label": {"de": "G"}, "fields": [
                {"id": "g1", "type": "yes_no", "label": {"de": "G1"}, "visible_if": {"var": "g2"}},
                {"id": "g2", "type": "yes_no", "label": {"de": "G2"}, "visible_if": {"var": "a1"}},
                {"id": "g3", "type": "group", "label": {"de": "G3"}, "fields": [{"id": "g31", "type": "text", "label": {"de": "x"}}]}
            ]}
        ]},
        {"id": "b", "title": {"de": "B"}, "fields": [
            {"id": "b1", "type": "yes_no", "label": {"de": "B1"}, "visible_if": {"var": "g1"}}
        ]}
    ])));
    let joined = p.join("\n");
    assert!(
        joined
            .contains("$.steps[0].fields[1].fields[2].type: a group cannot contain another group"),
        "{joined}"
    );
    assert!(
        joined.contains(
            "$.steps[0].visible_if: the rule reads \"b1\", which is on this step or a later one"
        ),
        "{joined}"
    );
    assert!(joined.contains("$.steps[0].fields[1].fields[0].visible_if: the rule reads \"g2\"; a field in a group can read earlier fields"), "{joined}");
    assert!(joined.contains("$.steps[1].fields[0].visible_if: \"g1\" is a field inside a group; read the group instead"), "{joined}");
    assert!(
        !joined.contains("fields[1].fields[1].visible_if"),
        "{joined}"
    );
}

#[test]
fn the_shipped_definitions_load() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = Form::load(&text) {
                panic!("{}:\n{e}", path.display());
            }
            count += 1;
        }
    }
    assert!(
        count >= 1 || std::env::var("CI").is_err(),
        "no definitions found in {dir}"
    );
}

/// Every text of a field, with where it is, for comparing two copies.
fn field_texts(field: &amtsweg_forms::Field, lang: Lang, out: &mut Vec<(String, String)>) {
    let mut push = |what: &str, text: Option<&amtsweg_forms::Text>| {
        if let Some(t) = text {
            out.push((format!("{}.{what}", field.id), t.get(lang).to_owned()));
            // What the page marks as German in an English page.
            out.push((
                format!("{}.{what}.de?", field.id),
                (t.get(lang) == t.de).to_string(),
            ));
        }
    };
    push("label", Some(&field.label));
    push("hint", field.hint.as_ref());
    push("pattern_message", field.pattern_message.as_ref());
    push("unit", field.unit.as_ref());
    push("text", field.text.as_ref());
    push("item_label", field.item_label.as_ref());
    for o in &field.options {
        push(&format!("option {}", o.value), Some(&o.label));
        push(&format!("option {} hint", o.value), o.hint.as_ref());
    }
    for child in &field.fields {
        field_texts(child, lang, out);
    }
}

#[test]
fn a_step_in_one_language_shows_the_same_texts_and_is_smaller() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions");
    let mut steps = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let form = Form::load(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for step in &form.definition().steps {
            for lang in [Lang::De, Lang::En] {
                let small = step.in_lang(lang);
                assert_eq!(small.title.get(lang), step.title.get(lang));
                let (mut before, mut after) = (Vec::new(), Vec::new());
                for f in &step.fields {
                    field_texts(f, lang, &mut before);
                }
                for f in &small.fields {
                    field_texts(f, lang, &mut after);
                }
                assert_eq!(before, after, "{} step {}", path.display(), step.id);
                let size = |s: &amtsweg_forms::Step| serde_json::to_string(s).unwrap().len();
                assert!(
                    size(&small) < size(step),
                    "{} step {}",
                    path.display(),
                    step.id
                );
                steps += 1;
            }
        }
    }
    assert!(
        steps > 0 || std::env::var("CI").is_err(),
        "no definitions in {dir}"
    );
}

#[test]
fn a_text_in_one_language_keeps_the_german_fallback() {
    use amtsweg_forms::Text;
    let both = Text::new("Hund", "Dog");
    let german_only = Text {
        de: "Hund".into(),
        en: None,
    };
    let same = Text::new("Amtsweg", "Amtsweg");
    for t in [&both, &german_only, &same] {
        for lang in [Lang::De, Lang::En] {
            let small = t.in_lang(lang);
            assert_eq!(small.get(lang), t.get(lang));
            assert_eq!(
                small.get(lang) == small.de,
                t.get(lang) == t.de,
                "{t:?} {lang:?}"
            );
        }
    }
    assert_eq!(both.in_lang(Lang::De).en, None);
    assert_eq!(both.in_lang(Lang::En).de, "");
}
