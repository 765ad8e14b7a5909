//! Bad input, command-line side: unreadable, empty, non-UTF-8, oversized
//! and missing files, and batches in which some plans are bad. Each bad
//! plan is reported with its file (and line, for NDJSON) and every other
//! plan is still checked. docs/reliability.md lists each class with its test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use assert_cmd::Command;

mod common;
use common::root;

const EX01: &str = "examples/plans/ex-01-out-of-area-residential-adhd-medication.json";
const EX07: &str = "examples/plans/ex-07-sparse-data.json";

fn cp() -> Command {
    let mut c = common::careprompt();
    c.env("NO_COLOR", "1");
    c
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = cp().args(args).output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ndjson_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn one_line(path: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap();
    v.to_string()
}

#[test]
fn a_batch_reports_every_kind_of_bad_plan_by_file_and_checks_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join(EX01), d.join("a-good.json")).unwrap();
    std::fs::write(d.join("b-empty.json"), "").unwrap();
    std::fs::write(d.join("c-list.json"), "[1, 2]").unwrap();
    std::fs::write(d.join("d-binary.json"), b"{\"plan_id\": \"\xff\xfe\"}").unwrap();
    std::fs::write(
        d.join("e-truncated.json"),
        "{\"plan_id\": \"p\", \"child\": {",
    )
    .unwrap();
    std::fs::write(
        d.join("f-bad-date.json"),
        "{\"plan_id\": \"p\", \"child\": {\"date_of_birth\": \"2023-02-31\"}}",
    )
    .unwrap();
    std::fs::copy(root().join(EX07), d.join("g-good.json")).unwrap();
    let missing = d.join("h-missing.json");
    let r = run(&[
        "check",
        "--format",
        "ndjson",
        "--as-of",
        "2026-11-26",
        d.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2), "input errors exit 2");
    let lines = ndjson_lines(&r.stdout);
    assert_eq!(
        lines.len(),
        8,
        "one line per plan, none dropped:\n{}",
        r.stdout
    );
    assert!(lines[0]["report"].is_object());
    assert!(lines[6]["report"].is_object());
    let error = |i: usize| lines[i]["error"].as_str().unwrap().to_string();
    assert!(error(1).contains("the plan is empty"), "{}", error(1));
    assert!(error(2).contains("must be a JSON object"), "{}", error(2));
    assert!(!error(3).is_empty());
    assert!(error(4).starts_with("1:"), "located: {}", error(4));
    assert!(
        error(5).contains("`child.date_of_birth` is not a real calendar date"),
        "{}",
        error(5)
    );
    assert!(error(7).contains("no such file"), "{}", error(7));
    for name in [
        "b-empty.json",
        "c-list.json",
        "d-binary.json",
        "e-truncated.json:1:",
        "f-bad-date.json",
        "h-missing.json",
    ] {
        assert!(
            r.stderr.contains(name),
            "stderr names {name}:\n{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("6 plan(s) with errors"), "{}", r.stderr);
}

#[test]
fn an_ndjson_batch_names_each_bad_line_and_checks_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let good = one_line(EX07);
    let file = dir.path().join("cohort.ndjson");
    let lines = [
        good.clone(),
        "{\"plan_id\": \"p\", \"child\": {\"looked_after\": \"yes\"}}".to_string(),
        "not json".to_string(),
        String::new(),
        "42".to_string(),
        good.clone(),
        "{\"plan_id\": \"p\", \"plan_id\": \"q\"}".to_string(),
        good,
    ];
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n\xff\xfe\n");
    std::fs::write(&file, bytes).unwrap();
    let r = run(&[
        "check",
        "--format",
        "ndjson",
        "--as-of",
        "2026-11-26",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2));
    let out = ndjson_lines(&r.stdout);
    let sources: Vec<&str> = out.iter().map(|l| l["source"].as_str().unwrap()).collect();
    let name = file.display().to_string();
    let expected: Vec<String> = [1, 2, 3, 5, 6, 7, 8, 9]
        .iter()
        .map(|n| format!("{name}:{n}"))
        .collect();
    assert_eq!(
        sources, expected,
        "every non-blank line, in order, by line number"
    );
    let reports: Vec<bool> = out.iter().map(|l| l["report"].is_object()).collect();
    assert_eq!(
        reports,
        [true, false, false, false, true, false, true, false]
    );
    assert!(out[1]["error"]
        .as_str()
        .unwrap()
        .contains("`child.looked_after`"));
    assert!(out[5]["error"].as_str().unwrap().contains("appears twice"));
    assert!(r.stderr.contains(&format!("{name}:2:")), "{}", r.stderr);
}

#[test]
fn a_plan_over_the_size_limit_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    // A sparse file far larger than the limit: reading it whole would take minutes and gigabytes.
    f.set_len(4 * 1024 * 1024 * 1024).unwrap();
    drop(f);
    let r = run(&[
        "check",
        "--format",
        "ndjson",
        "--as-of",
        "2026-11-26",
        big.to_str().unwrap(),
        EX07,
    ]);
    assert_eq!(r.code, Some(2));
    let out = ndjson_lines(&r.stdout);
    assert_eq!(out.len(), 2);
    assert!(
        out[0]["error"].as_str().unwrap().contains("larger than"),
        "{}",
        out[0]
    );
    assert!(out[1]["report"].is_object());
    // The same in an NDJSON file: one over-long line, then a good one.
    let nd = dir.path().join("plans.ndjson");
    let mut bytes = vec![b' '; careprompt::MAX_PLAN_BYTES + 100];
    bytes.push(b'\n');
    bytes.extend_from_slice(one_line(EX07).as_bytes());
    bytes.push(b'\n');
    std::fs::write(&nd, bytes).unwrap();
    let r = run(&[
        "check",
        "--format",
        "ndjson",
        "--as-of",
        "2026-11-26",
        nd.to_str().unwrap(),
    ]);
    let out = ndjson_lines(&r.stdout);
    assert_eq!(out.len(), 2, "{}", r.stdout);
    assert!(out[0]["error"].as_str().unwrap().contains("larger than"));
    assert_eq!(
        out[1]["source"].as_str().unwrap(),
        format!("{}:2", nd.display())
    );
    assert!(out[1]["report"].is_object());
}

#[test]
fn a_missing_rules_file_is_an_error_and_no_plan_is_checked() {
    let r = run(&[
        "check",
        "--rules",
        "no/such/rules.cpr",
        "--as-of",
        "2026-11-26",
        EX07,
    ]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("no/such/rules.cpr: no such rules file or directory"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn non_utf8_and_empty_rules_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.cpr");
    std::fs::write(&bad, b"rule A { title \"\xff\" }").unwrap();
    let r = run(&["check", "--rules", bad.to_str().unwrap(), EX07]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
    for cmd in [&["lint"][..], &["fmt"][..]] {
        let mut args = cmd.to_vec();
        args.push(bad.to_str().unwrap());
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{cmd:?}: {}", r.stderr);
        assert!(r.stderr.contains("not UTF-8"), "{cmd:?}: {}", r.stderr);
    }
    // An empty rules file is no rules: every plan gets an empty report.
    let empty = dir.path().join("empty.cpr");
    std::fs::write(&empty, "").unwrap();
    let r = run(&[
        "check",
        "--rules",
        empty.to_str().unwrap(),
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
        EX07,
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["outcomes"].as_array().unwrap().len(), 0);
}

#[test]
fn rules_importing_themselves_or_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.cpr");
    std::fs::write(&a, "import \"a.cpr\"\n").unwrap();
    let r = run(&["check", "--rules", a.to_str().unwrap(), EX07]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("error[import-cycle]"), "{}", r.stderr);
    assert!(r.stderr.contains("no plan was checked"), "{}", r.stderr);
    std::fs::write(&a, "import \"b.cpr\"\n").unwrap();
    let r = run(&["check", "--rules", a.to_str().unwrap(), EX07]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("cannot import `b.cpr`: no such file"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("a.cpr:1:8"), "located: {}", r.stderr);
}

#[test]
fn duplicate_rule_ids_across_files_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "rule DUP {\n  title \"t\"\n  theme \"t\"\n  kind risk\n  severity high\n  when child.looked_after\n  prompt \"p\"\n}\n";
    std::fs::write(dir.path().join("a.cpr"), rule).unwrap();
    std::fs::write(dir.path().join("b.cpr"), rule).unwrap();
    let r = run(&["lint", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("rule id `DUP` is used twice"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("b.cpr:1:6"), "{}", r.stderr);
}

#[test]
fn unknown_fields_and_odd_dates_are_warnings_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.json");
    std::fs::write(
        &plan,
        r#"{"plan_id": "p", "vendor_field": 1, "child": {"date_of_birth": "2030-01-01", "looked_after": true},
            "placements": [{"start_date": "2025-01-01", "end_date": "2024-01-01"}]}"#,
    )
    .unwrap();
    let r = run(&[
        "check",
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "warnings are not errors: {}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("`vendor_field`")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`child.date_of_birth` is after the evaluation date")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`placements[0].end_date` is before `placements[0].start_date`")),
        "{warnings:?}"
    );
    assert!(
        !r.stdout.contains("2030-01-01"),
        "the warning does not echo the date"
    );
}

#[test]
fn a_bad_plan_on_standard_input_is_reported() {
    let r = cp()
        .args(["check", "--format", "ndjson", "-"])
        .write_stdin("{\"plan_id\": ")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("<stdin>"), "{stderr}");
    let r = cp()
        .args(["check", "--format", "ndjson", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("the plan is empty"));
}
