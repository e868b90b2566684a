//! JSON Logic rules: compiling them with `datalogic-rs`, finding which
//! answers they read, and evaluating them against the answers.
//!
//! We use the maintained `datalogic-rs` engine rather than an interpreter of
//! our own (DESIGN.md). What this module adds is the analysis the engine
//! does not do: the set of variables a rule reads, so that the checker can
//! reject rules naming unknown fields, and so that evaluation hands each
//! rule a small context holding just what it reads.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use datalogic_rs::Engine;
use serde_json::{Map, Value};

/// The shared engine; it is immutable and thread-safe.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// What a rule reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// Top-level names read (`{"var": "a.b"}` reads `a`).
    pub names: BTreeSet<String>,
    /// The rule builds a variable name at run time, so it may read anything.
    pub dynamic: bool,
}

/// Operators whose arguments are data, not rules: `var`/`val` read a name,
/// `missing`/`missing_some` list names.
const VAR_OPS: [&str; 2] = ["var", "val"];

/// Operators that evaluate their later arguments against each element of an
/// array: inside those, `var` reads the element, not the answers.
const SCOPED_OPS: [&str; 7] = ["map", "filter", "reduce", "all", "some", "none", "sort"];

/// Finds the names a rule reads.
pub fn reads(rule: &Value) -> Reads {
    let mut out = Reads::default();
    collect(rule, &mut out, false);
    out
}

fn collect(rule: &Value, out: &mut Reads, scoped: bool) {
    match rule {
        Value::Array(items) => items.iter().for_each(|i| collect(i, out, scoped)),
        Value::Object(obj) => {
            for (op, arg) in obj {
                if VAR_OPS.contains(&op.as_str()) {
                    if scoped {
                        // Inside map/filter/reduce a `var` reads the element
                        // ("current", "accumulator", or a key of it).
                        continue;
                    }
                    let name = match arg {
                        Value::String(s) => Some(s.clone()),
                        Value::Array(a) => match a.first() {
                            Some(Value::String(s)) => Some(s.clone()),
                            Some(Value::Array(path)) => match path.first() {
                                Some(Value::String(s)) => Some(s.clone()),
                                _ => None,
                            },
                            None => Some(String::new()),
                            Some(other) => {
                                collect(other, out, scoped);
                                out.dynamic = true;
                                None
                            }
                        },
                        Value::Null => Some(String::new()),
                        other => {
                            collect(other, out, scoped);
                            out.dynamic = true;
                            None
                        }
                    };
                    if let Some(name) = name {
                        match name.split('.').next() {
                            // `{"var": ""}` reads the whole data object.
                            Some("") | None => out.dynamic = true,
                            Some(first) => {
                                out.names.insert(first.to_string());
                            }
                        }
                    }
                    // A default value (second argument) is a rule too.
                    if let Value::Array(a) = arg {
                        a.iter().skip(1).for_each(|i| collect(i, out, scoped));
                    }
                } else if op == "missing" || op == "missing_some" {
                    let names: Vec<&Value> = match (op.as_str(), arg) {
                        ("missing_some", Value::Array(a)) => match a.get(1) {
                            Some(Value::Array(list)) => list.iter().collect(),
                            _ => vec![],
                        },
                        (_, Value::Array(a)) => a.iter().collect(),
                        (_, other) => vec![other],
                    };
                    for n in names {
                        match n {
                            Value::String(s) => {
                                if let Some(first) = s.split('.').next() {
                                    out.names.insert(first.to_string());
                                }
                            }
                            Value::Number(_) => {}
                            other => {
                                collect(other, out, scoped);
                                out.dynamic = true;
                            }
                        }
                    }
                } else if SCOPED_OPS.contains(&op.as_str()) {
                    match arg {
                        Value::Array(a) => {
                            // [array, per-element rule, (reduce: initial value)]:
                            // only the per-element rule reads the element.
                            for (i, arg) in a.iter().enumerate() {
                                collect(arg, out, scoped || i == 1);
                            }
                        }
                        other => collect(other, out, scoped),
                    }
                } else {
                    collect(arg, out, scoped);
                }
            }
        }
        _ => {}
    }
}

/// A rule, compiled once, with what it reads.
#[derive(Clone)]
pub struct CompiledRule {
    logic: Arc<datalogic_rs::Logic>,
    /// What the rule reads.
    pub reads: Reads,
}

impl std::fmt::Debug for CompiledRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledRule")
            .field("reads", &self.reads)
            .finish_non_exhaustive()
    }
}

/// Why a rule could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

/// Rules nested deeper than this are rejected before they reach the engine
/// (its recursion is bounded too, but a clear message is better).
pub const MAX_RULE_DEPTH: usize = 64;

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 1,
    }
}

impl CompiledRule {
    /// Compiles a rule; an unknown operator or a malformed rule is an error.
    pub fn compile(rule: &Value) -> Result<CompiledRule, RuleError> {
        if depth(rule) > MAX_RULE_DEPTH {
            return Err(RuleError(format!(
                "the rule is nested deeper than {MAX_RULE_DEPTH} levels"
            )));
        }
        unknown_operator(rule)?;
        let logic = engine()
            .compile(&null_safe_equality(rule))
            .map_err(|e| RuleError(e.to_string()))?;
        Ok(CompiledRule {
            logic: Arc::new(logic),
            reads: reads(rule),
        })
    }

    /// Evaluates the rule against `data` (a JSON object of answers).
    pub fn eval(&self, data: &Value) -> Result<Value, RuleError> {
        self.run(data, |_, result| to_json(result))
    }

    /// Evaluates the rule as a condition, with JSON Logic's truthiness.
    pub fn test(&self, data: &Value) -> Result<bool, RuleError> {
        self.run(data, |engine, result| engine.truthy(result))
    }

    fn run<T>(
        &self,
        data: &Value,
        read: impl FnOnce(&Engine, &datalogic_rs::DataValue<'_>) -> T,
    ) -> Result<T, RuleError> {
        let arena = datalogic_rs::bumpalo::Bump::new();
        let engine = engine();
        let result = engine
            .evaluate(&self.logic, data, &arena)
            .map_err(|e| RuleError(e.to_string()))?;
        Ok(read(engine, result))
    }

    /// Builds the data a rule needs from the answers: only the names it
    /// reads (all of them for a dynamic rule).
    pub fn context<'a>(
        &self,
        lookup: impl Fn(&str) -> Option<&'a Value>,
        all: &Map<String, Value>,
    ) -> Value {
        if self.reads.dynamic {
            return Value::Object(all.clone());
        }
        let mut data = Map::new();
        for name in &self.reads.names {
            if let Some(v) = lookup(name) {
                data.insert(name.clone(), v.clone());
            }
        }
        Value::Object(data)
    }
}

/// The engine accepts unknown operators at compile time and fails only when
/// they run; an editor wants to hear about a typo at once.
fn unknown_operator(rule: &Value) -> Result<(), RuleError> {
    match rule {
        Value::Array(items) => items.iter().try_for_each(unknown_operator),
        Value::Object(obj) => {
            if obj.len() > 1 {
                let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
                return Err(RuleError(format!(
                    "an operation has exactly one operator, this one has {}: {}",
                    keys.len(),
                    keys.join(", ")
                )));
            }
            for (op, arg) in obj {
                if !engine().builtin_operator_names().any(|n| n == op) {
                    return Err(RuleError(format!("unknown operator \"{op}\"")));
                }
                unknown_operator(arg)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// JSON Logic's `==` and `!=` are JavaScript's loose equality, in which
/// `null` equals only `null`. datalogic-rs also lets `null` equal `false`,
/// `0` and `""`; as an unanswered field reads as `null`,
/// `{"==": [{"var": "halter"}, false]}` ("only if the answer is No") would
/// hold before the question is answered, and the follow-up would be shown
/// and required too early. A comparison with one of those literals therefore
/// gets a null check: `a == false` becomes `a !== null and a == false`,
/// `a != false` becomes `a === null or a != false`.
fn null_safe_equality(rule: &Value) -> Value {
    match rule {
        Value::Array(items) => Value::Array(items.iter().map(null_safe_equality).collect()),
        Value::Object(obj) => {
            let mut out = Map::new();
            for (op, arg) in obj {
                if VAR_OPS.contains(&op.as_str()) {
                    out.insert(op.clone(), arg.clone());
                    continue;
                }
                let arg = null_safe_equality(arg);
                let compared = match (op.as_str(), &arg) {
                    ("==" | "!=", Value::Array(pair)) if pair.len() == 2 => {
                        match (coerces_from_null(&pair[0]), coerces_from_null(&pair[1])) {
                            (false, true) => Some(pair[0].clone()),
                            (true, false) => Some(pair[1].clone()),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let Some(other) = compared else {
                    out.insert(op.clone(), arg);
                    continue;
                };
                let guarded = if op == "==" {
                    serde_json::json!({"and": [{"!==": [other, null]}, {"==": arg}]})
                } else {
                    serde_json::json!({"or": [{"===": [other, null]}, {"!=": arg}]})
                };
                return guarded;
            }
            Value::Object(out)
        }
        _ => rule.clone(),
    }
}

/// A literal that datalogic-rs's `==` finds equal to `null`.
fn coerces_from_null(value: &Value) -> bool {
    match value {
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn to_json(value: &datalogic_rs::DataValue<'_>) -> Value {
    <Value as datalogic_rs::FromDataValue>::from_arena(value).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_names_a_rule_reads() {
        let r = reads(&json!({"and": [
            {"==": [{"var": "art"}, "neu"]},
            {">": [{"var": ["kinder.0.alter", 0]}, 3]},
            {"missing": ["a", "b"]},
            {"map": [{"var": "haushalt"}, {"var": "einkommen"}]},
            {"reduce": [{"var": "kinder"}, {"+": [{"var": "accumulator"}, 1]}, {"var": "start"}]}
        ]}));
        let names: Vec<_> = r.names.iter().map(String::as_str).collect();
        assert_eq!(names, vec!["a", "art", "b", "haushalt", "kinder", "start"]);
        assert!(!r.dynamic);
        assert!(reads(&json!({"var": {"cat": ["a", "b"]}})).dynamic);
    }

    #[test]
    fn compiles_and_evaluates() {
        let rule = CompiledRule::compile(&json!({"==": [{"var": "x"}, "ja"]})).unwrap();
        assert!(rule.test(&json!({"x": "ja"})).unwrap());
        assert!(!rule.test(&json!({})).unwrap());
        let fee = CompiledRule::compile(&json!({"*": [{"var": "jahre"}, 3000]})).unwrap();
        assert_eq!(fee.eval(&json!({"jahre": 2})).unwrap(), json!(6000));
    }

    #[test]
    fn an_unanswered_field_is_not_false_zero_or_empty() {
        let no = CompiledRule::compile(&json!({"==": [{"var": "halter"}, false]})).unwrap();
        assert!(!no.test(&json!({})).unwrap(), "not answered yet");
        assert!(!no.test(&json!({"halter": null})).unwrap());
        assert!(no.test(&json!({"halter": false})).unwrap());
        assert!(!no.test(&json!({"halter": true})).unwrap());
        let not_no = CompiledRule::compile(&json!({"!=": [false, {"var": "halter"}]})).unwrap();
        assert!(not_no.test(&json!({})).unwrap());
        assert!(!not_no.test(&json!({"halter": false})).unwrap());
        assert!(not_no.test(&json!({"halter": true})).unwrap());
        let zero = CompiledRule::compile(&json!({"==": [{"var": "kinder"}, 0]})).unwrap();
        assert!(!zero.test(&json!({})).unwrap());
        assert!(zero.test(&json!({"kinder": 0})).unwrap());
        let empty = CompiledRule::compile(&json!({"==": [{"var": "name"}, ""]})).unwrap();
        assert!(!empty.test(&json!({})).unwrap());
        assert!(empty.test(&json!({"name": ""})).unwrap());
        // Nested, and as a value: still a boolean.
        let nested = CompiledRule::compile(
            &json!({"and": [{"==": [{"var": "a"}, "x"]}, {"==": [{"var": "b"}, false]}]}),
        )
        .unwrap();
        assert!(!nested.test(&json!({"a": "x"})).unwrap());
        assert_eq!(
            nested.eval(&json!({"a": "x", "b": false})).unwrap(),
            json!(true)
        );
        assert_eq!(no.eval(&json!({})).unwrap(), json!(false));
        // Other comparisons keep JSON Logic's loose equality.
        let loose = CompiledRule::compile(&json!({"==": [{"var": "n"}, "1"]})).unwrap();
        assert!(loose.test(&json!({"n": 1})).unwrap());
        // `var` defaults are data, not comparisons.
        let default = CompiledRule::compile(&json!({"==": [{"var": ["n", 0]}, 0]})).unwrap();
        assert!(
            default.test(&json!({})).unwrap(),
            "the default applies: 0 == 0"
        );
    }

    #[test]
    fn rejects_unknown_operators_and_deep_nesting() {
        assert!(CompiledRule::compile(&json!({"frobnicate": [1]})).is_err());
        let mut deep = json!(true);
        for _ in 0..100 {
            deep = json!({"!": [deep]});
        }
        assert!(CompiledRule::compile(&deep).is_err());
    }
}
