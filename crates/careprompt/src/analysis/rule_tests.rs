//! Rule tests from the workspace's `.test.toml` files, with coverage per
//! rule, and the problems of one test file located in it.

use serde::Serialize;

use crate::ast::Span;
use crate::diagnostic::{did_you_mean, Diagnostic, SourceRef};
use crate::load::resolve_import;
use crate::testing::{run_tests, TestRun, UncoveredCondition};

use super::index::{decls, quoted, test_files, DeclKind};
use super::navigation::Location;
use super::Workspace;

/// The coverage of one rule by the tests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleCoverage {
    /// The rule's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The rules file it is written in.
    pub file: String,
    /// Whether some test states an outcome for it.
    pub exercised: bool,
    /// The test files that name it.
    pub tested_in: Vec<String>,
    /// Its conditions that the tests never saw both true and false.
    pub uncovered_conditions: Vec<UncoveredCondition>,
}

/// The answer to running the tests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestsAnswer {
    /// The run: every case, passed and failed, and overall coverage
    /// (absent when the rules do not compile).
    pub run: Option<TestRun>,
    /// Coverage rule by rule, in the order the rules are written (a local
    /// pack's own rules; not those of the pack it builds on).
    pub rules: Vec<RuleCoverage>,
    /// The cases that failed, each at its name in its test file.
    pub failures: Vec<CaseFailure>,
    /// Why the tests could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reads the files a test refers to from the workspace.
struct WorkspaceLoader<'w>(&'w Workspace);

impl crate::load::Loader for WorkspaceLoader<'_> {
    fn load(&self, path: &str) -> Result<String, String> {
        let want = resolve_import("", path);
        self.0
            .docs()
            .find(|(n, _)| resolve_import("", n) == want)
            .map(|(_, d)| d.text.clone())
            .ok_or_else(|| "no file of that name is open in the workspace".to_string())
    }
}

/// Runs every test file held.
pub(crate) fn run(ws: &Workspace) -> TestsAnswer {
    let Some(rules) = ws.rule_set() else {
        return TestsAnswer {
            run: None,
            rules: Vec::new(),
            failures: Vec::new(),
            error: Some("the rules do not compile; fix their errors first".into()),
        };
    };
    let files: Vec<(String, String)> = test_files(ws)
        .map(|(n, d)| (n.to_string(), d.text.clone()))
        .collect();
    let run = run_tests(rules, &files, &WorkspaceLoader(ws));
    // Coverage of the rules written here: a local pack's base rules are
    // the base pack's to test.
    let per_rule = rules
        .rules()
        .into_iter()
        .filter(|r| ws.holds(&r.file))
        .map(|r| {
            let tested_in = files
                .iter()
                .filter(|(_, t)| !quoted(t, &r.text.id).is_empty())
                .map(|(n, _)| n.clone())
                .collect();
            RuleCoverage {
                exercised: !run.coverage.unexercised_rules.contains(&r.text.id),
                uncovered_conditions: run
                    .coverage
                    .uncovered_conditions
                    .iter()
                    .filter(|c| c.rule == r.text.id)
                    .cloned()
                    .collect(),
                tested_in,
                id: r.text.id.clone(),
                title: r.text.title.clone(),
                file: r.file,
            }
        })
        .collect();
    TestsAnswer {
        failures: failures(ws, &run),
        run: Some(run),
        rules: per_rule,
        error: None,
    }
}

/// A case that failed, located at its name in its test file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseFailure {
    /// Where the case's name is written.
    pub location: Location,
    /// The case's name.
    pub name: String,
    /// What went wrong: each rule's outcome against the one expected, or
    /// why the case could not run.
    pub message: String,
}

/// The failing cases of a run, each at its name.
fn failures(ws: &Workspace, run: &TestRun) -> Vec<CaseFailure> {
    let mut out = Vec::new();
    for f in &run.files {
        let Some(doc) = ws.doc(&f.file) else { continue };
        for c in f.cases.iter().filter(|c| !c.passed) {
            let (s, e) = quoted(&doc.text, &c.name)
                .first()
                .copied()
                .unwrap_or_default();
            let mut why: Vec<String> = c
                .failures
                .iter()
                .map(|x| format!("`{}` is {}, not {}", x.rule, x.actual, x.expected))
                .collect();
            why.extend(c.error.clone());
            out.push(CaseFailure {
                location: Location {
                    file: f.file.clone(),
                    range: doc.lines.range(&doc.text, s, e),
                },
                name: c.name.clone(),
                message: format!("case fails: {}", why.join("; ")),
            });
        }
    }
    out
}

/// The problems of one test file found without running it (running every
/// case takes longer than an edit may): TOML errors, rule ids no rule has
/// (with "did you mean"), and outcomes other than fires, clear and unknown.
pub(crate) fn file_diagnostics(ws: &Workspace, file: &str) -> Vec<Diagnostic> {
    let Some(doc) = ws.doc(file) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    let src = SourceRef { name: file, text };
    if let Err(e) = crate::toml_table::parse(text) {
        return vec![Diagnostic::error("test-file", src, e.span, e.message)
            .with_help("rule tests are TOML; see docs/testing-rules.md")];
    }
    let all = decls(ws);
    let ids: Vec<&str> = all
        .iter()
        .filter(|d| d.kind == DeclKind::Rule)
        .map(|d| d.name)
        .collect();
    let mut out = Vec::new();
    let mut section = "";
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let t = line.trim();
        if t.starts_with('[') {
            section = t;
            continue;
        }
        if !section.starts_with("[case.expect") {
            continue;
        }
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        if key.is_empty() || key.starts_with('#') {
            continue;
        }
        let key_at = start + line.find(key).unwrap_or(0);
        if !ids.contains(&key) {
            let help = match did_you_mean(key, ids.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "name a rule of the pack by its id".to_string(),
            };
            out.push(
                Diagnostic::error(
                    "unknown-rule",
                    src,
                    Span::new(key_at, key_at + key.len()),
                    format!("no rule has the id `{key}`"),
                )
                .with_help(help),
            );
        }
        if section == "[case.expect]" {
            let v = value
                .split('#')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('"');
            if !matches!(v, "fires" | "clear" | "unknown") {
                let v_at = start + line.rfind(v).unwrap_or(0);
                out.push(
                    Diagnostic::error(
                        "test-file",
                        src,
                        Span::new(v_at, v_at + v.len()),
                        format!("`{v}` is not an outcome"),
                    )
                    .with_help("an expected outcome is \"fires\", \"clear\" or \"unknown\""),
                );
            }
        }
    }
    out
}
