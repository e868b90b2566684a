//! Login with the state's service account (Servicekonto) through OpenID
//! Connect, and access to the forms that need it.
//!
//! - [`oidc`]: the relying party (discovery, code flow with PKCE, state
//!   and nonce, ID token validation, userinfo, RP-initiated logout);
//! - [`login`]: the verified [`Login`] in the session, the trust level
//!   from `acr`, the claims, the local-only `next`;
//! - [`routes`]: `GET /auth/login`, `GET /auth/callback`,
//!   `POST /auth/logout`; [`pages`]: their problem pages;
//! - [`access`]: the server-side check for forms with
//!   `access.kind = service_account`;
//! - [`prefill`]: the fields the account's verified claims fill;
//! - [`timeout`]: the login's idle and absolute timeouts, the "stay
//!   logged in" POST;
//! - [`accounts`]: the account's drafts and submissions ("Meine
//!   Anträge"), drafts taken over at login;
//! - [`roles`]: staff roles from claims, the [`roles::RequireRole`] guard
//!   and `GET /verwaltung`;
//! - [`Auth`]: the part of the state that knows whether login is on, and
//!   the pages' [`AuthBackend`] (who is logged in).
//!
//! Login is off when `AMTSWEG_OIDC_*` are not set: forms that need it say
//! so, `/auth/login` answers with a page that says so. The provider is
//! discovered at the first login, not at start, so the portal starts (and
//! anonymous forms work) while the provider is down.
//!
//! At login the session id is rotated ([`crate::session::Journey::rotate`]);
//! a login of another account than the one before first empties the
//! session, so nothing of one person's drafts reaches another's; else the
//! session's drafts become the account's. Logout and the end of a login
//! by timeout delete the session (its drafts stay with the account). Never logged: names, claims, subjects, tokens.

pub mod access;
pub mod accounts;
pub mod login;
mod oidc;
mod pages;
pub mod prefill;
pub mod roles;
mod routes;
pub mod testing;
pub mod timeout;

use amtsweg_app::{
    auth::{MyApplications, SessionTimes, Viewer, ssr::AuthBackend},
    catalog::ssr::{BoxFuture, InternalError},
};
use amtsweg_forms::Access;
use tower_sessions::Session;
use url::Url;

pub use login::{Login, PostalAddress, VerifiedClaims};
pub use roles::{RequireRole, StaffRoles};
pub use timeout::Clock;

use crate::{
    config::{OidcConfig, SessionConfig},
    csrf,
    db::Db,
    session::SessionError,
};

/// Login in the application state.
#[derive(Debug, Default)]
pub struct Auth {
    oidc: Option<oidc::Oidc>,
    session: SessionConfig,
    clock: Clock,
}

/// The routes of login, "Meine Anträge" and the back-office.
pub fn router() -> axum::Router<crate::routes::AppState> {
    routes::router()
        .merge(accounts::router())
        .merge(roles::router())
}

impl Auth {
    /// Login off.
    pub fn disabled() -> Auth {
        Auth::default()
    }

    /// Login through the provider in `config` (`None`: off), with the
    /// redirect URIs under `public_url`. Nothing is fetched yet.
    pub fn new(config: Option<&OidcConfig>, public_url: &Url) -> Result<Auth, String> {
        Ok(Auth {
            oidc: config
                .map(|config| oidc::Oidc::new(config, public_url))
                .transpose()?,
            ..Auth::default()
        })
    }

    /// The same with the login's timeouts from `session`.
    pub fn with_session_policy(mut self, session: SessionConfig) -> Auth {
        self.session = session;
        self
    }

    /// The same reading the time from `clock` (tests move a manual one).
    pub fn with_clock(mut self, clock: Clock) -> Auth {
        self.clock = clock;
        self
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The login's timeouts.
    pub fn session_policy(&self) -> SessionConfig {
        self.session
    }

    /// A Servicekonto is connected.
    pub fn enabled(&self) -> bool {
        self.oidc.is_some()
    }

    fn oidc(&self) -> Option<&oidc::Oidc> {
        self.oidc.as_ref()
    }

    /// Whether the session may fill in a form with `access` (login must be
    /// on for forms that need it).
    pub async fn may_use(&self, session: &Session, access: &Access) -> Result<bool, SessionError> {
        access::allowed(session, access, self.enabled()).await
    }
}

/// The pages' view of login ([`AuthBackend`]): who is logged in, the
/// login's end, "stay logged in", "Meine Anträge". Holds the router's
/// state (it needs the database).
#[derive(Debug)]
pub struct AuthPages {
    state: crate::routes::AppState,
}

impl AuthPages {
    pub fn new(state: crate::routes::AppState) -> AuthPages {
        AuthPages { state }
    }
}

impl AuthBackend for AuthPages {
    fn viewer<'a>(
        &'a self,
        request: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Viewer, InternalError>> {
        Box::pin(async move {
            let auth = &self.state.auth;
            let Some(session) = request.extensions.get::<Session>() else {
                return Ok(Viewer {
                    login_enabled: auth.enabled(),
                    ..Viewer::default()
                });
            };
            let login = if auth.enabled() {
                login::current(session).await?
            } else {
                None
            };
            let csrf = match &login {
                Some(_) => csrf::token(session).await?.as_str().to_owned(),
                None => String::new(),
            };
            let now = auth.now();
            let policy = auth.session_policy();
            let session_times = match timeout::status(session, &policy, now).await? {
                timeout::Status::Active(ends) => Some(timeout::session_times(&ends, now, &policy)),
                _ => None,
            };
            Ok(Viewer {
                login_enabled: auth.enabled(),
                login: login.map(|l| l.summary()),
                csrf,
                session: session_times,
            })
        })
    }

    fn extend<'a>(
        &'a self,
        request: &'a http::request::Parts,
        csrf_token: &'a str,
    ) -> BoxFuture<'a, Result<Option<SessionTimes>, InternalError>> {
        Box::pin(async move {
            let Some(session) = request.extensions.get::<Session>() else {
                return Ok(None);
            };
            if csrf::verify(session, Some(csrf_token)).await.is_err() {
                return Ok(None);
            }
            let auth = &self.state.auth;
            Ok(timeout::extend(session, &auth.session_policy(), auth.now()).await?)
        })
    }

    fn applications<'a>(
        &'a self,
        request: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Option<MyApplications>, InternalError>> {
        Box::pin(async move {
            let Some(session) = request.extensions.get::<Session>() else {
                return Ok(None);
            };
            if !self.state.auth.enabled() {
                return Ok(None);
            }
            accounts::applications(&self.state, session, time::OffsetDateTime::now_utc())
                .await
                .map_err(|e| Box::new(e) as InternalError)
        })
    }
}

/// Stores a verified login: a different account than the session's
/// previous login first empties the session, else the session's drafts
/// become the account's; then the id is rotated and the login's timeouts
/// start.
async fn begin_session(db: &Db, session: &Session, login: &Login) -> Result<(), SessionError> {
    if let Some(previous) = login::current(session).await?
        && (previous.subject != login.subject || previous.issuer != login.issuer)
    {
        session.clear().await;
    }
    if let Err(e) = accounts::adopt_session_drafts(db, session, login).await {
        // The drafts stay in the session and the database; only the
        // account's list misses them.
        tracing::error!(error = %e, "taking over the session's drafts at login failed");
    }
    crate::session::Journey::new(session.clone())
        .rotate()
        .await?;
    session.remove_value(timeout::SEEN_KEY).await?;
    login::store(session, login).await
}
