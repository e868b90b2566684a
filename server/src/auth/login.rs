//! What a login is once it is verified ([`Login`]), how it is kept in the
//! session, and the pure pieces around it: the trust level from `acr`
//! ([`trust_level`]), the claims the portal reads ([`read_claims`]) and
//! the `next` parameter that may only name a local page ([`local_next`]).
//!
//! The session holds, under [`LOGIN_KEY`], the subject, the account type,
//! the trust level, the verified claims needed to prefill forms later and
//! the ID token (the hint for the provider's logout); under
//! [`PENDING_KEY`] the logins that were started and not yet finished
//! (state, nonce, PKCE verifier, where to go back). `Debug` of these types
//! never prints personal data or secrets.

use std::fmt;

use amtsweg_app::auth::LoginSummary;
use amtsweg_forms::{AccountType, TrustLevel};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::{
    config::{AcrValues, ClaimNames},
    session::SessionError,
};

/// Key of the [`Login`] in the session.
pub const LOGIN_KEY: &str = "login";
/// Key of the started logins in the session.
pub const PENDING_KEY: &str = "login_pending";
/// At most this many logins may be pending at once (several tabs); the
/// oldest is dropped.
const MAX_PENDING: usize = 5;
/// A started login must come back within this many seconds.
pub const PENDING_TTL_SECONDS: i64 = 15 * 60;

/// A verified login with the Servicekonto.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// `sub` of the ID token: the account's stable, pseudonymous id at the
    /// provider.
    pub subject: String,
    /// `iss` of the ID token.
    pub issuer: String,
    pub account_type: AccountType,
    /// From `acr`; `None` when the provider's value is not configured.
    pub trust_level: Option<TrustLevel>,
    /// The raw `acr` value.
    pub acr: Option<String>,
    /// Verified claims, for showing the name and (later) prefill.
    pub claims: VerifiedClaims,
    /// Unix time of the login.
    pub logged_in_at: i64,
    /// The ID token, sent back as `id_token_hint` at logout.
    pub id_token: Option<String>,
    /// Staff roles from the roles claim (empty for citizens).
    #[serde(default)]
    pub roles: super::roles::StaffRoles,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("account_type", &self.account_type)
            .field("trust_level", &self.trust_level)
            .finish_non_exhaustive()
    }
}

/// The claims the portal reads, as the provider vouched for them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedClaims {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// `YYYY-MM-DD` as the provider sent it.
    pub birthdate: Option<String>,
    pub email: Option<String>,
    pub address: Option<PostalAddress>,
    /// The company's name (business accounts).
    pub organization: Option<String>,
}

impl fmt::Debug for VerifiedClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifiedClaims(<redacted>)")
    }
}

/// An OpenID Connect address claim (the parts the portal uses).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    pub country: Option<String>,
}

impl fmt::Debug for PostalAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PostalAddress(<redacted>)")
    }
}

impl Login {
    /// The name to show: "Erika Mustermann", for a business "Kita
    /// Sonnenschein gGmbH (Sabine Sonnig)"; empty without name claims.
    pub fn display_name(&self) -> String {
        let c = &self.claims;
        let person = [c.given_name.as_deref(), c.family_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        match (&c.organization, self.account_type) {
            (Some(org), AccountType::Business) if !org.trim().is_empty() => {
                if person.is_empty() {
                    org.clone()
                } else {
                    format!("{org} ({person})")
                }
            }
            _ => person,
        }
    }

    /// What the pages may know of this login.
    pub fn summary(&self) -> LoginSummary {
        LoginSummary {
            name: self.display_name(),
            account_type: self.account_type,
            trust_level: self.trust_level,
            staff: self.roles.is_staff(),
        }
    }
}

/// The trust level an `acr` value stands for (`None`: no value, or one
/// that is not configured).
pub fn trust_level(acr: Option<&str>, values: &AcrValues) -> Option<TrustLevel> {
    let acr = acr?;
    [
        (TrustLevel::Hoch, &values.hoch),
        (TrustLevel::Substanziell, &values.substanziell),
        (TrustLevel::Basis, &values.basis),
    ]
    .into_iter()
    .find(|(_, list)| list.iter().any(|v| v == acr))
    .map(|(level, _)| level)
}

/// The `acr` values to ask for when a form needs at least `level`: that
/// level's first value, then those of the higher levels (`acr_values` is
/// a list in order of preference).
pub fn requested_acr(level: TrustLevel, values: &AcrValues) -> Vec<String> {
    let lists = match level {
        TrustLevel::Basis => [&values.basis, &values.substanziell, &values.hoch].to_vec(),
        TrustLevel::Substanziell => [&values.substanziell, &values.hoch].to_vec(),
        TrustLevel::Hoch => [&values.hoch].to_vec(),
    };
    lists
        .into_iter()
        .filter_map(|list| list.first().cloned())
        .collect()
}

/// `basis`, `substanziell` or `hoch` (the `acr` parameter of
/// `/auth/login`).
pub fn parse_trust_level(text: &str) -> Option<TrustLevel> {
    match text {
        "basis" => Some(TrustLevel::Basis),
        "substanziell" => Some(TrustLevel::Substanziell),
        "hoch" => Some(TrustLevel::Hoch),
        _ => None,
    }
}

/// Reads the account type and the verified claims from a claims object
/// (the ID token's, completed by userinfo's), under the configured names.
pub fn read_claims(
    claims: &Map<String, Value>,
    names: &ClaimNames,
) -> (AccountType, VerifiedClaims) {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let account_type = match claims.get(&names.account_type) {
        Some(Value::String(v)) if v == &names.business_value => AccountType::Business,
        _ => AccountType::Citizen,
    };
    let address = claims
        .get(&names.address)
        .and_then(Value::as_object)
        .map(|a| {
            let part = |key: &str| {
                a.get(key)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            PostalAddress {
                street_address: part("street_address"),
                postal_code: part("postal_code"),
                locality: part("locality"),
                country: part("country"),
            }
        });
    (
        account_type,
        VerifiedClaims {
            given_name: text(&names.given_name),
            family_name: text(&names.family_name),
            birthdate: text(&names.birthdate),
            email: text(&names.email),
            address,
            organization: text(&names.organization),
        },
    )
}

/// Longest accepted `next`.
const MAX_NEXT: usize = 2048;

/// Where to go after login: `next` if it is a local path of this portal,
/// else `/`. No scheme, no host, no `//` or `\` tricks, nothing under
/// `/auth/` (which would loop), no control characters — so there is no
/// open redirect.
pub fn local_next(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".to_owned();
    };
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= MAX_NEXT
        && !(next == "/auth" || next.starts_with("/auth/") || next.starts_with("/auth?"));
    if ok { next.to_owned() } else { "/".to_owned() }
}

/// A login that was started (`/auth/login`) and not yet finished.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    /// `state` sent to the provider.
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go afterwards (checked with [`local_next`]).
    pub next: String,
    /// The trust level asked for.
    pub level: Option<TrustLevel>,
    /// Unix time it was started.
    pub started_at: i64,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("level", &self.level)
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}

/// The session's login, if any.
pub async fn current(session: &Session) -> Result<Option<Login>, SessionError> {
    Ok(session.get::<Login>(LOGIN_KEY).await?)
}

/// Stores `login` in the session (the caller rotates the session id).
pub async fn store(session: &Session, login: &Login) -> Result<(), SessionError> {
    session.insert(LOGIN_KEY, login).await?;
    Ok(())
}

/// Remembers a started login; drops expired ones and the oldest beyond
/// [`MAX_PENDING`].
pub async fn push_pending(
    session: &Session,
    pending: PendingLogin,
    now: i64,
) -> Result<(), SessionError> {
    let mut list: Vec<PendingLogin> = session.get(PENDING_KEY).await?.unwrap_or_default();
    list.retain(|p| now - p.started_at < PENDING_TTL_SECONDS);
    list.push(pending);
    let excess = list.len().saturating_sub(MAX_PENDING);
    list.drain(..excess);
    session.insert(PENDING_KEY, list).await?;
    Ok(())
}

/// Takes the started login with `state` out of the session (so a callback
/// can be used once). `None`: unknown, already used or expired.
pub async fn take_pending(
    session: &Session,
    state: &str,
    now: i64,
) -> Result<Option<PendingLogin>, SessionError> {
    let Some(mut list) = session.get::<Vec<PendingLogin>>(PENDING_KEY).await? else {
        return Ok(None);
    };
    let found = list
        .iter()
        .position(|p| bool::from(p.state.as_bytes().ct_eq(state.as_bytes())));
    let taken = found.map(|i| list.remove(i));
    list.retain(|p| now - p.started_at < PENDING_TTL_SECONDS);
    if list.is_empty() {
        session.remove_value(PENDING_KEY).await?;
    } else {
        session.insert(PENDING_KEY, list).await?;
    }
    Ok(taken.filter(|p| now - p.started_at < PENDING_TTL_SECONDS))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn acr_values_map_to_trust_levels() {
        let values = AcrValues::default();
        assert_eq!(
            trust_level(Some("http://eidas.europa.eu/LoA/low"), &values),
            Some(TrustLevel::Basis)
        );
        assert_eq!(
            trust_level(Some("http://eidas.europa.eu/LoA/substantial"), &values),
            Some(TrustLevel::Substanziell)
        );
        assert_eq!(
            trust_level(Some("http://eidas.europa.eu/LoA/high"), &values),
            Some(TrustLevel::Hoch)
        );
        assert_eq!(trust_level(Some("urn:unknown"), &values), None);
        assert_eq!(trust_level(None, &values), None);
        // Several values per level, as configured.
        let values = AcrValues {
            substanziell: vec!["a".into(), "STORK-QAA-Level-3".into()],
            ..AcrValues::default()
        };
        assert_eq!(
            trust_level(Some("STORK-QAA-Level-3"), &values),
            Some(TrustLevel::Substanziell)
        );
    }

    #[test]
    fn a_login_asks_for_the_level_and_the_higher_ones() {
        let values = AcrValues::default();
        assert_eq!(
            requested_acr(TrustLevel::Substanziell, &values),
            [
                "http://eidas.europa.eu/LoA/substantial",
                "http://eidas.europa.eu/LoA/high"
            ]
        );
        assert_eq!(requested_acr(TrustLevel::Hoch, &values).len(), 1);
        assert_eq!(requested_acr(TrustLevel::Basis, &values).len(), 3);
        assert_eq!(
            parse_trust_level("substanziell"),
            Some(TrustLevel::Substanziell)
        );
        assert_eq!(parse_trust_level("Substanziell"), None);
    }

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(local_next(Some("/forms/wohngeld")), "/forms/wohngeld");
        assert_eq!(
            local_next(Some("/forms/wohngeld?lang=en")),
            "/forms/wohngeld?lang=en"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/forms/x\r\nLocation: https://evil.example",
            "/auth/login?next=/",
            "/auth/callback",
            "/auth",
            "",
        ] {
            assert_eq!(local_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_next(None), "/");
        assert_eq!(local_next(Some(&format!("/{}", "a".repeat(3000)))), "/");
    }

    #[test]
    fn claims_are_read_under_the_configured_names() {
        let claims = json!({
            "sub": "x", "given_name": "Sabine", "family_name": "Sonnig",
            "birthdate": "1980-02-03", "email": "s@example.org",
            "address": {"street_address": "Am Anger 4", "postal_code": "99084",
                        "locality": "Erfurt", "country": "DE"},
            "organization_name": "Kita Sonnenschein gGmbH", "account_type": "business"
        });
        let (kind, verified) = read_claims(claims.as_object().unwrap(), &ClaimNames::default());
        assert_eq!(kind, AccountType::Business);
        assert_eq!(
            verified.organization.as_deref(),
            Some("Kita Sonnenschein gGmbH")
        );
        assert_eq!(
            verified.address.as_ref().unwrap().locality.as_deref(),
            Some("Erfurt")
        );
        let login = Login {
            subject: "x".into(),
            issuer: "http://id".into(),
            account_type: kind,
            trust_level: Some(TrustLevel::Hoch),
            acr: None,
            claims: verified,
            logged_in_at: 0,
            id_token: None,
            roles: Default::default(),
        };
        assert_eq!(
            login.display_name(),
            "Kita Sonnenschein gGmbH (Sabine Sonnig)"
        );
        // Debug output carries no personal data.
        let debug = format!("{login:?}");
        assert!(
            !debug.contains("Sonnig") && !debug.contains("Erfurt"),
            "{debug}"
        );

        // Other names; no account type claim means a citizen.
        let names = ClaimNames {
            given_name: "vorname".into(),
            ..ClaimNames::default()
        };
        let claims = json!({"vorname": "Erika", "family_name": "Mustermann"});
        let (kind, verified) = read_claims(claims.as_object().unwrap(), &names);
        assert_eq!(kind, AccountType::Citizen);
        assert_eq!(verified.given_name.as_deref(), Some("Erika"));
    }
}
