//! The JSON Schema of the definition format, generated from the Rust types
//! with `schemars`. The committed copy is `forms/schema/form-definition.schema.json`;
//! a test fails when it is out of date (`UPDATE_SCHEMA=1 cargo test -p
//! amtsweg-forms schema` rewrites it).

use crate::model::FormDefinition;

/// The schema as pretty JSON text, ending with a newline.
pub fn definition_schema() -> String {
    let schema = schemars::schema_for!(FormDefinition);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
