//! Router tests of login and access: forms behind the Servicekonto are
//! refused on every route without the login they need (too low a trust
//! level, the wrong kind of account, no login, login off) and work with
//! it; `/auth/*` answer with clear pages when the provider cannot be
//! reached or a callback was not started here; logout is a CSRF-checked
//! POST that ends the session.
//!
//! Logins are put into the session with `auth::testing` (no route can do
//! that); the real provider flow is tested end to end
//! (`end2end/tests/login.spec.ts`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_forms::{AccountType, TrustLevel};
use amtsweg_server::{
    auth::testing,
    definitions,
    routes::{AppState, router},
};
use axum::{Router, http::StatusCode};
use common::{Browser, Page, TestDb};
use tempfile::TempDir;

const CITIZEN_FORM: &str = r#"{
  "id": "wohnen", "version": 1,
  "title": {"de": "Wohnantrag", "en": "Housing application"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "access": {"kind": "service_account", "min_trust_level": "substanziell", "account_types": ["citizen"]},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true}]}]
}"#;

const BUSINESS_FORM: &str = r#"{
  "id": "firma", "version": 1,
  "title": {"de": "Firmenantrag", "en": "Business application"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "access": {"kind": "service_account", "min_trust_level": "basis", "account_types": ["business"]},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true}]}]
}"#;

/// An anonymous form: its start page carries the session's CSRF token.
const OPEN_FORM: &str = r#"{
  "id": "frei", "version": 1,
  "title": {"de": "Freier Antrag", "en": "Open application"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}}]}]
}"#;

/// Prefilled from the account: the surname read-only, the given name
/// editable, the birth date (which the test login lacks) plain.
const PREFILL_FORM: &str = r#"{
  "id": "meldung", "version": 1,
  "title": {"de": "Meldung", "en": "Notification"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "access": {"kind": "service_account", "min_trust_level": "basis"},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "nachname", "type": "text", "label": {"de": "Familienname", "en": "Surname"},
     "required": true, "prefill": {"claim": "family_name"}},
    {"id": "vorname", "type": "text", "label": {"de": "Vorname", "en": "Given name"},
     "required": true, "prefill": {"claim": "given_name", "editable": true}},
    {"id": "geburt", "type": "date", "label": {"de": "Geburtsdatum", "en": "Date of birth"},
     "prefill": {"claim": "birthdate"}}]}]
}"#;

fn definitions_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meldung.json"), PREFILL_FORM).unwrap();
    std::fs::write(dir.path().join("frei.json"), OPEN_FORM).unwrap();
    std::fs::write(dir.path().join("wohnen.json"), CITIZEN_FORM).unwrap();
    std::fs::write(dir.path().join("firma.json"), BUSINESS_FORM).unwrap();
    dir
}

/// The router with login on, the provider at a port nobody listens on.
async fn app(db: &amtsweg_server::db::Db, login: bool) -> Router {
    let dir = definitions_dir();
    definitions::publish_dir(db, dir.path()).await.unwrap();
    let files = tempfile::tempdir().unwrap().keep();
    let state = AppState::new(
        db.clone(),
        "target/no-site-in-tests",
        "127.0.0.1:3000".parse().unwrap(),
        common::upload_storage(db, &files).await,
    );
    let state = if login {
        state.with_auth(common::test_auth())
    } else {
        state
    };
    router(state)
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
    fn logged_in(app: &Router, session_id: &str) -> Browser {
        Browser::with_session(app, session_id)
    }

    /// The session's CSRF token (from an anonymous form's start page).
    async fn token(&mut self) -> String {
        self.get("/forms/frei").await.csrf()
    }
}

async fn logged_in(
    db: &amtsweg_server::db::Db,
    app: &Router,
    level: TrustLevel,
    kind: AccountType,
) -> Browser {
    let session = testing::logged_in_session(db, &testing::login(Some(level), kind))
        .await
        .unwrap();
    Browser::logged_in(app, &session)
}

async fn with_login_off_such_forms_say_so_and_cannot_be_started(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, false).await;
    let mut browser = Browser::on(&app);
    let page = browser.get("/forms/wohnen").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("nicht eingerichtet"), "{text}");
    assert!(!text.contains("/auth/login"), "no login link without login");
    assert!(!text.contains("/starten"));
    // Even a login stored in a session does not open the form while
    // login is off.
    let mut browser = logged_in(&db.db, &app, TrustLevel::Hoch, AccountType::Citizen).await;
    let token = browser.token().await;
    let started = browser
        .post("/forms/wohnen/starten", &format!("_csrf={token}"))
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    assert_eq!(started.location, "/forms/wohnen");
    let page = browser.get("/auth/login?next=/forms/wohnen").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("Anmeldung nicht verfügbar"));
}

async fn the_start_page_offers_a_login_at_the_required_level(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = Browser { app, cookie: None };
    let text = browser.get("/forms/wohnen").await.text();
    assert!(text.contains("Mit Servicekonto anmelden"), "{text}");
    assert!(
        text.contains("href=\"/auth/login?next=%2Fforms%2Fwohnen&acr=substanziell\""),
        "{text}"
    );
    assert!(text.contains("„substanziell“"));
    assert!(!text.contains("/starten"));
    let text = browser.get("/forms/wohnen?lang=en").await.text();
    assert!(text.contains("Log in with your service account"), "{text}");
    assert!(text.contains("next=%2Fforms%2Fwohnen%3Flang%3Den&acr=substanziell&lang=en"));
}

async fn not_logged_in_every_route_of_the_form_leads_to_the_start_page(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = Browser { app, cookie: None };
    assert!(
        !browser
            .get("/forms/wohnen")
            .await
            .text()
            .contains("/starten")
    );
    let token = browser.token().await;
    let csrf = format!("_csrf={token}");
    for (uri, body) in [
        ("/forms/wohnen/starten", csrf.clone()),
        ("/forms/wohnen/angaben", format!("{csrf}&name=Erika")),
        ("/forms/wohnen/absenden", csrf.clone()),
    ] {
        let page = browser.post(uri, &body).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(page.location, "/forms/wohnen", "{uri}");
    }
    for uri in ["/forms/wohnen/angaben", "/forms/wohnen/pruefen"] {
        let page = browser.get(uri).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(page.location, "/forms/wohnen", "{uri}");
    }
}

async fn a_sufficient_login_fills_in_and_submits_the_form(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = logged_in(&db.db, &app, TrustLevel::Substanziell, AccountType::Citizen).await;
    let page = browser.get("/forms/wohnen").await;
    let text = page.text();
    assert!(text.contains("Angemeldet als Erika Mustermann"), "{text}");
    assert!(text.contains("action=\"/auth/logout\""));
    assert!(text.contains("Sie sind mit Ihrem Servicekonto angemeldet."));
    let csrf = format!("_csrf={}", page.csrf());
    let started = browser.post("/forms/wohnen/starten", &csrf).await;
    assert_eq!(
        started.location, "/forms/wohnen/angaben",
        "{}",
        started.body
    );
    assert_eq!(
        browser.get("/forms/wohnen/angaben").await.status,
        StatusCode::OK
    );
    let saved = browser
        .post("/forms/wohnen/angaben", &format!("{csrf}&name=Erika"))
        .await;
    assert_eq!(saved.location, "/forms/wohnen/pruefen");
    assert_eq!(
        browser.get("/forms/wohnen/pruefen").await.status,
        StatusCode::OK
    );
    let submitted = browser.post("/forms/wohnen/absenden", &csrf).await;
    assert!(
        submitted
            .location
            .starts_with("/forms/wohnen/bestaetigung/"),
        "{}",
        submitted.location
    );
    // A higher level than needed is fine too.
    let mut browser = logged_in(&db.db, &app, TrustLevel::Hoch, AccountType::Citizen).await;
    let text = browser.get("/forms/wohnen").await.text();
    assert!(text.contains("Jetzt starten"), "{text}");
}

async fn too_low_a_level_is_explained_and_refused_on_every_route(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = logged_in(&db.db, &app, TrustLevel::Basis, AccountType::Citizen).await;
    let page = browser.get("/forms/wohnen").await;
    let text = page.text();
    assert!(
        text.contains("Ihr Vertrauensniveau reicht für diesen Antrag nicht aus"),
        "{text}"
    );
    assert!(text.contains("Sie sind mit dem Vertrauensniveau „basis“ angemeldet."));
    assert!(text.contains("href=\"/auth/login?next=%2Fforms%2Fwohnen&acr=substanziell\""));
    assert!(text.contains("Erneut mit Servicekonto anmelden"));
    assert!(!text.contains("/starten"));
    let csrf = format!("_csrf={}", page.csrf());
    let started = browser.post("/forms/wohnen/starten", &csrf).await;
    assert_eq!(started.location, "/forms/wohnen");

    // A draft begun at "substanziell" is out of reach after a login at
    // "basis" on every route, and there again at the right level.
    let session = browser.session_id();
    let good = testing::login(Some(TrustLevel::Substanziell), AccountType::Citizen);
    testing::replace_login(&db.db, &session, &good)
        .await
        .unwrap();
    let started = browser.post("/forms/wohnen/starten", &csrf).await;
    assert_eq!(started.location, "/forms/wohnen/angaben");
    let saved = browser
        .post("/forms/wohnen/angaben", &format!("{csrf}&name=Erika"))
        .await;
    assert_eq!(saved.location, "/forms/wohnen/pruefen");

    let low = testing::login(Some(TrustLevel::Basis), AccountType::Citizen);
    testing::replace_login(&db.db, &browser.session_id(), &low)
        .await
        .unwrap();
    for uri in ["/forms/wohnen/angaben", "/forms/wohnen/pruefen"] {
        let page = browser.get(uri).await;
        assert_eq!(page.location, "/forms/wohnen", "{uri}");
    }
    let saved = browser
        .post("/forms/wohnen/angaben", &format!("{csrf}&name=Mallory"))
        .await;
    assert_eq!(saved.location, "/forms/wohnen");
    let submitted = browser.post("/forms/wohnen/absenden", &csrf).await;
    assert_eq!(submitted.location, "/forms/wohnen");

    testing::replace_login(&db.db, &browser.session_id(), &good)
        .await
        .unwrap();
    let page = browser.get("/forms/wohnen/angaben").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("value=\"Erika\""),
        "the refused POST changed nothing"
    );
}

async fn the_wrong_kind_of_account_is_explained_and_refused(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = logged_in(&db.db, &app, TrustLevel::Hoch, AccountType::Citizen).await;
    let page = browser.get("/forms/firma").await;
    let text = page.text();
    assert!(
        text.contains("Dieser Antrag ist nicht für Ihre Kontoart"),
        "{text}"
    );
    assert!(text.contains("Sie sind mit einem Bürgerkonto angemeldet."));
    assert!(text.contains("Mit einem anderen Konto anmelden"));
    let started = browser
        .post("/forms/firma/starten", &format!("_csrf={}", page.csrf()))
        .await;
    assert_eq!(started.location, "/forms/firma");

    let mut browser = logged_in(&db.db, &app, TrustLevel::Basis, AccountType::Business).await;
    let page = browser.get("/forms/firma").await;
    assert!(
        page.text()
            .contains("Angemeldet als Musterbau GmbH (Erika Mustermann)")
    );
    let started = browser
        .post("/forms/firma/starten", &format!("_csrf={}", page.csrf()))
        .await;
    assert_eq!(started.location, "/forms/firma/angaben");
}

async fn an_unreachable_provider_gives_a_clear_page_and_the_portal_keeps_working(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = Browser { app, cookie: None };
    assert_eq!(browser.get("/").await.status, StatusCode::OK);
    let page = browser
        .get("/auth/login?next=%2Fforms%2Fwohnen&acr=substanziell")
        .await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    let text = page.text();
    assert!(
        text.contains("Der Login-Dienst ist gerade nicht erreichbar."),
        "{text}"
    );
    assert!(text.contains("The login service is currently unavailable."));
    assert!(text.contains("href=\"/forms/wohnen\""), "back to the form");
    assert!(text.contains("bleibt gespeichert"));
    assert_eq!(browser.get("/forms/wohnen").await.status, StatusCode::OK);

    // `next` never leaves the portal.
    let page = browser
        .get("/auth/login?next=https%3A%2F%2Fevil.example%2F")
        .await;
    assert!(!page.body.contains("evil.example"), "{}", page.body);
}

async fn a_callback_that_was_not_started_here_is_refused(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = Browser { app, cookie: None };
    for uri in [
        "/auth/callback?code=abc&state=forged",
        "/auth/callback?code=abc",
        "/auth/callback",
    ] {
        let page = browser.get(uri).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            page.text()
                .contains("Diese Anmeldung ist abgelaufen, wurde bereits verwendet"),
            "{uri}: {}",
            page.body
        );
    }
}

async fn logout_needs_the_csrf_token_and_ends_the_session(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = logged_in(&db.db, &app, TrustLevel::Substanziell, AccountType::Citizen).await;
    let page = browser.get("/").await;
    assert!(page.text().contains("Angemeldet als Erika Mustermann"));
    let refused = browser.post("/auth/logout", "_csrf=wrong").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(browser.get("/").await.text().contains("Angemeldet als"));

    let old_cookie = browser.cookie.clone();
    let done = browser
        .post("/auth/logout", &format!("_csrf={}", page.csrf()))
        .await;
    // The provider is unreachable here: the logout stays local.
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location, "/");
    let mut again = Browser {
        app: browser.app.clone(),
        cookie: old_cookie,
    };
    let text = again.get("/forms/wohnen").await.text();
    assert!(!text.contains("Angemeldet als"), "{text}");
    assert!(text.contains("Mit Servicekonto anmelden"));
}

/// The `<input …>` tag of the field named `name`.
fn input_tag(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name}: {page}"));
    let start = page[..at].rfind("<input").unwrap();
    let end = page[at..].find('>').unwrap() + at;
    page[start..=end].to_owned()
}

async fn the_account_fills_the_form_and_read_only_values_stay(test_db: &TestDb) {
    let db = test_db;
    let app = app(&db.db, true).await;
    let mut browser = logged_in(&db.db, &app, TrustLevel::Basis, AccountType::Citizen).await;
    let page = browser.get("/forms/meldung").await;
    let csrf = format!("_csrf={}", page.csrf());
    let started = browser.post("/forms/meldung/starten", &csrf).await;
    assert_eq!(
        started.location, "/forms/meldung/angaben",
        "{}",
        started.body
    );

    let step = browser.get("/forms/meldung/angaben").await.text();
    let surname = input_tag(&step, "nachname");
    assert!(surname.contains("value=\"Mustermann\""), "{surname}");
    assert!(surname.contains("readonly"), "{surname}");
    assert!(
        surname.contains("aria-describedby=\"nachname-account\""),
        "{surname}"
    );
    assert!(
        step.contains(
            "id=\"nachname-account\" class=\"hint hint--account\">\
             Aus Ihrem Servicekonto übernommen (bestätigte Angabe)."
        ),
        "{step}"
    );
    let given = input_tag(&step, "vorname");
    assert!(given.contains("value=\"Erika\""), "{given}");
    assert!(!given.contains("readonly"), "{given}");
    assert!(
        step.contains("Aus Ihrem Servicekonto übernommen. Sie können die Angabe ändern."),
        "{step}"
    );
    // The account has no birth date: an ordinary, empty field.
    let birth = input_tag(&step, "geburt");
    assert!(
        !birth.contains("readonly") && birth.contains("value=\"\""),
        "{birth}"
    );
    assert!(!step.contains("geburt-account"), "{step}");

    // A forged surname is not taken; the editable given name is.
    let saved = browser
        .post(
            "/forms/meldung/angaben",
            &format!("{csrf}&nachname=F%C3%A4lscher&vorname=Eva&geburt=01.02.1990"),
        )
        .await;
    assert_eq!(saved.location, "/forms/meldung/pruefen", "{}", saved.body);
    let check = browser.get("/forms/meldung/pruefen").await.text();
    let main = &check[check.find("<main").unwrap()..check.find("</main>").unwrap()];
    assert!(main.contains("Mustermann"), "{main}");
    assert!(main.contains("Eva"), "{main}");
    assert!(main.contains("01.02.1990"), "{main}");
    assert!(!check.contains("Fälscher"), "{check}");

    // Without a login nothing is filled in (an open form with the same
    // kind of field would be plain); the login's form stays out of reach.
    let mut anonymous = Browser::on(&app);
    let start = anonymous.get("/forms/meldung").await.text();
    assert!(start.contains("Mit Servicekonto anmelden"), "{start}");
    assert!(!start.contains("Mustermann"), "{start}");
}

on_both_backends!(
    the_account_fills_the_form_and_read_only_values_stay,
    with_login_off_such_forms_say_so_and_cannot_be_started,
    the_start_page_offers_a_login_at_the_required_level,
    not_logged_in_every_route_of_the_form_leads_to_the_start_page,
    a_sufficient_login_fills_in_and_submits_the_form,
    too_low_a_level_is_explained_and_refused_on_every_route,
    the_wrong_kind_of_account_is_explained_and_refused,
    an_unreachable_provider_gives_a_clear_page_and_the_portal_keeps_working,
    a_callback_that_was_not_started_here_is_refused,
    logout_needs_the_csrf_token_and_ends_the_session,
);
