//! The `amtsweg` binary as operators call it: `check-definition`, a wrong
//! setting at start, and the honest `worker`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

fn amtsweg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amtsweg"))
        .args(args)
        .env_remove("AMTSWEG_CONFIG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn check_definition_accepts_a_good_file() {
    let dir = common::test_definitions_dir();
    let file = dir.path().join("test-form.json");
    let output = amtsweg(&["check-definition", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("{}: ok\n", file.display()));
}

#[test]
fn check_definition_names_file_and_path_of_every_problem() {
    let dir = common::test_definitions_dir();
    let good = dir.path().join("test-form.json");
    let broken = dir.path().join("kaputt.json");
    std::fs::write(
        &broken,
        common::TEST_DEFINITION.replace("\"version\":1", "\"version\":\"eins\""),
    )
    .unwrap();
    let output = amtsweg(&[
        "check-definition",
        good.to_str().unwrap(),
        broken.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("{}: ok", good.display()));
    assert!(lines.len() >= 2, "{text}");
    for line in &lines[1..] {
        assert!(
            line.starts_with(&format!("{}: $.", broken.display())),
            "{line}"
        );
    }
    assert!(
        text.contains(&format!("{}: $.version: ", broken.display())),
        "{text}"
    );
}

#[test]
fn check_definition_reports_unreadable_files_with_status_2() {
    let dir = common::test_definitions_dir();
    let missing = dir.path().join("fehlt.json");
    let output = amtsweg(&["check-definition", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).starts_with(&format!("{}: ", missing.display())));
}

#[test]
fn check_definition_accepts_the_example_definitions() {
    let Some(dir) = common::example_definitions_dir() else {
        return;
    };
    let files = amtsweg_server::definitions::definition_files(&dir).unwrap();
    let mut args = vec!["check-definition".to_owned()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = amtsweg(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn a_wrong_setting_stops_the_start_with_one_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_amtsweg"))
        .arg("serve")
        .env_remove("AMTSWEG_CONFIG")
        .env("AMTSWEG_LISTEN", "abc")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "amtsweg: AMTSWEG_LISTEN: \"abc\" is not a socket address (e.g. 127.0.0.1:3000)"
    );
}

#[test]
fn worker_says_it_is_not_implemented_yet() {
    let output = amtsweg(&["worker"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("not yet implemented")
    );
}

#[test]
fn migrate_creates_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_amtsweg"))
        .arg("migrate")
        .env_remove("AMTSWEG_CONFIG")
        .env_remove("AMTSWEG_DATABASE_URL")
        .env("AMTSWEG_DATA_DIR", dir.path().join("data"))
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(dir.path().join("data/amtsweg.db").is_file());
}
