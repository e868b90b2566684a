//! "Meine Anträge" (`/konto/antraege`): the logged-in account's open
//! drafts (form, last saved, deleted after; continue and delete, each a
//! POST form with the CSRF token) and its submissions (reference number,
//! form, received on, delivery status as the confirmation page shows it).
//! Not logged in: a login link that comes back here. The server decides
//! what belongs to the account (`server/src/auth/accounts.rs`).

use amtsweg_forms::Lang;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{Layout, fallback_lang, set_status, unavailable};
use crate::auth::{
    AccountDraftView, AccountSubmissionView, MyApplications, load_my_applications, login_href,
};
use crate::i18n::{href, title_lang, ui, use_lang};
use crate::journey::DeliveryStatus;

/// The page's own texts.
struct Texts {
    title: &'static str,
    intro: &'static str,
    login_needed: &'static str,
    login: &'static str,
    drafts: &'static str,
    no_drafts: &'static str,
    form: &'static str,
    saved: &'static str,
    expires: &'static str,
    actions: &'static str,
    resume: &'static str,
    delete: &'static str,
    submissions: &'static str,
    no_submissions: &'static str,
    reference: &'static str,
    submitted: &'static str,
    status: &'static str,
}

const DE: Texts = Texts {
    title: "Meine Anträge",
    intro: "Hier finden Sie Ihre gespeicherten Entwürfe und Ihre abgeschickten Anträge.",
    login_needed: "Ihre Anträge sehen Sie, wenn Sie mit Ihrem Servicekonto angemeldet sind.",
    login: "Mit Servicekonto anmelden",
    drafts: "Entwürfe",
    no_drafts: "Sie haben keine offenen Entwürfe.",
    form: "Antrag",
    saved: "Zuletzt gespeichert",
    expires: "Wird gelöscht nach dem",
    actions: "Aktionen",
    resume: "Fortsetzen",
    delete: "Löschen",
    submissions: "Abgeschickte Anträge",
    no_submissions: "Sie haben noch keinen Antrag abgeschickt.",
    reference: "Vorgangsnummer",
    submitted: "Eingegangen am",
    status: "Stand der Übermittlung",
};

const EN: Texts = Texts {
    title: "My applications",
    intro: "Here you find your saved drafts and the applications you have submitted.",
    login_needed: "You see your applications when you are logged in with your service account.",
    login: "Log in with your service account",
    drafts: "Drafts",
    no_drafts: "You have no open drafts.",
    form: "Application",
    saved: "Last saved",
    expires: "Deleted after",
    actions: "Actions",
    resume: "Continue",
    delete: "Delete",
    submissions: "Submitted applications",
    no_submissions: "You have not submitted an application yet.",
    reference: "Reference number",
    submitted: "Received on",
    status: "Delivery status",
};

fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| load_my_applications());
    let title_lang = title_lang(lang);
    view! {
        <Title text=move || format!("{} – Amtsweg", texts(title_lang()).title) />
        <Layout>
            <Suspense fallback=move || {
                view! { <p>{ui(lang.get()).loading}</p> }
            }>
                {move || {
                    let lang = lang.get();
                    Suspend::new(async move {
                        match data.await {
                            Ok(Some(apps)) => applications(apps, lang).into_any(),
                            Ok(None) => not_logged_in(lang).into_any(),
                            Err(_) => unavailable(lang).into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

fn not_logged_in(lang: Lang) -> impl IntoView {
    set_status(401);
    let t = texts(lang);
    view! {
        <h1>{t.title}</h1>
        <p>{t.login_needed}</p>
        <p>
            <a class="button" href=login_href("/konto/antraege", None, lang) rel="external">
                {t.login}
            </a>
        </p>
    }
}

fn applications(apps: MyApplications, lang: Lang) -> impl IntoView {
    let t = texts(lang);
    let csrf = apps.csrf.clone();
    let drafts = if apps.drafts.is_empty() {
        view! { <p>{t.no_drafts}</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <caption class="visually-hidden">{t.drafts}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.form}</th>
                        <th scope="col">{t.saved}</th>
                        <th scope="col">{t.expires}</th>
                        <th scope="col">{t.actions}</th>
                    </tr>
                </thead>
                <tbody>
                    {apps
                        .drafts
                        .into_iter()
                        .map(|d| draft_row(d, &csrf, lang))
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let submissions = if apps.submissions.is_empty() {
        view! { <p>{t.no_submissions}</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <caption class="visually-hidden">{t.submissions}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.reference}</th>
                        <th scope="col">{t.form}</th>
                        <th scope="col">{t.submitted}</th>
                        <th scope="col">{t.status}</th>
                    </tr>
                </thead>
                <tbody>
                    {apps
                        .submissions
                        .into_iter()
                        .map(|s| submission_row(s, lang))
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <h1>{t.title}</h1>
        <p class="lead">{t.intro}</p>
        <section aria-labelledby="drafts-heading">
            <h2 id="drafts-heading">{t.drafts}</h2>
            {drafts}
        </section>
        <section aria-labelledby="submissions-heading">
            <h2 id="submissions-heading">{t.submissions}</h2>
            {submissions}
        </section>
    }
}

fn draft_row(d: AccountDraftView, csrf: &str, lang: Lang) -> impl IntoView {
    let t = texts(lang);
    let title = d.form_title.get(lang).to_owned();
    let title_lang = fallback_lang(&d.form_title, lang);
    let resume = href(&format!("/konto/antraege/{}/fortsetzen", d.id), lang);
    let delete = href(&format!("/konto/antraege/{}/loeschen", d.id), lang);
    // The buttons name the form, so a list of them makes sense when read
    // out on its own.
    let resume_label = format!("{} – {title}", t.resume);
    let delete_label = format!("{} – {title}", t.delete);
    view! {
        <tr>
            <td lang=title_lang>{title.clone()}</td>
            <td>{d.updated_at}</td>
            <td>{d.expires_at}</td>
            <td class="table__actions">
                <form method="post" action=resume class="inline-form">
                    <input type="hidden" name="_csrf" value=csrf.to_owned() />
                    <button type="submit" class="button button--small" aria-label=resume_label>
                        {t.resume}
                    </button>
                </form>
                <form method="post" action=delete class="inline-form">
                    <input type="hidden" name="_csrf" value=csrf.to_owned() />
                    <button
                        type="submit"
                        class="button button--secondary button--small"
                        aria-label=delete_label
                    >
                        {t.delete}
                    </button>
                </form>
            </td>
        </tr>
    }
}

fn submission_row(s: AccountSubmissionView, lang: Lang) -> impl IntoView {
    let u = ui(lang);
    let status = match s.status {
        DeliveryStatus::Received => u.status_received,
        DeliveryStatus::Delivered => u.status_delivered,
        DeliveryStatus::Filed => u.status_filed,
        DeliveryStatus::NeedsAttention => u.status_needs_attention,
        DeliveryStatus::AwaitingPayment => u.status_awaiting_payment,
    };
    let title = s.form_title.get(lang).to_owned();
    let title_lang = fallback_lang(&s.form_title, lang);
    let link = href(&format!("/forms/{}/bestaetigung/{}", s.form_id, s.id), lang);
    view! {
        <tr>
            <td>
                <a href=link class="reference">{s.reference}</a>
            </td>
            <td lang=title_lang>{title}</td>
            <td>{s.submitted_at}</td>
            <td>
                <span class="tag">{status}</span>
            </td>
        </tr>
    }
}
