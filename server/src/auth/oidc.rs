//! The OpenID Connect relying party, on the `openidconnect` crate: provider
//! discovery (lazy and cached, so an unreachable provider never stops the
//! portal's start), the authorization request (code flow, PKCE with S256,
//! `state`, `nonce`, `acr_values`), the code exchange and the ID token's
//! validation (signature against the provider's keys, issuer, audience,
//! expiry, nonce, and `at_hash` when present — the crate's checks, none
//! switched off), userinfo, and the URL of RP-initiated logout.
//!
//! HTTP goes through one `reqwest` client (rustls) that follows no
//! redirects (the crate's advice against SSRF) and gives up after
//! [`HTTP_TIMEOUT`].

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use amtsweg_forms::TrustLevel;
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationContextClass, AuthenticationFlow,
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndSessionUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IdTokenFields, IssuerUrl, LanguageTag,
    LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse, UserInfoClaims,
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
        CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
        CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse,
        CoreTokenType,
    },
    reqwest,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;
use tokio::sync::Mutex;
use url::Url;

use super::login::{self, Login, PendingLogin};
use crate::config::OidcConfig;

/// How long discovered metadata (with the signing keys) is used before it
/// is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(60 * 60);
/// Timeout of every request to the provider.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Claims beyond the standard ones (account type, organization, or any
/// configured name), kept as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl AdditionalClaims for ExtraClaims {}

type ExtraIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type ExtraIdTokenFields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type ExtraTokenResponse = StandardTokenResponse<ExtraIdTokenFields, CoreTokenType>;

/// The client as built from discovered metadata: the authorization
/// endpoint is set, token and userinfo endpoints may be.
type Client = openidconnect::Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    ExtraTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What went wrong talking to the provider. The texts are for the log;
/// they hold no tokens or personal data.
#[derive(Debug, Error)]
pub enum OidcError {
    #[error("the OpenID provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the OpenID provider's metadata are unusable: {0}")]
    Discovery(String),
    #[error("the provider refused the authorization code (used, expired or not ours): {0}")]
    CodeRejected(String),
    #[error("the token request failed: {0}")]
    Token(String),
    #[error("the token response has no ID token")]
    NoIdToken,
    #[error("the ID token is invalid: {0}")]
    InvalidToken(String),
}

/// The discovered provider: the client and the logout endpoint.
struct Provider {
    client: Client,
    end_session: Option<EndSessionUrl>,
    fetched: Instant,
}

/// The relying party for one configured provider.
pub struct Oidc {
    config: OidcConfig,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    post_logout: PostLogoutRedirectUrl,
    http: reqwest::Client,
    provider: Mutex<Option<Arc<Provider>>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.issuer.as_str())
            .finish_non_exhaustive()
    }
}

/// The issuer as the provider writes it: a URL with an empty path has no
/// trailing slash (`https://id.example`), others stay as configured.
pub fn issuer_string(issuer: &Url) -> String {
    let text = issuer.as_str();
    if issuer.path() == "/" && issuer.query().is_none() {
        text.trim_end_matches('/').to_owned()
    } else {
        text.to_owned()
    }
}

impl Oidc {
    /// The relying party for `config`, with the redirect URIs under
    /// `public_url`. Nothing is fetched yet.
    pub fn new(config: &OidcConfig, public_url: &Url) -> Result<Oidc, String> {
        let base = public_url.as_str().trim_end_matches('/');
        let issuer = IssuerUrl::new(issuer_string(&config.issuer))
            .map_err(|e| format!("AMTSWEG_OIDC_ISSUER: {e}"))?;
        let redirect = RedirectUrl::new(format!("{base}/auth/callback"))
            .map_err(|e| format!("AMTSWEG_PUBLIC_URL: {e}"))?;
        let post_logout = PostLogoutRedirectUrl::new(format!("{base}/"))
            .map_err(|e| format!("AMTSWEG_PUBLIC_URL: {e}"))?;
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client for login: {e}"))?;
        Ok(Oidc {
            config: config.clone(),
            issuer,
            redirect,
            post_logout,
            http,
            provider: Mutex::new(None),
        })
    }

    /// The discovered provider, fetched when missing or older than
    /// [`METADATA_TTL`] (or always with `refresh`). When a refresh fails,
    /// the metadata fetched before are used.
    async fn provider(&self, refresh: bool) -> Result<Arc<Provider>, OidcError> {
        let mut cached = self.provider.lock().await;
        if let Some(p) = cached.as_ref()
            && !refresh
            && p.fetched.elapsed() < METADATA_TTL
        {
            return Ok(p.clone());
        }
        match self.discover().await {
            Ok(provider) => {
                let provider = Arc::new(provider);
                *cached = Some(provider.clone());
                Ok(provider)
            }
            Err(e) => match cached.as_ref() {
                Some(stale) => {
                    tracing::warn!(error = %e, "refreshing the OpenID provider's metadata failed; using the previous ones");
                    Ok(stale.clone())
                }
                None => Err(e),
            },
        }
    }

    async fn discover(&self) -> Result<Provider, OidcError> {
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| match e {
                openidconnect::DiscoveryError::Request(e) => {
                    OidcError::Unreachable(error_chain(&e))
                }
                other => OidcError::Discovery(error_chain(&other)),
            })?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = Client::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect.clone());
        tracing::info!(issuer = %self.issuer.as_str(), "OpenID provider discovered");
        Ok(Provider {
            client,
            end_session,
            fetched: Instant::now(),
        })
    }

    /// Starts a login: the provider's authorization URL, and what the
    /// session must keep until the callback. `level`: the trust level to
    /// ask for (`None`: any); `again`: the visitor is logged in already and wants another
    /// login (`prompt=login`, so the provider asks again).
    pub async fn begin(
        &self,
        level: Option<TrustLevel>,
        again: bool,
        english: bool,
        next: String,
        now: i64,
    ) -> Result<(Url, PendingLogin), OidcError> {
        let provider = self.provider(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_scopes(self.config.scopes.iter().cloned().map(Scope::new));
        // Always ask for an `acr` (the lowest level if the caller needs
        // none): some providers put it into the ID token only when asked.
        for acr in login::requested_acr(level.unwrap_or(TrustLevel::Basis), &self.config.acr) {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr));
        }
        if again {
            request = request.add_prompt(CoreAuthPrompt::Login);
        }
        request = request.add_ui_locale(LanguageTag::new(
            if english { "en" } else { "de" }.to_owned(),
        ));
        let (url, state, nonce) = request.url();
        Ok((
            url,
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                next,
                level,
                started_at: now,
            },
        ))
    }

    /// The issuer the provider must name in the callback's `iss` (RFC 9207).
    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// Finishes a login: exchanges `code` (with the PKCE verifier), checks
    /// the ID token, reads userinfo, and returns the verified login.
    pub async fn finish(
        &self,
        pending: &PendingLogin,
        code: String,
        now: i64,
    ) -> Result<Login, OidcError> {
        let provider = self.provider(false).await?;
        let token = provider
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Discovery(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(response)
                    if *response.error() == CoreErrorResponseType::InvalidGrant =>
                {
                    OidcError::CodeRejected(response.to_string())
                }
                RequestTokenError::Request(e) => OidcError::Unreachable(error_chain(&e)),
                other => OidcError::Token(error_chain(&other)),
            })?;
        let id_token = token.id_token().ok_or(OidcError::NoIdToken)?;
        let nonce = Nonce::new(pending.nonce.clone());
        let (claims, provider) = match verify(&provider.client, id_token, &nonce, &token) {
            Ok(claims) => (claims, provider),
            Err(VerifyError::UnknownKey) => {
                // The provider may have rotated its keys since discovery.
                let fresh = self.provider(true).await?;
                match verify(&fresh.client, id_token, &nonce, &token) {
                    Ok(claims) => (claims, fresh),
                    Err(e) => return Err(OidcError::InvalidToken(e.to_string())),
                }
            }
            Err(e) => return Err(OidcError::InvalidToken(e.to_string())),
        };

        // The ID token's claims, completed by userinfo's (same subject,
        // checked by the crate). The ID token wins where both have one.
        let mut all = match serde_json::to_value(&claims) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        if let Ok(request) = provider
            .client
            .user_info(token.access_token().clone(), Some(claims.subject().clone()))
        {
            match request
                .request_async::<ExtraClaims, _, CoreGenderClaim>(&self.http)
                .await
            {
                Ok(info) => merge_missing(&mut all, &info),
                Err(e) => {
                    tracing::warn!(error = %error_chain(&e), "userinfo failed; using the ID token's claims only");
                }
            }
        }
        let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
        let (account_type, verified) = login::read_claims(&all, &self.config.claims);
        Ok(Login {
            subject: claims.subject().as_str().to_owned(),
            issuer: claims.issuer().as_str().to_owned(),
            account_type,
            trust_level: login::trust_level(acr.as_deref(), &self.config.acr),
            acr,
            claims: verified,
            logged_in_at: now,
            id_token: Some(id_token.to_string()),
            roles: super::roles::read_roles(&all, &self.config.roles),
        })
    }

    /// Where to send the browser to end the provider's session too
    /// (RP-initiated logout), if the provider has an `end_session_endpoint`.
    /// Uses discovered metadata; when the provider cannot be reached, the
    /// logout stays local.
    pub async fn logout_url(&self, id_token: Option<&str>) -> Option<Url> {
        let provider = match self.provider(false).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "logout: provider not reachable; local logout only");
                return None;
            }
        };
        let endpoint = provider.end_session.clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.config.client_id.clone()))
            .set_post_logout_redirect_uri(self.post_logout.clone());
        if let Some(token) = id_token.and_then(|t| t.parse::<ExtraIdToken>().ok()) {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url())
    }
}

/// Why an ID token was refused.
#[derive(Debug, Error)]
enum VerifyError {
    #[error("no key of the provider matches the token's signature")]
    UnknownKey,
    #[error("{0}")]
    Claims(String),
    #[error("the access token hash (at_hash) does not match")]
    AccessTokenHash,
}

type ExtraIdTokenClaims = openidconnect::IdTokenClaims<ExtraClaims, CoreGenderClaim>;

/// The crate's ID token checks (signature, issuer, audience, expiry,
/// nonce), then `at_hash`.
fn verify(
    client: &Client,
    id_token: &ExtraIdToken,
    nonce: &Nonce,
    token: &ExtraTokenResponse,
) -> Result<ExtraIdTokenClaims, VerifyError> {
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, nonce).map_err(|e| match e {
        openidconnect::ClaimsVerificationError::SignatureVerification(
            openidconnect::SignatureVerificationError::NoMatchingKey,
        ) => VerifyError::UnknownKey,
        other => VerifyError::Claims(error_chain(&other)),
    })?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| VerifyError::Claims(e.to_string()))?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(|e| VerifyError::Claims(e.to_string()))?;
        let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
            .map_err(|e| VerifyError::Claims(e.to_string()))?;
        if actual != *expected {
            return Err(VerifyError::AccessTokenHash);
        }
    }
    Ok(claims.clone())
}

/// Adds userinfo's claims that `all` does not have yet.
fn merge_missing(
    all: &mut Map<String, Value>,
    info: &UserInfoClaims<ExtraClaims, CoreGenderClaim>,
) {
    if let Ok(Value::Object(map)) = serde_json::to_value(info) {
        for (key, value) in map {
            if !value.is_null() {
                all.entry(key).or_insert(value);
            }
        }
    }
}

/// An error and its sources on one line, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn issuer_keeps_the_providers_spelling() {
        let url = Url::parse("http://127.0.0.1:4000").unwrap();
        assert_eq!(issuer_string(&url), "http://127.0.0.1:4000");
        let url = Url::parse("https://id.example/realms/bund/").unwrap();
        assert_eq!(issuer_string(&url), "https://id.example/realms/bund/");
        let url = Url::parse("https://id.example/realms/bund").unwrap();
        assert_eq!(issuer_string(&url), "https://id.example/realms/bund");
    }
}
