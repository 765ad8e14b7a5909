//! The `careprompt` command: every command, every format, exit codes,
//! batches with a broken plan, standard input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

mod common;
use common::root;

/// An example plan, relative to the repository root (the tests' working directory).
fn example(name: &str) -> String {
    format!("examples/plans/{name}")
}

/// Every example plan (the `.json` files of examples/plans).
fn example_plans() -> Vec<PathBuf> {
    let mut plans: Vec<PathBuf> = std::fs::read_dir(root().join("examples/plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    plans.sort();
    plans
}

const EX01: &str = "ex-01-out-of-area-residential-adhd-medication.json";
const EX07: &str = "ex-07-sparse-data.json";

fn cp() -> Command {
    let mut c = common::careprompt();
    c.env_remove("NO_COLOR");
    c
}

fn stdout_of(c: &mut Command) -> String {
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

const RULE_OK: &str = "rule T-01 {\n  title \"Looked after\"\n  theme \"Test\"\n  kind practice\n  severity medium\n  learning \"L\" section \"S\"\n  when child.looked_after\n  prompt \"Consider it.\"\n  next \"Do it.\"\n}\n";

#[test]
fn check_human_output_groups_by_theme_with_evidence_and_next_steps() {
    let out = stdout_of(cp().args(["check", "--as-of", "2026-11-26", &example(EX01)]));
    assert!(
        out.contains("as of 2026-11-26"),
        "states the date used:\n{out}"
    );
    assert!(out.contains("Why (from the plan):"));
    assert!(out.contains("To consider:"));
    assert!(out.contains("Learning point: "));
    assert!(
        !out.contains("\x1b["),
        "no colour when stdout is not a terminal"
    );
    insta::assert_snapshot!("check_ex01_human", out);
}

#[test]
fn check_plain_is_free_of_colour_and_box_drawing() {
    let out = stdout_of(cp().args([
        "check",
        "--format",
        "plain",
        "--as-of",
        "2026-11-26",
        &example(EX01),
    ]));
    assert!(out.is_ascii() || !out.contains('─'), "no box drawing");
    assert!(!out.contains('─'));
    assert!(!out.contains("\x1b["));
    assert!(out.contains("CMH-"));
}

#[test]
fn check_json_for_one_plan_is_the_report() {
    let out = stdout_of(cp().args([
        "check",
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
        &example(EX07),
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["report_version"], 1);
    assert_eq!(v["as_of"], "2026-11-26");
    let outcomes = v["outcomes"].as_array().unwrap();
    assert!(outcomes.len() >= 25);
    for o in outcomes {
        assert!(o["rule"].is_string());
        assert!(["fires", "clear", "unknown"].contains(&o["outcome"].as_str().unwrap()));
        if o["outcome"] == "unknown" {
            assert!(
                !o["missing"].as_array().unwrap().is_empty(),
                "unknown lists missing paths: {o}"
            );
        }
    }
    assert!(
        outcomes.iter().any(|o| o["outcome"] == "unknown"),
        "the sparse plan leaves rules unknown"
    );
    // The report names the built-in pack; its content hash changes with
    // every edit of the rules or schema, so the snapshot holds a stand-in
    // and the hash is checked against the library's.
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hash = careprompt::RuleSet::builtin()
        .unwrap()
        .pack_info()
        .hash
        .clone();
    assert_eq!(report["pack"]["hash"], hash.as_str());
    let out = out.replace(
        &hash,
        "sha256:[content hash of the built-in rules and schema]",
    );
    insta::assert_snapshot!("check_ex07_json", out);
}

#[test]
fn check_ndjson_and_csv_for_a_directory() {
    let dir = "examples/plans".to_string();
    let plans = example_plans().len();
    let out = stdout_of(cp().args(["check", "--format", "ndjson", "--as-of", "2026-11-26", &dir]));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), plans);
    assert!(lines
        .iter()
        .all(|l| l["report"]["outcomes"].is_array() && l["source"].is_string()));
    let csv = stdout_of(cp().args(["check", "--format", "csv", "--as-of", "2026-11-26", &dir]));
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("source,plan_id,rule,outcome,severity,kind,theme,evidence,missing,error,pack,pack_version,pack_hash")
    );
    let rules = lines[0]["report"]["outcomes"].as_array().unwrap().len();
    assert_eq!(
        rows.count(),
        plans * rules,
        "one row per plan and rule outcome"
    );
}

#[test]
fn check_json_for_several_plans_is_a_batch_with_a_summary() {
    let out = stdout_of(cp().args([
        "check",
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
        &example(EX01),
        &example(EX07),
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reports"].as_array().unwrap().len(), 2);
    assert_eq!(v["summary"]["plans"], 2);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn fail_on_sets_exit_code_one() {
    cp().args([
        "check",
        "--fail-on",
        "high",
        "--as-of",
        "2026-11-26",
        &example(EX01),
    ])
    .assert()
    .code(1);
    // A rule set that cannot fire on this plan: exit 0 whatever --fail-on says.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.cpr");
    std::fs::write(
        &rules,
        RULE_OK.replace("child.looked_after", "child.looked_after = false"),
    )
    .unwrap();
    cp().args([
        "check",
        "--rules",
        rules.to_str().unwrap(),
        "--fail-on",
        "info",
        "--as-of",
        "2026-11-26",
        &example(EX01),
    ])
    .assert()
    .code(0);
}

#[test]
fn a_batch_with_one_broken_plan_reports_it_and_checks_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(example(EX01)), dir.path().join("a.json")).unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        "{\"child\": {\"looked_after\": tru}}",
    )
    .unwrap();
    std::fs::copy(root().join(example(EX07)), dir.path().join("c.json")).unwrap();
    let out = cp()
        .args([
            "check",
            "--format",
            "ndjson",
            "--as-of",
            "2026-11-26",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "nothing is dropped: {stdout}");
    assert!(lines[0]["report"].is_object() && lines[2]["report"].is_object());
    assert!(
        lines[1]["error"].as_str().unwrap().starts_with("1:"),
        "line and column: {}",
        lines[1]
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("b.json:1:"),
        "names the file with line and column: {stderr}"
    );
    assert!(stderr.contains("1 plan(s) with errors"), "{stderr}");
}

#[test]
fn an_ndjson_file_reports_bad_lines_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join(example(EX07)))
        .unwrap()
        .replace('\n', " ");
    let file = dir.path().join("plans.ndjson");
    std::fs::write(&file, format!("{good}\n[1, 2]\n\n{good}\n")).unwrap();
    let out = cp()
        .args([
            "check",
            "--format",
            "csv",
            "--as-of",
            "2026-11-26",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("plans.ndjson:2:"), "{stderr}");
    assert!(stderr.contains("must be a JSON object"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("plans.ndjson:1,"));
    assert!(stdout.contains("plans.ndjson:4,"));
}

#[test]
fn plans_from_standard_input() {
    let plan = std::fs::read_to_string(root().join(example(EX01))).unwrap();
    let out = cp()
        .args(["check", "--format", "json", "--as-of", "2026-11-26", "-"])
        .write_stdin(plan.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // One plan gives its report itself, as for one file (issue 14).
    assert!(v.get("reports").is_none());
    assert!(v["outcomes"].is_array());
    let one_line = plan.replace('\n', " ");
    let out = cp()
        .args(["check", "--format", "ndjson", "--as-of", "2026-11-26", "-"])
        .write_stdin(format!("{one_line}\n{one_line}\n"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains("<stdin>:2"));
}

#[test]
fn a_schema_violation_is_located_without_echoing_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.json");
    std::fs::write(&p, "{\n  \"child\": {\n    \"date_of_birth\": \"2012-02-31\",\n    \"id\": \"SECRET-NAME\"\n  }\n}\n").unwrap();
    let out = cp()
        .args(["check", "--as-of", "2026-11-26", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("p.json:3:"), "{stderr}");
    assert!(
        stderr.contains("`child.date_of_birth` is not a real calendar date"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("2012-02-31"),
        "the value is not echoed: {stderr}"
    );
    std::fs::write(&p, "{\"child\": {\"looked_after\": \"yes please\"}}").unwrap();
    let stderr = String::from_utf8(
        cp().args(["check", "--as-of", "2026-11-26", p.to_str().unwrap()])
            .output()
            .unwrap()
            .stderr,
    )
    .unwrap();
    assert!(
        stderr.contains("`child.looked_after` should be true or false, found text"),
        "{stderr}"
    );
    assert!(!stderr.contains("yes please"));
}

#[test]
fn a_rules_error_exits_two_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("bad.cpr");
    std::fs::write(
        &rules,
        RULE_OK.replace("child.looked_after", "child.lookd_after"),
    )
    .unwrap();
    cp().args([
        "check",
        "--rules",
        rules.to_str().unwrap(),
        "--as-of",
        "2026-11-26",
        &example(EX01),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("bad.cpr:7:14"))
    .stderr(predicate::str::contains(
        "did you mean `child.looked_after`?",
    ));
}

#[test]
fn usage_errors_exit_two() {
    cp().args(["check", "--as-of", "26/11/2026", &example(EX01)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    cp().args(["check", "--format", "yaml", &example(EX01)])
        .assert()
        .code(2);
    cp().args(["check", "no/such/plan.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
    cp().args(["check", "--rules", "no/such/rules", &example(EX01)])
        .assert()
        .code(2);
    cp().arg("frobnicate").assert().code(2);
}

#[test]
fn as_of_defaults_to_today_and_is_stated() {
    let out = stdout_of(cp().args(["check", "--format", "json", &example(EX01)]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let as_of = v["as_of"].as_str().unwrap();
    assert!(careprompt::Date::parse(as_of).is_ok(), "{as_of}");
}

#[test]
fn const_overrides_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.cpr");
    std::fs::write(
        &rules,
        format!(
            "const wanted = true\n{}",
            RULE_OK.replace("child.looked_after", "child.looked_after = wanted")
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--rules",
            rules.to_str().unwrap(),
            "--format",
            "json",
            "--as-of",
            "2026-11-26",
        ];
        args.extend_from_slice(extra);
        let ex = example(EX01);
        args.push(&ex);
        let out = stdout_of(cp().args(&args));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["outcomes"][0]["outcome"].as_str().unwrap().to_string()
    };
    assert_eq!(run(&[]), "fires");
    assert_eq!(run(&["--const", "wanted=false"]), "clear");
    cp().args([
        "check",
        "--rules",
        rules.to_str().unwrap(),
        "--const",
        "wantd=false",
        &example(EX01),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("did you mean `wanted`?"));
}

#[test]
fn test_command_passes_on_the_pack_with_full_rule_coverage() {
    cp().args([
        "test",
        "--coverage",
        "--min-coverage",
        "100",
        "rules/jtai-childrens-mental-health",
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains(" passed, 0 failed"))
    .stdout(predicate::str::contains("rules exercised (100.0%)"));
}

fn write_pack(dir: &Path, test: &str) {
    std::fs::write(dir.join("r.cpr"), RULE_OK).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/r.test.toml"), test).unwrap();
}

#[test]
fn test_command_shows_expected_actual_and_evidence_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    write_pack(
        dir.path(),
        "as_of = 2026-11-26\n[[case]]\nname = \"wrong on purpose\"\nplan_json = '{\"child\": {\"looked_after\": true}}'\n[case.expect]\n\"T-01\" = \"clear\"\n",
    );
    cp().args(["test", dir.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL  wrong on purpose"))
        .stdout(predicate::str::contains("T-01: expected clear, got fires"))
        .stdout(predicate::str::contains(
            "evidence: child.looked_after = true",
        ))
        .stdout(predicate::str::contains("0 passed, 1 failed"));
}

#[test]
fn test_command_min_coverage_fails_below_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let two_rules = format!("{RULE_OK}{}", RULE_OK.replace("T-01", "T-02"));
    write_pack(
        dir.path(),
        "as_of = 2026-11-26\n[[case]]\nname = \"fires\"\nplan_json = '{\"child\": {\"looked_after\": true}}'\n[case.expect]\n\"T-01\" = \"fires\"\n",
    );
    std::fs::write(dir.path().join("r.cpr"), two_rules).unwrap();
    cp().args([
        "test",
        "--coverage",
        "--min-coverage",
        "100",
        dir.path().to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stdout(predicate::str::contains("rule not exercised: T-02"))
    .stderr(predicate::str::contains("50.0% of rules"));
    cp().args(["test", "--min-coverage", "50", dir.path().to_str().unwrap()])
        .assert()
        .code(0);
}

#[test]
fn test_command_reports_a_bad_test_file_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    write_pack(
        dir.path(),
        "as_of = 2026-11-26\n[[case]]\nname = \"x\"\nplam = \"typo.json\"\n",
    );
    cp().args(["test", dir.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("r.test.toml:4:1"));
}

#[test]
fn lint_warns_about_likely_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.cpr");
    let text = "const unused_threshold = 3\ndefine unused_def = child.looked_after\nrule A-01 {\n  title \"t\"\n  theme \"T\"\n  kind risk\n  severity low\n  when count placements >= 2 and count placements < 0\n  prompt \"p\"\n}\nrule A-02 {\n  title \"t\"\n  theme \"T\"\n  kind risk\n  severity low\n  learning \"L\" section \"S\"\n  when child.looked_after and (1 = 1) and age of child.date_of_birth > 15 and age of child.date_of_birth < 12\n  prompt \"p\"\n  next \"n\"\n}\n";
    std::fs::write(&rules, text).unwrap();
    let out = cp()
        .args(["lint", rules.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for needle in [
        "constant `unused_threshold` is never used",
        "definition `unused_def` is never used",
        "rule `A-01` cites no learning point",
        "rule `A-01` gives no next steps",
        "rule `A-01` can never fire",
        "this condition is always true",
        "contradict each other",
        "no test states an outcome for rule `A-02`",
    ] {
        assert!(stderr.contains(needle), "missing `{needle}` in:\n{stderr}");
    }
    cp().args(["lint", "rules/jtai-childrens-mental-health"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 warning(s)"));
}

#[test]
fn fmt_check_write_and_print() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.cpr");
    let messy = RULE_OK
        .replace("  title", "      title")
        .replace("when child.looked_after", "when child.looked_after   ");
    std::fs::write(&f, &messy).unwrap();
    cp().args(["fmt", "--check", f.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("-    2:       title"))
        .stdout(predicate::str::contains("+    2:   title"));
    cp().args(["fmt", f.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("rule T-01 {\n  title"));
    cp().args(["fmt", "--write", f.to_str().unwrap()])
        .assert()
        .code(0);
    let written = std::fs::read_to_string(&f).unwrap();
    assert_ne!(written, messy);
    cp().args(["fmt", "--check", f.to_str().unwrap()])
        .assert()
        .code(0);
    cp().args(["fmt", "--check", "rules/jtai-childrens-mental-health"])
        .assert()
        .code(0);
}

#[test]
fn explain_traces_each_condition() {
    let out = stdout_of(cp().args([
        "explain",
        "--rule",
        "CMH-EDU-03",
        "--as-of",
        "2026-11-26",
        &example(EX01),
    ]));
    assert!(out.starts_with("CMH-EDU-03"), "{out}");
    assert!(out.contains("outcome: fires"), "{out}");
    assert!(out.contains("[true   ]"), "{out}");
    assert!(
        out.contains("education.behaviour_policy_adapted = false"),
        "{out}"
    );
    let json = stdout_of(cp().args([
        "explain",
        "--rule",
        "CMH-EDU-03",
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
        &example(EX07),
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["trace"]["children"].is_array() || v["trace"]["values"].is_array());
    cp().args(["explain", "--rule", "CMH-EDU-3", &example(EX01)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn schema_prints_json_schema_that_every_example_validates_against() {
    let out = stdout_of(cp().arg("schema"));
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        jsonschema::meta::is_valid(&schema),
        "the schema is valid JSON Schema"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    for path in example_plans() {
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&plan)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    assert_eq!(
        out.trim_end(),
        std::fs::read_to_string(root().join("crates/careprompt/schema/case-plan.schema.json"))
            .unwrap()
            .trim_end()
    );
}

#[test]
fn help_on_every_command_has_an_example() {
    for cmd in ["check", "test", "lint", "fmt", "explain", "schema", "lsp"] {
        cp().args([cmd, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn an_ndjson_line_is_the_source_then_the_json_report_of_its_plan() {
    for plan in example_plans() {
        let plan = plan.to_str().unwrap().to_string();
        let args = |format: &'static str| ["check", "--format", format, "--as-of", "2026-11-26"];
        let json = stdout_of(cp().args(args("json")).arg(&plan));
        let line = stdout_of(cp().args(args("ndjson")).arg(&plan));
        assert!(line.starts_with("{\"source\":"), "{line}");
        assert_eq!(line.lines().count(), 1);
        let line: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(line["source"], plan.as_str());
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(line["report"], json, "{plan}");
    }
}

/// In the batch formats each report is counted on the thread that checked
/// it and the counts merged at the end: the summary is the count of the
/// reports written, over several chunks on two threads, and `--fail-on`
/// sees the most severe prompt of the whole batch.
#[test]
fn a_batch_summary_counts_every_report_written() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = example_plans()
        .iter()
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            v.to_string()
        })
        .collect();
    // More plans than one chunk (crates/careprompt-cli/src/batch.rs) holds.
    let cohort: String = (0..2500)
        .map(|i| format!("{}\n", lines[i % lines.len()]))
        .collect();
    let path = dir.path().join("cohort.ndjson");
    std::fs::write(&path, cohort).unwrap();
    let path = path.to_str().unwrap();

    let out = cp()
        .env("RAYON_NUM_THREADS", "2")
        .args(["check", "--format", "json", "--as-of", "2026-11-26", path])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2500);
    let mut by_rule = std::collections::BTreeMap::<String, u64>::new();
    let mut by_theme = std::collections::BTreeMap::<String, u64>::new();
    let mut with_unknown = 0;
    for r in reports {
        let outcomes = r["report"]["outcomes"].as_array().unwrap();
        for o in outcomes.iter().filter(|o| o["outcome"] == "fires") {
            *by_rule
                .entry(o["rule"].as_str().unwrap().into())
                .or_default() += 1;
            *by_theme
                .entry(o["theme"].as_str().unwrap().into())
                .or_default() += 1;
        }
        with_unknown += u64::from(outcomes.iter().any(|o| o["outcome"] == "unknown"));
    }
    assert!(!by_rule.is_empty() && with_unknown > 0);
    assert_eq!(v["summary"]["plans"], 2500);
    assert_eq!(v["summary"]["plans_with_unknown"], with_unknown);
    assert_eq!(v["summary"]["prompts_by_rule"], serde_json::json!(by_rule));
    assert_eq!(
        v["summary"]["prompts_by_theme"],
        serde_json::json!(by_theme)
    );

    // The NDJSON run's closing summary (standard error) says the same.
    let out = cp()
        .env("RAYON_NUM_THREADS", "2")
        .args(["check", "--format", "ndjson", "--as-of", "2026-11-26", path])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2500);
    let summary = String::from_utf8(out.stderr).unwrap();
    assert!(
        summary.contains(&format!("summary: 2500 plan(s) checked, 0 plan(s) with errors, {with_unknown} plan(s) with rules")),
        "{summary}"
    );
    for (rule, n) in &by_rule {
        assert!(
            summary.contains(&format!("  {n:>6}  {rule}\n")),
            "{rule}: {summary}"
        );
    }

    // The most severe prompt anywhere in the batch sets the exit code.
    let worst = reports
        .iter()
        .flat_map(|r| r["report"]["outcomes"].as_array().unwrap())
        .filter(|o| o["outcome"] == "fires" && o["kind"] != "strength")
        .any(|o| o["severity"] == "high");
    assert!(worst, "the examples hold a high prompt");
    cp().env("RAYON_NUM_THREADS", "2")
        .args([
            "check",
            "--format",
            "ndjson",
            "--fail-on",
            "high",
            "--as-of",
            "2026-11-26",
            path,
        ])
        .assert()
        .code(1);
}
