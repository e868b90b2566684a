//! The `amtsweg` binary as operators call it: `check-definition`, a wrong
//! setting at start, `worker` and `outbox`.
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
fn the_worker_runs_until_it_is_told_to_stop() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_amtsweg"))
        .arg("worker")
        .env_remove("AMTSWEG_CONFIG")
        .env_remove("AMTSWEG_DATABASE_URL")
        .env("AMTSWEG_DATA_DIR", dir.path())
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // It migrates its database and then waits for work.
    let db = dir.path().join("amtsweg.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !db.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no database after 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the worker stopped by itself"
    );
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let log = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("delivery worker started"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn outbox_lists_nothing_on_a_new_database_and_retry_needs_ids() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_amtsweg"))
            .args(args)
            .env_remove("AMTSWEG_CONFIG")
            .env_remove("AMTSWEG_DATABASE_URL")
            .env("AMTSWEG_DATA_DIR", dir.path())
            .output()
            .unwrap()
    };
    let list = run(&["outbox"]);
    assert!(list.status.success(), "{list:?}");
    assert_eq!(stdout(&list).trim(), "no jobs");
    for dead in [&["outbox", "--dead"][..], &["outbox", "list", "--dead"]] {
        let list = run(dead);
        assert!(list.status.success(), "{dead:?}: {list:?}");
        assert_eq!(stdout(&list).trim(), "no jobs");
    }
    // `--dead` lists; it does not go with `retry`.
    assert_eq!(
        run(&["outbox", "--dead", "retry", "1"]).status.code(),
        Some(2)
    );
    let retry = run(&["outbox", "retry"]);
    assert_eq!(retry.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&retry.stderr).contains("--all-dead"));
    let unknown = run(&["outbox", "retry", "42"]);
    assert!(unknown.status.success());
    assert!(
        stdout(&unknown).contains("42\tno dead job with this id"),
        "{unknown:?}"
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

const FIM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fim");

#[test]
fn forms_import_fim_prints_the_report_and_writes_a_definition_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("anschrift.json");
    let output = amtsweg(&[
        "forms",
        "import-fim",
        &format!("{FIM}/v3/simple.xml"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = stdout(&output);
    assert!(
        report.contains("XDatenfelder 3.0.0 G60000000088 1.2.0"),
        "{report}"
    );
    // The free-text rule is reported as kept, with its FIM id.
    assert!(report.contains("R60000000019 1.2.0"), "{report}");
    assert!(report.contains("definition check passed"), "{report}");
    let json = std::fs::read_to_string(&out).unwrap();
    let form = amtsweg_forms::Form::load(&json).unwrap();
    let field = form.field("strasse").unwrap();
    assert_eq!(field.fim.as_ref().unwrap().id, "F60000000243");

    // The draft passes the definition check, but not yet the quality
    // check: FIM has no English texts.
    let check = amtsweg(&["forms", "check", out.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    let text = stdout(&check);
    assert!(
        text.contains(&format!("{}: /title/en [english_missing]: ", out.display())),
        "{text}"
    );
    assert!(
        text.contains("/steps/0/fields/0/label/en [field_label_missing]"),
        "{text}"
    );
}

#[test]
fn forms_import_fim_without_out_pipes_the_json_and_reports_on_stderr() {
    let output = amtsweg(&["forms", "import-fim", &format!("{FIM}/v2/select.xml")]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let definition: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(definition["fim"]["id"], "T1234");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("code_lists.urn_de_example_1"), "{stderr}");
    assert!(stderr.contains("definition check failed"), "{stderr}");
}

#[test]
fn forms_import_fim_rejects_a_broken_document_with_line_and_both_languages() {
    let file = format!("{FIM}/v3/duplicate-id-node.xml");
    let output = amtsweg(&["forms", "import-fim", &file]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stdout(&output).trim(),
        format!(
            "{file}: Zeile 11, Spalte 13: Doppeltes Element <xdf:id>: es darf hier nur einmal vorkommen. / line 11, column 13: Duplicate element <xdf:id>: it may occur only once here."
        )
    );
    let missing = amtsweg(&["forms", "import-fim", "/nonexistent/fim.xml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stdout(&missing).contains("cannot read the file"));
}

#[test]
fn forms_check_accepts_the_example_definitions_and_names_problems_by_pointer() {
    let Some(dir) = common::example_definitions_dir() else {
        return;
    };
    let files = amtsweg_server::definitions::definition_files(&dir).unwrap();
    let mut args = vec!["forms".to_owned(), "check".to_owned()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = amtsweg(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output).lines().count(), files.len());

    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("kaputt.json");
    let text = std::fs::read_to_string(dir.join("hundesteuer.json")).unwrap();
    std::fs::write(&broken, text.replacen("\"version\"", "\"versoin\"", 1)).unwrap();
    let output = amtsweg(&["forms", "check", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!(
            "{}: /versoin: Unbekannter Schlüssel",
            broken.display()
        )),
        "{text}"
    );
}
