//! Storage tests, each against SQLite and PostgreSQL: migrations,
//! publishing form versions (idempotent, immutable), and reading the
//! latest published versions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use amtsweg_app::catalog::ssr::FormCatalog;
use amtsweg_server::{
    db::{DbError, Published},
    definitions::{self, PublishError},
};
use common::{TEST_DEFINITION, TestDb};
use serde_json::{Value, json};

fn definition(version: u32, title: &str) -> Value {
    let mut value: Value = serde_json::from_str(TEST_DEFINITION).unwrap();
    value["version"] = json!(version);
    value["title"]["de"] = json!(title);
    value
}

async fn publish(test_db: &TestDb, value: &Value) -> Result<Published, DbError> {
    let version = u32::try_from(value["version"].as_u64().unwrap()).unwrap();
    let title = value["title"]["de"].as_str().unwrap();
    test_db
        .db
        .publish_form_version("test-form", version, title, value)
        .await
}

async fn migrations_are_repeatable(test_db: &TestDb) {
    test_db.db.migrate().await.unwrap();
    test_db.db.ping().await.unwrap();
}

async fn publishing_is_idempotent_and_immutable(test_db: &TestDb) {
    let v1 = definition(1, "Testantrag");
    assert_eq!(publish(test_db, &v1).await.unwrap(), Published::New);
    assert_eq!(publish(test_db, &v1).await.unwrap(), Published::Unchanged);

    // Same content, different key order and formatting: still unchanged.
    let reordered: Value =
        serde_json::from_str(&serde_json::to_string_pretty(&v1).unwrap()).unwrap();
    assert_eq!(
        publish(test_db, &reordered).await.unwrap(),
        Published::Unchanged
    );

    let changed = definition(1, "Geänderter Testantrag");
    let error = publish(test_db, &changed).await.unwrap_err();
    assert!(
        matches!(error, DbError::Immutable { ref form_id, version: 1 } if form_id == "test-form")
    );
    assert!(error.to_string().contains("immutable"));

    // The stored content is the first one.
    let stored = test_db
        .db
        .form_version("test-form", 1)
        .await
        .unwrap()
        .unwrap();
    let stored: Value = serde_json::from_str(&stored.definition).unwrap();
    assert_eq!(stored, v1);
}

async fn the_latest_published_version_is_listed(test_db: &TestDb) {
    publish(test_db, &definition(1, "Testantrag"))
        .await
        .unwrap();
    publish(test_db, &definition(2, "Testantrag, Fassung 2"))
        .await
        .unwrap();

    let listed = test_db.db.published_form_versions().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].version, 2);

    let forms = test_db.db.published_forms().await.unwrap();
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].title.de, "Testantrag, Fassung 2");
    assert_eq!(forms[0].authority.name.de, "Testamt");

    let one = test_db
        .db
        .published_form("test-form")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.version, 2);
    assert!(
        test_db
            .db
            .published_form("unbekannt")
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_directory_is_published_once(test_db: &TestDb) {
    let dir = common::test_definitions_dir();
    let first = definitions::publish_dir(&test_db.db, dir.path())
        .await
        .unwrap();
    assert_eq!(first.new, vec![("test-form".to_owned(), 1)]);
    let second = definitions::publish_dir(&test_db.db, dir.path())
        .await
        .unwrap();
    assert!(second.new.is_empty());
    assert_eq!(second.unchanged, vec![("test-form".to_owned(), 1)]);

    // Changing the file without a new version is refused.
    let changed = TEST_DEFINITION.replace("\"Kurz\"", "\"Anders\"");
    std::fs::write(dir.path().join("test-form.json"), changed).unwrap();
    let error = definitions::publish_dir(&test_db.db, dir.path())
        .await
        .unwrap_err();
    assert!(matches!(error, PublishError::Store { .. }), "{error}");
    assert!(error.to_string().contains("test-form.json"));
}

async fn an_invalid_definition_stops_publishing(test_db: &TestDb) {
    let dir = common::test_definitions_dir();
    std::fs::write(
        dir.path().join("kaputt.json"),
        r#"{"id":"kaputt","version":"eins"}"#,
    )
    .unwrap();
    let error = definitions::publish_dir(&test_db.db, dir.path())
        .await
        .unwrap_err();
    assert!(matches!(error, PublishError::Invalid { .. }), "{error}");
    assert!(error.to_string().contains("kaputt.json"));
}

on_both_backends!(
    migrations_are_repeatable,
    publishing_is_idempotent_and_immutable,
    the_latest_published_version_is_listed,
    a_directory_is_published_once,
    an_invalid_definition_stops_publishing,
);
