//! The back-office's delivery list (`/verwaltung/antraege`) through the
//! router, as a caseworker would check it: their authority's submissions
//! with the right delivery status (received, waiting for payment,
//! delivered, filed with the e-file id, refused, dead letter with attempts
//! and last error) and deletion date (due, or deleted on), no other
//! authority's, no personal data; an administrator sees all; anonymous →
//! login, citizen and editor → 403; filters, paging, English; retrying a
//! dead letter (with the CSRF token, by the right authority only). Every
//! test runs on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_forms::{AccountType, TrustLevel};
use amtsweg_server::{
    auth::{StaffRoles, testing},
    config::WorkerConfig,
    db::Db,
    delivery::Authorities,
    routes::router,
    store::JobFilter,
};
use axum::{
    Router,
    http::{StatusCode, header},
};
use common::{Browser, Page, TestDb};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The applicant's name in every submission's answers: it must never
/// appear in the list.
const APPLICANT: &str = "Wilhelmine Zwiebelkuchen";

fn definition(id: &str, title: (&str, &str), authority: (&str, &str, &str)) -> String {
    json!({
        "id": id, "version": 1,
        "title": {"de": title.0, "en": title.1},
        "summary": {"de": "Kurz", "en": "Short"},
        "authority": {"id": authority.0, "name": {"de": authority.1, "en": authority.2}},
        "retention_days": 30,
        "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
            {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}}]}]
    })
    .to_string()
}

async fn app(db: &Db) -> Router {
    app_with(db, None).await
}

/// The app; with `data_dir`, also the delivery (packages under
/// `data_dir/packages`).
async fn app_with(db: &Db, data_dir: Option<&std::path::Path>) -> Router {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hund.json"),
        definition(
            "hund",
            ("Hundeanmeldung", "Dog registration"),
            ("lra-jena", "Landratsamt Jena", "District office Jena"),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("parken.json"),
        definition(
            "parken",
            ("Parkausweis", "Parking permit"),
            ("stadt-erfurt", "Stadt Erfurt", "City of Erfurt"),
        ),
    )
    .unwrap();
    let state = common::app_state(db, dir.path()).await;
    let auth = common::test_auth();
    let state = match data_dir {
        Some(data) => {
            let ctx = state.delivery_context(
                Authorities::defaults(data),
                data.to_owned(),
                WorkerConfig::default(),
            );
            state.with_delivery(ctx)
        }
        None => state,
    };
    router(state.with_auth(auth))
}

impl Page {
    /// How many submissions the table lists.
    fn rows(&self) -> usize {
        self.body.matches("<th scope=\"row\">").count()
    }

    /// Where `text` is on the page (panics if it is not).
    fn at(&self, text: &str) -> usize {
        self.body
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} not on the page:\n{}", self.body))
    }

    /// The table row of `reference`.
    fn row(&self, reference: &str) -> &str {
        let start = self.at(&format!("<th scope=\"row\">{reference}</th>"));
        let end = self.body[start..].find("</tr>").unwrap() + start;
        &self.body[start..end]
    }
}

async fn browser(db: &Db, app: &Router, roles: Option<StaffRoles>) -> Browser {
    let login = match roles {
        Some(roles) => testing::staff_login(roles),
        None => testing::login(Some(TrustLevel::Substanziell), AccountType::Citizen),
    };
    let session = testing::logged_in_session(db, &login).await.unwrap();
    Browser::with_session(app, &session)
}

fn caseworker(authority: &str) -> Option<StaffRoles> {
    Some(StaffRoles {
        caseworker_of: vec![authority.to_owned()],
        ..StaffRoles::default()
    })
}

fn admin() -> Option<StaffRoles> {
    Some(StaffRoles {
        admin: true,
        ..StaffRoles::default()
    })
}

/// A submission of form `form_id`, submitted at `at`.
async fn submit(db: &Db, form_id: &str, at: OffsetDateTime, fee_cents: u32) -> (Uuid, String) {
    let expires = OffsetDateTime::now_utc() + Duration::days(7);
    let (draft, _) = db.create_draft(form_id, 1, expires).await.unwrap();
    let submission = db
        .submit(draft.id, &json!({ "name": APPLICANT }), fee_cents, at)
        .await
        .unwrap();
    (submission.id, submission.reference.to_string())
}

/// The submissions of both authorities in every delivery state.
struct Seeded {
    base: OffsetDateTime,
    erfurt_delivered: String,
    jena_dead: (Uuid, String),
    erfurt_dead: (Uuid, String),
    jena_filed: String,
    jena_purged: String,
    jena_payment: String,
    erfurt_received: String,
    erfurt_refused: String,
}

async fn seed(db: &Db) -> Seeded {
    let now = OffsetDateTime::now_utc();
    let base = now - Duration::days(10);
    // Leased one at a time while it is the only job due.
    let (_, erfurt_delivered) = submit(db, "parken", base, 0).await;
    let job = db
        .lease_job(now, Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert!(db.finish_delivery(&job, now, false).await.unwrap());
    let jena_dead = submit(db, "hund", base + Duration::hours(1), 0).await;
    let job = db
        .lease_job(now, Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.submission_id, jena_dead.0);
    assert!(
        db.bury_job(&job, now, "the E-Akte answered 503 Service Unavailable")
            .await
            .unwrap()
    );

    let erfurt_dead = submit(db, "parken", base + Duration::minutes(90), 0).await;
    let job = db
        .lease_job(now, Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.submission_id, erfurt_dead.0);
    assert!(db.bury_job(&job, now, "drop folder missing").await.unwrap());

    let (filed, jena_filed) = submit(db, "hund", base + Duration::hours(2), 0).await;
    let filed_at = base + Duration::hours(3);
    db.record_filed(
        filed,
        filed_at,
        Some("EA-4711"),
        None,
        filed_at + Duration::days(30),
    )
    .await
    .unwrap();
    let (purged, jena_purged) = submit(db, "hund", base - Duration::days(40), 0).await;
    db.record_filed(
        purged,
        base - Duration::days(39),
        Some("EA-1"),
        None,
        base - Duration::days(9),
    )
    .await
    .unwrap();
    db.purge_submission(purged, base - Duration::days(8))
        .await
        .unwrap();
    let (_, jena_payment) = submit(db, "hund", base + Duration::hours(4), 1500).await;
    let (_, erfurt_received) = submit(db, "parken", base + Duration::hours(5), 0).await;
    let (refused, erfurt_refused) = submit(db, "parken", base + Duration::hours(6), 0).await;
    db.record_refused(refused, "Aktenplan unbekannt")
        .await
        .unwrap();
    Seeded {
        base,
        erfurt_delivered,
        jena_dead,
        erfurt_dead,
        jena_filed,
        jena_purged,
        jena_payment,
        erfurt_received,
        erfurt_refused,
    }
}

/// `dd.mm.yyyy` of `t` in German time.
fn german_day(t: OffsetDateTime) -> String {
    let t = amtsweg_server::resume::german_time(t);
    format!("{:02}.{:02}.{}", t.day(), u8::from(t.month()), t.year())
}

async fn a_caseworker_sees_their_authority_with_status_and_deletion_date(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let s = seed(db).await;
    let mut jena = browser(db, &app, caseworker("lra-jena")).await;

    let start = jena.get("/verwaltung").await;
    assert_eq!(start.status, StatusCode::OK);
    start.at("href=\"/verwaltung/antraege\"");

    let page = jena.get("/verwaltung/antraege").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.at("<html lang=\"de\"");
    page.at("<caption>Eingereichte Anträge, neueste zuerst (Seite 1)</caption>");
    page.at("<th scope=\"col\">Vorgangsnummer</th>");
    assert_eq!(page.rows(), 4);
    // Newest first.
    assert!(page.at(&s.jena_payment) < page.at(&s.jena_filed));
    assert!(page.at(&s.jena_filed) < page.at(&s.jena_dead.1));
    assert!(page.at(&s.jena_dead.1) < page.at(&s.jena_purged));
    // Another authority's submissions are not there.
    for other in [
        &s.erfurt_delivered,
        &s.erfurt_received,
        &s.erfurt_refused,
        &s.erfurt_dead.1,
    ] {
        assert!(!page.body.contains(other.as_str()), "{other} is listed");
    }
    assert!(!page.body.contains("Stadt Erfurt"));

    let filed = page.row(&s.jena_filed);
    assert!(filed.contains("Hundeanmeldung") && filed.contains("Landratsamt Jena"));
    assert!(filed.contains("in der E-Akte abgelegt am"), "{filed}");
    assert!(filed.contains("<code>EA-4711</code>"), "{filed}");
    let due = german_day(s.base + Duration::hours(3) + Duration::days(30));
    assert!(filed.contains(&format!("<td>{due}</td>")), "{filed}");

    let purged = page.row(&s.jena_purged);
    let deleted = german_day(s.base - Duration::days(8));
    assert!(
        purged.contains(&format!("gelöscht am {deleted}")),
        "{purged}"
    );

    let dead = page.row(&s.jena_dead.1);
    assert!(dead.contains("Zustellung fehlgeschlagen"), "{dead}");
    assert!(dead.contains("(1 Versuch)"), "{dead}");
    assert!(dead.contains("the E-Akte answered 503 Service Unavailable"));
    assert!(dead.contains("Erneut zustellen"));
    assert!(dead.contains("30 Tage nach der Ablage"), "{dead}");

    let payment = page.row(&s.jena_payment);
    assert!(payment.contains("wartet auf Zahlung"), "{payment}");

    // Metadata only: not the applicant's name, nor the answers.
    assert!(!page.body.contains("Zwiebelkuchen"));
    assert!(!page.body.contains("Wilhelmine"));

    // The other caseworker sees the other half, with its states.
    let mut erfurt = browser(db, &app, caseworker("stadt-erfurt")).await;
    let page = erfurt.get("/verwaltung/antraege").await;
    assert_eq!(page.rows(), 4);
    assert!(!page.body.contains(&s.jena_dead.1));
    assert!(page.row(&s.erfurt_delivered).contains("zugestellt am"));
    assert!(page.row(&s.erfurt_received).contains("eingegangen"));
    let refused = page.row(&s.erfurt_refused);
    assert!(refused.contains("von der E-Akte abgelehnt"), "{refused}");
    assert!(page.row(&s.erfurt_dead.1).contains("drop folder missing"));
    assert!(!page.body.contains("Zwiebelkuchen"));
}

async fn an_admin_sees_all_and_strangers_are_kept_out(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let s = seed(db).await;

    let mut admin = browser(db, &app, admin()).await;
    let page = admin.get("/verwaltung/antraege").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.rows(), 8);
    assert!(!page.body.contains("Zwiebelkuchen"));
    // Both authorities in the filter.
    page.at("<option value=\"lra-jena\">Landratsamt Jena</option>");
    page.at("<option value=\"stadt-erfurt\">Stadt Erfurt</option>");

    // English.
    let page = admin.get("/verwaltung/antraege?lang=en").await;
    page.at("<html lang=\"en\"");
    page.at("<caption>Submitted applications, newest first (page 1)</caption>");
    assert!(page.row(&s.jena_filed).contains("filed in the e-file on"));
    assert!(page.row(&s.jena_filed).contains("Dog registration"));
    assert!(page.row(&s.jena_dead.1).contains("delivery failed"));
    assert!(page.row(&s.erfurt_refused).contains("City of Erfurt"));
    assert!(page.row(&s.jena_purged).contains("deleted on"));
    assert!(page.row(&s.jena_payment).contains("waiting for payment"));

    // Anonymous: to the login, and back here afterwards.
    let mut anonymous = Browser::on(&app);
    let page = anonymous.get("/verwaltung/antraege?status=dead").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location.starts_with("/auth/login?next="),
        "{}",
        page.location
    );
    assert!(
        page.location.contains("verwaltung%2Fantraege"),
        "{}",
        page.location
    );

    // A citizen and a form editor: 403.
    let mut citizen = browser(db, &app, None).await;
    let page = citizen.get("/verwaltung/antraege").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.body.contains(&s.jena_filed));
    let mut editor = browser(
        db,
        &app,
        Some(StaffRoles {
            editor: true,
            ..StaffRoles::default()
        }),
    )
    .await;
    assert_eq!(
        editor.get("/verwaltung/antraege").await.status,
        StatusCode::FORBIDDEN
    );
    // The start page links the list only for those who may see it.
    assert!(
        !editor
            .get("/verwaltung")
            .await
            .body
            .contains("/verwaltung/antraege")
    );
}

async fn filters_and_pages(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let s = seed(db).await;
    let mut admin = browser(db, &app, admin()).await;

    let dead = admin.get("/verwaltung/antraege?status=dead").await;
    assert_eq!(dead.rows(), 2);
    dead.row(&s.jena_dead.1);
    dead.at("<option value=\"dead\" selected>");
    let filed = admin.get("/verwaltung/antraege?status=filed").await;
    assert_eq!(filed.rows(), 2);
    let received = admin.get("/verwaltung/antraege?status=received").await;
    assert_eq!(received.rows(), 1);
    received.row(&s.erfurt_received);
    let payment = admin.get("/verwaltung/antraege?status=payment").await;
    assert_eq!(payment.rows(), 1);
    payment.row(&s.jena_payment);
    assert_eq!(
        admin
            .get("/verwaltung/antraege?status=delivered")
            .await
            .rows(),
        1
    );
    assert_eq!(
        admin
            .get("/verwaltung/antraege?status=refused")
            .await
            .rows(),
        1
    );
    let erfurt = admin
        .get("/verwaltung/antraege?behoerde=stadt-erfurt")
        .await;
    assert_eq!(erfurt.rows(), 4);
    assert!(!erfurt.body.contains(&s.jena_filed));
    let both = admin
        .get("/verwaltung/antraege?behoerde=lra-jena&status=filed")
        .await;
    assert_eq!(both.rows(), 2);
    // Unknown values are ignored, not errors.
    let odd = admin
        .get("/verwaltung/antraege?status=%27%20OR%201%3D1&seite=abc")
        .await;
    assert_eq!((odd.status, odd.rows()), (StatusCode::OK, 8));

    // A caseworker cannot filter their way into another authority.
    let mut jena = browser(db, &app, caseworker("lra-jena")).await;
    let page = jena.get("/verwaltung/antraege?behoerde=stadt-erfurt").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.rows(), 0);
    page.at("Keine passenden Anträge.");
    assert!(!page.body.contains("stadt-erfurt\""));

    // 60 more for Erfurt: 64 in all, 50 on the first page.
    let later = OffsetDateTime::now_utc() - Duration::days(1);
    let mut newest = String::new();
    for i in 0..60 {
        newest = submit(db, "parken", later + Duration::minutes(i), 0)
            .await
            .1;
    }
    let mut erfurt = browser(db, &app, caseworker("stadt-erfurt")).await;
    let first = erfurt.get("/verwaltung/antraege").await;
    assert_eq!(first.rows(), 50);
    assert!(
        first
            .body
            .contains(&format!("<th scope=\"row\">{newest}</th>"))
    );
    first.at("href=\"/verwaltung/antraege?seite=2\" rel=\"next\"");
    assert!(!first.body.contains("rel=\"prev\""));
    let second = erfurt.get("/verwaltung/antraege?seite=2").await;
    assert_eq!(second.rows(), 14);
    second.at("(Seite 2)");
    second.at("href=\"/verwaltung/antraege\" rel=\"prev\"");
    assert!(!second.body.contains("rel=\"next\""));
    // The oldest are on the last page.
    second.row(&s.erfurt_delivered);
    // Filters stay in the links.
    let filtered = erfurt
        .get("/verwaltung/antraege?status=received&lang=en")
        .await;
    assert_eq!(filtered.rows(), 50);
    filtered.at("href=\"/verwaltung/antraege?status=received&amp;seite=2&amp;lang=en\"");
    assert_eq!(
        erfurt
            .get("/verwaltung/antraege?status=received&seite=2")
            .await
            .rows(),
        11
    );
}

async fn a_dead_letter_is_sent_again_by_its_authority_only(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let s = seed(db).await;
    let (id, reference) = &s.jena_dead;
    let action = format!("/verwaltung/antraege/{id}/erneut-zustellen");
    let dead_jobs = || async { db.jobs(JobFilter::Dead).await.unwrap().len() };
    assert_eq!(dead_jobs().await, 2);

    // Another authority's caseworker, with a valid token: refused.
    let mut erfurt = browser(db, &app, caseworker("stadt-erfurt")).await;
    let token = erfurt.get("/forms/parken").await.csrf();
    let refused = erfurt.post(&action, &format!("_csrf={token}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(dead_jobs().await, 2);

    // Anonymous: to the login; nothing changes.
    let mut anonymous = Browser::on(&app);
    let page = anonymous.post(&action, "_csrf=x").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(dead_jobs().await, 2);

    // The right caseworker without the token, or with a wrong one: refused.
    let mut jena = browser(db, &app, caseworker("lra-jena")).await;
    let list = jena.get("/verwaltung/antraege?status=dead&seite=1").await;
    let token = list.csrf();
    let page = jena.post(&action, "").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = jena.post(&action, "_csrf=wrong").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(dead_jobs().await, 2);

    // With it: sent again, back to the list with a confirmation.
    let back = "%2Fverwaltung%2Fantraege%3Fstatus%3Ddead";
    let sent = jena
        .post(&action, &format!("_csrf={token}&zurueck={back}"))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        sent.location,
        format!("/verwaltung/antraege?status=dead&erneut={reference}")
    );
    assert_eq!(dead_jobs().await, 1);
    let jobs = db.outbox_jobs(*id).await.unwrap();
    let deliver = jobs.iter().find(|j| j.kind == "deliver").unwrap();
    assert_eq!((deliver.status.as_str(), deliver.attempts), ("pending", 0));
    let page = jena.get(&sent.location).await;
    page.at(&format!(
        "Die Zustellung von {reference} wird gleich erneut versucht."
    ));
    assert_eq!(page.rows(), 0);
    // The submission is "received" again.
    let received = jena.get("/verwaltung/antraege?status=received").await;
    assert!(received.row(reference).contains("eingegangen"));

    // Twice: nothing more to send.
    let again = jena.post(&action, &format!("_csrf={token}&lang=en")).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    again.at("Nothing to deliver again");
    // Not a submission id at all.
    let odd = jena
        .post(
            "/verwaltung/antraege/nonsense/erneut-zustellen",
            &format!("_csrf={token}"),
        )
        .await;
    assert_eq!(odd.status, StatusCode::NOT_FOUND);

    // An administrator may send any authority's delivery again.
    let mut admin = browser(db, &app, admin()).await;
    let token = admin.get("/verwaltung/antraege").await.csrf();
    let (other, other_reference) = &s.erfurt_dead;
    let sent = admin
        .post(
            &format!("/verwaltung/antraege/{other}/erneut-zustellen"),
            &format!("_csrf={token}&lang=en"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        sent.location,
        format!("/verwaltung/antraege?lang=en&erneut={other_reference}")
    );
    assert_eq!(dead_jobs().await, 0);
    admin.get(&sent.location).await.at(&format!(
        "The delivery of {other_reference} will be tried again shortly."
    ));
}

/// The package as it went to the E-Akte: downloaded by the caseworkers of
/// the submission's authority only (not another authority's, not an
/// administrator), byte for byte, until its personal data are deleted.
async fn the_package_is_downloaded_by_its_authority_only(test_db: &TestDb) {
    let db = &test_db.db;
    let data = tempfile::tempdir().unwrap();
    let app = app_with(db, Some(data.path())).await;
    let now = OffsetDateTime::now_utc();
    let (id, reference) = submit(db, "hund", now - Duration::hours(2), 0).await;
    let name = format!("{id}_FVDaten.SGOAblegen.0605.zip");
    // Any bytes: what counts is that exactly these arrive.
    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let packages = data.path().join("packages");
    std::fs::create_dir_all(&packages).unwrap();
    std::fs::write(packages.join(&name), &content).unwrap();
    db.record_package(id, &name, &json!({"package": "sha", "files": []}))
        .await
        .unwrap();
    let (unbuilt, unbuilt_reference) = submit(db, "hund", now - Duration::hours(1), 0).await;
    let href = format!("/verwaltung/antraege/{id}/paket");

    let mut jena = browser(db, &app, caseworker("lra-jena")).await;
    let list = jena.get("/verwaltung/antraege").await;
    assert!(
        list.row(&reference).contains(&format!(
            "<a href=\"{href}\" download>Paket herunterladen (ZIP)"
        )),
        "{}",
        list.row(&reference)
    );
    assert!(!list.row(&unbuilt_reference).contains("/paket"));
    let package = jena.get(&href).await;
    assert_eq!(package.status, StatusCode::OK);
    assert_eq!(package.header(header::CONTENT_TYPE), "application/zip");
    assert_eq!(
        package.header(header::CONTENT_DISPOSITION),
        format!("attachment; filename=\"{name}\"")
    );
    assert_eq!(package.header(header::CACHE_CONTROL), "no-store");
    assert!(package.bytes == content, "the package's bytes differ");

    // Not built yet, or no such submission.
    let none = jena
        .get(&format!("/verwaltung/antraege/{unbuilt}/paket"))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    none.at("Zu diesem Antrag gibt es (noch) kein Paket");
    let none = jena.get("/verwaltung/antraege/../paket?lang=en").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let none = jena
        .get(&format!(
            "/verwaltung/antraege/{}/paket?lang=en",
            Uuid::new_v4()
        ))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    none.at("There is no package for this application (yet)");

    // Another authority's caseworker, an administrator, a citizen, nobody.
    let mut erfurt = browser(db, &app, caseworker("stadt-erfurt")).await;
    let refused = erfurt.get(&href).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.at("Nur die Sachbearbeitung der empfangenden Behörde");
    let mut admin = browser(db, &app, admin()).await;
    assert!(
        !admin
            .get("/verwaltung/antraege")
            .await
            .row(&reference)
            .contains("/paket")
    );
    assert_eq!(admin.get(&href).await.status, StatusCode::FORBIDDEN);
    let mut citizen = browser(db, &app, None).await;
    assert_eq!(citizen.get(&href).await.status, StatusCode::FORBIDDEN);
    let mut nobody = Browser::on(&app);
    let redirected = nobody.get(&href).await;
    assert_eq!(redirected.status, StatusCode::SEE_OTHER);
    assert!(redirected.location.starts_with("/auth/login"));

    // Filed, and after the deletion period deleted: gone, with the date.
    db.record_filed(id, now - Duration::hours(1), Some("EA-9"), None, now)
        .await
        .unwrap();
    db.purge_submission(id, now).await.unwrap();
    let gone = jena.get(&href).await;
    assert_eq!(gone.status, StatusCode::GONE);
    gone.at(&format!(
        "wurden am {} nach Ablauf der Löschfrist gelöscht",
        german_day(now)
    ));
    assert!(
        !jena
            .get("/verwaltung/antraege")
            .await
            .row(&reference)
            .contains("/paket")
    );
}

/// A fee never paid: the payment check gave up (a dead `payment` job).
/// The list says so instead of "waiting for payment", the dead-letter
/// filter finds it, and "Zahlung erneut prüfen" revives the check.
async fn a_payment_check_that_gave_up_is_shown_and_retried(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let now = OffsetDateTime::now_utc();
    let (id, reference) = submit(db, "hund", now - Duration::days(20), 1500).await;
    let job = db
        .lease_job(now, Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.submission_id, job.kind.as_str()), (id, "payment"));
    assert!(
        db.bury_job(&job, now, "payment abandoned: the fee was not paid")
            .await
            .unwrap()
    );

    let mut jena = browser(db, &app, caseworker("lra-jena")).await;
    let page = jena.get("/verwaltung/antraege").await;
    let row = page.row(&reference);
    assert!(
        row.contains("<strong>Zahlungsprüfung aufgegeben</strong>"),
        "{row}"
    );
    assert!(
        row.contains("payment abandoned: the fee was not paid"),
        "{row}"
    );
    assert!(row.contains("Zahlung erneut prüfen"), "{row}");
    assert!(!row.contains("wartet auf Zahlung"), "{row}");
    let dead = jena.get("/verwaltung/antraege?status=dead").await;
    assert_eq!(dead.rows(), 1);
    dead.row(&reference);
    assert_eq!(
        jena.get("/verwaltung/antraege?status=payment").await.rows(),
        0
    );
    let english = jena.get("/verwaltung/antraege?lang=en").await;
    assert!(english.row(&reference).contains("payment check given up"));
    assert!(english.row(&reference).contains("Check the payment again"));

    let token = page.csrf();
    let sent = jena
        .post(
            &format!("/verwaltung/antraege/{id}/erneut-zustellen"),
            format!("_csrf={token}"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = jena.get("/verwaltung/antraege").await;
    assert!(page.row(&reference).contains("wartet auf Zahlung"));
    assert_eq!(jena.get("/verwaltung/antraege?status=dead").await.rows(), 0);
}

on_both_backends!(
    a_payment_check_that_gave_up_is_shown_and_retried,
    the_package_is_downloaded_by_its_authority_only,
    a_caseworker_sees_their_authority_with_status_and_deletion_date,
    an_admin_sees_all_and_strangers_are_kept_out,
    filters_and_pages,
    a_dead_letter_is_sent_again_by_its_authority_only,
);
