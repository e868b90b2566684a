//! A form's start page (GOV.UK "start page"): what the service is for,
//! who receives it, what you need, how long it takes, whether a login or a
//! fee applies, the privacy notice, and the "Jetzt starten" button — a
//! POST form that creates a draft (no JavaScript needed). Forms that need
//! the Servicekonto show, instead of the button, what login they need and
//! a link to it, or why the visitor's login is not enough
//! ([`crate::auth::access_section`]).

use amtsweg_forms::{Lang, values::format_money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{fallback_lang, outcome_page};
use crate::auth::{FormAccess, access_section, texts as auth_texts};
use crate::i18n::{fill, href, ui, use_lang};
use crate::journey::{StartView, load_start};

#[component]
pub fn FormPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        load_start,
    );
    outcome_page(data, lang, |view, lang| start_page(view, lang).into_any())
}

fn start_page(form: StartView, lang: Lang) -> impl IntoView {
    let t = ui(lang);
    let title = form.title.get(lang).to_owned();
    let action = href(&format!("/forms/{}/starten", form.id), lang);
    let description = form.description.clone().map(|d| {
        view! { <p lang=fallback_lang(&d, lang)>{d.get(lang).to_owned()}</p> }
    });
    let requirements = (!form.requirements.is_empty()).then(|| {
        view! {
            <h2>{t.what_you_need}</h2>
            <ul class="list">
                {form
                    .requirements
                    .iter()
                    .map(|r| view! { <li lang=fallback_lang(r, lang)>{r.get(lang).to_owned()}</li> })
                    .collect_view()}
            </ul>
        }
    });
    let duration = form.duration_minutes.map(|m| {
        view! {
            <h2>{t.duration_label}</h2>
            <p>{fill(t.duration_minutes, &[&m.to_string()])}</p>
        }
    });
    let fees = if form.fees.is_empty() {
        view! { <p>{t.no_fees}</p> }.into_any()
    } else {
        view! {
            <ul class="list">
                {form
                    .fees
                    .iter()
                    .map(|f| {
                        let amount = match f.amount_cents {
                            // `format_money` writes the euro sign.
                            Some(c) => format_money(c),
                            None => t.fee_depends.to_owned(),
                        };
                        view! {
                            <li>
                                <span lang=fallback_lang(&f.purpose, lang)>
                                    {f.purpose.get(lang).to_owned()}
                                </span>
                                ": "
                                {amount}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let privacy = form.privacy_notice.clone().map(|p| {
        view! {
            <h2>{t.privacy_heading}</h2>
            <p class="small" lang=fallback_lang(&p, lang)>{p.get(lang).to_owned()}</p>
        }
    });
    let access = access_section(&form.access, &format!("/forms/{}", form.id), lang);
    let start = if let Some(access) = access {
        access
    } else {
        let login_note = if form.access == FormAccess::Allowed {
            auth_texts(lang).logged_in_ok
        } else {
            t.login_not_needed
        };
        view! {
            <p>{login_note}</p>
            {form.has_draft.then(|| view! { <p>{t.start_over_note}</p> })}
            <form method="post" action=action class="start-form">
                <input type="hidden" name="_csrf" value=form.csrf.clone() />
                <button type="submit" class="button button--start">
                    {if form.has_draft { t.continue_draft } else { t.start_now }}
                    <span aria-hidden="true">" →"</span>
                </button>
            </form>
        }
        .into_any()
    };
    view! {
        <Title text=format!("{title} – Amtsweg") />
        <h1 lang=fallback_lang(&form.title, lang)>{title}</h1>
        <p class="lead" lang=fallback_lang(&form.summary, lang)>
            {form.summary.get(lang).to_owned()}
        </p>
        {description}
        <p class="service__authority">
            <span class="label">{t.authority_label} ": "</span>
            <span lang=fallback_lang(&form.authority.name, lang)>
                {form.authority.name.get(lang).to_owned()}
            </span>
        </p>
        {requirements}
        {duration}
        <h2>{t.fees_heading}</h2>
        {fees}
        <h2>{t.login_heading}</h2>
        {start}
        {privacy}
        <p>
            <a href=href("/", lang)>{t.back_to_overview}</a>
        </p>
    }
}
