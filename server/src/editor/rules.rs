//! Rules, computed values and fees in the structured editor.
//!
//! Conditions are built as a tree: a group of conditions ("field —
//! operator — value") joined by "and" / "or" that may hold nested groups
//! (up to [`MAX_DEPTH`] levels below the top), stored as JSON Logic where
//! the engine reads it (`visible_if`, `required_if`, a fee's
//! `applies_if`, the condition of an if-then-else formula). A stored rule
//! is read back into the tree when it has that shape; anything else is
//! edited in the raw JSON Logic (expert) view only. Formulas of computed
//! values and computed fees are a sum or product of numbers, numeric
//! fields, counts (items of a group, ticked boxes, files) and earlier
//! computed values, or "if condition then a else b". Fixed fees are
//! euros stored as cents. The engine's check on saving has the last word.
//!
//! The form encodes a tree by names: a group with prefix `pre` (the top
//! group `""`) has its "and"/"or" in `{pre}combine`, its n-th item is a
//! condition `{pre}c{n}_field|op|value` or a group with prefix
//! `{pre}g{n}_`. The page always offers empty rows and an empty group, so
//! adding needs no JavaScript; a row without a field and a group without
//! conditions are ignored, which is also how they are removed.

use amtsweg_forms::DefinitionError;
use serde_json::{Map, Value, json};

/// How many condition rows the top group offers at least.
pub const ROWS: usize = 4;

/// How many items (conditions, groups, terms) the form is read for.
pub const MAX_ITEMS: usize = 24;

/// How deep groups may nest below the top group.
pub const MAX_DEPTH: usize = 2;

/// The operators of a condition: form value, JSON Logic, German, English.
pub const OPERATORS: &[(&str, &str, &str)] = &[
    ("gleich", "ist gleich", "equals"),
    ("ungleich", "ist nicht gleich", "does not equal"),
    ("groesser", "ist größer als", "is greater than"),
    ("kleiner", "ist kleiner als", "is less than"),
    ("ausgefuellt", "ist ausgefüllt", "is filled in"),
    ("leer", "ist nicht ausgefüllt", "is not filled in"),
];

/// One condition: a field, an operator (a value of [`OPERATORS`]) and a
/// value (as typed; empty for "filled in" / "not filled in").
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: String,
    pub op: String,
    pub value: String,
}

/// One item of a group: a condition or a nested group.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Condition(Condition),
    Group(Tree),
}

/// A group of conditions and nested groups, all or at least one of which
/// must hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    pub any: bool,
    pub items: Vec<Node>,
}

/// One value of a formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A number as typed ("3", "2,5"; in a fee's formula euros).
    Number(String),
    /// The answer of a number or money field, or a computed value
    /// (unanswered: 0).
    Field(String),
    /// How many items a group, ticked boxes or files a field has.
    Count(String),
}

/// A formula of a computed value or a computed fee.
#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    Sum(Vec<Term>),
    Product(Vec<Term>),
    IfElse {
        condition: Tree,
        then: Term,
        otherwise: Term,
    },
}

/// Which rule of which place: of a step (`field: None`) or one of its
/// fields, by position, or of a fee (`fee`; then `step` and `field` are
/// unused).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub step: usize,
    pub field: Option<usize>,
    /// With `field` a repeatable group: the inner field at this position
    /// of the group.
    pub inner: Option<usize>,
    /// The fee, by position, whose `applies_if` this is.
    pub fee: Option<usize>,
    /// `visible_if`, `required_if` or (fees) `applies_if`.
    pub key: &'static str,
}

/// A fee's amount as posted.
#[derive(Debug, Clone, PartialEq)]
pub enum FeeAmount {
    /// Euros as typed.
    Fixed(String),
    Formula(Formula),
}

/// A change to a rule, a computed value or a fee.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleEdit {
    SetTree(Target, Tree),
    SetRaw(Target, String),
    Remove(Target),
    AddFee {
        id: String,
        purpose_de: String,
        purpose_en: String,
        amount: String,
    },
    EditFee {
        fee: usize,
        purpose_de: String,
        purpose_en: String,
        amount: FeeAmount,
    },
    /// The fee's `amount_rule` as raw JSON Logic.
    SetFeeRaw {
        fee: usize,
        text: String,
    },
    DeleteFee {
        fee: usize,
    },
    AddComputed {
        id: String,
        label_de: String,
        label_en: String,
        formula: Formula,
    },
    EditComputed {
        index: usize,
        label_de: String,
        label_en: String,
        formula: Formula,
    },
    /// The computed value's `expression` as raw JSON Logic.
    SetComputedRaw {
        index: usize,
        text: String,
    },
    DeleteComputed {
        index: usize,
    },
    /// Moves computed value `index` (whose id the page showed as `id`)
    /// one place up or down: later values and fees read earlier ones.
    MoveComputed {
        index: usize,
        id: String,
        up: bool,
    },
    /// A new cross-field validation: the tree must hold, else the message
    /// is shown at `field`.
    AddValidation {
        id: String,
        message_de: String,
        message_en: String,
        field: String,
        tree: Tree,
    },
    EditValidation {
        index: usize,
        message_de: String,
        message_en: String,
        field: String,
        tree: Tree,
    },
    /// The validation's `rule` as raw JSON Logic.
    SetValidationRaw {
        index: usize,
        text: String,
    },
    /// Moves validation `index` (id `id` on the page) one place up or
    /// down: the order in which their messages are checked and shown.
    MoveValidation {
        index: usize,
        id: String,
        up: bool,
    },
    DeleteValidation {
        index: usize,
    },
}

fn problem(path: &str, message: &str) -> DefinitionError {
    DefinitionError {
        path: path.into(),
        message: message.into(),
    }
}

fn position(get: &dyn Fn(&str) -> String, name: &str) -> Result<usize, DefinitionError> {
    get(name)
        .trim()
        .parse()
        .map_err(|_| problem(name, "keine gültige Position / not a valid position"))
}

fn target(get: &dyn Fn(&str) -> String) -> Result<Target, DefinitionError> {
    if get("art") == "gebuehr" {
        return Ok(Target {
            step: 0,
            field: None,
            inner: None,
            fee: Some(position(get, "fee")?),
            key: "applies_if",
        });
    }
    let step = position(get, "step")?;
    let field = if get("field").trim().is_empty() {
        None
    } else {
        Some(position(get, "field")?)
    };
    let inner = if field.is_none() || get("inner").trim().is_empty() {
        None
    } else {
        Some(position(get, "inner")?)
    };
    let key = match get("art").as_str() {
        "sichtbar" => "visible_if",
        "pflicht" if field.is_some() => "required_if",
        _ => {
            return Err(problem("art", "unbekannte Regelart / unknown kind of rule"));
        }
    };
    Ok(Target {
        step,
        field,
        inner,
        fee: None,
        key,
    })
}

/// The tree posted under prefix `pre` (see the module comment); empty
/// rows and groups are left out.
pub fn parse_tree(get: &dyn Fn(&str) -> String, pre: &str, depth: usize) -> Tree {
    let mut items = Vec::new();
    for n in 0..MAX_ITEMS {
        let group = format!("{pre}g{n}_");
        if depth < MAX_DEPTH && !get(&format!("{group}combine")).is_empty() {
            let inner = parse_tree(get, &group, depth + 1);
            if !inner.items.is_empty() {
                items.push(Node::Group(inner));
            }
            continue;
        }
        let field = get(&format!("{pre}c{n}_field")).trim().to_owned();
        if !field.is_empty() {
            items.push(Node::Condition(Condition {
                field,
                op: get(&format!("{pre}c{n}_op")),
                value: get(&format!("{pre}c{n}_value")).trim().to_owned(),
            }));
        }
    }
    Tree {
        any: get(&format!("{pre}combine")) == "oder",
        items,
    }
}

/// The term posted as `{pre}quelle` (`""` a number, `feld:ID`,
/// `anzahl:ID`) and `{pre}zahl`; `None` when both are empty.
fn parse_term(get: &dyn Fn(&str) -> String, pre: &str) -> Option<Term> {
    let source = get(&format!("{pre}quelle"));
    if let Some(id) = source.strip_prefix("feld:") {
        return Some(Term::Field(id.to_owned()));
    }
    if let Some(id) = source.strip_prefix("anzahl:") {
        return Some(Term::Count(id.to_owned()));
    }
    let number = get(&format!("{pre}zahl")).trim().to_owned();
    (!number.is_empty()).then_some(Term::Number(number))
}

/// The formula posted with `formel=summe|produkt|wenn`: terms
/// `t{n}_quelle|zahl`; for "if" a tree with prefix `w_` and the terms
/// `dann_` and `sonst_` (empty: 0).
pub fn parse_formula(get: &dyn Fn(&str) -> String) -> Result<Formula, DefinitionError> {
    let terms = || -> Vec<Term> {
        (0..MAX_ITEMS)
            .filter_map(|n| parse_term(get, &format!("t{n}_")))
            .collect()
    };
    match get("formel").as_str() {
        "summe" => Ok(Formula::Sum(terms())),
        "produkt" => Ok(Formula::Product(terms())),
        "wenn" => Ok(Formula::IfElse {
            condition: parse_tree(get, "w_", 0),
            then: parse_term(get, "dann_").ok_or_else(|| {
                problem(
                    "dann_zahl",
                    "Dann-Wert: bitte eine Zahl oder ein Feld angeben / then value: please give a number or a field",
                )
            })?,
            otherwise: parse_term(get, "sonst_").unwrap_or(Term::Number("0".into())),
        }),
        _ => Err(problem(
            "formel",
            "Formel: unbekannte Art, bitte Summe, Produkt oder Wenn-dann wählen / formula: unknown kind, choose sum, product or if-then",
        )),
    }
}

/// The rule, computed value or fee change of the posted fields, or `None`
/// when `aktion` names no such change.
pub fn parse(
    action: &str,
    get: &dyn Fn(&str) -> String,
) -> Option<Result<RuleEdit, DefinitionError>> {
    let label = |name: &str| get(name).trim().to_owned();
    let edit = match action {
        "regel_baum" => target(get).map(|t| RuleEdit::SetTree(t, parse_tree(get, "", 0))),
        "regel_roh" => target(get).map(|t| RuleEdit::SetRaw(t, get("rule"))),
        "regel_entfernen" => target(get).map(RuleEdit::Remove),
        "gebuehr_neu" => Ok(RuleEdit::AddFee {
            id: get("id").trim().to_owned(),
            purpose_de: get("purpose_de"),
            purpose_en: get("purpose_en"),
            amount: get("amount"),
        }),
        "gebuehr_bearbeiten" => position(get, "fee").and_then(|fee| {
            let amount = if get("betragsart") == "formel" {
                FeeAmount::Formula(parse_formula(get)?)
            } else {
                FeeAmount::Fixed(get("amount"))
            };
            Ok(RuleEdit::EditFee {
                fee,
                purpose_de: get("purpose_de"),
                purpose_en: get("purpose_en"),
                amount,
            })
        }),
        "gebuehr_roh" => position(get, "fee").map(|fee| RuleEdit::SetFeeRaw {
            fee,
            text: get("rule"),
        }),
        "gebuehr_loeschen" => position(get, "fee").map(|fee| RuleEdit::DeleteFee { fee }),
        "wert_neu" => parse_formula(get).map(|formula| RuleEdit::AddComputed {
            id: label("id"),
            label_de: label("label_de"),
            label_en: label("label_en"),
            formula,
        }),
        "wert_bearbeiten" => position(get, "wert").and_then(|index| {
            Ok(RuleEdit::EditComputed {
                index,
                label_de: label("label_de"),
                label_en: label("label_en"),
                formula: parse_formula(get)?,
            })
        }),
        "wert_roh" => position(get, "wert").map(|index| RuleEdit::SetComputedRaw {
            index,
            text: get("rule"),
        }),
        "wert_loeschen" => position(get, "wert").map(|index| RuleEdit::DeleteComputed { index }),
        "wert_verschieben" => position(get, "wert").map(|index| RuleEdit::MoveComputed {
            index,
            id: label("item_id"),
            up: get("richtung") == "hoch",
        }),
        "pruefung_verschieben" => position(get, "pruefung").map(|index| RuleEdit::MoveValidation {
            index,
            id: label("item_id"),
            up: get("richtung") == "hoch",
        }),
        "pruefung_neu" => Ok(RuleEdit::AddValidation {
            id: label("id"),
            message_de: label("message_de"),
            message_en: label("message_en"),
            field: label("message_field"),
            tree: parse_tree(get, "", 0),
        }),
        "pruefung_bearbeiten" => position(get, "pruefung").map(|index| RuleEdit::EditValidation {
            index,
            message_de: label("message_de"),
            message_en: label("message_en"),
            field: label("message_field"),
            tree: parse_tree(get, "", 0),
        }),
        "pruefung_roh" => position(get, "pruefung").map(|index| RuleEdit::SetValidationRaw {
            index,
            text: get("rule"),
        }),
        "pruefung_loeschen" => {
            position(get, "pruefung").map(|index| RuleEdit::DeleteValidation { index })
        }
        _ => return None,
    };
    Some(edit)
}

/// An amount in euros ("25", "25,00", "25.5") as cents.
pub fn cents(text: &str) -> Result<i64, DefinitionError> {
    let bad = || {
        problem(
            "amount",
            "Betrag: bitte in Euro wie „25,00“ / amount: please in euros like \"25,00\"",
        )
    };
    let text = text.trim().trim_end_matches('€').trim();
    let (euros, rest) = text.split_once([',', '.']).unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(euros) || (!rest.is_empty() && (!digits(rest) || rest.len() > 2)) {
        return Err(bad());
    }
    if text.ends_with([',', '.']) {
        return Err(bad());
    }
    let euros: i64 = euros.parse().map_err(|_| bad())?;
    let cents: i64 = match rest.len() {
        0 => 0,
        1 => rest.parse::<i64>().map_err(|_| bad())? * 10,
        _ => rest.parse().map_err(|_| bad())?,
    };
    euros
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents))
        .ok_or_else(bad)
}

/// Cents as euros the way the forms show them ("25,00", "-0,50").
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// Every top-level field of the definition: id, German label and type.
/// These are what the condition selects offer: rules of steps, fields,
/// fees and computed values may not read a field inside a group (the
/// engine's rule scope), only the group itself.
pub fn fields(definition: &Value) -> Vec<(String, String, String)> {
    walk_fields(definition, false)
}

/// Every field, also inside groups (a rule naming one gets the engine's
/// message "read the group instead", not "unknown field").
fn all_fields(definition: &Value) -> Vec<(String, String, String)> {
    walk_fields(definition, true)
}

fn walk_fields(definition: &Value, inner: bool) -> Vec<(String, String, String)> {
    fn walk(list: &Value, out: &mut Vec<(String, String, String)>, inner: bool) {
        for f in list.as_array().into_iter().flatten() {
            let s = |p: &str| {
                f.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            out.push((s("/id"), s("/label/de"), s("/type")));
            if let Some(list) = f.get("fields").filter(|_| inner) {
                walk(list, out, inner);
            }
        }
    }
    let mut out = Vec::new();
    for step in definition
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(list) = step.get("fields") {
            walk(list, &mut out, inner);
        }
    }
    out
}

/// Every field (also inside groups) and every computed value of the
/// definition: id, German label and type (`computed` for a computed
/// value).
pub fn known(definition: &Value) -> Vec<(String, String, String)> {
    let mut out = all_fields(definition);
    for c in definition
        .get("computed")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = |p: &str| {
            c.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        out.push((s("/id"), s("/label/de"), "computed".into()));
    }
    out
}

/// What the selects of a fee's or a computed value's rule offer: the
/// top-level fields and the computed values.
pub fn offered(definition: &Value) -> Vec<(String, String, String)> {
    let mut out = fields(definition);
    out.extend(
        known(definition)
            .into_iter()
            .filter(|(_, _, kind)| kind == "computed"),
    );
    out
}

/// A number as typed ("3", "2,5", "-1") as JSON; whole numbers as integers.
fn number(text: &str) -> Option<Value> {
    let n = text.trim().replace(',', ".").parse::<f64>().ok()?;
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        Some(json!(n as i64))
    } else {
        serde_json::Number::from_f64(n).map(Value::Number)
    }
}

/// A JSON number the way the inputs show it ("2,5").
fn shown(n: &serde_json::Number) -> String {
    n.to_string().replace('.', ",")
}

fn literal(kind: &str, c: &Condition, path: &str) -> Result<Value, DefinitionError> {
    let numeric =
        matches!(c.op.as_str(), "groesser" | "kleiner") || matches!(kind, "number" | "money");
    if kind == "yes_no" && !numeric {
        return match c.value.to_lowercase().as_str() {
            "ja" | "yes" | "true" => Ok(json!(true)),
            "nein" | "no" | "false" => Ok(json!(false)),
            _ => Err(problem(
                path,
                "Wert: bei Ja/Nein-Feldern „ja“ oder „nein“ / value: \"ja\" or \"nein\" for yes/no fields",
            )),
        };
    }
    // A computed value compares as a number when the value is one.
    if kind == "computed"
        && let Some(n) = number(&c.value)
    {
        return Ok(n);
    }
    if numeric {
        return number(&c.value)
            .ok_or_else(|| problem(path, "Wert: keine gültige Zahl / value: not a valid number"));
    }
    Ok(json!(c.value))
}

fn condition_logic(
    c: &Condition,
    pre: &str,
    n: usize,
    name: &str,
    known: &[(String, String, String)],
) -> Result<Value, DefinitionError> {
    let path = format!("{pre}c{n}_field");
    let Some((_, _, kind)) = known.iter().find(|(id, _, _)| *id == c.field) else {
        return Err(problem(
            &path,
            &format!(
                "Bedingung {name}: unbekanntes Feld „{}“ / condition {name}: unknown field \"{}\"",
                c.field, c.field
            ),
        ));
    };
    let var = json!({"var": c.field});
    // "No" of a yes/no field is an answer: there only "no answer"
    // (null) counts as not filled in.
    Ok(match c.op.as_str() {
        "ausgefuellt" if kind == "yes_no" => json!({"!==": [var, null]}),
        "leer" if kind == "yes_no" => json!({"===": [var, null]}),
        "ausgefuellt" => json!({"!!": [var]}),
        "leer" => json!({"!": [var]}),
        op => {
            let logic = match op {
                "gleich" => "==",
                "ungleich" => "!=",
                "groesser" => ">",
                "kleiner" => "<",
                _ => {
                    return Err(problem(
                        &format!("{pre}c{n}_op"),
                        &format!(
                            "Bedingung {name}: unbekannter Vergleich / condition {name}: unknown operator"
                        ),
                    ));
                }
            };
            json!({logic: [var, literal(kind, c, &format!("{pre}c{n}_value"))?]})
        }
    })
}

fn group_logic(
    tree: &Tree,
    pre: &str,
    name: &str,
    known: &[(String, String, String)],
) -> Result<Value, DefinitionError> {
    if tree.items.is_empty() {
        return Err(problem(
            &format!("{pre}c0_field"),
            "Bitte mindestens eine Bedingung angeben / please give at least one condition",
        ));
    }
    let mut parts = Vec::new();
    for (n, item) in tree.items.iter().enumerate() {
        let inner = if name.is_empty() {
            (n + 1).to_string()
        } else {
            format!("{name}.{}", n + 1)
        };
        parts.push(match item {
            Node::Condition(c) => condition_logic(c, pre, n, &inner, known)?,
            Node::Group(g) => group_logic(g, &format!("{pre}g{n}_"), &inner, known)?,
        });
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        json!({if tree.any { "or" } else { "and" }: parts})
    })
}

/// The JSON Logic of a tree, each condition's field checked against the
/// definition's fields and computed values.
pub fn to_logic(tree: &Tree, definition: &Value) -> Result<Value, DefinitionError> {
    group_logic(tree, "", "", &known(definition))
}

/// How many items the list answer `id` has (unanswered: 0); the engine
/// has no `length`, so the items are counted with `reduce`.
fn count(id: &str) -> Value {
    json!({"reduce": [{"var": [id, []]}, {"+": [{"var": "accumulator"}, 1]}, 0]})
}

fn term_logic(
    term: &Term,
    pre: &str,
    money: bool,
    known: &[(String, String, String)],
) -> Result<Value, DefinitionError> {
    let kind_of = |id: &str| {
        known
            .iter()
            .find(|(k, _, _)| k == id)
            .map(|(_, _, kind)| kind.as_str())
    };
    match term {
        Term::Number(text) if money => cents(text)
            .map(|c| json!(c))
            .map_err(|_| {
                problem(
                    &format!("{pre}zahl"),
                    &format!(
                        "Zahl „{text}“: bitte Euro wie „25,00“ / number \"{text}\": please euros like \"25,00\""
                    ),
                )
            }),
        Term::Number(text) => number(text).ok_or_else(|| {
            problem(
                &format!("{pre}zahl"),
                &format!("Zahl „{text}“: keine gültige Zahl / number \"{text}\": not a valid number"),
            )
        }),
        Term::Field(id) => match kind_of(id) {
            Some("number" | "money" | "computed") => Ok(json!({"var": [id, 0]})),
            _ => Err(problem(
                &format!("{pre}quelle"),
                &format!(
                    "„{id}“ ist kein Zahlen- oder Betragsfeld und kein berechneter Wert / \"{id}\" is no number or money field and no computed value"
                ),
            )),
        },
        Term::Count(id) => match kind_of(id) {
            Some("group" | "checkboxes" | "file") => Ok(count(id)),
            _ => Err(problem(
                &format!("{pre}quelle"),
                &format!(
                    "„{id}“ ist keine Gruppe, keine Mehrfachauswahl und kein Datei-Feld / \"{id}\" is no group, checkboxes or file field"
                ),
            )),
        },
    }
}

/// The JSON Logic of a formula; in a fee's formula (`money`) typed
/// numbers are euros and become cents.
pub fn formula_logic(
    formula: &Formula,
    money: bool,
    definition: &Value,
) -> Result<Value, DefinitionError> {
    let known = known(definition);
    let terms = |op: &str, terms: &[Term]| -> Result<Value, DefinitionError> {
        if terms.is_empty() {
            return Err(problem(
                "t0_zahl",
                "Formel: bitte mindestens einen Wert angeben / formula: please give at least one value",
            ));
        }
        let list = terms
            .iter()
            .enumerate()
            .map(|(n, t)| term_logic(t, &format!("t{n}_"), money, &known))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(json!({op: list}))
    };
    match formula {
        Formula::Sum(list) => terms("+", list),
        Formula::Product(list) => terms("*", list),
        Formula::IfElse {
            condition,
            then,
            otherwise,
        } => Ok(json!({"if": [
            group_logic(condition, "w_", "", &known)?,
            term_logic(then, "dann_", money, &known)?,
            term_logic(otherwise, "sonst_", money, &known)?,
        ]})),
    }
}

fn condition_of(rule: &Value) -> Option<Condition> {
    let (op, arg) = rule.as_object().filter(|o| o.len() == 1)?.iter().next()?;
    let args: Vec<&Value> = match arg {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let var_name = |v: &Value| {
        v.as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("var"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match (op.as_str(), args.as_slice()) {
        ("!!" | "!", [v]) => Some(Condition {
            field: var_name(v)?,
            op: if op == "!!" { "ausgefuellt" } else { "leer" }.into(),
            value: String::new(),
        }),
        ("!==" | "===", [v, Value::Null]) => Some(Condition {
            field: var_name(v)?,
            op: if op == "!==" { "ausgefuellt" } else { "leer" }.into(),
            value: String::new(),
        }),
        ("==" | "!=" | ">" | "<", [v, lit]) => {
            let value = match lit {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string().replace('.', ","),
                Value::Bool(true) => "ja".into(),
                Value::Bool(false) => "nein".into(),
                _ => return None,
            };
            let op = match op.as_str() {
                "==" => "gleich",
                "!=" => "ungleich",
                ">" => "groesser",
                _ => "kleiner",
            };
            Some(Condition {
                field: var_name(v)?,
                op: op.into(),
                value,
            })
        }
        _ => None,
    }
}

fn node_of(rule: &Value, depth: usize) -> Option<Node> {
    if let Some(c) = condition_of(rule) {
        return Some(Node::Condition(c));
    }
    if depth > MAX_DEPTH {
        return None;
    }
    let (op, arg) = rule.as_object().filter(|o| o.len() == 1)?.iter().next()?;
    let any = match op.as_str() {
        "and" => false,
        "or" => true,
        _ => return None,
    };
    let items = arg
        .as_array()?
        .iter()
        .map(|r| node_of(r, depth + 1))
        .collect::<Option<Vec<_>>>()?;
    // Room for the empty row and group the page adds.
    (!items.is_empty() && items.len() + 2 <= MAX_ITEMS).then_some(Node::Group(Tree { any, items }))
}

/// The tree of a stored rule, or `None` when the tree cannot show it
/// (then only the raw view does).
pub fn from_logic(rule: &Value) -> Option<Tree> {
    match node_of(rule, 0)? {
        Node::Condition(c) => Some(Tree {
            any: false,
            items: vec![Node::Condition(c)],
        }),
        Node::Group(tree) => Some(tree),
    }
}

fn var_of(v: &Value) -> Option<String> {
    match v.as_object().filter(|o| o.len() == 1)?.get("var")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => match a.as_slice() {
            [Value::String(s)] => Some(s.clone()),
            [Value::String(s), Value::Number(n)] if n.as_f64() == Some(0.0) => Some(s.clone()),
            [Value::String(s), Value::Array(d)] if d.is_empty() => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn term_of(v: &Value, money: bool) -> Option<Term> {
    match v {
        Value::Number(n) if money => n
            .as_i64()
            .filter(|c| *c >= 0)
            .map(|c| Term::Number(euros(c))),
        Value::Number(n) => Some(Term::Number(shown(n))),
        _ => {
            if let Some(Value::Array(args)) = v
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get("reduce"))
            {
                let id = var_of(args.first()?)?;
                return (v == &count(&id)).then_some(Term::Count(id));
            }
            var_of(v).map(Term::Field)
        }
    }
}

/// The formula of a stored expression or amount rule, or `None` when the
/// formula inputs cannot show it (then only the raw view does).
pub fn formula_of(rule: &Value, money: bool) -> Option<Formula> {
    let (op, arg) = rule.as_object().filter(|o| o.len() == 1)?.iter().next()?;
    let list = arg.as_array()?;
    let terms = || {
        list.iter()
            .map(|t| term_of(t, money))
            .collect::<Option<Vec<_>>>()
            .filter(|t| !t.is_empty() && t.len() + 1 < MAX_ITEMS)
    };
    match (op.as_str(), list.as_slice()) {
        ("+", _) => terms().map(Formula::Sum),
        ("*", _) => terms().map(Formula::Product),
        ("if", [c, a, b]) => Some(Formula::IfElse {
            condition: from_logic(c)?,
            then: term_of(a, money)?,
            otherwise: term_of(b, money)?,
        }),
        _ => None,
    }
}

fn place<'a>(
    definition: &'a mut Value,
    t: &Target,
) -> Result<&'a mut Map<String, Value>, DefinitionError> {
    let gone = |p: &str| {
        problem(
            p,
            "diese Stelle gibt es nicht (mehr) / this place does not exist",
        )
    };
    if let Some(k) = t.fee {
        return fees(definition)?
            .get_mut(k)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| gone(&format!("$.fees[{k}]")));
    }
    let (step, field) = (t.step, t.field);
    let object = definition
        .get_mut("steps")
        .and_then(|s| s.get_mut(step))
        .ok_or_else(|| gone(&format!("$.steps[{step}]")))?;
    let object = match field {
        None => object,
        Some(f) => object
            .get_mut("fields")
            .and_then(|l| l.get_mut(f))
            .ok_or_else(|| gone(&format!("$.steps[{step}].fields[{f}]")))?,
    };
    let object = match (field, t.inner) {
        (Some(f), Some(k)) => object
            .get_mut("fields")
            .and_then(|l| l.get_mut(k))
            .ok_or_else(|| gone(&format!("$.steps[{step}].fields[{f}].fields[{k}]")))?,
        _ => object,
    };
    object
        .as_object_mut()
        .ok_or_else(|| gone(&format!("$.steps[{step}]")))
}

/// The definition's list under `key` (created empty when missing).
fn top_list<'a>(
    definition: &'a mut Value,
    key: &str,
    what: &str,
) -> Result<&'a mut Vec<Value>, DefinitionError> {
    let object = definition
        .as_object_mut()
        .ok_or_else(|| problem("$", "keine Definition / not a definition"))?;
    super::structure::list_in(object, key, &format!("$.{key}"), what)
}

fn fees(definition: &mut Value) -> Result<&mut Vec<Value>, DefinitionError> {
    top_list(definition, "fees", "die Gebühren / fees")
}

fn computed(definition: &mut Value) -> Result<&mut Vec<Value>, DefinitionError> {
    top_list(
        definition,
        "computed",
        "die berechneten Werte / computed values",
    )
}

fn validations(definition: &mut Value) -> Result<&mut Vec<Value>, DefinitionError> {
    top_list(definition, "validations", "die Prüfungen / validations")
}

/// The field a validation's message is shown at, as chosen: it must be
/// given and be a top-level field (the engine shows messages there only).
fn message_field(definition: &Value, field: &str) -> Result<(), DefinitionError> {
    if field.is_empty() {
        return Err(problem(
            "message_field",
            "Feld der Meldung: bitte ein Feld wählen / field of the message: please choose a field",
        ));
    }
    if !fields(definition).iter().any(|(id, _, _)| id == field) {
        return Err(problem(
            "message_field",
            &format!(
                "Feld der Meldung: unbekanntes Feld „{field}“ (Felder in Gruppen gehen nicht) / field of the message: unknown field \"{field}\" (fields in groups cannot be used)"
            ),
        ));
    }
    Ok(())
}

/// Moves entry `index` of `list` one place up or down
/// ([`super::structure::swap`]); refused when the entry there is not `id`
/// (a page older than the definition).
fn move_item(
    list: &mut [Value],
    index: usize,
    id: &str,
    up: bool,
    path: &str,
) -> Result<(), DefinitionError> {
    let there = list_item(list, index, path)?
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("");
    if there != id {
        return Err(problem(
            &format!("{path}[{index}]"),
            &format!(
                "An dieser Stelle steht inzwischen „{there}“, nicht „{id}“: bitte laden Sie die Seite neu / \"{there}\" is now at this place, not \"{id}\": please reload the page"
            ),
        ));
    }
    super::structure::swap(list, index, up, &format!("{path}[{index}]"))
}

fn list_item<'a>(
    list: &'a mut [Value],
    index: usize,
    path: &str,
) -> Result<&'a mut Map<String, Value>, DefinitionError> {
    list.get_mut(index)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            problem(
                &format!("{path}[{index}]"),
                "diesen Eintrag gibt es nicht (mehr) / this entry does not exist",
            )
        })
}

fn purpose(de: &str, en: &str) -> Value {
    json!({"de": de.trim(), "en": en.trim()})
}

/// Raw JSON Logic typed into `input`; empty is refused.
fn raw_logic(text: &str, input: &str) -> Result<Value, DefinitionError> {
    if text.trim().is_empty() {
        return Err(problem(
            input,
            "JSON Logic: bitte eine Formel angeben / please give a formula",
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        problem(
            input,
            &format!("JSON Logic: kein gültiges JSON / not valid JSON: {e}"),
        )
    })
}

fn set_label(object: &mut Map<String, Value>, de: &str, en: &str) {
    if de.is_empty() && en.is_empty() {
        object.remove("label");
    } else {
        object.insert("label".into(), purpose(de, en));
    }
}

/// Applies `edit` to `definition`; the engine's check on saving decides
/// whether the result is valid.
pub fn apply(definition: &mut Value, edit: &RuleEdit) -> Result<(), DefinitionError> {
    match edit {
        RuleEdit::SetTree(t, tree) => {
            let logic = to_logic(tree, definition)?;
            place(definition, t)?.insert(t.key.into(), logic);
        }
        RuleEdit::SetRaw(t, text) => {
            if text.trim().is_empty() {
                place(definition, t)?.remove(t.key);
            } else {
                let logic = raw_logic(text, "rule")?;
                place(definition, t)?.insert(t.key.into(), logic);
            }
        }
        RuleEdit::Remove(t) => {
            place(definition, t)?.remove(t.key);
        }
        RuleEdit::AddFee {
            id,
            purpose_de,
            purpose_en,
            amount,
        } => {
            let cents = cents(amount)?;
            fees(definition)?.push(json!({
                "id": id, "purpose": purpose(purpose_de, purpose_en), "amount_cents": cents
            }));
        }
        RuleEdit::EditFee {
            fee,
            purpose_de,
            purpose_en,
            amount,
        } => {
            let (key, value) = match amount {
                FeeAmount::Fixed(text) => ("amount_cents", json!(cents(text)?)),
                FeeAmount::Formula(f) => ("amount_rule", formula_logic(f, true, definition)?),
            };
            let object = list_item(fees(definition)?, *fee, "$.fees")?;
            object.insert("purpose".into(), purpose(purpose_de, purpose_en));
            object.remove("amount_rule");
            object.remove("amount_cents");
            object.insert(key.into(), value);
        }
        RuleEdit::SetFeeRaw { fee, text } => {
            let logic = raw_logic(text, "rule")?;
            let object = list_item(fees(definition)?, *fee, "$.fees")?;
            object.remove("amount_cents");
            object.insert("amount_rule".into(), logic);
        }
        RuleEdit::DeleteFee { fee } => {
            let list = fees(definition)?;
            list_item(list, *fee, "$.fees")?;
            list.remove(*fee);
        }
        RuleEdit::AddComputed {
            id,
            label_de,
            label_en,
            formula,
        } => {
            let expression = formula_logic(formula, false, definition)?;
            let mut object = Map::new();
            object.insert("id".into(), json!(id));
            object.insert("expression".into(), expression);
            set_label(&mut object, label_de, label_en);
            computed(definition)?.push(Value::Object(object));
        }
        RuleEdit::EditComputed {
            index,
            label_de,
            label_en,
            formula,
        } => {
            let expression = formula_logic(formula, false, definition)?;
            let object = list_item(computed(definition)?, *index, "$.computed")?;
            object.insert("expression".into(), expression);
            set_label(object, label_de, label_en);
        }
        RuleEdit::SetComputedRaw { index, text } => {
            let logic = raw_logic(text, "rule")?;
            list_item(computed(definition)?, *index, "$.computed")?
                .insert("expression".into(), logic);
        }
        RuleEdit::DeleteComputed { index } => {
            let list = computed(definition)?;
            list_item(list, *index, "$.computed")?;
            list.remove(*index);
            if list.is_empty() {
                definition.as_object_mut().map(|o| o.remove("computed"));
            }
        }
        RuleEdit::AddValidation {
            id,
            message_de,
            message_en,
            field,
            tree,
        } => {
            message_field(definition, field)?;
            let rule = group_logic(tree, "", "", &offered(definition))?;
            validations(definition)?.push(json!({
                "id": id,
                "rule": rule,
                "message": purpose(message_de, message_en),
                "fields": [field],
            }));
        }
        RuleEdit::EditValidation {
            index,
            message_de,
            message_en,
            field,
            tree,
        } => {
            message_field(definition, field)?;
            let rule = group_logic(tree, "", "", &offered(definition))?;
            let object = list_item(validations(definition)?, *index, "$.validations")?;
            // The chosen field first (it gets the message), the others kept.
            let mut names = vec![json!(field)];
            for other in object
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if other.as_str() != Some(field.as_str()) {
                    names.push(other.clone());
                }
            }
            object.insert("rule".into(), rule);
            object.insert("message".into(), purpose(message_de, message_en));
            object.insert("fields".into(), Value::Array(names));
        }
        RuleEdit::SetValidationRaw { index, text } => {
            let logic = raw_logic(text, "rule")?;
            list_item(validations(definition)?, *index, "$.validations")?
                .insert("rule".into(), logic);
        }
        RuleEdit::MoveComputed { index, id, up } => {
            move_item(computed(definition)?, *index, id, *up, "$.computed")?;
        }
        RuleEdit::MoveValidation { index, id, up } => {
            move_item(validations(definition)?, *index, id, *up, "$.validations")?;
        }
        RuleEdit::DeleteValidation { index } => {
            let list = validations(definition)?;
            list_item(list, *index, "$.validations")?;
            list.remove(*index);
            if list.is_empty() {
                definition.as_object_mut().map(|o| o.remove("validations"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn definition() -> Value {
        json!({"steps": [{"id": "a", "fields": [
            {"id": "hund", "type": "yes_no", "label": {"de": "Hund?"}},
            {"id": "zahl", "type": "number", "label": {"de": "Zahl"}},
            {"id": "name", "type": "text", "label": {"de": "Name"}}]}],
            "fees": [{"id": "g", "purpose": {"de": "G", "en": "F"}, "amount_cents": 100}]})
    }

    fn c(field: &str, op: &str, value: &str) -> Node {
        Node::Condition(Condition {
            field: field.into(),
            op: op.into(),
            value: value.into(),
        })
    }

    fn posted<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> String + 'a {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
                .unwrap_or_default()
        }
    }

    #[test]
    fn cross_field_validations_are_added_edited_and_deleted() {
        let mut d = definition();
        let add = [
            ("id", "genug"),
            ("message_de", "Bei einem Hund: Zahl über 0"),
            ("message_en", "With a dog: number above 0"),
            ("message_field", "zahl"),
            ("combine", "oder"),
            ("c0_field", "hund"),
            ("c0_op", "gleich"),
            ("c0_value", "nein"),
            ("c1_field", "zahl"),
            ("c1_op", "groesser"),
            ("c1_value", "0"),
        ];
        let edit = parse("pruefung_neu", &posted(&add)).unwrap().unwrap();
        apply(&mut d, &edit).unwrap();
        assert_eq!(
            d["validations"],
            json!([{"id": "genug",
                "rule": {"or": [{"==": [{"var": "hund"}, false]}, {">": [{"var": "zahl"}, 0]}]},
                "message": {"de": "Bei einem Hund: Zahl über 0", "en": "With a dog: number above 0"},
                "fields": ["zahl"]}])
        );
        assert!(from_logic(&d["validations"][0]["rule"]).is_some());
        // Edited: another field first, the rest of `fields` kept.
        d["validations"][0]["fields"] = json!(["zahl", "name"]);
        let mut changed = add.to_vec();
        changed.push(("pruefung", "0"));
        changed[4] = ("combine", "und");
        changed[3] = ("message_field", "name");
        let edit = parse("pruefung_bearbeiten", &posted(&changed))
            .unwrap()
            .unwrap();
        apply(&mut d, &edit).unwrap();
        assert_eq!(d["validations"][0]["fields"], json!(["name", "zahl"]));
        assert!(d["validations"][0]["rule"].get("and").is_some());
        // Our own checks name the input; the definition stays as it was.
        let before = d.clone();
        for (pairs, input) in [
            (
                vec![("pruefung", "0"), ("message_field", "")],
                "message_field",
            ),
            (
                vec![("pruefung", "0"), ("message_field", "gibtsnicht")],
                "message_field",
            ),
            (
                vec![("pruefung", "0"), ("message_field", "zahl")],
                "c0_field",
            ),
            (
                vec![
                    ("pruefung", "0"),
                    ("message_field", "zahl"),
                    ("c0_field", "zahl"),
                    ("c0_op", "groesser"),
                    ("c0_value", "x"),
                ],
                "c0_value",
            ),
            (
                vec![
                    ("pruefung", "9"),
                    ("message_field", "zahl"),
                    ("c0_field", "name"),
                    ("c0_op", "ausgefuellt"),
                ],
                "$.validations[9]",
            ),
        ] {
            let edit = parse("pruefung_bearbeiten", &posted(&pairs))
                .unwrap()
                .unwrap();
            let mut copy = d.clone();
            let err = apply(&mut copy, &edit).unwrap_err();
            assert_eq!(err.path, input, "{pairs:?}");
            assert!(
                err.message.contains(" / "),
                "German / English: {}",
                err.message
            );
        }
        assert_eq!(d, before);
        assert!(matches!(
            parse("pruefung_roh", &posted(&[("pruefung", "x")])),
            Some(Err(e)) if e.path == "pruefung"
        ));
        // Raw JSON Logic, then delete: the key goes with the last one.
        let raw = parse(
            "pruefung_roh",
            &posted(&[
                ("pruefung", "0"),
                ("rule", r#"{"in": [{"var": "name"}, ["a"]]}"#),
            ]),
        )
        .unwrap()
        .unwrap();
        apply(&mut d, &raw).unwrap();
        assert_eq!(
            d["validations"][0]["rule"],
            json!({"in": [{"var": "name"}, ["a"]]})
        );
        let delete = parse("pruefung_loeschen", &posted(&[("pruefung", "0")]))
            .unwrap()
            .unwrap();
        apply(&mut d, &delete).unwrap();
        assert!(d.get("validations").is_none());
    }

    #[test]
    fn rules_of_inner_fields_are_set_on_the_inner_field() {
        let mut d = json!({"steps": [{"id": "a", "fields": [
            {"id": "name", "type": "text", "label": {"de": "Name"}},
            {"id": "hunde", "type": "group", "label": {"de": "Hunde"}, "fields": [
                {"id": "chip", "type": "yes_no", "label": {"de": "Chip?"}},
                {"id": "nummer", "type": "text", "label": {"de": "Nummer"}}]}]}]});
        let pairs = [
            ("step", "0"),
            ("field", "1"),
            ("inner", "1"),
            ("art", "pflicht"),
            ("c0_field", "chip"),
            ("c0_op", "gleich"),
            ("c0_value", "ja"),
        ];
        let edit = parse("regel_baum", &posted(&pairs)).unwrap().unwrap();
        apply(&mut d, &edit).unwrap();
        let inner = &d["steps"][0]["fields"][1]["fields"][1];
        assert_eq!(inner["required_if"], json!({"==": [{"var": "chip"}, true]}));
        assert!(d["steps"][0]["fields"][1].get("required_if").is_none());
        // The engine accepts it: an earlier field of the same entry.
        let mut full = d.clone();
        full["id"] = json!("f");
        full["version"] = json!(1);
        full["title"] = json!({"de": "F", "en": "F"});
        full["summary"] = json!({"de": "F", "en": "F"});
        full["authority"] = json!({"id": "a", "name": {"de": "A", "en": "A"}});
        full["steps"][0]["title"] = json!({"de": "A", "en": "A"});
        let loaded = amtsweg_forms::Form::load(&full.to_string());
        assert!(loaded.is_ok(), "{:?}", loaded.err());
        // A missing inner position is refused, naming it.
        let mut bad = pairs.to_vec();
        bad[2] = ("inner", "5");
        let edit = parse("regel_baum", &posted(&bad)).unwrap().unwrap();
        let err = apply(&mut d.clone(), &edit).unwrap_err();
        assert_eq!(err.path, "$.steps[0].fields[1].fields[5]");
        bad[2] = ("inner", "x");
        assert!(matches!(
            parse("regel_baum", &posted(&bad)),
            Some(Err(e)) if e.path == "inner"
        ));
        let remove = parse("regel_entfernen", &posted(&pairs)).unwrap().unwrap();
        apply(&mut d, &remove).unwrap();
        assert!(
            d["steps"][0]["fields"][1]["fields"][1]
                .get("required_if")
                .is_none()
        );
    }

    #[test]
    fn a_tree_becomes_json_logic_and_reads_back() {
        let tree = Tree {
            any: true,
            items: vec![
                c("hund", "gleich", "ja"),
                c("zahl", "groesser", "3"),
                c("name", "ausgefuellt", ""),
            ],
        };
        let logic = to_logic(&tree, &definition()).unwrap();
        assert_eq!(
            logic,
            json!({"or": [{"==": [{"var": "hund"}, true]}, {">": [{"var": "zahl"}, 3]}, {"!!": [{"var": "name"}]}]})
        );
        assert_eq!(from_logic(&logic), Some(tree));
        let one = Tree {
            any: false,
            items: vec![c("name", "ungleich", "Rex")],
        };
        let logic = to_logic(&one, &definition()).unwrap();
        assert_eq!(logic, json!({"!=": [{"var": "name"}, "Rex"]}));
        assert_eq!(from_logic(&logic), Some(one));
        // "No" is an answer to a yes/no field.
        let answered = Tree {
            any: false,
            items: vec![c("hund", "ausgefuellt", "")],
        };
        let logic = to_logic(&answered, &definition()).unwrap();
        assert_eq!(logic, json!({"!==": [{"var": "hund"}, null]}));
        assert_eq!(from_logic(&logic), Some(answered));
        let rule = amtsweg_forms::rules::CompiledRule::compile(&logic).unwrap();
        assert!(rule.test(&json!({"hund": false})).unwrap());
        assert!(!rule.test(&json!({})).unwrap());
        // The tree cannot show this one: raw view only.
        assert_eq!(from_logic(&json!({"in": [{"var": "name"}, ["a"]]})), None);
        assert_eq!(
            from_logic(&json!({"and": [{"==": [{"var": "a"}, 1]}, {"or": []}]})),
            None
        );
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        let bad = |cond| {
            to_logic(
                &Tree {
                    any: false,
                    items: vec![cond],
                },
                &definition(),
            )
            .unwrap_err()
            .message
        };
        assert!(bad(c("katze", "gleich", "x")).contains("unbekanntes Feld „katze“"));
        assert!(bad(c("zahl", "kleiner", "viel")).contains("keine gültige Zahl"));
        assert!(bad(c("hund", "gleich", "vielleicht")).contains("„ja“ oder „nein“"));
        let empty = Tree {
            any: false,
            items: vec![],
        };
        assert!(to_logic(&empty, &definition()).is_err());
    }

    #[test]
    fn amounts_in_euros_become_cents() {
        assert_eq!(cents("25,00").unwrap(), 2500);
        assert_eq!(cents("25").unwrap(), 2500);
        assert_eq!(cents("7,5").unwrap(), 750);
        assert_eq!(cents("0.99 €").unwrap(), 99);
        for bad in ["12,3x", "", "-1", "1,234", "1,", "zehn"] {
            assert!(cents(bad).unwrap_err().message.contains("25,00"), "{bad}");
        }
        assert_eq!(euros(1500), "15,00");
        assert_eq!(euros(-50), "-0,50");
        assert_eq!(euros(-1250), "-12,50");
    }

    #[test]
    fn fees_and_rules_are_set_and_removed() {
        let get_from = |list: Vec<(&'static str, &'static str)>| {
            move |n: &str| {
                list.iter()
                    .find(|(k, _)| *k == n)
                    .map_or(String::new(), |(_, v)| (*v).to_owned())
            }
        };
        let mut d = definition();
        let get = get_from(vec![
            ("id", "extra"),
            ("purpose_de", "Zuschlag"),
            ("purpose_en", "Surcharge"),
            ("amount", "12,50"),
        ]);
        apply(&mut d, &parse("gebuehr_neu", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["fees"][1]["amount_cents"], 1250);
        let get = get_from(vec![("fee", "0"), ("purpose_de", "Neu"), ("amount", "3")]);
        apply(&mut d, &parse("gebuehr_bearbeiten", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["fees"][0]["amount_cents"], 300);
        assert_eq!(d["fees"][0]["purpose"]["de"], "Neu");
        let get = get_from(vec![("fee", "0")]);
        apply(&mut d, &parse("gebuehr_loeschen", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["fees"][0]["id"], "extra");
        let get = get_from(vec![("fee", "5")]);
        assert!(apply(&mut d, &parse("gebuehr_loeschen", &get).unwrap().unwrap()).is_err());

        let get = get_from(vec![
            ("step", "0"),
            ("field", "2"),
            ("art", "pflicht"),
            ("c0_field", "hund"),
            ("c0_op", "gleich"),
            ("c0_value", "nein"),
        ]);
        apply(&mut d, &parse("regel_baum", &get).unwrap().unwrap()).unwrap();
        assert_eq!(
            d["steps"][0]["fields"][2]["required_if"],
            json!({"==": [{"var": "hund"}, false]})
        );
        let get = get_from(vec![
            ("step", "0"),
            ("art", "sichtbar"),
            ("rule", r#"{"in": [{"var": "name"}, ["a"]]}"#),
        ]);
        apply(&mut d, &parse("regel_roh", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["steps"][0]["visible_if"]["in"][1][0], "a");
        let get = get_from(vec![("step", "0"), ("art", "sichtbar")]);
        apply(&mut d, &parse("regel_entfernen", &get).unwrap().unwrap()).unwrap();
        assert!(d["steps"][0].get("visible_if").is_none());
        // A step has no requirement rule.
        let get = get_from(vec![("step", "0"), ("art", "pflicht")]);
        assert!(parse("regel_entfernen", &get).unwrap().is_err());
        assert!(parse("was", &get).is_none());
    }

    fn group(any: bool, items: Vec<Node>) -> Node {
        Node::Group(Tree { any, items })
    }

    fn groups_definition() -> Value {
        let mut d = definition();
        d["steps"][0]["fields"].as_array_mut().unwrap().extend([
            json!({"id": "betrag", "type": "money", "label": {"de": "Betrag"}}),
            json!({"id": "kinder", "type": "group", "label": {"de": "Kinder"},
                       "fields": [{"id": "kname", "type": "text", "label": {"de": "Name"}}]}),
        ]);
        d["computed"] = json!([{"id": "summe", "expression": {"+": [1, 2]}}]);
        d
    }

    #[test]
    fn nested_trees_become_json_logic_and_read_back() {
        // A and (B or (C and D))
        let tree = Tree {
            any: false,
            items: vec![
                c("hund", "gleich", "ja"),
                group(
                    true,
                    vec![
                        c("zahl", "groesser", "3"),
                        group(
                            false,
                            vec![c("name", "ausgefuellt", ""), c("name", "ungleich", "Rex")],
                        ),
                    ],
                ),
            ],
        };
        let logic = to_logic(&tree, &definition()).unwrap();
        assert_eq!(
            logic,
            json!({"and": [
                {"==": [{"var": "hund"}, true]},
                {"or": [
                    {">": [{"var": "zahl"}, 3]},
                    {"and": [{"!!": [{"var": "name"}]}, {"!=": [{"var": "name"}, "Rex"]}]}
                ]}
            ]})
        );
        assert_eq!(from_logic(&logic), Some(tree));
        let rule = amtsweg_forms::rules::CompiledRule::compile(&logic).unwrap();
        assert!(rule.test(&json!({"hund": true, "zahl": 5})).unwrap());
        assert!(rule.test(&json!({"hund": true, "name": "Bello"})).unwrap());
        assert!(!rule.test(&json!({"hund": true, "name": "Rex"})).unwrap());
        assert!(!rule.test(&json!({"hund": false, "zahl": 5})).unwrap());
        // Deeper than the tree offers: raw view only.
        let deep = json!({"and": [{"or": [{"and": [{"or": [{"!!": [{"var": "a"}]}, {"!": [{"var": "b"}]}]}]}]}]});
        assert_eq!(from_logic(&deep), None);
        // A group inside a group with one item reads back as that item.
        let one = Tree {
            any: true,
            items: vec![
                c("name", "leer", ""),
                group(false, vec![c("zahl", "kleiner", "2,5")]),
            ],
        };
        assert_eq!(
            to_logic(&one, &definition()).unwrap(),
            json!({"or": [{"!": [{"var": "name"}]}, {"<": [{"var": "zahl"}, 2.5]}]})
        );
        // The error names the nested condition and its input.
        let bad = Tree {
            any: false,
            items: vec![
                c("hund", "leer", ""),
                group(true, vec![c("katze", "leer", "")]),
            ],
        };
        let e = to_logic(&bad, &definition()).unwrap_err();
        assert_eq!(e.path, "g1_c0_field");
        assert!(
            e.message
                .contains("Bedingung 2.1: unbekanntes Feld „katze“"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_posted_tree_is_read_by_its_names() {
        let posted = [
            ("combine", "und"),
            ("c0_field", "hund"),
            ("c0_op", "gleich"),
            ("c0_value", "ja"),
            ("c1_field", ""),
            ("g2_combine", "oder"),
            ("g2_c0_field", "zahl"),
            ("g2_c0_op", "groesser"),
            ("g2_c0_value", "3"),
            ("g2_c1_field", "name"),
            ("g2_c1_op", "ausgefuellt"),
            // The empty group the page offers: left out.
            ("g3_combine", "und"),
            ("g3_c0_field", ""),
            ("g2_g2_combine", "und"),
        ];
        let get = |n: &str| {
            posted
                .iter()
                .find(|(k, _)| *k == n)
                .map_or(String::new(), |(_, v)| (*v).to_owned())
        };
        let tree = parse_tree(&get, "", 0);
        assert_eq!(
            tree,
            Tree {
                any: false,
                items: vec![
                    c("hund", "gleich", "ja"),
                    group(
                        true,
                        vec![c("zahl", "groesser", "3"), c("name", "ausgefuellt", "")]
                    ),
                ],
            }
        );
    }

    #[test]
    fn formulas_become_json_logic_read_back_and_compute() {
        use amtsweg_forms::rules::CompiledRule;
        let d = groups_definition();
        let sum = Formula::Sum(vec![
            Term::Field("zahl".into()),
            Term::Count("kinder".into()),
            Term::Number("2,5".into()),
            Term::Field("summe".into()),
        ]);
        let logic = formula_logic(&sum, false, &d).unwrap();
        assert_eq!(
            logic,
            json!({"+": [{"var": ["zahl", 0]}, {"reduce": [{"var": ["kinder", []]}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 2.5, {"var": ["summe", 0]}]})
        );
        assert_eq!(formula_of(&logic, false), Some(sum));
        let rule = CompiledRule::compile(&logic).unwrap();
        assert_eq!(
            rule.eval(&json!({"zahl": 2, "kinder": [{}, {}], "summe": 3}))
                .unwrap()
                .as_f64(),
            Some(9.5)
        );
        // Unanswered: 0 and no items.
        assert_eq!(rule.eval(&json!({})).unwrap().as_f64(), Some(2.5));
        assert_eq!(
            rule.eval(&json!({"zahl": null, "kinder": null}))
                .unwrap()
                .as_f64(),
            Some(2.5)
        );

        // A fee: 12,50 € per child.
        let per_child = Formula::Product(vec![
            Term::Count("kinder".into()),
            Term::Number("12,50".into()),
        ]);
        let logic = formula_logic(&per_child, true, &d).unwrap();
        assert_eq!(
            logic,
            json!({"*": [{"reduce": [{"var": ["kinder", []]}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 1250]})
        );
        assert_eq!(formula_of(&logic, true), Some(per_child));
        let rule = CompiledRule::compile(&logic).unwrap();
        assert_eq!(
            rule.eval(&json!({"kinder": [{}, {}, {}]}))
                .unwrap()
                .as_f64(),
            Some(3750.0)
        );

        // If-then-else on a nested condition.
        let choice = Formula::IfElse {
            condition: Tree {
                any: false,
                items: vec![
                    c("hund", "gleich", "ja"),
                    group(
                        true,
                        vec![c("zahl", "groesser", "1"), c("summe", "gleich", "3")],
                    ),
                ],
            },
            then: Term::Number("60,00".into()),
            otherwise: Term::Field("betrag".into()),
        };
        let logic = formula_logic(&choice, true, &d).unwrap();
        assert_eq!(logic["if"][1], json!(6000));
        assert_eq!(
            logic["if"][0]["and"][1]["or"][1],
            json!({"==": [{"var": "summe"}, 3]})
        );
        assert_eq!(formula_of(&logic, true), Some(choice));
        let rule = CompiledRule::compile(&logic).unwrap();
        assert_eq!(
            rule.eval(&json!({"hund": true, "zahl": 2}))
                .unwrap()
                .as_f64(),
            Some(6000.0)
        );
        assert_eq!(
            rule.eval(&json!({"hund": false, "betrag": 700}))
                .unwrap()
                .as_f64(),
            Some(700.0)
        );

        // Wrong kinds of fields and numbers are refused with their input.
        let e =
            formula_logic(&Formula::Sum(vec![Term::Field("name".into())]), false, &d).unwrap_err();
        assert_eq!(e.path, "t0_quelle");
        assert!(
            e.message
                .contains("„name“ ist kein Zahlen- oder Betragsfeld")
        );
        let e = formula_logic(
            &Formula::Sum(vec![Term::Number("1".into()), Term::Count("zahl".into())]),
            false,
            &d,
        )
        .unwrap_err();
        assert_eq!(e.path, "t1_quelle");
        let e = formula_logic(
            &Formula::Product(vec![Term::Number("viel".into())]),
            true,
            &d,
        )
        .unwrap_err();
        assert_eq!(e.path, "t0_zahl");
        assert!(e.message.contains("Zahl „viel“"));
        assert!(formula_logic(&Formula::Sum(vec![]), false, &d).is_err());
        // Not a formula the inputs show: raw view only.
        assert_eq!(
            formula_of(&json!({"reduce": [{"var": "kinder"}, 1, 0]}), false),
            None
        );
        assert_eq!(formula_of(&json!({"*": [1.5, 2]}), true), None);
    }

    #[test]
    fn computed_values_and_fee_rules_are_set() {
        let get_from = |list: Vec<(&'static str, &'static str)>| {
            move |n: &str| {
                list.iter()
                    .find(|(k, _)| *k == n)
                    .map_or(String::new(), |(_, v)| (*v).to_owned())
            }
        };
        let mut d = groups_definition();
        let get = get_from(vec![
            ("id", "personen"),
            ("label_de", "Personen"),
            ("formel", "summe"),
            ("t0_quelle", "anzahl:kinder"),
            ("t1_zahl", "1"),
        ]);
        apply(&mut d, &parse("wert_neu", &get).unwrap().unwrap()).unwrap();
        assert_eq!(
            d["computed"][1],
            json!({"id": "personen", "label": {"de": "Personen", "en": ""},
                   "expression": {"+": [{"reduce": [{"var": ["kinder", []]}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 1]}})
        );
        let get = get_from(vec![
            ("wert", "1"),
            ("formel", "wenn"),
            ("w_combine", "und"),
            ("w_c0_field", "hund"),
            ("w_c0_op", "gleich"),
            ("w_c0_value", "ja"),
            ("dann_zahl", "2"),
        ]);
        apply(&mut d, &parse("wert_bearbeiten", &get).unwrap().unwrap()).unwrap();
        assert_eq!(
            d["computed"][1],
            json!({"id": "personen", "expression": {"if": [{"==": [{"var": "hund"}, true]}, 2, 0]}})
        );
        let get = get_from(vec![("wert", "1"), ("rule", "{kaputt")]);
        assert!(
            apply(&mut d, &parse("wert_roh", &get).unwrap().unwrap())
                .unwrap_err()
                .message
                .contains("kein gültiges JSON")
        );
        let get = get_from(vec![("wert", "1"), ("formel", "quadrat")]);
        assert_eq!(
            parse("wert_bearbeiten", &get).unwrap().unwrap_err().path,
            "formel"
        );
        let get = get_from(vec![("wert", "0")]);
        apply(&mut d, &parse("wert_loeschen", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["computed"][0]["id"], "personen");

        // A fee: per child, only with a dog.
        let get = get_from(vec![
            ("fee", "0"),
            ("purpose_de", "G"),
            ("purpose_en", "F"),
            ("betragsart", "formel"),
            ("formel", "produkt"),
            ("t0_quelle", "anzahl:kinder"),
            ("t1_zahl", "5"),
        ]);
        apply(&mut d, &parse("gebuehr_bearbeiten", &get).unwrap().unwrap()).unwrap();
        assert_eq!(
            d["fees"][0],
            json!({"id": "g", "purpose": {"de": "G", "en": "F"},
                   "amount_rule": {"*": [{"reduce": [{"var": ["kinder", []]}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 500]}})
        );
        let get = get_from(vec![
            ("fee", "0"),
            ("art", "gebuehr"),
            ("combine", "und"),
            ("c0_field", "hund"),
            ("c0_op", "ausgefuellt"),
        ]);
        apply(&mut d, &parse("regel_baum", &get).unwrap().unwrap()).unwrap();
        assert_eq!(
            d["fees"][0]["applies_if"],
            json!({"!==": [{"var": "hund"}, null]})
        );
        let get = get_from(vec![
            ("fee", "0"),
            ("rule", "{\"*\": [{\"var\": \"zahl\"}, 100]}"),
        ]);
        apply(&mut d, &parse("gebuehr_roh", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["fees"][0]["amount_rule"]["*"][1], 100);
        let get = get_from(vec![("fee", "0"), ("purpose_de", "G"), ("amount", "3")]);
        apply(&mut d, &parse("gebuehr_bearbeiten", &get).unwrap().unwrap()).unwrap();
        assert_eq!(d["fees"][0]["amount_cents"], 300);
        assert!(d["fees"][0].get("amount_rule").is_none());
        assert!(d["fees"][0].get("applies_if").is_some());
        let get = get_from(vec![("fee", "0"), ("art", "gebuehr")]);
        apply(&mut d, &parse("regel_entfernen", &get).unwrap().unwrap()).unwrap();
        assert!(d["fees"][0].get("applies_if").is_none());
        // The selects offer top-level fields (a group, not its fields).
        let offered: Vec<String> = offered(&d).into_iter().map(|(id, _, _)| id).collect();
        assert_eq!(
            offered,
            ["hund", "zahl", "name", "betrag", "kinder", "personen"]
        );
    }
}
