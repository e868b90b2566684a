//! Loading a definition into a [`Form`]: parsing, checking every rule of
//! the format, and compiling rules and patterns once.
//!
//! A broken definition is rejected with every problem found and the JSON
//! path of each (`$.steps[1].fields[0].options`). Structural errors (bad
//! JSON, a wrong type, an unknown key) stop parsing at the first one, since
//! nothing after it can be trusted; every semantic problem is reported.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use crate::model::{ChoiceOption, Field, FieldType, FormDefinition, Rule, Text};
use crate::rules::CompiledRule;
use crate::values;
use crate::{DefinitionError, DefinitionErrors};

/// Largest definition file we read (a 700-field form is about 300 KB).
pub const MAX_DEFINITION_BYTES: usize = 8 * 1024 * 1024;

/// A field with what was compiled for it.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub field: Field,
    /// Index of the step it is on.
    pub step: usize,
    /// For fields of a group: the group's node.
    pub parent: Option<usize>,
    /// For groups: the nodes of its fields.
    pub children: Vec<usize>,
    pub visible_if: Option<CompiledRule>,
    pub required_if: Option<CompiledRule>,
    pub pattern: Option<Regex>,
    /// Options, with code lists resolved.
    pub options: Vec<ChoiceOption>,
}

#[derive(Debug, Clone)]
pub(crate) struct StepNodes {
    pub visible_if: Option<CompiledRule>,
    pub fields: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct FeeRules {
    pub applies_if: Option<CompiledRule>,
    pub amount_rule: Option<CompiledRule>,
}

/// A checked form definition, ready to evaluate answers. Cheap to share
/// behind an `Arc`; evaluation takes `&self`.
#[derive(Debug, Clone)]
pub struct Form {
    definition: FormDefinition,
    pub(crate) nodes: Vec<Node>,
    pub(crate) steps: Vec<StepNodes>,
    pub(crate) computed: Vec<Option<CompiledRule>>,
    pub(crate) fees: Vec<FeeRules>,
    pub(crate) validations: Vec<Option<CompiledRule>>,
    by_id: HashMap<String, usize>,
}

impl Form {
    /// Reads and checks a definition from JSON text.
    pub fn load(json: &str) -> Result<Form, DefinitionErrors> {
        if json.len() > MAX_DEFINITION_BYTES {
            return Err(DefinitionErrors(vec![DefinitionError {
                path: "$".into(),
                message: format!(
                    "the definition is larger than {} MB",
                    MAX_DEFINITION_BYTES / 1024 / 1024
                ),
            }]));
        }
        let de = &mut serde_json::Deserializer::from_str(json);
        let definition: FormDefinition = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = if inner.is_syntax() || inner.is_eof() {
                format!("invalid JSON: {inner}")
            } else {
                // serde's messages end with " at line L column C"; keep them.
                inner.to_string()
            };
            DefinitionErrors(vec![DefinitionError {
                path: json_path(&path),
                message,
            }])
        })?;
        Form::from_definition(definition)
    }

    /// Checks a definition that is already parsed.
    pub fn from_definition(definition: FormDefinition) -> Result<Form, DefinitionErrors> {
        let mut c = Checker::default();
        let form = c.build(definition);
        if c.errors.is_empty() {
            Ok(form)
        } else {
            Err(DefinitionErrors(c.errors))
        }
    }

    /// The definition as written.
    pub fn definition(&self) -> &FormDefinition {
        &self.definition
    }

    /// A field by id (also fields inside groups).
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.by_id.get(id).map(|&n| &self.nodes[n].field)
    }

    /// The options of a choice field, with its code list resolved.
    pub fn options(&self, field_id: &str) -> &[ChoiceOption] {
        self.by_id
            .get(field_id)
            .map(|&n| self.nodes[n].options.as_slice())
            .unwrap_or(&[])
    }

    /// The id of the step a field is on.
    pub fn step_of(&self, field_id: &str) -> Option<&str> {
        self.by_id
            .get(field_id)
            .map(|&n| self.definition.steps[self.nodes[n].step].id.as_str())
    }

    /// How many fields the form has, counting group fields once.
    pub fn field_count(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn node_by_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}

/// `steps[1].fields[0]` → `$.steps[1].fields[0]`.
fn json_path(serde_path: &str) -> String {
    if serde_path.is_empty() || serde_path == "." {
        "$".into()
    } else {
        format!("$.{serde_path}")
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && id.len() <= 64
}

fn valid_slug(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && id.len() <= 64
}

/// Which field types an option applies to.
fn option_applies(option: &str, kind: FieldType) -> bool {
    use FieldType::*;
    match option {
        "min_length" | "max_length" | "pattern" | "pattern_message" => kind.is_textual(),
        "min" | "max" | "decimals" | "unit" => kind == Number,
        "min_cents" | "max_cents" => kind == Money,
        "min_date" | "max_date" => kind == Date,
        "options" | "code_list" => kind.is_choice(),
        "min_selected" | "max_selected" => kind == Checkboxes,
        "accept" | "max_size_bytes" | "max_files" => kind == File,
        "text" => matches!(kind, Info | Declaration),
        "fields" | "min_items" | "max_items" | "item_label" => kind == Group,
        "required" | "required_if" => kind != Info,
        _ => true,
    }
}

/// Where a name that a rule reads may come from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// visible_if / required_if of a top-level field with this order
    /// number: earlier top-level fields.
    Field { order: usize },
    /// visible_if of a step: top-level fields of earlier steps.
    Step { step: usize },
    /// A field of a group: earlier siblings and earlier top-level fields.
    Child { group: usize, order: usize },
    /// computed (index), fees, validations: any top-level field and the
    /// computed values before `computed`.
    After { computed: usize },
}

#[derive(Default)]
struct Checker {
    errors: Vec<DefinitionError>,
}

struct Seen {
    /// Field id → (node index, order in the document).
    ids: HashMap<String, (usize, usize)>,
}

impl Checker {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(DefinitionError {
            path: path.into(),
            message: message.into(),
        });
    }

    fn text(&mut self, path: &str, text: &Text) {
        if text.de.trim().is_empty() {
            self.err(format!("{path}.de"), "the German text is empty");
        }
    }

    fn compile(&mut self, path: &str, rule: &Rule) -> Option<CompiledRule> {
        match CompiledRule::compile(&rule.0) {
            Ok(c) => {
                if c.reads.dynamic {
                    self.err(
                        path,
                        "the rule builds variable names at run time; name each field with a literal {\"var\": \"field_id\"}",
                    );
                }
                Some(c)
            }
            Err(e) => {
                self.err(path, format!("invalid JSON Logic rule: {e}"));
                None
            }
        }
    }

    fn build(&mut self, definition: FormDefinition) -> Form {
        let d = &definition;
        if !valid_slug(&d.id) {
            self.err(
                "$.id",
                format!(
                    "\"{}\" is not a valid form id: use lower-case letters, digits and '-' (at most 64)",
                    d.id
                ),
            );
        }
        if d.version == 0 {
            self.err("$.version", "the version starts at 1");
        }
        self.text("$.title", &d.title);
        self.text("$.summary", &d.summary);
        if let Some(t) = &d.description {
            self.text("$.description", t);
        }
        for (i, r) in d.requirements.iter().enumerate() {
            self.text(&format!("$.requirements[{i}]"), r);
        }
        if let Some(t) = &d.privacy_notice {
            self.text("$.privacy_notice", t);
        }
        if !valid_slug(&d.authority.id) {
            self.err(
                "$.authority.id",
                format!(
                    "\"{}\" is not a valid authority id: use lower-case letters, digits and '-'",
                    d.authority.id
                ),
            );
        }
        self.text("$.authority.name", &d.authority.name);
        if d.retention_days == 0 || d.retention_days > 3650 {
            self.err("$.retention_days", "must be between 1 and 3650 days");
        }
        if d.draft_expiry_days == 0 || d.draft_expiry_days > 3650 {
            self.err("$.draft_expiry_days", "must be between 1 and 3650 days");
        }
        if d.steps.is_empty() {
            self.err("$.steps", "a form needs at least one step");
        }

        for (id, list) in &d.code_lists {
            let path = format!("$.code_lists.{id}");
            if list.options.is_empty() {
                self.err(format!("{path}.options"), "the code list has no codes");
            }
            self.options(&format!("{path}.options"), &list.options);
        }

        // First pass: every field, its id and its order; options and
        // patterns. Rules are compiled in the second pass, when every id
        // is known.
        let mut nodes: Vec<Node> = Vec::new();
        let mut seen = Seen {
            ids: HashMap::new(),
        };
        let mut step_ids = HashSet::new();
        let mut steps = Vec::with_capacity(d.steps.len());
        let mut order = 0usize;
        for (si, step) in d.steps.iter().enumerate() {
            let path = format!("$.steps[{si}]");
            if !valid_id(&step.id) {
                self.err(
                    format!("{path}.id"),
                    format!(
                        "\"{}\" is not a valid step id: start with a lower-case letter, then letters, digits or '_'",
                        step.id
                    ),
                );
            }
            if !step_ids.insert(step.id.clone()) {
                self.err(
                    format!("{path}.id"),
                    format!("the step id \"{}\" is used twice", step.id),
                );
            }
            self.text(&format!("{path}.title"), &step.title);
            if step.fields.is_empty() {
                self.err(format!("{path}.fields"), "a step needs at least one field");
            }
            let mut fields = Vec::with_capacity(step.fields.len());
            for (fi, field) in step.fields.iter().enumerate() {
                let fpath = format!("{path}.fields[{fi}]");
                let n = self.field(
                    d, field, &fpath, si, None, &mut nodes, &mut seen, &mut order,
                );
                fields.push(n);
            }
            steps.push(StepNodes {
                visible_if: None,
                fields,
            });
        }

        let mut computed_ids: HashMap<String, usize> = HashMap::new();
        for (i, c) in d.computed.iter().enumerate() {
            let path = format!("$.computed[{i}].id");
            if !valid_id(&c.id) {
                self.err(&path, format!("\"{}\" is not a valid id", c.id));
            }
            if seen.ids.contains_key(&c.id) {
                self.err(&path, format!("\"{}\" is already the id of a field", c.id));
            }
            if computed_ids.insert(c.id.clone(), i).is_some() {
                self.err(
                    &path,
                    format!("the computed value \"{}\" is defined twice", c.id),
                );
            }
            if let Some(l) = &c.label {
                self.text(&format!("$.computed[{i}].label"), l);
            }
        }

        // Second pass: rules, now that every id is known.
        for (si, step) in d.steps.iter().enumerate() {
            if let Some(rule) = &step.visible_if {
                let path = format!("$.steps[{si}].visible_if");
                let compiled = self.rule(
                    &path,
                    rule,
                    Scope::Step { step: si },
                    &nodes,
                    &seen,
                    &computed_ids,
                );
                steps[si].visible_if = compiled;
            }
        }
        let field_paths = field_paths(d);
        for (ni, path) in field_paths.iter().enumerate() {
            let Some(node) = nodes.get(ni) else { break };
            let own_order = seen.ids.get(&node.field.id).map(|&(_, o)| o).unwrap_or(0);
            let scope = match node.parent {
                None => Scope::Field { order: own_order },
                Some(g) => Scope::Child {
                    group: g,
                    order: own_order,
                },
            };
            let visible = node.field.visible_if.clone();
            let required = node.field.required_if.clone();
            if let Some(rule) = visible {
                nodes[ni].visible_if = self.rule(
                    &format!("{path}.visible_if"),
                    &rule,
                    scope,
                    &nodes,
                    &seen,
                    &computed_ids,
                );
            }
            if let Some(rule) = required {
                nodes[ni].required_if = self.rule(
                    &format!("{path}.required_if"),
                    &rule,
                    scope,
                    &nodes,
                    &seen,
                    &computed_ids,
                );
            }
        }
        let mut computed = Vec::with_capacity(d.computed.len());
        for (i, c) in d.computed.iter().enumerate() {
            let path = format!("$.computed[{i}].expression");
            let rule = self.rule(
                &path,
                &c.expression,
                Scope::After { computed: i },
                &nodes,
                &seen,
                &computed_ids,
            );
            computed.push(rule);
        }
        let all_computed = d.computed.len();
        let mut fees = Vec::with_capacity(d.fees.len());
        let mut fee_ids = HashSet::new();
        for (i, fee) in d.fees.iter().enumerate() {
            let path = format!("$.fees[{i}]");
            if !valid_id(&fee.id) {
                self.err(
                    format!("{path}.id"),
                    format!("\"{}\" is not a valid id", fee.id),
                );
            }
            if !fee_ids.insert(fee.id.clone()) {
                self.err(
                    format!("{path}.id"),
                    format!("the fee \"{}\" is defined twice", fee.id),
                );
            }
            self.text(&format!("{path}.purpose"), &fee.purpose);
            match (fee.amount_cents, &fee.amount_rule) {
                (Some(_), Some(_)) => self.err(
                    path.clone(),
                    "give either amount_cents or amount_rule, not both",
                ),
                (None, None) => self.err(path.clone(), "give amount_cents or amount_rule"),
                (Some(c), None) if !(0..=values::MAX_CENTS).contains(&c) => self.err(
                    format!("{path}.amount_cents"),
                    "the amount must be between 0 and 10^12 cents",
                ),
                _ => {}
            }
            let scope = Scope::After {
                computed: all_computed,
            };
            let applies_if = fee.applies_if.as_ref().and_then(|r| {
                self.rule(
                    &format!("{path}.applies_if"),
                    r,
                    scope,
                    &nodes,
                    &seen,
                    &computed_ids,
                )
            });
            let amount_rule = fee.amount_rule.as_ref().and_then(|r| {
                self.rule(
                    &format!("{path}.amount_rule"),
                    r,
                    scope,
                    &nodes,
                    &seen,
                    &computed_ids,
                )
            });
            fees.push(FeeRules {
                applies_if,
                amount_rule,
            });
        }
        let mut validations = Vec::with_capacity(d.validations.len());
        let mut validation_ids = HashSet::new();
        for (i, v) in d.validations.iter().enumerate() {
            let path = format!("$.validations[{i}]");
            if !valid_id(&v.id) {
                self.err(
                    format!("{path}.id"),
                    format!("\"{}\" is not a valid id", v.id),
                );
            }
            if !validation_ids.insert(v.id.clone()) {
                self.err(
                    format!("{path}.id"),
                    format!("the validation \"{}\" is defined twice", v.id),
                );
            }
            self.text(&format!("{path}.message"), &v.message);
            if v.fields.is_empty() {
                self.err(
                    format!("{path}.fields"),
                    "name the field the message belongs to",
                );
            }
            for (j, f) in v.fields.iter().enumerate() {
                match seen.ids.get(f) {
                    None => self.err(
                        format!("{path}.fields[{j}]"),
                        format!("there is no field \"{f}\""),
                    ),
                    Some(&(n, _)) if nodes[n].parent.is_some() => self.err(
                        format!("{path}.fields[{j}]"),
                        format!("\"{f}\" is inside a group; name a field outside groups"),
                    ),
                    _ => {}
                }
            }
            let rule = self.rule(
                &format!("{path}.rule"),
                &v.rule,
                Scope::After {
                    computed: all_computed,
                },
                &nodes,
                &seen,
                &computed_ids,
            );
            validations.push(rule);
        }

        let by_id = seen.ids.iter().map(|(k, &(n, _))| (k.clone(), n)).collect();
        Form {
            definition,
            nodes,
            steps,
            computed,
            fees,
            validations,
            by_id,
        }
    }

    fn options(&mut self, path: &str, options: &[ChoiceOption]) {
        let mut values = HashSet::new();
        for (i, o) in options.iter().enumerate() {
            if o.value.trim().is_empty() || o.value.trim() != o.value {
                self.err(
                    format!("{path}[{i}].value"),
                    "the value is empty or has spaces at its start or end",
                );
            }
            if !values.insert(o.value.as_str()) {
                self.err(
                    format!("{path}[{i}].value"),
                    format!("the value \"{}\" is used twice", o.value),
                );
            }
            self.text(&format!("{path}[{i}].label"), &o.label);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn field(
        &mut self,
        d: &FormDefinition,
        f: &Field,
        path: &str,
        step: usize,
        parent: Option<usize>,
        nodes: &mut Vec<Node>,
        seen: &mut Seen,
        order: &mut usize,
    ) -> usize {
        let index = nodes.len();
        *order += 1;
        if !valid_id(&f.id) {
            self.err(
                format!("{path}.id"),
                format!(
                    "\"{}\" is not a valid field id: start with a lower-case letter, then letters, digits or '_'",
                    f.id
                ),
            );
        }
        if seen.ids.contains_key(&f.id) {
            self.err(
                format!("{path}.id"),
                format!(
                    "the field id \"{}\" is used twice; ids must be unique in the whole form",
                    f.id
                ),
            );
        } else {
            seen.ids.insert(f.id.clone(), (index, *order));
        }
        self.text(&format!("{path}.label"), &f.label);
        if let Some(h) = &f.hint {
            self.text(&format!("{path}.hint"), h);
        }
        let kind = f.kind;
        let set: [(&str, bool); 26] = [
            ("required", f.required),
            ("required_if", f.required_if.is_some()),
            ("min_length", f.min_length.is_some()),
            ("max_length", f.max_length.is_some()),
            ("pattern", f.pattern.is_some()),
            ("pattern_message", f.pattern_message.is_some()),
            ("min", f.min.is_some()),
            ("max", f.max.is_some()),
            ("decimals", f.decimals.is_some()),
            ("unit", f.unit.is_some()),
            ("min_cents", f.min_cents.is_some()),
            ("max_cents", f.max_cents.is_some()),
            ("min_date", f.min_date.is_some()),
            ("max_date", f.max_date.is_some()),
            ("options", !f.options.is_empty()),
            ("code_list", f.code_list.is_some()),
            ("min_selected", f.min_selected.is_some()),
            ("max_selected", f.max_selected.is_some()),
            ("accept", !f.accept.is_empty()),
            ("max_size_bytes", f.max_size_bytes.is_some()),
            ("max_files", f.max_files.is_some()),
            ("text", f.text.is_some()),
            ("fields", !f.fields.is_empty()),
            ("min_items", f.min_items.is_some()),
            ("max_items", f.max_items.is_some()),
            ("item_label", f.item_label.is_some()),
        ];
        for (name, is_set) in set {
            if is_set && !option_applies(name, kind) {
                self.err(
                    format!("{path}.{name}"),
                    format!(
                        "\"{name}\" does not apply to a field of type \"{}\"",
                        kind.name()
                    ),
                );
            }
        }
        if let Some(a) = &f.autocomplete
            && (a.is_empty()
                || !a
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ' '))
        {
            self.err(
                format!("{path}.autocomplete"),
                format!("\"{a}\" is not an autocomplete token"),
            );
        }
        if let Some(prefill) = &f.prefill {
            if parent.is_some() {
                self.err(
                    format!("{path}.prefill"),
                    "a field in a group cannot be prefilled from the account",
                );
            } else if !prefill.claim.fits(kind) {
                self.err(
                    format!("{path}.prefill.claim"),
                    format!(
                        "the account's \"{}\" cannot fill a field of type \"{}\"",
                        prefill.claim.name(),
                        kind.name()
                    ),
                );
            }
        }
        if let (Some(min), Some(max)) = (f.min_length, f.max_length)
            && min > max
        {
            self.err(
                format!("{path}.min_length"),
                "min_length is larger than max_length",
            );
        }
        if f.max_length == Some(0) {
            self.err(
                format!("{path}.max_length"),
                "max_length must be at least 1",
            );
        }
        let mut pattern = None;
        if let Some(p) = &f.pattern {
            match regex::RegexBuilder::new(&format!("^(?:{p})$"))
                .size_limit(1 << 20)
                .build()
            {
                Ok(re) => pattern = Some(re),
                Err(e) => self.err(
                    format!("{path}.pattern"),
                    format!("invalid regular expression: {e}"),
                ),
            }
        }
        if let Some(m) = &f.pattern_message {
            self.text(&format!("{path}.pattern_message"), m);
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && min > max
        {
            self.err(format!("{path}.min"), "min is larger than max");
        }
        for (name, v) in [("min", f.min), ("max", f.max)] {
            if v.is_some_and(|v| !v.is_finite()) {
                self.err(format!("{path}.{name}"), "must be a finite number");
            }
        }
        if f.decimals.is_some_and(|d| d > 6) {
            self.err(format!("{path}.decimals"), "at most 6 decimal places");
        }
        if let (Some(min), Some(max)) = (f.min_cents, f.max_cents)
            && min > max
        {
            self.err(
                format!("{path}.min_cents"),
                "min_cents is larger than max_cents",
            );
        }
        let probe = time::Date::from_calendar_date(2000, time::Month::January, 1).ok();
        for (name, bound) in [("min_date", &f.min_date), ("max_date", &f.max_date)] {
            if let (Some(b), Some(probe)) = (bound, probe)
                && values::resolve_date_bound(b, probe).is_none()
            {
                self.err(
                    format!("{path}.{name}"),
                    format!("\"{b}\" is not a date: use YYYY-MM-DD, today, or today-18y / today+30d / today-6m"),
                );
            }
        }
        let mut options = Vec::new();
        if kind.is_choice() {
            match (&f.code_list, f.options.is_empty()) {
                (Some(_), false) => self.err(
                    format!("{path}.code_list"),
                    "give either options or code_list, not both",
                ),
                (None, true) => self.err(
                    format!("{path}.options"),
                    format!(
                        "a field of type \"{}\" needs options or a code_list",
                        kind.name()
                    ),
                ),
                (Some(id), true) => match d.code_lists.get(id) {
                    Some(list) => options = list.options.clone(),
                    None => self.err(
                        format!("{path}.code_list"),
                        format!("there is no code list \"{id}\""),
                    ),
                },
                (None, false) => {
                    self.options(&format!("{path}.options"), &f.options);
                    options = f.options.clone();
                }
            }
        }
        if let (Some(min), Some(max)) = (f.min_selected, f.max_selected)
            && min > max
        {
            self.err(
                format!("{path}.min_selected"),
                "min_selected is larger than max_selected",
            );
        }
        if kind == FieldType::Checkboxes
            && !options.is_empty()
            && f.min_selected.is_some_and(|m| m as usize > options.len())
        {
            self.err(
                format!("{path}.min_selected"),
                "min_selected is larger than the number of options",
            );
        }
        if kind == FieldType::File {
            if f.accept.is_empty() {
                self.err(
                    format!("{path}.accept"),
                    "a file field needs the accepted media types",
                );
            }
            for (i, a) in f.accept.iter().enumerate() {
                let ok = a.split_once('/').is_some_and(|(t, s)| {
                    !t.is_empty()
                        && !s.is_empty()
                        && a.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "/.+-*".contains(c))
                });
                if !ok {
                    self.err(
                        format!("{path}.accept[{i}]"),
                        format!("\"{a}\" is not a media type like application/pdf"),
                    );
                }
            }
            match f.max_size_bytes {
                None => self.err(
                    format!("{path}.max_size_bytes"),
                    "a file field needs max_size_bytes",
                ),
                Some(s) if s == 0 || s > 100 * 1024 * 1024 => self.err(
                    format!("{path}.max_size_bytes"),
                    "must be between 1 byte and 100 MB",
                ),
                _ => {}
            }
            if f.max_files.is_some_and(|m| m == 0 || m > 20) {
                self.err(format!("{path}.max_files"), "must be between 1 and 20");
            }
        }
        if matches!(kind, FieldType::Info | FieldType::Declaration) {
            match &f.text {
                None => self.err(
                    format!("{path}.text"),
                    format!("a field of type \"{}\" needs a text", kind.name()),
                ),
                Some(t) => self.text(&format!("{path}.text"), t),
            }
        }
        nodes.push(Node {
            field: Field {
                fields: Vec::new(),
                ..f.clone()
            },
            step,
            parent,
            children: Vec::new(),
            visible_if: None,
            required_if: None,
            pattern,
            options,
        });
        if kind == FieldType::Group {
            if parent.is_some() {
                self.err(
                    format!("{path}.type"),
                    "a group cannot contain another group",
                );
            }
            if f.fields.is_empty() {
                self.err(format!("{path}.fields"), "a group needs at least one field");
            }
            if let (Some(min), Some(max)) = (f.min_items, f.max_items)
                && min > max
            {
                self.err(
                    format!("{path}.min_items"),
                    "min_items is larger than max_items",
                );
            }
            if f.max_items.is_some_and(|m| m == 0 || m > 100) {
                self.err(format!("{path}.max_items"), "must be between 1 and 100");
            }
            if let Some(l) = &f.item_label {
                self.text(&format!("{path}.item_label"), l);
            }
            let mut children = Vec::with_capacity(f.fields.len());
            for (ci, child) in f.fields.iter().enumerate() {
                let cpath = format!("{path}.fields[{ci}]");
                if child.kind == FieldType::File {
                    self.err(
                        format!("{cpath}.type"),
                        "file fields cannot be inside a group",
                    );
                }
                if parent.is_none() {
                    let c = self.field(d, child, &cpath, step, Some(index), nodes, seen, order);
                    children.push(c);
                }
            }
            nodes[index].children = children;
        }
        index
    }

    fn rule(
        &mut self,
        path: &str,
        rule: &Rule,
        scope: Scope,
        nodes: &[Node],
        seen: &Seen,
        computed: &HashMap<String, usize>,
    ) -> Option<CompiledRule> {
        let compiled = self.compile(path, rule)?;
        for name in &compiled.reads.names {
            let problem = match (seen.ids.get(name), computed.get(name)) {
                (None, None) => Some(format!(
                    "the rule reads \"{name}\", but there is no field or computed value with that id"
                )),
                (None, Some(&ci)) => match scope {
                    Scope::After { computed: limit } if ci < limit => None,
                    Scope::After { .. } => Some(format!(
                        "the rule reads the computed value \"{name}\", which is computed after this one"
                    )),
                    _ => Some(format!(
                        "the rule reads the computed value \"{name}\"; computed values are available to computed values, fees and validations only"
                    )),
                },
                (Some(&(n, o)), _) => {
                    let target = &nodes[n];
                    match scope {
                        Scope::After { .. } => target.parent.map(|g| {
                            format!(
                                "\"{name}\" is a field inside the group \"{}\"; read the group instead",
                                nodes[g].field.id
                            )
                        }),
                        Scope::Step { step } => {
                            if target.parent.is_some() {
                                Some(format!("\"{name}\" is a field inside a group; read the group instead"))
                            } else if target.step >= step {
                                Some(format!(
                                    "the rule reads \"{name}\", which is on this step or a later one; a step can depend on earlier steps only"
                                ))
                            } else {
                                None
                            }
                        }
                        Scope::Field { order } => {
                            if target.parent.is_some() {
                                Some(format!("\"{name}\" is a field inside a group; read the group instead"))
                            } else if o >= order {
                                Some(format!(
                                    "the rule reads \"{name}\", which comes after this field (or is this field); rules can read earlier fields only"
                                ))
                            } else {
                                None
                            }
                        }
                        Scope::Child { group, order } => {
                            let sibling = target.parent == Some(group);
                            let group_order = seen
                                .ids
                                .get(&nodes[group].field.id)
                                .map(|&(_, go)| go)
                                .unwrap_or(0);
                            let earlier_sibling = sibling && o < order;
                            let before_group = target.parent.is_none() && o < group_order;
                            if earlier_sibling || before_group {
                                None
                            } else {
                                Some(format!(
                                    "the rule reads \"{name}\"; a field in a group can read earlier fields of the same entry and fields before the group only"
                                ))
                            }
                        }
                    }
                }
            };
            if let Some(p) = problem {
                self.err(path, p);
            }
        }
        Some(compiled)
    }
}

/// JSON paths of every field, in node order (pre-order, groups first then
/// their fields).
fn field_paths(d: &FormDefinition) -> Vec<String> {
    let mut out = Vec::new();
    for (si, step) in d.steps.iter().enumerate() {
        for (fi, f) in step.fields.iter().enumerate() {
            let path = format!("$.steps[{si}].fields[{fi}]");
            out.push(path.clone());
            if f.kind == FieldType::Group {
                for (ci, _) in f.fields.iter().enumerate() {
                    out.push(format!("{path}.fields[{ci}]"));
                }
            }
        }
    }
    out
}
