//! "Prüfen Sie Ihre Angaben" (check your answers): the engine's summary per
//! step with an "Ändern" link per answer (back to the step, which then
//! returns here), the fees with their purpose and the total, and the
//! submit form (POST `/forms/{id}/absenden`). Incomplete answers send the
//! citizen to the first step with errors instead (see `journey`).

use amtsweg_forms::{Lang, values::format_money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{fallback_lang, outcome_page};
use crate::i18n::{href, ui, use_lang};
use crate::journey::{CheckView, load_check, step_href};

#[component]
pub fn CheckPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let data = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), lang.get()),
        |(id, lang)| load_check(id, lang),
    );
    outcome_page(data, lang, |view, lang| check_page(view, lang).into_any())
}

/// The check page itself (public for the editor's preview, which renders
/// it for a draft).
pub fn check_page(view: CheckView, lang: Lang) -> impl IntoView {
    let t = ui(lang);
    let form_title = view.form_title.get(lang).to_owned();
    let back = match &view.last_step {
        Some(step) => step_href(&view.form_id, step, lang),
        None => href(&format!("/forms/{}", view.form_id), lang),
    };
    let form_id = view.form_id.clone();
    let sections = view
        .sections
        .iter()
        .map(|section| {
            let rows = section
                .rows
                .iter()
                .map(|row| {
                    let change = format!(
                        "/forms/{}/{}?zurueck=pruefen{}#{}",
                        form_id,
                        section.step_id,
                        if lang == Lang::En { "&lang=en" } else { "" },
                        row.path
                    );
                    let lines = row
                        .value
                        .split('\n')
                        .map(|line| view! { <span class="line">{line.to_owned()}</span> })
                        .collect_view();
                    view! {
                        <div class="summary__row">
                            <dt class="summary__key">{row.label.clone()}</dt>
                            <dd class="summary__value">{lines}</dd>
                            <dd class="summary__actions">
                                <a href=change>
                                    {t.change}
                                    <span class="visually-hidden">" " {row.label.clone()}</span>
                                </a>
                            </dd>
                        </div>
                    }
                })
                .collect_view();
            let empty = section
                .rows
                .is_empty()
                .then(|| view! { <p>{t.nothing_answered}</p> });
            view! {
                <h2 class="summary__title">{section.title.clone()}</h2>
                {empty}
                {(!section.rows.is_empty()).then(|| view! { <dl class="summary">{rows}</dl> })}
            }
        })
        .collect_view();
    let fees = (!view.fees.is_empty()).then(|| {
        let lines = view
            .fees
            .iter()
            .map(|fee| {
                view! {
                    <div class="summary__row">
                        <dt class="summary__key" lang=fallback_lang(&fee.purpose, lang)>
                            {fee.purpose.get(lang).to_owned()}
                        </dt>
                        <dd class="summary__value">{format_money(fee.amount_cents)}</dd>
                    </div>
                }
            })
            .collect_view();
        view! {
            <h2 class="summary__title">{t.fees_heading}</h2>
            <dl class="summary">
                {lines}
                <div class="summary__row summary__row--total">
                    <dt class="summary__key">{t.fees_total}</dt>
                    <dd class="summary__value">{format_money(view.total_cents)}</dd>
                </div>
            </dl>
        }
    });
    let action = href(&format!("/forms/{}/absenden", view.form_id), lang);
    view! {
        <Title text=format!("{} – {form_title} – Amtsweg", t.check_title) />
        <a class="back-link" href=back>
            {t.back}
        </a>
        <p class="caption" lang=fallback_lang(&view.form_title, lang)>
            {form_title.clone()}
        </p>
        <h1>{t.check_title}</h1>
        {sections}
        {fees}
        <h2>{t.submit_heading}</h2>
        <p>{t.submit_text}</p>
        <form method="post" action=action class="submit-form">
            <input type="hidden" name="_csrf" value=view.csrf.clone() />
            <button type="submit" class="button">
                {t.submit_button}
            </button>
        </form>
    }
}
