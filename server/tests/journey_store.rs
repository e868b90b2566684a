//! Storage tests of the citizen journey, each against SQLite and
//! PostgreSQL: drafts (create, save, load, resume by token, expiry,
//! cleanup), idempotent submission under concurrency, reference numbers
//! (unique, increasing, per year), and corrupt stored data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::collections::HashSet;

use amtsweg_server::{
    db::Db,
    reference::ReferenceNumber,
    store::{DraftState, ResumeToken, StoreError, SubmissionStatus},
};
use common::{TEST_DEFINITION, TestDb};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, macros::datetime};
use uuid::Uuid;

async fn publish(db: &Db) {
    let value: Value = serde_json::from_str(TEST_DEFINITION).unwrap();
    db.publish_form_version("test-form", 1, "Testantrag", &value)
        .await
        .unwrap();
}

fn in_a_week() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(7)
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
    }
}

async fn execute(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop).unwrap(),
    }
}

async fn a_draft_is_created_saved_and_resumed(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let (draft, token) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
    assert_eq!(draft.state, DraftState::Open);
    assert_eq!(draft.answers, json!({}));
    assert_eq!(db.draft(draft.id).await.unwrap(), draft);

    let answers = json!({"name": "Erika Mustermann", "age": "not a number"});
    let steps = vec!["person".to_owned()];
    db.save_draft(draft.id, &answers, &steps, Some("erika@example.org"))
        .await
        .unwrap();
    let saved = db.draft(draft.id).await.unwrap();
    assert_eq!(saved.answers, answers, "invalid values are kept as entered");
    assert_eq!(saved.attempted_steps, steps);
    assert_eq!(saved.contact_email.as_deref(), Some("erika@example.org"));
    assert!(saved.updated_at >= draft.updated_at);
    assert!(
        !format!("{saved:?}").contains("Erika"),
        "Debug hides answers"
    );

    let resumed = db.draft_by_resume_token(&token).await.unwrap().unwrap();
    assert_eq!(resumed, saved);
    let wrong = ResumeToken::generate();
    assert!(db.draft_by_resume_token(&wrong).await.unwrap().is_none());

    // A new token replaces the old one.
    let new_token = db.new_resume_token(draft.id).await.unwrap();
    assert!(db.draft_by_resume_token(&token).await.unwrap().is_none());
    assert_eq!(
        db.draft_by_resume_token(&new_token)
            .await
            .unwrap()
            .unwrap()
            .id,
        draft.id
    );

    // None removes the e-mail address.
    db.save_draft(draft.id, &answers, &[], None).await.unwrap();
    assert_eq!(db.draft(draft.id).await.unwrap().contact_email, None);
}

async fn unknown_drafts_and_forms_are_not_found(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    assert!(matches!(
        db.create_draft("no-such-form", 1, in_a_week()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.create_draft("test-form", 99, in_a_week()).await,
        Err(StoreError::NotFound)
    ));
    let id = Uuid::new_v4();
    assert!(matches!(db.draft(id).await, Err(StoreError::NotFound)));
    assert!(matches!(
        db.save_draft(id, &json!({}), &[], None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.submit(id, &json!({}), 0, OffsetDateTime::now_utc())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(db.submission(id).await, Err(StoreError::NotFound)));
}

async fn an_expired_draft_is_refused(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let past = OffsetDateTime::now_utc() - Duration::minutes(1);
    let (draft, token) = db.create_draft("test-form", 1, past).await.unwrap();
    assert!(matches!(db.draft(draft.id).await, Err(StoreError::Expired)));
    assert!(matches!(
        db.save_draft(draft.id, &json!({"name": "x"}), &[], None)
            .await,
        Err(StoreError::Expired)
    ));
    assert!(db.draft_by_resume_token(&token).await.unwrap().is_none());
    assert!(matches!(
        db.new_resume_token(draft.id).await,
        Err(StoreError::Expired)
    ));
    assert!(matches!(
        db.submit(draft.id, &json!({}), 0, OffsetDateTime::now_utc())
            .await,
        Err(StoreError::Expired)
    ));
    assert_eq!(count(db, "submissions").await, 0);
}

async fn expired_drafts_are_deleted(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let now = OffsetDateTime::now_utc();
    let (old, _) = db
        .create_draft("test-form", 1, now - Duration::hours(1))
        .await
        .unwrap();
    let (live, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
    assert_eq!(db.delete_expired_drafts(now).await.unwrap(), 1);
    assert!(matches!(db.draft(old.id).await, Err(StoreError::NotFound)));
    assert_eq!(db.draft(live.id).await.unwrap().id, live.id);
    assert_eq!(db.delete_expired_drafts(now).await.unwrap(), 0);
    // Later, the live one expires too.
    assert_eq!(
        db.delete_expired_drafts(now + Duration::days(8))
            .await
            .unwrap(),
        1
    );
    assert_eq!(count(db, "drafts").await, 0);
}

async fn submitting_twice_gives_one_submission(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let (draft, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
    let now = datetime!(2026-03-04 10:00 UTC);
    let answers = json!({"name": "Erika Mustermann"});
    let first = db.submit(draft.id, &answers, 2500, now).await.unwrap();
    assert_eq!(first.reference.to_string(), "AW-2026-000001");
    assert_eq!(first.draft_id, draft.id);
    assert_eq!(first.form_id, "test-form");
    assert_eq!(first.form_version, 1);
    assert_eq!(first.fee_cents, 2500);
    assert_eq!(first.status, SubmissionStatus::Received);
    assert_eq!(first.submitted_at, now);

    // A replay (even with other answers) returns the same submission.
    let again = db
        .submit(
            draft.id,
            &json!({"name": "x"}),
            0,
            now + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(db.submission(first.id).await.unwrap(), first);
    assert_eq!(
        db.submission_for_draft(draft.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        db.draft(draft.id).await.unwrap().state,
        DraftState::Submitted
    );
    assert!(matches!(
        db.save_draft(draft.id, &answers, &[], None).await,
        Err(StoreError::AlreadySubmitted)
    ));
    // With a fee: the payment is reconciled first, delivered once paid.
    let jobs = db.outbox_jobs(first.id).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "payment");
    assert_eq!(jobs[0].status, "pending");
    assert_eq!(count(db, "submissions").await, 1);
    assert_eq!(count(db, "outbox").await, 1);
}

async fn concurrent_submits_of_one_draft_give_one_submission(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let (draft, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.submit(draft.id, &json!({"n": 1}), 0, now).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(count(db, "submissions").await, 1);
    assert_eq!(count(db, "outbox").await, 1);
}

async fn reference_numbers_are_unique_and_increasing(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let now = datetime!(2026-06-01 12:00 UTC);
    let mut drafts = Vec::new();
    for _ in 0..50 {
        drafts.push(
            db.create_draft("test-form", 1, in_a_week())
                .await
                .unwrap()
                .0,
        );
    }
    let tasks: Vec<_> = drafts
        .iter()
        .map(|draft| {
            let (db, id) = (db.clone(), draft.id);
            tokio::spawn(async move { db.submit(id, &json!({}), 0, now).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        let submission = task.await.unwrap().unwrap();
        assert_eq!(submission.reference.year(), 2026);
        numbers.push(submission.reference.number());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<u64>>());
    assert_eq!(count(db, "outbox").await, 50);

    // Sequential submissions get increasing numbers.
    let mut last = 50;
    for _ in 0..3 {
        let (draft, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
        let n = db
            .submit(draft.id, &json!({}), 0, now)
            .await
            .unwrap()
            .reference
            .number();
        assert!(n > last);
        last = n;
    }
}

async fn reference_numbers_start_again_each_year(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let submit_at = async |at: OffsetDateTime| -> ReferenceNumber {
        let far = datetime!(2099-01-01 0:00 UTC);
        let (draft, _) = db.create_draft("test-form", 1, far).await.unwrap();
        db.submit(draft.id, &json!({}), 0, at)
            .await
            .unwrap()
            .reference
    };
    // 23:59 in Germany on New Year's Eve is still the old year.
    let before = submit_at(datetime!(2026-12-31 22:59 UTC)).await;
    let after = submit_at(datetime!(2026-12-31 23:00 UTC)).await;
    let before_again = submit_at(datetime!(2026-12-30 10:00 UTC)).await;
    assert_eq!(before.to_string(), "AW-2026-000001");
    assert_eq!(after.to_string(), "AW-2027-000001");
    assert_eq!(before_again.to_string(), "AW-2026-000002");
}

/// PostgreSQL writes the reference in its submit statement: it must print
/// like [`ReferenceNumber`] does, also past six digits; and a submit that
/// is refused (expired, already submitted) draws no number.
async fn reference_numbers_grow_past_six_digits_without_gaps(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let now = datetime!(2026-06-01 12:00 UTC);
    execute(
        db,
        "INSERT INTO reference_counters (year, next_value) VALUES (2026, 999999)",
    )
    .await;
    let expired = db
        .create_draft("test-form", 1, now - Duration::minutes(1))
        .await
        .unwrap()
        .0;
    assert!(matches!(
        db.submit(expired.id, &json!({}), 0, now).await,
        Err(StoreError::Expired)
    ));
    let mut printed = Vec::new();
    for _ in 0..2 {
        let (draft, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
        let submission = db.submit(draft.id, &json!({}), 0, now).await.unwrap();
        // Submitting again changes nothing and draws nothing.
        db.submit(draft.id, &json!({}), 0, now).await.unwrap();
        assert_eq!(
            db.submission(submission.id).await.unwrap().reference,
            submission.reference
        );
        printed.push(submission.reference.to_string());
    }
    assert_eq!(printed, ["AW-2026-999999", "AW-2026-1000000"]);
}

async fn corrupt_stored_data_is_an_error(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let (draft, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
    let sql = match db {
        Db::Sqlite(_) => format!(
            "UPDATE drafts SET attempted_steps = '[1, 2]' WHERE id = '{}'",
            draft.id
        ),
        Db::Postgres(_) => format!(
            "UPDATE drafts SET attempted_steps = '[1, 2]'::jsonb WHERE id = '{}'",
            draft.id
        ),
    };
    execute(db, &sql).await;
    let error = db.draft(draft.id).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
}

async fn answers_must_be_an_object(test_db: &TestDb) {
    let db = &test_db.db;
    publish(db).await;
    let (draft, _) = db.create_draft("test-form", 1, in_a_week()).await.unwrap();
    let error = db
        .save_draft(draft.id, &json!(["not", "an", "object"]), &[], None)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
}

on_both_backends!(
    a_draft_is_created_saved_and_resumed,
    unknown_drafts_and_forms_are_not_found,
    an_expired_draft_is_refused,
    expired_drafts_are_deleted,
    submitting_twice_gives_one_submission,
    concurrent_submits_of_one_draft_give_one_submission,
    reference_numbers_are_unique_and_increasing,
    reference_numbers_start_again_each_year,
    reference_numbers_grow_past_six_digits_without_gaps,
    corrupt_stored_data_is_an_error,
    answers_must_be_an_object,
);
