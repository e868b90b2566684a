//! Rules and fees in the structured editor: visibility and requirement
//! rules built from a list of conditions ("field — operator — value",
//! combined with "and" / "or") and stored as JSON Logic where the engine
//! reads them (`visible_if`, `required_if`); reading a stored rule back
//! into that list when it can be represented; the raw JSON Logic (expert)
//! view; fixed fees in euros stored as cents.

use amtsweg_forms::DefinitionError;
use serde_json::{Map, Value, json};

/// How many condition rows the tree form offers.
pub const ROWS: usize = 4;

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

/// A list of conditions, all or at least one of which must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub any: bool,
    pub conditions: Vec<Condition>,
}

/// Which rule of which place.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub step: usize,
    /// `None`: the step's own rule.
    pub field: Option<usize>,
    /// `visible_if` or `required_if`.
    pub key: &'static str,
}

/// A change to a rule or a fee.
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
        amount: String,
    },
    DeleteFee {
        fee: usize,
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
    let step = position(get, "step")?;
    let field = if get("field").trim().is_empty() {
        None
    } else {
        Some(position(get, "field")?)
    };
    let key = match get("art").as_str() {
        "sichtbar" => "visible_if",
        "pflicht" if field.is_some() => "required_if",
        _ => {
            return Err(problem("art", "unbekannte Regelart / unknown kind of rule"));
        }
    };
    Ok(Target { step, field, key })
}

/// The rule or fee change of the posted fields, or `None` when `aktion`
/// names no such change.
pub fn parse(
    action: &str,
    get: &dyn Fn(&str) -> String,
) -> Option<Result<RuleEdit, DefinitionError>> {
    let edit = match action {
        "regel_baum" => target(get).map(|t| {
            let conditions = (0..ROWS)
                .map(|n| Condition {
                    field: get(&format!("c{n}_field")).trim().to_owned(),
                    op: get(&format!("c{n}_op")),
                    value: get(&format!("c{n}_value")).trim().to_owned(),
                })
                .filter(|c| !c.field.is_empty())
                .collect();
            RuleEdit::SetTree(
                t,
                Tree {
                    any: get("combine") == "oder",
                    conditions,
                },
            )
        }),
        "regel_roh" => target(get).map(|t| RuleEdit::SetRaw(t, get("rule"))),
        "regel_entfernen" => target(get).map(RuleEdit::Remove),
        "gebuehr_neu" => Ok(RuleEdit::AddFee {
            id: get("id").trim().to_owned(),
            purpose_de: get("purpose_de"),
            purpose_en: get("purpose_en"),
            amount: get("amount"),
        }),
        "gebuehr_bearbeiten" => position(get, "fee").map(|fee| RuleEdit::EditFee {
            fee,
            purpose_de: get("purpose_de"),
            purpose_en: get("purpose_en"),
            amount: get("amount"),
        }),
        "gebuehr_loeschen" => position(get, "fee").map(|fee| RuleEdit::DeleteFee { fee }),
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

/// Every field of the definition (also inside groups): id, German label
/// and type.
pub fn fields(definition: &Value) -> Vec<(String, String, String)> {
    fn walk(list: &Value, out: &mut Vec<(String, String, String)>) {
        for f in list.as_array().into_iter().flatten() {
            let s = |p: &str| {
                f.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            out.push((s("/id"), s("/label/de"), s("/type")));
            if let Some(inner) = f.get("fields") {
                walk(inner, out);
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
            walk(list, &mut out);
        }
    }
    out
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
    if numeric {
        return c
            .value
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .and_then(|n| {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    Some(json!(n as i64))
                } else {
                    serde_json::Number::from_f64(n).map(Value::Number)
                }
            })
            .ok_or_else(|| problem(path, "Wert: keine gültige Zahl / value: not a valid number"));
    }
    Ok(json!(c.value))
}

/// The JSON Logic of a tree, each condition's field checked against the
/// definition's fields.
pub fn to_logic(tree: &Tree, definition: &Value) -> Result<Value, DefinitionError> {
    if tree.conditions.is_empty() {
        return Err(problem(
            "c0_field",
            "Bitte mindestens eine Bedingung angeben / please give at least one condition",
        ));
    }
    let known = fields(definition);
    let mut parts = Vec::new();
    for (n, c) in tree.conditions.iter().enumerate() {
        let path = format!("c{n}_field");
        let Some((_, _, kind)) = known.iter().find(|(id, _, _)| *id == c.field) else {
            return Err(problem(
                &path,
                &format!(
                    "Bedingung {}: unbekanntes Feld „{}“ / condition {}: unknown field \"{}\"",
                    n + 1,
                    c.field,
                    n + 1,
                    c.field
                ),
            ));
        };
        let var = json!({"var": c.field});
        // "No" of a yes/no field is an answer: there only "no answer"
        // (null) counts as not filled in.
        let part = match c.op.as_str() {
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
                            &format!("c{n}_op"),
                            "unbekannter Vergleich / unknown operator",
                        ));
                    }
                };
                json!({logic: [var, literal(kind, c, &format!("c{n}_value"))?]})
            }
        };
        parts.push(part);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        json!({if tree.any { "or" } else { "and" }: parts})
    })
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

/// The tree of a stored rule, or `None` when the tree cannot show it
/// (then only the raw view does).
pub fn from_logic(rule: &Value) -> Option<Tree> {
    if let Some(c) = condition_of(rule) {
        return Some(Tree {
            any: false,
            conditions: vec![c],
        });
    }
    let (op, arg) = rule.as_object().filter(|o| o.len() == 1)?.iter().next()?;
    let any = match op.as_str() {
        "and" => false,
        "or" => true,
        _ => return None,
    };
    let conditions = arg
        .as_array()?
        .iter()
        .map(condition_of)
        .collect::<Option<Vec<_>>>()?;
    (!conditions.is_empty() && conditions.len() <= ROWS).then_some(Tree { any, conditions })
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
    let step = definition
        .get_mut("steps")
        .and_then(|s| s.get_mut(t.step))
        .ok_or_else(|| gone(&format!("$.steps[{}]", t.step)))?;
    let object = match t.field {
        None => step,
        Some(f) => step
            .get_mut("fields")
            .and_then(|l| l.get_mut(f))
            .ok_or_else(|| gone(&format!("$.steps[{}].fields[{f}]", t.step)))?,
    };
    object
        .as_object_mut()
        .ok_or_else(|| gone(&format!("$.steps[{}]", t.step)))
}

fn fees(definition: &mut Value) -> Result<&mut Vec<Value>, DefinitionError> {
    definition
        .as_object_mut()
        .ok_or_else(|| problem("$", "keine Definition / not a definition"))?
        .entry("fees")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| {
            problem(
                "$.fees",
                "die Gebühren sind keine Liste / fees are not a list",
            )
        })
}

fn purpose(de: &str, en: &str) -> Value {
    json!({"de": de.trim(), "en": en.trim()})
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
                let logic: Value = serde_json::from_str(text).map_err(|e| {
                    problem(
                        "rule",
                        &format!("JSON Logic: kein gültiges JSON / not valid JSON: {e}"),
                    )
                })?;
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
            let cents = cents(amount)?;
            let object = fees(definition)?
                .get_mut(*fee)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| {
                    problem(
                        &format!("$.fees[{fee}]"),
                        "diese Gebühr gibt es nicht (mehr) / this fee does not exist",
                    )
                })?;
            object.insert("purpose".into(), purpose(purpose_de, purpose_en));
            object.insert("amount_cents".into(), json!(cents));
            object.remove("amount_rule");
        }
        RuleEdit::DeleteFee { fee } => {
            let list = fees(definition)?;
            if *fee >= list.len() {
                return Err(problem(
                    &format!("$.fees[{fee}]"),
                    "diese Gebühr gibt es nicht (mehr) / this fee does not exist",
                ));
            }
            list.remove(*fee);
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

    fn c(field: &str, op: &str, value: &str) -> Condition {
        Condition {
            field: field.into(),
            op: op.into(),
            value: value.into(),
        }
    }

    #[test]
    fn a_tree_becomes_json_logic_and_reads_back() {
        let tree = Tree {
            any: true,
            conditions: vec![
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
            conditions: vec![c("name", "ungleich", "Rex")],
        };
        let logic = to_logic(&one, &definition()).unwrap();
        assert_eq!(logic, json!({"!=": [{"var": "name"}, "Rex"]}));
        assert_eq!(from_logic(&logic), Some(one));
        // "No" is an answer to a yes/no field.
        let answered = Tree {
            any: false,
            conditions: vec![c("hund", "ausgefuellt", "")],
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
                    conditions: vec![cond],
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
            conditions: vec![],
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
}
