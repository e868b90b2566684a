//! Paying the fee of an application, through the router, against the
//! XBezahldienste test double on loopback, on SQLite and PostgreSQL: the
//! application is stored at once, delivered only once paid, exactly once,
//! and a citizen who paid and closed the browser still gets it delivered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::time::Duration;

use amtsweg_server::{
    config::{Config, WorkerConfig},
    delivery::{
        Authorities, DeliveryContext,
        worker::{self, JobOutcome},
    },
    payment::{
        PaymentItem, PaymentProvider, PaymentRequest, PaymentStatus, XBezahldienste,
        XBezahldiensteAuth, XBezahldiensteConfig,
        test_double::{DoubleSettings, Failure, TransactionIds, XBezahldiensteDouble},
    },
    payment_journey::PaymentProviders,
    routes::{AppState, router},
    store::payments::SubmissionPayment,
    xdomea,
};
use axum::{
    Router,
    http::{StatusCode, header},
};
use common::{Browser, Page, TestDb};
use tempfile::TempDir;
use uuid::Uuid;

const DEFINITION: &str = r#"{
  "id": "parken", "version": 1,
  "title": {"de": "Bewohnerparkausweis", "en": "Residents' parking permit"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "parkamt", "name": {"de": "Parkamt Musterstadt", "en": "Parking office"}},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true},
    {"id": "email", "type": "email", "label": {"de": "E-Mail", "en": "E-mail"},
     "autocomplete": "email"}
  ]}],
  "fees": [{"id": "gebuehr", "purpose": {"de": "Gebühr für den Bewohnerparkausweis"},
            "amount_cents": 3050}]
}"#;

const PUBLIC: &str = "http://127.0.0.1:3000";

struct Portal {
    app: Router,
    ctx: DeliveryContext,
    data: TempDir,
    mail: TempDir,
    _definitions: TempDir,
}

fn settings() -> WorkerConfig {
    WorkerConfig {
        // The worker asks the provider again after 25 to 50 ms: soon, but
        // not so soon that `drain` keeps finding the job due.
        retry_base: Duration::from_millis(1),
        retry_max: Duration::from_millis(50),
        payment_poll: Duration::from_millis(50),
        max_attempts: 3,
        ..WorkerConfig::default()
    }
}

/// The portal with the parking office's fees at `double` (or the demo
/// provider without one).
async fn portal(
    db: &TestDb,
    double: Option<&XBezahldiensteDouble>,
    config: WorkerConfig,
) -> Portal {
    let payments = match double {
        Some(double) => Payments::Double(Box::new(double.config())),
        None => Payments::Demo,
    };
    portal_with(db, &[], payments, config).await
}

/// Who collects the fees.
enum Payments {
    /// The demo provider for every authority.
    Demo,
    /// The parking office through XBezahldienste with this configuration.
    Double(Box<XBezahldiensteConfig>),
    /// As this authorities' file says (`PaymentProviders::from_authorities`,
    /// like `amtsweg serve`); `EPAY_PASSWORD` holds the given secret.
    File { toml: String, password: String },
}

/// The portal with the parking permit and `more` definitions (`(file
/// name, JSON)`), paid through `payments`.
async fn portal_with(
    db: &TestDb,
    more: &[(&str, &str)],
    payments: Payments,
    config: WorkerConfig,
) -> Portal {
    let definitions = tempfile::tempdir().unwrap();
    std::fs::write(definitions.path().join("parken.json"), DEFINITION).unwrap();
    for (name, json) in more {
        std::fs::write(definitions.path().join(name), json).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let mail = tempfile::tempdir().unwrap();
    let files = data.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    amtsweg_server::definitions::publish_dir(&db.db, definitions.path())
        .await
        .unwrap();
    let mailer = amtsweg_server::mail::Mailer::files(
        mail.path(),
        "Amtsweg <noreply@amtsweg.test>".parse().unwrap(),
    )
    .unwrap();
    let public = url::Url::parse(PUBLIC).unwrap();
    let (authorities, providers) = match payments {
        Payments::Demo => (
            Authorities::defaults(data.path()),
            PaymentProviders::demo_only(public.clone()),
        ),
        Payments::Double(config) => (
            Authorities::defaults(data.path()),
            PaymentProviders::demo_only(public.clone())
                .with_xbezahldienste("parkamt", *config)
                .unwrap(),
        ),
        Payments::File { toml, password } => {
            let authorities = Authorities::parse(&toml, data.path(), |name| {
                (name == "EPAY_PASSWORD").then(|| password.clone())
            })
            .unwrap();
            let providers =
                PaymentProviders::from_authorities(&authorities, public.clone()).unwrap();
            (authorities, providers)
        }
    };
    let state = AppState::new(
        db.db.clone(),
        "target/no-site-in-tests",
        "127.0.0.1:3000".parse().unwrap(),
        common::upload_storage(&db.db, &files).await,
    )
    .with_public_url(public)
    .with_mailer(mailer)
    .with_payments(providers);
    let ctx = state.delivery_context(authorities, data.path().to_owned(), config);
    let app = router(state.with_delivery(ctx.clone()));
    Portal {
        app,
        ctx,
        data,
        mail,
        _definitions: definitions,
    }
}

impl Browser {
    fn new(portal: &Portal) -> Browser {
        Browser {
            app: portal.app.clone(),
            cookie: None,
        }
    }

    /// Another tab of the same browser: the same session.
    fn tab(&self) -> Browser {
        Browser {
            app: self.app.clone(),
            cookie: self.cookie.clone(),
        }
    }

    /// Fills in and submits the parking permit; the submission's id. The
    /// submit leads to the payment page.
    async fn apply(&mut self) -> Uuid {
        self.apply_to("parken").await
    }

    /// The same for form `form` (its one step `angaben` asks for a name
    /// and an e-mail address).
    async fn apply_to(&mut self, form: &str) -> Uuid {
        let start = self.get(&format!("/forms/{form}")).await;
        assert_eq!(start.status, StatusCode::OK);
        let csrf = start.csrf();
        let started = self
            .post(&format!("/forms/{form}/starten"), format!("_csrf={csrf}"))
            .await;
        assert_eq!(started.location, format!("/forms/{form}/angaben"));
        let saved = self
            .post(
                &format!("/forms/{form}/angaben"),
                format!("_csrf={csrf}&name=Erika+Mustermann&email=erika%40example.org"),
            )
            .await;
        assert_eq!(
            saved.location,
            format!("/forms/{form}/pruefen"),
            "{}",
            saved.body
        );
        let submitted = self
            .post(&format!("/forms/{form}/absenden"), format!("_csrf={csrf}"))
            .await;
        let id = submitted
            .location
            .strip_prefix(&format!("/forms/{form}/bezahlung/"))
            .unwrap_or_else(|| panic!("{} {}", submitted.location, submitted.body));
        Uuid::parse_str(id).unwrap()
    }

    /// Presses "Jetzt bezahlen"; the answer (a redirect or a page).
    async fn press_pay(&mut self, id: Uuid) -> Page {
        self.press_pay_on("parken", id).await
    }

    /// The same on form `form`'s payment page.
    async fn press_pay_on(&mut self, form: &str, id: Uuid) -> Page {
        let page = self.get(&format!("/forms/{form}/bezahlung/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = page.csrf();
        self.post(
            &format!("/forms/{form}/bezahlung/{id}"),
            format!("_csrf={csrf}"),
        )
        .await
    }

    /// The provider sends the citizen back.
    async fn come_back(&mut self, id: Uuid) -> Page {
        self.get(&format!("/forms/parken/bezahlung/{id}/zurueck"))
            .await
    }
}

/// The transaction id of the provider's page the citizen was sent to
/// (the forward page links it).
fn transaction_of(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Weiter zum Bezahldienst"),
        "{}",
        page.body
    );
    let marker = "/paypage/";
    let start = page.body.find(marker).expect("the provider's page") + marker.len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end].to_owned()
}

/// The provider's page the forward page sends the citizen to.
fn provider_link(page: &Page) -> String {
    let marker = "<a class=\"button\" href=\"";
    let start = page.body.find(marker).expect("a link on") + marker.len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end].replace("&amp;", "&")
}

/// The citizen chooses `outcome` (`pay`, `cancel`, `fail`) on the
/// double's payment page, over HTTP as a browser without JavaScript; the
/// status and where the page sends the citizen.
async fn choose_at_provider(page_url: &str, outcome: &str) -> (u16, String) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser
        .post(page_url)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    let location = answer
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (answer.status().as_u16(), location)
}

/// The package that was dropped for `id`.
fn dropped_package(data: &std::path::Path, id: Uuid) -> xdomea::ReceivedPackage {
    let name = xdomea::package_file_name(id);
    let bytes = std::fs::read(data.join("eakte/parkamt/outbox").join(&name)).unwrap();
    xdomea::read_package(&bytes).unwrap()
}

/// Validates `xml` against the xdomea 3.0.0 schema with xmllint; skips
/// (with a note) outside CI when the schema or xmllint is missing.
fn assert_valid_xdomea(xml: &[u8]) {
    use std::path::{Path, PathBuf};
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

async fn drain(ctx: &DeliveryContext) -> Vec<JobOutcome> {
    let mut outcomes = Vec::new();
    while let Some(outcome) = worker::run_one(ctx).await.unwrap() {
        outcomes.push(outcome);
        assert!(outcomes.len() < 50, "{outcomes:?}");
    }
    outcomes
}

fn packages(data: &std::path::Path) -> usize {
    std::fs::read_dir(data.join("eakte/parkamt/outbox"))
        .map(|d| d.flatten().count())
        .unwrap_or(0)
}

fn mails(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().count())
        .unwrap_or(0)
}

async fn kinds(db: &TestDb, id: Uuid) -> Vec<(String, String)> {
    db.db
        .outbox_jobs(id)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.kind, j.status))
        .collect()
}

async fn a_paid_fee_delivers_the_application_once(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;

    // Stored, not delivered: the worker waits for the payment.
    let page = browser.get(&format!("/forms/parken/bezahlung/{id}")).await;
    assert!(page.body.contains("30,50 €"), "{}", page.body);
    assert!(page.body.contains("Jetzt bezahlen"));
    assert!(!page.body.contains("Demo"), "a real provider is not a demo");
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 0);
    let confirmation = browser
        .get(&format!("/forms/parken/bestaetigung/{id}"))
        .await;
    assert!(
        confirmation.body.contains("Zahlung ausstehend"),
        "{}",
        confirmation.body
    );

    let forward = browser.press_pay(id).await;
    let tx = transaction_of(&forward);
    // The transaction id is stored before the citizen leaves.
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1);
    assert_eq!(
        overview.attempts[0].transaction_id.as_deref(),
        Some(tx.as_str())
    );
    assert_eq!(double.transaction(&tx).unwrap().gros_cents, 3050);

    // Coming back before paying proves nothing.
    let early = browser.come_back(id).await;
    assert_eq!(early.location, format!("/forms/parken/bezahlung/{id}"));
    assert_eq!(packages(portal.data.path()), 0);

    assert!(double.complete(&tx, PaymentStatus::Paid));
    let back = browser.come_back(id).await;
    assert_eq!(back.location, format!("/forms/parken/bestaetigung/{id}"));
    // The return twice (a reload): still one delivery.
    let again = browser.come_back(id).await;
    assert_eq!(again.location, format!("/forms/parken/bestaetigung/{id}"));
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    let jobs = kinds(db, id).await;
    assert_eq!(
        jobs.iter().filter(|(k, _)| k == "deliver").count(),
        1,
        "{jobs:?}"
    );
    assert!(jobs.iter().all(|(_, s)| s == "done"), "{jobs:?}");
    assert_eq!(mails(portal.mail.path()), 1, "the confirmation mail");
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.status, SubmissionPayment::Paid);
    // The payment is in the package: the 0605 message (valid xdomea),
    // the JSON data and the receipt PDF.
    let package = dropped_package(portal.data.path(), id);
    assert_valid_xdomea(&package.message_xml);
    let xml = String::from_utf8_lossy(&package.message_xml).into_owned();
    assert!(xml.contains(&tx), "the transaction id in the message");
    assert!(xml.contains("30,50"), "the amount in the message: {xml}");
    let json = package
        .files
        .iter()
        .find(|f| f.name.ends_with(".json"))
        .expect("the JSON data");
    let data: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
    assert_eq!(data["payment"]["transaction_id"], tx.as_str());
    assert_eq!(data["payment"]["amount_cents"], 3050);
    assert_eq!(data["payment"]["provider"], "xbezahldienste");
    assert!(
        data["payment"]["paid_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("20"))
    );
    let pdf = package
        .files
        .iter()
        .find(|f| f.name.ends_with(".pdf"))
        .expect("the receipt");
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // Paid: the payment page leads to the confirmation, a new press charges nothing.
    let page = browser.get(&format!("/forms/parken/bezahlung/{id}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(double.transactions_for(overview.attempts[0].id), 1);
    let confirmation = browser
        .get(&format!("/forms/parken/bestaetigung/{id}"))
        .await;
    assert!(!confirmation.body.contains("Zahlung ausstehend"));
}

async fn cancelled_then_retried_and_paid(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let first = transaction_of(&browser.press_pay(id).await);
    assert!(double.complete(&first, PaymentStatus::Canceled));
    let back = browser.come_back(id).await;
    assert_eq!(back.location, format!("/forms/parken/bezahlung/{id}"));
    let page = browser.get(&back.location).await;
    assert!(
        page.body.contains("Sie haben die Zahlung abgebrochen"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Erneut bezahlen"));
    assert!(page.body.contains("Jetzt nicht bezahlen"), "a way to leave");
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 0, "cancelled: not delivered");

    let second = transaction_of(&browser.press_pay(id).await);
    assert_ne!(first, second, "a new attempt");
    assert!(double.complete(&second, PaymentStatus::Paid));
    assert_eq!(
        browser.come_back(id).await.location,
        format!("/forms/parken/bestaetigung/{id}")
    );
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    let overview = db.db.payment_overview(id).await.unwrap();
    let statuses: Vec<_> = overview.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [PaymentStatus::Canceled, PaymentStatus::Paid]);
    // The first, cancelled transaction turning "paid" later counts nothing twice.
    double.force_status(&first, PaymentStatus::Paid);
    assert!(
        !db.db
            .record_paid(
                overview.attempts[0].id,
                time::OffsetDateTime::now_utc(),
                None,
                time::OffsetDateTime::now_utc()
            )
            .await
            .unwrap()
    );
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(
        kinds(db, id)
            .await
            .iter()
            .filter(|(k, _)| k == "deliver")
            .count(),
        1
    );
}

async fn a_failed_payment_is_not_delivered(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let tx = transaction_of(&browser.press_pay(id).await);
    assert!(double.complete(&tx, PaymentStatus::Failed));
    let back = browser.come_back(id).await;
    let page = browser.get(&back.location).await;
    assert!(
        page.body.contains("Die Zahlung ist fehlgeschlagen"),
        "{}",
        page.body
    );
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 0);
    assert_eq!(
        db.db.payment_overview(id).await.unwrap().status,
        SubmissionPayment::Open
    );
    assert_eq!(
        kinds(db, id).await,
        [("payment".to_owned(), "pending".to_owned())]
    );
}

async fn paid_with_the_browser_closed_is_delivered_by_the_worker(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let tx = transaction_of(&browser.press_pay(id).await);
    // Paid at the provider; the citizen never comes back.
    assert!(double.complete(&tx, PaymentStatus::Paid));
    tokio::time::sleep(Duration::from_millis(120)).await;
    drain(&portal.ctx).await;
    assert_eq!(
        packages(portal.data.path()),
        1,
        "the worker asked the provider"
    );
    assert_eq!(
        mails(portal.mail.path()),
        1,
        "and the confirmation went out"
    );
    assert_eq!(
        db.db.payment_overview(id).await.unwrap().status,
        SubmissionPayment::Paid
    );
}

async fn an_unpaid_fee_is_given_up_after_the_abandonment_period(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let config = WorkerConfig {
        payment_abandon_after: Duration::ZERO,
        ..settings()
    };
    let portal = portal(db, Some(&double), config).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let outcomes = drain(&portal.ctx).await;
    assert_eq!(outcomes, [JobOutcome::Dead]);
    assert_eq!(
        kinds(db, id).await,
        [("payment".to_owned(), "dead".to_owned())]
    );
    let dead = db
        .db
        .jobs(amtsweg_server::store::JobFilter::Dead)
        .await
        .unwrap();
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("payment abandoned: the fee was not paid")
    );
    assert_eq!(packages(portal.data.path()), 0);
}

async fn a_provider_that_is_down_loses_nothing(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    double.fail_next(Failure::Status(503));
    let down = browser.press_pay(id).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        down.body
            .contains("Bezahldienst ist gerade nicht erreichbar"),
        "{}",
        down.body
    );
    assert!(down.body.contains("Ihr Antrag ist gespeichert"));
    // Trying again works, with the same attempt (idempotency key).
    let tx = transaction_of(&browser.press_pay(id).await);
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1);
    assert!(double.complete(&tx, PaymentStatus::Paid));
    // Down when the citizen comes back: the page says so, the worker finds it later.
    double.fail_next(Failure::Status(503));
    let back = browser.come_back(id).await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(
        back.body.contains("konnte gerade nicht abgefragt werden"),
        "{}",
        back.body
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
}

async fn the_demo_provider_completes_the_journey(db: &TestDb) {
    let portal = portal(db, None, settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let page = browser.get(&format!("/forms/parken/bezahlung/{id}")).await;
    assert!(
        page.body
            .contains("Demo-Bezahldienst – es wird kein Geld bewegt")
    );
    let english = browser
        .get(&format!("/forms/parken/bezahlung/{id}?lang=en"))
        .await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Pay the fee"), "{}", english.body);
    assert!(
        english
            .body
            .contains("Demo payment provider – no money is moved")
    );
    assert!(english.body.contains("Residents' parking permit"));
    // Another form's path does not show it.
    let other = browser
        .get(&format!("/forms/hundesteuer/bezahlung/{id}"))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let to_demo = browser.press_pay(id).await;
    assert_eq!(to_demo.status, StatusCode::SEE_OTHER);
    let demo_path = to_demo.location.strip_prefix(PUBLIC).unwrap().to_owned();
    assert!(
        demo_path.starts_with("/demo-bezahlung/demo-"),
        "{demo_path}"
    );
    let demo = browser.get(&demo_path).await;
    assert!(demo.body.contains("Bezahlen (Demo)"), "{}", demo.body);
    assert!(demo.body.contains("Fehlschlag simulieren"));
    let csrf = demo.csrf();
    let cancelled = browser
        .post(&demo_path, format!("_csrf={csrf}&_action=cancel"))
        .await;
    let back = browser
        .get(cancelled.location.strip_prefix(PUBLIC).unwrap())
        .await;
    assert_eq!(back.location, format!("/forms/parken/bezahlung/{id}"));
    let again = browser.press_pay(id).await;
    // A worker in another process does not see the demo's payments: it
    // keeps asking, and gives up nothing the citizen is still paying.
    let mut elsewhere = portal.ctx.clone();
    elsewhere.payments = std::sync::Arc::new(PaymentProviders::demo_only(
        url::Url::parse(PUBLIC).unwrap(),
    ));
    let outcomes = drain(&elsewhere).await;
    assert!(
        outcomes.iter().all(|o| matches!(o, JobOutcome::Retry(_))),
        "{outcomes:?}"
    );
    let latest = db.db.payment_overview(id).await.unwrap();
    assert_eq!(latest.latest().unwrap().status, PaymentStatus::Initial);
    let demo_path = again.location.strip_prefix(PUBLIC).unwrap().to_owned();
    let csrf = browser.get(&demo_path).await.csrf();
    let paid = browser
        .post(&demo_path, format!("_csrf={csrf}&_action=pay"))
        .await;
    let back = browser
        .get(paid.location.strip_prefix(PUBLIC).unwrap())
        .await;
    assert_eq!(back.location, format!("/forms/parken/bestaetigung/{id}"));
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
}

/// Pressing "Jetzt bezahlen" again, or in a second tab, while the
/// transaction is still open at the provider: the same transaction, one
/// created at the provider; paid once, delivered once.
async fn paying_again_while_open_goes_to_the_same_transaction(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let first = browser.press_pay(id).await;
    let tx = transaction_of(&first);
    let page_url = provider_link(&first);
    assert_eq!(page_url, double.pay_page_url(&tx).as_str());

    // Back without paying (the browser's back button), pay again.
    let back = browser.come_back(id).await;
    assert_eq!(back.location, format!("/forms/parken/bezahlung/{id}"));
    let again = browser.press_pay(id).await;
    assert_eq!(transaction_of(&again), tx);
    assert_eq!(provider_link(&again), page_url);
    // The payment page in a second tab.
    let mut tab = browser.tab();
    let page = tab.get(&format!("/forms/parken/bezahlung/{id}")).await;
    assert!(page.body.contains("Jetzt bezahlen"), "{}", page.body);
    let from_tab = tab.press_pay(id).await;
    assert_eq!(transaction_of(&from_tab), tx);
    assert_eq!(provider_link(&from_tab), page_url);

    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1, "{:?}", overview.attempts);
    let attempt = overview.attempts[0].id;
    assert_eq!(double.create_attempts(attempt), 1, "created once");
    assert_eq!(double.transactions_for(attempt), 1);

    // Paid in one tab; the provider's page in the other cannot pay again.
    let (status, location) = choose_at_provider(&page_url, "pay").await;
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("{PUBLIC}/forms/parken/bezahlung/{id}/zurueck")
    );
    assert_eq!(choose_at_provider(&page_url, "pay").await.0, 409);
    assert_eq!(
        browser.come_back(id).await.location,
        format!("/forms/parken/bestaetigung/{id}")
    );
    // The second tab's button after the payment: the confirmation.
    let csrf = page.csrf();
    let late = tab
        .post(
            &format!("/forms/parken/bezahlung/{id}"),
            format!("_csrf={csrf}"),
        )
        .await;
    assert_eq!(late.location, format!("/forms/parken/bestaetigung/{id}"));
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(mails(portal.mail.path()), 1);
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1);
    assert_eq!(overview.attempts[0].status, PaymentStatus::Paid);
    assert_eq!(double.create_attempts(attempt), 1);
}

/// Two tabs press "Jetzt bezahlen" at once; the provider is slow to
/// answer the first: both tabs are sent to one transaction.
async fn two_tabs_paying_at_once_get_one_transaction(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let (mut one, mut two) = (browser.tab(), browser.tab());
    double.fail_next(Failure::Delay(Duration::from_millis(800)));
    let (a, b) = tokio::join!(one.press_pay(id), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        two.press_pay(id).await
    });
    let (a, b) = (transaction_of(&a), transaction_of(&b));
    assert_eq!(a, b, "both tabs at the same transaction");
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1, "{:?}", overview.attempts);
    assert_eq!(double.transactions_for(overview.attempts[0].id), 1);
    assert!(double.complete(&a, PaymentStatus::Paid));
    assert_eq!(
        browser.come_back(id).await.location,
        format!("/forms/parken/bestaetigung/{id}")
    );
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
}

/// The same with the demo provider: pressing again, or in a second tab,
/// continues the same demo payment.
async fn paying_again_on_the_demo_provider_continues_the_same_payment(db: &TestDb) {
    let portal = portal(db, None, settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let first = browser.press_pay(id).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let demo_path = first.location.strip_prefix(PUBLIC).unwrap().to_owned();
    assert!(
        demo_path.starts_with("/demo-bezahlung/demo-"),
        "{demo_path}"
    );
    let again = browser.press_pay(id).await;
    assert_eq!(again.location, first.location);
    let mut tab = browser.tab();
    assert_eq!(tab.press_pay(id).await.location, first.location);
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1);
    let tx = demo_path.strip_prefix("/demo-bezahlung/").unwrap();
    assert_eq!(overview.attempts[0].transaction_id.as_deref(), Some(tx));
    let demo = portal.ctx.payments.demo().payment(tx).unwrap();
    assert_eq!(demo.idempotency_key, overview.attempts[0].id);

    // Both tabs show the demo page; paid in one, "paid" again in the
    // other: counted once.
    let csrfs = [
        browser.get(&demo_path).await.csrf(),
        tab.get(&demo_path).await.csrf(),
    ];
    for (who, csrf) in [&mut browser, &mut tab].into_iter().zip(csrfs) {
        let paid = who
            .post(&demo_path, format!("_csrf={csrf}&_action=pay"))
            .await;
        let back = who.get(paid.location.strip_prefix(PUBLIC).unwrap()).await;
        assert_eq!(back.location, format!("/forms/parken/bestaetigung/{id}"));
    }
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(
        kinds(db, id)
            .await
            .iter()
            .filter(|(k, _)| k == "deliver")
            .count(),
        1
    );
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1);
    assert_eq!(overview.status, SubmissionPayment::Paid);
}

/// The operator's `amtsweg outbox retry --all-dead`, against the
/// portal's database.
async fn outbox_retry_all_dead(db: &TestDb, portal: &Portal) {
    let url = db.url.clone();
    let data = portal.data.path().display().to_string();
    let config = Config::from_lookup(|name| match name {
        "AMTSWEG_DATABASE_URL" => Some(url.clone()),
        "AMTSWEG_DATA_DIR" => Some(data.clone()),
        _ => None,
    })
    .unwrap();
    amtsweg_server::commands::outbox_retry(&config, &[], true)
        .await
        .unwrap();
}

fn deliveries(jobs: &[(String, String)]) -> usize {
    jobs.iter().filter(|(k, _)| k == "deliver").count()
}

/// Given up unpaid; `amtsweg outbox retry` asks the provider once more
/// (still unpaid: given up again); the citizen pays late without coming
/// back; the next retry finds it paid and the application is delivered,
/// once.
async fn abandoned_then_paid_late_is_delivered_once_after_outbox_retry(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let config = WorkerConfig {
        payment_abandon_after: Duration::ZERO,
        ..settings()
    };
    let portal = portal(db, Some(&double), config).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let forward = browser.press_pay(id).await;
    let tx = transaction_of(&forward);
    assert_eq!(drain(&portal.ctx).await, [JobOutcome::Dead]);
    let dead = db
        .db
        .jobs(amtsweg_server::store::JobFilter::Dead)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("payment abandoned: the fee was not paid")
    );

    let asked = double.api_requests();
    outbox_retry_all_dead(db, &portal).await;
    assert_eq!(drain(&portal.ctx).await, [JobOutcome::Dead]);
    assert_eq!(double.api_requests(), asked + 1, "asked once more");
    assert_eq!(packages(portal.data.path()), 0);

    // Paid at the provider after it was given up; the citizen does not
    // come back. A dead letter is not asked again by itself.
    let (status, _) = choose_at_provider(&provider_link(&forward), "pay").await;
    assert_eq!(status, 303);
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(drain(&portal.ctx).await, []);
    assert_eq!(packages(portal.data.path()), 0);

    let asked = double.api_requests();
    outbox_retry_all_dead(db, &portal).await;
    let outcomes = drain(&portal.ctx).await;
    assert!(
        outcomes.iter().all(|o| *o == JobOutcome::Done),
        "{outcomes:?}"
    );
    assert_eq!(double.api_requests(), asked + 1, "asked once more");
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(mails(portal.mail.path()), 1, "the confirmation mail");
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.status, SubmissionPayment::Paid);
    assert_eq!(
        overview.paid().unwrap().transaction_id.as_deref(),
        Some(tx.as_str())
    );
    let jobs = kinds(db, id).await;
    assert_eq!(deliveries(&jobs), 1, "{jobs:?}");
    assert!(jobs.iter().all(|(_, s)| s == "done"), "{jobs:?}");

    // Retrying again, and the citizen's late return: nothing twice.
    outbox_retry_all_dead(db, &portal).await;
    assert_eq!(
        browser.come_back(id).await.location,
        format!("/forms/parken/bestaetigung/{id}")
    );
    assert_eq!(drain(&portal.ctx).await, []);
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(mails(portal.mail.path()), 1);
    assert_eq!(deliveries(&kinds(db, id).await), 1);
}

/// Given up before the citizen even pressed "pay"; later the citizen
/// opens the payment page from the confirmation, pays and comes back:
/// delivered once, and the dead letter is settled (nothing left for
/// `amtsweg outbox retry`).
async fn abandoned_then_paid_on_the_page_is_delivered_once(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let config = WorkerConfig {
        payment_abandon_after: Duration::ZERO,
        ..settings()
    };
    let portal = portal(db, Some(&double), config).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    assert_eq!(drain(&portal.ctx).await, [JobOutcome::Dead]);
    let confirmation = browser
        .get(&format!("/forms/parken/bestaetigung/{id}"))
        .await;
    assert!(confirmation.body.contains("Zahlung ausstehend"));
    assert!(
        confirmation
            .body
            .contains(&format!("/forms/parken/bezahlung/{id}")),
        "{}",
        confirmation.body
    );

    let forward = browser.press_pay(id).await;
    let (status, _) = choose_at_provider(&provider_link(&forward), "pay").await;
    assert_eq!(status, 303);
    assert_eq!(
        browser.come_back(id).await.location,
        format!("/forms/parken/bestaetigung/{id}")
    );
    let jobs = kinds(db, id).await;
    assert!(
        jobs.contains(&("payment".to_owned(), "done".to_owned())),
        "{jobs:?}"
    );
    assert!(
        db.db
            .jobs(amtsweg_server::store::JobFilter::Dead)
            .await
            .unwrap()
            .is_empty()
    );
    outbox_retry_all_dead(db, &portal).await;
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(mails(portal.mail.path()), 1);
    let jobs = kinds(db, id).await;
    assert_eq!(deliveries(&jobs), 1, "{jobs:?}");
    assert!(jobs.iter().all(|(_, s)| s == "done"), "{jobs:?}");
}

/// The first "pay" times out, but the provider had stored the
/// transaction: the citizen, who never saw its page, is sent to one
/// transaction — the stored one where the provider can find it by the
/// request id, else a new attempt — pays once, and it is delivered once.
async fn timed_out_after_the_provider_stored_it(db: &TestDb, ids: TransactionIds) {
    let double = XBezahldiensteDouble::start(DoubleSettings {
        transaction_ids: ids,
        ..DoubleSettings::default()
    })
    .await
    .unwrap();
    let mut provider_config = double.config();
    provider_config.timeout = Duration::from_millis(300);
    let portal = portal_with(
        db,
        &[],
        Payments::Double(Box::new(provider_config)),
        settings(),
    )
    .await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    double.fail_next(Failure::Delay(Duration::from_millis(600)));
    let lost = browser.press_pay(id).await;
    assert_eq!(
        lost.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        lost.body
    );
    assert!(
        lost.body
            .contains("Bezahldienst ist gerade nicht erreichbar"),
        "{}",
        lost.body
    );
    assert!(lost.body.contains("Ihr Antrag ist gespeichert"));
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.attempts.len(), 1);
    let first = overview.attempts[0].clone();
    assert_eq!(first.transaction_id, None, "the portal never learnt it");

    // The double drops a request whose client gave up before it stores
    // anything; what the provider stored of the lost exchange is made by
    // the same request from another client (see payment_provider.rs).
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(double.transactions_for(first.id), 0);
    let reference = db.db.submission(id).await.unwrap().reference.to_string();
    let stored = XBezahldienste::new(double.config())
        .unwrap()
        .create(&PaymentRequest {
            idempotency_key: first.id,
            reference,
            purpose: first.purpose.clone(),
            items: vec![PaymentItem {
                description: "Gebühr für den Bewohnerparkausweis".into(),
                amount_cents: 3050,
                quantity: 1,
                reference: Some("gebuehr".into()),
                booking_data: Default::default(),
            }],
            total_cents: 3050,
            return_url: url::Url::parse(&format!("{PUBLIC}/forms/parken/bezahlung/{id}/zurueck"))
                .unwrap(),
            notify_url: None,
            lang: amtsweg_forms::Lang::De,
        })
        .await
        .unwrap();
    // Meanwhile the worker has nothing to ask.
    tokio::time::sleep(Duration::from_millis(60)).await;
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 0);

    let again = browser.press_pay(id).await;
    let tx = transaction_of(&again);
    // The payment page stays open in another tab.
    let old_page = browser.get(&format!("/forms/parken/bezahlung/{id}")).await;
    let overview = db.db.payment_overview(id).await.unwrap();
    match ids {
        TransactionIds::RequestId => {
            assert_eq!(tx, stored.transaction_id, "the stored transaction");
            assert_eq!(overview.attempts.len(), 1, "{:?}", overview.attempts);
        }
        TransactionIds::Own => {
            assert_ne!(tx, stored.transaction_id, "not the unseen one");
            let statuses: Vec<_> = overview.attempts.iter().map(|a| a.status).collect();
            assert_eq!(statuses, [PaymentStatus::Failed, PaymentStatus::Initial]);
            assert_eq!(overview.attempts[0].transaction_id, None);
            assert_eq!(double.transactions_for(overview.attempts[1].id), 1);
        }
    }
    assert_eq!(double.transactions_for(first.id), 1);
    let (status, _) = choose_at_provider(&provider_link(&again), "pay").await;
    assert_eq!(status, 303);
    assert_eq!(
        browser.come_back(id).await.location,
        format!("/forms/parken/bestaetigung/{id}")
    );
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    assert_eq!(mails(portal.mail.path()), 1);
    assert_eq!(deliveries(&kinds(db, id).await), 1);
    let overview = db.db.payment_overview(id).await.unwrap();
    assert_eq!(overview.status, SubmissionPayment::Paid);
    let paid: Vec<_> = overview
        .attempts
        .iter()
        .filter(|a| a.status == PaymentStatus::Paid)
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].transaction_id.as_deref(), Some(tx.as_str()));
    if ids == TransactionIds::Own {
        // The unseen transaction stays open at the provider, unpaid.
        assert_eq!(
            double.transaction(&stored.transaction_id).unwrap().status,
            PaymentStatus::Initial
        );
    }
    // Paid: "pay" on the old page leads to the confirmation, creates nothing.
    let attempts = overview.attempts.len();
    let done = browser
        .post(
            &format!("/forms/parken/bezahlung/{id}"),
            format!("_csrf={}", old_page.csrf()),
        )
        .await;
    assert_eq!(done.location, format!("/forms/parken/bestaetigung/{id}"));
    assert_eq!(
        db.db.payment_overview(id).await.unwrap().attempts.len(),
        attempts
    );
}

async fn timed_out_after_the_provider_stored_it_own_ids(db: &TestDb) {
    timed_out_after_the_provider_stored_it(db, TransactionIds::Own).await;
}

async fn timed_out_after_the_provider_stored_it_request_ids(db: &TestDb) {
    timed_out_after_the_provider_stored_it(db, TransactionIds::RequestId).await;
}

/// The text of `pdf` as `pdftotext` reads it, whitespace collapsed;
/// `None` (with a note) outside CI when pdftotext is missing.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let run = std::process::Command::new("pdftotext")
        .arg(file.path())
        .arg("-")
        .output();
    match run {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("pdftotext missing (CI)")
        }
        Err(_) => {
            eprintln!("SKIPPED: pdftotext (poppler-utils) missing");
            None
        }
    }
}

/// The receipt PDF in the ZIP the authority finds in its drop folder
/// names the payment: amount, purpose, transaction id and time.
async fn the_delivered_receipt_names_the_payment(db: &TestDb) {
    use std::io::Read;
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let tx = transaction_of(&browser.press_pay(id).await);
    assert!(double.complete(&tx, PaymentStatus::Paid));
    browser.come_back(id).await;
    drain(&portal.ctx).await;

    let outbox = portal.data.path().join("eakte/parkamt/outbox");
    let zips: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(zips.len(), 1, "{zips:?}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zips[0]).unwrap()).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    let pdfs: Vec<&String> = names.iter().filter(|n| n.ends_with(".pdf")).collect();
    assert_eq!(pdfs.len(), 1, "one receipt in {names:?}");
    let mut pdf = Vec::new();
    archive
        .by_name(pdfs[0])
        .unwrap()
        .read_to_end(&mut pdf)
        .unwrap();
    let Some(text) = pdf_text(&pdf) else {
        return;
    };
    let paid = db.db.paid_attempt(id).await.unwrap().expect("paid");
    assert_eq!(paid.transaction_id.as_deref(), Some(tx.as_str()));
    let paid_at = paid.paid_at.unwrap();
    for expected in [
        "Zahlung",
        "Betrag",
        "30,50 €",
        "Verwendungszweck",
        "Gebühr: Bewohnerparkausweis",
        "Transaktionsnummer",
        &tx,
        "Bezahlt am",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the receipt: {text}"
        );
    }
    // When it was paid, in German time (CET or CEST).
    let shown = [time::macros::offset!(+1), time::macros::offset!(+2)].map(|offset| {
        let t = paid_at.to_offset(offset);
        format!(
            "{:02}.{:02}.{}, {:02}:{:02} Uhr",
            t.day(),
            u8::from(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        )
    });
    assert!(
        shown.iter().any(|s| text.contains(s.as_str())),
        "{shown:?} not in the receipt: {text}"
    );
}

/// A second form whose authority has no `[authority.payment]`.
const DOG_TAX: &str = r#"{
  "id": "hund", "version": 1,
  "title": {"de": "Hundesteuer-Anmeldung", "en": "Dog tax registration"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "steueramt", "name": {"de": "Steueramt Musterstadt", "en": "Tax office"}},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true},
    {"id": "email", "type": "email", "label": {"de": "E-Mail", "en": "E-mail"},
     "autocomplete": "email"}
  ]}],
  "fees": [{"id": "marke", "purpose": {"de": "Gebühr für die Hundesteuermarke"},
            "amount_cents": 1200}]
}"#;

/// The authorities' file names XBezahldienste for the parking office
/// only (`PaymentProviders::from_authorities`, as `amtsweg serve` builds
/// it): its fee is paid there, the tax office's at the demo provider.
async fn each_authority_pays_through_its_configured_provider(db: &TestDb) {
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let XBezahldiensteAuth::Basic { username, password } = double.config().auth else {
        panic!("the default double takes HTTP Basic");
    };
    let toml = format!(
        r#"
[[authority]]
id = "parkamt"
name = "Parkamt Musterstadt"

[authority.payment]
kind = "xbezahldienste"
endpoint = "{endpoint}"
originator_id = "amtsweg-test"
endpoint_id = "16051000"
username = "{username}"
password_env = "EPAY_PASSWORD"
"#,
        endpoint = double.endpoint(),
    );
    let payments = Payments::File {
        toml,
        password: password.expose().to_owned(),
    };
    let portal = portal_with(db, &[("hund.json", DOG_TAX)], payments, settings()).await;
    assert_eq!(
        portal.ctx.payments.for_authority("parkamt").name(),
        "xbezahldienste"
    );
    assert_eq!(
        portal.ctx.payments.for_authority("steueramt").name(),
        "demo"
    );

    let mut browser = Browser::new(&portal);
    let parking = browser.apply_to("parken").await;
    let page = browser
        .get(&format!("/forms/parken/bezahlung/{parking}"))
        .await;
    assert!(!page.body.contains("Demo"), "{}", page.body);
    let tx = transaction_of(&browser.press_pay_on("parken", parking).await);
    assert_eq!(double.transaction(&tx).unwrap().gros_cents, 3050);

    let dog = browser.apply_to("hund").await;
    let page = browser.get(&format!("/forms/hund/bezahlung/{dog}")).await;
    assert!(
        page.body
            .contains("Demo-Bezahldienst – es wird kein Geld bewegt"),
        "{}",
        page.body
    );
    let to_demo = browser.press_pay_on("hund", dog).await;
    assert_eq!(to_demo.status, StatusCode::SEE_OTHER);
    let demo_path = to_demo.location.strip_prefix(PUBLIC).unwrap().to_owned();
    assert!(
        demo_path.starts_with("/demo-bezahlung/demo-"),
        "{demo_path}"
    );
    let attempt = |id| async move { db.db.payment_overview(id).await.unwrap().attempts[0].clone() };
    assert_eq!(attempt(parking).await.provider, "xbezahldienste");
    assert_eq!(attempt(dog).await.provider, "demo");
    assert_eq!(
        double.transactions_for(attempt(dog).await.id),
        0,
        "the tax office's fee never reaches the parking office's provider"
    );

    // Both paid, each where it was made; both delivered.
    assert!(double.complete(&tx, PaymentStatus::Paid));
    assert_eq!(
        browser.come_back(parking).await.location,
        format!("/forms/parken/bestaetigung/{parking}")
    );
    let csrf = browser.get(&demo_path).await.csrf();
    let paid = browser
        .post(&demo_path, format!("_csrf={csrf}&_action=pay"))
        .await;
    let back = browser
        .get(paid.location.strip_prefix(PUBLIC).unwrap())
        .await;
    assert_eq!(back.location, format!("/forms/hund/bestaetigung/{dog}"));
    drain(&portal.ctx).await;
    assert_eq!(packages(portal.data.path()), 1);
    let taxes = std::fs::read_dir(portal.data.path().join("eakte/steueramt/outbox"))
        .unwrap()
        .count();
    assert_eq!(taxes, 1);
    for id in [parking, dog] {
        assert_eq!(
            db.db.payment_overview(id).await.unwrap().status,
            SubmissionPayment::Paid
        );
    }
}

/// The store's side of two tabs: one request stores the transaction it
/// created, the other (which met it as "already exists") gives the
/// attempt up. Whichever comes first wins, the other learns it lost: never
/// both (a citizen sent to a transaction that was given up), never
/// neither. Run many times with both at once.
async fn an_attempt_is_either_recorded_or_given_up_never_both(db: &TestDb) {
    use amtsweg_server::store::payments::NewAttempt;
    let double = XBezahldiensteDouble::start_default().await.unwrap();
    let portal = portal(db, Some(&double), settings()).await;
    let mut browser = Browser::new(&portal);
    let id = browser.apply().await;
    let now = time::OffsetDateTime::now_utc();
    let (mut recorded, mut given_up) = (0, 0);
    for round in 0..20 {
        let NewAttempt::Attempt(attempt) = db
            .db
            .new_payment_attempt(id, "xbezahldienste", "Gebühr", now)
            .await
            .unwrap()
        else {
            panic!("no attempt");
        };
        let tx = format!("tx-{round}");
        let (record, give_up) = tokio::join!(
            db.db
                .record_payment_created(attempt.id, &tx, "https://pay.example/x"),
            db.db.give_up_uncreated_attempt(attempt.id, now),
        );
        let (record, give_up) = (record.unwrap(), give_up.unwrap());
        assert!(
            record != give_up,
            "round {round}: recorded {record}, given up {give_up}"
        );
        let stored = db.db.payment_overview(id).await.unwrap();
        let stored = stored.attempts.iter().find(|a| a.id == attempt.id).unwrap();
        if record {
            recorded += 1;
            assert_eq!(stored.status, PaymentStatus::Initial);
            assert_eq!(stored.transaction_id.as_deref(), Some(tx.as_str()));
            // Not given up later either, and the next round needs a new attempt.
            assert!(
                !db.db
                    .give_up_uncreated_attempt(attempt.id, now)
                    .await
                    .unwrap()
            );
            db.db
                .record_payment_unpaid(attempt.id, PaymentStatus::Canceled, now)
                .await
                .unwrap();
        } else {
            given_up += 1;
            assert_eq!(stored.status, PaymentStatus::Failed);
            assert!(
                !db.db
                    .record_payment_created(attempt.id, &tx, "https://pay.example/x")
                    .await
                    .unwrap()
            );
        }
    }
    println!(
        "{}: recorded {recorded}, given up {given_up}",
        db.db.backend()
    );
}

on_both_backends!(
    an_attempt_is_either_recorded_or_given_up_never_both,
    a_paid_fee_delivers_the_application_once,
    cancelled_then_retried_and_paid,
    a_failed_payment_is_not_delivered,
    paid_with_the_browser_closed_is_delivered_by_the_worker,
    an_unpaid_fee_is_given_up_after_the_abandonment_period,
    a_provider_that_is_down_loses_nothing,
    the_demo_provider_completes_the_journey,
    paying_again_while_open_goes_to_the_same_transaction,
    two_tabs_paying_at_once_get_one_transaction,
    paying_again_on_the_demo_provider_continues_the_same_payment,
    each_authority_pays_through_its_configured_provider,
    the_delivered_receipt_names_the_payment,
    abandoned_then_paid_late_is_delivered_once_after_outbox_retry,
    abandoned_then_paid_on_the_page_is_delivered_once,
    timed_out_after_the_provider_stored_it_own_ids,
    timed_out_after_the_provider_stored_it_request_ids,
);
