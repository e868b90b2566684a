//! The quality check before publishing: what an editor must fix although
//! the engine's definition check ([`crate::Form::load`]) accepts it.
//!
//! Owns the editorial rules: every field has a label in German and
//! English, every error message of the definition names its field, all
//! German and English texts are complete, no rule reads a field that does
//! not exist, no step or field is unreachable (its visibility rule can never
//! be true), every fee has a purpose. Each [`Problem`] has a stable code, a
//! German and English message and a [`Location`] (step id, field id, JSON
//! pointer) that an editor can link to.
//!
//! ```
//! use amtsweg_forms::{quality, FormDefinition};
//! let definition: FormDefinition = serde_json::from_str(r#"{
//!   "id": "beispiel", "version": 1,
//!   "title": {"de": "Beispiel", "en": "Example"},
//!   "summary": {"de": "Ein Beispiel", "en": "An example"},
//!   "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
//!   "steps": [{"id": "person", "title": {"de": "Person", "en": "Person"}, "fields": [
//!     {"id": "name", "type": "text", "label": {"de": "Name"}}
//!   ]}]
//! }"#).unwrap();
//! let problems = quality::check(&definition);
//! assert_eq!(problems[0].code, "field_label_missing");
//! assert_eq!(problems[0].location.pointer, "/steps/0/fields/0/label/en");
//! assert_eq!(problems[0].location.field.as_deref(), Some("name"));
//! ```

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{Field, FormDefinition, Rule, Text};
use crate::rules::CompiledRule;

/// Where a problem is, for a link in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The step it is on, if any.
    pub step: Option<String>,
    /// The field it is about, if any.
    pub field: Option<String>,
    /// JSON pointer (RFC 6901) into the definition: `/steps/0/fields/2/label/en`.
    pub pointer: String,
}

/// One thing to fix before publishing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Stable code: `field_label_missing`, `english_missing`,
    /// `german_missing`, `message_does_not_name_field`,
    /// `rule_reads_missing_field`, `step_unreachable`, `field_unreachable`,
    /// `fee_purpose_missing`.
    pub code: &'static str,
    pub message: Text,
    pub location: Location,
}

impl std::fmt::Display for Problem {
    /// `/steps/0/fields/0/label/en [field_label_missing]: de / en`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}]: {} / {}",
            self.location.pointer,
            self.code,
            self.message.de,
            self.message.en.as_deref().unwrap_or("")
        )
    }
}

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

struct Q<'d> {
    problems: Vec<Problem>,
    d: &'d FormDefinition,
}

#[derive(Clone, Default)]
struct Ctx {
    step: Option<String>,
    field: Option<String>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn english(t: &Text) -> Option<&str> {
    t.en.as_deref().filter(|e| !blank(e))
}

/// Words too common to identify a field.
const STOP_WORDS: &[&str] = &[
    "ihre",
    "ihrer",
    "ihren",
    "ihres",
    "ihrem",
    "bitte",
    "oder",
    "und",
    "eine",
    "einer",
    "eines",
    "your",
    "please",
    "with",
    "from",
    "this",
    "that",
    "feld",
    "field",
    "abschnitt",
    "section",
];

/// Whether `message` names the field labelled `label`: it contains the
/// whole label, or one of its significant words (at least four letters,
/// not a stop word), allowing a changed ending ("Ausbildungsvertrag" for
/// "Ausbildungsvertrags", "dog's" for "dogs").
fn names(message: &str, label: &str) -> bool {
    let message = message.to_lowercase();
    let label = label.trim().to_lowercase();
    if label.is_empty() || message.contains(&label) {
        return true;
    }
    label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && !STOP_WORDS.contains(w))
        .any(|w| {
            let keep = w.chars().count().saturating_sub(2).max(3);
            let stem: String = w.chars().take(keep).collect();
            message.contains(&stem)
        })
}

/// A rule that reads nothing and is false: it can never be true.
fn constant_false(rule: &Rule) -> bool {
    match CompiledRule::compile(&rule.0) {
        Ok(c) => {
            c.reads.names.is_empty()
                && !c.reads.dynamic
                && c.test(&serde_json::Value::Object(serde_json::Map::new()))
                    .is_ok_and(|t| !t)
        }
        Err(_) => false,
    }
}

impl Q<'_> {
    fn push(&mut self, code: &'static str, ctx: &Ctx, pointer: String, de: String, en: String) {
        self.problems.push(Problem {
            code,
            message: Text::new(de, en),
            location: Location {
                step: ctx.step.clone(),
                field: ctx.field.clone(),
                pointer,
            },
        });
    }

    /// A text must be there in German and English.
    fn text(&mut self, ctx: &Ctx, pointer: &str, what_de: &str, what_en: &str, t: &Text) {
        if blank(&t.de) {
            self.push(
                "german_missing",
                ctx,
                format!("{pointer}/de"),
                format!("Der deutsche Text fehlt: {what_de}."),
                format!("The German text is missing: {what_en}."),
            );
        }
        if english(t).is_none() {
            self.push(
                "english_missing",
                ctx,
                format!("{pointer}/en"),
                format!("Der englische Text fehlt: {what_de} („{}“).", t.de.trim()),
                format!(
                    "The English text is missing: {what_en} (\"{}\").",
                    t.de.trim()
                ),
            );
        }
    }

    fn opt_text(&mut self, ctx: &Ctx, pointer: &str, de: &str, en: &str, t: &Option<Text>) {
        if let Some(t) = t {
            self.text(ctx, pointer, de, en, t);
        }
    }

    fn field(&mut self, ctx: &Ctx, pointer: &str, f: &Field) {
        let ctx = Ctx {
            field: Some(f.id.clone()),
            ..ctx.clone()
        };
        let id = &f.id;
        if blank(&f.label.de) || english(&f.label).is_none() {
            let lang = if blank(&f.label.de) { "de" } else { "en" };
            self.push(
                "field_label_missing",
                &ctx,
                format!("{pointer}/label/{lang}"),
                format!(
                    "Das Feld „{id}“ hat keine Beschriftung auf {}.",
                    if lang == "de" { "Deutsch" } else { "Englisch" }
                ),
                format!(
                    "The field \"{id}\" has no label in {}.",
                    if lang == "de" { "German" } else { "English" }
                ),
            );
        }
        self.opt_text(
            &ctx,
            &format!("{pointer}/hint"),
            &format!("Hinweis zu „{id}“"),
            &format!("hint of \"{id}\""),
            &f.hint,
        );
        self.opt_text(
            &ctx,
            &format!("{pointer}/unit"),
            &format!("Einheit von „{id}“"),
            &format!("unit of \"{id}\""),
            &f.unit,
        );
        self.opt_text(
            &ctx,
            &format!("{pointer}/text"),
            &format!("Text von „{id}“"),
            &format!("text of \"{id}\""),
            &f.text,
        );
        self.opt_text(
            &ctx,
            &format!("{pointer}/item_label"),
            &format!("Eintragsbezeichnung von „{id}“"),
            &format!("item label of \"{id}\""),
            &f.item_label,
        );
        if let Some(m) = &f.pattern_message {
            self.text(
                &ctx,
                &format!("{pointer}/pattern_message"),
                &format!("Fehlermeldung von „{id}“"),
                &format!("error message of \"{id}\""),
                m,
            );
            self.message_names(&ctx, &format!("{pointer}/pattern_message"), m, &[f]);
        }
        for (i, o) in f.options.iter().enumerate() {
            let p = format!("{pointer}/options/{i}");
            self.text(
                &ctx,
                &format!("{p}/label"),
                &format!("Auswahl „{}“ von „{id}“", o.value),
                &format!("option \"{}\" of \"{id}\"", o.value),
                &o.label,
            );
            self.opt_text(
                &ctx,
                &format!("{p}/hint"),
                &format!("Hinweis zur Auswahl „{}“", o.value),
                &format!("hint of option \"{}\"", o.value),
                &o.hint,
            );
        }
        if f.visible_if.as_ref().is_some_and(constant_false) {
            self.push(
                "field_unreachable",
                &ctx,
                format!("{pointer}/visible_if"),
                format!(
                    "Das Feld „{id}“ wird nie gezeigt: seine Sichtbarkeitsregel ist immer falsch."
                ),
                format!("The field \"{id}\" is never shown: its visibility rule is always false."),
            );
        }
        for (ci, c) in f.fields.iter().enumerate() {
            self.field(&ctx, &format!("{pointer}/fields/{ci}"), c);
        }
    }

    /// An error message must name the field(s) it is shown at, in both
    /// languages.
    fn message_names(&mut self, ctx: &Ctx, pointer: &str, m: &Text, fields: &[&Field]) {
        for f in fields {
            if !blank(&f.label.de) && !names(&m.de, &f.label.de) {
                self.push(
                    "message_does_not_name_field",
                    ctx,
                    format!("{pointer}/de"),
                    format!(
                        "Die Fehlermeldung nennt das Feld „{}“ nicht.",
                        f.label.de.trim()
                    ),
                    format!(
                        "The error message does not name the field \"{}\" (German).",
                        f.label.de.trim()
                    ),
                );
            }
            if let (Some(label), Some(en)) = (english(&f.label), english(m))
                && !names(en, label)
            {
                self.push(
                    "message_does_not_name_field",
                    ctx,
                    format!("{pointer}/en"),
                    format!("Die englische Fehlermeldung nennt das Feld „{label}“ nicht."),
                    format!("The English error message does not name the field \"{label}\"."),
                );
            }
        }
    }

    /// Every name a rule reads must be a field or a computed value.
    fn rule_reads(&mut self, ctx: &Ctx, pointer: &str, rule: &Rule, known: &HashSet<&str>) {
        let reads = crate::rules::reads(&rule.0);
        for name in &reads.names {
            if !known.contains(name.as_str()) {
                self.push(
                    "rule_reads_missing_field",
                    ctx,
                    pointer.to_owned(),
                    format!("Die Regel liest „{name}“, aber es gibt kein Feld und keinen berechneten Wert mit dieser Kennung."),
                    format!("The rule reads \"{name}\", but there is no field or computed value with that id."),
                );
            }
        }
    }

    fn run(&mut self) {
        let d = self.d;
        let top = Ctx::default();
        self.text(&top, "/title", "Titel", "title", &d.title);
        self.text(&top, "/summary", "Kurzbeschreibung", "summary", &d.summary);
        self.opt_text(
            &top,
            "/description",
            "Beschreibung",
            "description",
            &d.description,
        );
        self.opt_text(
            &top,
            "/privacy_notice",
            "Datenschutzhinweis",
            "privacy notice",
            &d.privacy_notice,
        );
        for (i, r) in d.requirements.iter().enumerate() {
            self.text(
                &top,
                &format!("/requirements/{i}"),
                "Voraussetzung",
                "requirement",
                r,
            );
        }
        self.text(
            &top,
            "/authority/name",
            "Name der Behörde",
            "name of the authority",
            &d.authority.name,
        );
        for (id, list) in &d.code_lists {
            for (i, o) in list.options.iter().enumerate() {
                let p = format!("/code_lists/{}/options/{i}", pointer_segment(id));
                self.text(
                    &top,
                    &format!("{p}/label"),
                    &format!("Code „{}“ der Codeliste „{id}“", o.value),
                    &format!("code \"{}\" of code list \"{id}\"", o.value),
                    &o.label,
                );
            }
        }

        // Ids and the step each top-level field is on.
        let mut known: HashSet<&str> = HashSet::new();
        let mut step_of: HashMap<&str, usize> = HashMap::new();
        let mut by_id: HashMap<&str, &Field> = HashMap::new();
        for (si, step) in d.steps.iter().enumerate() {
            for f in &step.fields {
                known.insert(&f.id);
                step_of.insert(&f.id, si);
                by_id.insert(&f.id, f);
                for c in &f.fields {
                    known.insert(&c.id);
                    by_id.insert(&c.id, c);
                }
            }
        }
        for c in &d.computed {
            known.insert(&c.id);
        }

        for (si, step) in d.steps.iter().enumerate() {
            let ctx = Ctx {
                step: Some(step.id.clone()),
                field: None,
            };
            let p = format!("/steps/{si}");
            self.text(
                &ctx,
                &format!("{p}/title"),
                &format!("Titel des Schritts „{}“", step.id),
                &format!("title of step \"{}\"", step.id),
                &step.title,
            );
            self.opt_text(
                &ctx,
                &format!("{p}/description"),
                &format!("Beschreibung des Schritts „{}“", step.id),
                &format!("description of step \"{}\"", step.id),
                &step.description,
            );
            if let Some(rule) = &step.visible_if {
                let rp = format!("{p}/visible_if");
                self.rule_reads(&ctx, &rp, rule, &known);
                let reads = crate::rules::reads(&rule.0);
                let earlier = reads
                    .names
                    .iter()
                    .any(|n| step_of.get(n.as_str()).is_some_and(|&s| s < si));
                if constant_false(rule) {
                    self.push(
                        "step_unreachable",
                        &ctx,
                        rp,
                        format!(
                            "Der Schritt „{}“ wird nie gezeigt: seine Regel ist immer falsch.",
                            step.id
                        ),
                        format!(
                            "The step \"{}\" is never shown: its rule is always false.",
                            step.id
                        ),
                    );
                } else if !reads.dynamic && !reads.names.is_empty() && !earlier {
                    self.push(
                        "step_unreachable",
                        &ctx,
                        rp,
                        format!("Der Schritt „{}“ kann nie erreicht werden: seine Regel liest nur Felder, die erst auf ihm oder später kommen.", step.id),
                        format!("The step \"{}\" can never be reached: its rule reads only fields that come on it or later.", step.id),
                    );
                }
            }
            for (fi, f) in step.fields.iter().enumerate() {
                let fp = format!("{p}/fields/{fi}");
                self.field(&ctx, &fp, f);
                let all = std::iter::once((fp.clone(), f)).chain(
                    f.fields
                        .iter()
                        .enumerate()
                        .map(|(ci, c)| (format!("{fp}/fields/{ci}"), c)),
                );
                for (path, field) in all {
                    let fctx = Ctx {
                        field: Some(field.id.clone()),
                        ..ctx.clone()
                    };
                    if let Some(r) = &field.visible_if {
                        self.rule_reads(&fctx, &format!("{path}/visible_if"), r, &known);
                    }
                    if let Some(r) = &field.required_if {
                        self.rule_reads(&fctx, &format!("{path}/required_if"), r, &known);
                    }
                }
            }
        }

        for (i, v) in d.validations.iter().enumerate() {
            let p = format!("/validations/{i}");
            let first = v.fields.first().cloned();
            let ctx = Ctx {
                step: first
                    .as_deref()
                    .and_then(|f| step_of.get(f))
                    .and_then(|&s| d.steps.get(s))
                    .map(|s| s.id.clone()),
                field: first,
            };
            self.text(
                &ctx,
                &format!("{p}/message"),
                &format!("Fehlermeldung der Prüfung „{}“", v.id),
                &format!("message of check \"{}\"", v.id),
                &v.message,
            );
            // The message is shown at the first field: it must name that one.
            let named: Vec<&Field> = v
                .fields
                .first()
                .and_then(|f| by_id.get(f.as_str()).copied())
                .into_iter()
                .collect();
            self.message_names(&ctx, &format!("{p}/message"), &v.message, &named);
            for (j, f) in v.fields.iter().enumerate() {
                if !known.contains(f.as_str()) {
                    self.push(
                        "rule_reads_missing_field",
                        &ctx,
                        format!("{p}/fields/{j}"),
                        format!(
                            "Die Prüfung „{}“ nennt das Feld „{f}“, das es nicht gibt.",
                            v.id
                        ),
                        format!(
                            "The check \"{}\" names the field \"{f}\", which does not exist.",
                            v.id
                        ),
                    );
                }
            }
            self.rule_reads(&ctx, &format!("{p}/rule"), &v.rule, &known);
        }
        for (i, c) in d.computed.iter().enumerate() {
            let p = format!("/computed/{i}");
            self.opt_text(
                &top,
                &format!("{p}/label"),
                &format!("Bezeichnung von „{}“", c.id),
                &format!("label of \"{}\"", c.id),
                &c.label,
            );
            self.rule_reads(&top, &format!("{p}/expression"), &c.expression, &known);
        }
        for (i, fee) in d.fees.iter().enumerate() {
            let p = format!("/fees/{i}");
            if blank(&fee.purpose.de) || english(&fee.purpose).is_none() {
                let lang = if blank(&fee.purpose.de) { "de" } else { "en" };
                self.push(
                    "fee_purpose_missing",
                    &top,
                    format!("{p}/purpose/{lang}"),
                    format!(
                        "Für die Gebühr „{}“ fehlt der Zweck auf {}.",
                        fee.id,
                        if lang == "de" { "Deutsch" } else { "Englisch" }
                    ),
                    format!(
                        "The fee \"{}\" has no purpose in {}.",
                        fee.id,
                        if lang == "de" { "German" } else { "English" }
                    ),
                );
            }
            if let Some(r) = &fee.applies_if {
                self.rule_reads(&top, &format!("{p}/applies_if"), r, &known);
            }
            if let Some(r) = &fee.amount_rule {
                self.rule_reads(&top, &format!("{p}/amount_rule"), r, &known);
            }
        }
    }
}

/// Every quality problem of `definition`, in document order. Meant for a
/// definition the engine's check accepts; it does not repeat that check,
/// but it does not rely on it either.
pub fn check(definition: &FormDefinition) -> Vec<Problem> {
    let mut q = Q {
        problems: Vec::new(),
        d: definition,
    };
    q.run();
    q.problems
}
