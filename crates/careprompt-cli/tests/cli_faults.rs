//! Fault injection and hostile inputs for the command line (issue 14):
//! standard output and standard error on a full disk (`/dev/full`), a
//! closed pipe, `fmt --write` failing half way, reads of endless files,
//! FIFOs and symlink loops in plan directories, and control characters.
//! docs/reliability.md lists each class with its test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Stdio};

mod common;
use common::root;

const EX01: &str = "examples/plans/ex-01-out-of-area-residential-adhd-medication.json";
const PACK: &str = "rules/jtai-childrens-mental-health";

fn bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("careprompt"));
    c.current_dir(root());
    c.env("NO_COLOR", "1");
    c
}

fn full() -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()
}

/// Every command that prints results, in every format.
fn writing_commands() -> Vec<Vec<&'static str>> {
    let mut all: Vec<Vec<&str>> = ["human", "plain", "json", "ndjson", "csv"]
        .iter()
        .map(|f| vec!["check", "--as-of", "2026-11-26", "--format", f, EX01])
        .collect();
    all.push(vec![
        "check",
        "--as-of",
        "2026-11-26",
        "--format",
        "json",
        "examples/plans",
    ]);
    all.push(vec!["test", PACK]);
    all.push(vec!["test", "--format", "json", PACK]);
    all.push(vec!["lint", PACK]);
    all.push(vec!["lint", "--format", "json", PACK]);
    all.push(vec![
        "explain",
        "--rule",
        "CMH-EDU-01",
        "--as-of",
        "2026-11-26",
        EX01,
    ]);
    all.push(vec![
        "explain",
        "--rule",
        "CMH-EDU-01",
        "--as-of",
        "2026-11-26",
        "--format",
        "json",
        EX01,
    ]);
    all.push(vec!["schema"]);
    all.push(vec![
        "fmt",
        "rules/jtai-childrens-mental-health/education.cpr",
    ]);
    all
}

#[test]
fn output_to_a_full_disk_exits_two_with_a_message_for_every_command() {
    let Some(_) = full() else {
        eprintln!("skipped: /dev/full is not available here");
        return;
    };
    for args in writing_commands() {
        let out = bin()
            .args(&args)
            .stdout(full().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("could not write to standard output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn standard_error_on_a_full_disk_never_panics() {
    let Some(_) = full() else {
        eprintln!("skipped: /dev/full is not available here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.cpr");
    std::fs::write(&bad, "rule ((( oops").unwrap();
    let bad = bad.to_str().unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (
            vec!["check", "--as-of", "2026-11-26", "no-such-plan.json", EX01],
            2,
        ),
        (vec!["check", "--rules", bad, EX01], 2),
        (vec!["fmt", bad], 2),
        (vec!["lint", bad], 2),
        (vec!["explain", "--rule", "X", "no-such-plan.json"], 2),
    ];
    for (args, code) in cases {
        let out = bin()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(full().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_zero() {
    // Enough output to fill any pipe buffer.
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(root().join(EX01)).unwrap();
    let one: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let line = format!("{}\n", one);
    std::fs::write(dir.path().join("many.ndjson"), line.repeat(300)).unwrap();
    let many = dir.path().join("many.ndjson");
    for args in [
        vec!["check", "--as-of", "2026-11-26", many.to_str().unwrap()],
        vec![
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "csv",
            many.to_str().unwrap(),
        ],
        vec!["schema"],
        vec!["fmt", "rules/jtai-childrens-mental-health/education.cpr"],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("could not write"), "{args:?}: {stderr}");
    }
}
