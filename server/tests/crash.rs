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
//!
//! And delivery: the server (with its embedded worker) is killed with
//! SIGKILL [`KILLS`] times at random moments while submits come in and
//! packages go out to the drop folder, where a stand-in for the E-Akte
//! takes every package away as it arrives and files it by its identity.
//! At the end every acknowledged submission was filed exactly once, every
//! package that arrived twice (a crash between the drop and its note in
//! the database) was byte for byte the same, and nothing half-written is
//! left behind.
//!
//! And the log: a server that logs at its default level (its own code at
//! debug) takes an application through every page, an error page and a
//! refused POST, delivers it and mails the confirmation; its log holds
//! none of the answers, the e-mail address, the session id or the CSRF
//! token.
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
    /// `amtsweg serve` on the database at `url`, logging nothing.
    fn start(url: &str, data_dir: &Path) -> Server {
        Server::spawn(url, data_dir, None)
    }

    /// `amtsweg serve` with its log (the default filter, as operators run
    /// it, and the server's own debug lines) written to `log`.
    fn start_logging(url: &str, data_dir: &Path, log: &Path) -> Server {
        Server::spawn(url, data_dir, Some(log))
    }

    fn spawn(url: &str, data_dir: &Path, log: Option<&Path>) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let definitions = common::example_definitions_dir().expect("forms/definitions");
        let mut command = Command::new(env!("CARGO_BIN_EXE_amtsweg"));
        command
            .arg("serve")
            .env_remove("AMTSWEG_CONFIG")
            .env_remove("AMTSWEG_OIDC_ISSUER")
            .env("AMTSWEG_DATA_DIR", data_dir)
            .env("AMTSWEG_DATABASE_URL", url)
            .env("AMTSWEG_LISTEN", format!("127.0.0.1:{port}"))
            .env("AMTSWEG_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("AMTSWEG_DEFINITIONS_DIR", definitions)
            .env("AMTSWEG_WORKER_POLL_MS", "50")
            .env("AMTSWEG_DELIVERY_RETRY_BASE_SECONDS", "1")
            .env("AMTSWEG_DELIVERY_RETRY_MAX_SECONDS", "2");
        match log {
            None => {
                command
                    .env("RUST_LOG", "off")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
            }
            Some(log) => {
                let file = std::fs::File::create(log).unwrap();
                command
                    .env(
                        "RUST_LOG",
                        "info,sqlx=warn,tower_http=warn,amtsweg_server=debug,amtsweg_app=debug",
                    )
                    .stdout(file.try_clone().unwrap())
                    .stderr(file);
            }
        }
        let child = command.spawn().unwrap();
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
    complete_draft_answering(port, &[])
}

/// Completes a draft with [`STEPS`]' answers, except that each
/// `(field, value)` of `answers` replaces that field's answer (or is added
/// to the first step when no step has it).
fn complete_draft_answering(port: u16, answers: &[(&str, &str)]) -> Draft {
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
    for (n, (step, fields)) in STEPS.iter().enumerate() {
        assert_eq!(next, format!("/forms/{FORM}/{step}"));
        let mut posted: Vec<(&str, &str)> = fields
            .iter()
            .map(|&(name, value)| {
                let replaced = answers.iter().find(|(a, _)| *a == name);
                (name, replaced.map_or(value, |(_, v)| *v))
            })
            .collect();
        if n == 0 {
            posted.extend(
                answers
                    .iter()
                    .filter(|(a, _)| !STEPS.iter().any(|(_, f)| f.iter().any(|(n, _)| n == a))),
            );
        }
        next = post(&format!("/forms/{FORM}/{step}"), &posted);
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
/// One statement, so one snapshot: a submit the killed server had already
/// sent its commit for may still land between separate counts (the
/// database commits it though the client is gone), and each count would
/// then see a different moment.
async fn stored(db: &Db) -> (i64, i64, i64) {
    const SQL: &str = "SELECT (SELECT COUNT(*) FROM drafts WHERE state = 'submitted'),
                              (SELECT COUNT(*) FROM submissions),
                              (SELECT COUNT(*) FROM outbox)";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_one(pool).await.unwrap(),
    }
}

async fn confirmed_submissions_survive_a_killed_server(test_db: &TestDb) {
    let db = &test_db.db;
    let data_dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&test_db.url, data_dir.path());
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
    let server = Server::start(&test_db.url, data_dir.path());
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

/// How often the delivery test kills the server.
const KILLS: usize = 100;
/// Submits sent in each of the server's lives.
const SUBMITS_PER_LIFE: usize = 2;

/// Packages as they arrived: (name, bytes).
type Arrivals = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

/// The E-Akte's side of the drop folder: takes each package that appears
/// (a copy is kept by arrival) and files it by its ProzessID once.
struct EAkte {
    /// Every package that arrived: (name, bytes).
    arrivals: Arrivals,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EAkte {
    fn watch(outbox: std::path::PathBuf) -> EAkte {
        let arrivals: Arrivals = Arrivals::default();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = {
            let (arrivals, stop) = (arrivals.clone(), stop.clone());
            std::thread::spawn(move || {
                loop {
                    let last = stop.load(std::sync::atomic::Ordering::SeqCst);
                    if let Ok(entries) = std::fs::read_dir(&outbox) {
                        for entry in entries.flatten() {
                            let name = entry.file_name().to_string_lossy().into_owned();
                            // Only finished packages: never `.…part`.
                            if name.starts_with('.') || !name.ends_with(".zip") {
                                continue;
                            }
                            let bytes = std::fs::read(entry.path()).unwrap();
                            std::fs::remove_file(entry.path()).unwrap();
                            arrivals.lock().unwrap().push((name, bytes));
                        }
                    }
                    if last {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        EAkte {
            arrivals,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops watching (after one last look); every arrival.
    fn finish(mut self) -> Vec<(String, Vec<u8>)> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        std::mem::take(&mut *self.arrivals.lock().unwrap())
    }
}

async fn every_acknowledged_submission_is_filed_exactly_once_through_kills(test_db: &TestDb) {
    use rand::Rng;
    let db = &test_db.db;
    let data_dir = tempfile::tempdir().unwrap();
    let outbox = data_dir.path().join("eakte/jena-steuern/outbox");

    // The drafts of every life, completed before (they are in the database).
    let server = Server::start(&test_db.url, data_dir.path());
    let port = server.port;
    let drafts: Vec<Draft> = tokio::task::spawn_blocking(move || {
        (0..KILLS * SUBMITS_PER_LIFE)
            .map(|_| complete_draft(port))
            .collect()
    })
    .await
    .unwrap();
    drop(server);

    let eakte = EAkte::watch(outbox.clone());
    let acknowledged = tokio::task::spawn_blocking({
        let url = test_db.url.clone();
        let data = data_dir.path().to_owned();
        move || {
            let mut rng = rand::rng();
            let mut acknowledged = Vec::new();
            for life in 0..KILLS {
                let mut server = Server::start(&url, &data);
                let port = server.port;
                let batch = &drafts[life * SUBMITS_PER_LIFE..(life + 1) * SUBMITS_PER_LIFE];
                let (sender, answers) = mpsc::channel();
                for draft in batch {
                    let (sender, draft) = (sender.clone(), draft.clone());
                    std::thread::spawn(move || {
                        let _ = sender.send(submit(port, &draft));
                    });
                }
                drop(sender);
                // Kill at a random moment: before, during or after the
                // submits, while the worker builds and drops packages.
                std::thread::sleep(Duration::from_millis(rng.random_range(0..120)));
                server.kill();
                for answer in answers {
                    if let Ok(Some(id)) = answer {
                        acknowledged.push(id);
                    }
                }
            }
            acknowledged
        }
    })
    .await
    .unwrap();
    println!(
        "{}: {KILLS} kills, {} of {} submits acknowledged",
        db.backend(),
        acknowledged.len(),
        KILLS * SUBMITS_PER_LIFE
    );
    assert!(!acknowledged.is_empty(), "no submit was ever acknowledged");

    // A last life without a kill: the worker finishes what is left, also
    // the jobs a killed life held (their lease runs out after 30 s).
    let server = Server::start(&test_db.url, data_dir.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open = count(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'done'").await;
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs still open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    let arrivals = eakte.finish();

    // The E-Akte files by identity; a redelivery must be the same bytes.
    let mut filed: std::collections::HashMap<Uuid, Vec<u8>> = std::collections::HashMap::new();
    let mut redeliveries = 0;
    for (name, bytes) in &arrivals {
        let package = amtsweg_server::xdomea::read_package(bytes)
            .unwrap_or_else(|e| panic!("{name} is not a complete package: {e}"));
        let id = package.message.process_id;
        assert_eq!(name, &amtsweg_server::xdomea::package_file_name(id));
        match filed.get(&id) {
            Some(first) => {
                assert_eq!(first, bytes, "{name} arrived twice with different content");
                redeliveries += 1;
            }
            None => {
                filed.insert(id, bytes.clone());
            }
        }
    }
    println!("{} packages filed, {redeliveries} redelivered", filed.len());
    for id in &acknowledged {
        assert!(
            filed.contains_key(id),
            "acknowledged submission {id} never arrived"
        );
    }
    let submissions = count(db, "SELECT COUNT(*) FROM submissions").await;
    assert_eq!(
        i64::try_from(filed.len()).unwrap(),
        submissions,
        "every stored submission is filed once"
    );
    let delivered = count(
        db,
        "SELECT COUNT(*) FROM submissions WHERE status = 'delivered' AND delivered_at IS NOT NULL",
    )
    .await;
    assert_eq!(delivered, submissions);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM outbox WHERE status = 'dead'").await,
        0
    );
    // Nothing half-written is left: no temporary files in the drop folder.
    let leftovers: Vec<String> = std::fs::read_dir(&outbox)
        .map(|e| {
            e.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The personal data of one application: the answers (as posted, and as
/// the portal normalizes them) and the e-mail address the confirmation
/// goes to. Distinct words, so that a hit in the log can only come from
/// them.
const PERSONAL: &[(&str, &str, &[&str])] = &[
    ("halter_familienname", "Spurlosowski", &["Spurlosowski"]),
    ("halter_vorname", "Xaverine", &["Xaverine"]),
    (
        "halter_geburtsdatum",
        "29.02.1984",
        &["29.02.1984", "1984-02-29"],
    ),
    (
        "halter_anschrift.street",
        "Verschwiegenweg",
        &["Verschwiegenweg"],
    ),
    ("halter_anschrift.house_number", "77b", &["77b"]),
    (
        "halter_anschrift.city",
        "Heimlichhausen",
        &["Heimlichhausen"],
    ),
    (
        "halter_email",
        "xaverine.spurlos%40example.org",
        &["xaverine.spurlos", "spurlos@"],
    ),
    ("hunde.0.hund_name", "Wuffelinchen", &["Wuffelinchen"]),
];

async fn the_server_log_holds_no_personal_data(test_db: &TestDb) {
    let db = &test_db.db;
    let data_dir = tempfile::tempdir().unwrap();
    let log = data_dir.path().join("server.log");
    let server = Server::start_logging(&test_db.url, data_dir.path(), &log);
    let port = server.port;
    let answers: Vec<(&str, &str)> = PERSONAL.iter().map(|(f, v, _)| (*f, *v)).collect();
    let (draft, id, refused) = tokio::task::spawn_blocking(move || {
        let draft = complete_draft_answering(port, &answers);
        // A wrong answer (an error page that repeats what was typed) and a
        // POST without its CSRF token: error paths log too.
        let form = format!(
            "_csrf={}&halter_familienname=Spurlosowski&halter_geburtsdatum=31.02.1984-Xaverine",
            draft.csrf
        );
        let wrong = http(
            port,
            "POST",
            &format!("/forms/{FORM}/halter"),
            Some(&draft.cookie),
            Some(&form),
        )
        .unwrap();
        // Answered with the step page again, now with its error summary.
        assert_eq!(wrong.status, 303, "{}", wrong.body);
        let wrong = http(port, "GET", &wrong.location, Some(&draft.cookie), None).unwrap();
        assert!(wrong.body.contains("error-summary"), "{}", wrong.body);
        let forged = http(
            port,
            "POST",
            &format!("/forms/{FORM}/halter"),
            Some(&draft.cookie),
            Some("halter_vorname=Xaverine"),
        )
        .unwrap();
        // The first step answered right again, so the draft is complete.
        let (step, fields) = STEPS[0];
        let mut form = format!("_csrf={}", draft.csrf);
        for (name, value) in fields {
            if !PERSONAL.iter().any(|(f, _, _)| f == name) {
                form.push_str(&format!("&{name}={value}"));
            }
        }
        for (name, value, _) in PERSONAL.iter().filter(|(f, _, _)| f.starts_with("halter_")) {
            form.push_str(&format!("&{name}={value}"));
        }
        let answer = http(
            port,
            "POST",
            &format!("/forms/{FORM}/{step}"),
            Some(&draft.cookie),
            Some(&form),
        )
        .unwrap();
        assert_eq!(answer.status, 303, "{}", answer.body);
        let id = submit(port, &draft).unwrap().expect("the confirmation");
        (draft, id, (wrong.status, forged.status))
    })
    .await
    .unwrap();
    assert_eq!(refused.0, 200, "the step page with the wrong birth date");
    assert_eq!(refused.1, 403, "the POST without its token is refused");

    // Delivered and mailed: the worker's lines are in the log as well.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let open = count(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'done'").await;
        let jobs = count(db, "SELECT COUNT(*) FROM outbox").await;
        if open == 0 && jobs >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} of {jobs} jobs still open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mails: Vec<_> = std::fs::read_dir(data_dir.path().join("mail"))
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(!mails.is_empty(), "a confirmation mail was sent");
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    // The log is there and speaks of what happened.
    assert!(
        text.contains("listening"),
        "no start line in the log:\n{text}"
    );
    assert!(
        text.lines().count() >= 5,
        "too few log lines to say anything:\n{text}"
    );
    assert!(
        text.contains("package delivered"),
        "the delivery of {id} is not in the log:\n{text}"
    );
    let session = draft.cookie.split_once('=').map_or("", |(_, v)| v);
    let mut secrets: Vec<&str> = PERSONAL
        .iter()
        .flat_map(|(_, _, s)| s.iter().copied())
        .collect();
    secrets.push(session);
    secrets.push(&draft.csrf);
    for secret in secrets {
        assert!(!secret.is_empty());
        if let Some(line) = text.lines().find(|l| l.contains(secret)) {
            panic!("the log holds {secret:?}: {line}");
        }
    }
}

on_both_backends!(
    the_server_log_holds_no_personal_data,
    confirmed_submissions_survive_a_killed_server,
    every_acknowledged_submission_is_filed_exactly_once_through_kills,
);
