//! `careprompt import ssd` end to end on the synthetic SSD fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ssd")
        .join(name)
}

fn careprompt() -> Command {
    Command::cargo_bin("careprompt").unwrap()
}

#[test]
fn imports_a_directory_of_ssd_csv_and_checks_the_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plans.ndjson");
    careprompt()
        .args(["import", "ssd"])
        .arg(fixture("bad"))
        .arg("--out")
        .arg(&out)
        .args(["--as-of", "2026-03-31"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("import ssd: 30 plan(s)"))
        .stdout(predicate::str::contains("ssd_missing: rejected"))
        // Values are never echoed: the unmapped legal status, the bad score.
        .stdout(predicate::str::contains("Some local status").not())
        .stdout(predicate::str::contains("high").not());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 30);
    assert!(tmp.path().join("plans.import-log.json").is_file());
    careprompt()
        .args(["check", "--as-of", "2026-03-31", "--format", "csv"])
        .arg(&out)
        .assert()
        .stdout(predicate::str::contains("CMH-REC-02"));
}

#[test]
fn the_evaluation_date_is_required() {
    let tmp = tempfile::tempdir().unwrap();
    careprompt()
        .args(["import", "ssd"])
        .arg(fixture("mosaic"))
        .arg("--out")
        .arg(tmp.path().join("p"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--as-of"));
}

#[test]
fn a_missing_directory_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    careprompt()
        .args(["import", "ssd"])
        .arg(tmp.path().join("nowhere"))
        .arg("--out")
        .arg(tmp.path().join("p"))
        .args(["--as-of", "2026-03-31"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory"));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[cfg(not(feature = "odbc"))]
#[test]
fn odbc_without_the_feature_says_how_to_get_it() {
    let tmp = tempfile::tempdir().unwrap();
    careprompt()
        .args([
            "import",
            "ssd",
            "--odbc",
            "Driver=x;PWD=secret",
            "--as-of",
            "2026-03-31",
            "--out",
        ])
        .arg(tmp.path().join("p"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--features odbc"))
        .stderr(predicate::str::contains("secret").not());
}
