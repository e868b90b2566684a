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

use super::login::{LOGIN_KEY, Login, VerifiedClaims};
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
    }
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
