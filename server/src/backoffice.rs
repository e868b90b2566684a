//! The back-office's delivery list (`/verwaltung/antraege`): staff see
//! where the submitted applications stand on their way into the e-file,
//! and send a dead-lettered delivery again.
//!
//! - `GET /verwaltung/antraege`: a table of submissions, newest first, 50
//!   a page, filtered by delivery status and authority (`?status=`,
//!   `?behoerde=`, `?seite=`; German, English with `?lang=en`). A
//!   caseworker sees only the authorities of their role, an administrator
//!   all. Metadata only: never answers, names or addresses.
//! - `POST /verwaltung/antraege/{id}/erneut-zustellen` (CSRF token): what
//!   `amtsweg outbox retry` does for the submission's dead `deliver` job,
//!   allowed to the caseworkers of its authority and administrators; then
//!   303 back to the list with a confirmation.
//!
//! - `GET /verwaltung/antraege/{id}/paket`: the submission's xdomea
//!   package as it went to the E-Akte, for the caseworkers of its
//!   authority only (not administrators), until its personal data are
//!   deleted (then 410 with the date).
//!
//! The queries are in [`crate::store::backoffice`]; this module decides
//! who may see and do what, and renders plain HTML that works without
//! JavaScript.

use amtsweg_forms::Lang;
use axum::{
    Router,
    extract::{Path, RawQuery, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use crate::{
    auth::roles::{RequireRole, RequiredRole, StaffRoles},
    csrf::{self, CsrfForm},
    editor::pages::escape,
    routes::AppState,
    store::backoffice::{
        BackOfficeSubmission, DeliveryState, KnownAuthority, StatusFilter, SubmissionQuery,
        SubmissionScope,
    },
};

/// Rows on one page.
pub const PAGE_SIZE: u32 = 50;
/// The last page one may ask for (keeps the offset sane).
const MAX_PAGE: u64 = 100_000;
/// Characters of a dead letter's last error shown in the list.
const ERROR_CHARS: usize = 160;

/// Caseworker of at least one authority, or administrator.
#[derive(Debug)]
pub struct CaseworkerOrAdmin;

impl RequiredRole for CaseworkerOrAdmin {
    const NAME: (&'static str, &'static str) = (
        "Sachbearbeitung oder Administration",
        "caseworker or administrator",
    );
    fn allows(roles: &StaffRoles) -> bool {
        roles.admin || !roles.caseworker_of.is_empty()
    }
}

/// `GET /verwaltung/antraege` and the retry.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verwaltung/antraege", get(list))
        .route("/verwaltung/antraege/{id}/erneut-zustellen", post(retry))
        .route("/verwaltung/antraege/{id}/paket", get(download))
}

/// Which submissions `roles` may see: all for an administrator, else
/// their authorities.
pub fn scope_of(roles: &StaffRoles) -> SubmissionScope {
    if roles.admin {
        SubmissionScope::All
    } else {
        SubmissionScope::Authorities(roles.caseworker_of.clone())
    }
}

/// Whether `roles` may send a delivery to `authority` again.
pub fn may_retry(roles: &StaffRoles, authority: &str) -> bool {
    roles.admin || roles.is_caseworker_of(authority)
}

/// The list's parameters, read leniently: anything unknown is ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Params {
    lang: Lang,
    status: Option<StatusFilter>,
    authority: Option<String>,
    page: u64,
    retried: Option<String>,
}

fn params(query: Option<&str>) -> Params {
    let mut p = Params {
        page: 1,
        ..Params::default()
    };
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "lang" if value == "en" => p.lang = Lang::En,
            "status" => p.status = StatusFilter::from_key(&value),
            "behoerde" if !value.is_empty() => p.authority = Some(value.into_owned()),
            "seite" => p.page = value.parse::<u64>().unwrap_or(1).clamp(1, MAX_PAGE),
            "erneut" if is_reference(&value) => p.retried = Some(value.into_owned()),
            _ => {}
        }
    }
    p
}

/// A reference number's shape (`AW-2026-000123`): letters, digits, `-`.
fn is_reference(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 40
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The list's URL with these filters, on `page`.
fn list_href(p: &Params, page: u64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(status) = p.status {
        query.append_pair("status", status.key());
    }
    if let Some(authority) = &p.authority {
        query.append_pair("behoerde", authority);
    }
    if page > 1 {
        query.append_pair("seite", &page.to_string());
    }
    if p.lang == Lang::En {
        query.append_pair("lang", "en");
    }
    let query = query.finish();
    if query.is_empty() {
        "/verwaltung/antraege".to_owned()
    } else {
        format!("/verwaltung/antraege?{query}")
    }
}

fn no_store(status: StatusCode, html: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// A whole page in `lang`.
fn frame(lang: Lang, status: StatusCode, title: &str, body: &str) -> Response {
    let (code, skip, nav, back_office) = match lang {
        Lang::En => (
            "en",
            "Skip to content",
            "Back office",
            "/verwaltung?lang=en",
        ),
        _ => ("de", "Zum Inhalt springen", "Verwaltung", "/verwaltung"),
    };
    let title = escape(title);
    no_store(
        status,
        format!(
            r##"<!DOCTYPE html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<a class="skip-link" href="#main">{skip}</a>
<header class="site-header">
<div class="container site-header__inner">
<a class="site-name" href="/">Amtsweg</a>
<nav aria-label="{nav}"><a href="{back_office}">{nav}</a></nav>
</div>
</header>
<main id="main" class="container" tabindex="-1">
{body}
</main>
</body>
</html>
"##
        ),
    )
}

/// A page that says something went wrong, with a way back.
fn problem(lang: Lang, status: StatusCode, title: &str, text: &str) -> Response {
    let back = match lang {
        Lang::En => r#"<p><a href="/verwaltung/antraege?lang=en">Back to the list</a></p>"#,
        _ => r#"<p><a href="/verwaltung/antraege">Zurück zur Liste</a></p>"#,
    };
    frame(
        lang,
        status,
        title,
        &format!("<h1>{}</h1><p>{}</p>{back}", escape(title), escape(text)),
    )
}

fn unavailable(lang: Lang, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "back-office request failed");
    match lang {
        Lang::En => problem(
            lang,
            StatusCode::SERVICE_UNAVAILABLE,
            "Not available",
            "The list cannot be read right now. Please try again in a few minutes.",
        ),
        _ => problem(
            lang,
            StatusCode::SERVICE_UNAVAILABLE,
            "Nicht verfügbar",
            "Die Liste kann gerade nicht gelesen werden. Bitte versuchen Sie es in einigen Minuten erneut.",
        ),
    }
}

/// `dd.mm.yyyy, hh:mm` (German time) or `yyyy-mm-dd hh:mm` (English, the
/// same German time: the authorities are in Germany).
fn when(t: OffsetDateTime, lang: Lang) -> String {
    let t = crate::resume::german_time(t);
    match lang {
        Lang::En => format!(
            "{}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        _ => format!(
            "{:02}.{:02}.{}, {:02}:{:02}",
            t.day(),
            u8::from(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        ),
    }
}

/// The day only.
fn day(t: OffsetDateTime, lang: Lang) -> String {
    let t = crate::resume::german_time(t);
    match lang {
        Lang::En => format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        _ => format!("{:02}.{:02}.{}", t.day(), u8::from(t.month()), t.year()),
    }
}

fn status_label(filter: StatusFilter, lang: Lang) -> &'static str {
    match (filter, lang) {
        (StatusFilter::Received, Lang::En) => "received",
        (StatusFilter::AwaitingPayment, Lang::En) => "waiting for payment",
        (StatusFilter::Delivered, Lang::En) => "delivered",
        (StatusFilter::Filed, Lang::En) => "filed in the e-file",
        (StatusFilter::Refused, Lang::En) => "refused by the e-file",
        (StatusFilter::DeadLetter, Lang::En) => "delivery failed",
        (StatusFilter::Received, _) => "eingegangen",
        (StatusFilter::AwaitingPayment, _) => "wartet auf Zahlung",
        (StatusFilter::Delivered, _) => "zugestellt",
        (StatusFilter::Filed, _) => "in der E-Akte abgelegt",
        (StatusFilter::Refused, _) => "von der E-Akte abgelehnt",
        (StatusFilter::DeadLetter, _) => "Zustellung fehlgeschlagen",
    }
}

/// At most [`ERROR_CHARS`] characters of `text`, on one line.
fn short(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= ERROR_CHARS {
        line
    } else {
        let cut: String = line.chars().take(ERROR_CHARS).collect();
        format!("{cut}…")
    }
}

/// The status cell: what happened, when, and for a dead letter the
/// attempts, the last error and (if allowed) the retry button.
fn status_cell(
    row: &BackOfficeSubmission,
    lang: Lang,
    roles: &StaffRoles,
    csrf: &str,
    p: &Params,
) -> String {
    let en = lang == Lang::En;
    match &row.state {
        DeliveryState::Received => status_label(StatusFilter::Received, lang).to_owned(),
        DeliveryState::AwaitingPayment => {
            status_label(StatusFilter::AwaitingPayment, lang).to_owned()
        }
        DeliveryState::Delivered { at } => match at {
            Some(at) => format!(
                "{} {} {}",
                status_label(StatusFilter::Delivered, lang),
                if en { "on" } else { "am" },
                when(*at, lang)
            ),
            None => status_label(StatusFilter::Delivered, lang).to_owned(),
        },
        DeliveryState::Filed { at, efile_id } => {
            let mut text = status_label(StatusFilter::Filed, lang).to_owned();
            if let Some(at) = at {
                text.push_str(if en { " on " } else { " am " });
                text.push_str(&when(*at, lang));
            }
            if let Some(id) = efile_id {
                text.push_str(if en { "; e-file id " } else { "; E-Akte-ID " });
                text.push_str(&format!("<code>{}</code>", escape(id)));
            }
            text
        }
        DeliveryState::Refused => status_label(StatusFilter::Refused, lang).to_owned(),
        DeliveryState::DeadLetter {
            attempts,
            last_error,
            payment,
            ..
        } => {
            let what = match (payment, en) {
                (true, true) => "payment check given up",
                (true, false) => "Zahlungsprüfung aufgegeben",
                (false, _) => status_label(StatusFilter::DeadLetter, lang),
            };
            let mut text = format!(
                "<strong>{what}</strong> ({attempts} {})",
                match (en, *attempts == 1) {
                    (true, true) => "attempt",
                    (true, false) => "attempts",
                    (false, true) => "Versuch",
                    (false, false) => "Versuche",
                }
            );
            if let Some(error) = last_error {
                // The worker's texts are English.
                text.push_str(&format!(
                    "<br><span class=\"small\">{}: <span lang=\"en\">{}</span></span>",
                    if en { "Last error" } else { "Letzter Fehler" },
                    escape(&short(error))
                ));
            }
            if may_retry(roles, &row.authority_id) {
                let label = match (payment, en) {
                    (true, true) => "Check the payment again",
                    (true, false) => "Zahlung erneut prüfen",
                    (false, true) => "Deliver again",
                    (false, false) => "Erneut zustellen",
                };
                let lang_field = if en {
                    r#"<input type="hidden" name="lang" value="en">"#
                } else {
                    ""
                };
                text.push_str(&format!(
                    r#"<form method="post" action="/verwaltung/antraege/{id}/erneut-zustellen" class="inline-form"><input type="hidden" name="_csrf" value="{csrf}">{lang_field}<input type="hidden" name="zurueck" value="{back}"><button type="submit" class="button button--small button--secondary">{label}<span class="visually-hidden"> {reference}</span></button></form>"#,
                    id = row.id,
                    csrf = escape(csrf),
                    back = escape(&list_href(p, p.page)),
                    reference = escape(&row.reference),
                ));
            }
            text
        }
    }
}

/// The link to the package, for the caseworkers of its authority while it
/// exists (administrators see the list, not the applications).
fn download_link(row: &BackOfficeSubmission, lang: Lang, roles: &StaffRoles) -> String {
    if !row.has_package || row.purged_at.is_some() || !roles.is_caseworker_of(&row.authority_id) {
        return String::new();
    }
    format!(
        r#"<br><a href="/verwaltung/antraege/{id}/paket" download>{label}<span class="visually-hidden"> {reference}</span></a>"#,
        id = row.id,
        label = if lang == Lang::En {
            "Download the package (ZIP)"
        } else {
            "Paket herunterladen (ZIP)"
        },
        reference = escape(&row.reference),
    )
}

/// The deletion cell: deleted on, due on, or the period after filing.
fn deletion_cell(row: &BackOfficeSubmission, lang: Lang) -> String {
    let en = lang == Lang::En;
    if let Some(at) = row.purged_at {
        return format!(
            "{} {}",
            if en { "deleted on" } else { "gelöscht am" },
            day(at, lang)
        );
    }
    if let Some(at) = row.purge_after {
        return day(at, lang);
    }
    match (&row.state, en) {
        (DeliveryState::Refused, true) => "not deleted (not filed)".to_owned(),
        (DeliveryState::Refused, false) => "keine Löschung (nicht abgelegt)".to_owned(),
        (_, true) => format!("{} days after filing", row.retention_days),
        (_, false) => format!("{} Tage nach der Ablage", row.retention_days),
    }
}

/// The filter form: status and authority, as GET parameters.
fn filters(p: &Params, authorities: &[KnownAuthority]) -> String {
    let en = p.lang == Lang::En;
    let mut statuses = format!(
        r#"<option value="">{}</option>"#,
        if en { "all" } else { "alle" }
    );
    for f in StatusFilter::ALL {
        statuses.push_str(&format!(
            r#"<option value="{}"{}>{}</option>"#,
            f.key(),
            if p.status == Some(f) { " selected" } else { "" },
            status_label(f, p.lang)
        ));
    }
    let mut options = format!(
        r#"<option value="">{}</option>"#,
        if en { "all" } else { "alle" }
    );
    for a in authorities {
        let name = if en { &a.name_en } else { &a.name_de };
        options.push_str(&format!(
            r#"<option value="{}"{}>{}</option>"#,
            escape(&a.id),
            if p.authority.as_deref() == Some(a.id.as_str()) {
                " selected"
            } else {
                ""
            },
            escape(name)
        ));
    }
    let (legend, status, authority, button) = if en {
        ("Filter", "Delivery status", "Receiving authority", "Show")
    } else {
        ("Filter", "Zustellstatus", "Empfangende Behörde", "Anzeigen")
    };
    let lang_field = if en {
        r#"<input type="hidden" name="lang" value="en">"#
    } else {
        ""
    };
    format!(
        r#"<form method="get" action="/verwaltung/antraege" class="filters">
<fieldset class="fieldset"><legend class="legend">{legend}</legend>
<div class="field"><label class="label" for="status">{status}</label><select class="select" id="status" name="status">{statuses}</select></div>
<div class="field"><label class="label" for="behoerde">{authority}</label><select class="select" id="behoerde" name="behoerde">{options}</select></div>
{lang_field}<button type="submit" class="button">{button}</button>
</fieldset>
</form>
"#
    )
}

/// The table of one page.
fn table(rows: &[BackOfficeSubmission], p: &Params, roles: &StaffRoles, csrf: &str) -> String {
    let en = p.lang == Lang::En;
    let head = if en {
        [
            "Reference number",
            "Form",
            "Receiving authority",
            "Submitted",
            "Delivery status",
            "Deletion of personal data",
        ]
    } else {
        [
            "Vorgangsnummer",
            "Formular",
            "Empfangende Behörde",
            "Eingereicht",
            "Zustellstatus",
            "Löschung der personenbezogenen Daten",
        ]
    };
    let caption = if en {
        format!("Submitted applications, newest first (page {})", p.page)
    } else {
        format!("Eingereichte Anträge, neueste zuerst (Seite {})", p.page)
    };
    let head: String = head
        .iter()
        .map(|h| format!(r#"<th scope="col">{h}</th>"#))
        .collect();
    let mut body = String::new();
    if rows.is_empty() {
        body.push_str(&format!(
            r#"<tr><td colspan="6">{}</td></tr>"#,
            if en {
                "No applications match."
            } else {
                "Keine passenden Anträge."
            }
        ));
    }
    for row in rows {
        let (title, authority) = if en {
            (&row.title_en, &row.authority_en)
        } else {
            (&row.title_de, &row.authority_de)
        };
        body.push_str(&format!(
            r#"<tr><th scope="row">{reference}</th><td>{title}</td><td>{authority}</td><td>{submitted}</td><td>{status}</td><td>{deletion}</td></tr>
"#,
            reference = escape(&row.reference),
            title = escape(title),
            authority = escape(authority),
            submitted = when(row.submitted_at, p.lang),
            status = status_cell(row, p.lang, roles, csrf, p) + &download_link(row, p.lang, roles),
            deletion = deletion_cell(row, p.lang),
        ));
    }
    format!(
        r#"<table class="table"><caption>{caption}</caption>
<thead><tr>{head}</tr></thead>
<tbody>
{body}</tbody>
</table>
"#
    )
}

/// Previous and next page links.
fn pager(p: &Params, has_next: bool) -> String {
    let en = p.lang == Lang::En;
    let mut links = Vec::new();
    if p.page > 1 {
        links.push(format!(
            r#"<a href="{}" rel="prev">{}</a>"#,
            escape(&list_href(p, p.page - 1)),
            if en {
                "← Previous page"
            } else {
                "← Vorherige Seite"
            }
        ));
    }
    if has_next {
        links.push(format!(
            r#"<a href="{}" rel="next">{}</a>"#,
            escape(&list_href(p, p.page + 1)),
            if en {
                "Next page →"
            } else {
                "Nächste Seite →"
            }
        ));
    }
    if links.is_empty() {
        return String::new();
    }
    format!(
        r#"<nav aria-label="{}"><p>{}</p></nav>
"#,
        if en { "Pages" } else { "Seiten" },
        links.join(" · ")
    )
}

async fn list(
    State(state): State<AppState>,
    staff: RequireRole<CaseworkerOrAdmin>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let p = params(query.as_deref());
    let roles = &staff.login.roles;
    let csrf = match csrf::token(&session).await {
        Ok(t) => t.as_str().to_owned(),
        Err(e) => return csrf::CsrfRejection::Session(e).into_response(),
    };
    let known = match state.db.backoffice_authorities().await {
        Ok(known) => known,
        Err(e) => return unavailable(p.lang, &e),
    };
    let authorities: Vec<KnownAuthority> = if roles.admin {
        known
    } else {
        roles
            .caseworker_of
            .iter()
            .map(|id| {
                known
                    .iter()
                    .find(|a| a.id == *id)
                    .cloned()
                    .unwrap_or_else(|| KnownAuthority {
                        id: id.clone(),
                        name_de: id.clone(),
                        name_en: id.clone(),
                    })
            })
            .collect()
    };
    let request = SubmissionQuery {
        scope: scope_of(roles),
        authority: p.authority.clone(),
        status: p.status,
        // One more than shown: is there a next page?
        limit: PAGE_SIZE + 1,
        offset: (p.page - 1) * u64::from(PAGE_SIZE),
    };
    let mut rows = match state.db.backoffice_submissions(&request).await {
        Ok(rows) => rows,
        Err(e) => return unavailable(p.lang, &e),
    };
    let has_next = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let en = p.lang == Lang::En;
    let notice = p
        .retried
        .as_deref()
        .map(|reference| {
            format!(
                r#"<div class="notice" role="status"><p>{}</p></div>
"#,
                escape(&if en {
                    format!("The delivery of {reference} will be tried again shortly.")
                } else {
                    format!("Die Zustellung von {reference} wird gleich erneut versucht.")
                })
            )
        })
        .unwrap_or_default();
    let (title, intro, other_lang) = if en {
        (
            "Submitted applications",
            "Where each application stands on its way into the authority's e-file, and when the portal deletes its personal data. Only metadata are shown here.",
            format!(
                r#"<p><a href="{}" lang="de" hreflang="de">Deutsch</a></p>"#,
                escape(&list_href(
                    &Params {
                        lang: Lang::De,
                        ..p.clone()
                    },
                    p.page
                ))
            ),
        )
    } else {
        (
            "Eingereichte Anträge",
            "Wo jeder Antrag auf dem Weg in die E-Akte der Behörde steht und wann das Portal seine personenbezogenen Daten löscht. Hier stehen nur Metadaten.",
            format!(
                r#"<p><a href="{}" lang="en" hreflang="en">English</a></p>"#,
                escape(&list_href(
                    &Params {
                        lang: Lang::En,
                        ..p.clone()
                    },
                    p.page
                ))
            ),
        )
    };
    let body = format!(
        "<h1>{title}</h1>\n{notice}<p>{intro}</p>\n{other_lang}\n{}{}{}",
        filters(&p, &authorities),
        table(&rows, &p, roles, &csrf),
        pager(&p, has_next),
    );
    frame(p.lang, StatusCode::OK, title, &body)
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

async fn retry(
    State(state): State<AppState>,
    staff: RequireRole<CaseworkerOrAdmin>,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm,
) -> Response {
    let lang = if value(&pairs, "lang") == Some("en") {
        Lang::En
    } else {
        Lang::De
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_retryable(lang, StatusCode::NOT_FOUND);
    };
    let dead = match state.db.dead_delivery(id).await {
        Ok(Some(dead)) => dead,
        Ok(None) => return not_retryable(lang, StatusCode::CONFLICT),
        Err(e) => return unavailable(lang, &e),
    };
    if !may_retry(&staff.login.roles, &dead.authority_id) {
        tracing::info!("back-office retry refused: another authority's submission");
        return no_access(
            lang,
            "Dieser Antrag ist an eine Behörde gerichtet, für die Sie nicht zuständig sind.",
            "This application is addressed to an authority you do not work for.",
        );
    }
    match state
        .db
        .revive_job(dead.job_id, OffsetDateTime::now_utc())
        .await
    {
        Ok(true) => {}
        Ok(false) => return not_retryable(lang, StatusCode::CONFLICT),
        Err(e) => return unavailable(lang, &e),
    }
    tracing::info!(reference = %dead.reference, job = dead.job_id, "back-office: delivery sent again");
    if let Some(delivery) = &state.delivery {
        delivery.wake.notify_one();
    }
    // Back to the page the button was on, when it is the list.
    let back = value(&pairs, "zurueck")
        .filter(|b| b.starts_with("/verwaltung/antraege") && !b.contains("//"))
        .map(|b| params(b.split_once('?').map(|(_, q)| q)))
        .unwrap_or(Params {
            lang,
            page: 1,
            ..Params::default()
        });
    let mut to = list_href(&back, back.page);
    to.push(if to.contains('?') { '&' } else { '?' });
    to.push_str("erneut=");
    to.extend(url::form_urlencoded::byte_serialize(
        dead.reference.as_bytes(),
    ));
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(&to)).into_response()
}

/// `GET /verwaltung/antraege/{id}/paket`: the submission's xdomea package
/// (`{UUID}_FVDaten.SGOAblegen.0605.zip`: receipt PDF, JSON data,
/// attachments, the 0605 message) as it went to the E-Akte, for the
/// caseworkers of its authority only, until its personal data are deleted.
async fn download(
    State(state): State<AppState>,
    staff: RequireRole<CaseworkerOrAdmin>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = params(query.as_deref()).lang;
    let Ok(id) = Uuid::parse_str(&id) else {
        return no_package(lang, StatusCode::NOT_FOUND, None);
    };
    let package = match state.db.package_of(id).await {
        Ok(Some(package)) => package,
        Ok(None) => return no_package(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return unavailable(lang, &e),
    };
    if !staff.login.roles.is_caseworker_of(&package.authority_id) {
        tracing::info!("back-office download refused: not a caseworker of the authority");
        return no_access(
            lang,
            "Nur die Sachbearbeitung der empfangenden Behörde darf einen Antrag herunterladen.",
            "Only the caseworkers of the receiving authority may download an application.",
        );
    }
    if let Some(at) = package.purged_at {
        return no_package(lang, StatusCode::GONE, Some(at));
    }
    // The name is the portal's own (`{UUID}_FVDaten…zip`); never a path.
    let (Some(name), Some(delivery)) = (package.package_name, state.delivery.as_ref()) else {
        return no_package(lang, StatusCode::NOT_FOUND, None);
    };
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return no_package(lang, StatusCode::NOT_FOUND, None);
    }
    let path = crate::delivery::package::packages_dir(&delivery.data_dir).join(&name);
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return no_package(lang, StatusCode::NOT_FOUND, None);
        }
        Err(e) => return unavailable(lang, &e),
    };
    let length = file.metadata().await.ok().map(|m| m.len());
    tracing::info!(reference = %package.reference, "back-office: package downloaded");
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response();
    if let Some(length) = length {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
    }
    response
}

/// 403 for a staff member with the role but not for this application.
fn no_access(lang: Lang, why_de: &str, why_en: &str) -> Response {
    match lang {
        Lang::En => problem(lang, StatusCode::FORBIDDEN, "No access", why_en),
        _ => problem(lang, StatusCode::FORBIDDEN, "Kein Zugriff", why_de),
    }
}

/// No package to download: unknown, not built yet, or deleted on `purged`.
fn no_package(lang: Lang, status: StatusCode, purged: Option<OffsetDateTime>) -> Response {
    let en = lang == Lang::En;
    let text = match (purged, en) {
        (Some(at), true) => format!(
            "Its personal data, the package with them, were deleted on {} after the deletion period.",
            day(at, lang)
        ),
        (Some(at), false) => format!(
            "Seine personenbezogenen Daten und damit das Paket wurden am {} nach Ablauf der Löschfrist gelöscht.",
            day(at, lang)
        ),
        (None, true) => {
            "There is no package for this application (yet): it is built when the application is delivered.".to_owned()
        }
        (None, false) => {
            "Zu diesem Antrag gibt es (noch) kein Paket: Es entsteht bei der Zustellung.".to_owned()
        }
    };
    let title = if en { "No package" } else { "Kein Paket" };
    problem(lang, status, title, &text)
}

fn not_retryable(lang: Lang, status: StatusCode) -> Response {
    match lang {
        Lang::En => problem(
            lang,
            status,
            "Nothing to deliver again",
            "This application has no failed delivery (any more). Perhaps it was already sent again.",
        ),
        _ => problem(
            lang,
            status,
            "Nichts erneut zuzustellen",
            "Dieser Antrag hat keine (oder keine fehlgeschlagene) Zustellung mehr. Vielleicht wurde sie schon erneut angestoßen.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_leniently() {
        let p = params(Some("status=dead&behoerde=lra-jena&seite=3&lang=en"));
        assert_eq!(p.status, Some(StatusFilter::DeadLetter));
        assert_eq!(p.authority.as_deref(), Some("lra-jena"));
        assert_eq!((p.page, p.lang), (3, Lang::En));
        assert_eq!(
            list_href(&p, 4),
            "/verwaltung/antraege?status=dead&behoerde=lra-jena&seite=4&lang=en"
        );
        let odd = params(Some("status=x&seite=-1&behoerde=&erneut=%3Cscript%3E"));
        assert_eq!(odd.status, None);
        assert_eq!((odd.page, odd.authority, odd.retried), (1, None, None));
        assert_eq!(params(Some("seite=99999999999")).page, MAX_PAGE);
        assert_eq!(list_href(&params(None), 1), "/verwaltung/antraege");
    }

    #[test]
    fn long_errors_are_cut() {
        let long = "x".repeat(500);
        assert_eq!(short(&long).chars().count(), ERROR_CHARS + 1);
        assert_eq!(short("a\n  b"), "a b");
    }

    #[test]
    fn scopes_follow_the_roles() {
        let caseworker = StaffRoles {
            caseworker_of: vec!["a".into()],
            ..StaffRoles::default()
        };
        assert_eq!(
            scope_of(&caseworker),
            SubmissionScope::Authorities(vec!["a".into()])
        );
        assert!(may_retry(&caseworker, "a") && !may_retry(&caseworker, "b"));
        let admin = StaffRoles {
            admin: true,
            ..StaffRoles::default()
        };
        assert_eq!(scope_of(&admin), SubmissionScope::All);
        assert!(may_retry(&admin, "b"));
        assert!(!CaseworkerOrAdmin::allows(&StaffRoles {
            editor: true,
            ..StaffRoles::default()
        }));
    }
}
