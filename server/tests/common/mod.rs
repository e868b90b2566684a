//! Test helpers: a fresh database per test (SQLite in a temp dir, or a new
//! PostgreSQL database with a random name that is dropped afterwards), a
//! minimal valid definition, and a router built like `amtsweg serve` does.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Runs each named `async fn(&TestDb)` as two tests, `sqlite::name` and
/// `postgres::name` (the PostgreSQL one skips outside CI when no server
/// answers; see [`postgres`]).
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    super::$name(&super::common::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    let Some(test_db) = super::common::postgres().await else {
                        return;
                    };
                    super::$name(&test_db).await;
                }
            )*
        }
    };
}

mod browser;
#[allow(unused_imports)]
pub use browser::{Browser, Page};

use std::path::{Path, PathBuf};

use amtsweg_server::{
    db::Db,
    definitions,
    routes::{AppState, router},
    uploads::{UploadSettings, UploadStorage},
};
use axum::{Router, body::Body, http::HeaderMap, http::Request, http::StatusCode};
use http_body_util::BodyExt;
use tempfile::TempDir;
use tower::ServiceExt;

/// A minimal, complete definition.
pub const TEST_DEFINITION: &str = r#"{"id":"test-form","version":1,"title":{"de":"Testantrag","en":"Test application"},"summary":{"de":"Kurz","en":"Short"},"authority":{"id":"test-amt","name":{"de":"Testamt","en":"Test office"}},"steps":[{"id":"person","title":{"de":"Person","en":"Person"},"fields":[{"id":"name","type":"text","label":{"de":"Name","en":"Name"},"required":true}]}]}"#;

/// A directory holding [`TEST_DEFINITION`] as `test-form.json`.
pub fn test_definitions_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test-form.json"), TEST_DEFINITION).unwrap();
    dir
}

/// The repository's example definitions, if there are any.
pub fn example_definitions_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/definitions");
    let files = definitions::definition_files(&dir).ok()?;
    (!files.is_empty()).then_some(dir)
}

/// A database for one test; dropped (PostgreSQL) or deleted (SQLite) at
/// the end.
pub struct TestDb {
    pub db: Db,
    /// The database's URL, for a server process of its own.
    pub url: String,
    _sqlite_dir: Option<TempDir>,
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs outside async; use a private runtime on a thread.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A fresh, migrated SQLite database in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/amtsweg.db").display()
    );
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    TestDb {
        db,
        url,
        _sqlite_dir: Some(dir),
        postgres: None,
    }
}

/// A fresh, migrated PostgreSQL database, or `None` (with a message) when
/// PostgreSQL is not reachable and `CI` is not `true`.
pub async fn postgres() -> Option<TestDb> {
    use sqlx::Connection;
    let admin_url = std::env::var("AMTSWEG_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(conn) => conn,
        Err(e) => {
            let message = format!(
                "PostgreSQL is not reachable at {} ({e}); set AMTSWEG_TEST_POSTGRES_URL",
                amtsweg_server::config::redact_url(&admin_url)
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{message}");
            }
            eprintln!("SKIPPED: {message}");
            return None;
        }
    };
    let name = format!("amtsweg_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&format!("/{name}"));
    let test_db = TestDb {
        db: Db::connect(url.as_str()).await.unwrap(),
        url: url.to_string(),
        _sqlite_dir: None,
        postgres: Some((admin_url, name)),
    };
    test_db.db.migrate().await.unwrap();
    Some(test_db)
}

/// The router as `amtsweg serve` builds it, with `definitions` published
/// and no built site (hydration files missing, as on a fresh checkout).
/// Uploads go to a temporary directory that is left behind.
pub async fn app(db: &Db, definitions_dir: &Path) -> Router {
    let files = tempfile::tempdir().unwrap().keep();
    app_with_files(db, definitions_dir, &files).await
}

/// Upload storage under `files_dir` with the default limits.
pub async fn upload_storage(db: &Db, files_dir: &Path) -> UploadStorage {
    let settings = UploadSettings {
        max_bytes: 20 * 1024 * 1024,
        clamd: None,
        scan_timeout: std::time::Duration::from_secs(5),
    };
    UploadStorage::open(db.clone(), files_dir, settings)
        .await
        .unwrap()
}

/// [`app`] with uploads stored under `files_dir`.
pub async fn app_with_files(db: &Db, definitions_dir: &Path, files_dir: &Path) -> Router {
    router(state_with_files(db, definitions_dir, files_dir).await)
}

/// The state [`app`] builds its router from.
pub async fn app_state(db: &Db, definitions_dir: &Path) -> AppState {
    let files = tempfile::tempdir().unwrap().keep();
    state_with_files(db, definitions_dir, &files).await
}

async fn state_with_files(db: &Db, definitions_dir: &Path, files_dir: &Path) -> AppState {
    definitions::publish_dir(db, definitions_dir).await.unwrap();
    AppState::new(
        db.clone(),
        "target/no-site-in-tests",
        "127.0.0.1:3000".parse().unwrap(),
        upload_storage(db, files_dir).await,
    )
}

/// Login as `amtsweg serve` configures it, with the OpenID provider at a
/// loopback port nobody listens on: enough for every route that only reads
/// a login stored with `auth::testing`.
pub fn test_auth() -> amtsweg_server::auth::Auth {
    let vars = [
        ("AMTSWEG_OIDC_ISSUER", "http://127.0.0.1:9"),
        ("AMTSWEG_OIDC_CLIENT_ID", "amtsweg"),
        ("AMTSWEG_OIDC_CLIENT_SECRET", "secret"),
    ];
    let config = amtsweg_server::config::Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap();
    amtsweg_server::auth::Auth::new(config.oidc.as_ref(), &config.public_url).unwrap()
}

/// A response, read completely.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The text inside `<main>`, with HTML entities decoded (the pages'
    /// resource data is serialized after `</html>` and must not count).
    pub fn main_text(&self) -> String {
        let start = self.body.find("<main").expect("a <main> element");
        let end = self.body.find("</main>").expect("</main>");
        decode(&self.body[start..end])
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn decode(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `GET uri` through the router.
pub async fn get(app: &Router, uri: &str) -> Answer {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// A real SMTP server for a test: aiosmtpd, run by
/// `server/tests/support/smtp_sink.py` on a free loopback port, keeping
/// each mail it receives as a JSON file. Ends with the test (its stdin
/// closes when the child handle is dropped).
pub struct SmtpSink {
    pub port: u16,
    dir: TempDir,
    child: std::process::Child,
}

/// A mail as the SMTP server received it, with the headers and the body
/// decoded by Python's `email` package.
#[derive(Debug, serde::Deserialize)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub data: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<ReceivedAttachment>,
}

/// A file attached to a [`ReceivedMail`].
#[derive(Debug, serde::Deserialize)]
pub struct ReceivedAttachment {
    pub filename: Option<String>,
    pub content_type: String,
    pub content_base64: String,
}

impl SmtpSink {
    /// Starts the server, or `None` (with a message) outside CI when
    /// Python with aiosmtpd is missing (scripts/setup.sh installs it into
    /// .tools/python; AMTSWEG_TEST_PYTHON names another interpreter).
    pub fn start() -> Option<SmtpSink> {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = std::env::var_os("AMTSWEG_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".tools/python/bin/python3"));
        let script = root.join("server/tests/support/smtp_sink.py");
        let dir = tempfile::tempdir().unwrap();
        let missing = |why: String| {
            let message = format!(
                "no SMTP test server: {why}; run scripts/setup.sh (installs aiosmtpd into .tools/python) \
                 or set AMTSWEG_TEST_PYTHON"
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{message}");
            }
            eprintln!("SKIPPED: {message}");
        };
        let mut child = match Command::new(&python)
            .arg(&script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                missing(format!("{} cannot run ({e})", python.display()));
                return None;
            }
        };
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let Some(port) = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            missing(format!(
                "{} {} printed {line:?}",
                python.display(),
                script.display()
            ));
            return None;
        };
        Some(SmtpSink { port, dir, child })
    }

    /// `smtp://127.0.0.1:{port}` (plain SMTP on loopback).
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("smtp://127.0.0.1:{}", self.port)).unwrap()
    }

    /// A mailer sending to this server as `Amtsweg <noreply@amtsweg.test>`.
    pub fn mailer(&self) -> amtsweg_server::mail::Mailer {
        amtsweg_server::mail::Mailer::smtp(
            &self.url(),
            "Amtsweg <noreply@amtsweg.test>".parse().unwrap(),
        )
        .unwrap()
    }

    /// The mails received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The router of [`app`], sending mail through `mailer`.
pub async fn app_with_mailer(
    db: &Db,
    definitions_dir: &Path,
    mailer: amtsweg_server::mail::Mailer,
) -> Router {
    router(app_state(db, definitions_dir).await.with_mailer(mailer))
}
