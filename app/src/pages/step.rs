//! A step of a form: `<form method="post" novalidate>` with the step's
//! fields, the error summary after a failed POST (PRG: the POST redirects
//! back here), "Schritt 2 von 5" counted over the applicable steps, and a
//! back link. The POST handlers live in the server crate
//! (`server/src/journey_routes.rs`).

use amtsweg_forms::{FieldType, Lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::fields::{Ctx, anchor, field};
use super::{fallback_lang, outcome_page};
use crate::i18n::{fill, href, saved_ui, ui, use_lang};
use crate::journey::{StepView, load_step, step_href};

#[component]
pub fn StepPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let p = params.read();
            let q = query.read();
            (
                p.get("id").unwrap_or_default(),
                p.get("step").unwrap_or_default(),
                q.get("fehler").is_some(),
                q.get("zurueck").as_deref() == Some("pruefen"),
                lang.get(),
            )
        },
        |(id, step, errors, back, lang)| load_step(id, step, errors, back, lang),
    );
    outcome_page(data, lang, |view, lang| step_page(view, lang).into_any())
}

/// The page of one step (public for tests of the markup).
pub fn step_page(view: StepView, lang: Lang) -> impl IntoView {
    let t = ui(lang);
    let ctx = Ctx::new(&view, lang);
    // Validation as you type and same-step conditions, in the browser only.
    let form_ref = NodeRef::new();
    crate::live::enhance(form_ref, &view, lang);
    let step_title = view.step.title.get(lang).to_owned();
    let form_title = view.form_title.get(lang).to_owned();
    let has_errors = !view.errors.is_empty();
    let title = format!(
        "{}{step_title} – {form_title} – Amtsweg",
        if has_errors { t.error_title_prefix } else { "" }
    );
    let back = match &view.previous {
        Some(step) => step_href(&view.form_id, step, lang),
        None => href(&format!("/forms/{}", view.form_id), lang),
    };
    let mut action = format!("/forms/{}/{}", view.form_id, view.step.id);
    let mut query = Vec::new();
    if view.return_to_check {
        query.push("zurueck=pruefen");
    }
    if lang == Lang::En {
        query.push("lang=en");
    }
    if !query.is_empty() {
        action = format!("{action}?{}", query.join("&"));
    }
    let summary = has_errors.then(|| {
        let items = view
            .errors
            .iter()
            .map(|e| {
                let link = format!("#{}", anchor(&view, &e.field_id, &e.path));
                // `target="_self"` leaves the click to the browser (the
                // router would only scroll), which moves the focus to the
                // field, also with JavaScript on.
                view! {
                    <li>
                        <a href=link target="_self">
                            {e.message.get(lang).to_owned()}
                        </a>
                    </li>
                }
            })
            .collect_view();
        // Focused when the page opens (GOV.UK pattern), by the browser:
        // `autofocus` works without JavaScript.
        view! {
            <div
                class="error-summary"
                role="alert"
                aria-labelledby="error-summary-title"
                tabindex="-1"
                autofocus=true
            >
                <h2 class="error-summary__title" id="error-summary-title">
                    {t.error_summary_title}
                </h2>
                <ul class="error-summary__list">{items}</ul>
            </div>
        }
    });
    let description = view.step.description.as_ref().map(
        |d| view! { <p class="lead" lang=fallback_lang(d, lang)>{d.get(lang).to_owned()}</p> },
    );
    let fields = view
        .step
        .fields
        .iter()
        .map(|f| field(&ctx, f, &f.id))
        .collect_view();
    // Files need multipart; everything else stays urlencoded.
    let enctype = view
        .step
        .fields
        .iter()
        .any(|f| f.kind == FieldType::File)
        .then_some("multipart/form-data");
    let submit = if view.return_to_check {
        t.save_and_check
    } else {
        t.continue_button
    };
    let caption = fill(
        t.step_of,
        &[&view.number.to_string(), &view.count.to_string()],
    );
    view! {
        <Title text=title />
        <a class="back-link" href=back>
            {t.back}
        </a>
        {summary}
        <p class="caption">
            <span lang=fallback_lang(&view.form_title, lang)>{form_title.clone()}</span>
            " · "
            {caption}
        </p>
        <h1 lang=fallback_lang(&view.step.title, lang)>{step_title.clone()}</h1>
        {description}
        <form
            method="post"
            action=action
            novalidate=true
            class="step-form"
            enctype=enctype
            node_ref=form_ref
        >
            // First, so the server checks it before any file part arrives.
            <input type="hidden" name="_csrf" value=view.csrf.clone() />
            // Pressing Enter in a field submits with the first submit
            // button: make that "continue", not "remove entry".
            <button
                type="submit"
                class="visually-hidden"
                tabindex="-1"
                aria-hidden="true"
                name="_action"
                value="continue"
            >
                {submit}
            </button>
            {fields}
            <div class="actions">
                <button type="submit" class="button" name="_action" value="continue">
                    {submit}
                </button>
                // Saves what was entered, valid or not (see crate::saved).
                <button
                    type="submit"
                    class="button button--secondary"
                    name="_action"
                    value="save-for-later"
                    formnovalidate=true
                >
                    {saved_ui(lang).button}
                </button>
            </div>
        </form>
    }
}
