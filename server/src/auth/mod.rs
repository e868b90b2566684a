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
//! session, so nothing of one person's drafts reaches another's. Logout
//! deletes the session. Never logged: names, claims, subjects, tokens.

pub mod access;
pub mod login;
mod oidc;
mod pages;
pub mod prefill;
mod routes;
pub mod testing;

use amtsweg_app::{
    auth::{Viewer, ssr::AuthBackend},
    catalog::ssr::{BoxFuture, InternalError},
};
use amtsweg_forms::Access;
use tower_sessions::Session;
use url::Url;

pub use login::{Login, PostalAddress, VerifiedClaims};
pub use routes::router;

use crate::{config::OidcConfig, csrf, session::SessionError};

/// Login in the application state.
#[derive(Debug, Default)]
pub struct Auth {
    oidc: Option<oidc::Oidc>,
}

impl Auth {
    /// Login off.
    pub fn disabled() -> Auth {
        Auth { oidc: None }
    }

    /// Login through the provider in `config` (`None`: off), with the
    /// redirect URIs under `public_url`. Nothing is fetched yet.
    pub fn new(config: Option<&OidcConfig>, public_url: &Url) -> Result<Auth, String> {
        Ok(Auth {
            oidc: config
                .map(|config| oidc::Oidc::new(config, public_url))
                .transpose()?,
        })
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

impl AuthBackend for Auth {
    fn viewer<'a>(
        &'a self,
        request: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Viewer, InternalError>> {
        Box::pin(async move {
            let Some(session) = request.extensions.get::<Session>() else {
                return Ok(Viewer {
                    login_enabled: self.enabled(),
                    ..Viewer::default()
                });
            };
            let login = if self.enabled() {
                login::current(session).await?
            } else {
                None
            };
            let csrf = match &login {
                Some(_) => csrf::token(session).await?.as_str().to_owned(),
                None => String::new(),
            };
            Ok(Viewer {
                login_enabled: self.enabled(),
                login: login.map(|l| l.summary()),
                csrf,
            })
        })
    }
}

/// Stores a verified login: a different account than the session's
/// previous login first empties the session; then the id is rotated.
async fn begin_session(session: &Session, login: &Login) -> Result<(), SessionError> {
    if let Some(previous) = login::current(session).await?
        && (previous.subject != login.subject || previous.issuer != login.issuer)
    {
        session.clear().await;
    }
    crate::session::Journey::new(session.clone())
        .rotate()
        .await?;
    login::store(session, login).await
}
