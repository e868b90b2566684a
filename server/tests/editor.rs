//! The form editor (`/redaktion`) through the router: the editor role on
//! every route (anonymous → login, citizen → 403, editor → the page),
//! creating a form, structured editing (settings, steps, fields and the
//! settings of every field type, set, cleared and refused, then enforced
//! on the preview), the
//! JSON view (invalid text kept with the problems
//! and their location), import and export, the preview with the
//! citizen's step page (errors, a conditional field, the fee, a test
//! submission that stores nothing), publishing, pinned versions, new
//! drafts, restoring from the history, and retiring. Every test runs on
//! SQLite and PostgreSQL; the storage test checks the editor's tables.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_forms::{AccountType, TrustLevel};
use amtsweg_server::{
    auth::{StaffRoles, testing},
    db::Db,
    editor::store::{Actor, ChangeAction, VersionState, Write},
    routes::router,
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{Browser, Page, TestDb};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// An anonymous form (the CSRF token comes from its start page).
const OPEN_FORM: &str = r#"{
  "id": "frei", "version": 1,
  "title": {"de": "Freier Antrag", "en": "Open application"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "steps": [{"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
    {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}}]}]
}"#;

/// Two steps, a field shown only for "yes", and a fee.
fn two_step_definition() -> Value {
    json!({
      "id": "ignored-by-the-editor", "version": 99,
      "title": {"de": "Hundeanmeldung", "en": "Dog registration"},
      "summary": {"de": "Einen Hund anmelden", "en": "Register a dog"},
      "authority": {"id": "stadt-erfurt", "name": {"de": "Stadt Erfurt", "en": "City of Erfurt"}},
      "steps": [
        {"id": "halter", "title": {"de": "Halterin oder Halter", "en": "Owner"}, "fields": [
          {"id": "name", "type": "text", "label": {"de": "Ihr Name", "en": "Your name"}, "required": true}]},
        {"id": "hund", "title": {"de": "Der Hund", "en": "The dog"}, "fields": [
          {"id": "gefaehrlich", "type": "yes_no", "label": {"de": "Ist der Hund als gefährlich eingestuft?", "en": "Is the dog classed as dangerous?"}, "required": true},
          {"id": "gutachten", "type": "text", "label": {"de": "Nummer des Gutachtens", "en": "Number of the expert report"}, "required": true,
           "visible_if": {"==": [{"var": "gefaehrlich"}, true]}}]}
      ],
      "fees": [{"id": "gebuehr", "purpose": {"de": "Anmeldegebühr", "en": "Registration fee"}, "amount_cents": 1500}]
    })
}

async fn app(db: &Db) -> Router {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("frei.json"), OPEN_FORM).unwrap();
    let state = common::app_state(db, dir.path()).await;
    let auth = common::test_auth();
    router(state.with_auth(auth))
}

impl Page {
    /// The page with entities decoded.
    fn text(&self) -> String {
        self.body
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }
}

impl Browser {
    /// Posts `pairs` with the session's CSRF token.
    async fn submit(&mut self, uri: &str, pairs: &[(&str, &str)]) -> Page {
        let token = self.get("/forms/frei").await.csrf();
        let mut body = format!("_csrf={}", urlencode(&token));
        for (name, value) in pairs {
            body.push_str(&format!("&{}={}", urlencode(name), urlencode(value)));
        }
        self.post(uri, &body).await
    }

    async fn upload(&mut self, uri: &str, file: &str) -> Page {
        self.upload_bytes(uri, file.as_bytes()).await
    }

    async fn upload_bytes(&mut self, uri: &str, file: &[u8]) -> Page {
        let token = self.get("/forms/frei").await.csrf();
        let boundary = "XyZbOuNdArY";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.json\"\r\n\
             Content-Type: application/json\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(uri)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn editor(db: &Db, app: &Router) -> Browser {
    let login = testing::staff_login(StaffRoles {
        editor: true,
        ..StaffRoles::default()
    });
    let session = testing::logged_in_session(db, &login).await.unwrap();
    Browser::with_session(app, &session)
}

async fn citizen(db: &Db, app: &Router) -> Browser {
    let login = testing::login(Some(TrustLevel::Substanziell), AccountType::Citizen);
    let session = testing::logged_in_session(db, &login).await.unwrap();
    Browser::with_session(app, &session)
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
    }
}

/// Creates form `hund` and saves the two-step definition into its draft.
async fn create_two_step_form(editor: &mut Browser) {
    let created = editor
        .submit(
            "/redaktion/neu",
            &[
                ("id", "hund"),
                ("title_de", "Hund anmelden"),
                ("title_en", "Register a dog"),
                ("authority_id", "stadt-erfurt"),
                ("authority_de", "Stadt Erfurt"),
                ("authority_en", "City of Erfurt"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location, "/redaktion/hund/bearbeiten");
    let text = two_step_definition().to_string();
    let saved = editor
        .submit("/redaktion/hund/bearbeiten", &[("definition", &text)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, "/redaktion/hund/bearbeiten?gespeichert");
}

async fn every_route_needs_the_editor_role(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let gets = [
        "/redaktion",
        "/redaktion/hund",
        "/redaktion/hund/bearbeiten",
        "/redaktion/hund/export",
        "/redaktion/hund/vorschau",
        "/redaktion/hund/vorschau/halter",
        "/redaktion/hund/vorschau/pruefen",
    ];
    let posts = [
        "/redaktion/neu",
        "/redaktion/hund/entwurf",
        "/redaktion/hund/bearbeiten",
        "/redaktion/hund/import",
        "/redaktion/hund/struktur",
        "/redaktion/hund/veroeffentlichen",
        "/redaktion/hund/zurueckziehen",
        "/redaktion/hund/wiederherstellen",
        "/redaktion/hund/vorschau/halter",
        "/redaktion/hund/vorschau/absenden",
        "/redaktion/hund/vorschau/neu",
    ];
    let mut anonymous = Browser::on(&app);
    let mut citizen = citizen(db, &app).await;
    for path in gets {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "anonymous GET {path}");
        assert_eq!(
            page.location,
            format!("/auth/login?next={}", urlencode(path)),
            "GET {path}"
        );
        let page = citizen.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "citizen GET {path}");
        assert!(page.text().contains("Formular-Redaktion"), "{path}");
        let page = editor.get(path).await;
        assert!(
            page.status == StatusCode::OK || page.status == StatusCode::SEE_OTHER,
            "editor GET {path}: {}",
            page.status
        );
    }
    for path in posts {
        let page = anonymous.submit(path, &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "anonymous POST {path}");
        assert!(
            page.location.starts_with("/auth/login?next="),
            "POST {path}"
        );
        let page = citizen.submit(path, &[("definition", "{}")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "citizen POST {path}");
    }
    // Nothing the refused requests did changed the form.
    let history = db.editor_changes("hund").await.unwrap();
    assert_eq!(history.len(), 2, "created and saved only: {history:?}");
    let versions = db.editor_form_versions("hund").await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].state, VersionState::Draft);

    // An editor POST without the token is refused.
    let page = editor.post("/redaktion/hund/veroeffentlichen", "").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        db.editor_form_versions("hund").await.unwrap()[0].state,
        VersionState::Draft
    );
}

async fn the_list_shows_forms_versions_state_and_authority(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let text = editor.get("/redaktion").await.text();
    assert!(text.contains("<h1>Formular-Redaktion</h1>"), "{text}");
    // The form shipped as a file and the new one, each with its state
    // and receiving authority.
    assert!(
        text.contains("href=\"/redaktion/frei\">Freier Antrag</a>"),
        "{text}"
    );
    assert!(
        text.contains("href=\"/redaktion/hund\">Hundeanmeldung</a>"),
        "{text}"
    );
    assert!(text.contains("Version 1: Veröffentlicht"));
    assert!(text.contains("Version 1: Entwurf"));
    assert!(text.contains("<td>Stadt Erfurt</td>") && text.contains("<td>Amt</td>"));

    // A wrong id is refused with the fields kept.
    let page = editor
        .submit(
            "/redaktion/neu",
            &[
                ("id", "Hund Steuer"),
                ("title_de", "Hundesteuer"),
                ("title_en", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text();
    assert!(text.contains("nur Kleinbuchstaben"), "{text}");
    assert!(text.contains("<code>title.en</code>"), "{text}");
    assert!(text.contains("value=\"Hundesteuer\""), "kept: {text}");
    // The id of an existing form is refused.
    let page = editor
        .submit(
            "/redaktion/neu",
            &[
                ("id", "frei"),
                ("title_de", "Noch einer"),
                ("title_en", "Another"),
                ("authority_id", "amt"),
                ("authority_de", "Amt"),
                ("authority_en", "Office"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("gibt es schon"));
}

async fn invalid_definitions_are_not_saved_and_the_text_is_kept(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("\"id\": \"hund\""),
        "the editor sets the id: {text}"
    );
    assert!(text.contains("\"version\": 1"));
    assert!(text.contains("<label for=\"definition\">"));

    // Not JSON: the line and column, and the text as typed.
    let broken = "{\"title\": {\"de\": \"Hund\"\n  oops";
    let page = editor
        .submit("/redaktion/hund/bearbeiten", &[("definition", broken)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text();
    assert!(text.contains("Nicht gespeichert"), "{text}");
    assert!(text.contains("Zeile 2"), "{text}");
    assert!(text.contains(broken), "the text is kept: {text}");

    // JSON, but the engine's check fails: each problem with its path.
    let mut wrong = two_step_definition();
    wrong["steps"][1]["fields"][0]["type"] = json!("telepathy");
    wrong["steps"][0]["fields"][0]["label"] = json!({"en": "no German"});
    let wrong = serde_json::to_string_pretty(&wrong).unwrap();
    let page = editor
        .submit("/redaktion/hund/bearbeiten", &[("definition", &wrong)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text();
    assert!(text.contains("<code>$.steps"), "a path: {text}");
    assert!(text.contains("telepathy"), "kept: {text}");
    // The stored draft is still the valid one.
    let stored = &db.editor_form_versions("hund").await.unwrap()[0];
    assert!(stored.definition.contains("gutachten"));
    assert!(!stored.definition.contains("telepathy"));
    assert_eq!(db.editor_changes("hund").await.unwrap().len(), 2);

    // Import from a file: an invalid file is reported and kept, a valid
    // one becomes the draft.
    let page = editor.upload("/redaktion/hund/import", "[1, 2]").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("JSON-Objekt"));
    let mut imported = two_step_definition();
    imported["title"]["de"] = json!("Hund anmelden (importiert)");
    let page = editor
        .upload("/redaktion/hund/import", &imported.to_string())
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // Export: the draft as a JSON download.
    let page = editor.get("/redaktion/hund/export").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"hund-v1.json\""
    );
    let exported: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(exported["title"]["de"], "Hund anmelden (importiert)");
    assert_eq!(exported["id"], "hund");
    assert_eq!(exported["version"], 1);
}

async fn the_preview_is_the_citizens_page_and_submits_nothing(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    // Citizens do not see a draft.
    let mut anonymous = Browser::on(&app);
    assert_eq!(
        anonymous.get("/forms/hund").await.status,
        StatusCode::NOT_FOUND
    );

    let page = editor.get("/redaktion/hund/vorschau").await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/halter");
    let page = editor.get("/redaktion/hund/vorschau/halter").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("Vorschau – wird nicht übermittelt"), "{text}");
    // The citizen's step page: caption, heading, field, buttons.
    assert!(text.contains("Schritt 1 von 2"), "{text}");
    assert!(text.contains("Halterin oder Halter</h1>"), "{text}");
    assert!(text.contains("Ihr Name"));
    assert!(
        text.contains("action=\"/redaktion/hund/vorschau/halter\""),
        "{text}"
    );
    assert!(!text.contains("\"/forms/hund"), "no citizen route: {text}");

    // An empty required field: the error summary, as citizens get it.
    let page = editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "")])
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/halter?fehler=1");
    let text = editor.get(&page.location).await.text();
    assert!(text.contains("error-summary"), "{text}");
    assert!(text.contains("Ihr Name"), "{text}");

    let page = editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "Erika")])
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund");
    let text = editor.get("/redaktion/hund/vorschau/hund").await.text();
    assert!(text.contains("Schritt 2 von 2"), "{text}");
    assert!(text.contains("value=\"Erika\"") || !text.contains("name=\"name\""));
    // The conditional field is on the page with its condition.
    assert!(text.contains("Nummer des Gutachtens"), "{text}");

    // "Yes" without the report number: its error.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[("gefaehrlich", "true"), ("gutachten", "")],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund?fehler=1");
    // "No": the report is not needed.
    let page = editor
        .submit("/redaktion/hund/vorschau/hund", &[("gefaehrlich", "false")])
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(text.contains("Vorschau – wird nicht übermittelt"));
    assert!(text.contains("Erika"), "{text}");
    assert!(text.contains("15,00 €"), "the fee: {text}");
    assert!(
        !text.contains("Nummer des Gutachtens"),
        "hidden field: {text}"
    );

    let page = editor
        .submit("/redaktion/hund/vorschau/absenden", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("nichts an die Behörde übermittelt"));
    assert_eq!(count(db, "submissions").await, 0);
    assert_eq!(count(db, "outbox").await, 0);
    assert_eq!(count(db, "drafts").await, 0);
    // The answers are gone: the preview starts again.
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(!text.contains("Erika"));
}

async fn publishing_pins_versions_and_retiring_hides_the_form(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
    assert_eq!(page.location, "/redaktion/hund?veroeffentlicht");
    let text = editor.get(&page.location).await.text();
    assert!(text.contains("Veröffentlicht: neue Anträge"), "{text}");

    // A citizen starts on version 1.
    let mut citizen = Browser::on(&app);
    assert!(citizen.get("/").await.text().contains("Hundeanmeldung"));
    let started = citizen.submit("/forms/hund/starten", &[]).await;
    assert_eq!(started.location, "/forms/hund/halter");
    let saved = citizen
        .submit("/forms/hund/halter", &[("name", "Max")])
        .await;
    assert_eq!(saved.location, "/forms/hund/hund");

    // Version 1 is immutable: a new draft is version 2.
    let page = editor
        .submit("/redaktion/hund/bearbeiten", &[("definition", "{}")])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "no draft to save into");
    let page = editor.submit("/redaktion/hund/entwurf", &[]).await;
    assert_eq!(page.location, "/redaktion/hund/bearbeiten");
    let mut v2 = two_step_definition();
    v2["steps"][1]["title"] = json!({"de": "Angaben zum Hund", "en": "About the dog"});
    let page = editor
        .submit(
            "/redaktion/hund/bearbeiten",
            &[("definition", &v2.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // A second draft at once is refused.
    let page = editor.submit("/redaktion/hund/entwurf", &[]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);

    // Restore the state the draft was created with (v1's content).
    let history = db.editor_changes("hund").await.unwrap();
    let created_v2 = history
        .iter()
        .find(|c| c.version == 2 && c.action == ChangeAction::Created)
        .unwrap();
    let page = editor
        .submit(
            "/redaktion/hund/wiederherstellen",
            &[("change", &created_v2.id.to_string())],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund?wiederhergestellt");
    let draft = &db.editor_form_versions("hund").await.unwrap()[0];
    assert_eq!((draft.version, draft.state), (2, VersionState::Draft));
    assert!(!draft.definition.contains("Angaben zum Hund"), "restored");
    // And the saved state back again, then publish version 2.
    let saved_v2 = history
        .iter()
        .find(|c| c.version == 2 && c.action == ChangeAction::Saved)
        .unwrap();
    editor
        .submit(
            "/redaktion/hund/wiederherstellen",
            &[("change", &saved_v2.id.to_string())],
        )
        .await;
    let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
    assert_eq!(page.location, "/redaktion/hund?veroeffentlicht");

    // The history: who, when, what.
    let text = editor.get("/redaktion/hund").await.text();
    for what in [
        "Angelegt",
        "Gespeichert",
        "Veröffentlicht",
        "Wiederhergestellt",
    ] {
        assert!(text.contains(what), "{what}: {text}");
    }
    assert!(text.contains("<td>Erika Mustermann</td>"), "{text}");
    let history = db.editor_changes("hund").await.unwrap();
    let actions: Vec<_> = history
        .iter()
        .rev()
        .map(|c| (c.version, c.action))
        .collect();
    assert_eq!(
        actions,
        [
            (1, ChangeAction::Created),
            (1, ChangeAction::Saved),
            (1, ChangeAction::Published),
            (2, ChangeAction::Created),
            (2, ChangeAction::Saved),
            (2, ChangeAction::Restored),
            (2, ChangeAction::Restored),
            (2, ChangeAction::Published),
        ]
    );
    assert!(history.iter().all(|c| c.actor.name == "Erika Mustermann"
        && c.actor.key.len() == 64
        && c.at.ends_with('Z')));

    // The citizen's draft stays on version 1; a new application gets 2.
    let text = citizen.get("/forms/hund/hund").await.text();
    assert!(text.contains("Der Hund</h1>"), "pinned to v1: {text}");
    let mut newcomer = Browser::on(&app);
    newcomer.submit("/forms/hund/starten", &[]).await;
    newcomer
        .submit("/forms/hund/halter", &[("name", "Ida")])
        .await;
    let text = newcomer.get("/forms/hund/hund").await.text();
    assert!(text.contains("Angaben zum Hund</h1>"), "v2: {text}");

    // Retire: off the start page; begun applications can still finish.
    let page = editor.submit("/redaktion/hund/zurueckziehen", &[]).await;
    assert_eq!(page.location, "/redaktion/hund?zurueckgezogen");
    assert!(!newcomer.get("/").await.text().contains("Hundeanmeldung"));
    assert_eq!(
        Browser {
            app: app.clone(),
            cookie: None
        }
        .get("/forms/hund")
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let saved = citizen
        .submit("/forms/hund/hund", &[("gefaehrlich", "false")])
        .await;
    assert_eq!(saved.location, "/forms/hund/pruefen", "{}", saved.body);
    let versions = db.editor_form_versions("hund").await.unwrap();
    assert!(versions.iter().all(|v| v.state == VersionState::Withdrawn));
    assert_eq!(
        db.editor_changes("hund").await.unwrap()[0].action,
        ChangeAction::Retired
    );
    // Retiring twice is refused.
    let page = editor.submit("/redaktion/hund/zurueckziehen", &[]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
}

async fn storage_keeps_versions_and_history(test_db: &TestDb) {
    let db = &test_db.db;
    let actor = Actor {
        key: "k".repeat(64),
        name: "Erika Mustermann".into(),
    };
    let definition = json!({"id": "f", "version": 1});
    let created = db
        .editor_write(
            Write::CreateDraft {
                form_id: "f",
                version: 1,
                title_de: "F",
                definition: &definition,
            },
            ChangeAction::Created,
            &actor,
            1,
            Some(&definition),
        )
        .await
        .unwrap();
    assert!(created);
    // The same version again changes nothing and records nothing.
    let again = db
        .editor_write(
            Write::CreateDraft {
                form_id: "f",
                version: 1,
                title_de: "F",
                definition: &definition,
            },
            ChangeAction::Created,
            &actor,
            1,
            Some(&definition),
        )
        .await
        .unwrap();
    assert!(!again);
    // Drafts are invisible to citizens.
    assert_eq!(db.latest_published_version("f").await.unwrap(), None);
    assert_eq!(db.released_form_version("f", 1).await.unwrap(), None);
    let published = db
        .editor_write(
            Write::Publish {
                form_id: "f",
                version: 1,
            },
            ChangeAction::Published,
            &actor,
            1,
            None,
        )
        .await
        .unwrap();
    assert!(published);
    assert_eq!(db.latest_published_version("f").await.unwrap(), Some(1));
    // A published version cannot be saved into.
    let changed = json!({"id": "f", "version": 1, "x": 1});
    let saved = db
        .editor_write(
            Write::SaveDraft {
                form_id: "f",
                version: 1,
                title_de: "F2",
                definition: &changed,
            },
            ChangeAction::Saved,
            &actor,
            1,
            Some(&changed),
        )
        .await
        .unwrap();
    assert!(!saved);
    let stored: Value =
        serde_json::from_str(&db.form_version("f", 1).await.unwrap().unwrap().definition).unwrap();
    assert_eq!(stored, definition);
    // Retire: withdrawn, still readable for pinned drafts.
    assert!(
        db.editor_write(
            Write::Retire { form_id: "f" },
            ChangeAction::Retired,
            &actor,
            1,
            None
        )
        .await
        .unwrap()
    );
    assert_eq!(db.latest_published_version("f").await.unwrap(), None);
    assert!(db.released_form_version("f", 1).await.unwrap().is_some());
    let history = db.editor_changes("f").await.unwrap();
    let actions: Vec<_> = history.iter().map(|c| c.action).collect();
    assert_eq!(
        actions,
        [
            ChangeAction::Retired,
            ChangeAction::Published,
            ChangeAction::Created
        ]
    );
    let snapshot: Value = serde_json::from_str(history[2].definition.as_deref().unwrap()).unwrap();
    assert_eq!(snapshot, definition);
    assert_eq!(history[0].definition, None);
    assert_eq!(history[0].actor, actor);
    assert!(history[0].at >= history[2].at, "{history:?}");
    assert!(db.editor_changes("other").await.unwrap().is_empty());
}

/// A document of ../shared/fim (next to the repository).
fn shared_fim(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fim/").to_owned() + name;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn fim_import_and_the_quality_check_before_publishing(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;

    // A FIM Stammdatenschema becomes the draft, with the import's report.
    let page = editor
        .upload("/redaktion/hund/import", &shared_fim("v2/simple.xml"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = page.text();
    assert!(text.contains("Importiert und gespeichert"), "{text}");
    assert!(text.contains("FIM-Import"), "{text}");
    assert!(text.contains("XDatenfelder 2.0"), "{text}");
    let draft = &db.editor_form_versions("hund").await.unwrap()[0];
    assert_eq!((draft.version, draft.state), (1, VersionState::Draft));
    let stored: Value = serde_json::from_str(&draft.definition).unwrap();
    assert_eq!(stored["id"], "hund");
    assert!(draft.definition.contains("\"fim\""), "FIM ids kept");
    // Saved with a byte-order mark (as Windows editors do), it is still
    // read as FIM XML, not as broken JSON.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(shared_fim("v2/simple.xml").as_bytes());
    let page = editor
        .upload_bytes("/redaktion/hund/import", &with_bom)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("Importiert und gespeichert"));
    let draft = &db.editor_form_versions("hund").await.unwrap()[0];
    // JSON that is not UTF-8 (here Latin-1) is refused as such, not
    // garbled; the draft stays.
    let mut latin1 = two_step_definition();
    latin1["title"]["de"] = json!("Hund anmelden (Gebühr)");
    let latin1: Vec<u8> = latin1
        .to_string()
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let page = editor.upload_bytes("/redaktion/hund/import", &latin1).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("nicht in UTF-8"), "{}", page.text());
    assert_eq!(
        db.editor_form_versions("hund").await.unwrap()[0].definition,
        draft.definition
    );

    // A broken document is rejected with a clear message; the draft stays.
    let page = editor
        .upload(
            "/redaktion/hund/import",
            &shared_fim("v3/unknown-namespace.xml"),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("<code>FIM</code>"), "{}", page.text());
    assert_eq!(
        db.editor_form_versions("hund").await.unwrap()[0].definition,
        draft.definition
    );

    // The engine accepts a missing English label, the quality check does
    // not: shown on the edit page, and publishing is refused.
    let mut unlabelled = two_step_definition();
    unlabelled["steps"][0]["fields"][0]["label"] = json!({"de": "Ihr Name"});
    let saved = editor
        .submit(
            "/redaktion/hund/bearbeiten",
            &[("definition", &unlabelled.to_string())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    // The problem links to the English label's own input, on this page.
    assert!(
        page.body
            .contains(r##"href="/redaktion/hund/bearbeiten#s0-f0-label_en""##),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"id="s0-f0-label_en""#));
    let text = page.text();
    assert!(text.contains("Qualitätsprüfung"), "{text}");
    assert!(text.contains("/steps/0/fields/0/label/en"), "{text}");
    let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    let text = page.text();
    assert!(text.contains("Nicht veröffentlicht"), "{text}");
    assert!(text.contains("field_label_missing"), "{text}");
    assert_eq!(
        db.editor_form_versions("hund").await.unwrap()[0].state,
        VersionState::Draft
    );
    // Fixed, it publishes.
    editor
        .submit(
            "/redaktion/hund/bearbeiten",
            &[("definition", &two_step_definition().to_string())],
        )
        .await;
    let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
    assert_eq!(page.location, "/redaktion/hund?veroeffentlicht");
}

/// Every visible control of `html` has a `<label for>`, and no id is
/// used twice (what a screen reader and axe-core need).
fn labelled_with_unique_ids(html: &str) {
    let mut ids = std::collections::HashSet::new();
    for part in html.split(" id=\"").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        assert!(ids.insert(id.to_owned()), "id {id} twice");
    }
    for tag in ["<input ", "<select ", "<textarea "] {
        for part in html.split(tag).skip(1) {
            let element = &part[..part.find('>').unwrap()];
            if element.contains("type=\"hidden\"") {
                continue;
            }
            let id = element.split("id=\"").nth(1).expect("an id");
            let id = &id[..id.find('"').unwrap()];
            assert!(
                html.contains(&format!("<label for=\"{id}\">")),
                "no label for {id}"
            );
        }
    }
}

/// The stored draft's definition of form `hund`.
async fn stored(db: &Db) -> Value {
    serde_json::from_str(&db.editor_form_versions("hund").await.unwrap()[0].definition).unwrap()
}

/// Posts one structured change and expects it saved.
async fn change(editor: &mut Browser, pairs: &[(&str, &str)]) {
    let page = editor.submit("/redaktion/hund/struktur", pairs).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{pairs:?}: {}",
        page.text()
    );
    assert_eq!(page.location, "/redaktion/hund/bearbeiten?gespeichert");
}

/// Posts one structured change and expects it refused with `message`,
/// the draft and its history unchanged.
async fn refused(db: &Db, editor: &mut Browser, pairs: &[(&str, &str)], message: &str) {
    let before = stored(db).await;
    let history = db.editor_changes("hund").await.unwrap().len();
    let page = editor.submit("/redaktion/hund/struktur", pairs).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{pairs:?}");
    let text = page.text();
    assert!(text.contains(message), "{pairs:?}: {text}");
    assert_eq!(stored(db).await, before, "{pairs:?}");
    assert_eq!(db.editor_changes("hund").await.unwrap().len(), history);
}

async fn structured_editing_saves_through_the_engine_check(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    let text = page.text();
    assert!(text.contains("Bearbeiten ohne JSON"), "{text}");
    assert!(text.contains("<label for=\"title_de\">Titel (Deutsch)</label>"));
    assert!(text.contains("<label for=\"s1-f0-label_de\">"));
    assert!(text.contains("<option value=\"postal_code\">"));
    labelled_with_unique_ids(&page.body);

    // Settings.
    let settings = [
        ("aktion", "einstellungen"),
        ("title_de", "Hund anmelden"),
        ("title_en", "Register a dog"),
        ("description_de", "Für Hundehalter"),
        ("description_en", "For dog owners"),
        ("authority_id", "stadt-jena"),
        ("authority_de", "Stadt Jena"),
        ("authority_en", "City of Jena"),
        ("retention_days", "60"),
        ("access", "service_account"),
        ("min_trust_level", "substanziell"),
    ];
    change(&mut editor, &settings).await;
    let d = stored(db).await;
    assert_eq!(d["title"]["de"], "Hund anmelden");
    assert_eq!(d["description"]["en"], "For dog owners");
    assert_eq!(d["authority"]["name"]["de"], "Stadt Jena");
    assert_eq!(d["retention_days"], 60);
    assert_eq!(d["access"]["kind"], "service_account");
    assert_eq!(d["access"]["min_trust_level"], "substanziell");
    let history = db.editor_changes("hund").await.unwrap();
    assert_eq!(history.len(), 3);
    assert!(history.iter().any(|c| c.action == ChangeAction::Saved));
    // The history shows German local time, the stored UTC in `datetime`.
    let page = editor.get("/redaktion/hund").await;
    assert!(page.text().contains(" Uhr</time>"), "{}", page.text());
    assert!(
        page.text()
            .contains(&format!("<time datetime=\"{}\">", history[0].at))
    );
    let mut bad = settings.to_vec();
    bad[8] = ("retention_days", "viele");
    refused(db, &mut editor, &bad, "ganze Zahl von Tagen").await;
    let mut bad = settings.to_vec();
    bad[1] = ("title_de", "");
    bad[5] = ("authority_id", "stadt-weimar");
    refused(db, &mut editor, &bad, "Nicht gespeichert").await;
    // The input is kept on the page: the forms show what was entered.
    let page = editor.submit("/redaktion/hund/struktur", &bad).await;
    assert!(
        page.text()
            .contains("name=\"authority_id\" value=\"stadt-weimar\"")
    );

    // Steps: add, rename, move, delete.
    change(
        &mut editor,
        &[
            ("aktion", "schritt_neu"),
            ("id", "nachweise"),
            ("title_de", "Nachweise"),
            ("title_en", "Evidence"),
            ("field_id", "chip"),
            ("field_type", "text"),
            ("field_label_de", "Chipnummer"),
            ("field_label_en", "Chip number"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "2"),
            ("id", "foto"),
            ("type", "date"),
            ("label_de", "Geburtstag"),
            ("label_en", "Birthday"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "schritt_titel"),
            ("step", "2"),
            ("title_de", "Belege"),
            ("title_en", "Proof"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "schritt_verschieben"),
            ("step", "2"),
            ("richtung", "hoch"),
        ],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(d["steps"][1]["id"], "nachweise");
    assert_eq!(d["steps"][1]["title"]["de"], "Belege");
    assert_eq!(d["steps"][1]["fields"][0]["id"], "chip");
    assert_eq!(d["steps"][1]["fields"][1]["type"], "date");
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "schritt_verschieben"),
            ("step", "0"),
            ("richtung", "hoch"),
        ],
        "ganz oben",
    )
    .await;
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "schritt_neu"),
            ("id", "halter"),
            ("title_de", "Doppelt"),
            ("title_en", "Twice"),
            ("field_id", "z"),
            ("field_type", "info"),
            ("field_label_de", "Z"),
            ("field_label_en", "Z"),
            ("field_text_de", "Z"),
            ("field_text_en", "Z"),
        ],
        "Nicht gespeichert",
    )
    .await;
    change(
        &mut editor,
        &[("aktion", "schritt_loeschen"), ("step", "1")],
    )
    .await;
    assert_eq!(stored(db).await["steps"].as_array().unwrap().len(), 2);

    // An information step and a declaration: their text is edited with them;
    // without one they are refused with a message that says so; a
    // repeatable group is offered (with its first field).
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    assert!(page.body.contains(r#"<option value="info">"#));
    assert!(page.body.contains(r#"<option value="group">"#));
    change(
        &mut editor,
        &[
            ("aktion", "schritt_neu"),
            ("id", "hinweise"),
            ("title_de", "Hinweise"),
            ("title_en", "Notes"),
            ("field_id", "hinweis"),
            ("field_type", "info"),
            ("field_label_de", "Gut zu wissen"),
            ("field_label_en", "Good to know"),
            ("field_text_de", "Die Steuermarke kommt per Post."),
            ("field_text_en", "The tax tag comes by post."),
        ],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(d["steps"][2]["fields"][0]["type"], "info");
    assert_eq!(
        d["steps"][2]["fields"][0]["text"]["de"],
        "Die Steuermarke kommt per Post."
    );
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "2"),
            ("id", "erklaerung"),
            ("type", "declaration"),
            ("label_de", "Erklärung"),
            ("label_en", "Declaration"),
        ],
        "brauchen einen Text",
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "2"),
            ("id", "erklaerung"),
            ("type", "declaration"),
            ("label_de", "Erklärung"),
            ("label_en", "Declaration"),
            ("text_de", "Ich versichere die Richtigkeit."),
            ("text_en", "I declare this is true."),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "2"),
            ("field", "1"),
            ("label_de", "Erklärung"),
            ("label_en", "Declaration"),
            ("text_de", "Ich versichere, dass alles stimmt."),
            ("text_en", "I declare that all is true."),
        ],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(
        d["steps"][2]["fields"][1]["text"]["en"],
        "I declare that all is true."
    );
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    assert!(page.body.contains("Ich versichere, dass alles stimmt."));
    labelled_with_unique_ids(&page.body);
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "2"),
            ("id", "gruppe"),
            ("type", "group"),
            ("label_de", "Gruppe"),
            ("label_en", "Group"),
        ],
        "braucht ihr erstes Feld",
    )
    .await;
    change(
        &mut editor,
        &[("aktion", "schritt_loeschen"), ("step", "2")],
    )
    .await;
    assert_eq!(stored(db).await["steps"].as_array().unwrap().len(), 2);

    // Fields: add a choice, edit it with options, limits, move, delete.
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("id", "rasse"),
            ("type", "select"),
            ("label_de", "Rasse"),
            ("label_en", "Breed"),
            ("options", "dackel|Dackel|Dachshund"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "1"),
            ("label_de", "Rasse des Hundes"),
            ("label_en", "Breed of the dog"),
            ("hint_de", "Bei Mischlingen: Mischling"),
            ("hint_en", "Mixed: mixed"),
            ("required", "ja"),
            ("options", "dackel|Dackel|Dachshund\nmix|Mischling|Mixed"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "0"),
            ("label_de", "Ihr Name"),
            ("label_en", "Your name"),
            ("max_length", "40"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_verschieben"),
            ("step", "0"),
            ("field", "1"),
            ("richtung", "hoch"),
        ],
    )
    .await;
    let d = stored(db).await;
    let rasse = &d["steps"][0]["fields"][0];
    assert_eq!(rasse["id"], "rasse");
    assert_eq!(rasse["required"], true);
    assert_eq!(rasse["hint"]["de"], "Bei Mischlingen: Mischling");
    assert_eq!(rasse["options"][1]["label"]["en"], "Mixed");
    let name = &d["steps"][0]["fields"][1];
    assert_eq!(name["max_length"], 40);
    assert!(name.get("required").is_none(), "unchecked: not required");
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    assert!(
        page.text()
            .contains("dackel|Dackel|Dachshund\nmix|Mischling|Mixed")
    );
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "1"),
            ("label_de", "Name"),
            ("label_en", "Name"),
            ("max_length", "lang"),
        ],
        "keine gültige Zahl",
    )
    .await;
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "0"),
            ("label_de", "Rasse"),
            ("label_en", "Breed"),
            ("options", "nur ein Teil"),
        ],
        "Zeile 1",
    )
    .await;
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("id", "name"),
            ("type", "text"),
            ("label_de", "Doppelt"),
            ("label_en", "Twice"),
        ],
        "Nicht gespeichert",
    )
    .await;
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("id", "x"),
            ("type", "telepathy"),
            ("label_de", "X"),
            ("label_en", "X"),
        ],
        "unbekannter Feldtyp",
    )
    .await;
    change(
        &mut editor,
        &[("aktion", "feld_loeschen"), ("step", "0"), ("field", "0")],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(d["steps"][0]["fields"].as_array().unwrap().len(), 1);
    assert_eq!(d["steps"][0]["fields"][0]["id"], "name");

    // A citizen is refused, and nothing changes.
    let before = stored(db).await;
    let mut citizen = citizen(db, &app).await;
    let page = citizen
        .submit(
            "/redaktion/hund/struktur",
            &[("aktion", "schritt_loeschen"), ("step", "0")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(db).await, before);
}

async fn rules_and_fees_are_built_in_the_structured_editor(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    let text = page.text();
    labelled_with_unique_ids(&page.body);
    // The stored rule of "gutachten" is shown as a condition, only
    // existing fields are offered.
    assert!(
        text.contains(r#"<option value="gefaehrlich" selected>Ist der Hund als gefährlich eingestuft? (gefaehrlich)</option>"#),
        "{text}"
    );
    assert!(!text.contains(r#"<option value="katze""#));
    assert!(text.contains("Gebühr „Anmeldegebühr“"), "{text}");
    assert!(text.contains(r#"name="amount" value="15,00""#), "{text}");

    // Shown only for "no", built as a condition.
    let rule = [
        ("aktion", "regel_baum"),
        ("step", "1"),
        ("field", "1"),
        ("art", "sichtbar"),
        ("combine", "und"),
        ("c0_field", "gefaehrlich"),
        ("c0_op", "gleich"),
        ("c0_value", "nein"),
        ("c1_field", ""),
        ("c1_op", "gleich"),
        ("c1_value", ""),
    ];
    change(&mut editor, &rule).await;
    let d = stored(db).await;
    assert_eq!(
        d["steps"][1]["fields"][1]["visible_if"],
        json!({"==": [{"var": "gefaehrlich"}, false]})
    );
    // The preview follows the new rule: "yes" needs no report number,
    // "no" asks for it.
    editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "Erika")])
        .await;
    let page = editor
        .submit("/redaktion/hund/vorschau/hund", &[("gefaehrlich", "true")])
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(!text.contains("Nummer des Gutachtens"), "{text}");
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[("gefaehrlich", "false"), ("gutachten", "")],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund?fehler=1");

    // Two conditions with "or", a requirement rule.
    change(
        &mut editor,
        &[
            ("aktion", "regel_baum"),
            ("step", "1"),
            ("field", "1"),
            ("art", "pflicht"),
            ("combine", "oder"),
            ("c0_field", "gefaehrlich"),
            ("c0_op", "ausgefuellt"),
            ("c1_field", "name"),
            ("c1_op", "ungleich"),
            ("c1_value", "X-1"),
        ],
    )
    .await;
    assert_eq!(
        stored(db).await["steps"][1]["fields"][1]["required_if"],
        json!({"or": [{"!==": [{"var": "gefaehrlich"}, null]}, {"!=": [{"var": "name"}, "X-1"]}]})
    );

    // Unknown field, bad value, bad JSON Logic: refused, nothing changes.
    let mut bad = rule.to_vec();
    bad[5] = ("c0_field", "katze");
    refused(db, &mut editor, &bad, "unbekanntes Feld „katze“").await;
    let mut bad = rule.to_vec();
    bad[7] = ("c0_value", "vielleicht");
    refused(db, &mut editor, &bad, "„ja“ oder „nein“").await;
    let raw = |rule: &'static str| {
        [
            ("aktion", "regel_roh"),
            ("step", "1"),
            ("field", "1"),
            ("art", "sichtbar"),
            ("rule", rule),
        ]
    };
    refused(db, &mut editor, &raw("{kaputt"), "kein gültiges JSON").await;
    refused(
        db,
        &mut editor,
        &raw(r#"{"==": [{"var": "katze"}, 1]}"#),
        "Nicht gespeichert",
    )
    .await;

    // A rule the tree cannot show: only the expert view.
    change(
        &mut editor,
        &raw(r#"{"in": [{"var": "gefaehrlich"}, [true]]}"#),
    )
    .await;
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains("kann nur in der Expertenansicht (JSON Logic) bearbeitet werden"),
        "{text}"
    );
    // Remove it.
    change(
        &mut editor,
        &[
            ("aktion", "regel_entfernen"),
            ("step", "1"),
            ("field", "1"),
            ("art", "sichtbar"),
        ],
    )
    .await;
    assert!(
        stored(db).await["steps"][1]["fields"][1]
            .get("visible_if")
            .is_none()
    );

    // Fees: a bad amount is refused, then add, edit, delete.
    let fee = [
        ("aktion", "gebuehr_neu"),
        ("id", "marke"),
        ("purpose_de", "Hundemarke"),
        ("purpose_en", "Dog tag"),
        ("amount", "12,3x"),
    ];
    refused(db, &mut editor, &fee, "Betrag: bitte in Euro wie „25,00“").await;
    let mut good = fee.to_vec();
    good[4] = ("amount", "25,00");
    change(&mut editor, &good).await;
    let d = stored(db).await;
    assert_eq!(
        d["fees"][1],
        json!({"id": "marke", "purpose": {"de": "Hundemarke", "en": "Dog tag"}, "amount_cents": 2500})
    );
    change(
        &mut editor,
        &[
            ("aktion", "gebuehr_bearbeiten"),
            ("fee", "0"),
            ("purpose_de", "Anmeldegebühr"),
            ("purpose_en", "Registration fee"),
            ("amount", "7,5"),
        ],
    )
    .await;
    assert_eq!(stored(db).await["fees"][0]["amount_cents"], 750);
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    // The total of both fees: 7,50 € + 25,00 €.
    assert!(text.contains("32,50 €"), "{text}");
    change(&mut editor, &[("aktion", "gebuehr_loeschen"), ("fee", "0")]).await;
    assert_eq!(stored(db).await["fees"].as_array().unwrap().len(), 1);

    // A citizen is refused, and nothing changes.
    let before = stored(db).await;
    let mut citizen = citizen(db, &app).await;
    let page = citizen.submit("/redaktion/hund/struktur", &good).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = citizen.submit("/redaktion/hund/struktur", &rule).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(db).await, before);
}

/// A field of every kind of setting, a code list and a group.
fn every_type_definition() -> Value {
    json!({
      "id": "hund", "version": 1,
      "title": {"de": "Hundeanmeldung", "en": "Dog registration"},
      "summary": {"de": "Einen Hund anmelden", "en": "Register a dog"},
      "authority": {"id": "stadt-erfurt", "name": {"de": "Stadt Erfurt", "en": "City of Erfurt"}},
      "steps": [
        {"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
          {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}},
          {"id": "flaeche", "type": "number", "label": {"de": "Grundstücksfläche", "en": "Plot size"}},
          {"id": "miete", "type": "money", "label": {"de": "Miete", "en": "Rent"}},
          {"id": "geburt", "type": "date", "label": {"de": "Geburtsdatum", "en": "Date of birth"}},
          {"id": "staat", "type": "select", "label": {"de": "Staat", "en": "Country"},
           "options": [{"value": "de", "label": {"de": "Deutschland", "en": "Germany"}}]},
          {"id": "tiere", "type": "checkboxes", "label": {"de": "Tiere", "en": "Animals"},
           "options": [{"value": "hund", "label": {"de": "Hund", "en": "Dog"}},
                       {"value": "katze", "label": {"de": "Katze", "en": "Cat"}},
                       {"value": "maus", "label": {"de": "Maus", "en": "Mouse"}}]},
          {"id": "personen", "type": "group", "label": {"de": "Personen", "en": "People"},
           "fields": [{"id": "vorname", "type": "text", "label": {"de": "Vorname", "en": "First name"}}]}]},
        {"id": "belege", "title": {"de": "Belege", "en": "Evidence"}, "fields": [
          {"id": "nachweis", "type": "file", "label": {"de": "Nachweis", "en": "Proof"},
           "accept": ["application/pdf"], "max_size_bytes": 10485760}]}
      ],
      "code_lists": {"staaten": {"options": [
        {"value": "de", "label": {"de": "Deutschland", "en": "Germany"}},
        {"value": "at", "label": {"de": "Österreich", "en": "Austria"}}]}}
    })
}

/// The fields `feld_bearbeiten` of field `field` on step `step` posts,
/// with its label, plus `extra`.
fn field_form<'a>(
    step: &'a str,
    field: &'a str,
    label: (&'a str, &'a str),
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("aktion", "feld_bearbeiten"),
        ("step", step),
        ("field", field),
        ("label_de", label.0),
        ("label_en", label.1),
    ];
    pairs.extend_from_slice(extra);
    pairs
}

async fn every_type_setting_is_edited_without_json(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let saved = editor
        .submit(
            "/redaktion/hund/bearbeiten",
            &[("definition", &every_type_definition().to_string())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    for label in [
        r#"<label for="summary-de">Kurzbeschreibung"#,
        r#"<label for="requirements">"#,
        r#"<label for="privacy_notice-en">"#,
        r#"<label for="duration_minutes">"#,
        r#"<label for="draft_expiry_days">"#,
        r#"<label for="s0-description-de">"#,
        r#"<label for="s0-f0-pattern">"#,
        r#"<label for="s0-f0-pattern_message-en">"#,
        r#"<label for="s0-f0-prefill_claim">"#,
        r#"<label for="s0-f0-prefill_editable">"#,
        r#"<label for="s0-f0-autocomplete">"#,
        r#"<label for="s0-f1-decimals">"#,
        r#"<label for="s0-f1-unit-de">"#,
        r#"<label for="s0-f2-min_amount">Kleinster Betrag in Euro"#,
        r#"<label for="s0-f3-min_date">Frühestes Datum"#,
        r#"<label for="s0-f4-code_list">Codeliste"#,
        r#"<label for="s0-f5-max_selected">"#,
        r#"<label for="s0-f6-item_label-de">"#,
        r#"<label for="s1-f0-accept">"#,
        r#"<label for="s1-f0-max_size_mb">Größte Datei in MB"#,
        r#"<label for="s1-f0-max_files">"#,
    ] {
        assert!(text.contains(label), "{label}: {text}");
    }
    // Each input shows the stored value; the prefill offers what fits.
    assert!(text.contains(r#"name="accept" value="application/pdf""#));
    assert!(text.contains(r#"name="max_size_mb" value="10""#));
    assert!(text.contains(r#"<option value="family_name">Familienname (family name)</option>"#));
    assert!(text.contains(r#"<option value="birthdate">Geburtsdatum (date of birth)</option>"#));
    assert!(
        !text.contains(r#"id="s0-f1-prefill_claim""#),
        "no claim fits a number"
    );
    assert!(
        !text.contains(r#"id="s0-f1-pattern""#),
        "no pattern for a number"
    );

    // Form settings: the start page's texts, duration, draft expiry.
    let settings = [
        ("aktion", "einstellungen"),
        ("title_de", "Hundeanmeldung"),
        ("title_en", "Dog registration"),
        ("authority_id", "stadt-erfurt"),
        ("authority_de", "Stadt Erfurt"),
        ("authority_en", "City of Erfurt"),
        ("retention_days", "7"),
        ("access", "anonymous"),
        ("summary_de", "Hund anmelden, Steuermarke erhalten"),
        ("summary_en", "Register a dog, get the tax tag"),
        (
            "requirements",
            "Personalausweis|Identity card\nChipnummer des Hundes|The dog's chip number",
        ),
        (
            "privacy_notice_de",
            "Die Stadt verarbeitet Ihre Angaben nach § 12.",
        ),
        (
            "privacy_notice_en",
            "The city processes your data under § 12.",
        ),
        ("duration_minutes", "10"),
        ("draft_expiry_days", "14"),
    ];
    change(&mut editor, &settings).await;
    let d = stored(db).await;
    assert_eq!(d["summary"]["en"], "Register a dog, get the tax tag");
    assert_eq!(
        d["requirements"][1],
        json!({"de": "Chipnummer des Hundes", "en": "The dog's chip number"})
    );
    assert_eq!(
        d["privacy_notice"]["de"],
        "Die Stadt verarbeitet Ihre Angaben nach § 12."
    );
    assert_eq!(
        (
            d["duration_minutes"].clone(),
            d["draft_expiry_days"].clone()
        ),
        (json!(10), json!(14))
    );
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains("Personalausweis|Identity card\nChipnummer des Hundes|The dog's chip number")
    );
    assert!(
        text.contains(r#"name="draft_expiry_days" value="14""#),
        "{text}"
    );
    let mut cleared = settings.to_vec();
    for (name, value) in cleared.iter_mut() {
        if [
            "requirements",
            "privacy_notice_de",
            "privacy_notice_en",
            "duration_minutes",
            "draft_expiry_days",
        ]
        .contains(name)
        {
            *value = "";
        }
    }
    change(&mut editor, &cleared).await;
    let d = stored(db).await;
    for key in [
        "requirements",
        "privacy_notice",
        "duration_minutes",
        "draft_expiry_days",
    ] {
        assert!(d.get(key).is_none(), "{key}: {d}");
    }
    let mut bad = settings.to_vec();
    bad[13] = ("duration_minutes", "zehn");
    refused(
        db,
        &mut editor,
        &bad,
        "Dauer in Minuten / duration in minutes: keine gültige Zahl",
    )
    .await;
    let mut bad = settings.to_vec();
    bad[14] = ("draft_expiry_days", "0");
    refused(db, &mut editor, &bad, "$.draft_expiry_days").await;
    let mut bad = settings.to_vec();
    bad[8] = ("summary_de", "");
    refused(db, &mut editor, &bad, "$.summary.de").await;

    // A step's text under its title.
    let step = [
        ("aktion", "schritt_titel"),
        ("step", "0"),
        ("title_de", "Angaben"),
        ("title_en", "Details"),
        ("description_de", "Wie im Ausweis"),
        ("description_en", "As in your passport"),
    ];
    change(&mut editor, &step).await;
    assert_eq!(
        stored(db).await["steps"][0]["description"]["en"],
        "As in your passport"
    );
    let mut empty = step.to_vec();
    empty[4] = ("description_de", "");
    empty[5] = ("description_en", "");
    change(&mut editor, &empty).await;
    assert!(stored(db).await["steps"][0].get("description").is_none());

    // Text: length, pattern and its message, autocomplete, prefill.
    let name = ("Name", "Name");
    let text_settings = [
        ("min_length", "2"),
        ("max_length", "40"),
        ("pattern", "[A-ZÄÖÜ][a-zäöüß]+"),
        (
            "pattern_message_de",
            "„Name“: bitte mit großem Anfangsbuchstaben",
        ),
        ("pattern_message_en", "“Name”: please with a capital letter"),
        ("autocomplete", "family-name"),
        ("prefill_claim", "family_name"),
        ("prefill_editable", "ja"),
    ];
    change(&mut editor, &field_form("0", "0", name, &text_settings)).await;
    let d = stored(db).await;
    let f = &d["steps"][0]["fields"][0];
    assert_eq!(
        (f["min_length"].clone(), f["max_length"].clone()),
        (json!(2), json!(40))
    );
    assert_eq!(f["pattern"], "[A-ZÄÖÜ][a-zäöüß]+");
    assert_eq!(
        f["pattern_message"]["en"],
        "“Name”: please with a capital letter"
    );
    assert_eq!(f["autocomplete"], "family-name");
    assert_eq!(
        f["prefill"],
        json!({"claim": "family_name", "editable": true})
    );
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains(r#"name="pattern" value="[A-ZÄÖÜ][a-zäöüß]+""#),
        "{text}"
    );
    assert!(
        text.contains(r#"<option value="family_name" selected>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"id="s0-f0-prefill_editable" name="prefill_editable" value="ja" checked"#)
    );
    // Read-only prefill: the checkbox off.
    let mut verified = text_settings.to_vec();
    verified.pop();
    change(&mut editor, &field_form("0", "0", name, &verified)).await;
    assert_eq!(
        stored(db).await["steps"][0]["fields"][0]["prefill"],
        json!({"claim": "family_name"})
    );
    // The engine refuses a broken pattern; our own inputs are named.
    refused(
        db,
        &mut editor,
        &field_form("0", "0", name, &[("pattern", "[A-Z")]),
        "invalid regular expression",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("0", "0", name, &[("min_length", "zwei")]),
        "Mindestlänge / min length: keine gültige Zahl",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form(
            "0",
            "0",
            name,
            &[("min_length", "50"), ("max_length", "40")],
        ),
        "min_length is larger than max_length",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("0", "0", name, &[("autocomplete", "Family Name")]),
        "is not an autocomplete token",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("0", "0", name, &[("prefill_claim", "shoe_size")]),
        "Vorbelegung: unbekanntes Merkmal",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("0", "0", name, &[("prefill_claim", "birthdate")]),
        "passt nicht zum Feldtyp",
    )
    .await;
    let clear = [
        ("min_length", ""),
        ("max_length", ""),
        ("pattern", ""),
        ("pattern_message_de", ""),
        ("pattern_message_en", ""),
        ("autocomplete", ""),
        ("prefill_claim", ""),
    ];
    change(&mut editor, &field_form("0", "0", name, &clear)).await;
    let d = stored(db).await;
    assert_eq!(
        d["steps"][0]["fields"][0],
        json!({"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}})
    );

    // Number: range, decimals, unit.
    let plot = ("Grundstücksfläche", "Plot size");
    change(
        &mut editor,
        &field_form(
            "0",
            "1",
            plot,
            &[
                ("min", "0"),
                ("max", "10000,5"),
                ("decimals", "2"),
                ("unit_de", "m²"),
                ("unit_en", "m²"),
            ],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][1];
    assert_eq!(
        (f["max"].clone(), f["decimals"].clone()),
        (json!(10000.5), json!(2))
    );
    assert_eq!(f["unit"], json!({"de": "m²", "en": "m²"}));
    refused(
        db,
        &mut editor,
        &field_form("0", "1", plot, &[("decimals", "zwei")]),
        "Nachkommastellen / decimal places: keine gültige Zahl",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("0", "1", plot, &[("decimals", "7")]),
        "at most 6 decimal places",
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "0",
            "1",
            plot,
            &[
                ("min", ""),
                ("max", ""),
                ("decimals", ""),
                ("unit_de", ""),
                ("unit_en", ""),
            ],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][1];
    for key in ["min", "max", "decimals", "unit"] {
        assert!(f.get(key).is_none(), "{key}: {f}");
    }

    // Money: euros in, cents stored, euros shown.
    let rent = ("Miete", "Rent");
    change(
        &mut editor,
        &field_form(
            "0",
            "2",
            rent,
            &[
                ("min_amount", "-12,50"),
                ("max_amount", "1.500,00"),
                ("autocomplete", "off"),
            ],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][2];
    assert_eq!(
        (f["min_cents"].clone(), f["max_cents"].clone()),
        (json!(-1250), json!(150_000))
    );
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains(r#"name="min_amount" value="-12,50""#),
        "{text}"
    );
    assert!(
        text.contains(r#"name="max_amount" value="1500,00""#),
        "{text}"
    );
    refused(
        db,
        &mut editor,
        &field_form("0", "2", rent, &[("min_amount", "zwölf")]),
        "Kleinster Betrag / minimum amount: kein gültiger Betrag",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form(
            "0",
            "2",
            rent,
            &[("min_amount", "20"), ("max_amount", "10")],
        ),
        "min_cents is larger than max_cents",
    )
    .await;
    change(
        &mut editor,
        &field_form("0", "2", rent, &[("min_amount", ""), ("max_amount", "")]),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][2];
    assert!(f.get("min_cents").is_none() && f.get("max_cents").is_none());

    // Date: a fixed date (German or ISO) and one relative to today.
    let birth = ("Geburtsdatum", "Date of birth");
    change(
        &mut editor,
        &field_form(
            "0",
            "3",
            birth,
            &[
                ("min_date", "01.01.1900"),
                ("max_date", "heute-18j"),
                ("prefill_claim", "birthdate"),
            ],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][3];
    assert_eq!(
        (f["min_date"].clone(), f["max_date"].clone()),
        (json!("1900-01-01"), json!("today-18y"))
    );
    assert_eq!(f["prefill"]["claim"], "birthdate");
    refused(
        db,
        &mut editor,
        &field_form("0", "3", birth, &[("min_date", "gestern")]),
        "Frühestes Datum / earliest date: kein gültiges Datum",
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "0",
            "3",
            birth,
            &[("min_date", ""), ("max_date", ""), ("prefill_claim", "")],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][3];
    assert!(
        f.get("min_date").is_none() && f.get("max_date").is_none() && f.get("prefill").is_none()
    );

    // Select: the code list instead of the options, and back.
    let country = ("Staat", "Country");
    refused(
        db,
        &mut editor,
        &field_form(
            "0",
            "4",
            country,
            &[
                ("code_list", "staaten"),
                ("options", "de|Deutschland|Germany"),
            ],
        ),
        "leeren Sie die Optionen",
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "0",
            "4",
            country,
            &[("code_list", "staaten"), ("options", "")],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][4];
    assert_eq!(f["code_list"], "staaten");
    assert!(f.get("options").is_none());
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains(r#"<option value="staaten" selected>staaten</option>"#),
        "{text}"
    );
    refused(
        db,
        &mut editor,
        &field_form("0", "4", country, &[("code_list", ""), ("options", "")]),
        "bitte Optionen (eine je Zeile) oder eine Codeliste",
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "0",
            "4",
            country,
            &[("code_list", ""), ("options", "de|Deutschland|Germany")],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][4];
    assert!(f.get("code_list").is_none());
    assert_eq!(f["options"][0]["value"], "de");

    // Checkboxes: how many to choose.
    let animals = ("Tiere", "Animals");
    change(
        &mut editor,
        &field_form(
            "0",
            "5",
            animals,
            &[("min_selected", "1"), ("max_selected", "2")],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][5];
    assert_eq!(
        (f["min_selected"].clone(), f["max_selected"].clone()),
        (json!(1), json!(2))
    );
    refused(
        db,
        &mut editor,
        &field_form("0", "5", animals, &[("min_selected", "4")]),
        "min_selected is larger than the number of options",
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "0",
            "5",
            animals,
            &[("min_selected", ""), ("max_selected", "")],
        ),
    )
    .await;
    assert!(
        stored(db).await["steps"][0]["fields"][5]
            .get("min_selected")
            .is_none()
    );

    // Group: entries and what one is called.
    let people = ("Personen", "People");
    change(
        &mut editor,
        &field_form(
            "0",
            "6",
            people,
            &[
                ("min_items", "1"),
                ("max_items", "5"),
                ("item_label_de", "Person"),
                ("item_label_en", "Person"),
            ],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][0]["fields"][6];
    assert_eq!(
        (f["min_items"].clone(), f["max_items"].clone()),
        (json!(1), json!(5))
    );
    assert_eq!(f["item_label"]["de"], "Person");
    assert_eq!(f["fields"][0]["id"], "vorname", "the inner fields stay");
    refused(
        db,
        &mut editor,
        &field_form("0", "6", people, &[("max_items", "101")]),
        "must be between 1 and 100",
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "0",
            "6",
            people,
            &[
                ("min_items", ""),
                ("max_items", ""),
                ("item_label_de", ""),
                ("item_label_en", ""),
            ],
        ),
    )
    .await;
    assert!(
        stored(db).await["steps"][0]["fields"][6]
            .get("item_label")
            .is_none()
    );

    // File: media types, size in MB, number of files.
    let proof = ("Nachweis", "Proof");
    change(
        &mut editor,
        &field_form(
            "1",
            "0",
            proof,
            &[
                ("accept", "application/pdf, image/*"),
                ("max_size_mb", "2,5"),
                ("max_files", "3"),
            ],
        ),
    )
    .await;
    let f = &stored(db).await["steps"][1]["fields"][0];
    assert_eq!(f["accept"], json!(["application/pdf", "image/*"]));
    assert_eq!(f["max_size_bytes"], 2_621_440);
    assert_eq!(f["max_files"], 3);
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains(r#"name="accept" value="application/pdf, image/*""#),
        "{text}"
    );
    assert!(text.contains(r#"name="max_size_mb" value="2,5""#), "{text}");
    refused(
        db,
        &mut editor,
        &field_form("1", "0", proof, &[("max_size_mb", "viel")]),
        "Größte Datei in MB / largest file in MB: keine gültige Größe",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("1", "0", proof, &[("max_size_mb", "200")]),
        "must be between 1 byte and 100 MB",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("1", "0", proof, &[("accept", "pdf")]),
        "is not a media type like application/pdf",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("1", "0", proof, &[("accept", "")]),
        "a file field needs the accepted media types",
    )
    .await;
    change(
        &mut editor,
        &field_form("1", "0", proof, &[("max_files", "")]),
    )
    .await;
    assert!(
        stored(db).await["steps"][1]["fields"][0]
            .get("max_files")
            .is_none()
    );
    // A new file field starts with types and a size, so it can be saved.
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "1"),
            ("id", "foto"),
            ("type", "file"),
            ("label_de", "Foto"),
            ("label_en", "Photo"),
        ],
    )
    .await;
    assert_eq!(
        stored(db).await["steps"][1]["fields"][1]["max_size_bytes"],
        10_485_760
    );

    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
}

async fn settings_made_in_the_editor_hold_on_the_preview(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    change(
        &mut editor,
        &field_form(
            "0",
            "0",
            ("Ihr Name", "Your name"),
            &[
                ("required", "ja"),
                ("pattern", "[A-ZÄÖÜ][a-zäöüß]+"),
                (
                    "pattern_message_de",
                    "„Ihr Name“: bitte mit großem Anfangsbuchstaben, z. B. Erika",
                ),
                (
                    "pattern_message_en",
                    "“Your name”: please with a capital letter, e.g. Erika",
                ),
                ("autocomplete", "given-name"),
            ],
        ),
    )
    .await;
    let page = editor.get("/redaktion/hund/vorschau/halter").await;
    assert!(
        page.text().contains(r#"autocomplete="given-name""#),
        "{}",
        page.text()
    );
    let page = editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "erika")])
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/halter?fehler=1");
    let text = editor.get(&page.location).await.text();
    assert!(text.contains("error-summary"), "{text}");
    assert!(
        text.contains("„Ihr Name“: bitte mit großem Anfangsbuchstaben, z. B. Erika"),
        "{text}"
    );
    let page = editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "Erika")])
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund");
    // The step's text, set in the editor, is under its title.
    change(
        &mut editor,
        &[
            ("aktion", "schritt_titel"),
            ("step", "1"),
            ("title_de", "Der Hund"),
            ("title_en", "The dog"),
            ("description_de", "Angaben aus dem Impfpass"),
            ("description_en", "From the vaccination record"),
        ],
    )
    .await;
    let text = editor.get("/redaktion/hund/vorschau/hund").await.text();
    assert!(text.contains("Angaben aus dem Impfpass"), "{text}");
}

/// The dog form with a breed and a number of further dogs before the
/// report number, for nested rules, computed values and computed fees.
fn dogs_definition() -> Value {
    let mut d = two_step_definition();
    d["steps"][1]["fields"] = json!([
        {"id": "gefaehrlich", "type": "yes_no", "label": {"de": "Ist der Hund als gefährlich eingestuft?", "en": "Is the dog classed as dangerous?"}, "required": true},
        {"id": "rasse", "type": "text", "label": {"de": "Rasse", "en": "Breed"}},
        {"id": "anzahl", "type": "number", "label": {"de": "Weitere Hunde", "en": "Further dogs"}},
        {"id": "gutachten", "type": "text", "label": {"de": "Nummer des Gutachtens", "en": "Number of the expert report"}, "required": true}
    ]);
    d
}

async fn nested_rules_computed_values_and_fees_hold_on_the_preview(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let text = dogs_definition().to_string();
    let saved = editor
        .submit("/redaktion/hund/bearbeiten", &[("definition", &text)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // "Report number" shown if dangerous and (a pit bull or more than one
    // further dog): a group inside the condition tree.
    let nested = [
        ("aktion", "regel_baum"),
        ("step", "1"),
        ("field", "3"),
        ("art", "sichtbar"),
        ("combine", "und"),
        ("c0_field", "gefaehrlich"),
        ("c0_op", "gleich"),
        ("c0_value", "ja"),
        ("c1_field", ""),
        ("g2_combine", "oder"),
        ("g2_c0_field", "rasse"),
        ("g2_c0_op", "gleich"),
        ("g2_c0_value", "Pitbull"),
        ("g2_c1_field", "anzahl"),
        ("g2_c1_op", "groesser"),
        ("g2_c1_value", "1"),
        // The empty group the page offers.
        ("g3_combine", "und"),
        ("g3_c0_field", ""),
    ];
    change(&mut editor, &nested).await;
    assert_eq!(
        stored(db).await["steps"][1]["fields"][3]["visible_if"],
        json!({"and": [
            {"==": [{"var": "gefaehrlich"}, true]},
            {"or": [{"==": [{"var": "rasse"}, "Pitbull"]}, {">": [{"var": "anzahl"}, 1]}]}
        ]})
    );
    // Shown as the tree again: the group is the second item.
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    assert!(
        text.contains(r#"id="s1-f3-sichtbar-g1_any" name="g1_combine" value="oder" checked>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<select class="select" id="s1-f3-sichtbar-g1_c1-field" name="g1_c1_field"><option value="">– keine Bedingung – (no condition)</option><option value="name">Ihr Name (name)</option><option value="gefaehrlich">Ist der Hund als gefährlich eingestuft? (gefaehrlich)</option><option value="rasse">Rasse (rasse)</option><option value="anzahl" selected>"#),
        "{text}"
    );
    assert!(text.contains("Gruppe 2, Bedingung 2: Wert"), "{text}");
    // A condition of the group with a bad number: refused, named.
    let mut bad = nested.to_vec();
    bad[15] = ("g2_c1_value", "viele");
    refused(db, &mut editor, &bad, "keine gültige Zahl").await;

    // A computed value: the dogs in all (further dogs + 1).
    let value = [
        ("aktion", "wert_neu"),
        ("id", "hunde"),
        ("label_de", "Zahl der Hunde"),
        ("label_en", "Number of dogs"),
        ("formel", "summe"),
        ("t0_quelle", "feld:anzahl"),
        ("t1_quelle", ""),
        ("t1_zahl", "1"),
        ("t2_quelle", ""),
        ("t2_zahl", ""),
        ("w_combine", "und"),
    ];
    // A text field is no number: our message, nothing saved.
    let mut bad = value.to_vec();
    bad[5] = ("t0_quelle", "feld:rasse");
    refused(
        db,
        &mut editor,
        &bad,
        "„rasse“ ist kein Zahlen- oder Betragsfeld",
    )
    .await;
    change(&mut editor, &value).await;
    assert_eq!(
        stored(db).await["computed"],
        json!([{"id": "hunde", "label": {"de": "Zahl der Hunde", "en": "Number of dogs"},
                "expression": {"+": [{"var": ["anzahl", 0]}, 1]}}])
    );
    // Computed values are reordered; one that reads an earlier one cannot
    // move above it (the engine refuses), nor a stale page move another.
    let numbers = |id: &'static str, formula: &'static str, first: &'static str| {
        [
            ("aktion", "wert_neu"),
            ("id", id),
            ("label_de", ""),
            ("label_en", ""),
            ("formel", formula),
            ("t0_quelle", first),
            ("t0_zahl", if first.is_empty() { "1" } else { "" }),
            ("t1_quelle", ""),
            ("t1_zahl", "2"),
            ("t2_quelle", ""),
            ("t2_zahl", ""),
            ("w_combine", "und"),
        ]
    };
    change(&mut editor, &numbers("drei", "summe", "")).await;
    change(&mut editor, &numbers("doppelt", "produkt", "feld:hunde")).await;
    let order = |d: &serde_json::Value| -> Vec<String> {
        d["computed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(order(&stored(db).await), ["hunde", "drei", "doppelt"]);
    let moving = |index: &'static str, id: &'static str, dir: &'static str| {
        [
            ("aktion", "wert_verschieben"),
            ("wert", index),
            ("item_id", id),
            ("richtung", dir),
        ]
    };
    change(&mut editor, &moving("1", "drei", "hoch")).await;
    assert_eq!(order(&stored(db).await), ["drei", "hunde", "doppelt"]);
    assert_eq!(
        db.editor_changes("hund").await.unwrap()[0]
            .summary
            .as_deref(),
        Some("Berechneten Wert ‚drei‘ nach oben verschoben")
    );
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains("Berechneten Wert „drei“ nach unten"),
        "{text}"
    );
    assert!(
        !text.contains("Berechneten Wert „drei“ nach oben"),
        "{text}"
    );
    refused(
        db,
        &mut editor,
        &moving("1", "drei", "hoch"),
        "An dieser Stelle steht inzwischen „hunde“",
    )
    .await;
    refused(
        db,
        &mut editor,
        &moving("0", "drei", "hoch"),
        "steht schon ganz oben",
    )
    .await;
    refused(
        db,
        &mut editor,
        &moving("2", "doppelt", "runter"),
        "steht schon ganz unten",
    )
    .await;
    refused(
        db,
        &mut editor,
        &moving("2", "doppelt", "hoch"),
        "Nicht gespeichert",
    )
    .await;
    assert_eq!(order(&stored(db).await), ["drei", "hunde", "doppelt"]);
    change(&mut editor, &[("aktion", "wert_loeschen"), ("wert", "0")]).await;
    assert_eq!(order(&stored(db).await), ["hunde", "doppelt"]);
    change(&mut editor, &[("aktion", "wert_loeschen"), ("wert", "1")]).await;
    assert_eq!(order(&stored(db).await), ["hunde"]);

    // The engine's check: a visibility rule may not read a computed value.
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "regel_baum"),
            ("step", "1"),
            ("field", "3"),
            ("art", "sichtbar"),
            ("c0_field", "hunde"),
            ("c0_op", "groesser"),
            ("c0_value", "2"),
        ],
        "Nicht gespeichert",
    )
    .await;

    // A second fee: 10 € per dog, only for a dangerous dog.
    change(
        &mut editor,
        &[
            ("aktion", "gebuehr_neu"),
            ("id", "zuschlag"),
            ("purpose_de", "Zuschlag je Hund"),
            ("purpose_en", "Surcharge per dog"),
            ("amount", "10"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "gebuehr_bearbeiten"),
            ("fee", "1"),
            ("purpose_de", "Zuschlag je Hund"),
            ("purpose_en", "Surcharge per dog"),
            ("betragsart", "formel"),
            ("amount", "10,00"),
            ("formel", "produkt"),
            ("t0_quelle", "feld:hunde"),
            ("t1_quelle", ""),
            ("t1_zahl", "10,00"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "regel_baum"),
            ("fee", "1"),
            ("art", "gebuehr"),
            ("combine", "und"),
            ("c0_field", "gefaehrlich"),
            ("c0_op", "gleich"),
            ("c0_value", "ja"),
        ],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(
        d["fees"][1],
        json!({"id": "zuschlag", "purpose": {"de": "Zuschlag je Hund", "en": "Surcharge per dog"},
               "amount_rule": {"*": [{"var": ["hunde", 0]}, 1000]},
               "applies_if": {"==": [{"var": "gefaehrlich"}, true]}})
    );
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    assert!(text.contains("Berechneter Wert „Zahl der Hunde“"), "{text}");
    assert!(
        text.contains(r#"id="fee1-formel" name="betragsart" value="formel" checked>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<option value="feld:hunde" selected>berechneter Wert Zahl der Hunde (hunde)</option>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"id="fee1-t1-zahl" name="t1_zahl" value="10,00""#),
        "{text}"
    );
    // A raw amount rule the engine refuses: nothing saved.
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "gebuehr_roh"),
            ("fee", "1"),
            ("rule", r#"{"*": [{"var": "katze"}, 2]}"#),
        ],
        "Nicht gespeichert",
    )
    .await;

    // The preview honours all of it.
    editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "Erika")])
        .await;
    // Not dangerous: no report, only the fixed fee.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "false"),
                ("rasse", "Pitbull"),
                ("anzahl", "3"),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(!text.contains("Nummer des Gutachtens"), "{text}");
    assert!(text.contains("15,00 €"), "{text}");
    assert!(!text.contains("25,00 €"), "{text}");
    // Dangerous, one dog, not a pit bull: no report; 15 € + 1 × 10 €.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "true"),
                ("rasse", "Dackel"),
                ("anzahl", "0"),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(!text.contains("Nummer des Gutachtens"), "{text}");
    assert!(text.contains("25,00 €"), "{text}");
    // Dangerous with two further dogs: the report is asked for ...
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "true"),
                ("rasse", "Dackel"),
                ("anzahl", "2"),
                ("gutachten", ""),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund?fehler=1");
    // ... and the fee counts three dogs: 15 € + 30 €.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "true"),
                ("rasse", "Dackel"),
                ("anzahl", "2"),
                ("gutachten", "G-1"),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(text.contains("Nummer des Gutachtens"), "{text}");
    assert!(text.contains("45,00 €"), "{text}");
}

/// GET `uri` as `editor`; the status, the `Content-Security-Policy` and
/// `X-Frame-Options` headers and the body.
async fn with_headers(editor: &Browser, uri: &str) -> (StatusCode, String, String, String) {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    if let Some(cookie) = &editor.cookie {
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
    }
    let response = editor.app.clone().oneshot(request).await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let csp = header(header::CONTENT_SECURITY_POLICY);
    let frame = header(header::X_FRAME_OPTIONS);
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        csp,
        frame,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

/// The edit page loads the wasm enhancement (instant edits, drag, live
/// preview) with a module script carrying the response's CSP nonce — no
/// 'unsafe-inline' — and is still made of plain forms that work without
/// it; the preview may be framed by the portal's own pages only.
async fn the_edit_page_loads_the_enhancement_with_the_csp_nonce(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;

    let (status, csp, frame, body) = with_headers(&editor, "/redaktion/hund/bearbeiten").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(frame, "DENY");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    let script = format!("<script type=\"module\" nonce=\"{nonce}\">");
    assert!(body.contains(&script), "{script} in {body}");
    assert!(body.contains("from \"/pkg/amtsweg.js\""), "{body}");
    assert!(body.contains("editor_live()"), "{body}");
    // Each response has its own nonce.
    let (_, again, _, _) = with_headers(&editor, "/redaktion/hund/bearbeiten").await;
    assert!(!again.contains(&format!("'nonce-{nonce}'")), "{again}");
    // Other editor pages do not load it.
    let (_, _, _, list) = with_headers(&editor, "/redaktion").await;
    assert!(!list.contains("editor_live"), "{list}");

    // Without JavaScript the same page is plain forms: a move posted as
    // the button does it is saved and answered with a redirect.
    assert!(body.contains(r#"class="structure-form""#), "{body}");
    assert!(body.contains(r#"<input type="hidden" name="aktion" value="schritt_verschieben">"#));
    change(
        &mut editor,
        &[
            ("aktion", "schritt_verschieben"),
            ("step", "1"),
            ("richtung", "hoch"),
        ],
    )
    .await;
    assert_eq!(stored(db).await["steps"][0]["id"], "hund");
    // A change the engine refuses (the rule would read a later field):
    // 422, the edit page with the problems, and the script again.
    let refused = editor
        .submit(
            "/redaktion/hund/struktur",
            &[
                ("aktion", "feld_verschieben"),
                ("step", "0"),
                ("field", "0"),
                ("richtung", "runter"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(r#"<script type="module" nonce=""#),
        "{}",
        refused.body
    );
    assert_eq!(
        stored(db).await["steps"][0]["fields"][0]["id"],
        "gefaehrlich"
    );

    // The live preview: framed by the edit page (same origin) only.
    let (status, csp, frame, _) = with_headers(&editor, "/redaktion/hund/vorschau/halter").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(frame, "SAMEORIGIN");
}

/// Repeatable groups (created with their first field; inner fields
/// added, edited, moved, deleted; shown on the preview with "add
/// another"), the account types of the access, and code lists (created,
/// chosen by a choice field, edited, deleted) in the structured editor.
async fn groups_access_and_code_lists_are_edited_without_json(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;

    // A repeatable group is created with its first field.
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("id", "kinder"),
            ("type", "group"),
            ("label_de", "Kinder"),
            ("label_en", "Children"),
            ("inner_id", "kind_name"),
            ("inner_type", "text"),
            ("inner_label_de", "Name des Kindes"),
            ("inner_label_en", "Child's name"),
        ],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(d["steps"][0]["fields"][1]["type"], "group");
    assert_eq!(
        d["steps"][0]["fields"][1]["fields"][0]["label"],
        json!({"de": "Name des Kindes", "en": "Child's name"})
    );
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("id", "leer"),
            ("type", "group"),
            ("label_de", "Leer"),
        ],
        "braucht ihr erstes Feld",
    )
    .await;
    for kind in ["group", "file"] {
        refused(
            db,
            &mut editor,
            &[
                ("aktion", "feld_neu"),
                ("step", "0"),
                ("group", "1"),
                ("id", "innen"),
                ("type", kind),
                ("label_de", "Innen"),
            ],
            "weder Gruppen noch Datei-Uploads",
        )
        .await;
    }
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("group", "0"),
            ("id", "innen"),
            ("type", "text"),
            ("label_de", "Innen"),
        ],
        "keine wiederholbare Gruppe",
    )
    .await;

    // Inner fields are added, edited with their type's settings, moved.
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "0"),
            ("group", "1"),
            ("id", "kind_alter"),
            ("type", "number"),
            ("label_de", "Alter"),
            ("label_en", "Age"),
        ],
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "0"),
            ("field", "1"),
            ("inner", "1"),
            ("label_de", "Alter des Kindes"),
            ("label_en", "Child's age"),
            ("hint_de", "in Jahren"),
            ("required", "ja"),
            ("max", "17"),
        ],
    )
    .await;
    let inner = &stored(db).await["steps"][0]["fields"][1]["fields"][1];
    assert_eq!(inner["label"]["de"], "Alter des Kindes");
    assert_eq!(inner["required"], true);
    assert_eq!(inner["max"], 17.0);
    refused(
        db,
        &mut editor,
        &field_form(
            "0",
            "1",
            ("Alter", "Age"),
            &[("inner", "1"), ("max", "viel")],
        ),
        "Größter Wert / maximum: keine gültige Zahl",
    )
    .await;
    refused(
        db,
        &mut editor,
        &field_form("0", "1", ("X", "X"), &[("inner", "7")]),
        "dieses Feld gibt es nicht",
    )
    .await;
    // The group's own settings.
    change(
        &mut editor,
        &field_form(
            "0",
            "1",
            ("Kinder", "Children"),
            &[
                ("item_label_de", "Kind"),
                ("item_label_en", "Child"),
                ("max_items", "3"),
            ],
        ),
    )
    .await;
    change(
        &mut editor,
        &[
            ("aktion", "feld_verschieben"),
            ("step", "0"),
            ("field", "1"),
            ("inner", "1"),
            ("richtung", "hoch"),
        ],
    )
    .await;
    let group = &stored(db).await["steps"][0]["fields"][1];
    assert_eq!(group["fields"][0]["id"], "kind_alter");
    assert_eq!(group["item_label"]["de"], "Kind");

    // The edit page: every inner field's inputs, ids unique.
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    for part in [
        "<label for=\"s0-f1-g0-label_de\">",
        "<label for=\"s0-f1-g1-max_length\">",
        "<label for=\"s0-f1-g0-max\">",
        "<input type=\"hidden\" name=\"inner\" value=\"1\">",
        "Neues Feld in der Gruppe „Kinder“",
        "<label for=\"s0-f1-new-type\">",
        "<label for=\"s1-new-inner-id\">",
        "<label for=\"new-step-field-inner-id\">",
        "<option value=\"group\">",
    ] {
        assert!(text.contains(part), "{part}");
    }
    // A field in a group cannot be prefilled.
    assert!(!text.contains("s0-f1-g1-prefill_claim"));

    // The citizen's page shows the group, and "add another" works.
    let page = editor.get("/redaktion/hund/vorschau/halter").await;
    let text = page.text();
    assert!(text.contains("Kinder"), "{text}");
    assert!(text.contains("Kind hinzufügen"), "{text}");
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/halter",
            &[("name", "Erika"), ("_action", "add:kinder")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(page.location, "/redaktion/hund/vorschau/halter");
    let text = editor.get(&page.location).await.text();
    assert!(text.contains("Kind 1"), "{text}");
    assert!(text.contains("name=\"kinder.0.kind_name\""), "{text}");
    assert!(text.contains("Alter des Kindes"), "{text}");
    assert!(text.contains("Weitere Kind hinzufügen"), "{text}");
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/halter",
            &[
                ("name", "Erika"),
                ("kinder.0.kind_name", "Max"),
                ("kinder.0.kind_alter", "7"),
                ("_action", "add:kinder"),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/halter");
    let text = editor.get(&page.location).await.text();
    assert!(text.contains("Kind 2"), "{text}");
    assert!(text.contains("value=\"Max\""), "{text}");

    // Deleted; the last inner field stays (delete the group instead).
    change(
        &mut editor,
        &[
            ("aktion", "feld_loeschen"),
            ("step", "0"),
            ("field", "1"),
            ("inner", "0"),
        ],
    )
    .await;
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "feld_loeschen"),
            ("step", "0"),
            ("field", "1"),
            ("inner", "0"),
        ],
        "braucht mindestens ein Feld",
    )
    .await;
    let group = &stored(db).await["steps"][0]["fields"][1];
    assert_eq!(group["fields"].as_array().unwrap().len(), 1);
    assert_eq!(group["fields"][0]["id"], "kind_name");

    // Access: which kinds of account may apply.
    let settings = |types: &'static [&'static str]| {
        let mut pairs = vec![
            ("aktion", "einstellungen"),
            ("title_de", "Hund anmelden"),
            ("title_en", "Register a dog"),
            ("authority_id", "stadt-erfurt"),
            ("authority_de", "Stadt Erfurt"),
            ("authority_en", "City of Erfurt"),
            ("retention_days", "7"),
            ("access", "service_account"),
            ("min_trust_level", "substanziell"),
            ("account_types_form", "ja"),
        ];
        pairs.extend(types.iter().map(|t| ("account_types", *t)));
        pairs
    };
    change(&mut editor, &settings(&["business"])).await;
    assert_eq!(
        stored(db).await["access"],
        json!({"kind": "service_account", "min_trust_level": "substanziell", "account_types": ["business"]})
    );
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains(
            r#"id="account_types-business" name="account_types" value="business" checked>"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"id="account_types-citizen" name="account_types" value="citizen">"#));
    refused(db, &mut editor, &settings(&["robot"]), "Kontoarten: nur").await;
    change(&mut editor, &settings(&[])).await;
    assert!(stored(db).await["access"].get("account_types").is_none());

    // Code lists: created, chosen by a choice field, edited, kept while
    // chosen.
    change(
        &mut editor,
        &[
            ("aktion", "codeliste_neu"),
            ("id", "fellfarben"),
            ("uri", "urn:de:example:codeliste:fellfarben"),
            ("version", "1.0"),
            ("codes", "s|Schwarz|Black\nb|Braun|Brown"),
        ],
    )
    .await;
    assert_eq!(
        stored(db).await["code_lists"]["fellfarben"]["options"][1],
        json!({"value": "b", "label": {"de": "Braun", "en": "Brown"}})
    );
    for (pairs, message) in [
        (
            vec![("id", "fellfarben"), ("codes", "x|X|X")],
            "„fellfarben“ gibt es schon",
        ),
        (
            vec![("id", "Fell Farben"), ("codes", "x|X|X")],
            "Kennung der Codeliste",
        ),
        (vec![("id", "leer"), ("codes", "")], "mindestens einen Code"),
        (vec![("id", "halb"), ("codes", "x|X")], "Zeile 1"),
    ] {
        let mut all = vec![("aktion", "codeliste_neu")];
        all.extend(pairs);
        refused(db, &mut editor, &all, message).await;
    }
    change(
        &mut editor,
        &[
            ("aktion", "feld_neu"),
            ("step", "1"),
            ("id", "fellfarbe"),
            ("type", "select"),
            ("label_de", "Fellfarbe"),
            ("label_en", "Coat colour"),
            ("options", "x|X|X"),
        ],
    )
    .await;
    change(
        &mut editor,
        &field_form(
            "1",
            "2",
            ("Fellfarbe", "Coat colour"),
            &[("code_list", "fellfarben"), ("options", "")],
        ),
    )
    .await;
    assert_eq!(
        stored(db).await["steps"][1]["fields"][2]["code_list"],
        "fellfarben"
    );
    change(
        &mut editor,
        &[
            ("aktion", "codeliste_bearbeiten"),
            ("code_list", "fellfarben"),
            ("uri", ""),
            ("version", "1.1"),
            ("codes", "s|Schwarz|Black\nw|Weiß|White"),
        ],
    )
    .await;
    let list = &stored(db).await["code_lists"]["fellfarben"];
    assert!(list.get("uri").is_none());
    assert_eq!(list["version"], "1.1");
    // Renamed: the field that chooses it follows; a taken id is refused.
    change(
        &mut editor,
        &[
            ("aktion", "codeliste_bearbeiten"),
            ("code_list", "fellfarben"),
            ("new_id", "fell"),
            ("uri", ""),
            ("version", "1.1"),
            ("codes", "s|Schwarz|Black\nw|Weiß|White"),
        ],
    )
    .await;
    let renamed = stored(db).await;
    assert!(renamed["code_lists"].get("fellfarben").is_none());
    assert_eq!(renamed["code_lists"]["fell"]["version"], "1.1");
    assert_eq!(renamed["steps"][1]["fields"][2]["code_list"], "fell");
    assert_eq!(
        db.editor_changes("hund").await.unwrap()[0]
            .summary
            .as_deref(),
        Some("Codeliste ‚fellfarben‘ in ‚fell‘ umbenannt und geändert")
    );
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "codeliste_bearbeiten"),
            ("code_list", "fell"),
            ("new_id", "Fell!"),
            ("codes", "s|Schwarz|Black"),
        ],
        "Kennung der Codeliste",
    )
    .await;
    refused(
        db,
        &mut editor,
        &[("aktion", "codeliste_loeschen"), ("code_list", "fell")],
        "wählt noch das Feld „fellfarbe“",
    )
    .await;
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    assert!(text.contains("<label for=\"cl0-codes\">"), "{text}");
    assert!(
        text.contains(r#"id="cl0-new_id" name="new_id" value="fell">"#),
        "{text}"
    );
    assert!(text.contains("w|Weiß|White"), "{text}");
    // The citizen chooses from the code list.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/halter",
            &[("name", "Erika"), ("kinder.0.kind_name", "Max")],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund");
    let text = editor.get("/redaktion/hund/vorschau/hund").await.text();
    assert!(text.contains("Weiß"), "{text}");
    assert!(!text.contains("Braun"), "{text}");
    // Chosen elsewhere, the field gets its own options; then it can go.
    change(
        &mut editor,
        &field_form(
            "1",
            "2",
            ("Fellfarbe", "Coat colour"),
            &[("code_list", ""), ("options", "g|Grau|Grey")],
        ),
    )
    .await;
    change(
        &mut editor,
        &[("aktion", "codeliste_loeschen"), ("code_list", "fell")],
    )
    .await;
    assert!(stored(db).await.get("code_lists").is_none());
}

/// After a refused move the page shows the unsaved order; a form from that
/// page names a position that holds another field in the saved draft. It
/// is refused (the field's id travels along), nothing changes. And an
/// empty retention period is the engine's default, not an error.
async fn a_form_from_an_out_of_date_page_changes_nothing(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let before = stored(db).await;
    assert_eq!(before["steps"][1]["fields"][1]["id"], "gutachten");
    // "Nummer des Gutachtens" up, above the field its rule reads: refused.
    let page = editor
        .submit(
            "/redaktion/hund/struktur",
            &[
                ("aktion", "feld_verschieben"),
                ("step", "1"),
                ("field", "1"),
                ("field_key", "gutachten"),
                ("richtung", "hoch"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(db).await, before);
    // That page's form of the field now shown first (position 0) — in the
    // saved draft position 0 is "gefaehrlich".
    let page = editor
        .submit(
            "/redaktion/hund/struktur",
            &[
                ("aktion", "feld_bearbeiten"),
                ("step", "1"),
                ("field", "0"),
                ("field_key", "gutachten"),
                ("label_de", "Nummer des Gutachtens (neu)"),
                ("label_en", "Report number"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text();
    assert!(text.contains("nicht mehr aktuell"), "{text}");
    // The edit page of the saved draft, not a dead end.
    assert!(text.contains("Bearbeiten ohne JSON"), "{text}");
    assert_eq!(stored(db).await, before, "no field was changed");
    // The same form with the right id and position is saved.
    change(
        &mut editor,
        &[
            ("aktion", "feld_bearbeiten"),
            ("step", "1"),
            ("field", "1"),
            ("field_key", "gutachten"),
            ("label_de", "Nummer des Gutachtens (neu)"),
            ("label_en", "Report number"),
        ],
    )
    .await;
    let after = stored(db).await;
    assert_eq!(
        after["steps"][1]["fields"][1]["label"]["de"],
        "Nummer des Gutachtens (neu)"
    );
    assert_eq!(
        after["steps"][1]["fields"][0]["label"],
        before["steps"][1]["fields"][0]["label"]
    );
    // Steps too.
    let page = editor
        .submit(
            "/redaktion/hund/struktur",
            &[
                ("aktion", "schritt_loeschen"),
                ("step", "0"),
                ("step_key", "hund"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(db).await["steps"].as_array().unwrap().len(), 2);
    // The edit page's own forms carry the ids.
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    assert!(page.body.contains(r#"name="field_key" value="gutachten""#));
    assert!(page.body.contains(r#"name="step_key" value="halter""#));

    // An empty retention period: the default of 7 days.
    change(
        &mut editor,
        &[
            ("aktion", "einstellungen"),
            ("title_de", "Hund anmelden"),
            ("title_en", "Register a dog"),
            ("authority_id", "stadt-erfurt"),
            ("authority_de", "Stadt Erfurt"),
            ("authority_en", "City of Erfurt"),
            ("retention_days", ""),
            ("access", "anonymous"),
        ],
    )
    .await;
    assert_eq!(stored(db).await["retention_days"], 7);
}

/// The dog form with a number of further dogs and a repeatable group of
/// dogs (chip yes/no, chip number, colour), for cross-field validations
/// and the rules of inner fields.
fn dogs_with_group_definition() -> Value {
    let mut d = two_step_definition();
    d["steps"][1]["fields"] = json!([
        {"id": "gefaehrlich", "type": "yes_no", "label": {"de": "Ist der Hund als gefährlich eingestuft?", "en": "Is the dog classed as dangerous?"}, "required": true},
        {"id": "anzahl", "type": "number", "label": {"de": "Weitere Hunde", "en": "Further dogs"}},
        {"id": "hunde", "type": "group", "label": {"de": "Hunde", "en": "Dogs"}, "fields": [
            {"id": "chip", "type": "yes_no", "label": {"de": "Gechipt?", "en": "Chipped?"}},
            {"id": "chipnummer", "type": "text", "label": {"de": "Chipnummer", "en": "Chip number"}},
            {"id": "farbe", "type": "text", "label": {"de": "Fellfarbe", "en": "Coat colour"}}]}
    ]);
    d
}

async fn cross_field_validations_and_inner_rules_hold_on_the_preview(test_db: &TestDb) {
    let db = &test_db.db;
    let app = app(db).await;
    let mut editor = editor(db, &app).await;
    create_two_step_form(&mut editor).await;
    let text = dogs_with_group_definition().to_string();
    let saved = editor
        .submit("/redaktion/hund/bearbeiten", &[("definition", &text)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    assert!(text.contains("Prüfungen über mehrere Felder"), "{text}");
    assert!(text.contains("Keine Prüfungen."), "{text}");
    // The inner field's rule offers the fields before the group and the
    // earlier fields of the entry, not the later ones.
    assert!(
        text.contains(r#"<select class="select" id="s1-f2-g1-pflicht-c0-field" name="c0_field"><option value="">– keine Bedingung – (no condition)</option><option value="name">Ihr Name (name)</option><option value="gefaehrlich">Ist der Hund als gefährlich eingestuft? (gefaehrlich)</option><option value="anzahl">Weitere Hunde (anzahl)</option><option value="chip">Gechipt? (chip)</option></select>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<input type="hidden" name="inner" value="1"><input type="hidden" name="field_key" value="chipnummer">"#),
        "{text}"
    );

    // A cross-field validation: a dangerous dog allows at most one
    // further dog. Our own checks first, naming the input.
    let validation = [
        ("aktion", "pruefung_neu"),
        ("id", "hoechstens_einer"),
        (
            "message_de",
            "Bei einem gefährlichen Hund: höchstens ein weiterer Hund",
        ),
        (
            "message_en",
            "With a dangerous dog: at most one further dog",
        ),
        ("message_field", "anzahl"),
        ("combine", "oder"),
        ("c0_field", "gefaehrlich"),
        ("c0_op", "gleich"),
        ("c0_value", "nein"),
        ("c1_field", "anzahl"),
        ("c1_op", "kleiner"),
        ("c1_value", "2"),
        ("c2_field", ""),
        ("g3_combine", "und"),
        ("g3_c0_field", ""),
    ];
    let mut bad = validation.to_vec();
    bad[4] = ("message_field", "");
    refused(
        db,
        &mut editor,
        &bad,
        "Feld der Meldung: bitte ein Feld wählen",
    )
    .await;
    let mut bad = validation.to_vec();
    bad[11] = ("c1_value", "zwei");
    refused(db, &mut editor, &bad, "keine gültige Zahl").await;
    // The engine's check: an id with a space.
    let mut bad = validation.to_vec();
    bad[1] = ("id", "kaputt id");
    refused(db, &mut editor, &bad, "Nicht gespeichert").await;
    change(&mut editor, &validation).await;
    assert_eq!(
        stored(db).await["validations"],
        json!([{"id": "hoechstens_einer",
            "rule": {"or": [{"==": [{"var": "gefaehrlich"}, false]}, {"<": [{"var": "anzahl"}, 2]}]},
            "message": {"de": "Bei einem gefährlichen Hund: höchstens ein weiterer Hund",
                        "en": "With a dangerous dog: at most one further dog"},
            "fields": ["anzahl"]}])
    );
    let page = editor.get("/redaktion/hund/bearbeiten").await;
    labelled_with_unique_ids(&page.body);
    let text = page.text();
    assert!(
        text.contains(r#"id="pruefung0-any" name="combine" value="oder" checked>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"id="pruefung0-message_field" name="message_field"><option value="">– bitte wählen – (please choose)</option><option value="name">Ihr Name (name)</option><option value="gefaehrlich">Ist der Hund als gefährlich eingestuft? (gefaehrlich)</option><option value="anzahl" selected>"#),
        "{text}"
    );
    // Edited: the message, then the raw view.
    let mut edited = validation.to_vec();
    edited[0] = ("aktion", "pruefung_bearbeiten");
    edited.push(("pruefung", "0"));
    edited[3] = ("message_en", "A dangerous dog: at most one further dog");
    change(&mut editor, &edited).await;
    assert_eq!(
        stored(db).await["validations"][0]["message"]["en"],
        "A dangerous dog: at most one further dog"
    );
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "pruefung_roh"),
            ("pruefung", "0"),
            ("rule", "{kein json"),
        ],
        "kein gültiges JSON",
    )
    .await;
    refused(
        db,
        &mut editor,
        &[
            ("aktion", "pruefung_roh"),
            ("pruefung", "0"),
            ("rule", r#"{"<": [{"var": "katze"}, 2]}"#),
        ],
        "Nicht gespeichert",
    )
    .await;

    // Rules of inner fields: the chip number is required if the dog is
    // chipped, the colour shown only if it is not.
    let required = [
        ("aktion", "regel_baum"),
        ("step", "1"),
        ("field", "2"),
        ("inner", "1"),
        ("field_key", "chipnummer"),
        ("art", "pflicht"),
        ("combine", "und"),
        ("c0_field", "chip"),
        ("c0_op", "gleich"),
        ("c0_value", "ja"),
    ];
    // A later field of the entry cannot be read: the engine refuses.
    let mut bad = required.to_vec();
    bad[7] = ("c0_field", "farbe");
    bad[9] = ("c0_value", "x");
    refused(db, &mut editor, &bad, "Nicht gespeichert").await;
    // An out-of-date page: another field at that place.
    let mut bad = required.to_vec();
    bad[4] = ("field_key", "farbe");
    refused(db, &mut editor, &bad, "nicht mehr aktuell").await;
    change(&mut editor, &required).await;
    change(
        &mut editor,
        &[
            ("aktion", "regel_baum"),
            ("step", "1"),
            ("field", "2"),
            ("inner", "2"),
            ("field_key", "farbe"),
            ("art", "sichtbar"),
            ("combine", "und"),
            ("c0_field", "chip"),
            ("c0_op", "gleich"),
            ("c0_value", "nein"),
        ],
    )
    .await;
    let d = stored(db).await;
    assert_eq!(
        d["steps"][1]["fields"][2]["fields"][1]["required_if"],
        json!({"==": [{"var": "chip"}, true]})
    );
    assert_eq!(
        d["steps"][1]["fields"][2]["fields"][2]["visible_if"],
        json!({"==": [{"var": "chip"}, false]})
    );
    assert!(d["steps"][1]["fields"][2].get("visible_if").is_none());
    let history = db.editor_changes("hund").await.unwrap();
    assert_eq!(
        history[0].summary.as_deref(),
        Some(
            "Regel ‚angezeigt wenn‘ von Feld ‚Fellfarbe‘ der Gruppe ‚Hunde‘ in Schritt ‚Der Hund‘ geändert"
        )
    );
    assert!(
        history
            .iter()
            .any(|c| c.summary.as_deref() == Some("Prüfung ‚hoechstens_einer‘ hinzugefügt"))
    );
    let text = editor.get("/redaktion/hund/bearbeiten").await.text();
    assert!(
        text.contains(r#"id="s1-f2-g2-sichtbar-c0-field" name="c0_field"><option value="">– keine Bedingung – (no condition)</option><option value="name">Ihr Name (name)</option><option value="gefaehrlich">Ist der Hund als gefährlich eingestuft? (gefaehrlich)</option><option value="anzahl">Weitere Hunde (anzahl)</option><option value="chip" selected>"#),
        "{text}"
    );

    // The preview enforces them.
    editor
        .submit("/redaktion/hund/vorschau/halter", &[("name", "Erika")])
        .await;
    // A dangerous dog with three further dogs: the validation's message.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[("gefaehrlich", "true"), ("anzahl", "3")],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund?fehler=1");
    let text = editor.get(&page.location).await.text();
    assert!(
        text.contains("Bei einem gefährlichen Hund: höchstens ein weiterer Hund"),
        "{text}"
    );
    // A chipped dog without its number: the inner field is required.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "true"),
                ("anzahl", "1"),
                ("hunde.0.chip", "true"),
                ("hunde.0.chipnummer", ""),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/hund?fehler=1");
    // With the number: saved; the colour of a chipped dog is not asked.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "true"),
                ("anzahl", "1"),
                ("hunde.0.chip", "true"),
                ("hunde.0.chipnummer", "276-123"),
                ("hunde.0.farbe", "Schwarzbraun"),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(text.contains("276-123"), "{text}");
    assert!(!text.contains("Schwarzbraun"), "{text}");
    assert!(!text.contains("Fellfarbe"), "{text}");
    // Not chipped: the colour is shown, no number needed.
    let page = editor
        .submit(
            "/redaktion/hund/vorschau/hund",
            &[
                ("gefaehrlich", "false"),
                ("anzahl", "3"),
                ("hunde.0.chip", "false"),
                ("hunde.0.farbe", "Schwarzbraun"),
            ],
        )
        .await;
    assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
    let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
    assert!(text.contains("Schwarzbraun"), "{text}");

    // A second validation, moved above the first; a stale page is refused.
    let mut second = validation.to_vec();
    second[1] = ("id", "name_noetig");
    change(&mut editor, &second).await;
    let ids = |d: &serde_json::Value| -> Vec<String> {
        d["validations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&stored(db).await), ["hoechstens_einer", "name_noetig"]);
    let moving = |index: &'static str, id: &'static str, dir: &'static str| {
        [
            ("aktion", "pruefung_verschieben"),
            ("pruefung", index),
            ("item_id", id),
            ("richtung", dir),
        ]
    };
    change(&mut editor, &moving("1", "name_noetig", "hoch")).await;
    assert_eq!(ids(&stored(db).await), ["name_noetig", "hoechstens_einer"]);
    assert_eq!(
        db.editor_changes("hund").await.unwrap()[0]
            .summary
            .as_deref(),
        Some("Prüfung ‚name_noetig‘ nach oben verschoben")
    );
    assert!(
        editor
            .get("/redaktion/hund/bearbeiten")
            .await
            .text()
            .contains("Prüfung „hoechstens_einer“ nach oben")
    );
    refused(
        db,
        &mut editor,
        &moving("1", "name_noetig", "hoch"),
        "An dieser Stelle steht inzwischen „hoechstens_einer“",
    )
    .await;
    change(&mut editor, &moving("0", "name_noetig", "runter")).await;
    assert_eq!(ids(&stored(db).await), ["hoechstens_einer", "name_noetig"]);

    // Deleted: the key goes with the last one.
    for _ in 0..2 {
        change(
            &mut editor,
            &[("aktion", "pruefung_loeschen"), ("pruefung", "0")],
        )
        .await;
    }
    assert!(stored(db).await.get("validations").is_none());
}

on_both_backends!(
    a_form_from_an_out_of_date_page_changes_nothing,
    cross_field_validations_and_inner_rules_hold_on_the_preview,
    groups_access_and_code_lists_are_edited_without_json,
    the_edit_page_loads_the_enhancement_with_the_csp_nonce,
    nested_rules_computed_values_and_fees_hold_on_the_preview,
    every_type_setting_is_edited_without_json,
    settings_made_in_the_editor_hold_on_the_preview,
    rules_and_fees_are_built_in_the_structured_editor,
    structured_editing_saves_through_the_engine_check,
    fim_import_and_the_quality_check_before_publishing,
    every_route_needs_the_editor_role,
    the_list_shows_forms_versions_state_and_authority,
    invalid_definitions_are_not_saved_and_the_text_is_kept,
    the_preview_is_the_citizens_page_and_submits_nothing,
    publishing_pins_versions_and_retiring_hides_the_form,
    storage_keeps_versions_and_history,
);

/// The history's "what" and its read-only states, the preview's check
/// page and English, pinned versions down to the submission row, the
/// export against the committed JSON Schema, and a step rule built in
/// the structured form, on the preview.
mod history_preview_and_pinning {
    use super::*;

    /// One column of every row of `table` (an integer), in insertion order.
    async fn numbers(db: &Db, sql: &str) -> Vec<i64> {
        match db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }

    async fn each_change_says_what_and_earlier_states_can_be_read(test_db: &TestDb) {
        let db = &test_db.db;
        let app = app(db).await;
        let mut editor = editor(db, &app).await;
        create_two_step_form(&mut editor).await;
        change(
            &mut editor,
            &[
                ("aktion", "feld_neu"),
                ("step", "0"),
                ("id", "vorname"),
                ("type", "text"),
                ("label_de", "Vorname"),
                ("label_en", "First name"),
            ],
        )
        .await;
        change(
            &mut editor,
            &[
                ("aktion", "regel_baum"),
                ("step", "1"),
                ("field", "1"),
                ("art", "sichtbar"),
                ("combine", "und"),
                ("c0_field", "gefaehrlich"),
                ("c0_op", "gleich"),
                ("c0_value", "nein"),
            ],
        )
        .await;
        let page = editor
            .upload("/redaktion/hund/import", &shared_fim("v2/simple.xml"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);

        let history = db.editor_changes("hund").await.unwrap();
        let said: Vec<_> = history
            .iter()
            .rev()
            .map(|c| c.summary.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            said,
            [
                "Formular angelegt",
                "JSON-Ansicht gespeichert",
                "Feld ‚Vorname‘ in Schritt ‚Halterin oder Halter‘ hinzugefügt",
                "Regel ‚angezeigt wenn‘ von Feld ‚Nummer des Gutachtens‘ in Schritt ‚Der Hund‘ geändert",
                "FIM-Import",
            ]
        );
        // The form page lists them beside who and when.
        let text = editor.get("/redaktion/hund").await.text();
        for what in &said {
            assert!(text.contains(what.as_str()), "{what}: {text}");
        }
        // An earlier state, read-only: outline and JSON, and "restore".
        let before_import = &history[1];
        let link = format!("/redaktion/hund/historie/{}", before_import.id);
        assert!(text.contains(&format!("href=\"{link}\"")), "{text}");
        let page = editor.get(&link).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let text = page.text();
        assert!(text.contains("Regel ‚angezeigt wenn‘"), "{text}");
        assert!(text.contains("Vorname (text, vorname)"), "{text}");
        assert!(
            text.contains("Nummer des Gutachtens (text, gutachten), Pflicht, mit Bedingung"),
            "{text}"
        );
        assert!(text.contains("readonly>"), "{text}");
        assert!(text.contains("\"visible_if\""), "{text}");
        assert!(text.contains("name=\"change\" value=\""), "{text}");
        // Viewing changes nothing; restoring it says which state.
        assert_eq!(db.editor_changes("hund").await.unwrap().len(), 5);
        let page = editor
            .submit(
                "/redaktion/hund/wiederherstellen",
                &[("change", &before_import.id.to_string())],
            )
            .await;
        assert_eq!(page.location, "/redaktion/hund?wiederhergestellt");
        let newest = &db.editor_changes("hund").await.unwrap()[0];
        assert_eq!(newest.action, ChangeAction::Restored);
        let summary = newest.summary.as_deref().unwrap();
        assert!(
            summary.starts_with(&format!("Stand Nr. {} (Version 1, ", before_import.id)),
            "{summary}"
        );
        assert_eq!(stored(db).await["steps"][0]["fields"][1]["id"], "vorname");

        // Unknown entries, another form's entries, no role.
        assert_eq!(
            editor.get("/redaktion/hund/historie/999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            editor.get("/redaktion/frei/historie/1").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            editor.get("/redaktion/hund/historie/x").await.status,
            StatusCode::NOT_FOUND
        );
        let mut citizen = citizen(db, &app).await;
        assert_eq!(citizen.get(&link).await.status, StatusCode::FORBIDDEN);
        let mut anonymous = Browser::on(&app);
        assert_eq!(anonymous.get(&link).await.status, StatusCode::SEE_OTHER);
    }

    async fn the_preview_check_page_is_the_citizens_in_german_and_english(test_db: &TestDb) {
        let db = &test_db.db;
        let app = app(db).await;
        let mut editor = editor(db, &app).await;
        create_two_step_form(&mut editor).await;

        // English: the citizen's step page in English, links keep it.
        let page = editor.get("/redaktion/hund/vorschau?lang=en").await;
        assert_eq!(page.location, "/redaktion/hund/vorschau/halter?lang=en");
        let text = editor.get(&page.location).await.text();
        assert!(text.contains("Vorschau – wird nicht übermittelt"), "{text}");
        assert!(text.contains("<div lang=\"en\">"), "{text}");
        assert!(text.contains("Owner</h1>"), "{text}");
        assert!(text.contains("Your name"), "{text}");
        assert!(
            text.contains("action=\"/redaktion/hund/vorschau/halter?lang=en\""),
            "{text}"
        );
        assert!(!text.contains("\"/forms/hund"), "no citizen route: {text}");
        assert!(text.contains("Deutsche Vorschau"), "{text}");
        let page = editor
            .submit("/redaktion/hund/vorschau/halter?lang=en", &[("name", "")])
            .await;
        assert_eq!(
            page.location,
            "/redaktion/hund/vorschau/halter?fehler=1&lang=en"
        );
        let page = editor
            .submit(
                "/redaktion/hund/vorschau/halter?lang=en",
                &[("name", "Erika")],
            )
            .await;
        assert_eq!(page.location, "/redaktion/hund/vorschau/hund?lang=en");
        // Not complete yet: the check page says where, the test
        // submission leads there.
        let text = editor
            .get("/redaktion/hund/vorschau/pruefen?lang=en")
            .await
            .text();
        assert!(
            text.contains("Noch nicht alle Angaben sind vollständig"),
            "{text}"
        );
        let page = editor
            .submit("/redaktion/hund/vorschau/absenden?lang=en", &[])
            .await;
        assert_eq!(
            page.location,
            "/redaktion/hund/vorschau/hund?fehler=1&lang=en"
        );
        let page = editor
            .submit(
                "/redaktion/hund/vorschau/hund?lang=en",
                &[("gefaehrlich", "false")],
            )
            .await;
        assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen?lang=en");

        // The citizen's check page, in English, pointing into the preview.
        let text = editor.get(&page.location).await.text();
        assert!(text.contains("Check your answers</h1>"), "{text}");
        assert!(text.contains("Registration fee"), "{text}");
        assert!(text.contains("15,00"), "{text}");
        assert!(text.contains("Submit application"), "{text}");
        assert!(
            text.contains("action=\"/redaktion/hund/vorschau/absenden?lang=en\""),
            "{text}"
        );
        assert!(
            text.contains("href=\"/redaktion/hund/vorschau/halter?zurueck=pruefen&lang=en#name\""),
            "the change link: {text}"
        );
        assert!(!text.contains("\"/forms/hund"), "no citizen route: {text}");
        assert!(!text.contains("Noch nicht alle Angaben"), "{text}");
        // And in German, with the same components.
        let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
        assert!(text.contains("Prüfen Sie Ihre Angaben</h1>"), "{text}");
        assert!(text.contains("Antrag verbindlich absenden"), "{text}");
        assert!(text.contains("Anmeldegebühr"), "{text}");
        assert!(
            text.contains("summary__row"),
            "the citizen's markup: {text}"
        );
        assert!(text.contains("Vorschau neu beginnen"), "{text}");
        // "Ändern": the step, and after saving back to the check page.
        let text = editor
            .get("/redaktion/hund/vorschau/halter?zurueck=pruefen")
            .await
            .text();
        assert!(
            text.contains("action=\"/redaktion/hund/vorschau/halter?zurueck=pruefen\""),
            "{text}"
        );
        let page = editor
            .submit(
                "/redaktion/hund/vorschau/halter?zurueck=pruefen",
                &[("name", "")],
            )
            .await;
        assert_eq!(
            page.location,
            "/redaktion/hund/vorschau/halter?fehler=1&zurueck=pruefen"
        );
        let page = editor
            .submit(
                "/redaktion/hund/vorschau/halter?zurueck=pruefen",
                &[("name", "Erika")],
            )
            .await;
        assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");

        // The test submission goes nowhere.
        let page = editor
            .submit("/redaktion/hund/vorschau/absenden?lang=en", &[])
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("nichts an die Behörde übermittelt"));
        assert_eq!(count(db, "submissions").await, 0);
        assert_eq!(count(db, "outbox").await, 0);
        assert_eq!(count(db, "drafts").await, 0);
    }

    async fn a_step_rule_built_in_the_structured_form_skips_the_step_in_the_preview(
        test_db: &TestDb,
    ) {
        let db = &test_db.db;
        let app = app(db).await;
        let mut editor = editor(db, &app).await;
        create_two_step_form(&mut editor).await;
        // Step 2 only for the owner called "Max" (no `field`: the step).
        change(
            &mut editor,
            &[
                ("aktion", "regel_baum"),
                ("step", "1"),
                ("art", "sichtbar"),
                ("combine", "und"),
                ("c0_field", "name"),
                ("c0_op", "gleich"),
                ("c0_value", "Max"),
            ],
        )
        .await;
        assert_eq!(
            stored(db).await["steps"][1]["visible_if"],
            json!({"==": [{"var": "name"}, "Max"]})
        );
        // The condition is false: the step is skipped, to the check page.
        let page = editor
            .submit("/redaktion/hund/vorschau/halter", &[("name", "Erika")])
            .await;
        assert_eq!(page.location, "/redaktion/hund/vorschau/pruefen");
        let text = editor.get(&page.location).await.text();
        assert!(text.contains("Erika"), "{text}");
        assert!(!text.contains("Der Hund"), "skipped step: {text}");
        assert!(
            !text.contains("Noch nicht alle Angaben"),
            "complete: {text}"
        );
        // True: the step is asked.
        let page = editor
            .submit("/redaktion/hund/vorschau/halter", &[("name", "Max")])
            .await;
        assert_eq!(page.location, "/redaktion/hund/vorschau/hund");
        let text = editor.get(&page.location).await.text();
        assert!(text.contains("Schritt 2 von 2"), "{text}");
        let text = editor.get("/redaktion/hund/vorschau/pruefen").await.text();
        assert!(text.contains("Noch nicht alle Angaben"), "{text}");
    }

    async fn a_citizens_draft_and_submission_stay_on_their_version(test_db: &TestDb) {
        let db = &test_db.db;
        let app = app(db).await;
        let mut editor = editor(db, &app).await;
        create_two_step_form(&mut editor).await;
        // Without the fee: the submission goes straight through.
        let mut v1 = two_step_definition();
        v1.as_object_mut().unwrap().remove("fees");
        let page = editor
            .submit(
                "/redaktion/hund/bearbeiten",
                &[("definition", &v1.to_string())],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
        assert_eq!(
            page.location, "/redaktion/hund?veroeffentlicht",
            "{}",
            page.body
        );

        // A citizen starts on version 1 and answers the first step.
        let mut citizen = Browser::on(&app);
        let started = citizen.submit("/forms/hund/starten", &[]).await;
        assert_eq!(started.location, "/forms/hund/halter");
        citizen
            .submit("/forms/hund/halter", &[("name", "Max")])
            .await;
        assert_eq!(numbers(db, "SELECT form_version FROM drafts").await, [1]);

        // Version 2 changes a field: the dog's question gets a required
        // breed beside it.
        editor.submit("/redaktion/hund/entwurf", &[]).await;
        let mut v2 = v1.clone();
        v2["steps"][1]["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "rasse", "type": "text", "required": true,
                "label": {"de": "Rasse", "en": "Breed"}}));
        let page = editor
            .submit(
                "/redaktion/hund/bearbeiten",
                &[("definition", &v2.to_string())],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
        assert_eq!(
            page.location, "/redaktion/hund?veroeffentlicht",
            "{}",
            page.body
        );

        // The citizen's draft stays on version 1: no breed asked, and it
        // is submitted on version 1.
        let text = citizen.get("/forms/hund/hund").await.text();
        assert!(!text.contains("Rasse"), "pinned to v1: {text}");
        let saved = citizen
            .submit("/forms/hund/hund", &[("gefaehrlich", "false")])
            .await;
        assert_eq!(saved.location, "/forms/hund/pruefen", "{}", saved.body);
        let text = citizen.get("/forms/hund/pruefen").await.text();
        assert!(!text.contains("Rasse"), "{text}");
        let sent = citizen.submit("/forms/hund/absenden", &[]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert!(
            sent.location.starts_with("/forms/hund/bestaetigung/"),
            "{}",
            sent.location
        );
        assert_eq!(
            numbers(db, "SELECT form_version FROM submissions").await,
            [1]
        );

        // A new application gets version 2, breed included.
        let mut newcomer = Browser::on(&app);
        newcomer.submit("/forms/hund/starten", &[]).await;
        newcomer
            .submit("/forms/hund/halter", &[("name", "Ida")])
            .await;
        let text = newcomer.get("/forms/hund/hund").await.text();
        assert!(text.contains("Rasse"), "v2: {text}");
        assert!(
            numbers(db, "SELECT form_version FROM drafts")
                .await
                .contains(&2),
            "the newcomer's draft is on version 2"
        );
        let page = newcomer
            .submit("/forms/hund/hund", &[("gefaehrlich", "false")])
            .await;
        assert_ne!(
            page.location, "/forms/hund/pruefen",
            "the breed is required on v2"
        );
        let text = newcomer.get(&page.location).await.text();
        assert!(text.contains("error-summary"), "{text}");
    }

    async fn the_export_validates_against_the_committed_schema(test_db: &TestDb) {
        let db = &test_db.db;
        let app = app(db).await;
        let mut editor = editor(db, &app).await;
        create_two_step_form(&mut editor).await;
        // Rules and a FIM import make the definition richer.
        change(
            &mut editor,
            &[
                ("aktion", "regel_baum"),
                ("step", "1"),
                ("art", "sichtbar"),
                ("combine", "oder"),
                ("c0_field", "name"),
                ("c0_op", "ausgefuellt"),
                ("c1_field", "name"),
                ("c1_op", "ungleich"),
                ("c1_value", "X"),
            ],
        )
        .await;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../forms/schema/form-definition.schema.json"
        );
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("urn:amtsweg:form-definition", schema)
            .unwrap();
        let index = compiler
            .compile("urn:amtsweg:form-definition", &mut schemas)
            .unwrap();
        let valid = |body: &str, what: &str| {
            let exported: Value = serde_json::from_str(body).unwrap();
            if let Err(e) = schemas.validate(&exported, index) {
                panic!("{what} is not valid against the committed schema: {e:#}\n{body}");
            }
        };
        let page = editor.get("/redaktion/hund/export").await;
        assert_eq!(page.status, StatusCode::OK);
        valid(&page.body, "the draft's export");
        let page = editor.submit("/redaktion/hund/veroeffentlichen", &[]).await;
        assert_eq!(
            page.location, "/redaktion/hund?veroeffentlicht",
            "{}",
            page.body
        );
        let page = editor.get("/redaktion/hund/export?version=1").await;
        valid(&page.body, "the published version's export");
        // A FIM import's draft exports valid too.
        editor.submit("/redaktion/hund/entwurf", &[]).await;
        for document in ["v2/simple.xml"] {
            let page = editor
                .upload("/redaktion/hund/import", &shared_fim(document))
                .await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            let page = editor.get("/redaktion/hund/export?version=2").await;
            valid(&page.body, document);
        }
        // The schema is strict: an export with an unknown key would fail.
        let mut broken: Value = serde_json::from_str(&page.body).unwrap();
        broken["no_such_key"] = json!(1);
        assert!(schemas.validate(&broken, index).is_err());
    }

    on_both_backends!(
        each_change_says_what_and_earlier_states_can_be_read,
        the_preview_check_page_is_the_citizens_in_german_and_english,
        a_step_rule_built_in_the_structured_form_skips_the_step_in_the_preview,
        a_citizens_draft_and_submission_stay_on_their_version,
        the_export_validates_against_the_committed_schema,
    );
}
