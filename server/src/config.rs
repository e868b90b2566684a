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
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
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
    /// Mail server; stored, used from issue 4 on.
    pub smtp_url: Option<Url>,
    /// The built site (`pkg/amtsweg.js`, `pkg/amtsweg.wasm`).
    pub site_root: PathBuf,
    /// How often expired drafts are deleted (`AMTSWEG_DRAFT_CLEANUP_SECONDS`).
    pub draft_cleanup_interval: Duration,
    /// Largest uploaded file in bytes, for every form (a form may allow less).
    pub upload_max_bytes: u64,
    /// Virus scanner (`clamd`) that checks every upload; `None`: no scan.
    pub clamd: Option<ClamdAddress>,
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
            .field(
                "smtp_url",
                &self.smtp_url.as_ref().map(|u| redact_url(u.as_str())),
            )
            .field("site_root", &self.site_root)
            .field("draft_cleanup_interval", &self.draft_cleanup_interval)
            .field("upload_max_bytes", &self.upload_max_bytes)
            .field("clamd", &self.clamd)
            .finish()
    }
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
    draft_cleanup_seconds: Option<String>,
    /// A number in TOML, or a string like the environment variable.
    upload_max_bytes: Option<toml::Value>,
    clamd: Option<String>,
    #[serde(default)]
    oidc: FileOidc,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOidc {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
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

        Ok(Config {
            data_dir,
            listen,
            public_url,
            database_url,
            definitions_dir,
            definitions_dir_explicit,
            oidc,
            smtp_url,
            site_root,
            draft_cleanup_interval,
            upload_max_bytes,
            clamd,
        })
    }

    /// The public URL as a string without a trailing slash, for building links.
    pub fn public_base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
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
        assert_eq!(c.upload_max_bytes, DEFAULT_UPLOAD_MAX_BYTES);
        assert!(c.clamd.is_none());
        assert_eq!(c.draft_cleanup_interval, Duration::from_secs(600));
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
        assert_eq!(c.oidc.as_ref().unwrap().client_id, "amtsweg");
        assert!(!format!("{c:?}").contains("s3cret"));
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
