//! JSON import and export of a definition, for editors moving forms
//! between portals or into version control.
//!
//! Export is the definition's canonical JSON: the serde form of
//! [`FormDefinition`] (keys in the order of the format, code lists sorted
//! by id, defaults written out where the format always writes them),
//! pretty-printed with a final newline, so the same definition always
//! gives the same bytes. Import checks the text against the format — the
//! committed JSON Schema `forms/schema/form-definition.schema.json` is
//! generated from the same types (`deny_unknown_fields` everywhere) and a
//! test keeps it equal, so a document is accepted exactly when it fits the
//! schema (`forms/tests/schema.rs` checks exports and rejections against
//! the committed file with a JSON Schema validator) — and then runs the
//! engine's definition check. Every problem names
//! its place as a JSON pointer (`/steps/1/fields/0/options`), in German and
//! English.

use serde::Serialize;

use crate::model::{FormDefinition, Text};
use crate::{DefinitionError, Form};

/// One problem of an imported document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonProblem {
    /// JSON pointer (RFC 6901) to the place; `""` is the whole document.
    pub pointer: String,
    pub message: Text,
}

impl std::fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{pointer}: {} / {}",
            self.message.de,
            self.message.en.as_deref().unwrap_or("")
        )
    }
}

/// The canonical JSON of a definition.
pub fn export(definition: &FormDefinition) -> String {
    // Serializing these types cannot fail (no maps with non-string keys,
    // no non-finite numbers the checker lets through); fall back to an
    // empty object rather than panic.
    let mut text = serde_json::to_string_pretty(definition).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// `$.steps[1].fields[0].options` → `/steps/1/fields/0/options`.
pub fn pointer(path: &str) -> String {
    let rest = path.strip_prefix('$').unwrap_or(path);
    let mut out = String::new();
    let mut segment = String::new();
    let flush = |out: &mut String, segment: &mut String| {
        // serde_path_to_error writes `?` where it does not know the place.
        if !segment.is_empty() && segment != "?" {
            out.push('/');
            out.push_str(&crate::quality::pointer_segment(segment));
        }
        segment.clear();
    };
    for c in rest.chars() {
        match c {
            '.' | '[' => flush(&mut out, &mut segment),
            ']' => flush(&mut out, &mut segment),
            c => segment.push(c),
        }
    }
    flush(&mut out, &mut segment);
    out
}

/// A German reading of serde's English message.
fn german(message: &str) -> String {
    let detail = message;
    if message.starts_with("unknown field") {
        format!("Unbekannter Schlüssel (nicht im JSON-Schema): {detail}")
    } else if message.starts_with("missing field") {
        format!("Pflichtangabe fehlt: {detail}")
    } else if message.starts_with("invalid type") {
        format!("Falscher Typ: {detail}")
    } else if message.starts_with("unknown variant") {
        format!("Unbekannter Wert: {detail}")
    } else if message.starts_with("invalid JSON") {
        format!("Kein gültiges JSON: {detail}")
    } else {
        format!("Ungültiger Wert: {detail}")
    }
}

fn problem(e: &DefinitionError, structural: bool) -> JsonProblem {
    let de = if structural {
        german(&e.message)
    } else {
        format!("Die Definitionsprüfung meldet: {}", e.message)
    };
    JsonProblem {
        pointer: pointer(&e.path),
        message: Text::new(de, e.message.clone()),
    }
}

/// Reads a definition from JSON: first against the format (the JSON
/// Schema), then the engine's definition check.
pub fn import(json: &str) -> Result<Form, Vec<JsonProblem>> {
    if json.len() > crate::MAX_DEFINITION_BYTES {
        let errors = Form::load(json).err().map(|e| e.0).unwrap_or_default();
        return Err(errors.iter().map(|e| problem(e, true)).collect());
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    let parsed: Result<FormDefinition, _> = serde_path_to_error::deserialize(de);
    match parsed {
        Err(_) => {
            // Form::load gives the same structural error with its path.
            let errors = Form::load(json).err().map(|e| e.0).unwrap_or_default();
            Err(errors.iter().map(|e| problem(e, true)).collect())
        }
        Ok(definition) => Form::from_definition(definition)
            .map_err(|errors| errors.0.iter().map(|e| problem(e, false)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_become_pointers() {
        assert_eq!(pointer("$"), "");
        assert_eq!(pointer("$.version"), "/version");
        assert_eq!(
            pointer("$.steps[1].fields[0].options"),
            "/steps/1/fields/0/options"
        );
        assert_eq!(
            pointer("$.code_lists.a/b.options"),
            "/code_lists/a~1b/options"
        );
    }
}
