//! The preview of a draft: the citizen's own step page
//! ([`amtsweg_app::pages::step_page`], the same component and the same
//! view data as `/forms/{id}/{step}`) and check page
//! ([`amtsweg_app::pages::check_page`], as `/forms/{id}/pruefen`),
//! rendered on the server with the draft's definition, errors and
//! conditional fields included, in German or (`?lang=en`, as on the
//! citizen pages) English, and a test submission that goes nowhere.
//!
//! The answers live in the editor's session only (key
//! `editor.preview.{form_id}`): no draft row, no submission, no outbox
//! job. The page's links and its form action are rewritten from
//! `/forms/{id}…` to `/redaktion/{id}/vorschau…`, so a preview never
//! touches the citizen routes. The live checks of the hydrated app are
//! not loaded here (the preview is server-rendered, as with JavaScript
//! off).

use std::collections::HashMap;

use amtsweg_app::{
    journey::ssr::DraftData,
    pages::{check_page, step_page},
};
use amtsweg_forms::{Answers, Form, Lang};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::journey_routes::{Action, apply_action, merge_step, parse_form};

fn key(form_id: &str) -> String {
    format!("editor.preview.{form_id}")
}

/// The preview answers of `form_id` in `session` (none yet: empty).
pub async fn answers(session: &Session, form_id: &str) -> Answers {
    session
        .get::<Answers>(&key(form_id))
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn store(session: &Session, form_id: &str, answers: &Answers) {
    if let Err(e) = session.insert(&key(form_id), answers).await {
        tracing::warn!(error = %e, "keeping the preview answers failed");
    }
}

/// Forgets the preview answers of `form_id`.
pub async fn clear(session: &Session, form_id: &str) {
    if let Err(e) = session.remove_value(&key(form_id)).await {
        tracing::warn!(error = %e, "clearing the preview answers failed");
    }
}

/// The first step that applies to `answers`.
pub fn first_step(form: &Form, answers: &Answers) -> Option<String> {
    let eval = form.evaluate(answers, &crate::journey_routes::env());
    eval.applicable_steps().next().map(str::to_owned)
}

/// The preview's language: English for `lang=en` in the query (as on
/// the citizen pages), else German.
pub fn lang_of(query: Option<&str>) -> Lang {
    if query.is_some_and(|q| q.split('&').any(|p| p == "lang=en")) {
        Lang::En
    } else {
        Lang::De
    }
}

/// Whether the query asks to return to the check page after the step
/// (`zurueck=pruefen`, the check page's "Ändern" links).
pub fn back_to_check(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|p| p == "zurueck=pruefen"))
}

/// `path` in `lang` (`?lang=en` or `&lang=en` appended for English).
pub fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::De => path.to_owned(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// The banner of every preview page: nothing is submitted, and a link
/// to the same page in the other language.
pub fn banner(path: &str, lang: Lang) -> String {
    let (href, label) = match lang {
        Lang::De => (
            with_lang(path, Lang::En),
            r#"<span lang="en">English preview</span>"#,
        ),
        Lang::En => (path.to_owned(), "Deutsche Vorschau"),
    };
    format!(
        r#"<div class="preview-banner notice" role="note"><p><strong>Vorschau – wird nicht übermittelt</strong> · <span lang="en">Preview – nothing is submitted</span> · <a href="{}">{label}</a></p></div>"#,
        super::pages::escape(&href)
    )
}

/// The citizen's markup wrapped for the editor's German page frame: an
/// English preview declares its language.
fn in_lang(html: &str, lang: Lang) -> String {
    match lang {
        Lang::De => html.to_owned(),
        Lang::En => format!(r#"<div lang="en">{html}</div>"#),
    }
}

fn draft_data(form: &Form, answers: &Answers, csrf: &str) -> DraftData {
    DraftData {
        form_version: form.definition().version,
        answers: answers.clone(),
        attempted_steps: Vec::new(),
        csrf: csrf.to_owned(),
        from_account: HashMap::new(),
    }
}

/// The HTML of step `step_id` as citizens would see it (inside `<main>`),
/// with links and the action pointing into the preview (and, with
/// `return_to_check`, back to the check page after saving); `None`: no
/// such step.
pub fn step_html(
    form: &Form,
    answers: &Answers,
    step_id: &str,
    show_errors: bool,
    return_to_check: bool,
    csrf: &str,
    lang: Lang,
) -> Option<String> {
    let eval = form.evaluate(answers, &crate::journey_routes::env());
    let draft = draft_data(form, answers, csrf);
    let mut view =
        amtsweg_app::journey::ssr::step_view(form, &draft, &eval, step_id, show_errors, lang)?;
    view.return_to_check = return_to_check;
    let owner = Owner::new();
    let html = owner.with(|| step_page(view, lang).to_html());
    Some(in_lang(&into_preview(&html, &form.definition().id), lang))
}

/// The check page as citizens would see it ("Prüfen Sie Ihre Angaben":
/// the answers per step with "Ändern" links, the fees and the total, the
/// submit button), pointing into the preview: its submit goes to the
/// test submission.
pub fn check_html(form: &Form, answers: &Answers, csrf: &str, lang: Lang) -> String {
    let eval = form.evaluate(answers, &crate::journey_routes::env());
    let draft = draft_data(form, answers, csrf);
    let view = amtsweg_app::journey::ssr::check_view(form, &draft, &eval, lang);
    let owner = Owner::new();
    let html = owner.with(|| check_page(view, lang).to_html());
    in_lang(&into_preview(&html, &form.definition().id), lang)
}

/// The first step whose answers are not complete (the citizen's check
/// page and submission send there with the errors shown), if any.
pub fn first_step_with_errors(form: &Form, answers: &Answers) -> Option<String> {
    let eval = form.evaluate(answers, &crate::journey_routes::env());
    eval.first_step_with_errors().map(str::to_owned)
}

/// Rewrites the citizen routes of `html` into the preview's.
fn into_preview(html: &str, form_id: &str) -> String {
    html.replace(
        &format!("\"/forms/{form_id}/"),
        &format!("\"/redaktion/{form_id}/vorschau/"),
    )
    .replace(
        &format!("\"/forms/{form_id}\""),
        &format!("\"/redaktion/{form_id}/vorschau\""),
    )
    .replace(
        &format!("\"/forms/{form_id}?"),
        &format!("\"/redaktion/{form_id}/vorschau?"),
    )
}

/// Where a POST of step `step_id` leads.
pub enum Next {
    /// Back to the step with its errors shown.
    Errors,
    /// The same step again (a group entry was added or removed).
    Same,
    /// The next applicable step.
    Step(String),
    /// All steps done: the check page.
    Check,
}

/// Takes the posted `pairs` of step `step_id` into the preview answers,
/// as the citizen journey does, and says where to go.
pub async fn post_step(
    session: &Session,
    form: &Form,
    step_id: &str,
    pairs: &[(String, String)],
) -> Option<Next> {
    let step = form.definition().steps.iter().find(|s| s.id == step_id)?;
    let form_id = &form.definition().id;
    let mut raw = answers(session, form_id).await;
    let env = crate::journey_routes::env();
    let before = form.evaluate(&raw, &env);
    let not_shown: Vec<String> = step
        .fields
        .iter()
        .filter(|f| f.visible_if.is_some() && !before.field(&f.id).visible)
        .map(|f| f.id.clone())
        .collect();
    let posted = parse_form(pairs);
    if posted.action != Action::Continue && posted.action != Action::SaveForLater {
        merge_step(&mut raw, step, &posted.answers, &not_shown, true);
        apply_action(&mut raw, &posted.action);
        store(session, form_id, &raw).await;
        return Some(Next::Same);
    }
    merge_step(&mut raw, step, &posted.answers, &not_shown, false);
    store(session, form_id, &raw).await;
    let eval = form.evaluate(&raw, &env);
    if eval.step_errors(step_id).next().is_some() {
        return Some(Next::Errors);
    }
    Some(match eval.next_step(step_id) {
        Some(next) => Next::Step(next.to_owned()),
        None => Next::Check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_routes_become_preview_routes() {
        let html = r#"<a href="/forms/hund">x</a><a href="/forms/hund/person?lang=en">y</a><form action="/forms/hund/person"><a href="/forms/hundesteuer/a">z</a>"#;
        let out = into_preview(html, "hund");
        assert_eq!(
            out,
            r#"<a href="/redaktion/hund/vorschau">x</a><a href="/redaktion/hund/vorschau/person?lang=en">y</a><form action="/redaktion/hund/vorschau/person"><a href="/forms/hundesteuer/a">z</a>"#
        );
    }
}
