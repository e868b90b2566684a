//! Access to forms behind the Servicekonto, enforced on the server.
//!
//! A form with `access.kind = service_account` may be filled in only by a
//! session whose login has at least the form's `min_trust_level` and an
//! allowed account type ([`amtsweg_app::auth::decide`], the rule the start
//! page explains). The journey asks here:
//!
//! - `POST /forms/{id}/starten` and `POST /forms/{id}/absenden` check
//!   [`Auth::may_use`](super::Auth::may_use) (with login off, never);
//! - every other page and POST of a form reaches the draft only through
//!   `Journey::open_draft`, which treats a draft the session may not use
//!   as absent ([`has_access`]), so step pages, the check page, saving a
//!   step and the server functions behind them send the visitor to the
//!   start page, which says what login is needed. The draft itself is
//!   kept: after a login at the right level it is there again.
//!
//! Anonymous forms never read the session here.

use amtsweg_forms::Access;
use tower_sessions::Session;

use super::login;
use crate::session::SessionError;

/// Whether the session's login (if any) satisfies `access`, with login
/// switched on. Anonymous forms: always.
pub async fn has_access(session: &Session, access: &Access) -> Result<bool, SessionError> {
    allowed(session, access, true).await
}

pub(super) async fn allowed(
    session: &Session,
    access: &Access,
    login_enabled: bool,
) -> Result<bool, SessionError> {
    if matches!(access, Access::Anonymous) {
        return Ok(true);
    }
    let login = login::current(session).await?;
    Ok(amtsweg_app::auth::decide(
        access,
        login_enabled,
        login.map(|l| (l.trust_level, l.account_type)),
    )
    .allows())
}
