//! The outbox beyond one process, on SQLite and PostgreSQL: the leases
//! as the storage gives them out (two workers leasing at once never get
//! the same job; a dead worker's job is taken over when its lease runs
//! out, and its late result is refused; the heartbeat keeps a job), the
//! `amtsweg worker` process delivering what an `amtsweg serve` with
//! `AMTSWEG_WORKER=off` stored, two worker processes on one PostgreSQL
//! delivering every package once, and the operator's view: `amtsweg
//! outbox` listing real dead letters with their last error, `amtsweg
//! outbox retry` sending them again, and `/metrics` counting the jobs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use amtsweg_server::{db::Db, store::JobFilter, xdomea};
use common::{TEST_DEFINITION, TestDb};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

// ---------------------------------------------------------------------
// Leases, straight on the storage.

/// `n` submissions of the test form, each with its `deliver` job.
async fn submissions(db: &Db, n: usize) -> Vec<Uuid> {
    let value: Value = serde_json::from_str(TEST_DEFINITION).unwrap();
    db.publish_form_version("test-form", 1, "Testantrag", &value)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..n {
        let expires = OffsetDateTime::now_utc() + time::Duration::days(7);
        let (draft, _) = db.create_draft("test-form", 1, expires).await.unwrap();
        let submission = db
            .submit(
                draft.id,
                &json!({"name": "Erika"}),
                0,
                OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
        ids.push(submission.id);
    }
    ids
}

const LEASE: time::Duration = time::Duration::seconds(30);

async fn two_workers_leasing_at_once_never_get_the_same_job(test_db: &TestDb) {
    let db = &test_db.db;
    // One due job, two workers asking at the same moment: one gets it.
    for round in 0..10 {
        let id = submissions(db, 1).await[0];
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let ask = || {
            let (db, barrier) = (db.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                db.lease_job(OffsetDateTime::now_utc(), LEASE)
                    .await
                    .unwrap()
            })
        };
        let (a, b) = (ask(), ask());
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let winners: Vec<_> = [a, b].into_iter().flatten().collect();
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        assert_eq!(winners[0].submission_id, id);
        assert!(
            db.complete_job(&winners[0], OffsetDateTime::now_utc())
                .await
                .unwrap()
        );
    }

    // Many due jobs, six workers leasing as fast as they can: each job
    // goes to exactly one of them, once.
    let ids = submissions(db, 24).await;
    let leased = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..6 {
        let (db, leased, total) = (db.clone(), leased.clone(), ids.len());
        workers.push(tokio::spawn(async move {
            for _ in 0..500 {
                if leased.lock().unwrap().len() >= total {
                    break;
                }
                // PostgreSQL may answer "nothing" while a row it skipped
                // is being leased by another; ask again.
                match db
                    .lease_job(OffsetDateTime::now_utc(), LEASE)
                    .await
                    .unwrap()
                {
                    Some(job) => leased.lock().unwrap().push(job),
                    None => tokio::task::yield_now().await,
                }
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let leased = leased.lock().unwrap().clone();
    assert_eq!(leased.len(), ids.len(), "{leased:?}");
    let jobs: HashSet<i64> = leased.iter().map(|j| j.id).collect();
    assert_eq!(jobs.len(), ids.len(), "a job was leased twice: {leased:?}");
    let leased_ids: HashSet<Uuid> = leased.iter().map(|j| j.submission_id).collect();
    assert_eq!(leased_ids, ids.iter().copied().collect::<HashSet<_>>());
    let tokens: HashSet<Uuid> = leased.iter().map(|j| j.lease_token).collect();
    assert_eq!(tokens.len(), ids.len());
    assert!(leased.iter().all(|j| j.attempts == 1), "{leased:?}");
    assert_eq!(
        db.lease_job(OffsetDateTime::now_utc(), LEASE)
            .await
            .unwrap(),
        None
    );
}

async fn a_dead_workers_job_is_taken_over_and_its_late_result_refused(test_db: &TestDb) {
    let db = &test_db.db;
    let id = submissions(db, 1).await[0];
    let t0 = OffsetDateTime::now_utc();
    let dead = db.lease_job(t0, LEASE).await.unwrap().unwrap();
    assert_eq!((dead.submission_id, dead.attempts), (id, 1));
    // While the lease holds, nobody else gets the job.
    assert_eq!(
        db.lease_job(t0 + time::Duration::seconds(29), LEASE)
            .await
            .unwrap(),
        None
    );
    // The worker died: after its lease another takes over.
    let t1 = t0 + time::Duration::seconds(31);
    let alive = db.lease_job(t1, LEASE).await.unwrap().unwrap();
    assert_eq!((alive.id, alive.attempts), (dead.id, 2));
    assert_ne!(alive.lease_token, dead.lease_token);

    // The first worker was not dead after all, only slow: whatever it
    // reports now is refused and changes nothing.
    let late = t1 + time::Duration::seconds(1);
    assert!(!db.complete_job(&dead, late).await.unwrap());
    assert!(!db.finish_delivery(&dead, late, true).await.unwrap());
    assert!(
        !db.retry_job_later(&dead, late, "late failure")
            .await
            .unwrap()
    );
    assert!(!db.bury_job(&dead, late, "late failure").await.unwrap());
    assert!(
        !db.extend_lease(&dead, late + time::Duration::hours(1))
            .await
            .unwrap()
    );
    let open = db.jobs(JobFilter::Open).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (
            open[0].status.as_str(),
            open[0].attempts,
            &open[0].last_error
        ),
        ("leased", 2, &None)
    );
    let record = db.delivery_record(id).await.unwrap();
    assert_eq!(record.delivered_at, None);
    let jobs = db.outbox_jobs(id).await.unwrap();
    assert_eq!(jobs.len(), 1, "no notify job from the refused finish");
    // Its stale heartbeat did not stretch the new lease either.
    assert_eq!(
        db.lease_job(t1 + time::Duration::seconds(20), LEASE)
            .await
            .unwrap(),
        None
    );

    // The new holder finishes it.
    assert!(db.finish_delivery(&alive, late, false).await.unwrap());
    let record = db.delivery_record(id).await.unwrap();
    assert!(record.delivered_at.is_some());
    let jobs = db.outbox_jobs(id).await.unwrap();
    assert_eq!(
        (jobs[0].status.as_str(), jobs[0].attempts),
        ("done", 2),
        "{jobs:?}"
    );
    // Done is done: neither token finishes it again, nor is it due.
    assert!(!db.complete_job(&dead, late).await.unwrap());
    assert!(!db.complete_job(&alive, late).await.unwrap());
    assert!(!db.bury_job(&alive, late, "x").await.unwrap());
    assert_eq!(
        db.lease_job(t1 + time::Duration::hours(1), LEASE)
            .await
            .unwrap(),
        None
    );
    assert!(db.jobs(JobFilter::Open).await.unwrap().is_empty());
}

async fn the_heartbeat_keeps_a_running_job_from_being_taken_over(test_db: &TestDb) {
    let db = &test_db.db;
    submissions(db, 1).await;
    let t0 = OffsetDateTime::now_utc();
    let slow = db.lease_job(t0, LEASE).await.unwrap().unwrap();
    // Renewed before it ran out: another 30 s from t0 + 20 s.
    assert!(
        db.extend_lease(&slow, t0 + time::Duration::seconds(50))
            .await
            .unwrap()
    );
    assert_eq!(
        db.lease_job(t0 + time::Duration::seconds(45), LEASE)
            .await
            .unwrap(),
        None,
        "still the slow worker's"
    );
    // No more heartbeats: taken over when the renewed lease ends.
    let next = db
        .lease_job(t0 + time::Duration::seconds(51), LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((next.id, next.attempts), (slow.id, 2));
    assert!(
        !db.extend_lease(&slow, t0 + time::Duration::seconds(90))
            .await
            .unwrap()
    );
    assert!(
        db.complete_job(&next, t0 + time::Duration::seconds(52))
            .await
            .unwrap()
    );
}

// ---------------------------------------------------------------------
// The `amtsweg` processes.

/// What every `amtsweg` process of one test shares: the database, the
/// data dir, the definitions and the receiving authorities.
struct Setup {
    url: String,
    data: PathBuf,
    definitions: PathBuf,
    authorities: Option<PathBuf>,
    logs: PathBuf,
    _dirs: Vec<tempfile::TempDir>,
}

impl Setup {
    fn new(test_db: &TestDb) -> Setup {
        let data = tempfile::tempdir().unwrap();
        let logs = tempfile::tempdir().unwrap();
        let definitions = common::test_definitions_dir();
        Setup {
            url: test_db.url.clone(),
            data: data.path().to_owned(),
            definitions: definitions.path().to_owned(),
            authorities: None,
            logs: logs.path().to_owned(),
            _dirs: vec![data, logs, definitions],
        }
    }

    /// `amtsweg ARGS` on this setup, its log on stderr going to
    /// `{logs}/{name}.log`. Run in the data dir, so no
    /// `config/authorities.toml` of the checkout is picked up.
    fn command(&self, args: &[&str], name: &str, env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_amtsweg"));
        command
            .args(args)
            .current_dir(&self.data)
            .env_remove("AMTSWEG_CONFIG")
            .env_remove("AMTSWEG_OIDC_ISSUER")
            .env_remove("AMTSWEG_AUTHORITIES")
            .env("AMTSWEG_DATABASE_URL", &self.url)
            .env("AMTSWEG_DATA_DIR", &self.data)
            .env("AMTSWEG_DEFINITIONS_DIR", &self.definitions)
            .env("AMTSWEG_WORKER_POLL_MS", "50")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(Stdio::null())
            .stderr(std::fs::File::create(self.logs.join(format!("{name}.log"))).unwrap());
        if let Some(file) = &self.authorities {
            command.env("AMTSWEG_AUTHORITIES", file);
        }
        for (key, value) in env {
            command.env(key, value);
        }
        command
    }

    /// `amtsweg outbox ARGS`: its standard output, after checking it
    /// succeeded.
    fn outbox(&self, args: &[&str]) -> String {
        let mut all = vec!["outbox"];
        all.extend_from_slice(args);
        let output = self
            .command(&all, "outbox", &[])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "amtsweg {all:?}: {output:?} {}",
            self.log("outbox")
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.logs.join(format!("{name}.log"))).unwrap_or_default()
    }

    /// The drop folder of the test form's authority.
    fn drop_folder(&self) -> PathBuf {
        self.data.join("eakte/test-amt/outbox")
    }

    /// `amtsweg serve` with `env`, answering on a free port.
    async fn serve(&self, env: &[(&str, &str)]) -> Running {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let public = format!("http://{listen}");
        let mut env = env.to_vec();
        env.extend([
            ("AMTSWEG_LISTEN", listen.as_str()),
            ("AMTSWEG_PUBLIC_URL", &public),
        ]);
        let child = self.command(&["serve"], "serve", &env).spawn().unwrap();
        let mut server = Running {
            child,
            name: "serve".into(),
        };
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if client
                .get(format!("{public}/health"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                break;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "the server exited at start: {status}: {}",
                    self.log("serve")
                );
            }
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.name = public;
        server
    }

    /// `amtsweg worker` with `env`, once it says it started.
    async fn worker(&self, name: &str, env: &[(&str, &str)]) -> Running {
        let child = self.command(&["worker"], name, env).spawn().unwrap();
        let mut worker = Running {
            child,
            name: name.into(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.log(name).contains("delivery worker started") {
            if let Some(status) = worker.child.try_wait().unwrap() {
                panic!("{name} exited at start: {status}: {}", self.log(name));
            }
            assert!(Instant::now() < deadline, "{name} did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        worker
    }
}

/// A running `amtsweg` process; killed when dropped, so a failing test
/// leaves none behind.
struct Running {
    child: Child,
    /// The base URL of a server, the log name of a worker.
    name: String,
}

impl Running {
    /// SIGTERM, as a service manager stops it; it must end cleanly.
    async fn stop(mut self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{} ended with {status}", self.name);
                return;
            }
            assert!(Instant::now() < deadline, "{} did not stop", self.name);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A citizen fills in the test form on the server at `base` and submits
/// it; the submission's id from the confirmation's address.
async fn apply(base: &str, name: &str) -> Uuid {
    let client = client();
    let start = client
        .get(format!("{base}/forms/test-form"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 200);
    let mut cookie = start
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = start.text().await.unwrap();
    let marker = r#"name="_csrf" value=""#;
    let at = page.find(marker).expect("a CSRF token") + marker.len();
    let csrf = page[at..].split('"').next().unwrap().to_owned();
    let mut post = async |path: &str, fields: &[(&str, &str)]| {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let answer = client
            .post(format!("{base}{path}"))
            .header("cookie", &cookie)
            .header("origin", base)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 303, "{path}");
        if let Some(set) = answer.headers().get("set-cookie") {
            cookie = set.to_str().unwrap().split(';').next().unwrap().to_owned();
        }
        answer.headers()["location"].to_str().unwrap().to_owned()
    };
    assert_eq!(
        post("/forms/test-form/starten", &[]).await,
        "/forms/test-form/person"
    );
    assert_eq!(
        post("/forms/test-form/person", &[("name", name)]).await,
        "/forms/test-form/pruefen"
    );
    let confirmation = post("/forms/test-form/absenden", &[]).await;
    let id = confirmation
        .strip_prefix("/forms/test-form/bestaetigung/")
        .unwrap_or_else(|| panic!("{confirmation}"));
    Uuid::parse_str(id).unwrap()
}

async fn get_text(url: &str) -> String {
    let answer = client().get(url).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{url}");
    answer.text().await.unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Waits (up to `seconds`) until `sql` counts `expected`.
async fn wait_for_count(db: &Db, sql: &str, expected: i64, seconds: u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let n = count(db, sql).await;
        if n == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{sql}: {n}, not {expected}, after {seconds} s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The `amtsweg_outbox_jobs` lines of the server's `/metrics`.
async fn outbox_metrics(server: &Running) -> Vec<String> {
    get_text(&format!("{}/metrics", server.name))
        .await
        .lines()
        .filter(|l| l.starts_with("amtsweg_outbox_jobs{"))
        .map(str::to_owned)
        .collect()
}

async fn a_worker_process_delivers_what_a_server_without_worker_stored(test_db: &TestDb) {
    let db = &test_db.db;
    let setup = Setup::new(test_db);
    let server = setup.serve(&[("AMTSWEG_WORKER", "off")]).await;
    let id = apply(&server.name, "Erika Mustermann").await;
    let page_url = format!("{}/forms/test-form/bestaetigung/{id}", server.name);

    // The server does not deliver: a second is twenty polls of a worker.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let jobs = db.outbox_jobs(id).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].status.as_str(), jobs[0].attempts), ("pending", 0));
    assert!(files_in(&setup.drop_folder()).is_empty());
    assert!(!setup.log("serve").contains("delivery worker"));
    let page = get_text(&page_url).await;
    assert!(!page.contains("an die Behörde übermittelt"), "{page}");

    // The worker process does.
    let worker = setup.worker("worker", &[]).await;
    wait_for_count(
        db,
        "SELECT COUNT(*) FROM submissions WHERE status = 'delivered'",
        1,
        30,
    )
    .await;
    let name = xdomea::package_file_name(id);
    assert_eq!(files_in(&setup.drop_folder()), vec![name.clone()]);
    let package =
        xdomea::read_package(&std::fs::read(setup.drop_folder().join(&name)).unwrap()).unwrap();
    assert_eq!(package.message.process_id, id);
    let jobs = db.outbox_jobs(id).await.unwrap();
    assert_eq!((jobs[0].status.as_str(), jobs[0].attempts), ("done", 1));
    // The server shows what the other process did.
    let page = get_text(&page_url).await;
    assert!(page.contains("an die Behörde übermittelt"), "{page}");

    worker.stop().await;
    server.stop().await;
    assert!(setup.log("worker").contains("package delivered"));
}

/// What the e-file's import endpoint received, in order: the package's
/// name (`Content-Disposition`) and the ProzessID inside it.
type Imports = Arc<Mutex<Vec<(String, Uuid)>>>;

/// A loopback import endpoint that holds its first request until a second
/// one arrives (so two requests must be in flight at once) and answers
/// every request 200. `opened` says whether that happened in time.
async fn gated_import_endpoint() -> (std::net::SocketAddr, Imports, Arc<Mutex<bool>>) {
    let imports = Imports::default();
    let opened = Arc::new(Mutex::new(false));
    let gate = Arc::new(tokio::sync::Barrier::new(2));
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let endpoint = {
        let (imports, opened) = (imports.clone(), opened.clone());
        axum::Router::new().route(
            "/import",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let (imports, opened, gate, seen) =
                        (imports.clone(), opened.clone(), gate.clone(), seen.clone());
                    async move {
                        let name = headers["content-disposition"]
                            .to_str()
                            .unwrap()
                            .split("filename=\"")
                            .nth(1)
                            .unwrap()
                            .trim_end_matches('"')
                            .to_owned();
                        let id = xdomea::read_package(&body).unwrap().message.process_id;
                        imports.lock().unwrap().push((name, id));
                        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2
                            && tokio::time::timeout(Duration::from_secs(20), gate.wait())
                                .await
                                .is_ok()
                        {
                            *opened.lock().unwrap() = true;
                        }
                        axum::http::StatusCode::OK
                    }
                },
            ),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, endpoint).await.unwrap() });
    (addr, imports, opened)
}

/// Two `amtsweg worker` processes on one PostgreSQL, one job at a time
/// each: both work (two packages are at the endpoint at the same time),
/// and every package arrives once, every job is leased once.
#[tokio::test(flavor = "multi_thread")]
async fn two_worker_processes_on_one_postgres_deliver_every_package_once() {
    const N: usize = 10;
    let Some(test_db) = common::postgres().await else {
        return;
    };
    let db = &test_db.db;
    let (addr, imports, opened) = gated_import_endpoint().await;
    let mut setup = Setup::new(&test_db);
    let file = setup.logs.join("authorities.toml");
    std::fs::write(
        &file,
        format!(
            "[[authority]]\nid = \"test-amt\"\nname = \"Testamt\"\n\
             transport = {{ kind = \"http\", url = \"http://{addr}/import\" }}\n"
        ),
    )
    .unwrap();
    setup.authorities = Some(file);

    let server = setup.serve(&[("AMTSWEG_WORKER", "off")]).await;
    let mut ids = HashSet::new();
    for i in 0..N {
        ids.insert(apply(&server.name, &format!("Antragsteller {i}")).await);
    }
    let one_at_a_time = [("AMTSWEG_WORKER_CONCURRENCY", "1")];
    let a = setup.worker("worker-a", &one_at_a_time).await;
    let b = setup.worker("worker-b", &one_at_a_time).await;
    wait_for_count(
        db,
        "SELECT COUNT(*) FROM submissions WHERE status = 'delivered'",
        i64::try_from(N).unwrap(),
        60,
    )
    .await;
    // A moment for a double delivery to show, had there been one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.stop().await;
    b.stop().await;
    server.stop().await;

    assert!(
        *opened.lock().unwrap(),
        "the two workers never had a package at the endpoint at the same time"
    );
    let imports = imports.lock().unwrap().clone();
    assert_eq!(imports.len(), N, "every package once: {imports:?}");
    let arrived: HashSet<Uuid> = imports.iter().map(|(_, id)| *id).collect();
    assert_eq!(arrived, ids);
    for (name, id) in &imports {
        assert_eq!(name, &xdomea::package_file_name(*id));
    }
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'deliver' AND status = 'done' AND attempts = 1"
        )
        .await,
        i64::try_from(N).unwrap(),
        "every job leased once and done"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM outbox").await,
        i64::try_from(N).unwrap()
    );
    let delivered = |name: &str| setup.log(name).matches("package delivered").count();
    let (by_a, by_b) = (delivered("worker-a"), delivered("worker-b"));
    assert!(by_a >= 1 && by_b >= 1, "a: {by_a}, b: {by_b}");
    assert_eq!(by_a + by_b, N);
}

/// One line of `amtsweg outbox`: id, reference, kind, status, attempts,
/// next attempt, last error.
fn outbox_line(listing: &str, job: i64) -> Vec<&str> {
    listing
        .lines()
        .find(|l| l.split('\t').next() == Some(&job.to_string()))
        .unwrap_or_else(|| panic!("no job {job} in {listing:?}"))
        .split('\t')
        .collect()
}

async fn an_operator_lists_dead_jobs_and_sends_them_again(test_db: &TestDb) {
    let db = &test_db.db;
    let setup = Setup::new(test_db);
    let server = setup.serve(&[("AMTSWEG_WORKER", "off")]).await;
    let first = apply(&server.name, "Erika Mustermann").await;
    let second = apply(&server.name, "Max Mustermann").await;
    assert_eq!(
        outbox_metrics(&server).await,
        vec![r#"amtsweg_outbox_jobs{kind="deliver",status="pending"} 2"#]
    );

    // The drop folder cannot be made (a file stands in its place): two
    // attempts each, then dead letters.
    std::fs::create_dir_all(setup.drop_folder().parent().unwrap()).unwrap();
    std::fs::write(setup.drop_folder(), b"not a folder").unwrap();
    let worker = setup
        .worker(
            "worker",
            &[
                ("AMTSWEG_DELIVERY_MAX_ATTEMPTS", "2"),
                ("AMTSWEG_DELIVERY_RETRY_BASE_SECONDS", "1"),
                ("AMTSWEG_DELIVERY_RETRY_MAX_SECONDS", "1"),
            ],
        )
        .await;
    wait_for_count(
        db,
        "SELECT COUNT(*) FROM outbox WHERE status = 'dead'",
        2,
        30,
    )
    .await;
    let dead = db.jobs(JobFilter::Dead).await.unwrap();
    let job_of = |id: Uuid| dead.iter().find(|j| j.submission_id == id).unwrap().id;
    let (first_job, second_job) = (job_of(first), job_of(second));

    let listing = setup.outbox(&["list", "--dead"]);
    assert_eq!(listing.lines().count(), 2, "{listing}");
    for (id, job) in [(first, first_job), (second, second_job)] {
        let line = outbox_line(&listing, job);
        let reference = db.submission(id).await.unwrap().reference.to_string();
        assert_eq!(
            &line[1..5],
            [reference.as_str(), "deliver", "dead", "attempts 2"]
        );
        assert!(line[6].contains("drop folder not writable"), "{line:?}");
        assert!(!line[6].contains("Mustermann"), "{line:?}");
    }
    // As the documentation writes it, and as part of all open jobs.
    assert_eq!(setup.outbox(&["--dead"]), listing);
    assert_eq!(setup.outbox(&[]), listing);
    assert_eq!(
        outbox_metrics(&server).await,
        vec![r#"amtsweg_outbox_jobs{kind="deliver",status="dead"} 2"#]
    );

    // The operator mends the folder and sends the first one again.
    std::fs::remove_file(setup.drop_folder()).unwrap();
    assert_eq!(
        setup.outbox(&["retry", &first_job.to_string()]),
        format!("{first_job}\tsent again\n")
    );
    wait_for_count(
        db,
        "SELECT COUNT(*) FROM submissions WHERE status = 'delivered'",
        1,
        30,
    )
    .await;
    assert!(
        db.delivery_record(first)
            .await
            .unwrap()
            .delivered_at
            .is_some()
    );
    assert_eq!(
        files_in(&setup.drop_folder()),
        vec![xdomea::package_file_name(first)]
    );
    let listing = setup.outbox(&["list", "--dead"]);
    assert_eq!(listing.lines().count(), 1, "{listing}");
    outbox_line(&listing, second_job);
    assert_eq!(
        outbox_metrics(&server).await,
        vec![
            r#"amtsweg_outbox_jobs{kind="deliver",status="dead"} 1"#,
            r#"amtsweg_outbox_jobs{kind="deliver",status="done"} 1"#,
        ]
    );

    // And then every dead one.
    assert_eq!(
        setup.outbox(&["retry", "--all-dead"]),
        format!("{second_job}\tsent again\n")
    );
    wait_for_count(
        db,
        "SELECT COUNT(*) FROM submissions WHERE status = 'delivered'",
        2,
        30,
    )
    .await;
    let mut packages = vec![
        xdomea::package_file_name(first),
        xdomea::package_file_name(second),
    ];
    packages.sort();
    assert_eq!(files_in(&setup.drop_folder()), packages);
    assert_eq!(setup.outbox(&[]), "no jobs\n");
    assert_eq!(setup.outbox(&["retry", "--all-dead"]), "");
    let jobs = db.outbox_jobs(second).await.unwrap();
    assert_eq!(
        (jobs[0].status.as_str(), jobs[0].attempts),
        ("done", 1),
        "counted from zero again"
    );
    assert_eq!(
        outbox_metrics(&server).await,
        vec![r#"amtsweg_outbox_jobs{kind="deliver",status="done"} 2"#]
    );
    worker.stop().await;
    server.stop().await;
}

on_both_backends!(
    two_workers_leasing_at_once_never_get_the_same_job,
    a_dead_workers_job_is_taken_over_and_its_late_result_refused,
    the_heartbeat_keeps_a_running_job_from_being_taken_over,
    a_worker_process_delivers_what_a_server_without_worker_stored,
    an_operator_lists_dead_jobs_and_sends_them_again,
);
