//! The adapter for FITKO's **XBezahldienste** interface, version 1.0.0 —
//! the standard REST interface between an online service and a payment
//! service (Bezahldienst) of the German administration: ePayBL, pmPayment,
//! ePay21 and others offer it.
//!
//! # Source
//!
//! The published API documentation at
//! <https://docs.fitko.de/xbezahldienste/APIDoku/versionen/v1.0.0/> (pages
//! "initiate-payment-transaction" and "get-status-by-ids", generated from
//! the OpenAPI description) and the status model at
//! <https://docs.fitko.de/xbezahldienste/next/APIDoku/Statusmodell>, read
//! in 2026. Where those pages were not available in full, the field lists
//! and paths were checked against an open-source client of the interface
//! in production use (aivot-digital/gover: its ePay21 and pmPayment
//! adapters and its XBezahldienste models).
//!
//! # The interface as used here
//!
//! - `POST {endpoint}/paymenttransaction/{originatorId}/{endPointId}` with
//!   a `PaymentRequest` (`requestId`, `requestTimestamp`, `currency`
//!   `EUR`, `grosAmount`, `purpose` ≤ 27, `description` ≤ 250,
//!   `redirectUrl`, 1–99 `items` with `id`, `reference`, `description`,
//!   `taxRate`, `quantity`, net/tax amounts per unit and in total,
//!   `bookingData`) answers a `PaymentTransaction`: the stored
//!   `paymentRequest` and `paymentInformation` (`transactionId`,
//!   `transactionRedirectUrl` — the payment page —, `status` `INITIAL`).
//! - The citizen pays on the provider's page and is sent back to
//!   `redirectUrl`; the outcome is read, never pushed:
//!   `GET {endpoint}/paymenttransaction/{originatorId}/{endPointId}/{transactionId}`
//!   answers the same `PaymentTransaction`, `status` one of `INITIAL`,
//!   `PAYED`, `CANCELED`, `FAILED`, with `transactionTimestamp` and
//!   `paymentMethod` once paid.
//! - Errors are `application/problem+json` with a `functionalCode`
//!   (`PAYMENT_EXISTS`, `CALCULATION_ERROR`, `VALIDATION_ERROR`,
//!   `NO_VALID_ORIGINATOR_OR_ENDPOINT`, `FORBIDDEN`, …).
//!
//! Amounts are JSON numbers in euros ([`super::money`]). Public fees carry
//! no VAT: items go out with `taxRate` 0 and tax amounts 0, net = gross.
//!
//! # Idempotency
//!
//! `requestId` is the payment attempt's id (a UUID v5 of the submission id
//! and the attempt number). The interface lets a provider
//! refuse a second `PaymentRequest` with a known `requestId`
//! (`PAYMENT_EXISTS`) but offers no lookup by `requestId`. On
//! `PAYMENT_EXISTS` the adapter therefore reads
//! `GET …/{requestId}` — the interface allows a provider to use the
//! request id as transaction id — and accepts the answer only if it is
//! the transaction with this `requestId` and amount; otherwise it reports
//! [`PaymentError::AlreadyExists`], and the caller uses the transaction id
//! it stored at the first create. A transaction found already finished
//! comes back with the return URL as redirect, so the citizen lands on the
//! portal, which reads the status.
//!
//! # Assumptions (where the published text is silent)
//!
//! - **Authentication** is not part of the standard; each provider
//!   chooses. Supported: HTTP Basic (ePay21) and OAuth 2.0 client
//!   credentials with a bearer token (pmPayment). Mutual TLS (some ePayBL
//!   installations) is not supported yet.
//! - The POST answers 200 (201 is accepted too); 401/403 mean wrong
//!   credentials; 404 on the GET means an unknown transaction; 5xx and
//!   429 are temporary.
//! - The answer carries `paymentRequest` back; the adapter requires it so
//!   that it can check `requestId`, `currency` and `grosAmount`.
//! - `transactionTimestamp` is RFC 3339 with an offset; a transaction id
//!   is at most 64 letters, digits, `_` or `-` (it goes into a URL path).
//! - The request has no language field: [`PaymentRequest::lang`] is not
//!   sent, nor is `notify_url` (there is no push). No `requestor`: no
//!   personal data goes to the provider.
//!
//! # What it must not do
//!
//! Log or return credentials or response bodies; follow a URL the
//! provider names for its API (`transactionUrl` is ignored; only the
//! configured endpoint gets the credentials); send a citizen to a payment
//! page that is not `https` (plain `http` only on loopback, for tests);
//! guess: an answer that does not fit is [`PaymentError::InvalidResponse`].

mod wire;

use std::{
    fmt,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use url::Url;

use super::{
    CreatedPayment, PaymentError, PaymentProvider, PaymentRequest, PaymentState, PaymentStatus,
    money,
};

/// The largest answer body read; XBezahldienste answers are a few KB.
const MAX_BODY: usize = 256 * 1024;

/// A credential: shown as `***` by `Debug`, never by `Display` (it has
/// none). Read it with [`Secret::expose`] where it is sent.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's text, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// How the adapter authenticates at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XBezahldiensteAuth {
    /// HTTP Basic on every request.
    Basic { username: String, password: Secret },
    /// OAuth 2.0 client credentials grant (RFC 6749 §4.4) at `token_url`,
    /// the client's id and secret in the form body (as pmPayment takes
    /// them); the access token goes as `Authorization: Bearer` on every
    /// request, is kept until shortly before `expires_in` (not at all
    /// without one), and fetched anew once when the provider answers 401.
    OAuth2ClientCredentials {
        token_url: Url,
        client_id: String,
        client_secret: Secret,
    },
}

/// Everything the adapter needs; `Debug` shows no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XBezahldiensteConfig {
    /// The base URL of the provider's XBezahldienste API, e.g.
    /// `https://epay.example/xbezahldienste/api/v1.0.0/`;
    /// `paymenttransaction/…` is appended.
    pub endpoint: Url,
    /// `originatorId`: the online service at the provider (often the
    /// form or procedure).
    pub originator_id: String,
    /// `endPointId`: the authority or cash office (often its AGS).
    pub end_point_id: String,
    pub auth: XBezahldiensteAuth,
    /// How long one HTTP exchange may take.
    pub timeout: Duration,
}

/// A configuration the adapter refuses, naming the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XBezahldiensteConfigError {
    #[error("endpoint: {0}")]
    Endpoint(&'static str),
    #[error("originator_id: must be 1 to 36 letters, digits, '_' or '-'")]
    OriginatorId,
    #[error("end_point_id: must be 1 to 36 letters, digits, '_' or '-'")]
    EndPointId,
    #[error("username: must not be empty or contain ':'")]
    Username,
    #[error("token_url: {0}")]
    TokenUrl(&'static str),
    #[error("client_id: must not be empty")]
    ClientId,
    #[error("timeout: must be more than 0 and at most 5 minutes")]
    Timeout,
    #[error("the HTTP client could not be built")]
    Client,
}

/// The XBezahldienste provider. Cheap to share behind an `Arc`.
pub struct XBezahldienste {
    config: XBezahldiensteConfig,
    client: reqwest::Client,
    token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for XBezahldienste {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XBezahldienste")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

struct CachedToken {
    token: Secret,
    valid_until: Instant,
}

/// Whether `url` may carry credentials or a citizen: `https`, or `http`
/// to a loopback address (tests, a provider's local proxy).
fn check_web_url(url: &Url) -> Result<(), &'static str> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user or password (configure credentials separately)");
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err("must use https (plain http only to a loopback address)"),
        _ => Err("must be an https URL"),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => false,
    }
}

impl XBezahldiensteConfig {
    /// Checks every setting, naming the first wrong one.
    pub fn validate(&self) -> Result<(), XBezahldiensteConfigError> {
        check_web_url(&self.endpoint).map_err(XBezahldiensteConfigError::Endpoint)?;
        if self.endpoint.cannot_be_a_base() {
            return Err(XBezahldiensteConfigError::Endpoint("is not a base URL"));
        }
        if self.endpoint.query().is_some() || self.endpoint.fragment().is_some() {
            return Err(XBezahldiensteConfigError::Endpoint(
                "must not have a query or fragment",
            ));
        }
        if !wire::is_id(&self.originator_id) {
            return Err(XBezahldiensteConfigError::OriginatorId);
        }
        if !wire::is_id(&self.end_point_id) {
            return Err(XBezahldiensteConfigError::EndPointId);
        }
        match &self.auth {
            XBezahldiensteAuth::Basic { username, .. } => {
                if username.is_empty() || username.contains(':') {
                    return Err(XBezahldiensteConfigError::Username);
                }
            }
            XBezahldiensteAuth::OAuth2ClientCredentials {
                token_url,
                client_id,
                ..
            } => {
                check_web_url(token_url).map_err(XBezahldiensteConfigError::TokenUrl)?;
                if client_id.is_empty() {
                    return Err(XBezahldiensteConfigError::ClientId);
                }
            }
        }
        if self.timeout.is_zero() || self.timeout > Duration::from_secs(300) {
            return Err(XBezahldiensteConfigError::Timeout);
        }
        Ok(())
    }
}

impl XBezahldienste {
    /// Checks the configuration and builds the HTTP client.
    pub fn new(config: XBezahldiensteConfig) -> Result<Self, XBezahldiensteConfigError> {
        config.validate()?;
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            // A provider API that redirects is misconfigured; following
            // it could carry the credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("amtsweg/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| XBezahldiensteConfigError::Client)?;
        Ok(XBezahldienste {
            config,
            client,
            token: Mutex::new(None),
        })
    }

    /// `{endpoint}/paymenttransaction/{originatorId}/{endPointId}[/{transactionId}]`,
    /// built segment by segment so that no id can change the path.
    fn transaction_url(&self, transaction_id: Option<&str>) -> Result<Url, PaymentError> {
        let mut url = self.config.endpoint.clone();
        {
            let mut segments =
                url.path_segments_mut()
                    .map_err(|()| PaymentError::InvalidRequest {
                        what: "the endpoint is not a base URL".into(),
                    })?;
            segments.pop_if_empty().extend([
                "paymenttransaction",
                &self.config.originator_id,
                &self.config.end_point_id,
            ]);
            if let Some(id) = transaction_id {
                segments.push(id);
            }
        }
        Ok(url)
    }

    /// Sends the request `build` makes, authenticated; with OAuth, fetches
    /// a fresh token and sends once more when the provider answers 401.
    async fn send(&self, build: impl Fn() -> RequestBuilder) -> Result<Response, PaymentError> {
        match &self.config.auth {
            XBezahldiensteAuth::Basic { username, password } => {
                let request = build().basic_auth(username, Some(password.expose()));
                request.send().await.map_err(transport_error)
            }
            XBezahldiensteAuth::OAuth2ClientCredentials { .. } => {
                let (token, fresh) = self.bearer_token().await?;
                let response = build()
                    .bearer_auth(token.expose())
                    .send()
                    .await
                    .map_err(transport_error)?;
                if response.status() != StatusCode::UNAUTHORIZED || fresh {
                    return Ok(response);
                }
                self.forget_token();
                let (token, _) = self.bearer_token().await?;
                build()
                    .bearer_auth(token.expose())
                    .send()
                    .await
                    .map_err(transport_error)
            }
        }
    }

    /// The cached access token, or a new one (`true`: just fetched).
    async fn bearer_token(&self) -> Result<(Secret, bool), PaymentError> {
        if let Some(cached) = self.cached_token() {
            return Ok((cached, false));
        }
        let XBezahldiensteAuth::OAuth2ClientCredentials {
            token_url,
            client_id,
            client_secret,
        } = &self.config.auth
        else {
            return Err(PaymentError::InvalidRequest {
                what: "no OAuth configuration".into(),
            });
        };
        let response = self
            .client
            .post(token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", client_secret.expose()),
            ])
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        if status == StatusCode::BAD_REQUEST || status == StatusCode::UNAUTHORIZED {
            // RFC 6749 §5.2: invalid_client / unauthorized_client.
            return Err(PaymentError::Unauthorized {
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            return Err(status_error(status, None, false));
        }
        let body = read_body(response).await?;
        let answer: wire::TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| invalid("the token answer is not JSON"))?;
        let token = answer
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid("the token answer has no access_token"))?;
        if let Some(kind) = &answer.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(invalid("the token answer's token_type is not Bearer"));
        }
        let token = Secret::new(token);
        if let Some(seconds) = answer.expires_in {
            // Keep a margin so that a token does not expire in flight.
            let keep = Duration::from_secs(seconds.saturating_sub(seconds / 10 + 5));
            if let Ok(mut slot) = self.token.lock() {
                *slot = Some(CachedToken {
                    token: token.clone(),
                    valid_until: Instant::now() + keep,
                });
            }
        }
        Ok((token, true))
    }

    fn cached_token(&self) -> Option<Secret> {
        let slot = self.token.lock().ok()?;
        slot.as_ref()
            .filter(|cached| cached.valid_until > Instant::now())
            .map(|cached| cached.token.clone())
    }

    fn forget_token(&self) {
        if let Ok(mut slot) = self.token.lock() {
            *slot = None;
        }
    }

    /// `GET` one transaction and check it; `expected_request` is the
    /// request it must belong to, when known.
    async fn read(
        &self,
        transaction_id: &str,
        expected_request: Option<&PaymentRequest>,
    ) -> Result<Checked, PaymentError> {
        if !wire::is_transaction_id(transaction_id) {
            return Err(PaymentError::InvalidRequest {
                what: "the transaction id is not one the interface allows".into(),
            });
        }
        let url = self.transaction_url(Some(transaction_id))?;
        let response = self
            .send(|| {
                self.client
                    .get(url.clone())
                    .header(reqwest::header::ACCEPT, "application/json")
            })
            .await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            let problem = read_problem(response).await;
            return Err(match problem {
                // A wrong originator/endpoint is a configuration error, not
                // a missing transaction.
                Some(code) if code.starts_with("NO_VALID_ORIGINATOR") => PaymentError::Rejected {
                    status: 404,
                    functional_code: Some(code),
                },
                _ => PaymentError::NotFound,
            });
        }
        if status != StatusCode::OK {
            let problem = read_problem(response).await;
            return Err(status_error(status, problem, true));
        }
        let body = read_body(response).await?;
        let transaction: wire::PaymentTransaction = serde_json::from_slice(&body)
            .map_err(|_| invalid("the answer is not a PaymentTransaction"))?;
        check_transaction(transaction, Some(transaction_id), expected_request)
    }

    fn outgoing<'a>(
        &self,
        request: &'a PaymentRequest,
        timestamp: String,
    ) -> Result<wire::OutgoingRequest<'a>, PaymentError> {
        let not_sendable = |what: String| PaymentError::InvalidRequest { what };
        if !wire::is_purpose(&request.reference) {
            return Err(not_sendable(
                "the reference is not a valid purpose (at most 27 letters, digits, spaces, '-')"
                    .into(),
            ));
        }
        if request.total_cents > money::MAX_CENTS {
            return Err(not_sendable("the total is above 999999 €".into()));
        }
        let mut items = Vec::with_capacity(request.items.len());
        for (index, item) in request.items.iter().enumerate() {
            let position = index + 1;
            if let Some(reference) = &item.reference
                && !wire::is_id(reference)
            {
                return Err(not_sendable(format!(
                    "item {position}'s reference is not an id the interface allows"
                )));
            }
            for (key, value) in &item.booking_data {
                if !wire::is_id(key) || !wire::is_booking_value(value) {
                    return Err(not_sendable(format!(
                        "item {position}'s booking data does not fit the interface's pattern"
                    )));
                }
            }
            let description = wire::description(&item.description).ok_or_else(|| {
                not_sendable(format!(
                    "item {position}'s description has no allowed characters"
                ))
            })?;
            // validate() has checked that this does not overflow and that
            // the items add up to the total, which is ≤ MAX_CENTS.
            let total = item.total_cents().unwrap_or(u64::MAX);
            items.push(wire::OutgoingItem {
                id: position.to_string(),
                reference: item.reference.as_deref(),
                description,
                tax_rate: serde_json::Number::from(0),
                quantity: item.quantity,
                total_net_amount: money::to_json(total),
                total_tax_amount: money::to_json(0),
                single_net_amount: money::to_json(item.amount_cents),
                single_tax_amount: money::to_json(0),
                booking_data: &item.booking_data,
            });
        }
        Ok(wire::OutgoingRequest {
            request_id: request.idempotency_key.to_string(),
            request_timestamp: timestamp,
            currency: "EUR",
            gros_amount: money::to_json(request.total_cents),
            purpose: &request.reference,
            description: wire::description(&request.purpose),
            redirect_url: request.return_url.as_str(),
            items,
        })
    }

    /// After `PAYMENT_EXISTS`: the transaction if it can be read back under
    /// the request id and is this request's.
    async fn recover(&self, request: &PaymentRequest) -> Result<CreatedPayment, PaymentError> {
        let id = request.idempotency_key.to_string();
        match self.read(&id, Some(request)).await {
            Ok(checked) => checked.into_created(request),
            Err(PaymentError::NotFound) => Err(PaymentError::AlreadyExists),
            Err(other) => Err(other),
        }
    }
}

#[async_trait]
impl PaymentProvider for XBezahldienste {
    fn name(&self) -> &'static str {
        "xbezahldienste"
    }

    async fn create(&self, request: &PaymentRequest) -> Result<CreatedPayment, PaymentError> {
        request.validate()?;
        if request.return_url.as_str().len() > 2082 {
            return Err(PaymentError::InvalidRequest {
                what: "the return URL is longer than 2082 characters".into(),
            });
        }
        // Whole seconds: `2026-03-01T10:00:00Z`, which every parser reads.
        let now = OffsetDateTime::now_utc();
        let timestamp = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&Rfc3339)
            .map_err(|_| PaymentError::InvalidRequest {
                what: "the clock cannot be formatted".into(),
            })?;
        let body = self.outgoing(request, timestamp)?;
        let url = self.transaction_url(None)?;
        let response = self
            .send(|| {
                self.client
                    .post(url.clone())
                    .header(reqwest::header::ACCEPT, "application/json")
                    .json(&body)
            })
            .await?;
        let status = response.status();
        if status != StatusCode::OK && status != StatusCode::CREATED {
            let problem = read_problem(response).await;
            if problem == Some("PAYMENT_EXISTS") {
                return self.recover(request).await;
            }
            return Err(status_error(status, problem, false));
        }
        let body = read_body(response).await?;
        let transaction: wire::PaymentTransaction = serde_json::from_slice(&body)
            .map_err(|_| invalid("the answer is not a PaymentTransaction"))?;
        // Checked against this request's id and amount: a provider that
        // answers a repeated request with the existing transaction (which
        // may be finished) gives the same result as recover().
        check_transaction(transaction, None, Some(request))?.into_created(request)
    }

    async fn status(&self, transaction_id: &str) -> Result<PaymentState, PaymentError> {
        let checked = self.read(transaction_id, None).await?;
        Ok(PaymentState {
            status: checked.status,
            paid_at: checked.paid_at,
            amount_cents: Some(checked.amount_cents),
            payment_method: checked.payment_method,
            provider_reference: checked.provider_reference,
        })
    }
}

/// A `PaymentTransaction` that passed [`check_transaction`].
#[derive(Debug)]
struct Checked {
    transaction_id: String,
    status: PaymentStatus,
    redirect_url: Option<Url>,
    amount_cents: u64,
    paid_at: Option<OffsetDateTime>,
    payment_method: Option<String>,
    provider_reference: Option<String>,
}

impl Checked {
    /// The answer to a create: the payment page while INITIAL (which must
    /// have one), the return URL once finished — the citizen goes back to
    /// the portal, which reads the status.
    fn into_created(self, request: &PaymentRequest) -> Result<CreatedPayment, PaymentError> {
        let redirect_url = match (self.status, self.redirect_url) {
            (PaymentStatus::Initial, Some(url)) => url,
            (PaymentStatus::Initial, None) => {
                return Err(invalid(
                    "an INITIAL transaction has no transactionRedirectUrl",
                ));
            }
            _ => request.return_url.clone(),
        };
        Ok(CreatedPayment {
            transaction_id: self.transaction_id,
            redirect_url,
            status: self.status,
        })
    }
}

fn invalid(what: &str) -> PaymentError {
    PaymentError::InvalidResponse { what: what.into() }
}

/// Checks an answer against the interface and, when given, the id that
/// was asked for and the request it must belong to.
fn check_transaction(
    transaction: wire::PaymentTransaction,
    expected_id: Option<&str>,
    expected_request: Option<&PaymentRequest>,
) -> Result<Checked, PaymentError> {
    let information = transaction
        .payment_information
        .ok_or_else(|| invalid("paymentInformation is missing"))?;
    let transaction_id = information
        .transaction_id
        .ok_or_else(|| invalid("paymentInformation.transactionId is missing"))?;
    if !wire::is_transaction_id(&transaction_id) {
        return Err(invalid(
            "paymentInformation.transactionId is not at most 64 letters, digits, '_' or '-'",
        ));
    }
    if let Some(expected) = expected_id
        && transaction_id != expected
    {
        return Err(invalid(
            "paymentInformation.transactionId is not the transaction asked for",
        ));
    }
    let status = match information.status.as_deref() {
        Some("INITIAL") => PaymentStatus::Initial,
        Some("PAYED") => PaymentStatus::Paid,
        Some("CANCELED") => PaymentStatus::Canceled,
        Some("FAILED") => PaymentStatus::Failed,
        Some(other) => {
            return Err(PaymentError::InvalidResponse {
                what: format!("unknown status {}", printable_token(other)),
            });
        }
        None => return Err(invalid("paymentInformation.status is missing")),
    };

    let echoed = transaction
        .payment_request
        .ok_or_else(|| invalid("paymentRequest is missing"))?;
    if let Some(currency) = &echoed.currency
        && currency != "EUR"
    {
        return Err(invalid("paymentRequest.currency is not EUR"));
    }
    let gros = echoed
        .gros_amount
        .as_ref()
        .ok_or_else(|| invalid("paymentRequest.grosAmount is missing"))?;
    let amount_cents = money::from_json(gros).map_err(|what| PaymentError::InvalidResponse {
        what: format!("paymentRequest.grosAmount: {what}"),
    })?;
    if let Some(items) = &echoed.items {
        let mut sum: u64 = 0;
        for item in items {
            for amount in [&item.total_net_amount, &item.total_tax_amount]
                .into_iter()
                .flatten()
            {
                let cents =
                    money::from_json(amount).map_err(|what| PaymentError::InvalidResponse {
                        what: format!("an item's amount: {what}"),
                    })?;
                sum = sum.saturating_add(cents);
            }
        }
        if sum != amount_cents {
            return Err(invalid("the echoed items do not add up to grosAmount"));
        }
    }
    if let Some(request) = expected_request {
        let key = request.idempotency_key.to_string();
        match echoed.request_id.as_deref() {
            Some(id) if id == key => {}
            Some(_) => return Err(invalid("paymentRequest.requestId is not this request's")),
            None => return Err(invalid("paymentRequest.requestId is missing")),
        }
        if amount_cents != request.total_cents {
            return Err(PaymentError::InvalidResponse {
                what: format!(
                    "paymentRequest.grosAmount is {} cents, {} were requested",
                    amount_cents, request.total_cents
                ),
            });
        }
    }

    let redirect_url = match (status, information.transaction_redirect_url.as_deref()) {
        (PaymentStatus::Initial, Some(text)) => {
            let url =
                Url::parse(text).map_err(|_| invalid("transactionRedirectUrl is not a URL"))?;
            check_web_url(&url).map_err(|_| {
                invalid("transactionRedirectUrl is not https (or http on loopback)")
            })?;
            Some(url)
        }
        _ => None,
    };

    let (paid_at, payment_method) = if status == PaymentStatus::Paid {
        let paid_at = match information.transaction_timestamp.as_deref() {
            Some(text) => Some(
                OffsetDateTime::parse(text, &Rfc3339)
                    .map_err(|_| invalid("transactionTimestamp is not an RFC 3339 time"))?,
            ),
            None => None,
        };
        let method = match information.payment_method {
            Some(method)
                if (1..=32).contains(&method.len())
                    && method
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                Some(method)
            }
            Some(_) => return Err(invalid("paymentMethod is not a method name")),
            None => None,
        };
        (paid_at, method)
    } else {
        (None, None)
    };

    // Shown to staff and stored: any printable text up to 64 characters.
    let provider_reference = match information.transaction_reference {
        Some(reference)
            if (1..=64).contains(&reference.chars().count())
                && !reference.chars().any(char::is_control) =>
        {
            Some(reference)
        }
        Some(_) => {
            return Err(invalid(
                "transactionReference is not a short printable text",
            ));
        }
        None => None,
    };

    Ok(Checked {
        transaction_id,
        status,
        redirect_url,
        amount_cents,
        paid_at,
        payment_method,
        provider_reference,
    })
}

/// A provider's token (a status name) for an error text: only when it is
/// short upper-case ASCII, so no free text reaches a log.
fn printable_token(token: &str) -> String {
    if (1..=24).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        format!("\"{token}\"")
    } else {
        "(not a status name)".into()
    }
}

/// What a failed exchange means. The error's own text is not kept: it can
/// name the URL.
fn transport_error(error: reqwest::Error) -> PaymentError {
    if error.is_timeout() {
        PaymentError::Timeout
    } else if error.is_connect() {
        PaymentError::Unreachable {
            reason: "no connection",
        }
    } else if error.is_body() || error.is_decode() {
        PaymentError::Unreachable {
            reason: "the answer broke off",
        }
    } else {
        PaymentError::Unreachable {
            reason: "the exchange failed",
        }
    }
}

/// An answer that is not the success the call expects.
fn status_error(status: StatusCode, problem: Option<&'static str>, is_read: bool) -> PaymentError {
    let code = status.as_u16();
    match code {
        401 | 403 => PaymentError::Unauthorized { status: code },
        _ if problem == Some("FORBIDDEN") => PaymentError::Unauthorized { status: code },
        404 if is_read => PaymentError::NotFound,
        408 => PaymentError::Timeout,
        429 | 500..=599 => PaymentError::Unavailable { status: code },
        400..=499 => PaymentError::Rejected {
            status: code,
            functional_code: problem,
        },
        _ => PaymentError::InvalidResponse {
            what: format!("unexpected HTTP status {code}"),
        },
    }
}

/// The body, up to [`MAX_BODY`].
async fn read_body(mut response: Response) -> Result<Vec<u8>, PaymentError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(invalid("the answer is larger than 256 KiB"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The known `functionalCode` of an error answer, if it has one.
async fn read_problem(response: Response) -> Option<&'static str> {
    let body = read_body(response).await.ok()?;
    let problem: wire::Problem = serde_json::from_slice(&body).ok()?;
    wire::known_functional_code(problem.functional_code.as_deref()?)
}

#[cfg(test)]
mod tests;
