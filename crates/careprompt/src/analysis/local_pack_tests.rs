//! Tests of a local pack (the repository's Fictional Borough example) held
//! in a workspace, as an editor opens it.

use super::*;
use crate::diagnostic::Level;

const MANIFEST: &str =
    include_str!("../../../../rules/examples/fictional-borough-local-pack/pack.toml");
const LOCAL: &str =
    include_str!("../../../../rules/examples/fictional-borough-local-pack/local.cpr");
const TESTS: &str =
    include_str!("../../../../rules/examples/fictional-borough-local-pack/tests/local.test.toml");
const FIXTURE: &str = include_str!(
    "../../../../rules/examples/fictional-borough-local-pack/tests/fixtures/young-carer-base.json"
);

/// The example pack's files under `root` (`""` or a directory with `/`).
fn example(root: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.set_files(
        [
            ("pack.toml", MANIFEST),
            ("local.cpr", LOCAL),
            ("tests/local.test.toml", TESTS),
            ("tests/fixtures/young-carer-base.json", FIXTURE),
        ]
        .map(|(n, t)| (format!("{root}{n}"), t.to_string())),
    );
    ws
}

fn at(ws: &Workspace, file: &str, needle: &str, delta: usize) -> At {
    let text = ws.text(file).unwrap();
    let offset = text.find(needle).unwrap() + delta;
    At {
        file: file.to_string(),
        position: ws.doc(file).unwrap().lines.position(text, offset),
    }
}

fn errors(ws: &Workspace) -> Vec<String> {
    ws.file_names()
        .into_iter()
        .flat_map(|f| ws.diagnostics(f))
        .filter(|l| l.diagnostic.severity == Level::Error)
        .map(|l| format!("{}: {}", l.diagnostic.file, l.diagnostic.message))
        .collect()
}

#[test]
fn the_example_pack_has_no_errors_and_leaves_its_disabled_rule_out() {
    for root in ["", "/home/council/packs/borough/"] {
        let ws = example(root);
        assert_eq!(errors(&ws), Vec::<String>::new(), "root {root:?}");
        assert_eq!(ws.manifest(), Some(format!("{root}pack.toml").as_str()));
        let rules = ws.rule_set().expect("the pack compiles");
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.text.id.as_str()).collect();
        assert!(ids.contains(&"FB-YC-01"));
        assert!(ids.contains(&"CMH-MED-04"), "the base pack's rules are in");
        assert!(
            !ids.contains(&"CMH-STA-01"),
            "the disabled rule is left out"
        );
        assert!(!ws.base_file_names().is_empty());
        // The base files are held, not the user's.
        assert!(ws
            .file_names()
            .iter()
            .all(|n| !ws.base_file_names().contains(n)));
    }
}

#[test]
fn without_the_manifest_the_pack_is_plain_rules_again() {
    let mut ws = example("");
    ws.remove_file("pack.toml");
    assert!(ws.base_file_names().is_empty());
    let errs = errors(&ws);
    assert!(
        errs.iter().any(|e| e.contains("young_carer")),
        "an unknown field without the manifest: {errs:?}"
    );
    ws.set_file("pack.toml", MANIFEST);
    assert_eq!(errors(&ws), Vec::<String>::new());
}

#[test]
fn completion_after_child_offers_the_packs_field_with_its_description() {
    let mut ws = example("");
    let text = format!("{LOCAL}\ndefine probe = child.\n");
    ws.set_file("local.cpr", &text);
    let items = ws.completion(&at(&ws, "local.cpr", "probe = child.", 14));
    let c = items
        .iter()
        .find(|c| c.label == "young_carer")
        .unwrap_or_else(|| {
            panic!(
                "no young_carer in {:?}",
                items.iter().map(|c| &c.label).collect::<Vec<_>>()
            )
        });
    let doc = c.documentation.as_deref().unwrap_or_default();
    assert!(doc.contains("identified as a young carer"), "{doc}");
    // Hover on the field in the rule shows the description too.
    let h = ws
        .hover(&at(&ws, "local.cpr", "child.young_carer = true", 7))
        .unwrap();
    assert!(
        h.markdown.contains("identified as a young carer"),
        "{}",
        h.markdown
    );
}

#[test]
fn hover_on_the_overridden_constant_shows_the_packs_value_and_where() {
    let ws = example("");
    let h = ws
        .hover(&at(&ws, "local.cpr", "sdq_concern_threshold", 0))
        .unwrap();
    assert!(
        h.markdown
            .contains("Overridden in `local.cpr` line 6 with `15`"),
        "{}",
        h.markdown
    );
    assert!(
        h.markdown.contains("const sdq_concern_threshold = 17"),
        "{}",
        h.markdown
    );
}

#[test]
fn definition_of_a_base_definition_lands_in_the_base_file() {
    let ws = example("");
    let found = ws.definition(&at(
        &ws,
        "local.cpr",
        "looked_after_with_mental_health_needs\n",
        3,
    ));
    let [loc] = found.as_slice() else {
        panic!("one definition expected: {found:?}")
    };
    assert!(ws.base_file_names().contains(&loc.file.as_str()), "{loc:?}");
    let text = ws.text(&loc.file).unwrap();
    let line = text.lines().nth(loc.range.start.line as usize).unwrap();
    assert!(
        line.contains("define looked_after_with_mental_health_needs"),
        "{line}"
    );
    // The base file's own problems (none, but also its warnings) are not
    // the user's: no diagnostics are given for a file not held.
    assert!(ws.diagnostics(&loc.file).is_empty());
}

#[test]
fn a_broken_manifest_is_reported_on_it_with_line_and_column() {
    let mut ws = example("");
    let unknown = MANIFEST.replace(
        "extends = \"jtai-childrens-mental-health\"",
        "extends = \"jtai-childrens-mental-healt\"",
    );
    ws.set_file("pack.toml", &unknown);
    let d = ws.diagnostics("pack.toml");
    let e = d
        .iter()
        .find(|l| l.diagnostic.code == "unknown-pack")
        .unwrap_or_else(|| panic!("{d:?}"));
    let line = MANIFEST
        .lines()
        .position(|l| l.starts_with("extends"))
        .unwrap();
    assert_eq!(e.diagnostic.line, line + 1);
    assert_eq!(e.range.start.line as usize, line);
    assert_eq!(e.diagnostic.column, 11);
    assert!(e
        .diagnostic
        .help
        .as_deref()
        .unwrap_or_default()
        .contains("did you mean"));
    assert!(ws.rule_set().is_none());

    ws.set_file("pack.toml", "[pack]\nname = \"x\"\nversion = \n");
    let d = ws.diagnostics("pack.toml");
    let [e] = d.as_slice() else { panic!("{d:?}") };
    assert_eq!((e.diagnostic.code, e.diagnostic.line), ("manifest", 3));
    assert!(e.diagnostic.column > 1);

    ws.set_file("pack.toml", MANIFEST);
    // What is left is the note, as the CLI gives it, that a rule is
    // disabled: a warning at the rule's id, not an error.
    let d = ws.diagnostics("pack.toml");
    let [w] = d.as_slice() else { panic!("{d:?}") };
    assert_eq!(
        (w.diagnostic.severity, w.diagnostic.code, w.diagnostic.line),
        (Level::Warning, "disabled-rule", 22)
    );
}

#[test]
fn an_error_in_a_pack_rule_keeps_the_packs_schema_and_base() {
    let mut ws = example("");
    ws.set_file(
        "local.cpr",
        &LOCAL.replace("child.young_carer = true", "child.young_carr = true"),
    );
    let errs = errors(&ws);
    assert!(errs.iter().any(|e| e.contains("young_carr")), "{errs:?}");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(ws.schema().root.fields.contains_key("child"));
    assert!(!ws.base_file_names().is_empty());
}

#[test]
fn the_packs_tests_pass_as_in_the_cli() {
    let ws = example("");
    let answer = ws.run_tests();
    let run = answer.run.as_ref().expect("the tests run");
    assert_eq!(answer.error, None);
    assert_eq!((run.passed, run.failed), (5, 0), "{:?}", answer.failures);
    // Coverage is of the pack's own rules.
    let ids: Vec<&str> = answer.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["FB-YC-01"]);
    // The local threshold counts: with the base's 17, the last case fails.
    let mut base_threshold = example("");
    base_threshold.set_file(
        "local.cpr",
        &LOCAL.replace("override sdq_concern_threshold = 15\n", ""),
    );
    let answer = base_threshold.run_tests();
    assert_eq!(answer.run.map(|r| r.failed), Some(1));
    assert!(answer.failures[0].name.contains("local SDQ threshold"));
}

#[test]
fn a_rules_file_the_manifest_does_not_list_is_flagged_not_checked() {
    let mut ws = example("");
    ws.set_file("extra.cpr", "define odd = child.no_such_field = true\n");
    let d = ws.diagnostics("extra.cpr");
    let [w] = d.as_slice() else { panic!("{d:?}") };
    assert_eq!(
        (w.diagnostic.severity, w.diagnostic.code),
        (Level::Warning, "not-in-pack")
    );
    assert_eq!(errors(&ws), Vec::<String>::new());
    // Listed, it is compiled with the pack and its error shows.
    ws.set_file(
        "pack.toml",
        &MANIFEST.replace(
            "rules = [\"local.cpr\"]",
            "rules = [\"local.cpr\", \"extra.cpr\"]",
        ),
    );
    let errs = errors(&ws);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("extra.cpr") && e.contains("no_such_field")),
        "{errs:?}"
    );
}

#[test]
fn json_requests_give_a_base_files_text() {
    let mut ws = example("");
    let names: Vec<String> = serde_json::from_str::<serde_json::Value>(&json::handle(
        &mut ws,
        r#"{"method": "base_files"}"#,
    ))
    .unwrap()["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ws.base_file_names());
    let request = serde_json::json!({"method": "text", "params": {"file": names[0]}});
    let answer: serde_json::Value =
        serde_json::from_str(&json::handle(&mut ws, &request.to_string())).unwrap();
    assert_eq!(answer["result"].as_str(), ws.text(&names[0]));
    let builtin = crate::builtin::builtin_sources();
    let source = builtin.iter().find(|s| s.name == names[0]).unwrap();
    assert_eq!(answer["result"].as_str(), Some(source.text.as_str()));
    let none: serde_json::Value = serde_json::from_str(&json::handle(
        &mut ws,
        r#"{"method": "text", "params": {"file": "nope.cpr"}}"#,
    ))
    .unwrap();
    assert_eq!(none["result"], serde_json::Value::Null);
}

#[test]
fn a_test_file_the_manifest_lists_is_looked_for_as_files_come_and_go() {
    let mut ws = example("");
    ws.remove_file("tests/local.test.toml");
    let d = ws.diagnostics("pack.toml");
    assert!(
        d.iter().any(|l| l.diagnostic.code == "missing-file"),
        "{d:?}"
    );
    ws.set_file("tests/local.test.toml", TESTS);
    let d = ws.diagnostics("pack.toml");
    assert!(
        !d.iter().any(|l| l.diagnostic.code == "missing-file"),
        "{d:?}"
    );
    assert!(ws.rule_set().is_some());
}
