//! The login routes. Thin: read the query, ask [`Oidc`](super::oidc::Oidc)
//! and the session helpers in [`login`](super::login), answer with a
//! redirect or a problem page.
//!
//! ```text
//! GET  /auth/login?next=/forms/x&acr=substanziell[&lang=en]  → 303 to the provider
//! GET  /auth/callback?code=…&state=…[&iss=…]                 → 303 to next (logged in)
//! POST /auth/logout (CSRF)                                   → local session ended; page
//!                                                              forwarding to the provider's logout, or 303 /
//! POST /auth/extend (CSRF, next)                             → the login's idle time starts anew; 303 to next
//! ```

use amtsweg_app::auth::login_href;
use amtsweg_forms::Lang;
use axum::{
    Router,
    extract::{Query, RawQuery, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    login::{self, local_next, parse_trust_level},
    oidc::OidcError,
    pages::{Problem, logged_out_page, problem_page},
};
use crate::{csrf::CsrfForm, routes::AppState, session::SessionError};

/// The routes under `/auth/`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
        .route("/auth/extend", post(extend))
}

/// A session failure: a plain 500, details in the log.
pub(super) fn internal(error: &SessionError) -> Response {
    tracing::error!(error = %error, "login: the session failed");
    internal_text()
}

/// The plain 500 of the login routes.
pub(super) fn internal_text() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CACHE_CONTROL, "no-store")],
        "Interner Fehler. Bitte versuchen Sie es später erneut. / \
         Internal error. Please try again later.",
    )
        .into_response()
}

fn see_other(to: &str) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(to)).into_response()
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    acr: Option<String>,
    lang: Option<String>,
}

/// `GET /auth/login`: remembers the started login in the session and sends
/// the browser to the provider.
async fn login(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let next = local_next(query.next.as_deref());
    let Some(oidc) = state.auth.oidc() else {
        return problem_page(Problem::NotConfigured, None, &next);
    };
    let level = query.acr.as_deref().and_then(parse_trust_level);
    let english = query.lang.as_deref() == Some("en");
    let again = match login::current(&session).await {
        Ok(login) => login.is_some(),
        Err(e) => return internal(&e),
    };
    let now = state.auth.now();
    match oidc.begin(level, again, english, next.clone(), now).await {
        Ok((url, pending)) => {
            if let Err(e) = login::push_pending(&session, pending, now).await {
                return internal(&e);
            }
            see_other(url.as_str())
        }
        Err(e) => {
            tracing::warn!(error = %e, "login cannot start");
            problem_page(
                Problem::Unreachable,
                Some(&login_href(&next, level, Lang::De)),
                &next,
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// `GET /auth/callback`: checks `state`, exchanges the code, validates the
/// ID token, rotates the session id and stores the login.
async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.auth.oidc() else {
        return problem_page(Problem::NotConfigured, None, "/");
    };
    let now = state.auth.now();
    let pending = match query.state.as_deref() {
        Some(s) if !s.is_empty() => match login::take_pending(&session, s, now).await {
            Ok(pending) => pending,
            Err(e) => return internal(&e),
        },
        _ => None,
    };
    let Some(pending) = pending else {
        tracing::info!("login callback refused: unknown, used or expired state");
        return problem_page(Problem::State, Some(&login_href("/", None, Lang::De)), "/");
    };
    let retry = login_href(&pending.next, pending.level, Lang::De);
    let back = pending.next.clone();
    if let Some(error) = query.error.as_deref() {
        // An OAuth error code is a short ASCII word, safe to log.
        let code: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        tracing::info!(error = %code, "the provider ended the login with an error");
        let problem = if error == "access_denied" {
            Problem::Cancelled
        } else {
            Problem::ProviderError
        };
        return problem_page(problem, Some(&retry), &back);
    }
    if let Some(iss) = query.iss.as_deref()
        && iss != oidc.issuer()
    {
        tracing::warn!("login callback refused: its iss is not the configured issuer");
        return problem_page(Problem::ProviderError, Some(&retry), &back);
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        tracing::info!("login callback without a code");
        return problem_page(Problem::ProviderError, Some(&retry), &back);
    };
    let login = match oidc.finish(&pending, code, now).await {
        Ok(login) => login,
        Err(e) => {
            tracing::warn!(error = %e, "login failed");
            let problem = match e {
                OidcError::Unreachable(_) | OidcError::Discovery(_) => Problem::Unreachable,
                OidcError::CodeRejected(_) => Problem::CodeRejected,
                OidcError::Token(_) => Problem::ProviderError,
                OidcError::NoIdToken | OidcError::InvalidToken(_) => Problem::InvalidToken,
            };
            return problem_page(problem, Some(&retry), &back);
        }
    };
    if let Err(e) = super::begin_session(&state.db, &session, &login).await {
        return internal(&e);
    }
    tracing::info!(
        trust_level = ?login.trust_level,
        account_type = ?login.account_type,
        "logged in"
    );
    see_other(&pending.next)
}

/// `POST /auth/logout`: ends the local session (its drafts' ids and the
/// login), then the provider's session (RP-initiated logout) when it has
/// an end-session endpoint.
async fn logout(
    State(state): State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
    _checked: CsrfForm,
) -> Response {
    let login = match login::current(&session).await {
        Ok(login) => login,
        Err(e) => return internal(&e),
    };
    // The drafts of this session stay with the account.
    if let Some(login) = &login
        && let Err(e) = super::accounts::adopt_session_drafts(&state.db, &session, login).await
    {
        tracing::error!(error = %e, "taking over drafts at logout failed");
    }
    if let Err(e) = session.flush().await {
        return internal(&SessionError::from(e));
    }
    let provider_logout = match (state.auth.oidc(), &login) {
        (Some(oidc), Some(login)) => oidc.logout_url(login.id_token.as_deref()).await,
        _ => None,
    };
    if login.is_some() {
        tracing::info!("logged out");
    }
    match provider_logout {
        Some(url) => logged_out_page(url.as_str()),
        None => {
            let english = query.as_deref().is_some_and(|q| q.contains("lang=en"));
            see_other(if english { "/?lang=en" } else { "/" })
        }
    }
}

/// `POST /auth/extend` (the "stay logged in" button; without JavaScript a
/// plain form): the login's idle time starts anew, then back to `next`.
/// Without a live login it just goes back.
async fn extend(State(state): State<AppState>, session: Session, form: CsrfForm) -> Response {
    let next = local_next(
        form.0
            .iter()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.as_str()),
    );
    let policy = state.auth.session_policy();
    if let Err(e) = super::timeout::extend(&session, &policy, state.auth.now()).await {
        return internal(&e);
    }
    see_other(&next)
}
