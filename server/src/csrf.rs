//! Protection against cross-site request forgery for every state-changing
//! POST: a per-session random token that every form sends back in the
//! hidden field `_csrf`, and a same-origin check of `Origin`/`Referer`
//! against `AMTSWEG_PUBLIC_URL`.
//!
//! **Rendering a form.** Every `<form method="post">` carries
//! `<input type="hidden" name="_csrf" value="…">`. The value is
//! [`token`]`(&session)` (created on first use, 32 random bytes,
//! base64url). For GET requests under [`TOKEN_PAGES`], the router's
//! [`provide_token`] middleware has already created it and put it into the
//! request's extensions as a [`CsrfToken`], so server-side rendering can
//! read it synchronously: in Leptos,
//! `use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CsrfToken>().cloned())`.
//!
//! **Checking a POST.** Handlers take [`CsrfForm`] instead of `Form`: it
//! checks the origin, reads the url-encoded body, removes `_csrf` from the
//! pairs and compares it with the session's token in constant time. Any
//! failure is a [`CsrfRejection`], which renders a 403 page in German and
//! English ("Die Sitzung ist abgelaufen …"). Multipart handlers (uploads)
//! call [`check_origin`] and [`verify`] themselves; put the hidden field
//! before the file input so it can be checked before the file is read.
//!
//! **The origin rule.** A present `Origin` must be the public origin; so
//! must a present `Referer` when there is no `Origin`. `Origin: null` counts
//! as absent: our pages send `Referrer-Policy: no-referrer`, under which
//! browsers send `Origin: null` on same-origin form POSTs. With neither, the
//! token alone decides — it is always required.

use axum::{
    Form,
    extract::{FromRequest, Request},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use subtle::ConstantTimeEq;
use thiserror::Error;
use tower_sessions::Session;
use url::Url;

use crate::{routes::AppState, session::SessionError};

/// The hidden field's name.
pub const FIELD: &str = "_csrf";
/// Key of the token in the session.
const SESSION_KEY: &str = "csrf";
/// GET requests under these path prefixes get a token in their extensions
/// (and so a session). Pages with forms live here.
pub const TOKEN_PAGES: &[&str] = &["/forms/", "/resume/", "/drafts/"];

/// The session's CSRF token. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl CsrfToken {
    /// The value for the hidden field.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(<redacted>)")
    }
}

/// Why a POST was refused.
#[derive(Debug, Error)]
pub enum CsrfRejection {
    #[error("the form carries no CSRF token")]
    MissingToken,
    #[error("the CSRF token does not match the session's")]
    WrongToken,
    #[error("the request comes from another origin")]
    ForeignOrigin,
    #[error("the form body cannot be read: {0}")]
    Body(String),
    #[error("the form body is larger than the route allows")]
    TooLarge,
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// The session's token, created (and the session stored) on first use.
pub async fn token(session: &Session) -> Result<CsrfToken, SessionError> {
    if let Some(token) = session.get::<String>(SESSION_KEY).await? {
        return Ok(CsrfToken(token));
    }
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    session.insert(SESSION_KEY, &token).await?;
    Ok(CsrfToken(token))
}

/// Compares `submitted` with the session's token in constant time. A
/// session without a token (expired, or never shown a form) never matches.
pub async fn verify(session: &Session, submitted: Option<&str>) -> Result<(), CsrfRejection> {
    let submitted = submitted
        .filter(|s| !s.is_empty())
        .ok_or(CsrfRejection::MissingToken)?;
    let expected = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(SessionError::from)?
        .ok_or(CsrfRejection::WrongToken)?;
    if bool::from(expected.as_bytes().ct_eq(submitted.as_bytes())) {
        Ok(())
    } else {
        Err(CsrfRejection::WrongToken)
    }
}

/// The same-origin rule (see the module doc).
pub fn check_origin(headers: &HeaderMap, public_url: &Url) -> Result<(), CsrfRejection> {
    let public = public_url.origin().ascii_serialization();
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("invalid").trim())
        .filter(|v| *v != "null");
    if let Some(origin) = origin {
        return if origin.eq_ignore_ascii_case(&public) {
            Ok(())
        } else {
            Err(CsrfRejection::ForeignOrigin)
        };
    }
    if let Some(referer) = headers.get(header::REFERER) {
        let same = referer
            .to_str()
            .ok()
            .and_then(|r| Url::parse(r).ok())
            .is_some_and(|r| r.origin().ascii_serialization() == public);
        return if same {
            Ok(())
        } else {
            Err(CsrfRejection::ForeignOrigin)
        };
    }
    Ok(())
}

/// A checked url-encoded form: the name/value pairs in order (a name may
/// repeat, e.g. checkboxes), without `_csrf`.
#[derive(Debug, Clone)]
pub struct CsrfForm(pub Vec<(String, String)>);

impl FromRequest<AppState> for CsrfForm {
    type Rejection = CsrfRejection;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        check_origin(request.headers(), &state.public_url)?;
        let session = request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or(SessionError::Missing)?;
        let Form(mut pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    CsrfRejection::TooLarge
                } else {
                    CsrfRejection::Body(e.body_text())
                }
            })?;
        let submitted = pairs
            .iter()
            .position(|(name, _)| name == FIELD)
            .map(|i| pairs.remove(i).1);
        pairs.retain(|(name, _)| name != FIELD);
        verify(&session, submitted.as_deref()).await?;
        Ok(CsrfForm(pairs))
    }
}

/// Middleware: for GET requests under [`TOKEN_PAGES`], makes sure the
/// session has a CSRF token and puts it into the request's extensions.
pub async fn provide_token(mut request: Request, next: Next) -> Response {
    let wants_token = request.method() == http::Method::GET
        && TOKEN_PAGES
            .iter()
            .any(|prefix| request.uri().path().starts_with(prefix));
    if wants_token && let Some(session) = request.extensions().get::<Session>().cloned() {
        // A journey page: the citizen is active, keep the session alive.
        if let Err(e) = crate::session::keep_alive(&session).await {
            tracing::warn!(error = %e, "renewing the session failed");
        }
        match token(&session).await {
            Ok(token) => {
                request.extensions_mut().insert(token);
            }
            Err(e) => return CsrfRejection::Session(e).into_response(),
        }
    }
    next.run(request).await
}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        match self {
            CsrfRejection::MissingToken
            | CsrfRejection::WrongToken
            | CsrfRejection::ForeignOrigin => {
                tracing::info!(reason = %self, "POST refused");
                (StatusCode::FORBIDDEN, Html(FORBIDDEN_PAGE)).into_response()
            }
            CsrfRejection::TooLarge => {
                tracing::info!(reason = %self, "POST refused");
                (StatusCode::PAYLOAD_TOO_LARGE, Html(TOO_LARGE_PAGE)).into_response()
            }
            CsrfRejection::Body(_) => {
                tracing::info!(reason = %self, "POST refused");
                (
                    StatusCode::BAD_REQUEST,
                    "Das Formular konnte nicht gelesen werden. / The form could not be read.",
                )
                    .into_response()
            }
            CsrfRejection::Session(e) => {
                tracing::error!(error = %e, "session failed while checking a POST");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Interner Fehler. Bitte versuchen Sie es später erneut. / \
                     Internal error. Please try again later.",
                )
                    .into_response()
            }
        }
    }
}

/// The 413 page of a form (without files) that is too large.
const TOO_LARGE_PAGE: &str = r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Eingaben zu groß – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main">
<h1>Ihre Eingaben sind zu groß</h1>
<p>Das Formular enthält mehr Text, als gesendet werden kann. Ihre Angaben dieses Schritts wurden nicht gespeichert. Bitte gehen Sie im Browser zurück und kürzen Sie Ihre Eingaben.</p>
<section lang="en">
<h2>Your entries are too large</h2>
<p>The form holds more text than can be sent. Your answers on this step were not saved. Please go back in your browser and shorten your entries.</p>
</section>
</main>
</body>
</html>
"#;

/// The 403 page: what happened and what to do, in German and English.
const FORBIDDEN_PAGE: &str = r#"<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anfrage abgelehnt – Amtsweg</title>
<link rel="stylesheet" href="/pkg/amtsweg.css">
</head>
<body>
<main id="main">
<h1>Anfrage abgelehnt</h1>
<p>Die Sitzung ist abgelaufen oder das Formular wurde nicht von dieser Seite gesendet. Bitte laden Sie die Seite neu.</p>
<p><a href="/">Zur Startseite</a></p>
<section lang="en">
<h2>Request refused</h2>
<p>Your session has expired or the form was not sent from this site. Please reload the page.</p>
<p><a href="/?lang=en">To the start page</a></p>
</section>
</main>
</body>
</html>
"#;
