//! Local packs: the example pack in rules/examples/ layered on the
//! built-in pack (overrides, a disabled rule, an extension field with a
//! rule and its tests), its provenance in reports, bundles, and each kind
//! of bad input refused with a located error and nothing half-loaded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use careprompt::{load_bundle, CompileError, Pack, PackOptions};

const EXAMPLE: &str = "fictional-borough-local-pack";

fn example_files() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../rules/examples")
        .join(EXAMPLE);
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

fn example() -> Pack {
    Pack::from_files("example/", example_files(), &PackOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The example pack with `file` replaced by `text`.
fn edited(file: &str, text: &str) -> Result<Pack, CompileError> {
    let mut files = example_files();
    files.insert(file.to_string(), text.to_string());
    Pack::from_files("example/", files, &PackOptions::default())
}

fn manifest_with(from: &str, to: &str) -> Result<Pack, CompileError> {
    let m = example_files()["pack.toml"].clone();
    assert!(m.contains(from), "the manifest has `{from}`");
    edited("pack.toml", &m.replace(from, to))
}

fn only_error(r: Result<Pack, CompileError>) -> careprompt::Diagnostic {
    let e = r.expect_err("the pack should be refused");
    assert_eq!(e.diagnostics.len(), 1, "{e}");
    e.diagnostics.into_iter().next().unwrap()
}

fn young_carer_plan(young_carer: &str) -> Vec<u8> {
    let files = example_files();
    let mut plan: serde_json::Value =
        serde_json::from_str(&files["tests/fixtures/young-carer-base.json"]).unwrap();
    plan["child"]["young_carer"] = serde_json::from_str(young_carer).unwrap();
    serde_json::to_vec(&plan).unwrap()
}

#[test]
fn example_pack_layers_on_the_builtin_pack() {
    let pack = example();
    let ids: Vec<String> = pack
        .rule_set()
        .rules()
        .into_iter()
        .map(|r| r.text.id.clone())
        .collect();
    assert!(
        ids.contains(&"FB-YC-01".to_string()),
        "the local rule is added"
    );
    assert!(
        ids.contains(&"CMH-EDU-01".to_string()),
        "the base rules are kept"
    );
    assert!(
        !ids.contains(&"CMH-STA-01".to_string()),
        "the disabled rule is out"
    );
    let builtin = common::builtin().rules().len();
    assert_eq!(ids.len(), builtin, "one rule added, one disabled");
    let info = pack.info();
    assert_eq!(info.name.as_deref(), Some(EXAMPLE));
    assert_eq!(info.version.as_deref(), Some("1.0.0"));
    assert_eq!(
        info.extends.as_deref(),
        Some("jtai-childrens-mental-health")
    );
    assert!(info.hash.starts_with("sha256:") && info.hash.len() == 7 + 64);
    assert_eq!(info.overrides.len(), 1);
    assert_eq!(info.overrides[0].name, "sdq_concern_threshold");
    assert_eq!(info.overrides[0].value, "15");
    assert_eq!(info.overrides[0].declared, "17");
    assert_eq!(info.disabled.len(), 1);
    assert_eq!(info.disabled[0].rule, "CMH-STA-01");
    assert!(info.disabled[0].reason.contains("joint review"));
    assert_eq!(pack.extensions.len(), 1);
    assert_eq!(pack.learning.len(), 1);
    // The pack adds a definition built on a base definition.
    let rules_text = &pack.files["local.cpr"];
    assert!(rules_text.contains("define young_carer_with_mental_health_needs"));
    assert!(rules_text.contains("  looked_after_with_mental_health_needs"));
}

#[test]
fn example_pack_tests_pass_and_builtin_tests_run_under_its_overrides() {
    let run = example().run_tests();
    assert!(run.pack.ok(), "{:#?}", run.pack);
    assert_eq!(run.pack.passed, 5);
    let base = run
        .base
        .as_ref()
        .expect("the built-in tests run under the pack");
    assert_eq!(base.failed, 0, "{:#?}", base.failures);
    assert!(base.passed > 50, "the built-in tests ran: {}", base.passed);
    // The built-in test of an SDQ total of 16 expects `clear` under the
    // threshold of 17; the pack's 15 makes it fire: changed, not failed.
    let changed: Vec<_> = base
        .changed
        .iter()
        .filter(|c| c.rule == "CMH-MED-04")
        .collect();
    assert_eq!(changed.len(), 1, "{:#?}", base.changed);
    assert_eq!(
        (changed[0].base.as_str(), changed[0].pack.as_str()),
        ("clear", "fires")
    );
    assert!(base.changed.iter().all(|c| c.rule != "CMH-STA-01"));
    assert!(run.ok());
}

#[test]
fn a_failing_pack_test_fails_the_pack_run() {
    // A pack's own expectation that does not hold fails the run.
    let tests = example_files()["tests/local.test.toml"]
        .replace("\"FB-YC-01\" = \"fires\"", "\"FB-YC-01\" = \"clear\"");
    let run = edited("tests/local.test.toml", &tests).unwrap().run_tests();
    assert!(!run.ok());
    assert_eq!(run.pack.failed, 1);
}

#[test]
fn reports_name_the_pack_version_hash_overrides_and_disabled_rules() {
    let pack = example();
    let report = pack
        .rule_set()
        .check_json(&young_carer_plan("true"), &common::opts())
        .unwrap();
    assert_eq!(
        report.outcome("FB-YC-01").unwrap().outcome.as_str(),
        "fires"
    );
    let json = report.to_json();
    assert_eq!(json, serde_json::to_string_pretty(&report).unwrap());
    assert_eq!(
        report.to_json_line(),
        serde_json::to_string(&report).unwrap()
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let p = &v["pack"];
    assert_eq!(p["name"], EXAMPLE);
    assert_eq!(p["version"], "1.0.0");
    assert_eq!(p["hash"], pack.info().hash.as_str());
    assert_eq!(p["overrides"][0]["name"], "sdq_concern_threshold");
    assert_eq!(p["overrides"][0]["value"], "15");
    assert_eq!(p["disabled"][0]["rule"], "CMH-STA-01");
}

#[test]
fn the_builtin_pack_names_itself_in_reports() {
    let r = common::builtin();
    let info = r.pack_info();
    assert_eq!(info.name.as_deref(), Some("jtai-childrens-mental-health"));
    assert_eq!(info.version.as_deref(), Some(careprompt::VERSION));
    assert!(info.overrides.is_empty() && info.disabled.is_empty());
    let with = careprompt::RuleSet::builtin_with(&[("sdq_concern_threshold".into(), "15".into())])
        .unwrap();
    assert_eq!(with.pack_info().overrides[0].value, "15");
    assert_eq!(with.pack_info().name, info.name);
}

#[test]
fn the_hash_changes_with_the_rules_and_not_with_where_the_pack_sits() {
    let a = example();
    let b = Pack::from_files("elsewhere/", example_files(), &PackOptions::default()).unwrap();
    assert_eq!(a.info().hash, b.info().hash);
    let rules = example_files()["local.cpr"].replace("= 15", "= 16");
    let c = edited("local.cpr", &rules).unwrap();
    assert_ne!(a.info().hash, c.info().hash);
}

#[test]
fn a_plan_carrying_the_extension_field_is_read_and_checked() {
    let pack = example();
    let rules = pack.rule_set();
    let fires = rules
        .check_json(&young_carer_plan("true"), &common::opts())
        .unwrap();
    assert_eq!(fires.outcome("FB-YC-01").unwrap().outcome.as_str(), "fires");
    assert!(fires.warnings.is_empty(), "{:?}", fires.warnings);
    let clear = rules
        .check_json(&young_carer_plan("false"), &common::opts())
        .unwrap();
    assert_eq!(clear.outcome("FB-YC-01").unwrap().outcome.as_str(), "clear");
    // The built-in pack does not know the field and says so.
    let builtin = common::builtin()
        .check_json(&young_carer_plan("true"), &common::opts())
        .unwrap();
    assert!(
        builtin.warnings.iter().any(|w| w.contains("young_carer")),
        "{:?}",
        builtin.warnings
    );
    // A value of the wrong type is refused, naming the field, not the value.
    let e = rules
        .check_json(&young_carer_plan("\"yes\""), &common::opts())
        .expect_err("a text where the pack declares true or false");
    let message = e.to_string();
    assert!(
        message.contains("`child.young_carer` should be true or false"),
        "{message}"
    );
    assert!(
        !message.contains("yes"),
        "the plan's value is not echoed: {message}"
    );
}

#[test]
fn a_misspelt_extension_field_gets_did_you_mean() {
    let rules = example_files()["local.cpr"]
        .replace("child.young_carer = true", "child.young_carrer = true");
    let d = only_error(edited("local.cpr", &rules));
    assert_eq!(d.code, "unknown-field");
    assert_eq!(d.file, "example/local.cpr");
    assert_eq!(d.help.as_deref(), Some("did you mean `child.young_carer`?"));
}

#[test]
fn the_merged_schema_has_the_extension_and_is_printed_for_vendors() {
    let pack = example();
    let v: serde_json::Value = serde_json::from_str(&pack.schema_json).unwrap();
    let field = &v["$defs"]["Child"]["properties"]["young_carer"];
    assert_eq!(field["type"], "boolean");
    assert_eq!(field["x-none"], "false");
    assert!(field["description"]
        .as_str()
        .unwrap()
        .contains("Not known: the field is left out."));
    assert!(careprompt::case_plan_schema().find("young_carer").is_none());
}

#[test]
fn a_bundle_gives_the_same_reports_and_a_tampered_bundle_is_refused() {
    let pack = example();
    let bundle = pack.to_bundle();
    let from_bundle = load_bundle("example.bundle.json", &bundle).unwrap();
    assert_eq!(from_bundle.pack_info(), pack.info());
    let plan = young_carer_plan("true");
    assert_eq!(
        from_bundle
            .check_json(&plan, &common::opts())
            .unwrap()
            .to_json(),
        pack.rule_set()
            .check_json(&plan, &common::opts())
            .unwrap()
            .to_json()
    );
    let tampered = bundle.replace(
        "override sdq_concern_threshold = 15",
        "override sdq_concern_threshold = 25",
    );
    assert_ne!(tampered, bundle);
    let e = load_bundle("example.bundle.json", &tampered).err().unwrap();
    let d = &e.diagnostics[0];
    assert_eq!(d.code, "bundle-hash");
    assert_eq!(d.file, "example.bundle.json");
    assert!(d.line > 1, "the error points at the hash: line {}", d.line);
    assert!(d
        .help
        .as_deref()
        .unwrap()
        .contains("careprompt pack --bundle"));
}

#[test]
fn a_manifest_naming_a_missing_base_pack_is_refused() {
    let d = only_error(manifest_with(
        "extends = \"jtai-childrens-mental-health\"",
        "extends = \"jtai-childrens-mental-heath\"",
    ));
    assert_eq!(d.code, "unknown-pack");
    assert_eq!((d.file.as_str(), d.line), ("example/pack.toml", 8));
    assert!(d.column > 1);
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `jtai-childrens-mental-health`?")
    );
}

#[test]
fn an_extension_field_clashing_with_the_base_schema_is_refused() {
    let d = only_error(manifest_with(
        "path = \"child.young_carer\"",
        "path = \"child.looked_after\"",
    ));
    assert_eq!(d.code, "field-clash");
    assert_eq!(d.file, "example/pack.toml");
    assert!(d
        .message
        .contains("`child.looked_after` is already a field of the base schema"));
    assert!(d.help.is_some());
}

#[test]
fn an_extension_under_a_missing_object_gets_did_you_mean() {
    let d = only_error(manifest_with(
        "path = \"child.young_carer\"",
        "path = \"chlid.young_carer\"",
    ));
    assert_eq!(d.code, "field-path");
    assert_eq!(d.help.as_deref(), Some("did you mean `child`?"));
}

#[test]
fn an_override_of_a_missing_constant_or_of_the_wrong_kind_is_refused() {
    let rules = example_files()["local.cpr"].clone();
    let d = only_error(edited(
        "local.cpr",
        &rules.replace(
            "override sdq_concern_threshold",
            "override sdq_concern_treshold",
        ),
    ));
    assert_eq!(d.code, "unknown-name");
    assert_eq!((d.file.as_str(), d.line), ("example/local.cpr", 6));
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `sdq_concern_threshold`?")
    );
    let d = only_error(edited("local.cpr", &rules.replace("= 15", "= 15 months")));
    assert_eq!(d.code, "type-mismatch");
    assert_eq!(d.line, 6);
}

#[test]
fn disabling_a_missing_rule_is_refused() {
    let d = only_error(manifest_with(
        "rule = \"CMH-STA-01\"",
        "rule = \"CMH-STA-10\"",
    ));
    assert_eq!(d.code, "unknown-rule");
    assert_eq!((d.file.as_str(), d.line), ("example/pack.toml", 22));
    assert!(d
        .help
        .as_deref()
        .unwrap()
        .starts_with("did you mean `CMH-STA-01`?"));
}

#[test]
fn an_unsupported_engine_version_is_refused() {
    let d = only_error(manifest_with(
        "engine = \">=0.1, <0.2\"",
        "engine = \">=0.2\"",
    ));
    assert_eq!(d.code, "engine-version");
    assert_eq!(d.line, 9);
    assert!(d.message.contains(careprompt::VERSION));
}

#[test]
fn manifest_parse_errors_have_line_and_column() {
    let d = only_error(manifest_with("version = \"1.0.0\"", "version = 1.0.0"));
    assert_eq!(d.code, "manifest");
    assert_eq!(d.line, 6);
    assert!(d.column >= 11, "column {}", d.column);
    let d = only_error(manifest_with("[[field]]", "[[feild]]"));
    assert_eq!(d.code, "manifest");
    assert!(d.message.contains("feild"), "{}", d.message);
}

#[test]
fn a_bad_field_declaration_names_the_fix() {
    let d = only_error(manifest_with("type = \"boolean\"", "type = \"boolen\""));
    assert_eq!(d.code, "field-type");
    assert_eq!(d.help.as_deref(), Some("did you mean `boolean`?"));
    let d = only_error(manifest_with("none = \"false\"", "none = \"[]\""));
    assert_eq!(d.code, "field-none");
}
