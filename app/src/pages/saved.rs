//! The page after "Speichern und später fortsetzen": the resume link (once),
//! how long the answers are kept, a hint to keep the link secret, an
//! optional e-mail address, and a way on. What the server keeps and why:
//! `crate::saved`.

use amtsweg_forms::Lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{fallback_lang, outcome_page};
use crate::i18n::{fill, href, saved_ui, ui, use_lang};
use crate::saved::{EmailStatus, SavedView, load_saved, saved_href};

#[component]
pub fn SavedPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let data = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), lang.get()),
        |(id, lang)| load_saved(id, lang),
    );
    outcome_page(data, lang, |view, lang| saved_page(view, lang).into_any())
}

/// The saved page (public for tests of the markup).
pub fn saved_page(view: SavedView, lang: Lang) -> impl IntoView {
    let t = ui(lang);
    let s = saved_ui(lang);
    let form_title = view.form_title.get(lang).to_owned();
    let expires = view.expires.get(lang).to_owned();
    let action = saved_href(&view.form_id, lang);
    let title = format!(
        "{}{} – {form_title} – Amtsweg",
        if view.email_error.is_some() {
            t.error_title_prefix
        } else {
            ""
        },
        s.title
    );
    let summary = view.email_error.as_ref().map(|message| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                <h2 class="error-summary__title" id="error-summary-title">
                    {t.error_summary_title}
                </h2>
                <ul class="error-summary__list">
                    <li>
                        <a href="#email">{message.get(lang).to_owned()}</a>
                    </li>
                </ul>
            </div>
        }
    });
    let link = match view.link.clone() {
        Some(link) => view! {
            <p>{s.intro}</p>
            <dl class="summary">
                <div class="summary__row">
                    <dt class="summary__key">{s.link_label}</dt>
                    <dd class="summary__value">
                        // rel=external: a full page load, not the client-side router.
                        <a href=link.clone() rel="external" class="resume-link">
                            {link.clone()}
                        </a>
                    </dd>
                </div>
                <div class="summary__row">
                    <dt class="summary__key">{s.expires_label}</dt>
                    <dd class="summary__value">{expires.clone()}</dd>
                </div>
            </dl>
            <div class="notice">
                <p>{s.keep_secret}</p>
            </div>
        }
        .into_any(),
        None => view! {
            <p>{fill(s.kept_until, &[&expires])}</p>
            <div class="notice">
                <p>{s.link_gone}</p>
            </div>
            <form method="post" action=action.clone() class="actions">
                <input type="hidden" name="_csrf" value=view.csrf.clone() />
                <button type="submit" class="button button--secondary" name="_action" value="new-link">
                    {s.new_link}
                </button>
            </form>
        }
        .into_any(),
    };
    let status = view.email_status.map(|status| match status {
        EmailStatus::Sent => view! {
            <div class="notice" role="status">
                <p>{fill(s.email_sent, &[&view.email])}</p>
            </div>
        }
        .into_any(),
        EmailStatus::Failed => view! {
            <div class="notice notice--error" role="alert">
                <p>{s.email_failed}</p>
            </div>
        }
        .into_any(),
        EmailStatus::TooMany => view! {
            <div class="notice notice--error" role="alert">
                <p>{s.email_too_many}</p>
            </div>
        }
        .into_any(),
    });
    let error = view.email_error.as_ref().map(|message| {
        view! {
            <p class="error-message" id="email-error">
                <span class="visually-hidden">{t.error_title_prefix}</span>
                {message.get(lang).to_owned()}
            </p>
        }
    });
    let has_error = view.email_error.is_some();
    view! {
        <Title text=title />
        {summary}
        <p class="caption" lang=fallback_lang(&view.form_title, lang)>
            {form_title.clone()}
        </p>
        <h1>{s.title}</h1>
        {link}
        <h2>{s.email_heading}</h2>
        {status}
        <p>{s.email_intro}</p>
        <form method="post" action=action novalidate=true>
            <input type="hidden" name="_csrf" value=view.csrf.clone() />
            {view.token.clone().map(|token| view! { <input type="hidden" name="token" value=token /> })}
            <div class=if has_error { "field field--error" } else { "field" }>
                <label class="label" for="email">
                    {s.email_label}
                </label>
                {error}
                <input
                    class=if has_error { "input input--30 input--error" } else { "input input--30" }
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="email"
                    spellcheck="false"
                    value=view.email.clone()
                    aria-describedby=has_error.then_some("email-error")
                    aria-invalid=has_error.then_some("true")
                />
            </div>
            <button type="submit" class="button button--secondary" name="_action" value="email">
                {s.email_button}
            </button>
        </form>
        <p class="actions">
            <a href=view.continue_href.clone()>{s.continue_now}</a>
        </p>
        <p>
            <a href=href("/", lang)>{t.back_to_overview}</a>
        </p>
    }
}
