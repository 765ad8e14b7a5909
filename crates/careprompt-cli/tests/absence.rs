//! The absence model at the command line: `careprompt check --source-coverage`,
//! `not_in_source` in the JSON report, and the schema's explicit nones as an
//! independent JSON Schema validator reads them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cp() -> Command {
    let mut c = Command::cargo_bin("careprompt").unwrap();
    c.current_dir(root()).env_remove("NO_COLOR");
    c
}

/// A looked-after child aged 14 whose plan says nothing about education.
fn plan_without_education() -> Value {
    json!({
        "plan_id": "T-1",
        "child": {"date_of_birth": "2012-05-10", "looked_after": true, "mental_health_needs": true}
    })
}

fn outcome_of(report: &Value, rule: &str) -> Value {
    report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["rule"] == rule)
        .unwrap()
        .clone()
}

fn check_json(dir: &Path, plan: &Value, coverage: Option<&Value>) -> Value {
    let plan_path = dir.join("plan.json");
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let mut c = cp();
    c.args(["check", "--as-of", "2026-11-26", "--format", "json"]);
    if let Some(cov) = coverage {
        let cov_path = dir.join("coverage.json");
        std::fs::write(&cov_path, cov.to_string()).unwrap();
        c.arg("--source-coverage").arg(&cov_path);
    }
    let out = c.arg(&plan_path).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn no_education_section_is_could_not_check_not_a_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let report = check_json(dir.path(), &plan_without_education(), None);
    for o in report["outcomes"].as_array().unwrap() {
        if o["rule"].as_str().unwrap().starts_with("CMH-EDU") {
            assert_eq!(o["outcome"], "unknown", "{o}");
            assert!(o.get("not_in_source").is_none(), "{o}");
        }
    }
}

#[test]
fn a_batch_coverage_reads_a_covered_absent_field_as_none() {
    let dir = tempfile::tempdir().unwrap();
    let cov = json!({"source": "cms", "records": ["education.pep"]});
    let report = check_json(dir.path(), &plan_without_education(), Some(&cov));
    let o = outcome_of(&report, "CMH-EDU-06");
    assert_eq!(o["outcome"], "fires", "{o}");
    assert!(o["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "education.pep" && e["value"] == "recorded as none"));
    // What the source does not record is marked "not in this source".
    let o = outcome_of(&report, "CMH-EDU-01");
    assert_eq!(o["outcome"], "unknown");
    assert!(o["not_in_source"]
        .as_array()
        .unwrap()
        .contains(&json!("education.virtual_school.involved")));
}

#[test]
fn a_plans_own_coverage_wins_over_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = plan_without_education();
    plan["coverage"] = json!({"source": "ssda903", "records": ["placements"]});
    let cov = json!({"source": "cms", "records": ["education"]});
    let report = check_json(dir.path(), &plan, Some(&cov));
    let o = outcome_of(&report, "CMH-EDU-06");
    assert_eq!(o["outcome"], "unknown", "{o}");
    assert!(o["not_in_source"]
        .as_array()
        .unwrap()
        .contains(&json!("education.pep")));
}

#[test]
fn a_bad_coverage_file_is_an_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cov = dir.path().join("coverage.json");
    std::fs::write(&cov, r#"{"records": []}"#).unwrap();
    cp().args(["check", "--as-of", "2026-11-26", "--source-coverage"])
        .arg(&cov)
        .arg("examples/plans/ex-07-sparse-data.json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`source`").and(predicate::str::contains("help")));
}

#[test]
fn the_schema_takes_null_exactly_where_it_records_none() {
    let out = cp().arg("schema").output().unwrap();
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("rules/jtai-childrens-mental-health/tests/fixtures/looked-after-base.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&base)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let mut nones = base.clone();
    nones["education"]["pep"] = Value::Null;
    nones["people"]["lead_professional"] = Value::Null;
    nones["health"]["inpatient_episodes"][0]["medically_fit_for_discharge"] = Value::Null;
    nones["placements"][0]["end_date"] = Value::Null;
    nones["coverage"] = json!({"source": "cms", "records": ["education.pep", "placements"]});
    assert!(validator.is_valid(&nones));
    let mut wrong = base.clone();
    wrong["child"]["looked_after"] = Value::Null;
    assert!(!validator.is_valid(&wrong), "null is not a yes/no's none");
    let mut wrong = base;
    wrong["placements"] = Value::Null;
    assert!(!validator.is_valid(&wrong), "a list's none is []");
}
