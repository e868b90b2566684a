//! How long a login lasts: the idle timeout (default 30 minutes without a
//! request) and the absolute timeout (default 12 hours after the login),
//! enforced on the server for every request by [`enforce`], and the
//! "stay logged in" POST ([`extend`], `POST /auth/extend`).
//!
//! The session keeps the time of the login's last request under
//! [`SEEN_KEY`]; it is written at most every [`TOUCH_EVERY`] seconds, so a
//! citizen who keeps working does not cause a session write per request,
//! and the idle end is exact to that minute. Pages show the end
//! ([`session_times`]): without JavaScript as a sentence in the header,
//! with hydration also as a warning a few minutes before
//! (`amtsweg_app::auth::SessionWarning`).
//!
//! When a login has ended, [`enforce`] first gives the session's drafts to
//! the account ([`super::accounts::adopt_session_drafts`]), so nothing
//! saved is lost, then deletes the session, and answers page requests with
//! a page that says so (German and English) and offers a new login.
//! Server functions (`/api/…`) go on as anonymous. Time comes from the
//! [`Clock`] in [`super::Auth`], which tests can move.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
};

use amtsweg_app::auth::SessionTimes;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

use super::login::{self, Login};
use crate::{config::SessionConfig, routes::AppState, session::SessionError};

/// Key of the time (Unix seconds) of the login's last request.
pub const SEEN_KEY: &str = "login_seen";
/// The last request's time is written at most this often (seconds).
pub const TOUCH_EVERY: i64 = 60;
/// The hydrated warning appears this long before the idle end (seconds),
/// at most half the idle timeout.
pub const WARN_BEFORE: i64 = 5 * 60;

/// The time, in Unix seconds: the system's, or for tests one that only
/// moves when told.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock standing at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(start))))
    }

    /// Moves a manual clock on by `seconds` (the system clock ignores it).
    pub fn advance(&self, seconds: i64) {
        if let Some(at) = &self.0 {
            at.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(at) => at.load(Ordering::SeqCst),
            None => time::OffsetDateTime::now_utc().unix_timestamp(),
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Clock(manual)"
        } else {
            "Clock(system)"
        })
    }
}

/// Why a login ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// No request for the idle timeout.
    Idle,
    /// The absolute timeout after the login has passed.
    Absolute,
}

/// When a login ends (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ends {
    /// Without a request, at this time.
    pub idle: i64,
    /// In any case at this time.
    pub absolute: i64,
}

impl Ends {
    /// The earlier of the two.
    pub fn at(&self) -> i64 {
        self.idle.min(self.absolute)
    }

    /// Whether the login has ended at `now`, and why.
    pub fn ending(&self, now: i64) -> Option<Ending> {
        if now >= self.absolute {
            Some(Ending::Absolute)
        } else if now >= self.idle {
            Some(Ending::Idle)
        } else {
            None
        }
    }
}

/// When `login`, last seen at `seen` (none: at the login), ends.
pub fn ends(login: &Login, seen: Option<i64>, policy: &SessionConfig) -> Ends {
    let seen = seen.unwrap_or(login.logged_in_at).max(login.logged_in_at);
    let seconds = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4);
    Ends {
        idle: seen.saturating_add(seconds(policy.idle)),
        absolute: login.logged_in_at.saturating_add(seconds(policy.absolute)),
    }
}

/// The session's login as far as its lifetime goes.
#[derive(Debug)]
pub enum Status {
    /// No login.
    Anonymous,
    /// Logged in until [`Ends::at`].
    Active(Ends),
    /// The login has ended.
    Ended(Ending, Box<Login>),
}

/// Reads the login's lifetime at `now`, without changing anything.
pub async fn status(
    session: &Session,
    policy: &SessionConfig,
    now: i64,
) -> Result<Status, SessionError> {
    let Some(login) = login::current(session).await? else {
        return Ok(Status::Anonymous);
    };
    let seen: Option<i64> = session.get(SEEN_KEY).await?;
    let ends = ends(&login, seen, policy);
    Ok(match ends.ending(now) {
        Some(ending) => Status::Ended(ending, Box::new(login)),
        None => Status::Active(ends),
    })
}

/// Records a request of the login at `now` (if the last record is
/// [`TOUCH_EVERY`] old, or always with `force`).
pub async fn touch(session: &Session, now: i64, force: bool) -> Result<(), SessionError> {
    let seen: Option<i64> = session.get(SEEN_KEY).await?;
    if force || seen.is_none_or(|at| now.saturating_sub(at) >= TOUCH_EVERY) {
        session.insert(SEEN_KEY, now).await?;
    }
    Ok(())
}

/// What the pages show of the login's end.
pub fn session_times(ends: &Ends, now: i64, policy: &SessionConfig) -> SessionTimes {
    let at = ends.at();
    let local = time::OffsetDateTime::from_unix_timestamp(at)
        .map(crate::resume::german_time)
        .map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
        .unwrap_or_default();
    let idle = i64::try_from(policy.idle.as_secs()).unwrap_or(i64::MAX / 4);
    SessionTimes {
        ends_at: local,
        seconds_left: at.saturating_sub(now).max(0),
        warn_seconds: WARN_BEFORE.min(idle / 2),
        absolute: ends.absolute <= ends.idle,
    }
}

/// Paths that never see the login's timeout: the login routes themselves
/// (a new login replaces an ended one), assets, health and metrics.
fn exempt(path: &str) -> bool {
    path.starts_with("/auth/")
        || path.starts_with("/pkg/")
        || path == "/health"
        || path == "/metrics"
}

/// Middleware (inside the session layer): ends a login whose time is up
/// and touches a live one.
pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if !state.auth.enabled() || exempt(&path) {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    let now = state.auth.now();
    let policy = state.auth.session_policy();
    let result = async {
        match status(&session, &policy, now).await? {
            Status::Anonymous => Ok(None),
            Status::Active(_) => {
                touch(&session, now, false).await?;
                Ok(None)
            }
            Status::Ended(ending, login) => {
                super::accounts::end_session(&state.db, &session, &login).await?;
                Ok(Some(ending))
            }
        }
    }
    .await;
    match result {
        Ok(None) => next.run(request).await,
        Ok(Some(ending)) => {
            tracing::info!(ending = ?ending, "login ended by timeout");
            if path.starts_with("/api/") {
                return next.run(request).await;
            }
            // A POST-only route has no page to go back to: its form's.
            let page = if let Some(form) = path.strip_suffix("/starten") {
                form.to_owned()
            } else if let Some(form) = path.strip_suffix("/absenden") {
                format!("{form}/pruefen")
            } else {
                path.clone()
            };
            let back = match request.uri().query() {
                Some(q) => format!("{page}?{q}"),
                None => page,
            };
            let back = login::local_next(Some(&back));
            let posted = request.method() != http::Method::GET;
            super::pages::session_ended_page(ending, &back, posted)
        }
        Err(e) => super::routes::internal(&e),
    }
}

/// `POST /auth/extend`'s work: the login's last request is now. Returns
/// the new end, or `None` when there is no (live) login.
pub async fn extend(
    session: &Session,
    policy: &SessionConfig,
    now: i64,
) -> Result<Option<SessionTimes>, SessionError> {
    match status(session, policy, now).await? {
        Status::Active(_) => {
            touch(session, now, true).await?;
            match status(session, policy, now).await? {
                Status::Active(ends) => Ok(Some(session_times(&ends, now, policy))),
                _ => Ok(None),
            }
        }
        Status::Anonymous | Status::Ended(..) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn login_at(at: i64) -> Login {
        let mut login = crate::auth::testing::login(None, amtsweg_forms::AccountType::Citizen);
        login.logged_in_at = at;
        login
    }

    #[test]
    fn a_login_ends_when_idle_or_at_the_latest_after_the_absolute_time() {
        let policy = SessionConfig {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        };
        let login = login_at(1_000);
        let fresh = ends(&login, None, &policy);
        assert_eq!(fresh.idle, 1_000 + 1_800);
        assert_eq!(fresh.ending(1_000 + 1_799), None);
        assert_eq!(fresh.ending(1_000 + 1_800), Some(Ending::Idle));
        // Seen 11 h 50 min after the login: the absolute end comes first.
        let late = ends(&login, Some(1_000 + 11 * 3600 + 50 * 60), &policy);
        assert_eq!(late.at(), 1_000 + 12 * 3600);
        assert_eq!(late.ending(1_000 + 12 * 3600), Some(Ending::Absolute));
        // A "seen" before the login (a stale value) does not count.
        assert_eq!(ends(&login, Some(0), &policy), fresh);
    }

    #[test]
    fn the_page_shows_the_end_in_german_time() {
        let policy = SessionConfig::default();
        // 2026-12-01 13:35 UTC = 14:35 in Germany (CET).
        let at = 1_796_132_100;
        let t = session_times(
            &Ends {
                idle: at,
                absolute: at + 3600,
            },
            at - 600,
            &policy,
        );
        assert_eq!(t.ends_at, "14:35");
        assert_eq!(t.seconds_left, 600);
        assert_eq!(t.warn_seconds, WARN_BEFORE);
        assert!(!t.absolute);
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = Clock::manual(100);
        assert_eq!(clock.now(), 100);
        clock.advance(60);
        assert_eq!(clock.now(), 160);
        assert!(Clock::system().now() > 1_700_000_000);
    }
}
