//! Local packs from the command line: `careprompt pack`, bundles,
//! `schema --rules PACK`, pack tests, and provenance in every report.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{careprompt as cp, root};
use predicates::prelude::*;

const PACK: &str = "rules/examples/fictional-borough-local-pack";
const AS_OF: &str = "2026-11-26";

fn stdout_of(c: &mut assert_cmd::Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn young_carer_plan(value: serde_json::Value) -> serde_json::Value {
    let text = std::fs::read_to_string(
        root()
            .join(PACK)
            .join("tests/fixtures/young-carer-base.json"),
    )
    .unwrap();
    let mut plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    plan["child"]["young_carer"] = value;
    plan
}

#[test]
fn pack_prints_files_rules_overrides_disabled_rules_and_extension_fields() {
    let out = stdout_of(cp().args(["pack", PACK]));
    for want in [
        "pack     fictional-borough-local-pack 1.0.0",
        "extends  jtai-childrens-mental-health",
        "hash     sha256:",
        "  local.cpr",
        "  FB-YC-01",
        "sdq_concern_threshold = 15 (declared 17)",
        "CMH-STA-01: Checked instead",
        "child.young_carer: boolean, none recorded as false",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(
        !out.contains("  CMH-STA-01   "),
        "a disabled rule is not listed among the rules"
    );
}

#[test]
fn the_merged_schema_validates_plans_carrying_the_extension_field() {
    let merged: serde_json::Value =
        serde_json::from_str(&stdout_of(cp().args(["schema", "--rules", PACK]))).unwrap();
    assert!(jsonschema::meta::is_valid(&merged));
    let base: serde_json::Value = serde_json::from_str(&stdout_of(cp().arg("schema"))).unwrap();
    let merged_v = jsonschema::validator_for(&merged).unwrap();
    let base_v = jsonschema::validator_for(&base).unwrap();
    let plan = young_carer_plan(serde_json::json!(true));
    let errors: Vec<String> = merged_v.iter_errors(&plan).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        !base_v.is_valid(&plan),
        "the base schema does not know the field"
    );
    assert!(!merged_v.is_valid(&young_carer_plan(serde_json::json!("yes"))));
    // A vendor's whole schema stands in for the built-in one.
    let tmp = tempfile::tempdir().unwrap();
    let vendor = tmp.path().join("vendor.schema.json");
    std::fs::write(&vendor, serde_json::to_string(&base).unwrap()).unwrap();
    let out = stdout_of(
        cp().args(["schema", "--rules", PACK, "--schema"])
            .arg(&vendor),
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        merged
    );
}

#[test]
fn test_runs_the_pack_tests_and_the_builtin_tests_under_its_overrides() {
    let out = stdout_of(cp().args(["test", PACK]));
    assert!(out.contains("5 passed, 0 failed"), "{out}");
    assert!(out.contains("1 outcome(s) changed by the pack"), "{out}");
    assert!(out.contains("changed  CMH-MED-04"), "{out}");
    assert!(out.contains(", 0 failed;"), "{out}");
}

#[test]
fn a_bundle_gives_byte_identical_reports_in_the_cli_and_the_library() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("fb.bundle.json");
    cp().args(["pack", PACK, "--bundle"])
        .arg(&bundle)
        .assert()
        .code(0);
    let plan_path = tmp.path().join("plan.json");
    let plan = serde_json::to_vec(&young_carer_plan(serde_json::json!(true))).unwrap();
    std::fs::write(&plan_path, &plan).unwrap();
    let cli = stdout_of(
        cp().args(["check", "--format", "json", "--as-of", AS_OF, "--rules"])
            .arg(&bundle)
            .arg(&plan_path),
    );
    let text = std::fs::read_to_string(&bundle).unwrap();
    let rules = careprompt::load_bundle("fb.bundle.json", &text).unwrap();
    let options = careprompt::CheckOptions::new(careprompt::Date::parse(AS_OF).unwrap());
    let lib = rules.check_json(&plan, &options).unwrap().to_json();
    assert_eq!(cli.trim_end(), lib);
    let from_dir = stdout_of(
        cp().args([
            "check", "--format", "json", "--as-of", AS_OF, "--rules", PACK,
        ])
        .arg(&plan_path),
    );
    assert_eq!(
        from_dir, cli,
        "the directory and its bundle give the same report"
    );
    let report: serde_json::Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(report["pack"]["name"], "fictional-borough-local-pack");
    assert_eq!(report["pack"]["disabled"][0]["rule"], "CMH-STA-01");
}

#[test]
fn a_tampered_bundle_is_refused_with_its_location() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("fb.bundle.json");
    cp().args(["pack", PACK, "--bundle"])
        .arg(&bundle)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&bundle).unwrap();
    std::fs::write(&bundle, text.replace("= 15", "= 25")).unwrap();
    cp().args(["check", "--as-of", AS_OF, "--rules"])
        .arg(&bundle)
        .arg("examples/plans/ex-01-out-of-area-residential-adhd-medication.json")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[bundle-hash]"))
        .stderr(predicate::str::contains("fb.bundle.json:"))
        .stderr(predicate::str::contains("careprompt pack --bundle"));
}

#[test]
fn csv_and_cohort_reports_name_the_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("r.html");
    let csv = tmp.path().join("r.csv");
    let out = stdout_of(
        cp().args([
            "check",
            "--format",
            "csv",
            "--as-of",
            AS_OF,
            "--rules",
            PACK,
            "--html-report",
        ])
        .arg(&html)
        .arg("--csv-report")
        .arg(&csv)
        .arg("examples/plans"),
    );
    let mut lines = out.lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",error,pack,pack_version,pack_hash"));
    let row = lines.next().unwrap();
    assert!(
        row.contains(",fictional-borough-local-pack,1.0.0,sha256:"),
        "{row}"
    );
    let cohort_csv = std::fs::read_to_string(&csv).unwrap();
    assert!(cohort_csv
        .lines()
        .nth(1)
        .unwrap()
        .contains(",fictional-borough-local-pack,1.0.0,sha256:"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(
        "pack <strong>fictional-borough-local-pack</strong> version <strong>1.0.0</strong>"
    ));
    assert!(page.contains("<code>sdq_concern_threshold</code> = 15 (declared 17)"));
    assert!(page.contains("CMH-STA-01: Checked instead"));
}

#[test]
fn lint_shows_the_disabled_rule_and_its_reason() {
    cp().args(["lint", PACK])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning[disabled-rule]: rule `CMH-STA-01` is disabled",
        ))
        .stderr(predicate::str::contains("pack.toml:22:8"));
}

#[test]
fn a_pack_with_a_missing_base_is_refused_with_file_line_and_help() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["pack.toml", "local.cpr"] {
        let text = std::fs::read_to_string(root().join(PACK).join(f)).unwrap();
        std::fs::write(
            tmp.path().join(f),
            text.replace(
                "extends = \"jtai-childrens-mental-health\"",
                "extends = \"northshire-pack\"",
            ),
        )
        .unwrap();
    }
    cp().args(["pack"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error[unknown-pack]: there is no pack `northshire-pack` to build on",
        ))
        .stderr(predicate::str::contains("pack.toml:8:11"))
        .stderr(predicate::str::contains("help:"));
}

#[test]
fn const_overrides_on_top_of_a_pack_are_recorded_with_the_packs_own() {
    let out = stdout_of(cp().args([
        "check",
        "--format",
        "json",
        "--as-of",
        AS_OF,
        "--rules",
        PACK,
        "--const",
        "pep_minimum_age=4",
        "examples/plans/ex-01-out-of-area-residential-adhd-medication.json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = report["pack"]["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pep_minimum_age", "sdq_concern_threshold"]);
}

#[test]
fn check_takes_a_vendors_whole_schema_with_the_packs_fields_merged_in() {
    let tmp = tempfile::tempdir().unwrap();
    let mut schema: serde_json::Value =
        serde_json::from_str(&stdout_of(cp().arg("schema"))).unwrap();
    schema["$defs"]["Child"]["properties"]["vendor_flag"] =
        serde_json::json!({"type": "boolean", "description": "a vendor's own field"});
    let vendor = tmp.path().join("vendor.schema.json");
    std::fs::write(&vendor, serde_json::to_string(&schema).unwrap()).unwrap();
    let mut plan = young_carer_plan(serde_json::json!(true));
    plan["child"]["vendor_flag"] = serde_json::json!(true);
    let plan_path = tmp.path().join("plan.json");
    std::fs::write(&plan_path, serde_json::to_vec(&plan).unwrap()).unwrap();
    let check = |with_schema: bool| {
        let mut c = cp();
        c.args([
            "check", "--format", "json", "--as-of", AS_OF, "--rules", PACK,
        ]);
        if with_schema {
            c.arg("--schema").arg(&vendor);
        }
        let out = stdout_of(c.arg(&plan_path));
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let (without, with) = (check(false), check(true));
    let warned = |r: &serde_json::Value| {
        r["warnings"].as_array().is_some_and(|w| {
            w.iter()
                .any(|w| w.as_str().unwrap().contains("vendor_flag"))
        })
    };
    assert!(
        warned(&without),
        "the built-in schema does not know the vendor's field"
    );
    assert!(
        !warned(&with),
        "the vendor's schema does: {}",
        with["warnings"]
    );
    assert_ne!(
        without["pack"]["hash"], with["pack"]["hash"],
        "the schema is in the hash"
    );
    let fired = |r: &serde_json::Value| {
        r["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["rule"] == "FB-YC-01" && o["outcome"] == "fires")
    };
    assert!(
        fired(&with),
        "the pack's field is merged into the vendor's schema"
    );
}

/// Issue 14: a local pack's extension fields are part of the merged
/// schema, so their types are checked even when no rule reads them, with
/// the field path and position and never the value.
#[test]
fn an_extension_field_no_rule_reads_is_type_checked() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["pack.toml", "local.cpr"] {
        let mut text = std::fs::read_to_string(root().join(PACK).join(f)).unwrap();
        if f == "pack.toml" {
            text = text.replace("tests = [\"tests/local.test.toml\"]\n", "");
            text.push_str(
                "\n[[field]]\npath = \"child.unread_local_flag\"\ntype = \"boolean\"\ndescription = \"A local flag no rule reads.\"\nnone = \"false\"\n",
            );
        }
        std::fs::write(tmp.path().join(f), text).unwrap();
    }
    let plan = tmp.path().join("plan.json");
    for (value, ok) in [
        (serde_json::json!(true), true),
        (serde_json::json!("SECRET"), false),
    ] {
        let mut p = young_carer_plan(serde_json::json!(true));
        p["child"]["unread_local_flag"] = value;
        std::fs::write(&plan, serde_json::to_string_pretty(&p).unwrap()).unwrap();
        let out = cp()
            .args(["check", "--as-of", AS_OF, "--format", "plain", "--rules"])
            .arg(tmp.path())
            .arg(&plan)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if ok {
            assert!(out.status.success(), "{stderr}");
            assert!(!stderr.contains("unread_local_flag"), "{stderr}");
        } else {
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(
                stderr.contains("`child.unread_local_flag` should be true or false, found text"),
                "{stderr}"
            );
            assert!(!stderr.contains("SECRET"), "{stderr}");
        }
    }
}
