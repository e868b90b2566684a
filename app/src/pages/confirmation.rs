//! The confirmation after submitting: a panel with the reference number
//! (large, grouped for reading aloud and typing on a phone), what happens
//! next, and the status of delivery.

use amtsweg_forms::Lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{fallback_lang, outcome_page};
use crate::i18n::{href, ui, use_lang};
use crate::journey::{ConfirmationView, DeliveryStatus, load_confirmation};

#[component]
pub fn ConfirmationPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let data = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("id").unwrap_or_default(),
                p.get("submission").unwrap_or_default(),
            )
        },
        |(id, submission)| load_confirmation(id, submission),
    );
    outcome_page(data, lang, |view, lang| {
        confirmation_page(view, lang).into_any()
    })
}

fn confirmation_page(view: ConfirmationView, lang: Lang) -> impl IntoView {
    let t = ui(lang);
    let form_title = view.form_title.get(lang).to_owned();
    let status = match view.status {
        DeliveryStatus::Received => t.status_received,
        DeliveryStatus::Delivered => t.status_delivered,
        DeliveryStatus::Filed => t.status_filed,
        DeliveryStatus::NeedsAttention => t.status_needs_attention,
        DeliveryStatus::AwaitingPayment => t.status_awaiting_payment,
    };
    let payment = (view.status == DeliveryStatus::AwaitingPayment).then(|| {
        let mut link = format!("/forms/{}/bezahlung/{}", view.form_id, view.submission_id);
        if lang == Lang::En {
            link.push_str("?lang=en");
        }
        // `rel="external"`: a server page, not one of the hydrated router's.
        view! {
            <p class="notice" role="status">{t.awaiting_payment_text}</p>
            <p>
                <a href=link rel="external" class="button">
                    {t.pay_now_link}
                </a>
            </p>
        }
    });
    let attention = (view.status == DeliveryStatus::NeedsAttention)
        .then(|| view! { <p class="notice" role="status">{t.needs_attention_text}</p> });
    let receipt = view.receipt_available.then(|| {
        let mut link = format!(
            "/forms/{}/bestaetigung/{}/eingangsbestaetigung.pdf",
            view.form_id, view.submission_id
        );
        if lang == Lang::En {
            link.push_str("?lang=en");
        }
        // `rel="external"`: a download, not a page for the hydrated router.
        view! {
            <p>
                <a href=link rel="external" download="" class="button button--secondary">
                    {t.receipt_link}
                </a>
            </p>
            <p class="hint">{t.receipt_hint}</p>
        }
    });
    view! {
        <Title text=format!("{} – {form_title} – Amtsweg", t.confirmation_title) />
        <div class="panel">
            <h1 class="panel__title">{t.confirmation_title}</h1>
            <p class="panel__body">
                {t.reference_label}
                <br />
                <strong class="reference">{view.reference.clone()}</strong>
            </p>
        </div>
        <p lang=fallback_lang(&view.form_title, lang)>{form_title.clone()}</p>
        <dl class="summary">
            <div class="summary__row">
                <dt class="summary__key">{t.status_label}</dt>
                <dd class="summary__value">
                    <span class="tag">{status}</span>
                </dd>
            </div>
            <div class="summary__row">
                <dt class="summary__key">{t.submitted_at_label}</dt>
                <dd class="summary__value">{view.submitted_at.clone()}</dd>
            </div>
            <div class="summary__row">
                <dt class="summary__key">{t.delivered_at_label}</dt>
                <dd class="summary__value">
                    {view.delivered_at.clone().unwrap_or_else(|| t.pending.to_owned())}
                </dd>
            </div>
            <div class="summary__row">
                <dt class="summary__key">{t.filed_at_label}</dt>
                <dd class="summary__value">
                    {view.filed_at.clone().unwrap_or_else(|| t.pending.to_owned())}
                </dd>
            </div>
            <div class="summary__row">
                <dt class="summary__key">{t.authority_label}</dt>
                <dd class="summary__value" lang=fallback_lang(&view.authority.name, lang)>
                    {view.authority.name.get(lang).to_owned()}
                </dd>
            </div>
        </dl>
        {attention}
        {payment}
        {receipt}
        <h2>{t.next_heading}</h2>
        <p>{t.next_text}</p>
        <p>
            <a href=href("/", lang)>{t.back_to_overview}</a>
        </p>
    }
}
