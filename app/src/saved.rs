//! "Save and continue later" (GOV.UK "save and return", KERN UX): the page
//! a step's secondary button leads to. It shows the resume link
//! (`{AMTSWEG_PUBLIC_URL}/resume/{token}`), how long the draft is kept,
//! a hint to keep the link secret, and a form that mails the link.
//!
//! The link's token exists only in the link: the server issues it on the
//! POST of the button, keeps it in the session for exactly one GET of this
//! page (never in a URL, never in a log) and forgets it. A reload shows the
//! page without the link and offers a new one (which ends the old one).
//! The e-mail form sends the shown token back (hidden field) so that the
//! mail carries the same link and the page can show it again; the server
//! accepts it only if it is the current token of this session's draft.
//! Without it (the page was reloaded), the mail gets a new link, which
//! the page then shows as well.

use amtsweg_forms::{Lang, Text};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::CatalogError;
use crate::journey::Outcome;

/// The page after "Speichern und später fortsetzen".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    pub form_id: String,
    pub form_title: Text,
    /// The absolute resume link; `None` once it has been shown.
    pub link: Option<String>,
    /// The shown link's token, for the e-mail form's hidden field.
    pub token: Option<String>,
    /// When the draft and its link expire (German time).
    pub expires: Text,
    /// The e-mail input's value: the rejected entry, or the stored address.
    pub email: String,
    /// The e-mail entry was rejected with this message.
    pub email_error: Option<Text>,
    /// What the e-mail form's POST before this page did.
    pub email_status: Option<EmailStatus>,
    /// "Continue now": the first step that still needs answers, or the
    /// check page.
    pub continue_href: String,
    pub csrf: String,
}

/// The outcome of sending the link by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailStatus {
    /// The mail server took the mail (the input shows the address).
    Sent,
    /// Sending failed (server down, address refused): save the link yourself.
    Failed,
    /// This session has sent as many mails as it may.
    TooMany,
}

/// The saved page's data. Reading it uses up the link kept for it.
#[server(endpoint = "journey_saved")]
pub async fn load_saved(id: String, lang: Lang) -> Result<Outcome<SavedView>, CatalogError> {
    ssr::saved(&id, lang).await
}

/// The URL of the saved page, with `lang` kept.
pub fn saved_href(form_id: &str, lang: Lang) -> String {
    crate::i18n::href(&format!("/forms/{form_id}/gespeichert"), lang)
}

/// Server-only part: what the server provides and the view builder.
#[cfg(feature = "ssr")]
pub mod ssr {
    use amtsweg_forms::{
        Lang, Text,
        messages::{self, Name},
    };

    use super::{EmailStatus, SavedView};
    use crate::catalog::CatalogError;
    use crate::i18n::{href, saved_ui};
    use crate::journey::{
        Outcome, check_href,
        ssr::{backend, form_and_draft, log_error, redirect},
        step_href,
    };

    /// What the server found for the saved page
    /// ([`JourneyBackend::saved`](crate::journey::ssr::JourneyBackend::saved)).
    #[derive(Debug, Clone, PartialEq)]
    pub struct SavedData {
        /// The link issued by the last "save and continue later", if this
        /// is the first GET after it (or after the e-mail form).
        pub link: Option<String>,
        /// Its token (for the e-mail form).
        pub token: Option<String>,
        /// When the draft expires, formatted in German time.
        pub expires: Text,
        /// The draft's stored contact address.
        pub contact_email: Option<String>,
        /// What the e-mail form's POST did, if it was the last request.
        pub email: Option<EmailNotice>,
    }

    /// The outcome of the e-mail form, shown once.
    #[derive(Debug, Clone, PartialEq)]
    pub enum EmailNotice {
        /// Sent to the draft's contact address.
        Sent,
        /// Not sent; the address was stored all the same.
        Failed,
        /// Refused: the session's limit of mails is reached.
        TooMany,
        /// Not an e-mail address (or empty): the entry, to show it again.
        Invalid(String),
    }

    /// The message for a rejected e-mail entry, in the engine's words.
    pub fn email_message(entered: &str) -> Text {
        let label = Text::new(
            saved_ui(Lang::De).email_label,
            saved_ui(Lang::En).email_label,
        );
        let name = Name::of(&label);
        if entered.trim().is_empty() {
            messages::required(&name)
        } else {
            messages::not_an_email(&name)
        }
    }

    pub(super) async fn saved(id: &str, lang: Lang) -> Result<Outcome<SavedView>, CatalogError> {
        let (backend, parts) = backend()?;
        let Some((form, draft)) = form_and_draft(&*backend, &parts, id).await? else {
            return Ok(Outcome::NotFound);
        };
        let start = href(&format!("/forms/{id}"), lang);
        let Some(draft) = draft else {
            return Ok(redirect(start));
        };
        let Some(data) = backend.saved(&parts, id).await.map_err(log_error)? else {
            return Ok(redirect(start));
        };
        // The page may carry the secret link: no cache may keep it.
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.insert_header(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
        }
        let eval = form.evaluate(&draft.answers, &backend.env());
        let continue_href = match eval.first_step_with_errors() {
            Some(step) => step_href(id, step, lang),
            None => check_href(id, lang),
        };
        let stored = data.contact_email.unwrap_or_default();
        let (email, email_error, email_status) = match data.email {
            Some(EmailNotice::Invalid(entered)) => {
                let message = email_message(&entered);
                (entered, Some(message), None)
            }
            Some(EmailNotice::Sent) => (stored, None, Some(EmailStatus::Sent)),
            Some(EmailNotice::Failed) => (stored, None, Some(EmailStatus::Failed)),
            Some(EmailNotice::TooMany) => (stored, None, Some(EmailStatus::TooMany)),
            None => (stored, None, None),
        };
        Ok(Outcome::Show(SavedView {
            form_id: id.to_owned(),
            form_title: form.definition().title.clone(),
            // An English page gives an English link.
            link: data.link.map(|link| match lang {
                Lang::De => link,
                Lang::En => format!("{link}?lang=en"),
            }),
            token: data.token,
            expires: data.expires,
            email,
            email_error,
            email_status,
            continue_href,
            csrf: draft.csrf,
        }))
    }
}
