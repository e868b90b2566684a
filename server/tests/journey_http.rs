//! Router tests of sessions and CSRF, against SQLite and PostgreSQL: the
//! cookie's flags for http and https public URLs, the token on GET pages,
//! POSTs refused without, with a wrong, or from a foreign origin, and the
//! session id rotated when a draft is resumed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_server::{
    csrf::{self, CsrfForm, CsrfToken},
    db::Db,
    routes::AppState,
    session::{self, Journey},
};
use axum::{
    Extension, Router,
    body::Body,
    http::{Request, StatusCode, header},
    middleware,
    routing::get,
};
use common::TestDb;
use http_body_util::BodyExt;
use tower::ServiceExt;
use url::Url;
use uuid::Uuid;

const HTTP: &str = "http://127.0.0.1:3000";
const HTTPS: &str = "https://portal.example";

/// A router with the real session and CSRF layers around test handlers.
async fn app(db: &Db, public_url: &str) -> Router {
    let public_url = Url::parse(public_url).unwrap();
    let files = tempfile::tempdir().unwrap().keep();
    let state = AppState::new(
        db.clone(),
        "target/no-site-in-tests",
        "127.0.0.1:3000".parse().unwrap(),
        common::upload_storage(db, &files).await,
    )
    .with_public_url(public_url.clone());
    Router::new()
        .route(
            "/forms/t",
            get(|Extension(token): Extension<CsrfToken>| async move { token.as_str().to_owned() })
                .post(|CsrfForm(pairs): CsrfForm| async move { format!("{pairs:?}") }),
        )
        .route(
            "/drafts/resume",
            get(|journey: Journey| async move {
                journey.resume("f", Uuid::nil()).await.unwrap();
                "resumed"
            }),
        )
        .route(
            "/drafts/mine",
            get(|journey: Journey| async move {
                format!("{:?}", journey.draft_for("f").await.unwrap())
            }),
        )
        .route("/", get(|| async { "start" }))
        .layer(middleware::from_fn(csrf::provide_token))
        .layer(session::layer(db, &public_url))
        .with_state(state)
}

struct Answer {
    status: StatusCode,
    set_cookie: Option<String>,
    body: String,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let set_cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        set_cookie,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// `name=value` of a Set-Cookie header, for the Cookie header.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

/// GETs the form page: the session cookie and the token.
async fn open_form(app: &Router) -> (String, String) {
    let answer = send(app, Request::get("/forms/t").body(Body::empty()).unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let cookie = cookie_pair(&answer.set_cookie.expect("a session cookie"));
    (cookie, answer.body)
}

fn post(
    cookie: Option<&str>,
    origin: Option<&str>,
    referer: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut request =
        Request::post("/forms/t").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    if let Some(referer) = referer {
        request = request.header(header::REFERER, referer);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn cookie_flags_over_http(test_db: &TestDb) {
    let app = app(&test_db.db, HTTP).await;
    let answer = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(answer.set_cookie, None, "no session until one is needed");
    let answer = send(&app, Request::get("/forms/t").body(Body::empty()).unwrap()).await;
    let cookie = answer.set_cookie.unwrap();
    assert!(cookie.starts_with("amtsweg="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("Max-Age=7200"), "{cookie}");
}

async fn cookie_flags_over_https(test_db: &TestDb) {
    let app = app(&test_db.db, HTTPS).await;
    let answer = send(&app, Request::get("/forms/t").body(Body::empty()).unwrap()).await;
    let cookie = answer.set_cookie.unwrap();
    assert!(cookie.starts_with("__Host-amtsweg="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
}

async fn a_post_with_the_right_token_passes(test_db: &TestDb) {
    let app = app(&test_db.db, HTTPS).await;
    let (cookie, token) = open_form(&app).await;
    assert_eq!(token.len(), 43);
    // The token stays the same for the session.
    let again = send(
        &app,
        Request::get("/forms/t")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.body, token);

    let body = format!("name=Erika&_csrf={token}&choice=a&choice=b");
    for (origin, referer) in [
        (Some(HTTPS), None),
        (Some("null"), None),
        (None, Some("https://portal.example/forms/t?lang=en")),
        (None, None),
    ] {
        let answer = send(&app, post(Some(&cookie), origin, referer, &body)).await;
        assert_eq!(answer.status, StatusCode::OK, "{origin:?} {referer:?}");
        assert_eq!(
            answer.body,
            r#"[("name", "Erika"), ("choice", "a"), ("choice", "b")]"#
        );
    }
}

async fn posts_without_the_right_token_are_refused(test_db: &TestDb) {
    let app = app(&test_db.db, HTTPS).await;
    let (cookie, token) = open_form(&app).await;
    let refused = [
        // no token
        post(Some(&cookie), Some(HTTPS), None, "name=Erika"),
        post(Some(&cookie), Some(HTTPS), None, "name=Erika&_csrf="),
        // wrong token
        post(Some(&cookie), Some(HTTPS), None, "name=Erika&_csrf=wrong"),
        // right token, no session
        post(None, Some(HTTPS), None, &format!("_csrf={token}")),
        // right token, foreign origin
        post(
            Some(&cookie),
            Some("https://evil.example"),
            None,
            &format!("_csrf={token}"),
        ),
        post(
            Some(&cookie),
            Some("http://portal.example"),
            None,
            &format!("_csrf={token}"),
        ),
        post(
            Some(&cookie),
            None,
            Some("https://evil.example/x"),
            &format!("_csrf={token}"),
        ),
    ];
    for request in refused {
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert!(
            answer.body.contains("Die Sitzung ist abgelaufen"),
            "{}",
            answer.body
        );
        assert!(
            answer.body.contains("Please reload the page"),
            "{}",
            answer.body
        );
    }
    // Another session's token does not fit.
    let (other_cookie, _) = open_form(&app).await;
    let answer = send(
        &app,
        post(
            Some(&other_cookie),
            Some(HTTPS),
            None,
            &format!("_csrf={token}"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

async fn resuming_a_draft_rotates_the_session_id(test_db: &TestDb) {
    let app = app(&test_db.db, HTTP).await;
    let (cookie, token) = open_form(&app).await;
    let answer = send(
        &app,
        Request::get("/drafts/resume")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.body, "resumed");
    let new_cookie = cookie_pair(&answer.set_cookie.expect("a new cookie"));
    assert_ne!(new_cookie, cookie);
    // The new id carries the draft and the token; the old id is gone.
    let mine = |cookie: String| {
        Request::get("/drafts/mine")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&app, mine(new_cookie.clone())).await.body,
        format!("Some({})", Uuid::nil())
    );
    assert_eq!(send(&app, mine(cookie.clone())).await.body, "None");
    let answer = send(
        &app,
        post(
            Some(&new_cookie),
            Some(HTTP),
            None,
            &format!("_csrf={token}"),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
}

async fn the_real_router_sets_the_cookie_on_form_pages(test_db: &TestDb) {
    let dir = common::test_definitions_dir();
    let app = common::app(&test_db.db, dir.path()).await;
    let start = common::get(&app, "/").await;
    assert!(
        start.header("set-cookie").is_empty(),
        "no cookie on the start page"
    );
    let page = common::get(&app, "/forms/test-form").await;
    let cookie = page.header("set-cookie");
    assert!(cookie.starts_with("amtsweg="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

on_both_backends!(
    cookie_flags_over_http,
    cookie_flags_over_https,
    a_post_with_the_right_token_passes,
    posts_without_the_right_token_are_refused,
    resuming_a_draft_rotates_the_session_id,
    the_real_router_sets_the_cookie_on_form_pages,
);
