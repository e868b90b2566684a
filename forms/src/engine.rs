//! Evaluating answers against a checked form: which steps and fields apply,
//! the normalized answers, errors, computed values, fees and the summary.
//!
//! Everything here is a pure function of (form, answers, [`Env`]). Rules are
//! evaluated in document order: a rule sees the valid, normalized answers
//! of the fields before it that are visible. A hidden field's answer is
//! dropped, so it is neither stored nor delivered, and rules after it see
//! it as absent.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Env;
use crate::form::{Form, Node};
use crate::messages::{self as msg, Name};
use crate::model::{FieldType, Lang, Text};
use crate::values::{self, Problem};

/// Answers keyed by field id. Raw answers are what a browser posts;
/// normalized answers hold typed values (see [`crate::values`]).
pub type Answers = Map<String, Value>;

/// A problem with one answer, for the error summary and the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's id (for a field in a group entry: the group's child id).
    pub field_id: String,
    /// Where the answer is: `name`, `anschrift.postal_code`,
    /// `haushalt.1.vorname`. Used as the input's HTML id.
    pub path: String,
    /// The step the field is on.
    pub step_id: String,
    /// The message, naming the field.
    pub message: Text,
}

/// Whether a field is shown and required, after the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldState {
    /// Shown to the citizen (and its answer kept).
    pub visible: bool,
    /// An answer is required.
    pub required: bool,
}

/// Whether a step applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepState {
    /// The step's id.
    pub id: String,
    /// The step applies to these answers.
    pub applicable: bool,
}

/// One fee to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// The fee's id.
    pub id: String,
    /// What it is for.
    pub purpose: Text,
    /// Amount in cents.
    pub amount_cents: i64,
}

/// A rule that failed at run time (e.g. a fee rule that gave text). The
/// form still works; the server logs these for the form's editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFailure {
    /// Where the rule is, e.g. `fees.gebuehr.amount_rule`.
    pub rule: String,
    /// What went wrong.
    pub message: String,
}

/// The result of evaluating answers against a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Every step, in order, and whether it applies.
    pub steps: Vec<StepState>,
    /// State of every field by path (`name`, `haushalt.0.vorname`).
    pub fields: HashMap<String, FieldState>,
    /// The normalized answers: only visible fields with valid answers.
    pub answers: Answers,
    /// Computed values by id.
    pub computed: Map<String, Value>,
    /// The fees that apply.
    pub fees: Vec<FeeLine>,
    /// Every problem with the answers of visible fields.
    pub errors: Vec<FieldError>,
    /// Rules that failed at run time.
    pub rule_failures: Vec<RuleFailure>,
}

impl Evaluation {
    /// The ids of the steps that apply, in order.
    pub fn applicable_steps(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .filter(|s| s.applicable)
            .map(|s| s.id.as_str())
    }

    /// Whether the step exists and applies.
    pub fn is_applicable(&self, step_id: &str) -> bool {
        self.steps.iter().any(|s| s.id == step_id && s.applicable)
    }

    /// The applicable step after `step_id`, if any.
    pub fn next_step(&self, step_id: &str) -> Option<&str> {
        let pos = self.steps.iter().position(|s| s.id == step_id)?;
        self.steps[pos + 1..]
            .iter()
            .find(|s| s.applicable)
            .map(|s| s.id.as_str())
    }

    /// The applicable step before `step_id`, if any.
    pub fn previous_step(&self, step_id: &str) -> Option<&str> {
        let pos = self.steps.iter().position(|s| s.id == step_id)?;
        self.steps[..pos]
            .iter()
            .rev()
            .find(|s| s.applicable)
            .map(|s| s.id.as_str())
    }

    /// The errors on one step.
    pub fn step_errors<'a>(&'a self, step_id: &'a str) -> impl Iterator<Item = &'a FieldError> {
        self.errors.iter().filter(move |e| e.step_id == step_id)
    }

    /// The first applicable step that has errors (the place to send a
    /// citizen back to before submitting).
    pub fn first_step_with_errors(&self) -> Option<&str> {
        self.applicable_steps()
            .find(|id| self.errors.iter().any(|e| e.step_id == *id))
    }

    /// Whether the answers are complete and valid: ready to submit.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// The state of a field (hidden and not required if unknown).
    pub fn field(&self, path: &str) -> FieldState {
        self.fields.get(path).copied().unwrap_or(FieldState {
            visible: false,
            required: false,
        })
    }

    /// The sum of all fees, in cents.
    pub fn fee_total_cents(&self) -> i64 {
        self.fees.iter().map(|f| f.amount_cents).sum()
    }
}

/// One row of "check your answers" or of the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The field's path (for the change link's anchor).
    pub path: String,
    /// The label, with the entry for fields of a group ("Person 2: Name").
    pub label: String,
    /// The answer as text; lines separated by `\n`.
    pub value: String,
}

/// The rows of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummarySection {
    /// The step's id (for the change link).
    pub step_id: String,
    /// The step's title.
    pub title: String,
    /// The answered fields, in order.
    pub rows: Vec<SummaryRow>,
}

/// Collects errors and normalized values while walking the fields.
struct Walk<'a> {
    form: &'a Form,
    env: &'a Env,
    /// Valid, visible, normalized answers so far (what rules read).
    ctx: Map<String, Value>,
    eval: Evaluation,
}

impl Form {
    /// Evaluates `answers`: visibility, requirement, normalization,
    /// validation, computed values and fees. Never panics.
    pub fn evaluate(&self, answers: &Answers, env: &Env) -> Evaluation {
        let mut walk = Walk {
            form: self,
            env,
            ctx: Map::new(),
            eval: Evaluation {
                steps: Vec::with_capacity(self.definition().steps.len()),
                fields: HashMap::with_capacity(self.nodes.len()),
                answers: Map::new(),
                computed: Map::new(),
                fees: Vec::new(),
                errors: Vec::new(),
                rule_failures: Vec::new(),
            },
        };
        for (si, step) in self.steps.iter().enumerate() {
            let applicable = match &step.visible_if {
                Some(rule) => walk.test(
                    rule,
                    None,
                    &format!("steps.{}.visible_if", self.definition().steps[si].id),
                ),
                None => true,
            };
            walk.eval.steps.push(StepState {
                id: self.definition().steps[si].id.clone(),
                applicable,
            });
            for &node in &step.fields {
                walk.top_field(node, applicable, answers);
            }
        }
        walk.computed();
        walk.fees();
        walk.cross_field();
        walk.eval
    }

    /// The errors of one step (after evaluating all answers, since rules
    /// may read answers of earlier steps).
    pub fn validate_step(&self, step_id: &str, answers: &Answers, env: &Env) -> Vec<FieldError> {
        let eval = self.evaluate(answers, env);
        eval.errors
            .into_iter()
            .filter(|e| e.step_id == step_id)
            .collect()
    }

    /// Every error in the applicable steps.
    pub fn validate_all(&self, answers: &Answers, env: &Env) -> Vec<FieldError> {
        self.evaluate(answers, env).errors
    }

    /// The normalized answers: typed, only visible fields, only valid
    /// values; what is stored and delivered.
    pub fn normalize(&self, answers: &Answers, env: &Env) -> Answers {
        self.evaluate(answers, env).answers
    }

    /// The fees that apply to `answers`.
    pub fn fees(&self, answers: &Answers, env: &Env) -> Vec<FeeLine> {
        self.evaluate(answers, env).fees
    }

    /// The rows for "check your answers" and the receipt: every answered
    /// visible field of every applicable step, as text in `lang`.
    pub fn summary(&self, eval: &Evaluation, lang: Lang) -> Vec<SummarySection> {
        let def = self.definition();
        let mut sections = Vec::new();
        for (si, step) in self.steps.iter().enumerate() {
            if !eval.steps.get(si).is_some_and(|s| s.applicable) {
                continue;
            }
            let mut rows = Vec::new();
            for &node in &step.fields {
                self.summary_rows(node, &eval.answers, None, lang, &mut rows);
            }
            sections.push(SummarySection {
                step_id: def.steps[si].id.clone(),
                title: def.steps[si].title.get(lang).to_string(),
                rows,
            });
        }
        sections
    }

    fn summary_rows(
        &self,
        node: usize,
        answers: &Map<String, Value>,
        item: Option<(String, &str)>,
        lang: Lang,
        rows: &mut Vec<SummaryRow>,
    ) {
        let n = &self.nodes[node];
        let Some(value) = answers.get(&n.field.id) else {
            return;
        };
        let label = match &item {
            Some((prefix, _)) => format!("{prefix}: {}", n.field.label.get(lang)),
            None => n.field.label.get(lang).to_string(),
        };
        let path = match &item {
            Some((_, base)) => format!("{base}.{}", n.field.id),
            None => n.field.id.clone(),
        };
        if n.field.kind == FieldType::Group {
            let item_label = n
                .field
                .item_label
                .as_ref()
                .map(|l| l.get(lang).to_string())
                .unwrap_or_else(|| n.field.label.get(lang).to_string());
            if let Value::Array(items) = value {
                for (i, entry) in items.iter().enumerate() {
                    if let Value::Object(entry) = entry {
                        for &child in &n.children {
                            self.summary_rows(
                                child,
                                entry,
                                Some((format!("{item_label} {}", i + 1), &format!("{path}.{i}"))),
                                lang,
                                rows,
                            );
                        }
                    }
                }
            }
            return;
        }
        rows.push(SummaryRow {
            path,
            label,
            value: self.display(n, value, lang),
        });
    }

    /// An answer as text for people.
    fn display(&self, n: &Node, value: &Value, lang: Lang) -> String {
        let yes_no = |b: bool| match (lang, b) {
            (Lang::De, true) => "Ja",
            (Lang::De, false) => "Nein",
            (Lang::En, true) => "Yes",
            (Lang::En, false) => "No",
        };
        let option_label = |v: &str| {
            n.options
                .iter()
                .find(|o| o.value == v)
                .map(|o| o.label.get(lang).to_string())
                .unwrap_or_else(|| v.to_string())
        };
        match (n.field.kind, value) {
            (FieldType::Money, Value::Number(c)) => {
                c.as_i64().map(values::format_money).unwrap_or_default()
            }
            (FieldType::Number, Value::Number(x)) => {
                let text = x.to_string();
                let text = if lang == Lang::De {
                    text.replace('.', ",")
                } else {
                    text
                };
                match &n.field.unit {
                    Some(unit) => format!("{text} {}", unit.get(lang)),
                    None => text,
                }
            }
            (FieldType::Date, Value::String(s)) => values::parse_date(&Value::String(s.clone()))
                .map(|d| match lang {
                    Lang::De => values::german_date(d),
                    Lang::En => values::german_date(d),
                })
                .unwrap_or_else(|_| s.clone()),
            (FieldType::YesNo, Value::Bool(b)) => yes_no(*b).to_string(),
            (FieldType::Declaration, Value::Bool(_)) => match lang {
                Lang::De => "Bestätigt".into(),
                Lang::En => "Confirmed".into(),
            },
            (FieldType::Radio | FieldType::Select, Value::String(s)) => option_label(s),
            (FieldType::Checkboxes, Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(option_label)
                .collect::<Vec<_>>()
                .join("\n"),
            (FieldType::Address, Value::Object(parts)) => {
                let get = |k: &str| parts.get(k).and_then(Value::as_str).unwrap_or("");
                let mut lines = vec![
                    format!("{} {}", get("street"), get("house_number"))
                        .trim()
                        .to_string(),
                ];
                if !get("addition").is_empty() {
                    lines.push(get("addition").to_string());
                }
                lines.push(
                    format!("{} {}", get("postal_code"), get("city"))
                        .trim()
                        .to_string(),
                );
                lines.join("\n")
            }
            (FieldType::File, Value::Array(files)) => files
                .iter()
                .filter_map(|f| f.get("name").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
            (FieldType::Iban, Value::String(s)) => s
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            (_, Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        }
    }
}

impl Walk<'_> {
    /// Evaluates a condition; a rule that fails at run time counts as false
    /// and is recorded.
    fn test(
        &mut self,
        rule: &crate::rules::CompiledRule,
        item: Option<&Map<String, Value>>,
        where_: &str,
    ) -> bool {
        let data = self.data_for(rule, item);
        match rule.test(&data) {
            Ok(b) => b,
            Err(e) => {
                self.eval.rule_failures.push(RuleFailure {
                    rule: where_.to_string(),
                    message: e.0,
                });
                false
            }
        }
    }

    fn data_for(
        &self,
        rule: &crate::rules::CompiledRule,
        item: Option<&Map<String, Value>>,
    ) -> Value {
        match item {
            None => rule.context(|k| self.ctx.get(k), &self.ctx),
            Some(item) => {
                if rule.reads.dynamic {
                    let mut all = self.ctx.clone();
                    all.extend(item.iter().map(|(k, v)| (k.clone(), v.clone())));
                    return Value::Object(all);
                }
                rule.context(|k| item.get(k).or_else(|| self.ctx.get(k)), &self.ctx)
            }
        }
    }

    fn error(&mut self, field_id: &str, path: String, step: usize, message: Text) {
        self.eval.errors.push(FieldError {
            field_id: field_id.to_string(),
            path,
            step_id: self.form.definition().steps[step].id.clone(),
            message,
        });
    }

    fn top_field(&mut self, node: usize, step_applicable: bool, answers: &Answers) {
        let form = self.form;
        let n = &form.nodes[node];
        let id = n.field.id.as_str();
        let visible = step_applicable
            && match &n.visible_if {
                Some(rule) => self.test(rule, None, &format!("fields.{id}.visible_if")),
                None => true,
            };
        let required = visible
            && (n.field.required
                || match &n.required_if {
                    Some(rule) => self.test(rule, None, &format!("fields.{id}.required_if")),
                    None => false,
                });
        self.eval
            .fields
            .insert(id.to_string(), FieldState { visible, required });
        if !visible || !n.field.kind.has_value() {
            return;
        }
        let raw = answers.get(id);
        let value = if n.field.kind == FieldType::Group {
            self.group(node, raw, required)
        } else {
            let mut problems = Vec::new();
            let value = self.normalize(n, raw, required, id, &mut problems);
            for (path, message) in problems {
                self.error(id, path, n.step, message);
            }
            value
        };
        if let Some(value) = value {
            self.ctx.insert(id.to_string(), value.clone());
            self.eval.answers.insert(id.to_string(), value);
        }
    }

    fn group(&mut self, node: usize, raw: Option<&Value>, required: bool) -> Option<Value> {
        let form = self.form;
        let n = &form.nodes[node];
        let id = n.field.id.as_str();
        let name = Name::of(&n.field.label);
        let entries: Vec<&Map<String, Value>> = match raw {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut entries = Vec::new();
                for item in items {
                    match item {
                        Value::Object(o) => {
                            if !values::is_empty(item) {
                                entries.push(o);
                            }
                        }
                        _ => {
                            self.error(id, id.to_string(), n.step, msg::wrong_shape(&name));
                            return None;
                        }
                    }
                }
                entries
            }
            Some(_) => {
                self.error(id, id.to_string(), n.step, msg::wrong_shape(&name));
                return None;
            }
        };
        let min = n.field.min_items.unwrap_or(0).max(u32::from(required));
        if (entries.len() as u64) < u64::from(min) {
            let message = if entries.is_empty() && min <= 1 {
                msg::required(&name)
            } else {
                msg::too_few_items(&name, min)
            };
            self.error(id, id.to_string(), n.step, message);
        }
        if let Some(max) = n.field.max_items
            && entries.len() as u64 > u64::from(max)
        {
            self.error(id, id.to_string(), n.step, msg::too_many_items(&name, max));
        }
        let item_label = n
            .field
            .item_label
            .clone()
            .unwrap_or_else(|| n.field.label.clone());
        let mut out = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let mut item = Map::new();
            for &child in &n.children {
                let c = &form.nodes[child];
                let cid = c.field.id.as_str();
                let path = format!("{id}.{i}.{cid}");
                let visible = match &c.visible_if {
                    Some(rule) => self.test(rule, Some(&item), &format!("fields.{cid}.visible_if")),
                    None => true,
                };
                let required = visible
                    && (c.field.required
                        || match &c.required_if {
                            Some(rule) => {
                                self.test(rule, Some(&item), &format!("fields.{cid}.required_if"))
                            }
                            None => false,
                        });
                self.eval
                    .fields
                    .insert(path.clone(), FieldState { visible, required });
                if !visible || !c.field.kind.has_value() {
                    continue;
                }
                let mut problems = Vec::new();
                let value = self.normalize(c, entry.get(cid), required, &path, &mut problems);
                for (p, message) in problems {
                    self.error(cid, p, n.step, msg::in_item(&item_label, i, message));
                }
                if let Some(v) = value {
                    item.insert(cid.to_string(), v);
                }
            }
            // An entry whose answers were all invalid is not stored (its
            // errors are reported above); paths keep the entry's position
            // as the citizen sees it.
            if !item.is_empty() {
                out.push(Value::Object(item));
            }
        }
        if out.is_empty() {
            None
        } else {
            Some(Value::Array(out))
        }
    }

    /// Reads one answer of a non-group field. Returns the normalized value
    /// if it is valid; problems go to `problems` as (path, message).
    fn normalize(
        &self,
        n: &Node,
        raw: Option<&Value>,
        required: bool,
        path: &str,
        problems: &mut Vec<(String, Text)>,
    ) -> Option<Value> {
        let f = &n.field;
        let name = Name::of(&f.label);
        let raw = raw.filter(|v| !values::is_empty(v));
        if f.kind == FieldType::Address {
            return self.address(n, raw, required, path, problems);
        }
        let Some(raw) = raw else {
            if required {
                let message = match f.kind {
                    FieldType::Radio
                    | FieldType::Select
                    | FieldType::Checkboxes
                    | FieldType::YesNo => msg::required_choice(&name),
                    FieldType::File => msg::required_file(&name),
                    FieldType::Declaration => msg::required_declaration(&name),
                    _ => msg::required(&name),
                };
                problems.push((path.to_string(), message));
            }
            return None;
        };
        let mut fail = |message: Text| {
            problems.push((path.to_string(), message));
            None
        };
        let problem_message = |p: Problem| match p {
            Problem::NotANumber { decimals } => msg::not_a_number(&name, decimals),
            Problem::NotMoney => msg::not_money(&name),
            Problem::NotADate => msg::not_a_date(&name),
            Problem::NotAnEmail => msg::not_an_email(&name),
            Problem::NotAPhone => msg::not_a_phone(&name),
            Problem::NotAnIban => msg::not_an_iban(&name),
            Problem::NotAPostalCode => msg::not_a_postal_code(&name),
            Problem::NotYesNo => msg::not_yes_no(&name),
            Problem::WrongShape => msg::wrong_shape(&name),
        };
        match f.kind {
            FieldType::Text | FieldType::Textarea => {
                let Some(text) = values::as_text(raw) else {
                    return fail(msg::wrong_shape(&name));
                };
                let text = if f.kind == FieldType::Textarea {
                    text.replace("\r\n", "\n")
                } else {
                    text.split_whitespace().collect::<Vec<_>>().join(" ")
                };
                if let Some(message) = self.check_text(n, &text, &name) {
                    return fail(message);
                }
                Some(Value::String(text))
            }
            FieldType::Email | FieldType::Phone => {
                let parsed = if f.kind == FieldType::Email {
                    values::parse_email(raw)
                } else {
                    values::parse_phone(raw)
                };
                match parsed {
                    Ok(text) => match self.check_text(n, &text, &name) {
                        Some(message) => fail(message),
                        None => Some(Value::String(text)),
                    },
                    Err(p) => fail(problem_message(p)),
                }
            }
            FieldType::Number => match values::parse_number(raw, f.decimals.unwrap_or(0)) {
                Ok(v) => {
                    let x = v.as_f64().unwrap_or(0.0);
                    if let Some(min) = f.min
                        && x < min
                    {
                        return fail(msg::number_too_small(&name, min));
                    }
                    if let Some(max) = f.max
                        && x > max
                    {
                        return fail(msg::number_too_large(&name, max));
                    }
                    Some(v)
                }
                Err(p) => fail(problem_message(p)),
            },
            FieldType::Money => match values::parse_money(raw) {
                Ok(cents) => {
                    if let Some(min) = f.min_cents
                        && cents < min
                    {
                        return fail(msg::money_too_small(&name, min));
                    }
                    if let Some(max) = f.max_cents
                        && cents > max
                    {
                        return fail(msg::money_too_large(&name, max));
                    }
                    if f.min_cents.is_none() && cents < 0 {
                        return fail(msg::money_too_small(&name, 0));
                    }
                    Some(Value::from(cents))
                }
                Err(p) => fail(problem_message(p)),
            },
            FieldType::Date => match values::parse_date(raw) {
                Ok(date) => {
                    let today = self.env.today;
                    if let Some(min) = f
                        .min_date
                        .as_deref()
                        .and_then(|b| values::resolve_date_bound(b, today))
                        && date < min
                    {
                        return fail(msg::date_too_early(&name, min));
                    }
                    if let Some(max) = f
                        .max_date
                        .as_deref()
                        .and_then(|b| values::resolve_date_bound(b, today))
                        && date > max
                    {
                        return fail(msg::date_too_late(&name, max));
                    }
                    Some(Value::String(values::iso_date(date)))
                }
                Err(p) => fail(problem_message(p)),
            },
            FieldType::Iban => values::parse_iban(raw)
                .map(Value::String)
                .or_else(|p| fail(problem_message(p)).ok_or(()))
                .ok(),
            FieldType::PostalCode => values::parse_postal_code(raw)
                .map(Value::String)
                .or_else(|p| fail(problem_message(p)).ok_or(()))
                .ok(),
            FieldType::YesNo => values::parse_yes_no(raw)
                .map(Value::Bool)
                .or_else(|p| fail(problem_message(p)).ok_or(()))
                .ok(),
            FieldType::Declaration => match values::parse_yes_no(raw) {
                Ok(true) => Some(Value::Bool(true)),
                Ok(false) if required => fail(msg::required_declaration(&name)),
                Ok(false) => None,
                Err(_) => fail(msg::wrong_shape(&name)),
            },
            FieldType::Radio | FieldType::Select => {
                let Some(text) = values::as_text(raw) else {
                    return fail(msg::wrong_shape(&name));
                };
                if n.options.iter().any(|o| o.value == text) {
                    Some(Value::String(text))
                } else {
                    fail(msg::unknown_option(&name))
                }
            }
            FieldType::Checkboxes => {
                let Ok(mut chosen) = values::parse_choices(raw) else {
                    return fail(msg::wrong_shape(&name));
                };
                if chosen
                    .iter()
                    .any(|c| !n.options.iter().any(|o| &o.value == c))
                {
                    return fail(msg::unknown_option(&name));
                }
                // Keep the order of the options, once each.
                chosen = n
                    .options
                    .iter()
                    .filter(|o| chosen.contains(&o.value))
                    .map(|o| o.value.clone())
                    .collect();
                let count = chosen.len() as u64;
                if let Some(min) = f.min_selected
                    && count < u64::from(min)
                {
                    return fail(msg::too_few_selected(&name, min));
                }
                if let Some(max) = f.max_selected
                    && count > u64::from(max)
                {
                    return fail(msg::too_many_selected(&name, max));
                }
                Some(Value::Array(
                    chosen.into_iter().map(Value::String).collect(),
                ))
            }
            FieldType::File => self.files(n, raw, &name, path, problems),
            FieldType::Info | FieldType::Group | FieldType::Address => None,
        }
    }

    fn check_text(&self, n: &Node, text: &str, name: &Name) -> Option<Text> {
        let f = &n.field;
        let len = text.chars().count();
        if let Some(min) = f.min_length
            && (len as u64) < u64::from(min)
        {
            return Some(msg::too_short(name, min));
        }
        // Without a maximum, a line of text is capped so that nobody stores
        // megabytes through a name field.
        let max = f.max_length.unwrap_or(match f.kind {
            FieldType::Textarea => 10_000,
            _ => 500,
        });
        if len as u64 > u64::from(max) {
            return Some(msg::too_long(name, max));
        }
        if let Some(re) = &n.pattern
            && !re.is_match(text)
        {
            return Some(
                f.pattern_message
                    .clone()
                    .unwrap_or_else(|| msg::pattern(name)),
            );
        }
        None
    }

    fn address(
        &self,
        n: &Node,
        raw: Option<&Value>,
        required: bool,
        path: &str,
        problems: &mut Vec<(String, Text)>,
    ) -> Option<Value> {
        let f = &n.field;
        let name = Name::of(&f.label);
        let parts = match raw.map(values::address_parts) {
            None => Map::new(),
            Some(Ok(parts)) => parts,
            Some(Err(_)) => {
                problems.push((path.to_string(), msg::wrong_shape(&name)));
                return None;
            }
        };
        if parts.is_empty() && !required {
            return None;
        }
        let before = problems.len();
        for part in ["street", "house_number", "postal_code", "city"] {
            let label = msg::address_part_label(part);
            let sub = format!("{path}.{part}");
            match parts.get(part) {
                None => problems.push((
                    sub,
                    msg::address_part(&f.label, msg::required(&Name::of(&label))),
                )),
                Some(v) => {
                    let too_long = v.as_str().is_some_and(|s| s.chars().count() > 100);
                    if too_long {
                        problems.push((
                            sub,
                            msg::address_part(&f.label, msg::too_long(&Name::of(&label), 100)),
                        ));
                    } else if part == "postal_code" && values::parse_postal_code(v).is_err() {
                        problems.push((
                            sub,
                            msg::address_part(&f.label, msg::not_a_postal_code(&Name::of(&label))),
                        ));
                    }
                }
            }
        }
        if parts
            .get("addition")
            .and_then(Value::as_str)
            .is_some_and(|s| s.chars().count() > 100)
        {
            let label = msg::address_part_label("addition");
            problems.push((
                format!("{path}.addition"),
                msg::address_part(&f.label, msg::too_long(&Name::of(&label), 100)),
            ));
        }
        if problems.len() > before {
            return None;
        }
        Some(Value::Object(parts))
    }

    fn files(
        &self,
        n: &Node,
        raw: &Value,
        name: &Name,
        path: &str,
        problems: &mut Vec<(String, Text)>,
    ) -> Option<Value> {
        let f = &n.field;
        let list: Vec<&Value> = match raw {
            Value::Array(items) => items.iter().filter(|v| !values::is_empty(v)).collect(),
            Value::Object(_) => vec![raw],
            _ => {
                problems.push((path.to_string(), msg::wrong_shape(name)));
                return None;
            }
        };
        let max_files = f.max_files.unwrap_or(1);
        if list.len() as u64 > u64::from(max_files) {
            problems.push((path.to_string(), msg::too_many_files(name, max_files)));
            return None;
        }
        let before = problems.len();
        let mut out = Vec::with_capacity(list.len());
        for file in list {
            let get = |k: &str| file.get(k);
            let (
                Some(Value::String(id)),
                Some(Value::String(file_name)),
                Some(size),
                Some(Value::String(ct)),
            ) = (
                get("id"),
                get("name"),
                get("size").and_then(Value::as_u64),
                get("content_type"),
            )
            else {
                problems.push((path.to_string(), msg::wrong_shape(name)));
                continue;
            };
            if size == 0 {
                problems.push((path.to_string(), msg::file_empty(name, file_name)));
            } else if f.max_size_bytes.is_some_and(|max| size > max) {
                problems.push((
                    path.to_string(),
                    msg::file_too_large(name, file_name, f.max_size_bytes.unwrap_or(0)),
                ));
            } else if !media_type_allowed(ct, &f.accept) {
                problems.push((
                    path.to_string(),
                    msg::file_wrong_type(name, file_name, &f.accept),
                ));
            } else {
                let mut obj = Map::new();
                obj.insert("id".into(), Value::String(id.clone()));
                obj.insert("name".into(), Value::String(file_name.clone()));
                obj.insert("size".into(), Value::from(size));
                obj.insert("content_type".into(), Value::String(ct.clone()));
                out.push(Value::Object(obj));
            }
        }
        if problems.len() > before {
            return None;
        }
        Some(Value::Array(out))
    }

    fn computed(&mut self) {
        let form = self.form;
        for (i, c) in form.computed.iter().enumerate() {
            let id = &form.definition().computed[i].id;
            let Some(c) = c else { continue };
            let data = self.data_for(c, None);
            let value = match c.eval(&data) {
                Ok(v) => v,
                Err(e) => {
                    self.eval.rule_failures.push(RuleFailure {
                        rule: format!("computed.{id}.expression"),
                        message: e.0,
                    });
                    Value::Null
                }
            };
            if !value.is_null() {
                self.ctx.insert(id.clone(), value.clone());
            }
            self.eval.computed.insert(id.clone(), value);
        }
    }

    fn fees(&mut self) {
        let form = self.form;
        for (i, fee) in form.definition().fees.iter().enumerate() {
            let rules = &form.fees[i];
            if let Some(rule) = &rules.applies_if
                && !self.test(rule, None, &format!("fees.{}.applies_if", fee.id))
            {
                continue;
            }
            let amount = match (&rules.amount_rule, fee.amount_cents) {
                (Some(rule), _) => {
                    let data = self.data_for(rule, None);
                    match rule.eval(&data).map(|v| cents_of(&v)) {
                        Ok(Some(c)) => c,
                        Ok(None) => {
                            self.eval.rule_failures.push(RuleFailure {
                                rule: format!("fees.{}.amount_rule", fee.id),
                                message: "the rule did not give a number of cents from 0 to 10^12"
                                    .into(),
                            });
                            continue;
                        }
                        Err(e) => {
                            self.eval.rule_failures.push(RuleFailure {
                                rule: format!("fees.{}.amount_rule", fee.id),
                                message: e.0,
                            });
                            continue;
                        }
                    }
                }
                (None, Some(c)) => c,
                (None, None) => continue,
            };
            self.eval.fees.push(FeeLine {
                id: fee.id.clone(),
                purpose: fee.purpose.clone(),
                amount_cents: amount,
            });
        }
    }

    fn cross_field(&mut self) {
        let form = self.form;
        for (i, v) in form.definition().validations.iter().enumerate() {
            let Some(rule) = &form.validations[i] else {
                continue;
            };
            let Some(first) = v.fields.first() else {
                continue;
            };
            if !self.eval.field(first).visible {
                continue;
            }
            // Evaluated only when every name it reads has an answer: a
            // missing answer has its own "required" message.
            if rule.reads.names.iter().any(|n| !self.ctx.contains_key(n)) {
                continue;
            }
            if !self.test(rule, None, &format!("validations.{}.rule", v.id)) {
                let step = form
                    .node_by_id(first)
                    .map(|n| form.nodes[n].step)
                    .unwrap_or(0);
                self.error(first, first.clone(), step, v.message.clone());
            }
        }
    }
}

/// A fee amount from a rule's result: a non-negative number of cents
/// (fractions are rounded to whole cents).
fn cents_of(value: &Value) -> Option<i64> {
    let x = value.as_f64()?;
    if !x.is_finite() || x < 0.0 || x > values::MAX_CENTS as f64 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    Some(x.round() as i64)
}

/// Whether `media_type` is allowed by `accept` (`image/*` allows every
/// image type).
pub fn media_type_allowed(media_type: &str, accept: &[String]) -> bool {
    let media_type = media_type.trim().to_ascii_lowercase();
    accept.iter().any(|a| {
        let a = a.trim().to_ascii_lowercase();
        match a.strip_suffix("/*") {
            Some(major) => media_type.split_once('/').is_some_and(|(m, _)| m == major),
            None => a == media_type,
        }
    })
}
