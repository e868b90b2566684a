//! `amtsweg-forms`: the form engine. It owns the definition format
//! ([`FormDefinition`]), its checking ([`Form::load`]), and everything that
//! is a pure function of (definition, answers): which steps and fields
//! apply, validation, normalized answers, computed values, fees and the
//! summary rows for "check your answers" and the receipt.
//!
//! It must not do I/O, know about HTTP or HTML, or read the clock: the
//! current date comes in through [`Env`]. It builds for `wasm32` too, so the
//! browser validates with exactly the same code as the server.
//!
//! ```
//! use amtsweg_forms::{Env, Form};
//! let form = Form::load(r#"{
//!   "id": "beispiel", "version": 1,
//!   "title": {"de": "Beispiel", "en": "Example"},
//!   "summary": {"de": "Ein Beispiel", "en": "An example"},
//!   "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
//!   "steps": [{"id": "person", "title": {"de": "Person"}, "fields": [
//!     {"id": "name", "type": "text", "label": {"de": "Name"}, "required": true}
//!   ]}]
//! }"#).unwrap();
//! let env = Env { today: time::macros::date!(2026 - 11 - 23) };
//! let eval = form.evaluate(&serde_json::Map::new(), &env);
//! assert_eq!(eval.errors[0].message.de, "Geben Sie „Name“ an.");
//! ```

mod engine;
pub mod fim;
mod form;
pub mod json;
pub mod messages;
pub mod model;
pub mod quality;
pub mod rules;
pub mod schema;
pub mod values;

pub use engine::{
    Answers, Evaluation, FeeLine, FieldError, FieldState, RuleFailure, StepState, SummaryRow,
    SummarySection, media_type_allowed,
};
pub use form::{Form, MAX_DEFINITION_BYTES};
pub use model::*;

use thiserror::Error;

/// One problem in a definition, with the JSON path where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error, serde::Serialize)]
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

#[cfg(test)]
mod tests {
    /// The server shares one `Form` between request threads.
    #[test]
    fn form_is_shareable_between_threads() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<super::Form>();
        shareable::<super::Evaluation>();
    }
}
