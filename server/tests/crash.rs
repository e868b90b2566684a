//! A submission survives a crash of the server process, on SQLite and
//! PostgreSQL. The `amtsweg` binary serves a fresh database; drafts of the
//! dog tax form are completed over HTTP as a browser would; their submits
//! are sent all at once, and the process is killed with SIGKILL as soon as
//! the first confirmations have arrived, while others are still under way.
//!
//! Then: every confirmation a browser received is in the database with its
//! outbox job; nothing is half stored (as many submitted drafts as
//! submissions as outbox jobs); and after a restart every draft can be
//! submitted, the confirmed ones getting their own confirmation back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::{
    collections::HashSet,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use amtsweg_server::db::Db;
use common::TestDb;
use uuid::Uuid;

const FORM: &str = "hundesteuer";
/// Drafts submitted at once.
const DRAFTS: usize = 12;
/// The server is killed once this many confirmations have arrived.
const KILL_AFTER: usize = 3;

/// Valid answers of each step, as the step pages post them.
const STEPS: &[(&str, &[(&str, &str)])] = &[
    (
        "halter",
        &[
            ("halter_familienname", "Mustermann"),
            ("halter_vorname", "Erika"),
            ("halter_geburtsdatum", "17.03.1985"),
            ("halter_anschrift.street", "Marktstra%C3%9Fe"),
            ("halter_anschrift.house_number", "12"),
            ("halter_anschrift.postal_code", "99423"),
            ("halter_anschrift.city", "Weimar"),
            ("zuzug", "false"),
        ],
    ),
    (
        "hunde",
        &[
            ("hunde.0.hund_name", "Bello"),
            ("hunde.0.hund_rasse", "beagle"),
            ("hunde.0.hund_geschlecht", "ruede"),
            ("hunde.0.hund_farbe", "braun"),
            ("hunde.0.hund_haltungsbeginn", "01.01.2024"),
            ("hunde.0.hund_herkunft", "privat"),
            ("hunde.0.hund_gefaehrlich", "false"),
        ],
    ),
    ("ermaessigung", &[("ermaessigung_beantragt", "false")]),
    ("zahlung", &[("sepa", "false")]),
    ("abschluss", &[("erkl_richtigkeit", "true")]),
];

/// The `amtsweg serve` process; killed when dropped (a failing test
/// leaves no server behind).
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(test_db: &TestDb, data_dir: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let definitions = common::example_definitions_dir().expect("forms/definitions");
        let child = Command::new(env!("CARGO_BIN_EXE_amtsweg"))
            .arg("serve")
            .env_remove("AMTSWEG_CONFIG")
            .env_remove("AMTSWEG_OIDC_ISSUER")
            .env("AMTSWEG_DATA_DIR", data_dir)
            .env("AMTSWEG_DATABASE_URL", &test_db.url)
            .env("AMTSWEG_LISTEN", format!("127.0.0.1:{port}"))
            .env("AMTSWEG_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("AMTSWEG_DEFINITIONS_DIR", definitions)
            .env("RUST_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if http(port, "GET", "/health", None, None).is_ok_and(|r| r.status == 200) {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing after the last write.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    location: String,
    set_cookie: Option<String>,
    body: String,
}

/// One HTTP/1.1 request on its own connection (`Connection: close`).
fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if let Some(form) = form {
        request.push_str(&format!(
            "Origin: http://127.0.0.1:{port}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            form.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(form.unwrap_or(""));
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Err(std::io::Error::other("incomplete answer"));
    };
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let mut answer = Answer {
        status,
        location: String::new(),
        set_cookie: None,
        body: String::new(),
    };
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "location" => answer.location = value.to_owned(),
            "set-cookie" => {
                answer.set_cookie = value.split(';').next().map(str::to_owned);
            }
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    answer.body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok(answer)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// A browser's session with one complete draft, ready to submit.
#[derive(Debug, Clone)]
struct Draft {
    cookie: String,
    csrf: String,
}

fn complete_draft(port: u16) -> Draft {
    let start = http(port, "GET", &format!("/forms/{FORM}"), None, None).unwrap();
    assert_eq!(start.status, 200);
    let cookie = start.set_cookie.expect("session cookie");
    let marker = r#"name="_csrf" value=""#;
    let at = start.body.find(marker).expect("CSRF token") + marker.len();
    let csrf = start.body[at..].split('"').next().unwrap().to_owned();
    let post = |path: &str, fields: &[(&str, &str)]| {
        let mut form = format!("_csrf={csrf}");
        for (name, value) in fields {
            form.push_str(&format!("&{name}={value}"));
        }
        let answer = http(port, "POST", path, Some(&cookie), Some(&form)).unwrap();
        assert_eq!(answer.status, 303, "{path}: {}", answer.body);
        answer.location
    };
    let mut next = post(&format!("/forms/{FORM}/starten"), &[]);
    for (step, fields) in STEPS {
        assert_eq!(next, format!("/forms/{FORM}/{step}"));
        next = post(&format!("/forms/{FORM}/{step}"), fields);
    }
    assert_eq!(next, format!("/forms/{FORM}/pruefen"));
    Draft { cookie, csrf }
}

/// POST /absenden; the submission id if the answer is the confirmation.
fn submit(port: u16, draft: &Draft) -> std::io::Result<Option<Uuid>> {
    let form = format!("_csrf={}", draft.csrf);
    let answer = http(
        port,
        "POST",
        &format!("/forms/{FORM}/absenden"),
        Some(&draft.cookie),
        Some(&form),
    )?;
    let prefix = format!("/forms/{FORM}/bestaetigung/");
    Ok(match answer.location.strip_prefix(&prefix) {
        Some(id) if answer.status == 303 => Some(Uuid::parse_str(id).unwrap()),
        _ => None,
    })
}

async fn count(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Submitted drafts, submissions and outbox jobs: always as many of each.
async fn stored(db: &Db) -> (i64, i64, i64) {
    (
        count(db, "SELECT COUNT(*) FROM drafts WHERE state = 'submitted'").await,
        count(db, "SELECT COUNT(*) FROM submissions").await,
        count(db, "SELECT COUNT(*) FROM outbox").await,
    )
}

async fn confirmed_submissions_survive_a_killed_server(test_db: &TestDb) {
    let db = &test_db.db;
    let data_dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(test_db, data_dir.path());
    let port = server.port;
    let drafts: Vec<Draft> =
        tokio::task::spawn_blocking(move || (0..DRAFTS).map(|_| complete_draft(port)).collect())
            .await
            .unwrap();

    // All submits at once; the kill comes after the first confirmations.
    let (sender, answers) = mpsc::channel();
    for (i, draft) in drafts.iter().enumerate() {
        let (sender, draft) = (sender.clone(), draft.clone());
        std::thread::spawn(move || {
            let _ = sender.send((i, submit(port, &draft)));
        });
    }
    drop(sender);
    let (confirmed, unanswered) = tokio::task::spawn_blocking(move || {
        let mut confirmed = Vec::new();
        let mut unanswered = 0;
        let mut killed = false;
        for (i, answer) in answers {
            match answer {
                Ok(Some(id)) => confirmed.push((i, id)),
                Ok(None) => panic!("draft {i}: the submit was not confirmed"),
                Err(_) => unanswered += 1,
            }
            if !killed && confirmed.len() >= KILL_AFTER {
                server.kill();
                killed = true;
            }
        }
        (confirmed, unanswered)
    })
    .await
    .unwrap();
    println!(
        "{}: {} confirmed before the kill, {unanswered} unanswered",
        db.backend(),
        confirmed.len()
    );
    assert!(confirmed.len() >= KILL_AFTER);

    // Every confirmation a browser saw is stored, with its delivery job.
    for (_, id) in &confirmed {
        let submission = db.submission(*id).await.unwrap();
        assert_eq!(submission.form_id, FORM);
        assert_eq!(db.outbox_jobs(*id).await.unwrap().len(), 1);
    }
    let (submitted, submissions, jobs) = stored(db).await;
    assert!(submissions >= i64::try_from(confirmed.len()).unwrap());
    assert_eq!((submitted, jobs), (submissions, submissions));

    // After a restart every draft can be submitted; a confirmed one gets
    // its own confirmation back, with its reference number.
    let server = Server::start(test_db, data_dir.path());
    let port = server.port;
    let again: Vec<Option<Uuid>> = tokio::task::spawn_blocking({
        let drafts = drafts.clone();
        move || drafts.iter().map(|d| submit(port, d).unwrap()).collect()
    })
    .await
    .unwrap();
    for (i, id) in &confirmed {
        assert_eq!(again[*i], Some(*id), "draft {i}");
    }
    let mut references = HashSet::new();
    for id in again {
        let id = id.expect("every draft is submitted after the restart");
        let reference = db.submission(id).await.unwrap().reference.to_string();
        let page = tokio::task::spawn_blocking(move || {
            http(
                port,
                "GET",
                &format!("/forms/{FORM}/bestaetigung/{id}"),
                None,
                None,
            )
            .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&reference), "{reference}");
        references.insert(reference);
    }
    assert_eq!(references.len(), DRAFTS);
    let all = i64::try_from(DRAFTS).unwrap();
    assert_eq!(stored(db).await, (all, all, all));
}

on_both_backends!(confirmed_submissions_survive_a_killed_server);
