//! "Save and continue later" and the resume link, on the server:
//!
//! ```text
//! POST /forms/{id}/{step}, _action=save-for-later   journey_routes: saves the
//!        step unchecked, then issue_link → 303 /forms/{id}/gespeichert
//! GET  /forms/{id}/gespeichert    the Leptos page (amtsweg_app::saved); its
//!        data comes from saved_data, which takes the link out of the session
//! POST /forms/{id}/gespeichert    _action=email: store the contact address;
//!                                 _action=new-link: a new link (the old one ends)
//! GET  /resume/{token}            open the draft in this browser → 303 to the
//!        first step that still needs answers (or the check page); unknown,
//!        expired or submitted → 404 page
//! ```
//!
//! **The token** is known only when it is issued ([`Db::renew_resume_token`]
//! stores its SHA-256). The POST puts it into the session for exactly one
//! GET of the saved page (a "flash", key `saved_link`), which removes it;
//! it never appears in a URL other than the link itself, nor in a log (the
//! request span records the route pattern `/resume/{token}`). Pages that
//! carry it are sent with `Cache-Control: no-store`; `Referrer-Policy:
//! no-referrer` keeps it out of other sites' logs. The e-mail form sends
//! the shown token back so that the page can show the same link again
//! after saving the address; it is accepted only if it is the current
//! token of this session's draft.
//!
//! **Expiry.** Saving for later moves the draft's expiry to now +
//! `draft_expiry_days` of the form (never earlier than it was), so the
//! link shown lasts the form's full period. The page shows the time in
//! German local time.
//!
//! **Opening a link** rotates the session id ([`session::Journey::resume`]):
//! whoever holds the link gains the draft, so a session id planted before
//! must not carry over. The link stays valid until the draft expires or a
//! new link is issued; the same 404 page answers an unknown, an expired
//! and a submitted draft's token, so the page tells nothing about whether
//! a draft existed. The lookup is by hash, so no comparison of the secret
//! can leak through timing.
//!
//! **E-mail.** The form stores the address on the draft (`contact_email`)
//! and mails the link through [`crate::mail::Mailer`]: the shown link if
//! its token came back, else a new one (which the page then shows; the
//! old one ends). The mail holds the link, its expiry and a warning, in
//! the page's language, never an answer. A session may send
//! [`MAILS_PER_SESSION`] such mails, so the form cannot be used to flood
//! a stranger's mailbox from one session. The page says whether the mail
//! server took the mail; a failure keeps everything saved.

use amtsweg_app::saved::ssr::{EmailNotice, SavedData};
use amtsweg_forms::{Form, Text, values::parse_email};
use axum::{
    Router,
    extract::{Path, RawQuery, State},
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday, macros::offset};
use tower_sessions::Session;
use uuid::Uuid;

use crate::{
    csrf::CsrfForm,
    journey_routes::{Journey, JourneyError, env},
    mail::Mail,
    routes::AppState,
    session::{self, SessionError},
    store::{DraftState, ResumeToken},
};

/// Key of the flash in the session.
const FLASH_KEY: &str = "saved_link";

/// What the saved page shows once: kept in the session from a POST to the
/// next GET of the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedFlash {
    form_id: String,
    /// The resume token just issued (or sent back by the e-mail form).
    token: Option<String>,
    email: Option<FlashEmail>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum FlashEmail {
    Sent,
    Failed,
    TooMany,
    /// The rejected entry, shown again in the input.
    Invalid(String),
}

/// How many resume-link mails one session may send.
pub const MAILS_PER_SESSION: u32 = 5;

/// Session key: resume-link mails sent by this session.
const MAILS_SENT_KEY: &str = "resume_mails_sent";

/// The resume-link mail's texts; `{title}`, `{link}` and `{expires}` are
/// filled in.
struct ResumeMailText {
    subject: &'static str,
    body: &'static str,
}

const RESUME_MAIL_DE: ResumeMailText = ResumeMailText {
    subject: "Ihr gespeicherter Antrag: {title}",
    body: "Guten Tag,

Sie haben Ihren Antrag „{title}“ gespeichert. Mit diesem Link können Sie ihn weiter ausfüllen, auch auf einem anderen Gerät:

{link}

Der Link gilt bis {expires}. Danach werden Ihre Angaben gelöscht.

Bitte geben Sie den Link nicht weiter: Wer ihn kennt, kann Ihre Angaben sehen und ändern. Wenn Sie einen neuen Link erstellen, gilt dieser Link nicht mehr.

Sie haben diese E-Mail nicht angefordert? Dann können Sie sie löschen.

Diese E-Mail wurde automatisch verschickt. Bitte antworten Sie nicht darauf.
",
};

const RESUME_MAIL_EN: ResumeMailText = ResumeMailText {
    subject: "Your saved application: {title}",
    body: "Hello,

You have saved your application \u{201c}{title}\u{201d}. With this link you can continue it, also on another device:

{link}

The link is valid until {expires}. After that your answers are deleted.

Please do not pass the link on: anyone who has it can see and change your answers. If you create a new link, this one stops working.

You did not ask for this e-mail? Then you can delete it.

This e-mail was sent automatically. Please do not reply to it.
",
};

/// The mail with the resume `link` of `form_title`, in German or English.
pub fn resume_mail(to: &str, english: bool, form_title: &Text, link: &str, expires: &Text) -> Mail {
    let (text, lang) = if english {
        (&RESUME_MAIL_EN, amtsweg_forms::Lang::En)
    } else {
        (&RESUME_MAIL_DE, amtsweg_forms::Lang::De)
    };
    let fill = |template: &str| {
        template
            .replace("{title}", form_title.get(lang))
            .replace("{link}", link)
            .replace("{expires}", expires.get(lang))
    };
    Mail {
        to: to.to_owned(),
        subject: fill(text.subject),
        body: fill(text.body),
    }
}

/// The routes of this module (the saved page's GET is a Leptos route).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resume/{token}", get(resume))
        .route("/forms/{id}/gespeichert", post(saved_post))
}

/// Issues a new resume link for the open draft `draft_id` of `form`,
/// extends the draft's expiry to the form's full period and keeps the
/// token for the next GET of the saved page.
pub async fn issue_link(
    state: &AppState,
    sessions: &session::Journey,
    form: &Form,
    draft_id: Uuid,
) -> Result<(), JourneyError> {
    let (token, _expires) = new_token(state, form, draft_id).await?;
    set_flash(
        sessions.session(),
        SavedFlash {
            form_id: form.definition().id.clone(),
            token: Some(token),
            email: None,
        },
    )
    .await?;
    Ok(())
}

/// A new resume token for `draft_id` (the old one ends) and the draft's
/// new expiry: the form's full period from now.
async fn new_token(
    state: &AppState,
    form: &Form,
    draft_id: Uuid,
) -> Result<(String, OffsetDateTime), JourneyError> {
    let days = i64::from(form.definition().draft_expiry_days);
    let expires = OffsetDateTime::now_utc() + time::Duration::days(days);
    let (token, expires) = state.db.renew_resume_token(draft_id, expires).await?;
    Ok((token.as_str().to_owned(), expires))
}

async fn set_flash(session: &Session, flash: SavedFlash) -> Result<(), SessionError> {
    session.insert(FLASH_KEY, flash).await?;
    Ok(())
}

/// Takes the flash of `form_id` out of the session (one of another form
/// stays).
async fn take_flash(session: &Session, form_id: &str) -> Result<Option<SavedFlash>, SessionError> {
    let Some(flash) = session.remove::<SavedFlash>(FLASH_KEY).await? else {
        return Ok(None);
    };
    if flash.form_id == form_id {
        Ok(Some(flash))
    } else {
        set_flash(session, flash).await?;
        Ok(None)
    }
}

/// The saved page's data for the session's open draft of `form_id`
/// (`None`: there is none). Uses up the flash.
pub async fn saved_data(
    journey: &Journey,
    request: &http::request::Parts,
    form_id: &str,
) -> Result<Option<SavedData>, JourneyError> {
    let Some(session) = request.extensions.get::<Session>() else {
        return Ok(None);
    };
    let sessions = session::Journey::new(session.clone());
    let Some(draft) = journey.open_draft(&sessions, form_id).await? else {
        return Ok(None);
    };
    let flash = take_flash(session, form_id).await?;
    let token = flash.as_ref().and_then(|f| f.token.clone());
    let link = token
        .as_deref()
        .map(|t| resume_link(journey.public_url(), t));
    let email = flash.and_then(|f| f.email).map(|e| match e {
        FlashEmail::Sent => EmailNotice::Sent,
        FlashEmail::Failed => EmailNotice::Failed,
        FlashEmail::TooMany => EmailNotice::TooMany,
        FlashEmail::Invalid(entered) => EmailNotice::Invalid(entered),
    });
    Ok(Some(SavedData {
        link,
        token,
        expires: expiry_text(draft.expires_at),
        contact_email: draft.contact_email,
        email,
    }))
}

/// `{public_url}/resume/{token}`.
pub fn resume_link(public_url: &url::Url, token: &str) -> String {
    format!(
        "{}/resume/{token}",
        public_url.as_str().trim_end_matches('/')
    )
}

/// `lang=en` in the query.
fn english(query: Option<&str>) -> bool {
    query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair.starts_with("lang=en"))
}

fn with_lang(path: &str, english: bool) -> String {
    if english {
        format!("{path}?lang=en")
    } else {
        path.to_owned()
    }
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST /forms/{id}/gespeichert`: the e-mail form, or "new link".
async fn saved_post(
    State(state): State<AppState>,
    Path(form_id): Path<String>,
    RawQuery(query): RawQuery,
    session: Session,
    CsrfForm(pairs): CsrfForm,
) -> Result<Response, JourneyError> {
    let english = english(query.as_deref());
    let sessions = session::Journey::new(session.clone());
    let Some(draft) = state.journey.open_draft(&sessions, &form_id).await? else {
        return Ok(Redirect::to(&with_lang(&format!("/forms/{form_id}"), english)).into_response());
    };
    let saved_page = with_lang(&format!("/forms/{form_id}/gespeichert"), english);
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if value("_action") == Some("new-link") {
        let form = state
            .journey
            .form(&form_id, Some(draft.form_version))
            .await?
            .ok_or(JourneyError::NotFound)?;
        issue_link(&state, &sessions, &form, draft.id).await?;
        return Ok(no_store(Redirect::to(&saved_page).into_response()));
    }
    // The shown link's token, if it is this draft's current one.
    let token = match value("token").and_then(ResumeToken::parse) {
        Some(token) => match state.db.draft_by_resume_token(&token).await? {
            Some(found) if found.id == draft.id => Some(token.as_str().to_owned()),
            _ => None,
        },
        None => None,
    };
    let entered = value("email").unwrap_or_default().trim().to_owned();
    let (email, token) = match parse_email(&Value::String(entered.clone())) {
        Ok(address) => {
            state.db.set_contact_email(draft.id, Some(&address)).await?;
            let sent: u32 = session
                .get(MAILS_SENT_KEY)
                .await
                .map_err(SessionError::from)?
                .unwrap_or(0);
            if sent >= MAILS_PER_SESSION {
                (FlashEmail::TooMany, token)
            } else {
                session
                    .insert(MAILS_SENT_KEY, sent + 1)
                    .await
                    .map_err(SessionError::from)?;
                let form = state
                    .journey
                    .form(&form_id, Some(draft.form_version))
                    .await?
                    .ok_or(JourneyError::NotFound)?;
                // The shown link, or a new one when none came back.
                let (token, expires) = match token {
                    Some(token) => (token, draft.expires_at),
                    None => new_token(&state, &form, draft.id).await?,
                };
                let mut link = resume_link(state.journey.public_url(), &token);
                if english {
                    link.push_str("?lang=en");
                }
                let mail = resume_mail(
                    &address,
                    english,
                    &form.definition().title,
                    &link,
                    &expiry_text(expires),
                );
                let outcome = match state.mailer.send(mail).await {
                    Ok(()) => {
                        tracing::info!(form = %form_id, "resume link mailed");
                        FlashEmail::Sent
                    }
                    Err(e) => {
                        tracing::warn!(form = %form_id, error = e.kind(), "resume link mail not sent");
                        FlashEmail::Failed
                    }
                };
                (outcome, Some(token))
            }
        }
        Err(_) => (FlashEmail::Invalid(entered), token),
    };
    set_flash(
        &session,
        SavedFlash {
            form_id,
            token,
            email: Some(email),
        },
    )
    .await?;
    Ok(no_store(Redirect::to(&saved_page).into_response()))
}

/// `GET /resume/{token}`: opens the draft in this browser.
async fn resume(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    sessions: session::Journey,
) -> Result<Response, JourneyError> {
    let english = english(query.as_deref());
    let Some(token) = ResumeToken::parse(&token) else {
        return Ok(invalid_link(english));
    };
    let draft = match state.db.draft_by_resume_token(&token).await? {
        Some(draft) if draft.state == DraftState::Open => draft,
        _ => return Ok(invalid_link(english)),
    };
    let Some(form) = state
        .journey
        .form(&draft.form_id, Some(draft.form_version))
        .await?
    else {
        return Ok(invalid_link(english));
    };
    sessions.resume(&draft.form_id, draft.id).await?;
    // Logged in: an anonymous draft becomes the account's ("Meine Anträge").
    crate::auth::accounts::claim_new_draft(&state.db, sessions.session(), draft.id).await?;
    tracing::info!(form = %draft.form_id, "draft resumed from its link");
    let to = first_open_step(&form, &draft.answers);
    let to = with_lang(&format!("/forms/{}/{to}", draft.form_id), english);
    Ok(no_store(Redirect::to(&to).into_response()))
}

/// The first applicable step that still needs answers (errors on a step
/// not tried yet are missing answers), or `pruefen` when all are done.
pub fn first_open_step(form: &Form, answers: &Value) -> String {
    let empty = Map::new();
    let answers = answers.as_object().unwrap_or(&empty);
    let eval = form.evaluate(answers, &env());
    eval.first_step_with_errors()
        .unwrap_or("pruefen")
        .to_owned()
}

/// The 404 page for an unknown, expired or used-up link: the same for
/// each, so it tells nothing about whether a draft existed.
fn invalid_link(english: bool) -> Response {
    let de = r#"<section lang="de">
<h1>Dieser Link ist ungültig oder abgelaufen</h1>
<p>Mit diesem Link kann kein Antrag geöffnet werden. Vielleicht ist er abgelaufen – gespeicherte Angaben werden nach Ablauf der Frist gelöscht –, der Antrag wurde bereits abgeschickt, oder Sie haben inzwischen einen neuen Link erstellt. Bitte prüfen Sie, ob Sie den Link vollständig kopiert haben.</p>
<p><a href="/">Zur Übersicht der Online-Dienste</a> – dort können Sie den Antrag neu beginnen.</p>
</section>"#;
    let en = r#"<section lang="en">
<h1>This link is not valid or has expired</h1>
<p>No application can be opened with this link. It may have expired – saved answers are deleted when their period ends –, the application may have been submitted already, or you may have created a new link since. Please check that you copied the complete link.</p>
<p><a href="/?lang=en">To the list of online services</a> – you can start the application again there.</p>
</section>"#;
    let (lang, title, first, second) = if english {
        ("en", "Link not valid", en, de)
    } else {
        ("de", "Link ungültig", de, en)
    };
    // The second language's heading is an h2.
    let second = second.replace("<h1>", "<h2>").replace("</h1>", "</h2>");
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main" class="container">
{first}
{second}
</main>
</body>
</html>
"#
    );
    no_store((StatusCode::NOT_FOUND, Html(page)).into_response())
}

/// When the draft expires, in German local time: `23.12.2026, 15:05 Uhr`
/// and `23 December 2026, 15:05 (German time)`.
pub fn expiry_text(expires_at: OffsetDateTime) -> Text {
    let t = german_time(expires_at);
    Text::new(
        format!(
            "{:02}.{:02}.{}, {:02}:{:02} Uhr",
            t.day(),
            u8::from(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        ),
        format!(
            "{} {} {}, {:02}:{:02} (German time)",
            t.day(),
            t.month(),
            t.year(),
            t.hour(),
            t.minute()
        ),
    )
}

/// `t` in Germany's time: CEST (UTC+2) from the last Sunday of March,
/// 01:00 UTC, to the last Sunday of October, 01:00 UTC; CET (UTC+1)
/// otherwise (the EU rule, so no time-zone database is needed).
pub fn german_time(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let switch = |month: Month| {
        last_sunday(utc.year(), month).map(|day| {
            day.with_hms(1, 0, 0)
                .map(|at| at.assume_utc())
                .unwrap_or(utc)
        })
    };
    let summer = match (switch(Month::March), switch(Month::October)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    };
    utc.to_offset(if summer { offset!(+2) } else { offset!(+1) })
}

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let last =
        Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    let back = last.weekday().number_days_from_sunday();
    let day = last.day().checked_sub(back)?;
    let sunday = last.replace_day(day).ok()?;
    debug_assert_eq!(sunday.weekday(), Weekday::Sunday);
    Some(sunday)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use time::macros::datetime;

    use super::*;

    #[test]
    fn german_time_follows_the_eu_summer_time_rule() {
        // 2026: summer time from 29 March to 25 October, 01:00 UTC.
        assert_eq!(
            german_time(datetime!(2026-03-29 00:59 UTC)).offset(),
            offset!(+1)
        );
        assert_eq!(
            german_time(datetime!(2026-03-29 01:00 UTC)).offset(),
            offset!(+2)
        );
        assert_eq!(
            german_time(datetime!(2026-10-25 00:59 UTC)).offset(),
            offset!(+2)
        );
        assert_eq!(
            german_time(datetime!(2026-10-25 01:00 UTC)).offset(),
            offset!(+1)
        );
        assert_eq!(
            german_time(datetime!(2026-12-31 23:30 UTC)).date(),
            datetime!(2027-01-01 00:30 UTC).date()
        );
    }

    #[test]
    fn expiry_is_shown_in_german_time_in_both_languages() {
        let text = expiry_text(datetime!(2026-07-01 13:05 UTC));
        assert_eq!(text.de, "01.07.2026, 15:05 Uhr");
        assert_eq!(
            text.get(amtsweg_forms::Lang::En),
            "1 July 2026, 15:05 (German time)"
        );
    }

    #[test]
    fn the_link_is_absolute_without_a_double_slash() {
        let url = url::Url::parse("https://portal.example/").unwrap();
        assert_eq!(
            resume_link(&url, "abc"),
            "https://portal.example/resume/abc"
        );
    }

    #[test]
    fn english_is_read_from_the_query() {
        assert!(english(Some("x=1&lang=en")));
        assert!(!english(Some("lang=de")));
        assert!(!english(None));
    }
}
