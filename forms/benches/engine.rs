//! Criterion benchmarks of the form engine (DESIGN.md budget: a full
//! evaluation of a 700-field form in under 5 ms on one core).
//!
//! `cargo bench -p amtsweg-forms --bench engine`; the figures are in
//! docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use amtsweg_forms::{Answers, Env, Form, Lang};
use criterion::{Criterion, criterion_group, criterion_main};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn large_form() -> (String, Form, Answers) {
    let text = std::fs::read_to_string(format!("{DIR}/definitions/grosser-testantrag.json"))
        .expect("forms/definitions/grosser-testantrag.json");
    let form = Form::load(&text).expect("the large form loads");
    let answers: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DIR}/benches/large-form-answers.json"))
            .expect("forms/benches/large-form-answers.json"),
    )
    .expect("answers are JSON");
    (text, form, answers.as_object().cloned().expect("an object"))
}

fn bench(c: &mut Criterion) {
    let env = Env {
        today: time::macros::date!(2026 - 11 - 23),
    };
    let (text, form, answers) = large_form();
    let eval = form.evaluate(&answers, &env);
    assert!(
        eval.errors.is_empty(),
        "the benchmark answers must be complete and valid: {:?}",
        &eval.errors[..eval.errors.len().min(5)]
    );
    eprintln!(
        "large form: {} fields, {} answers, {} normalized",
        form.field_count(),
        answers.len(),
        eval.answers.len()
    );

    c.bench_function("load_and_check_large_form", |b| {
        b.iter(|| Form::load(black_box(&text)).map(|f| f.field_count()))
    });
    c.bench_function("evaluate_large_form_complete_answers", |b| {
        b.iter(|| form.evaluate(black_box(&answers), &env))
    });
    let first_step = form.definition().steps[0].id.clone();
    c.bench_function("validate_step_large_form", |b| {
        b.iter(|| form.validate_step(black_box(&first_step), black_box(&answers), &env))
    });
    c.bench_function("summary_large_form", |b| {
        b.iter(|| form.summary(black_box(&eval), Lang::De))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
