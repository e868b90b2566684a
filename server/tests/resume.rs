//! Router tests of "save and continue later" and the resume link, against
//! SQLite and PostgreSQL: saving an invalid step keeps the raw values
//! without showing errors, the saved page shows an absolute link once, the
//! link opens the draft in a new browser (new cookie jar, session id
//! rotated) with its answers and lets it be submitted, a bad or expired
//! link gets the same 404 page, the e-mail form stores the address and
//! mails the link (to a real SMTP server, aiosmtpd), and a new link ends
//! the old one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use amtsweg_server::db::Db;
use axum::http::{StatusCode, header};
use common::{Browser, Page, TestDb};
use tempfile::TempDir;

const DEFINITION: &str = r#"{
  "id": "antrag", "version": 1,
  "title": {"de": "Testantrag", "en": "Test application"},
  "summary": {"de": "Kurz", "en": "Short"},
  "authority": {"id": "amt", "name": {"de": "Amt", "en": "Office"}},
  "draft_expiry_days": 14,
  "steps": [
    {"id": "person", "title": {"de": "Ihre Angaben", "en": "About you"}, "fields": [
      {"id": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true},
      {"id": "email", "type": "email", "label": {"de": "E-Mail-Adresse", "en": "E-mail address"}}
    ]},
    {"id": "ziel", "title": {"de": "Reiseziel", "en": "Destination"}, "fields": [
      {"id": "zone", "type": "radio", "label": {"de": "Zone", "en": "Zone"}, "required": true,
       "options": [{"value": "a", "label": {"de": "Zone A", "en": "Zone A"}},
                   {"value": "b", "label": {"de": "Zone B", "en": "Zone B"}}]}
    ]}
  ]
}"#;

/// The public URL of the test router (`AppState::new`'s default).
const PUBLIC_URL: &str = "http://127.0.0.1:3000";

fn definitions() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("antrag.json"), DEFINITION).unwrap();
    dir
}

impl Page {
    fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }

    /// The resume link shown on the saved page, if any.
    fn link(&self) -> Option<String> {
        let marker = format!("href=\"{PUBLIC_URL}/resume/");
        let start = self.body.find(&marker)? + "href=\"".len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }
}

impl Browser {
    /// GET `page`, then POST its form with the page's token and `fields`.
    async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let shown = self.get(page).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}: {}", shown.body);
        let token = shown.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_fields(action, &all).await
    }

    async fn start(&mut self) {
        let page = self
            .submit("/forms/antrag", "/forms/antrag/starten", &[])
            .await;
        assert_eq!(page.location, "/forms/antrag/person", "{}", page.body);
    }

    /// Saves `step` for later with `fields`; returns the saved page.
    async fn save_for_later(&mut self, step: &str, fields: &[(&str, &str)]) -> Page {
        let url = format!("/forms/antrag/{step}");
        let mut all = fields.to_vec();
        all.push(("_action", "save-for-later"));
        let posted = self.submit(&url, &url, &all).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
        assert_eq!(posted.location, "/forms/antrag/gespeichert");
        let page = self.get("/forms/antrag/gespeichert").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page
    }
}

/// The link's path (the router is called without the origin).
fn path_of(link: &str) -> &str {
    link.strip_prefix(PUBLIC_URL).unwrap()
}

async fn execute(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
    }
}

async fn contact_email(db: &Db) -> Option<String> {
    let sql = "SELECT contact_email FROM drafts";
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

async fn saving_an_invalid_step_for_later_keeps_its_values_and_shows_the_link(test_db: &TestDb) {
    let dir = definitions();
    let app = common::app(&test_db.db, dir.path()).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let step = browser.get("/forms/antrag/person").await.main();
    assert!(
        step.contains("value=\"save-for-later\""),
        "the step offers the button: {step}"
    );
    assert!(step.contains("Speichern und später fortsetzen"), "{step}");

    let saved = browser
        .save_for_later("person", &[("name", ""), ("email", "erika@")])
        .await;
    assert_eq!(saved.header(header::CACHE_CONTROL), "no-store");
    let main = saved.main();
    assert!(main.contains("Ihre Angaben sind gespeichert"), "{main}");
    let link = saved.link().expect("the resume link");
    let token = path_of(&link).strip_prefix("/resume/").unwrap();
    assert_eq!(token.len(), 43, "{link}");
    assert!(
        main.contains(&format!(">{link}</a>")),
        "shown as text: {main}"
    );
    assert!(main.contains("Gültig bis"), "{main}");
    assert!(main.contains(" Uhr"), "{main}");
    assert!(main.contains("Halten Sie den Link geheim"), "{main}");
    assert!(main.contains("E-Mail-Adresse"), "{main}");
    assert!(
        main.contains("href=\"/forms/antrag/person\""),
        "continue leads to the step that still needs answers: {main}"
    );
    assert!(
        !saved.location.contains(token) && !main.contains("?token"),
        "the token is only in the link"
    );

    // The values are kept as entered, without errors (not attempted).
    let step = browser.get("/forms/antrag/person").await.main();
    assert!(step.contains("value=\"erika@\""), "{step}");
    assert!(!step.contains("Es gibt ein Problem"), "{step}");

    // The link is shown once; a reload offers a new one.
    let again = browser.get("/forms/antrag/gespeichert").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.link(), None);
    let main = again.main();
    assert!(main.contains("nur einmal angezeigt"), "{main}");
    assert!(main.contains("Neuen Link erstellen"), "{main}");

    // In English.
    let english = browser.save_for_later("person", &[("name", "Erika")]).await;
    assert!(english.link().is_some());
    let posted = browser
        .submit(
            "/forms/antrag/person?lang=en",
            "/forms/antrag/person?lang=en",
            &[("name", "Erika"), ("_action", "save-for-later")],
        )
        .await;
    assert_eq!(posted.location, "/forms/antrag/gespeichert?lang=en");
    let page = browser.get(&posted.location).await;
    let main = page.main();
    assert!(main.contains("Your answers have been saved"), "{main}");
    assert!(main.contains("(German time)"), "{main}");
    assert!(page.link().unwrap().ends_with("?lang=en"));
}

async fn the_link_opens_the_draft_in_another_browser(test_db: &TestDb) {
    let dir = definitions();
    let app = common::app(&test_db.db, dir.path()).await;
    let mut phone = Browser::on(&app);
    phone.start().await;
    let posted = phone
        .submit(
            "/forms/antrag/person",
            "/forms/antrag/person",
            &[("name", "Erika Mustermann"), ("email", "erika@example.org")],
        )
        .await;
    assert_eq!(posted.location, "/forms/antrag/ziel");
    let saved = phone.save_for_later("ziel", &[]).await;
    let link = saved.link().unwrap();

    // A new browser with its own, older session.
    let mut laptop = Browser::on(&app);
    laptop.get("/forms/antrag").await;
    let before = laptop.cookie.clone().expect("a session");
    let opened = laptop.get(path_of(&link)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert_eq!(
        opened.location, "/forms/antrag/ziel",
        "the first step that still needs answers"
    );
    assert_eq!(opened.header(header::CACHE_CONTROL), "no-store");
    let after = laptop.cookie.clone().unwrap();
    assert_ne!(before, after, "the session id is rotated");

    let person = laptop.get("/forms/antrag/person").await.main();
    assert!(person.contains("value=\"Erika Mustermann\""), "{person}");
    let ziel = laptop
        .submit("/forms/antrag/ziel", "/forms/antrag/ziel", &[("zone", "b")])
        .await;
    assert_eq!(ziel.location, "/forms/antrag/pruefen");
    let check = laptop.get("/forms/antrag/pruefen").await;
    let submitted = laptop
        .post_fields("/forms/antrag/absenden", &[("_csrf", &check.csrf())])
        .await;
    assert!(
        submitted
            .location
            .starts_with("/forms/antrag/bestaetigung/"),
        "{}",
        submitted.body
    );

    // Submitted: the link no longer opens anything.
    let mut third = Browser::on(&app);
    let page = third.get(path_of(&link)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A draft whose answers are complete opens on the check page.
    let mut other = Browser::on(&app);
    other.start().await;
    other
        .submit(
            "/forms/antrag/person",
            "/forms/antrag/person",
            &[("name", "Max")],
        )
        .await;
    let saved = other.save_for_later("ziel", &[("zone", "a")]).await;
    let mut fresh = Browser::on(&app);
    let opened = fresh.get(path_of(&saved.link().unwrap())).await;
    assert_eq!(opened.location, "/forms/antrag/pruefen");
}

async fn a_bad_token_gets_a_clear_404_page(test_db: &TestDb) {
    let dir = definitions();
    let app = common::app(&test_db.db, dir.path()).await;
    let mut browser = Browser::on(&app);
    let garbage = browser.get("/resume/not-a-token").await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    let main = garbage.main();
    assert!(
        main.contains("Dieser Link ist ungültig oder abgelaufen"),
        "{main}"
    );
    assert!(main.contains("This link is not valid or has expired"));
    assert!(main.contains("<a href=\"/\">Zur Übersicht der Online-Dienste</a>"));
    assert!(garbage.body.contains("<html lang=\"de\">"));
    assert_eq!(garbage.header(header::CACHE_CONTROL), "no-store");

    // A well-formed token nobody was given: the very same page.
    let unknown = browser.get(&format!("/resume/{}", "A".repeat(43))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body, garbage.body);

    let english = browser
        .get(&format!("/resume/{}?lang=en", "A".repeat(43)))
        .await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("<h1>This link is not valid"));
}

async fn an_expired_drafts_link_fails(test_db: &TestDb) {
    let dir = definitions();
    let app = common::app(&test_db.db, dir.path()).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let saved = browser.save_for_later("person", &[("name", "Erika")]).await;
    let link = saved.link().unwrap();
    execute(
        &test_db.db,
        match &test_db.db {
            Db::Sqlite(_) => "UPDATE drafts SET expires_at = '2020-01-01T00:00:00.000Z'",
            Db::Postgres(_) => "UPDATE drafts SET expires_at = '2020-01-01T00:00:00Z'",
        },
    )
    .await;
    let mut other = Browser::on(&app);
    let page = other.get(path_of(&link)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.main().contains("ungültig oder abgelaufen"));
    assert!(page.location.is_empty());
}

async fn the_link_is_mailed_and_shown_again(test_db: &TestDb) {
    let Some(smtp) = common::SmtpSink::start() else {
        return;
    };
    let dir = definitions();
    let app = common::app_with_mailer(&test_db.db, dir.path(), smtp.mailer()).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let saved = browser.save_for_later("person", &[("name", "Erika")]).await;
    assert!(
        saved.main().contains("Link per E-Mail senden"),
        "{}",
        saved.main()
    );
    let link = saved.link().unwrap();
    let token = saved
        .hidden("token")
        .expect("the token for the e-mail form");

    // A wrong address: an error naming the field, nothing stored or sent.
    let posted = browser
        .post_fields(
            "/forms/antrag/gespeichert",
            &[
                ("_csrf", &saved.csrf()),
                ("token", &token),
                ("email", "erika@"),
                ("_action", "email"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    assert_eq!(posted.location, "/forms/antrag/gespeichert");
    let page = browser.get("/forms/antrag/gespeichert").await;
    let main = page.main();
    assert!(main.contains("Es gibt ein Problem"), "{main}");
    assert!(main.contains("href=\"#email\""), "{main}");
    assert!(main.contains("value=\"erika@\""), "{main}");
    assert_eq!(page.link().as_deref(), Some(link.as_str()), "shown again");
    assert_eq!(contact_email(&test_db.db).await, None);
    assert!(smtp.received().is_empty());

    // A good one: stored, and the shown link is mailed.
    let posted = browser
        .post_fields(
            "/forms/antrag/gespeichert",
            &[
                ("_csrf", &page.csrf()),
                ("token", &token),
                ("email", " erika@example.org "),
                ("_action", "email"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let page = browser.get("/forms/antrag/gespeichert").await;
    let main = page.main();
    assert!(
        main.contains("Wir haben den Link an erika@example.org geschickt."),
        "{main}"
    );
    assert!(main.contains("role=\"status\""), "{main}");
    assert!(main.contains("value=\"erika@example.org\""), "{main}");
    assert_eq!(page.link().as_deref(), Some(link.as_str()));
    assert_eq!(
        contact_email(&test_db.db).await.as_deref(),
        Some("erika@example.org")
    );
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, ["erika@example.org"]);
    assert_eq!(mail.to, "erika@example.org");
    assert_eq!(mail.from, "Amtsweg <noreply@amtsweg.test>");
    assert_eq!(mail.subject, "Ihr gespeicherter Antrag: Testantrag");
    assert!(mail.body.contains(&format!("\n{link}\n")), "{}", mail.body);
    assert!(mail.body.contains("Der Link gilt bis "), "{}", mail.body);
    assert!(mail.body.contains(" Uhr."), "{}", mail.body);
    // Only the link, never an answer.
    assert!(
        !mail.data.contains("Erika\r\n") && !mail.body.contains("Erika"),
        "{}",
        mail.body
    );

    // The mailed link opens the draft in another browser.
    let mut other = Browser::on(&app);
    let opened = other.get(path_of(&link)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);

    // Without this draft's token (a reload, or a forged one) the mail
    // gets a new link, which the page shows; the old one ends.
    let posted = browser
        .post_fields(
            "/forms/antrag/gespeichert",
            &[
                ("_csrf", &page.csrf()),
                ("token", &"B".repeat(43)),
                ("email", "erika@example.org"),
                ("_action", "email"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let page = browser.get("/forms/antrag/gespeichert").await;
    let new_link = page.link().expect("the new link is shown");
    assert_ne!(new_link, link);
    let mails = smtp.received();
    assert_eq!(mails.len(), 2);
    assert!(mails[1].body.contains(&new_link), "{}", mails[1].body);
    let gone = Browser::on(&app).get(path_of(&link)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // Without the CSRF token the POST is refused.
    let refused = browser
        .post_fields("/forms/antrag/gespeichert", &[("email", "x@example.org")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn the_mail_is_english_on_the_english_page(test_db: &TestDb) {
    let Some(smtp) = common::SmtpSink::start() else {
        return;
    };
    let dir = definitions();
    let app = common::app_with_mailer(&test_db.db, dir.path(), smtp.mailer()).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let saved = browser.save_for_later("person", &[("name", "Erika")]).await;
    let posted = browser
        .post_fields(
            "/forms/antrag/gespeichert?lang=en",
            &[
                ("_csrf", &saved.csrf()),
                ("email", "erika@example.org"),
                ("_action", "email"),
            ],
        )
        .await;
    assert_eq!(posted.location, "/forms/antrag/gespeichert?lang=en");
    let page = browser.get("/forms/antrag/gespeichert?lang=en").await;
    assert!(
        page.main()
            .contains("We have sent the link to erika@example.org."),
        "{}",
        page.main()
    );
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "Your saved application: Test application");
    assert!(mails[0].body.contains("?lang=en\n"), "{}", mails[0].body);
    assert!(mails[0].body.contains("(German time)"), "{}", mails[0].body);
}

async fn a_failed_mail_keeps_everything_and_says_so(test_db: &TestDb) {
    // A port nobody listens on: the mail server is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = url::Url::parse(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let mailer =
        amtsweg_server::mail::Mailer::smtp(&url, "noreply@amtsweg.test".parse().unwrap()).unwrap();
    let dir = definitions();
    let app = common::app_with_mailer(&test_db.db, dir.path(), mailer).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let saved = browser.save_for_later("person", &[("name", "Erika")]).await;
    let link = saved.link().unwrap();
    let posted = browser
        .post_fields(
            "/forms/antrag/gespeichert",
            &[
                ("_csrf", &saved.csrf()),
                ("token", &saved.hidden("token").unwrap()),
                ("email", "erika@example.org"),
                ("_action", "email"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let page = browser.get("/forms/antrag/gespeichert").await;
    let main = page.main();
    assert!(
        main.contains("Die E-Mail konnte gerade nicht verschickt werden."),
        "{main}"
    );
    assert!(main.contains("role=\"alert\""), "{main}");
    assert_eq!(
        page.link().as_deref(),
        Some(link.as_str()),
        "the link stays on screen"
    );
    assert_eq!(
        contact_email(&test_db.db).await.as_deref(),
        Some("erika@example.org")
    );
    let opened = Browser::on(&app).get(path_of(&link)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "the link still works");
}

async fn a_session_sends_at_most_five_mails(test_db: &TestDb) {
    let Some(smtp) = common::SmtpSink::start() else {
        return;
    };
    let dir = definitions();
    let app = common::app_with_mailer(&test_db.db, dir.path(), smtp.mailer()).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let mut page = browser.save_for_later("person", &[("name", "Erika")]).await;
    for round in 0..6 {
        let token = page.hidden("token").unwrap();
        browser
            .post_fields(
                "/forms/antrag/gespeichert",
                &[
                    ("_csrf", &page.csrf()),
                    ("token", &token),
                    ("email", &format!("person{round}@example.org")),
                    ("_action", "email"),
                ],
            )
            .await;
        page = browser.get("/forms/antrag/gespeichert").await;
    }
    assert_eq!(smtp.received().len(), 5);
    assert!(
        page.main()
            .contains("Weitere E-Mails sind aus Sicherheitsgründen nicht möglich."),
        "{}",
        page.main()
    );
}

async fn a_new_link_ends_the_old_one(test_db: &TestDb) {
    let dir = definitions();
    let app = common::app(&test_db.db, dir.path()).await;
    let mut browser = Browser::on(&app);
    browser.start().await;
    let first = browser
        .save_for_later("person", &[("name", "Erika")])
        .await
        .link()
        .unwrap();
    let reload = browser.get("/forms/antrag/gespeichert").await;
    assert_eq!(reload.link(), None);
    let posted = browser
        .post_fields(
            "/forms/antrag/gespeichert",
            &[("_csrf", &reload.csrf()), ("_action", "new-link")],
        )
        .await;
    assert_eq!(posted.location, "/forms/antrag/gespeichert");
    let second = browser
        .get("/forms/antrag/gespeichert")
        .await
        .link()
        .unwrap();
    assert_ne!(first, second);
    let mut other = Browser::on(&app);
    assert_eq!(
        other.get(path_of(&first)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(path_of(&second)).await.status,
        StatusCode::SEE_OTHER
    );
}

on_both_backends!(
    saving_an_invalid_step_for_later_keeps_its_values_and_shows_the_link,
    the_link_opens_the_draft_in_another_browser,
    a_bad_token_gets_a_clear_404_page,
    an_expired_drafts_link_fails,
    the_link_is_mailed_and_shown_again,
    the_mail_is_english_on_the_english_page,
    a_failed_mail_keeps_everything_and_says_so,
    a_session_sends_at_most_five_mails,
    a_new_link_ends_the_old_one,
);
