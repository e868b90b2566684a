//! Delivery into the E-Akte, on SQLite and PostgreSQL: a citizen submits
//! through the real routes, the worker builds the xdomea package and drops
//! it into the authority's folder (valid against the xdomea 3.0.0 schema,
//! with the PDF/A receipt, the JSON data and the attachment; the receipt's
//! text, read by `pdftotext`, names the reference number and the answers),
//! the E-Akte's `FVDaten.ImportBestaetigen.0630` (as XML or in its ZIP)
//! files it with the e-file's id (or refuses it), the confirmation page
//! says so with the date, the receipt downloads only in the submitting
//! browser; failing transports are retried and end as dead letters an
//! operator revives, a job whose worker dies at every attempt too; the
//! HTTP transport gives up at once on a 4xx, retries 408/429/5xx and takes
//! 409 as delivered; the HTTP and SMTP transports reach real peers on
//! loopback; and after the retention period nothing personal is left in
//! the portal. (Separate worker processes and the leases: `outbox.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use amtsweg_server::{
    config::WorkerConfig,
    delivery::{
        Authorities, DeliveryContext,
        confirmations::{self, Scanned},
        retention,
        worker::{self, JobOutcome},
    },
    routes::{AppState, router},
    store::JobFilter,
    xdomea::{self, Feedback, ImportConfirmation},
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{Browser, Page, TestDb};
use http_body_util::BodyExt;
use tempfile::TempDir;
use time::OffsetDateTime;
use tower::ServiceExt;
use uuid::Uuid;

const DEFINITION: &str = r#"{
  "id": "meldung", "version": 1,
  "title": {"de": "Meldung eines Hundes", "en": "Registering a dog"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "steueramt", "name": {"de": "Steueramt Musterstadt", "en": "Tax office"}},
  "retention_days": 7,
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true},
    {"id": "email", "type": "email", "label": {"de": "E-Mail", "en": "E-mail"},
     "autocomplete": "email"},
    {"id": "nachweis", "type": "file", "label": {"de": "Nachweis", "en": "Proof"}, "required": true,
     "accept": ["application/pdf"], "max_size_bytes": 1048576}
  ]}]
}"#;

/// What the citizen enters: unusual enough to be found anywhere it stays.
const NAME: &str = "Xaverine Quellmalz-Ödeğer";
const EMAIL: &str = "xaverine.quellmalz@example.org";
/// The uploaded file: a PDF whose content carries a marker of its own.
const PDF: &[u8] = b"%PDF-1.4\n% Nachweis Quellmalz-7731\n%%EOF\n";
const FILE_MARKER: &str = "Quellmalz-7731";

struct Portal {
    app: Router,
    ctx: DeliveryContext,
    /// The data dir: files/, packages/, eakte/.
    data: TempDir,
    /// Mails written as files (outside the data dir: they left the portal).
    mail: TempDir,
    _definitions: TempDir,
}

fn settings() -> WorkerConfig {
    WorkerConfig {
        retry_base: Duration::from_millis(1),
        retry_max: Duration::from_millis(5),
        max_attempts: 3,
        ..WorkerConfig::default()
    }
}

async fn portal_with(
    db: &TestDb,
    authorities: impl FnOnce(&Path) -> Authorities,
    mailer: Option<amtsweg_server::mail::Mailer>,
) -> Portal {
    let definitions = tempfile::tempdir().unwrap();
    std::fs::write(definitions.path().join("meldung.json"), DEFINITION).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mail = tempfile::tempdir().unwrap();
    let files = data.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    amtsweg_server::definitions::publish_dir(&db.db, definitions.path())
        .await
        .unwrap();
    let mailer = mailer.unwrap_or_else(|| {
        amtsweg_server::mail::Mailer::files(
            mail.path(),
            "Amtsweg <noreply@amtsweg.test>".parse().unwrap(),
        )
        .unwrap()
    });
    let state = AppState::new(
        db.db.clone(),
        "target/no-site-in-tests",
        "127.0.0.1:3000".parse().unwrap(),
        common::upload_storage(&db.db, &files).await,
    )
    .with_mailer(mailer);
    let ctx = state.delivery_context(authorities(data.path()), data.path().to_owned(), settings());
    let app = router(state.with_delivery(ctx.clone()));
    Portal {
        app,
        ctx,
        data,
        mail,
        _definitions: definitions,
    }
}

async fn portal(db: &TestDb) -> Portal {
    portal_with(db, Authorities::defaults, None).await
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes)
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
    }
}

const BOUNDARY: &str = "----amtswegDeliveryBoundary";

impl Browser {
    fn new(portal: &Portal) -> Browser {
        Browser {
            app: portal.app.clone(),
            cookie: None,
        }
    }

    /// Start, fill in the one step (with the file), submit; returns the
    /// submission's id.
    async fn apply(&mut self) -> Uuid {
        let start = self.get("/forms/meldung").await;
        assert_eq!(start.status, StatusCode::OK);
        let csrf = start.csrf();
        let started = self
            .post("/forms/meldung/starten", format!("_csrf={csrf}"))
            .await;
        assert_eq!(started.location, "/forms/meldung/angaben");
        let mut body = Vec::new();
        for (name, value) in [("_csrf", csrf.as_str()), ("name", NAME), ("email", EMAIL)] {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"nachweis\"; \
                 filename=\"Nachweis Quellmalz.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(PDF);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = Request::post("/forms/meldung/angaben")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap();
        let saved = self.send(request).await;
        assert_eq!(saved.location, "/forms/meldung/pruefen", "{}", saved.text());
        let submitted = self
            .post("/forms/meldung/absenden", format!("_csrf={csrf}"))
            .await;
        let id = submitted
            .location
            .strip_prefix("/forms/meldung/bestaetigung/")
            .unwrap_or_else(|| panic!("{} {}", submitted.location, submitted.text()));
        Uuid::parse_str(id).unwrap()
    }
}

/// Runs due jobs until none is left; the outcomes.
async fn drain(ctx: &DeliveryContext) -> Vec<JobOutcome> {
    let mut outcomes = Vec::new();
    while let Some(outcome) = worker::run_one(ctx).await.unwrap() {
        outcomes.push(outcome);
        assert!(outcomes.len() < 50, "{outcomes:?}");
    }
    outcomes
}

fn outbox(data: &Path) -> PathBuf {
    data.join("eakte/steueramt/outbox")
}

fn inbox(data: &Path) -> PathBuf {
    data.join("eakte/steueramt/inbox")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Validates `xml` against the xdomea 3.0.0 schema with xmllint; skips
/// (with a note) outside CI when the schema or xmllint is missing.
fn assert_valid_xdomea(xml: &[u8]) {
    let dir = std::env::var_os("AMTSWEG_XDOMEA_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/xdomea/3.0.0"));
    let xsd = dir.join("xdomea.xsd");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), xml).unwrap();
    let run = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(file.path())
        .output();
    match run {
        Ok(out) if xsd.is_file() => assert!(
            out.status.success(),
            "not valid xdomea: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        _ if ci => panic!("xmllint or {} missing (CI)", xsd.display()),
        _ => eprintln!("SKIPPED: xmllint or {} missing", xsd.display()),
    }
}

/// The package that was dropped for `id`.
fn dropped_package(data: &Path, id: Uuid) -> xdomea::ReceivedPackage {
    let name = xdomea::package_file_name(id);
    let bytes = std::fs::read(outbox(data).join(&name)).unwrap();
    xdomea::read_package(&bytes).unwrap()
}

/// The E-Akte's answer for the package of `id`, written into the inbox
/// the way an E-Akte does (temporary name, then rename).
fn confirm_in_inbox(data: &Path, id: Uuid, confirmation: &ImportConfirmation) {
    let xml = confirmation.to_xml().unwrap();
    assert_valid_xdomea(&xml);
    let inbox = inbox(data);
    std::fs::create_dir_all(&inbox).unwrap();
    let name = format!("{id}_{}.xml", xdomea::CONFIRMATION_MESSAGE);
    let temp = inbox.join(format!(".{name}.part"));
    std::fs::write(&temp, xml).unwrap();
    std::fs::rename(temp, inbox.join(name)).unwrap();
}

async fn a_submission_is_delivered_filed_and_its_status_shown(db: &TestDb) {
    let portal = portal(db).await;
    let mut citizen = Browser::new(&portal);
    let id = citizen.apply().await;
    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(page.contains("eingegangen"), "{page}");
    assert!(page.contains("noch nicht"), "{page}");

    let outcomes = drain(&portal.ctx).await;
    assert_eq!(
        outcomes,
        vec![JobOutcome::Done, JobOutcome::Done],
        "deliver + confirm"
    );

    // One package, named as xdomea prescribes, nothing half-written.
    let name = xdomea::package_file_name(id);
    assert_eq!(files_in(&outbox(portal.data.path())), vec![name.clone()]);
    let package = dropped_package(portal.data.path(), id);
    assert_valid_xdomea(&package.message_xml);
    assert_eq!(package.message.process_id, id);
    assert_eq!(
        package.message.documents.len(),
        3,
        "receipt, data, attachment"
    );
    let file = |needle: &str| {
        package
            .files
            .iter()
            .find(|f| f.name.contains(needle))
            .map(|f| f.bytes.clone())
            .unwrap_or_else(|| {
                let names: Vec<&String> = package.files.iter().map(|f| &f.name).collect();
                panic!("no {needle} in {names:?}")
            })
    };
    let receipt = file("Antrag_");
    assert!(receipt.starts_with(b"%PDF-"), "the receipt is a PDF");
    let data: serde_json::Value = serde_json::from_slice(&file("Antragsdaten_")).unwrap();
    assert_eq!(data["form"]["id"], "meldung");
    assert_eq!(data["form"]["version"], 1);
    assert_eq!(data["answers"]["name"], NAME);
    assert_eq!(data["submission_id"], id.to_string());
    assert_eq!(file("Nachweis"), PDF, "the attachment as uploaded");

    // The confirmation mail names the reference, not the answers.
    let mails: Vec<String> = files_in(portal.mail.path())
        .iter()
        .map(|n| std::fs::read_to_string(portal.mail.path().join(n)).unwrap())
        .collect();
    assert_eq!(mails.len(), 1);
    let reference = data["reference"].as_str().unwrap().to_owned();
    assert!(mails[0].contains(&reference), "{}", mails[0]);
    assert!(mails[0].contains(&format!("To: {EMAIL}")), "{}", mails[0]);
    assert!(
        !mails[0].contains("Quellmalz-"),
        "no answer in the mail: {}",
        mails[0]
    );

    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(page.contains("an die Behörde übermittelt"), "{page}");

    // The E-Akte files it and answers.
    let confirmation = ImportConfirmation::filed(
        &package.message,
        OffsetDateTime::now_utc(),
        Some(Uuid::new_v4()),
        Some("StA-2026/0815".into()),
    );
    confirm_in_inbox(portal.data.path(), id, &confirmation);
    let scanned = confirmations::scan_inboxes(&portal.ctx, OffsetDateTime::now_utc()).await;
    assert_eq!(
        scanned,
        Scanned {
            applied: 1,
            rejected: 0
        }
    );
    let record = db.db.delivery_record(id).await.unwrap();
    assert_eq!(record.efile_reference.as_deref(), Some("StA-2026/0815"));
    assert!(record.filed_at.is_some() && record.purge_after.is_some());
    assert_eq!(
        files_in(&inbox(portal.data.path()).join("verarbeitet")).len(),
        1
    );
    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(
        page.contains("in der E-Akte der Behörde abgelegt"),
        "{page}"
    );

    // The same confirmation again changes nothing.
    confirm_in_inbox(portal.data.path(), id, &confirmation);
    let again = confirmations::scan_inboxes(&portal.ctx, OffsetDateTime::now_utc()).await;
    assert_eq!(
        again,
        Scanned {
            applied: 1,
            rejected: 0
        }
    );
    assert_eq!(
        db.db.delivery_record(id).await.unwrap().filed_at,
        record.filed_at
    );

    // The receipt: in the submitting browser only.
    assert!(
        page.contains("Eingangsbestätigung herunterladen (PDF)"),
        "{page}"
    );
    let pdf = citizen
        .get(&format!(
            "/forms/meldung/bestaetigung/{id}/eingangsbestaetigung.pdf"
        ))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let mut stranger = Browser::new(&portal);
    let other = stranger
        .get(&format!(
            "/forms/meldung/bestaetigung/{id}/eingangsbestaetigung.pdf"
        ))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let stranger_page = stranger
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(
        !stranger_page.contains("Eingangsbestätigung herunterladen"),
        "{stranger_page}"
    );
}

async fn a_refusal_marks_it_failed_and_bad_confirmations_are_set_aside(db: &TestDb) {
    let portal = portal(db).await;
    let mut citizen = Browser::new(&portal);
    let id = citizen.apply().await;
    drain(&portal.ctx).await;
    let package = dropped_package(portal.data.path(), id);

    // Not a confirmation at all, and one for a submission nobody knows.
    let inbox = inbox(portal.data.path());
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("kaputt.xml"), b"<das ist kein xdomea").unwrap();
    let mut unknown = package.message.clone();
    unknown.process_id = Uuid::new_v4();
    let stray = ImportConfirmation::filed(&unknown, OffsetDateTime::now_utc(), None, None);
    std::fs::write(inbox.join("fremd.xml"), stray.to_xml().unwrap()).unwrap();
    // A file still being written is left alone.
    std::fs::write(inbox.join(".halb.xml.part"), b"<").unwrap();

    let refusal = ImportConfirmation::rejected(
        &package.message,
        OffsetDateTime::now_utc(),
        vec![Feedback::Text("Aktenplan-Kennzeichen unbekannt".into())],
    );
    confirm_in_inbox(portal.data.path(), id, &refusal);
    let scanned = confirmations::scan_inboxes(&portal.ctx, OffsetDateTime::now_utc()).await;
    assert_eq!(
        scanned,
        Scanned {
            applied: 1,
            rejected: 2
        }
    );
    let record = db.db.delivery_record(id).await.unwrap();
    assert!(
        record
            .failure_reason
            .as_deref()
            .unwrap()
            .contains("Aktenplan-Kennzeichen unbekannt"),
        "{:?}",
        record.failure_reason
    );
    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(page.contains("wird geprüft"), "{page}");
    assert!(page.contains("Sie müssen nichts tun"), "{page}");

    let rejected = files_in(&inbox.join("abgelehnt"));
    assert_eq!(
        rejected,
        vec![
            "fremd.xml",
            "fremd.xml.fehler.txt",
            "kaputt.xml",
            "kaputt.xml.fehler.txt"
        ]
    );
    let why = std::fs::read_to_string(inbox.join("abgelehnt/fremd.xml.fehler.txt")).unwrap();
    assert!(
        why.contains("Zur ProzessID") && why.contains("no submission"),
        "{why}"
    );
    assert!(inbox.join(".halb.xml.part").exists());

    // A positive confirmation after the operator sent it again files it.
    let filed = ImportConfirmation::filed(&package.message, OffsetDateTime::now_utc(), None, None);
    confirm_in_inbox(portal.data.path(), id, &filed);
    confirmations::scan_inboxes(&portal.ctx, OffsetDateTime::now_utc()).await;
    let record = db.db.delivery_record(id).await.unwrap();
    assert!(record.filed_at.is_some() && record.failure_reason.is_none());
}

async fn confirmations_over_http_need_the_authoritys_token(db: &TestDb) {
    let file = r#"
[[authority]]
id = "steueramt"
name = "Steueramt Musterstadt"
confirmation_token_env = "STEUERAMT_TOKEN"
"#;
    let portal = portal_with(
        db,
        |data| {
            Authorities::parse(file, data, |name| {
                (name == "STEUERAMT_TOKEN").then(|| "s3cr3t-token".to_owned())
            })
            .unwrap()
        },
        None,
    )
    .await;
    let mut citizen = Browser::new(&portal);
    let id = citizen.apply().await;
    drain(&portal.ctx).await;
    let package = dropped_package(portal.data.path(), id);
    let xml = ImportConfirmation::filed(
        &package.message,
        OffsetDateTime::now_utc(),
        None,
        Some("Az 1".into()),
    )
    .to_xml()
    .unwrap();

    let post = |uri: &str, token: Option<&str>, body: Vec<u8>| {
        let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/xml");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let app = portal.app.clone();
        let request = request.body(Body::from(body)).unwrap();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let text = String::from_utf8(
                response
                    .into_body()
                    .collect()
                    .await
                    .unwrap()
                    .to_bytes()
                    .to_vec(),
            )
            .unwrap();
            (status, text)
        }
    };
    let uri = "/eakte/steueramt/bestaetigung";
    assert_eq!(
        post(uri, None, xml.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(uri, Some("falsch"), xml.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    // No endpoint for an authority without a token of its own.
    let (status, _) = post(
        "/eakte/bauamt/bestaetigung",
        Some("s3cr3t-token"),
        xml.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, text) = post(uri, Some("s3cr3t-token"), b"<kaputt".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(!text.is_empty());
    assert_eq!(
        db.db.delivery_record(id).await.unwrap().filed_at,
        None,
        "nothing filed yet"
    );

    let (status, text) = post(uri, Some("s3cr3t-token"), xml.clone()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let record = db.db.delivery_record(id).await.unwrap();
    assert_eq!(record.efile_reference.as_deref(), Some("Az 1"));
    let (status, text) = post(uri, Some("s3cr3t-token"), xml).await;
    assert_eq!(
        (status, text.contains("war schon abgelegt")),
        (StatusCode::OK, true),
        "{text}"
    );
}

async fn a_failing_transport_is_retried_and_ends_as_a_dead_letter_an_operator_revives(db: &TestDb) {
    let portal = portal(db).await;
    // The drop folder cannot be made: a file stands where it should be.
    let root = portal.data.path().join("eakte/steueramt");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("outbox"), b"not a folder").unwrap();

    let id = Browser::new(&portal).apply().await;
    let mut outcomes = Vec::new();
    for _ in 0..200 {
        if let Some(o) = worker::run_one(&portal.ctx).await.unwrap() {
            outcomes.push(o);
        }
        if db.db.jobs(JobFilter::Dead).await.unwrap().len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deliver: Vec<&JobOutcome> = outcomes
        .iter()
        .filter(|o| !matches!(o, JobOutcome::Done))
        .collect();
    assert!(
        matches!(
            deliver.as_slice(),
            [JobOutcome::Retry(_), JobOutcome::Retry(_), JobOutcome::Dead]
        ),
        "{outcomes:?}"
    );
    let dead = db.db.jobs(JobFilter::Dead).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].kind.as_str(), dead[0].attempts), ("deliver", 3));
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("drop folder"),
        "{dead:?}"
    );
    assert!(!dead[0].last_error.as_deref().unwrap().contains("Quellmalz"));
    assert_eq!(db.db.delivery_record(id).await.unwrap().delivered_at, None);

    // The operator mends the folder and sends the job again.
    std::fs::remove_file(root.join("outbox")).unwrap();
    assert!(
        db.db
            .revive_job(dead[0].id, OffsetDateTime::now_utc())
            .await
            .unwrap()
    );
    assert!(
        !db.db
            .revive_job(dead[0].id, OffsetDateTime::now_utc())
            .await
            .unwrap(),
        "not dead now"
    );
    assert_eq!(drain(&portal.ctx).await, vec![JobOutcome::Done]);
    assert!(
        db.db
            .delivery_record(id)
            .await
            .unwrap()
            .delivered_at
            .is_some()
    );
    assert_eq!(files_in(&outbox(portal.data.path())).len(), 1);
}

/// What the loopback e-file import endpoint received.
#[derive(Default)]
struct Received {
    requests: Vec<(Option<String>, String, Vec<u8>)>,
    /// Answer these statuses first, then 200.
    fail_with: Vec<u16>,
}

/// A stand-in for the e-file's import endpoint on loopback: answers each
/// `POST /import` with the next of `received.fail_with` (200 when none is
/// left) and keeps every request.
async fn import_endpoint(received: Arc<Mutex<Received>>) -> std::net::SocketAddr {
    let endpoint = axum::Router::new().route(
        "/import",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let received = received.clone();
                async move {
                    let mut r = received.lock().unwrap();
                    r.requests.push((
                        headers
                            .get("authorization")
                            .map(|v| v.to_str().unwrap().to_owned()),
                        headers
                            .get("content-type")
                            .map(|v| v.to_str().unwrap().to_owned())
                            .unwrap_or_default(),
                        body.to_vec(),
                    ));
                    let status = if r.fail_with.is_empty() {
                        200
                    } else {
                        r.fail_with.remove(0)
                    };
                    StatusCode::from_u16(status).unwrap()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, endpoint).await.unwrap() });
    addr
}

async fn the_http_transport_posts_the_package_and_retries_a_busy_endpoint(db: &TestDb) {
    let received = Arc::new(Mutex::new(Received {
        fail_with: vec![503],
        ..Received::default()
    }));
    let addr = import_endpoint(received.clone()).await;
    let file = format!(
        "[[authority]]\nid = \"steueramt\"\nname = \"Steueramt\"\n\
         transport = {{ kind = \"http\", url = \"http://{addr}/import\", token_env = \"IMPORT_TOKEN\" }}\n"
    );
    let portal = portal_with(
        db,
        |data| Authorities::parse(&file, data, |_| Some("import-token".into())).unwrap(),
        None,
    )
    .await;
    let id = Browser::new(&portal).apply().await;
    let mut outcomes = Vec::new();
    for _ in 0..100 {
        match worker::run_one(&portal.ctx).await.unwrap() {
            Some(o) => outcomes.push(o),
            None if db
                .db
                .delivery_record(id)
                .await
                .unwrap()
                .delivered_at
                .is_some() =>
            {
                break;
            }
            None => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    assert!(
        outcomes.iter().any(|o| matches!(o, JobOutcome::Retry(_))),
        "{outcomes:?}"
    );
    let delivered = db.db.delivery_record(id).await.unwrap().delivered_at;
    assert!(delivered.is_some());
    let r = received.lock().unwrap();
    assert_eq!(r.requests.len(), 2, "a 503, then the delivery");
    let (auth, content_type, body) = &r.requests[1];
    assert_eq!(auth.as_deref(), Some("Bearer import-token"));
    assert_eq!(content_type, "application/zip");
    let package = xdomea::read_package(body).unwrap();
    assert_eq!(package.message.process_id, id);
    assert_eq!(
        r.requests[0].2, *body,
        "the retry sends the very same bytes"
    );
}

async fn the_smtp_transport_and_the_mails_reach_a_real_smtp_server(db: &TestDb) {
    let Some(smtp) = common::SmtpSink::start() else {
        return;
    };
    let file = "[[authority]]\nid = \"steueramt\"\nname = \"Steueramt Klein\"\n\
                notify_email = \"sachbearbeitung@klein.example\"\n\
                transport = { kind = \"smtp\", to = \"poststelle@klein.example\" }\n";
    let portal = portal_with(
        db,
        |data| Authorities::parse(file, data, |_| None).unwrap(),
        Some(smtp.mailer()),
    )
    .await;
    let id = Browser::new(&portal).apply().await;
    let outcomes = drain(&portal.ctx).await;
    assert_eq!(
        outcomes,
        vec![JobOutcome::Done; 3],
        "deliver, confirm, notify"
    );
    let mails = smtp.received();
    let to = |address: &str| {
        mails
            .iter()
            .find(|m| m.rcpt_tos == vec![address.to_owned()])
            .unwrap_or_else(|| panic!("no mail to {address}: {mails:?}"))
    };
    let package_mail = to("poststelle@klein.example");
    assert_eq!(package_mail.attachments.len(), 1);
    let attachment = &package_mail.attachments[0];
    assert_eq!(
        attachment.filename.as_deref(),
        Some(xdomea::package_file_name(id).as_str())
    );
    assert_eq!(attachment.content_type, "application/zip");
    use base64::Engine;
    let zip = base64::engine::general_purpose::STANDARD
        .decode(&attachment.content_base64)
        .unwrap();
    assert_eq!(xdomea::read_package(&zip).unwrap().message.process_id, id);
    let reference = db.db.submission(id).await.unwrap().reference.to_string();
    let citizen = to(EMAIL);
    assert!(citizen.subject.contains(&reference), "{}", citizen.subject);
    assert!(
        citizen
            .body
            .contains(&format!("/forms/meldung/bestaetigung/{id}")),
        "{}",
        citizen.body
    );
    let notice = to("sachbearbeitung@klein.example");
    assert!(notice.subject.contains(&reference));
    for mail in [citizen, notice] {
        assert!(
            !mail.data.contains("Quellmalz") && !mail.data.contains(FILE_MARKER),
            "{}",
            mail.data
        );
    }
}

/// Every text in every table, one line per row.
async fn database_text(db: &amtsweg_server::db::Db) -> String {
    use sqlx::Row;
    let mut out = String::new();
    match db {
        amtsweg_server::db::Db::Sqlite(pool) => {
            let tables: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            for (table,) in tables {
                let columns: Vec<(String,)> =
                    sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let concat = columns
                    .iter()
                    .map(|(c,)| format!("coalesce(CAST(\"{c}\" AS TEXT), '')"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                if concat.is_empty() {
                    continue;
                }
                for row in sqlx::query(&format!("SELECT {concat} AS line FROM \"{table}\""))
                    .fetch_all(pool)
                    .await
                    .unwrap()
                {
                    let line: Option<String> = row.try_get("line").ok();
                    out.push_str(&format!("{table}: {}\n", line.unwrap_or_default()));
                }
            }
        }
        amtsweg_server::db::Db::Postgres(pool) => {
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_schema::text, table_name::text FROM information_schema.tables
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                   AND table_type = 'BASE TABLE'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (schema, table) in tables {
                for row in sqlx::query(&format!(
                    "SELECT row_to_json(t)::text AS line FROM \"{schema}\".\"{table}\" t"
                ))
                .fetch_all(pool)
                .await
                .unwrap()
                {
                    let line: String = row.try_get("line").unwrap();
                    out.push_str(&format!("{table}: {line}\n"));
                }
            }
        }
    }
    out
}

/// Every file under `dir` with its content, lossily as text.
fn files_text(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_text(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.push((path, text));
        }
    }
    out
}

async fn after_the_retention_period_nothing_personal_remains(db: &TestDb) {
    let portal = portal(db).await;
    let mut citizen = Browser::new(&portal);
    let id = citizen.apply().await;
    drain(&portal.ctx).await;
    let package = dropped_package(portal.data.path(), id);
    let filed_at = OffsetDateTime::now_utc();
    confirm_in_inbox(
        portal.data.path(),
        id,
        &ImportConfirmation::filed(&package.message, filed_at, None, Some("Az 7".into())),
    );
    confirmations::scan_inboxes(&portal.ctx, filed_at).await;
    let before = database_text(&db.db).await;
    assert!(
        before.contains(NAME) && before.contains(EMAIL),
        "the data are there before"
    );
    let portal_files = |data: &Path| -> Vec<(PathBuf, String)> {
        // The E-Akte's folder belongs to the authority, not the portal.
        files_text(data)
            .into_iter()
            .filter(|(p, _)| !p.starts_with(data.join("eakte")))
            .collect()
    };
    assert!(
        portal_files(portal.data.path())
            .iter()
            .any(|(_, t)| t.contains(FILE_MARKER)),
        "the upload and the package are there before"
    );

    // Six days later: still kept (the form says seven).
    let six_days = filed_at + time::Duration::days(6);
    assert_eq!(
        retention::purge_due(&portal.ctx, six_days).await.unwrap(),
        0
    );
    // After eight days: deleted.
    let eight_days = filed_at + time::Duration::days(8);
    assert_eq!(
        retention::purge_due(&portal.ctx, eight_days).await.unwrap(),
        1
    );
    assert_eq!(
        retention::purge_due(&portal.ctx, eight_days).await.unwrap(),
        0,
        "once"
    );

    let after = database_text(&db.db).await;
    for personal in [NAME, EMAIL, "Quellmalz", FILE_MARKER, "Nachweis Quellmalz"] {
        assert!(
            !after.contains(personal),
            "{personal:?} is still in the database:\n{after}"
        );
        for (path, text) in portal_files(portal.data.path()) {
            assert!(
                !text.contains(personal),
                "{personal:?} is still in {}",
                path.display()
            );
        }
    }
    // The audit stays: reference, form, times, e-file id, hashes.
    let record = db.db.delivery_record(id).await.unwrap();
    assert!(after.contains(&record.submission.reference.to_string()));
    assert_eq!(record.efile_reference.as_deref(), Some("Az 7"));
    assert!(record.purged_at.is_some() && record.filed_at.is_some());
    let hashes = record.delivered_hashes.unwrap();
    assert_eq!(hashes["files"].as_array().unwrap().len(), 3);
    assert_eq!(hashes["package"].as_str().unwrap().len(), 64);

    // The citizen is told why the receipt is gone.
    let gone = citizen
        .get(&format!(
            "/forms/meldung/bestaetigung/{id}/eingangsbestaetigung.pdf"
        ))
        .await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.text().contains("Aufbewahrungsfrist"));
    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(
        page.contains("in der E-Akte der Behörde abgelegt"),
        "{page}"
    );
}

/// The `deliver` job of submission `id` as it stands now.
async fn deliver_job(db: &TestDb, id: Uuid) -> amtsweg_server::store::OutboxJob {
    db.db
        .outbox_jobs(id)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.kind == "deliver")
        .unwrap()
}

/// Runs due jobs until the `deliver` job of `id` is done or dead, waiting
/// out the test settings' short retry delays; the outcomes on the way
/// (of the citizen's `confirm` job too).
async fn settle(portal: &Portal, db: &TestDb, id: Uuid) -> Vec<JobOutcome> {
    let mut outcomes = Vec::new();
    for _ in 0..400 {
        match worker::run_one(&portal.ctx).await.unwrap() {
            Some(o) => outcomes.push(o),
            None if matches!(deliver_job(db, id).await.status.as_str(), "done" | "dead") => {
                return outcomes;
            }
            None => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    panic!("the deliver job of {id} did not settle: {outcomes:?}");
}

async fn the_import_endpoints_4xx_is_a_dead_letter_at_once_and_409_counts_as_delivered(
    db: &TestDb,
) {
    let received = Arc::new(Mutex::new(Received::default()));
    let addr = import_endpoint(received.clone()).await;
    let file = format!(
        "[[authority]]\nid = \"steueramt\"\nname = \"Steueramt\"\n\
         transport = {{ kind = \"http\", url = \"http://{addr}/import\" }}\n"
    );
    let portal = portal_with(
        db,
        |data| Authorities::parse(&file, data, |_| None).unwrap(),
        None,
    )
    .await;
    // Each submission meets the endpoint answering `answers`, then 200.
    let deliver = |answers: Vec<u16>| {
        let (received, portal) = (received.clone(), &portal);
        async move {
            let before = {
                let mut r = received.lock().unwrap();
                r.fail_with = answers;
                r.requests.len()
            };
            let id = Browser::new(portal).apply().await;
            let outcomes = settle(portal, db, id).await;
            let r = received.lock().unwrap();
            let posted: Vec<Uuid> = r.requests[before..]
                .iter()
                .map(|(_, _, body)| xdomea::read_package(body).unwrap().message.process_id)
                .collect();
            assert!(posted.iter().all(|p| *p == id), "{posted:?}");
            (id, outcomes, posted.len())
        }
    };

    // A refusal the e-file will repeat: dead at once, posted once, never
    // again, not delivered; the operator reads the status.
    for status in [400, 403, 404, 422] {
        let (id, outcomes, posts) = deliver(vec![status]).await;
        assert_eq!(posts, 1, "{status}: no second try");
        assert!(
            outcomes.contains(&JobOutcome::Dead)
                && !outcomes.iter().any(|o| matches!(o, JobOutcome::Retry(_))),
            "{status}: {outcomes:?}"
        );
        let job = deliver_job(db, id).await;
        assert_eq!((job.status.as_str(), job.attempts), ("dead", 1), "{status}");
        let dead = db.db.jobs(JobFilter::Dead).await.unwrap();
        let info = dead.iter().find(|j| j.submission_id == id).unwrap();
        assert!(
            info.last_error
                .as_deref()
                .unwrap()
                .contains(&format!("e-file import endpoint answered {status}")),
            "{info:?}"
        );
        assert_eq!(db.db.delivery_record(id).await.unwrap().delivered_at, None);
        // Nothing is due any more: the endpoint hears nothing else.
        assert_eq!(worker::run_one(&portal.ctx).await.unwrap(), None);
    }

    // "Too early" and "too many": tried again, then delivered.
    for status in [408, 429] {
        let (id, outcomes, posts) = deliver(vec![status]).await;
        assert_eq!(posts, 2, "{status}: {outcomes:?}");
        assert!(
            outcomes.iter().any(|o| matches!(o, JobOutcome::Retry(_))),
            "{status}: {outcomes:?}"
        );
        let job = deliver_job(db, id).await;
        assert_eq!((job.status.as_str(), job.attempts), ("done", 2), "{status}");
        assert!(
            db.db
                .delivery_record(id)
                .await
                .unwrap()
                .delivered_at
                .is_some()
        );
    }

    // 409: the e-file has this package already (a redelivery after a
    // crash): delivered, at the first attempt.
    let (id, outcomes, posts) = deliver(vec![409]).await;
    assert_eq!(posts, 1);
    assert!(!outcomes.contains(&JobOutcome::Dead), "{outcomes:?}");
    let job = deliver_job(db, id).await;
    assert_eq!((job.status.as_str(), job.attempts), ("done", 1));
    let record = db.db.delivery_record(id).await.unwrap();
    assert!(record.delivered_at.is_some());
    let mut citizen = Browser::new(&portal);
    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(page.contains("an die Behörde übermittelt"), "{page}");
}

async fn a_job_whose_worker_dies_at_every_attempt_ends_as_a_dead_letter(db: &TestDb) {
    let portal = portal(db).await;
    let max_attempts = portal.ctx.settings.max_attempts;
    let id = Browser::new(&portal).apply().await;
    // Workers lease the deliver job and die at once, `max_attempts` times:
    // a lease of no length has run out as soon as it was taken.
    let mut deaths = 0;
    while deaths < max_attempts {
        let job = db
            .db
            .lease_job(OffsetDateTime::now_utc(), time::Duration::ZERO)
            .await
            .unwrap()
            .expect("a due job");
        if job.kind == "deliver" {
            deaths += 1;
            assert_eq!((job.submission_id, job.attempts), (id, deaths));
        } else {
            // The citizen's mail is another worker's business here.
            assert!(
                db.db
                    .complete_job(&job, OffsetDateTime::now_utc())
                    .await
                    .unwrap()
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // The next worker does not run it again: it is a dead letter.
    assert_eq!(
        worker::run_one(&portal.ctx).await.unwrap(),
        Some(JobOutcome::Dead)
    );
    let dead = db.db.jobs(JobFilter::Dead).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].submission_id, id);
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("worker stopped during the last attempt"),
        "{dead:?}"
    );
    assert_eq!(dead[0].attempts, max_attempts + 1);
    assert!(files_in(&outbox(portal.data.path())).is_empty());
    assert_eq!(db.db.delivery_record(id).await.unwrap().delivered_at, None);

    // The operator sends it again; this time it goes through.
    assert!(
        db.db
            .revive_job(dead[0].id, OffsetDateTime::now_utc())
            .await
            .unwrap()
    );
    let outcomes = drain(&portal.ctx).await;
    assert!(
        outcomes.iter().all(|o| *o == JobOutcome::Done),
        "{outcomes:?}"
    );
    let job = deliver_job(db, id).await;
    assert_eq!((job.status.as_str(), job.attempts), ("done", 1));
    assert_eq!(
        files_in(&outbox(portal.data.path())),
        vec![xdomea::package_file_name(id)]
    );
}

/// The value beside `label` in the confirmation page's summary list.
fn summary_value(page: &str, label: &str) -> String {
    let at = page
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {page}"));
    let rest = &page[at..];
    let start = rest.find("summary__value").unwrap();
    let start = start + rest[start..].find('>').unwrap() + 1;
    let end = start + rest[start..].find('<').unwrap();
    rest[start..end].trim().to_owned()
}

async fn a_confirmation_zip_in_the_inbox_files_the_submission_with_the_efiles_id(db: &TestDb) {
    let portal = portal(db).await;
    let mut citizen = Browser::new(&portal);
    let id = citizen.apply().await;
    drain(&portal.ctx).await;
    let package = dropped_package(portal.data.path(), id);

    // The E-Akte files it late in the evening (UTC): in Germany it is the
    // next day already.
    let today = OffsetDateTime::now_utc().date();
    let filed_at = today.with_hms(23, 30, 0).unwrap().assume_utc();
    let german_day = today.next_day().unwrap();
    let dms_id = Uuid::new_v4();
    let confirmation = ImportConfirmation::filed(
        &package.message,
        filed_at,
        Some(dms_id),
        Some("StA-4711".into()),
    );
    let xml = confirmation.to_xml().unwrap();
    assert_valid_xdomea(&xml);
    assert!(
        String::from_utf8_lossy(&xml).contains(&format!("IDSGO>{dms_id}<")),
        "the e-file's id is the message's IDSGO"
    );
    // The xdomea package of the 0630, as the E-Akte drops it.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        confirmation.file_name(),
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut zip, &xml).unwrap();
    let zip = zip.finish().unwrap().into_inner();
    let inbox = inbox(portal.data.path());
    std::fs::create_dir_all(&inbox).unwrap();
    let name = format!("{id}_{}.zip", xdomea::CONFIRMATION_MESSAGE);
    let temp = inbox.join(format!(".{name}.part"));
    std::fs::write(&temp, &zip).unwrap();
    std::fs::rename(&temp, inbox.join(&name)).unwrap();

    let scanned = confirmations::scan_inboxes(&portal.ctx, filed_at).await;
    assert_eq!(
        scanned,
        Scanned {
            applied: 1,
            rejected: 0
        }
    );
    assert_eq!(files_in(&inbox.join("verarbeitet")), vec![name]);
    assert!(files_in(&inbox).is_empty());
    let record = db.db.delivery_record(id).await.unwrap();
    assert_eq!(record.efile_id, Some(dms_id.to_string()));
    assert_eq!(record.efile_reference.as_deref(), Some("StA-4711"));
    assert_eq!(record.filed_at, Some(filed_at));

    let page = citizen
        .get(&format!("/forms/meldung/bestaetigung/{id}"))
        .await
        .text();
    assert!(
        page.contains("in der E-Akte der Behörde abgelegt"),
        "{page}"
    );
    assert_eq!(
        summary_value(&page, "In der E-Akte abgelegt am"),
        format!(
            "{:02}.{:02}.{}",
            german_day.day(),
            u8::from(german_day.month()),
            german_day.year()
        )
    );
}

/// The text of `pdf` as `pdftotext` reads it; `None` (with a note) outside
/// CI when poppler's pdftotext is missing.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file.path())
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("pdftotext missing (CI): {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: pdftotext cannot run ({e})");
            None
        }
    }
}

async fn the_receipt_in_the_package_names_the_reference_and_the_answers(db: &TestDb) {
    let portal = portal(db).await;
    let id = Browser::new(&portal).apply().await;
    drain(&portal.ctx).await;
    // Unpacked as the E-Akte would: the ZIP's PDF entries.
    let bytes =
        std::fs::read(outbox(portal.data.path()).join(xdomea::package_file_name(id))).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let receipt_name = names
        .iter()
        .find(|n| n.contains("_Antrag_") && n.ends_with(".pdf"))
        .unwrap_or_else(|| panic!("no receipt in {names:?}"))
        .clone();
    let mut receipt = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&receipt_name).unwrap(), &mut receipt).unwrap();
    let Some(text) = pdf_text(&receipt) else {
        return;
    };
    let reference = db.db.submission(id).await.unwrap().reference.to_string();
    for expected in [
        reference.as_str(),
        "Meldung eines Hundes",
        "Steueramt Musterstadt",
        NAME,
        EMAIL,
        "Nachweis Quellmalz.pdf",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is not in the receipt:\n{text}"
        );
    }
}

on_both_backends!(
    a_submission_is_delivered_filed_and_its_status_shown,
    a_refusal_marks_it_failed_and_bad_confirmations_are_set_aside,
    confirmations_over_http_need_the_authoritys_token,
    a_failing_transport_is_retried_and_ends_as_a_dead_letter_an_operator_revives,
    the_http_transport_posts_the_package_and_retries_a_busy_endpoint,
    the_smtp_transport_and_the_mails_reach_a_real_smtp_server,
    after_the_retention_period_nothing_personal_remains,
    the_import_endpoints_4xx_is_a_dead_letter_at_once_and_409_counts_as_delivered,
    a_job_whose_worker_dies_at_every_attempt_ends_as_a_dead_letter,
    a_confirmation_zip_in_the_inbox_files_the_submission_with_the_efiles_id,
    the_receipt_in_the_package_names_the_reference_and_the_answers,
);
