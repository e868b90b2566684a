//! **For tests only**: an XBezahldienste payment provider on a loopback
//! port, for the adapter's tests, integration tests and browser
//! (end-to-end) tests. Nothing in the server uses it; it is public so that
//! `server/tests/` and later the end-to-end setup can start it.
//!
//! It follows the same published interface as [`super::xbezahldienste`]
//! (see there for the source), read independently: its request checks are
//! written here, not shared with the adapter, so a misreading in one shows
//! up against the other. Like a real provider it
//!
//! - checks the credentials (HTTP Basic, or a bearer token from its OAuth
//!   2.0 token endpoint `/oauth/token`), the `originatorId` and
//!   `endPointId` in the path, and the body: required fields, no unknown
//!   ones, `EUR`, the patterns and lengths of ids, `purpose` and
//!   `description`, 1–99 items, amounts with at most two decimals, items
//!   that add up (`CALCULATION_ERROR`), a new `requestId`
//!   (`PAYMENT_EXISTS`);
//! - stores the transaction and answers a `PaymentTransaction` with the
//!   payment page as `transactionRedirectUrl`;
//! - serves the payment page, `GET /paypage/{transactionId}`: an HTML form
//!   whose buttons (`outcome` = `pay`, `cancel`, `fail`) a test or a
//!   browser submits; the POST sets the status and answers `303 See Other`
//!   to the request's `redirectUrl`;
//! - answers the status GET.
//!
//! Test controls: [`XBezahldiensteDouble::fail_next`] (an HTTP status, a
//! delay, a malformed answer), [`XBezahldiensteDouble::go_down`] /
//! [`XBezahldiensteDouble::come_back`] (connection refused),
//! [`XBezahldiensteDouble::force_status`], [`XBezahldiensteDouble::complete`]
//! (the page's effect without HTTP), counters per idempotency key, and the
//! stored request as received.
//!
//! It must not be used as a provider: it keeps everything in memory,
//! speaks plain HTTP and accepts any amount.

use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    io,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use axum::{
    Form, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Number, Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use url::Url;
use uuid::Uuid;

use super::{
    PaymentStatus, money,
    xbezahldienste::{Secret, XBezahldiensteAuth, XBezahldiensteConfig},
};

/// The double's API base path, like a real provider's versioned base.
pub const API_BASE: &str = "xbezahldienste/api/v1.0.0/";

/// Who the double is and whom it lets in.
#[derive(Debug, Clone)]
pub struct DoubleSettings {
    pub originator_id: String,
    pub end_point_id: String,
    pub auth: DoubleAuth,
    pub transaction_ids: TransactionIds,
}

/// The credentials the double accepts.
#[derive(Debug, Clone)]
pub enum DoubleAuth {
    Basic {
        username: String,
        password: Secret,
    },
    /// Client credentials at `/oauth/token`, then `Bearer` tokens.
    OAuth2 {
        client_id: String,
        client_secret: Secret,
    },
}

/// How the double names its transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionIds {
    /// Its own ids (`tx-…`), as most providers do.
    Own,
    /// The request's `requestId`, which the interface also allows.
    RequestId,
}

impl Default for DoubleSettings {
    fn default() -> Self {
        DoubleSettings {
            originator_id: "amtsweg-test".into(),
            end_point_id: "16051000".into(),
            auth: DoubleAuth::Basic {
                username: "amtsweg".into(),
                password: Secret::new("double-password-4711"),
            },
            transaction_ids: TransactionIds::Own,
        }
    }
}

/// What the next API request (create or status) gets instead of the
/// normal answer. Queued; each is used once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// This HTTP status with a problem document (`500`, `503`, `400`, …).
    Status(u16),
    /// Wait this long, then answer normally (for client timeouts). The
    /// wait comes before anything is stored, and a client that gives up
    /// ends the request: this cannot model an answer lost after the
    /// create (tests send the same request from a second client for that).
    Delay(Duration),
    /// Answer normally, but with `grosAmount` (and the first item) one
    /// euro higher than stored.
    WrongAmount,
    /// Answer normally, but with the status `PENDING`.
    UnknownStatus,
    /// Answer normally, but without `transactionId`.
    MissingTransactionId,
    /// Answer 200 with an HTML body.
    NotJson,
}

/// A stored transaction, as tests inspect it.
#[derive(Debug, Clone)]
pub struct DoubleTransaction {
    pub transaction_id: String,
    pub request_id: String,
    /// The `PaymentRequest` exactly as received.
    pub request: Value,
    pub gros_cents: u64,
    pub redirect_url: Url,
    pub status: PaymentStatus,
    pub paid_at: Option<OffsetDateTime>,
    pub payment_method: Option<String>,
}

/// The running double. Dropping it stops the server.
pub struct XBezahldiensteDouble {
    shared: Arc<Shared>,
    addr: SocketAddr,
    running: Mutex<Option<Running>>,
}

struct Running {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

struct Shared {
    settings: DoubleSettings,
    base: Url,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    transactions: HashMap<String, DoubleTransaction>,
    by_request_id: HashMap<String, String>,
    create_attempts: HashMap<String, usize>,
    failures: VecDeque<Failure>,
    tokens: HashSet<String>,
    token_requests: usize,
    api_requests: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl XBezahldiensteDouble {
    /// Binds `127.0.0.1:0` and serves.
    pub async fn start(settings: DoubleSettings) -> io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), settings).await
    }

    /// Binds `addr` (a loopback address, for a fixed port in end-to-end
    /// setups) and serves.
    pub async fn start_on(addr: SocketAddr, settings: DoubleSettings) -> io::Result<Self> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the test double listens on loopback only",
            ));
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base = Url::parse(&format!("http://{addr}/"))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let shared = Arc::new(Shared {
            settings,
            base,
            inner: Mutex::new(Inner::default()),
        });
        let running = serve(listener, shared.clone());
        Ok(XBezahldiensteDouble {
            shared,
            addr,
            running: Mutex::new(Some(running)),
        })
    }

    /// Starts with [`DoubleSettings::default`].
    pub async fn start_default() -> io::Result<Self> {
        Self::start(DoubleSettings::default()).await
    }

    /// The loopback address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base URL, for [`XBezahldiensteConfig::endpoint`].
    pub fn endpoint(&self) -> Url {
        self.url(API_BASE)
    }

    /// The OAuth 2.0 token endpoint.
    pub fn token_url(&self) -> Url {
        self.url("oauth/token")
    }

    /// The payment page of a transaction.
    pub fn pay_page_url(&self, transaction_id: &str) -> Url {
        self.url(&format!("paypage/{transaction_id}"))
    }

    fn url(&self, path: &str) -> Url {
        self.shared
            .base
            .join(path)
            .unwrap_or_else(|_| self.shared.base.clone())
    }

    /// A configuration for the adapter with the right ids and credentials
    /// and a 5 s timeout.
    pub fn config(&self) -> XBezahldiensteConfig {
        let settings = &self.shared.settings;
        XBezahldiensteConfig {
            endpoint: self.endpoint(),
            originator_id: settings.originator_id.clone(),
            end_point_id: settings.end_point_id.clone(),
            auth: match &settings.auth {
                DoubleAuth::Basic { username, password } => XBezahldiensteAuth::Basic {
                    username: username.clone(),
                    password: password.clone(),
                },
                DoubleAuth::OAuth2 {
                    client_id,
                    client_secret,
                } => XBezahldiensteAuth::OAuth2ClientCredentials {
                    token_url: self.token_url(),
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                },
            },
            timeout: Duration::from_secs(5),
        }
    }

    /// Queues what the next API request gets instead of the normal answer.
    pub fn fail_next(&self, failure: Failure) {
        self.shared.lock().failures.push_back(failure);
    }

    /// Stops listening: new connections are refused, open ones closed.
    pub async fn go_down(&self) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(running) = running {
            let _ = running.shutdown.send(());
            let abort = running.task.abort_handle();
            // A handler in a Delay would hold the graceful shutdown.
            if tokio::time::timeout(Duration::from_secs(2), running.task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Listens again on the same port, with the same transactions.
    pub async fn come_back(&self) -> io::Result<()> {
        let listener = TcpListener::bind(self.addr).await?;
        let running = serve(listener, self.shared.clone());
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(running);
        Ok(())
    }

    /// Sets a transaction's status as if the provider had decided (a paid
    /// transaction gets a timestamp and `CREDITCARD`). `false` for an
    /// unknown id.
    pub fn force_status(&self, transaction_id: &str, status: PaymentStatus) -> bool {
        let mut inner = self.shared.lock();
        match inner.transactions.get_mut(transaction_id) {
            Some(transaction) => {
                set_status(transaction, status);
                true
            }
            None => false,
        }
    }

    /// What submitting the payment page does, without HTTP; only from
    /// `INITIAL`. `false` for an unknown or finished transaction.
    pub fn complete(&self, transaction_id: &str, status: PaymentStatus) -> bool {
        let mut inner = self.shared.lock();
        match inner.transactions.get_mut(transaction_id) {
            Some(transaction) if transaction.status == PaymentStatus::Initial => {
                set_status(transaction, status);
                true
            }
            _ => false,
        }
    }

    /// A stored transaction.
    pub fn transaction(&self, transaction_id: &str) -> Option<DoubleTransaction> {
        self.shared.lock().transactions.get(transaction_id).cloned()
    }

    /// How many authenticated creates named this `requestId`.
    pub fn create_attempts(&self, idempotency_key: Uuid) -> usize {
        let inner = self.shared.lock();
        inner
            .create_attempts
            .get(&idempotency_key.to_string())
            .copied()
            .unwrap_or(0)
    }

    /// How many transactions exist for this `requestId` (0 or 1).
    pub fn transactions_for(&self, idempotency_key: Uuid) -> usize {
        let key = idempotency_key.to_string();
        let inner = self.shared.lock();
        inner
            .transactions
            .values()
            .filter(|t| t.request_id == key)
            .count()
    }

    /// How many API requests (create, status) arrived, failed ones included.
    pub fn api_requests(&self) -> usize {
        self.shared.lock().api_requests
    }

    /// How many token requests arrived.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().token_requests
    }

    /// Forgets every issued token, as if they had expired.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.clear();
    }
}

impl Drop for XBezahldiensteDouble {
    fn drop(&mut self) {
        let running = self
            .running
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(running) = running {
            let _ = running.shutdown.send(());
            running.task.abort();
        }
    }
}

fn serve(listener: TcpListener, shared: Arc<Shared>) -> Running {
    let (shutdown, stop) = oneshot::channel::<()>();
    let app = router(shared);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop.await;
            })
            .await;
    });
    Running { shutdown, task }
}

fn router(shared: Arc<Shared>) -> Router {
    let api = format!("/{API_BASE}paymenttransaction");
    Router::new()
        .route(&format!("{api}/{{originator}}/{{endpoint}}"), post(create))
        .route(
            &format!("{api}/{{originator}}/{{endpoint}}/{{transaction}}"),
            get(status),
        )
        .route("/oauth/token", post(token))
        .route(
            "/paypage/{transaction}",
            get(pay_page).post(pay_page_submit),
        )
        .with_state(shared)
}

fn set_status(transaction: &mut DoubleTransaction, status: PaymentStatus) {
    transaction.status = status;
    if status == PaymentStatus::Paid {
        transaction.paid_at = Some(OffsetDateTime::now_utc());
        transaction.payment_method = Some("CREDITCARD".into());
    } else {
        transaction.paid_at = None;
        transaction.payment_method = None;
    }
}

/// An `application/problem+json` answer.
fn problem(status: StatusCode, functional_code: &str, detail: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "status": status.as_u16(),
        "title": status.canonical_reason().unwrap_or("Error"),
        "detail": detail,
        "functionalCode": functional_code,
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"xbezahldienste\""),
        );
    }
    response
}

/// The common start of an API request: count it, take the queued
/// failure, check credentials and path ids. `Err` is the answer.
async fn admit(
    shared: &Shared,
    headers: &HeaderMap,
    originator: &str,
    endpoint: &str,
) -> Result<Option<Failure>, Response> {
    let failure = {
        let mut inner = shared.lock();
        inner.api_requests += 1;
        inner.failures.pop_front()
    };
    let failure = match failure {
        Some(Failure::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Err(problem(
                status,
                "UNSPECIFIED",
                "failure injected by the test",
            ));
        }
        Some(Failure::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            None
        }
        other => other,
    };
    if !authorized(shared, headers) {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "FORBIDDEN",
            "missing or wrong credentials",
        ));
    }
    if originator != shared.settings.originator_id || endpoint != shared.settings.end_point_id {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "NO_VALID_ORIGINATOR_OR_ENDPOINT",
            "unknown originatorId or endPointId",
        ));
    }
    Ok(failure)
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    match &shared.settings.auth {
        DoubleAuth::Basic { username, password } => {
            basic_credentials(value).is_some_and(|(u, p)| u == *username && p == password.expose())
        }
        DoubleAuth::OAuth2 { .. } => value
            .strip_prefix("Bearer ")
            .is_some_and(|token| shared.lock().tokens.contains(token)),
    }
}

fn basic_credentials(value: &str) -> Option<(String, String)> {
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

// ---- the request as a provider reads it --------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InRequest {
    request_id: String,
    request_timestamp: String,
    currency: String,
    gros_amount: Number,
    purpose: String,
    description: Option<String>,
    redirect_url: String,
    items: Vec<InItem>,
    /// Allowed by the interface (the payer); Amtsweg never sends it.
    #[serde(rename = "requestor")]
    _requestor: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InItem {
    id: String,
    reference: Option<String>,
    description: String,
    tax_rate: Option<Number>,
    quantity: u64,
    total_net_amount: Number,
    total_tax_amount: Number,
    single_net_amount: Option<Number>,
    single_tax_amount: Option<Number>,
    booking_data: Option<BTreeMap<String, String>>,
}

fn ascii_word_or_dash(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 36 && s.chars().all(ascii_word_or_dash)
}

fn valid_text(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.chars().count() <= max
        && s.chars().all(|c| {
            ascii_word_or_dash(c)
                || c.is_ascii_whitespace()
                || c == ','
                || c == '.'
                || ('\u{C0}'..='\u{17F}').contains(&c)
        })
}

fn amount(n: &Number, field: &str) -> Result<u64, String> {
    money::from_json(n).map_err(|e| format!("{field}: {e}"))
}

/// The provider's checks; `Err((functionalCode, detail))`.
fn check_request(request: &InRequest) -> Result<u64, (&'static str, String)> {
    let validation = |detail: String| ("VALIDATION_ERROR", detail);
    if !valid_id(&request.request_id) {
        return Err(validation("requestId".into()));
    }
    OffsetDateTime::parse(&request.request_timestamp, &Rfc3339)
        .map_err(|_| validation("requestTimestamp".into()))?;
    if request.currency != "EUR" {
        return Err(validation("currency: only EUR".into()));
    }
    let gros = amount(&request.gros_amount, "grosAmount").map_err(validation)?;
    if request.purpose.is_empty()
        || request.purpose.chars().count() > 27
        || !request
            .purpose
            .chars()
            .all(|c| ascii_word_or_dash(c) || c.is_ascii_whitespace())
    {
        return Err(validation("purpose".into()));
    }
    if let Some(description) = &request.description
        && !valid_text(description, 250)
    {
        return Err(validation("description".into()));
    }
    let redirect =
        Url::parse(&request.redirect_url).map_err(|_| validation("redirectUrl".into()))?;
    if request.redirect_url.len() > 2082 || !matches!(redirect.scheme(), "http" | "https") {
        return Err(validation("redirectUrl".into()));
    }
    if request.items.is_empty() || request.items.len() > 99 {
        return Err(validation("items: 1 to 99".into()));
    }
    let mut ids = HashSet::new();
    let mut sum: u64 = 0;
    for item in &request.items {
        if !valid_id(&item.id) || !ids.insert(item.id.as_str()) {
            return Err(validation("items.id".into()));
        }
        if let Some(reference) = &item.reference
            && !valid_id(reference)
        {
            return Err(validation("items.reference".into()));
        }
        if !valid_text(&item.description, 250) {
            return Err(validation("items.description".into()));
        }
        if let Some(rate) = &item.tax_rate
            && rate.as_f64().is_none_or(|r| !(0.0..=100.0).contains(&r))
        {
            return Err(validation("items.taxRate".into()));
        }
        if !(1..=999_999).contains(&item.quantity) {
            return Err(validation("items.quantity".into()));
        }
        let net = amount(&item.total_net_amount, "items.totalNetAmount").map_err(validation)?;
        let tax = amount(&item.total_tax_amount, "items.totalTaxAmount").map_err(validation)?;
        for (single, total, field) in [
            (&item.single_net_amount, net, "singleNetAmount"),
            (&item.single_tax_amount, tax, "singleTaxAmount"),
        ] {
            if let Some(single) = single {
                let single = amount(single, field).map_err(validation)?;
                if single.checked_mul(item.quantity) != Some(total) {
                    return Err((
                        "CALCULATION_ERROR",
                        format!("{field} × quantity is not the total"),
                    ));
                }
            }
        }
        for (key, value) in item.booking_data.iter().flatten() {
            if !valid_id(key) || !valid_text(value, 250) {
                return Err(validation("items.bookingData".into()));
            }
        }
        sum = sum.saturating_add(net).saturating_add(tax);
    }
    if sum != gros {
        return Err((
            "CALCULATION_ERROR",
            "the items do not add up to grosAmount".into(),
        ));
    }
    Ok(gros)
}

// ---- handlers -------------------------------------------------------------

async fn create(
    State(shared): State<Arc<Shared>>,
    Path((originator, endpoint)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let failure = match admit(&shared, &headers, &originator, &endpoint).await {
        Ok(failure) => failure,
        Err(answer) => return answer,
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VALIDATION_ERROR",
            "application/json expected",
        );
    }
    let raw: Value = match serde_json::from_slice(&body) {
        Ok(raw) => raw,
        Err(_) => return problem(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "not JSON"),
    };
    let request: InRequest = match serde_json::from_value(raw.clone()) {
        Ok(request) => request,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                &format!("not a PaymentRequest: {e}"),
            );
        }
    };
    // Counted once the request is recognisable, whatever comes next.
    *shared
        .lock()
        .create_attempts
        .entry(request.request_id.clone())
        .or_default() += 1;
    let gros = match check_request(&request) {
        Ok(gros) => gros,
        Err((code, detail)) => return problem(StatusCode::BAD_REQUEST, code, &detail),
    };
    let Ok(redirect_url) = Url::parse(&request.redirect_url) else {
        return problem(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "redirectUrl");
    };
    let transaction = {
        let mut inner = shared.lock();
        if inner.by_request_id.contains_key(&request.request_id) {
            drop(inner);
            return problem(
                StatusCode::BAD_REQUEST,
                "PAYMENT_EXISTS",
                "a PaymentRequest with this requestId exists",
            );
        }
        let transaction_id = match shared.settings.transaction_ids {
            TransactionIds::Own => format!("tx-{}", Uuid::new_v4().simple()),
            TransactionIds::RequestId => request.request_id.clone(),
        };
        let transaction = DoubleTransaction {
            transaction_id: transaction_id.clone(),
            request_id: request.request_id.clone(),
            request: raw,
            gros_cents: gros,
            redirect_url,
            status: PaymentStatus::Initial,
            paid_at: None,
            payment_method: None,
        };
        inner
            .by_request_id
            .insert(request.request_id.clone(), transaction_id.clone());
        inner
            .transactions
            .insert(transaction_id, transaction.clone());
        transaction
    };
    answer(&shared, &transaction, failure, &originator, &endpoint)
}

async fn status(
    State(shared): State<Arc<Shared>>,
    Path((originator, endpoint, transaction_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let failure = match admit(&shared, &headers, &originator, &endpoint).await {
        Ok(failure) => failure,
        Err(answer) => return answer,
    };
    let transaction = shared.lock().transactions.get(&transaction_id).cloned();
    match transaction {
        Some(transaction) => answer(&shared, &transaction, failure, &originator, &endpoint),
        None => problem(
            StatusCode::NOT_FOUND,
            "UNSPECIFIED",
            "no such payment transaction",
        ),
    }
}

/// The `PaymentTransaction` of a stored transaction, tampered with if the
/// test asked for it.
fn answer(
    shared: &Shared,
    transaction: &DoubleTransaction,
    failure: Option<Failure>,
    originator: &str,
    endpoint: &str,
) -> Response {
    if failure == Some(Failure::NotJson) {
        return (
            StatusCode::OK,
            Html("<html><body>Wartungsarbeiten</body></html>"),
        )
            .into_response();
    }
    let mut payment_request = transaction.request.clone();
    if let Some(object) = payment_request.as_object_mut() {
        object.remove("requestor");
    }
    let transaction_url = shared
        .base
        .join(&format!(
            "{API_BASE}paymenttransaction/{originator}/{endpoint}/{}",
            transaction.transaction_id
        ))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let status = match transaction.status {
        PaymentStatus::Initial => "INITIAL",
        PaymentStatus::Paid => "PAYED",
        PaymentStatus::Canceled => "CANCELED",
        PaymentStatus::Failed => "FAILED",
    };
    let mut information = json!({
        "transactionUrl": transaction_url,
        "transactionId": transaction.transaction_id,
        "status": status,
    });
    if transaction.status == PaymentStatus::Initial {
        information["transactionRedirectUrl"] = json!(
            shared
                .base
                .join(&format!("paypage/{}", transaction.transaction_id))
                .map(|u| u.to_string())
                .unwrap_or_default()
        );
    }
    if transaction.status == PaymentStatus::Paid {
        information["transactionReference"] = json!(format!("KZ-{}", transaction.transaction_id));
        if let Some(paid_at) = transaction.paid_at.and_then(|t| t.format(&Rfc3339).ok()) {
            information["transactionTimestamp"] = json!(paid_at);
        }
        if let Some(method) = &transaction.payment_method {
            information["paymentMethod"] = json!(method);
        }
    }
    match failure {
        Some(Failure::WrongAmount) => {
            let higher = money::to_json(transaction.gros_cents + 100);
            payment_request["grosAmount"] = Value::Number(higher);
            if let Some(first) = payment_request
                .get_mut("items")
                .and_then(|items| items.get_mut(0))
            {
                let net = first
                    .get("totalNetAmount")
                    .and_then(Value::as_number)
                    .and_then(|n| money::from_json(n).ok())
                    .unwrap_or(0);
                first["totalNetAmount"] = Value::Number(money::to_json(net + 100));
            }
        }
        Some(Failure::UnknownStatus) => information["status"] = json!("PENDING"),
        Some(Failure::MissingTransactionId) => {
            if let Some(object) = information.as_object_mut() {
                object.remove("transactionId");
            }
        }
        _ => {}
    }
    let body = json!({
        "paymentRequest": payment_request,
        "paymentInformation": information,
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    shared.lock().token_requests += 1;
    let oauth_error = |status: StatusCode, error: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "error": error }).to_string(),
        )
            .into_response()
    };
    let DoubleAuth::OAuth2 {
        client_id,
        client_secret,
    } = &shared.settings.auth
    else {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // RFC 6749 §2.3.1: in the body or as HTTP Basic.
    let presented = match (form.client_id, form.client_secret) {
        (Some(id), Some(secret)) => Some((id, secret)),
        _ => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(basic_credentials),
    };
    if presented
        .as_ref()
        .is_none_or(|(id, secret)| id != client_id || secret.as_str() != client_secret.expose())
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let token = format!("tok-{}", Uuid::new_v4().simple());
    shared.lock().tokens.insert(token.clone());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "access_token": token, "token_type": "Bearer", "expires_in": 300 }).to_string(),
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

async fn pay_page(
    State(shared): State<Arc<Shared>>,
    Path(transaction_id): Path<String>,
) -> Response {
    let Some(transaction) = shared.lock().transactions.get(&transaction_id).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            Html(page("Unbekannter Bezahlvorgang", "")),
        )
            .into_response();
    };
    if transaction.status != PaymentStatus::Initial {
        return (
            StatusCode::CONFLICT,
            Html(page(
                "Bezahlvorgang abgeschlossen",
                "<p>Dieser Bezahlvorgang ist bereits abgeschlossen.</p>",
            )),
        )
            .into_response();
    }
    let text = |field: &str| {
        transaction
            .request
            .get(field)
            .and_then(Value::as_str)
            .map(escape)
            .unwrap_or_default()
    };
    let id = escape(&transaction.transaction_id);
    let body = format!(
        "<p>Testdoppel eines Bezahldienstes – es wird kein Geld bewegt.</p>\n\
         <dl><dt>Verwendungszweck</dt><dd>{purpose}</dd>\
         <dt>Beschreibung</dt><dd>{description}</dd>\
         <dt>Betrag</dt><dd>{amount}</dd></dl>\n\
         <form method=\"post\" action=\"/paypage/{id}\">\
         <button type=\"submit\" name=\"outcome\" value=\"pay\">Bezahlen</button> \
         <button type=\"submit\" name=\"outcome\" value=\"cancel\">Abbrechen</button> \
         <button type=\"submit\" name=\"outcome\" value=\"fail\">Zahlung scheitern lassen</button>\
         </form>",
        purpose = text("purpose"),
        description = text("description"),
        amount = money::format_de(transaction.gros_cents),
    );
    Html(page("Bezahlen (Testdoppel)", &body)).into_response()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>\n{body}\n</main></body></html>\n"
    )
}

#[derive(Deserialize)]
struct PayForm {
    outcome: String,
}

async fn pay_page_submit(
    State(shared): State<Arc<Shared>>,
    Path(transaction_id): Path<String>,
    Form(form): Form<PayForm>,
) -> Response {
    let status = match form.outcome.as_str() {
        "pay" => PaymentStatus::Paid,
        "cancel" => PaymentStatus::Canceled,
        "fail" => PaymentStatus::Failed,
        _ => return (StatusCode::BAD_REQUEST, Html(page("Ungültige Auswahl", ""))).into_response(),
    };
    let redirect = {
        let mut inner = shared.lock();
        match inner.transactions.get_mut(&transaction_id) {
            None => None,
            Some(transaction) if transaction.status != PaymentStatus::Initial => {
                return (
                    StatusCode::CONFLICT,
                    Html(page("Bezahlvorgang abgeschlossen", "")),
                )
                    .into_response();
            }
            Some(transaction) => {
                set_status(transaction, status);
                Some(transaction.redirect_url.clone())
            }
        }
    };
    match redirect {
        Some(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Html(page("Unbekannter Bezahlvorgang", "")),
        )
            .into_response(),
    }
}
