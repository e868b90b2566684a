//! Router tests of what the browser's live checks need from the server
//! (`amtsweg_app::live`): the definition of a released form version as
//! cacheable JSON, and step pages whose same-step conditional fields are
//! wrapped and marked for the saved answers — while a page without
//! JavaScript still shows every field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_forms::Form;
use amtsweg_server::{db::Db, definition_route::IMMUTABLE};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use common::TestDb;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// One step whose second question applies only when the first is "yes".
const DEFINITION: &str = r#"{
  "id": "ausflug", "version": 1,
  "title": {"de": "Ausflug", "en": "Trip"},
  "summary": {"de": "Zum Testen", "en": "For tests"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "steps": [
    {"id": "angaben", "title": {"de": "Angaben", "en": "Details"}, "fields": [
      {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true},
      {"id": "kinder_dabei", "type": "yes_no", "label": {"de": "Kommen Kinder mit?", "en": "Are children coming?"}, "required": true},
      {"id": "kinder_anzahl", "type": "number", "label": {"de": "Wie viele Kinder?", "en": "How many children?"},
       "required": true, "visible_if": {"==": [{"var": "kinder_dabei"}, true]}}
    ]}
  ]
}"#;

fn definitions() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ausflug.json"), DEFINITION).unwrap();
    dir
}

struct Answer {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    fn csrf(&self) -> String {
        let text = self.text();
        let marker = "name=\"_csrf\" value=\"";
        let start = text.find(marker).expect("a _csrf field") + marker.len();
        let end = text[start..].find('"').unwrap() + start;
        text[start..end].to_owned()
    }
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let headers = response.headers().clone();
    let cookie = headers
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    Answer {
        status: response.status(),
        location,
        cookie,
        headers,
        body: response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    }
}

async fn get(app: &Router, uri: &str, cookie: Option<&str>) -> Answer {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, uri: &str, cookie: &str, body: &str) -> Answer {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, request).await
}

/// An editor's unpublished version 2, straight into the table.
async fn insert_draft_version(db: &Db) {
    let definition = DEFINITION.replace("\"version\": 1", "\"version\": 2");
    match db {
        Db::Sqlite(pool) => sqlx::query(
            "INSERT INTO form_versions (form_id, version, title_de, definition, state, published_at)
             VALUES ('ausflug', 2, 'Ausflug', ?1, 'draft', NULL)",
        )
        .bind(definition)
        .execute(pool)
        .await
        .map(drop),
        Db::Postgres(pool) => sqlx::query(
            "INSERT INTO form_versions (form_id, version, title_de, definition, state, published_at)
             VALUES ('ausflug', 2, 'Ausflug', $1::jsonb, 'draft', NULL)",
        )
        .bind(definition)
        .execute(pool)
        .await
        .map(drop),
    }
    .unwrap();
}

async fn a_released_definition_is_served_compact_immutable_and_without_a_session(test_db: &TestDb) {
    let dir = definitions();
    let app = common::app(&test_db.db, dir.path()).await;
    insert_draft_version(&test_db.db).await;

    let answer = get(&app, "/definitions/ausflug/v1.json", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(answer.headers[header::CACHE_CONTROL], IMMUTABLE);
    assert!(answer.cookie.is_none(), "no session for a definition");
    let text = answer.text();
    assert!(!text.contains("\n  "), "compact: {text}");
    let served = Form::load(&text).unwrap();
    let original = Form::load(DEFINITION).unwrap();
    assert_eq!(served.definition(), original.definition());

    for missing in [
        "/definitions/ausflug/v2.json",
        "/definitions/ausflug/v3.json",
        "/definitions/ausflug/v1",
        "/definitions/ausflug/1.json",
        "/definitions/unbekannt/v1.json",
    ] {
        let answer = get(&app, missing, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(answer.text().contains("Formularversion"), "{missing}");
    }
}

on_both_backends!(a_released_definition_is_served_compact_immutable_and_without_a_session);

#[tokio::test(flavor = "multi_thread")]
async fn a_same_step_condition_is_wrapped_and_marked_unmet_for_the_saved_answers() {
    let db = common::sqlite().await;
    let dir = definitions();
    let app = common::app(&db.db, dir.path()).await;

    let start = get(&app, "/forms/ausflug", None).await;
    let cookie = start.cookie.clone().expect("a session");
    let token = start.csrf();
    let started = post(
        &app,
        "/forms/ausflug/starten",
        &cookie,
        &format!("_csrf={token}"),
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    assert_eq!(started.location, "/forms/ausflug/angaben");

    // Nothing answered yet: the condition is unmet, but the field is in
    // the page (without JavaScript it shows, with its hint).
    let step = get(&app, "/forms/ausflug/angaben", Some(&cookie)).await;
    assert_eq!(step.status, StatusCode::OK);
    let html = step.text();
    assert!(
        html.contains(
            r#"<div data-condition="kinder_anzahl" class="conditional conditional--unmet">"#
        ),
        "{html}"
    );
    assert!(html.contains("Wie viele Kinder?"));
    assert!(
        html.contains("Nur ausfüllen, wenn Sie bei „Kommen Kinder mit?“ „Ja“ angegeben haben.")
    );
    assert!(
        !html.contains(" hidden"),
        "nothing is hidden by markup alone"
    );
    // The shell marks pages where the wasm can run, with the CSP nonce.
    assert!(html.contains(r#"d.classList.add("enhanced")"#));
    // The page names the version whose definition the live checks load.
    assert!(html.contains(r#"\"version\":1"#), "{html}");

    // Saved "yes" (with the name missing, so the step comes back): met.
    let saved = post(
        &app,
        "/forms/ausflug/angaben",
        &cookie,
        &format!("_csrf={}&kinder_dabei=true", step.csrf()),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location, "/forms/ausflug/angaben");
    let html = get(&app, "/forms/ausflug/angaben", Some(&cookie))
        .await
        .text();
    assert!(
        html.contains(r#"<div data-condition="kinder_anzahl" class="conditional">"#),
        "{html}"
    );
    // The required count is asked now, and the server's error is in place.
    assert!(html.contains("id=\"kinder_anzahl-error\""), "{html}");
}

/// The browser builds the answers it checks with `amtsweg_app::form_data`;
/// the POST handler reads through `journey_routes::parse_form` and
/// `merge_step` (which use the same module around the `_action` handling).
/// Both must read a form alike, or the live checks would preview something
/// else than the server decides.
#[test]
fn the_browser_reads_a_posted_step_like_the_server() {
    use amtsweg_app::form_data;
    use amtsweg_server::journey_routes;

    let form = Form::load(include_str!("../../forms/definitions/hundesteuer.json")).unwrap();
    let pairs: Vec<(String, String)> = [
        ("_csrf", "token"),
        ("_action", "continue"),
        ("hunde.0.hund_name", "Bello"),
        ("hunde.0.hund_gefaehrlich", "true"),
        ("hunde.1.hund_name", ""),
        ("hunde.2.hund_name", "Rex"),
        ("ermaessigung_grund", "wachhund"),
        ("ermaessigung_grund", "tierheim"),
        ("halter_anschrift.postal_code", "99423"),
        ("a.b.c.d.e", "too deep"),
        ("g.100.x", "index too high"),
        ("x..y", "empty segment"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();

    let server = journey_routes::parse_form(&pairs).answers;
    let browser =
        form_data::answers_from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(browser, server);

    let saved: amtsweg_forms::Answers = serde_json::from_value(serde_json::json!({
        "halter_vorname": "Erika",
        "zuzug": "true",
        "hunde": [{"hund_name": "alt"}],
        "ermaessigung_nachweis": [{"id": "f", "name": "a.pdf", "size": 1, "content_type": "application/pdf"}],
        "sepa": "true"
    }))
    .unwrap();
    for step in &form.definition().steps {
        for keep_empty in [false, true] {
            let not_shown = vec!["zuzug".to_owned()];
            let mut by_server = saved.clone();
            journey_routes::merge_step(&mut by_server, step, &server, &not_shown, keep_empty);
            let mut by_browser = saved.clone();
            form_data::merge_step(&mut by_browser, step, &browser, &not_shown, keep_empty);
            assert_eq!(
                by_browser, by_server,
                "step {}, keep_empty {keep_empty}",
                step.id
            );
        }
    }
}
