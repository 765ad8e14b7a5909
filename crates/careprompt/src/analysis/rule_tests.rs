//! Rule tests from the workspace's `.test.toml` files, with coverage per
//! rule, and the problems of one test file located in it.

use serde::Serialize;

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, SourceRef};
use crate::resolve_import;
use crate::testing::{run_tests, TestRun, UncoveredCondition};

use super::index::{quoted, test_files};
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
    /// Coverage rule by rule, in the order the rules are written.
    pub rules: Vec<RuleCoverage>,
    /// Why the tests could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reads a file a test refers to from the workspace.
fn reader(ws: &Workspace) -> impl Fn(&str) -> Result<String, String> + '_ {
    move |path: &str| {
        let want = resolve_import("", path);
        ws.docs()
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
            error: Some("the rules do not compile; fix their errors first".into()),
        };
    };
    let files: Vec<(String, String)> = test_files(ws)
        .map(|(n, d)| (n.to_string(), d.text.clone()))
        .collect();
    let read = reader(ws);
    let run = run_tests(rules, &files, &read);
    let per_rule = rules
        .rules()
        .into_iter()
        .map(|r| {
            let tested_in = files
                .iter()
                .filter(|(_, t)| !quoted(t, &r.id).is_empty())
                .map(|(n, _)| n.clone())
                .collect();
            RuleCoverage {
                exercised: !run.coverage.unexercised_rules.contains(&r.id),
                uncovered_conditions: run
                    .coverage
                    .uncovered_conditions
                    .iter()
                    .filter(|c| c.rule == r.id)
                    .cloned()
                    .collect(),
                tested_in,
                id: r.id,
                title: r.title,
                file: r.file,
            }
        })
        .collect();
    TestsAnswer {
        run: Some(run),
        rules: per_rule,
        error: None,
    }
}

/// The problems of one test file: its own errors, and each failing case at
/// its name.
pub(crate) fn file_diagnostics(ws: &Workspace, file: &str) -> Vec<Diagnostic> {
    let (Some(rules), Some(doc)) = (ws.rule_set(), ws.doc(file)) else {
        return Vec::new();
    };
    let text = doc.text.as_str();
    let src = SourceRef { name: file, text };
    let read = reader(ws);
    let run = run_tests(rules, &[(file.to_string(), text.to_string())], &read);
    let mut out = Vec::new();
    for f in run.files {
        out.extend(f.error);
        for c in f.cases.iter().filter(|c| !c.passed) {
            let span = quoted(text, &c.name)
                .first()
                .map(|(s, e)| Span::new(*s, *e))
                .unwrap_or_default();
            let mut why: Vec<String> = c
                .failures
                .iter()
                .map(|x| format!("`{}` is {}, not {}", x.rule, x.actual, x.expected))
                .collect();
            why.extend(c.error.clone());
            out.push(
                Diagnostic::error(
                    "test-failed",
                    src,
                    span,
                    format!("case fails: {}", why.join("; ")),
                )
                .with_help("change the case's plan or expectation, or the rule"),
            );
        }
    }
    out
}
