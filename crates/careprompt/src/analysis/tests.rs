//! Tests of the analysis layer through the workspace's requests.

use super::*;

fn at(ws: &Workspace, file: &str, needle: &str, delta: usize) -> At {
    let text = ws.text(file).unwrap();
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in {file}"))
        + delta;
    let doc = ws.doc(file).unwrap();
    At {
        file: file.to_string(),
        position: doc.lines.position(text, offset),
    }
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|c| c.label.as_str()).collect()
}

const PACK: &str = r#"# Shared figures.

# Reviews are held every six months (a local starting point).
const review_interval = 6 months

define looked_after = child.looked_after = true

rule A-01 {
  title "Review overdue"
  theme "Reviews"
  kind practice
  severity medium
  when looked_after and child.date_of_birth more than review_interval ago
  prompt "P"
}
"#;

const BROKEN: &str = r#"define one = child.looked_after and

rule B-01 {
  title "Missing its quote
  theme "T"
}

rule B-02 {
  title "Fine"
  theme "T"
  kind practice
  severity low
  when looked_after and education.virtual_shool.involved = false
  prompt "P"
}

const three =
"#;

fn workspace() -> Workspace {
    let mut ws = Workspace::new();
    ws.set_files([
        ("pack/a.cpr".to_string(), PACK.to_string()),
        ("pack/b.cpr".to_string(), format!("import \"a.cpr\"\n\n{BROKEN}")),
        (
            "pack/tests/a.test.toml".to_string(),
            "as_of = 2026-11-26\n\n[[case]]\nname = \"c\"\nplan_json = '{\"child\": {\"looked_after\": false}}'\n[case.expect]\n\"A-01\" = \"clear\"\n".to_string(),
        ),
    ]);
    ws
}

#[test]
fn three_syntax_errors_give_three_diagnostics_and_the_rest_is_checked() {
    let ws = workspace();
    let diags = ws.diagnostics("pack/b.cpr");
    let syntax: Vec<&Located> = diags
        .iter()
        .filter(|d| d.diagnostic.code == "syntax")
        .collect();
    assert_eq!(syntax.len(), 3, "{diags:#?}");
    let lines: Vec<u32> = syntax.iter().map(|d| d.range.start.line).collect();
    assert_eq!(lines, [2, 5, 18], "{syntax:#?}");
    // B-02 parsed and was compiled: its misspelt field is reported, with help.
    let unknown = diags
        .iter()
        .find(|d| d.diagnostic.code == "unknown-field")
        .expect("the item that parsed is compiled");
    assert_eq!(
        unknown.diagnostic.help.as_deref(),
        Some("did you mean `education.virtual_school`?")
    );
    assert!(ws
        .diagnostics("pack/a.cpr")
        .iter()
        .all(|d| d.diagnostic.severity != crate::diagnostic::Level::Error));
}

#[test]
fn completion_after_education_dot_lists_its_fields_with_descriptions() {
    let mut ws = Workspace::new();
    ws.set_file("x.cpr", "rule X {\n  when education.\n}\n");
    let items = ws.completion(&at(&ws, "x.cpr", "education.", 10));
    let schema = ws.schema();
    let Some(crate::schema::Field {
        ty: crate::schema::FieldType::Object(edu),
        ..
    }) = schema.root.fields.get("education")
    else {
        panic!("the schema has an education group")
    };
    let want: Vec<&str> = edu.fields.keys().map(String::as_str).collect();
    assert_eq!(labels(&items), want);
    for c in &items {
        assert_eq!(c.kind, CompletionKind::Field);
        let f = edu.fields.get(&c.label).unwrap();
        assert!(c
            .documentation
            .as_deref()
            .unwrap()
            .starts_with(f.description.as_deref().unwrap()));
        assert!(c.detail.is_some());
    }
    // A partial segment filters.
    ws.set_file("x.cpr", "rule X {\n  when education.virt\n}\n");
    let items = ws.completion(&at(&ws, "x.cpr", "virt", 4));
    assert_eq!(labels(&items), ["virtual_school"]);
}

#[test]
fn completion_offers_allowed_values_element_fields_names_and_units() {
    let mut ws = Workspace::new();
    let text = "const window = 6 months\ndefine d = child.legal_status = \nrule X {\n  when any health.diagnoses where (cat\n}\n";
    ws.set_file("x.cpr", text);
    let values = ws.completion(&at(&ws, "x.cpr", "status = ", 9));
    assert!(labels(&values).contains(&"\"C1\""), "{values:?}");
    assert!(values.iter().all(|c| c.kind == CompletionKind::Value));
    let elem = ws.completion(&at(&ws, "x.cpr", "(cat", 4));
    assert_eq!(labels(&elem), ["category"]);

    ws.set_file("x.cpr", "const window = 6 months\ndefine d = child.looked_after\ndefine e = child.legal_status in [\"C1\", \nrule X {\n  when \n}\n");
    let in_list = ws.completion(&at(&ws, "x.cpr", "\"C1\", ", 6));
    assert!(labels(&in_list).contains(&"\"C2\""));
    assert!(
        !labels(&in_list).contains(&"\"C1\""),
        "values already listed are not offered again"
    );
    let when = ws.completion(&at(&ws, "x.cpr", "when ", 5));
    let l = labels(&when);
    for want in ["child", "education", "window", "d", "any", "not"] {
        assert!(l.contains(&want), "{want} missing from {l:?}");
    }
    ws.set_file(
        "x.cpr",
        "rule X {\n  when child.date_of_birth within 3 \n}\n",
    );
    let units = ws.completion(&at(&ws, "x.cpr", "3 ", 2));
    assert_eq!(
        labels(&units),
        ["days", "weeks", "months", "terms", "years"]
    );
    ws.set_file("x.cpr", "rule X {\n  kind \n}\n");
    assert_eq!(
        labels(&ws.completion(&at(&ws, "x.cpr", "kind ", 5))),
        ["risk", "practice", "strength"]
    );
    ws.set_file("x.cpr", "define d = child.looked_after\nru\n");
    assert_eq!(labels(&ws.completion(&at(&ws, "x.cpr", "ru", 2))), ["rule"]);
    ws.set_file("x.cpr", "# comment child.\n");
    assert!(ws.completion(&at(&ws, "x.cpr", "child.", 6)).is_empty());
}

#[test]
fn hover_on_a_constant_shows_its_value_and_source() {
    let ws = workspace();
    let h = ws
        .hover(&at(&ws, "pack/a.cpr", "than review_interval", 6))
        .unwrap();
    assert!(
        h.markdown.contains("const review_interval = 6 months"),
        "{}",
        h.markdown
    );
    assert!(
        h.markdown
            .contains("Reviews are held every six months (a local starting point)."),
        "{}",
        h.markdown
    );
    assert!(
        h.markdown.contains("Declared in `pack/a.cpr` line 4."),
        "{}",
        h.markdown
    );
    let text = ws.text("pack/a.cpr").unwrap();
    let start = ws
        .doc("pack/a.cpr")
        .unwrap()
        .lines
        .offset(text, h.range.start);
    assert!(text[start..].starts_with("review_interval ago"));
}

#[test]
fn hover_on_fields_definitions_and_rules() {
    let ws = workspace();
    let h = ws
        .hover(&at(&ws, "pack/a.cpr", "child.date_of_birth", 8))
        .unwrap();
    assert!(
        h.markdown.starts_with("**child.date_of_birth** (date)"),
        "{}",
        h.markdown
    );
    let h = ws
        .hover(&at(&ws, "pack/a.cpr", "child.date_of_birth", 1))
        .unwrap();
    assert!(
        h.markdown.starts_with("**child** (group of fields)"),
        "{}",
        h.markdown
    );
    let h = ws
        .hover(&at(&ws, "pack/a.cpr", "when looked_after", 6))
        .unwrap();
    assert!(
        h.markdown
            .contains("define looked_after =\n  child.looked_after = true"),
        "{}",
        h.markdown
    );
    let h = ws.hover(&at(&ws, "pack/a.cpr", "A-01", 1)).unwrap();
    assert!(
        h.markdown.starts_with("**A-01**: Review overdue"),
        "{}",
        h.markdown
    );
    let h = ws
        .hover(&at(&ws, "pack/tests/a.test.toml", "\"A-01\"", 2))
        .unwrap();
    assert!(h.markdown.starts_with("**A-01**: Review overdue"));
    let schema = Schema::builtin().unwrap();
    let Some(crate::schema::Field {
        ty: crate::schema::FieldType::Object(c),
        ..
    }) = schema.root.fields.get("child")
    else {
        panic!()
    };
    let status = c.fields.get("legal_status").unwrap();
    let mut ws = Workspace::new();
    ws.set_file("x.cpr", "define d = child.legal_status = \"C1\"\n");
    let h = ws.hover(&at(&ws, "x.cpr", "legal_status", 1)).unwrap();
    assert!(h.markdown.contains(status.description.as_deref().unwrap()));
    assert!(
        h.markdown.contains("Allowed values: `\"C1\"`"),
        "{}",
        h.markdown
    );
}

#[test]
fn definition_and_references_across_files_and_tests() {
    let ws = workspace();
    let def = ws.definition(&at(&ws, "pack/b.cpr", "when looked_after", 6));
    assert_eq!(def.len(), 1);
    assert_eq!(def[0].file, "pack/a.cpr");
    assert_eq!(def[0].range.start.line, 5);
    let refs = ws.references(&at(&ws, "pack/a.cpr", "define looked_after", 8), true);
    let files: Vec<(&str, u32)> = refs
        .iter()
        .map(|l| (l.file.as_str(), l.range.start.line))
        .collect();
    assert_eq!(
        files,
        [("pack/a.cpr", 5), ("pack/a.cpr", 12), ("pack/b.cpr", 14)]
    );
    // A rule id: declared in a rules file, named in a test file.
    let def = ws.definition(&at(&ws, "pack/tests/a.test.toml", "\"A-01\"", 1));
    assert_eq!(
        (def[0].file.as_str(), def[0].range.start.line),
        ("pack/a.cpr", 7)
    );
    let refs = ws.references(&at(&ws, "pack/a.cpr", "rule A-01", 6), false);
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].file, "pack/tests/a.test.toml");
    // An import: its file, and every import of it.
    let def = ws.definition(&at(&ws, "pack/b.cpr", "a.cpr", 1));
    assert_eq!(def[0].file, "pack/a.cpr");
    let refs = ws.references(&at(&ws, "pack/b.cpr", "a.cpr", 1), true);
    assert_eq!(refs.len(), 1);
}

#[test]
fn symbols_format_and_code_actions() {
    let ws = workspace();
    let syms = ws.symbols("pack/a.cpr");
    let names: Vec<(&str, SymbolKind)> = syms.iter().map(|s| (s.name.as_str(), s.kind)).collect();
    assert_eq!(
        names,
        [
            ("review_interval", SymbolKind::Constant),
            ("looked_after", SymbolKind::Definition),
            ("A-01", SymbolKind::Rule)
        ]
    );
    assert_eq!(syms[2].detail.as_deref(), Some("Review overdue"));
    // A file with syntax errors is not formatted (the formatter would drop them).
    assert!(ws.format("pack/b.cpr").is_none());
    let mut ws2 = Workspace::new();
    ws2.set_file("x.cpr", "const   a =   1\n");
    let edit = ws2.format("x.cpr").unwrap();
    assert_eq!(edit.new_text, "const a = 1\n");

    let line = ws
        .text("pack/b.cpr")
        .unwrap()
        .lines()
        .position(|l| l.contains("virtual_shool"))
        .unwrap() as u32;
    let actions = ws.code_actions(
        "pack/b.cpr",
        Range {
            start: Position { line, character: 0 },
            end: Position {
                line,
                character: 80,
            },
        },
    );
    assert_eq!(actions.len(), 1, "{actions:?}");
    let edit = &actions[0].edits[0];
    assert_eq!(edit.new_text, "education.virtual_school");
    let text = ws.text("pack/b.cpr").unwrap();
    let lines = &ws.doc("pack/b.cpr").unwrap().lines;
    let (s, e) = (
        lines.offset(text, edit.range.start),
        lines.offset(text, edit.range.end),
    );
    assert_eq!(&text[s..e], "education.virtual_shool");
}

#[test]
fn rule_tests_run_with_coverage_per_rule() {
    let ws = Workspace::builtin();
    assert!(ws.rule_set().is_some());
    let answer = ws.run_tests();
    let run = answer.run.as_ref().unwrap();
    assert!(run.passed > 100, "{}", run.passed);
    assert_eq!(run.failed, 0);
    assert_eq!(answer.rules.len(), ws.rule_set().unwrap().rules().len());
    let edu = answer.rules.iter().find(|r| r.id == "CMH-EDU-01").unwrap();
    assert!(edu.exercised);
    assert!(
        edu.tested_in
            .iter()
            .any(|f| f.ends_with("tests/education.test.toml")),
        "{:?}",
        edu.tested_in
    );
    // A failing case is located at its name in the test file.
    let mut ws = workspace();
    ws.set_file("pack/b.cpr", "import \"a.cpr\"\n");
    ws.set_file(
        "pack/tests/a.test.toml",
        "as_of = 2026-11-26\n\n[[case]]\nname = \"wrong\"\nplan_json = '{\"child\": {\"looked_after\": false}}'\n[case.expect]\n\"A-01\" = \"fires\"\n",
    );
    assert!(ws.diagnostics("pack/tests/a.test.toml").is_empty());
    let answer = ws.run_tests();
    assert_eq!(answer.failures.len(), 1, "{:?}", answer.failures);
    let f = &answer.failures[0];
    assert_eq!(
        (f.location.file.as_str(), f.location.range.start.line),
        ("pack/tests/a.test.toml", 3)
    );
    assert!(
        f.message.contains("`A-01` is clear, not fires"),
        "{}",
        f.message
    );
}

#[test]
fn test_files_are_checked_without_running_them() {
    let mut ws = workspace();
    ws.set_file(
        "pack/tests/a.test.toml",
        "as_of = 2026-11-26\n\n[[case]]\nname = \"c\"\nplan_json = '{}'\n[case.expect]\n\"A-0l\" = \"fires\"\n\"A-01\" = \"fire\"\n",
    );
    let d = ws.diagnostics("pack/tests/a.test.toml");
    let codes: Vec<(&str, u32)> = d
        .iter()
        .map(|d| (d.diagnostic.code, d.range.start.line))
        .collect();
    assert_eq!(codes, [("unknown-rule", 6), ("test-file", 7)], "{d:#?}");
    let actions = ws.code_actions("pack/tests/a.test.toml", d[0].range);
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].edits[0].new_text, "A-01");
    ws.set_file("pack/tests/a.test.toml", "[[case]\n");
    let d = ws.diagnostics("pack/tests/a.test.toml");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].diagnostic.code, "test-file");
}

#[test]
fn requests_on_unknown_files_and_positions_answer_nothing() {
    let ws = workspace();
    let nowhere = At {
        file: "nope.cpr".into(),
        position: Position::default(),
    };
    assert!(ws.completion(&nowhere).is_empty());
    assert!(ws.hover(&nowhere).is_none());
    assert!(ws.definition(&nowhere).is_empty());
    let far = At {
        file: "pack/a.cpr".into(),
        position: Position {
            line: 999,
            character: 999,
        },
    };
    let _ = ws.completion(&far);
    assert!(ws.hover(&far).is_none());
}

#[test]
fn a_name_declared_by_a_broken_item_is_reported_once() {
    let mut ws = Workspace::new();
    ws.set_file(
        "x.cpr",
        "define needs = child.looked_after and\n\nrule X {\n  title \"T\"\n  theme \"T\"\n  kind practice\n  severity low\n  when needs and chld.looked_after\n  prompt \"P\"\n}\n",
    );
    let d = ws.diagnostics("x.cpr");
    let codes: Vec<&str> = d.iter().map(|d| d.diagnostic.code).collect();
    // The broken definition, and the misspelt field; not "unknown name `needs`".
    assert_eq!(codes, ["syntax", "unknown-field"], "{d:#?}");
    assert!(d[1].diagnostic.message.contains("chld"));
}

#[test]
fn every_request_answers_on_every_prefix_of_a_rules_file() {
    // A file being typed is every prefix of a finished one: no request may
    // fail on any of them, and the syntax errors never hide the items that
    // parse before them.
    let mut ws = Workspace::builtin();
    let name = ws
        .file_names()
        .into_iter()
        .find(|n| n.ends_with("education.cpr"))
        .unwrap()
        .to_string();
    let full = ws.text(&name).unwrap().to_string();
    let mut cut = 0;
    while cut < full.len() {
        let prefix = &full[..cut];
        ws.set_file(&name, prefix);
        let lines = text::Lines::new(prefix);
        let end = lines.position(prefix, prefix.len());
        for pos in [
            end,
            Position {
                line: end.line,
                character: 0,
            },
            Position {
                line: end.line / 2,
                character: 7,
            },
        ] {
            let at = At {
                file: name.clone(),
                position: pos,
            };
            let _ = ws.completion(&at);
            let _ = ws.hover(&at);
            let _ = ws.definition(&at);
            let _ = ws.references(&at, true);
        }
        let _ = ws.symbols(&name);
        let _ = ws.format(&name);
        let diags = ws.diagnostics(&name);
        let _ = ws.code_actions(
            &name,
            Range {
                start: Position::default(),
                end,
            },
        );
        let syntax = diags
            .iter()
            .filter(|d| d.diagnostic.code == "syntax")
            .count();
        assert!(
            syntax <= 1,
            "a prefix breaks at most its last item: {syntax} at {cut}"
        );
        cut = (cut + 211).min(full.len());
        while !full.is_char_boundary(cut) {
            cut += 1;
        }
    }
}

#[test]
fn completion_in_rule_tests_offers_rule_ids_outcomes_and_paths() {
    let mut ws = workspace();
    ws.set_file("pack/b.cpr", "import \"a.cpr\"\n");
    let text = "[[case]]\nname = \"c\"\n[case.set]\n\"child.looked_\" = true\n[case.expect]\n\"A-\" = \"fi\"\n";
    ws.set_file("pack/tests/a.test.toml", text);
    let f = "pack/tests/a.test.toml";
    let ids = ws.completion(&at(&ws, f, "\"A-\"", 3));
    assert_eq!(labels(&ids), ["A-01"]);
    assert_eq!(ids[0].kind, CompletionKind::Rule);
    assert_eq!(ids[0].detail.as_deref(), Some("Review overdue"));
    assert_eq!(labels(&ws.completion(&at(&ws, f, "\"fi\"", 3))), ["fires"]);
    let paths = ws.completion(&at(&ws, f, "child.looked_", 13));
    assert_eq!(labels(&paths), ["child.looked_after"]);
}
