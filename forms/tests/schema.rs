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
