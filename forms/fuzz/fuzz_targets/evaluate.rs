//! Any bytes as answers to every shipped form: the first byte picks the
//! form, the rest is read as JSON answers. Evaluation and the summary must
//! never panic, and hidden fields never reach the normalized answers.
#![no_main]

use std::sync::OnceLock;

use amtsweg_forms::{Env, Form, Lang};
use libfuzzer_sys::fuzz_target;

fn forms() -> &'static Vec<Form> {
    static FORMS: OnceLock<Vec<Form>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../definitions");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|t| Form::load(&t).ok())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let forms = forms();
    let Some((&pick, rest)) = data.split_first() else { return };
    if forms.is_empty() {
        return;
    }
    let form = &forms[usize::from(pick) % forms.len()];
    let Ok(serde_json::Value::Object(answers)) = serde_json::from_slice(rest) else { return };
    let env = Env {
        today: time::Date::from_calendar_date(2026, time::Month::November, 23)
            .unwrap_or(time::Date::MIN),
    };
    let eval = form.evaluate(&answers, &env);
    for id in eval.answers.keys() {
        assert!(eval.field(id).visible, "hidden field {id} kept");
    }
    let _ = form.summary(&eval, Lang::De);
    let again = form.normalize(&eval.answers, &env);
    assert_eq!(again, eval.answers, "normalizing twice changed the answers");
});
