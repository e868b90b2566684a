//! The committed JSON Schema matches the Rust types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn committed_schema_is_up_to_date() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/form-definition.schema.json"
    );
    let generated = amtsweg_forms::schema::definition_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "forms/schema/form-definition.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test -p amtsweg-forms --test schema` and commit it"
    );
}

#[test]
fn schema_describes_the_format() {
    let schema: serde_json::Value =
        serde_json::from_str(&amtsweg_forms::schema::definition_schema()).unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in ["id", "version", "title", "summary", "authority", "steps"] {
        assert!(required.contains(&key), "{key} must be required");
    }
    let types = &schema["$defs"]["FieldType"];
    let text = types.to_string();
    for t in [
        "text",
        "money",
        "iban",
        "postal_code",
        "address",
        "checkboxes",
        "yes_no",
        "file",
        "declaration",
        "group",
    ] {
        assert!(
            text.contains(&format!("\"{t}\"")),
            "field type {t} missing in schema"
        );
    }
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
}

/// The committed schema, compiled with a JSON Schema validator (boon).
fn committed_validator() -> (boon::Schemas, boon::SchemaIndex) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/form-definition.schema.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("urn:amtsweg:form-definition", schema)
        .unwrap();
    let index = compiler
        .compile("urn:amtsweg:form-definition", &mut schemas)
        .unwrap();
    (schemas, index)
}

/// What the JSON import accepts, the committed JSON Schema accepts: the
/// examples, their canonical export and the drafts of the FIM import.
#[test]
fn exports_and_fim_drafts_are_valid_against_the_committed_schema() {
    let (schemas, index) = committed_validator();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/definitions");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let form = amtsweg_forms::json::import(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let exported: serde_json::Value =
            serde_json::from_str(&amtsweg_forms::json::export(form.definition())).unwrap();
        if let Err(e) = schemas.validate(&exported, index) {
            panic!("{}: {e}", path.display());
        }
        checked += 1;
    }
    let fim = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fim");
    for name in [
        "v2/simple.xml",
        "v2/select.xml",
        "v2/label.xml",
        "v3/simple.xml",
        "v3/input.xml",
    ] {
        let import =
            amtsweg_forms::fim::import(&std::fs::read(format!("{fim}/{name}")).unwrap()).unwrap();
        let draft: serde_json::Value =
            serde_json::from_str(&amtsweg_forms::json::export(&import.definition)).unwrap();
        if let Err(e) = schemas.validate(&draft, index) {
            panic!("{name}: {e}");
        }
        checked += 1;
    }
    assert_eq!(checked, 11);
}

/// What the JSON import rejects as not fitting the format, the committed
/// schema rejects too.
#[test]
fn the_committed_schema_and_the_import_reject_the_same_shapes() {
    let (schemas, index) = committed_validator();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/definitions/hundesteuer.json"
    ))
    .unwrap();
    let good: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut unknown_key = good.clone();
    unknown_key["steps"][0]["fields"][0]["lable"] = serde_json::json!({"de": "x"});
    let mut wrong_type = good.clone();
    wrong_type["version"] = serde_json::json!("eins");
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("authority");
    let mut bad_enum = good.clone();
    bad_enum["steps"][0]["fields"][0]["type"] = serde_json::json!("colour");
    for (what, doc) in [
        ("unknown key", unknown_key),
        ("wrong type", wrong_type),
        ("missing key", missing),
        ("unknown field type", bad_enum),
    ] {
        assert!(
            schemas.validate(&doc, index).is_err(),
            "{what}: schema accepted it"
        );
        let problems = amtsweg_forms::json::import(&doc.to_string()).err().unwrap();
        assert!(
            !problems[0].pointer.is_empty() || what == "missing key",
            "{what}: {problems:?}"
        );
    }
}
