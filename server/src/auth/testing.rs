//! For tests only: a stored session that is logged in, without going
//! through a provider, so router tests can check what a login at a given
//! trust level and account type may do. No route calls this; a visitor
//! cannot reach it. (End-to-end tests log in through the real test
//! provider instead.)

use std::collections::HashMap;

use amtsweg_forms::{AccountType, TrustLevel};
use time::OffsetDateTime;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};

use super::{
    login::{LOGIN_KEY, Login, VerifiedClaims},
    roles::StaffRoles,
};
use crate::{
    db::Db,
    session::{DbSessionStore, IDLE_TIMEOUT},
};

/// A login of a test person with `trust_level` and `account_type`.
pub fn login(trust_level: Option<TrustLevel>, account_type: AccountType) -> Login {
    Login {
        subject: format!("test-{account_type:?}-{trust_level:?}").to_lowercase(),
        issuer: "http://127.0.0.1:1".to_owned(),
        account_type,
        trust_level,
        acr: None,
        claims: VerifiedClaims {
            given_name: Some("Erika".to_owned()),
            family_name: Some("Mustermann".to_owned()),
            organization: (account_type == AccountType::Business)
                .then(|| "Musterbau GmbH".to_owned()),
            ..VerifiedClaims::default()
        },
        logged_in_at: OffsetDateTime::now_utc().unix_timestamp(),
        id_token: None,
        roles: StaffRoles::default(),
    }
}

/// A login of a staff member with `roles` (a citizen account at level
/// substanziell, as the claims of a real staff login would have).
pub fn staff_login(roles: StaffRoles) -> Login {
    let mut login = login(Some(TrustLevel::Substanziell), AccountType::Citizen);
    login.subject = format!("test-staff-{}", roles.caseworker_of.join("-"));
    login.roles = roles;
    login
}

/// Stores a new session holding `login` and returns its id: the value of
/// the session cookie.
pub async fn logged_in_session(db: &Db, login: &Login) -> Result<String, String> {
    let mut data = HashMap::new();
    data.insert(
        LOGIN_KEY.to_owned(),
        serde_json::to_value(login).map_err(|e| e.to_string())?,
    );
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + IDLE_TIMEOUT,
    };
    DbSessionStore::new(db)
        .create(&mut record)
        .await
        .map_err(|e| e.to_string())?;
    Ok(record.id.to_string())
}

/// Puts `login` into the stored session `session_id` (the cookie value),
/// replacing its login and keeping everything else (e.g. its drafts).
pub async fn replace_login(db: &Db, session_id: &str, login: &Login) -> Result<(), String> {
    let id: Id = session_id
        .parse()
        .map_err(|e| format!("session id: {e:?}"))?;
    let store = DbSessionStore::new(db);
    let mut record = store
        .load(&id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no such session")?;
    record.data.insert(
        LOGIN_KEY.to_owned(),
        serde_json::to_value(login).map_err(|e| e.to_string())?,
    );
    store.save(&record).await.map_err(|e| e.to_string())
}

/// Logs `login` in on the stored session `session_id` (the cookie value)
/// as the login callback does after a valid ID token: a different account
/// than the session's previous login first empties the session, the
/// session's drafts become the account's, the id is rotated. Returns the
/// new session id.
pub async fn log_in(db: &Db, session_id: &str, login: &Login) -> Result<String, String> {
    let id: Id = session_id
        .parse()
        .map_err(|e| format!("session id: {e:?}"))?;
    let store = std::sync::Arc::new(DbSessionStore::new(db));
    let session = tower_sessions::Session::new(
        Some(id),
        store,
        Some(tower_sessions::Expiry::OnInactivity(IDLE_TIMEOUT)),
    );
    super::begin_session(db, &session, login)
        .await
        .map_err(|e| e.to_string())?;
    session.save().await.map_err(|e| e.to_string())?;
    session
        .id()
        .map(|id| id.to_string())
        .ok_or_else(|| "the session has no id".to_owned())
}
