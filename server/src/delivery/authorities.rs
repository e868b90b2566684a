//! The receiving authorities: who they are for the e-file (name,
//! Behördenschlüssel / ARS, organisation unit, address) and how their
//! packages reach it (drop folder, HTTP, SMTP), read from one TOML file
//! (`AMTSWEG_AUTHORITIES`, default `config/authorities.toml`), and the
//! portal as the messages' sender.
//!
//! A form names its authority by id (`authority.id` in the definition).
//! An authority the file does not list gets the embedded default: the
//! drop folder `$AMTSWEG_DATA_DIR/eakte/<id>/` with the name from the
//! definition, so `cargo run` delivers without any configuration.
//!
//! Secrets (the HTTP import token, the token the E-Akte sends its
//! confirmations with) are never in the file: it names the environment
//! variables that hold them, and they are read at start. A wrong file
//! stops the start with one line naming the key.
//!
//! ```toml
//! [sender]
//! name = "Antragsportal Musterland"
//! creator_id = "amtsweg"          # Erstellerkennung at the DMS
//! key = "16051000"                # optional Behördenkennung of the portal
//! key_prefix = "ags"
//!
//! [[authority]]
//! id = "stadt-musterstadt-ordnungsamt"
//! name = "Stadt Musterstadt, Ordnungsamt"
//! key = "160510000000"            # Behördenschlüssel / ARS
//! key_prefix = "ars"
//! unit = "Ordnungsamt"
//! address = { street = "Markt", house_number = "1", postal_code = "99084", city = "Musterstadt" }
//! retention_years = 10            # Aufbewahrungsdauer for the e-file
//! notify_email = "ordnungsamt@musterstadt.example"
//! transport = { kind = "folder", path = "/mnt/eakte/ordnungsamt" }
//! # transport = { kind = "http", url = "https://eakte.example/import", token_env = "EAKTE_TOKEN" }
//! # transport = { kind = "smtp", to = "poststelle@musterstadt.example" }
//! confirmation_token_env = "EAKTE_CONFIRM_TOKEN"
//!
//! # The fee goes to this authority's cash office through XBezahldienste
//! # (without it: the clearly labelled demo provider):
//! [authority.payment]
//! kind = "xbezahldienste"
//! endpoint = "https://epay.example/xbezahldienste/api/v1.0.0/"
//! originator_id = "amtsweg-parken"  # originatorId: the online service
//! endpoint_id = "16051000"          # endPointId: the cash office
//! username = "amtsweg"              # HTTP Basic …
//! password_env = "EPAY_PASSWORD"
//! # … or OAuth 2.0 client credentials:
//! # token_url = "https://epay.example/oauth/token"
//! # client_id = "amtsweg"
//! # client_secret_env = "EPAY_SECRET"
//! # timeout_seconds = 20
//! ```

use std::{
    collections::HashMap,
    fmt,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::Deserialize;
use url::Url;

use crate::{
    config::ConfigError,
    xdomea::{self, AuthorityId, Code, Party, Retention},
};

/// A secret read from the environment; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How an authority's packages reach its e-file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A folder the E-Akte imports from: packages go to `<root>/outbox`
    /// (written atomically), its confirmations come back in `<root>/inbox`.
    Folder { root: PathBuf },
    /// `POST` of the package to the e-file system's import endpoint, with
    /// a bearer token when configured.
    Http {
        url: Url,
        token: Option<Secret>,
        timeout: Duration,
    },
    /// A mail with the package to the authority's functional mailbox (small
    /// authorities without an e-file connector).
    Smtp { to: String },
}

impl Transport {
    /// `<root>/outbox` of a folder transport.
    pub fn outbox(&self) -> Option<PathBuf> {
        match self {
            Transport::Folder { root } => Some(root.join("outbox")),
            _ => None,
        }
    }

    /// `<root>/inbox` of a folder transport.
    pub fn inbox(&self) -> Option<PathBuf> {
        match self {
            Transport::Folder { root } => Some(root.join("inbox")),
            _ => None,
        }
    }

    /// For logs and the operator: no secrets.
    pub fn describe(&self) -> String {
        match self {
            Transport::Folder { root } => format!("folder {}", root.display()),
            Transport::Http { url, .. } => format!("HTTP {}", url.origin().ascii_serialization()),
            Transport::Smtp { .. } => "SMTP to the functional mailbox".to_owned(),
        }
    }
}

/// One receiving authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub id: String,
    /// For the message's `Empfaenger`.
    pub party: Party,
    /// `IDContainer`: the e-file's Akte to file into, if configured.
    pub container_id: Option<String>,
    /// The Vorgang's Aufbewahrungsdauer.
    pub retention: Option<Retention>,
    /// Where a mail about each delivered application goes, if anywhere.
    pub notify_email: Option<String>,
    pub transport: Transport,
    /// The token the E-Akte must send with confirmations it posts to
    /// `/eakte/{id}/bestaetigung`; without one that endpoint is closed.
    pub confirmation_token: Option<Secret>,
    /// Whether the file lists it (else: the embedded default).
    pub configured: bool,
    /// Where its fees are paid; `None`: the demo provider.
    pub payment: Option<crate::payment::XBezahldiensteConfig>,
}

/// The portal as sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub party: Party,
    /// `Erstellerkennung`: the portal's account at the DMS.
    pub creator_id: String,
}

/// Every configured authority, the sender, and the default for the rest.
#[derive(Debug, Clone)]
pub struct Authorities {
    sender: Sender,
    by_id: HashMap<String, Authority>,
    /// `$AMTSWEG_DATA_DIR/eakte`: the default folders' parent.
    default_root: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuthorities {
    #[serde(default)]
    sender: Option<FileSender>,
    #[serde(default, rename = "authority")]
    authorities: Vec<FileAuthority>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSender {
    name: String,
    short_name: Option<String>,
    key: Option<String>,
    key_prefix: Option<String>,
    creator_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuthority {
    id: String,
    name: String,
    short_name: Option<String>,
    unit: Option<String>,
    key: Option<String>,
    key_prefix: Option<String>,
    address: Option<FileAddress>,
    container_id: Option<String>,
    retention_years: Option<u16>,
    notify_email: Option<String>,
    #[serde(default = "default_transport")]
    transport: FileTransport,
    confirmation_token_env: Option<String>,
    payment: Option<FilePayment>,
}

/// `payment = { kind = "xbezahldienste", … }`: Basic (`username`,
/// `password_env`) or OAuth 2.0 client credentials (`token_url`,
/// `client_id`, `client_secret_env`).
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum FilePayment {
    Xbezahldienste {
        endpoint: String,
        originator_id: String,
        endpoint_id: String,
        username: Option<String>,
        password_env: Option<String>,
        token_url: Option<String>,
        client_id: Option<String>,
        client_secret_env: Option<String>,
        timeout_seconds: Option<u64>,
    },
}

/// A provider call's default timeout.
pub const PAYMENT_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAddress {
    street: Option<String>,
    house_number: Option<String>,
    po_box: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum FileTransport {
    /// `path`: the folder the E-Akte shares; default
    /// `$AMTSWEG_DATA_DIR/eakte/<id>`.
    Folder {
        path: Option<String>,
    },
    Http {
        url: String,
        token_env: Option<String>,
        timeout_seconds: Option<u64>,
    },
    Smtp {
        to: String,
    },
}

fn default_transport() -> FileTransport {
    FileTransport::Folder { path: None }
}

/// The HTTP transport's default timeout.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

fn authority_id(key: Option<String>, prefix: Option<String>) -> Option<AuthorityId> {
    key.filter(|k| !k.trim().is_empty()).map(|key| AuthorityId {
        key: Code::new(key.trim()),
        prefix: prefix
            .filter(|p| !p.trim().is_empty())
            .map(|p| Code::new(p.trim())),
    })
}

/// Whether `id` can name a folder: letters, digits, `-`, `_`, `.` (not at
/// the start). Form definitions' authority ids are checked the same way.
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Looks up the secret an `…_env` key names (`None`: the key is absent).
type SecretLookup<'a> = dyn Fn(&str, &str, Option<String>) -> Result<Option<Secret>, String> + 'a;

/// The XBezahldienste settings of authority `id`, checked.
fn payment_config(
    id: &str,
    file: FilePayment,
    secret: &SecretLookup<'_>,
) -> Result<crate::payment::XBezahldiensteConfig, String> {
    use crate::payment::{Secret as PaymentSecret, XBezahldiensteAuth, XBezahldiensteConfig};
    let FilePayment::Xbezahldienste {
        endpoint,
        originator_id,
        endpoint_id,
        username,
        password_env,
        token_url,
        client_id,
        client_secret_env,
        timeout_seconds,
    } = file;
    let url = |key: &str, text: &str| {
        Url::parse(text.trim())
            .map_err(|_| format!("authority {id:?}: payment.{key} {text:?} is not a URL"))
    };
    let required = |key: &str, var: Option<String>| -> Result<PaymentSecret, String> {
        match secret(id, key, var)? {
            Some(s) => Ok(PaymentSecret::new(s.expose())),
            None => Err(format!("authority {id:?}: payment needs {key}")),
        }
    };
    let auth = match (username, token_url) {
        (Some(username), None) => XBezahldiensteAuth::Basic {
            username: username.trim().to_owned(),
            password: required("payment.password_env", password_env)?,
        },
        (None, Some(token_url)) => XBezahldiensteAuth::OAuth2ClientCredentials {
            token_url: url("token_url", &token_url)?,
            client_id: client_id.unwrap_or_default().trim().to_owned(),
            client_secret: required("payment.client_secret_env", client_secret_env)?,
        },
        _ => {
            return Err(format!(
                "authority {id:?}: payment needs either username and password_env or \
                 token_url, client_id and client_secret_env"
            ));
        }
    };
    let config = XBezahldiensteConfig {
        endpoint: url("endpoint", &endpoint)?,
        originator_id: originator_id.trim().to_owned(),
        end_point_id: endpoint_id.trim().to_owned(),
        auth,
        timeout: timeout_seconds
            .filter(|s| *s > 0)
            .map_or(PAYMENT_TIMEOUT, Duration::from_secs),
    };
    config
        .validate()
        .map_err(|e| format!("authority {id:?}: payment.{e}"))?;
    Ok(config)
}

impl Authorities {
    /// No file: every authority gets the default drop folder under
    /// `data_dir/eakte`.
    pub fn defaults(data_dir: &Path) -> Authorities {
        Authorities {
            sender: Sender {
                party: Party {
                    name: "Amtsweg".to_owned(),
                    ..Party::default()
                },
                creator_id: "amtsweg".to_owned(),
            },
            by_id: HashMap::new(),
            default_root: data_dir.join("eakte"),
        }
    }

    /// Reads the authorities' file at `path`; `env` looks up the secrets
    /// it names.
    pub fn load(
        path: &Path,
        data_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Authorities, ConfigError> {
        let setting = format!("AMTSWEG_AUTHORITIES ({})", path.display());
        let error = |message: String| ConfigError {
            setting: setting.clone(),
            message,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| error(format!("cannot be read: {e}")))?;
        Authorities::parse(&text, data_dir, env).map_err(error)
    }

    /// [`Authorities::load`] of a file's text; the error is the message.
    pub fn parse(
        text: &str,
        data_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Authorities, String> {
        let file: FileAuthorities = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let mut authorities = Authorities::defaults(data_dir);
        if let Some(sender) = file.sender {
            authorities.sender = Sender {
                party: Party {
                    name: sender.name,
                    short_name: sender.short_name,
                    authority_id: authority_id(sender.key, sender.key_prefix),
                    ..Party::default()
                },
                creator_id: sender.creator_id.unwrap_or_else(|| "amtsweg".to_owned()),
            };
        }
        let secret = |id: &str, key: &str, var: Option<String>| -> Result<Option<Secret>, String> {
            let Some(var) = var else { return Ok(None) };
            match env(&var).filter(|v| !v.trim().is_empty()) {
                Some(value) => Ok(Some(Secret(value.trim().to_owned()))),
                None => Err(format!(
                    "authority {id:?}: {key} names {var}, which is not set in the environment"
                )),
            }
        };
        for (index, a) in file.authorities.into_iter().enumerate() {
            let id = a.id.trim().to_owned();
            if !is_safe_id(&id) {
                return Err(format!(
                    "authority {}: id {:?} may only have letters, digits, '-', '_' and '.'",
                    index + 1,
                    a.id
                ));
            }
            if authorities.by_id.contains_key(&id) {
                return Err(format!("authority {id:?} is listed twice"));
            }
            if a.name.trim().is_empty() {
                return Err(format!("authority {id:?}: name is empty"));
            }
            let mail = |what: &str, address: &str| -> Result<String, String> {
                address
                    .trim()
                    .parse::<lettre::Address>()
                    .map(|_| address.trim().to_owned())
                    .map_err(|_| {
                        format!("authority {id:?}: {what} {address:?} is not an e-mail address")
                    })
            };
            let transport = match a.transport {
                FileTransport::Folder { path: None } => Transport::Folder {
                    root: authorities.default_root.join(&id),
                },
                FileTransport::Folder { path: Some(path) } => Transport::Folder {
                    root: PathBuf::from(path),
                },
                FileTransport::Http {
                    url,
                    token_env,
                    timeout_seconds,
                } => {
                    let url = Url::parse(url.trim())
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                        .ok_or_else(|| {
                            format!("authority {id:?}: transport url {url:?} is not an http(s) URL")
                        })?;
                    Transport::Http {
                        url,
                        token: secret(&id, "transport.token_env", token_env)?,
                        timeout: timeout_seconds
                            .filter(|s| *s > 0)
                            .map_or(HTTP_TIMEOUT, Duration::from_secs),
                    }
                }
                FileTransport::Smtp { to } => Transport::Smtp {
                    to: mail("transport.to", &to)?,
                },
            };
            let notify_email = a
                .notify_email
                .as_deref()
                .map(|m| mail("notify_email", m))
                .transpose()?;
            let confirmation_token =
                secret(&id, "confirmation_token_env", a.confirmation_token_env)?;
            let payment = match a.payment {
                None => None,
                Some(p) => Some(payment_config(&id, p, &secret)?),
            };
            let authority = Authority {
                id: id.clone(),
                party: Party {
                    name: a.name.trim().to_owned(),
                    short_name: a.short_name,
                    authority_id: authority_id(a.key, a.key_prefix),
                    unit: a.unit,
                    address: a.address.map(|ad| xdomea::Address {
                        street: ad.street,
                        house_number: ad.house_number,
                        po_box: ad.po_box,
                        postal_code: ad.postal_code,
                        city: ad.city,
                        addition: None,
                    }),
                },
                container_id: a.container_id,
                retention: a.retention_years.map(Retention::Years),
                notify_email,
                transport,
                confirmation_token,
                configured: true,
                payment,
            };
            authorities.by_id.insert(id, authority);
        }
        Ok(authorities)
    }

    /// The portal as sender.
    pub fn sender(&self) -> &Sender {
        &self.sender
    }

    /// The authority `id` as configured, or the embedded default (a drop
    /// folder under the data dir) named `name`. `None` for an id that
    /// cannot name a folder.
    pub fn get(&self, id: &str, name: &str) -> Option<Authority> {
        if let Some(a) = self.by_id.get(id) {
            return Some(a.clone());
        }
        is_safe_id(id).then(|| Authority {
            id: id.to_owned(),
            party: Party {
                name: name.to_owned(),
                ..Party::default()
            },
            container_id: None,
            retention: None,
            notify_email: None,
            transport: Transport::Folder {
                root: self.default_root.join(id),
            },
            confirmation_token: None,
            configured: false,
            payment: None,
        })
    }

    /// Every configured authority.
    pub fn configured(&self) -> impl Iterator<Item = &Authority> {
        self.by_id.values()
    }

    /// The drop folders to watch for confirmations: every configured
    /// folder, and every default folder that exists under the data dir.
    pub fn inboxes(&self) -> Vec<(String, PathBuf)> {
        let mut list: Vec<(String, PathBuf)> = self
            .by_id
            .values()
            .filter_map(|a| a.transport.inbox().map(|p| (a.id.clone(), p)))
            .collect();
        if let Ok(entries) = std::fs::read_dir(&self.default_root) {
            for entry in entries.flatten() {
                let Some(id) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                if is_safe_id(&id) && !self.by_id.contains_key(&id) {
                    list.push((id, entry.path().join("inbox")));
                }
            }
        }
        list.sort();
        list
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    const FILE: &str = r#"
[sender]
name = "Antragsportal Musterland"
key = "16051000"
key_prefix = "ags"

[[authority]]
id = "ordnungsamt"
name = "Stadt Musterstadt, Ordnungsamt"
key = "160510000000"
key_prefix = "ars"
address = { street = "Markt", house_number = "1", postal_code = "99084", city = "Musterstadt" }
retention_years = 10
notify_email = "ordnungsamt@musterstadt.example"
confirmation_token_env = "CONFIRM"

[[authority]]
id = "bauamt"
name = "Bauamt"
transport = { kind = "http", url = "https://eakte.example/import", token_env = "TOKEN" }

[[authority]]
id = "gemeinde"
name = "Gemeinde Klein"
transport = { kind = "smtp", to = "poststelle@klein.example" }

[[authority]]
id = "zentral"
name = "Zentrale E-Akte"
transport = { kind = "folder", path = "/mnt/eakte" }
"#;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("geheim-http".into()),
            "CONFIRM" => Some("geheim-bestaetigung".into()),
            _ => None,
        }
    }

    #[test]
    fn the_file_gives_every_transport_and_the_sender() {
        let data = Path::new("/data");
        let a = Authorities::parse(FILE, data, env).unwrap();
        assert_eq!(a.sender().party.name, "Antragsportal Musterland");
        let ordnungsamt = a.get("ordnungsamt", "ignored").unwrap();
        assert!(ordnungsamt.configured);
        assert_eq!(ordnungsamt.party.name, "Stadt Musterstadt, Ordnungsamt");
        assert_eq!(
            ordnungsamt.party.authority_id.as_ref().unwrap().key.code,
            "160510000000"
        );
        assert_eq!(ordnungsamt.retention, Some(Retention::Years(10)));
        assert_eq!(
            ordnungsamt.transport.outbox().unwrap(),
            Path::new("/data/eakte/ordnungsamt/outbox")
        );
        assert_eq!(
            ordnungsamt.confirmation_token.as_ref().unwrap().expose(),
            "geheim-bestaetigung"
        );
        match a.get("bauamt", "").unwrap().transport {
            Transport::Http {
                url,
                token,
                timeout,
            } => {
                assert_eq!(url.as_str(), "https://eakte.example/import");
                assert_eq!(token.unwrap().expose(), "geheim-http");
                assert_eq!(timeout, HTTP_TIMEOUT);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            a.get("gemeinde", "").unwrap().transport,
            Transport::Smtp {
                to: "poststelle@klein.example".into()
            }
        );
        assert_eq!(
            a.get("zentral", "").unwrap().transport.inbox().unwrap(),
            Path::new("/mnt/eakte/inbox")
        );
        // Secrets never show in Debug output.
        let debug = format!("{a:?}");
        assert!(!debug.contains("geheim"), "{debug}");
    }

    #[test]
    fn an_unlisted_authority_gets_the_default_folder() {
        let a = Authorities::defaults(Path::new("data"));
        let default = a.get("stadt-x", "Stadt X").unwrap();
        assert!(!default.configured);
        assert_eq!(default.party.name, "Stadt X");
        assert_eq!(
            default.transport.outbox().unwrap(),
            Path::new("data/eakte/stadt-x/outbox")
        );
        assert_eq!(a.get("../etc", "x"), None);
        assert_eq!(a.get("", "x"), None);
    }

    #[test]
    fn the_shipped_file_lists_every_example_forms_authority() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join("config/authorities.toml")).unwrap();
        let a = Authorities::parse(&text, Path::new("data"), |_| None).unwrap();
        let mut checked = 0;
        for entry in std::fs::read_dir(root.join("forms/definitions")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let definition: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let id = definition["authority"]["id"].as_str().unwrap();
            let authority = a.get(id, "").unwrap();
            assert!(
                authority.configured,
                "{}: {id} is not in the file",
                path.display()
            );
            checked += 1;
        }
        assert!(checked >= 6);
    }

    #[test]
    fn mistakes_are_named() {
        let data = Path::new("/data");
        let cases = [
            ("[[authority]]\nid = \"a b\"\nname = \"x\"", "may only have"),
            (
                "[[authority]]\nid = \"a\"\nname = \"x\"\n[[authority]]\nid = \"a\"\nname = \"y\"",
                "listed twice",
            ),
            ("[[authority]]\nid = \"a\"\nname = \" \"", "name is empty"),
            (
                "[[authority]]\nid = \"a\"\nname = \"x\"\ntransport = { kind = \"http\", url = \"ftp://x\" }",
                "not an http(s) URL",
            ),
            (
                "[[authority]]\nid = \"a\"\nname = \"x\"\ntransport = { kind = \"http\", url = \"https://x\", token_env = \"NOPE\" }",
                "NOPE, which is not set",
            ),
            (
                "[[authority]]\nid = \"a\"\nname = \"x\"\nnotify_email = \"kein-mail\"",
                "not an e-mail address",
            ),
            (
                "[[authority]]\nid = \"a\"\nname = \"x\"\ncolour = 1",
                "unknown field",
            ),
            (
                "[[authority]]\nid = \"a\"\nname = \"x\"\ntransport = { kind = \"pigeon\" }",
                "unknown variant",
            ),
        ];
        for (text, expected) in cases {
            let error = Authorities::parse(text, data, env).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn a_payment_provider_is_read_with_its_secret_from_the_environment() {
        let data = Path::new("/srv/amtsweg");
        let env = |name: &str| (name == "EPAY_PASSWORD").then(|| "sehr-geheim".to_owned());
        let text = r#"
[[authority]]
id = "parkamt"
name = "Parkamt"
[authority.payment]
kind = "xbezahldienste"
endpoint = "https://epay.example/xbezahldienste/api/v1.0.0/"
originator_id = "amtsweg-parken"
endpoint_id = "16055000"
username = "amtsweg"
password_env = "EPAY_PASSWORD"
"#;
        let a = Authorities::parse(text, data, env).unwrap();
        let payment = a.get("parkamt", "").unwrap().payment.unwrap();
        assert_eq!(payment.originator_id, "amtsweg-parken");
        assert_eq!(payment.end_point_id, "16055000");
        match &payment.auth {
            crate::payment::XBezahldiensteAuth::Basic { username, password } => {
                assert_eq!(username, "amtsweg");
                assert_eq!(password.expose(), "sehr-geheim");
            }
            other => panic!("{other:?}"),
        }
        assert!(!format!("{a:?}").contains("sehr-geheim"));
        assert!(
            a.get("anderes-amt", "Anderes Amt")
                .unwrap()
                .payment
                .is_none()
        );

        for (text, expected) in [
            (
                text.replace(
                    "password_env = \"EPAY_PASSWORD\"",
                    "password_env = \"NOPE\"",
                ),
                "NOPE",
            ),
            (
                text.replace("https://epay.example", "http://epay.example"),
                "payment.endpoint",
            ),
            (
                text.replace("username = \"amtsweg\"\n", ""),
                "payment needs either",
            ),
            (text.replace("amtsweg-parken", "a b"), "originator_id"),
        ] {
            let error = Authorities::parse(&text, data, env).unwrap_err();
            assert!(error.contains(expected), "{expected}: {error}");
        }
    }
}
