//! Router tests: the pages, `/health`, `/metrics`, the security headers
//! and the 404 page, through `tower::ServiceExt::oneshot`, on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use amtsweg_forms::{Form, Lang};
use amtsweg_server::definitions;
use axum::http::StatusCode;
use common::{TestDb, app, get};

/// The definitions of `dir`, loaded.
fn forms_in(dir: &std::path::Path) -> Vec<Form> {
    definitions::definition_files(dir)
        .unwrap()
        .iter()
        .map(|path| Form::load(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect()
}

async fn start_page_lists_every_definition(test_db: &TestDb) {
    let temp = common::test_definitions_dir();
    let dir: PathBuf = common::example_definitions_dir().unwrap_or_else(|| temp.path().to_owned());
    let app = app(&test_db.db, &dir).await;
    let forms = forms_in(&dir);
    assert!(!forms.is_empty());

    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"de\""), "{}", page.body);
    let main = page.main_text();
    assert_eq!(main.matches("<h1").count(), 1, "exactly one h1: {main}");
    assert!(main.contains("<h1>Amtsweg</h1>"));
    assert!(main.contains("<ul class=\"services\">"));
    for form in &forms {
        let d = form.definition();
        assert!(main.contains(&d.title.de), "title {:?} missing", d.title.de);
        assert!(
            main.contains(&d.authority.name.de),
            "authority of {} missing",
            d.id
        );
        assert!(main.contains(&format!("href=\"/forms/{}\"", d.id)));
    }

    let english = get(&app, "/?lang=en").await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(english.body.contains("<html lang=\"en\""));
    let main = english.main_text();
    assert!(main.contains("Online services"));
    for form in &forms {
        let d = form.definition();
        assert!(
            main.contains(d.title.get(Lang::En)),
            "{:?} missing",
            d.title.en
        );
        assert!(main.contains(d.authority.name.get(Lang::En)));
        assert!(main.contains(&format!("href=\"/forms/{}?lang=en\"", d.id)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn start_page_lists_every_definition_sqlite() {
    start_page_lists_every_definition(&common::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn start_page_lists_every_definition_postgres() {
    let Some(test_db) = common::postgres().await else {
        return;
    };
    start_page_lists_every_definition(&test_db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn form_page_shows_title_summary_and_authority() {
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;

    let page = get(&app, "/forms/test-form").await;
    assert_eq!(page.status, StatusCode::OK);
    let main = page.main_text();
    assert!(main.contains("<h1>Testantrag</h1>"), "{main}");
    assert!(main.contains("Kurz"));
    assert!(main.contains("Testamt"));

    let page = get(&app, "/forms/test-form?lang=en").await;
    assert!(page.body.contains("<html lang=\"en\""));
    assert!(page.main_text().contains("<h1>Test application</h1>"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_pages_are_404_in_german_and_english() {
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;

    for uri in ["/gibt-es-nicht", "/forms/unbekannt", "/a/b/c"] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.main_text().contains("Seite nicht gefunden"), "{uri}");
        assert!(page.body.contains("<html lang=\"de\""));
    }
    let page = get(&app, "/gibt-es-nicht?lang=en").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.main_text().contains("Page not found"));
    assert!(page.body.contains("<html lang=\"en\""));
}

async fn health_follows_the_database(test_db: &TestDb) {
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;
    let health = get(&app, "/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, "ok");

    test_db.db.close().await;
    let health = get(&app, "/health").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(health.body.contains("nicht erreichbar"));

    // The start page says so too, with the right status, instead of an
    // empty list.
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.main_text().contains("nicht erreichbar"));
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_the_database_sqlite() {
    health_follows_the_database(&common::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_the_database_postgres() {
    let Some(test_db) = common::postgres().await else {
        return;
    };
    health_follows_the_database(&test_db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_has_the_security_headers() {
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;

    for uri in [
        "/",
        "/health",
        "/metrics",
        "/nope",
        "/pkg/amtsweg.css",
        "/pkg/missing.js",
    ] {
        let answer = get(&app, uri).await;
        let csp = answer.header("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}");
        assert!(!csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(answer.header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(answer.header("referrer-policy"), "no-referrer", "{uri}");
        assert!(!answer.header("permissions-policy").is_empty(), "{uri}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_scripts_carry_the_nonce_of_the_csp_header() {
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;

    let page = get(&app, "/").await;
    let csp = page.header("content-security-policy");
    let nonce = csp
        .split_whitespace()
        .find_map(|token| token.strip_prefix("'nonce-"))
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("a nonce in the CSP");
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        page.body
            .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
            .count()
            + page
                .body
                .matches(&format!("<script nonce=\"{nonce}\""))
                .count(),
        scripts,
        "every inline script carries the header's nonce"
    );
    // A new nonce per response.
    let again = get(&app, "/").await;
    assert_ne!(again.header("content-security-policy"), csp);
}

#[tokio::test(flavor = "multi_thread")]
async fn stylesheet_and_metrics_are_served() {
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;

    let css = get(&app, "/pkg/amtsweg.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"));
    assert!(
        get(&app, "/")
            .await
            .body
            .contains("href=\"/pkg/amtsweg.css\"")
    );

    get(&app, "/forms/test-form").await;
    let metrics = get(&app, "/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.header("content-type").starts_with("text/plain"));
    assert!(
        metrics.body.contains(
            "amtsweg_http_requests_total{route=\"/forms/{id}\",method=\"GET\",status=\"200\"} 1"
        ),
        "{}",
        metrics.body
    );
}

/// A page renders completely while other routers of the same process are
/// being built. Leptos suppresses resource loads process-wide while it
/// generates routes; before the route list was generated once per process,
/// a render that met such a generation waited forever (this hung CI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_routers_are_built() {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;
    let state = common::app_state(&test_db.db, dir.path()).await;

    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Handle::current();
    let builder = std::thread::spawn({
        let stop = stop.clone();
        move || {
            let _runtime = runtime.enter();
            let mut built = 0_u32;
            while !stop.load(Ordering::Relaxed) {
                drop(amtsweg_server::routes::router(state.clone()));
                built += 1;
            }
            built
        }
    });

    for round in 0..40 {
        let page = tokio::time::timeout(std::time::Duration::from_secs(10), get(&app, "/"))
            .await
            .unwrap_or_else(|_| panic!("render {round} did not finish within 10 s"));
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.main_text().contains("Testantrag"),
            "render {round}: {}",
            page.body
        );
    }
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().unwrap();
    assert!(built > 0, "no router was built during the renders");
}

/// Many citizens open the start page at once: every one of them gets the
/// complete page with its title in their language. leptos_meta reads the
/// `<title>` after the first chunk of the stream, when the page's reactive
/// owner may already be disposed; a title that read the language signal
/// then panicked (about 1 in 70 start pages under load, found with wrk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_start_pages_are_complete_with_their_title() {
    let test_db = common::sqlite().await;
    let dir = common::test_definitions_dir();
    let app = app(&test_db.db, dir.path()).await;

    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..16 {
        let app = app.clone();
        tasks.spawn(async move {
            for round in 0..40 {
                let (uri, title) = if (worker + round) % 2 == 0 {
                    ("/", "<title>Amtsweg – Online-Dienste</title>")
                } else {
                    ("/?lang=en", "<title>Amtsweg – Online services</title>")
                };
                let page = get(&app, uri).await;
                assert_eq!(page.status, StatusCode::OK, "{uri}");
                assert!(page.body.contains(title), "{uri}: {}", page.body);
                // Complete: the document's end and the list of services,
                // which streams in after the first chunk.
                assert!(page.body.contains("</html>"), "{uri}");
                assert!(page.body.contains("<ul class=\"services\">"), "{uri}");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        // A panic inside a render surfaces here as a failed task.
        done.unwrap();
    }
}
