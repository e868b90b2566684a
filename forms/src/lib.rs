//! `amtsweg-forms`: the form engine. It owns the definition format
//! ([`FormDefinition`]), its checking ([`Form::load`]), and everything that
//! is a pure function of (definition, answers): which steps and fields
//! apply, validation, normalized answers, computed values, fees and the
//! summary rows for "check your answers" and the receipt.
//!
//! It must not do I/O, know about HTTP or HTML, or read the clock: the
//! current date comes in through [`Env`]. It builds for `wasm32` too, so the
//! browser validates with exactly the same code as the server.

pub mod model;

pub use model::*;

use thiserror::Error;

/// One problem in a definition, with the JSON path where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct DefinitionError {
    /// JSON path, e.g. `$.steps[1].fields[0].options`.
    pub path: String,
    /// What is wrong, in English.
    pub message: String,
}

/// Every problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

/// The current date, given by the caller so the engine stays pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Env {
    /// Today's date, for date limits like `today-18y`.
    pub today: time::Date,
}

/// A checked form definition, ready to evaluate answers.
#[derive(Debug, Clone)]
pub struct Form {
    definition: FormDefinition,
}

impl Form {
    /// Reads and checks a definition; every problem is reported with its path.
    pub fn load(json: &str) -> Result<Form, DefinitionErrors> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let definition: FormDefinition = serde_path_to_error::deserialize(de).map_err(|e| {
            DefinitionErrors(vec![DefinitionError {
                path: format!("$.{}", e.path()),
                message: e.inner().to_string(),
            }])
        })?;
        Ok(Form { definition })
    }

    /// The definition as written.
    pub fn definition(&self) -> &FormDefinition {
        &self.definition
    }
}
