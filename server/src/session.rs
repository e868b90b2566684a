//! Sessions: tower-sessions with its sqlx store on the portal's own
//! database (table `tower_sessions` on SQLite, `tower_sessions.session` on
//! PostgreSQL, created by [`migrate`], which [`Db::migrate`] runs), the
//! cookie settings, and [`Journey`], the typed view of what a session
//! holds.
//!
//! The cookie is `__Host-amtsweg` with `Secure` when `AMTSWEG_PUBLIC_URL`
//! is https, else `amtsweg` without `Secure` (so `http://127.0.0.1` works
//! in development); always `HttpOnly`, `SameSite=Lax`, `Path=/`, and it
//! expires after [`IDLE_TIMEOUT`] without a request. A session is only
//! stored (and the cookie only set) once something is put into it.
//!
//! What a session holds, and nothing else: the draft id per form
//! ([`Journey::draft_for`], [`Journey::set_draft`]), the CSRF token
//! ([`crate::csrf`]), for one GET after "save and continue later" the
//! new resume link's token ([`crate::resume`], key `saved_link`), and the
//! Servicekonto login with the logins that were started
//! ([`crate::auth::login`]) and the time of the login's last request
//! (`login_seen`, [`crate::auth::timeout`]). Answers live in the draft, never in the
//! session.
//!
//! **Session fixation.** Whenever the privilege behind a session changes,
//! its id is rotated: [`Journey::resume`] does it when a draft is opened
//! from a resume link, the login callback calls [`Journey::rotate`]
//! (`crate::auth`), and logout deletes the session.

use std::{collections::BTreeMap, time::Duration};

use async_trait::async_trait;
use axum::{extract::FromRequestParts, http::request::Parts};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tower_sessions::{
    Expiry, Session, SessionManagerLayer, SessionStore,
    cookie::SameSite,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};
use url::Url;
use uuid::Uuid;

use crate::db::Db;

/// The cookie's name over https: the `__Host-` prefix makes browsers
/// insist on `Secure`, `Path=/` and no `Domain`.
pub const SECURE_COOKIE: &str = "__Host-amtsweg";
/// The cookie's name over plain http (development only).
pub const PLAIN_COOKIE: &str = "amtsweg";
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: time::Duration = time::Duration::hours(2);
/// How often expired sessions are deleted.
pub const DELETE_EXPIRED_EVERY: Duration = Duration::from_secs(10 * 60);

/// Key of [`JourneyData`] in the session.
const JOURNEY_KEY: &str = "journey";
/// Key of the time (Unix seconds) the stored expiry was last renewed.
const RENEWED_KEY: &str = "renewed";
/// The store only saves a session whose content changed, so its stored
/// expiry would stay at "last change + [`IDLE_TIMEOUT`]" while a citizen
/// keeps working (drafts are saved in their own table, not the session).
/// [`keep_alive`] therefore changes the session at most this often, which
/// renews the expiry without a write per request.
pub const RENEW_EVERY: time::Duration = time::Duration::minutes(5);

/// A session problem. Its text holds no session content.
#[derive(Debug, Error)]
pub enum SessionError {
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("the request has no session (is the session layer missing?)")]
    Missing,
}

/// The session store on the portal's database, whichever backend it is.
#[derive(Debug, Clone)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    pub fn new(db: &Db) -> DbSessionStore {
        match db {
            Db::Sqlite(pool) => DbSessionStore::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => DbSessionStore::Postgres(PostgresStore::new(pool.clone())),
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.create(record).await,
            DbSessionStore::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.save(record).await,
            DbSessionStore::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            DbSessionStore::Sqlite(store) => store.load(id).await,
            DbSessionStore::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.delete(id).await,
            DbSessionStore::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(store) => store.delete_expired().await,
            DbSessionStore::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// Creates the session table if it is missing (the store's own schema,
/// kept apart from `migrations/`).
pub async fn migrate(db: &Db) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(pool) => SqliteStore::new(pool.clone()).migrate().await,
        Db::Postgres(pool) => PostgresStore::new(pool.clone()).migrate().await,
    }
}

/// Whether the cookie can be `Secure` (and `__Host-`): the public URL is
/// https.
pub fn cookie_is_secure(public_url: &Url) -> bool {
    public_url.scheme() == "https"
}

/// The session layer with the portal's cookie settings.
pub fn layer(db: &Db, public_url: &Url) -> SessionManagerLayer<DbSessionStore> {
    let secure = cookie_is_secure(public_url);
    SessionManagerLayer::new(DbSessionStore::new(db))
        .with_name(if secure { SECURE_COOKIE } else { PLAIN_COOKIE })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT))
}

/// Deletes expired sessions every [`DELETE_EXPIRED_EVERY`] while the server
/// runs.
pub fn spawn_expired_deletion(db: &Db) -> tokio::task::JoinHandle<()> {
    let store = DbSessionStore::new(db);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(DELETE_EXPIRED_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
        }
    })
}

/// Renews a used session's stored expiry when it was last renewed
/// [`RENEW_EVERY`] ago or longer (see there). Sessions without content are
/// left alone, so no session is created for this.
pub async fn keep_alive(session: &Session) -> Result<(), SessionError> {
    if session.id().is_none() || session.is_empty().await {
        return Ok(());
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let renewed: Option<i64> = session.get(RENEWED_KEY).await?;
    if renewed.is_none_or(|at| now.saturating_sub(at) >= RENEW_EVERY.whole_seconds()) {
        session.insert(RENEWED_KEY, now).await?;
    }
    Ok(())
}

/// What the journey keeps in the session.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct JourneyData {
    /// The open draft of each form, by form id.
    drafts: BTreeMap<String, Uuid>,
}

/// The typed view of a session for the citizen journey. An axum extractor
/// (needs the session layer); or wrap a [`Session`] with [`Journey::new`],
/// e.g. one taken from the request's extensions in Leptos.
#[derive(Debug, Clone)]
pub struct Journey {
    session: Session,
}

impl Journey {
    pub fn new(session: Session) -> Journey {
        Journey { session }
    }

    /// The session underneath.
    pub fn session(&self) -> &Session {
        &self.session
    }

    async fn data(&self) -> Result<JourneyData, SessionError> {
        Ok(self
            .session
            .get::<JourneyData>(JOURNEY_KEY)
            .await?
            .unwrap_or_default())
    }

    /// The draft this browser works on for `form_id`, if any. The caller
    /// still loads it and checks it belongs to that form and is open.
    pub async fn draft_for(&self, form_id: &str) -> Result<Option<Uuid>, SessionError> {
        Ok(self.data().await?.drafts.get(form_id).copied())
    }

    /// Every draft this session knows, of every form.
    pub async fn draft_ids(&self) -> Result<Vec<Uuid>, SessionError> {
        Ok(self.data().await?.drafts.into_values().collect())
    }

    /// Remembers `draft_id` as this browser's draft of `form_id`.
    pub async fn set_draft(&self, form_id: &str, draft_id: Uuid) -> Result<(), SessionError> {
        let mut data = self.data().await?;
        data.drafts.insert(form_id.to_owned(), draft_id);
        self.session.insert(JOURNEY_KEY, data).await?;
        Ok(())
    }

    /// Forgets the draft of `form_id` (e.g. after it expired), so the next
    /// visit starts a new one.
    pub async fn forget_draft(&self, form_id: &str) -> Result<(), SessionError> {
        let mut data = self.data().await?;
        if data.drafts.remove(form_id).is_some() {
            self.session.insert(JOURNEY_KEY, data).await?;
        }
        Ok(())
    }

    /// A draft was opened from its resume link: rotate the session id (the
    /// link's holder gains access to the draft, so an id planted before
    /// must not carry over), then remember the draft.
    pub async fn resume(&self, form_id: &str, draft_id: Uuid) -> Result<(), SessionError> {
        self.rotate().await?;
        self.set_draft(form_id, draft_id).await
    }

    /// Gives the session a new id, keeping its content. Call on every change
    /// of privilege: resuming a draft, login, logout.
    pub async fn rotate(&self) -> Result<(), SessionError> {
        self.session.cycle_id().await?;
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Journey {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .map(Journey::new)
            .ok_or(SessionRejection)
    }
}

/// The request has no session: the session layer is missing (a server
/// bug). Answers 500 with a plain text.
#[derive(Debug, Clone, Copy)]
pub struct SessionRejection;

impl axum::response::IntoResponse for SessionRejection {
    fn into_response(self) -> axum::response::Response {
        tracing::error!("a handler needs a session but the request has none");
        (
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "Interner Fehler / Internal error",
        )
            .into_response()
    }
}

#[cfg(test)]
mod keep_alive_tests {
    #![allow(clippy::expect_used)]
    use std::sync::Arc;

    use tower_sessions::{MemoryStore, Session};

    use super::*;

    async fn stored_session(store: &Arc<MemoryStore>, renewed: Option<i64>) -> Session {
        let session = Session::new(
            None,
            store.clone(),
            Some(Expiry::OnInactivity(IDLE_TIMEOUT)),
        );
        session
            .insert(JOURNEY_KEY, JourneyData::default())
            .await
            .expect("memory store");
        if let Some(at) = renewed {
            session.insert(RENEWED_KEY, at).await.expect("memory store");
        }
        session.save().await.expect("memory store");
        // As the next request sees it: loaded from the store, unmodified.
        Session::new(
            session.id(),
            store.clone(),
            Some(Expiry::OnInactivity(IDLE_TIMEOUT)),
        )
    }

    #[tokio::test]
    async fn a_session_in_use_is_renewed_at_most_every_few_minutes() {
        let store = Arc::new(MemoryStore::default());
        let now = time::OffsetDateTime::now_utc().unix_timestamp();

        let never_renewed = stored_session(&store, None).await;
        keep_alive(&never_renewed).await.expect("keep alive");
        assert!(never_renewed.is_modified(), "a first renewal is saved");

        let just_renewed = stored_session(&store, Some(now - 10)).await;
        keep_alive(&just_renewed).await.expect("keep alive");
        assert!(!just_renewed.is_modified(), "no write per request");

        let renewed_long_ago = stored_session(&store, Some(now - 6 * 60)).await;
        keep_alive(&renewed_long_ago).await.expect("keep alive");
        assert!(renewed_long_ago.is_modified(), "renewed after RENEW_EVERY");
    }

    #[tokio::test]
    async fn no_session_is_created_for_it() {
        let store = Arc::new(MemoryStore::default());
        let fresh = Session::new(None, store.clone(), None);
        keep_alive(&fresh).await.expect("keep alive");
        assert!(!fresh.is_modified());
        assert!(fresh.id().is_none());
    }
}
