//! The FIM import with the XDatenfelder 2.0 and 3.0.0 documents in
//! ../shared/fim (read from there, not copied): valid ones import with the
//! expected steps, fields, types and code lists; broken ones are rejected
//! with a message that names the element and its line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use amtsweg_forms::fim::{self, FimImport, Severity, Standard};
use amtsweg_forms::{FieldType, Form};
use proptest::prelude::*;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fim");

fn read(name: &str) -> Vec<u8> {
    let path = format!("{SHARED}/{name}");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (../shared/fim next to the repository)"))
}

fn import(name: &str) -> FimImport {
    fim::import(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn reject(name: &str) -> fim::FimError {
    match fim::import(&read(name)) {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => e,
    }
}

#[test]
fn every_shared_document_is_tested_here() {
    let mut names = Vec::new();
    for dir in ["v2", "v3"] {
        for entry in std::fs::read_dir(format!("{SHARED}/{dir}")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            names.push(format!("{dir}/{name}"));
        }
    }
    names.sort();
    let source = include_str!("fim.rs");
    for name in &names {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{name} has no test in forms/tests/fim.rs"
        );
    }
    assert_eq!(names.len(), 18, "{names:?}");
}

#[test]
fn v2_simple_makes_a_step_from_the_group_with_the_field_and_its_fim_identity() {
    let i = import("v2/simple.xml");
    assert_eq!(i.report.standard, Standard::V2);
    assert_eq!(i.report.fim_id, "T1234");
    assert_eq!(i.report.fim_version.as_deref(), Some("1.0"));
    let d = &i.definition;
    assert_eq!(d.fim.as_ref().unwrap().id, "T1234");
    assert_eq!(d.steps.len(), 1);
    let step = &d.steps[0];
    assert_eq!(step.title.de, "Natürliche Person");
    assert_eq!(step.fim.as_ref().unwrap().id, "G00000082");
    assert_eq!(step.fim.as_ref().unwrap().version.as_deref(), Some("1.3"));
    assert_eq!(step.fields.len(), 1);
    let f = &step.fields[0];
    assert_eq!(f.id, "familienname");
    assert_eq!(f.kind, FieldType::Text);
    assert_eq!(f.label.de, "Familienname");
    assert_eq!(f.hint.as_ref().unwrap().de, "Hilfe Eingabe");
    assert!(f.required, "1:1 is required");
    // The v2 Präzisierung is JSON text.
    assert_eq!((f.min_length, f.max_length), (Some(1), Some(120)));
    let fim_ref = f.fim.as_ref().unwrap();
    assert_eq!(
        (fim_ref.id.as_str(), fim_ref.version.as_deref()),
        ("F60000227", Some("1.1"))
    );
    // The schema's rule is kept as a note, and reported.
    assert!(d.notes[0].contains("R60000037 1.2"), "{:?}", d.notes);
    assert_eq!(i.report.with_code("rule_kept").count(), 1);
    assert!(i.report.passes_check(), "{}", i.report);
    assert!(Form::from_definition(d.clone()).is_ok());
}

#[test]
fn v2_minimal_and_rule_import_but_say_why_the_draft_needs_a_step() {
    for name in ["v2/minimal.xml", "v2/rule.xml"] {
        let i = import(name);
        assert!(i.definition.steps.is_empty());
        assert_eq!(i.report.with_code("no_structure").count(), 1, "{name}");
        assert!(
            i.report
                .check_errors
                .iter()
                .any(|e| e.path == "$.steps" && e.message.contains("at least one step")),
            "{name}: {}",
            i.report
        );
    }
    let rule = import("v2/rule.xml");
    assert_eq!(rule.definition.notes.len(), 1);
    assert!(rule.definition.notes[0].contains("MindestEineAngabe"));
}

#[test]
fn v2_field_and_group_rules_become_notes_where_they_belong() {
    let field_rule = import("v2/data-field-rule.xml");
    let step = &field_rule.definition.steps[0];
    let f = &step.fields[0];
    assert_eq!(f.id, "hinweis");
    assert_eq!(f.kind, FieldType::Text);
    assert_eq!(f.notes.len(), 1);
    assert!(f.notes[0].starts_with("FIM-Regel R60000037 1.2 „MindestEineAngabe“: Eine Definition"));
    assert!(f.notes[0].contains("Skript: function script() {}"));
    let item = field_rule.report.with_code("rule_kept").next().unwrap();
    assert_eq!(item.severity, Severity::Kept);
    assert_eq!(item.path.as_deref(), Some("$.steps[0].fields[0]"));
    assert_eq!(item.fim_id.as_deref(), Some("R60000037 1.2"));
    assert!(field_rule.report.passes_check(), "{}", field_rule.report);

    let group_rule = import("v2/data-group-rule.xml");
    let step = &group_rule.definition.steps[0];
    assert_eq!(step.fim.as_ref().unwrap().id, "G00000082");
    assert!(step.notes[0].contains("R60000037"));
    // The group has no fields: the step shows its text and says so.
    assert_eq!(step.fields[0].kind, FieldType::Info);
    assert_eq!(group_rule.report.with_code("empty_step").count(), 1);
    assert!(group_rule.report.passes_check(), "{}", group_rule.report);
}

#[test]
fn v2_label_becomes_an_info_field_with_the_content() {
    let i = import("v2/label.xml");
    let f = &i.definition.steps[0].fields[0];
    assert_eq!(f.kind, FieldType::Info);
    assert_eq!(f.text.as_ref().unwrap().de, "Hinweis Inhalt");
    assert!(!f.required);
    assert!(i.report.passes_check(), "{}", i.report);
}

#[test]
fn v2_select_keeps_the_code_list_reference_and_reports_its_missing_values() {
    let i = import("v2/select.xml");
    let f = &i.definition.steps[0].fields[0];
    assert_eq!(f.kind, FieldType::Select);
    let key = f.code_list.as_deref().unwrap();
    let list = &i.definition.code_lists[key];
    assert_eq!(list.uri.as_deref(), Some("urn:de:example"));
    assert_eq!(list.version.as_deref(), Some("1"));
    assert!(list.options.is_empty());
    let item = i
        .report
        .with_code("code_list_values_missing")
        .next()
        .unwrap();
    assert_eq!(item.severity, Severity::Unsupported);
    assert!(
        item.message.de.contains("urn:de:example"),
        "{}",
        item.message.de
    );
    assert!(
        item.message
            .en
            .as_deref()
            .unwrap()
            .contains("only referenced")
    );
    // The draft fails the check exactly there, and the report says so.
    assert_eq!(i.report.check_errors.len(), 1, "{}", i.report);
    assert_eq!(
        i.report.check_errors[0].path,
        format!("$.code_lists.{key}.options")
    );
}

#[test]
fn v3_simple_makes_a_step_of_the_nested_group_with_lengths_and_notes() {
    let i = import("v3/simple.xml");
    assert_eq!(i.report.standard, Standard::V3);
    assert_eq!(i.report.message, "xdatenfelder.datenfeldgruppe.0103");
    let d = &i.definition;
    assert_eq!(d.id, "anschrift-inland");
    assert_eq!(d.title.de, "Anschrift in Deutschland");
    assert_eq!(d.steps.len(), 1);
    let step = &d.steps[0];
    assert_eq!(step.title.de, "Straßenanschrift");
    assert_eq!(step.fim.as_ref().unwrap().version.as_deref(), Some("1.2.0"));
    let f = &step.fields[0];
    assert_eq!(f.id, "strasse");
    assert_eq!(f.label.de, "Straße");
    assert_eq!(
        f.hint.as_ref().unwrap().de,
        "Geben Sie an, wie die Straße heißt."
    );
    assert_eq!((f.min_length, f.max_length), (Some(1), Some(55)));
    assert!(f.required);
    assert_eq!(f.fim.as_ref().unwrap().id, "F60000000243");
    // The free-text rule is kept word for word.
    assert!(
        f.notes[0].contains("Es muss entweder Feldgruppe G60000086"),
        "{:?}",
        f.notes
    );
    // 0:1 at the top: the editor is told the step is optional in FIM.
    assert_eq!(i.report.with_code("optional_step").count(), 1);
    assert!(i.report.passes_check(), "{}", i.report);
}

#[test]
fn v3_input_reports_everything_it_could_not_map() {
    let i = import("v3/input.xml");
    let f = &i.definition.steps[0].fields[0];
    assert_eq!(f.kind, FieldType::Select);
    assert_eq!(f.fim.as_ref().unwrap().id, "F60000000243");
    let not_mapped = i.report.with_code("not_mapped").next().unwrap();
    for part in [
        "maxLength=1",
        "pattern=abc",
        "minValue=0",
        "mediaType=application/json",
        "maxSize=10",
        "inhalt=Some Content",
    ] {
        assert!(
            not_mapped.message.de.contains(part),
            "{part}: {}",
            not_mapped.message.de
        );
    }
    assert_eq!(i.report.with_code("select_without_values").count(), 1);
    assert_eq!(i.report.with_code("empty_duplicate_ignored").count(), 1);
    assert!(!i.report.passes_check());
    assert!(
        i.report.check_errors[0].message.contains("needs options"),
        "{}",
        i.report
    );
}

#[test]
fn broken_v2_documents_are_rejected_with_element_and_line() {
    let e = reject("v2/duplicate-required-value.xml");
    assert_eq!(e.code(), "duplicate_element");
    assert_eq!((e.element.as_str(), e.line), ("xdf:name", 13));
    assert!(e.to_string().contains("Doppeltes Element <xdf:name>"));
    assert!(e.to_string().contains("Duplicate element <xdf:name>"));

    let e = reject("v2/duplicate-optional-value.xml");
    assert_eq!(
        (e.code(), e.element.as_str(), e.line),
        ("duplicate_element", "xdf:beschreibung", 15)
    );

    let e = reject("v2/unknown-namespace.xml");
    assert_eq!(e.code(), "unknown_namespace");
    assert!(
        e.to_string()
            .contains("urn:xoev-de:fim:standard:xdatenfelder_unknown")
    );
    assert!(e.to_string().contains("Unbekannter Namensraum"));
    assert!(e.to_string().contains("Unknown namespace"));
}

#[test]
fn broken_v3_documents_are_rejected_with_element_and_line() {
    let cases = [
        (
            "v3/duplicate-id-node.xml",
            "duplicate_element",
            "xdf:id",
            11,
            "Doppeltes Element",
            "Duplicate element",
        ),
        (
            "v3/empty-id-node.xml",
            "empty_value",
            "xdf:id",
            10,
            "ist leer",
            "is empty",
        ),
        (
            "v3/missing-id-node.xml",
            "missing_element",
            "xdf:identifikation",
            9,
            "fehlt das Pflichtelement <xdf:id>",
            "lacks the required element <xdf:id>",
        ),
        (
            "v3/unexpected-node.xml",
            "unexpected_element",
            "xdf:unknown",
            11,
            "Unerwartetes Element <xdf:unknown>",
            "Unexpected element <xdf:unknown>",
        ),
        (
            "v3/invalid-freigabestatus.xml",
            "invalid_code",
            "xdf:freigabestatus",
            18,
            "„10“ ist kein gültiger Code für Freigabestatus",
            "\"10\" is not a valid code of Freigabestatus",
        ),
        (
            "v3/unknown-namespace.xml",
            "unknown_namespace",
            "xdf:xdatenfelder.datenfeldgruppe.0103",
            2,
            "Unbekannter Namensraum",
            "Unknown namespace",
        ),
    ];
    for (name, code, element, line, de, en) in cases {
        let e = reject(name);
        assert_eq!(e.code(), code, "{name}: {e}");
        assert_eq!(e.element, element, "{name}: {e}");
        assert_eq!(e.line, line, "{name}: {e}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("Zeile {line}, ")),
            "{name}: {text}"
        );
        assert!(text.contains(de), "{name}: {text}");
        assert!(text.contains(en), "{name}: {text}");
    }
}

const V3_HEAD: &str = r#"<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
<xdf:header><xdf:nachrichtID>1</xdf:nachrichtID></xdf:header>
<xdf:datenfeldgruppe>
<xdf:identifikation><xdf:id>G1</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
<xdf:name>Antrag</xdf:name><xdf:freigabestatus><code>6</code></xdf:freigabestatus>"#;
const V3_TAIL: &str = "</xdf:datenfeldgruppe></xdf:xdatenfelder.datenfeldgruppe.0103>";

fn v3_field(id: &str, name: &str, anzahl: &str, body: &str) -> String {
    format!(
        r#"<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
<xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
<xdf:name>{name}</xdf:name><xdf:freigabestatus><code>6</code></xdf:freigabestatus>{body}
</xdf:datenfeld></xdf:enthaelt></xdf:struktur>"#
    )
}

fn v3_group(id: &str, name: &str, anzahl: &str, inner: &str) -> String {
    format!(
        r#"<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>
<xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
<xdf:name>{name}</xdf:name><xdf:freigabestatus><code>6</code></xdf:freigabestatus>{inner}
</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>"#
    )
}

fn typed(feldart: &str, datentyp: &str) -> String {
    format!(
        "<xdf:feldart><code>{feldart}</code></xdf:feldart><xdf:datentyp><code>{datentyp}</code></xdf:datentyp>"
    )
}

#[test]
fn types_values_and_cardinalities_are_mapped() {
    let person = v3_group(
        "G2",
        "Person",
        "1:1",
        &[
            v3_field("F1", "Geburtsdatum", "1:1", &typed("input", "date")),
            v3_field("F2", "Verheiratet", "0:1", &typed("input", "bool")),
            v3_field(
                "F3",
                "Anzahl Kinder",
                "1:1",
                &(typed("input", "num_int") + r#"<xdf:praezisierung minValue="0" maxValue="20"/>"#),
            ),
            v3_field(
                "F4",
                "Einkommen",
                "1:1",
                &(typed("input", "num_currency") + r#"<xdf:praezisierung minValue="0" maxValue="1000,50"/>"#),
            ),
            v3_field(
                "F5",
                "Familienstand",
                "1:1",
                &(typed("select", "text")
                    + "<xdf:werte><xdf:wert><xdf:code>LD</xdf:code><xdf:name>ledig</xdf:name></xdf:wert><xdf:wert><xdf:code>VH</xdf:code><xdf:name>verheiratet</xdf:name><xdf:hilfe>auch Lebenspartnerschaft</xdf:hilfe></xdf:wert></xdf:werte>"),
            ),
            v3_group(
                "G3",
                "Kind",
                "0:5",
                &v3_field("F6", "Vorname", "1:1", &typed("input", "text")),
            ),
        ]
        .concat(),
    );
    let nachweis = v3_field(
        "F7",
        "Nachweis",
        "1:3",
        &(typed("input", "file")
            + "<xdf:maxSize>2000000</xdf:maxSize><xdf:mediaType>application/pdf</xdf:mediaType>"),
    );
    let xml = format!("{V3_HEAD}{person}{nachweis}{V3_TAIL}");
    let i = fim::import(xml.as_bytes()).unwrap();
    let d = &i.definition;
    assert_eq!(d.steps.len(), 2, "{}", i.report);
    let fields = &d.steps[0].fields;
    let kinds: Vec<_> = fields.iter().map(|f| (f.id.as_str(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("geburtsdatum", FieldType::Date),
            ("verheiratet", FieldType::YesNo),
            ("anzahl_kinder", FieldType::Number),
            ("einkommen", FieldType::Money),
            ("familienstand", FieldType::Radio),
            ("kind", FieldType::Group),
        ]
    );
    assert!(fields[0].required && !fields[1].required);
    assert_eq!((fields[2].min, fields[2].max), (Some(0.0), Some(20.0)));
    assert_eq!(fields[2].decimals, None);
    assert_eq!(
        (fields[3].min_cents, fields[3].max_cents),
        (Some(0), Some(100_050))
    );
    let options: Vec<_> = fields[4]
        .options
        .iter()
        .map(|o| (o.value.as_str(), o.label.de.as_str()))
        .collect();
    assert_eq!(options, [("LD", "ledig"), ("VH", "verheiratet")]);
    assert_eq!(
        fields[4].options[1].hint.as_ref().unwrap().de,
        "auch Lebenspartnerschaft"
    );
    let kind = &fields[5];
    assert_eq!((kind.min_items, kind.max_items), (Some(0), Some(5)));
    assert_eq!(kind.fields[0].id, "vorname");
    assert_eq!(kind.fim.as_ref().unwrap().id, "G3");
    // Top-level fields after the group make their own step.
    let file = &d.steps[1].fields[0];
    assert_eq!(file.kind, FieldType::File);
    assert_eq!(file.accept, ["application/pdf"]);
    assert_eq!(file.max_size_bytes, Some(2_000_000));
    assert_eq!(file.max_files, Some(3));
    assert!(i.report.passes_check(), "{}", i.report);
}

#[test]
fn deeper_groups_are_flattened_and_unsupported_parts_reported() {
    let inner = v3_group(
        "G4",
        "Adresse",
        "0:*",
        &v3_field("F8", "Ort", "1:1", &typed("input", "text")),
    );
    let outer = v3_group(
        "G3",
        "Person",
        "1:1",
        &v3_group(
            "G5",
            "Name",
            "1:1",
            &[
                v3_field("F9", "Name", "1:1", &typed("input", "text")),
                inner,
            ]
            .concat(),
        ),
    );
    let hidden = v3_field("F10", "Intern", "1:1", &typed("hidden", "text"));
    let time = v3_field("F11", "Uhrzeit", "1:1", &typed("input", "time"));
    let xml = format!("{V3_HEAD}{outer}{hidden}{time}{V3_TAIL}");
    let i = fim::import(xml.as_bytes()).unwrap();
    let group = &i.definition.steps[0].fields[0];
    assert_eq!(group.kind, FieldType::Group);
    assert_eq!(group.id, "name");
    // Ids are unique in the whole form: the field "Name" in the group
    // "Name" gets a suffix.
    let ids: Vec<_> = group.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["name_2", "ort"]);
    assert_eq!(i.report.with_code("repeatable_group_in_group").count(), 1);
    let hidden = i.report.with_code("hidden_field").next().unwrap();
    assert_eq!(hidden.fim_id.as_deref(), Some("F10 1.0.0"));
    assert_eq!(i.report.with_code("unsupported_type").count(), 1);
    assert!(i.report.passes_check(), "{}", i.report);
    // The plain-text report lists each of them.
    let text = i.report.to_string();
    assert!(text.contains("F10 1.0.0"), "{text}");
    assert!(text.contains("nicht unterstützt/unsupported"), "{text}");
}

#[test]
fn hostile_and_non_fim_input_is_rejected_not_a_panic() {
    let deep = format!("{V3_HEAD}{}{V3_TAIL}", "<xdf:struktur>".repeat(100));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "not_xml"),
        (b"<a/>".to_vec(), "unknown_namespace"),
        (
            br#"<x:other xmlns:x="urn:xoev-de:fim:standard:xdatenfelder_2"/>"#.to_vec(),
            "unknown_message",
        ),
        (deep.into_bytes(), "too_deep"),
        (vec![b' '; fim::MAX_BYTES + 1], "too_large"),
        (
            format!("{V3_HEAD}<xdf:struktur><xdf:anzahl>x</xdf:anzahl></xdf:struktur>{V3_TAIL}")
                .into_bytes(),
            "invalid_value",
        ),
    ];
    for (input, code) in cases {
        match fim::import(&input) {
            Ok(_) => panic!("{code}: accepted"),
            Err(e) => assert_eq!(e.code(), code, "{e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes never panic the import.
    #[test]
    fn any_bytes_are_imported_or_rejected(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = fim::import(&bytes);
    }

    /// Mutations of a valid document never panic, and what imports is a
    /// definition the engine can at least try to load.
    #[test]
    fn mutated_documents_never_panic(cut in 0usize..9820, byte in any::<u8>()) {
        let mut doc = read("v3/simple.xml");
        if cut < doc.len() {
            doc[cut] = byte;
        }
        if let Ok(i) = fim::import(&doc) {
            let _ = Form::from_definition(i.definition);
        }
    }
}

#[test]
fn a_large_document_on_one_line_imports_in_linear_time() {
    // 20,000 fields of the same name, without a single line break: line
    // and column counting and unique ids must not be quadratic.
    let field = v3_field("F1", "Name", "1:1", &typed("input", "text")).replace('\n', "");
    let xml = format!("{V3_HEAD}{}{V3_TAIL}", field.repeat(20_000)).replace('\n', "");
    let started = std::time::Instant::now();
    let i = fim::import(xml.as_bytes()).unwrap();
    let fields = &i.definition.steps[0].fields;
    assert_eq!(fields.len(), 20_000);
    assert_eq!(fields[0].id, "name");
    assert_eq!(fields[19_999].id, "name_20000");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_other_message_of_each_version_imports_too() {
    // A 3.0.0 Stammdatenschema (0102) and a 2.0 Datenfeldgruppe (0103).
    let v3 = format!(
        r#"<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
<xdf:header><xdf:nachrichtID>1</xdf:nachrichtID></xdf:header>
<xdf:stammdatenschema>
<xdf:identifikation><xdf:id>S1</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
<xdf:name>Hundesteuer</xdf:name><xdf:freigabestatus><code>6</code></xdf:freigabestatus>
<xdf:bezeichnung>Hundesteuer anmelden</xdf:bezeichnung>
{}</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"#,
        v3_group(
            "G1",
            "Hund",
            "1:3",
            &v3_field("F1", "Rufname", "1:1", &typed("input", "text"))
        )
    );
    let i = fim::import(v3.as_bytes()).unwrap();
    assert_eq!(i.report.standard, Standard::V3);
    assert_eq!(i.definition.id, "hundesteuer");
    assert_eq!(i.definition.title.de, "Hundesteuer anmelden");
    let group = &i.definition.steps[0].fields[0];
    assert_eq!(group.kind, FieldType::Group);
    assert_eq!((group.min_items, group.max_items), (Some(1), Some(3)));
    assert!(i.report.passes_check(), "{}", i.report);

    let v2 = r#"<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
<xdf:header><xdf:nachrichtID>1</xdf:nachrichtID></xdf:header>
<xdf:datenfeldgruppe>
<xdf:identifikation><xdf:id>G9</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
<xdf:name>Person</xdf:name>
<xdf:struktur><xdf:anzahl>0:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
<xdf:identifikation><xdf:id>F9</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
<xdf:name>Geburtsdatum</xdf:name>
<xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>date</code></xdf:datentyp>
</xdf:datenfeld></xdf:enthaelt></xdf:struktur>
</xdf:datenfeldgruppe></xdf:xdatenfelder.datenfeldgruppe.0103>"#;
    let i = fim::import(v2.as_bytes()).unwrap();
    assert_eq!(i.report.standard, Standard::V2);
    let f = &i.definition.steps[0].fields[0];
    assert_eq!(
        (f.id.as_str(), f.kind, f.required),
        ("geburtsdatum", FieldType::Date, false)
    );
    assert!(i.report.passes_check(), "{}", i.report);
}
