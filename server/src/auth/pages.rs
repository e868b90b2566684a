//! The pages of the login routes that are not Leptos pages: what went
//! wrong (German first, then English, each with what to do next) and the
//! short page after logout that forwards to the provider's logout.
//!
//! They are plain HTML from the server, so they work when the rest of the
//! portal cannot answer, and they always say that nothing the citizen
//! entered is lost (drafts stay in the session and the database).

use axum::{
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

/// What went wrong with a login, as the citizen sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// No Servicekonto is connected to this portal.
    NotConfigured,
    /// The provider does not answer (or its metadata are unusable).
    Unreachable,
    /// The callback's `state` is missing, unknown, already used or
    /// expired (a replayed or forged callback, or a very slow login).
    State,
    /// The citizen cancelled at the provider.
    Cancelled,
    /// The provider answered the authorization request with an error.
    ProviderError,
    /// The provider refused the code (used twice, expired, not ours).
    CodeRejected,
    /// The ID token failed validation.
    InvalidToken,
}

struct Text {
    status: StatusCode,
    title_de: &'static str,
    text_de: &'static str,
    title_en: &'static str,
    text_en: &'static str,
}

const KEPT_DE: &str = "Was Sie bereits eingegeben haben, bleibt gespeichert.";
const KEPT_EN: &str = "Anything you have already entered stays saved.";

fn text(problem: Problem) -> Text {
    match problem {
        Problem::NotConfigured => Text {
            status: StatusCode::NOT_FOUND,
            title_de: "Anmeldung nicht verfügbar",
            text_de: "In diesem Portal ist die Anmeldung mit dem Servicekonto nicht eingerichtet. \
                      Anträge, die eine Anmeldung verlangen, können Sie hier nicht online stellen.",
            title_en: "Login not available",
            text_en: "Login with the service account (Servicekonto) is not set up on this \
                      portal. Applications that need a login cannot be made online here.",
        },
        Problem::Unreachable => Text {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title_de: "Login-Dienst nicht erreichbar",
            text_de: "Der Login-Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in \
                      einigen Minuten erneut.",
            title_en: "Login service unavailable",
            text_en: "The login service is currently unavailable. Please try again in a few \
                      minutes.",
        },
        Problem::State => Text {
            status: StatusCode::BAD_REQUEST,
            title_de: "Anmeldung abgelaufen",
            text_de: "Diese Anmeldung ist abgelaufen, wurde bereits verwendet oder wurde nicht \
                      in diesem Browser begonnen. Bitte melden Sie sich erneut an.",
            title_en: "Login expired",
            text_en: "This login has expired, has already been used or was not started in this \
                      browser. Please log in again.",
        },
        Problem::Cancelled => Text {
            status: StatusCode::BAD_REQUEST,
            title_de: "Anmeldung abgebrochen",
            text_de: "Sie haben die Anmeldung beim Servicekonto abgebrochen. Sie sind nicht \
                      angemeldet.",
            title_en: "Login cancelled",
            text_en: "You cancelled the login at the service account. You are not logged in.",
        },
        Problem::ProviderError => Text {
            status: StatusCode::BAD_GATEWAY,
            title_de: "Anmeldung fehlgeschlagen",
            text_de: "Das Servicekonto hat die Anmeldung nicht bestätigt. Bitte versuchen Sie \
                      es erneut.",
            title_en: "Login failed",
            text_en: "The service account did not confirm the login. Please try again.",
        },
        Problem::CodeRejected => Text {
            status: StatusCode::BAD_REQUEST,
            title_de: "Anmeldung ungültig",
            text_de: "Der Anmeldecode ist ungültig oder wurde bereits verwendet. Bitte melden \
                      Sie sich erneut an.",
            title_en: "Login invalid",
            text_en: "The login code is invalid or has already been used. Please log in again.",
        },
        Problem::InvalidToken => Text {
            status: StatusCode::BAD_GATEWAY,
            title_de: "Anmeldung nicht bestätigt",
            text_de: "Die Anmeldebestätigung des Servicekontos ist ungültig oder abgelaufen. \
                      Bitte melden Sie sich erneut an.",
            title_en: "Login not confirmed",
            text_en: "The service account's confirmation of your login is invalid or has \
                      expired. Please log in again.",
        },
    }
}

/// Escapes text for HTML (links carry only local paths, but still).
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page for `problem`. `retry`: the link that starts the login again
/// (none when login is off); `back`: the page the citizen came from.
pub fn problem_page(problem: Problem, retry: Option<&str>, back: &str) -> Response {
    let t = text(problem);
    let (kept_de, kept_en) = if problem == Problem::NotConfigured {
        ("", "")
    } else {
        (KEPT_DE, KEPT_EN)
    };
    let retry_de = retry
        .map(|r| {
            format!(
                "<p><a class=\"button\" href=\"{}\">Erneut anmelden</a></p>",
                escape(r)
            )
        })
        .unwrap_or_default();
    let retry_en = retry
        .map(|r| {
            format!(
                "<p><a href=\"{}\">Log in again</a></p>",
                escape(&with_english(r))
            )
        })
        .unwrap_or_default();
    let back_de = escape(back);
    let back_en = escape(&with_english(back));
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_de} – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main" class="container">
<h1>{title_de}</h1>
<p>{text_de} {kept_de}</p>
{retry_de}
<p><a href="{back_de}">Zurück</a> · <a href="/">Zur Startseite</a></p>
<section lang="en">
<h2>{title_en}</h2>
<p>{text_en} {kept_en}</p>
{retry_en}
<p><a href="{back_en}">Back</a> · <a href="/?lang=en">To the start page</a></p>
</section>
</main>
</body>
</html>
"#,
        title_de = t.title_de,
        text_de = t.text_de,
        title_en = t.title_en,
        text_en = t.text_en,
    );
    (t.status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

/// The page after a login ended by timeout (401): what happened, that
/// saved drafts are kept in "Meine Anträge", a new login that comes back
/// to `back`, and a way on without login.
pub fn session_ended_page(ending: super::timeout::Ending, back: &str, posted: bool) -> Response {
    use super::timeout::Ending;
    let (why_de, why_en) = match ending {
        Ending::Idle => (
            "Ihre Anmeldung ist abgelaufen, weil Sie längere Zeit nichts getan haben. \
             Zu Ihrem Schutz wurden Sie abgemeldet.",
            "Your login has expired because you were inactive for a while. You have been \
             logged out for your protection.",
        ),
        Ending::Absolute => (
            "Ihre Anmeldung ist abgelaufen: Eine Anmeldung gilt höchstens einige Stunden. \
             Zu Ihrem Schutz wurden Sie abgemeldet.",
            "Your login has expired: a login lasts a few hours at most. You have been logged \
             out for your protection.",
        ),
    };
    let retry_de = escape(&amtsweg_app::auth::login_href(
        back,
        None,
        amtsweg_forms::Lang::De,
    ));
    let retry_en = escape(&amtsweg_app::auth::login_href(
        back,
        None,
        amtsweg_forms::Lang::En,
    ));
    let back_de = escape(back);
    let back_en = escape(&with_english(back));
    let (lost_de, lost_en) = if posted {
        (
            " Was Sie eben abgeschickt haben, wurde nicht mehr gespeichert.",
            " What you just sent was not saved.",
        )
    } else {
        ("", "")
    };
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anmeldung abgelaufen – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main" class="container">
<h1>Anmeldung abgelaufen</h1>
<p>{why_de}</p>
<p>Ihre gespeicherten Entwürfe bleiben erhalten. Nach der nächsten Anmeldung finden Sie sie unter „Meine Anträge“.{lost_de}</p>
<p><a class="button" href="{retry_de}">Erneut anmelden</a></p>
<p><a href="{back_de}">Ohne Anmeldung weiter</a> · <a href="/">Zur Startseite</a></p>
<section lang="en">
<h2>Login expired</h2>
<p>{why_en}</p>
<p>Your saved drafts are kept. After your next login you find them under “My applications”.{lost_en}</p>
<p><a href="{retry_en}">Log in again</a> · <a href="{back_en}">Continue without login</a> · <a href="/?lang=en">To the start page</a></p>
</section>
</main>
</body>
</html>
"#
    );
    (
        StatusCode::UNAUTHORIZED,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

/// `path` with `lang=en` (for the English links).
fn with_english(path: &str) -> String {
    if path.contains("lang=") {
        path.to_owned()
    } else if path.contains('?') {
        format!("{path}&lang=en")
    } else {
        format!("{path}?lang=en")
    }
}

/// After the local logout: forwards to the provider's logout page. A form
/// POST may not be redirected to another origin under our
/// `form-action 'self'` policy, so this page moves on by itself (an
/// immediate meta refresh, no JavaScript) and has a link as well.
pub fn logged_out_page(provider_logout: &str) -> Response {
    let href = escape(provider_logout);
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={href}">
<title>Abgemeldet – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main" class="container">
<h1>Sie sind abgemeldet</h1>
<p>Sie werden jetzt auch beim Servicekonto abgemeldet.</p>
<p><a class="button" href="{href}">Weiter zum Servicekonto</a></p>
<section lang="en">
<h2>You are logged out</h2>
<p>You are now being logged out of the service account as well. <a href="{href}">Continue</a></p>
</section>
</main>
</body>
</html>
"#
    );
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Html(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_get_english_once() {
        assert_eq!(with_english("/forms/x"), "/forms/x?lang=en");
        assert_eq!(
            with_english("/auth/login?next=%2F"),
            "/auth/login?next=%2F&lang=en"
        );
        assert_eq!(with_english("/forms/x?lang=en"), "/forms/x?lang=en");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("/a?b=1&c=\"<x>\""),
            "/a?b=1&amp;c=&quot;&lt;x&gt;&quot;"
        );
    }
}
