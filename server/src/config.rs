//! The server's settings: one typed [`Config`], read from an optional TOML
//! file (path in `AMTSWEG_CONFIG`) and environment variables that override
//! it, validated once at start.
//!
//! A wrong setting is a [`ConfigError`] naming the setting (the environment
//! variable, or the key and file) in one line. Secrets are redacted in
//! `Debug` so the config can be logged.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use serde::Deserialize;
use thiserror::Error;
use url::Url;

use crate::uploads::ClamdAddress;

/// Default for `AMTSWEG_UPLOAD_MAX_BYTES`: 20 MB, whatever a form allows.
pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Default of `AMTSWEG_DRAFT_CLEANUP_SECONDS`: delete expired drafts every
/// 10 minutes.
pub const DEFAULT_DRAFT_CLEANUP_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// A setting that stops the start, e.g.
/// `AMTSWEG_LISTEN: "abc" is not a socket address`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// Where the value came from: an environment variable, or `key (in FILE)`.
    pub setting: String,
    /// What is wrong with it.
    pub message: String,
}

/// Login through the state's service account (OpenID Connect).
#[derive(Clone, PartialEq, Eq)]
pub struct OidcConfig {
    pub issuer: Url,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes asked for besides `openid` (`AMTSWEG_OIDC_SCOPES`, default
    /// `profile email address`).
    pub scopes: Vec<String>,
    /// The `acr` values of each trust level.
    pub acr: AcrValues,
    /// Where the provider puts each claim the portal reads.
    pub claims: ClaimNames,
    /// Which claim values make a login a staff member's with roles.
    pub roles: RoleMapping,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("acr", &self.acr)
            .field("claims", &self.claims)
            .field("roles", &self.roles)
            .finish()
    }
}

/// Default of `AMTSWEG_OIDC_SCOPES` (`openid` is always added).
pub const DEFAULT_OIDC_SCOPES: &str = "profile email address";

/// The `acr` (authentication context class) values that stand for each
/// trust level (Vertrauensniveau), from `AMTSWEG_OIDC_ACR_BASIS`,
/// `…_SUBSTANZIELL`, `…_HOCH`: comma-separated, the first is the one
/// requested at login, every one is accepted in an ID token. Defaults: the
/// eIDAS levels of assurance `http://eidas.europa.eu/LoA/low`,
/// `…/substantial`, `…/high`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcrValues {
    pub basis: Vec<String>,
    pub substanziell: Vec<String>,
    pub hoch: Vec<String>,
}

impl Default for AcrValues {
    fn default() -> AcrValues {
        AcrValues {
            basis: vec!["http://eidas.europa.eu/LoA/low".into()],
            substanziell: vec!["http://eidas.europa.eu/LoA/substantial".into()],
            hoch: vec!["http://eidas.europa.eu/LoA/high".into()],
        }
    }
}

/// Names of the claims the portal reads from the ID token and userinfo
/// (`AMTSWEG_OIDC_CLAIM_<NAME>`); the defaults are the standard OpenID
/// Connect claims plus `organization_name` and `account_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    pub given_name: String,
    pub family_name: String,
    pub birthdate: String,
    pub email: String,
    /// A structured OpenID Connect address (`street_address`,
    /// `postal_code`, `locality`, `country`).
    pub address: String,
    /// The company's name, for business accounts.
    pub organization: String,
    /// The kind of account; see `business_value`.
    pub account_type: String,
    /// The value of `account_type` that marks a business account
    /// (Unternehmenskonto); any other value, or none, is a citizen.
    pub business_value: String,
}

impl Default for ClaimNames {
    fn default() -> ClaimNames {
        ClaimNames {
            given_name: "given_name".into(),
            family_name: "family_name".into(),
            birthdate: "birthdate".into(),
            email: "email".into(),
            address: "address".into(),
            organization: "organization_name".into(),
            account_type: "account_type".into(),
            business_value: "business".into(),
        }
    }
}

/// How staff roles are read from a claim (`crate::auth::roles`): the claim
/// `claim` (`AMTSWEG_OIDC_ROLES_CLAIM`, default `roles`) holds a list of
/// strings (or one space-separated string); the value `editor`
/// (`AMTSWEG_OIDC_ROLE_EDITOR`, default `amtsweg-editor`) makes a form
/// editor, `admin` (`AMTSWEG_OIDC_ROLE_ADMIN`, default `amtsweg-admin`) an
/// administrator, and `caseworker_prefix` followed by an authority's id
/// (`AMTSWEG_OIDC_ROLE_CASEWORKER_PREFIX`, default `amtsweg-caseworker:`,
/// e.g. `amtsweg-caseworker:lra-erfurt`) a caseworker of that authority.
/// Any other value is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMapping {
    pub claim: String,
    pub editor: String,
    pub admin: String,
    pub caseworker_prefix: String,
}

impl Default for RoleMapping {
    fn default() -> RoleMapping {
        RoleMapping {
            claim: "roles".into(),
            editor: "amtsweg-editor".into(),
            admin: "amtsweg-admin".into(),
            caseworker_prefix: "amtsweg-caseworker:".into(),
        }
    }
}

/// Default of `AMTSWEG_SESSION_IDLE_MINUTES`.
pub const DEFAULT_SESSION_IDLE_MINUTES: u64 = 30;
/// Default of `AMTSWEG_SESSION_ABSOLUTE_HOURS`.
pub const DEFAULT_SESSION_ABSOLUTE_HOURS: u64 = 12;

/// How long a login lasts (`crate::auth::timeout`): it ends after `idle`
/// without a request (`AMTSWEG_SESSION_IDLE_MINUTES`, default 30, at most
/// 120, the session's own lifetime) and at the latest `absolute` after
/// the login (`AMTSWEG_SESSION_ABSOLUTE_HOURS`, default 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            idle: Duration::from_secs(DEFAULT_SESSION_IDLE_MINUTES * 60),
            absolute: Duration::from_secs(DEFAULT_SESSION_ABSOLUTE_HOURS * 3600),
        }
    }
}

/// Every setting of the server, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the embedded defaults keep their files (`./data`).
    pub data_dir: PathBuf,
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// The URL citizens see, without a trailing slash.
    pub public_url: Url,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Form definitions published at start (one JSON file per form).
    pub definitions_dir: PathBuf,
    /// Whether `definitions_dir` was set explicitly (then it must exist).
    pub definitions_dir_explicit: bool,
    /// Login; `None` means login is off.
    pub oidc: Option<OidcConfig>,
    /// The login's idle and absolute timeouts.
    pub session: SessionConfig,
    /// Mail server (`AMTSWEG_SMTP_URL`); `None`: mails are written as files
    /// into `{data_dir}/mail` (see [`crate::mail`]).
    pub smtp_url: Option<Url>,
    /// Sender of every mail (`AMTSWEG_MAIL_FROM`), default
    /// `Amtsweg <noreply@{host of the public URL}>`.
    pub mail_from: lettre::message::Mailbox,
    /// The built site (`pkg/amtsweg.js`, `pkg/amtsweg.wasm`).
    pub site_root: PathBuf,
    /// How often expired drafts are deleted (`AMTSWEG_DRAFT_CLEANUP_SECONDS`).
    pub draft_cleanup_interval: Duration,
    /// Largest uploaded file in bytes, for every form (a form may allow less).
    pub upload_max_bytes: u64,
    /// Virus scanner (`clamd`) that checks every upload; `None`: no scan.
    pub clamd: Option<ClamdAddress>,
    /// The receiving authorities' file (`AMTSWEG_AUTHORITIES`, default
    /// `config/authorities.toml` when it exists), see
    /// [`crate::delivery::authorities`].
    pub authorities_file: Option<PathBuf>,
    /// The delivery worker's settings.
    pub worker: WorkerConfig,
}

/// How the delivery worker runs (`crate::delivery`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Whether `amtsweg serve` runs the worker itself (`AMTSWEG_WORKER`:
    /// `embedded`, the default, or `off` when `amtsweg worker` runs as a
    /// separate process).
    pub embedded: bool,
    /// Jobs run at the same time (`AMTSWEG_WORKER_CONCURRENCY`, default 4).
    pub concurrency: usize,
    /// Attempts before a job becomes a dead letter
    /// (`AMTSWEG_DELIVERY_MAX_ATTEMPTS`, default 60: with the default
    /// backoff and its jitter at least 26 hours of retries, about 40 on
    /// average, so an E-Akte that is down for a day loses nothing).
    pub max_attempts: u32,
    /// The first retry's delay (`AMTSWEG_DELIVERY_RETRY_BASE_SECONDS`,
    /// default 30); it doubles with each attempt, with jitter.
    pub retry_base: Duration,
    /// The longest delay between attempts
    /// (`AMTSWEG_DELIVERY_RETRY_MAX_SECONDS`, default 3600).
    pub retry_max: Duration,
    /// How often an idle worker looks for due jobs and confirmations in the
    /// drop folders (`AMTSWEG_WORKER_POLL_MS`, default 1000). A submit in
    /// the same process wakes it at once.
    pub poll: Duration,
    /// The first wait before the worker asks the payment provider again
    /// about an unpaid fee (`AMTSWEG_PAYMENT_POLL_SECONDS`, default 60); it
    /// doubles up to `retry_max`.
    pub payment_poll: Duration,
    /// How long after submitting an unpaid fee is given up: the `payment`
    /// job becomes a dead letter and the application stays undelivered
    /// (`AMTSWEG_PAYMENT_ABANDON_HOURS`, default 72).
    pub payment_abandon_after: Duration,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            embedded: true,
            concurrency: 4,
            max_attempts: 60,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            poll: Duration::from_millis(1000),
            payment_poll: Duration::from_secs(60),
            payment_abandon_after: Duration::from_secs(72 * 3600),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("public_url", &self.public_url.as_str())
            .field("database_url", &redact_url(&self.database_url))
            .field("definitions_dir", &self.definitions_dir)
            .field("oidc", &self.oidc)
            .field("session", &self.session)
            .field(
                "smtp_url",
                &self.smtp_url.as_ref().map(|u| redact_url(u.as_str())),
            )
            .field("mail_from", &self.mail_from.to_string())
            .field("site_root", &self.site_root)
            .field("draft_cleanup_interval", &self.draft_cleanup_interval)
            .field("upload_max_bytes", &self.upload_max_bytes)
            .field("clamd", &self.clamd)
            .field("authorities_file", &self.authorities_file)
            .field("worker", &self.worker)
            .finish()
    }
}

/// `Amtsweg <noreply@{host}>` for a public URL with a domain name;
/// `noreply@localhost` for an IP address or `localhost`.
fn default_mail_from(public_url: &Url) -> lettre::message::Mailbox {
    let domain = match public_url.host() {
        Some(url::Host::Domain(domain)) if domain.contains('.') => domain.to_owned(),
        _ => "localhost".to_owned(),
    };
    let address = lettre::Address::new("noreply", &domain)
        .or_else(|_| lettre::Address::new("noreply", "localhost"));
    #[allow(clippy::expect_used)]
    let address = address.expect("noreply@localhost is a valid address");
    lettre::message::Mailbox::new(Some("Amtsweg".to_owned()), address)
}

/// The URL with any password replaced, for logs.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

/// The TOML file's shape; every key optional, unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    database_url: Option<String>,
    definitions_dir: Option<String>,
    site_root: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    draft_cleanup_seconds: Option<String>,
    /// A number in TOML, or a string like the environment variable.
    upload_max_bytes: Option<toml::Value>,
    clamd: Option<String>,
    authorities_file: Option<String>,
    #[serde(default)]
    worker: FileWorker,
    #[serde(default)]
    oidc: FileOidc,
    #[serde(default)]
    session: FileSession,
}

/// `[session]`: numbers as TOML numbers or strings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSession {
    idle_minutes: Option<toml::Value>,
    absolute_hours: Option<toml::Value>,
}

/// `[worker]`: numbers as TOML numbers or strings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWorker {
    mode: Option<String>,
    concurrency: Option<toml::Value>,
    max_attempts: Option<toml::Value>,
    retry_base_seconds: Option<toml::Value>,
    retry_max_seconds: Option<toml::Value>,
    poll_ms: Option<toml::Value>,
    payment_poll_seconds: Option<toml::Value>,
    payment_abandon_hours: Option<toml::Value>,
}

fn toml_text(value: &Option<toml::Value>) -> Option<String> {
    value.as_ref().map(|v| match v {
        toml::Value::String(text) => text.clone(),
        other => other.to_string(),
    })
}

/// A positive whole number, or an error naming the setting.
fn positive(raw: &Raw, what: &str) -> Result<u64, ConfigError> {
    raw.value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| raw.error(format!("is not a positive number{what}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOidc {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: Option<String>,
    acr_basis: Option<String>,
    acr_substanziell: Option<String>,
    acr_hoch: Option<String>,
    #[serde(default)]
    claims: FileClaims,
    #[serde(default)]
    roles: FileRoles,
}

/// `[oidc.roles]`: see [`RoleMapping`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoles {
    claim: Option<String>,
    editor: Option<String>,
    admin: Option<String>,
    caseworker_prefix: Option<String>,
}

/// `[oidc.claims]`: one key per claim the portal reads.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileClaims {
    given_name: Option<String>,
    family_name: Option<String>,
    birthdate: Option<String>,
    email: Option<String>,
    address: Option<String>,
    organization: Option<String>,
    account_type: Option<String>,
    business_value: Option<String>,
}

/// One raw value and where it came from.
struct Raw {
    value: String,
    setting: String,
}

impl Raw {
    fn error(&self, message: impl fmt::Display) -> ConfigError {
        ConfigError {
            setting: self.setting.clone(),
            message: format!("{:?} {message}", self.value),
        }
    }
}

impl Config {
    /// Reads the settings from the process environment (and the file named
    /// by `AMTSWEG_CONFIG`).
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `env` (a stand-in for the environment,
    /// so tests need not touch the process environment).
    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let (file, file_name) = match env("AMTSWEG_CONFIG").filter(|p| !p.trim().is_empty()) {
            Some(path) => (read_file(&path)?, path),
            None => (FileConfig::default(), String::new()),
        };
        let pick = |var: &str, key: &str, from_file: &Option<String>| -> Option<Raw> {
            if let Some(value) = env(var).filter(|v| !v.trim().is_empty()) {
                return Some(Raw {
                    value,
                    setting: var.to_owned(),
                });
            }
            from_file.as_ref().map(|value| Raw {
                value: value.clone(),
                setting: format!("{key} (in {file_name})"),
            })
        };

        let data_dir = pick("AMTSWEG_DATA_DIR", "data_dir", &file.data_dir)
            .map_or_else(|| PathBuf::from("./data"), |raw| PathBuf::from(raw.value));

        let listen = match pick("AMTSWEG_LISTEN", "listen", &file.listen) {
            Some(raw) => raw
                .value
                .trim()
                .parse::<SocketAddr>()
                .map_err(|_| raw.error("is not a socket address (e.g. 127.0.0.1:3000)"))?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };

        let public_url = match pick("AMTSWEG_PUBLIC_URL", "public_url", &file.public_url) {
            Some(raw) => parse_http_url(&raw)?,
            None => Url::parse(&format!("http://{listen}")).map_err(|e| ConfigError {
                setting: "AMTSWEG_PUBLIC_URL".into(),
                message: format!("cannot be derived from the listen address: {e}"),
            })?,
        };

        let database_url = match pick("AMTSWEG_DATABASE_URL", "database_url", &file.database_url) {
            Some(raw) => {
                let value = raw.value.trim();
                if !(value.starts_with("sqlite:")
                    || value.starts_with("postgres://")
                    || value.starts_with("postgresql://"))
                {
                    return Err(ConfigError {
                        setting: raw.setting,
                        message: format!(
                            "{:?} is not a database URL (sqlite://FILE or postgres://…)",
                            redact_url(value)
                        ),
                    });
                }
                value.to_owned()
            }
            None => format!("sqlite://{}", data_dir.join("amtsweg.db").display()),
        };

        let definitions = pick(
            "AMTSWEG_DEFINITIONS_DIR",
            "definitions_dir",
            &file.definitions_dir,
        );
        let definitions_dir_explicit = definitions.is_some();
        let definitions_dir = definitions.map_or_else(
            || PathBuf::from("forms/definitions"),
            |raw| PathBuf::from(raw.value),
        );

        let site_root = pick("LEPTOS_SITE_ROOT", "site_root", &file.site_root).map_or_else(
            || PathBuf::from("target/site"),
            |raw| PathBuf::from(raw.value),
        );

        let smtp_url = match pick("AMTSWEG_SMTP_URL", "smtp_url", &file.smtp_url) {
            Some(raw) => {
                let url = Url::parse(raw.value.trim()).map_err(|_| raw.error("is not a URL"))?;
                if !matches!(url.scheme(), "smtp" | "smtps") {
                    return Err(raw.error("must start with smtp:// or smtps://"));
                }
                Some(url)
            }
            None => None,
        };

        let mail_from = match pick("AMTSWEG_MAIL_FROM", "mail_from", &file.mail_from) {
            Some(raw) => raw
                .value
                .trim()
                .parse::<lettre::message::Mailbox>()
                .map_err(|_| raw.error("is not a sender like 'Amtsweg <noreply@example.org>'"))?,
            None => default_mail_from(&public_url),
        };

        let upload_max_bytes = match pick(
            "AMTSWEG_UPLOAD_MAX_BYTES",
            "upload_max_bytes",
            &file.upload_max_bytes.as_ref().map(|v| match v {
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            }),
        ) {
            Some(raw) => raw
                .value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| raw.error("is not a positive number of bytes"))?,
            None => DEFAULT_UPLOAD_MAX_BYTES,
        };

        let clamd = match pick("AMTSWEG_CLAMD", "clamd", &file.clamd) {
            Some(raw) => Some(raw.value.trim().parse().map_err(|e| raw.error(e))?),
            None => None,
        };

        let draft_cleanup_interval = match pick(
            "AMTSWEG_DRAFT_CLEANUP_SECONDS",
            "draft_cleanup_seconds",
            &file.draft_cleanup_seconds,
        ) {
            Some(raw) => raw
                .value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| raw.error("is not a positive number of seconds"))?,
            None => DEFAULT_DRAFT_CLEANUP_INTERVAL,
        };

        let authorities_file = match pick(
            "AMTSWEG_AUTHORITIES",
            "authorities_file",
            &file.authorities_file,
        ) {
            Some(raw) => {
                let path = PathBuf::from(raw.value.trim());
                if !path.is_file() {
                    return Err(raw.error("is not a file (the receiving authorities' TOML)"));
                }
                Some(path)
            }
            None => Some(PathBuf::from("config/authorities.toml")).filter(|p| p.is_file()),
        };

        let mut worker = WorkerConfig::default();
        if let Some(raw) = pick("AMTSWEG_WORKER", "worker.mode", &file.worker.mode) {
            worker.embedded = match raw.value.trim() {
                "embedded" => true,
                "off" => false,
                _ => return Err(raw.error("is neither \"embedded\" nor \"off\"")),
            };
        }
        let number = |var: &str, key: &str, value: &Option<toml::Value>, what: &str| {
            pick(var, key, &toml_text(value))
                .map(|raw| positive(&raw, what))
                .transpose()
        };
        if let Some(n) = number(
            "AMTSWEG_WORKER_CONCURRENCY",
            "worker.concurrency",
            &file.worker.concurrency,
            "",
        )? {
            worker.concurrency = usize::try_from(n.min(256)).unwrap_or(256);
        }
        if let Some(n) = number(
            "AMTSWEG_DELIVERY_MAX_ATTEMPTS",
            "worker.max_attempts",
            &file.worker.max_attempts,
            "",
        )? {
            worker.max_attempts = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(n) = number(
            "AMTSWEG_DELIVERY_RETRY_BASE_SECONDS",
            "worker.retry_base_seconds",
            &file.worker.retry_base_seconds,
            " of seconds",
        )? {
            worker.retry_base = Duration::from_secs(n);
        }
        if let Some(n) = number(
            "AMTSWEG_DELIVERY_RETRY_MAX_SECONDS",
            "worker.retry_max_seconds",
            &file.worker.retry_max_seconds,
            " of seconds",
        )? {
            worker.retry_max = Duration::from_secs(n);
        }
        if let Some(n) = number(
            "AMTSWEG_WORKER_POLL_MS",
            "worker.poll_ms",
            &file.worker.poll_ms,
            " of milliseconds",
        )? {
            worker.poll = Duration::from_millis(n);
        }
        if let Some(n) = number(
            "AMTSWEG_PAYMENT_POLL_SECONDS",
            "worker.payment_poll_seconds",
            &file.worker.payment_poll_seconds,
            " of seconds",
        )? {
            worker.payment_poll = Duration::from_secs(n);
        }
        if let Some(n) = number(
            "AMTSWEG_PAYMENT_ABANDON_HOURS",
            "worker.payment_abandon_hours",
            &file.worker.payment_abandon_hours,
            " of hours",
        )? {
            worker.payment_abandon_after = Duration::from_secs(n.saturating_mul(3600));
        }
        if worker.retry_max < worker.retry_base {
            return Err(ConfigError {
                setting: "AMTSWEG_DELIVERY_RETRY_MAX_SECONDS".into(),
                message: format!(
                    "{} s is less than AMTSWEG_DELIVERY_RETRY_BASE_SECONDS ({} s)",
                    worker.retry_max.as_secs(),
                    worker.retry_base.as_secs()
                ),
            });
        }

        let issuer = pick("AMTSWEG_OIDC_ISSUER", "oidc.issuer", &file.oidc.issuer);
        let client_id = pick(
            "AMTSWEG_OIDC_CLIENT_ID",
            "oidc.client_id",
            &file.oidc.client_id,
        );
        let client_secret = pick(
            "AMTSWEG_OIDC_CLIENT_SECRET",
            "oidc.client_secret",
            &file.oidc.client_secret,
        );
        let oidc = match (issuer, client_id, client_secret) {
            (None, None, None) => None,
            (Some(issuer), Some(client_id), Some(client_secret)) => Some(OidcConfig {
                issuer: parse_http_url(&issuer)?,
                client_id: client_id.value,
                client_secret: client_secret.value,
                scopes: oidc_scopes(pick(
                    "AMTSWEG_OIDC_SCOPES",
                    "oidc.scopes",
                    &file.oidc.scopes,
                ))?,
                acr: oidc_acr_values(&pick, &file.oidc)?,
                claims: oidc_claim_names(&pick, &file.oidc.claims)?,
                roles: oidc_roles(&pick, &file.oidc.roles)?,
            }),
            (issuer, client_id, _) => {
                let missing = if issuer.is_none() {
                    "AMTSWEG_OIDC_ISSUER"
                } else if client_id.is_none() {
                    "AMTSWEG_OIDC_CLIENT_ID"
                } else {
                    "AMTSWEG_OIDC_CLIENT_SECRET"
                };
                return Err(ConfigError {
                    setting: missing.into(),
                    message: "is missing; login needs AMTSWEG_OIDC_ISSUER, \
                              AMTSWEG_OIDC_CLIENT_ID and AMTSWEG_OIDC_CLIENT_SECRET together"
                        .into(),
                });
            }
        };

        let mut session = SessionConfig::default();
        if let Some(n) = number(
            "AMTSWEG_SESSION_IDLE_MINUTES",
            "session.idle_minutes",
            &file.session.idle_minutes,
            " of minutes",
        )? {
            if n > 120 {
                return Err(ConfigError {
                    setting: "AMTSWEG_SESSION_IDLE_MINUTES".into(),
                    message: format!("{n} is more than 120 (the session's own lifetime)"),
                });
            }
            session.idle = Duration::from_secs(n * 60);
        }
        if let Some(n) = number(
            "AMTSWEG_SESSION_ABSOLUTE_HOURS",
            "session.absolute_hours",
            &file.session.absolute_hours,
            " of hours",
        )? {
            session.absolute = Duration::from_secs(n.min(24 * 365) * 3600);
        }

        Ok(Config {
            data_dir,
            listen,
            public_url,
            database_url,
            definitions_dir,
            definitions_dir_explicit,
            oidc,
            session,
            smtp_url,
            mail_from,
            site_root,
            draft_cleanup_interval,
            upload_max_bytes,
            clamd,
            authorities_file,
            worker,
        })
    }

    /// The public URL as a string without a trailing slash, for building links.
    pub fn public_base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

/// `AMTSWEG_OIDC_SCOPES`: space- or comma-separated; `openid` is added by
/// the login itself.
fn oidc_scopes(raw: Option<Raw>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_OIDC_SCOPES.split(' ').map(str::to_owned).collect());
    };
    let scopes: Vec<String> = raw
        .value
        .split([' ', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "openid")
        .map(str::to_owned)
        .collect();
    if let Some(bad) = scopes.iter().find(|s| {
        !s.chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    }) {
        return Err(raw.error(format!("has the invalid scope {bad:?}")));
    }
    Ok(scopes)
}

/// The three `AMTSWEG_OIDC_ACR_*` settings; no value may stand for two
/// levels.
fn oidc_acr_values(
    pick: &impl Fn(&str, &str, &Option<String>) -> Option<Raw>,
    file: &FileOidc,
) -> Result<AcrValues, ConfigError> {
    let defaults = AcrValues::default();
    let list = |var: &str, key: &str, from_file: &Option<String>, default: Vec<String>| {
        let Some(raw) = pick(var, key, from_file) else {
            return Ok(default);
        };
        let values: Vec<String> = raw
            .value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        if values.is_empty() {
            return Err(raw.error("names no acr value"));
        }
        Ok(values)
    };
    let acr = AcrValues {
        basis: list(
            "AMTSWEG_OIDC_ACR_BASIS",
            "oidc.acr_basis",
            &file.acr_basis,
            defaults.basis,
        )?,
        substanziell: list(
            "AMTSWEG_OIDC_ACR_SUBSTANZIELL",
            "oidc.acr_substanziell",
            &file.acr_substanziell,
            defaults.substanziell,
        )?,
        hoch: list(
            "AMTSWEG_OIDC_ACR_HOCH",
            "oidc.acr_hoch",
            &file.acr_hoch,
            defaults.hoch,
        )?,
    };
    let all: Vec<&String> = acr
        .basis
        .iter()
        .chain(&acr.substanziell)
        .chain(&acr.hoch)
        .collect();
    if let Some(twice) = all
        .iter()
        .enumerate()
        .find(|(i, v)| all[..*i].contains(v))
        .map(|(_, v)| *v)
    {
        return Err(ConfigError {
            setting: "AMTSWEG_OIDC_ACR_BASIS/_SUBSTANZIELL/_HOCH".into(),
            message: format!("{twice:?} stands for more than one trust level"),
        });
    }
    Ok(acr)
}

/// The `AMTSWEG_OIDC_CLAIM_*` settings.
fn oidc_claim_names(
    pick: &impl Fn(&str, &str, &Option<String>) -> Option<Raw>,
    file: &FileClaims,
) -> Result<ClaimNames, ConfigError> {
    let defaults = ClaimNames::default();
    let name = |suffix: &str, key: &str, from_file: &Option<String>, default: String| match pick(
        &format!("AMTSWEG_OIDC_CLAIM_{suffix}"),
        &format!("oidc.claims.{key}"),
        from_file,
    ) {
        Some(raw) if raw.value.trim().is_empty() || raw.value.trim().contains(' ') => {
            Err(raw.error("is not a claim name"))
        }
        Some(raw) => Ok(raw.value.trim().to_owned()),
        None => Ok(default),
    };
    Ok(ClaimNames {
        given_name: name(
            "GIVEN_NAME",
            "given_name",
            &file.given_name,
            defaults.given_name,
        )?,
        family_name: name(
            "FAMILY_NAME",
            "family_name",
            &file.family_name,
            defaults.family_name,
        )?,
        birthdate: name(
            "BIRTHDATE",
            "birthdate",
            &file.birthdate,
            defaults.birthdate,
        )?,
        email: name("EMAIL", "email", &file.email, defaults.email)?,
        address: name("ADDRESS", "address", &file.address, defaults.address)?,
        organization: name(
            "ORGANIZATION",
            "organization",
            &file.organization,
            defaults.organization,
        )?,
        account_type: name(
            "ACCOUNT_TYPE",
            "account_type",
            &file.account_type,
            defaults.account_type,
        )?,
        business_value: name(
            "BUSINESS_VALUE",
            "business_value",
            &file.business_value,
            defaults.business_value,
        )?,
    })
}

/// The `AMTSWEG_OIDC_ROLE*` settings.
fn oidc_roles(
    pick: &impl Fn(&str, &str, &Option<String>) -> Option<Raw>,
    file: &FileRoles,
) -> Result<RoleMapping, ConfigError> {
    let defaults = RoleMapping::default();
    let value = |var: &str, key: &str, from_file: &Option<String>, default: String| match pick(
        var,
        &format!("oidc.roles.{key}"),
        from_file,
    ) {
        Some(raw) if raw.value.trim().is_empty() || raw.value.trim().contains(' ') => {
            Err(raw.error("is not a claim name or value (empty or with a space)"))
        }
        Some(raw) => Ok(raw.value.trim().to_owned()),
        None => Ok(default),
    };
    Ok(RoleMapping {
        claim: value(
            "AMTSWEG_OIDC_ROLES_CLAIM",
            "claim",
            &file.claim,
            defaults.claim,
        )?,
        editor: value(
            "AMTSWEG_OIDC_ROLE_EDITOR",
            "editor",
            &file.editor,
            defaults.editor,
        )?,
        admin: value(
            "AMTSWEG_OIDC_ROLE_ADMIN",
            "admin",
            &file.admin,
            defaults.admin,
        )?,
        caseworker_prefix: value(
            "AMTSWEG_OIDC_ROLE_CASEWORKER_PREFIX",
            "caseworker_prefix",
            &file.caseworker_prefix,
            defaults.caseworker_prefix,
        )?,
    })
}

fn read_file(path: &str) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        setting: "AMTSWEG_CONFIG".into(),
        message: format!("cannot read {path:?}: {e}"),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError {
        setting: "AMTSWEG_CONFIG".into(),
        message: format!("{path}: {}", e.message()),
    })
}

fn parse_http_url(raw: &Raw) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.value.trim()).map_err(|_| raw.error("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(raw.error("must be an http:// or https:// URL with a host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::HashMap;
    use std::io::Write;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_base(), "http://127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://./data/amtsweg.db");
        assert_eq!(c.definitions_dir, PathBuf::from("forms/definitions"));
        assert!(!c.definitions_dir_explicit);
        assert_eq!(c.site_root, PathBuf::from("target/site"));
        assert!(c.oidc.is_none());
        assert!(c.smtp_url.is_none());
        assert_eq!(c.mail_from.to_string(), "Amtsweg <noreply@localhost>");
        assert_eq!(c.upload_max_bytes, DEFAULT_UPLOAD_MAX_BYTES);
        assert!(c.clamd.is_none());
        assert_eq!(c.draft_cleanup_interval, Duration::from_secs(600));
        assert_eq!(c.session.idle, Duration::from_secs(30 * 60));
        assert_eq!(c.session.absolute, Duration::from_secs(12 * 3600));
    }

    #[test]
    fn session_timeouts_are_set_and_checked() {
        let c = config(&[
            ("AMTSWEG_SESSION_IDLE_MINUTES", "15"),
            ("AMTSWEG_SESSION_ABSOLUTE_HOURS", "8"),
        ])
        .unwrap();
        assert_eq!(c.session.idle, Duration::from_secs(15 * 60));
        assert_eq!(c.session.absolute, Duration::from_secs(8 * 3600));
        for bad in ["0", "-5", "abc", "121"] {
            let e = config(&[("AMTSWEG_SESSION_IDLE_MINUTES", bad)]).unwrap_err();
            assert_eq!(e.setting, "AMTSWEG_SESSION_IDLE_MINUTES", "{bad}");
        }
        let e = config(&[("AMTSWEG_SESSION_ABSOLUTE_HOURS", "0")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_SESSION_ABSOLUTE_HOURS");
    }

    #[test]
    fn session_and_roles_come_from_the_file_too() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "[session]\nidle_minutes = 10\nabsolute_hours = \"4\"\n\
             [oidc]\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"a\"\nclient_secret = \"s\"\n\
             [oidc.roles]\nclaim = \"groups\"\nadmin = \"betrieb\""
        )
        .unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        let c = config(&[("AMTSWEG_CONFIG", &path)]).unwrap();
        assert_eq!(c.session.idle, Duration::from_secs(600));
        assert_eq!(c.session.absolute, Duration::from_secs(4 * 3600));
        let roles = c.oidc.unwrap().roles;
        assert_eq!(
            (roles.claim.as_str(), roles.admin.as_str()),
            ("groups", "betrieb")
        );
        // The environment wins over the file.
        let c = config(&[
            ("AMTSWEG_CONFIG", &path),
            ("AMTSWEG_SESSION_IDLE_MINUTES", "20"),
        ])
        .unwrap();
        assert_eq!(c.session.idle, Duration::from_secs(1200));
    }

    #[test]
    fn role_claims_are_configured() {
        let login = [
            ("AMTSWEG_OIDC_ISSUER", "http://127.0.0.1:9"),
            ("AMTSWEG_OIDC_CLIENT_ID", "amtsweg"),
            ("AMTSWEG_OIDC_CLIENT_SECRET", "s"),
        ];
        let c = config(&login).unwrap();
        assert_eq!(c.oidc.unwrap().roles, RoleMapping::default());
        let mut vars = login.to_vec();
        vars.push(("AMTSWEG_OIDC_ROLES_CLAIM", "groups"));
        vars.push(("AMTSWEG_OIDC_ROLE_CASEWORKER_PREFIX", "sb-"));
        let roles = config(&vars).unwrap().oidc.unwrap().roles;
        assert_eq!(roles.claim, "groups");
        assert_eq!(roles.caseworker_prefix, "sb-");
        assert_eq!(roles.editor, "amtsweg-editor");
        vars.push(("AMTSWEG_OIDC_ROLE_ADMIN", "a b"));
        assert_eq!(
            config(&vars).unwrap_err().setting,
            "AMTSWEG_OIDC_ROLE_ADMIN"
        );
    }

    #[test]
    fn mail_sender_follows_the_public_url_or_is_set() {
        let c = config(&[("AMTSWEG_PUBLIC_URL", "https://antrag.thueringen.de")]).unwrap();
        assert_eq!(
            c.mail_from.to_string(),
            "Amtsweg <noreply@antrag.thueringen.de>"
        );
        let c = config(&[("AMTSWEG_MAIL_FROM", "Landratsamt <post@lra.example>")]).unwrap();
        assert_eq!(c.mail_from.to_string(), "Landratsamt <post@lra.example>");
        let e = config(&[("AMTSWEG_MAIL_FROM", "keine Adresse")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_MAIL_FROM");
        assert!(e.message.contains("noreply@example.org"), "{}", e.message);
    }

    #[test]
    fn draft_cleanup_interval_is_read_and_checked() {
        let c = config(&[("AMTSWEG_DRAFT_CLEANUP_SECONDS", "60")]).unwrap();
        assert_eq!(c.draft_cleanup_interval, Duration::from_secs(60));
        let e = config(&[("AMTSWEG_DRAFT_CLEANUP_SECONDS", "0")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_DRAFT_CLEANUP_SECONDS");
    }

    #[test]
    fn upload_settings() {
        let c = config(&[
            ("AMTSWEG_UPLOAD_MAX_BYTES", "1048576"),
            ("AMTSWEG_CLAMD", "unix:///run/clamav/clamd.ctl"),
        ])
        .unwrap();
        assert_eq!(c.upload_max_bytes, 1_048_576);
        assert_eq!(
            c.clamd,
            Some(ClamdAddress::Unix("/run/clamav/clamd.ctl".into()))
        );
        let c = config(&[("AMTSWEG_CLAMD", "tcp://127.0.0.1:3310")]).unwrap();
        assert_eq!(c.clamd, Some(ClamdAddress::Tcp("127.0.0.1:3310".into())));
        let e = config(&[("AMTSWEG_UPLOAD_MAX_BYTES", "0")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_UPLOAD_MAX_BYTES");
        let e = config(&[("AMTSWEG_CLAMD", "127.0.0.1:3310")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_CLAMD");

        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "upload_max_bytes = 5000\nclamd = \"tcp://[::1]:3310\""
        )
        .unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        let c = config(&[("AMTSWEG_CONFIG", &path)]).unwrap();
        assert_eq!(c.upload_max_bytes, 5000);
        assert_eq!(c.clamd, Some(ClamdAddress::Tcp("[::1]:3310".into())));
    }

    #[test]
    fn env_derives_dependent_defaults() {
        let c = config(&[
            ("AMTSWEG_DATA_DIR", "/var/lib/amtsweg"),
            ("AMTSWEG_LISTEN", "0.0.0.0:8080"),
        ])
        .unwrap();
        assert_eq!(c.database_url, "sqlite:///var/lib/amtsweg/amtsweg.db");
        assert_eq!(c.public_base(), "http://0.0.0.0:8080");
    }

    #[test]
    fn wrong_listen_names_the_variable() {
        let e = config(&[("AMTSWEG_LISTEN", "abc")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "AMTSWEG_LISTEN: \"abc\" is not a socket address (e.g. 127.0.0.1:3000)"
        );
    }

    #[test]
    fn wrong_urls_are_rejected() {
        let e = config(&[("AMTSWEG_PUBLIC_URL", "portal.example")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_PUBLIC_URL");
        let e = config(&[("AMTSWEG_DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_DATABASE_URL");
        let e = config(&[("AMTSWEG_SMTP_URL", "http://mail")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_SMTP_URL");
    }

    #[test]
    fn postgres_url_is_accepted() {
        let c = config(&[("AMTSWEG_DATABASE_URL", "postgres://u:secret@db/amtsweg")]).unwrap();
        assert_eq!(c.database_url, "postgres://u:secret@db/amtsweg");
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn oidc_needs_all_three() {
        let e = config(&[("AMTSWEG_OIDC_ISSUER", "https://id.example")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_OIDC_CLIENT_ID");
        let c = config(&[
            ("AMTSWEG_OIDC_ISSUER", "https://id.example"),
            ("AMTSWEG_OIDC_CLIENT_ID", "amtsweg"),
            ("AMTSWEG_OIDC_CLIENT_SECRET", "s3cret"),
        ])
        .unwrap();
        let oidc = c.oidc.as_ref().unwrap();
        assert_eq!(oidc.client_id, "amtsweg");
        assert_eq!(oidc.scopes, ["profile", "email", "address"]);
        assert_eq!(oidc.acr, AcrValues::default());
        assert_eq!(oidc.claims, ClaimNames::default());
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    const LOGIN: [(&str, &str); 3] = [
        ("AMTSWEG_OIDC_ISSUER", "https://id.example"),
        ("AMTSWEG_OIDC_CLIENT_ID", "amtsweg"),
        ("AMTSWEG_OIDC_CLIENT_SECRET", "s3cret"),
    ];

    #[test]
    fn oidc_scopes_acr_values_and_claim_names_are_read() {
        let mut vars = LOGIN.to_vec();
        vars.extend([
            ("AMTSWEG_OIDC_SCOPES", "openid profile,bundid"),
            (
                "AMTSWEG_OIDC_ACR_SUBSTANZIELL",
                "urn:sub, STORK-QAA-Level-3",
            ),
            ("AMTSWEG_OIDC_CLAIM_ORGANIZATION", "org_name"),
        ]);
        let c = config(&vars).unwrap();
        let oidc = c.oidc.unwrap();
        assert_eq!(oidc.scopes, ["profile", "bundid"]);
        assert_eq!(oidc.acr.substanziell, ["urn:sub", "STORK-QAA-Level-3"]);
        assert_eq!(oidc.acr.basis, AcrValues::default().basis);
        assert_eq!(oidc.claims.organization, "org_name");
        assert_eq!(oidc.claims.given_name, "given_name");
    }

    #[test]
    fn oidc_settings_are_read_from_the_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "[oidc]\nissuer = \"https://id.example\"\nclient_id = \"a\"\nclient_secret = \"b\"\n\
             scopes = \"profile\"\nacr_hoch = \"urn:hoch\"\n[oidc.claims]\naccount_type = \"kontoart\""
        )
        .unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        let oidc = config(&[("AMTSWEG_CONFIG", &path)]).unwrap().oidc.unwrap();
        assert_eq!(oidc.scopes, ["profile"]);
        assert_eq!(oidc.acr.hoch, ["urn:hoch"]);
        assert_eq!(oidc.claims.account_type, "kontoart");
        let oidc = config(&[
            ("AMTSWEG_CONFIG", &path),
            ("AMTSWEG_OIDC_CLAIM_ACCOUNT_TYPE", "typ"),
        ])
        .unwrap()
        .oidc
        .unwrap();
        assert_eq!(oidc.claims.account_type, "typ");
    }

    #[test]
    fn an_acr_value_for_two_levels_is_an_error() {
        let mut vars = LOGIN.to_vec();
        vars.push((
            "AMTSWEG_OIDC_ACR_HOCH",
            "http://eidas.europa.eu/LoA/substantial",
        ));
        let e = config(&vars).unwrap_err();
        assert!(e.message.contains("more than one trust level"), "{e}");
        let mut vars = LOGIN.to_vec();
        vars.push(("AMTSWEG_OIDC_CLAIM_EMAIL", "e mail"));
        let e = config(&vars).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_OIDC_CLAIM_EMAIL");
    }

    #[test]
    fn file_is_read_and_env_overrides_it() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "listen = \"127.0.0.1:4000\"\ndata_dir = \"/srv/data\"\n[oidc]\nissuer = \"https://id.example\"\nclient_id = \"a\"\nclient_secret = \"b\""
        )
        .unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        let c = config(&[("AMTSWEG_CONFIG", &path)]).unwrap();
        assert_eq!(c.listen.port(), 4000);
        assert_eq!(c.data_dir, PathBuf::from("/srv/data"));
        assert!(c.oidc.is_some());
        let c = config(&[
            ("AMTSWEG_CONFIG", &path),
            ("AMTSWEG_LISTEN", "127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 5000);
    }

    #[test]
    fn wrong_value_in_file_names_key_and_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "listen = \"nope\"").unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        let e = config(&[("AMTSWEG_CONFIG", &path)]).unwrap_err();
        assert_eq!(e.setting, format!("listen (in {path})"));
    }

    #[test]
    fn unknown_key_in_file_is_an_error() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "lisen = \"127.0.0.1:3000\"").unwrap();
        let path = file.path().to_str().unwrap().to_owned();
        let e = config(&[("AMTSWEG_CONFIG", &path)]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_CONFIG");
        assert!(e.message.contains("lisen"), "{e}");
    }

    #[test]
    fn missing_file_is_an_error() {
        let e = config(&[("AMTSWEG_CONFIG", "/nonexistent/amtsweg.toml")]).unwrap_err();
        assert_eq!(e.setting, "AMTSWEG_CONFIG");
    }
}
