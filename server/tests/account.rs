//! Router and storage tests of what a login lasts and what it owns: the
//! idle and absolute timeouts (with a manual clock, no sleeping), "stay
//! logged in", "Meine Anträge" (drafts and submissions of the account,
//! resume and delete), anonymous drafts taken over at login, and the staff
//! role guard of `/verwaltung`. Every test runs on SQLite and PostgreSQL.
//!
//! Logins are put into the session with `auth::testing` (no route can do
//! that); `testing::log_in` runs what the login callback runs after a
//! valid ID token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_forms::{AccountType, TrustLevel};
use amtsweg_server::{
    auth::{Clock, StaffRoles, accounts::account_key, testing},
    config::SessionConfig,
    db::Db,
    definitions,
    routes::router,
    store::SubmissionStatus,
};
use axum::{Router, http::StatusCode};
use common::{Browser, Page, TestDb};
use serde_json::json;
use time::OffsetDateTime;

/// An anonymous form with one step.
const OPEN_FORM: &str = r#"{
  "id": "frei", "version": 1,
  "title": {"de": "Freier Antrag", "en": "Open application"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}}]}]
}"#;

const MINUTE: i64 = 60;

struct App {
    router: Router,
    clock: Clock,
}

/// The router with login on (the provider at a port nobody listens on),
/// a manual clock at the system's now, and `session` as the timeouts.
async fn app(db: &Db, session: SessionConfig) -> App {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("frei.json"), OPEN_FORM).unwrap();
    let state = common::app_state(db, dir.path()).await;
    let clock = Clock::manual(OffsetDateTime::now_utc().unix_timestamp());
    let auth = common::test_auth()
        .with_session_policy(session)
        .with_clock(clock.clone());
    App {
        router: router(state.with_auth(auth)),
        clock,
    }
}

fn policy(idle_minutes: u64, absolute_hours: u64) -> SessionConfig {
    SessionConfig {
        idle: std::time::Duration::from_secs(idle_minutes * 60),
        absolute: std::time::Duration::from_secs(absolute_hours * 3600),
    }
}

impl Page {
    /// The page without its serialized resources, entities decoded.
    fn text(&self) -> String {
        let end = self.body.find("</html>").unwrap_or(self.body.len());
        self.body[..end]
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
    }
}

impl Browser {
    fn new(app: &App, session_id: Option<&str>) -> Browser {
        Browser {
            app: app.router.clone(),
            cookie: session_id.map(|id| format!("amtsweg={id}")),
        }
    }

    /// The session's CSRF token (from the open form's start page).
    async fn token(&mut self) -> String {
        self.get("/forms/frei").await.csrf()
    }

    /// Starts the open form and saves its step with `name`.
    async fn save_draft(&mut self, name: &str) {
        let token = self.token().await;
        let started = self
            .post("/forms/frei/starten", &format!("_csrf={token}"))
            .await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
        assert_eq!(started.location, "/forms/frei/angaben");
        let saved = self
            .post("/forms/frei/angaben", &format!("_csrf={token}&name={name}"))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
}

/// A citizen's login made at the app clock's now.
fn citizen(app: &App, subject: &str) -> amtsweg_server::auth::Login {
    let mut login = testing::login(Some(TrustLevel::Substanziell), AccountType::Citizen);
    login.subject = subject.to_owned();
    login.logged_in_at = app.clock.now();
    login
}

async fn logged_in(db: &Db, app: &App, subject: &str) -> Browser {
    let session = testing::logged_in_session(db, &citizen(app, subject))
        .await
        .unwrap();
    Browser::new(app, Some(&session))
}

async fn the_idle_timeout_ends_the_login_but_keeps_the_drafts(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db, policy(30, 12)).await;
    let mut browser = logged_in(db, &app, "erika").await;
    let page = browser.get("/").await;
    assert!(page.text().contains("Angemeldet als Erika Mustermann"));
    // Without JavaScript the header says until when the login lasts.
    assert!(
        page.text().contains("Ihre Anmeldung endet um ")
            && page.text().contains(" Uhr, wenn Sie nichts tun."),
        "{}",
        page.text()
    );
    browser.save_draft("Kolibri").await;

    // Working on: every request starts the 30 minutes anew.
    for _ in 0..3 {
        app.clock.advance(29 * MINUTE);
        let page = browser.get("/forms/frei/angaben").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Angemeldet als"), "still logged in");
    }
    // 31 minutes without a request: the login is gone.
    app.clock.advance(31 * MINUTE);
    let ended = browser.get("/forms/frei/angaben").await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    let text = ended.text();
    assert!(text.contains("Anmeldung abgelaufen"), "{text}");
    assert!(text.contains("längere Zeit nichts getan"));
    assert!(text.contains("Ihre gespeicherten Entwürfe bleiben erhalten"));
    assert!(text.contains("Login expired"));
    assert!(
        text.contains("/auth/login?next=%2Fforms%2Ffrei%2Fangaben"),
        "a new login comes back here"
    );
    let after = browser.get("/").await;
    assert!(!after.text().contains("Angemeldet als"), "logged out");

    // The draft is the account's: after a new login it is in the list and
    // can be continued with what was saved.
    let mut again = logged_in(db, &app, "erika").await;
    let list = again.get("/konto/antraege").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("Freier Antrag"), "{}", list.text());
    let drafts = db
        .account_drafts(
            &account_key(&citizen(&app, "erika")),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1);
    let resumed = again
        .post(
            &format!("/konto/antraege/{}/fortsetzen", drafts[0].id),
            &format!("_csrf={}", list.csrf()),
        )
        .await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER);
    assert_eq!(resumed.location, "/forms/frei/pruefen");
    let check = again.get("/forms/frei/pruefen").await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(check.text().contains("Kolibri"), "the saved answer is back");
}

async fn the_absolute_timeout_ends_even_a_busy_login(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db, policy(30, 1)).await;
    let mut browser = logged_in(db, &app, "erika").await;
    for _ in 0..2 {
        app.clock.advance(20 * MINUTE);
        let page = browser.get("/").await;
        assert!(page.text().contains("Angemeldet als"));
    }
    // 40 minutes in: the end shown is the absolute one, 20 minutes ahead.
    let page = browser.get("/forms/frei").await;
    assert!(
        page.text().contains("Ihre Anmeldung endet um ")
            && !page.text().contains("wenn Sie nichts tun"),
        "{}",
        page.text()
    );
    app.clock.advance(20 * MINUTE);
    let ended = browser.get("/forms/frei").await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    assert!(ended.text().contains("höchstens einige Stunden"));
    assert!(!browser.get("/").await.text().contains("Angemeldet als"));
}

async fn stay_logged_in_starts_the_idle_time_anew(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db, policy(30, 12)).await;
    let mut browser = logged_in(db, &app, "erika").await;
    let page = browser.get("/").await;
    let token = page.csrf();
    // Without the token: refused.
    let refused = browser.post("/auth/extend", "_csrf=wrong&next=/").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Half a minute later (an ordinary request would not be recorded yet).
    app.clock.advance(30);
    let extended = browser
        .post(
            "/auth/extend",
            &format!("_csrf={token}&next=%2Fforms%2Ffrei"),
        )
        .await;
    assert_eq!(extended.status, StatusCode::SEE_OTHER);
    assert_eq!(extended.location, "/forms/frei");
    // 30 minutes and 10 seconds after the first request, 29 min 40 s
    // after "stay logged in": still logged in.
    app.clock.advance(30 * MINUTE - 20);
    assert!(browser.get("/").await.text().contains("Angemeldet als"));
    // A foreign `next` goes to the start page instead.
    let page = browser.get("/").await;
    let away = browser
        .post(
            "/auth/extend",
            &format!("_csrf={}&next=https://evil.example/", page.csrf()),
        )
        .await;
    assert_eq!(away.location, "/");
}

async fn my_applications_lists_only_the_accounts_drafts_and_submissions(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db, policy(30, 12)).await;

    // Not logged in: a login that comes back.
    let mut anonymous = Browser::new(&app, None);
    let page = anonymous.get("/konto/antraege").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.text().contains("/auth/login?next=%2Fkonto%2Fantraege"),
        "{}",
        page.text()
    );

    let mut erika = logged_in(db, &app, "erika").await;
    erika.save_draft("Erika").await;
    let mut max = logged_in(db, &app, "max").await;
    max.save_draft("Max").await;

    let erika_key = account_key(&citizen(&app, "erika"));
    let max_key = account_key(&citizen(&app, "max"));
    let now = OffsetDateTime::now_utc();
    let erika_draft = db.account_drafts(&erika_key, now).await.unwrap()[0].clone();
    let max_draft = db.account_drafts(&max_key, now).await.unwrap()[0].clone();

    let list = erika.get("/konto/antraege").await;
    assert_eq!(list.status, StatusCode::OK);
    let text = list.text();
    assert!(text.contains("<h1>Meine Anträge</h1>"), "{text}");
    assert!(text.contains(&erika_draft.id.to_string()));
    assert!(!text.contains(&max_draft.id.to_string()), "not another's");
    assert!(text.contains("Sie haben noch keinen Antrag abgeschickt."));
    // The header links the page.
    assert!(text.contains("href=\"/konto/antraege\""));

    // Another account's draft can be neither continued nor deleted.
    let token = list.csrf();
    for action in ["fortsetzen", "loeschen"] {
        let page = erika
            .post(
                &format!("/konto/antraege/{}/{action}", max_draft.id),
                &format!("_csrf={token}"),
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location, "/konto/antraege", "{action}");
    }
    assert_eq!(db.account_drafts(&max_key, now).await.unwrap().len(), 1);
    // Without the token nothing happens.
    let refused = erika
        .post(
            &format!("/konto/antraege/{}/loeschen", erika_draft.id),
            "_csrf=wrong",
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Submitted: the submission appears with its reference and status.
    let submitted = db
        .submit(erika_draft.id, &json!({"name": "Erika"}), 0, now)
        .await
        .unwrap();
    let text = erika.get("/konto/antraege").await.text();
    assert!(text.contains(&submitted.reference.to_string()), "{text}");
    assert!(text.contains("eingegangen"));
    assert!(text.contains(&format!("/forms/frei/bestaetigung/{}", submitted.id)));
    assert!(text.contains("Sie haben keine offenen Entwürfe."));
    let english = erika.get("/konto/antraege?lang=en").await.text();
    assert!(english.contains("My applications") && english.contains("received"));

    // Deleting one's own draft.
    max.save_draft("Max").await;
    let list = max.get("/konto/antraege").await;
    let deleted = max
        .post(
            &format!("/konto/antraege/{}/loeschen", max_draft.id),
            &format!("_csrf={}", list.csrf()),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location, "/konto/antraege");
    assert!(db.account_drafts(&max_key, now).await.unwrap().is_empty());
    assert!(
        !max.get("/konto/antraege")
            .await
            .text()
            .contains(&max_draft.id.to_string())
    );
}

async fn anonymous_drafts_are_taken_over_at_login(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db, policy(30, 12)).await;
    let mut browser = Browser::new(&app, None);
    browser.save_draft("Zebrafink").await;
    let before = browser.session_id();

    let erika = citizen(&app, "erika");
    let after = testing::log_in(db, &before, &erika).await.unwrap();
    assert_ne!(after, before, "the session id rotates at login");
    let mut browser = Browser::new(&app, Some(&after));
    let list = browser.get("/konto/antraege").await;
    assert_eq!(list.status, StatusCode::OK);
    let drafts = db
        .account_drafts(&account_key(&erika), OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1, "the anonymous draft is the account's");
    assert!(list.text().contains(&drafts[0].id.to_string()));
    // And the session still works on it.
    assert!(
        browser
            .get("/forms/frei/pruefen")
            .await
            .text()
            .contains("Zebrafink")
    );

    // Another account logging in on this session empties it: Max sees
    // nothing of Erika's.
    let max = citizen(&app, "max");
    let max_session = testing::log_in(db, &after, &max).await.unwrap();
    let mut browser = Browser::new(&app, Some(&max_session));
    let text = browser.get("/konto/antraege").await.text();
    assert!(!text.contains(&drafts[0].id.to_string()), "{text}");
    assert!(text.contains("Sie haben keine offenen Entwürfe."));
    let page = browser.get("/forms/frei/pruefen").await;
    assert!(!page.text().contains("Zebrafink"), "no answer of Erika's");
    assert!(
        db.account_drafts(&account_key(&max), OffsetDateTime::now_utc())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_resume_link_opened_while_logged_in_gives_an_anonymous_draft_to_the_account(
    test_db: &TestDb,
) {
    let db = &test_db.db;
    let app = app(db, policy(30, 12)).await;
    let week = OffsetDateTime::now_utc() + time::Duration::days(7);
    let (anonymous, token) = db.create_draft("frei", 1, week).await.unwrap();
    let (others, other_token) = db.create_draft("frei", 1, week).await.unwrap();
    let max_key = account_key(&citizen(&app, "max"));
    db.adopt_drafts(&[others.id], &max_key).await.unwrap();

    let mut erika = logged_in(db, &app, "erika").await;
    for t in [token.as_str(), other_token.as_str()] {
        let page = erika.get(&format!("/resume/{t}")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let erika_key = account_key(&citizen(&app, "erika"));
    let now = OffsetDateTime::now_utc();
    let ids: Vec<_> = db
        .account_drafts(&erika_key, now)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, [anonymous.id], "the anonymous one, not Max's");
    assert_eq!(
        db.account_drafts(&max_key, now).await.unwrap()[0].id,
        others.id
    );
}

async fn the_back_office_needs_a_staff_role(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db, policy(30, 12)).await;

    // Not logged in: to the login, and back here afterwards.
    let mut anonymous = Browser::new(&app, None);
    let page = anonymous.get("/verwaltung").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/auth/login?next=%2Fverwaltung");
    let page = anonymous.get("/verwaltung?lang=en").await;
    assert_eq!(
        page.location,
        "/auth/login?next=%2Fverwaltung%3Flang%3Den&lang=en"
    );

    // A citizen: 403 with a page that says why.
    let mut citizen = logged_in(db, &app, "erika").await;
    let page = citizen.get("/verwaltung").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let text = page.text();
    assert!(
        text.contains("Kein Zugriff") && text.contains("No access"),
        "{text}"
    );
    assert!(text.contains("Mitarbeiterin oder Mitarbeiter"));
    assert!(
        !citizen
            .get("/")
            .await
            .text()
            .contains("href=\"/verwaltung\"")
    );

    // A caseworker of two authorities.
    let staff = testing::staff_login(StaffRoles {
        caseworker_of: vec!["lra-weimar".into(), "stadt-erfurt".into()],
        ..StaffRoles::default()
    });
    let session = testing::logged_in_session(db, &staff).await.unwrap();
    let mut caseworker = Browser::new(&app, Some(&session));
    let page = caseworker.get("/verwaltung").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("<h1>Verwaltung</h1>"), "{text}");
    assert!(text.contains("Sachbearbeitung für"));
    assert!(text.contains("lra-weimar") && text.contains("stadt-erfurt"));
    assert!(!text.contains("Formular-Redaktion"));
    assert!(!text.contains("href=\"/redaktion\""));
    // The header links the back-office for staff.
    assert!(
        caseworker
            .get("/")
            .await
            .text()
            .contains("href=\"/verwaltung\"")
    );

    // An editor and admin.
    let staff = testing::staff_login(StaffRoles {
        editor: true,
        admin: true,
        ..StaffRoles::default()
    });
    let session = testing::logged_in_session(db, &staff).await.unwrap();
    let text = Browser::new(&app, Some(&session))
        .get("/verwaltung")
        .await
        .text();
    assert!(text.contains("Formular-Redaktion") && text.contains("Administration"));
    // An editor finds the editor area from the back-office.
    assert!(text.contains("href=\"/redaktion\""), "{text}");
    assert!(!text.contains("Sachbearbeitung für"));
}

async fn accounts_own_drafts_and_their_submissions_in_storage(test_db: &TestDb) {
    let db = &test_db.db;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("frei.json"), OPEN_FORM).unwrap();
    definitions::publish_dir(db, dir.path()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let week = now + time::Duration::days(7);
    let a = "a".repeat(64);
    let b = "b".repeat(64);

    let (mine, _) = db.create_draft("frei", 1, week).await.unwrap();
    let (theirs, _) = db.create_draft("frei", 1, week).await.unwrap();
    let (expired, _) = db
        .create_draft("frei", 1, now + time::Duration::seconds(1))
        .await
        .unwrap();
    let (anonymous, _) = db.create_draft("frei", 1, week).await.unwrap();
    assert_eq!(
        db.adopt_drafts(&[mine.id, expired.id], &a).await.unwrap(),
        2
    );
    assert_eq!(db.adopt_drafts(&[theirs.id], &b).await.unwrap(), 1);
    // A draft of another account is not taken over.
    assert_eq!(db.adopt_drafts(&[theirs.id], &a).await.unwrap(), 0);

    let listed = db.account_drafts(&a, now).await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>().len(),
        2,
        "both before the expiry"
    );
    let later = now + time::Duration::seconds(2);
    let listed = db.account_drafts(&a, later).await.unwrap();
    assert_eq!(listed.len(), 1, "the expired one is not listed");
    assert_eq!(listed[0].id, mine.id);
    assert_eq!(listed[0].form_id, "frei");
    assert!(listed[0].expires_at > now + time::Duration::days(6));

    // Submitting keeps the account; the draft leaves the list.
    let submission = db.submit(mine.id, &json!({}), 0, now).await.unwrap();
    assert!(db.account_drafts(&a, later).await.unwrap().is_empty());
    let subs = db.account_submissions(&a).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].id, submission.id);
    assert_eq!(subs[0].reference, submission.reference.to_string());
    assert_eq!(subs[0].status, SubmissionStatus::Received);
    assert!(db.account_submissions(&b).await.unwrap().is_empty());

    // An anonymous draft submitted, then taken over (login after submit):
    // its submission comes along.
    let anonymous_submission = db.submit(anonymous.id, &json!({}), 0, now).await.unwrap();
    assert_eq!(db.adopt_drafts(&[anonymous.id], &b).await.unwrap(), 1);
    let subs = db.account_submissions(&b).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].id, anonymous_submission.id);

    // Deleting: only one's own open drafts.
    assert!(!db.delete_account_draft(&a, theirs.id).await.unwrap());
    assert!(
        db.account_draft(&b, theirs.id, now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(db.delete_account_draft(&b, theirs.id).await.unwrap());
    assert!(
        db.account_draft(&b, theirs.id, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !db.delete_account_draft(&a, mine.id).await.unwrap(),
        "a submitted draft stays"
    );
}

on_both_backends!(
    the_idle_timeout_ends_the_login_but_keeps_the_drafts,
    the_absolute_timeout_ends_even_a_busy_login,
    stay_logged_in_starts_the_idle_time_anew,
    my_applications_lists_only_the_accounts_drafts_and_submissions,
    anonymous_drafts_are_taken_over_at_login,
    a_resume_link_opened_while_logged_in_gives_an_anonymous_draft_to_the_account,
    the_back_office_needs_a_staff_role,
    accounts_own_drafts_and_their_submissions_in_storage,
);
