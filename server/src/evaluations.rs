//! A bounded in-memory cache of the form engine's evaluations.
//!
//! An evaluation is a pure function of the form version, the answers and
//! today's date, and the journey asks for the same one several times in a
//! row: a step POST evaluates the answers, saves them and redirects, and the
//! GET that follows evaluates them again; the next POST starts from them
//! once more. Evaluating the 730-field benchmark form costs about half a
//! millisecond, most of a step page's time, so the result is kept here.
//!
//! The key is the form id and version, the date and a digest of the
//! answers under a per-process random hash key (a citizen cannot craft
//! colliding answers). Because the key covers everything the evaluation
//! depends on, entries never go stale and need no invalidation, and the
//! cache is correct with several instances on one database. It holds at
//! most [`MAX_WEIGHT`] field states in two generations: when the newer
//! generation is full it replaces the older one, so entries in use stay
//! and the rest are dropped in O(1).

use std::{
    collections::HashMap,
    hash::{BuildHasher, Hash, Hasher, RandomState},
    sync::{Arc, Mutex},
};

use amtsweg_forms::{Answers, Env, Evaluation, Form};
use serde_json::Value;

/// How many field states (summed over the cached evaluations) both
/// generations hold together at most: about 270 evaluations of the
/// 730-field form, or thousands of a typical 30-field one.
pub const MAX_WEIGHT: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    form_id: String,
    version: u32,
    today: time::Date,
    digest: u64,
}

#[derive(Debug, Default)]
struct Generation {
    entries: HashMap<Key, Arc<Evaluation>>,
    weight: usize,
}

impl Generation {
    fn insert(&mut self, key: Key, evaluation: Arc<Evaluation>) {
        self.weight += weight(&evaluation);
        if let Some(old) = self.entries.insert(key, evaluation) {
            self.weight = self.weight.saturating_sub(weight(&old));
        }
    }
}

/// The cache; share it behind an `Arc` (it locks internally).
#[derive(Debug)]
pub struct EvaluationCache {
    hasher: RandomState,
    /// (newer, older).
    generations: Mutex<(Generation, Generation)>,
}

impl Default for EvaluationCache {
    fn default() -> Self {
        EvaluationCache {
            hasher: RandomState::new(),
            generations: Mutex::new((Generation::default(), Generation::default())),
        }
    }
}

fn weight(evaluation: &Evaluation) -> usize {
    evaluation.fields.len() + 1
}

impl EvaluationCache {
    /// `form.evaluate(answers, env)`, from the cache when it was asked for
    /// before.
    pub fn evaluate(&self, form: &Form, answers: &Answers, env: &Env) -> Arc<Evaluation> {
        let definition = form.definition();
        let key = Key {
            form_id: definition.id.clone(),
            version: definition.version,
            today: env.today,
            digest: self.digest(answers),
        };
        if let Some(hit) = self.get(&key) {
            return hit;
        }
        // Evaluate without holding the lock: other requests go on.
        let evaluation = Arc::new(form.evaluate(answers, env));
        self.put(key, evaluation.clone());
        evaluation
    }

    fn get(&self, key: &Key) -> Option<Arc<Evaluation>> {
        let mut generations = self.generations.lock().ok()?;
        let (newer, older) = &mut *generations;
        if let Some(hit) = newer.entries.get(key) {
            return Some(hit.clone());
        }
        // Still in use: move it into the newer generation.
        let hit = older.entries.remove(key)?;
        older.weight = older.weight.saturating_sub(weight(&hit));
        newer.insert(key.clone(), hit.clone());
        Self::rotate(&mut generations);
        Some(hit)
    }

    fn put(&self, key: Key, evaluation: Arc<Evaluation>) {
        // A poisoned lock only means a panic elsewhere; skipping the
        // cache is always correct.
        if let Ok(mut generations) = self.generations.lock() {
            generations.0.insert(key, evaluation);
            Self::rotate(&mut generations);
        }
    }

    fn rotate(generations: &mut (Generation, Generation)) {
        if generations.0.weight >= MAX_WEIGHT / 2 {
            generations.1 = std::mem::take(&mut generations.0);
        }
    }

    /// Number of cached evaluations (for tests and metrics).
    pub fn len(&self) -> usize {
        self.generations
            .lock()
            .map(|g| g.0.entries.len() + g.1.entries.len())
            .unwrap_or(0)
    }

    /// Nothing cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn digest(&self, answers: &Answers) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        hash_object(answers, &mut hasher);
        hasher.finish()
    }
}

fn hash_object(object: &Answers, hasher: &mut impl Hasher) {
    object.len().hash(hasher);
    for (key, value) in object {
        key.hash(hasher);
        hash_value(value, hasher);
    }
}

/// Every value hashes its kind first, so `"1"` and `1` differ; lengths
/// come first, so nesting cannot be confused.
fn hash_value(value: &Value, hasher: &mut impl Hasher) {
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => {
            1u8.hash(hasher);
            b.hash(hasher);
        }
        Value::Number(n) => {
            2u8.hash(hasher);
            if let Some(i) = n.as_i64() {
                0u8.hash(hasher);
                i.hash(hasher);
            } else if let Some(u) = n.as_u64() {
                1u8.hash(hasher);
                u.hash(hasher);
            } else {
                2u8.hash(hasher);
                n.as_f64().map(f64::to_bits).hash(hasher);
            }
        }
        Value::String(s) => {
            3u8.hash(hasher);
            s.hash(hasher);
        }
        Value::Array(items) => {
            4u8.hash(hasher);
            items.len().hash(hasher);
            for item in items {
                hash_value(item, hasher);
            }
        }
        Value::Object(map) => {
            5u8.hash(hasher);
            hash_object(map, hasher);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]
    use super::*;
    use serde_json::json;

    fn form() -> Form {
        let definition = json!({
            "id": "t", "version": 1,
            "title": {"de": "Test"}, "summary": {"de": "Test"},
            "authority": {"id": "a", "name": {"de": "Amt"}},
            "access": {"kind": "anonymous"},
            "retention_days": 30, "draft_expiry_days": 30,
            "steps": [{"id": "s", "title": {"de": "Schritt"}, "fields": [
                {"id": "name", "type": "text", "label": {"de": "Name"}, "required": true}
            ]}]
        });
        match Form::load(&definition.to_string()) {
            Ok(form) => form,
            Err(e) => panic!("test definition does not load: {e}"),
        }
    }

    fn answers(value: Value) -> Answers {
        match value {
            Value::Object(map) => map,
            _ => Answers::new(),
        }
    }

    fn env() -> Env {
        Env {
            today: time::macros::date!(2026 - 11 - 23),
        }
    }

    #[test]
    fn same_answers_give_the_same_evaluation_without_evaluating_again() {
        let cache = EvaluationCache::default();
        let form = form();
        let a = cache.evaluate(&form, &answers(json!({"name": "Erika"})), &env());
        let b = cache.evaluate(&form, &answers(json!({"name": "Erika"})), &env());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn different_answers_or_dates_are_evaluated_on_their_own() {
        let cache = EvaluationCache::default();
        let form = form();
        let empty = cache.evaluate(&form, &answers(json!({})), &env());
        let named = cache.evaluate(&form, &answers(json!({"name": "Erika"})), &env());
        assert!(!empty.errors.is_empty(), "the empty answers miss the name");
        assert!(named.errors.is_empty());
        // A number and a string with the same text are different answers.
        let text = cache.evaluate(&form, &answers(json!({"name": "1"})), &env());
        let number = cache.evaluate(&form, &answers(json!({"name": 1})), &env());
        assert!(!Arc::ptr_eq(&text, &number));
        let tomorrow = Env {
            today: time::macros::date!(2026 - 11 - 24),
        };
        let later = cache.evaluate(&form, &answers(json!({"name": "Erika"})), &tomorrow);
        assert!(!Arc::ptr_eq(&named, &later));
        assert_eq!(cache.len(), 5);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = EvaluationCache::default();
        let form = form();
        // Each evaluation weighs 2 (one field + 1).
        for i in 0..MAX_WEIGHT {
            cache.evaluate(&form, &answers(json!({ "name": i.to_string() })), &env());
        }
        assert!(cache.len() <= MAX_WEIGHT / 2, "{} entries", cache.len());
    }
}
